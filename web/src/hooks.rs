//! Hooks for the page's shared concerns: the animation-frame loop, keyboard shortcuts, and media
//! queries (reduced motion, narrow screens).

use std::cell::Cell;
use std::rc::Rc;

use gloo::events::{EventListener, EventListenerOptions};
use gloo::render::{request_animation_frame, AnimationFrame};
use wasm_bindgen::JsCast;
use web_sys::{KeyboardEvent, MediaQueryList};
use yew::prelude::*;

use crate::actions::Control;
use crate::state::{nudge, Action, AppState, Selection, Tick};

/// The pending frame; dropping it cancels the frame.
type Slot = Rc<Cell<Option<AnimationFrame>>>;

fn next_frame(slot: Slot, dispatch: UseReducerDispatcher<AppState>) {
    let again = Rc::clone(&slot);
    let handle = request_animation_frame(move |wall| {
        dispatch.dispatch(Action::Frame(Tick::browser(wall)));
        next_frame(again, dispatch);
    });
    slot.set(Some(handle));
}

/// Sends [`Action::Frame`] on every animation frame while the component lives.
#[hook]
pub fn use_animation_frames(dispatch: UseReducerDispatcher<AppState>) {
    use_effect_with((), move |_| {
        let slot: Slot = Rc::new(Cell::new(None));
        next_frame(Rc::clone(&slot), dispatch);
        move || {
            // Dropping the handle cancels the pending frame and ends the loop.
            slot.take();
        }
    });
}

/// The action a key stands for, if any. Keys typed into a form field are left alone, except
/// Escape.
pub fn key_action(key: &str, in_field: bool) -> Option<Action> {
    if in_field && key != "Escape" {
        return None;
    }
    Some(match key {
        " " | "k" | "K" => Action::TogglePlay,
        "n" | "N" | "." => Action::Step,
        "+" | "=" | "]" => Action::Faster,
        "-" | "_" | "[" => Action::Slower,
        "ArrowLeft" => Action::Nudge(-nudge()),
        "ArrowRight" => Action::Nudge(nudge()),
        "1" => Action::Select(Some(Selection::Az(0))),
        "2" => Action::Select(Some(Selection::Az(1))),
        "3" => Action::Select(Some(Selection::Az(2))),
        "x" | "X" => Action::ToggleSelection,
        "f" | "F" => Action::Act(Control::Failover),
        "r" | "R" => Action::Reset,
        "l" | "L" => Action::RequestShare,
        "?" | "h" | "H" => Action::ToggleHelp,
        "Escape" => Action::Escape,
        other => return crate::lesson::lesson_key(other).map(Action::Lesson),
    })
}

/// Keyboard shortcuts on the whole document.
#[hook]
pub fn use_keyboard(dispatch: UseReducerDispatcher<AppState>, enabled: bool) {
    use_effect_with(enabled, move |enabled| {
        let listener = enabled.then(|| {
            let options = EventListenerOptions::enable_prevent_default();
            EventListener::new_with_options(
                &gloo::utils::document(),
                "keydown",
                options,
                move |event| {
                    let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
                        return;
                    };
                    if event.ctrl_key() || event.meta_key() || event.alt_key() {
                        return;
                    }
                    let target = event
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
                    let tag = target.as_ref().map(|t| t.tag_name().to_ascii_lowercase());
                    let in_field = matches!(tag.as_deref(), Some("input" | "select" | "textarea"));
                    // Space and Enter on a button or a node belong to it.
                    let on_control = target.as_ref().is_some_and(|t| {
                        t.tag_name().eq_ignore_ascii_case("button")
                            || t.get_attribute("role").as_deref() == Some("button")
                    });
                    let key = event.key();
                    if on_control && (key == " " || key == "Enter") {
                        return;
                    }
                    // Arrow keys move a focused slider.
                    let slider_key = tag.as_deref() == Some("input") && key.starts_with("Arrow");
                    if (in_field || slider_key) && key != "Escape" {
                        return;
                    }
                    if let Some(action) = key_action(&key, in_field) {
                        event.prevent_default();
                        dispatch.dispatch(action);
                    }
                },
            )
        });
        move || drop(listener)
    });
}

/// Whether a media query matches, kept up to date.
#[hook]
pub fn use_media(query: &'static str) -> bool {
    let list: Option<MediaQueryList> = use_memo((), |_| {
        web_sys::window().and_then(|w| w.match_media(query).ok().flatten())
    })
    .as_ref()
    .clone();
    let matches = use_state(|| list.as_ref().is_some_and(|l| l.matches()));
    {
        let matches = matches.clone();
        use_effect_with((), move |_| {
            let listener = list.map(|l| {
                let target = l.clone();
                EventListener::new(&target, "change", move |_| matches.set(l.matches()))
            });
            move || drop(listener)
        });
    }
    *matches
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_map_to_actions_but_not_inside_fields() {
        assert_eq!(key_action(" ", false), Some(Action::TogglePlay));
        assert_eq!(key_action("x", false), Some(Action::ToggleSelection));
        assert_eq!(
            key_action("2", false),
            Some(Action::Select(Some(Selection::Az(1))))
        );
        assert_eq!(key_action(" ", true), None);
        assert_eq!(key_action("Escape", true), Some(Action::Escape));
        assert_eq!(key_action("q", false), None);
        assert_eq!(
            key_action("PageDown", false),
            Some(Action::Lesson(crate::lesson::LessonAction::Next))
        );
        assert_eq!(key_action("<", true), None, "not inside a field");
    }
}
