//! Read-only snapshots of the whole state, shaped for drawing.
//!
//! A view is plain data: the page renders it, the inspector lists it, and the tests assert on it.
//! Accessible names come from here, so the diagram, the inspector and the tests agree on what a
//! thing is called.

use crate::event::SegmentHealth;
use crate::ids::{AzId, NodeId, PgId, SegmentId};
use crate::lsn::{Lsn, LAL};
use crate::sim::Sim;
use crate::time::SimTime;
use crate::topology::NodeKind;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NodeView {
    pub id: NodeId,
    pub name: String,
    pub kind: NodeKind,
    pub az: Option<AzId>,
    pub up: bool,
    /// Cut off from the writer by a partition.
    pub partitioned: bool,
    pub slowness_pct: u32,
    /// Segments hosted (storage nodes).
    pub segments: Vec<SegmentId>,
    /// When the disk will have written everything queued so far.
    pub disk_busy_until: SimTime,
}

impl NodeView {
    /// "Storage node az-b-2, healthy", "DB instance instance-1 (writer), down".
    pub fn accessible_name(&self, is_writer: bool) -> String {
        let kind = match self.kind {
            NodeKind::Storage => "Storage node",
            NodeKind::Instance => "DB instance",
            NodeKind::ObjectStore => "Object store",
            NodeKind::Client => "Client",
            NodeKind::Dns => "DNS service",
        };
        let role = if is_writer { " (writer)" } else { "" };
        format!("{kind} {}{role}, {}", self.name, self.state_word())
    }

    pub fn state_word(&self) -> &'static str {
        if !self.up {
            "down"
        } else if self.partitioned {
            "partitioned"
        } else if self.slowness_pct > 100 {
            "slow"
        } else {
            "healthy"
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SegmentView {
    pub id: SegmentId,
    pub pg: PgId,
    pub node: NodeId,
    /// A..H, the member slot.
    pub slot: char,
    /// Includes `Unavailable` when its node is down or cut off.
    pub health: SegmentHealth,
    pub scl: Lsn,
    /// Ranges received above a gap, waiting for gossip.
    pub gaps: usize,
    pub queue: u32,
    pub hot_log_bytes: u64,
    pub coalesced: Lsn,
    pub backed_up: Lsn,
    pub collected: Lsn,
    pub volume_epoch: u32,
    pub member_epoch: u32,
}

impl SegmentView {
    /// "Segment 7 (PG 1, copy B) on az-a-2, healthy, SCL 1042".
    pub fn accessible_name(&self, node_name: &str) -> String {
        format!(
            "Segment {} ({}, copy {}) on {node_name}, {}, SCL {}",
            self.id.0,
            self.pg,
            self.slot,
            health_word(self.health),
            self.scl
        )
    }
}

pub fn health_word(h: SegmentHealth) -> &'static str {
    match h {
        SegmentHealth::Healthy => "healthy",
        SegmentHealth::Unavailable => "unavailable",
        SegmentHealth::Lost => "lost",
        SegmentHealth::Hydrating => "hydrating",
        SegmentHealth::Retired => "retired",
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PgView {
    pub id: PgId,
    /// Current members, in slot order.
    pub members: Vec<SegmentId>,
    /// The quorum expression as the paper writes it, e.g. `ABCDEF AND ABCDEG`.
    pub quorum: String,
    pub in_transition: bool,
    pub epoch: u32,
    /// PGCL as the writer knows it.
    pub pgcl: Lsn,
    pub write_ok: bool,
    pub read_ok: bool,
    pub data_bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WriterView {
    pub node: NodeId,
    pub up: bool,
    pub vcl: Lsn,
    pub vdl: Lsn,
    pub max_lsn: Lsn,
    /// VDL + LAL: no LSN may be allocated above it.
    pub lsn_limit: Lsn,
    pub throttled: bool,
    pub commits_waiting: usize,
    pub volume_epoch: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct VolumeView {
    pub bytes: u64,
    pub max_bytes: u64,
    pub pgs: usize,
    pub geometry_epoch: u32,
    pub volume_epoch: u32,
}

/// Everything the page draws, at one instant.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct View {
    pub now: SimTime,
    pub nodes: Vec<NodeView>,
    pub segments: Vec<SegmentView>,
    pub pgs: Vec<PgView>,
    pub writer: WriterView,
    pub volume: VolumeView,
    pub invariant_violations: u64,
}

impl View {
    pub fn node(&self, id: NodeId) -> Option<&NodeView> {
        self.nodes.get(id.index())
    }
    pub fn segment(&self, id: SegmentId) -> Option<&SegmentView> {
        self.segments.get(id.index())
    }
}

impl Sim {
    /// Builds a snapshot of the whole state.
    pub fn view(&self) -> View {
        let topo = self.topology();
        let st = self.storage();
        let w = self.writer();
        let writer_node = w.node;
        let nodes: Vec<NodeView> = topo
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let id = NodeId(i as u16);
                let sn = st.storage_node(id);
                NodeView {
                    id,
                    name: format!("{}", n.name()),
                    kind: n.kind,
                    az: n.az,
                    up: n.up,
                    partitioned: id != writer_node && self.blocked(writer_node, id),
                    slowness_pct: n.slowness_pct,
                    segments: sn.map(|s| s.segments.clone()).unwrap_or_default(),
                    disk_busy_until: sn.map_or(SimTime::ZERO, |s| s.disk_free_at),
                }
            })
            .collect();
        let segments = st
            .segments
            .iter()
            .map(|s| {
                let node = &nodes[s.node.index()];
                let health = match s.health {
                    SegmentHealth::Healthy | SegmentHealth::Hydrating
                        if !node.up || node.partitioned =>
                    {
                        SegmentHealth::Unavailable
                    }
                    h => h,
                };
                SegmentView {
                    id: s.id,
                    pg: s.pg,
                    node: s.node,
                    slot: (b'A' + s.slot) as char,
                    health,
                    scl: s.scl,
                    gaps: s.pending.len(),
                    queue: s.queue,
                    hot_log_bytes: s.hot_log_bytes,
                    coalesced: s.coalesced,
                    backed_up: s.backed_up,
                    collected: s.collected,
                    volume_epoch: s.volume_epoch,
                    member_epoch: s.member_epoch,
                }
            })
            .collect();
        let pgs = st
            .pgs
            .iter()
            .map(|pg| PgView {
                id: pg.id,
                members: pg.member_slots().map(|(_, s)| s).collect(),
                quorum: format!("{:?}", pg.quorum),
                in_transition: pg.quorum.in_transition(),
                epoch: pg.epoch,
                pgcl: w.log.pgcl(pg.id.0),
                write_ok: pg.write_ok,
                read_ok: pg.read_ok,
                data_bytes: pg.data_bytes,
            })
            .collect();
        View {
            now: self.now(),
            writer: WriterView {
                node: writer_node,
                up: topo.is_up(writer_node),
                vcl: w.log.vcl(),
                vdl: w.log.vdl(),
                max_lsn: w.log.max_allocated(),
                lsn_limit: Lsn(w.log.vdl().0 + LAL),
                throttled: w.throttled,
                commits_waiting: w.commits_waiting(),
                volume_epoch: w.volume_epoch,
            },
            volume: VolumeView {
                bytes: st.volume_bytes,
                max_bytes: crate::storage::MAX_VOLUME_BYTES,
                pgs: st.pgs.len(),
                geometry_epoch: st.geometry_epoch,
                volume_epoch: st.volume_epoch,
            },
            nodes,
            segments,
            pgs,
            invariant_violations: self.invariant_violations(),
        }
    }
}
