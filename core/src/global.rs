//! Aurora Global Database (reference §7): one primary region takes writes; up to ten secondary
//! regions each keep their own storage volume — six copies across their three AZs — fed by
//! storage-level replication over cross-region links, typically less than a second behind.
//!
//! The primary region is modelled in full (protection groups, segments, the writer). A
//! secondary region is modelled at volume level: a replication agent receives the primary's
//! redo stream and writes it to six storage nodes with a 4-of-6 quorum; its durable LSN and lag
//! come from those acknowledgements. When a secondary is promoted, the full model moves to it:
//! its volume becomes the primary volume, durable to what it had received.
//!
//! * **Switchover** (planned): writes stop, the target catches up, then it is promoted: RPO 0.
//! * **Failover** (the primary region is lost): the target is promoted with what it had: the RPO
//!   is the replication lag at that moment, and the model counts the acknowledged commits lost.
//! * **Write forwarding**: a secondary's replica forwards writes to the primary writer.

use crate::client::Access;
use crate::compute::instance::{Instance, Role};
use crate::compute::writer::Writer;
use crate::compute::Compute;
use crate::engine::{Due, Kernel, Payload};
use crate::event::{Event, MsgKind};
use crate::failover::FailoverState;
use crate::ids::{AzId, NodeId, RegionId};
use crate::invariants::Checker;
use crate::lsn::Lsn;
use crate::metrics::Metrics;
use crate::quorum::WRITE_QUORUM;
use crate::serverless::Serverless;
use crate::settings::forwarding::ReadConsistency;
use crate::storage::Storage;
use crate::time::{SimDuration, SimTime};
use crate::topology::{NodeKind, AZ_COUNT, COPIES_PER_AZ};
use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// Secondary regions a global database may have. UG: Using Amazon Aurora Global Database (cur)
pub const MAX_SECONDARY_REGIONS: usize = 10;
/// Read replicas in a secondary cluster. UG: Using Amazon Aurora global databases (2023)
pub const MAX_SECONDARY_REPLICAS: usize = 16;
/// How often the primary's replication servers ship redo. [sim default — not sourced]
pub const SHIP_INTERVAL: SimDuration = SimDuration::from_millis(20);
/// Promoting a secondary to read/write: "< 1 min". UG: Using switchover or failover in
/// Amazon Aurora Global Database. [sim default within that bound]
pub const PROMOTE_TIME: SimDuration = SimDuration::from_secs(30);
/// Region names, kept beside [`RegionId`] which names them.
pub use crate::ids::REGION_NAMES;

/// A region's part in the global database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum RegionRole {
    Primary,
    Secondary,
    /// Being promoted; writable at the given time.
    Promoting {
        ready_at: SimTime,
    },
    /// Down (a region outage).
    Failed,
}

/// One region of the global database.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Region {
    pub id: RegionId,
    pub role: RegionRole,
    /// The replication agent receiving the stream.
    pub agent: NodeId,
    /// Six storage nodes, two per AZ, holding its volume.
    pub storage: [NodeId; 6],
    /// Each storage node's acknowledged LSN.
    pub acked: [u64; 6],
    /// Its read replicas (none in the primary region: those are the cluster's instances).
    pub replicas: Vec<NodeId>,
    /// Durable in its volume (4 of 6), and how far behind the primary it was when it got there.
    pub durable: Lsn,
    pub lag: SimDuration,
}

/// A finished switchover or failover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GlobalRecord {
    pub planned: bool,
    pub from: RegionId,
    pub to: RegionId,
    /// LSNs the primary had made durable that the new primary did not have.
    pub rpo_lsns: u64,
    /// Acknowledged commits lost.
    pub rpo_commits: u64,
    /// The window of writes lost: from the oldest write the new primary lacked to the failure.
    /// It is at most the lag at the failure: writes already shipped when the primary failed
    /// were still on their way and landed; only those not yet shipped are lost.
    pub rpo_time: SimDuration,
    /// The new primary's replication lag measured last before the failure (the
    /// `AuroraGlobalDBReplicationLag` a console would have shown); zero for a switchover.
    pub lag_at_failure: SimDuration,
    /// From the request (or the primary's failure) to writes accepted again.
    pub rto: SimDuration,
}

/// The global database's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Global {
    /// Writes are refused for a switchover or a region promotion.
    pub writes_paused: bool,
    pub regions: Vec<Region>,
    /// The primary region's replication server.
    pub server: NodeId,
    ship_scheduled: bool,
    /// VDL values and when the primary reached them, to measure lag in time.
    history: VecDeque<(Lsn, SimTime)>,
    /// A switchover waiting for its target to catch up: target and request time.
    pub switching: Option<(RegionId, SimTime)>,
    /// When the primary region failed, if it has.
    pub primary_failed_at: Option<SimTime>,
    /// Each secondary's lag when the primary failed.
    pub lag_at_failure: Vec<(RegionId, SimDuration)>,
    pub records: Vec<GlobalRecord>,
    /// Writes forwarded from secondaries: requests per second and the generator's carry.
    pub forward_rate: u32,
    forward_carry: u64,
    next_forward: u64,
    forwarded: VecDeque<(u64, SimTime)>,
    /// Write forwarding's read consistency.
    pub read_consistency: ReadConsistency,
    /// Reads after a forwarded write, waiting for their region to be durable to an LSN:
    /// (region, LSN, since).
    read_waits: VecDeque<(RegionId, Lsn, SimTime)>,
}

impl Region {
    /// The region's AWS-style name.
    pub fn name(&self) -> &'static str {
        self.id.name()
    }
}

impl Global {
    pub fn region(&self, r: RegionId) -> Option<&Region> {
        self.regions.iter().find(|x| x.id == r)
    }
    fn region_mut(&mut self, r: RegionId) -> Option<&mut Region> {
        self.regions.iter_mut().find(|x| x.id == r)
    }
    pub fn primary(&self) -> Option<&Region> {
        self.regions.iter().find(|r| r.role == RegionRole::Primary)
    }
    /// The least durable point of any live secondary.
    pub fn min_durable(&self) -> Option<Lsn> {
        self.regions
            .iter()
            .filter(|r| r.role == RegionRole::Secondary)
            .map(|r| r.durable)
            .min()
    }
}

/// What the Global Database reaches beyond its own state: the primary's instances and writer
/// and its volume (a promoted secondary replaces them), the endpoints, the serverless meter,
/// the figures, the checker, and the regional failover (a promotion ends it).
pub(crate) struct Parts<'a> {
    pub compute: &'a mut Compute,
    pub storage: &'a mut Storage,
    pub access: &'a mut Access,
    pub serverless: &'a mut Serverless,
    pub metrics: &'a mut Metrics,
    pub checker: &'a mut Checker,
    pub failover: &'a mut FailoverState,
}

/// Makes the cluster global: region 0 becomes the primary, and a secondary is added.
pub(crate) fn add_secondary(k: &mut Kernel, gl: &mut Global, p: &mut Parts) -> Option<RegionId> {
    if gl.regions.is_empty() {
        let server = k.topo.add(NodeKind::ObjectStore, RegionId(0), None);
        gl.server = server;
        let storage = core::array::from_fn(|i| p.storage.nodes[i % p.storage.nodes.len()].node);
        gl.regions.push(Region {
            id: RegionId(0),
            role: RegionRole::Primary,
            agent: server,
            storage,
            acked: [0; 6],
            replicas: Vec::new(),
            durable: p.compute.writer.log.vdl(),
            lag: SimDuration::ZERO,
        });
    }
    if gl.regions.len() > MAX_SECONDARY_REGIONS {
        return None;
    }
    let id =
        RegionId((0..=MAX_SECONDARY_REGIONS as u8).find(|r| gl.region(RegionId(*r)).is_none())?);
    let agent = k.topo.add(NodeKind::ObjectStore, id, None);
    let storage: [NodeId; 6] = core::array::from_fn(|i| {
        let az = AzId((i / COPIES_PER_AZ) as u8 % AZ_COUNT as u8);
        k.topo.add(NodeKind::Storage, id, Some(az))
    });
    let replica = k.topo.add(NodeKind::Instance, id, Some(AzId(0)));
    // A new secondary starts from a copy of the volume (a snapshot restore), then follows.
    let start = p.compute.writer.log.vdl();
    gl.regions.push(Region {
        id,
        role: RegionRole::Secondary,
        agent,
        storage,
        acked: [start.0; 6],
        replicas: alloc::vec![replica],
        durable: start,
        lag: SimDuration::ZERO,
    });
    k.emit(Event::RegionAdded { region: id });
    Some(id)
}

/// VDL moved in the primary: remember when, and ship soon.
pub(crate) fn vdl_moved(k: &mut Kernel, g: &mut Global, vdl: Lsn) {
    if g.regions.len() < 2 {
        return;
    }
    g.history.push_back((vdl, k.now));
    if g.history.len() > 100_000 {
        g.history.pop_front();
    }
    if !g.ship_scheduled {
        g.ship_scheduled = true;
        k.schedule_in(SHIP_INTERVAL, Due::GlobalShip);
    }
}

/// The replication server ships the stream, with the current VDL, to every secondary.
pub(crate) fn on_ship(k: &mut Kernel, gl: &mut Global, p: &mut Parts) {
    gl.ship_scheduled = false;
    let vdl = p.compute.writer.log.vdl();
    let server = gl.server;
    let targets: Vec<(RegionId, NodeId, Lsn)> = gl
        .regions
        .iter()
        .filter(|r| {
            r.role == RegionRole::Secondary || matches!(r.role, RegionRole::Promoting { .. })
        })
        .map(|r| (r.id, r.agent, r.durable))
        .collect();
    for (region, agent, durable) in targets {
        if durable >= vdl {
            continue;
        }
        let bytes = ((vdl.0 - durable.0).min(1 << 20) as u32)
            .saturating_mul(p.compute.writer.config.record_bytes);
        k.send(
            server,
            agent,
            MsgKind::GlobalRedo,
            bytes.max(64),
            Payload::GlobalRedo { region, vdl },
        );
    }
}

/// At a secondary's agent: write the stream to its six storage nodes.
pub(crate) fn on_redo(k: &mut Kernel, gl: &mut Global, region: RegionId, vdl: Lsn) {
    let Some(r) = gl.region(region) else {
        return;
    };
    let (agent, nodes) = (r.agent, r.storage);
    for (slot, node) in nodes.into_iter().enumerate() {
        k.send(
            agent,
            node,
            MsgKind::RedoBatch,
            256,
            Payload::GlobalWrite {
                region,
                slot: slot as u8,
                vdl,
            },
        );
    }
}

/// At a secondary storage node: persist, then acknowledge to the agent.
pub(crate) fn on_write(
    k: &mut Kernel,
    gl: &mut Global,
    at: NodeId,
    region: RegionId,
    slot: u8,
    vdl: Lsn,
) {
    let Some(r) = gl.region(region) else {
        return;
    };
    let agent = r.agent;
    k.send(
        at,
        agent,
        MsgKind::Ack,
        64,
        Payload::GlobalAck { region, slot, vdl },
    );
}

/// At the agent: with 4 of 6 acknowledgements the secondary volume is durable to `vdl`.
pub(crate) fn on_ack(
    k: &mut Kernel,
    gl: &mut Global,
    p: &mut Parts,
    region: RegionId,
    slot: u8,
    vdl: Lsn,
) {
    let now = k.now;
    let since = |lsn: Lsn, history: &VecDeque<(Lsn, SimTime)>| {
        history
            .iter()
            .find(|(l, _)| *l >= lsn)
            .map_or(now, |(_, t)| *t)
    };
    let g = &mut *gl;
    let Some(r) = g.regions.iter_mut().find(|r| r.id == region) else {
        return;
    };
    let s = &mut r.acked[slot as usize % 6];
    *s = (*s).max(vdl.0);
    let mut sorted = r.acked;
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    let durable = Lsn(sorted[WRITE_QUORUM as usize - 1]);
    if durable <= r.durable {
        return;
    }
    r.durable = durable;
    r.lag = now - since(durable, &g.history);
    let lag = r.lag;
    p.metrics.global_lag.record(lag.as_micros());
    if !g.read_waits.is_empty() {
        reads_may_go(g, p.metrics, now, region, durable);
    }
    k.emit(Event::GlobalApplied {
        region,
        durable,
        lag,
    });
    // Forget history every secondary has passed.
    let floor = g.min_durable().unwrap_or(durable);
    while g.history.front().is_some_and(|(l, _)| *l < floor) {
        g.history.pop_front();
    }
    if let Some((target, _)) = g.switching {
        if target == region {
            check_switchover(k, gl, p);
        }
    }
}

/// A switchover: stop writes, wait for the target to hold everything, then promote (RPO 0).
pub(crate) fn switchover(k: &mut Kernel, gl: &mut Global, p: &mut Parts, target: RegionId) {
    gl.switching = Some((target, k.now));
    gl.writes_paused = true;
    k.emit(Event::SwitchoverStarted { to: target });
    check_switchover(k, gl, p);
}

fn check_switchover(k: &mut Kernel, gl: &mut Global, p: &mut Parts) {
    let Some((target, _)) = gl.switching else {
        return;
    };
    let vdl = p.compute.writer.log.vdl();
    let synced = gl.region(target).is_some_and(|r| r.durable >= vdl);
    // Commits parked before the pause must land first too.
    if synced && p.compute.writer.commits_waiting() == 0 {
        begin_promotion(k, gl, target);
    } else if gl.region(target).is_some_and(|r| r.durable < vdl) && !gl.ship_scheduled {
        gl.ship_scheduled = true;
        k.schedule_in(SHIP_INTERVAL, Due::GlobalShip);
    }
}

/// The primary region is gone: promote `target` with what it has (managed global failover).
pub(crate) fn failover(k: &mut Kernel, gl: &mut Global, target: RegionId) {
    gl.switching = None;
    k.emit(Event::GlobalFailoverStarted { to: target });
    begin_promotion(k, gl, target);
}

fn begin_promotion(k: &mut Kernel, gl: &mut Global, target: RegionId) {
    let ready_at = k.now + PROMOTE_TIME;
    if let Some(r) = gl.region_mut(target) {
        r.role = RegionRole::Promoting { ready_at };
    }
    gl.writes_paused = true;
    k.schedule(ready_at, Due::GlobalPromoted(target));
}

/// The target is writable: the full model moves to it.
pub(crate) fn on_promoted(k: &mut Kernel, gl: &mut Global, p: &mut Parts, target: RegionId) {
    let Some(t) = gl.region(target).cloned() else {
        return;
    };
    let Some(old) = gl.primary().map(|r| r.id) else {
        return;
    };
    let planned = gl.switching.is_some_and(|(r, _)| r == target);
    let requested = gl
        .switching
        .map(|(_, at)| at)
        .or(gl.primary_failed_at)
        .unwrap_or(k.now);
    gl.switching = None;
    let old_vdl = p.compute.writer.log.vdl();
    let durable = t.durable;
    let lost_commits = p
        .compute
        .writer
        .acked
        .iter()
        .filter(|&&l| l > durable)
        .count() as u64;
    let rpo_time = gl
        .history
        .iter()
        .find(|(l, _)| *l > durable)
        .map_or(SimDuration::ZERO, |(_, at)| {
            gl.primary_failed_at.unwrap_or(k.now) - *at
        });
    // Messages of the old primary volume are void from here: its segment ids mean nothing in
    // the new volume.
    let lost = k.cancel(|ev| {
        matches!(
            ev,
            Due::Deliver(_)
                | Due::Persisted { .. }
                | Due::Flush(_)
                | Due::RetryCheck(_)
                | Due::Background(_)
                | Due::DetectNode { .. }
                | Due::DetectSegment(_)
                | Due::ReadTimeout(_)
                | Due::ReplicaStream
                | Due::ReplicaApplied { .. }
                | Due::RecoveryRetry
                | Due::EngineStarted(_)
                | Due::UndoDone { .. }
                | Due::Promoted(_)
                | Due::Serve { .. }
        )
    });
    for msg in lost {
        k.emit(Event::MessageDropped {
            id: msg.id,
            kind: msg.kind,
            to: msg.to,
            reason: crate::event::DropReason::ReceiverDown,
        });
    }
    // The new primary volume: the target region's, durable to what it received.
    let bytes = p.storage.volume_bytes;
    let config = p.storage.config;
    let storage = crate::storage::volume::build(k, config, bytes, target, durable);
    let new_writer = t
        .replicas
        .first()
        .copied()
        .unwrap_or_else(|| k.topo.add(NodeKind::Instance, target, Some(AzId(0))));
    let mut writer_config = p.compute.writer.config;
    writer_config.boxcar_delay = p.compute.writer.config.boxcar_delay;
    let mut writer = Writer::starting_at(new_writer, storage.pgs.len(), writer_config, durable);
    writer.volume_epoch = p.storage.volume_epoch + 1;
    let class = p
        .compute
        .instances
        .iter()
        .find(|i| i.role == Role::Writer)
        .map(|i| i.class)
        .unwrap_or_default();
    // The old primary's instances become the old region's read replicas (or stay down).
    crate::serverless::meter(k, p.serverless, &p.compute.instances);
    let old_nodes: Vec<NodeId> = p.compute.instances.iter().map(|i| i.node).collect();
    let mut instances = alloc::vec![Instance::new(new_writer, class, 1, Role::Writer)];
    for &n in t.replicas.iter().skip(1) {
        let mut i = Instance::new(n, class, 1, Role::Replica);
        i.read_point = durable;
        instances.push(i);
    }
    p.compute.instances = instances;
    *p.storage = storage;
    p.storage.volume_epoch = writer.volume_epoch;
    for s in p.storage.segments.iter_mut() {
        s.volume_epoch = writer.volume_epoch;
    }
    p.compute.writer = writer;
    p.compute.reads = Default::default();
    p.compute.recovery = None;
    p.failover.active = None;
    gl.writes_paused = false;
    p.checker.reset_points(durable, durable);
    p.access.endpoints.cluster = new_writer;
    // Background work for the new fleet.
    let interval = p.storage.config.background_interval.as_micros();
    for sn in &p.storage.nodes {
        let at = k.now + SimDuration::from_micros(k.rng.below(interval.max(1)));
        k.schedule(at, Due::Background(sn.node));
    }
    // Region roles: the target leads; the old primary follows if it is up, else stays failed.
    let old_up = k.topo.is_up(gl.region(old).map_or(new_writer, |r| r.agent));
    for r in gl.regions.iter_mut() {
        if r.id == target {
            r.role = RegionRole::Primary;
            r.replicas.clear();
            r.lag = SimDuration::ZERO;
        } else if r.id == old {
            r.role = if old_up {
                RegionRole::Secondary
            } else {
                RegionRole::Failed
            };
            r.replicas = old_nodes.clone();
            // Whatever the old primary had beyond the new one's point is discarded.
            r.durable = r.durable.min(durable);
            r.acked = [r.durable.0; 6];
        }
    }
    let server = k.topo.add(NodeKind::ObjectStore, target, None);
    gl.server = server;
    gl.history.clear();
    gl.primary_failed_at = None;
    let rec = GlobalRecord {
        planned,
        from: old,
        to: target,
        rpo_lsns: old_vdl.0.saturating_sub(durable.0),
        rpo_commits: lost_commits,
        rpo_time,
        lag_at_failure: if planned {
            SimDuration::ZERO
        } else {
            gl.lag_at_failure
                .iter()
                .find(|(r, _)| *r == target)
                .map_or(SimDuration::ZERO, |(_, l)| *l)
        },
        rto: k.now - requested,
    };
    gl.lag_at_failure.clear();
    gl.records.push(rec);
    p.metrics.commits_lost_in_failover += lost_commits;
    p.compute.writer.acked.clear();
    k.emit(Event::DnsUpdated {
        endpoint: crate::endpoint::EndpointId::Cluster,
        target: new_writer,
    });
    k.emit(Event::GlobalPromoted {
        from: old,
        to: target,
        planned,
        rpo_lsns: rec.rpo_lsns,
    });
    crate::storage::repair::evaluate_quorums(k, p.storage, p.compute.writer.node, p.metrics);
}

/// A region failed or came back.
pub(crate) fn region_health(k: &mut Kernel, gl: &mut Global, region: RegionId, up: bool) {
    let now = k.now;
    let Some(r) = gl.region_mut(region) else {
        return;
    };
    match (r.role, up) {
        (RegionRole::Primary, false) => {
            gl.primary_failed_at = Some(now);
            let lags = gl
                .regions
                .iter()
                .filter(|r| r.role == RegionRole::Secondary)
                .map(|r| (r.id, r.lag))
                .collect();
            gl.lag_at_failure = lags;
        }
        (RegionRole::Secondary, false) => r.role = RegionRole::Failed,
        (RegionRole::Failed, true) => {
            // Back as a secondary, resynchronised from the current primary.
            r.role = RegionRole::Secondary;
        }
        (RegionRole::Primary, true) => gl.primary_failed_at = None,
        _ => {}
    }
    k.emit(if up {
        Event::RegionUp { region }
    } else {
        Event::RegionDown { region }
    });
    if up && !gl.ship_scheduled && gl.regions.len() > 1 {
        gl.ship_scheduled = true;
        k.schedule_in(SHIP_INTERVAL, Due::GlobalShip);
    }
}

/// Writes forwarded from secondary replicas to the primary writer.
pub(crate) fn set_forwarding(k: &mut Kernel, gl: &mut Global, rate: u32) {
    let was = gl.forward_rate > 0;
    gl.forward_rate = rate;
    if !was && rate > 0 {
        k.schedule_in(SimDuration::from_millis(10), Due::GlobalForwardTick);
    }
}

pub(crate) fn on_forward_tick(k: &mut Kernel, gl: &mut Global, p: &mut Parts) {
    let rate = gl.forward_rate as u64;
    if rate == 0 {
        return;
    }
    k.schedule_in(SimDuration::from_millis(10), Due::GlobalForwardTick);
    gl.forward_carry += rate * 10_000;
    let n = gl.forward_carry / 1_000_000;
    gl.forward_carry %= 1_000_000;
    let from: Vec<NodeId> = gl
        .regions
        .iter()
        .filter(|r| r.role == RegionRole::Secondary)
        .filter_map(|r| r.replicas.first().copied())
        .filter(|&n| k.topo.is_up(n))
        .collect();
    let writer = p.access.endpoints.cluster;
    for _ in 0..n {
        let Some(&node) = k.rng.pick(&from) else {
            break;
        };
        let req = gl.next_forward;
        gl.next_forward += 1;
        gl.forwarded.push_back((req, k.now));
        if gl.forwarded.len() > 10_000 {
            gl.forwarded.pop_front();
        }
        k.send(
            node,
            writer,
            MsgKind::ForwardedWrite,
            300,
            Payload::Query { req, write: true },
        );
    }
}

/// A new read consistency: the reads' figures start again, reads still waiting under the old
/// one included, so they tell of this setting alone.
pub(crate) fn set_read_consistency(gl: &mut Global, metrics: &mut Metrics, c: ReadConsistency) {
    if gl.read_consistency != c {
        metrics.forward_read_wait = crate::metrics::Histogram::default();
        metrics.forward_reads_stale = 0;
        gl.read_waits.clear();
    }
    gl.read_consistency = c;
}

/// The primary answered a forwarded write: the secondary replica `replica` tells its client,
/// whose next read then sees what the read consistency gives it.
pub(crate) fn on_forward_answer(
    gl: &mut Global,
    metrics: &mut Metrics,
    now: SimTime,
    replica: NodeId,
    req: u64,
    ok: bool,
) -> bool {
    let Some(i) = gl.forwarded.iter().position(|(r, _)| *r == req) else {
        return false;
    };
    let (_, at) = gl.forwarded.remove(i).unwrap_or((req, now));
    if !ok {
        metrics.forwarded_write_errors += 1;
        return true;
    }
    metrics
        .forwarded_write_latency
        .record((now - at).as_micros());
    read_after_write(gl, metrics, now, replica, at);
    true
}

/// The read a session makes right after its forwarded write (sent at `sent`) was answered.
/// The write committed on the primary about halfway through the round trip: its LSN is the
/// primary's VDL then. SESSION waits for that LSN in this region, GLOBAL for the primary's
/// VDL now (everything committed when the read began), EVENTUAL for nothing, and counts the
/// read stale if the region does not hold the session's write yet.
fn read_after_write(
    gl: &mut Global,
    metrics: &mut Metrics,
    now: SimTime,
    replica: NodeId,
    sent: SimTime,
) {
    let Some(r) = gl.regions.iter().find(|r| r.replicas.contains(&replica)) else {
        return;
    };
    let committed = sent + SimDuration::from_micros((now - sent).as_micros() / 2);
    // History older than every secondary's durable point is forgotten: such a write is here.
    let vdl_at = |t: SimTime| {
        gl.history
            .iter()
            .rev()
            .find(|(_, at)| *at <= t)
            .map_or(Lsn::ZERO, |(l, _)| *l)
    };
    let own = vdl_at(committed);
    let need = match gl.read_consistency {
        ReadConsistency::Eventual => {
            if r.durable < own {
                metrics.forward_reads_stale += 1;
            }
            metrics.forward_read_wait.record(0);
            return;
        }
        ReadConsistency::Session => own,
        ReadConsistency::Global => vdl_at(now),
    };
    if r.durable >= need {
        metrics.forward_read_wait.record(0);
    } else {
        let region = r.id;
        gl.read_waits.push_back((region, need, now));
        if gl.read_waits.len() > 10_000 {
            gl.read_waits.pop_front();
        }
    }
}

/// Region `region` became durable to `durable`: the reads waiting for it go ahead.
fn reads_may_go(
    gl: &mut Global,
    metrics: &mut Metrics,
    now: SimTime,
    region: RegionId,
    durable: Lsn,
) {
    gl.read_waits.retain(|&(r, need, since)| {
        let go = r == region && need <= durable;
        if go {
            metrics.forward_read_wait.record((now - since).as_micros());
        }
        !go
    });
}
