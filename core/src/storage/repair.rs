//! Self-healing: failures are detected by the storage control plane and repaired by
//! re-replicating from surviving copies, through a quorum membership change (P18 §4.1).
//!
//! Replacing a failed member F with a new segment G takes two epochs:
//!
//! 1. epoch e+1: the write quorum is `4/6 of ABCDEF AND 4/6 of ABCDEG`, the read quorum either.
//!    G receives new writes at once and is hydrated by a bulk copy from a healthy peer at the
//!    modelled bandwidth (10 GB at 10 Gbps ≈ 8 s, P17 §2.2).
//! 2. epoch e+2: if F is still gone, the set moves forward to `ABCDEG`; if F came back first,
//!    it reverts to `ABCDEF` and G is dropped. Either target was satisfied by every write of
//!    step 1, so neither loses anything, and no write or read waited for the change.

use super::volume::{new_segment, pick_nodes};
use super::{Repair, Storage};
use crate::engine::{Kernel, Payload};
use crate::event::{DeferReason, Event, RepairOutcome, SegmentHealth};
use crate::ids::{NodeId, PgId, SegmentId};
use crate::lsn::Lsn;
use crate::metrics::Metrics;
use crate::quorum::{Kind, MAX_SLOTS};
use alloc::vec::Vec;

/// What storage's control plane needs of the rest of the cluster: the writer's node (quorums
/// are counted from it and acknowledgements go to it), the figures, and, handed back, the new
/// members whose slot the writer must count from nothing.
pub(crate) struct Cluster<'a> {
    pub writer: NodeId,
    pub metrics: &'a mut Metrics,
    /// New members, (PG, slot), in the order they were added.
    pub new_members: Vec<(PgId, u8)>,
}

impl<'a> Cluster<'a> {
    pub(crate) fn new(writer: NodeId, metrics: &'a mut Metrics) -> Self {
        Cluster {
            writer,
            metrics,
            new_members: Vec::new(),
        }
    }
}

/// Marks every segment on a crashed storage node unavailable and arms failure detection.
pub(crate) fn node_went_down(k: &mut Kernel, st: &mut Storage, cl: &mut Cluster, node: NodeId) {
    let Some(segs) = st.storage_node(node).map(|sn| sn.segments.clone()) else {
        return;
    };
    let incarnation = k.topo.node(node).incarnation;
    for seg in segs {
        let s = &st.segments[seg.index()];
        if s.health == SegmentHealth::Healthy || s.health == SegmentHealth::Hydrating {
            k.emit(Event::SegmentHealthChanged {
                seg,
                pg: s.pg,
                health: SegmentHealth::Unavailable,
            });
            if !st.failed_at.iter().any(|(f, _)| *f == seg) {
                st.failed_at.push((seg, k.now));
            }
        }
    }
    let after = st.config.node_failure_detection;
    k.schedule_in(after, crate::engine::Due::DetectNode { node, incarnation });
    evaluate_quorums(k, st, cl.writer, cl.metrics);
}

/// A storage node is back: its segments (disks intact) rejoin and catch up by gossip.
pub(crate) fn node_came_up(k: &mut Kernel, st: &mut Storage, cl: &mut Cluster, node: NodeId) {
    let Some(segs) = st.storage_node(node).map(|sn| sn.segments.clone()) else {
        return;
    };
    for seg in segs {
        let s = &st.segments[seg.index()];
        if s.health == SegmentHealth::Healthy {
            k.emit(Event::SegmentHealthChanged {
                seg,
                pg: s.pg,
                health: SegmentHealth::Healthy,
            });
            st.failed_at.retain(|(f, _)| *f != seg);
        }
    }
    retry_deferred(k, st, cl);
    evaluate_quorums(k, st, cl.writer, cl.metrics);
}

/// A disk failed: the segment's data is gone.
pub(crate) fn lose_segment(k: &mut Kernel, st: &mut Storage, cl: &mut Cluster, seg: SegmentId) {
    let s = &mut st.segments[seg.index()];
    s.health = SegmentHealth::Lost;
    s.scl = Lsn::ZERO;
    s.pending.clear();
    let pg = s.pg;
    k.emit(Event::SegmentHealthChanged {
        seg,
        pg,
        health: SegmentHealth::Lost,
    });
    st.failed_at.retain(|(f, _)| *f != seg);
    st.failed_at.push((seg, k.now));
    let after = st.config.segment_loss_detection;
    k.schedule_in(after, crate::engine::Due::DetectSegment(seg));
    evaluate_quorums(k, st, cl.writer, cl.metrics);
}

/// Detection timer for a node that went down: if it is still down, repair its segments.
pub(crate) fn on_detect_node(
    k: &mut Kernel,
    st: &mut Storage,
    cl: &mut Cluster,
    node: NodeId,
    incarnation: u32,
) {
    let n = k.topo.node(node);
    if n.up || n.incarnation != incarnation {
        return;
    }
    let segs: Vec<SegmentId> = st
        .storage_node(node)
        .map(|sn| sn.segments.clone())
        .unwrap_or_default();
    for seg in segs {
        start_repair(k, st, cl, seg);
    }
}

pub(crate) fn on_detect_segment(
    k: &mut Kernel,
    st: &mut Storage,
    cl: &mut Cluster,
    seg: SegmentId,
) {
    if st.segments[seg.index()].health == SegmentHealth::Lost {
        start_repair(k, st, cl, seg);
    }
}

/// Is this member unusable: its data gone, or its node down?
fn failed(k: &Kernel, st: &Storage, seg: SegmentId) -> bool {
    let s = &st.segments[seg.index()];
    s.health == SegmentHealth::Lost || !k.topo.is_up(s.node)
}

/// Begins replacing failed member `failed` (P18 §4.1 step 1), or defers it if no node in its AZ
/// can host the replacement or no healthy peer can be the source.
pub(crate) fn start_repair(
    k: &mut Kernel,
    st: &mut Storage,
    cl: &mut Cluster,
    failed_seg: SegmentId,
) {
    let f = &st.segments[failed_seg.index()];
    let pg_id = f.pg;
    let pg = &st.pgs[pg_id.index()];
    let is_member = pg.member_slots().any(|(_, s)| s == failed_seg);
    let in_flight = st.repairs.iter().any(|r| r.failed == failed_seg);
    if !is_member || in_flight || !failed(k, st, failed_seg) {
        return;
    }
    let az = k.topo.node(f.node).az;
    let holders: Vec<NodeId> = pg
        .slots
        .iter()
        .flatten()
        .map(|s| st.segments[s.index()].node)
        .collect();
    let free_slot = (0..MAX_SLOTS as u8).find(|&i| pg.slots[i as usize].is_none());
    let target = az.and_then(|az| pick_nodes(k, st, az, 1, &holders, true).first().copied());
    // The source: the most complete healthy member the target can reach.
    let source = pg
        .member_slots()
        .map(|(_, s)| &st.segments[s.index()])
        .filter(|s| s.health == SegmentHealth::Healthy && k.topo.is_up(s.node))
        .filter(|s| target.is_some_and(|t| !k.net.blocked(&k.topo, s.node, t)))
        .max_by_key(|s| (s.scl, core::cmp::Reverse(s.id)))
        .map(|s| s.id);
    let change = free_slot.and_then(|slot| pg.quorum.begin_replace(f.slot, slot).ok());
    let (target, source, new_slot, quorum) = match (target, source, free_slot, change) {
        (Some(t), Some(s), Some(slot), Some(q)) => (t, s, slot, q),
        (None, ..) => return defer(k, st, pg_id, failed_seg, DeferReason::NoNode),
        (_, None, ..) => return defer(k, st, pg_id, failed_seg, DeferReason::NoSource),
        _ => return defer(k, st, pg_id, failed_seg, DeferReason::ChangesInFlight),
    };
    st.deferred.retain(|&s| s != failed_seg);
    let failed_at = st
        .failed_at
        .iter()
        .find(|(s, _)| *s == failed_seg)
        .map_or(k.now, |(_, t)| *t);
    let g = new_segment(
        st,
        pg_id,
        target,
        new_slot,
        Lsn::ZERO,
        SegmentHealth::Hydrating,
        k.now,
    );
    let pg = &mut st.pgs[pg_id.index()];
    pg.slots[new_slot as usize] = Some(g);
    pg.quorum = quorum;
    let bytes = pg.data_bytes;
    bump_epoch(k, st, pg_id);
    cl.new_members.push((pg_id, new_slot));
    k.emit(Event::SegmentHealthChanged {
        seg: g,
        pg: pg_id,
        health: SegmentHealth::Hydrating,
    });
    k.emit(Event::RepairStarted {
        pg: pg_id,
        failed: failed_seg,
        replacement: g,
        source,
        bytes,
    });
    st.repairs.push(Repair {
        pg: pg_id,
        failed: failed_seg,
        replacement: g,
        source,
        failed_at,
        started: k.now,
    });
    // The control plane's own work, then the copy at bulk bandwidth.
    let setup = st.config.repair_setup;
    let src = &st.segments[source.index()];
    let (from, upto) = (src.node, src.scl);
    k.send_bulk(
        from,
        target,
        bytes,
        setup,
        Payload::RepairCopy {
            pg: pg_id,
            seg: g,
            upto,
        },
    );
    evaluate_quorums(k, st, cl.writer, cl.metrics);
}

/// Records that a repair must wait, once per failed segment.
fn defer(k: &mut Kernel, st: &mut Storage, pg: PgId, failed: SegmentId, reason: DeferReason) {
    if !st.deferred.contains(&failed) {
        st.deferred.push(failed);
        k.emit(Event::RepairDeferred { pg, failed, reason });
    }
}

/// The copy arrived: the replacement is hydrated. Finish the change (P18 §4.1 step 2).
pub(crate) fn on_repair_copy(
    k: &mut Kernel,
    st: &mut Storage,
    cl: &mut Cluster,
    pg_id: PgId,
    g: SegmentId,
    upto: Lsn,
) {
    let Some(ri) = st.repairs.iter().position(|r| r.replacement == g) else {
        return;
    };
    let repair = st.repairs.remove(ri);
    let s = &mut st.segments[g.index()];
    s.health = SegmentHealth::Healthy;
    s.fill_to(upto);
    let g_slot = s.slot;
    k.emit(Event::SegmentHealthChanged {
        seg: g,
        pg: pg_id,
        health: SegmentHealth::Healthy,
    });
    let f_failed = failed(k, st, repair.failed);
    let f_slot = st.segments[repair.failed.index()].slot;
    let (leaving, retired, outcome) = if f_failed {
        (f_slot, repair.failed, RepairOutcome::Replaced)
    } else {
        (g_slot, g, RepairOutcome::Reverted)
    };
    finish(k, st, pg_id, leaving, retired);
    let took = k.now - repair.failed_at;
    k.emit(Event::RepairFinished {
        pg: pg_id,
        replacement: g,
        outcome,
        took,
    });
    cl.metrics.repairs.push((pg_id, took));
    st.failed_at.retain(|(f, _)| *f != repair.failed);
    // A change ended: repairs that waited for one may start.
    retry_deferred(k, st, cl);
    if outcome == RepairOutcome::Replaced {
        // Tell the writer what the new member holds, so it counts toward PGCL at once.
        super::segment::acknowledge(k, st, cl.writer, g);
    }
    evaluate_quorums(k, st, cl.writer, cl.metrics);
}

/// The copy never arrived (its target failed): undo the change and try again later.
pub(crate) fn copy_failed(k: &mut Kernel, st: &mut Storage, cl: &mut Cluster, g: SegmentId) {
    let Some(ri) = st.repairs.iter().position(|r| r.replacement == g) else {
        return;
    };
    let repair = st.repairs.remove(ri);
    let g_slot = st.segments[g.index()].slot;
    finish(k, st, repair.pg, g_slot, g);
    let after = st.config.segment_loss_detection;
    k.schedule_in(after, crate::engine::Due::DetectSegment(repair.failed));
    retry_deferred(k, st, cl);
    evaluate_quorums(k, st, cl.writer, cl.metrics);
}

/// Drops `leaving` from the PG's quorum set and retires its segment.
fn finish(k: &mut Kernel, st: &mut Storage, pg_id: PgId, leaving: u8, retired: SegmentId) {
    let pg = &mut st.pgs[pg_id.index()];
    pg.quorum = pg.quorum.drop_member(leaving);
    if pg.quorum.members() & (1 << leaving) == 0 {
        pg.slots[leaving as usize] = None;
    }
    let s = &mut st.segments[retired.index()];
    s.health = SegmentHealth::Retired;
    s.pending.clear();
    let node = s.node;
    if let Some(sn) = st.storage_node_mut(node) {
        sn.segments.retain(|&x| x != retired);
    }
    k.emit(Event::SegmentHealthChanged {
        seg: retired,
        pg: pg_id,
        health: SegmentHealth::Retired,
    });
    bump_epoch(k, st, pg_id);
}

/// Bumps the PG's membership epoch and tells its members (the write goes to a quorum of them
/// through the storage metadata service; the model applies it at once).
fn bump_epoch(k: &mut Kernel, st: &mut Storage, pg_id: PgId) {
    let pg = &mut st.pgs[pg_id.index()];
    pg.epoch += 1;
    let (epoch, quorum) = (pg.epoch, pg.quorum);
    let members: Vec<SegmentId> = pg.slots.iter().flatten().copied().collect();
    for s in members {
        st.segments[s.index()].member_epoch = epoch;
    }
    k.emit(Event::MembershipChanged {
        pg: pg_id,
        epoch,
        quorum,
    });
}

/// Tries the waiting repairs again; forgets those whose segment is back.
fn retry_deferred(k: &mut Kernel, st: &mut Storage, cl: &mut Cluster) {
    for seg in st.deferred.clone() {
        if failed(k, st, seg) {
            start_repair(k, st, cl, seg);
        } else {
            st.deferred.retain(|&s| s != seg);
        }
    }
}

/// Re-evaluates, for every PG, whether the writer can reach a write and a read quorum of its
/// segments, and emits the changes. Runs after every fault, heal and membership change.
/// `writer` is the writer's node; the figures note when writes became unavailable.
pub(crate) fn evaluate_quorums(
    k: &mut Kernel,
    st: &mut Storage,
    writer: NodeId,
    metrics: &mut Metrics,
) {
    let mut any_write_lost = false;
    for i in 0..st.pgs.len() {
        let pg = &st.pgs[i];
        let mut avail = 0u8;
        for (slot, seg) in pg.member_slots() {
            let s = &st.segments[seg.index()];
            let reachable = k.topo.is_up(s.node) && !k.net.blocked(&k.topo, writer, s.node);
            if s.health == SegmentHealth::Healthy && reachable {
                avail |= 1 << slot;
            }
        }
        let write_ok = pg.quorum.satisfied(Kind::Write, avail);
        let read_ok = pg.quorum.satisfied(Kind::Read, avail);
        let (was_w, was_r, id) = (pg.write_ok, pg.read_ok, pg.id);
        let available = avail.count_ones() as u8;
        if write_ok != was_w {
            k.emit(if write_ok {
                Event::WriteQuorumRegained { pg: id }
            } else {
                Event::WriteQuorumLost { pg: id, available }
            });
        }
        if read_ok != was_r {
            k.emit(if read_ok {
                Event::ReadQuorumRegained { pg: id }
            } else {
                Event::ReadQuorumLost { pg: id, available }
            });
        }
        let pg = &mut st.pgs[i];
        pg.write_ok = write_ok;
        pg.read_ok = read_ok;
        any_write_lost |= !write_ok;
    }
    metrics.set_write_unavailable(k.now, any_write_lost);
}
