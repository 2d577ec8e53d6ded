//! The run's setup: scenario, seed, workload knobs, and the share link.

use aurora_core::scenario;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::actions::{Control, MAX_RATE};
use crate::state::Action;

#[derive(Properties, PartialEq, Clone)]
pub struct SetupProps {
    pub scenario: AttrValue,
    pub seed: u64,
    /// Requests per second and percent reads, as the model runs now.
    pub load: (u32, u8),
    pub dispatch: Callback<Action>,
    /// Copies the share link.
    pub on_share: Callback<()>,
    /// Copies the code of an iframe embedding this run.
    pub on_embed: Callback<()>,
    /// The last link copied, shown for copying by hand.
    pub link: Option<AttrValue>,
    /// The engine the cluster was created with, as the core names it.
    #[prop_or_default]
    pub engine: AttrValue,
}

#[component(Setup)]
pub fn setup(p: &SetupProps) -> Html {
    let d = p.dispatch.clone();
    let on_seed = Callback::from(move |e: Event| {
        if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
            match input.value().trim().parse::<u64>() {
                Ok(seed) => d.emit(Action::SetSeed(seed)),
                Err(_) => d.emit(Action::Notify(
                    "A seed is a whole number from 0 to 18446744073709551615.".into(),
                    true,
                )),
            }
        }
    });
    let (rate, read_pct) = p.load;
    let d = p.dispatch.clone();
    let on_rate = Callback::from(move |e: Event| {
        if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
            let v = input.value_as_number();
            if v.is_finite() {
                let rate = (v.max(0.0) as u32).min(MAX_RATE);
                d.emit(Action::Act(Control::SetLoad { rate, read_pct }));
            }
        }
    });
    let d = p.dispatch.clone();
    let on_mix = Callback::from(move |e: Event| {
        if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
            let v = input.value_as_number();
            if v.is_finite() {
                let read_pct = v.clamp(0.0, 100.0) as u8;
                d.emit(Action::Act(Control::SetLoad { rate, read_pct }));
            }
        }
    });
    let d = p.dispatch.clone();
    let on_engine = Callback::from(move |e: Event| {
        if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
            if let Some(engine) = aurora_core::backup::Engine::parse(&select.value()) {
                d.emit(Action::SetEngine(engine));
            }
        }
    });
    let engines = [
        aurora_core::backup::Engine::MySql,
        aurora_core::backup::Engine::PostgreSql,
    ];
    let share = p.on_share.reform(|_: MouseEvent| ());
    let embed = p.on_embed.reform(|_: MouseEvent| ());
    let summary = scenario::find(&p.scenario).map_or("", |s| s.summary);

    html! {
        <section class="panel setup" aria-labelledby="setup-title">
            <h2 id="setup-title">{ "Run" }</h2>
            <p class="summary">{ format!("{}: {summary}", crate::components::intro::title_or_name(&p.scenario)) }</p>
            <div class="field">
                <label for="seed-input">{ "Seed" }</label>
                <input id="seed-input" type="number" min="0" step="1" inputmode="numeric"
                    value={p.seed.to_string()} onchange={on_seed} />
            </div>
            <div class="field">
                <label for="rate-input">{ format!("Load: {rate} requests/s") }</label>
                <input id="rate-input" type="range" min="0" max={MAX_RATE.to_string()} step="100"
                    value={rate.to_string()} onchange={on_rate}
                    aria-valuetext={format!("{rate} requests per second")} />
            </div>
            <div class="field">
                <label for="mix-input">{ format!("Mix: {read_pct}% reads, {}% writes", 100 - u32::from(read_pct.min(100))) }</label>
                <input id="mix-input" type="range" min="0" max="100" step="5"
                    value={read_pct.to_string()} onchange={on_mix}
                    aria-valuetext={format!("{read_pct} percent reads")} />
            </div>
            <div class="field">
                <label for="engine-select">{ "Engine (creates the cluster again)" }</label>
                <select id="engine-select" onchange={on_engine}>
                    { for engines.iter().map(|e| html! {
                        <option value={e.slug()} selected={p.engine == e.name()}>{ e.name() }</option>
                    }) }
                </select>
            </div>
            <div class="share">
                <button onclick={share}>{ "Copy link" }</button>
                <button onclick={embed}>{ "Copy embed code" }</button>
                if let Some(link) = &p.link {
                    <input class="link" type="text" readonly=true value={link.clone()}
                        aria-label={if link.starts_with("<iframe") { "Embed code for this run" } else { "Link to this run" }} />
                }
            </div>
        </section>
    }
}
