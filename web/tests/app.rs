//! The app rendered into a real page in headless Chromium.
#![cfg(target_arch = "wasm32")]

use aurora_core::{AZ_COUNT, COPIES_PER_AZ};
use aurora_web::{app::App, panic_panel};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Document, Element};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh element in the page's body to render into.
fn mount_point() -> Element {
    let document = document();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

fn labels(root: &Element, selector: &str) -> Vec<String> {
    let nodes = root.query_selector_all(selector).unwrap();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .filter_map(|node| wasm_bindgen::JsCast::dyn_into::<Element>(node).ok())
        .map(|element| element.get_attribute("aria-label").unwrap_or_default())
        .collect()
}

async fn render_app() -> Element {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

#[wasm_bindgen_test]
async fn shows_the_product_name() {
    let root = render_app().await;
    let heading = root.query_selector("h1").unwrap().unwrap();
    assert_eq!(heading.text_content().as_deref(), Some("Aurora Playground"));
}

#[wasm_bindgen_test]
async fn draws_one_group_per_availability_zone() {
    let root = render_app().await;
    let zones = labels(&root, "[role=group]");
    assert_eq!(AZ_COUNT, 3);
    assert_eq!(
        zones,
        [
            "Availability Zone a",
            "Availability Zone b",
            "Availability Zone c"
        ]
    );
}

#[wasm_bindgen_test]
async fn each_zone_holds_its_segment_slots() {
    let root = render_app().await;
    let zones = root.query_selector_all("[role=group]").unwrap();
    assert_eq!(zones.length() as usize, AZ_COUNT);
    for i in 0..zones.length() {
        let zone: Element = wasm_bindgen::JsCast::dyn_into(zones.item(i).unwrap()).unwrap();
        let letter = char::from(b'a' + i as u8);
        let slots = labels(&zone, "[role=img]");
        let expected: Vec<String> = (1..=COPIES_PER_AZ)
            .map(|copy| format!("Segment slot {copy} in Availability Zone {letter}"))
            .collect();
        assert_eq!(slots, expected);
    }
    let caption = root.query_selector("figcaption").unwrap().unwrap();
    let caption = caption.text_content().unwrap_or_default();
    assert!(caption.contains("6 copies"), "caption: {caption}");
}

#[wasm_bindgen_test]
fn error_panel_replaces_itself_and_keeps_text_as_text() {
    panic_panel::show("first failure");
    panic_panel::show("<b>second</b> failure");
    let document = document();
    let panels = document
        .query_selector_all(&format!("#{}", panic_panel::PANEL_ID))
        .unwrap();
    assert_eq!(panels.length(), 1);
    let panel = document.get_element_by_id(panic_panel::PANEL_ID).unwrap();
    assert_eq!(panel.get_attribute("role").as_deref(), Some("alert"));
    let details = panel.query_selector("pre").unwrap().unwrap();
    assert_eq!(
        details.text_content().as_deref(),
        Some("<b>second</b> failure")
    );
    assert!(details.query_selector("b").unwrap().is_none());
    panel.remove();
}
