//! Lesson files loaded at run time (`?lesson-file=PATH`), and the links and names a followed
//! lesson gives the page.
//!
//! The file is fetched from the page's own site: the Content-Security-Policy's
//! `default-src 'self'` already allows that, and the path was checked to be a plain relative
//! path ([`crate::lesson::check_path`]) before anything is asked of the network.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::lesson_mode::Guide;

/// The text of the lesson file at `path`, or why it could not be read, in words.
pub async fn fetch_text(path: &str) -> Result<String, String> {
    crate::lesson::check_path(path).map_err(|why| format!("it was not loaded: {why}"))?;
    let window = web_sys::window().ok_or("there is no browser window to load it in")?;
    let answer = JsFuture::from(window.fetch_with_str(path))
        .await
        .map_err(|_| {
            "the browser could not fetch it: is the file on this site, next to the page?"
                .to_string()
        })?;
    let response: web_sys::Response = answer
        .dyn_into()
        .map_err(|_| "the browser's answer was not a response".to_string())?;
    if !response.ok() {
        return Err(format!(
            "the server answered {} {} for it",
            response.status(),
            response.status_text()
        ));
    }
    let body = response
        .text()
        .map_err(|_| "its text could not be read".to_string())?;
    JsFuture::from(body)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| "its text could not be read".to_string())
}

/// The query that opens the followed lesson at its current step.
pub fn link(g: &Guide) -> String {
    crate::lesson::link_query(&g.lesson.name, g.file.as_deref(), g.index(), g.seed, false)
}

/// The lesson the followed one suggests next, with its title, if it is a built-in one.
pub fn next_lesson(g: &Guide) -> Option<(String, String)> {
    let name = g.lesson.next.as_ref()?;
    let title = crate::lesson_mode::title_of(name)?;
    Some((name.clone(), title))
}
