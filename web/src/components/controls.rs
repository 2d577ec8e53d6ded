//! The playback bar: play and pause, the next event, speed, the timeline, fork and restart.

use aurora_core::SimTime;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::format;
use crate::state::Action;

#[derive(Properties, PartialEq, Clone)]
pub struct PlaybackBarProps {
    pub playing: bool,
    pub speed_index: usize,
    /// The speed achieved when the model falls behind the one chosen.
    pub effective_speed: Option<f64>,
    pub now: SimTime,
    pub horizon: SimTime,
    pub end: SimTime,
    /// Times of the person's actions, marked on the timeline.
    pub marks: Vec<SimTime>,
    pub actions_ahead: usize,
    pub compact: bool,
    pub dispatch: Callback<Action>,
}

const PLAY: &str = "M5 3l12 7-12 7z";
const PAUSE: &str = "M5 3h4v14H5zM11 3h4v14h-4z";
const NEXT: &str = "M3 3l10 7-10 7zM14 3h3v14h-3z";
const FORK: &str = "M5 2a2 2 0 110 4 2 2 0 010-4zM4 6h2v8H4zM15 2a2 2 0 110 4 2 2 0 010-4zM14 6h2v2c0 3-3 4-6 5l-4 1v-2l4-1c2-.6 4-1.4 4-3z";
const RESTART: &str = "M10 3a7 7 0 11-6.6 4.7l1.9.7A5 5 0 1010 5v2.5L6 4l4-3.5z";

/// A 20×20 icon from one path, hidden from screen readers (the button has the name).
fn icon(d: &'static str) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 20 20" width="18" height="18" aria-hidden="true" focusable="false">
            <path d={d} />
        </svg>
    }
}

fn input_value(e: &InputEvent) -> Option<f64> {
    e.target_dyn_into::<HtmlInputElement>()
        .map(|i| i.value_as_number())
        .filter(|v| v.is_finite())
}

#[component(PlaybackBar)]
pub fn playback_bar(p: &PlaybackBarProps) -> Html {
    let d = p.dispatch.clone();
    let toggle = Callback::from(move |_: MouseEvent| d.emit(Action::TogglePlay));
    let d = p.dispatch.clone();
    let step = Callback::from(move |_: MouseEvent| d.emit(Action::Step));
    let d = p.dispatch.clone();
    let reset = Callback::from(move |_: MouseEvent| d.emit(Action::Reset));
    let d = p.dispatch.clone();
    let fork = Callback::from(move |_: MouseEvent| d.emit(Action::Fork));
    let d = p.dispatch.clone();
    let on_speed = Callback::from(move |e: InputEvent| {
        if let Some(v) = input_value(&e) {
            d.emit(Action::SetSpeed(v.max(0.0) as usize));
        }
    });
    let d = p.dispatch.clone();
    let on_seek = Callback::from(move |e: InputEvent| {
        if let Some(ms) = input_value(&e) {
            d.emit(Action::Seek(SimTime::from_micros(
                (ms.max(0.0) * 1_000.0) as u64,
            )));
        }
    });

    let speed = format::speed_at(p.speed_index);
    let end_ms = p.end.as_micros() as f64 / 1_000.0;
    let now_ms = p.now.as_micros() as f64 / 1_000.0;
    let reached = if end_ms > 0.0 {
        100.0 * p.horizon.as_micros() as f64 / 1_000.0 / end_ms
    } else {
        0.0
    };
    let marks = p.marks.iter().map(|t| {
        let left = if end_ms > 0.0 {
            100.0 * t.as_micros() as f64 / 1_000.0 / end_ms
        } else {
            0.0
        };
        let x = format!("{left:.2}");
        html! { <line class="mark" x1={x.clone()} x2={x} y1="0" y2="12" /> }
    });
    let behind = p.effective_speed.map(|e| {
        if e > speed {
            // A lesson's long wait races the clock; it is not the model falling behind.
            format!(
                "{} for now: the lesson hurries through a long wait",
                crate::reached::factor(e)
            )
        } else {
            format!(
                "{} asked, {} reached: the model cannot keep up",
                format::speed_factor(speed),
                crate::reached::factor(e)
            )
        }
    });
    let play_label = if p.playing { "Pause" } else { "Play" };

    html! {
        <section class={classes!("playback", p.compact.then_some("compact"))} aria-label="Playback">
            <div class="buttons">
                <button class={classes!("play", p.playing.then_some("playing"))} onclick={toggle}
                    aria-label={play_label} title={format!("{play_label} (Space)")}>
                    { icon(if p.playing { PAUSE } else { PLAY }) }
                    <span class="button-text">{ play_label }</span>
                </button>
                <button onclick={step} aria-label="Next event" title="Next event (N)">
                    { icon(NEXT) }
                    <span class="button-text">{ "Next event" }</span>
                </button>
                if !p.compact {
                    <button onclick={fork} aria-label="Fork here" title="Drop the actions after now"
                        disabled={p.actions_ahead == 0}>
                        { icon(FORK) }
                        <span class="button-text">{ "Fork here" }</span>
                    </button>
                }
                <button onclick={reset} aria-label="Restart the scenario" title="Restart (R)">
                    { icon(RESTART) }
                    <span class="button-text">{ "Restart" }</span>
                </button>
            </div>
            <div class="clock" aria-live="off">
                <span class="now" title="Simulated time">{ format::clock(p.now) }</span>
            </div>
            <label class="speed">
                <span class="label-text">{ "Speed" }</span>
                <input type="range" min="0" max={(format::SPEEDS.len() - 1).to_string()} step="1"
                    value={p.speed_index.to_string()} oninput={on_speed}
                    aria-label="Speed"
                    aria-valuetext={format!("{}, {}", format::speed_factor(speed), format::speed_label(speed))} />
                <span class="speed-value">
                    { format!("{} · {}", format::speed_factor(speed), format::speed_label(speed)) }
                </span>
            </label>
            if let Some(text) = behind {
                <p class="behind" role="status">{ text }</p>
            }
            // Drawn in SVG, whose attributes a strict style-src allows (style attributes it blocks).
            <div class="timeline">
                <svg class="marks" aria-hidden="true" viewBox="0 0 100 12" preserveAspectRatio="none">
                    <rect class="track" y="3" width="100" height="6" />
                    <rect class="reached" y="3" width={format!("{reached:.2}")} height="6" />
                    { for marks }
                </svg>
                <input type="range" min="0" max={format!("{end_ms:.3}")} step="any"
                    value={format!("{now_ms:.3}")} oninput={on_seek}
                    aria-label="Timeline"
                    aria-valuetext={format!("{} of {}", format::clock(p.now), format::clock(p.end))} />
                <div class="timeline-ends" aria-hidden="true">
                    <span>{ "0" }</span>
                    if p.actions_ahead > 0 {
                        <span class="ahead">{ format!("{} of your actions ahead", p.actions_ahead) }</span>
                    }
                    <span>{ format::clock(p.end) }</span>
                </div>
            </div>
        </section>
    }
}
