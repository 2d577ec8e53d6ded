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

#[cfg(test)]
mod tests {
    //! One PG on its own (the storage bench): AZ c goes away for good, comes back, and the
    //! quorum set follows, one membership epoch at a time.

    use super::*;
    use crate::ids::NodeId;
    use crate::quorum::Kind;
    use crate::storage::harness::Group;
    use crate::time::SimTime;
    use crate::topology::NodeKind;

    const AZ_C: AzId = AzId(2);

    /// A PG that has taken `records` records, then loses every storage node of AZ c.
    fn az_c_gone(records: u64) -> (Group, Lsn, Vec<NodeId>) {
        let mut g = Group::new(1);
        let last = g.write(records);
        g.run_for(SimDuration::from_secs(1));
        let nodes: Vec<NodeId> = g.k.topo.in_az(NodeKind::Storage, AZ_C).collect();
        for &n in &nodes {
            g.crash(n);
        }
        az_failed(&g.k, &mut g.st, AZ_C);
        (g, last, nodes)
    }

    fn at(g: &mut Group, since: SimTime, d: SimDuration) {
        g.k.now = since + d;
    }

    /// The lowest `n` slots of `mask`.
    fn lowest(mask: SlotMask, n: u32) -> SlotMask {
        let mut out: SlotMask = 0;
        for slot in 0..8 {
            if out.count_ones() < n && mask & (1 << slot) != 0 {
                out |= 1 << slot;
            }
        }
        out
    }

    #[test]
    fn a_pg_moves_to_three_of_four_only_after_the_az_has_been_gone_long_enough() {
        let (mut g, last, _) = az_c_gone(10);
        let (since, epoch) = (g.k.now, g.st.pgs[0].epoch);
        at(
            &mut g,
            since,
            SimDuration::from_micros(DEGRADED_QUORUM_AFTER.as_micros() - 1_000_000),
        );
        tend(&mut g.k, &mut g.st, |_| last);
        assert!(g.st.pgs[0].degraded.is_none(), "not yet: it may come back");
        at(&mut g, since, DEGRADED_QUORUM_AFTER);
        tend(&mut g.k, &mut g.st, |_| last);
        let pg = &g.st.pgs[0];
        let Some(d) = pg.degraded else {
            panic!("degraded after {DEGRADED_QUORUM_AFTER:?}")
        };
        assert_eq!((d.az, d.restoring), (AZ_C, false));
        assert_eq!(pg.epoch, epoch + 1, "through a membership epoch");
        let survivors = pg.quorum.members();
        assert_eq!(survivors.count_ones(), 4);
        assert_eq!(survivors & d.gone, 0, "AZ c's copies are no longer members");
        assert!(pg.quorum.satisfied(Kind::Write, lowest(survivors, 3)));
        assert!(!pg.quorum.satisfied(Kind::Write, lowest(survivors, 2)));
        assert!(pg.quorum.satisfied(Kind::Read, lowest(survivors, 2)));
        assert_eq!(g.st.degradations, 1);
    }

    #[test]
    fn the_way_back_needs_both_sets_then_the_returned_copies_caught_up() {
        let (mut g, last, nodes) = az_c_gone(10);
        let since = g.k.now;
        at(&mut g, since, DEGRADED_QUORUM_AFTER);
        tend(&mut g.k, &mut g.st, |_| last);
        let Some(d) = g.st.pgs[0].degraded else {
            panic!("degraded")
        };
        let survivors = g.st.pgs[0].quorum.members();
        for &n in &nodes {
            g.restart(n);
        }
        az_returned(&mut g.st, AZ_C);
        tend(&mut g.k, &mut g.st, |_| last);
        let pg = &g.st.pgs[0];
        assert!(pg.degraded.is_some_and(|d| d.restoring));
        assert!(pg.quorum.in_transition());
        // Writes need 4/6 of all AND 3/4 of the survivors: three survivors are not enough,
        // three and one returned copy are.
        let three = lowest(survivors, 3);
        assert!(!pg.quorum.satisfied(Kind::Write, three));
        assert!(pg.quorum.satisfied(Kind::Write, three | lowest(d.gone, 1)));
        // The returned copies missed what was written while they were gone: the degraded set
        // stays until they reach the writer's PGCL.
        let newer = Lsn(last.0 + 5);
        tend(&mut g.k, &mut g.st, |_| newer);
        assert!(g.st.pgs[0].degraded.is_some(), "behind: still restoring");
        for (slot, s) in g.st.pgs[0].slots.clone().iter().enumerate() {
            if let Some(s) = s.filter(|_| d.gone & (1 << slot) != 0) {
                g.st.segments[s.index()].scl = newer;
            }
        }
        let epoch = g.st.pgs[0].epoch;
        tend(&mut g.k, &mut g.st, |_| newer);
        let pg = &g.st.pgs[0];
        assert!(pg.degraded.is_none());
        assert!(!pg.quorum.in_transition());
        assert_eq!(pg.quorum.members().count_ones(), 6);
        assert!(!pg.quorum.satisfied(Kind::Write, three));
        assert_eq!(pg.epoch, epoch + 1);
        assert_eq!((g.st.degradations, g.st.restorations), (1, 1));
    }

    #[test]
    fn an_az_back_before_the_delay_leaves_the_pg_as_it_was() {
        let (mut g, last, nodes) = az_c_gone(10);
        let (since, epoch) = (g.k.now, g.st.pgs[0].epoch);
        for &n in &nodes {
            g.restart(n);
        }
        az_returned(&mut g.st, AZ_C);
        assert!(!active(&g.st));
        at(
            &mut g,
            since,
            SimDuration::from_micros(DEGRADED_QUORUM_AFTER.as_micros() * 2),
        );
        tend(&mut g.k, &mut g.st, |_| last);
        assert!(g.st.pgs[0].degraded.is_none());
        assert_eq!(g.st.pgs[0].epoch, epoch);
    }
}
