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

use crate::command::{Command, CommandError, Fault};
use crate::compute::writer::{self, Writer, WriterConfig};
use crate::engine::{Ev, Kernel, Payload};
use crate::event::Event;
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
    pub workload: WorkloadConfig,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            storage: StorageConfig::default(),
            net: NetConfig::default(),
            writer: WriterConfig::default(),
            initial_volume_bytes: PG_SIZE_BYTES,
            writer_az: AzId(0),
            workload: WorkloadConfig::default(),
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
        let storage = volume::build(&mut k, config.storage, config.initial_volume_bytes);
        let node = k
            .topo
            .add(NodeKind::Instance, RegionId(0), Some(config.writer_az));
        let writer = Writer::new(node, storage.pgs.len(), config.writer);
        let mut m = Model {
            storage,
            writer,
            workload: Workload::default(),
            metrics: Metrics::default(),
            checker: Checker::default(),
            faults: Vec::new(),
        };
        // Stagger the storage nodes' background work across one interval.
        let interval = m.storage.config.background_interval.as_micros();
        for sn in &m.storage.nodes {
            let at = SimTime::from_micros(k.rng.below(interval.max(1)));
            k.schedule(at, Ev::Background(sn.node));
        }
        workload::set(&mut k, &mut m, config.workload);
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
        if self.m.checker.full {
            let log = &self.m.writer.log;
            let (vcl, vdl, max) = (log.vcl(), log.vdl(), log.max_allocated());
            self.m.checker.check_points(&mut self.k, vcl, vdl, max);
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
                    if epoch >= m.writer.volume_epoch && msg.to == m.writer.node {
                        writer::on_ack(k, m, seg, scl);
                    }
                }
                Payload::Rejected { seg } => writer::on_rejected(m, seg),
                Payload::Backup { seg, upto } => segment::on_backup_stored(m, seg, upto),
                Payload::GossipPull { seg, peer, have } => {
                    segment::on_gossip_pull(k, m, msg.from, seg, peer, have)
                }
                Payload::GossipPush { seg, upto } => segment::on_gossip_push(k, m, seg, upto),
                Payload::PageRead { read, seg, need } => {
                    segment::on_page_read(k, m, msg.from, read, seg, need)
                }
                Payload::PageData { read, seg } => writer::on_page_data(k, m, read, seg),
                Payload::RepairCopy { pg, seg, upto } => {
                    repair::on_repair_copy(k, m, pg, seg, upto)
                }
            }
        }
        Ev::Persisted {
            seg,
            incarnation,
            prev,
            last,
            bytes,
        } => segment::on_persisted(k, m, seg, incarnation, prev, last, bytes),
        Ev::Flush(pg) => writer::on_flush(k, m, pg),
        Ev::RetryCheck(pg) => writer::on_retry_check(k, m, pg),
        Ev::WorkloadTick => workload::on_tick(k, m),
        Ev::Background(node) => segment::on_background(k, m, node),
        Ev::DetectNode { node, incarnation } => repair::on_detect_node(k, m, node, incarnation),
        Ev::DetectSegment(seg) => repair::on_detect_segment(k, m, seg),
        Ev::ReadTimeout(id) => writer::on_read_timeout(k, m, id),
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
            writer::run_transaction(k, m, mtrs);
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
        Command::Inject(f) => inject(k, m, f),
        Command::Heal(f) => heal(k, m, f),
    }
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
            for n in nodes {
                restart(k, m, n);
            }
        }
        Fault::Partition(p) => {
            if !k.net.partitions.contains(&p) {
                return Err(CommandError::NotInForce(f));
            }
            k.emit(Event::FaultHealed(f));
            k.net.partitions.retain(|x| *x != p);
            repair::evaluate_quorums(k, m);
        }
        Fault::SlowNode { node, .. } => {
            check_node(k, node)?;
            if k.topo.node(node).slowness_pct == 100 {
                return Err(CommandError::NotInForce(f));
            }
            k.emit(Event::FaultHealed(f));
            k.topo.nodes[node.index()].slowness_pct = 100;
        }
    }
    m.faults.retain(|x| !same_target(x, &f));
    Ok(())
}

fn crash(k: &mut Kernel, m: &mut Model, node: NodeId) {
    let n = &mut k.topo.nodes[node.index()];
    n.up = false;
    n.incarnation += 1;
    k.emit(Event::NodeDown(node));
    match k.topo.node(node).kind {
        NodeKind::Storage => repair::node_went_down(k, m, node),
        _ => repair::evaluate_quorums(k, m),
    }
}

fn restart(k: &mut Kernel, m: &mut Model, node: NodeId) {
    k.topo.nodes[node.index()].up = true;
    k.emit(Event::NodeUp(node));
    match k.topo.node(node).kind {
        NodeKind::Storage => repair::node_came_up(k, m, node),
        NodeKind::Instance if node == m.writer.node => {
            crate::compute::recovery::recover(k, m);
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
