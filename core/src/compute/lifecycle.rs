//! An instance's life: created, ready to serve, removed. The cluster's instances change only
//! here, so the cost meter is brought up to date before every change.

use crate::command::CommandError;
use crate::compute::instance::{Instance, InstanceClass, Role, MAX_REPLICAS};
use crate::engine::{Due, Kernel};
use crate::event::Event;
use crate::failover;
use crate::ids::{AzId, NodeId, RegionId};
use crate::model::Model;
use crate::topology::NodeKind;

/// Creates a replica; it serves after the instance creation time.
pub(crate) fn add_instance(
    k: &mut Kernel,
    m: &mut Model,
    az: Option<AzId>,
    class: InstanceClass,
    tier: u8,
    autoscaled: bool,
) -> Result<NodeId, CommandError> {
    let replicas = m
        .compute
        .instances
        .iter()
        .filter(|i| i.role != Role::Writer)
        .count();
    if replicas >= MAX_REPLICAS {
        return Err(CommandError::TooManyReplicas);
    }
    // The least used AZ whose storage is up.
    let az = az.unwrap_or_else(|| {
        (0..crate::topology::AZ_COUNT as u8)
            .map(AzId)
            .min_by_key(|&z| {
                let down = !k
                    .topo
                    .nodes
                    .iter()
                    .any(|n| n.az == Some(z) && n.up && n.kind == NodeKind::Storage);
                let used = m
                    .compute
                    .instances
                    .iter()
                    .filter(|i| k.topo.node(i.node).az == Some(z))
                    .count();
                (down, used, z)
            })
            .unwrap_or(AzId(0))
    });
    let node = k.topo.add(NodeKind::Instance, RegionId(0), Some(az));
    let ready_in = failover::creation_time();
    let mut inst = Instance::new(
        node,
        class,
        tier,
        Role::Creating {
            ready_at: k.now + ready_in,
            replica: true,
        },
    );
    inst.autoscaled = autoscaled;
    crate::serverless::meter(k, &mut m.serverless, &m.compute.instances);
    m.compute.instances.push(inst);
    m.metrics.instances_added += 1;
    k.emit(Event::InstanceAdded { node, ready_in });
    k.schedule_in(ready_in, Due::InstanceReady(node));
    Ok(node)
}

pub(crate) fn instance_ready(k: &mut Kernel, m: &mut Model, node: NodeId) {
    let vdl = m.compute.writer.log.vdl();
    if let Some(i) = m.compute.instances.iter_mut().find(|i| i.node == node) {
        if matches!(i.role, Role::Creating { .. }) {
            i.read_point = vdl;
            i.serving_since = k.now;
            failover::set_role(k, &mut crate::model::parts!(m), node, Role::Replica);
        }
    }
    let replicas = m
        .compute
        .instances
        .iter()
        .filter(|i| i.role == Role::Replica)
        .count() as u64;
    m.metrics.replicas_peak = m.metrics.replicas_peak.max(replicas);
}

pub(crate) fn remove_instance(k: &mut Kernel, m: &mut Model, node: NodeId) {
    // Bill the time so far at the instances' old states before they change.
    crate::serverless::meter(k, &mut m.serverless, &m.compute.instances);
    m.compute.instances.retain(|i| i.node != node);
    m.compute.reads.drop_reader(node);
    if let Some(n) = k.topo.nodes.get_mut(node.index()) {
        n.up = false;
    }
    for c in &mut m.access.endpoints.custom {
        c.members.retain(|&n| n != node);
    }
    m.metrics.instances_removed += 1;
    k.emit(Event::InstanceRemoved { node });
}
