//! Failover (reference §4.3): the host manager misses the writer's health checks, picks a
//! replica by promotion tier then size, promotes it, the new writer runs crash recovery on the
//! volume, and the cluster endpoint's DNS record flips to it. Clients see the change when their
//! cached answer expires (5 s TTL).
//!
//! Each phase is timed and reported as an event, so the page can show where the time goes.

use crate::client::Access;
use crate::compute::instance::{Role, INSTANCE_CREATE_TIME};
use crate::compute::read::Reply;
use crate::compute::recovery;
use crate::compute::Compute;
use crate::endpoint::EndpointId;
use crate::engine::{Due, Kernel, Payload};
use crate::event::{Event, FailoverPhase, MsgKind};
use crate::ids::NodeId;
pub use crate::metrics::FailoverRecord;
use crate::metrics::Metrics;
use crate::serverless::Serverless;
use crate::storage::Storage;
use crate::time::{SimDuration, SimTime};

/// How often the host manager checks the writer. [sim default — not sourced]
pub const HEALTH_CHECK_INTERVAL: SimDuration = SimDuration::from_millis(2_500);
/// Missed checks before failover starts: with the interval, 7.5 s to detect, the middle of the
/// reference's suggested 5–10 s. [sim default — not sourced]
pub const HEALTH_CHECK_MISSES: u32 = 3;
/// Restarting the chosen replica's engine as a writer: the same engine restart a crashed
/// writer goes through, 6.5 s, the middle of the reference's suggested 3–10 s for promotion and
/// recovery together (the storage protocol adds milliseconds). With detection and the 5 s DNS
/// TTL, clients see about 15–20 s, inside the reference's 15–30 s and under FAQ-AD's "typically
/// within 30 s". [sim default — not sourced]
pub const PROMOTE_TIME: SimDuration = recovery::ENGINE_RESTART_TIME;
/// Re-creating the writer when there is no replica to promote: "typically < 10 min".
/// UG: High availability for Amazon Aurora (2023); the older FAQ's "under 15 minutes" is
/// outdated (reference §12).
pub const RECREATE_WRITER_TIME: SimDuration = SimDuration::from_mins(8);

/// What AWS states for a failover to a replica, for the page to show beside the measured
/// figure: FAQ-AD "typically within 30 s"; UG: High availability for Amazon Aurora (2023)
/// "< 120 s, often < 60 s". None is an SLA, and DNS caching adds on top.
pub const AWS_FAILOVER_STATED: &str =
    "AWS: typically within 30 s (FAQ); under 120 s, often under 60 s (User Guide, 2023)";
/// What AWS states with no replica: UG: High availability for Amazon Aurora (2023).
pub const AWS_RECREATE_STATED: &str =
    "AWS: the writer is re-created, typically under 10 min (User Guide); the older FAQ's \"up to 15 min\" is outdated";

/// The failover subsystem's state: the writer's health as the checks saw it, a failover in
/// progress, and the writes a fenced old writer took.
#[derive(Clone, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct FailoverState {
    pub active: Option<Failover>,
    /// Health checks the writer has missed in a row.
    pub health_misses: u32,
    pub last_healthy: SimTime,
    /// When a fault made the writer unhealthy (down or cut off from the control plane), as the
    /// simulation knows it; the control plane only learns of it from missed health checks.
    pub writer_failed_at: Option<SimTime>,
    /// Client writes a fenced old writer took and cannot commit.
    pub fenced_pending: alloc::vec::Vec<(NodeId, u64)>,
}

/// A failover in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Failover {
    pub old: NodeId,
    /// When the writer failed: the fault's own time where the simulation injected one, else
    /// (a manual failover) the moment it was asked for.
    pub failed_at: SimTime,
    pub detected_at: SimTime,
    /// The control plane's view: unhealthy this long, `missed_checks` checks in a row.
    pub unhealthy_for: SimDuration,
    pub missed_checks: u32,
    pub target: Option<NodeId>,
    /// When the target's recovery began.
    pub recovery_at: Option<SimTime>,
    pub manual: bool,
    /// Transactions the old writer had in flight: undone after the new writer opens.
    pub in_flight: u32,
}

/// What a failover reaches beyond its own state: the instances and the writer, the volume
/// (a recovery reads it), the endpoints and DNS, the serverless meter (a role change is billed)
/// and the figures.
pub(crate) struct Parts<'a> {
    pub compute: &'a mut Compute,
    pub storage: &'a Storage,
    pub access: &'a mut Access,
    pub serverless: &'a mut Serverless,
    pub metrics: &'a mut Metrics,
}

/// The writer is healthy if it is up and the control plane can reach it.
fn writer_healthy(k: &Kernel, p: &Parts) -> bool {
    let w = p.compute.writer.node;
    k.topo.is_up(w) && !k.net.blocked(&k.topo, p.access.dns, w)
}

pub(crate) fn on_health_check(k: &mut Kernel, fo: &mut FailoverState, p: &mut Parts) {
    k.schedule_in(HEALTH_CHECK_INTERVAL, Due::HealthCheck);
    if fo.active.is_some() || p.compute.recovery.is_some() {
        return;
    }
    if writer_healthy(k, p) {
        fo.health_misses = 0;
        fo.last_healthy = k.now;
        return;
    }
    fo.health_misses += 1;
    k.emit(Event::HealthCheckMissed {
        node: p.compute.writer.node,
        misses: fo.health_misses,
    });
    if fo.health_misses >= HEALTH_CHECK_MISSES {
        start(k, fo, p, None);
        fo.health_misses = 0;
    }
}

/// After a fault is injected or healed: remembers when the writer became unhealthy, so a
/// failover is timed from the failure itself rather than from the last check it passed.
pub(crate) fn note_writer_health(k: &Kernel, fo: &mut FailoverState, p: &Parts) {
    if fo.active.is_some() || p.compute.recovery.is_some() {
        return;
    }
    if writer_healthy(k, p) {
        fo.writer_failed_at = None;
    } else if fo.writer_failed_at.is_none() {
        fo.writer_failed_at = Some(k.now);
    }
}

/// When the writer failed, as the simulation knows it: the fault's time, or, for a failure
/// that came from no injected fault, the last health check it passed.
fn failure_time(fo: &FailoverState) -> SimTime {
    fo.writer_failed_at
        .filter(|&t| t >= fo.last_healthy)
        .unwrap_or(fo.last_healthy)
}

/// The best promotion target: an available replica with the lowest tier, then the largest
/// class; ties go to the lowest node id (UG: "arbitrary").
pub(crate) fn best_target(k: &Kernel, p: &Parts) -> Option<NodeId> {
    p.compute
        .instances
        .iter()
        .filter(|i| {
            i.role == Role::Replica
                && k.topo.is_up(i.node)
                && !k.net.blocked(&k.topo, p.access.dns, i.node)
        })
        .min_by_key(|i| {
            (
                i.tier,
                core::cmp::Reverse(i.class.vcpu),
                core::cmp::Reverse(i.class.memory_gib),
                i.node,
            )
        })
        .map(|i| i.node)
}

/// Starts a failover, to `manual` if given (already validated), else to the best target.
pub(crate) fn start(k: &mut Kernel, fo: &mut FailoverState, p: &mut Parts, manual: Option<NodeId>) {
    let old = p.compute.writer.node;
    let target = manual.or_else(|| best_target(k, p));
    let failed_at = if manual.is_some() {
        k.now
    } else {
        failure_time(fo)
    };
    let detect = k.now - failed_at;
    let (unhealthy_for, missed_checks) = if manual.is_some() {
        (SimDuration::ZERO, 0)
    } else {
        (k.now - fo.last_healthy, fo.health_misses)
    };
    k.emit(Event::FailoverStarted {
        old,
        target,
        detected_after: unhealthy_for,
        missed_checks,
        since_failure: detect,
    });
    let Some(target) = target else {
        recreate_or_give_up(k, fo, p, old);
        return;
    };
    fo.active = Some(Failover {
        old,
        failed_at,
        detected_at: k.now,
        unhealthy_for,
        missed_checks,
        target: Some(target),
        recovery_at: None,
        manual: manual.is_some(),
        in_flight: 0,
    });
    k.emit(Event::FailoverPhaseDone {
        phase: FailoverPhase::Detect,
        took: detect,
    });
    let in_flight = demote_old_writer(k, p, old, manual.is_some());
    if let Some(f) = &mut fo.active {
        f.in_flight = in_flight;
    }
    set_role(k, p, target, Role::Promoting);
    k.schedule_in(PROMOTE_TIME, Due::Promoted(target));
}

/// With no replica, the writer is re-created in its own AZ (minutes); if its AZ is down there
/// is nowhere to put it until someone adds an instance in another AZ.
fn recreate_or_give_up(k: &mut Kernel, fo: &mut FailoverState, p: &Parts, old: NodeId) {
    let az = k.topo.node(old).az;
    let az_up = k
        .topo
        .nodes
        .iter()
        .any(|n| n.az == az && n.up && n.kind == crate::topology::NodeKind::Storage);
    if k.topo.is_up(old) || !az_up {
        k.emit(Event::NoFailoverTarget { old });
        return;
    }
    fo.active = Some(Failover {
        old,
        failed_at: failure_time(fo),
        detected_at: k.now,
        unhealthy_for: k.now - fo.last_healthy,
        missed_checks: fo.health_misses,
        target: Some(old),
        recovery_at: None,
        manual: false,
        in_flight: p.compute.writer.commits_waiting() as u32,
    });
    k.schedule_in(RECREATE_WRITER_TIME, Due::WriterRecreated(old));
}

pub(crate) fn on_writer_recreated(
    k: &mut Kernel,
    fo: &mut FailoverState,
    p: &mut Parts,
    node: NodeId,
) {
    // Bill the time so far at the instances' old states before they change.
    crate::serverless::meter(k, p.serverless, &p.compute.instances);
    if !k.topo.is_up(node) {
        k.topo.nodes[node.index()].up = true;
        k.emit(Event::NodeUp(node));
    }
    if let Some(f) = &mut fo.active {
        f.recovery_at = Some(k.now);
    }
    k.emit(Event::FailoverPhaseDone {
        phase: FailoverPhase::Promote,
        took: RECREATE_WRITER_TIME,
    });
    let in_flight = fo.active.map_or(0, |f| f.in_flight);
    recovery::begin(k, p.compute, p.storage, node, SimDuration::ZERO, in_flight);
    recovery::note_restart(p.compute, RECREATE_WRITER_TIME);
}

/// The old writer steps down: if it is down it will come back as a replica; in a manual
/// failover it is told and restarts as a replica; if it is up but cut off it does not know yet,
/// and is fenced by the new volume epoch. Returns how many transactions were in flight.
fn demote_old_writer(k: &mut Kernel, p: &mut Parts, old: NodeId, told: bool) -> u32 {
    let role = if k.topo.is_up(old) && !told {
        Role::Fenced
    } else {
        Role::Replica
    };
    // Transactions parked on the old writer will never be acknowledged by it.
    let replies = p.compute.writer.abandon_commits();
    let in_flight = replies.len() as u32;
    p.metrics.txn_errors += replies.len() as u64;
    for r in replies {
        if let Reply::Client { client, req } = r {
            crate::compute::read::respond(k, old, client, req, false);
        }
    }
    set_role(k, p, old, role);
    in_flight
}

pub(crate) fn set_role(k: &mut Kernel, p: &mut Parts, node: NodeId, role: Role) {
    // Bill the time so far at the instances' old states before they change.
    crate::serverless::meter(k, p.serverless, &p.compute.instances);
    if let Some(i) = p.compute.instances.iter_mut().find(|i| i.node == node) {
        if i.role != role {
            i.role = role;
            k.emit(Event::RoleChanged { node, role });
        }
    }
}

/// The target's engine is up as a writer: run recovery on the volume.
pub(crate) fn on_promoted(k: &mut Kernel, fo: &mut FailoverState, p: &mut Parts, target: NodeId) {
    let Some(f) = fo.active else {
        return;
    };
    if f.target != Some(target) {
        return;
    }
    if !k.topo.is_up(target) {
        // The target failed mid-promotion: choose again.
        fo.active = None;
        start(k, fo, p, None);
        return;
    }
    k.emit(Event::FailoverPhaseDone {
        phase: FailoverPhase::Promote,
        took: PROMOTE_TIME,
    });
    let in_flight = fo.active.map_or(0, |f| f.in_flight);
    if let Some(f) = &mut fo.active {
        f.recovery_at = Some(k.now);
    }
    recovery::begin(
        k,
        p.compute,
        p.storage,
        target,
        SimDuration::ZERO,
        in_flight,
    );
    recovery::note_restart(p.compute, PROMOTE_TIME);
}

/// Recovery finished on `node`: flip DNS and close the failover.
pub(crate) fn recovery_done(k: &mut Kernel, fo: &mut FailoverState, p: &mut Parts, node: NodeId) {
    set_role(k, p, node, Role::Writer);
    if p.access.endpoints.cluster != node {
        p.access.endpoints.cluster = node;
        k.emit(Event::DnsUpdated {
            endpoint: EndpointId::Cluster,
            target: node,
        });
    }
    fo.last_healthy = k.now;
    fo.health_misses = 0;
    fo.writer_failed_at = None;
    let Some(f) = fo.active.take() else {
        return;
    };
    let recovery_at = f.recovery_at.unwrap_or(k.now);
    let detect = f.detected_at - f.failed_at;
    let promote = recovery_at - f.detected_at;
    let recover = k.now - recovery_at;
    let total = k.now - f.failed_at;
    k.emit(Event::FailoverPhaseDone {
        phase: FailoverPhase::Recover,
        took: recover,
    });
    k.emit(Event::FailoverFinished {
        old: f.old,
        new: node,
        total,
    });
    p.metrics.failovers.push(FailoverRecord {
        old: f.old,
        new: node,
        detect,
        unhealthy_for: f.unhealthy_for,
        missed_checks: f.missed_checks,
        promote,
        recover,
        total,
    });
}

/// A node became reachable again. A fenced old writer tries to flush the writes it took while
/// cut off; storage refuses them for their stale volume epoch.
pub(crate) fn node_reachable(k: &mut Kernel, p: &Parts, node: NodeId) {
    let Some(inst) = p.compute.instances.iter().find(|i| i.node == node) else {
        return;
    };
    if inst.role != Role::Fenced || k.net.blocked(&k.topo, p.access.dns, node) {
        return;
    }
    let epoch = p.storage.volume_epoch.saturating_sub(1);
    let point = inst.read_point;
    if let Some(pg) = p.storage.pgs.first() {
        let members: alloc::vec::Vec<_> = pg.member_slots().map(|(_, s)| s).collect();
        for seg in members {
            let to = p.storage.segments[seg.index()].node;
            k.send(
                node,
                to,
                MsgKind::RedoBatch,
                200,
                Payload::Redo {
                    seg,
                    prev: point,
                    last: point.next(),
                    bytes: 200,
                    volume_epoch: epoch,
                    member_epoch: u32::MAX,
                },
            );
        }
    }
}

/// A fenced old writer heard "stale epoch": it learns it was replaced and becomes a replica.
/// The writes it took fail.
pub(crate) fn fenced_rejected(
    k: &mut Kernel,
    fo: &mut FailoverState,
    p: &mut Parts,
    node: NodeId,
) -> bool {
    let fenced = p
        .compute
        .instances
        .iter()
        .any(|i| i.node == node && i.role == Role::Fenced);
    if !fenced {
        return false;
    }
    set_role(k, p, node, Role::Replica);
    let pending = core::mem::take(&mut fo.fenced_pending);
    p.metrics.fenced_writes_refused += pending.len() as u64;
    for (client, req) in pending {
        crate::compute::read::respond(k, node, client, req, false);
    }
    true
}

/// Adds a replica that becomes available after the instance creation time.
pub(crate) fn creation_time() -> SimDuration {
    INSTANCE_CREATE_TIME
}
