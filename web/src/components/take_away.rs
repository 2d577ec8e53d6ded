//! The take-away panel: Save picture (the diagram or a chart, as SVG or PNG), Save data (the
//! measurements as CSV, the event log as JSON lines), Save run and Open run (a file picker; a
//! run file can also be dropped anywhere on the page). It only draws the buttons and says what
//! was asked: the page makes the files.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::take_away::{Picture, Request};

#[derive(Properties, PartialEq, Clone)]
pub struct TakeAwayProps {
    /// The pictures on the page now: the diagram, then the charts drawn.
    pub pictures: Vec<Picture>,
    pub on_request: Callback<Request>,
    /// A run file the person chose.
    pub on_open: Callback<web_sys::File>,
    /// The embed's single row.
    #[prop_or_default]
    pub compact: bool,
}

#[component(TakeAway)]
pub fn take_away(p: &TakeAwayProps) -> Html {
    let chosen = use_state(|| Picture::Diagram);
    let picture = if p.pictures.contains(&*chosen) {
        *chosen
    } else {
        Picture::Diagram
    };
    let on_pick = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                if let Some(pic) = Picture::from_key(&select.value()) {
                    chosen.set(pic);
                }
            }
        })
    };
    let ask = |r: Request| p.on_request.reform(move |_: MouseEvent| r);
    let on_file = {
        let on_open = p.on_open.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                if let Some(file) = input.files().and_then(|f| f.get(0)) {
                    on_open.emit(file);
                }
                // The same file chosen again is a new choice.
                input.set_value("");
            }
        })
    };
    html! {
        <section class={classes!("panel", "take-away", p.compact.then_some("compact"))} aria-labelledby="take-away-title">
            <h2 id="take-away-title">{ "Take away" }</h2>
            <div class="take-away-row" role="group" aria-label="Save picture">
                <label for="picture-choice">{ "Picture of" }</label>
                <select id="picture-choice" onchange={on_pick}>
                    { for p.pictures.iter().map(|pic| html! {
                        <option value={pic.key()} selected={*pic == picture}>{ pic.label() }</option>
                    }) }
                </select>
                <button onclick={ask(Request::Svg(picture))}>{ "Save picture (SVG)" }</button>
                <button onclick={ask(Request::Png(picture))}>{ "Save picture (PNG, 2×)" }</button>
            </div>
            <div class="take-away-row" role="group" aria-label="Save data">
                <button onclick={ask(Request::Measurements)}>{ "Save measurements (CSV)" }</button>
                <button onclick={ask(Request::EventLog)}>{ "Save event log (JSON lines)" }</button>
            </div>
            <div class="take-away-row" role="group" aria-label="Save or open a run">
                <button onclick={ask(Request::Run)}>{ "Save run" }</button>
                <label class="button open-run">
                    { "Open run…" }
                    <input type="file" class="open-run-input" accept=".aurora-run,text/plain" onchange={on_file} />
                </label>
                if !p.compact {
                    <span class="hint">{ "or drop a run file on the page" }</span>
                }
            </div>
        </section>
    }
}
