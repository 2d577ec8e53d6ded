//! Mirrored MySQL on EBS, as RDS Multi-AZ runs it (P17 §3.1, Figure 2): a primary in one AZ
//! with its EBS volume and that volume's mirror, a synchronous standby in another AZ with its
//! own, every write travelling [`super::chain`]'s five steps.
//!
//! A commit writes the redo log and then the binlog (MySQL's two-phase commit with
//! `sync_binlog = 1`), each as one chain per commit group: commits that arrive while a log write
//! is on its way go together in the next. A commit also leaves [`PAGES_PER_TXN`] dirty pages,
//! which [`WRITE_IO_THREADS`] page cleaners write in batches: a double-write copy of the batch,
//! then each page in place, each a chain. The redo log can be reused only once the pages it
//! covers are written, so commits wait when [`DIRTY_PAGE_LIMIT`] pages are dirty: in steady
//! state the page cleaners' chains set the throughput. The standby only receives: it serves no
//! reads and takes over when the primary fails, after [`RDS_MULTI_AZ_FAILOVER`].

use super::chain::{self, Chain, Hop, Owner, Site, ACK_BYTES};
use super::io::{IoCounts, WriteType};
use super::params::*;
use super::queue::Queue;
use crate::client::{ClientWorkload, CLIENT_TICK, CLIENT_TIMEOUT, IDLE_TICK, OVERLOAD_QUEUE};
use crate::compute::instance::InstanceClass;
use crate::ids::{AzId, NodeId, RegionId};
use crate::metrics::Histogram;
use crate::net::Network;
use crate::rng::Rng;
use crate::time::{SimDuration, SimTime};
use crate::topology::{NodeKind, Topology};
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::fmt;

/// Bytes of a client's request and of its answer, as in the Aurora model's clients.
/// [sim default — not sourced]
const REQUEST_BYTES: u32 = 300;
/// Messages kept for drawing. [sim default — not sourced]
pub const RECENT_MESSAGES: usize = 400;
/// Transactions that may wait for the page cleaners before new ones are refused.
/// [sim default — not sourced]
const MAX_STALLED: usize = 100_000;

/// The mirrored-MySQL deployment's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MirroredConfig {
    /// The primary's and the standby's class: the same as Aurora's in a comparison.
    pub class: InstanceClass,
    pub primary_az: AzId,
    pub standby_az: AzId,
    pub clients: ClientWorkload,
    pub net: crate::net::NetConfig,
    /// Start with the dirty-page backlog full, in the steady state of a long run.
    pub warm: bool,
}

impl Default for MirroredConfig {
    fn default() -> Self {
        MirroredConfig {
            class: InstanceClass::default(),
            primary_az: AzId(0),
            standby_az: AzId(1),
            clients: ClientWorkload::default(),
            net: crate::net::NetConfig::default(),
            warm: true,
        }
    }
}

/// What a command to the mirrored deployment cannot do, in words for a student.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MirroredError {
    /// RDS Multi-AZ's standby is not readable. UG:Multi-AZ DB instance deployments
    StandbyServesNoReads,
    /// The primary is already down.
    PrimaryDown,
}

impl fmt::Display for MirroredError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MirroredError::StandbyServesNoReads => f.write_str(
                "the standby of an RDS Multi-AZ instance serves no reads: it only receives the primary's writes until it takes over",
            ),
            MirroredError::PrimaryDown => f.write_str("the primary is already down"),
        }
    }
}

/// A client request on its way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct Req {
    client: u16,
    start: SimTime,
    write: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
enum Ev {
    ClientTick,
    /// A request reaches an instance.
    Query {
        at: NodeId,
        req: Req,
    },
    /// The instance's CPU has run the request.
    Served {
        req: Req,
        epoch: u32,
    },
    /// A chain's hop arrived (and, for a write, was persisted).
    Hop {
        chain: Chain,
    },
    Answer {
        req: Req,
        ok: bool,
    },
    FailoverDone,
}

/// A message of the mirrored deployment, for drawing: who sent what to whom, and when it lands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Flight {
    pub from: NodeId,
    pub to: NodeId,
    /// The write it belongs to; `None` for a client's request or answer.
    pub kind: Option<WriteType>,
    /// Figure 2's step (1–5), 0 for an acknowledgement or a client message.
    pub step: u8,
    pub sent: SimTime,
    pub arrives: SimTime,
}

/// What the mirrored deployment measured.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MirroredMetrics {
    pub commits: u64,
    pub io: IoCounts,
    /// Commit groups written (each one log and one binlog chain).
    pub commit_groups: u64,
    pub commit_latency: Histogram,
    pub reads_ok: u64,
    pub client_errors: u64,
    /// Reads each instance served, by node.
    pub reads_by_node: Vec<(NodeId, u64)>,
    /// Commits that waited for the page cleaners.
    pub stalled_commits: u64,
    pub client_write_gap_max: SimDuration,
    pub client_read_gap_max: SimDuration,
    last_write: Option<SimTime>,
    last_read: Option<SimTime>,
    /// When the primary failed and when the standby took over.
    pub failed_at: Option<SimTime>,
    pub took_over_at: Option<SimTime>,
}

/// The mirrored-MySQL deployment and its clients.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Mirrored {
    pub config: MirroredConfig,
    now: SimTime,
    q: Queue<Ev>,
    rng: Rng,
    topo: Topology,
    net: Network,
    primary: Site,
    standby: Option<Site>,
    clients: Vec<NodeId>,
    carry: u64,
    last_tick: SimTime,
    started: SimTime,
    /// The primary's CPU is busy until then.
    busy_until: SimTime,
    epoch: u32,
    log_waiting: Vec<Req>,
    log_inflight: Option<Vec<Req>>,
    binlog_waiting: Vec<Req>,
    binlog_inflight: Option<Vec<Req>>,
    stalled: VecDeque<Req>,
    /// Dirty pages not yet taken by a cleaner, pages being cleaned, pages of admitted commits.
    dirty: u64,
    cleaning: u64,
    reserved: u64,
    /// Each cleaner's batch: pages in it, and pages still to write in place.
    cleaners: [Option<(u32, u32)>; WRITE_IO_THREADS],
    recent: VecDeque<Flight>,
    metrics: MirroredMetrics,
}

impl Mirrored {
    pub fn new(config: MirroredConfig, seed: u64) -> Mirrored {
        let mut topo = Topology::default();
        let mut site = |az| Site {
            instance: topo.add(NodeKind::Instance, RegionId(0), Some(az)),
            ebs: topo.add(NodeKind::Storage, RegionId(0), Some(az)),
            mirror: topo.add(NodeKind::Storage, RegionId(0), Some(az)),
        };
        let primary = site(config.primary_az);
        let standby = site(config.standby_az);
        let clients = (0..config.clients.clients)
            .map(|i| {
                let az = AzId(i % crate::topology::AZ_COUNT as u8);
                topo.add(NodeKind::Client, RegionId(0), Some(az))
            })
            .collect();
        let mut m = Mirrored {
            config,
            now: SimTime::ZERO,
            q: Queue::default(),
            // A stream of its own, so the Aurora model's draws are not shared.
            rng: Rng::new(seed ^ 0x6d79_7371_6c5f_6562),
            topo,
            net: Network {
                config: config.net,
                partitions: Vec::new(),
            },
            primary,
            standby: Some(standby),
            clients,
            carry: 0,
            last_tick: SimTime::ZERO,
            started: SimTime::ZERO,
            busy_until: SimTime::ZERO,
            epoch: 0,
            log_waiting: Vec::new(),
            log_inflight: None,
            binlog_waiting: Vec::new(),
            binlog_inflight: None,
            stalled: VecDeque::new(),
            dirty: if config.warm { DIRTY_PAGE_LIMIT } else { 0 },
            cleaning: 0,
            reserved: 0,
            cleaners: [None; WRITE_IO_THREADS],
            recent: VecDeque::new(),
            metrics: MirroredMetrics::default(),
        };
        m.metrics.reads_by_node = alloc::vec![(primary.instance, 0), (standby.instance, 0)];
        if config.clients.clients > 0 {
            m.q.push(SimTime::ZERO, Ev::ClientTick);
        }
        m.clean();
        m
    }

    // ----- getters -----

    pub fn now(&self) -> SimTime {
        self.now
    }
    pub fn metrics(&self) -> &MirroredMetrics {
        &self.metrics
    }
    pub fn topology(&self) -> &Topology {
        &self.topo
    }
    pub fn primary(&self) -> Site {
        self.primary
    }
    /// The standby, while there is one (none after it took over).
    pub fn standby(&self) -> Option<Site> {
        self.standby
    }
    pub fn clients(&self) -> &[NodeId] {
        &self.clients
    }
    pub fn primary_up(&self) -> bool {
        self.topo.is_up(self.primary.instance)
    }
    /// Dirty pages waiting to be written.
    pub fn dirty_pages(&self) -> u64 {
        self.dirty + self.cleaning
    }
    /// Messages sent lately, oldest first (at most [`RECENT_MESSAGES`]).
    pub fn recent(&self) -> impl Iterator<Item = &Flight> {
        self.recent.iter()
    }
    /// Reads the named instance has served.
    pub fn reads_served(&self, node: NodeId) -> u64 {
        self.metrics
            .reads_by_node
            .iter()
            .find(|(n, _)| *n == node)
            .map_or(0, |r| r.1)
    }
    pub fn events_pending(&self) -> usize {
        self.q.len()
    }

    // ----- commands -----

    /// A read sent straight to `node`. The standby refuses it; the primary serves it.
    pub fn read_at(&mut self, node: NodeId) -> Result<(), MirroredError> {
        if self.standby.is_some_and(|s| s.instance == node) {
            return Err(MirroredError::StandbyServesNoReads);
        }
        let req = Req {
            client: 0,
            start: self.now,
            write: false,
        };
        self.q.push(self.now, Ev::Query { at: node, req });
        Ok(())
    }

    /// A DDL statement: one FRM file write through the chain.
    pub fn ddl(&mut self) -> Result<(), MirroredError> {
        if !self.primary_up() {
            return Err(MirroredError::PrimaryDown);
        }
        self.start_chain(WriteType::Frm, FRM_BYTES, Owner::Ddl);
        Ok(())
    }

    /// The primary fails: its writes in flight are lost, and the standby takes over after
    /// [`RDS_MULTI_AZ_FAILOVER`].
    pub fn crash_primary(&mut self) -> Result<(), MirroredError> {
        if !self.primary_up() {
            return Err(MirroredError::PrimaryDown);
        }
        let n = &mut self.topo.nodes[self.primary.instance.index()];
        n.up = false;
        n.incarnation += 1;
        self.epoch += 1;
        self.metrics.failed_at = Some(self.now);
        // Everything in the primary's memory is gone; the clients time out.
        self.log_waiting.clear();
        self.log_inflight = None;
        self.binlog_waiting.clear();
        self.binlog_inflight = None;
        self.stalled.clear();
        self.reserved = 0;
        self.cleaners = [None; WRITE_IO_THREADS];
        self.dirty += self.cleaning;
        self.cleaning = 0;
        self.q
            .push(self.now + RDS_MULTI_AZ_FAILOVER, Ev::FailoverDone);
        Ok(())
    }

    // ----- time -----

    pub fn run_until(&mut self, t: SimTime) {
        while let Some((at, ev)) = self.q.pop_until(t) {
            self.now = at;
            self.handle(ev);
        }
        self.now = self.now.max(t);
    }

    fn handle(&mut self, ev: Ev) {
        match ev {
            Ev::ClientTick => self.client_tick(),
            Ev::Query { at, req } => self.query(at, req),
            Ev::Served { req, epoch } => {
                if epoch == self.epoch && self.primary_up() {
                    self.served(req);
                }
            }
            Ev::Hop { chain } => self.hop_done(chain),
            Ev::Answer { req, ok } => self.answer(req, ok),
            Ev::FailoverDone => self.take_over(),
        }
    }

    // ----- clients -----

    fn client_tick(&mut self) {
        let cfg = self.config.clients;
        let dt = (self.now - self.last_tick).as_micros();
        self.last_tick = self.now;
        let rate = cfg.rate_at(self.now - self.started);
        self.carry += rate * dt;
        let n = self.carry / 1_000_000;
        self.carry %= 1_000_000;
        let next = if rate == 0 {
            IDLE_TICK.as_micros()
        } else {
            (1_000_000u64.saturating_sub(self.carry))
                .div_ceil(rate)
                .max(CLIENT_TICK.as_micros())
                .min(IDLE_TICK.as_micros())
        };
        self.q
            .push(self.now + SimDuration::from_micros(next), Ev::ClientTick);
        for _ in 0..n {
            let i = self.rng.below(self.clients.len().max(1) as u64) as u16;
            let write = !self.rng.chance_ppm(cfg.read_ppm);
            let req = Req {
                client: i,
                start: self.now,
                write,
            };
            // The RDS endpoint always names the primary; the standby is never a target.
            let (from, to) = (self.clients[i as usize], self.primary.instance);
            if let Some(at) = self.send(from, to, None, 0, REQUEST_BYTES) {
                self.q.push(at, Ev::Query { at: to, req });
            }
        }
    }

    fn query(&mut self, at: NodeId, req: Req) {
        if !self.topo.is_up(at) || at != self.primary.instance {
            // A down host, or the standby: no answer; the client times out.
            return;
        }
        let cost = if req.write {
            crate::autoscaling::CPU_MICROS_PER_WRITE
        } else {
            crate::autoscaling::CPU_MICROS_PER_READ
        };
        let start = self.busy_until.max(self.now);
        if start > self.now + OVERLOAD_QUEUE {
            self.reply(req, false);
            return;
        }
        let milli = (self.config.class.vcpu as u64 * 1000).max(1);
        self.busy_until = start + SimDuration::from_micros(cost * 1000 / milli);
        self.q.push(
            start,
            Ev::Served {
                req,
                epoch: self.epoch,
            },
        );
    }

    fn served(&mut self, req: Req) {
        if !req.write {
            // 100 GB fits the buffer cache of the paper's r3.8xlarge: a read costs no I/O.
            let node = self.primary.instance;
            if let Some(r) = self.metrics.reads_by_node.iter_mut().find(|r| r.0 == node) {
                r.1 += 1;
            }
            self.reply(req, true);
            return;
        }
        if self.dirty + self.cleaning + self.reserved + PAGES_PER_TXN as u64 > DIRTY_PAGE_LIMIT {
            if self.stalled.len() >= MAX_STALLED {
                self.reply(req, false);
            } else {
                self.metrics.stalled_commits += 1;
                self.stalled.push_back(req);
            }
            return;
        }
        self.admit(req);
    }

    fn admit(&mut self, req: Req) {
        self.reserved += PAGES_PER_TXN as u64;
        self.log_waiting.push(req);
        self.start_log();
    }

    fn reply(&mut self, req: Req, ok: bool) {
        let (from, to) = (self.primary.instance, self.clients[req.client as usize]);
        if let Some(at) = self.send(from, to, None, 0, REQUEST_BYTES) {
            self.q.push(at, Ev::Answer { req, ok });
        }
    }

    fn answer(&mut self, req: Req, ok: bool) {
        let latency = self.now - req.start;
        let m = &mut self.metrics;
        if !ok || latency >= CLIENT_TIMEOUT {
            m.client_errors += 1;
            return;
        }
        let (last, gap) = if req.write {
            m.commit_latency.record(latency.as_micros());
            (&mut m.last_write, &mut m.client_write_gap_max)
        } else {
            m.reads_ok += 1;
            (&mut m.last_read, &mut m.client_read_gap_max)
        };
        if let Some(l) = *last {
            *gap = (*gap).max(self.now - l);
        }
        *last = Some(self.now);
    }

    // ----- the commit path -----

    fn start_log(&mut self) {
        if self.log_inflight.is_none() && !self.log_waiting.is_empty() {
            self.log_inflight = Some(core::mem::take(&mut self.log_waiting));
            let n = self.log_inflight.as_ref().map_or(0, |g| g.len()) as u32;
            self.start_chain(WriteType::Log, REDO_BYTES_PER_TXN * n, Owner::LogGroup);
        }
    }

    fn start_binlog(&mut self) {
        if self.binlog_inflight.is_none() && !self.binlog_waiting.is_empty() {
            self.binlog_inflight = Some(core::mem::take(&mut self.binlog_waiting));
            let n = self.binlog_inflight.as_ref().map_or(0, |g| g.len()) as u32;
            self.start_chain(
                WriteType::Binlog,
                BINLOG_BYTES_PER_TXN * n,
                Owner::BinlogGroup,
            );
        }
    }

    fn chain_done(&mut self, owner: Owner) {
        match owner {
            Owner::LogGroup => {
                if let Some(g) = self.log_inflight.take() {
                    self.binlog_waiting.extend(g);
                }
                self.start_binlog();
                self.start_log();
            }
            Owner::BinlogGroup => {
                if let Some(g) = self.binlog_inflight.take() {
                    self.metrics.commit_groups += 1;
                    for req in g {
                        self.metrics.commits += 1;
                        self.reserved -= PAGES_PER_TXN as u64;
                        self.dirty += PAGES_PER_TXN as u64;
                        self.reply(req, true);
                    }
                }
                self.start_binlog();
                self.clean();
            }
            Owner::Cleaner(i) => {
                let i = i as usize;
                if let Some((pages, left)) = self.cleaners[i] {
                    if left > 0 {
                        self.cleaners[i] = Some((pages, left - 1));
                        self.start_chain(WriteType::Data, PAGE_BYTES, Owner::Cleaner(i as u8));
                    } else {
                        self.cleaners[i] = None;
                        self.cleaning -= pages as u64;
                        self.admit_stalled();
                        self.clean();
                    }
                }
            }
            Owner::Ddl => {}
        }
    }

    /// Idle page cleaners take a batch: its double-write copy first.
    fn clean(&mut self) {
        if !self.primary_up() {
            return;
        }
        for i in 0..WRITE_IO_THREADS {
            if self.cleaners[i].is_some() || self.dirty == 0 {
                continue;
            }
            let pages = self.dirty.min(DOUBLEWRITE_BATCH_PAGES as u64) as u32;
            self.dirty -= pages as u64;
            self.cleaning += pages as u64;
            self.cleaners[i] = Some((pages, pages));
            self.start_chain(
                WriteType::DoubleWrite,
                pages * PAGE_BYTES,
                Owner::Cleaner(i as u8),
            );
        }
    }

    fn admit_stalled(&mut self) {
        while self.dirty + self.cleaning + self.reserved + PAGES_PER_TXN as u64 <= DIRTY_PAGE_LIMIT
        {
            let Some(req) = self.stalled.pop_front() else {
                break;
            };
            self.admit(req);
        }
    }

    // ----- chains -----

    fn route(&self) -> Vec<Hop> {
        chain::hops(self.primary, self.standby)
    }

    fn start_chain(&mut self, kind: WriteType, bytes: u32, owner: Owner) {
        self.metrics.io.at_db[kind.index()] += 1;
        let chain = Chain {
            kind,
            bytes,
            owner,
            hop: 0,
            epoch: self.epoch,
        };
        self.send_hop(chain);
    }

    fn send_hop(&mut self, chain: Chain) {
        let route = self.route();
        let Some(hop) = route.get(chain.hop as usize).copied() else {
            self.chain_done(chain.owner);
            return;
        };
        let bytes = if hop.step > 0 { chain.bytes } else { ACK_BYTES };
        if hop.step > 0 {
            self.metrics.io.all_steps[chain.kind.index()] += 1;
        }
        if let Some(mut at) = self.send(hop.from, hop.to, Some(chain.kind), hop.step, bytes) {
            // A volume persists what it receives before passing it on (steps 1, 2, 4, 5).
            if matches!(hop.step, 1 | 2 | 4 | 5) {
                at += EBS_PERSIST_TIME;
            }
            self.q.push(at, Ev::Hop { chain });
        }
    }

    fn hop_done(&mut self, mut chain: Chain) {
        if chain.epoch != self.epoch {
            return;
        }
        chain.hop += 1;
        self.send_hop(chain);
    }

    /// Puts a message on the network model; `None` if the sender is down or it is lost.
    fn send(
        &mut self,
        from: NodeId,
        to: NodeId,
        kind: Option<WriteType>,
        step: u8,
        bytes: u32,
    ) -> Option<SimTime> {
        let (f, t) = (self.topo.get(from)?, self.topo.get(to)?);
        if !f.up {
            return None;
        }
        let delay = self.net.delay(&mut self.rng, f, t, bytes)?;
        let arrives = self.now + delay;
        if kind.is_some() {
            // The write path only, as the Aurora side counts it: clients are left out.
            self.metrics.io.network_bytes += bytes as u64;
        }
        if self.recent.len() >= RECENT_MESSAGES {
            self.recent.pop_front();
        }
        self.recent.push_back(Flight {
            from,
            to,
            kind,
            step,
            sent: self.now,
            arrives,
        });
        Some(arrives)
    }

    // ----- failover -----

    /// The standby becomes the primary, with its own volume and mirror and no standby of its
    /// own until one is made.
    fn take_over(&mut self) {
        let Some(s) = self.standby.take() else {
            return;
        };
        self.primary = s;
        self.busy_until = self.now;
        self.metrics.took_over_at = Some(self.now);
        self.clean();
    }
}
