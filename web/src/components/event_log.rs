//! The event log: what the model did, in the core's plain English, newest first.

use std::rc::Rc;

use yew::prelude::*;

use crate::format;
use crate::journal::LogLine;

/// Lines drawn at once.
const SHOWN: usize = 80;

#[derive(Properties, Clone)]
pub struct EventLogProps {
    pub lines: Rc<Vec<LogLine>>,
    /// Changes whenever the lines do.
    pub version: u64,
}

impl PartialEq for EventLogProps {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

#[component(EventLog)]
pub fn event_log(p: &EventLogProps) -> Html {
    html! {
        <section class="panel log" aria-labelledby="log-title">
            <h2 id="log-title">{ "Event log" }</h2>
            <ol class="log-lines" role="log" aria-live="off" aria-label="Event log, newest first" tabindex="0">
                { for p.lines.iter().rev().take(SHOWN).map(|l| html! {
                    <li key={l.seq} class={classes!("log-line", l.tone.class())}>
                        <time>{ format::clock(l.at) }</time>
                        <span class="log-text">{ l.text.clone() }</span>
                    </li>
                }) }
            </ol>
        </section>
    }
}
