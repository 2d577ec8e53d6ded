//! The app rendered into a real page in headless Chromium.
#![cfg(target_arch = "wasm32")]

use aurora_core::{AZ_COUNT, COPIES_PER_AZ};
use aurora_web::panic_panel;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn shows_the_product_name() {
    let root = render_app("?autoplay=0").await;
    let heading = root.query_selector("h1").unwrap().unwrap();
    assert_eq!(heading.text_content().as_deref(), Some("Aurora Playground"));
    root.remove();
}

#[wasm_bindgen_test]
async fn the_diagram_draws_three_availability_zones() {
    let root = render_app("?autoplay=0").await;
    let zones: Vec<String> = labels(&root, "svg [role=group]")
        .into_iter()
        .filter(|l| l.starts_with("Availability Zone"))
        .collect();
    assert_eq!(AZ_COUNT, 3);
    assert_eq!(
        zones,
        [
            "Availability Zone a",
            "Availability Zone b",
            "Availability Zone c"
        ]
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn every_protection_group_has_six_segments_two_per_zone() {
    // storage-growth starts with one PG; replicas with four.
    let root = render_app("?scenario=replicas&autoplay=0").await;
    let segments = labels(&root, ".segment");
    let pgs = labels(&root, ".pg > [role=button]");
    assert_eq!(pgs.len(), 4, "{pgs:?}");
    for pg in 0..pgs.len() {
        let of_pg: Vec<&String> = segments
            .iter()
            .filter(|l| l.contains(&format!(" of PG {pg} (copy")))
            .collect();
        assert_eq!(of_pg.len(), 6, "PG {pg}: {of_pg:?}");
        for az in ['a', 'b', 'c'] {
            let here = of_pg
                .iter()
                .filter(|l| l.contains(&format!(" on az-{az}-")))
                .count();
            assert_eq!(here, COPIES_PER_AZ, "PG {pg} in AZ {az}");
        }
    }
    root.remove();
}

#[wasm_bindgen_test]
async fn the_writer_badge_moves_after_a_failover() {
    // The failover scenario crashes the writer at 5 s; the new writer takes over by 17 s.
    let before = render_app("?scenario=failover&t=1000000").await;
    let writers = labels(&before, ".instance.writer > [role=button]");
    assert_eq!(writers.len(), 1, "{writers:?}");
    assert!(
        writers[0].starts_with("DB instance instance-1, writer"),
        "{writers:?}"
    );
    before.remove();

    let after = render_app("?scenario=failover&t=20000000").await;
    let writers = labels(&after, ".instance.writer > [role=button]");
    assert_eq!(writers.len(), 1, "{writers:?}");
    assert!(!writers[0].contains("instance-1,"), "{writers:?}");
    assert!(writers[0].contains(", writer"), "{writers:?}");
    let old = labels(&after, ".instance > [role=button]")
        .into_iter()
        .find(|l| l.starts_with("DB instance instance-1,"))
        .expect("the old writer is still drawn");
    assert!(old.ends_with("down"), "{old}");
    after.remove();
}

#[wasm_bindgen_test]
async fn failing_a_zone_by_its_button_marks_it_failed() {
    let root = render_app("?autoplay=0").await;
    button(&root, "Fail AZ c").click();
    yew::scheduler::flush().await;
    let heads = labels(&root, ".az-head");
    assert_eq!(heads[2], "Availability Zone c, failed");
    assert_eq!(heads[0], "Availability Zone a, healthy");
    let down = labels(&root, ".storage")
        .into_iter()
        .chain(labels(&root, ".storage-head"))
        .filter(|l| l.contains("az-c-") && l.ends_with("down"))
        .count();
    assert_eq!(down, 4, "the four storage nodes of AZ c are down");
    // The button now heals.
    button(&root, "Heal AZ c").click();
    yew::scheduler::flush().await;
    assert_eq!(labels(&root, ".az-head")[2], "Availability Zone c, healthy");
    root.remove();
}

#[wasm_bindgen_test]
async fn selecting_a_node_shows_its_state_and_its_faults() {
    let root = render_app("?autoplay=0").await;
    let writer = root
        .query_selector(".instance.writer > [role=button]")
        .unwrap()
        .unwrap();
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let click = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    writer.dispatch_event(&click).unwrap();
    yew::scheduler::flush().await;
    let inspector = root.query_selector(".inspector").unwrap().unwrap();
    let text = inspector.text_content().unwrap_or_default();
    for field in [
        "VCL",
        "VDL",
        "LSN limit (VDL + LAL)",
        "Buffer cache",
        "Volume epoch",
    ] {
        assert!(text.contains(field), "{field} in {text}");
    }
    assert!(text.contains("Crash instance-1"), "{text}");
    root.remove();
}

#[wasm_bindgen_test]
async fn a_bad_link_gives_notices_in_plain_text() {
    let root = render_app("?scenario=%3Cb%3Ebold%3C/b%3E&speed=fast").await;
    let notices = root.query_selector(".notices").unwrap().unwrap();
    let text = notices.text_content().unwrap_or_default();
    assert!(text.contains("\"<b>bold</b>\""), "{text}");
    assert!(text.contains("speed"), "{text}");
    assert!(notices.query_selector("b").unwrap().is_none());
    // The page fell back to the default scenario.
    assert_eq!(labels(&root, ".pg > [role=button]").len(), 4);
    root.remove();
}

#[wasm_bindgen_test]
async fn an_embed_shows_only_the_diagram_and_playback() {
    let root = render_app("?embed=1&scenario=az-failure").await;
    assert!(root.query_selector(".diagram").unwrap().is_some());
    assert!(root.query_selector(".playback").unwrap().is_some());
    assert!(root.query_selector(".inspector").unwrap().is_none());
    assert!(root.query_selector(".log").unwrap().is_none());
    let play = root.query_selector(".play").unwrap().unwrap();
    assert_eq!(play.get_attribute("aria-label").as_deref(), Some("Play"));
    root.remove();
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
