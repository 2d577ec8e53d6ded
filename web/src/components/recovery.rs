//! The phases of a failover or crash recovery, as they happen: detection, promotion (an engine
//! restart), the storage protocol of crash recovery, the DNS flip, and undo in the background;
//! with what AWS states beside the measured figure.

use aurora_core::view::{RecoveryView, View};
use yew::prelude::*;

use crate::format;
use crate::journal::Recovery;

#[derive(Properties, PartialEq, Clone)]
pub struct RecoveryProps {
    pub record: Option<Recovery>,
    pub live: RecoveryView,
    /// Names of nodes, by index, for the record's node ids.
    pub names: Vec<String>,
}

/// Builds the names list from a view.
pub fn names_of(view: &View) -> Vec<String> {
    view.nodes.iter().map(|n| n.name.clone()).collect()
}

#[component(RecoveryPanel)]
pub fn recovery_panel(p: &RecoveryProps) -> Html {
    let name = |id: aurora_core::ids::NodeId| p.names.get(id.index()).cloned().unwrap_or_default();
    let active = !matches!(p.live, RecoveryView::Idle);
    let Some(r) = p.record.as_ref().filter(|_| true) else {
        if let RecoveryView::Detecting { misses } = p.live {
            return html! {
                <section class="panel recovery active" aria-labelledby="recovery-title">
                    <h2 id="recovery-title">{ "Failover" }</h2>
                    <p>{ format!("The writer has missed {misses} health check{} in a row.", if misses == 1 { "" } else { "s" }) }</p>
                </section>
            };
        }
        return Html::default();
    };
    let step = |label: &str, done: Option<String>, current: bool| {
        let (class, state) = match (&done, current) {
            (Some(took), _) if took.starts_with("at ") => ("done", format!("done {took}")),
            (Some(took), _) => ("done", format!("done in {took}")),
            (None, _) if r.superseded.is_some() => ("waiting", "not needed".to_string()),
            (None, true) => ("current", "under way".to_string()),
            (None, false) => ("waiting", "waiting".to_string()),
        };
        html! {
            <li class={classes!("phase", class)}>
                <span class="phase-name">{ label.to_string() }</span>
                <span class="phase-state">{ state }</span>
            </li>
        }
    };
    let d = |v: Option<aurora_core::SimDuration>| v.map(format::duration);
    let detecting = matches!(p.live, RecoveryView::Detecting { .. });
    let promoting = matches!(p.live, RecoveryView::Promoting { .. });
    let recovering = matches!(p.live, RecoveryView::Recovering { .. });
    let region = |id: aurora_core::ids::RegionId| id.name();
    let title = match (r.old, r.finished) {
        (Some(old), _) if r.superseded.is_some() => {
            format!("Failover of {} ended by the Global Database", name(old))
        }
        (Some(old), Some((new, total))) => format!(
            "Failover done: {} replaced {} in {}",
            name(new),
            name(old),
            format::duration(total)
        ),
        (Some(old), None) => format!("Failover of {} under way", name(old)),
        (None, Some((node, took))) => format!(
            "{} recovered the volume in {}",
            name(node),
            format::duration(took)
        ),
        (None, None) => "Crash recovery under way".to_string(),
    };
    let truncating = matches!(
        p.live,
        RecoveryView::Recovering {
            truncating: true,
            ..
        }
    );
    let restarting = matches!(
        p.live,
        RecoveryView::Recovering {
            restarting: true,
            ..
        }
    );
    let storage_label = if truncating {
        "Storage protocol: truncating above VDL, new volume epoch"
    } else {
        "Storage protocol: read a quorum of every PG"
    };
    let storage_done = d(r.storage).or_else(|| r.volume.map(|_| "done".into()));
    let undo = r.undo.map(|(took, txns)| {
        format!(
            "{} transaction{} in {}",
            txns,
            if txns == 1 { "" } else { "s" },
            format::duration(took)
        )
    });
    let undo_current = r.volume.is_some() && r.undo.is_none();
    // The lesson of P17 §4.3: the storage protocol is a sliver of the time to open.
    let share = match (r.storage, r.restart.or(r.promote)) {
        (Some(storage), Some(restart)) => {
            let open = (storage + restart).as_micros().max(1) as f64;
            Some(format!(
                "The storage protocol took {} of the {} to open ({:.2} %): there is no redo to replay, so recovery is under P17 §4.3's 10 s; the engine restart is most of it.",
                format::duration(storage),
                format::duration(storage + restart),
                storage.as_micros() as f64 * 100.0 / open
            ))
        }
        _ => None,
    };
    let stated = match (r.old, r.finished) {
        (Some(old), Some((new, total))) => Some(format!(
            "Measured {}. {}",
            format::duration(total),
            if old == new {
                aurora_core::failover::AWS_RECREATE_STATED
            } else {
                aurora_core::failover::AWS_FAILOVER_STATED
            }
        )),
        (None, Some((_, took))) => Some(format!(
            "Measured {} to open. P17 §4.3: generally under 10 s; AWS FAQ: restarts under 60 s in most cases.",
            format::duration(took)
        )),
        _ => None,
    };
    html! {
        <section class={classes!("panel", "recovery", active.then_some("active"))} aria-labelledby="recovery-title">
            <h2 id="recovery-title">{ "Failover and recovery" }</h2>
            <p class="recovery-title">{ title }</p>
            <ol class="phases">
                if r.old.is_some() {
                    { step("1. Detect: missed health checks", d(r.detect).map(|t| match r.checks {
                        Some((n, since)) => format!("{t} after the failure (the control plane: {n} missed checks, {} since the last good one)", format::duration(since)),
                        None => t,
                    }), detecting) }
                    { step(&format!("2. Promote {}: engine restart as writer", r.target.map(name).unwrap_or_else(|| "a replica".into())), d(r.promote), promoting) }
                    { step(&format!("3. {storage_label}"), storage_done, recovering) }
                    { step("4. DNS: cluster endpoint flips", r.dns.map(|(at, t)| format!("at {} → {}; clients follow within the {} DNS TTL", format::clock(at), name(t), format::duration(aurora_core::endpoint::DNS_TTL))), r.recover.is_some() && r.dns.is_none()) }
                    { step("5. Undo in-flight transactions, in the background", undo, undo_current && r.finished.is_some()) }
                } else {
                    { step("1. Restart the instance and its engine", d(r.restart), restarting) }
                    { step(&format!("2. {storage_label}"), storage_done, recovering && !restarting) }
                    { step("3. Undo in-flight transactions, in the background", undo, undo_current) }
                }
            </ol>
            if let Some(share) = share {
                <p class="hint recovery-share">{ share }</p>
            }
            if let Some(stated) = stated {
                <p class="hint recovery-stated">{ stated }</p>
            }
            if let Some((vdl, upto, epoch)) = r.volume {
                <p class="hint">{ format!("Volume opened at VDL {vdl}; records up to {upto} annulled; volume epoch {epoch} fences the old writer.") }</p>
            }
            if let Some((from, to)) = r.superseded {
                <p class="hint">{ format!("Region {} failed with every instance in it, so no replica there could take over; the Global Database promoted {} instead, and the steps above were not needed.", region(from), region(to)) }</p>
            } else if r.no_target {
                <p class="hint bad">{ "No replica could be promoted: add one in another AZ." }</p>
            }
        </section>
    }
}
