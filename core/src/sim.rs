//! [`Sim`]: the whole simulation behind one small surface.
//!
//! Call order, in the spirit of quinn-proto and str0m:
//!
//! 1. build with [`Sim::new`] (or a [`crate::scenario::Scenario`]);
//! 2. feed inputs with [`Sim::apply`] (now) or [`Sim::schedule`] (at a later simulated time);
//! 3. move time with [`Sim::run_until`], [`Sim::step`] or [`Sim::run_for`];
//!    [`Sim::next_event_time`] says when something next happens;
//! 4. take outputs with [`Sim::drain_events`], and read [`Sim::view`] and [`Sim::metrics`].
//!
//! Nothing here reads a clock or a random source: the run is a pure function of the
//! configuration, the seed and the timed commands, and [`Sim::trace_digest`] proves it.

use crate::autoscaling::Scaling;
use crate::client::{self, Access, ClientWorkload};
use crate::command::{Command, CommandError};
use crate::compute::instance::{Instance, InstanceClass, Role, MAX_REPLICAS};
use crate::compute::writer::{Writer, WriterConfig};
use crate::compute::Compute;
use crate::dispatch;
use crate::engine::{Due, Kernel};
use crate::event::Event;
use crate::failover::{self, FailoverState};
use crate::global::Global;
use crate::ids::{AzId, NodeId, RegionId};
use crate::invariants::Checker;
use crate::lsn::Lsn;
use crate::measurements::Series;
use crate::metrics::Metrics;
use crate::model::Model;
use crate::net::NetConfig;
use crate::serverless::Serverless;
use crate::storage::{volume, StorageConfig, PG_SIZE_BYTES};
use crate::time::{SimDuration, SimTime};
use crate::topology::NodeKind;
use crate::workload::{self, Workload, WorkloadConfig};
use alloc::vec::Vec;

/// Everything needed to build a simulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SimConfig {
    pub storage: StorageConfig,
    pub net: NetConfig,
    pub writer: WriterConfig,
    /// Data in the volume at the start: one PG per 10 GiB or part of it.
    pub initial_volume_bytes: u64,
    pub writer_az: AzId,
    /// Class of the writer and of the initial replicas.
    pub instance_class: InstanceClass,
    /// Replicas at the start, placed round the AZs after the writer's, tier 1.
    pub replicas: u8,
    pub workload: WorkloadConfig,
    pub clients: ClientWorkload,
    pub backup: crate::backup::BackupConfig,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            storage: StorageConfig::default(),
            net: NetConfig::default(),
            writer: WriterConfig::default(),
            initial_volume_bytes: PG_SIZE_BYTES,
            writer_az: AzId(0),
            instance_class: InstanceClass::default(),
            replicas: 0,
            workload: WorkloadConfig::default(),
            clients: ClientWorkload::default(),
            backup: crate::backup::BackupConfig::default(),
        }
    }
}

/// A simulated Aurora cluster. Cheap to clone: the page keeps clones as checkpoints.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sim {
    k: Kernel,
    m: Model,
    /// The measurements sampled over time, when asked for ([`Sim::record_measurements`]).
    series: Option<alloc::boxed::Box<Series>>,
    /// When the next sample is due (`SimTime::MAX` when none is recorded): one comparison per
    /// event.
    sample_due: SimTime,
}

impl Sim {
    pub fn new(config: SimConfig, seed: u64) -> Sim {
        let mut k = Kernel::new(seed);
        k.net.config = config.net;
        let storage = volume::build(
            &mut k,
            config.storage,
            config.initial_volume_bytes,
            RegionId(0),
            Lsn::ZERO,
        );
        let dns = k.topo.add(NodeKind::Dns, RegionId(0), None);
        let node = k
            .topo
            .add(NodeKind::Instance, RegionId(0), Some(config.writer_az));
        let mut writer_config = config.writer;
        let writer = Writer::new(node, storage.pgs.len(), writer_config);
        let mut m = Model {
            storage,
            compute: Compute::new(
                writer,
                Instance::new(node, config.instance_class, 1, Role::Writer),
            ),
            access: Access::new(node, dns),
            failover: FailoverState::default(),
            autoscaling: Scaling::default(),
            serverless: Serverless::default(),
            global: Global::default(),
            workload: Workload::default(),
            metrics: Metrics::default(),
            checker: Checker::default(),
            faults: Vec::new(),
            backup: crate::backup::Backup::new(config.backup),
        };
        // The writer's cache hit ratio follows its class and the hot data.
        writer_config.cache_hit_ppm =
            m.compute.instances[0].cache_hit_ppm(config.clients.hot_bytes);
        m.compute.writer.config = writer_config;
        for i in 0..config.replicas.min(MAX_REPLICAS as u8) {
            let az = AzId((config.writer_az.0 + 1 + i) % crate::topology::AZ_COUNT as u8);
            let node = k.topo.add(NodeKind::Instance, RegionId(0), Some(az));
            m.compute
                .instances
                .push(Instance::new(node, config.instance_class, 1, Role::Replica));
        }
        // Stagger the storage nodes' background work across one interval.
        let interval = m.storage.config.background_interval.as_micros();
        for sn in &m.storage.nodes {
            let at = SimTime::from_micros(k.rng.below(interval.max(1)));
            k.schedule(at, Due::Background(sn.node));
        }
        k.schedule(
            SimTime::ZERO + failover::HEALTH_CHECK_INTERVAL,
            Due::HealthCheck,
        );
        m.metrics.replicas_peak = config.replicas as u64;
        workload::set(&mut k, &mut m.workload, config.workload);
        client::set(&mut k, &mut m.access, config.clients);
        crate::dispatch_backup::start(&mut k);
        Sim {
            k,
            m,
            series: None,
            sample_due: SimTime::MAX,
        }
    }

    // ----- getters -----

    pub fn now(&self) -> SimTime {
        self.k.now
    }
    /// The seed the run was built with: a companion model (the mirrored-MySQL baseline) takes
    /// the same one.
    pub fn seed(&self) -> u64 {
        self.k.seed
    }
    /// When the next event is due, if any.
    pub fn next_event_time(&self) -> Option<SimTime> {
        self.k.next_time()
    }
    /// Bytes every message so far put on the network.
    pub fn network_bytes(&self) -> u64 {
        self.k.bytes_sent
    }
    /// Events handled so far.
    pub fn events_processed(&self) -> u64 {
        self.k.processed
    }
    /// Events queued.
    pub fn events_pending(&self) -> usize {
        self.k.pending()
    }
    /// The hash over every output event so far: equal digests mean equal traces.
    pub fn trace_digest(&self) -> u64 {
        self.k.digest()
    }
    pub fn metrics(&self) -> &Metrics {
        &self.m.metrics
    }
    /// The subsystems' own state, for tests, the headless runner and the checks: the page reads
    /// [`Sim::view`], [`Sim::metrics`] and the event stream instead.
    pub fn inspect(&self) -> crate::inspect::Inspect<'_> {
        crate::inspect::Inspect::new(&self.k, &self.m)
    }
    /// The event in English, with the nodes named as the diagram names them.
    pub fn describe(&self, event: &Event) -> alloc::string::String {
        event.describe(&self.k.topo)
    }
    /// The node the diagram calls `name`.
    pub fn node_named(&self, name: &str) -> Option<NodeId> {
        self.k.topo.node_named(name)
    }
    pub fn invariant_violations(&self) -> u64 {
        self.m.checker.violations
    }
    pub fn first_violation(&self) -> Option<(crate::event::Invariant, SimTime, u64)> {
        self.m.checker.first
    }
    /// Total time some PG lacked a write quorum.
    pub fn write_unavailable(&self) -> SimDuration {
        self.m.metrics.write_unavailable(self.k.now)
    }

    // ----- settings -----

    /// Keep output events for [`Sim::drain_events`] (on by default). Off, they still feed the
    /// digest, which is how benchmarks and the runner go fast.
    pub fn set_recording(&mut self, on: bool) {
        self.k.record = on;
    }
    /// The engine and the model, for the crate's own tests of the checker and handlers.
    #[cfg(test)]
    pub(crate) fn parts_mut(&mut self) -> (&mut Kernel, &mut Model) {
        (&mut self.k, &mut self.m)
    }

    /// Check the ordering invariants after every event (tests and fault campaigns).
    pub fn set_full_checks(&mut self, on: bool) {
        self.m.checker.full = on;
        if on && self.m.backup.audit.is_none() {
            self.m.backup.audit = Some(Default::default());
        }
    }

    /// Samples the Measurements panel's figures every `interval` from now on (replacing any
    /// series kept so far), for [`Sim::measurements_csv`]. Only reads the model: the run and
    /// its digest are the same with it or without.
    pub fn record_measurements(&mut self, interval: SimDuration) {
        let series = Series::new(interval, self.k.now, &self.m.metrics);
        self.sample_due = series.next_due();
        self.series = Some(alloc::boxed::Box::new(series));
    }
    /// The samples so far, if recorded.
    pub fn measurements(&self) -> Option<&Series> {
        self.series.as_deref()
    }
    /// The samples so far and the present moment as CSV (`crate::measurements`), if recorded.
    pub fn measurements_csv(&self) -> Option<alloc::string::String> {
        self.series
            .as_ref()
            .map(|s| s.with_now(&self.sampled()).to_csv())
    }

    /// What the measurements read of the model now.
    fn sampled(&self) -> crate::measurements::Sampled<'_> {
        crate::measurements::Sampled {
            now: self.k.now,
            metrics: &self.m.metrics,
            topology: &self.k.topo,
            instances: &self.m.compute.instances,
            global: &self.m.global,
        }
    }

    /// Takes the samples the clock has passed, from the model as it stands.
    #[inline]
    fn sample(&mut self) {
        if self.k.now > self.sample_due {
            if let Some(mut series) = self.series.take() {
                series.catch_up(&self.sampled());
                self.sample_due = series.next_due();
                self.series = Some(series);
            }
        }
    }

    // ----- inputs -----

    /// Applies a command now.
    pub fn apply(&mut self, cmd: Command) -> Result<(), CommandError> {
        crate::apply::apply(&mut self.k, &mut self.m, cmd)
    }

    /// Schedules a command for a later time; it is checked when applied, and an invalid one is
    /// skipped (the page validates a person's commands with [`Sim::apply`] first).
    pub fn schedule(&mut self, at: SimTime, cmd: Command) {
        self.k.schedule(at, Due::Apply(cmd));
    }

    // ----- time -----

    /// Handles the next event, if any. Returns false when nothing is queued.
    pub fn step(&mut self) -> bool {
        match self.k.pop_until(SimTime::MAX) {
            Some(ev) => {
                self.handle(ev);
                true
            }
            None => false,
        }
    }

    /// Handles every event due at or before `t`, then sets the clock to `t`.
    pub fn run_until(&mut self, t: SimTime) {
        while let Some(ev) = self.k.pop_until(t) {
            self.handle(ev);
        }
        if t > self.k.now {
            self.k.now = t;
            self.sample();
        }
    }

    /// Like [`Sim::run_until`], but handles at most `max_events` events, so a page can keep
    /// its frame budget at high speeds. Returns true if it reached `t` (and set the clock to
    /// it); false if it stopped early, with the clock at the last event handled.
    pub fn run_bounded(&mut self, t: SimTime, max_events: u64) -> bool {
        for _ in 0..max_events {
            match self.k.pop_until(t) {
                Some(ev) => self.handle(ev),
                None => {
                    if t > self.k.now {
                        self.k.now = t;
                        self.sample();
                    }
                    return true;
                }
            }
        }
        if self.k.next_time().is_none_or(|n| n > t) {
            if t > self.k.now {
                self.k.now = t;
                self.sample();
            }
            return true;
        }
        false
    }

    pub fn run_for(&mut self, d: SimDuration) {
        self.run_until(self.k.now + d);
    }

    // ----- outputs -----

    /// Takes the events emitted since the last call, oldest first, each with its time.
    pub fn drain_events(&mut self) -> impl Iterator<Item = (SimTime, Event)> + '_ {
        self.k.drain()
    }

    fn handle(&mut self, ev: Due) {
        // The clock is at the event's time, the model still as the events before left it.
        self.sample();
        dispatch::handle(&mut self.k, &mut self.m, ev);
    }
}
