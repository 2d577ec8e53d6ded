//! Volume geometry: protection groups, where their segments live, and growth.

use super::{ProtectionGroup, Segment, Storage, StorageConfig, StorageNode};
use crate::engine::Kernel;
use crate::event::SegmentHealth;
use crate::ids::{AzId, NodeId, PgId, RegionId, SegmentId};
use crate::lsn::Lsn;
use crate::quorum::{QuorumSet, MAX_SLOTS};
use crate::time::SimTime;
use crate::topology::{NodeKind, AZ_COUNT, COPIES_PER_AZ};
use alloc::vec::Vec;

/// Size of one protection group's slice of the volume: "10 GB" in the paper (P17 §2.2), grown
/// in 10 GiB steps in the User Guide (UG: How Aurora Serverless v1 works).
pub const PG_SIZE_BYTES: u64 = 10 << 30;
/// Largest cluster volume on current engine versions: 128 TiB (UG: Amazon Aurora storage and
/// reliability). Older versions and P17 say 64 TB; the reference's current figure wins.
pub const MAX_VOLUME_BYTES: u64 = 128 << 40;
/// Protection groups in a full volume.
pub const MAX_PGS: u64 = MAX_VOLUME_BYTES / PG_SIZE_BYTES;

/// Storage with no nodes and no volume yet, at volume epoch 1.
pub(crate) fn empty(config: StorageConfig, region: RegionId) -> Storage {
    Storage {
        config,
        region,
        pgs: Vec::new(),
        segments: Vec::new(),
        nodes: Vec::new(),
        index: Vec::new(),
        object_store: NodeId(0),
        volume_bytes: 0,
        volume_epoch: 1,
        geometry_epoch: 0,
        repairs: Vec::new(),
        deferred: Vec::new(),
        failed_at: Vec::new(),
        az_out_since: [None; crate::topology::AZ_COUNT],
        degradations: 0,
        restorations: 0,
    }
}

/// Builds the storage fleet of `region` and a volume of `initial_bytes` (at least one PG),
/// complete to `start`.
pub(crate) fn build(
    k: &mut Kernel,
    config: StorageConfig,
    initial_bytes: u64,
    region: RegionId,
    start: Lsn,
) -> Storage {
    let mut st = empty(config, region);
    for az in 0..AZ_COUNT as u8 {
        // A region that already has storage nodes (a secondary being promoted) reuses them.
        let existing: Vec<NodeId> = (0..k.topo.nodes.len() as u16)
            .map(NodeId)
            .filter(|&n| {
                let node = k.topo.node(n);
                node.kind == NodeKind::Storage && node.region == region && node.az == Some(AzId(az))
            })
            .collect();
        for i in 0..config.nodes_per_az.max(COPIES_PER_AZ) {
            let node = match existing.get(i) {
                Some(&n) => n,
                None => k.topo.add(NodeKind::Storage, region, Some(AzId(az))),
            };
            register(&mut st, node);
        }
    }
    st.object_store = k.topo.add(NodeKind::ObjectStore, region, None);
    st.volume_bytes = initial_bytes.clamp(1, MAX_VOLUME_BYTES);
    let pgs = st.volume_bytes.div_ceil(PG_SIZE_BYTES);
    for _ in 0..pgs {
        add_pg(k, &mut st, start);
    }
    st
}

fn register(st: &mut Storage, node: NodeId) {
    if st.index.len() <= node.index() {
        st.index.resize(node.index() + 1, None);
    }
    st.index[node.index()] = Some(st.nodes.len() as u16);
    st.nodes.push(StorageNode {
        node,
        disk_free_at: SimTime::ZERO,
        segments: Vec::new(),
    });
}

/// Picks the `n` least-loaded storage nodes of an AZ, breaking ties at random ("placed with high
/// entropy", P17 §3.3), skipping `exclude` and, if `only_up`, nodes that are down.
pub(crate) fn pick_nodes(
    k: &mut Kernel,
    st: &Storage,
    az: AzId,
    n: usize,
    exclude: &[NodeId],
    only_up: bool,
) -> Vec<NodeId> {
    let mut candidates: Vec<(usize, u64, NodeId)> = Vec::new();
    for node in k.topo.in_az(NodeKind::Storage, az).collect::<Vec<_>>() {
        let elsewhere = k.topo.node(node).region != st.region || st.storage_node(node).is_none();
        if elsewhere || exclude.contains(&node) || (only_up && !k.topo.is_up(node)) {
            continue;
        }
        let load = st.storage_node(node).map_or(0, |s| s.segments.len());
        candidates.push((load, k.rng.next_u64(), node));
    }
    candidates.sort_unstable();
    candidates.into_iter().take(n).map(|c| c.2).collect()
}

/// Creates a segment record on `node` in `slot` of `pg`.
pub(crate) fn new_segment(
    st: &mut Storage,
    pg: PgId,
    node: NodeId,
    slot: u8,
    scl: Lsn,
    health: SegmentHealth,
    now: SimTime,
) -> SegmentId {
    let id = SegmentId(st.segments.len() as u32);
    st.segments.push(Segment {
        id,
        pg,
        node,
        slot,
        health,
        scl,
        acked: scl,
        pending: Vec::new(),
        queue: 0,
        hot_log_bytes: 0,
        coalesced: scl,
        backed_up: scl,
        collected: scl,
        volume_epoch: st.volume_epoch,
        member_epoch: 0,
        next_gossip: now + super::GOSSIP_INTERVAL,
        next_coalesce: now + super::COALESCE_INTERVAL,
        next_backup: now + super::BACKUP_INTERVAL,
        next_scrub: now + super::SCRUB_INTERVAL,
    });
    if let Some(sn) = st.storage_node_mut(node) {
        sn.segments.push(id);
    }
    id
}

/// Adds one PG, its six segments placed two per AZ on distinct nodes, complete to `start`
/// (the PG holds no records at or below it).
pub(crate) fn add_pg(k: &mut Kernel, st: &mut Storage, start: Lsn) -> PgId {
    let id = PgId(st.pgs.len() as u32);
    let mut slots = [None; MAX_SLOTS];
    let mut slot = 0u8;
    for az in 0..AZ_COUNT as u8 {
        for node in pick_nodes(k, st, AzId(az), COPIES_PER_AZ, &[], false) {
            let seg = new_segment(st, id, node, slot, start, SegmentHealth::Healthy, k.now);
            slots[slot as usize] = Some(seg);
            slot += 1;
        }
    }
    let members = (1u16 << slot) as u8 - 1;
    st.pgs.push(ProtectionGroup {
        id,
        slots,
        quorum: QuorumSet::simple(members),
        epoch: 1,
        data_bytes: 0,
        write_ok: true,
        read_ok: true,
        degraded: None,
    });
    for seg in st.pgs[id.index()].slots.iter().flatten() {
        st.segments[seg.index()].member_epoch = 1;
    }
    st.geometry_epoch += 1;
    spread_data(st);
    id
}

/// Lays the volume's bytes over its PGs in order: all full but the last.
/// Adds `bytes` of data; whole PGs starting at `start` are added when the data passes a 10 GiB
/// boundary. Returns how many PGs were added, or the largest volume size when it would not fit.
pub(crate) fn grow(k: &mut Kernel, st: &mut Storage, bytes: u64, start: Lsn) -> Result<usize, u64> {
    if st.volume_bytes.saturating_add(bytes) > MAX_VOLUME_BYTES {
        return Err(MAX_VOLUME_BYTES);
    }
    st.volume_bytes += bytes;
    let want = st.volume_bytes.div_ceil(PG_SIZE_BYTES) as usize;
    let have = st.pgs.len();
    if want > have {
        for _ in have..want {
            add_pg(k, st, start);
        }
    } else {
        spread_data(st);
    }
    Ok(want.saturating_sub(have))
}

pub(crate) fn spread_data(st: &mut Storage) {
    let mut left = st.volume_bytes;
    for pg in &mut st.pgs {
        pg.data_bytes = left.min(PG_SIZE_BYTES);
        left -= pg.data_bytes;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_pg_has_six_segments_two_per_az_on_distinct_nodes() {
        let mut k = Kernel::new(9);
        let st = build(
            &mut k,
            StorageConfig::default(),
            35 << 30,
            RegionId(0),
            Lsn::ZERO,
        );
        assert_eq!(st.pgs.len(), 4, "35 GiB needs four 10 GiB PGs");
        for pg in &st.pgs {
            let segs: Vec<_> = pg.slots.iter().flatten().collect();
            assert_eq!(segs.len(), 6);
            let mut nodes: Vec<_> = segs.iter().map(|s| st.segments[s.index()].node).collect();
            for az in 0..3u8 {
                let in_az = nodes
                    .iter()
                    .filter(|n| k.topo.node(**n).az == Some(AzId(az)))
                    .count();
                assert_eq!(in_az, 2, "two copies in AZ {az}");
            }
            nodes.sort();
            nodes.dedup();
            assert_eq!(nodes.len(), 6, "no node holds two copies of a PG");
        }
        assert_eq!(st.pgs[3].data_bytes, 5 << 30);
    }

    #[test]
    fn placement_spreads_segments_evenly() {
        let mut k = Kernel::new(3);
        let st = build(
            &mut k,
            StorageConfig::default(),
            80 << 30,
            RegionId(0),
            Lsn::ZERO,
        );
        let loads: Vec<usize> = st.nodes.iter().map(|n| n.segments.len()).collect();
        let (lo, hi) = (loads.iter().min().unwrap(), loads.iter().max().unwrap());
        assert!(hi - lo <= 1, "{loads:?}");
    }

    #[test]
    fn a_full_volume_is_about_thirteen_thousand_pgs() {
        assert_eq!(MAX_PGS, 13_107);
    }
}
