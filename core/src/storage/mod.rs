//! The storage layer: a cluster volume of protection groups, each kept as six segments, two in
//! each of three AZs, on a fleet of storage nodes (reference §1).
//!
//! * [`volume`]: the geometry: PGs, placement, growth in whole PGs.
//! * [`segment`]: one segment's pipeline: queue, persist and acknowledge on the foreground path;
//!   gossip, coalesce, back up, garbage-collect and scrub in the background (P17 §3.3).
//! * [`repair`]: self-healing through quorum membership changes with epochs (P18 §4).
//! * [`degraded`]: the degraded-AZ 3/4 quorum during a long AZ outage (P18 §2.4).
//!
//! Their handlers take the storage state and what they need of the rest (the writer's node,
//! the figures, the checker), so one protection group can be driven on its own in tests.

pub mod degraded;
#[cfg(test)]
mod harness;
pub mod repair;
pub mod segment;
pub mod volume;

use crate::event::SegmentHealth;
use crate::ids::{NodeId, PgId, SegmentId};
use crate::lsn::Lsn;
use crate::quorum::{QuorumSet, MAX_SLOTS};
use crate::time::{SimDuration, SimTime};
use alloc::vec::Vec;

pub use volume::{MAX_VOLUME_BYTES, PG_SIZE_BYTES};

/// Storage nodes per AZ in a new simulation. [sim default — not sourced: the real fleet has
/// hundreds of nodes per volume; a dozen keeps the diagram readable while still spreading PGs]
pub const STORAGE_NODES_PER_AZ: usize = 4;
/// Time to persist a batch to a segment's hot log on local SSD. [sim default — not sourced]
pub const PERSIST_TIME: SimDuration = SimDuration::from_micros(80);
/// Local SSD write bandwidth, bytes per second. [sim default — not sourced]
pub const DISK_BYTES_PER_SEC: u64 = 2_000_000_000;
/// How often each storage node runs its background work. [sim default — not sourced]
pub const BACKGROUND_INTERVAL: SimDuration = SimDuration::from_millis(250);
/// How often a segment with no known gap still gossips with a peer. [sim default — not sourced]
pub const GOSSIP_INTERVAL: SimDuration = SimDuration::from_secs(2);
/// How often a segment coalesces its log into pages. [sim default — not sourced]
pub const COALESCE_INTERVAL: SimDuration = SimDuration::from_secs(1);
/// How often a PG stages log and pages to the object store. [sim default — not sourced]
pub const BACKUP_INTERVAL: SimDuration = SimDuration::from_secs(10);
/// How often a segment validates its page checksums. [sim default — not sourced]
pub const SCRUB_INTERVAL: SimDuration = SimDuration::from_secs(60);
/// How long a storage node may be unreachable before its segments are re-replicated.
/// [sim default — not sourced]
pub const NODE_FAILURE_DETECTION: SimDuration = SimDuration::from_secs(5);
/// How long before a failed disk's segment is noticed (the node reports it).
/// [sim default — not sourced]
pub const SEGMENT_LOSS_DETECTION: SimDuration = SimDuration::from_millis(500);
/// Control-plane work before a repair copy starts (choose a node, create the segment, bump the
/// epoch). [sim default — not sourced; with the 8.6 s copy of a full 10 GiB PG at 10 Gbps it
/// gives the paper's "~10 s" repair, P17 §2.2]
pub const REPAIR_SETUP: SimDuration = SimDuration::from_millis(900);

/// Storage settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StorageConfig {
    pub nodes_per_az: usize,
    pub persist_time: SimDuration,
    pub disk_bytes_per_sec: u64,
    pub background_interval: SimDuration,
    pub node_failure_detection: SimDuration,
    pub segment_loss_detection: SimDuration,
    pub repair_setup: SimDuration,
    /// How long an AZ must be gone before its PGs take the degraded 3/4 quorum.
    pub degraded_quorum_after: SimDuration,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            nodes_per_az: STORAGE_NODES_PER_AZ,
            persist_time: PERSIST_TIME,
            disk_bytes_per_sec: DISK_BYTES_PER_SEC,
            background_interval: BACKGROUND_INTERVAL,
            node_failure_detection: NODE_FAILURE_DETECTION,
            segment_loss_detection: SEGMENT_LOSS_DETECTION,
            repair_setup: REPAIR_SETUP,
            degraded_quorum_after: degraded::DEGRADED_QUORUM_AFTER,
        }
    }
}

/// One segment: one PG's copy on one storage node.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Segment {
    pub id: SegmentId,
    pub pg: PgId,
    pub node: NodeId,
    /// Its slot in the PG's membership (A..H).
    pub slot: u8,
    /// Healthy, Lost, Hydrating or Retired; "Unavailable" is derived from the node.
    pub health: SegmentHealth,
    /// Segment Complete LSN: every record of the PG up to here is on this segment. P17 §4.2.1
    pub scl: Lsn,
    /// The highest SCL this segment has acknowledged. A disk that fails after acknowledging
    /// does not make the acknowledgement false: it is a later failure, which repair handles.
    pub acked: Lsn,
    /// Batches received above a gap, as `(prev, last]` ranges: what gossip must fill in.
    pub pending: Vec<(Lsn, Lsn)>,
    /// Batches waiting for the disk.
    pub queue: u32,
    /// Log bytes not yet coalesced into pages.
    pub hot_log_bytes: u64,
    pub coalesced: Lsn,
    pub backed_up: Lsn,
    pub collected: Lsn,
    /// The highest volume epoch this segment has seen: requests from older ones are refused.
    pub volume_epoch: u32,
    /// The PG's membership epoch as this segment knows it.
    pub member_epoch: u32,
    pub next_gossip: SimTime,
    pub next_coalesce: SimTime,
    pub next_backup: SimTime,
    pub next_scrub: SimTime,
}

impl Segment {
    /// Applies a batch holding the PG's records in `(prev, last]`. Returns true if SCL moved.
    pub fn apply(&mut self, prev: Lsn, last: Lsn) -> bool {
        if last <= self.scl {
            return false;
        }
        if prev <= self.scl {
            self.scl = last;
            self.drain_pending();
            true
        } else {
            if !self.pending.contains(&(prev, last)) {
                self.pending.push((prev, last));
            }
            false
        }
    }

    /// Takes every record up to `upto` from a peer or a bulk copy. Returns true if SCL moved.
    pub fn fill_to(&mut self, upto: Lsn) -> bool {
        if upto <= self.scl {
            return false;
        }
        self.scl = upto;
        self.drain_pending();
        true
    }

    fn drain_pending(&mut self) {
        loop {
            let scl = self.scl;
            let before = self.pending.len();
            self.pending.retain(|&(_, last)| last > scl);
            let mut moved = before != self.pending.len();
            if let Some(i) = self.pending.iter().position(|&(prev, _)| prev <= self.scl) {
                self.scl = self.pending.swap_remove(i).1;
                moved = true;
            }
            if !moved {
                break;
            }
        }
    }

    /// Recovery's truncation (P17 §4.3): records in `(vdl, end]` are annulled. A segment
    /// complete to `from` (its PG's last record at or below VDL) is then complete to `end`,
    /// since nothing else exists in between; one behind it keeps what it has up to VDL and
    /// catches up from its peers.
    pub fn truncate(&mut self, from: Lsn, vdl: Lsn, end: Lsn) {
        if self.scl >= from {
            self.scl = end;
            self.pending.clear();
        } else {
            self.pending.retain(|&(prev, _)| prev < vdl);
            for r in &mut self.pending {
                r.1 = r.1.min(vdl);
            }
        }
    }

    /// Does this segment still hold data (it may be on a node that is down)?
    pub fn has_data(&self) -> bool {
        matches!(
            self.health,
            SegmentHealth::Healthy | SegmentHealth::Hydrating
        )
    }
}

/// One protection group.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ProtectionGroup {
    pub id: PgId,
    /// Members by slot; a slot is empty when its segment has left.
    pub slots: [Option<SegmentId>; MAX_SLOTS],
    pub quorum: QuorumSet,
    /// Membership epoch, bumped by every change. P18 §4.1
    pub epoch: u32,
    /// Bytes of the volume this PG holds: what a repair must copy.
    pub data_bytes: u64,
    /// Whether the PG can currently form a write / read quorum from reachable segments.
    pub write_ok: bool,
    pub read_ok: bool,
    /// Set while the PG runs on the degraded-AZ quorum, or is on its way back from it.
    pub degraded: Option<Degraded>,
}

/// A PG on the degraded-AZ quorum (P18 §2.4): which AZ's copies left the set, and whether the
/// way back (both sets at once) has begun.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Degraded {
    pub az: crate::ids::AzId,
    pub gone: crate::quorum::SlotMask,
    pub restoring: bool,
}

impl ProtectionGroup {
    /// The slots of every current member.
    pub fn member_slots(&self) -> impl Iterator<Item = (u8, SegmentId)> + '_ {
        let members = self.quorum.members();
        self.slots
            .iter()
            .enumerate()
            .filter(move |(i, s)| s.is_some() && members & (1 << i) != 0)
            .filter_map(|(i, s)| s.map(|s| (i as u8, s)))
    }
}

/// A storage node's storage-side state.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StorageNode {
    pub node: NodeId,
    /// When the disk finishes the writes queued so far.
    pub disk_free_at: SimTime,
    pub segments: Vec<SegmentId>,
}

/// A membership change in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Repair {
    pub pg: PgId,
    pub failed: SegmentId,
    pub replacement: SegmentId,
    pub source: SegmentId,
    /// When the failure happened (for the repair time a person sees) and when the copy began.
    pub failed_at: SimTime,
    pub started: SimTime,
}

/// The whole storage layer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Storage {
    pub config: StorageConfig,
    /// The region whose fleet this is.
    pub region: crate::ids::RegionId,
    pub pgs: Vec<ProtectionGroup>,
    pub segments: Vec<Segment>,
    pub nodes: Vec<StorageNode>,
    /// Storage index of each node id, if it is a storage node.
    pub index: Vec<Option<u16>>,
    pub object_store: NodeId,
    /// Bytes of data in the volume.
    pub volume_bytes: u64,
    /// Bumped by crash recovery; fences old writers. P17 §4.3
    pub volume_epoch: u32,
    /// Bumped per PG added. P18 §4.1
    pub geometry_epoch: u32,
    pub repairs: Vec<Repair>,
    /// Failed segments waiting for a node to host their replacement.
    pub deferred: Vec<SegmentId>,
    /// When each failed segment failed, for repair durations.
    pub failed_at: Vec<(SegmentId, SimTime)>,
    /// Since when each AZ has been failed, if it is.
    pub az_out_since: [Option<SimTime>; crate::topology::AZ_COUNT],
    /// PGs moved to the degraded-AZ quorum, and back to 4/6, so far.
    pub degradations: u32,
    pub restorations: u32,
}

impl Storage {
    pub fn storage_node(&self, node: NodeId) -> Option<&StorageNode> {
        let i = (*self.index.get(node.index())?)?;
        self.nodes.get(i as usize)
    }

    pub(crate) fn storage_node_mut(&mut self, node: NodeId) -> Option<&mut StorageNode> {
        let i = (*self.index.get(node.index())?)?;
        self.nodes.get_mut(i as usize)
    }

    pub fn segment(&self, id: SegmentId) -> Option<&Segment> {
        self.segments.get(id.index())
    }

    pub fn pg(&self, id: PgId) -> Option<&ProtectionGroup> {
        self.pgs.get(id.index())
    }

    /// The PG's complete point as the segments themselves hold it: the highest LSN a write
    /// quorum of members is complete to (for a member whose disk has since failed, what it
    /// acknowledged before). The invariant checker compares the writer's belief against this.
    pub fn durable_point(&self, pg: &ProtectionGroup) -> Option<Lsn> {
        let mut points = [0u64; MAX_SLOTS];
        let mut eligible = 0u8;
        for (slot, seg) in pg.member_slots() {
            let s = &self.segments[seg.index()];
            points[slot as usize] = if s.has_data() { s.scl.0 } else { s.acked.0 };
            eligible |= 1 << slot;
        }
        pg.quorum.quorum_point(&points, eligible).map(Lsn)
    }

    /// The highest point any surviving copy of the PG holds: what recovery can rebuild from.
    pub fn surviving_point(&self, pg: &ProtectionGroup) -> Lsn {
        pg.member_slots()
            .map(|(_, s)| &self.segments[s.index()])
            .filter(|s| s.has_data())
            .map(|s| s.scl)
            .max()
            .unwrap_or(Lsn::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg() -> Segment {
        let mut st = volume::empty(StorageConfig::default(), crate::ids::RegionId(0));
        let id = volume::new_segment(
            &mut st,
            PgId(0),
            NodeId(0),
            0,
            Lsn(100),
            SegmentHealth::Healthy,
            SimTime::ZERO,
        );
        st.segments[id.index()].clone()
    }

    #[test]
    fn batches_apply_in_chain_order_and_gaps_wait() {
        let mut s = seg();
        // Batches (100,103], (103,107], (107,110] arrive out of order.
        assert!(!s.apply(Lsn(103), Lsn(107)), "a gap: 101..103 missing");
        assert!(!s.apply(Lsn(107), Lsn(110)));
        assert_eq!(s.scl, Lsn(100));
        assert_eq!(s.pending.len(), 2);
        assert!(s.apply(Lsn(100), Lsn(103)), "the gap closes");
        assert_eq!(s.scl, Lsn(110), "and the waiting batches follow");
        assert!(s.pending.is_empty());
        assert!(!s.apply(Lsn(100), Lsn(103)), "a duplicate changes nothing");
    }

    #[test]
    fn gossip_fills_a_gap_and_drains_what_waited() {
        let mut s = seg();
        s.apply(Lsn(120), Lsn(125));
        assert!(s.fill_to(Lsn(120)));
        assert_eq!(s.scl, Lsn(125));
        assert!(!s.fill_to(Lsn(110)), "never backwards");
    }

    #[test]
    fn truncation_annuls_the_tail_and_settles_the_range() {
        let mut s = seg();
        s.apply(Lsn(100), Lsn(130));
        s.truncate(Lsn(120), Lsn(120), Lsn(10_000_120));
        assert_eq!(
            s.scl,
            Lsn(10_000_120),
            "complete to VDL, so complete to the range's end"
        );
        let mut behind = seg();
        behind.apply(Lsn(110), Lsn(130));
        behind.truncate(Lsn(120), Lsn(120), Lsn(10_000_120));
        assert_eq!(
            behind.scl,
            Lsn(100),
            "a segment behind VDL still has to catch up"
        );
        assert_eq!(behind.pending, [(Lsn(110), Lsn(120))]);
        // A PG whose last record below VDL is 105: a copy at 105 is complete to the end.
        let mut quiet = seg();
        quiet.apply(Lsn(100), Lsn(105));
        quiet.truncate(Lsn(105), Lsn(120), Lsn(10_000_120));
        assert_eq!(quiet.scl, Lsn(10_000_120));
    }
}
