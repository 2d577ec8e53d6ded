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
use crate::event::{Event, RecoveryPhase};
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
    /// When the current step's requests were last sent: the retry timer re-asks only members
    /// that have had a whole retry interval to answer.
    asked_at: SimTime,
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
        asked_at: k.now,
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
fn ask(k: &mut Kernel, c: &mut Compute, st: &Storage) {
    let Some(r) = c.recovery.as_mut().filter(|r| !r.restarting) else {
        return;
    };
    r.asked_at = k.now;
    let r = &*r;
    for (i, pg) in st.pgs.iter().enumerate() {
        for (slot, seg) in pg.member_slots() {
            if r.answered.get(i).is_some_and(|a| a & (1 << slot) != 0) {
                continue;
            }
            let to = st.segments[seg.index()].node;
            let payload = if r.truncating {
                Payload::Truncate {
                    seg,
                    from: r.from.get(i).copied().unwrap_or(r.vdl),
                    vdl: r.vdl,
                    end: r.end,
                    epoch: r.epoch,
                }
            } else {
                Payload::RecoveryScan { seg }
            };
            k.send(r.node, to, 64, payload);
        }
    }
}

/// The retry timer: members that have not answered within a retry interval are asked again
/// (a request or its answer may have been lost). A step asked for just now is left alone, so the
/// timer falling on the instant the engine starts does not send the first scan twice.
pub(crate) fn on_retry(k: &mut Kernel, c: &mut Compute, st: &Storage) {
    let Some(r) = &c.recovery else {
        return;
    };
    if k.now - r.asked_at >= RECOVERY_RETRY {
        ask(k, c, st);
    }
    k.schedule_in(RECOVERY_RETRY, Due::RecoveryRetry);
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
    k.send(node, from, 64, Payload::RecoveryScl { seg, scl });
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
    k.send(node, writer, 64, Payload::TruncateAck { seg, scl });
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

#[cfg(test)]
mod tests {
    //! Crash recovery's handlers on their own: a kernel, a volume built as the storage bench
    //! builds one, the compute layer (the old writer and the instance that recovers), the
    //! figures and the checker. A few routing lines stand in for the dispatch where the
    //! protocol runs over the wire.

    use super::*;
    use crate::compute::instance::{Instance, Role, CLASSES};
    use crate::compute::writer::{Writer, WriterConfig};
    use crate::engine::Msg;
    use crate::event::MsgKind;
    use crate::event::SegmentHealth;
    use crate::ids::{AzId, PgId, RegionId};
    use crate::lsn::LAL;
    use crate::metrics::RecoveryPhases;
    use crate::net::{CROSS_AZ_JITTER, CROSS_AZ_LATENCY};
    use crate::storage::{volume, StorageConfig, PG_SIZE_BYTES};
    use crate::topology::NodeKind;

    /// The state recovery reaches.
    struct Bench {
        k: Kernel,
        c: Compute,
        st: Storage,
        metrics: Metrics,
        checker: Checker,
        /// The writer that crashed, in AZ a, and the instance that recovers, in AZ b.
        old: NodeId,
        node: NodeId,
        /// When and on which node the volume opened, as the router saw it.
        opened: Option<(SimTime, NodeId)>,
    }

    /// A volume of `pgs` PGs at volume epoch 1, its writer in AZ a and a replica in AZ b.
    fn volume(pgs: u64) -> Bench {
        let mut k = Kernel::new(1);
        let bytes = pgs * PG_SIZE_BYTES;
        let st = volume::build(
            &mut k,
            StorageConfig::default(),
            bytes,
            RegionId(0),
            Lsn::ZERO,
        );
        let old = k.topo.add(NodeKind::Instance, RegionId(0), Some(AzId(0)));
        let node = k.topo.add(NodeKind::Instance, RegionId(0), Some(AzId(1)));
        let mut c = Compute::new(
            Writer::new(old, st.pgs.len(), WriterConfig::default()),
            Instance::new(old, CLASSES[1], 1, Role::Writer),
        );
        c.instances
            .push(Instance::new(node, CLASSES[1], 1, Role::Replica));
        Bench {
            k,
            c,
            st,
            metrics: Metrics::default(),
            checker: Checker::default(),
            old,
            node,
            opened: None,
        }
    }

    /// Two PGs; the old writer crashed mid-write, before it had counted any acknowledgement:
    ///
    /// * 1–3 (PG 0) and 4–6 (PG 1) reached all six copies;
    /// * 7–9 (PG 0) reached slots 0–3, a write quorum: durable, though never acknowledged;
    /// * 10–12 (PG 1) reached only slot 5: not durable.
    ///
    /// Each range is one mini-transaction. The volume is consistent to 9.
    fn crashed_mid_write() -> Bench {
        let mut b = volume(2);
        b.write(0, 3, &[0, 1, 2, 3, 4, 5]);
        b.write(1, 3, &[0, 1, 2, 3, 4, 5]);
        b.write(0, 3, &[0, 1, 2, 3]);
        b.write(1, 3, &[5]);
        b
    }

    impl Bench {
        fn seg(&self, pg: u32, slot: usize) -> SegmentId {
            self.st.pgs[pg as usize].slots[slot].expect("a member")
        }

        fn scl(&self, pg: u32, slot: usize) -> Lsn {
            self.st.segments[self.seg(pg, slot).index()].scl
        }

        /// The old writer writes one mini-transaction of `records` records in `pg`; the copies
        /// in `slots` hold it.
        fn write(&mut self, pg: u32, records: u32, slots: &[usize]) -> Lsn {
            let log = &mut self.c.writer.log;
            let (_, last) = log.allocate(pg, records).expect("room under LAL");
            log.mark_cpl(last);
            for &slot in slots {
                let seg = self.seg(pg, slot);
                let s = &mut self.st.segments[seg.index()];
                s.scl = last;
                s.acked = last;
            }
            last
        }

        fn begin(&mut self, restart: SimDuration, in_flight: u32) {
            let (c, st) = (&mut self.c, &self.st);
            begin(&mut self.k, c, st, self.node, restart, in_flight);
        }

        /// The copy in `slot` of `pg` reports its SCL, as its answer to the scan would.
        fn answer(&mut self, pg: u32, slot: usize) {
            let (seg, scl) = (self.seg(pg, slot), self.scl(pg, slot));
            on_scl(&mut self.k, &mut self.c, &self.st, seg, scl);
        }

        /// The copy in `slot` of `pg` acknowledges the truncation with `scl`.
        fn ack(&mut self, pg: u32, slot: usize, scl: Lsn) -> Option<NodeId> {
            let seg = self.seg(pg, slot);
            let (c, st) = (&mut self.c, &mut self.st);
            let (m, ch) = (&mut self.metrics, &mut self.checker);
            on_truncate_ack(&mut self.k, c, st, m, ch, seg, scl)
        }

        /// The storage nodes of `pg`'s members, in id order.
        fn member_nodes(&self, pg: u32) -> Vec<NodeId> {
            let mut nodes: Vec<NodeId> = (0..6)
                .map(|s| self.st.segments[self.seg(pg, s).index()].node)
                .collect();
            nodes.sort();
            nodes
        }

        fn set_up(&mut self, node: NodeId, up: bool) {
            self.k.topo.nodes[node.index()].up = up;
        }

        /// Delivers what is due up to `until` (then moves the clock there), routing recovery's
        /// messages and timers as the dispatch does.
        fn drive(&mut self, until: SimTime) {
            while let Some(due) = self.k.pop_until(until) {
                let k = &mut self.k;
                match due {
                    Due::Deliver(msg) if k.arrive(&msg) => {
                        let to_recovery =
                            self.c.recovery.as_ref().is_some_and(|r| r.node == msg.to);
                        match msg.payload {
                            Payload::RecoveryScan { seg } => on_scan(k, &self.st, msg.from, seg),
                            Payload::RecoveryScl { seg, scl } if to_recovery => {
                                on_scl(k, &mut self.c, &self.st, seg, scl)
                            }
                            Payload::Truncate {
                                seg,
                                from,
                                vdl,
                                end,
                                epoch,
                            } => on_truncate(k, &mut self.st, msg.from, seg, from, vdl, end, epoch),
                            Payload::TruncateAck { seg, scl } if to_recovery => {
                                let (m, ch) = (&mut self.metrics, &mut self.checker);
                                let st = &mut self.st;
                                if let Some(n) =
                                    on_truncate_ack(k, &mut self.c, st, m, ch, seg, scl)
                                {
                                    self.opened = Some((k.now, n));
                                }
                            }
                            _ => {}
                        }
                    }
                    Due::RecoveryRetry => on_retry(k, &mut self.c, &self.st),
                    Due::EngineStarted(n) => on_engine_started(k, &mut self.c, &self.st, n),
                    Due::UndoDone { node, txns } => on_undo_done(k, &mut self.metrics, node, txns),
                    _ => {}
                }
                self.k.settle();
            }
            self.k.now = until;
        }

        /// The events emitted since the last call.
        fn events(&mut self) -> Vec<Event> {
            self.k.drain().map(|(_, e)| e).collect()
        }

        fn recovery(&self) -> &Recovery {
            self.c.recovery.as_ref().expect("recovering")
        }
    }

    /// Everything the kernel has queued, in order, left queued.
    fn queued(k: &Kernel) -> Vec<(SimTime, Due)> {
        let mut k = k.clone();
        let mut out = Vec::new();
        while let Some(d) = k.pop_until(SimTime::MAX) {
            out.push((k.now, d));
            k.settle();
        }
        out
    }

    /// The messages of `kind` queued for delivery, in arrival order.
    fn messages(k: &Kernel, kind: MsgKind) -> Vec<Msg> {
        queued(k)
            .into_iter()
            .filter_map(|(_, d)| match d {
                Due::Deliver(m) if m.kind == kind => Some(m),
                _ => None,
            })
            .collect()
    }

    /// Who was sent a message of `kind`, by the events, in order.
    fn sent_to(events: &[Event], kind: MsgKind) -> Vec<NodeId> {
        events
            .iter()
            .filter_map(|e| match *e {
                Event::MessageSent { to, kind: k, .. } if k == kind => Some(to),
                _ => None,
            })
            .collect()
    }

    /// `ms` milliseconds into the run.
    fn at_ms(ms: u64) -> SimTime {
        SimTime::from_micros(ms * 1_000)
    }

    /// Reference §3, P17 §4.3: a crashed writer coming back first restarts its engine; only
    /// then does the storage protocol begin. Nothing is asked of storage meanwhile, the retry
    /// timer finds nothing to re-ask, and a stale engine timer (from a restart cut short) or
    /// one for another node changes nothing.
    #[test]
    fn a_crashed_writer_restarts_its_engine_before_it_asks_storage() {
        let mut b = volume(1);
        // The crashed writer recovers the volume itself; the other instance stays a replica.
        let (node, other) = (b.old, b.node);
        b.node = node;
        b.k.now = SimTime::from_secs(1);
        b.begin(ENGINE_RESTART_TIME, 2);
        assert_eq!(b.events(), [Event::RecoveryStarted { node }]);
        assert_eq!(b.c.writer.node, node);
        assert!(b.recovery().restarting);
        let started = SimTime::from_secs(1) + ENGINE_RESTART_TIME;
        let dues = queued(&b.k);
        assert!(
            matches!(
                dues.as_slice(),
                [(retry, Due::RecoveryRetry), (up, Due::EngineStarted(n))]
                    if *retry == at_ms(1_500) && *up == started && *n == node
            ),
            "nothing sent, only the two timers: {dues:?}"
        );
        b.drive(SimTime::from_secs(4));
        on_engine_started(&mut b.k, &mut b.c, &b.st, node);
        on_engine_started(&mut b.k, &mut b.c, &b.st, other);
        let events = b.events();
        assert!(
            sent_to(&events, MsgKind::RecoveryScan).is_empty(),
            "{events:?}"
        );
        assert!(b.recovery().restarting);

        b.drive(started);
        let events = b.events();
        assert_eq!(
            events[0],
            Event::RecoveryPhaseDone {
                node,
                phase: RecoveryPhase::Restart,
                took: ENGINE_RESTART_TIME,
                txns: 0,
            }
        );
        // Every member is asked, once: the retry timer that falls on the same instant leaves
        // a step asked just now alone.
        let mut asked = sent_to(&events, MsgKind::RecoveryScan);
        asked.sort();
        assert_eq!(asked, b.member_nodes(0));
        let r = b.recovery();
        assert!(!r.restarting);
        assert_eq!(
            r.storage_started,
            SimTime::from_secs(1) + ENGINE_RESTART_TIME
        );
    }

    /// Reference §3 step 1: the new writer asks every member of every PG for its SCL (a quorum
    /// is only known once they answer), under the next volume epoch; a healthy copy answers
    /// with its SCL, a lost one cannot.
    #[test]
    fn the_new_writer_asks_every_member_of_every_pg_and_healthy_copies_answer() {
        let mut b = crashed_mid_write();
        b.begin(SimDuration::ZERO, 0);
        assert_eq!(b.recovery().epoch, 2);
        let mut asked: Vec<(SegmentId, NodeId)> = messages(&b.k, MsgKind::RecoveryScan)
            .into_iter()
            .map(|m| match m.payload {
                Payload::RecoveryScan { seg } => {
                    assert_eq!(m.from, b.node);
                    (seg, m.to)
                }
                p => panic!("{p:?}"),
            })
            .collect();
        asked.sort();
        let mut members: Vec<_> =
            b.st.pgs
                .iter()
                .flat_map(|pg| pg.member_slots())
                .map(|(_, s)| (s, b.st.segments[s.index()].node))
                .collect();
        members.sort();
        assert_eq!(asked, members);
        assert_eq!(asked.len(), 12);

        let (fresh, lost) = (b.seg(0, 0), b.seg(1, 5));
        b.st.segments[lost.index()].health = SegmentHealth::Lost;
        b.k.drain();
        for seg in [fresh, lost] {
            on_scan(&mut b.k, &b.st, b.node, seg);
        }
        let replies = messages(&b.k, MsgKind::RecoveryScl);
        assert_eq!(replies.len(), 1);
        let m = replies[0];
        assert_eq!((m.from, m.to), (b.st.segments[fresh.index()].node, b.node));
        assert!(matches!(
            m.payload,
            Payload::RecoveryScl { seg, scl: Lsn(9) } if seg == fresh
        ));
    }

    /// Reference §3 step 2: with a read quorum (3 of 6) of every PG, VDL is recomputed from
    /// the highest SCL each quorum holds. Record 9 is on one of PG 0's three answers and that
    /// is enough (any read quorum meets every write quorum); 12 reached no write quorum and
    /// is not in PG 1's, so VDL is 9 — though the old writer had counted nothing durable. The
    /// truncation of (9, 9 + LAL] then goes to every member under epoch 2. Late answers change
    /// nothing.
    #[test]
    fn a_read_quorum_of_every_pg_gives_vdl_from_the_highest_scl_it_holds() {
        let mut b = crashed_mid_write();
        assert_eq!(b.c.writer.log.vdl(), Lsn::ZERO);
        b.begin(SimDuration::ZERO, 0);
        for slot in [3, 4, 5] {
            b.answer(0, slot);
        }
        b.answer(1, 0);
        b.answer(1, 1);
        assert!(!b.recovery().truncating, "PG 1 has two answers of three");
        assert!(messages(&b.k, MsgKind::Truncate).is_empty());

        b.answer(1, 2);
        let end = Lsn(9 + LAL);
        let r = b.recovery();
        assert!(r.truncating);
        assert_eq!((r.vdl, r.end, r.epoch), (Lsn(9), end, 2));
        let truncations: Vec<(SegmentId, Lsn)> = messages(&b.k, MsgKind::Truncate)
            .into_iter()
            .map(|m| match m.payload {
                Payload::Truncate {
                    seg,
                    from,
                    vdl: Lsn(9),
                    end: e,
                    epoch: 2,
                } if e == end && m.from == b.node => (seg, from),
                p => panic!("{p:?}"),
            })
            .collect();
        assert_eq!(truncations.len(), 12);
        // A copy complete to the PG's last record at or below VDL is complete to VDL: 9 for
        // PG 0, 6 for PG 1.
        for (seg, from) in truncations {
            let pg = b.st.segments[seg.index()].pg;
            assert_eq!(from, if pg == PgId(0) { Lsn(9) } else { Lsn(6) }, "{seg}");
        }

        b.answer(1, 5);
        assert_eq!(b.recovery().vdl, Lsn(9), "record 12 came too late to count");
        assert_eq!(messages(&b.k, MsgKind::Truncate).len(), 12);
    }

    /// Reference §3 step 3: at a segment, the truncation annuls everything above VDL: a copy
    /// complete to the truncation's `from` is complete to its end (PG 1's copy with the
    /// never-durable 12 included), one behind keeps what it has and catches up from its
    /// peers. Either adopts the new epoch and acknowledges with its SCL; a lost copy cannot.
    #[test]
    fn a_segment_annuls_above_vdl_adopts_the_new_epoch_and_acknowledges() {
        let mut b = crashed_mid_write();
        let (node, end) = (b.node, Lsn(9 + LAL));
        let (ahead, behind, lost) = (b.seg(1, 5), b.seg(0, 4), b.seg(0, 5));
        b.st.segments[lost.index()].health = SegmentHealth::Lost;
        on_truncate(&mut b.k, &mut b.st, node, ahead, Lsn(6), Lsn(9), end, 2);
        on_truncate(&mut b.k, &mut b.st, node, behind, Lsn(9), Lsn(9), end, 2);
        on_truncate(&mut b.k, &mut b.st, node, lost, Lsn(9), Lsn(9), end, 2);
        let s = |seg: SegmentId| &b.st.segments[seg.index()];
        assert_eq!((s(ahead).scl, s(ahead).volume_epoch), (end, 2));
        assert_eq!((s(behind).scl, s(behind).volume_epoch), (Lsn(3), 2));
        assert_eq!((s(lost).scl, s(lost).volume_epoch), (Lsn(3), 1));
        let acks: Vec<(NodeId, SegmentId, Lsn)> = messages(&b.k, MsgKind::TruncateAck)
            .into_iter()
            .map(|m| match m.payload {
                Payload::TruncateAck { seg, scl } => {
                    assert_eq!(m.from, s(seg).node);
                    (m.to, seg, scl)
                }
                p => panic!("{p:?}"),
            })
            .collect();
        assert_eq!(acks.len(), 2, "{acks:?}");
        assert!(acks.contains(&(node, ahead, end)));
        assert!(acks.contains(&(node, behind, Lsn(3))));
    }

    /// Reference §3 steps 5–7: with a write quorum (4 of 6) of every PG acknowledging the
    /// truncation the volume opens: the new epoch is recorded for every segment (an old
    /// writer is fenced at once), the writer stamps it, new LSNs start above the truncation
    /// range, the storage phase is timed, and the undo of the transactions in flight is
    /// scheduled for after the open.
    #[test]
    fn a_write_quorum_of_acknowledgements_opens_the_volume_under_the_new_epoch() {
        let mut b = crashed_mid_write();
        let (node, end) = (b.node, Lsn(9 + LAL));
        b.k.now = SimTime::from_secs(10);
        b.begin(SimDuration::ZERO, 3);
        for pg in 0..2 {
            for slot in 0..3 {
                b.answer(pg, slot);
            }
        }
        b.k.now = SimTime::from_secs(10) + SimDuration::from_millis(2);
        b.events();
        for slot in 0..4 {
            assert_eq!(b.ack(0, slot, end), None);
        }
        for slot in 0..3 {
            assert_eq!(b.ack(1, slot, end), None, "PG 1 has three of four");
        }
        assert_eq!(
            b.st.volume_epoch, 1,
            "not before every PG has its write quorum"
        );
        assert_eq!(b.ack(1, 3, end), Some(node));

        assert!(b.c.recovery.is_none());
        assert_eq!(b.st.volume_epoch, 2);
        assert!(b.st.segments.iter().all(|s| s.volume_epoch == 2));
        assert_eq!(b.c.writer.volume_epoch, 2);
        assert_eq!(
            (b.c.writer.log.vdl(), b.c.writer.log.max_allocated()),
            (end, end)
        );
        // The writer counts each copy from what it acknowledged, the silent ones from nothing.
        assert_eq!(
            b.c.writer.pgs[1].known[..6],
            [end.0, end.0, end.0, end.0, 0, 0]
        );
        let storage = SimDuration::from_millis(2);
        assert_eq!(b.metrics.recoveries, [storage]);
        assert_eq!(
            b.metrics.recovery_phases,
            [RecoveryPhases {
                restart: SimDuration::ZERO,
                storage,
                undo: None,
                undo_txns: 3,
            }]
        );
        assert_eq!(
            b.events(),
            [
                Event::RecoveryPhaseDone {
                    node,
                    phase: RecoveryPhase::Storage,
                    took: storage,
                    txns: 0,
                },
                Event::VolumeRecovered {
                    vdl: Lsn(9),
                    truncated_upto: end,
                    epoch: 2,
                },
            ]
        );
        let undo = queued(&b.k).into_iter().find_map(|(at, d)| match d {
            Due::UndoDone { node: n, txns } => Some((at, n, txns)),
            _ => None,
        });
        assert_eq!(
            undo,
            Some((b.k.now + UNDO_PER_TXN.saturating_mul(3), node, 3))
        );
        // A late acknowledgement finds no recovery.
        assert_eq!(b.ack(1, 4, end), None);
    }

    /// Reference §3: a PG without a read quorum holds recovery until it has one, and without a
    /// write quorum the truncation waits too; every retry re-asks only the members that have
    /// not answered the current step.
    #[test]
    fn a_pg_without_a_quorum_holds_recovery_and_retries_ask_only_the_silent() {
        let mut b = volume(1);
        b.write(0, 3, &[0, 1, 2, 3, 4, 5]);
        let nodes = b.member_nodes(0);
        for &n in &nodes[2..] {
            b.set_up(n, false);
        }
        b.begin(SimDuration::ZERO, 0);
        b.drive(at_ms(400));
        assert!(
            !b.recovery().truncating,
            "two answers are not a read quorum"
        );
        b.events();
        b.drive(at_ms(600));
        let mut asked = sent_to(&b.events(), MsgKind::RecoveryScan);
        asked.sort();
        assert_eq!(
            asked,
            nodes[2..],
            "the retry at 500 ms skips the two that answered"
        );

        b.set_up(nodes[2], true);
        b.drive(at_ms(1_100));
        assert!(b.recovery().truncating, "three answers: VDL is known");
        assert_eq!(b.recovery().vdl, Lsn(3));
        assert_eq!(
            b.st.volume_epoch, 1,
            "three acknowledgements are not a write quorum"
        );
        b.events();
        // The truncation went out just after the retry at 1 s: the one at 1.5 s leaves it a
        // whole interval to be answered, and the one at 2 s re-sends it to the silent three.
        b.drive(at_ms(1_600));
        assert!(sent_to(&b.events(), MsgKind::Truncate).is_empty());
        b.drive(at_ms(2_100));
        let mut asked = sent_to(&b.events(), MsgKind::Truncate);
        asked.sort();
        assert_eq!(
            asked,
            nodes[3..],
            "the retry re-sends the truncation to the silent three"
        );

        b.set_up(nodes[3], true);
        b.drive(at_ms(2_600));
        let (at, opened) = b.opened.expect("four acknowledgements open it");
        assert_eq!(opened, b.node);
        assert!(
            at > at_ms(2_500) && at < at_ms(2_600),
            "at the retry after {at}"
        );
        assert_eq!(b.st.volume_epoch, 2);
        b.events();
        b.drive(at_ms(3_500));
        assert!(
            sent_to(&b.events(), MsgKind::Truncate).is_empty(),
            "retries stop"
        );
    }

    /// Reference §3, over the wire, with AZ c's storage down: the four copies left of each PG
    /// are a read and a write quorum, so the volume opens at VDL 9 after two round trips —
    /// no redo is replayed, no log is shipped — and the undo of the two transactions in
    /// flight runs after the open, 2 ms each.
    #[test]
    fn recovery_takes_two_round_trips_replays_no_redo_and_undoes_after_the_open() {
        let mut b = crashed_mid_write();
        let node = b.node;
        let az_c: Vec<NodeId> = b.k.topo.in_az(NodeKind::Storage, AzId(2)).collect();
        for n in az_c {
            b.set_up(n, false);
        }
        b.k.now = SimTime::from_secs(1);
        b.begin(SimDuration::ZERO, 2);
        b.drive(SimTime::from_secs(2));

        let (opened, _) = b.opened.expect("opened");
        let one_way = CROSS_AZ_LATENCY + CROSS_AZ_JITTER;
        let round_trips = (opened - SimTime::from_secs(1)).as_micros();
        assert!(round_trips <= 4 * one_way.as_micros(), "{round_trips} µs");
        let end = Lsn(9 + LAL);
        for pg in 0..2 {
            for slot in 0..4 {
                assert_eq!(b.scl(pg, slot), end, "PG {pg} slot {slot}");
            }
        }
        assert_eq!(
            (b.scl(0, 4), b.scl(1, 5)),
            (Lsn(3), Lsn(12)),
            "down: untouched"
        );
        let events = b.events();
        let shipped = events.iter().any(|e| {
            matches!(
                e,
                Event::MessageSent {
                    kind: MsgKind::RedoBatch | MsgKind::RedoStream,
                    ..
                }
            )
        });
        assert!(!shipped, "no redo replay");
        let undone = UNDO_PER_TXN.saturating_mul(2);
        let phases: Vec<_> = events
            .iter()
            .filter_map(|e| match *e {
                Event::RecoveryPhaseDone {
                    phase, took, txns, ..
                } => Some((phase, took, txns)),
                Event::VolumeRecovered { vdl, epoch, .. } => {
                    assert_eq!((vdl, epoch), (Lsn(9), 2));
                    None
                }
                _ => None,
            })
            .collect();
        let storage = opened - SimTime::from_secs(1);
        assert_eq!(
            phases,
            [
                (RecoveryPhase::Storage, storage, 0),
                (RecoveryPhase::Undo, undone, 2)
            ]
        );
        assert_eq!(b.metrics.recovery_phases[0].undo, Some(undone));
        assert_eq!(b.c.writer.node, node);
    }
}
