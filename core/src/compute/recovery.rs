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

use crate::compute::read::Reply;
use crate::dispatch::Model;
use crate::engine::{Due, Kernel, Payload};
use crate::event::{Event, MsgKind};
use crate::ids::{NodeId, SegmentId};
use crate::lsn::Lsn;
use crate::quorum::{Kind, SlotMask, MAX_SLOTS};
use crate::time::{SimDuration, SimTime};
use alloc::vec;
use alloc::vec::Vec;

/// How often recovery re-asks segments that have not answered. [sim default — not sourced]
pub const RECOVERY_RETRY: SimDuration = SimDuration::from_millis(500);

/// A recovery in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Recovery {
    pub node: NodeId,
    pub started: SimTime,
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

/// Starts recovery on `node`, which becomes the writer.
pub(crate) fn begin(k: &mut Kernel, m: &mut Model, node: NodeId) {
    m.compute.writer.node = node;
    let pgs = m.storage.pgs.len();
    m.compute.recovery = Some(Recovery {
        node,
        started: k.now,
        truncating: false,
        answered: vec![0; pgs],
        scls: vec![[0; MAX_SLOTS]; pgs],
        from: vec![Lsn::ZERO; pgs],
        vdl: Lsn::ZERO,
        end: Lsn::ZERO,
        epoch: m.storage.volume_epoch + 1,
    });
    k.emit(Event::RecoveryStarted { node });
    ask(k, m);
    k.schedule_in(RECOVERY_RETRY, Due::RecoveryRetry);
}

/// Sends the current step's request to every member that has not answered it.
fn ask(k: &mut Kernel, m: &mut Model) {
    let Some(r) = &m.compute.recovery else {
        return;
    };
    for (i, pg) in m.storage.pgs.iter().enumerate() {
        for (slot, seg) in pg.member_slots() {
            if r.answered.get(i).is_some_and(|a| a & (1 << slot) != 0) {
                continue;
            }
            let to = m.storage.segments[seg.index()].node;
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

pub(crate) fn on_retry(k: &mut Kernel, m: &mut Model) {
    if m.compute.recovery.is_some() {
        ask(k, m);
        k.schedule_in(RECOVERY_RETRY, Due::RecoveryRetry);
    }
}

/// At a segment: report SCL.
pub(crate) fn on_scan(k: &mut Kernel, m: &mut Model, from: NodeId, seg: SegmentId) {
    let Some(s) = m.storage.segments.get(seg.index()) else {
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
fn note(m: &mut Model, seg: SegmentId, scl: Lsn, kind: Kind) -> bool {
    let Some(s) = m.storage.segments.get(seg.index()) else {
        return false;
    };
    let (pg, slot) = (s.pg.index(), s.slot);
    let Some(r) = &mut m.compute.recovery else {
        return false;
    };
    if m.storage.pgs[pg].slots[slot as usize] != Some(seg) {
        return false;
    }
    r.answered[pg] |= 1 << slot;
    r.scls[pg][slot as usize] = scl.0;
    m.storage
        .pgs
        .iter()
        .zip(&r.answered)
        .all(|(pg, &a)| pg.quorum.satisfied(kind, a))
}

/// At the new writer: an SCL. With a read quorum of every PG, compute VDL and truncate.
pub(crate) fn on_scl(k: &mut Kernel, m: &mut Model, seg: SegmentId, scl: Lsn) {
    if m.compute.recovery.as_ref().is_none_or(|r| r.truncating) || !note(m, seg, scl, Kind::Read) {
        return;
    }
    let Some(r) = &mut m.compute.recovery else {
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
    let (vdl, end) = m.compute.writer.log.recover(&points);
    // A copy at its PG's last record at or below VDL is complete to VDL.
    r.from = (0..points.len() as u32)
        .map(|pg| m.compute.writer.log.complete_from(pg, vdl))
        .collect();
    r.vdl = vdl;
    r.end = end;
    r.truncating = true;
    for a in &mut r.answered {
        *a = 0;
    }
    ask(k, m);
}

/// At a segment: annul the truncated range and adopt the new volume epoch.
#[allow(clippy::too_many_arguments)]
pub(crate) fn on_truncate(
    k: &mut Kernel,
    m: &mut Model,
    writer: NodeId,
    seg: SegmentId,
    from: Lsn,
    vdl: Lsn,
    end: Lsn,
    epoch: u32,
) {
    let Some(s) = m.storage.segments.get_mut(seg.index()) else {
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

/// At the new writer: a truncation acknowledged. With a write quorum of every PG, open.
pub(crate) fn on_truncate_ack(k: &mut Kernel, m: &mut Model, seg: SegmentId, scl: Lsn) {
    if m.compute.recovery.as_ref().is_none_or(|r| !r.truncating) || !note(m, seg, scl, Kind::Write)
    {
        return;
    }
    let Some(r) = m.compute.recovery.take() else {
        return;
    };
    let st = &mut m.storage;
    st.volume_epoch = r.epoch;
    // The epoch is now durable in the storage metadata: every segment refuses older writers.
    for s in st.segments.iter_mut() {
        s.volume_epoch = s.volume_epoch.max(r.epoch);
    }
    let (dropped, replies) = m.compute.writer.reopen(r.epoch, |pg, slot| {
        if r.answered[pg] & (1 << slot) != 0 {
            r.scls[pg][slot]
        } else {
            0
        }
    });
    m.metrics.txn_errors += dropped;
    for reply in replies {
        if let Reply::Client { client, req } = reply {
            crate::client::respond(k, m, r.node, client, req, false);
        }
    }
    m.checker
        .reset_points(m.compute.writer.log.vcl(), m.compute.writer.log.vdl());
    m.metrics.recoveries.push(k.now - r.started);
    k.emit(Event::VolumeRecovered {
        vdl: r.vdl,
        truncated_upto: r.end,
        epoch: r.epoch,
    });
    crate::storage::repair::evaluate_quorums(k, m);
    crate::failover::recovery_done(k, m, r.node);
}
