//! The network is a model: every message's delay is drawn from its link class, and partitions,
//! drops and slow nodes are faults applied to it.
//!
//! The reference gives no latencies for AWS links, so the defaults below are chosen to look like
//! a real region (sub-millisecond inside an AZ, about a millisecond across AZs, tens of
//! milliseconds across regions) and are marked as such.

use crate::ids::{AzId, NodeId, RegionId};
use crate::rng::Rng;
use crate::time::SimDuration;
use crate::topology::{Node, Topology};
use alloc::vec::Vec;
use core::fmt;

/// How far apart two nodes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum LinkClass {
    SameAz,
    CrossAz,
    CrossRegion,
}

/// Delay and loss on one class of link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LinkProfile {
    /// The least one-way delay.
    pub latency: SimDuration,
    /// Up to this much is added, uniformly at random.
    pub jitter: SimDuration,
    /// Chance that a message is lost, in parts per million.
    pub drop_ppm: u32,
}

/// One-way delay inside an AZ. [sim default — not sourced]
pub const SAME_AZ_LATENCY: SimDuration = SimDuration::from_micros(120);
/// Jitter inside an AZ. [sim default — not sourced]
pub const SAME_AZ_JITTER: SimDuration = SimDuration::from_micros(60);
/// One-way delay between AZs of a region. [sim default — not sourced]
pub const CROSS_AZ_LATENCY: SimDuration = SimDuration::from_micros(500);
/// Jitter between AZs. [sim default — not sourced]
pub const CROSS_AZ_JITTER: SimDuration = SimDuration::from_micros(300);
/// One-way delay between regions. [sim default — not sourced]
pub const CROSS_REGION_LATENCY: SimDuration = SimDuration::from_millis(70);
/// Jitter between regions. [sim default — not sourced]
pub const CROSS_REGION_JITTER: SimDuration = SimDuration::from_millis(10);
/// Bandwidth for bulk copies such as re-replicating a segment: "a 10 GB segment can be repaired
/// in ~10 s on a 10 Gbps link". P17 §2.2
pub const REPAIR_BANDWIDTH_BPS: u64 = 10_000_000_000;

/// The network's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NetConfig {
    pub same_az: LinkProfile,
    pub cross_az: LinkProfile,
    pub cross_region: LinkProfile,
    /// Bits per second for bulk transfers.
    pub bulk_bandwidth_bps: u64,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            same_az: LinkProfile {
                latency: SAME_AZ_LATENCY,
                jitter: SAME_AZ_JITTER,
                drop_ppm: 0,
            },
            cross_az: LinkProfile {
                latency: CROSS_AZ_LATENCY,
                jitter: CROSS_AZ_JITTER,
                drop_ppm: 0,
            },
            cross_region: LinkProfile {
                latency: CROSS_REGION_LATENCY,
                jitter: CROSS_REGION_JITTER,
                drop_ppm: 0,
            },
            bulk_bandwidth_bps: REPAIR_BANDWIDTH_BPS,
        }
    }
}

/// A cut in the network: messages that cross it are dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Partition {
    /// The AZ can talk inside itself but not to the rest.
    Az(AzId),
    /// The node can talk to nobody.
    Node(NodeId),
    /// These two nodes cannot talk to each other.
    Link(NodeId, NodeId),
    /// The region is cut off from other regions.
    Region(RegionId),
}

impl Partition {
    /// Does this cut separate `a` from `b`?
    fn separates(&self, a: (NodeId, &Node), b: (NodeId, &Node)) -> bool {
        match *self {
            Partition::Az(z) => (a.1.az == Some(z)) != (b.1.az == Some(z)),
            Partition::Node(n) => (a.0 == n) != (b.0 == n),
            Partition::Link(x, y) => (a.0 == x && b.0 == y) || (a.0 == y && b.0 == x),
            Partition::Region(r) => (a.1.region == r) != (b.1.region == r),
        }
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Partition::Az(z) => write!(f, "{z} cut off from the other AZs"),
            Partition::Node(n) => write!(f, "{n} cut off from the network"),
            Partition::Link(a, b) => write!(f, "link {a} ↔ {b} cut"),
            Partition::Region(r) => write!(f, "region {} cut off", r.0),
        }
    }
}

/// The network's state: its settings and the partitions in force.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Network {
    pub config: NetConfig,
    pub partitions: Vec<Partition>,
}

impl Network {
    pub fn class(a: &Node, b: &Node) -> LinkClass {
        if a.region != b.region {
            LinkClass::CrossRegion
        } else if a.az.is_some() && a.az == b.az {
            LinkClass::SameAz
        } else {
            LinkClass::CrossAz
        }
    }

    pub fn profile(&self, class: LinkClass) -> &LinkProfile {
        match class {
            LinkClass::SameAz => &self.config.same_az,
            LinkClass::CrossAz => &self.config.cross_az,
            LinkClass::CrossRegion => &self.config.cross_region,
        }
    }

    /// True if a partition separates the two nodes.
    pub fn blocked(&self, topo: &Topology, a: NodeId, b: NodeId) -> bool {
        if self.partitions.is_empty() {
            return false;
        }
        let (na, nb) = (topo.node(a), topo.node(b));
        self.partitions
            .iter()
            .any(|p| p.separates((a, na), (b, nb)))
    }

    /// Draws the one-way delay of a message, or `None` if it is lost on the way.
    pub fn delay(&self, rng: &mut Rng, from: &Node, to: &Node, bytes: u32) -> Option<SimDuration> {
        let p = self.profile(Self::class(from, to));
        if p.drop_ppm > 0 && rng.chance_ppm(p.drop_ppm) {
            return None;
        }
        let base = rng.jittered(p.latency.as_micros(), p.jitter.as_micros());
        // Large messages also pay for their bytes at bulk bandwidth.
        // Most messages take under a microsecond on the wire: skip the division for them.
        let (bits, bps) = (
            bytes as u64 * 8_000_000,
            self.config.bulk_bandwidth_bps.max(1),
        );
        let wire = if bits < bps { 0 } else { bits / bps };
        let slow = from.slowness_pct.max(to.slowness_pct) as u64;
        Some(SimDuration::from_micros((base + wire) * slow / 100))
    }

    /// How long a bulk copy of `bytes` takes at the bulk bandwidth.
    pub fn bulk_time(&self, bytes: u64) -> SimDuration {
        let bits = bytes as u128 * 8 * 1_000_000;
        SimDuration::from_micros((bits / self.config.bulk_bandwidth_bps.max(1) as u128) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::NodeKind;

    fn three_nodes() -> (Topology, NodeId, NodeId, NodeId) {
        let mut t = Topology::default();
        let a1 = t.add(NodeKind::Storage, RegionId(0), Some(AzId(0)));
        let a2 = t.add(NodeKind::Storage, RegionId(0), Some(AzId(0)));
        let b1 = t.add(NodeKind::Storage, RegionId(0), Some(AzId(1)));
        (t, a1, a2, b1)
    }

    #[test]
    fn ten_gb_copies_in_about_eight_seconds_at_ten_gbps() {
        let net = Network::default();
        let t = net.bulk_time(10_000_000_000);
        assert_eq!(t, SimDuration::from_secs(8));
    }

    #[test]
    fn link_classes_order_latency() {
        let (t, a1, a2, b1) = three_nodes();
        let net = Network::default();
        let mut rng = Rng::new(1);
        for _ in 0..100 {
            let same = net.delay(&mut rng, t.node(a1), t.node(a2), 100).unwrap();
            let cross = net.delay(&mut rng, t.node(a1), t.node(b1), 100).unwrap();
            assert!(same <= SAME_AZ_LATENCY + SAME_AZ_JITTER + SimDuration::from_micros(1));
            assert!(cross >= CROSS_AZ_LATENCY);
        }
    }

    #[test]
    fn partitions_separate_exactly_what_they_name() {
        let (t, a1, a2, b1) = three_nodes();
        let mut net = Network::default();
        net.partitions.push(Partition::Az(AzId(0)));
        assert!(!net.blocked(&t, a1, a2), "inside the AZ still talks");
        assert!(net.blocked(&t, a1, b1));
        net.partitions.clear();
        net.partitions.push(Partition::Link(a2, b1));
        assert!(net.blocked(&t, b1, a2));
        assert!(!net.blocked(&t, a1, b1));
    }

    #[test]
    fn drops_and_slowness_apply() {
        let (mut t, a1, _, b1) = three_nodes();
        let mut net = Network::default();
        net.config.cross_az.drop_ppm = 1_000_000;
        assert!(net
            .delay(&mut Rng::new(1), t.node(a1), t.node(b1), 10)
            .is_none());
        net.config.cross_az.drop_ppm = 0;
        net.config.cross_az.jitter = SimDuration::ZERO;
        t.nodes[b1.index()].slowness_pct = 400;
        let d = net
            .delay(&mut Rng::new(1), t.node(a1), t.node(b1), 0)
            .unwrap();
        assert_eq!(d, CROSS_AZ_LATENCY.saturating_mul(4));
    }
}
