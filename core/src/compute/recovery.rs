//! Crash recovery when a writer opens the volume (P17 §4.3, P18 §2.4), as messages on the wire:
//!
//! 1. ask every segment for its SCL, and wait for a read quorum (3 of 6) of every PG;
//! 2. recompute PGCLs, VCL and VDL from the answers;
//! 3. annul every record above VDL up to VDL + LAL (the truncation range), which bounds anything
//!    the old writer could have issued, and
//! 4. write the truncation with a new volume epoch to a write quorum of every PG: storage then
//!    refuses requests from older epochs, so an old writer is fenced at once, with no lease to
//!    wait out;
//! 5. open: new LSNs start above the truncation range. There is no redo replay: storage
//!    materialises pages itself. A PG without a read quorum holds recovery until it has one.
//!
//! Around the storage protocol are the phases that take the time: before it, the instance and
//! its engine restart (a crashed writer coming back; in a failover, the promotion is this
//! phase); after the open, undo of the transactions that were in flight runs in the
//! background while the database serves (P17 §4.3). The protocol itself is a few round trips,
//! which is why recovery stays under P17's 10 s: no redo is replayed.

use crate::compute::read::Reply;
use crate::compute::Compute;
use crate::engine::{Due, Kernel, Payload};
use crate::event::{Event, MsgKind, RecoveryPhase};
use crate::ids::{NodeId, SegmentId};
use crate::invariants::Checker;
use crate::lsn::Lsn;
use crate::metrics::Metrics;
use crate::quorum::{Kind, SlotMask, MAX_SLOTS};
use crate::storage::Storage;
use crate::time::{SimDuration, SimTime};
use alloc::vec;
use alloc::vec::Vec;

/// How often recovery re-asks segments that have not answered. [sim default — not sourced]
pub const RECOVERY_RETRY: SimDuration = SimDuration::from_millis(500);

/// A crashed instance restarting its engine before it can open the volume: inside P17 §4.3's
/// "generally < 10 s" for recovery and FAQ-AD's restarts "< 60 s in most cases", and equal to
/// a failover's promotion, which is the same engine restart as a writer.
/// [sim default — not sourced]
pub const ENGINE_RESTART_TIME: SimDuration = SimDuration::from_millis(6_500);
/// Rolling back one transaction that was in flight at the crash, after the open, alongside
/// user traffic (P17 §4.3 says undo runs then; it gives no time). [sim default — not sourced]
pub const UNDO_PER_TXN: SimDuration = SimDuration::from_millis(2);

/// A recovery in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Recovery {
    pub node: NodeId,
    pub started: SimTime,
    /// The engine is still starting; the storage protocol has not begun.
    pub restarting: bool,
    /// When the storage protocol began.
    pub storage_started: SimTime,
    restart: SimDuration,
    /// Transactions in flight at the crash: undone after the open.
    in_flight: u32,
    /// Past step 2: the truncation is being written.
    pub truncating: bool,
    /// Per PG: which slots answered, and their SCLs (then: which acknowledged the truncation).
    answered: Vec<SlotMask>,
    scls: Vec<[u64; MAX_SLOTS]>,
    /// Per PG: a copy complete to this point is complete to VDL.
    from: Vec<Lsn>,
    pub vdl: Lsn,
    pub end: Lsn,
    pub epoch: u32,
}

/// Starts recovery on `node`, which becomes the writer: after `restart` of engine start (zero
/// when a promotion already restarted it), the storage protocol; `in_flight` transactions are
/// undone once the volume is open.
pub(crate) fn begin(
    k: &mut Kernel,
    c: &mut Compute,
    st: &Storage,
    node: NodeId,
    restart: SimDuration,
    in_flight: u32,
) {
    c.writer.node = node;
    let pgs = st.pgs.len();
    let restarting = restart > SimDuration::ZERO;
    c.recovery = Some(Recovery {
        node,
        started: k.now,
        restarting,
        storage_started: k.now,
        restart,
        in_flight,
        truncating: false,
        answered: vec![0; pgs],
        scls: vec![[0; MAX_SLOTS]; pgs],
        from: vec![Lsn::ZERO; pgs],
        vdl: Lsn::ZERO,
        end: Lsn::ZERO,
        epoch: st.volume_epoch + 1,
    });
    k.emit(Event::RecoveryStarted { node });
    if restarting {
        k.schedule_in(restart, Due::EngineStarted(node));
    } else {
        ask(k, c, st);
    }
    k.schedule_in(RECOVERY_RETRY, Due::RecoveryRetry);
}

/// The engine on `node` is up: the storage protocol begins.
pub(crate) fn on_engine_started(k: &mut Kernel, c: &mut Compute, st: &Storage, node: NodeId) {
    let Some(r) = &mut c.recovery else {
        return;
    };
    // A stale timer from an earlier restart that was cut short by another crash.
    if r.node != node || !r.restarting || k.now - r.started < r.restart {
        return;
    }
    r.restarting = false;
    r.storage_started = k.now;
    let took = r.restart;
    k.emit(Event::RecoveryPhaseDone {
        node,
        phase: RecoveryPhase::Restart,
        took,
        txns: 0,
    });
    ask(k, c, st);
}

/// Records that the engine was already restarted for `took` before this recovery began (a
/// failover's promotion, a re-created writer), so the recovery's phases show it.
pub(crate) fn note_restart(c: &mut Compute, took: SimDuration) {
    if let Some(r) = c.recovery.as_mut().filter(|r| !r.restarting) {
        r.restart = took;
    }
}

/// Background undo on `node` finished.
pub(crate) fn on_undo_done(k: &mut Kernel, metrics: &mut Metrics, node: NodeId, txns: u32) {
    let took = UNDO_PER_TXN.saturating_mul(txns as u64);
    if let Some(p) = metrics.recovery_phases.last_mut() {
        p.undo = Some(took);
    }
    k.emit(Event::RecoveryPhaseDone {
        node,
        phase: RecoveryPhase::Undo,
        took,
        txns,
    });
}

/// Sends the current step's request to every member that has not answered it.
fn ask(k: &mut Kernel, c: &Compute, st: &Storage) {
    let Some(r) = c.recovery.as_ref().filter(|r| !r.restarting) else {
        return;
    };
    for (i, pg) in st.pgs.iter().enumerate() {
        for (slot, seg) in pg.member_slots() {
            if r.answered.get(i).is_some_and(|a| a & (1 << slot) != 0) {
                continue;
            }
            let to = st.segments[seg.index()].node;
            let (kind, payload) = if r.truncating {
                (
                    MsgKind::Truncate,
                    Payload::Truncate {
                        seg,
                        from: r.from.get(i).copied().unwrap_or(r.vdl),
                        vdl: r.vdl,
                        end: r.end,
                        epoch: r.epoch,
                    },
                )
            } else {
                (MsgKind::RecoveryScan, Payload::RecoveryScan { seg })
            };
            k.send(r.node, to, kind, 64, payload);
        }
    }
}

pub(crate) fn on_retry(k: &mut Kernel, c: &Compute, st: &Storage) {
    if c.recovery.is_some() {
        ask(k, c, st);
        k.schedule_in(RECOVERY_RETRY, Due::RecoveryRetry);
    }
}

/// At a segment: report SCL.
pub(crate) fn on_scan(k: &mut Kernel, st: &Storage, from: NodeId, seg: SegmentId) {
    let Some(s) = st.segments.get(seg.index()) else {
        return;
    };
    if s.health != crate::event::SegmentHealth::Healthy {
        return;
    }
    let (node, scl) = (s.node, s.scl);
    k.send(
        node,
        from,
        MsgKind::RecoveryScl,
        64,
        Payload::RecoveryScl { seg, scl },
    );
}

/// Records which slot of which PG answered; true once every PG has a quorum of the given kind.
fn note(c: &mut Compute, st: &Storage, seg: SegmentId, scl: Lsn, kind: Kind) -> bool {
    let Some(s) = st.segments.get(seg.index()) else {
        return false;
    };
    let (pg, slot) = (s.pg.index(), s.slot);
    let Some(r) = &mut c.recovery else {
        return false;
    };
    if st.pgs[pg].slots[slot as usize] != Some(seg) {
        return false;
    }
    r.answered[pg] |= 1 << slot;
    r.scls[pg][slot as usize] = scl.0;
    st.pgs
        .iter()
        .zip(&r.answered)
        .all(|(pg, &a)| pg.quorum.satisfied(kind, a))
}

/// At the new writer: an SCL. With a read quorum of every PG, compute VDL and truncate.
pub(crate) fn on_scl(k: &mut Kernel, c: &mut Compute, st: &Storage, seg: SegmentId, scl: Lsn) {
    if c.recovery.as_ref().is_none_or(|r| r.truncating) || !note(c, st, seg, scl, Kind::Read) {
        return;
    }
    let Some(r) = &mut c.recovery else {
        return;
    };
    // Step 2: a record that reached a write quorum is on at least one member of any read
    // quorum, so the highest SCL answered is where the PG can be rebuilt to.
    let points: Vec<Lsn> = r
        .scls
        .iter()
        .zip(&r.answered)
        .map(|(scls, &a)| {
            (0..MAX_SLOTS)
                .filter(|s| a & (1 << s) != 0)
                .map(|s| Lsn(scls[s]))
                .max()
                .unwrap_or(Lsn::ZERO)
        })
        .collect();
    let (vdl, end) = c.writer.log.recover(&points);
    // A copy at its PG's last record at or below VDL is complete to VDL.
    r.from = (0..points.len() as u32)
        .map(|pg| c.writer.log.complete_from(pg, vdl))
        .collect();
    r.vdl = vdl;
    r.end = end;
    r.truncating = true;
    for a in &mut r.answered {
        *a = 0;
    }
    ask(k, c, st);
}

/// At a segment: annul the truncated range and adopt the new volume epoch.
#[allow(clippy::too_many_arguments)]
pub(crate) fn on_truncate(
    k: &mut Kernel,
    st: &mut Storage,
    writer: NodeId,
    seg: SegmentId,
    from: Lsn,
    vdl: Lsn,
    end: Lsn,
    epoch: u32,
) {
    let Some(s) = st.segments.get_mut(seg.index()) else {
        return;
    };
    if !s.has_data() {
        return;
    }
    s.truncate(from, vdl, end);
    s.volume_epoch = s.volume_epoch.max(epoch);
    let (node, scl) = (s.node, s.scl);
    k.send(
        node,
        writer,
        MsgKind::TruncateAck,
        64,
        Payload::TruncateAck { seg, scl },
    );
}

/// At the new writer: a truncation acknowledged. With a write quorum of every PG, open; returns
/// the node that opened the volume, for the failover to finish with.
#[allow(clippy::too_many_arguments)]
pub(crate) fn on_truncate_ack(
    k: &mut Kernel,
    c: &mut Compute,
    st: &mut Storage,
    metrics: &mut Metrics,
    checker: &mut Checker,
    seg: SegmentId,
    scl: Lsn,
) -> Option<NodeId> {
    if c.recovery.as_ref().is_none_or(|r| !r.truncating) || !note(c, st, seg, scl, Kind::Write) {
        return None;
    }
    let r = c.recovery.take()?;
    st.volume_epoch = r.epoch;
    // The epoch is now durable in the storage metadata: every segment refuses older writers.
    for s in st.segments.iter_mut() {
        s.volume_epoch = s.volume_epoch.max(r.epoch);
    }
    let (dropped, replies) = c.writer.reopen(r.epoch, |pg, slot| {
        if r.answered[pg] & (1 << slot) != 0 {
            r.scls[pg][slot]
        } else {
            0
        }
    });
    metrics.txn_errors += dropped;
    for reply in replies {
        if let Reply::Client { client, req } = reply {
            crate::compute::read::respond(k, r.node, client, req, false);
        }
    }
    checker.reset_points(c.writer.log.vcl(), c.writer.log.vdl());
    metrics.recoveries.push(k.now - r.started);
    let storage = k.now - r.storage_started;
    metrics
        .recovery_phases
        .push(crate::metrics::RecoveryPhases {
            restart: r.restart,
            storage,
            undo: None,
            undo_txns: r.in_flight,
        });
    k.emit(Event::RecoveryPhaseDone {
        node: r.node,
        phase: RecoveryPhase::Storage,
        took: storage,
        txns: 0,
    });
    k.schedule_in(
        UNDO_PER_TXN.saturating_mul(r.in_flight as u64),
        Due::UndoDone {
            node: r.node,
            txns: r.in_flight,
        },
    );
    k.emit(Event::VolumeRecovered {
        vdl: r.vdl,
        truncated_upto: r.end,
        epoch: r.epoch,
    });
    crate::storage::repair::evaluate_quorums(k, st, c.writer.node, metrics);
    Some(r.node)
}
