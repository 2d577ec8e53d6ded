//! The discrete-event engine: one queue of timed events, the clock, the PRNG, the network send
//! path, and the output stream with its trace digest.
//!
//! The queue is a binary heap of small `(time, sequence, slot)` keys; the events themselves sit
//! in a slab whose slots are reused, so scheduling allocates nothing once the simulation has
//! warmed up. Ties in time are broken by the order of scheduling, which makes the run a pure
//! function of the seed and the commands.

use crate::command::Command;
use crate::event::{DropReason, Event, MsgKind};
use crate::ids::{MsgId, NodeId, PgId, ReadId, SegmentId};
use crate::lsn::Lsn;
use crate::net::Network;
use crate::rng::Rng;
use crate::time::{SimDuration, SimTime};
use crate::topology::Topology;
use alloc::collections::BinaryHeap;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// A message in flight: who sent it to whom, and what it carries.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Msg {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: MsgKind,
    pub payload: Payload,
}

/// One redo-stream send from the writer to a replica: `records` records up to the writer's
/// allocation, and its VDL, under which `writes` mini-transactions become readable, written on
/// average at `written` (where a replica's lag is measured from).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct StreamSend {
    pub vdl: Lsn,
    pub written: SimTime,
    pub writes: u32,
    pub records: u32,
}

/// What a message carries. Small and `Copy`: no allocation per message.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) enum Payload {
    /// The PG's records in `(prev, last]`, stamped with the sender's epochs.
    Redo {
        seg: SegmentId,
        prev: Lsn,
        last: Lsn,
        bytes: u32,
        volume_epoch: u32,
        member_epoch: u32,
    },
    /// Carries the segment's volume epoch, so a writer opened after a recovery ignores
    /// acknowledgements sent before it.
    Ack {
        seg: SegmentId,
        scl: Lsn,
        epoch: u32,
    },
    Rejected {
        seg: SegmentId,
    },
    /// `seg` asks `peer` for what it has above `have`.
    GossipPull {
        seg: SegmentId,
        peer: SegmentId,
        have: Lsn,
    },
    /// `seg` receives every record of its PG up to `upto`.
    GossipPush {
        seg: SegmentId,
        upto: Lsn,
    },
    /// Read a page as of the reader's read point. The segment must hold every record of its PG
    /// up to `need`: the read point, or the PG's completion point if that is lower (a PG with no
    /// records between the two is complete to the read point already).
    PageRead {
        read: ReadId,
        seg: SegmentId,
        need: Lsn,
    },
    PageData {
        read: ReadId,
        seg: SegmentId,
    },
    /// The bulk copy that hydrates replacement `seg` to `upto`.
    RepairCopy {
        pg: PgId,
        seg: SegmentId,
        upto: Lsn,
    },
    Backup {
        seg: SegmentId,
        upto: Lsn,
    },
    /// Redo up to the writer's allocation, and its VDL.
    RedoStream(StreamSend),
    DnsQuery {
        write: bool,
    },
    DnsAnswer {
        write: bool,
        target: NodeId,
    },
    Query {
        req: u64,
        write: bool,
    },
    /// A write a secondary region's replica forwards to the primary's writer; answered as a
    /// client's query is.
    ForwardedWrite {
        req: u64,
    },
    Answer {
        req: u64,
        ok: bool,
    },
    /// The primary's writer → the secondary replica that forwarded a write: its result, which
    /// the replica then passes to its client.
    ForwardedAnswer {
        req: u64,
        ok: bool,
    },
    RecoveryScan {
        seg: SegmentId,
    },
    RecoveryScl {
        seg: SegmentId,
        scl: Lsn,
    },
    Truncate {
        seg: SegmentId,
        /// The PG's last record at or below VDL: a copy complete to it is complete to VDL.
        from: Lsn,
        vdl: Lsn,
        end: Lsn,
        epoch: u32,
    },
    TruncateAck {
        seg: SegmentId,
        scl: Lsn,
    },
    /// Primary replication server → secondary agent: the stream up to `vdl`.
    GlobalRedo {
        region: crate::ids::RegionId,
        vdl: Lsn,
    },
    /// Secondary agent → one of its six storage nodes.
    GlobalWrite {
        region: crate::ids::RegionId,
        slot: u8,
        vdl: Lsn,
    },
    GlobalAck {
        region: crate::ids::RegionId,
        slot: u8,
        vdl: Lsn,
    },
}

impl Payload {
    /// The kind of message that carries it: what the page draws and the trace records. One
    /// kind per payload, so a send names the payload only. A secondary region's six storage
    /// nodes are written and acknowledge as the primary's are (`RedoBatch`, `Ack`).
    pub fn kind(&self) -> MsgKind {
        match self {
            Payload::Redo { .. } | Payload::GlobalWrite { .. } => MsgKind::RedoBatch,
            Payload::Ack { .. } | Payload::GlobalAck { .. } => MsgKind::Ack,
            Payload::Rejected { .. } => MsgKind::Rejected,
            Payload::GossipPull { .. } => MsgKind::GossipPull,
            Payload::GossipPush { .. } => MsgKind::GossipPush,
            Payload::PageRead { .. } => MsgKind::PageRead,
            Payload::PageData { .. } => MsgKind::PageData,
            Payload::RepairCopy { .. } => MsgKind::RepairCopy,
            Payload::Backup { .. } => MsgKind::Backup,
            Payload::RedoStream(_) => MsgKind::RedoStream,
            Payload::DnsQuery { .. } => MsgKind::DnsLookup,
            Payload::DnsAnswer { .. } => MsgKind::DnsAnswer,
            Payload::Query { .. } => MsgKind::Query,
            Payload::ForwardedWrite { .. } => MsgKind::ForwardedWrite,
            Payload::Answer { .. } => MsgKind::Answer,
            Payload::ForwardedAnswer { .. } => MsgKind::ForwardedAnswer,
            Payload::RecoveryScan { .. } => MsgKind::RecoveryScan,
            Payload::RecoveryScl { .. } => MsgKind::RecoveryScl,
            Payload::Truncate { .. } => MsgKind::Truncate,
            Payload::TruncateAck { .. } => MsgKind::TruncateAck,
            Payload::GlobalRedo { .. } => MsgKind::GlobalRedo,
        }
    }
}

/// What is due inside the model at a time: a message arriving, a timer, a command scheduled
/// for later. Never seen outside the core; what comes out is an [`crate::event::Event`].
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) enum Due {
    /// A free slab slot.
    Vacant,
    Deliver(Msg),
    /// A segment finished writing a batch to disk (P17 §3.3 step 2).
    Persisted {
        seg: SegmentId,
        incarnation: u32,
        prev: Lsn,
        last: Lsn,
        bytes: u32,
        /// The volume epoch the batch was written under: a truncation since annuls it.
        epoch: u32,
    },
    /// The writer's boxcar for a PG is sent (P18 §2.2).
    Flush(PgId),
    /// The writer re-sends a PG's unhardened records if it made no progress.
    RetryCheck(PgId),
    /// The workload generator issues the transactions that arrived since the last tick.
    WorkloadTick,
    /// A storage node's periodic background work.
    Background(NodeId),
    /// The control plane decides whether a node that went down has failed for good.
    DetectNode {
        node: NodeId,
        incarnation: u32,
    },
    /// The control plane notices a lost segment.
    DetectSegment(SegmentId),
    /// A page read took too long; hedge to another segment.
    ReadTimeout(ReadId),
    /// A command scheduled for this time.
    Apply(Command),
    /// The writer ships its redo stream to the replicas.
    ReplicaStream,
    /// A replica finished applying the stream up to `vdl`.
    ReplicaApplied {
        node: NodeId,
        send: StreamSend,
    },
    ClientTick,
    HealthCheck,
    /// The failover target's engine is up as a writer.
    Promoted(NodeId),
    /// With no replica, the writer has been re-created.
    WriterRecreated(NodeId),
    RecoveryRetry,
    /// A restarting instance's engine is up: crash recovery's storage protocol can begin.
    EngineStarted(NodeId),
    /// Background undo after a recovery finished.
    UndoDone {
        node: NodeId,
        txns: u32,
    },
    /// A new instance finished being created.
    InstanceReady(NodeId),
    AutoScale,
    ServerlessTick,
    /// Serverless v1's swap to new capacity is done.
    V1Swapped {
        node: NodeId,
        acu: u16,
    },
    GlobalShip,
    GlobalPromoted(crate::ids::RegionId),
    GlobalForwardTick,
    /// Continuous backup's once-a-second image and bookkeeping.
    BackupTick,
    /// A backtrack's pause is over.
    BacktrackDone,
    /// A request waited for the instance's CPU (or its resume): serve it now.
    Serve {
        node: NodeId,
        client: NodeId,
        req: u64,
        write: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Key {
    at: u64,
    seq: u64,
    slot: u32,
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: the earliest time (then the earliest scheduled) is the heap's maximum.
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}
impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The trace digest: a running 64-bit hash over every event emitted, with its time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Digest(u64);

impl Digest {
    const SEED: u64 = 0xCBF2_9CE4_8422_2325;
    fn mix(&mut self, w: u64) {
        // FxHash's step followed by a rotate: cheap, order-sensitive, platform-independent.
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x517C_C1B7_2722_0A95);
    }
    /// The digest's value, avalanched so that nearby states give unrelated numbers.
    pub fn value(self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 33)).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        z = (z ^ (z >> 33)).wrapping_mul(0xC4CE_B9FE_1A85_EC53);
        z ^ (z >> 33)
    }
}

/// The engine's state, shared by every handler.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Kernel {
    /// The seed the run was built with.
    pub seed: u64,
    pub now: SimTime,
    pub rng: Rng,
    pub topo: Topology,
    pub net: Network,
    seq: u64,
    queue: BinaryHeap<Key>,
    /// The queue's top was taken by `pop_until` but is still in the heap: the next `schedule`
    /// overwrites it (one sift-down instead of a pop and a push); `settle` removes it otherwise.
    top_taken: bool,
    slab: Vec<Due>,
    free: Vec<u32>,
    digest: Digest,
    next_msg: u64,
    /// Events handled so far.
    pub processed: u64,
    /// Output events emitted so far.
    pub emitted: u64,
    /// Bytes put on the network so far, every message counted once.
    pub bytes_sent: u64,
    /// Whether emitted events are kept for [`crate::Sim::drain_events`].
    pub record: bool,
    out: Vec<(SimTime, Event)>,
    /// The most events kept when nobody drains them.
    pub out_cap: usize,
}

impl Kernel {
    pub fn new(seed: u64) -> Self {
        Kernel {
            seed,
            now: SimTime::ZERO,
            rng: Rng::new(seed),
            topo: Topology::default(),
            net: Network::default(),
            seq: 0,
            queue: BinaryHeap::new(),
            top_taken: false,
            slab: Vec::new(),
            free: Vec::new(),
            digest: Digest(Digest::SEED ^ seed),
            next_msg: 0,
            processed: 0,
            emitted: 0,
            bytes_sent: 0,
            record: true,
            out: Vec::new(),
            out_cap: 100_000,
        }
    }

    /// Schedules `ev` at `at` (never earlier than now).
    pub fn schedule(&mut self, at: SimTime, ev: Due) {
        let at = at.max(self.now);
        let slot = match self.free.pop() {
            Some(s) => {
                self.slab[s as usize] = ev;
                s
            }
            None => {
                self.slab.push(ev);
                self.slab.len() as u32 - 1
            }
        };
        self.seq += 1;
        let key = Key {
            at: at.as_micros(),
            seq: self.seq,
            slot,
        };
        if self.top_taken {
            self.top_taken = false;
            if let Some(mut top) = self.queue.peek_mut() {
                *top = key;
                return;
            }
        }
        self.queue.push(key);
    }

    /// Drops the taken top if no event replaced it. Called after every handled event.
    #[inline]
    pub fn settle(&mut self) {
        if self.top_taken {
            self.top_taken = false;
            self.queue.pop();
        }
    }

    pub fn schedule_in(&mut self, after: SimDuration, ev: Due) {
        self.schedule(self.now + after, ev);
    }

    pub fn next_time(&self) -> Option<SimTime> {
        self.queue.peek().map(|k| SimTime::from_micros(k.at))
    }

    /// Takes the next event if it is due at or before `limit`, advancing the clock to it.
    pub fn pop_until(&mut self, limit: SimTime) -> Option<Due> {
        self.settle();
        let key = *self.queue.peek()?;
        if key.at > limit.as_micros() {
            return None;
        }
        self.top_taken = true;
        self.now = SimTime::from_micros(key.at);
        self.processed += 1;
        self.free.push(key.slot);
        Some(core::mem::replace(
            &mut self.slab[key.slot as usize],
            Due::Vacant,
        ))
    }

    /// Cancels every queued event `drop` picks (their slots fall vacant; the queue skips them).
    /// Returns the cancelled messages, so their loss can be reported.
    pub fn cancel(&mut self, mut drop: impl FnMut(&Due) -> bool) -> Vec<Msg> {
        let mut lost = Vec::new();
        let mut free = alloc::vec![false; self.slab.len()];
        for &f in &self.free {
            free[f as usize] = true;
        }
        for (i, ev) in self.slab.iter_mut().enumerate() {
            if matches!(ev, Due::Vacant) || free[i] || !drop(ev) {
                continue;
            }
            if let Due::Deliver(msg) = ev {
                lost.push(*msg);
            }
            *ev = Due::Vacant;
        }
        lost
    }

    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Emits an output event: it always feeds the digest, and is kept if recording.
    pub fn emit(&mut self, event: Event) {
        self.emit_inline(event);
    }

    /// [`Kernel::emit`], inlined where the event's kind is known, so that digesting it needs no
    /// jump on the kind: for the message events, which are most of them.
    #[inline(always)]
    fn emit_inline(&mut self, event: Event) {
        self.emitted += 1;
        self.digest.mix(self.now.as_micros());
        for w in event.digest_words() {
            self.digest.mix(w);
        }
        if self.record {
            if self.out.len() >= self.out_cap {
                // Nobody is draining: keep the newest half rather than grow without bound.
                self.out.drain(..self.out_cap / 2);
            }
            self.out.push((self.now, event));
        }
    }

    pub fn digest(&self) -> u64 {
        self.digest.value()
    }

    pub fn drain(&mut self) -> alloc::vec::Drain<'_, (SimTime, Event)> {
        self.out.drain(..)
    }

    /// Sends a message over the network model. The sender must be up; the message may be lost
    /// on the way or dropped at arrival. Returns the arrival time when it was put on the wire.
    pub fn send(
        &mut self,
        from: NodeId,
        to: NodeId,
        bytes: u32,
        payload: Payload,
    ) -> Option<SimTime> {
        let kind = payload.kind();
        let (Some(f), Some(t)) = (self.topo.get(from), self.topo.get(to)) else {
            return None;
        };
        if !f.up {
            return None;
        }
        let delay = self.net.delay(&mut self.rng, f, t, bytes);
        self.bytes_sent += bytes as u64;
        let msg = self.put_on_wire(from, to, kind, payload);
        let arrives = self.now + delay.unwrap_or(SimDuration::ZERO);
        self.emit_inline(Event::MessageSent {
            id: msg.id,
            from,
            to,
            kind,
            bytes,
            sent: self.now,
            arrives,
        });
        if delay.is_none() {
            self.emit_inline(Event::MessageDropped {
                id: msg.id,
                kind,
                to,
                reason: DropReason::Lost,
            });
            return None;
        }
        self.schedule(arrives, Due::Deliver(msg));
        Some(arrives)
    }

    /// Sends a bulk transfer that starts after `after` and whose duration is set by bandwidth,
    /// not by the link's latency.
    pub fn send_bulk(
        &mut self,
        from: NodeId,
        to: NodeId,
        bytes: u64,
        after: SimDuration,
        payload: Payload,
    ) -> Option<SimTime> {
        let kind = payload.kind();
        if !self.topo.is_up(from) {
            return None;
        }
        let bytes32 = bytes.min(u32::MAX as u64) as u32;
        self.bytes_sent += bytes;
        let msg = self.put_on_wire(from, to, kind, payload);
        let sent = self.now + after;
        let arrives = sent + self.net.bulk_time(bytes);
        self.emit_inline(Event::MessageSent {
            id: msg.id,
            from,
            to,
            kind,
            bytes: bytes32,
            sent,
            arrives,
        });
        self.schedule(arrives, Due::Deliver(msg));
        Some(arrives)
    }

    /// Gives a message its id.
    fn put_on_wire(&mut self, from: NodeId, to: NodeId, kind: MsgKind, payload: Payload) -> Msg {
        let id = MsgId(self.next_msg);
        self.next_msg += 1;
        Msg {
            id,
            from,
            to,
            kind,
            payload,
        }
    }

    /// Decides at arrival whether a message gets through, emitting the outcome.
    pub fn arrive(&mut self, msg: &Msg) -> bool {
        let reason = if !self.topo.is_up(msg.to) {
            Some(DropReason::ReceiverDown)
        } else if self.net.blocked(&self.topo, msg.from, msg.to) {
            Some(DropReason::Partitioned)
        } else {
            None
        };
        match reason {
            Some(reason) => {
                self.emit_inline(Event::MessageDropped {
                    id: msg.id,
                    kind: msg.kind,
                    to: msg.to,
                    reason,
                });
                false
            }
            None => {
                self.emit_inline(Event::MessageDelivered {
                    id: msg.id,
                    kind: msg.kind,
                    to: msg.to,
                });
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_come_out_in_time_order_ties_in_schedule_order() {
        let mut k = Kernel::new(1);
        k.schedule(SimTime::from_micros(30), Due::Flush(PgId(3)));
        k.schedule(SimTime::from_micros(10), Due::Flush(PgId(1)));
        k.schedule(SimTime::from_micros(30), Due::Flush(PgId(4)));
        k.schedule(SimTime::from_micros(20), Due::Flush(PgId(2)));
        let mut order = Vec::new();
        while let Some(Due::Flush(pg)) = k.pop_until(SimTime::MAX) {
            order.push((k.now.as_micros(), pg.0));
        }
        assert_eq!(order, [(10, 1), (20, 2), (30, 3), (30, 4)]);
    }

    #[test]
    fn pop_until_respects_the_limit_and_slots_are_reused() {
        let mut k = Kernel::new(1);
        k.schedule(SimTime::from_micros(5), Due::WorkloadTick);
        assert!(k.pop_until(SimTime::from_micros(4)).is_none());
        assert!(k.pop_until(SimTime::from_micros(5)).is_some());
        k.schedule(SimTime::from_micros(9), Due::WorkloadTick);
        assert_eq!(k.slab.len(), 1, "the freed slot was reused");
    }

    #[test]
    fn digest_depends_on_content_and_order() {
        let mut a = Kernel::new(1);
        let mut b = Kernel::new(1);
        a.emit(Event::VdlAdvanced(Lsn(1)));
        a.emit(Event::VdlAdvanced(Lsn(2)));
        b.emit(Event::VdlAdvanced(Lsn(2)));
        b.emit(Event::VdlAdvanced(Lsn(1)));
        assert_ne!(a.digest(), b.digest());
        let mut c = Kernel::new(1);
        c.emit(Event::VdlAdvanced(Lsn(1)));
        c.emit(Event::VdlAdvanced(Lsn(2)));
        assert_eq!(a.digest(), c.digest());
    }
}
