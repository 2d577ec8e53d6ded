//! A segment's pipeline (P17 §3.3, Fig. 4):
//!
//! * steps 1–2, the only foreground ones: receive a redo batch and queue it; persist it to the
//!   hot log and acknowledge with the segment's SCL;
//! * steps 3–4: find gaps and fill them by gossip with the PG's other segments;
//! * steps 5–8: coalesce log records into page versions, stage log and pages to the object
//!   store, garbage-collect old versions, scrub page checksums.
//!
//! Storage never votes on a write: it must accept whatever a current-epoch writer sends
//! (P18 §2.3). It only refuses requests that carry a stale epoch.

use crate::engine::{Due, Kernel, Payload};
use crate::event::{BackgroundWork, Event, Invariant, SegmentHealth};
use crate::ids::{NodeId, SegmentId};
use crate::invariants::Checker;
use crate::lsn::Lsn;
use crate::storage::Storage;
use crate::time::SimDuration;

/// Bytes of an acknowledgement or a gossip request on the wire. [sim default — not sourced]
pub(crate) const SMALL_MESSAGE_BYTES: u32 = 64;
/// Bytes of a page: InnoDB's default 16 KiB page (`innodb_page_size`, MySQL reference manual);
/// the reference gives no Aurora page size, so for the model it is a sim default.
/// [sim default — not sourced in the reference]
pub const PAGE_BYTES: u32 = 16 << 10;

/// Step 1: a redo batch arrives. Stale epochs are refused; everything else is queued for disk.
#[allow(clippy::too_many_arguments)]
pub(crate) fn on_redo(
    k: &mut Kernel,
    st: &mut Storage,
    from: NodeId,
    seg: SegmentId,
    prev: Lsn,
    last: Lsn,
    bytes: u32,
    volume_epoch: u32,
    member_epoch: u32,
) {
    let Some(s) = st.segments.get(seg.index()) else {
        return;
    };
    if !s.has_data() && s.health != SegmentHealth::Hydrating {
        return;
    }
    let (node, seen_volume, seen_member) = (s.node, s.volume_epoch, s.member_epoch);
    if volume_epoch < seen_volume || member_epoch < seen_member {
        let current = if volume_epoch < seen_volume {
            seen_volume
        } else {
            seen_member
        };
        let epoch = if volume_epoch < seen_volume {
            volume_epoch
        } else {
            member_epoch
        };
        k.emit(Event::StaleEpochRejected {
            seg,
            epoch,
            current,
        });
        k.send(node, from, SMALL_MESSAGE_BYTES, Payload::Rejected { seg });
        return;
    }
    let slow = k.topo.node(node).slowness_pct as u64;
    let incarnation = k.topo.node(node).incarnation;
    let service = (st.config.persist_time.as_micros()
        + bytes as u64 * 1_000_000 / st.config.disk_bytes_per_sec.max(1))
        * slow
        / 100;
    let now = k.now;
    let Some(sn) = st.storage_node_mut(node) else {
        return;
    };
    let done = sn.disk_free_at.max(now) + SimDuration::from_micros(service);
    sn.disk_free_at = done;
    st.segments[seg.index()].queue += 1;
    k.schedule(
        done,
        Due::Persisted {
            seg,
            incarnation,
            prev,
            last,
            bytes,
            epoch: volume_epoch,
        },
    );
}

/// Step 2: the batch is on disk: apply it to the hot log and acknowledge with SCL to the
/// writer on node `writer`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn on_persisted(
    k: &mut Kernel,
    st: &mut Storage,
    writer: NodeId,
    seg: SegmentId,
    incarnation: u32,
    prev: Lsn,
    last: Lsn,
    bytes: u32,
    epoch: u32,
) {
    let Some(s) = st.segments.get_mut(seg.index()) else {
        return;
    };
    s.queue = s.queue.saturating_sub(1);
    let node = k.topo.node(s.node);
    // A crash while the write was queued loses it; a lost disk loses everything; a recovery
    // since it was sent annulled it ("in-flight writes that land later are ignored", P17 §4.3).
    if !node.up || node.incarnation != incarnation || !s.has_data() || epoch < s.volume_epoch {
        return;
    }
    s.apply(prev, last);
    s.hot_log_bytes += bytes as u64;
    acknowledge(k, st, writer, seg);
}

/// Tells the writer on node `writer` the segment's SCL, under the segment's volume epoch.
pub(crate) fn acknowledge(k: &mut Kernel, st: &mut Storage, writer: NodeId, seg: SegmentId) {
    let s = &mut st.segments[seg.index()];
    s.acked = s.acked.max(s.scl);
    let (node, scl, epoch) = (s.node, s.scl, s.volume_epoch);
    k.send(
        node,
        writer,
        SMALL_MESSAGE_BYTES,
        Payload::Ack { seg, scl, epoch },
    );
}

/// Step 4, at the peer: answer a gossip request with the records the asker lacks, at
/// `record_bytes` per record.
pub(crate) fn on_gossip_pull(
    k: &mut Kernel,
    st: &Storage,
    record_bytes: u32,
    asker_node: NodeId,
    asker: SegmentId,
    peer: SegmentId,
    have: Lsn,
) {
    let Some(p) = st.segments.get(peer.index()) else {
        return;
    };
    if !p.has_data() || p.health == SegmentHealth::Hydrating || p.scl <= have {
        return;
    }
    let (node, upto) = (p.node, p.scl);
    let records = (upto.0 - have.0).min(1 << 20) as u32;
    let bytes = records.saturating_mul(record_bytes / 4).max(64);
    k.send(
        node,
        asker_node,
        bytes,
        Payload::GossipPush { seg: asker, upto },
    );
}

/// Step 4, at the asker: the gap is filled. The writer on node `writer` hears the new SCL.
pub(crate) fn on_gossip_push(
    k: &mut Kernel,
    st: &mut Storage,
    writer: NodeId,
    seg: SegmentId,
    upto: Lsn,
) {
    let Some(s) = st.segments.get_mut(seg.index()) else {
        return;
    };
    if s.health != SegmentHealth::Healthy {
        return;
    }
    let from = s.scl;
    if s.fill_to(upto) {
        let to = s.scl;
        k.emit(Event::GossipFilled { seg, from, to });
        acknowledge(k, st, writer, seg);
    }
}

/// A page read, served by this one segment (P18 §3.1). The reader chose it because it knew the
/// segment to be complete to the read point (`need`); the checker verifies that it is.
pub(crate) fn on_page_read(
    k: &mut Kernel,
    st: &Storage,
    checker: &mut Checker,
    reader: NodeId,
    read: crate::ids::ReadId,
    seg: SegmentId,
    point: Lsn,
) {
    let Some(s) = st.segments.get(seg.index()) else {
        return;
    };
    if !s.has_data() {
        return;
    }
    if s.scl < point {
        checker.violation(k, Invariant::ReadAboveSegment, point.0);
        return;
    }
    let node = s.node;
    k.send(node, reader, PAGE_BYTES, Payload::PageData { read, seg });
}

/// Steps 3–8 for every segment on a storage node, once per background interval. Background
/// work yields to foreground load: nothing but gap-filling runs while the disk is busy. No old
/// version at or above `keep_from` is collected: it is the lowest point a read in flight may
/// still need, or the VDL.
/// Returns true if the node did its work: the storage control plane then looks at long AZ
/// outages (the dispatch's `tend_degraded`, which needs the writer's PGCLs).
pub(crate) fn on_background(
    k: &mut Kernel,
    st: &mut Storage,
    keep_from: Lsn,
    node: NodeId,
) -> bool {
    let interval = st.config.background_interval;
    k.schedule_in(interval, Due::Background(node));
    if !k.topo.is_up(node) {
        return false;
    }
    let Some(sn) = st.storage_node(node) else {
        return false;
    };
    let busy = sn.disk_free_at > k.now;
    let segs = sn.segments.clone();
    for seg in segs {
        background_for(k, st, keep_from, node, seg, busy);
    }
    true
}

fn background_for(
    k: &mut Kernel,
    st: &mut Storage,
    keep_from: Lsn,
    node: NodeId,
    seg: SegmentId,
    busy: bool,
) {
    let now = k.now;
    let s = &st.segments[seg.index()];
    if s.health != SegmentHealth::Healthy {
        return;
    }
    let pg = &st.pgs[s.pg.index()];
    // Gossip: at once when a gap is known, otherwise now and then to discover one.
    if !s.pending.is_empty() || now >= s.next_gossip {
        let peers: alloc::vec::Vec<SegmentId> = pg
            .member_slots()
            .map(|(_, p)| p)
            .filter(|&p| p != seg && st.segments[p.index()].health == SegmentHealth::Healthy)
            .collect();
        if let Some(&peer) = k.rng.pick(&peers) {
            let to = st.segments[peer.index()].node;
            let have = st.segments[seg.index()].scl;
            k.send(
                node,
                to,
                SMALL_MESSAGE_BYTES,
                Payload::GossipPull { seg, peer, have },
            );
        }
        st.segments[seg.index()].next_gossip = now + crate::storage::GOSSIP_INTERVAL;
    }
    if busy {
        return;
    }
    let s = &mut st.segments[seg.index()];
    if now >= s.next_coalesce && s.scl > s.coalesced {
        s.coalesced = s.scl;
        s.hot_log_bytes = 0;
        s.next_coalesce = now + crate::storage::COALESCE_INTERVAL;
        k.emit(Event::Background {
            seg,
            work: BackgroundWork::Coalesce,
            upto: s.scl,
        });
    }
    // One segment per PG stages the PG to the object store: the first healthy member.
    let leader = st.pgs[s.pg.index()]
        .member_slots()
        .map(|(_, p)| p)
        .find(|&p| {
            let ps = &st.segments[p.index()];
            ps.health == SegmentHealth::Healthy && k.topo.is_up(ps.node)
        });
    let s = &mut st.segments[seg.index()];
    if leader == Some(seg) && now >= s.next_backup && s.coalesced > s.backed_up {
        let bytes = ((s.coalesced.0 - s.backed_up.0) as u32).saturating_mul(64);
        s.next_backup = now + crate::storage::BACKUP_INTERVAL;
        let upto = s.coalesced;
        k.send(
            node,
            st.object_store,
            bytes.max(SMALL_MESSAGE_BYTES),
            Payload::Backup { seg, upto },
        );
        k.emit(Event::Background {
            seg,
            work: BackgroundWork::Backup,
            upto,
        });
    }
    // Old versions go once they are both coalesced and backed up (and, with replicas, below
    // every read point: PGMRPL, P17 §4.2.3).
    let s = &mut st.segments[seg.index()];
    let floor = s.coalesced.min(s.backed_up).min(keep_from);
    if floor > s.collected {
        s.collected = floor;
        k.emit(Event::Background {
            seg,
            work: BackgroundWork::GarbageCollect,
            upto: floor,
        });
    }
    if now >= s.next_scrub {
        s.next_scrub = now + crate::storage::SCRUB_INTERVAL;
        k.emit(Event::Background {
            seg,
            work: BackgroundWork::Scrub,
            upto: s.scl,
        });
    }
}

/// The object store has the log and pages up to `upto`: versions below may now be collected.
pub(crate) fn on_backup_stored(st: &mut Storage, seg: SegmentId, upto: Lsn) {
    if let Some(s) = st.segments.get_mut(seg.index()) {
        s.backed_up = s.backed_up.max(upto);
    }
}
