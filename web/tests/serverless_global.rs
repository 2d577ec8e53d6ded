//! Serverless capacity and the Global Database on the page, in headless Chromium: the gauge shows
//! the core's ACU, capacity is chosen per instance, the world view opens any region's diagram,
//! and its buttons fail regions and move the primary.
#![cfg(target_arch = "wasm32")]

use aurora_core::scenario;
use aurora_core::SimTime;
use aurora_web::format::half_acu;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A button, or an SVG group acting as one, whose accessible name starts with `prefix`.
fn button_starting(root: &Element, prefix: &str) -> Element {
    elements(root, "button, [role=button]")
        .into_iter()
        .find(|b| {
            b.get_attribute("aria-label")
                .is_some_and(|l| l.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("a button named {prefix}…"))
}

async fn click(el: &Element) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    let event = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    el.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
}

#[wasm_bindgen_test]
async fn the_gauge_shows_the_cores_acu() {
    let at = SimTime::from_micros(75_000_000);
    let root = render_app("?scenario=serverless-v2-spike&t=75000000").await;
    let mut sim = scenario::find("serverless-v2-spike").unwrap().start(1);
    sim.run_until(at);
    let writer = sim.view().writer.node;
    let view = sim.view();
    let core = view.instances.iter().find(|i| i.node == writer).unwrap();
    assert!(core.acu_half > 4, "the spike grew it: {}", core.acu_half);

    let meters = elements(&root, "[role=meter]");
    assert_eq!(meters.len(), 1, "one serverless instance, one gauge");
    let meter = &meters[0];
    assert_eq!(
        meter.get_attribute("aria-valuenow"),
        Some(half_acu(core.acu_half))
    );
    assert_eq!(meter.get_attribute("aria-valuemin").as_deref(), Some("0.5"));
    assert_eq!(meter.get_attribute("aria-valuemax").as_deref(), Some("64"));
    let gauge = text(&root, ".gauge-value");
    assert_eq!(gauge, format!("{} ACU", half_acu(core.acu_half)));
    // The writer's card says the same.
    assert!(text(&root, ".card-acu").contains(&gauge), "{gauge}");
    // The chart has a text equivalent and a table of the core's capacity changes.
    let chart = labels(&root, ".acu-chart svg").join("");
    assert!(
        chart.starts_with("Capacity in ACUs over the last"),
        "{chart}"
    );
    let cells: Vec<String> = elements(&root, ".acu-cell")
        .iter()
        .map(|c| c.text_content().unwrap_or_default())
        .collect();
    assert!(cells.len() > 5, "{cells:?}");
    assert_eq!(cells.last(), Some(&half_acu(core.acu_half)));
    // The cost is the core's meter.
    let cost = text(&root, ".cost-value");
    assert!(cost.starts_with('$') && cost != "$0.0000", "{cost}");
    assert!(text(&root, ".capacity").contains("example price"));
    root.remove();
}

#[wasm_bindgen_test]
async fn choosing_serverless_for_an_instance_issues_the_command() {
    let root = render_app("?scenario=replicas&autoplay=0").await;
    assert!(
        elements(&root, "[role=meter]").is_empty(),
        "all provisioned"
    );
    let writer = root
        .query_selector(".instance.writer > [role=button]")
        .unwrap()
        .unwrap();
    click(&writer).await;
    let form = root.query_selector(".capacity-form").unwrap().unwrap();
    let select: HtmlSelectElement = form
        .query_selector("select")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    select.set_value("v2");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let change = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
    select.dispatch_event(&change).unwrap();
    yew::scheduler::flush().await;

    let inputs: Vec<HtmlInputElement> = elements(&root, ".capacity-form input[type=text]")
        .into_iter()
        .map(|e| e.dyn_into().unwrap())
        .collect();
    assert_eq!(inputs.len(), 2, "min and max");
    // A maximum below the minimum: the core refuses it and says why.
    inputs[0].set_value("8");
    inputs[1].set_value("2");
    button(&root, "Apply to instance-1").click();
    yew::scheduler::flush().await;
    let notices = text(&root, ".notices");
    assert!(notices.contains("min ≤ max"), "{notices}");
    assert!(elements(&root, "[role=meter]").is_empty());

    inputs[0].set_value("0.5");
    inputs[1].set_value("8");
    button(&root, "Apply to instance-1").click();
    yew::scheduler::flush().await;
    let meters = elements(&root, "[role=meter]");
    assert_eq!(meters.len(), 1);
    assert_eq!(
        meters[0].get_attribute("aria-label").as_deref(),
        Some("Capacity of instance-1")
    );
    assert_eq!(
        meters[0].get_attribute("aria-valuemax").as_deref(),
        Some("8")
    );
    assert!(text(&root, ".log-lines").contains("you made instance-1 Serverless v2, 0.5–8 ACU"));
    assert!(text(&root, ".inspector").contains("Serverless v2, 0.5–8 ACU"));
    root.remove();
}

#[wasm_bindgen_test]
async fn the_world_view_lists_regions_and_opens_any_regions_diagram() {
    let root = render_app("?scenario=global-lag&t=2000000").await;
    let regions = labels(&root, ".region-open");
    assert_eq!(regions.len(), 3, "{regions:?}");
    assert!(
        regions[0].starts_with("Region us-east-1, primary"),
        "{regions:?}"
    );
    assert!(
        regions[1].starts_with("Region eu-west-1, secondary: lag "),
        "{regions:?}"
    );
    assert!(text(&root, ".region-title").starts_with("Region us-east-1"));

    click(&button_starting(&root, "Region eu-west-1,")).await;
    let title = text(&root, ".region-title");
    assert!(
        title.starts_with("Region eu-west-1 · secondary · durable to LSN"),
        "{title}"
    );
    let zones: Vec<String> = labels(&root, "svg [role=group]")
        .into_iter()
        .filter(|l| l.starts_with("Availability Zone"))
        .collect();
    assert_eq!(zones.len(), 3);
    let copies = labels(&root, ".storage-head");
    assert_eq!(copies.len(), 6, "its own six copies: {copies:?}");
    assert!(
        copies.iter().all(|l| l.contains("eu-west-1/az-")),
        "{copies:?}"
    );
    assert!(labels(&root, ".instance.remote > [role=button]")[0].contains("read replica"));
    assert!(
        elements(&root, ".pg").is_empty(),
        "the primary's PGs are not drawn here"
    );
    // The primary is a card there, and opens again from it.
    click(&button_starting(&root, "Open region us-east-1")).await;
    assert!(text(&root, ".region-title").starts_with("Region us-east-1"));
    assert!(!elements(&root, ".pg").is_empty());
    root.remove();
}

#[wasm_bindgen_test]
async fn region_buttons_fail_heal_and_switch_over() {
    let root = render_app("?scenario=global-lag&t=2000000").await;
    button(&root, "Fail region ap-southeast-2").click();
    yew::scheduler::flush().await;
    let regions = labels(&root, ".region-open");
    assert!(
        regions[2].starts_with("Region ap-southeast-2, failed"),
        "{regions:?}"
    );
    assert!(text(&root, ".log-lines").contains("you failed region ap-southeast-2"));
    button(&root, "Heal region ap-southeast-2").click();
    yew::scheduler::flush().await;
    assert!(labels(&root, ".region-open")[2].starts_with("Region ap-southeast-2, secondary"));

    button(&root, "Switch over to eu-west-1").click();
    yew::scheduler::flush().await;
    let status = text(&root, ".world-status");
    assert!(status.starts_with("Switchover to eu-west-1"), "{status}");
    // A second change while one is under way is refused by the core, in words.
    button(&root, "Fail over to ap-southeast-2").click();
    yew::scheduler::flush().await;
    assert!(text(&root, ".notices").contains("already under way"));

    // Failing the primary region says writes stop until a secondary is promoted.
    let root2 = render_app("?scenario=global-failover&t=15000000").await;
    let regions = labels(&root2, ".region-open");
    assert!(
        regions[0].starts_with("Region us-east-1, primary, down"),
        "{regions:?}"
    );
    assert!(text(&root2, ".world-status").contains("fail over to a secondary"));
    root.remove();
    root2.remove();
}

#[wasm_bindgen_test]
async fn after_a_global_failover_the_rpo_is_shown_and_the_diagram_follows_the_writer() {
    let root = render_app("?scenario=global-failover&t=60000000").await;
    let rpo = text(&root, ".rpo");
    assert!(
        rpo.starts_with("Failover us-east-1 → eu-west-1: RPO "),
        "{rpo}"
    );
    assert!(rpo.contains("RTO "), "{rpo}");
    let regions = labels(&root, ".region-open");
    assert!(
        regions[1].starts_with("Region eu-west-1, primary"),
        "{regions:?}"
    );
    assert!(text(&root, ".region-title").starts_with("Region eu-west-1 · primary"));
    assert_eq!(labels(&root, ".instance.writer > [role=button]").len(), 1);
    root.remove();
}
