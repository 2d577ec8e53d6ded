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

use crate::autoscaling::{self, AutoScaling};
use crate::client::{self, ClientWorkload, Clients};
use crate::command::{Command, CommandError, Fault};
use crate::compute::instance::{Instance, InstanceClass, Role, MAX_REPLICAS, MAX_TIER};
use crate::compute::read::{self, Reads};
use crate::compute::recovery::{self, Recovery};
use crate::compute::replica;
use crate::compute::writer::{self, Writer, WriterConfig};
use crate::endpoint::{CustomEndpoint, Endpoints, MAX_CUSTOM_ENDPOINTS};
use crate::engine::{Ev, Kernel, Payload};
use crate::event::Event;
use crate::failover::{self, Failover};
use crate::ids::{AzId, NodeId, RegionId};
use crate::invariants::Checker;
use crate::lsn::Lsn;
use crate::metrics::Metrics;
use crate::net::NetConfig;
use crate::storage::{repair, segment, volume, Storage, StorageConfig, PG_SIZE_BYTES};
use crate::time::{SimDuration, SimTime};
use crate::topology::{NodeKind, Topology};
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
        }
    }
}

/// The model's state, apart from the engine's.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Model {
    pub storage: Storage,
    pub writer: Writer,
    pub workload: Workload,
    pub metrics: Metrics,
    pub checker: Checker,
    /// Faults in force, for healing and for the page's controls.
    pub faults: Vec<Fault>,
    /// Every DB instance; the writer's is the one whose node is `writer.node`.
    pub instances: Vec<Instance>,
    pub reads: Reads,
    pub clients: Clients,
    pub endpoints: Endpoints,
    /// The regional DNS service node.
    pub dns: NodeId,
    pub recovery: Option<Recovery>,
    pub failover: Option<Failover>,
    pub health_misses: u32,
    pub last_healthy: SimTime,
    /// When a fault made the writer unhealthy (down or cut off from the control plane), as the
    /// simulation knows it; the control plane only learns of it from missed health checks.
    pub writer_failed_at: Option<SimTime>,
    /// Client writes a fenced old writer took and cannot commit.
    pub fenced_pending: Vec<(NodeId, u64)>,
    pub autoscaling: Option<AutoScaling>,
    /// Transactions counted at the last CPU measurement.
    pub last_txns: u64,
    pub meter: crate::serverless::Meter,
    pub serverless_ticking: bool,
    /// End times of long-running transactions held open on the writer.
    pub long_txns: Vec<SimTime>,
    pub global: crate::global::Global,
    /// Writes are refused for a switchover or a region promotion.
    pub writes_paused: bool,
}

/// A simulated Aurora cluster. Cheap to clone: the page keeps clones as checkpoints.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sim {
    k: Kernel,
    m: Model,
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
            writer,
            workload: Workload::default(),
            metrics: Metrics::default(),
            checker: Checker::default(),
            faults: Vec::new(),
            instances: alloc::vec![Instance::new(node, config.instance_class, 1, Role::Writer)],
            reads: Reads::default(),
            clients: Clients::default(),
            endpoints: Endpoints {
                cluster: node,
                custom: Vec::new(),
            },
            dns,
            recovery: None,
            failover: None,
            health_misses: 0,
            last_healthy: SimTime::ZERO,
            writer_failed_at: None,
            fenced_pending: Vec::new(),
            autoscaling: None,
            last_txns: 0,
            meter: crate::serverless::Meter::new(),
            serverless_ticking: false,
            long_txns: Vec::new(),
            global: Default::default(),
            writes_paused: false,
        };
        // The writer's cache hit ratio follows its class and the hot data.
        writer_config.cache_hit_ppm = m.instances[0].cache_hit_ppm(config.clients.hot_bytes);
        m.writer.config = writer_config;
        for i in 0..config.replicas.min(MAX_REPLICAS as u8) {
            let az = AzId((config.writer_az.0 + 1 + i) % crate::topology::AZ_COUNT as u8);
            let node = k.topo.add(NodeKind::Instance, RegionId(0), Some(az));
            m.instances
                .push(Instance::new(node, config.instance_class, 1, Role::Replica));
        }
        // Stagger the storage nodes' background work across one interval.
        let interval = m.storage.config.background_interval.as_micros();
        for sn in &m.storage.nodes {
            let at = SimTime::from_micros(k.rng.below(interval.max(1)));
            k.schedule(at, Ev::Background(sn.node));
        }
        k.schedule(
            SimTime::ZERO + failover::HEALTH_CHECK_INTERVAL,
            Ev::HealthCheck,
        );
        m.metrics.replicas_peak = config.replicas as u64;
        workload::set(&mut k, &mut m, config.workload);
        client::set(&mut k, &mut m, config.clients);
        Sim { k, m }
    }

    // ----- getters -----

    pub fn now(&self) -> SimTime {
        self.k.now
    }
    /// When the next event is due, if any.
    pub fn next_event_time(&self) -> Option<SimTime> {
        self.k.next_time()
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
    pub fn topology(&self) -> &Topology {
        &self.k.topo
    }
    pub fn network(&self) -> &crate::net::Network {
        &self.k.net
    }
    /// Does a partition separate the two nodes?
    pub fn blocked(&self, a: NodeId, b: NodeId) -> bool {
        self.k.net.blocked(&self.k.topo, a, b)
    }
    pub fn storage(&self) -> &Storage {
        &self.m.storage
    }
    pub fn writer(&self) -> &Writer {
        &self.m.writer
    }
    pub fn workload(&self) -> &WorkloadConfig {
        &self.m.workload.config
    }
    pub fn faults(&self) -> &[Fault] {
        &self.m.faults
    }
    pub fn instances(&self) -> &[Instance] {
        &self.m.instances
    }
    pub fn clients(&self) -> &Clients {
        &self.m.clients
    }
    pub fn endpoints(&self) -> &Endpoints {
        &self.m.endpoints
    }
    /// The DNS service node.
    pub fn dns_node(&self) -> NodeId {
        self.m.dns
    }
    pub fn recovery(&self) -> Option<&Recovery> {
        self.m.recovery.as_ref()
    }
    pub fn failover(&self) -> Option<&Failover> {
        self.m.failover.as_ref()
    }
    pub fn global(&self) -> &crate::global::Global {
        &self.m.global
    }
    /// Health checks the writer has missed in a row.
    pub fn health_misses(&self) -> u32 {
        self.m.health_misses
    }
    pub fn autoscaling(&self) -> Option<&AutoScaling> {
        self.m.autoscaling.as_ref()
    }
    /// The cost meter, brought up to now.
    pub fn meter(&self) -> crate::serverless::Meter {
        let mut meter = self.m.meter;
        crate::serverless::accrue(&mut meter, &self.m.instances, &self.k.topo, self.k.now);
        meter
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

    /// The highest VDL the surviving segments could be recovered to right now.
    pub fn recoverable_vdl(&self) -> Lsn {
        recoverable_vdl(&self.m)
    }

    /// Acknowledged commits whose records no longer survive on any segment.
    pub fn commits_lost(&self) -> u64 {
        let safe = self.recoverable_vdl();
        self.m.writer.acked.iter().filter(|&&l| l > safe).count() as u64
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
                        && seg.scl >= self.m.writer.log.pgcl(pg.id.0)
                })
        })
    }

    // ----- settings -----

    /// Keep output events for [`Sim::drain_events`] (on by default). Off, they still feed the
    /// digest, which is how benchmarks and the runner go fast.
    pub fn set_recording(&mut self, on: bool) {
        self.k.record = on;
    }
    /// Check the ordering invariants after every event (tests and fault campaigns).
    pub fn set_full_checks(&mut self, on: bool) {
        self.m.checker.full = on;
    }

    // ----- inputs -----

    /// Applies a command now.
    pub fn apply(&mut self, cmd: Command) -> Result<(), CommandError> {
        apply(&mut self.k, &mut self.m, cmd)
    }

    /// Schedules a command for a later time; it is checked when applied, and an invalid one is
    /// skipped (the page validates a person's commands with [`Sim::apply`] first).
    pub fn schedule(&mut self, at: SimTime, cmd: Command) {
        self.k.schedule(at, Ev::Apply(cmd));
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
                    }
                    return true;
                }
            }
        }
        if self.k.next_time().is_none_or(|n| n > t) {
            if t > self.k.now {
                self.k.now = t;
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

    fn handle(&mut self, ev: Ev) {
        dispatch(&mut self.k, &mut self.m, ev);
        self.k.settle();
        if self.m.checker.full {
            let log = &self.m.writer.log;
            let (vcl, vdl, max) = (log.vcl(), log.vdl(), log.max_allocated());
            self.m.checker.check_points(&mut self.k, vcl, vdl, max);
            let above = self
                .m
                .instances
                .iter()
                .filter(|i| i.role == Role::Replica)
                .map(|i| i.read_point)
                .find(|&p| p > vdl);
            if let Some(p) = above {
                self.m.checker.violation(
                    &mut self.k,
                    crate::event::Invariant::ReplicaAboveVdl,
                    p.0,
                );
            }
        }
    }
}

fn dispatch(k: &mut Kernel, m: &mut Model, ev: Ev) {
    match ev {
        Ev::Vacant => {}
        Ev::Deliver(msg) => {
            if !k.arrive(&msg) {
                if let Payload::RepairCopy { seg, .. } = msg.payload {
                    repair::copy_failed(k, m, seg);
                }
                return;
            }
            match msg.payload {
                Payload::Redo {
                    seg,
                    prev,
                    last,
                    bytes,
                    volume_epoch,
                    member_epoch,
                } => segment::on_redo(
                    k,
                    m,
                    msg.from,
                    seg,
                    prev,
                    last,
                    bytes,
                    volume_epoch,
                    member_epoch,
                ),
                Payload::Ack { seg, scl, epoch } => {
                    let w = &m.writer;
                    if epoch >= w.volume_epoch && msg.to == w.node && m.recovery.is_none() {
                        writer::on_ack(k, m, seg, scl);
                    }
                }
                Payload::Rejected { seg } => {
                    if !failover::fenced_rejected(k, m, msg.to) {
                        writer::on_rejected(m, seg);
                    }
                }
                Payload::Backup { seg, upto } => segment::on_backup_stored(m, seg, upto),
                Payload::GossipPull { seg, peer, have } => {
                    segment::on_gossip_pull(k, m, msg.from, seg, peer, have)
                }
                Payload::GossipPush { seg, upto } => segment::on_gossip_push(k, m, seg, upto),
                Payload::PageRead { read, seg, need } => {
                    segment::on_page_read(k, m, msg.from, read, seg, need)
                }
                Payload::PageData { read, seg } => read::on_page_data(k, m, read, seg),
                Payload::RepairCopy { pg, seg, upto } => {
                    repair::on_repair_copy(k, m, pg, seg, upto)
                }
                Payload::RedoStream {
                    vdl,
                    since,
                    records,
                } => replica::on_stream_arrived(k, m, msg.to, vdl, since, records),
                Payload::DnsQuery { write } => client::on_dns_query(k, m, msg.from, write),
                Payload::DnsAnswer { write, target } => {
                    client::on_dns_answer(k, m, msg.to, write, target)
                }
                Payload::Query { req, write } => {
                    client::on_query(k, m, msg.to, msg.from, req, write)
                }
                Payload::Answer { req, ok } => {
                    if !crate::global::on_forward_answer(m, k.now, req, ok) {
                        client::on_answer(k, m, msg.to, req, ok)
                    }
                }
                Payload::GlobalRedo { region, vdl } => crate::global::on_redo(k, m, region, vdl),
                Payload::GlobalWrite { region, slot, vdl } => {
                    crate::global::on_write(k, m, msg.to, region, slot, vdl)
                }
                Payload::GlobalAck { region, slot, vdl } => {
                    crate::global::on_ack(k, m, region, slot, vdl)
                }
                Payload::RecoveryScan { seg } => recovery::on_scan(k, m, msg.from, seg),
                Payload::RecoveryScl { seg, scl } => {
                    if m.recovery.as_ref().is_some_and(|r| r.node == msg.to) {
                        recovery::on_scl(k, m, seg, scl);
                    }
                }
                Payload::Truncate {
                    seg,
                    from,
                    vdl,
                    end,
                    epoch,
                } => recovery::on_truncate(k, m, msg.from, seg, from, vdl, end, epoch),
                Payload::TruncateAck { seg, scl } => {
                    if m.recovery.as_ref().is_some_and(|r| r.node == msg.to) {
                        recovery::on_truncate_ack(k, m, seg, scl);
                    }
                }
            }
        }
        Ev::Persisted {
            seg,
            incarnation,
            prev,
            last,
            bytes,
            epoch,
        } => segment::on_persisted(k, m, seg, incarnation, prev, last, bytes, epoch),
        Ev::Flush(pg) => writer::on_flush(k, m, pg),
        Ev::RetryCheck(pg) => writer::on_retry_check(k, m, pg),
        Ev::WorkloadTick => workload::on_tick(k, m),
        Ev::Background(node) => segment::on_background(k, m, node),
        Ev::DetectNode { node, incarnation } => repair::on_detect_node(k, m, node, incarnation),
        Ev::DetectSegment(seg) => repair::on_detect_segment(k, m, seg),
        Ev::ReadTimeout(id) => read::on_timeout(k, m, id),
        Ev::ReplicaStream => replica::on_stream(k, m),
        Ev::ReplicaApplied { node, vdl, since } => replica::on_applied(k, m, node, vdl, since),
        Ev::ClientTick => client::on_tick(k, m),
        Ev::HealthCheck => failover::on_health_check(k, m),
        Ev::Promoted(node) => failover::on_promoted(k, m, node),
        Ev::WriterRecreated(node) => failover::on_writer_recreated(k, m, node),
        Ev::RecoveryRetry => recovery::on_retry(k, m),
        Ev::InstanceReady(node) => instance_ready(k, m, node),
        Ev::AutoScale => autoscaling::on_evaluate(k, m),
        Ev::ServerlessTick => crate::serverless::on_tick(k, m),
        Ev::GlobalShip => crate::global::on_ship(k, m),
        Ev::GlobalPromoted(r) => crate::global::on_promoted(k, m, r),
        Ev::GlobalForwardTick => crate::global::on_forward_tick(k, m),
        Ev::V1Swapped { node, acu } => crate::serverless::on_v1_swapped(k, m, node, acu),
        Ev::Serve {
            node,
            client,
            req,
            write,
        } => client::serve(k, m, node, client, req, write),
        Ev::Apply(cmd) => {
            // A scheduled command that no longer applies (e.g. healing what already healed)
            // is skipped; the event stream shows what did happen.
            let _ = apply(k, m, cmd);
        }
    }
}

fn apply(k: &mut Kernel, m: &mut Model, cmd: Command) -> Result<(), CommandError> {
    match cmd {
        Command::Transaction { mtrs } => {
            if !(1..=16).contains(&mtrs) {
                return Err(CommandError::BadWorkload(
                    "a transaction has 1 to 16 mini-transactions",
                ));
            }
            writer_up(k, m)?;
            writer::run_transaction(k, m, mtrs, read::Reply::None);
            Ok(())
        }
        Command::Write => {
            writer_up(k, m)?;
            writer::manual_write(k, m);
            Ok(())
        }
        Command::Commit => {
            writer_up(k, m)?;
            if writer::manual_commit(k, m) {
                Ok(())
            } else {
                Err(CommandError::NoOpenTransaction)
            }
        }
        Command::Read => {
            writer_up(k, m)?;
            writer::read(k, m);
            Ok(())
        }
        Command::SetWorkload(c) => {
            c.validate().map_err(CommandError::BadWorkload)?;
            workload::set(k, m, c);
            Ok(())
        }
        Command::GrowVolume { bytes } => grow(k, m, bytes),
        Command::Inject(f) => {
            inject(k, m, f)?;
            failover::note_writer_health(k, m);
            Ok(())
        }
        Command::Heal(f) => {
            heal(k, m, f)?;
            failover::note_writer_health(k, m);
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
            add_instance(k, m, az, class, tier, false).map(|_| ())
        }
        Command::RemoveReplica(node) => {
            let inst = instance(m, node)?;
            if !matches!(inst.role, Role::Replica | Role::Creating { .. }) {
                return Err(CommandError::NotAReplica(node));
            }
            remove_instance(k, m, node);
            Ok(())
        }
        Command::SetTier { node, tier } => {
            instance(m, node)?;
            if tier > MAX_TIER {
                return Err(CommandError::BadTier(tier));
            }
            if let Some(i) = m.instances.iter_mut().find(|i| i.node == node) {
                i.tier = tier;
            }
            Ok(())
        }
        Command::Failover { target } => {
            if m.failover.is_some() || m.recovery.is_some() {
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
                None => failover::best_target(k, m).ok_or(CommandError::NoFailoverTarget)?,
            };
            failover::start(k, m, Some(target));
            Ok(())
        }
        Command::SetClients(c) => {
            c.validate().map_err(CommandError::BadWorkload)?;
            if let crate::endpoint::EndpointId::Custom(i) = c.read_endpoint {
                if i as usize >= m.endpoints.custom.len() {
                    return Err(CommandError::BadWorkload("no such custom endpoint"));
                }
            }
            client::set(k, m, c);
            Ok(())
        }
        Command::AddCustomEndpoint { name, members } => {
            if members.is_empty() {
                return Err(CommandError::EmptyEndpoint);
            }
            if m.endpoints.custom.len() >= MAX_CUSTOM_ENDPOINTS {
                return Err(CommandError::TooManyEndpoints);
            }
            for &n in &members {
                instance(m, n)?;
            }
            m.endpoints.custom.push(CustomEndpoint { name, members });
            Ok(())
        }
        Command::SetCapacity { node, capacity } => {
            instance(m, node)?;
            capacity.validate().map_err(CommandError::BadCapacity)?;
            crate::serverless::set(k, m, node, capacity);
            Ok(())
        }
        Command::LongTransaction { duration } => {
            writer_up(k, m)?;
            m.long_txns.retain(|&end| end > k.now);
            m.long_txns.push(k.now + duration);
            Ok(())
        }
        Command::AddSecondaryRegion => {
            crate::global::add_secondary(k, m).ok_or(CommandError::TooManyRegions)?;
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
            crate::global::set_forwarding(k, m, per_sec);
            Ok(())
        }
        Command::SetAutoScaling(p) => {
            if let Some(p) = &p {
                p.validate().map_err(CommandError::BadPolicy)?;
            }
            autoscaling::set(k, m, p);
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
        crate::global::switchover(k, m, region);
    } else {
        crate::global::failover(k, m, region);
    }
    Ok(())
}

fn instance(m: &Model, node: NodeId) -> Result<&Instance, CommandError> {
    m.instances
        .iter()
        .find(|i| i.node == node)
        .ok_or(CommandError::NotAnInstance(node))
}

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
    crate::serverless::meter(k, m);
    m.instances.push(inst);
    m.metrics.instances_added += 1;
    k.emit(Event::InstanceAdded { node, ready_in });
    k.schedule_in(ready_in, Ev::InstanceReady(node));
    Ok(node)
}

fn instance_ready(k: &mut Kernel, m: &mut Model, node: NodeId) {
    let vdl = m.writer.log.vdl();
    if let Some(i) = m.instances.iter_mut().find(|i| i.node == node) {
        if matches!(i.role, Role::Creating { .. }) {
            i.read_point = vdl;
            i.serving_since = k.now;
            failover::set_role(k, m, node, Role::Replica);
        }
    }
    let replicas = m
        .instances
        .iter()
        .filter(|i| i.role == Role::Replica)
        .count() as u64;
    m.metrics.replicas_peak = m.metrics.replicas_peak.max(replicas);
}

pub(crate) fn remove_instance(k: &mut Kernel, m: &mut Model, node: NodeId) {
    // Bill the time so far at the instances' old states before they change.
    crate::serverless::meter(k, m);
    m.instances.retain(|i| i.node != node);
    m.reads.drop_reader(node);
    if let Some(n) = k.topo.nodes.get_mut(node.index()) {
        n.up = false;
    }
    for c in &mut m.endpoints.custom {
        c.members.retain(|&n| n != node);
    }
    m.metrics.instances_removed += 1;
    k.emit(Event::InstanceRemoved { node });
}

fn writer_up(k: &Kernel, m: &Model) -> Result<(), CommandError> {
    if k.topo.is_up(m.writer.node) {
        Ok(())
    } else {
        Err(CommandError::InstanceDown(m.writer.node))
    }
}

fn check_node(k: &Kernel, node: NodeId) -> Result<(), CommandError> {
    match k.topo.get(node) {
        Some(n) if matches!(n.kind, NodeKind::Storage | NodeKind::Instance) => Ok(()),
        _ => Err(CommandError::UnknownNode(node)),
    }
}

fn inject(k: &mut Kernel, m: &mut Model, f: Fault) -> Result<(), CommandError> {
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
            repair::lose_segment(k, m, seg);
        }
        Fault::FailAz(az) => {
            if az.index() >= crate::topology::AZ_COUNT {
                return Err(CommandError::UnknownAz(az));
            }
            if m.faults.contains(&f) {
                return Err(CommandError::AlreadyFailed(f));
            }
            k.emit(Event::FaultInjected(f));
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
            repair::evaluate_quorums(k, m);
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
            crate::global::region_health(k, m, region, false);
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

fn heal(k: &mut Kernel, m: &mut Model, f: Fault) -> Result<(), CommandError> {
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
            let nodes: Vec<NodeId> = (0..k.topo.nodes.len() as u16)
                .map(NodeId)
                .filter(|&n| k.topo.node(n).az == Some(az) && !k.topo.is_up(n))
                .collect();
            restart_all(k, m, &nodes);
        }
        Fault::Partition(p) => {
            if !k.net.partitions.contains(&p) {
                return Err(CommandError::NotInForce(f));
            }
            k.emit(Event::FaultHealed(f));
            k.net.partitions.retain(|x| *x != p);
            repair::evaluate_quorums(k, m);
            let fenced: Vec<NodeId> = m
                .instances
                .iter()
                .filter(|i| i.role == Role::Fenced)
                .map(|i| i.node)
                .collect();
            for n in fenced {
                failover::node_reachable(k, m, n);
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
            crate::global::region_health(k, m, region, true);
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
    crate::serverless::meter(k, m);
    let n = &mut k.topo.nodes[node.index()];
    n.up = false;
    n.incarnation += 1;
    k.emit(Event::NodeDown(node));
    match k.topo.node(node).kind {
        NodeKind::Storage => repair::node_went_down(k, m, node),
        _ => {
            m.reads.drop_reader(node);
            // A writer that dies while recovering leaves the recovery to whoever comes next.
            if m.recovery.as_ref().is_some_and(|r| r.node == node) {
                m.recovery = None;
                m.failover = None;
            }
            repair::evaluate_quorums(k, m);
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
    crate::serverless::meter(k, m);
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
        NodeKind::Storage => repair::node_came_up(k, m, node),
        // The writer came back before a failover replaced it: it recovers the volume itself.
        NodeKind::Instance
            if node == m.writer.node && m.failover.is_none() && m.recovery.is_none() =>
        {
            m.writer.abandon_commits();
            recovery::begin(k, m, node);
        }
        _ => {}
    }
}

/// Grows the volume's data; adds whole PGs when it passes a 10 GiB boundary.
pub(crate) fn grow(k: &mut Kernel, m: &mut Model, bytes: u64) -> Result<(), CommandError> {
    let st = &mut m.storage;
    let max = crate::storage::MAX_VOLUME_BYTES;
    if st.volume_bytes.saturating_add(bytes) > max {
        return Err(CommandError::VolumeFull { max_bytes: max });
    }
    st.volume_bytes += bytes;
    let want = st.volume_bytes.div_ceil(PG_SIZE_BYTES) as usize;
    let have = st.pgs.len();
    if want > have {
        let start = m.writer.log.vdl();
        for _ in have..want {
            volume::add_pg(k, &mut m.storage, start);
        }
        m.writer.add_pgs(want - have);
        k.emit(Event::VolumeGrown {
            pgs: want as u32,
            bytes: m.storage.volume_bytes,
        });
        repair::evaluate_quorums(k, m);
    } else {
        volume::spread_data(st);
    }
    Ok(())
}

/// The VDL a recovery could reach from the segments that still hold data.
pub(crate) fn recoverable_vdl(m: &Model) -> Lsn {
    let points: Vec<Lsn> = m
        .storage
        .pgs
        .iter()
        .map(|pg| m.storage.surviving_point(pg))
        .collect();
    m.writer.log.vdl_given(&points)
}
