//! The event log: what the model did, in the core's plain English, newest first, in two parts.
//! Important events (faults, quorum changes, failover phases, scaling, the person's actions)
//! are all kept; routine progress (quorums reached, commits, reads) comes as summaries, each
//! saying how many events it stands for. A link opened at a moment says so, and the important
//! lines before it are what led there.

use std::rc::Rc;

use aurora_core::SimTime;
use yew::prelude::*;

use crate::format;
use crate::journal::LogLine;

/// Important lines drawn at once.
const SHOWN: usize = 80;
/// Routine summaries drawn at once.
const ROUTINE_SHOWN: usize = 24;

#[derive(Properties, Clone)]
pub struct EventLogProps {
    /// Important lines, oldest first.
    pub lines: Rc<Vec<LogLine>>,
    /// Routine summaries, oldest first.
    #[prop_or_default]
    pub routine: Rc<Vec<LogLine>>,
    /// Changes whenever the lines do.
    pub version: u64,
    /// The moment a link opened the run at, if it opened past the start.
    #[prop_or_default]
    pub opened_at: Option<SimTime>,
}

impl PartialEq for EventLogProps {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version && self.opened_at == other.opened_at
    }
}

fn line(l: &LogLine, opened_at: Option<SimTime>) -> Html {
    let before = opened_at.is_some_and(|t| l.at <= t);
    html! {
        <li key={l.seq} class={classes!("log-line", l.tone.class(), before.then_some("before-link"))}>
            <time>{ format::clock(l.at) }</time>
            <span class="log-text">
                if let Some(summary) = &l.summary {
                    <span class="log-summary">{ summary.clone() }</span>
                    { " · latest: " }
                }
                { l.text.clone() }
            </span>
        </li>
    }
}

#[component(EventLog)]
pub fn event_log(p: &EventLogProps) -> Html {
    let earlier = p.lines.len().saturating_sub(SHOWN);
    html! {
        <section class="panel log" aria-labelledby="log-title">
            <h2 id="log-title">{ "Event log" }</h2>
            <div class="log-lines" role="log" aria-live="off" aria-label="Event log, newest first" tabindex="0">
                if let Some(t) = p.opened_at {
                    <p class="log-context">
                        { format!("The link opened this run at {}. The important events below, up to that moment, are what led to it.", format::clock(t)) }
                    </p>
                }
                <h3 class="log-head">{ "Important: faults, quorum, failover, scaling, your actions" }</h3>
                <ol class="log-important" aria-label="Important events, newest first">
                    if p.lines.is_empty() {
                        <li class="log-line log-none">{ "none yet" }</li>
                    }
                    { for p.lines.iter().rev().take(SHOWN).map(|l| line(l, p.opened_at)) }
                </ol>
                if earlier > 0 {
                    <p class="log-earlier">{ format!("and {earlier} earlier") }</p>
                }
                <h3 class="log-head">{ "Routine progress, summarised" }</h3>
                <ol class="log-routine" aria-label="Routine progress, newest first">
                    if p.routine.is_empty() {
                        <li class="log-line log-none">{ "none yet" }</li>
                    }
                    { for p.routine.iter().rev().take(ROUTINE_SHOWN).map(|l| line(l, None)) }
                </ol>
            </div>
        </section>
    }
}
