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
use crate::event::Event;
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
    /// When a managed failover was asked for: with the primary still up, its RTO and RPO
    /// window count from here (writes stop at the request), not from a failure.
    failover_requested: Option<SimTime>,
    /// Each secondary's lag when the primary failed.
    pub lag_at_failure: Vec<(RegionId, SimDuration)>,
    pub records: Vec<GlobalRecord>,
    /// Writes forwarded from secondaries: requests per second and the generator's carry.
    pub forward_rate: u32,
    forward_carry: u64,
    next_forward: u64,
    /// Forwarded writes awaiting their answer: (request, the secondary replica that forwarded
    /// it, when). The replica is part of the key: a client's answer to a request of the same
    /// number goes to the client's own node, never to a secondary replica.
    forwarded: VecDeque<(u64, NodeId, SimTime)>,
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
    k.send(at, agent, 64, Payload::GlobalAck { region, slot, vdl });
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

/// Promote `target` with what it has (managed global failover), whether the primary region is
/// gone or still up.
pub(crate) fn failover(k: &mut Kernel, gl: &mut Global, target: RegionId) {
    gl.switching = None;
    gl.failover_requested = Some(k.now);
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
    if !matches!(t.role, RegionRole::Promoting { ready_at } if ready_at == k.now) {
        // The promotion this timer ends was abandoned (the target failed on the way); a later
        // promotion of the same region has its own timer.
        return;
    }
    let Some(old) = gl.primary().map(|r| r.id) else {
        return;
    };
    let planned = gl.switching.is_some_and(|(r, _)| r == target);
    // When writes stopped without a switchover: the primary's failure, else the failover's
    // request.
    let stopped = gl.primary_failed_at.or(gl.failover_requested);
    let requested = gl.switching.map(|(_, at)| at).or(stopped).unwrap_or(k.now);
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
        .map_or(SimDuration::ZERO, |(_, at)| stopped.unwrap_or(k.now) - *at);
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
    let writer_config = p.compute.writer.config;
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
            // The old primary's volume held everything to its VDL (its `durable` was never
            // kept up while it was primary); whatever lies beyond the new one's point is
            // discarded.
            r.durable = old_vdl.min(durable);
            r.acked = [r.durable.0; 6];
        }
    }
    let server = k.topo.add(NodeKind::ObjectStore, target, None);
    gl.server = server;
    gl.history.clear();
    gl.primary_failed_at = None;
    gl.failover_requested = None;
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

/// The region being promoted failed, so it cannot take the writes. With the primary still up
/// (a switchover, or a failover asked for while it was healthy) the primary keeps the writes
/// and takes them again; with the primary down, writes stay stopped until another secondary
/// is promoted, and that one's RTO counts from the primary's failure.
fn abandon_promotion(k: &mut Kernel, gl: &mut Global, region: RegionId) {
    gl.switching = None;
    gl.failover_requested = None;
    let writes_resume = gl.primary_failed_at.is_none();
    if writes_resume {
        gl.writes_paused = false;
    }
    k.emit(Event::GlobalPromotionAbandoned {
        region,
        writes_resume,
    });
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
        (RegionRole::Secondary, false) => {
            r.role = RegionRole::Failed;
            // A switchover waiting for this region to catch up cannot finish.
            if gl.switching.is_some_and(|(t, _)| t == region) {
                abandon_promotion(k, gl, region);
            }
        }
        (RegionRole::Promoting { .. }, false) => {
            r.role = RegionRole::Failed;
            abandon_promotion(k, gl, region);
        }
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
        gl.forwarded.push_back((req, node, k.now));
        if gl.forwarded.len() > 10_000 {
            gl.forwarded.pop_front();
        }
        k.send(node, writer, 300, Payload::ForwardedWrite { req });
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
    let Some(i) = gl
        .forwarded
        .iter()
        .position(|&(r, from, _)| r == req && from == replica)
    else {
        return false;
    };
    let (_, _, at) = gl.forwarded.remove(i).unwrap_or((req, replica, now));
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

#[cfg(test)]
mod tests {
    //! The Global Database on its own: a kernel, the primary's compute and volume, and a
    //! small event loop that routes only this module's dues and messages to its handlers
    //! (everything else the primary schedules, its boxcar flushes for one, is left unhandled).

    use super::*;
    use crate::backup::{Backup, BackupConfig};
    use crate::compute::instance::CLASSES;
    use crate::compute::writer::{self, CommitContext, Held, WriterConfig};
    use crate::event::MsgKind;
    use crate::net::CROSS_REGION_LATENCY;
    use crate::storage::{volume, StorageConfig};

    fn ms(n: u64) -> SimTime {
        SimTime::from_micros(n * 1_000)
    }

    /// A one-PG primary cluster (writer only) and the Global Database's state beside it.
    struct Bench {
        k: Kernel,
        gl: Global,
        compute: Compute,
        storage: Storage,
        access: Access,
        serverless: Serverless,
        metrics: Metrics,
        checker: Checker,
        failover: FailoverState,
        backup: Backup,
        /// When each `GlobalShip` and `GlobalPromoted` ran.
        ships: Vec<SimTime>,
        promoted: Vec<(SimTime, RegionId)>,
    }

    impl Bench {
        /// The cluster, made global with `secondaries` secondary regions at time 0.
        fn global(secondaries: usize) -> Bench {
            let mut k = Kernel::new(7);
            let storage =
                volume::build(&mut k, StorageConfig::default(), 1, RegionId(0), Lsn::ZERO);
            let dns = k.topo.add(NodeKind::Dns, RegionId(0), None);
            let node = k.topo.add(NodeKind::Instance, RegionId(0), Some(AzId(0)));
            let w = Writer::new(node, storage.pgs.len(), WriterConfig::default());
            let mut b = Bench {
                k,
                gl: Global::default(),
                compute: Compute::new(w, Instance::new(node, CLASSES[1], 1, Role::Writer)),
                storage,
                access: Access::new(node, dns),
                serverless: Serverless::default(),
                metrics: Metrics::default(),
                checker: Checker::default(),
                failover: FailoverState::default(),
                backup: Backup::new(BackupConfig::default()),
                ships: Vec::new(),
                promoted: Vec::new(),
            };
            for _ in 0..secondaries {
                b.add().expect("room for another secondary");
            }
            b
        }

        /// The kernel, the global state and the parts, borrowed apart as the dispatch does.
        fn split(&mut self) -> (&mut Kernel, &mut Global, Parts<'_>) {
            let parts = Parts {
                compute: &mut self.compute,
                storage: &mut self.storage,
                access: &mut self.access,
                serverless: &mut self.serverless,
                metrics: &mut self.metrics,
                checker: &mut self.checker,
                failover: &mut self.failover,
            };
            (&mut self.k, &mut self.gl, parts)
        }

        fn add(&mut self) -> Option<RegionId> {
            let (k, gl, mut p) = self.split();
            add_secondary(k, gl, &mut p)
        }

        /// The writer parks one committed transaction, not yet durable: its commit LSN.
        fn park(&mut self) -> Lsn {
            assert!(writer::manual_write(&mut self.k, &mut self.compute.writer));
            assert!(writer::manual_commit(
                &mut self.k,
                &mut self.compute.writer,
                &mut self.metrics
            ));
            self.compute.writer.last_commit().expect("a parked commit")
        }

        /// The primary's storage makes everything written durable: VDL moves, the Global
        /// Database hears of it and parked commits are acknowledged, in the dispatch's order.
        fn harden(&mut self) -> Lsn {
            let log = &mut self.compute.writer.log;
            let upto = log.max_allocated();
            log.advance_pg(0, upto);
            log.recompute();
            let vdl = log.vdl();
            vdl_moved(&mut self.k, &mut self.gl, vdl);
            let cx = CommitContext {
                storage: &self.storage,
                metrics: &mut self.metrics,
                backup: &mut self.backup,
                held: Held(self.gl.writes_paused),
                min_durable: self.gl.min_durable(),
                mtrs_per_txn: 1,
            };
            writer::acknowledge_commits(&mut self.k, &mut self.compute, cx);
            vdl
        }

        /// One transaction committed and acknowledged now: the new VDL.
        fn commit(&mut self) -> Lsn {
            let lsn = self.park();
            assert_eq!(self.harden(), lsn);
            lsn
        }

        /// Runs this module's dues up to `until`, then sets the clock there.
        fn run_until(&mut self, until: SimTime) {
            while let Some(ev) = self.k.pop_until(until) {
                match ev {
                    Due::GlobalShip => self.ships.push(self.k.now),
                    Due::GlobalPromoted(r) => self.promoted.push((self.k.now, r)),
                    _ => {}
                }
                let (k, gl, mut p) = self.split();
                match ev {
                    Due::GlobalShip => on_ship(k, gl, &mut p),
                    Due::GlobalPromoted(r) => on_promoted(k, gl, &mut p, r),
                    Due::GlobalForwardTick => on_forward_tick(k, gl, &mut p),
                    Due::Deliver(msg) if k.arrive(&msg) => match msg.payload {
                        Payload::GlobalRedo { region, vdl } => on_redo(k, gl, region, vdl),
                        Payload::GlobalWrite { region, slot, vdl } => {
                            on_write(k, gl, msg.to, region, slot, vdl)
                        }
                        Payload::GlobalAck { region, slot, vdl } => {
                            on_ack(k, gl, &mut p, region, slot, vdl)
                        }
                        _ => {}
                    },
                    _ => {}
                }
                self.k.settle();
            }
            self.k.now = self.k.now.max(until);
        }

        /// Region `r` fails (every node in it goes down, as the fault does) or comes back.
        fn region_health(&mut self, r: RegionId, up: bool) {
            for n in self.k.topo.nodes.iter_mut().filter(|n| n.region == r) {
                if n.kind != NodeKind::Dns {
                    n.up = up;
                }
            }
            region_health(&mut self.k, &mut self.gl, r, up);
        }

        fn region(&self, r: u8) -> &Region {
            self.gl.region(RegionId(r)).expect("a region")
        }

        fn events(&mut self) -> Vec<(SimTime, Event)> {
            self.k.drain().collect()
        }
    }

    /// When each region became durable to what, with the lag it measured.
    fn applied(events: &[(SimTime, Event)]) -> Vec<(SimTime, RegionId, Lsn, SimDuration)> {
        events
            .iter()
            .filter_map(|&(t, e)| match e {
                Event::GlobalApplied {
                    region,
                    durable,
                    lag,
                } => Some((t, region, durable, lag)),
                _ => None,
            })
            .collect()
    }

    /// The nodes messages of `kind` were sent to.
    fn sent(events: &[(SimTime, Event)], kind: MsgKind) -> Vec<(NodeId, NodeId)> {
        events
            .iter()
            .filter_map(|&(_, e)| match e {
                Event::MessageSent {
                    from, to, kind: k, ..
                } if k == kind => Some((from, to)),
                _ => None,
            })
            .collect()
    }

    /// Region 0 becomes the primary; each secondary starts from a copy of the volume as it is,
    /// on six storage nodes of its own, two in each of its three AZs, with an agent and one
    /// replica. Ten secondaries are allowed (reference §7: "up to 10" today); an eleventh is
    /// refused and adds nothing.
    #[test]
    fn ten_secondaries_start_from_a_copy_of_the_volume_and_an_eleventh_is_refused() {
        let mut b = Bench::global(0);
        let vdl = b.commit();
        for n in 1..=MAX_SECONDARY_REGIONS as u8 {
            assert_eq!(b.add(), Some(RegionId(n)));
        }
        assert_eq!(b.add(), None);
        assert_eq!(b.gl.regions.len(), MAX_SECONDARY_REGIONS + 1);
        assert_eq!(b.gl.primary().map(|r| r.id), Some(RegionId(0)));
        let added: Vec<RegionId> = b
            .events()
            .iter()
            .filter_map(|(_, e)| match e {
                Event::RegionAdded { region } => Some(*region),
                _ => None,
            })
            .collect();
        assert_eq!(added, (1..=10).map(RegionId).collect::<Vec<_>>());
        for n in 1..=10u8 {
            let r = b.region(n);
            assert_eq!(r.role, RegionRole::Secondary);
            assert_eq!((r.durable, r.acked), (vdl, [vdl.0; 6]));
            assert_eq!(r.replicas.len(), 1);
            assert_eq!(b.k.topo.node(r.agent).region, RegionId(n));
            for (i, &s) in r.storage.iter().enumerate() {
                let node = b.k.topo.node(s);
                assert_eq!(node.kind, NodeKind::Storage);
                assert_eq!(
                    (node.region, node.az),
                    (RegionId(n), Some(AzId(i as u8 / 2)))
                );
            }
        }
        assert_eq!(b.gl.min_durable(), Some(vdl));
    }

    /// A secondary's volume is durable to an LSN once four of its six storage nodes hold it
    /// (three are not enough; a late, older acknowledgement changes nothing), and its lag is
    /// measured from when the primary's VDL got there. The least durable secondary bounds
    /// `min_durable`.
    #[test]
    fn a_secondary_is_durable_once_four_of_its_six_storage_nodes_acknowledge() {
        let mut b = Bench::global(2);
        b.k.now = ms(10);
        let vdl = b.commit();
        b.k.now = ms(310);
        let ack = |b: &mut Bench, slot: u8, lsn: Lsn| {
            let (k, gl, mut p) = b.split();
            on_ack(k, gl, &mut p, RegionId(1), slot, lsn);
        };
        for slot in 0..3 {
            ack(&mut b, slot, vdl);
        }
        assert_eq!(b.region(1).durable, Lsn::ZERO, "three of six");
        ack(&mut b, 3, vdl);
        assert_eq!(b.region(1).durable, vdl);
        assert_eq!(b.region(1).lag, SimDuration::from_millis(300));
        assert_eq!(b.metrics.global_lag.max(), 300_000);
        ack(&mut b, 4, Lsn(vdl.0 - 1));
        assert_eq!(
            applied(&b.events()),
            [(ms(310), RegionId(1), vdl, SimDuration::from_millis(300))]
        );
        assert_eq!(b.region(2).durable, Lsn::ZERO);
        assert_eq!(b.gl.min_durable(), Some(Lsn::ZERO));
    }

    /// However often VDL moves, one ship follows `SHIP_INTERVAL` after the first move; it
    /// sends one `GlobalRedo` per secondary behind, each agent writes to its six nodes, and
    /// every secondary holds the commit well under a second later (reference §7: typically
    /// < 1 s), its lag the time from the commit. A ship with nothing new sends nothing.
    #[test]
    fn the_stream_lands_in_every_secondary_well_under_a_second_after_the_commit() {
        let mut b = Bench::global(2);
        b.commit();
        b.k.now = ms(5);
        let vdl = b.commit();
        b.run_until(SimTime::from_secs(1));
        assert_eq!(b.ships, [SimTime::ZERO + SHIP_INTERVAL]);
        let ev = b.events();
        let agents = [b.region(1).agent, b.region(2).agent];
        let redo = sent(&ev, MsgKind::GlobalRedo);
        assert_eq!(redo, [(b.gl.server, agents[0]), (b.gl.server, agents[1])]);
        assert_eq!(sent(&ev, MsgKind::RedoBatch).len(), 12);
        let landed = applied(&ev);
        assert_eq!(landed.len(), 2);
        for (at, region, durable, lag) in landed {
            assert_eq!(durable, vdl);
            assert_eq!(b.gl.region(region).map(|r| r.durable), Some(vdl));
            assert_eq!(lag, at - ms(5));
            assert!(lag >= CROSS_REGION_LATENCY && lag < SimDuration::from_secs(1));
        }
        let (k, gl, mut p) = b.split();
        on_ship(k, gl, &mut p);
        assert!(sent(&b.events(), MsgKind::GlobalRedo).is_empty());
    }

    /// A failed secondary gets no stream and no longer bounds `min_durable`; when it comes
    /// back it is a secondary again, a ship is scheduled at once, and it catches up.
    #[test]
    fn a_failed_secondary_is_skipped_and_caught_up_when_it_returns() {
        let mut b = Bench::global(2);
        b.region_health(RegionId(2), false);
        assert_eq!(b.region(2).role, RegionRole::Failed);
        let vdl = b.commit();
        b.run_until(SimTime::from_secs(1));
        assert_eq!((b.region(1).durable, b.region(2).durable), (vdl, Lsn::ZERO));
        assert_eq!(b.gl.min_durable(), Some(vdl));
        let agent1 = b.region(1).agent;
        let ev = b.events();
        assert!(ev.contains(&(
            SimTime::ZERO,
            Event::RegionDown {
                region: RegionId(2)
            }
        )));
        assert_eq!(sent(&ev, MsgKind::GlobalRedo), [(b.gl.server, agent1)]);

        b.region_health(RegionId(2), true);
        assert_eq!(b.region(2).role, RegionRole::Secondary);
        b.run_until(SimTime::from_secs(2));
        assert_eq!(b.ships, [ms(20), ms(1_020)]);
        assert_eq!(b.region(2).durable, vdl);
        assert_eq!(b.gl.min_durable(), Some(vdl));
    }

    /// A switchover stops writes and waits: the target is promoted only once it holds the
    /// primary's VDL, `PROMOTE_TIME` after that. It then leads with every commit (RPO 0), the
    /// old primary follows as a secondary, and the cluster endpoint moves to the new writer.
    #[test]
    fn a_switchover_waits_for_the_target_to_hold_everything_and_loses_nothing() {
        let mut b = Bench::global(1);
        b.commit();
        b.run_until(SimTime::from_secs(1));
        let vdl = b.commit();
        let new_writer = b.region(1).replicas[0];
        {
            let (k, gl, mut p) = b.split();
            switchover(k, gl, &mut p, RegionId(1));
        }
        assert!(b.gl.writes_paused);
        assert_eq!(
            b.region(1).role,
            RegionRole::Secondary,
            "behind: no promotion yet"
        );
        b.run_until(SimTime::from_secs(2));
        let ev = b.events();
        assert!(ev.contains(&(
            SimTime::from_secs(1),
            Event::SwitchoverStarted { to: RegionId(1) }
        )));
        let &(synced, _, _, _) = applied(&ev).last().expect("the target caught up");
        let ready_at = synced + PROMOTE_TIME;
        assert_eq!(b.region(1).role, RegionRole::Promoting { ready_at });
        assert!(b.gl.writes_paused);

        b.run_until(ready_at);
        assert_eq!(b.promoted, [(ready_at, RegionId(1))]);
        assert_eq!(b.gl.primary().map(|r| r.id), Some(RegionId(1)));
        assert_eq!(b.region(0).role, RegionRole::Secondary);
        // The old primary holds everything: it is a secondary level with the new primary, not
        // one that has to be sent the whole stream again.
        assert_eq!(b.region(0).durable, vdl);
        assert_eq!(b.gl.min_durable(), Some(vdl));
        assert!(!b.gl.writes_paused);
        assert_eq!(b.gl.switching, None);
        assert_eq!(b.compute.writer.log.vdl(), vdl);
        assert_eq!(b.compute.writer.node, new_writer);
        assert_eq!(b.access.endpoints.cluster, new_writer);
        assert_eq!(b.k.topo.node(b.gl.server).region, RegionId(1));
        assert_eq!(
            b.gl.records,
            [GlobalRecord {
                planned: true,
                from: RegionId(0),
                to: RegionId(1),
                rpo_lsns: 0,
                rpo_commits: 0,
                rpo_time: SimDuration::ZERO,
                lag_at_failure: SimDuration::ZERO,
                rto: ready_at - SimTime::from_secs(1),
            }]
        );
        assert_eq!(b.metrics.commits_lost_in_failover, 0);
    }

    /// A target already holding VDL is not promoted while a commit parked before the pause
    /// is still waiting for the primary's storage; once it is durable and shipped, the
    /// promotion follows and the commit survives it.
    #[test]
    fn a_switchover_also_waits_for_commits_parked_before_writes_stopped() {
        let mut b = Bench::global(1);
        let parked = b.park();
        {
            let (k, gl, mut p) = b.split();
            switchover(k, gl, &mut p, RegionId(1));
        }
        b.run_until(SimTime::from_secs(1));
        assert_eq!(b.region(1).role, RegionRole::Secondary);
        assert!(b.ships.is_empty() && b.promoted.is_empty());

        assert_eq!(b.harden(), parked);
        assert_eq!(b.compute.writer.commits_waiting(), 0);
        b.run_until(SimTime::from_secs(1) + PROMOTE_TIME + SimDuration::from_secs(1));
        assert_eq!(b.promoted.len(), 1);
        assert_eq!(b.gl.primary().map(|r| r.id), Some(RegionId(1)));
        assert_eq!(b.compute.writer.log.vdl(), parked);
        let rec = b.gl.records[0];
        assert!(rec.planned);
        assert_eq!((rec.rpo_lsns, rec.rpo_commits), (0, 0));
    }

    /// When the primary region is lost, a failover promotes the target with what it had
    /// received: a write already shipped lands, one not yet shipped is lost. The record gives
    /// that loss (LSNs, acknowledged commits, time), the lag at the failure and the RTO; the
    /// failed region stays failed.
    #[test]
    fn a_failover_promotes_the_target_with_what_it_had_received() {
        let mut b = Bench::global(1);
        b.commit();
        b.run_until(SimTime::from_secs(1));
        let lag_before = b.region(1).lag;
        assert!(lag_before > SimDuration::ZERO);
        // Shipped at 1.02 s, still crossing when the primary fails.
        let shipped = b.commit();
        b.run_until(ms(1_050));
        // Never shipped: the ship due at 1.07 s finds the replication server gone.
        let unshipped = b.commit();
        b.run_until(ms(1_060));
        b.region_health(RegionId(0), false);
        failover(&mut b.k, &mut b.gl, RegionId(1));
        let ready_at = ms(1_060) + PROMOTE_TIME;
        assert_eq!(b.region(1).role, RegionRole::Promoting { ready_at });
        assert!(b.gl.writes_paused);
        let new_writer = b.region(1).replicas[0];

        b.run_until(ready_at);
        assert_eq!(b.promoted, [(ready_at, RegionId(1))]);
        assert_eq!(b.ships, [ms(20), ms(1_020), ms(1_070)]);
        assert_eq!(b.region(1).durable, shipped);
        assert_eq!(b.compute.writer.log.vdl(), shipped);
        assert_eq!(b.gl.primary().map(|r| r.id), Some(RegionId(1)));
        assert_eq!(b.region(0).role, RegionRole::Failed);
        assert_eq!(b.access.endpoints.cluster, new_writer);
        assert!(!b.gl.writes_paused);
        let rec = GlobalRecord {
            planned: false,
            from: RegionId(0),
            to: RegionId(1),
            rpo_lsns: unshipped.0 - shipped.0,
            rpo_commits: 1,
            rpo_time: SimDuration::from_millis(10),
            lag_at_failure: lag_before,
            rto: PROMOTE_TIME,
        };
        assert_eq!(b.gl.records, [rec]);
        assert_eq!(b.metrics.commits_lost_in_failover, 1);
        assert!(b.events().contains(&(
            ready_at,
            Event::GlobalPromoted {
                from: RegionId(0),
                to: RegionId(1),
                planned: false,
                rpo_lsns: rec.rpo_lsns,
            }
        )));
    }

    /// What a session forwarding one write from region 1's replica sees.
    struct Forwarded {
        b: Bench,
        replica: NodeId,
        /// VDL with the session's write (committed at 1.05 s, the round trip's middle).
        own: Lsn,
        /// VDL with another session's write after it (1.08 s).
        latest: Lsn,
    }

    /// Under read consistency `c`: the write is forwarded at 1.01 s and answered at 1.09 s,
    /// when region 1 still holds only what it had at 1 s.
    fn forwarded_write(c: ReadConsistency) -> Forwarded {
        let mut b = Bench::global(1);
        set_read_consistency(&mut b.gl, &mut b.metrics, c);
        b.commit();
        b.run_until(SimTime::from_secs(1));
        set_forwarding(&mut b.k, &mut b.gl, 100);
        b.run_until(ms(1_010));
        set_forwarding(&mut b.k, &mut b.gl, 0);
        b.run_until(ms(1_050));
        let own = b.commit();
        b.run_until(ms(1_080));
        let latest = b.commit();
        b.run_until(ms(1_090));
        let replica = b.region(1).replicas[0];
        Forwarded {
            b,
            replica,
            own,
            latest,
        }
    }

    impl Forwarded {
        fn answer(&mut self) -> bool {
            let b = &mut self.b;
            on_forward_answer(&mut b.gl, &mut b.metrics, b.k.now, self.replica, 0, true)
        }
    }

    /// Forwarding sends a secondary replica's write to the primary's writer, one per 10 ms at
    /// 100 a second. Under EVENTUAL the read after the answer never waits, and is counted
    /// stale when the region does not hold the session's write yet.
    #[test]
    fn a_forwarded_write_reaches_the_primary_and_an_eventual_read_never_waits() {
        let mut f = forwarded_write(ReadConsistency::Eventual);
        let writer = f.b.compute.writer.node;
        let ev = f.b.events();
        assert_eq!(sent(&ev, MsgKind::ForwardedWrite), [(f.replica, writer)]);
        assert!(f.b.region(1).durable < f.own);

        assert!(f.answer());
        assert_eq!(f.b.metrics.forwarded_write_latency.max(), 80_000);
        assert_eq!(f.b.metrics.forward_read_wait.count(), 1);
        assert_eq!(f.b.metrics.forward_read_wait.max(), 0);
        assert_eq!(f.b.metrics.forward_reads_stale, 1);
        f.b.run_until(SimTime::from_secs(2));
        assert_eq!(f.b.region(1).durable, f.latest);
        assert_eq!(
            f.b.metrics.forward_read_wait.count(),
            1,
            "nothing was waiting"
        );
        assert!(
            !f.answer(),
            "answered already: not a forwarded write any more"
        );
    }

    /// A client's answer that happens to carry a forwarded write's request number goes to the
    /// client's node, not to the replica that forwarded the write: it is the client's, and
    /// leaves the forwarded write waiting for its own answer.
    #[test]
    fn a_clients_answer_with_the_same_number_is_not_taken_for_a_forwarded_one() {
        let mut f = forwarded_write(ReadConsistency::Eventual);
        let client = f.b.compute.writer.node;
        let b = &mut f.b;
        assert!(!on_forward_answer(
            &mut b.gl,
            &mut b.metrics,
            b.k.now,
            client,
            0,
            true
        ));
        assert_eq!(f.b.metrics.forwarded_write_latency.count(), 0);
        assert!(
            f.answer(),
            "the forwarded write is still waiting for its answer"
        );
    }

    /// SESSION makes the read wait until the region holds the session's own write; GLOBAL
    /// until it holds everything the primary had committed when the read began, the later
    /// write of another session included.
    #[test]
    fn a_session_read_waits_for_its_own_write_and_a_global_read_for_everything_committed() {
        for c in [ReadConsistency::Session, ReadConsistency::Global] {
            let mut f = forwarded_write(c);
            assert!(f.answer());
            assert_eq!(f.b.metrics.forward_read_wait.count(), 0, "{c:?} waits");
            f.b.run_until(SimTime::from_secs(2));
            let landed = applied(&f.b.events());
            let at = |lsn: Lsn| landed.iter().find(|a| a.2 == lsn).expect("landed").0;
            let (own_at, latest_at) = (at(f.own), at(f.latest));
            assert!(own_at < latest_at);
            let until = if c == ReadConsistency::Session {
                own_at
            } else {
                latest_at
            };
            assert_eq!(f.b.metrics.forward_read_wait.count(), 1);
            assert_eq!(
                f.b.metrics.forward_read_wait.max(),
                (until - ms(1_090)).as_micros(),
                "{c:?}"
            );
            assert_eq!(f.b.metrics.forward_reads_stale, 0);
        }
    }
}
