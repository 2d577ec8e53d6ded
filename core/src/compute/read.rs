//! Page reads from any instance: the buffer cache first, else **one** segment known complete to
//! the instance's read point, hedging to another if it is slow (P17 §4.2.3, P18 §3.1). No quorum
//! read in normal operation: that would cost at least three page reads.

use crate::compute::Compute;
use crate::engine::{Due, Kernel, Payload};
use crate::event::{Event, SegmentHealth};
use crate::ids::{NodeId, PgId, ReadId, SegmentId};
use crate::lsn::Lsn;
use crate::metrics::Metrics;
use crate::net::Network;
use crate::storage::Storage;
use crate::time::SimTime;
use alloc::vec::Vec;

/// Who is waiting for a read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Reply {
    /// Nobody (the instance's own background workload).
    None,
    /// A client request, answered when the read completes.
    Client { client: NodeId, req: u64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct PendingRead {
    serial: u32,
    started: SimTime,
    reader: NodeId,
    pg: PgId,
    point: Lsn,
    /// Slots already asked.
    tried: u8,
    reply: Reply,
}

/// Reads in flight, in a slab so ids are small and slots are reused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Reads {
    slots: Vec<Option<PendingRead>>,
    free: Vec<u32>,
    /// The serial the next read gets.
    next_serial: u32,
}

impl Reads {
    /// The read `id` names, if it is still in flight (not finished, its slot not reused).
    fn get(&self, id: ReadId) -> Option<&PendingRead> {
        self.slots
            .get(id.slot as usize)?
            .as_ref()
            .filter(|r| r.serial == id.serial)
    }

    fn get_mut(&mut self, id: ReadId) -> Option<&mut PendingRead> {
        self.slots
            .get_mut(id.slot as usize)?
            .as_mut()
            .filter(|r| r.serial == id.serial)
    }

    /// The lowest read point of any read in flight: the input to PGMRPL. P17 §4.2.3
    pub fn min_point(&self) -> Option<Lsn> {
        self.slots.iter().flatten().map(|r| r.point).min()
    }

    /// Forgets the reads of an instance that crashed.
    pub(crate) fn drop_reader(&mut self, reader: NodeId) {
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if slot.is_some_and(|r| r.reader == reader) {
                *slot = None;
                self.free.push(i as u32);
            }
        }
    }
}

/// Bytes of a client's request or answer on the wire. [sim default — not sourced]
pub const REQUEST_BYTES: u32 = 300;

/// Sends a client its answer; a write a secondary's replica forwarded goes back to that replica.
pub(crate) fn respond(k: &mut Kernel, from: NodeId, client: NodeId, req: u64, ok: bool) {
    let payload = match k.topo.get(client).map(|n| n.kind) {
        Some(crate::topology::NodeKind::Instance) => Payload::ForwardedAnswer { req, ok },
        _ => Payload::Answer { req, ok },
    };
    k.send(from, client, REQUEST_BYTES, payload);
}

/// Starts a read on `reader` at `point`. Returns true if the buffer cache answered at once.
#[allow(clippy::too_many_arguments)]
pub(crate) fn start(
    k: &mut Kernel,
    c: &mut Compute,
    st: &Storage,
    metrics: &mut Metrics,
    reader: NodeId,
    point: Lsn,
    hit_ppm: u32,
    reply: Reply,
) -> bool {
    metrics.reads += 1;
    if k.rng.chance_ppm(hit_ppm) {
        metrics.cache_hits += 1;
        metrics.read_latency.record(0);
        return true;
    }
    let pg = PgId(k.rng.below(st.pgs.len() as u64) as u32);
    let r = &mut c.reads;
    let serial = r.next_serial;
    r.next_serial = serial.wrapping_add(1);
    let read = PendingRead {
        serial,
        started: k.now,
        reader,
        pg,
        point,
        tried: 0,
        reply,
    };
    let slot = match r.free.pop() {
        Some(i) => {
            r.slots[i as usize] = Some(read);
            i
        }
        None => {
            r.slots.push(Some(read));
            r.slots.len() as u32 - 1
        }
    };
    let id = ReadId { slot, serial };
    send(k, c, st, metrics, id);
    false
}

/// Sends read `id` to the nearest untried segment known complete to its read point.
fn send(k: &mut Kernel, c: &mut Compute, st: &Storage, metrics: &mut Metrics, id: ReadId) {
    let Some(r) = c.reads.get(id).copied() else {
        return;
    };
    let group = &st.pgs[r.pg.index()];
    let w = &c.writer;
    let known = &w.pgs[r.pg.index()].known;
    // Complete to the read point means holding every record of the PG up to it; if the PG is
    // complete to a lower point, it has no records in between (VCL can pass a PG's PGCL).
    let need = r.point.min(w.log.pgcl(r.pg.0));
    let me = k.topo.node(r.reader);
    let mut best: Option<(u8, u64, u8, SegmentId)> = None;
    for (slot, seg) in group.member_slots() {
        let s = &st.segments[seg.index()];
        if r.tried & (1 << slot) != 0
            || known[slot as usize] < need.0
            || s.health != SegmentHealth::Healthy
        {
            continue;
        }
        // Lowest expected latency first (P18 §3.1): same AZ, then others; random among equals.
        let class = Network::class(me, k.topo.node(s.node)) as u8;
        let key = (class, k.rng.next_u64(), slot, seg);
        if best.is_none_or(|b| (key.0, key.1) < (b.0, b.1)) {
            best = Some(key);
        }
    }
    let Some((_, _, slot, seg)) = best else {
        finish(k, c, metrics, id, None);
        return;
    };
    if let Some(r) = c.reads.get_mut(id) {
        r.tried |= 1 << slot;
    }
    let to = st.segments[seg.index()].node;
    k.send(
        r.reader,
        to,
        64,
        Payload::PageRead {
            read: id,
            seg,
            need,
        },
    );
    k.schedule_in(c.writer.config.read_hedge_after, Due::ReadTimeout(id));
}

/// Completes read `id`: served by `seg`, or failed if `None`.
fn finish(
    k: &mut Kernel,
    c: &mut Compute,
    metrics: &mut Metrics,
    id: ReadId,
    seg: Option<SegmentId>,
) {
    if c.reads.get(id).is_none() {
        return;
    }
    let Some(r) = c.reads.slots[id.slot as usize].take() else {
        return;
    };
    c.reads.free.push(id.slot);
    let latency = k.now - r.started;
    match seg {
        Some(seg) => {
            metrics.read_latency.record(latency.as_micros());
            metrics.page_reads += 1;
            k.emit(Event::PageRead {
                pg: r.pg,
                seg,
                read_point: r.point,
                latency,
            });
        }
        None => metrics.read_errors += 1,
    }
    if let Reply::Client { client, req } = r.reply {
        respond(k, r.reader, client, req, seg.is_some());
    }
}

pub(crate) fn on_page_data(
    k: &mut Kernel,
    c: &mut Compute,
    metrics: &mut Metrics,
    id: ReadId,
    seg: SegmentId,
) {
    finish(k, c, metrics, id, Some(seg));
}

/// A read is slow: hedge to another segment (the first answer wins).
pub(crate) fn on_timeout(
    k: &mut Kernel,
    c: &mut Compute,
    st: &Storage,
    metrics: &mut Metrics,
    id: ReadId,
) {
    let hedge = c.writer.config.read_hedge_after;
    let due = c.reads.get(id).is_some_and(|r| k.now - r.started >= hedge);
    if due {
        send(k, c, st, metrics, id);
    }
}

#[cfg(test)]
mod tests {
    //! Reads on their own: a kernel, a one-PG volume on six segments (two per AZ), the writer
    //! and one replica, and the client waiting for the answer, with no `Sim` around them. What
    //! a read sends and the timers it sets are read back off the kernel's queue.

    use super::*;
    use crate::compute::instance::{Instance, Role, CLASSES};
    use crate::compute::writer::{Writer, WriterConfig, READ_HEDGE_AFTER};
    use crate::ids::{AzId, RegionId};
    use crate::rng::PPM;
    use crate::storage::{volume, StorageConfig};
    use crate::time::SimDuration;
    use crate::topology::NodeKind;
    use alloc::collections::BTreeSet;

    /// The writer's VDL: the volume and the writer start durable to it.
    const VDL: Lsn = Lsn(100);
    /// A replica's read point, behind VDL.
    const REPLICA_POINT: Lsn = Lsn(60);
    /// A cache that never has the page.
    const MISS: u32 = 0;

    fn at_ms(ms: u64) -> SimTime {
        SimTime::from_micros(ms * 1000)
    }

    /// What a read put on the wire or set as a timer, as the tests compare it.
    #[derive(Debug, PartialEq, Eq)]
    enum Out {
        PageRead {
            from: NodeId,
            to: NodeId,
            read: ReadId,
            seg: SegmentId,
            need: Lsn,
        },
        Answer {
            from: NodeId,
            to: NodeId,
            req: u64,
            ok: bool,
        },
        Timeout {
            at: SimTime,
            read: ReadId,
        },
    }

    /// The compute layer's reads and the volume they read from.
    struct Bench {
        k: Kernel,
        st: Storage,
        c: Compute,
        metrics: Metrics,
        /// The writer's instance, in the first AZ.
        writer: NodeId,
        /// A replica in the second AZ.
        replica: NodeId,
        client: NodeId,
    }

    impl Bench {
        fn new() -> Bench {
            let mut k = Kernel::new(5);
            let st = volume::build(&mut k, StorageConfig::default(), 1, RegionId(0), VDL);
            let writer = k.topo.add(NodeKind::Instance, RegionId(0), Some(AzId(0)));
            let replica = k.topo.add(NodeKind::Instance, RegionId(0), Some(AzId(1)));
            let client = k.topo.add(NodeKind::Client, RegionId(0), Some(AzId(0)));
            let mut c = Compute::new(
                Writer::starting_at(writer, st.pgs.len(), WriterConfig::default(), VDL),
                Instance::new(writer, CLASSES[1], 1, Role::Writer),
            );
            c.instances
                .push(Instance::new(replica, CLASSES[1], 1, Role::Replica));
            Bench {
                k,
                st,
                c,
                metrics: Metrics::default(),
                writer,
                replica,
                client,
            }
        }

        /// The PG's segment in `slot` (slots 0–1 are in the first AZ, 2–3 the second, 4–5 the
        /// third).
        fn seg(&self, slot: usize) -> SegmentId {
            self.st.pgs[0].slots[slot].expect("a member in every slot")
        }

        fn az_of(&self, seg: SegmentId) -> Option<AzId> {
            self.k.topo.node(self.st.segments[seg.index()].node).az
        }

        /// What the writer knows segment `slot` holds (its acknowledged SCL).
        fn know(&mut self, slot: usize, scl: Lsn) {
            self.c.writer.pgs[0].known[slot] = scl.0;
        }

        /// Segment `slot`'s disk failed.
        fn lose(&mut self, slot: usize) {
            let seg = self.seg(slot);
            self.st.segments[seg.index()].health = SegmentHealth::Lost;
        }

        /// `reader` starts a read at `point` for the client's request `req`.
        fn start(&mut self, reader: NodeId, point: Lsn, hit_ppm: u32, req: u64) -> bool {
            let reply = Reply::Client {
                client: self.client,
                req,
            };
            let (k, c, st, m) = (&mut self.k, &mut self.c, &self.st, &mut self.metrics);
            start(k, c, st, m, reader, point, hit_ppm, reply)
        }

        fn timeout(&mut self, read: ReadId) {
            on_timeout(&mut self.k, &mut self.c, &self.st, &mut self.metrics, read);
        }

        fn page_data(&mut self, read: ReadId, seg: SegmentId) {
            on_page_data(&mut self.k, &mut self.c, &mut self.metrics, read, seg);
        }

        /// Everything queued since last asked, in the order it falls due; the queue is emptied
        /// and the clock left as it was.
        fn out(&mut self) -> Vec<Out> {
            let now = self.k.now;
            let mut out = Vec::new();
            while let Some(due) = self.k.pop_until(SimTime::MAX) {
                out.push(match due {
                    Due::Deliver(m) => match m.payload {
                        Payload::PageRead { read, seg, need } => Out::PageRead {
                            from: m.from,
                            to: m.to,
                            read,
                            seg,
                            need,
                        },
                        Payload::Answer { req, ok } => Out::Answer {
                            from: m.from,
                            to: m.to,
                            req,
                            ok,
                        },
                        other => panic!("a read sends no {other:?}"),
                    },
                    Due::ReadTimeout(read) => Out::Timeout {
                        at: self.k.now,
                        read,
                    },
                    other => panic!("a read schedules no {other:?}"),
                });
            }
            self.k.now = now;
            out
        }

        /// The one page read queued (and its hedge timer), as `(read, segment, need)`.
        fn one_page_read(&mut self) -> (ReadId, SegmentId, Lsn) {
            let hedge = self.k.now + READ_HEDGE_AFTER;
            match self.out()[..] {
                [Out::PageRead {
                    to,
                    read,
                    seg,
                    need,
                    ..
                }, Out::Timeout { at, read: timer }]
                    if at == hedge && timer == read =>
                {
                    assert_eq!(to, self.st.segments[seg.index()].node);
                    (read, seg, need)
                }
                ref other => panic!("expected one page read and its hedge timer: {other:?}"),
            }
        }

        /// The page reads served, as the event stream reports them.
        fn served(&mut self) -> Vec<(SegmentId, Lsn, SimDuration)> {
            self.k
                .drain()
                .filter_map(|(_, e)| match e {
                    Event::PageRead {
                        pg: PgId(0),
                        seg,
                        read_point,
                        latency,
                    } => Some((seg, read_point, latency)),
                    _ => None,
                })
                .collect()
        }
    }

    /// A read whose page is in the buffer cache is answered at once: no message to storage, no
    /// timer, nothing left in flight to hold back the PG's garbage collection.
    #[test]
    fn a_read_of_a_page_in_the_cache_makes_no_storage_read() {
        let mut b = Bench::new();
        let writer = b.writer;
        assert!(b.start(writer, VDL, PPM, 0));
        assert_eq!(b.k.pending(), 0);
        assert_eq!(b.c.reads.min_point(), None);
        let m = &b.metrics;
        assert_eq!((m.reads, m.cache_hits, m.page_reads), (1, 1, 0));
        assert_eq!((m.read_latency.count(), m.read_latency.max()), (1, 0));
    }

    /// A cache miss reads the page from one segment, not a quorum (P18 §3.1): the nearest one,
    /// in the reader's own AZ, random between the two there, asked to be complete to the
    /// reader's read point; a hedge timer is set for READ_HEDGE_AFTER.
    #[test]
    fn a_missed_read_asks_one_segment_in_the_readers_az_at_its_read_point() {
        let mut b = Bench::new();
        let replica = b.replica;
        let mut used = BTreeSet::new();
        for req in 0..20 {
            assert!(!b.start(replica, REPLICA_POINT, MISS, req));
            let (read, seg, need) = b.one_page_read();
            assert_eq!((read.serial, need), (req as u32, REPLICA_POINT));
            assert_eq!(b.az_of(seg), Some(AzId(1)), "the replica's own AZ");
            used.insert(seg);
        }
        assert_eq!(used, BTreeSet::from([b.seg(2), b.seg(3)]));
        assert_eq!(b.c.reads.min_point(), Some(REPLICA_POINT));
        assert_eq!((b.metrics.reads, b.metrics.cache_hits), (20, 0));
    }

    /// Only a segment the writer knows to be complete to the read point may serve it, and only
    /// a healthy one: past those the read goes to the next nearest AZ. What counts as complete
    /// depends on the reader's point: a segment behind VDL still serves a replica behind it.
    #[test]
    fn a_read_skips_segments_not_known_complete_to_its_point_and_unhealthy_ones() {
        let mut b = Bench::new();
        let (writer, replica) = (b.writer, b.replica);
        // The writer's AZ: one copy behind VDL, one lost; the second AZ: one lost, one at 80.
        b.know(0, Lsn(99));
        b.lose(1);
        b.lose(2);
        b.know(3, Lsn(80));

        for req in 0..10 {
            assert!(!b.start(writer, VDL, MISS, req));
            let (_, seg, need) = b.one_page_read();
            assert_eq!(need, VDL);
            assert!([b.seg(4), b.seg(5)].contains(&seg), "{seg:?}");
        }
        assert!(!b.start(replica, REPLICA_POINT, MISS, 10));
        let (_, seg, need) = b.one_page_read();
        assert_eq!((seg, need), (b.seg(3), REPLICA_POINT));
    }

    /// A read still unanswered after READ_HEDGE_AFTER is hedged to another segment (P18 §3.1):
    /// first the other copy in the reader's AZ, then one further away, never one already
    /// asked. A timer that fires before the read has been slow that long hedges nothing.
    #[test]
    fn a_slow_read_is_hedged_to_another_segment_after_read_hedge_after() {
        let mut b = Bench::new();
        let writer = b.writer;
        b.start(writer, VDL, MISS, 0);
        let (read, first, _) = b.one_page_read();
        let near = [b.seg(0), b.seg(1)];
        assert!(near.contains(&first));

        b.k.now = at_ms(4);
        b.timeout(read);
        assert!(b.out().is_empty(), "not slow yet");

        b.k.now = SimTime::ZERO + READ_HEDGE_AFTER;
        b.timeout(read);
        let (again, second, need) = b.one_page_read();
        assert_eq!((again, need), (read, VDL));
        assert!(near.contains(&second) && second != first);

        b.k.now += READ_HEDGE_AFTER;
        b.timeout(read);
        let (_, third, _) = b.one_page_read();
        assert!(!near.contains(&third), "both near copies were asked");
        assert_ne!(b.az_of(third), Some(AzId(0)));
    }

    /// The first segment to answer a hedged read completes it: the client gets its answer,
    /// the read is reported with that segment, the reader's point and the whole wait; the
    /// slower segment's answer, and the hedge timer still queued, then do nothing.
    #[test]
    fn the_first_answer_to_a_hedged_read_completes_it_and_later_ones_are_ignored() {
        let mut b = Bench::new();
        let (writer, client) = (b.writer, b.client);
        b.start(writer, VDL, MISS, 7);
        let (read, slow, _) = b.one_page_read();
        b.k.now = SimTime::ZERO + READ_HEDGE_AFTER;
        b.timeout(read);
        let (_, fast, _) = b.one_page_read();
        b.served();

        b.k.now = at_ms(6);
        b.page_data(read, fast);
        let answer = Out::Answer {
            from: writer,
            to: client,
            req: 7,
            ok: true,
        };
        assert_eq!(b.out(), [answer]);
        assert_eq!(b.served(), [(fast, VDL, SimDuration::from_millis(6))]);
        assert_eq!(b.c.reads.min_point(), None);

        b.k.now = at_ms(7);
        b.page_data(read, slow);
        b.k.now = at_ms(10);
        b.timeout(read);
        assert!(b.out().is_empty());
        assert!(b.served().is_empty());
        let m = &b.metrics;
        assert_eq!((m.page_reads, m.read_errors), (1, 0));
        assert_eq!((m.read_latency.count(), m.read_latency.max()), (1, 6_000));
    }

    /// With no segment able to serve the read point (none known complete to it), the read
    /// fails at once and the client is told, rather than waiting on a segment that cannot
    /// answer.
    #[test]
    fn a_read_that_no_segment_can_serve_fails_and_tells_the_client() {
        let mut b = Bench::new();
        let (writer, client) = (b.writer, b.client);
        for slot in 0..6 {
            b.know(slot, Lsn(99));
        }
        assert!(!b.start(writer, VDL, MISS, 3));
        let refused = Out::Answer {
            from: writer,
            to: client,
            req: 3,
            ok: false,
        };
        assert_eq!(b.out(), [refused]);
        assert_eq!((b.metrics.read_errors, b.metrics.page_reads), (1, 0));
        assert_eq!(b.c.reads.min_point(), None);
    }

    /// Storage may not collect a version a read in flight still needs (PGMRPL, P17 §4.2.3):
    /// the reads' lowest point is what it keeps, until those reads finish or their instance
    /// crashes, and a crashed instance's slots are reused.
    #[test]
    fn the_lowest_read_point_in_flight_stays_until_its_reads_finish_or_its_reader_crashes() {
        let mut b = Bench::new();
        let (writer, replica) = (b.writer, b.replica);
        b.start(replica, REPLICA_POINT, MISS, 0);
        b.start(writer, VDL, MISS, 1);
        b.start(writer, Lsn(90), MISS, 2);
        let mut reads: Vec<(ReadId, SegmentId, Lsn)> = b
            .out()
            .into_iter()
            .filter_map(|o| match o {
                Out::PageRead {
                    read, seg, need, ..
                } => Some((read, seg, need)),
                _ => None,
            })
            .collect();
        reads.sort();
        assert_eq!(
            reads.iter().map(|r| (r.0.slot, r.2)).collect::<Vec<_>>(),
            [(0, REPLICA_POINT), (1, VDL), (2, Lsn(90))]
        );
        assert_eq!(b.c.reads.min_point(), Some(REPLICA_POINT));

        b.c.reads.drop_reader(replica);
        assert_eq!(b.c.reads.min_point(), Some(Lsn(90)));
        // The crashed replica's slot is free again: the next read takes it.
        b.start(writer, VDL, MISS, 3);
        let (reused, seg, _) = b.one_page_read();
        assert_eq!((reused.slot, reused.serial), (0, 3));

        b.page_data(reads[2].0, reads[2].1);
        assert_eq!(b.c.reads.min_point(), Some(VDL));
        b.page_data(reads[1].0, reads[1].1);
        b.page_data(reused, seg);
        assert_eq!(b.c.reads.min_point(), None);
    }

    /// Slots are reused but a read's id is not: the late answer of a read that finished (or
    /// whose reader crashed), arriving after another read took its slot, completes nothing,
    /// and its hedge timer hedges nothing.
    #[test]
    fn a_late_answer_or_timer_of_a_finished_read_never_touches_the_read_in_its_slot() {
        let mut b = Bench::new();
        let (writer, replica) = (b.writer, b.replica);
        b.start(writer, VDL, MISS, 0);
        let (old, old_seg, _) = b.one_page_read();
        b.page_data(old, old_seg);
        b.out(); // its answer to the client
        b.start(replica, REPLICA_POINT, MISS, 1);
        let (new, _, _) = b.one_page_read();
        assert_eq!(new.slot, old.slot, "the slot is reused");
        assert_ne!(new, old);
        b.page_data(old, old_seg);
        assert_eq!(
            b.metrics.page_reads, 1,
            "the stale answer completed nothing"
        );
        assert_eq!(b.c.reads.min_point(), Some(REPLICA_POINT));
        b.k.now += b.c.writer.config.read_hedge_after;
        b.timeout(old);
        assert!(b.out().is_empty(), "the stale timer hedged nothing");
    }
}
