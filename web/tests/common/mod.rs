//! What the component tests share: mounting the app as if at an address, and finding its
//! elements by selector and by accessible name. Each test file uses a part of it.
#![allow(dead_code)]

use aurora_web::app::{App, AppProps};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

pub fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh element in the page's body to render into.
pub fn mount_point() -> Element {
    let document = document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

pub fn elements(root: &Element, selector: &str) -> Vec<Element> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}

pub fn labels(root: &Element, selector: &str) -> Vec<String> {
    elements(root, selector)
        .iter()
        .map(|e| e.get_attribute("aria-label").unwrap_or_default())
        .collect()
}

pub fn text(root: &Element, selector: &str) -> String {
    elements(root, selector)
        .iter()
        .map(|e| e.text_content().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Renders the app as if the page's address had `query`, and waits for the frames that bring
/// in its side panels, a group a frame.
pub async fn render_app(query: &str) -> Element {
    let root = mount_point();
    let props = AppProps {
        query: Some(query.to_string().into()),
    };
    yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    for _ in 0..aurora_web::state::PANEL_GROUPS {
        next_frame().await;
    }
    root
}

/// Waits for the browser's next animation frame and the render it asks for.
pub async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .request_animation_frame(&resolve)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
    yew::scheduler::flush().await;
}

/// The button whose text or accessible name is `name`.
pub fn button(root: &Element, name: &str) -> HtmlElement {
    elements(root, "button")
        .into_iter()
        .find(|b| {
            b.text_content().as_deref() == Some(name)
                || b.get_attribute("aria-label").as_deref() == Some(name)
        })
        .unwrap_or_else(|| panic!("a button named {name}"))
        .dyn_into()
        .unwrap()
}
