//! A test bench for one protection group: its six segments on their storage nodes, a writer
//! that is only a node and a record of what reached it, and a scripted network, driven one
//! event at a time. Storage's handlers take only the storage state and what they need, so the
//! bench runs them without the rest of the model.

use super::{repair, segment, volume, Storage, StorageConfig};
use crate::engine::{Due, Kernel, Msg, Payload};
use crate::event::{Event, MsgKind};
use crate::ids::{AzId, NodeId, PgId, RegionId, SegmentId};
use crate::invariants::Checker;
use crate::lsn::Lsn;
use crate::metrics::Metrics;
use crate::time::{SimDuration, SimTime};
use crate::topology::NodeKind;
use alloc::vec::Vec;

/// What the writer heard from storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Heard {
    Ack {
        seg: SegmentId,
        scl: Lsn,
        epoch: u32,
    },
    Rejected {
        seg: SegmentId,
    },
}

/// One protection group and everything around it that storage talks to.
pub(crate) struct Group {
    pub k: Kernel,
    pub st: Storage,
    pub metrics: Metrics,
    pub checker: Checker,
    /// The writer's node: acknowledgements go to it, quorums are counted from it.
    pub writer: NodeId,
    /// What reached the writer, in order.
    pub heard: Vec<Heard>,
    /// New members the writer was told to count from nothing.
    pub new_members: Vec<(PgId, u8)>,
    /// The script: messages of these kinds to these nodes are lost on the way, once each.
    lose: Vec<(MsgKind, NodeId)>,
    /// The last record the writer has sent, and its volume epoch.
    sent: Lsn,
    pub volume_epoch: u32,
}

impl Group {
    /// A volume of one PG on four storage nodes per AZ, with no background work scheduled
    /// until [`Group::start_background`].
    pub fn new(seed: u64) -> Group {
        let mut k = Kernel::new(seed);
        let st = volume::build(&mut k, StorageConfig::default(), 1, RegionId(0), Lsn::ZERO);
        let writer = k.topo.add(NodeKind::Instance, RegionId(0), Some(AzId(0)));
        Group {
            k,
            st,
            metrics: Metrics::default(),
            checker: Checker::default(),
            writer,
            heard: Vec::new(),
            new_members: Vec::new(),
            lose: Vec::new(),
            sent: Lsn::ZERO,
            volume_epoch: 1,
        }
    }

    /// The PG's members, slot by slot.
    pub fn members(&self) -> Vec<SegmentId> {
        self.st.pgs[0].member_slots().map(|(_, s)| s).collect()
    }

    pub fn node_of(&self, seg: SegmentId) -> NodeId {
        self.st.segments[seg.index()].node
    }

    pub fn scl(&self, seg: SegmentId) -> Lsn {
        self.st.segments[seg.index()].scl
    }

    /// Starts every storage node's background work (gossip, coalesce, backup, scrub).
    pub fn start_background(&mut self) {
        for sn in self.st.nodes.clone() {
            self.k
                .schedule_in(SimDuration::ZERO, Due::Background(sn.node));
        }
    }

    /// Scripts the loss of the next message of `kind` to `to`.
    pub fn lose_next(&mut self, kind: MsgKind, to: NodeId) {
        self.lose.push((kind, to));
    }

    /// The writer sends the PG's next `records` records to every member, as one batch.
    pub fn write(&mut self, records: u64) -> Lsn {
        let (prev, last) = (self.sent, Lsn(self.sent.0 + records));
        self.sent = last;
        self.send_redo(prev, last, self.volume_epoch);
        last
    }

    /// Sends `(prev, last]` to every member under volume epoch `epoch`.
    pub fn send_redo(&mut self, prev: Lsn, last: Lsn, epoch: u32) {
        let member_epoch = self.st.pgs[0].epoch;
        for seg in self.members() {
            let to = self.node_of(seg);
            let bytes = (last.0 - prev.0) as u32 * 200;
            self.k.send(
                self.writer,
                to,
                bytes,
                Payload::Redo {
                    seg,
                    prev,
                    last,
                    bytes,
                    volume_epoch: epoch,
                    member_epoch,
                },
            );
        }
    }

    /// Crashes a storage node, as the fault does.
    pub fn crash(&mut self, node: NodeId) {
        let n = &mut self.k.topo.nodes[node.index()];
        n.up = false;
        n.incarnation += 1;
        self.control(|k, st, cl| repair::node_went_down(k, st, cl, node));
    }

    /// Brings a crashed storage node back, as the fault's end does.
    pub fn restart(&mut self, node: NodeId) {
        self.k.topo.nodes[node.index()].up = true;
        self.control(|k, st, cl| repair::node_came_up(k, st, cl, node));
    }

    /// Fails a segment's disk, as the fault does.
    pub fn lose_disk(&mut self, seg: SegmentId) {
        self.control(|k, st, cl| repair::lose_segment(k, st, cl, seg));
    }

    /// Handles one due event at or before `until`; false when there is none.
    pub fn step(&mut self, until: SimTime) -> bool {
        let Some(ev) = self.k.pop_until(until) else {
            return false;
        };
        self.handle(ev);
        self.k.settle();
        true
    }

    /// Drives the group until nothing is due at or before `until`, as a pair of endpoints is
    /// driven until both are idle. Returns the number of events handled.
    pub fn drive(&mut self, until: SimTime) -> usize {
        let mut n = 0;
        while self.step(until) {
            n += 1;
        }
        n
    }

    /// Drives for `d` from now.
    pub fn run_for(&mut self, d: SimDuration) -> usize {
        let until = self.k.now + d;
        let n = self.drive(until);
        self.k.now = until;
        n
    }

    /// Every event emitted so far.
    pub fn events(&mut self) -> Vec<Event> {
        self.k.drain().map(|(_, e)| e).collect()
    }

    fn control(&mut self, step: impl FnOnce(&mut Kernel, &mut Storage, &mut repair::Cluster)) {
        let mut cl = repair::Cluster::new(self.writer, &mut self.metrics);
        step(&mut self.k, &mut self.st, &mut cl);
        self.new_members.extend(cl.new_members);
    }

    fn scripted_loss(&mut self, msg: &Msg) -> bool {
        match self
            .lose
            .iter()
            .position(|&(kind, to)| kind == msg.kind && to == msg.to)
        {
            Some(i) => {
                self.lose.remove(i);
                true
            }
            None => false,
        }
    }

    fn handle(&mut self, ev: Due) {
        let writer = self.writer;
        match ev {
            Due::Deliver(msg) => {
                if self.scripted_loss(&msg) || !self.k.arrive(&msg) {
                    if let Payload::RepairCopy { seg, .. } = msg.payload {
                        self.control(|k, st, cl| repair::copy_failed(k, st, cl, seg));
                    }
                    return;
                }
                let (k, st) = (&mut self.k, &mut self.st);
                match msg.payload {
                    Payload::Redo {
                        seg,
                        prev,
                        last,
                        bytes,
                        volume_epoch,
                        member_epoch,
                    } => segment::on_redo(
                        k,
                        st,
                        msg.from,
                        seg,
                        prev,
                        last,
                        bytes,
                        volume_epoch,
                        member_epoch,
                    ),
                    Payload::Ack { seg, scl, epoch } => {
                        self.heard.push(Heard::Ack { seg, scl, epoch })
                    }
                    Payload::Rejected { seg } => self.heard.push(Heard::Rejected { seg }),
                    Payload::GossipPull { seg, peer, have } => {
                        segment::on_gossip_pull(k, st, 200, msg.from, seg, peer, have)
                    }
                    Payload::GossipPush { seg, upto } => {
                        segment::on_gossip_push(k, st, writer, seg, upto)
                    }
                    Payload::PageRead { read, seg, need } => {
                        segment::on_page_read(k, st, &mut self.checker, msg.from, read, seg, need)
                    }
                    Payload::Backup { seg, upto } => segment::on_backup_stored(st, seg, upto),
                    Payload::RepairCopy { pg, seg, upto } => {
                        self.control(|k, st, cl| repair::on_repair_copy(k, st, cl, pg, seg, upto))
                    }
                    _ => {}
                }
            }
            Due::Persisted {
                seg,
                incarnation,
                prev,
                last,
                bytes,
                epoch,
            } => segment::on_persisted(
                &mut self.k,
                &mut self.st,
                writer,
                seg,
                incarnation,
                prev,
                last,
                bytes,
                epoch,
            ),
            Due::Background(node) => {
                segment::on_background(&mut self.k, &mut self.st, self.sent, node);
            }
            Due::DetectNode { node, incarnation } => {
                self.control(|k, st, cl| repair::on_detect_node(k, st, cl, node, incarnation))
            }
            Due::DetectSegment(seg) => {
                self.control(|k, st, cl| repair::on_detect_segment(k, st, cl, seg))
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{BackgroundWork, RepairOutcome, SegmentHealth};

    fn acks_of(g: &Group, upto: Lsn) -> Vec<SegmentId> {
        g.heard
            .iter()
            .filter_map(|h| match *h {
                Heard::Ack { seg, scl, .. } if scl >= upto => Some(seg),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_batch_is_persisted_and_acknowledged_by_all_six_members() {
        let mut g = Group::new(1);
        let last = g.write(10);
        g.run_for(SimDuration::from_millis(10));
        let mut acked = acks_of(&g, last);
        acked.sort();
        let mut members = g.members();
        members.sort();
        assert_eq!(acked, members);
        for seg in g.members() {
            assert_eq!(g.scl(seg), last);
        }
        assert_eq!(g.st.durable_point(&g.st.pgs[0]), Some(last));
    }

    #[test]
    fn a_slowed_node_acknowledges_last_and_no_member_before_its_disk() {
        let mut g = Group::new(2);
        let slow = g.members()[4];
        let node = g.node_of(slow);
        g.k.topo.nodes[node.index()].slowness_pct = 400;
        let last = g.write(3);
        // Step by step: each acknowledgement follows that member's persist time at least.
        while g.heard.len() < 6 {
            assert!(
                g.step(SimTime::from_secs(1)),
                "not every member acknowledged"
            );
            if let Some(Heard::Ack { seg, scl, .. }) = g.heard.last() {
                assert_eq!(*scl, last);
                assert!(g.k.now >= SimTime::ZERO + g.st.config.persist_time, "{seg}");
            }
        }
        assert!(matches!(g.heard[5], Heard::Ack { seg, .. } if seg == slow));
    }

    #[test]
    fn a_lost_batch_is_filled_by_gossip_and_then_acknowledged() {
        let mut g = Group::new(3);
        let members = g.members();
        let (a, b) = (members[0], members[3]);
        g.lose_next(MsgKind::RedoBatch, g.node_of(a));
        g.lose_next(MsgKind::RedoBatch, g.node_of(b));
        let first = g.write(5);
        g.run_for(SimDuration::from_millis(10));
        // Four of six hold it: a write quorum, and the two that missed it are behind.
        assert_eq!(acks_of(&g, first).len(), 4);
        assert_eq!(g.scl(a), Lsn::ZERO);
        // The next batch links back to the lost one: the two queue it as a gap.
        let second = g.write(5);
        g.run_for(SimDuration::from_millis(10));
        assert_eq!(g.scl(a), Lsn::ZERO);
        assert!(!g.st.segments[a.index()].pending.is_empty());
        g.events();
        // Background gossip finds the gap at once and a peer fills it.
        g.start_background();
        g.run_for(SimDuration::from_millis(300));
        assert_eq!(g.scl(a), second);
        assert_eq!(g.scl(b), second);
        let filled: Vec<SegmentId> = g
            .events()
            .iter()
            .filter_map(|e| match *e {
                Event::GossipFilled { seg, .. } => Some(seg),
                _ => None,
            })
            .collect();
        assert!(filled.contains(&a) && filled.contains(&b), "{filled:?}");
        assert!(acks_of(&g, second).contains(&a));
    }

    #[test]
    fn a_stale_volume_epoch_is_refused_and_the_writer_told() {
        let mut g = Group::new(4);
        for s in g.st.segments.iter_mut() {
            s.volume_epoch = 2;
        }
        g.send_redo(Lsn::ZERO, Lsn(4), 1);
        g.run_for(SimDuration::from_millis(10));
        let rejected = g
            .heard
            .iter()
            .filter(|h| matches!(h, Heard::Rejected { .. }))
            .count();
        assert_eq!(rejected, 6);
        assert!(g.members().iter().all(|&s| g.scl(s) == Lsn::ZERO));
        assert!(g.events().iter().any(|e| matches!(
            e,
            Event::StaleEpochRejected {
                epoch: 1,
                current: 2,
                ..
            }
        )));
    }

    #[test]
    fn a_crashed_node_is_detected_and_its_segment_replaced_in_two_epochs() {
        let mut g = Group::new(5);
        let last = g.write(8);
        g.run_for(SimDuration::from_millis(10));
        let failed = g.members()[1];
        let epoch = g.st.pgs[0].epoch;
        g.crash(g.node_of(failed));
        assert_eq!(g.st.segments[failed.index()].health, SegmentHealth::Healthy);
        // Before detection nothing is repaired; after it, the change begins and a new member
        // is announced to the writer.
        let detection = g.st.config.node_failure_detection.as_micros();
        g.run_for(SimDuration::from_micros(detection - 1_000));
        assert!(g.st.repairs.is_empty());
        g.run_for(SimDuration::from_millis(2));
        assert_eq!(g.st.repairs.len(), 1);
        assert_eq!(g.st.pgs[0].epoch, epoch + 1);
        assert_eq!(g.new_members.len(), 1);
        let replacement = g.st.repairs[0].replacement;
        assert_eq!(
            g.st.segments[replacement.index()].health,
            SegmentHealth::Hydrating
        );
        // The copy arrives at bulk bandwidth; the failed member leaves.
        g.run_for(SimDuration::from_secs(30));
        assert!(g.st.repairs.is_empty());
        assert_eq!(g.st.pgs[0].epoch, epoch + 2);
        assert!(!g.members().contains(&failed));
        assert!(g.members().contains(&replacement));
        assert_eq!(g.scl(replacement), last);
        assert_eq!(g.metrics.repairs.len(), 1);
        let events = g.events();
        assert!(events.iter().any(|e| matches!(
            e,
            Event::RepairFinished {
                outcome: RepairOutcome::Replaced,
                ..
            }
        )));
        // The new member told the writer what it holds.
        assert!(acks_of(&g, last).contains(&replacement));
    }

    #[test]
    fn a_lost_repair_copy_undoes_the_change_and_tries_again() {
        let mut g = Group::new(6);
        g.write(8);
        g.run_for(SimDuration::from_millis(10));
        let failed = g.members()[2];
        g.lose_disk(failed);
        g.run_for(g.st.config.segment_loss_detection + SimDuration::from_millis(1));
        let first = g.st.repairs[0].replacement;
        g.lose_next(MsgKind::RepairCopy, g.node_of(first));
        g.run_for(SimDuration::from_secs(30));
        // The first replacement was retired; detection ran again and a second one finished.
        assert_eq!(g.st.segments[first.index()].health, SegmentHealth::Retired);
        assert_eq!(g.new_members.len(), 2);
        assert!(!g.members().contains(&failed));
        assert_eq!(g.metrics.repairs.len(), 1);
    }

    #[test]
    fn losing_three_members_loses_the_write_quorum_and_the_figures_say_so() {
        let mut g = Group::new(7);
        let members = g.members();
        for &seg in &members[..3] {
            g.crash(g.node_of(seg));
        }
        let events = g.events();
        assert!(events
            .iter()
            .any(|e| matches!(e, Event::WriteQuorumLost { available: 3, .. })));
        assert!(!events
            .iter()
            .any(|e| matches!(e, Event::ReadQuorumLost { .. })));
        assert!(!g.st.pgs[0].write_ok && g.st.pgs[0].read_ok);
        g.run_for(SimDuration::from_millis(100));
        assert_eq!(
            g.metrics.write_unavailable(g.k.now),
            SimDuration::from_millis(100)
        );
    }

    #[test]
    fn a_page_read_above_the_segments_scl_is_a_violation() {
        let mut g = Group::new(8);
        let last = g.write(4);
        g.run_for(SimDuration::from_millis(10));
        let seg = g.members()[0];
        let to = g.node_of(seg);
        for (read, need) in [(1, last), (2, Lsn(last.0 + 1))] {
            g.k.send(
                g.writer,
                to,
                64,
                Payload::PageRead {
                    read: crate::ids::ReadId {
                        slot: read,
                        serial: read,
                    },
                    seg,
                    need,
                },
            );
        }
        g.run_for(SimDuration::from_millis(10));
        let data = g
            .events()
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    Event::MessageSent {
                        kind: MsgKind::PageData,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(data, 1);
        assert_eq!(g.checker.violations, 1);
    }

    #[test]
    fn background_work_coalesces_backs_up_and_collects_below_the_reads() {
        let mut g = Group::new(9);
        let last = g.write(20);
        g.run_for(SimDuration::from_millis(10));
        g.start_background();
        g.run_for(SimDuration::from_secs(12));
        let events = g.events();
        let work = |w: BackgroundWork| {
            events
                .iter()
                .any(|e| matches!(e, Event::Background { work, upto, .. } if *work == w && *upto == last))
        };
        assert!(work(BackgroundWork::Coalesce));
        assert!(work(BackgroundWork::Backup));
        assert!(work(BackgroundWork::GarbageCollect));
        // One member per PG stages the PG to the object store.
        let staged: Vec<SegmentId> = g
            .members()
            .into_iter()
            .filter(|&s| g.st.segments[s.index()].backed_up == last)
            .collect();
        assert_eq!(staged.len(), 1, "{staged:?}");
    }
}
