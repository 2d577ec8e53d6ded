//! A long AZ outage: the degraded-AZ quorum (P18 §2.4, §4.1; reference §5).
//!
//! While an AZ is gone, every PG keeps four of its six copies, which is a write quorum (4/6)
//! with nothing to spare: one more failure outside the AZ stops writes. The lost copies cannot
//! be rebuilt in their own AZ (it has no node), so after the AZ has been gone for
//! [`DEGRADED_QUORUM_AFTER`] each PG moves, through a membership epoch, to the degraded set:
//! the four surviving copies, writing on 3 of 4 and reading on 2 of 4. That set tolerates one
//! more failure for writes again. When the AZ comes back, its copies rejoin through a second
//! epoch whose write quorum is both sets (4/6 of all AND 3/4 of the survivors) and whose read
//! quorum is either, so nothing written while degraded can be missed; once the returned copies
//! have caught up by gossip, a third epoch drops the degraded set and the PG is 4/6 again.
//!
//! The functions here see only the storage subsystem; the caller passes the writer's PGCLs.

use super::{Degraded, Storage};
use crate::engine::Kernel;
use crate::event::{Event, SegmentHealth};
use crate::ids::{AzId, PgId};
use crate::lsn::Lsn;
use crate::quorum::SlotMask;
use crate::time::SimDuration;
use alloc::vec::Vec;

/// How long an AZ must have been gone before its PGs switch to the degraded 3/4 quorum.
/// [sim default — not sourced: P18 §2.4 speaks of "an extended loss of an AZ" without a figure]
pub const DEGRADED_QUORUM_AFTER: SimDuration = SimDuration::from_mins(10);

/// An AZ failed: remember since when.
pub(crate) fn az_failed(k: &Kernel, st: &mut Storage, az: AzId) {
    if let Some(s) = st.az_out_since.get_mut(az.index()) {
        s.get_or_insert(k.now);
    }
}

/// An AZ is back: its PGs start the way back at the next tend.
pub(crate) fn az_returned(st: &mut Storage, az: AzId) {
    if let Some(s) = st.az_out_since.get_mut(az.index()) {
        *s = None;
    }
}

/// Whether anything here has work to do: cheap, checked on every background tick.
pub(crate) fn active(st: &Storage) -> bool {
    st.az_out_since.iter().any(Option::is_some) || st.pgs.iter().any(|p| p.degraded.is_some())
}

/// The storage control plane's look at long AZ outages, on every background tick and after an
/// AZ returns: tends the PGs, and re-evaluates quorums if a set changed.
pub(crate) fn tend_all(
    k: &mut Kernel,
    st: &mut Storage,
    log: &crate::lsn::VolumeLog,
    writer: crate::ids::NodeId,
    metrics: &mut crate::metrics::Metrics,
) {
    if !active(st) {
        return;
    }
    let before = (st.degradations, st.restorations);
    tend(k, st, |pg| log.pgcl(pg as u32));
    if before != (st.degradations, st.restorations) {
        super::repair::evaluate_quorums(k, st, writer, metrics);
    }
}

/// Moves PGs into, along and out of the degraded set as the AZs' state asks; `pgcl(pg)` is the
/// writer's PGCL, which the returned copies must reach before the degraded set is dropped.
pub(crate) fn tend(k: &mut Kernel, st: &mut Storage, pgcl: impl Fn(usize) -> Lsn) {
    for i in 0..st.pgs.len() {
        match st.pgs[i].degraded {
            None => try_degrade(k, st, i),
            Some(d) if d.restoring => try_finish(k, st, i, pgcl(i)),
            Some(d) => {
                if st.az_out_since[d.az.index()].is_none() {
                    try_restore(k, st, i);
                }
            }
        }
    }
}

/// The slots of PG `i` whose segments sit in `az`.
fn slots_in(k: &Kernel, st: &Storage, i: usize, az: AzId) -> SlotMask {
    st.pgs[i]
        .member_slots()
        .filter(|(_, s)| k.topo.node(st.segments[s.index()].node).az == Some(az))
        .fold(0, |acc, (slot, _)| acc | 1 << slot)
}

fn try_degrade(k: &mut Kernel, st: &mut Storage, i: usize) {
    let after = st.config.degraded_quorum_after;
    let Some((az, _)) = st.az_out_since.iter().enumerate().find_map(|(a, s)| {
        s.filter(|t| k.now >= *t + after)
            .map(|t| (AzId(a as u8), t))
    }) else {
        return;
    };
    let gone = slots_in(k, st, i, az);
    let Some(quorum) = st.pgs[i].quorum.degrade(gone) else {
        return;
    };
    let pg = &mut st.pgs[i];
    pg.quorum = quorum;
    pg.degraded = Some(Degraded {
        az,
        gone,
        restoring: false,
    });
    let id = pg.id;
    // The lost copies are no longer members: nothing waits to repair them.
    let leaving: Vec<_> = pg
        .slots
        .iter()
        .enumerate()
        .filter(|(s, _)| gone & (1 << s) != 0)
        .filter_map(|(_, s)| *s)
        .collect();
    st.deferred.retain(|s| !leaving.contains(s));
    st.degradations += 1;
    bump_epoch(k, st, id);
}

fn try_restore(k: &mut Kernel, st: &mut Storage, i: usize) {
    let Some(d) = st.pgs[i].degraded else {
        return;
    };
    let pg = &st.pgs[i];
    let back = pg.slots.iter().enumerate().all(|(slot, s)| {
        d.gone & (1 << slot) == 0
            || s.is_some_and(|s| {
                let seg = &st.segments[s.index()];
                seg.health == SegmentHealth::Healthy && k.topo.is_up(seg.node)
            })
    });
    let Some(quorum) = back
        .then(|| pg.quorum.begin_restore(pg.quorum.members() | d.gone))
        .flatten()
    else {
        return;
    };
    let pg = &mut st.pgs[i];
    pg.quorum = quorum;
    pg.degraded = Some(Degraded {
        restoring: true,
        ..d
    });
    let id = pg.id;
    bump_epoch(k, st, id);
}

fn try_finish(k: &mut Kernel, st: &mut Storage, i: usize, pgcl: Lsn) {
    let Some(d) = st.pgs[i].degraded else {
        return;
    };
    let pg = &st.pgs[i];
    let caught_up = pg.slots.iter().enumerate().all(|(slot, s)| {
        d.gone & (1 << slot) == 0
            || s.is_some_and(|s| {
                let seg = &st.segments[s.index()];
                seg.health == SegmentHealth::Healthy && k.topo.is_up(seg.node) && seg.scl >= pgcl
            })
    });
    if !caught_up {
        return;
    }
    let pg = &mut st.pgs[i];
    pg.quorum = pg.quorum.finish_restore();
    pg.degraded = None;
    let id = pg.id;
    st.restorations += 1;
    bump_epoch(k, st, id);
}

/// A membership epoch for the PG, written to its members (P18 §4.1).
fn bump_epoch(k: &mut Kernel, st: &mut Storage, pg_id: PgId) {
    let pg = &mut st.pgs[pg_id.index()];
    pg.epoch += 1;
    let (epoch, quorum) = (pg.epoch, pg.quorum);
    for s in pg.slots.iter().flatten() {
        st.segments[s.index()].member_epoch = epoch;
    }
    k.emit(Event::MembershipChanged {
        pg: pg_id,
        epoch,
        quorum,
    });
}
