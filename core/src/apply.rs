//! Commands checked and carried out: each is refused with a [`CommandError`] a student can
//! read, or applied to the model.

use crate::autoscaling;
use crate::client;
use crate::command::{Command, CommandError};
use crate::compute::instance::{Instance, InstanceClass, Role, MAX_TIER};
use crate::compute::lifecycle;
use crate::compute::read;
use crate::compute::writer;
use crate::endpoint::{CustomEndpoint, MAX_CUSTOM_ENDPOINTS};
use crate::engine::Kernel;
use crate::failover;
use crate::faults;
use crate::ids::{NodeId, RegionId};
use crate::model::{grow, Model};
use crate::workload;

pub(crate) fn apply(k: &mut Kernel, m: &mut Model, cmd: Command) -> Result<(), CommandError> {
    match cmd {
        Command::Transaction { mtrs } => {
            if !(1..=16).contains(&mtrs) {
                return Err(CommandError::BadWorkload(
                    "a transaction has 1 to 16 mini-transactions",
                ));
            }
            writer_up(k, m)?;
            crate::model::run_transaction(k, m, mtrs, read::Reply::None);
            Ok(())
        }
        Command::Write => {
            writer_up(k, m)?;
            writer::manual_write(k, &mut m.compute.writer);
            Ok(())
        }
        Command::Commit => {
            writer_up(k, m)?;
            if writer::manual_commit(k, &mut m.compute.writer, &mut m.metrics) {
                Ok(())
            } else {
                Err(CommandError::NoOpenTransaction)
            }
        }
        Command::Read => {
            writer_up(k, m)?;
            writer::read(k, &mut m.compute, &m.storage, &mut m.metrics);
            Ok(())
        }
        Command::SetWorkload(c) => {
            c.validate().map_err(CommandError::BadWorkload)?;
            workload::set(k, &mut m.workload, c);
            Ok(())
        }
        Command::GrowVolume { bytes } => grow(k, m, bytes),
        Command::Inject(f) => {
            faults::inject(k, m, f)?;
            crate::failover::note_writer_health(k, &mut m.failover, &crate::model::parts!(m));
            Ok(())
        }
        Command::Heal(f) => {
            faults::heal(k, m, f)?;
            crate::failover::note_writer_health(k, &mut m.failover, &crate::model::parts!(m));
            Ok(())
        }
        Command::AddReplica { az, class, tier } => {
            let class = InstanceClass::by_name(&class).ok_or(CommandError::UnknownClass(class))?;
            if tier > MAX_TIER {
                return Err(CommandError::BadTier(tier));
            }
            if let Some(az) = az {
                if az.index() >= crate::topology::AZ_COUNT {
                    return Err(CommandError::UnknownAz(az));
                }
            }
            lifecycle::add_instance(k, m, az, class, tier, false).map(|_| ())
        }
        Command::RemoveReplica(node) => {
            let inst = instance(m, node)?;
            if !matches!(inst.role, Role::Replica | Role::Creating { .. }) {
                return Err(CommandError::NotAReplica(node));
            }
            lifecycle::remove_instance(k, m, node);
            Ok(())
        }
        Command::SetTier { node, tier } => {
            instance(m, node)?;
            if tier > MAX_TIER {
                return Err(CommandError::BadTier(tier));
            }
            if let Some(i) = m.compute.instances.iter_mut().find(|i| i.node == node) {
                i.tier = tier;
            }
            Ok(())
        }
        Command::Failover { target } => {
            if m.failover.active.is_some() || m.compute.recovery.is_some() {
                return Err(CommandError::FailoverInProgress);
            }
            let target = match target {
                Some(t) => {
                    let inst = instance(m, t)?;
                    if inst.role != Role::Replica {
                        return Err(CommandError::NotAReplica(t));
                    }
                    if !k.topo.is_up(t) {
                        return Err(CommandError::InstanceDown(t));
                    }
                    t
                }
                None => failover::best_target(k, &crate::model::parts!(m))
                    .ok_or(CommandError::NoFailoverTarget)?,
            };
            failover::start(
                k,
                &mut m.failover,
                &mut crate::model::parts!(m),
                Some(target),
            );
            Ok(())
        }
        Command::SetClients(c) => {
            c.validate().map_err(CommandError::BadWorkload)?;
            if let crate::endpoint::EndpointId::Custom(i) = c.read_endpoint {
                if i as usize >= m.access.endpoints.custom.len() {
                    return Err(CommandError::BadWorkload("no such custom endpoint"));
                }
            }
            client::set(k, &mut m.access, c);
            Ok(())
        }
        Command::AddCustomEndpoint { name, members } => {
            if members.is_empty() {
                return Err(CommandError::EmptyEndpoint);
            }
            if m.access.endpoints.custom.len() >= MAX_CUSTOM_ENDPOINTS {
                return Err(CommandError::TooManyEndpoints);
            }
            for &n in &members {
                instance(m, n)?;
            }
            m.access
                .endpoints
                .custom
                .push(CustomEndpoint { name, members });
            Ok(())
        }
        Command::SetCapacity { node, capacity } => {
            instance(m, node)?;
            capacity.validate().map_err(CommandError::BadCapacity)?;
            crate::serverless::set(
                k,
                &mut m.serverless,
                &mut m.compute,
                &mut m.metrics,
                node,
                capacity,
            );
            Ok(())
        }
        Command::LongTransaction { duration } => {
            writer_up(k, m)?;
            m.compute.long_txns.retain(|&end| end > k.now);
            m.compute.long_txns.push(k.now + duration);
            Ok(())
        }
        Command::AddSecondaryRegion => {
            crate::global::add_secondary(k, &mut m.global, &mut crate::model::global_parts!(m))
                .ok_or(CommandError::TooManyRegions)?;
            Ok(())
        }
        Command::Switchover { region } => global_change(k, m, region, true),
        Command::GlobalFailover { region } => global_change(k, m, region, false),
        Command::SetWriteForwarding { per_sec } => {
            if per_sec > crate::workload::MAX_RATE {
                return Err(CommandError::BadWorkload(
                    "rates are limited to 10 million per second",
                ));
            }
            crate::global::set_forwarding(k, &mut m.global, per_sec);
            Ok(())
        }
        Command::SetReadConsistency(c) => {
            crate::global::set_read_consistency(&mut m.global, &mut m.metrics, c);
            Ok(())
        }
        Command::Backup(c) => crate::dispatch_backup::apply(k, m, c),
        Command::SetAutoScaling(p) => {
            if let Some(p) = &p {
                p.validate().map_err(CommandError::BadPolicy)?;
            }
            autoscaling::set(k, &mut m.autoscaling, p);
            Ok(())
        }
    }
}

/// Starts a switchover (planned) or a global failover to `region`.
fn global_change(
    k: &mut Kernel,
    m: &mut Model,
    region: RegionId,
    planned: bool,
) -> Result<(), CommandError> {
    use crate::global::RegionRole;
    let g = &m.global;
    let busy = g.switching.is_some()
        || g.regions
            .iter()
            .any(|r| matches!(r.role, RegionRole::Promoting { .. }));
    if busy {
        return Err(CommandError::GlobalChangeInProgress);
    }
    if g.region(region)
        .is_none_or(|r| r.role != RegionRole::Secondary)
    {
        return Err(CommandError::NotASecondary(region));
    }
    if planned {
        // A switchover needs a healthy primary to hand over from.
        writer_up(k, m)?;
        crate::global::switchover(
            k,
            &mut m.global,
            &mut crate::model::global_parts!(m),
            region,
        );
    } else {
        crate::global::failover(k, &mut m.global, region);
    }
    Ok(())
}

fn instance(m: &Model, node: NodeId) -> Result<&Instance, CommandError> {
    m.compute
        .instances
        .iter()
        .find(|i| i.node == node)
        .ok_or(CommandError::NotAnInstance(node))
}

pub(crate) fn writer_up(k: &Kernel, m: &Model) -> Result<(), CommandError> {
    if k.topo.is_up(m.compute.writer.node) {
        Ok(())
    } else {
        Err(CommandError::InstanceDown(m.compute.writer.node))
    }
}

#[cfg(test)]
mod tests {
    //! The command checks on a small cluster: every refusal names what is wrong and leaves the
    //! model exactly as it was (same trace digest, same queue, same view), so a student's
    //! impossible command can never half-happen.

    use super::*;
    use crate::command::Fault;
    use crate::compute::instance::CLASSES;
    use crate::ids::{AzId, SegmentId};
    use crate::sim::{Sim, SimConfig};
    use crate::time::SimTime;
    use alloc::string::ToString;
    use alloc::vec;

    /// A writer and one replica, run for a second so that something is under way.
    fn cluster() -> Sim {
        let mut sim = Sim::new(
            SimConfig {
                replicas: 1,
                ..SimConfig::default()
            },
            1,
        );
        sim.run_until(SimTime::from_micros(1_000_000));
        sim
    }

    fn replica(sim: &Sim) -> NodeId {
        sim.inspect()
            .instances()
            .iter()
            .find(|i| i.role == Role::Replica)
            .map(|i| i.node)
            .expect("a replica")
    }

    /// Applies `cmd`, expects `want`, and checks nothing changed.
    fn refused(sim: &mut Sim, cmd: Command, want: CommandError) {
        let (digest, pending, view) = (sim.trace_digest(), sim.events_pending(), sim.view());
        assert_eq!(sim.apply(cmd.clone()), Err(want), "{cmd:?}");
        assert_eq!(sim.trace_digest(), digest, "{cmd:?} left a trace");
        assert_eq!(sim.events_pending(), pending, "{cmd:?} queued something");
        assert!(sim.view() == view, "{cmd:?} changed the view");
    }

    #[test]
    fn impossible_commands_are_refused_and_change_nothing() {
        let mut sim = cluster();
        let writer = sim.inspect().writer().node;
        let r = replica(&sim);
        let storage = sim.inspect().storage().segments[0].node;
        refused(
            &mut sim,
            Command::Transaction { mtrs: 0 },
            CommandError::BadWorkload("a transaction has 1 to 16 mini-transactions"),
        );
        refused(&mut sim, Command::Commit, CommandError::NoOpenTransaction);
        refused(
            &mut sim,
            Command::RemoveReplica(writer),
            CommandError::NotAReplica(writer),
        );
        refused(
            &mut sim,
            Command::RemoveReplica(storage),
            CommandError::NotAnInstance(storage),
        );
        refused(
            &mut sim,
            Command::SetTier {
                node: r,
                tier: MAX_TIER + 1,
            },
            CommandError::BadTier(MAX_TIER + 1),
        );
        refused(
            &mut sim,
            Command::AddReplica {
                az: None,
                class: "db.x9.huge".to_string(),
                tier: 1,
            },
            CommandError::UnknownClass("db.x9.huge".to_string()),
        );
        refused(
            &mut sim,
            Command::AddReplica {
                az: Some(AzId(3)),
                class: CLASSES[0].name.to_string(),
                tier: 1,
            },
            CommandError::UnknownAz(AzId(3)),
        );
        refused(
            &mut sim,
            Command::Failover {
                target: Some(writer),
            },
            CommandError::NotAReplica(writer),
        );
        refused(
            &mut sim,
            Command::AddCustomEndpoint {
                name: "analytics".to_string(),
                members: vec![],
            },
            CommandError::EmptyEndpoint,
        );
        refused(
            &mut sim,
            Command::Heal(Fault::CrashNode(r)),
            CommandError::NotDown(r),
        );
        refused(
            &mut sim,
            Command::Inject(Fault::LoseSegment(SegmentId(9_999))),
            CommandError::UnknownSegment(SegmentId(9_999)),
        );
    }

    /// A crashed replica cannot be promoted, and a writer that is down takes no writes.
    #[test]
    fn a_crashed_instance_can_be_neither_promoted_nor_written_to() {
        let mut sim = cluster();
        let r = replica(&sim);
        sim.apply(Command::Inject(Fault::CrashNode(r)))
            .expect("crash the replica");
        refused(
            &mut sim,
            Command::Failover { target: Some(r) },
            CommandError::InstanceDown(r),
        );
        refused(
            &mut sim,
            Command::Inject(Fault::CrashNode(r)),
            CommandError::AlreadyDown(r),
        );
        let writer = sim.inspect().writer().node;
        sim.apply(Command::Inject(Fault::CrashNode(writer)))
            .expect("crash the writer");
        refused(&mut sim, Command::Write, CommandError::InstanceDown(writer));
        refused(
            &mut sim,
            Command::Transaction { mtrs: 2 },
            CommandError::InstanceDown(writer),
        );
    }

    /// With no replica up there is nobody to fail over to; while a failover runs, a second one
    /// is refused.
    #[test]
    fn failover_needs_a_target_and_runs_one_at_a_time() {
        let mut sim = cluster();
        let r = replica(&sim);
        sim.apply(Command::Inject(Fault::CrashNode(r)))
            .expect("crash the replica");
        refused(
            &mut sim,
            Command::Failover { target: None },
            CommandError::NoFailoverTarget,
        );
        sim.apply(Command::Heal(Fault::CrashNode(r)))
            .expect("restart it");
        sim.apply(Command::Failover { target: None })
            .expect("a failover to the replica");
        refused(
            &mut sim,
            Command::Failover { target: None },
            CommandError::FailoverInProgress,
        );
    }

    /// A command that is accepted does what it says: a manual write then commit closes the
    /// transaction, so a second commit has nothing to commit.
    #[test]
    fn a_manual_transaction_commits_once() {
        let mut sim = cluster();
        sim.apply(Command::Write).expect("write");
        assert!(sim.inspect().writer().manual_open());
        sim.apply(Command::Commit).expect("commit");
        assert!(!sim.inspect().writer().manual_open());
        refused(&mut sim, Command::Commit, CommandError::NoOpenTransaction);
    }
}
