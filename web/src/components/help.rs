//! The help overlay: the keyboard shortcuts and how to read the diagram.

use yew::prelude::*;

use crate::state::Action;
use crate::traffic::Family;

/// Every shortcut and what it does.
pub const SHORTCUTS: [(&str, &str); 12] = [
    (
        "K, or Space",
        "play or pause (on a focused node or button, Space presses it: use K)",
    ),
    ("N", "next event (then pause)"),
    ("+ / −", "faster / slower"),
    ("← / →", "back / forward along the timeline"),
    ("1, 2, 3", "select AZ a, b, c"),
    ("Tab, Enter", "move to a node, select it"),
    ("X", "fail or heal the selection (crash, restart, fail AZ…)"),
    ("F", "fail over now"),
    ("R", "restart the scenario"),
    ("L", "copy a link to this run"),
    ("?", "this help"),
    ("Esc", "close the help, clear the selection"),
];

#[derive(Properties, PartialEq, Clone)]
pub struct HelpProps {
    pub dispatch: Callback<Action>,
}

#[component(Help)]
pub fn help(p: &HelpProps) -> Html {
    let close_ref = use_node_ref();
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(button) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    let d = p.dispatch.clone();
    let close = Callback::from(move |_: MouseEvent| d.emit(Action::ToggleHelp));
    // The dialog is modal: Tab and Shift+Tab stay on its one control, the close button.
    let trap = {
        let close_ref = close_ref.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Tab" {
                e.prevent_default();
                if let Some(button) = close_ref.cast::<web_sys::HtmlElement>() {
                    let _ = button.focus();
                }
            }
        })
    };
    html! {
        <div class="overlay">
            <div class="help" role="dialog" aria-modal="true" aria-labelledby="help-title" onkeydown={trap}>
                <div class="panel-head">
                    <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
                    <button class="close" ref={close_ref} onclick={close} aria-label="Close the help">{ "✕" }</button>
                </div>
                <dl class="shortcuts">
                    { for SHORTCUTS.iter().chain(crate::lesson::SHORTCUTS.iter()).map(|(k, what)| html! {
                        <div><dt><kbd>{ *k }</kbd></dt><dd>{ *what }</dd></div>
                    }) }
                </dl>
                <h3>{ "Reading the diagram" }</h3>
                <ul class="legend">
                    { for Family::ALL.iter().map(|f| html! {
                        <li><span class={classes!("swatch", f.class())} aria-hidden="true"></span>{ f.label() }</li>
                    }) }
                </ul>
                <p>{ "Segments are coloured by protection group. In each PG row, a lit copy holds the group's newest record: when 4 of 6 hold it, the write quorum is reached and the writer can advance VDL and acknowledge commits." }</p>
            </div>
        </div>
    }
}
