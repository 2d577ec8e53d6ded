//! A panic shows an error panel instead of leaving a blank or frozen page.

use web_sys::{Document, Element};

/// The id of the error panel, so a page, a test or a person can find it.
pub const PANEL_ID: &str = "aurora-error";

/// Routes every panic to the browser console and to [`show`]. Installed through Yew, which would
/// otherwise replace any hook with its own (console only) when the app first renders.
pub fn install() {
    yew::set_custom_panic_hook(Box::new(|info| {
        let details = info.to_string();
        gloo::console::error!(details.clone());
        show(&details);
    }));
}

/// Puts the error panel at the top of the page with `details` (the panic message); a second
/// call replaces the details rather than adding a second panel.
///
/// Does nothing outside a browser page. Never panics itself: it runs inside the panic hook.
pub fn show(details: &str) {
    let Some(document) = web_sys::window().and_then(|window| window.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    if let Some(old) = document.get_element_by_id(PANEL_ID) {
        old.remove();
    }
    let Some(panel) = build(&document, details) else {
        return;
    };
    // If even this fails there is nothing left to show the error with; the console has it.
    let _ = body.prepend_with_node_1(&panel);
}

fn build(document: &Document, details: &str) -> Option<Element> {
    let panel = document.create_element("section").ok()?;
    panel.set_id(PANEL_ID);
    panel.set_class_name("error-panel");
    panel.set_attribute("role", "alert").ok()?;

    let title = element(document, "h2", "The playground stopped")?;
    let advice = element(
        document,
        "p",
        "Something went wrong inside the simulation. Reload the page to start again; \
         if it happens again, the details below help to find the cause.",
    )?;
    let pre = element(document, "pre", details)?;
    pre.set_class_name("error-details");

    panel.append_with_node_3(&title, &advice, &pre).ok()?;
    Some(panel)
}

fn element(document: &Document, tag: &str, text: &str) -> Option<Element> {
    let element = document.create_element(tag).ok()?;
    element.set_text_content(Some(text));
    Some(element)
}
