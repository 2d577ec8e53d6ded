//! The lesson panel: the step's text with its live figures, "Step 3 of 9", back and next, the
//! prediction card, "Your turn", "Try it yourself" and the link to this step. A pure component
//! of a [`StepCard`]; the narration is in a live region, so a screen reader hears each step.

use std::rc::Rc;

use yew::prelude::*;

use crate::lesson::{LessonAction, PredictionCard, Progress, StepCard, Turn};

#[derive(Properties, PartialEq, Clone)]
pub struct LessonPanelProps {
    pub card: Rc<StepCard>,
    pub dispatch: Callback<LessonAction>,
    /// Copies the link to this step.
    pub on_share: Callback<()>,
    /// A compact panel (an embed): no picker, no leaving.
    #[prop_or_default]
    pub compact: bool,
    /// Panels of the page the step points at: (selector, name), rung while the step shows.
    #[prop_or_default]
    pub ring: Vec<(AttrValue, AttrValue)>,
    /// The page's side panels are drawn (they come after the first render): the rings are
    /// checked again when they are.
    #[prop_or_default]
    pub panels_drawn: bool,
    /// The clock is stopped (the status then says how to go on).
    #[prop_or_default]
    pub paused: bool,
    /// The last link made by "Copy link", shown to copy by hand where the clipboard is refused.
    #[prop_or_default]
    pub link: Option<AttrValue>,
}

/// The attribute the stylesheet draws as a ring around a panel.
pub const RING_ATTR: &str = "data-lesson-ring";

/// Rings exactly the panels in `ring` (and unrings the rest).
fn ring_panels(ring: &[(AttrValue, AttrValue)]) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // Unring what is rung now: a handful at most.
    for _ in 0..16 {
        match document.query_selector(&format!("[{RING_ATTR}]")) {
            Ok(Some(el)) => {
                let _ = el.remove_attribute(RING_ATTR);
            }
            _ => break,
        }
    }
    for (selector, name) in ring {
        if let Ok(Some(el)) = document.query_selector(selector) {
            let _ = el.set_attribute(RING_ATTR, name);
        }
    }
}

/// The prediction's card; `turn_next` while the student's turn comes between the answer and
/// what the model shows.
fn prediction(p: &PredictionCard, turn_next: bool, dispatch: &Callback<LessonAction>) -> Html {
    let answered = p.chosen.is_some();
    let verdict = p.verdict();
    let status = match (p.chosen, p.right) {
        (None, _) => "Choose an answer; then the model shows what happens.".to_string(),
        (Some(_), None) if turn_next => {
            "Answer taken. Now your turn, below; then the model shows what happens.".to_string()
        }
        (Some(_), None) => "Answer taken. Watch the diagram: the model is deciding.".to_string(),
        (Some(_), Some(_)) => verdict.clone().unwrap_or_default(),
    };
    let right_class = match (p.chosen, p.right) {
        (Some(c), Some(r)) if c == r => "right",
        (Some(_), Some(_)) => "wrong",
        _ => "open",
    };
    html! {
        <div class={classes!("prediction", right_class)} role="group" aria-labelledby="prediction-question">
            <p class="prediction-kicker">{ "Predict" }</p>
            <p id="prediction-question" class="prediction-question">{ p.question.clone() }</p>
            <div class="answers">
                { for p.answers.iter().enumerate().map(|(i, text)| {
                    let d = dispatch.clone();
                    let onclick = Callback::from(move |_: MouseEvent| d.emit(LessonAction::Answer(i)));
                    let class = classes!(
                        "answer",
                        (p.chosen == Some(i)).then_some("chosen"),
                        (p.right == Some(i)).then_some("model"),
                    );
                    html! {
                        <button {class} {onclick} disabled={answered}
                            aria-pressed={(p.chosen == Some(i)).to_string()}>
                            { text.clone() }
                            if p.right == Some(i) {
                                <span class="answer-mark">{ " ✓ what the model did" }</span>
                            }
                        </button>
                    }
                }) }
            </div>
            <p class="prediction-status">{ status }</p>
            if let Some(explain) = &p.explanation {
                <p class="explanation">{ explain.clone() }</p>
            }
        </div>
    }
}

/// Whether exactly the panels in `ring` that are on the page carry the mark.
fn rung(ring: &[(AttrValue, AttrValue)]) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return true;
    };
    let marked = |sel: &str| {
        document
            .query_selector(sel)
            .ok()
            .flatten()
            .map(|el| el.has_attribute(RING_ATTR))
    };
    let ours = ring.iter().all(|(sel, _)| marked(sel) != Some(false));
    let marks = document
        .query_selector_all(&format!("[{RING_ATTR}]"))
        .map_or(0, |l| l.length() as usize);
    ours && marks <= ring.len()
}

#[component(LessonPanel)]
pub fn lesson_panel(p: &LessonPanelProps) -> Html {
    let c = &p.card;
    // The panels are drawn by the page around this one: ring them after each render that
    // changes which, and unring them when the lesson closes.
    // The page may draw a panel after this one (the side panels come on the second render) or
    // draw it anew, so each render checks the rings are where they belong (a query or two).
    {
        let ring = p.ring.clone();
        use_effect(move || {
            if !rung(&ring) {
                ring_panels(&ring);
            }
        });
    }
    use_effect_with((), |_| || ring_panels(&[]));
    // A screen reader hears a step once when it opens and once when it is reached, not every
    // time a live figure in it moves.
    let reached = c.progress == Progress::Reached;
    let announcement = {
        let c = Rc::clone(c);
        use_memo((c.lesson.clone(), c.index, reached, c.trying), move |_| {
            if c.trying {
                "Free play: the lesson waits at this step.".to_string()
            } else if reached {
                format!("{} Reached.", c.announcement())
            } else {
                c.announcement()
            }
        })
    };
    let send = |a: LessonAction| {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(a.clone()))
    };
    let status = match &c.progress {
        Progress::Answer => "Answer the question to go on.".to_string(),
        Progress::YourTurn => {
            "The lesson waits for you: use the page's controls or keys.".to_string()
        }
        Progress::Watching(left) if p.paused => {
            format!("Paused: press Play to let the model run; {left}.")
        }
        Progress::Watching(left) => format!("Watching the model: {left}…"),
        Progress::Reached if c.is_last() => "The lesson is complete.".to_string(),
        Progress::Reached => "Ready: go on when you are.".to_string(),
        Progress::Stuck(why) => why.clone(),
    };
    let share = p.on_share.reform(|_: MouseEvent| ());
    html! {
        <section class={classes!("panel", "lesson-panel", c.trying.then_some("trying"))}
            aria-labelledby="lesson-title">
            <div class="panel-head">
                <h2 id="lesson-title">{ c.lesson_title.clone() }</h2>
                <span class="lesson-position">{ c.position() }</span>
            </div>
            <div class="visually-hidden lesson-live" aria-live="polite" aria-atomic="true">
                { (*announcement).clone() }
            </div>
            <progress class="lesson-bar" max={c.count.to_string()} value={(c.index + 1).to_string()}
                aria-label={c.position()}></progress>
            if c.trying {
                <p class="lesson-trying" role="status">
                    { "Free play: the lesson waits at this step. Change anything; come back when you like." }
                </p>
                <div class="lesson-nav">
                    <button class="primary" onclick={send(LessonAction::Resume)}>{ "Back to the lesson" }</button>
                </div>
            } else {
                <h3 class="step-title">{ c.title.clone() }</h3>
                <div class="narration">
                    <p>{ c.narration.clone() }</p>
                    if !c.highlights.is_empty() {
                        <p class="visually-hidden">
                            { format!("Highlighted on the diagram: {}.", c.highlights.join(", ")) }
                        </p>
                    }
                </div>
                if !c.highlights.is_empty() {
                    <p class="lesson-look" aria-hidden="true">
                        { format!("Look at: {}", c.highlights.join(", ")) }
                    </p>
                }
                if !c.sources.is_empty() {
                    <p class="lesson-source">{ format!("Source: {}", c.sources.join("; ")) }</p>
                }
                if let Some(card) = &c.prediction {
                    { prediction(card, matches!(c.your_turn, Some((_, Turn::Now))), &p.dispatch) }
                }
                if let Some((what, turn)) = &c.your_turn {
                    <p class={classes!("your-turn", (*turn == Turn::Done).then_some("done"))}>
                        { turn.sentence(what) }
                        if *turn == Turn::Now {
                            { " " }
                            <button class="lesson-link do-it" onclick={send(LessonAction::DoItForMe)}
                                aria-label={format!("Do it for me: {what}")}>{ "Do it for me" }</button>
                        }
                    </p>
                }
                <p class={classes!("lesson-status", matches!(c.progress, Progress::Stuck(_)).then_some("bad"))}
                    role="status">{ status }</p>
                if let Some(challenge) = &c.challenge {
                    <p class="lesson-challenge"><strong>{ "Challenge: " }</strong>{ challenge.clone() }</p>
                }
                <div class="lesson-nav">
                    <button onclick={send(LessonAction::Back)} disabled={!c.can_back()}
                        aria-label="Previous step">{ "‹ Back" }</button>
                    if c.is_last() {
                        if let Some((name, title)) = &c.next_lesson {
                            <button class="primary" onclick={send(LessonAction::Start(name.clone(), 0))}
                                disabled={c.progress != Progress::Reached}>
                                { format!("Next lesson: {title}") }
                            </button>
                        }
                    } else {
                        <button class="primary" onclick={send(LessonAction::Next)} disabled={!c.can_next()}
                            aria-label="Next step">{ "Next ›" }</button>
                    }
                    <button onclick={send(LessonAction::TryIt)}>{ "Try it yourself" }</button>
                    <button onclick={share} aria-label="Copy a link to this step">{ "Copy link" }</button>
                </div>
                if let Some(link) = &p.link {
                    <input class="link lesson-link-text" type="text" readonly=true value={link.clone()}
                        aria-label="Link to this step" />
                }
            }
            if !p.compact {
                <div class="lesson-more">
                    <button class="lesson-link" onclick={send(LessonAction::OpenPicker)}>{ "All lessons" }</button>
                    <button class="lesson-link" onclick={send(LessonAction::Leave)}>{ "Leave the lesson" }</button>
                </div>
            }
        </section>
    }
}
