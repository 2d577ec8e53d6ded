//! Faults injected and healed: crashes, lost segments, failed AZs and regions, partitions and
//! slow nodes, and what the model does when nodes go down and come back.

use crate::command::{CommandError, Fault};
use crate::compute::instance::Role;
use crate::compute::recovery;
use crate::engine::Kernel;
use crate::event::Event;
use crate::failover;
use crate::ids::{NodeId, RegionId};
use crate::model::Model;
use crate::storage::repair;
use crate::topology::NodeKind;
use alloc::vec::Vec;

pub(crate) fn inject(k: &mut Kernel, m: &mut Model, f: Fault) -> Result<(), CommandError> {
    match f {
        Fault::CrashNode(node) => {
            check_node(k, node)?;
            if !k.topo.is_up(node) {
                return Err(CommandError::AlreadyDown(node));
            }
            k.emit(Event::FaultInjected(f));
            crash(k, m, node);
        }
        Fault::LoseSegment(seg) => {
            let s = m
                .storage
                .segment(seg)
                .ok_or(CommandError::UnknownSegment(seg))?;
            if s.health != crate::event::SegmentHealth::Healthy {
                return Err(CommandError::SegmentNotHealthy(seg));
            }
            k.emit(Event::FaultInjected(f));
            crate::model::storage_control(k, m, |k, st, cl| repair::lose_segment(k, st, cl, seg));
        }
        Fault::FailAz(az) => {
            if az.index() >= crate::topology::AZ_COUNT {
                return Err(CommandError::UnknownAz(az));
            }
            if m.faults.contains(&f) {
                return Err(CommandError::AlreadyFailed(f));
            }
            k.emit(Event::FaultInjected(f));
            crate::storage::degraded::az_failed(k, &mut m.storage, az);
            let nodes: Vec<NodeId> = (0..k.topo.nodes.len() as u16)
                .map(NodeId)
                .filter(|&n| k.topo.node(n).az == Some(az) && k.topo.is_up(n))
                .collect();
            for n in nodes {
                crash(k, m, n);
            }
        }
        Fault::Partition(p) => {
            if m.faults.contains(&f) {
                return Err(CommandError::AlreadyFailed(f));
            }
            if let crate::net::Partition::Az(az) = p {
                if az.index() >= crate::topology::AZ_COUNT {
                    return Err(CommandError::UnknownAz(az));
                }
            }
            k.emit(Event::FaultInjected(f));
            k.net.partitions.push(p);
            crate::model::evaluate_quorums(k, m);
        }
        Fault::SlowNode { node, pct } => {
            check_node(k, node)?;
            if pct < 100 {
                return Err(CommandError::BadSlowness(pct));
            }
            k.emit(Event::FaultInjected(f));
            k.topo.nodes[node.index()].slowness_pct = pct;
        }
        Fault::FailRegion(region) => {
            if m.faults.contains(&f) {
                return Err(CommandError::AlreadyFailed(f));
            }
            if region.0 != 0 && m.global.region(region).is_none() {
                return Err(CommandError::NotASecondary(region));
            }
            k.emit(Event::FaultInjected(f));
            let nodes: Vec<NodeId> = region_nodes(k, region, true);
            for n in nodes {
                crash(k, m, n);
            }
            crate::global::region_health(k, &mut m.global, region, false);
        }
    }
    if !matches!(f, Fault::CrashNode(_) | Fault::LoseSegment(_)) {
        m.faults.retain(|x| !same_target(x, &f));
        m.faults.push(f);
    }
    Ok(())
}

/// Two faults on the same thing (a slowdown replaced by another slowdown of the same node).
fn same_target(a: &Fault, b: &Fault) -> bool {
    match (a, b) {
        (Fault::SlowNode { node: x, .. }, Fault::SlowNode { node: y, .. }) => x == y,
        _ => a == b,
    }
}

pub(crate) fn heal(k: &mut Kernel, m: &mut Model, f: Fault) -> Result<(), CommandError> {
    match f {
        Fault::CrashNode(node) => {
            check_node(k, node)?;
            if k.topo.is_up(node) {
                return Err(CommandError::NotDown(node));
            }
            k.emit(Event::FaultHealed(f));
            restart(k, m, node);
        }
        Fault::LoseSegment(seg) => return Err(CommandError::CannotHealLoss(seg)),
        Fault::FailAz(az) => {
            if !m.faults.contains(&f) {
                return Err(CommandError::NotInForce(f));
            }
            k.emit(Event::FaultHealed(f));
            crate::storage::degraded::az_returned(&mut m.storage, az);
            let nodes: Vec<NodeId> = (0..k.topo.nodes.len() as u16)
                .map(NodeId)
                .filter(|&n| k.topo.node(n).az == Some(az) && !k.topo.is_up(n))
                .collect();
            restart_all(k, m, &nodes);
            crate::model::tend_degraded(k, m);
        }
        Fault::Partition(p) => {
            if !k.net.partitions.contains(&p) {
                return Err(CommandError::NotInForce(f));
            }
            k.emit(Event::FaultHealed(f));
            k.net.partitions.retain(|x| *x != p);
            crate::model::evaluate_quorums(k, m);
            let fenced: Vec<NodeId> = m
                .compute
                .instances
                .iter()
                .filter(|i| i.role == Role::Fenced)
                .map(|i| i.node)
                .collect();
            for n in fenced {
                failover::node_reachable(k, &crate::model::parts!(m), n);
            }
        }
        Fault::SlowNode { node, .. } => {
            check_node(k, node)?;
            if k.topo.node(node).slowness_pct == 100 {
                return Err(CommandError::NotInForce(f));
            }
            k.emit(Event::FaultHealed(f));
            k.topo.nodes[node.index()].slowness_pct = 100;
        }
        Fault::FailRegion(region) => {
            if !m.faults.contains(&f) {
                return Err(CommandError::NotInForce(f));
            }
            k.emit(Event::FaultHealed(f));
            let nodes = region_nodes(k, region, false);
            restart_all(k, m, &nodes);
            crate::global::region_health(k, &mut m.global, region, true);
        }
    }
    m.faults.retain(|x| !same_target(x, &f));
    Ok(())
}

/// A region's nodes, up or down: not its clients (they stand for users elsewhere) nor DNS
/// (a global service).
fn region_nodes(k: &Kernel, region: RegionId, up: bool) -> Vec<NodeId> {
    (0..k.topo.nodes.len() as u16)
        .map(NodeId)
        .filter(|&n| {
            let node = k.topo.node(n);
            node.region == region
                && !matches!(node.kind, NodeKind::Client | NodeKind::Dns)
                && node.up == up
        })
        .collect()
}

fn crash(k: &mut Kernel, m: &mut Model, node: NodeId) {
    // Bill the time so far at the instances' old states before they change.
    crate::serverless::meter(k, &mut m.serverless, &m.compute.instances);
    let n = &mut k.topo.nodes[node.index()];
    n.up = false;
    n.incarnation += 1;
    k.emit(Event::NodeDown(node));
    match k.topo.node(node).kind {
        NodeKind::Storage => {
            crate::model::storage_control(k, m, |k, st, cl| repair::node_went_down(k, st, cl, node))
        }
        _ => {
            m.compute.reads.drop_reader(node);
            // A writer that dies while recovering leaves the recovery to whoever comes next.
            if m.compute.recovery.as_ref().is_some_and(|r| r.node == node) {
                m.compute.recovery = None;
                m.failover.active = None;
            }
            crate::model::evaluate_quorums(k, m);
        }
    }
}

fn restart(k: &mut Kernel, m: &mut Model, node: NodeId) {
    restart_all(k, m, &[node]);
}

/// Brings nodes back together: all are up before any reacts, so a storage node coming back
/// does not start repairing segments whose nodes are coming back in the same breath.
fn restart_all(k: &mut Kernel, m: &mut Model, nodes: &[NodeId]) {
    // Bill the time so far at the instances' old states before they change.
    crate::serverless::meter(k, &mut m.serverless, &m.compute.instances);
    for &node in nodes {
        k.topo.nodes[node.index()].up = true;
        k.emit(Event::NodeUp(node));
    }
    for &node in nodes {
        came_up(k, m, node);
    }
}

fn came_up(k: &mut Kernel, m: &mut Model, node: NodeId) {
    match k.topo.node(node).kind {
        NodeKind::Storage => {
            crate::model::storage_control(k, m, |k, st, cl| repair::node_came_up(k, st, cl, node))
        }
        // The writer came back before a failover replaced it: it recovers the volume itself.
        NodeKind::Instance
            if node == m.compute.writer.node
                && m.failover.active.is_none()
                && m.compute.recovery.is_none() =>
        {
            let in_flight = m.compute.writer.abandon_commits().len() as u32;
            recovery::begin(
                k,
                &mut m.compute,
                &m.storage,
                node,
                recovery::ENGINE_RESTART_TIME,
                in_flight,
            );
        }
        _ => {}
    }
}

/// A fault names a storage node or a DB instance; anything else is refused.
fn check_node(k: &Kernel, node: NodeId) -> Result<(), CommandError> {
    match k.topo.get(node) {
        Some(n) if matches!(n.kind, NodeKind::Storage | NodeKind::Instance) => Ok(()),
        _ => Err(CommandError::UnknownNode(node)),
    }
}
