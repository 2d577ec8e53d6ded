//! Where things are: regions, Availability Zones, and the nodes in them.
//!
//! Every participant that sends or receives a message is a node: storage nodes, DB instances,
//! the S3-like object store and clients. The network looks up a node's region and AZ to price a
//! message, and a fault marks a node down.

use crate::ids::{AzId, NodeId, RegionId};
use alloc::vec::Vec;
use core::fmt;

/// Availability Zones a cluster's storage spans. P17 §2.1
pub const AZ_COUNT: usize = 3;
/// Copies of each protection group kept in each AZ. P17 §2.1
pub const COPIES_PER_AZ: usize = 2;

/// What kind of participant a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum NodeKind {
    /// An EC2-hosted storage node with local SSDs, holding segments. P17 §3.3
    Storage,
    /// A DB instance: the writer or a read replica.
    Instance,
    /// The regional object store that continuous backup stages log and pages to. P17 §3.3
    ObjectStore,
    /// An application client.
    Client,
    /// The regional DNS service, which also stands for the control plane's view of health.
    Dns,
}

/// One node's place and health.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Node {
    pub kind: NodeKind,
    pub region: RegionId,
    /// `None` for regional services (the object store) and clients outside the AZs.
    pub az: Option<AzId>,
    /// 1-based number among the nodes of the same kind in the same AZ, for names like `az-b-2`.
    pub ordinal: u16,
    pub up: bool,
    /// Incremented on every crash, so work scheduled before a crash is recognised as stale.
    pub incarnation: u32,
    /// Latency and disk service time in percent of normal: 100 normally, more when slowed.
    pub slowness_pct: u32,
}

impl Node {
    /// The node's short name, used in the diagram, the event log and accessible names.
    pub fn name(&self) -> NodeName {
        NodeName {
            kind: self.kind,
            region: self.region,
            az: self.az,
            ordinal: self.ordinal,
        }
    }
}

/// A node's display name, formatted without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeName {
    kind: NodeKind,
    region: RegionId,
    az: Option<AzId>,
    ordinal: u16,
}

impl fmt::Display for NodeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Nodes outside the first region carry their region's name.
        if self.region.0 != 0 && self.kind != NodeKind::Dns {
            write!(f, "{}/", self.region.name())?;
        }
        match (self.kind, self.az) {
            (NodeKind::Storage, Some(az)) => write!(f, "az-{}-{}", az.letter(), self.ordinal),
            (NodeKind::Instance, _) => write!(f, "instance-{}", self.ordinal),
            (NodeKind::ObjectStore, _) if self.ordinal > 1 => {
                write!(f, "replication-{}", self.ordinal - 1)
            }
            (NodeKind::ObjectStore, _) => write!(f, "S3"),
            (NodeKind::Client, Some(az)) => write!(f, "client-{}{}", az.letter(), self.ordinal),
            (NodeKind::Client, None) => write!(f, "client-{}", self.ordinal),
            (NodeKind::Dns, _) => write!(f, "DNS"),
            (NodeKind::Storage, None) => write!(f, "storage-{}", self.ordinal),
        }
    }
}

/// All nodes of the simulation, indexed by [`NodeId`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Topology {
    pub nodes: Vec<Node>,
}

impl Topology {
    pub fn add(&mut self, kind: NodeKind, region: RegionId, az: Option<AzId>) -> NodeId {
        // Storage nodes and clients are numbered within their AZ (az-b-2, client-c1);
        // instances across the region (instance-3), as their names carry no AZ.
        let per_az = matches!(kind, NodeKind::Storage | NodeKind::Client);
        let ordinal = 1 + self
            .nodes
            .iter()
            .filter(|n| n.kind == kind && (!per_az || n.az == az) && n.region == region)
            .count() as u16;
        self.nodes.push(Node {
            kind,
            region,
            az,
            ordinal,
            up: true,
            incarnation: 0,
            slowness_pct: 100,
        });
        NodeId(self.nodes.len() as u16 - 1)
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }

    pub fn get(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id.index())
    }

    /// The node the diagram calls `name` (`az-b-2`, `instance-1`, `client-1`).
    pub fn node_named(&self, name: &str) -> Option<NodeId> {
        self.nodes
            .iter()
            .position(|n| alloc::format!("{}", n.name()) == name)
            .and_then(|i| u16::try_from(i).ok())
            .map(NodeId)
    }

    pub fn is_up(&self, id: NodeId) -> bool {
        self.nodes.get(id.index()).is_some_and(|n| n.up)
    }

    /// Nodes of one kind in one AZ, in id order.
    pub fn in_az(&self, kind: NodeKind, az: AzId) -> impl Iterator<Item = NodeId> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter(move |(_, n)| n.kind == kind && n.az == Some(az))
            .map(|(i, _)| NodeId(i as u16))
    }
}
