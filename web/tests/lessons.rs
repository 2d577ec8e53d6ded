//! The lesson panel and picker in headless Chromium: found by accessible name, driven by clicks.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use aurora_web::components::lesson_panel::{LessonPanel, LessonPanelProps};
use aurora_web::lesson::{LessonAction, PredictionCard, Progress, StepCard, Turn};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;
use yew::Callback;

mod common;
use common::*;

wasm_bindgen_test_configure!(run_in_browser);

fn card(progress: Progress, prediction: Option<PredictionCard>) -> StepCard {
    StepCard {
        lesson: "losing-an-az".into(),
        lesson_title: "Losing an AZ".into(),
        index: 2,
        count: 9,
        title: "Your turn: fail AZ c".into(),
        narration: "Fail AZ c: 4 copies are left.".into(),
        sources: vec!["P17 §2.1".into()],
        highlights: vec!["Availability Zone c".into(), "the fault controls".into()],
        your_turn: Some(("fail AZ c".into(), Turn::Now)),
        progress,
        prediction,
        challenge: None,
        next_lesson: None,
        trying: false,
    }
}

fn question(chosen: Option<usize>, right: Option<usize>) -> PredictionCard {
    PredictionCard {
        question: "AZ c fails. Do writes go on?".into(),
        answers: vec!["Yes".into(), "No".into()],
        chosen,
        right,
        explanation: right.map(|_| "Four copies are a write quorum.".into()),
    }
}

/// Renders the panel; returns its root and the actions it sent.
async fn panel(card: StepCard) -> (Element, Rc<RefCell<Vec<LessonAction>>>) {
    let root = mount_point();
    let sent = Rc::new(RefCell::new(Vec::new()));
    let log = Rc::clone(&sent);
    let props = LessonPanelProps {
        card: Rc::new(card),
        dispatch: Callback::from(move |a| log.borrow_mut().push(a)),
        on_share: Callback::from(|_| ()),
        compact: false,
        ring: Vec::new(),
        panels_drawn: true,
        paused: false,
        link: None,
    };
    yew::Renderer::<LessonPanel>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    (root, sent)
}

fn disabled(root: &Element, name: &str) -> bool {
    button(root, name).has_attribute("disabled")
}

#[wasm_bindgen_test]
async fn the_panel_says_where_the_lesson_is_and_what_is_highlighted() {
    let (root, _) = panel(card(Progress::YourTurn, None)).await;
    assert_eq!(text(&root, ".lesson-position"), "Step 3 of 9");
    assert_eq!(text(&root, "h2"), "Losing an AZ");
    // The narration reaches a screen reader through the live region, with the highlights.
    let live = elements(&root, "[aria-live=polite]");
    assert_eq!(live.len(), 1);
    let said = live[0].text_content().unwrap_or_default();
    assert!(
        said.starts_with("Step 3 of 9: Your turn: fail AZ c. Fail AZ c"),
        "{said}"
    );
    assert!(
        said.contains("Highlighted: Availability Zone c, the fault controls."),
        "{said}"
    );
    assert!(text(&root, ".narration .visually-hidden")
        .contains("Highlighted on the diagram: Availability Zone c"));
    assert!(text(&root, ".your-turn").contains("Your turn: fail AZ c"));
    assert_eq!(text(&root, ".lesson-source"), "Source: P17 §2.1");
    assert!(
        disabled(&root, "Next step"),
        "not before the step is reached"
    );
    assert!(!disabled(&root, "Previous step"));
    root.remove();
}

/// A turn that follows the step's question is announced as coming, never as done; once the
/// answer is in, the prediction says the turn is next.
#[wasm_bindgen_test]
async fn a_turn_after_a_question_waits_for_the_answer() {
    let mut c = card(Progress::Answer, Some(question(None, None)));
    c.your_turn = Some(("fail AZ c".into(), Turn::AfterAnswer));
    let (root, _) = panel(c.clone()).await;
    let turn = text(&root, ".your-turn");
    assert!(
        turn.starts_with("After you answer, your turn: fail AZ c"),
        "{turn}"
    );
    assert!(elements(&root, ".your-turn.done").is_empty());
    root.remove();
    c.your_turn = Some(("fail AZ c".into(), Turn::Now));
    c.prediction = Some(question(Some(0), None));
    c.progress = Progress::YourTurn;
    let (root, sent) = panel(c).await;
    assert!(text(&root, ".prediction-status").contains("Now your turn"));
    assert!(text(&root, ".your-turn").starts_with("Your turn: fail AZ c."));
    button(&root, "Do it for me: fail AZ c").click();
    yew::scheduler::flush().await;
    assert_eq!(*sent.borrow(), [LessonAction::DoItForMe]);
    root.remove();
}

#[wasm_bindgen_test]
async fn buttons_send_the_lessons_actions() {
    let (root, sent) = panel(card(Progress::Reached, None)).await;
    assert!(!disabled(&root, "Next step"));
    for name in [
        "Next step",
        "Previous step",
        "Try it yourself",
        "All lessons",
        "Leave the lesson",
    ] {
        button(&root, name).click();
    }
    yew::scheduler::flush().await;
    assert_eq!(
        *sent.borrow(),
        [
            LessonAction::Next,
            LessonAction::Back,
            LessonAction::TryIt,
            LessonAction::OpenPicker,
            LessonAction::Leave
        ]
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn the_prediction_card_takes_one_answer_and_shows_the_models() {
    let (root, sent) = panel(card(Progress::Answer, Some(question(None, None)))).await;
    assert_eq!(
        text(&root, ".prediction-question"),
        "AZ c fails. Do writes go on?"
    );
    button(&root, "No").click();
    yew::scheduler::flush().await;
    assert_eq!(*sent.borrow(), [LessonAction::Answer(1)]);
    root.remove();

    // Answered, the turn done, not yet decided: the answers are closed and the card says it
    // waits.
    let mut watching = card(
        Progress::Watching("…".into()),
        Some(question(Some(1), None)),
    );
    watching.your_turn = Some(("fail AZ c".into(), Turn::Done));
    let (root, _) = panel(watching).await;
    assert!(disabled(&root, "No") && disabled(&root, "Yes"));
    assert!(text(&root, ".prediction-status").contains("the model is deciding"));
    assert!(
        elements(&root, ".explanation").is_empty(),
        "no explanation before the model decides"
    );
    root.remove();

    // Decided against the answer: the verdict, the model's answer marked, the explanation.
    let (root, _) = panel(card(Progress::Reached, Some(question(Some(1), Some(0))))).await;
    assert_eq!(
        text(&root, ".prediction-status"),
        "Not this time. What the model did: Yes"
    );
    assert_eq!(
        text(&root, ".answer.model .answer-mark"),
        " ✓ what the model did"
    );
    assert_eq!(
        text(&root, ".explanation"),
        "Four copies are a write quorum."
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn free_play_offers_the_way_back() {
    let mut c = card(Progress::Reached, None);
    c.trying = true;
    let (root, sent) = panel(c).await;
    assert!(text(&root, ".lesson-trying").contains("Free play"));
    assert!(elements(&root, "button")
        .iter()
        .all(|b| b.text_content().as_deref() != Some("Next ›")));
    button(&root, "Back to the lesson").click();
    yew::scheduler::flush().await;
    assert_eq!(*sent.borrow(), [LessonAction::Resume]);
    root.remove();
}

#[wasm_bindgen_test]
async fn the_app_opens_a_lesson_from_its_link_and_rings_the_diagram() {
    let root = render_app("?lesson=losing-an-az&step=2").await;
    // The panels follow on the render after the first.
    yew::scheduler::flush().await;
    let panel = elements(&root, "section.lesson-panel");
    assert_eq!(panel.len(), 1);
    assert!(text(&root, ".lesson-position").starts_with("Step 2 of "));
    assert!(text(&root, ".prediction-question").contains("Do writes go on?"));
    assert_eq!(elements(&root, ".spotlight-ring").len(), 1, "AZ c is rung");
    assert_eq!(elements(&root, ".spotlight[aria-hidden=true]").len(), 1);
    // The panel the step points at carries the ring's mark.
    assert_eq!(
        elements(&root, ".panel.faults")
            .first()
            .and_then(|e| e.get_attribute("data-lesson-ring"))
            .as_deref(),
        Some("faults")
    );
    // Answering through the page: the card closes its answers.
    button(&root, "No: writes stop until AZ c returns").click();
    yew::scheduler::flush().await;
    assert!(disabled(&root, "No: writes stop until AZ c returns"));
    root.remove();
}

#[wasm_bindgen_test]
async fn the_picker_lists_every_lesson_from_the_masthead() {
    let root = render_app("?autoplay=0").await;
    button(&root, "Lessons").click();
    yew::scheduler::flush().await;
    let entries = labels(&root, ".lesson-entry");
    assert_eq!(entries.len(), aurora_core::lesson::BUILTIN.len());
    assert!(
        entries
            .iter()
            .any(|e| e.starts_with("Losing an AZ, then one more node: ")),
        "{entries:?}"
    );
    assert!(
        entries
            .iter()
            .all(|e| e.contains(" min, ") && e.contains(" steps")),
        "{entries:?}"
    );
    button(&root, "Clear my progress").click();
    yew::scheduler::flush().await;
    button(&root, "Close the lessons").click();
    yew::scheduler::flush().await;
    assert!(elements(&root, ".lesson-picker").is_empty());
    root.remove();
}

#[wasm_bindgen_test]
async fn a_paused_watch_says_how_to_go_on_and_a_copied_link_is_offered() {
    let root = mount_point();
    let props = LessonPanelProps {
        card: Rc::new(card(Progress::Watching("the model runs on".into()), None)),
        dispatch: Callback::from(|_| ()),
        on_share: Callback::from(|_| ()),
        compact: true,
        ring: Vec::new(),
        panels_drawn: true,
        paused: true,
        link: Some("https://example.edu/aurora/?lesson=losing-an-az&step=3".into()),
    };
    yew::Renderer::<LessonPanel>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    assert!(text(&root, ".lesson-status").starts_with("Paused: press Play"));
    let link = elements(&root, "input[aria-label='Link to this step']");
    assert_eq!(link.len(), 1);
    let value = link[0]
        .clone()
        .dyn_into::<web_sys::HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default();
    assert!(value.ends_with("?lesson=losing-an-az&step=3"), "{value}");
    // An embed's panel has no way out of the lesson or to the picker.
    assert!(elements(&root, "button")
        .iter()
        .all(|b| b.text_content().as_deref() != Some("All lessons")));
    root.remove();
}
