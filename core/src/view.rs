//! Read-only snapshots of the whole state, shaped for drawing.
//!
//! A view is plain data (serialisable for export, never read back): the page renders it, the inspector lists it, and the tests assert on it.
//! Accessible names come from here, so the diagram, the inspector and the tests agree on what a
//! thing is called.

use crate::client::ClientWorkload;
use crate::command::{Command, Fault};
use crate::compute::instance::Role;
use crate::endpoint::EndpointId;
use crate::event::SegmentHealth;
use crate::ids::{AzId, NodeId, PgId, RegionId, SegmentId};
use crate::lsn::{Lsn, LAL};
use crate::settings::load::Pattern;
use crate::sim::Sim;
use crate::time::{SimDuration, SimTime};
use crate::topology::NodeKind;
use crate::workload::WorkloadConfig;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NodeView {
    pub id: NodeId,
    pub name: String,
    pub kind: NodeKind,
    /// The region it stands in: the page draws one region in full and the others as cards.
    pub region: RegionId,
    pub az: Option<AzId>,
    /// 1-based number among the nodes of its kind in its AZ (the `2` of `az-b-2`).
    pub ordinal: u16,
    pub up: bool,
    /// Cut off from the writer by a partition.
    pub partitioned: bool,
    pub slowness_pct: u32,
    /// Segments hosted (storage nodes).
    pub segments: Vec<SegmentId>,
    /// When the disk will have written everything queued so far.
    pub disk_busy_until: SimTime,
}

impl NodeView {
    /// "Storage node az-b-2, healthy", "DB instance instance-1 (writer), down".
    pub fn accessible_name(&self, is_writer: bool) -> String {
        let kind = match self.kind {
            NodeKind::Storage => "Storage node",
            NodeKind::Instance => "DB instance",
            NodeKind::ObjectStore => "Object store",
            NodeKind::Client => "Client",
            NodeKind::Dns => "DNS service",
        };
        let role = if is_writer { " (writer)" } else { "" };
        format!("{kind} {}{role}, {}", self.name, self.state_word())
    }

    pub fn state_word(&self) -> &'static str {
        if !self.up {
            "down"
        } else if self.partitioned {
            "partitioned"
        } else if self.slowness_pct > 100 {
            "slow"
        } else {
            "healthy"
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SegmentView {
    pub id: SegmentId,
    pub pg: PgId,
    pub node: NodeId,
    /// A..H, the member slot.
    pub slot: char,
    /// Includes `Unavailable` when its node is down or cut off.
    pub health: SegmentHealth,
    pub scl: Lsn,
    /// Ranges received above a gap, waiting for gossip.
    pub gaps: usize,
    pub queue: u32,
    pub hot_log_bytes: u64,
    pub coalesced: Lsn,
    pub backed_up: Lsn,
    pub collected: Lsn,
    pub volume_epoch: u32,
    pub member_epoch: u32,
}

impl SegmentView {
    /// "Segment 7 of PG 1 (copy B) on az-a-2, healthy, SCL 1042". The diagram draws the PG's
    /// number on the segment, so the name says it outside parentheses.
    pub fn accessible_name(&self, node_name: &str) -> String {
        format!(
            "Segment {} of {} (copy {}) on {node_name}, {}, SCL {}",
            self.id.0,
            self.pg,
            self.slot,
            health_word(self.health),
            self.scl
        )
    }
}

pub fn health_word(h: SegmentHealth) -> &'static str {
    match h {
        SegmentHealth::Healthy => "healthy",
        SegmentHealth::Unavailable => "unavailable",
        SegmentHealth::Lost => "lost",
        SegmentHealth::Hydrating => "hydrating",
        SegmentHealth::Retired => "retired",
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PgView {
    pub id: PgId,
    /// Current members, in slot order.
    pub members: Vec<SegmentId>,
    /// The quorum expression as the paper writes it, e.g. `ABCDEF AND ABCDEG`.
    pub quorum: String,
    pub in_transition: bool,
    pub epoch: u32,
    /// PGCL as the writer knows it.
    pub pgcl: Lsn,
    pub write_ok: bool,
    pub read_ok: bool,
    pub data_bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct WriterView {
    pub node: NodeId,
    pub up: bool,
    pub vcl: Lsn,
    pub vdl: Lsn,
    pub max_lsn: Lsn,
    /// VDL + LAL: no LSN may be allocated above it.
    pub lsn_limit: Lsn,
    pub throttled: bool,
    pub commits_waiting: usize,
    /// Since when the oldest of them has waited.
    pub oldest_commit_since: Option<SimTime>,
    pub volume_epoch: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct VolumeView {
    pub bytes: u64,
    pub max_bytes: u64,
    pub pgs: usize,
    pub geometry_epoch: u32,
    pub volume_epoch: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InstanceView {
    pub node: NodeId,
    pub name: String,
    pub az: Option<AzId>,
    pub class: &'static str,
    pub tier: u8,
    pub role: Role,
    pub up: bool,
    pub partitioned: bool,
    pub is_writer: bool,
    /// The VDL it reads at.
    pub read_point: Lsn,
    pub lag: SimDuration,
    pub lag_lsn: u64,
    pub cpu_pct: u32,
    pub connections: u32,
    pub autoscaled: bool,
    /// Provisioned or serverless, and the serverless capacity now (half-ACUs; 0 paused).
    pub capacity: crate::serverless::Capacity,
    pub acu_half: u16,
    pub paused: bool,
    pub resuming: bool,
    /// A Serverless v2 reader in tiers 0–1 that scales and pauses with the writer.
    pub follows_writer: bool,
}

impl InstanceView {
    /// "DB instance instance-2, replica tier 1, lag 0.58 ms, healthy".
    pub fn accessible_name(&self) -> String {
        let state = if !self.up {
            "down"
        } else if self.partitioned {
            "partitioned"
        } else {
            "healthy"
        };
        match self.role {
            Role::Replica => format!(
                "DB instance {}, replica tier {}, lag {}, {state}",
                self.name, self.tier, self.lag
            ),
            role => format!("DB instance {}, {role}, {state}", self.name),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EndpointView {
    pub id: EndpointId,
    pub label: String,
    /// The instances DNS may answer with right now.
    pub targets: Vec<NodeId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClientView {
    pub node: NodeId,
    pub name: String,
    pub az: Option<AzId>,
    pub up: bool,
    /// Cached DNS answers for writes and reads, while fresh.
    pub write_target: Option<NodeId>,
    pub read_target: Option<NodeId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum RecoveryView {
    /// Nothing under way.
    Idle,
    /// Health checks missed so far.
    Detecting { misses: u32 },
    /// Promoting `target` (engine restart).
    Promoting { target: NodeId, since: SimTime },
    /// Crash recovery on `node`: the engine restarting, then quorum reads, then truncation.
    Recovering {
        node: NodeId,
        truncating: bool,
        since: SimTime,
        /// The engine is still starting; the storage protocol has not begun.
        restarting: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct RegionView {
    pub id: crate::ids::RegionId,
    pub name: &'static str,
    pub role: crate::global::RegionRole,
    pub durable: Lsn,
    pub lag: SimDuration,
    pub replicas: usize,
    /// Its storage nodes (two per AZ for a secondary; the full fleet for the primary).
    pub storage: Vec<NodeId>,
    /// A secondary's storage nodes' acknowledged LSNs, in the order of `storage` (empty for the
    /// primary, whose segments report their own SCLs): four of six at `durable` make it durable.
    pub acked: Vec<Lsn>,
}

/// Global Database settings and history that are not per region.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct GlobalView {
    /// Write forwarding: requests per second the secondaries' clients send.
    pub forward_rate: u32,
    pub read_consistency: crate::settings::forwarding::ReadConsistency,
    /// The region a switchover or failover is making primary, while it runs.
    pub switching: Option<RegionId>,
    pub primary_failed_at: Option<SimTime>,
    /// Finished switchovers and failovers, oldest first.
    pub records: Vec<crate::global::GlobalRecord>,
}

/// The load as the page's two knobs show it, with the configuration behind them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LoadView {
    /// Clients sending requests through the endpoints (none: the background workload).
    pub clients: ClientWorkload,
    /// The clients' request rate now, their pattern applied.
    pub rate_now: u32,
    /// The background workload, used when there are no clients.
    pub workload: WorkloadConfig,
}

impl LoadView {
    /// Requests per second and the percent of them that are reads. A ramping load shows where
    /// the ramp is now; a bursting one its base rate between bursts.
    pub fn knobs(&self) -> (u32, u8) {
        let c = self.clients;
        if c.clients > 0 {
            let pct = (c.read_ppm / 10_000).min(100);
            let rate = match c.pattern {
                Pattern::Ramp { .. } => self.rate_now,
                Pattern::Steady | Pattern::Burst { .. } => c.requests_per_sec,
            };
            (rate, u8::try_from(pct).unwrap_or(100))
        } else {
            let w = self.workload;
            let total = w.txn_per_sec.saturating_add(w.reads_per_sec);
            let pct = if total == 0 {
                0
            } else {
                u64::from(w.reads_per_sec) * 100 / u64::from(total)
            };
            (total, u8::try_from(pct).unwrap_or(100))
        }
    }

    /// The command that sets the knobs to `rate` and `read_pct`: new client rates when there
    /// are clients, else a background workload with the same total split into reads and write
    /// transactions. A rate someone sets ends a scenario's ramp (the load stays where it was
    /// set, instead of ramping again from there); bursts stay, on the new base rate.
    pub fn command(&self, rate: u32, read_pct: u8) -> Command {
        let c = self.clients;
        let read_pct = read_pct.min(100);
        if c.clients > 0 {
            let pattern = match c.pattern {
                Pattern::Ramp { .. } => Pattern::Steady,
                p @ (Pattern::Steady | Pattern::Burst { .. }) => p,
            };
            Command::SetClients(ClientWorkload {
                requests_per_sec: rate,
                read_ppm: u32::from(read_pct) * 10_000,
                pattern,
                ..c
            })
        } else {
            let reads = u64::from(rate) * u64::from(read_pct) / 100;
            let reads = u32::try_from(reads).unwrap_or(u32::MAX);
            Command::SetWorkload(WorkloadConfig {
                txn_per_sec: rate.saturating_sub(reads),
                reads_per_sec: reads,
                ..self.workload
            })
        }
    }
}

/// Everything the page draws, at one instant.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct View {
    pub now: SimTime,
    pub nodes: Vec<NodeView>,
    pub segments: Vec<SegmentView>,
    pub pgs: Vec<PgView>,
    pub writer: WriterView,
    pub volume: VolumeView,
    pub instances: Vec<InstanceView>,
    pub endpoints: Vec<EndpointView>,
    pub clients: Vec<ClientView>,
    pub dns: NodeId,
    pub recovery: RecoveryView,
    /// Global Database regions (empty for a single-region cluster).
    pub regions: Vec<RegionView>,
    /// Continuous backup, Backtrack, restored and cloned clusters.
    pub backup: crate::backup_view::BackupView,
    pub global: GlobalView,
    /// The faults in force, in the order they were injected.
    pub faults: Vec<Fault>,
    pub load: LoadView,
    /// Client requests waiting for an answer, and since when the oldest has waited.
    pub requests_waiting: usize,
    pub oldest_request_since: Option<SimTime>,
    /// The serverless cost meter, brought up to now.
    pub meter: crate::serverless::Meter,
    pub invariant_violations: u64,
    /// The first invariant broken: which, when, and the event count then.
    pub first_violation: Option<(crate::event::Invariant, SimTime, u64)>,
}

impl View {
    pub fn node(&self, id: NodeId) -> Option<&NodeView> {
        self.nodes.get(id.index())
    }
    pub fn segment(&self, id: SegmentId) -> Option<&SegmentView> {
        self.segments.get(id.index())
    }
}

impl Sim {
    /// The load's knobs alone, without building the whole view.
    pub fn load_view(&self) -> LoadView {
        let s = self.inspect();
        LoadView {
            clients: s.clients().config,
            rate_now: s.clients().rate_now(self.now()),
            workload: *s.workload(),
        }
    }

    /// Builds a snapshot of the whole state.
    pub fn view(&self) -> View {
        let s = self.inspect();
        let topo = s.topology();
        let st = s.storage();
        let w = s.writer();
        let writer_node = w.node;
        let nodes: Vec<NodeView> = topo
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let id = NodeId(i as u16);
                let sn = st.storage_node(id);
                NodeView {
                    id,
                    name: format!("{}", n.name()),
                    kind: n.kind,
                    region: n.region,
                    az: n.az,
                    ordinal: n.ordinal,
                    up: n.up,
                    partitioned: id != writer_node && s.blocked(writer_node, id),
                    slowness_pct: n.slowness_pct,
                    segments: sn.map(|s| s.segments.clone()).unwrap_or_default(),
                    disk_busy_until: sn.map_or(SimTime::ZERO, |s| s.disk_free_at),
                }
            })
            .collect();
        let segments = st
            .segments
            .iter()
            .map(|s| {
                let node = &nodes[s.node.index()];
                let health = match s.health {
                    SegmentHealth::Healthy | SegmentHealth::Hydrating
                        if !node.up || node.partitioned =>
                    {
                        SegmentHealth::Unavailable
                    }
                    h => h,
                };
                SegmentView {
                    id: s.id,
                    pg: s.pg,
                    node: s.node,
                    slot: (b'A' + s.slot) as char,
                    health,
                    scl: s.scl,
                    gaps: s.pending.len(),
                    queue: s.queue,
                    hot_log_bytes: s.hot_log_bytes,
                    coalesced: s.coalesced,
                    backed_up: s.backed_up,
                    collected: s.collected,
                    volume_epoch: s.volume_epoch,
                    member_epoch: s.member_epoch,
                }
            })
            .collect();
        let pgs = st
            .pgs
            .iter()
            .map(|pg| PgView {
                id: pg.id,
                members: pg.member_slots().map(|(_, s)| s).collect(),
                quorum: format!("{:?}", pg.quorum),
                in_transition: pg.quorum.in_transition(),
                epoch: pg.epoch,
                pgcl: w.log.pgcl(pg.id.0),
                write_ok: pg.write_ok,
                read_ok: pg.read_ok,
                data_bytes: pg.data_bytes,
            })
            .collect();
        let now = self.now();
        let writer_v2 = s.instances().iter().any(|i| {
            i.node == writer_node && matches!(i.capacity, crate::serverless::Capacity::V2 { .. })
        });
        let instances: Vec<InstanceView> = self
            .inspect()
            .instances()
            .iter()
            .map(|i| InstanceView {
                node: i.node,
                name: format!("{}", topo.node(i.node).name()),
                az: topo.node(i.node).az,
                class: i.class.name,
                tier: i.tier,
                role: i.role,
                up: topo.is_up(i.node),
                partitioned: s.blocked(s.dns_node(), i.node),
                is_writer: i.node == writer_node && i.role == Role::Writer,
                read_point: if i.role == Role::Writer {
                    w.log.vdl()
                } else {
                    i.read_point
                },
                lag: i.lag,
                lag_lsn: i.lag_lsn,
                cpu_pct: i.cpu_pct_at(now),
                connections: crate::client::connections_to(s.clients(), i.node, now),
                autoscaled: i.autoscaled,
                capacity: i.capacity,
                acu_half: i.acu_half(),
                paused: i.serverless.paused,
                follows_writer: crate::serverless::follows_writer(i, writer_v2),
                resuming: i.serverless.resuming_until.is_some_and(|t| t > now),
            })
            .collect();
        let replicas: Vec<NodeId> = instances
            .iter()
            .filter(|i| i.role == Role::Replica && i.up)
            .map(|i| i.node)
            .collect();
        let cluster = s.endpoints().cluster;
        let mut endpoints = alloc::vec![
            EndpointView {
                id: EndpointId::Cluster,
                label: "cluster endpoint (writes)".into(),
                targets: alloc::vec![cluster],
            },
            EndpointView {
                id: EndpointId::Reader,
                label: "reader endpoint".into(),
                targets: if replicas.is_empty() {
                    alloc::vec![cluster]
                } else {
                    replicas.clone()
                },
            },
        ];
        for (i, c) in s.endpoints().custom.iter().enumerate() {
            endpoints.push(EndpointView {
                id: EndpointId::Custom(i as u8),
                label: format!("custom endpoint \"{}\"", c.name),
                targets: c
                    .members
                    .iter()
                    .copied()
                    .filter(|n| topo.is_up(*n))
                    .collect(),
            });
        }
        let clients = self
            .inspect()
            .clients()
            .clients
            .iter()
            .map(|c| {
                let fresh =
                    |e: Option<(NodeId, SimTime)>| e.filter(|(_, exp)| *exp > now).map(|(t, _)| t);
                ClientView {
                    node: c.node,
                    name: format!("{}", topo.node(c.node).name()),
                    az: topo.node(c.node).az,
                    up: topo.is_up(c.node),
                    write_target: fresh(c.dns[0]),
                    read_target: fresh(c.dns[1]),
                }
            })
            .collect();
        let recovery = match (s.failover(), s.recovery()) {
            (_, Some(r)) => RecoveryView::Recovering {
                node: r.node,
                truncating: r.truncating,
                since: r.started,
                restarting: r.restarting,
            },
            (Some(f), None) => match f.target {
                Some(t) => RecoveryView::Promoting {
                    target: t,
                    since: f.detected_at,
                },
                None => RecoveryView::Idle,
            },
            (None, None) => match s.health_misses() {
                0 => RecoveryView::Idle,
                misses => RecoveryView::Detecting { misses },
            },
        };
        let regions = self
            .inspect()
            .global()
            .regions
            .iter()
            .map(|r| RegionView {
                id: r.id,
                name: r.name(),
                role: r.role,
                durable: if r.role == crate::global::RegionRole::Primary {
                    w.log.vdl()
                } else {
                    r.durable
                },
                lag: r.lag,
                replicas: if r.role == crate::global::RegionRole::Primary {
                    s.instances().len().saturating_sub(1)
                } else {
                    r.replicas.len()
                },
                storage: if r.role == crate::global::RegionRole::Primary {
                    st.nodes.iter().map(|n| n.node).collect()
                } else {
                    r.storage.to_vec()
                },
                acked: if r.role == crate::global::RegionRole::Primary {
                    Vec::new()
                } else {
                    r.acked.iter().map(|&a| Lsn(a)).collect()
                },
            })
            .collect();
        let (requests_waiting, oldest_request_since) = s.clients().waiting();
        let g = s.global();
        View {
            now,
            global: GlobalView {
                forward_rate: g.forward_rate,
                read_consistency: g.read_consistency,
                switching: g.switching.map(|(r, _)| r),
                primary_failed_at: g.primary_failed_at,
                records: g.records.clone(),
            },
            faults: s.faults().to_vec(),
            load: self.load_view(),
            requests_waiting,
            oldest_request_since,
            meter: s.meter(),
            first_violation: self.first_violation(),
            backup: self.backup_view(),
            regions,
            instances,
            endpoints,
            clients,
            dns: s.dns_node(),
            recovery,
            writer: WriterView {
                node: writer_node,
                up: topo.is_up(writer_node),
                vcl: w.log.vcl(),
                vdl: w.log.vdl(),
                max_lsn: w.log.max_allocated(),
                lsn_limit: Lsn(w.log.vdl().0 + LAL),
                throttled: w.throttled,
                commits_waiting: w.commits_waiting(),
                oldest_commit_since: w.oldest_commit_parked(),
                volume_epoch: w.volume_epoch,
            },
            volume: VolumeView {
                bytes: st.volume_bytes,
                max_bytes: crate::storage::MAX_VOLUME_BYTES,
                pgs: st.pgs.len(),
                geometry_epoch: st.geometry_epoch,
                volume_epoch: st.volume_epoch,
            },
            nodes,
            segments,
            pgs,
            invariant_violations: self.invariant_violations(),
        }
    }
}
