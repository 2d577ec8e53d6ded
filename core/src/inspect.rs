//! [`Inspect`]: the subsystems' own state, read-only, behind one entry point.
//!
//! The page draws [`crate::view::View`], reads [`crate::metrics::Metrics`] and follows the event
//! stream; it never reaches into a subsystem. Tests, the headless runner and the scenario checks
//! need more: the writer's log, a segment's pending ranges, a client's DNS cache. They ask for it
//! here, through [`crate::sim::Sim::inspect`], so the simulation's public surface stays small and
//! what the page depends on is exactly what the view states.

use crate::autoscaling::AutoScaling;
use crate::client::Clients;
use crate::command::Fault;
use crate::compute::instance::Instance;
use crate::compute::recovery::Recovery;
use crate::compute::writer::Writer;
use crate::endpoint::Endpoints;
use crate::engine::Kernel;
use crate::failover::Failover;
use crate::ids::NodeId;
use crate::lsn::Lsn;
use crate::model::{self, Model};
use crate::storage::Storage;
use crate::topology::Topology;
use crate::workload::WorkloadConfig;
use alloc::vec::Vec;

/// A read-only look at every subsystem of one [`crate::sim::Sim`].
#[derive(Clone, Copy)]
pub struct Inspect<'a> {
    k: &'a Kernel,
    m: &'a Model,
}

impl<'a> Inspect<'a> {
    pub(crate) fn new(k: &'a Kernel, m: &'a Model) -> Inspect<'a> {
        Inspect { k, m }
    }
    pub fn topology(&self) -> &'a Topology {
        &self.k.topo
    }
    pub fn network(&self) -> &'a crate::net::Network {
        &self.k.net
    }
    /// Does a partition separate the two nodes?
    pub fn blocked(&self, a: NodeId, b: NodeId) -> bool {
        self.k.net.blocked(&self.k.topo, a, b)
    }
    pub fn storage(&self) -> &'a Storage {
        &self.m.storage
    }
    pub fn writer(&self) -> &'a Writer {
        &self.m.compute.writer
    }
    pub fn workload(&self) -> &'a WorkloadConfig {
        &self.m.workload.config
    }
    pub fn faults(&self) -> &'a [Fault] {
        &self.m.faults
    }
    pub fn instances(&self) -> &'a [Instance] {
        &self.m.compute.instances
    }
    pub fn clients(&self) -> &'a Clients {
        &self.m.access.clients
    }
    pub fn endpoints(&self) -> &'a Endpoints {
        &self.m.access.endpoints
    }
    /// The DNS service node.
    pub fn dns_node(&self) -> NodeId {
        self.m.access.dns
    }
    pub fn recovery(&self) -> Option<&'a Recovery> {
        self.m.compute.recovery.as_ref()
    }
    pub fn failover(&self) -> Option<&'a Failover> {
        self.m.failover.active.as_ref()
    }
    pub fn global(&self) -> &'a crate::global::Global {
        &self.m.global
    }
    /// Continuous backup, snapshots, Backtrack, restored and cloned clusters.
    pub fn backup(&self) -> &'a crate::backup::Backup {
        &self.m.backup
    }
    /// Health checks the writer has missed in a row.
    pub fn health_misses(&self) -> u32 {
        self.m.failover.health_misses
    }
    pub fn autoscaling(&self) -> Option<&'a AutoScaling> {
        self.m.autoscaling.active.as_ref()
    }
    /// The cost meter, brought up to now.
    pub fn meter(&self) -> crate::serverless::Meter {
        let mut meter = self.m.serverless.meter;
        crate::serverless::accrue(
            &mut meter,
            &self.m.compute.instances,
            &self.k.topo,
            self.k.now,
        );
        meter
    }
    /// The highest VDL the surviving segments could be recovered to right now.
    pub fn recoverable_vdl(&self) -> Lsn {
        model::recoverable_vdl(self.m)
    }

    /// Acknowledged commits whose records no longer survive on any segment.
    pub fn commits_lost(&self) -> u64 {
        let safe = self.recoverable_vdl();
        self.m
            .compute
            .writer
            .acked
            .iter()
            .filter(|&&l| l > safe)
            .count() as u64
    }

    /// True when every PG is back to six healthy, complete members with no change in flight:
    /// what "after heal and repair" must reach.
    pub fn all_pgs_whole(&self) -> bool {
        let st = &self.m.storage;
        st.pgs.iter().all(|pg| {
            let members: Vec<_> = pg.member_slots().collect();
            !pg.quorum.in_transition()
                && members.len() == 6
                && members.iter().all(|(_, s)| {
                    let seg = &st.segments[s.index()];
                    seg.health == crate::event::SegmentHealth::Healthy
                        && self.k.topo.is_up(seg.node)
                        && seg.scl >= self.m.compute.writer.log.pgcl(pg.id.0)
                })
        })
    }
}
