//! The world view of a global database: each region with its role, lag and state, the controls
//! that move the primary (switchover, global failover) or take a region down, write forwarding,
//! and the RPO and RTO the core measured for every finished switchover or failover.

use aurora_core::global::{GlobalRecord, RegionRole};
use aurora_core::metrics::Histogram;
use aurora_core::settings::forwarding::ReadConsistency;
use aurora_core::view::RegionView;
use aurora_core::SimTime;
use yew::prelude::*;

use crate::actions::{region_name, Control};
use crate::format;
use crate::names;
use crate::state::Action;

/// What reads right after a forwarded write met under read consistency `c`: how long they
/// waited for the secondary, and how many missed the session's own write. `None` before any.
pub fn read_after_write_text(c: ReadConsistency, wait: &Histogram, stale: u64) -> Option<String> {
    let n = wait.count();
    if n == 0 {
        return None;
    }
    let ms = |q| crate::format::duration(aurora_core::SimDuration::from_micros(wait.quantile(q)));
    Some(match c {
        ReadConsistency::Eventual => format!(
            "EVENTUAL: reads never wait; {stale} of {n} reads right after a forwarded write did not see it yet"
        ),
        ReadConsistency::Session => format!(
            "SESSION: {n} reads after a forwarded write saw it, waiting p50 {} and p99 {} for it to come back from the primary",
            ms(500),
            ms(990)
        ),
        ReadConsistency::Global => format!(
            "GLOBAL: {n} reads after a forwarded write waited p50 {} and p99 {} for everything the primary had committed",
            ms(500),
            ms(990)
        ),
    })
}

/// Writes per second the forwarding switch turns on.
pub const FORWARD_RATE: u32 = 50;

/// What the world view shows, gathered once per frame.
#[derive(Clone, Debug, PartialEq)]
pub struct World {
    pub now: SimTime,
    pub regions: Vec<RegionView>,
    /// Regions with a region failure in force.
    pub down: Vec<u8>,
    pub records: Vec<GlobalRecord>,
    /// The region whose diagram is open.
    pub shown: u8,
    pub forwarding: u32,
    /// Write forwarding's read consistency, and what the reads after forwarded writes met.
    pub read_consistency: ReadConsistency,
    pub read_after_write: Option<String>,
    /// A switchover waiting for its target to catch up.
    pub switching: Option<u8>,
    /// When the primary region failed, while it is down and not yet replaced.
    pub primary_failed_at: Option<SimTime>,
}

#[derive(Properties, PartialEq, Clone)]
pub struct WorldProps {
    pub world: World,
    pub dispatch: Callback<Action>,
}

fn act(d: &Callback<Action>, a: Control) -> Callback<MouseEvent> {
    let d = d.clone();
    Callback::from(move |_: MouseEvent| d.emit(Action::Act(a.clone())))
}

/// "Failover us-east-1 → eu-west-1: RPO 12 commits lost (the last 5 ms of writes, …); RTO 30 s".
pub fn record_text(r: &GlobalRecord) -> String {
    let kind = if r.planned { "Switchover" } else { "Failover" };
    let commits = if r.rpo_commits == 1 {
        "1 commit".to_string()
    } else {
        format!("{} commits", r.rpo_commits)
    };
    let lag = if r.planned {
        String::new()
    } else {
        format!(
            "; lag at the failure {}, but what was already shipped still landed",
            format::duration(r.lag_at_failure)
        )
    };
    format!(
        "{kind} {} → {}: RPO {commits} lost (the last {} of writes, {} LSNs{lag}); RTO {}",
        region_name(r.from.0),
        region_name(r.to.0),
        format::duration(r.rpo_time),
        r.rpo_lsns,
        format::duration(r.rto)
    )
}

fn region_item(w: &World, r: &RegionView, d: &Callback<Action>) -> Html {
    let id = r.id.0;
    let down = w.down.contains(&id);
    let role = names::region_role(r.role, down);
    let primary = r.role == RegionRole::Primary;
    let detail = match r.role {
        RegionRole::Primary if down => "no writes until a secondary is promoted".to_string(),
        RegionRole::Primary => format!("takes writes · durable to LSN {}", r.durable),
        RegionRole::Promoting { ready_at } => format!(
            "writable in {}",
            format::duration(ready_at.since(w.now.min(ready_at)))
        ),
        RegionRole::Failed => "down".to_string(),
        RegionRole::Secondary => format!(
            "lag {} · durable to LSN {}",
            format::duration(r.lag),
            r.durable
        ),
    };
    let shown = w.shown == id;
    let d2 = d.clone();
    let open = Callback::from(move |_: MouseEvent| d2.emit(Action::ShowRegion(Some(id))));
    let class = classes!(
        "region-item",
        primary.then_some("primary"),
        (down || r.role == RegionRole::Failed).then_some("down"),
        matches!(r.role, RegionRole::Promoting { .. }).then_some("promoting"),
        shown.then_some("shown")
    );
    let secondary = r.role == RegionRole::Secondary && !down;
    let name = r.name;
    html! {
        <li {class}>
            <button class="region-open" onclick={open} aria-pressed={shown.to_string()}
                aria-label={format!("Region {name}, {role}: {detail}. Show its diagram")}>
                <span class="region-name">{ name }</span>
                <span class="region-role">{ role }</span>
                <span class="region-detail">{ detail }</span>
                <span class="region-replicas">{ format!("{} replica{}", r.replicas, if r.replicas == 1 { "" } else { "s" }) }</span>
            </button>
            <div class="region-actions">
                if secondary {
                    <button class="choice neutral" onclick={act(d, Control::Switchover(id))}>
                        { format!("Switch over to {name}") }
                    </button>
                    <button class="choice harm" onclick={act(d, Control::GlobalFailover(id))}>
                        { format!("Fail over to {name}") }
                    </button>
                }
                if down {
                    <button class="choice heal" onclick={act(d, Control::HealRegion(id))}>
                        { format!("Heal region {name}") }
                    </button>
                } else {
                    <button class="choice harm" onclick={act(d, Control::FailRegion(id))}>
                        { format!("Fail region {name}") }
                    </button>
                }
            </div>
        </li>
    }
}

#[component(WorldView)]
pub fn world_view(p: &WorldProps) -> Html {
    let w = &p.world;
    let d = &p.dispatch;
    if w.regions.is_empty() {
        return html! {
            <section class="panel world" aria-labelledby="world-title">
                <h2 id="world-title">{ "Global Database" }</h2>
                <p class="hint">{ "One region. Add a secondary region: it gets its own six-copy volume, fed by storage-level replication." }</p>
                <button class="choice neutral" onclick={act(d, Control::AddRegion)}>{ "Add a secondary region" }</button>
            </section>
        };
    }
    let forwarding = if w.forwarding > 0 {
        html! {
            <button class="choice neutral on" aria-pressed="true" onclick={act(d, Control::Forwarding(0))}>
                { format!("Write forwarding on ({}/s): turn off", w.forwarding) }
            </button>
        }
    } else {
        html! {
            <button class="choice neutral" aria-pressed="false" onclick={act(d, Control::Forwarding(FORWARD_RATE))}>
                { format!("Turn write forwarding on ({FORWARD_RATE}/s)") }
            </button>
        }
    };
    let status = match (w.switching, w.primary_failed_at) {
        (Some(to), _) => Some(format!(
            "Switchover to {}: writes paused until it holds everything.",
            region_name(to)
        )),
        (None, Some(at)) => Some(format!(
            "The primary region has been down for {}: fail over to a secondary to take writes again.",
            format::duration(w.now.since(at.min(w.now)))
        )),
        _ => None,
    };
    let latest = w.records.last();
    let lags: Vec<aurora_core::SimDuration> = w
        .regions
        .iter()
        .filter(|r| r.role == RegionRole::Secondary && !w.down.contains(&r.id.0))
        .map(|r| r.lag)
        .collect();
    let overview = match lags.iter().max() {
        Some(max) => format!(
            "{} regions · largest lag {}",
            w.regions.len(),
            format::duration(*max)
        ),
        None => format!("{} regions · no live secondary", w.regions.len()),
    };
    html! {
        <section class="panel world" aria-labelledby="world-title">
            <div class="panel-head">
                <h2 id="world-title">{ "Global Database" }</h2>
                <span class="hint">{ overview }</span>
            </div>
            <ul class="region-list">
                { for w.regions.iter().map(|r| region_item(w, r, d)) }
            </ul>
            if let Some(text) = status {
                <p class="world-status" role="status">{ text }</p>
            }
            if let Some(rec) = latest {
                <p class="rpo" role="status">{ record_text(rec) }</p>
            }
            if w.records.len() > 1 {
                <ul class="records">
                    { for w.records.iter().rev().skip(1).map(|r| html! { <li>{ record_text(r) }</li> }) }
                </ul>
            }
            <div class="world-actions">
                <button class="choice neutral" onclick={act(d, Control::AddRegion)}>{ "Add a secondary region" }</button>
                { forwarding }
            </div>
            if w.forwarding > 0 {
                <div class="world-actions" role="group" aria-label="Read consistency of forwarded writes">
                    <span class="label-text">{ "Read consistency" }</span>
                    { for [ReadConsistency::Eventual, ReadConsistency::Session, ReadConsistency::Global].into_iter().map(|c| {
                        let on = c == w.read_consistency;
                        html! {
                            <button class={classes!("choice", "neutral", on.then_some("on"))} aria-pressed={on.to_string()}
                                onclick={act(d, Control::ReadConsistency(c))}>{ c.name() }</button>
                        }
                    }) }
                </div>
                if let Some(text) = &w.read_after_write {
                    <p class="hint read-after-write">{ text.clone() }</p>
                }
            }
            <p class="hint stated">{ aurora_core::stated::SECONDARY_REGIONS.sentence() }</p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurora_core::ids::RegionId;

    #[test]
    fn reads_after_forwarded_writes_are_worded_for_each_consistency() {
        let empty = Histogram::default();
        assert_eq!(
            read_after_write_text(ReadConsistency::Session, &empty, 0),
            None
        );
        let mut none_waited = Histogram::default();
        for _ in 0..40 {
            none_waited.record(0);
        }
        assert_eq!(
            read_after_write_text(ReadConsistency::Eventual, &none_waited, 7).as_deref(),
            Some("EVENTUAL: reads never wait; 7 of 40 reads right after a forwarded write did not see it yet")
        );
        let mut waited = Histogram::default();
        for us in [0, 8_000, 10_000, 12_000, 20_000] {
            waited.record(us);
        }
        let Some(session) = read_after_write_text(ReadConsistency::Session, &waited, 0) else {
            panic!("worded")
        };
        assert!(
            session.starts_with("SESSION: 5 reads after a forwarded write saw it, waiting p50 "),
            "{session}"
        );
        let Some(global) = read_after_write_text(ReadConsistency::Global, &waited, 0) else {
            panic!("worded")
        };
        assert!(
            global.ends_with("for everything the primary had committed"),
            "{global}"
        );
    }

    #[test]
    fn a_record_reads_as_rpo_and_rto() {
        let r = GlobalRecord {
            planned: false,
            from: RegionId(0),
            to: RegionId(1),
            rpo_lsns: 340,
            rpo_commits: 12,
            rpo_time: aurora_core::SimDuration::from_millis(5),
            lag_at_failure: aurora_core::SimDuration::from_millis(85),
            rto: aurora_core::SimDuration::from_secs(30),
        };
        assert_eq!(
            record_text(&r),
            "Failover us-east-1 → eu-west-1: RPO 12 commits lost (the last 5 ms of writes, 340 LSNs; lag at the failure 85 ms, but what was already shipped still landed); RTO 30 s"
        );
        let planned = GlobalRecord {
            planned: true,
            rpo_commits: 1,
            ..r
        };
        assert!(record_text(&planned)
            .starts_with("Switchover us-east-1 → eu-west-1: RPO 1 commit lost"));
    }
}
