//! The page's callbacks, made once for the page's life: a component whose props are unchanged
//! skips its render, and a new callback each frame would make every node of the diagram differ
//! from the frame before.

use std::rc::Rc;

use yew::prelude::*;

use crate::lesson::LessonAction;
use crate::selection::Selection;
use crate::state::{Action, AppState};
use crate::take_away::Request;

/// Every callback the page hands its components.
#[derive(Clone)]
pub struct Callbacks {
    /// Any action, as it is.
    pub on_dispatch: Callback<Action>,
    pub on_select: Callback<Selection>,
    /// Open a region's diagram.
    pub on_region: Callback<u8>,
    pub on_share: Callback<()>,
    pub on_embed: Callback<()>,
    pub on_take_away: Callback<Request>,
    /// A run file chosen with Open run.
    pub on_open: Callback<web_sys::File>,
    pub on_drag_over: Callback<DragEvent>,
    /// A run file dropped anywhere on the page opens like one chosen with Open run.
    pub on_drop: Callback<DragEvent>,
    pub on_lesson: Callback<LessonAction>,
}

/// The page's callbacks, built at its first render.
#[hook]
pub fn use_callbacks(dispatch: UseReducerDispatcher<AppState>) -> Rc<Callbacks> {
    use_memo((), move |_| callbacks(dispatch))
}

fn callbacks(dispatch: UseReducerDispatcher<AppState>) -> Callbacks {
    let on_dispatch = Callback::from(move |a| dispatch.dispatch(a));
    let opened = on_dispatch.reform(|(name, text)| Action::OpenRun(name, text));
    let on_open = Callback::from(move |file: web_sys::File| {
        let opened = opened.clone();
        crate::saving::read(file, move |name, text| opened.emit((name, text)));
    });
    let on_drop = {
        let on_open = on_open.clone();
        Callback::from(move |e: DragEvent| {
            let file = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0));
            if let Some(file) = file {
                e.prevent_default();
                on_open.emit(file);
            }
        })
    };
    Callbacks {
        on_select: on_dispatch.reform(|s| Action::Select(Some(s))),
        on_region: on_dispatch.reform(|r| Action::ShowRegion(Some(r))),
        on_share: on_dispatch.reform(|_| Action::RequestShare),
        on_embed: on_dispatch.reform(|_| Action::RequestEmbed),
        on_take_away: on_dispatch.reform(Action::TakeAway),
        on_lesson: on_dispatch.reform(Action::Lesson),
        on_open,
        on_drag_over: Callback::from(|e: DragEvent| e.prevent_default()),
        on_drop,
        on_dispatch,
    }
}
