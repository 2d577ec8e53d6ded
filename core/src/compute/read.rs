//! Page reads from any instance: the buffer cache first, else **one** segment known complete to
//! the instance's read point, hedging to another if it is slow (P17 §4.2.3, P18 §3.1). No quorum
//! read in normal operation: that would cost at least three page reads.

use crate::compute::Compute;
use crate::engine::{Due, Kernel, Payload};
use crate::event::{Event, MsgKind, SegmentHealth};
use crate::ids::{NodeId, PgId, SegmentId};
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
}

impl Reads {
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

/// Sends a client its answer.
pub(crate) fn respond(k: &mut Kernel, from: NodeId, client: NodeId, req: u64, ok: bool) {
    k.send(
        from,
        client,
        MsgKind::Answer,
        REQUEST_BYTES,
        Payload::Answer { req, ok },
    );
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
    let read = PendingRead {
        started: k.now,
        reader,
        pg,
        point,
        tried: 0,
        reply,
    };
    let r = &mut c.reads;
    let id = match r.free.pop() {
        Some(i) => {
            r.slots[i as usize] = Some(read);
            i
        }
        None => {
            r.slots.push(Some(read));
            r.slots.len() as u32 - 1
        }
    };
    send(k, c, st, metrics, id);
    false
}

/// Sends read `id` to the nearest untried segment known complete to its read point.
fn send(k: &mut Kernel, c: &mut Compute, st: &Storage, metrics: &mut Metrics, id: u32) {
    let Some(Some(r)) = c.reads.slots.get(id as usize).copied() else {
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
    if let Some(Some(r)) = c.reads.slots.get_mut(id as usize) {
        r.tried |= 1 << slot;
    }
    let to = st.segments[seg.index()].node;
    k.send(
        r.reader,
        to,
        MsgKind::PageRead,
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
fn finish(k: &mut Kernel, c: &mut Compute, metrics: &mut Metrics, id: u32, seg: Option<SegmentId>) {
    let Some(r) = c.reads.slots.get_mut(id as usize).and_then(Option::take) else {
        return;
    };
    c.reads.free.push(id);
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
    id: u32,
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
    id: u32,
) {
    let hedge = c.writer.config.read_hedge_after;
    let due = c
        .reads
        .slots
        .get(id as usize)
        .is_some_and(|r| r.is_some_and(|r| k.now - r.started >= hedge));
    if due {
        send(k, c, st, metrics, id);
    }
}
