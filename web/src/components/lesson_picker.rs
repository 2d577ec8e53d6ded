//! The lesson picker: every lesson with its summary, length and whether it is done, a control
//! that forgets progress, and the errors of a lesson file that could not be read.

use yew::prelude::*;

use crate::lesson::{Entry, LessonAction};

#[derive(Properties, PartialEq, Clone)]
pub struct LessonPickerProps {
    pub lessons: Vec<Entry>,
    pub dispatch: Callback<LessonAction>,
    /// Whether the browser keeps progress (storage may be refused in an embedded frame).
    pub stored: bool,
}

#[component(LessonPicker)]
pub fn lesson_picker(p: &LessonPickerProps) -> Html {
    let close_ref = use_node_ref();
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(button) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    let send = |a: LessonAction| {
        let d = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(a.clone()))
    };
    let done = p.lessons.iter().filter(|l| l.done).count();
    html! {
        <div class="overlay">
            <div class="lesson-picker" role="dialog" aria-modal="true" aria-labelledby="picker-title">
                <div class="panel-head">
                    <h2 id="picker-title">{ "Lessons" }</h2>
                    <button class="close" ref={close_ref} onclick={send(LessonAction::ClosePicker)}
                        aria-label="Close the lessons">{ "✕" }</button>
                </div>
                <p class="hint">
                    { "Each lesson runs on the live model: it narrates, asks you to predict, and lets you try it yourself." }
                </p>
                <ol class="lesson-list">
                    { for p.lessons.iter().map(|l| {
                        let label = format!(
                            "{}: {} ({} min, {} steps{})",
                            l.title, l.summary, l.minutes, l.steps,
                            if l.done { ", done" } else { "" }
                        );
                        html! {
                            <li key={l.name.clone()} class={classes!(l.done.then_some("done"))}>
                                <button class="lesson-entry" aria-label={label}
                                    onclick={send(LessonAction::Start(l.name.clone(), 0))}>
                                    <span class="lesson-entry-title">{ l.title.clone() }</span>
                                    <span class="lesson-entry-summary">{ l.summary.clone() }</span>
                                    <span class="lesson-entry-meta">
                                        { format!("{} min · {} steps", l.minutes, l.steps) }
                                        if l.done {
                                            <span class="lesson-done">{ " · ✓ done" }</span>
                                        }
                                    </span>
                                </button>
                            </li>
                        }
                    }) }
                </ol>
                <div class="picker-foot">
                    <span class="hint">
                        { if p.stored {
                            format!("{done} of {} done, kept in this browser.", p.lessons.len())
                        } else {
                            format!("{done} of {} done. This page may not keep progress here, so it lasts until you leave.", p.lessons.len())
                        } }
                    </span>
                    <button onclick={send(LessonAction::ClearProgress)}>
                        { "Clear my progress" }
                    </button>
                </div>
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct LessonErrorsProps {
    /// The file's path as the link gave it.
    pub path: AttrValue,
    /// Each error in words, with its line and column first.
    pub errors: Vec<String>,
}

/// What went wrong reading a lesson file: every error, each with its line and column.
#[component(LessonErrors)]
pub fn lesson_errors(p: &LessonErrorsProps) -> Html {
    html! {
        <section class="panel lesson-errors" role="alert" aria-labelledby="lesson-errors-title">
            <h2 id="lesson-errors-title">
                { format!("The lesson file {} could not be used", p.path) }
            </h2>
            <p>{ format!("{} problem{} found:", p.errors.len(), if p.errors.len() == 1 { "" } else { "s" }) }</p>
            <ul class="lesson-error-list">
                { for p.errors.iter().map(|e| html! { <li><code>{ e.clone() }</code></li> }) }
            </ul>
        </section>
    }
}
