//! Built-in scenarios: a topology, a workload, timed commands and the figures worth measuring.
//! The page's scenario picker, the headless runner and the tests all use these, so a teacher, a
//! student and CI see the same run for the same seed.

use crate::autoscaling::{Metric, Policy};
use crate::client::{ClientWorkload, Pattern};
use crate::command::{Command, Fault};
use crate::compute::instance::{Role, CLASSES};
use crate::event::SegmentHealth;
use crate::ids::{AzId, NodeId, PgId};
use crate::net::Partition;
use crate::sim::{Sim, SimConfig};
use crate::storage::PG_SIZE_BYTES;
use crate::time::{SimDuration, SimTime};
use crate::workload::WorkloadConfig;
use alloc::vec::Vec;

pub use crate::report::Figure;

/// One built-in scenario.
pub struct Scenario {
    pub name: &'static str,
    /// One sentence for `--list` and the page's picker.
    pub summary: &'static str,
    /// How long it runs unless told otherwise.
    pub duration: SimDuration,
    pub(crate) config: fn() -> SimConfig,
    pub(crate) script: fn(&Sim) -> Vec<(SimTime, Command)>,
    pub(crate) figures: fn(&Sim) -> Vec<(&'static str, Figure)>,
}

impl Scenario {
    /// Builds the simulation and schedules the scenario's commands.
    pub fn start(&self, seed: u64) -> Sim {
        self.start_with(seed, |_| {})
    }

    /// As [`Scenario::start`], with the scenario's configuration changed by `adjust` first (the
    /// page's "start with N replicas"). The script is built from the adjusted simulation.
    pub fn start_with(&self, seed: u64, adjust: impl FnOnce(&mut SimConfig)) -> Sim {
        let mut config = (self.config)();
        adjust(&mut config);
        let mut sim = Sim::new(config, seed);
        for (at, cmd) in (self.script)(&sim) {
            sim.schedule(at, cmd);
        }
        sim
    }

    /// The scenario's own measurements of a run.
    pub fn figures(&self, sim: &Sim) -> Vec<(&'static str, Figure)> {
        (self.figures)(sim)
    }
}

/// Every built-in scenario, in the order the picker lists them.
pub fn all() -> &'static [Scenario] {
    &SCENARIOS
}

/// Looks a scenario up by name.
pub fn find(name: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.name == name)
}

fn secs(s: u64) -> SimTime {
    SimTime::from_micros(s * 1_000_000)
}
fn millis(ms: u64) -> SimTime {
    SimTime::from_micros(ms * 1_000)
}

/// A steady OLTP workload on four full PGs.
fn busy_cluster() -> SimConfig {
    SimConfig {
        initial_volume_bytes: 4 * PG_SIZE_BYTES,
        workload: WorkloadConfig {
            txn_per_sec: 2_000,
            mtrs_per_txn: 2,
            reads_per_sec: 4_000,
            growth_bytes_per_sec: 0,
        },
        ..SimConfig::default()
    }
}

/// The storage node in `az` holding a copy of `pg`, preferring the first.
fn node_of(sim: &Sim, pg: PgId, az: AzId) -> Option<NodeId> {
    let st = sim.inspect().storage();
    st.pgs.get(pg.index())?.member_slots().find_map(|(_, s)| {
        let node = st.segments[s.index()].node;
        (sim.inspect().topology().node(node).az == Some(az)).then_some(node)
    })
}

fn common(sim: &Sim) -> Vec<(&'static str, Figure)> {
    let m = sim.metrics();
    let us = |v: u64| Figure::Float(v as f64 / 1000.0);
    alloc::vec![
        ("commit_latency_p50_ms", us(m.commit_latency.quantile(500))),
        ("commit_latency_p99_ms", us(m.commit_latency.quantile(990))),
        ("read_latency_p50_ms", us(m.read_latency.quantile(500))),
        ("page_reads", Figure::Int(m.page_reads as i64)),
        ("redo_ios_per_txn", Figure::Float(m.redo_ios_per_txn())),
        (
            "write_unavailable_s",
            Figure::Float(sim.write_unavailable().as_secs_f64())
        ),
        ("pgs", Figure::Int(sim.inspect().storage().pgs.len() as i64)),
        (
            "all_pgs_whole",
            Figure::Int(sim.inspect().all_pgs_whole() as i64)
        ),
    ]
}

/// Clients: reads through the reader endpoint, writes through the cluster endpoint.
fn clients(requests_per_sec: u32, read_pct: u32) -> ClientWorkload {
    ClientWorkload {
        clients: 12,
        requests_per_sec,
        read_ppm: read_pct * 10_000,
        ..ClientWorkload::default()
    }
}

fn ms(d: SimDuration) -> Figure {
    Figure::Float(d.as_micros() as f64 / 1000.0)
}

fn client_figures(sim: &Sim) -> Vec<(&'static str, Figure)> {
    let m = sim.metrics();
    let us = |v: u64| Figure::Float(v as f64 / 1000.0);
    alloc::vec![
        ("client_ok", Figure::Int(m.client_ok as i64)),
        ("client_errors", Figure::Int(m.client_errors as i64)),
        (
            "client_read_p50_ms",
            us(m.client_read_latency.quantile(500))
        ),
        (
            "client_read_p99_ms",
            us(m.client_read_latency.quantile(990))
        ),
        (
            "client_write_p50_ms",
            us(m.client_write_latency.quantile(500))
        ),
        (
            "client_write_p99_ms",
            us(m.client_write_latency.quantile(990))
        ),
        (
            "client_write_downtime_s",
            Figure::Float(m.client_write_gap_max.as_secs_f64())
        ),
    ]
}

/// The first recovery's phases: engine restart, storage protocol (and its share of the time to
/// open), background undo.
fn recovery_phase_figures(sim: &Sim, f: &mut Vec<(&'static str, Figure)>) {
    let Some(p) = sim.metrics().recovery_phases.first() else {
        return;
    };
    f.push(("recovery_restart_s", Figure::Float(p.restart.as_secs_f64())));
    f.push(("recovery_storage_ms", ms(p.storage)));
    let open = p.to_open().as_micros().max(1) as f64;
    f.push((
        "recovery_storage_share_pct",
        Figure::Float(p.storage.as_micros() as f64 * 100.0 / open),
    ));
    if let Some(u) = p.undo {
        f.push(("recovery_undo_ms", ms(u)));
    }
    f.push(("recovery_undo_txns", Figure::Int(p.undo_txns as i64)));
}

fn failover_figures(sim: &Sim) -> Vec<(&'static str, Figure)> {
    let mut f = client_figures(sim);
    f.push((
        "failovers",
        Figure::Int(sim.metrics().failovers.len() as i64),
    ));
    if let Some(r) = sim.metrics().failovers.first() {
        let name = |n| alloc::format!("{}", sim.inspect().topology().node(n).name());
        f.push(("old_writer", Figure::Text(name(r.old))));
        f.push(("new_writer", Figure::Text(name(r.new))));
        f.push(("detect_s", Figure::Float(r.detect.as_secs_f64())));
        f.push(("promote_s", Figure::Float(r.promote.as_secs_f64())));
        f.push(("recover_ms", ms(r.recover)));
        f.push(("failover_total_s", Figure::Float(r.total.as_secs_f64())));
    }
    recovery_phase_figures(sim, &mut f);
    f.push((
        "volume_epoch",
        Figure::Int(sim.inspect().storage().volume_epoch as i64),
    ));
    f.push((
        "fenced_writes_refused",
        Figure::Int(sim.metrics().fenced_writes_refused as i64),
    ));
    f
}

fn serverless_clients(rate: u32) -> ClientWorkload {
    ClientWorkload {
        clients: 12,
        requests_per_sec: rate,
        read_ppm: 900_000,
        hot_bytes: 8 << 30,
        ..ClientWorkload::default()
    }
}

fn acu(half: u16) -> f64 {
    half as f64 / 2.0
}

fn serverless_figures(sim: &Sim) -> Vec<(&'static str, Figure)> {
    let mut f = client_figures(sim);
    let m = sim.metrics();
    let node = writer_node(sim);
    let trace: Vec<&(SimTime, NodeId, u16)> = m
        .capacity_trace
        .iter()
        .filter(|(_, n, _)| *n == node)
        .collect();
    f.push(("peak_acu", Figure::Float(acu(m.capacity_peak_half))));
    let now_half = sim
        .inspect()
        .instances()
        .iter()
        .find(|i| i.node == node)
        .map_or(0, |i| i.serverless.half);
    f.push(("acu_at_end", Figure::Float(acu(now_half))));
    // The ACU trace, one sample every 30 s: the capacity in force at each sample.
    let mut samples = alloc::string::String::new();
    let mut t = SimTime::ZERO;
    while t <= sim.now() {
        let half = trace
            .iter()
            .take_while(|(at, _, _)| *at <= t)
            .last()
            .map_or(0, |(_, _, h)| *h);
        if !samples.is_empty() {
            samples.push(' ');
        }
        samples.push_str(&alloc::format!("{}", acu(half)));
        t += SimDuration::from_secs(30);
    }
    f.push(("acu_every_30s", Figure::Text(samples)));
    let meter = sim.inspect().meter();
    f.push(("acu_hours", Figure::Float(meter.acu_hours())));
    f.push(("cost_usd_at_example_price", Figure::Float(meter.dollars())));
    f
}

/// Seconds from `from` until the writer's capacity first reached `share` of its peak after it.
fn seconds_to_scale(sim: &Sim, from: SimTime, pct: u32) -> Option<f64> {
    let node = writer_node(sim);
    let trace: Vec<_> = sim
        .metrics()
        .capacity_trace
        .iter()
        .filter(|(t, n, _)| *n == node && *t >= from)
        .collect();
    let peak = trace.iter().map(|(_, _, h)| *h).max()?;
    trace
        .iter()
        .find(|(_, _, h)| *h as u32 * 100 >= peak as u32 * pct)
        .map(|(t, _, _)| (*t - from).as_secs_f64())
}

fn global_config() -> SimConfig {
    SimConfig {
        initial_volume_bytes: 2 * PG_SIZE_BYTES,
        replicas: 1,
        clients: clients(2_000, 60),
        ..SimConfig::default()
    }
}

fn global_figures(sim: &Sim) -> Vec<(&'static str, Figure)> {
    let mut f = client_figures(sim);
    let m = sim.metrics();
    let lag = |q| ms(SimDuration::from_micros(m.global_lag.quantile(q)));
    f.push(("global_lag_p50_ms", lag(500)));
    f.push(("global_lag_p99_ms", lag(990)));
    f.push((
        "global_lag_max_ms",
        ms(SimDuration::from_micros(m.global_lag.max())),
    ));
    let g = sim.inspect().global();
    if let Some(p) = g.primary() {
        f.push(("primary_region", Figure::Text(p.name().into())));
    }
    // The last promotion: after a switchover and a failover, the failover's loss.
    if let Some(r) = g.records.last() {
        f.push(("planned", Figure::Int(r.planned as i64)));
        f.push(("rpo_lsns", Figure::Int(r.rpo_lsns as i64)));
        f.push(("rpo_commits_lost", Figure::Int(r.rpo_commits as i64)));
        f.push(("rpo_ms", ms(r.rpo_time)));
        f.push(("lag_at_failure_ms", ms(r.lag_at_failure)));
        f.push(("rto_s", Figure::Float(r.rto.as_secs_f64())));
    }
    f.push((
        "forwarded_write_p50_ms",
        Figure::Float(m.forwarded_write_latency.quantile(500) as f64 / 1000.0),
    ));
    if m.forward_read_wait.count() > 0 {
        f.push((
            "forward_read_consistency",
            Figure::Text(g.read_consistency.name().into()),
        ));
        for (name, q) in [
            ("forward_read_wait_p50_ms", 500),
            ("forward_read_wait_p99_ms", 990),
        ] {
            let us = m.forward_read_wait.quantile(q);
            f.push((name, Figure::Float(us as f64 / 1000.0)));
        }
        f.push((
            "forward_reads_stale",
            Figure::Int(m.forward_reads_stale as i64),
        ));
    }
    f
}

/// The current writer's node.
fn writer_node(sim: &Sim) -> NodeId {
    sim.inspect().writer().node
}

fn repair_figures(sim: &Sim) -> Vec<(&'static str, Figure)> {
    let mut f = common(sim);
    let repairs = &sim.metrics().repairs;
    f.push(("repairs", Figure::Int(repairs.len() as i64)));
    if let Some(max) = repairs.iter().map(|r| r.1).max() {
        f.push(("repair_duration_s", Figure::Float(max.as_secs_f64())));
    }
    f
}

static SCENARIOS: [Scenario; 25] = [
    Scenario {
        name: "quorum-write",
        summary: "A light write load on one protection group: every commit waits for 4 of 6 acknowledgements and VDL.",
        duration: SimDuration::from_secs(2),
        config: || SimConfig {
            workload: WorkloadConfig {
                txn_per_sec: 200,
                mtrs_per_txn: 1,
                reads_per_sec: 100,
                growth_bytes_per_sec: 0,
            },
            ..SimConfig::default()
        },
        script: |_| Vec::new(),
        figures: common,
    },
    Scenario {
        name: "az-failure",
        summary: "AZ c fails at 2 s: every PG keeps 4 of 6 copies, so writes and reads continue; after a long outage (shortened here to 8 s) each PG moves to the degraded 3/4 quorum of its survivors, and when the AZ returns at 16 s its copies catch up and the PGs go back to 4/6.",
        duration: SimDuration::from_secs(25),
        config: || SimConfig {
            storage: crate::storage::StorageConfig {
                degraded_quorum_after: SimDuration::from_secs(8),
                ..crate::storage::StorageConfig::default()
            },
            ..busy_cluster()
        },
        script: |_| {
            let f = Fault::FailAz(AzId(2));
            alloc::vec![(secs(2), Command::Inject(f)), (secs(16), Command::Heal(f))]
        },
        figures: |sim| {
            let mut f = repair_figures(sim);
            let st = sim.inspect().storage();
            f.push(("repairs_deferred", Figure::Int(st.deferred.len() as i64)));
            f.push(("pgs_degraded_to_3_of_4", Figure::Int(st.degradations as i64)));
            f.push(("pgs_restored_to_4_of_6", Figure::Int(st.restorations as i64)));
            f.push(("pgs_degraded_at_end", Figure::Int(st.pgs.iter().filter(|p| p.degraded.is_some()).count() as i64)));
            f.push(("pg0_epoch", Figure::Int(st.pgs[0].epoch as i64)));
            f
        },
    },
    Scenario {
        name: "az-plus-one",
        summary: "AZ c fails, then one more storage node: PGs with 3 of 6 left stall writes but keep reads, until re-replication restores a write quorum.",
        duration: SimDuration::from_secs(40),
        config: busy_cluster,
        script: |sim| {
            let mut s = alloc::vec![(secs(2), Command::Inject(Fault::FailAz(AzId(2))))];
            if let Some(node) = node_of(sim, PgId(0), AzId(0)) {
                s.push((secs(3), Command::Inject(Fault::CrashNode(node))));
            }
            s
        },
        figures: |sim| {
            let mut f = repair_figures(sim);
            f.push((
                "reads_during_run",
                Figure::Int(sim.metrics().page_reads as i64),
            ));
            f
        },
    },
    Scenario {
        name: "segment-repair",
        summary: "One segment's disk fails at 1 s: storage copies its 10 GiB from a peer at 10 Gbps and swaps it in through two membership epochs.",
        duration: SimDuration::from_secs(20),
        config: busy_cluster,
        script: |sim| {
            let seg = sim.inspect().storage().pgs[0].slots[0];
            seg.map(|s| (secs(1), Command::Inject(Fault::LoseSegment(s))))
                .into_iter()
                .collect()
        },
        figures: |sim| {
            let mut f = repair_figures(sim);
            let retired = sim
                .inspect().storage()
                .segments
                .iter()
                .filter(|s| s.health == SegmentHealth::Retired)
                .count();
            f.push(("segments_retired", Figure::Int(retired as i64)));
            f.push(("pg0_epoch", Figure::Int(sim.inspect().storage().pgs[0].epoch as i64)));
            f
        },
    },
    Scenario {
        name: "storage-growth",
        summary: "Data grows at 2 GiB/s from 5 GiB: the volume adds a 10 GiB protection group each time it fills one.",
        duration: SimDuration::from_secs(30),
        config: || SimConfig {
            initial_volume_bytes: 5 << 30,
            workload: WorkloadConfig {
                txn_per_sec: 1_000,
                mtrs_per_txn: 2,
                reads_per_sec: 0,
                growth_bytes_per_sec: 2 << 30,
            },
            ..SimConfig::default()
        },
        script: |_| Vec::new(),
        figures: |sim| {
            let mut f = common(sim);
            let st = sim.inspect().storage();
            f.push(("volume_gib", Figure::Float(st.volume_bytes as f64 / (1u64 << 30) as f64)));
            f.push(("geometry_epoch", Figure::Int(st.geometry_epoch as i64)));
            f.push(("segments", Figure::Int(st.segments.len() as i64)));
            f
        },
    },
    Scenario {
        name: "partition",
        summary: "AZ b is cut off from the network for 5 s: writes continue on 4 of 6, and AZ b's segments catch up by gossip after the heal.",
        duration: SimDuration::from_secs(12),
        config: busy_cluster,
        script: |_| {
            let p = Fault::Partition(Partition::Az(AzId(1)));
            alloc::vec![
                (secs(2), Command::Inject(p)),
                (millis(7_000), Command::Heal(p)),
            ]
        },
        figures: |sim| {
            let mut f = common(sim);
            let vdl = sim.inspect().writer().log.vdl();
            let behind = sim
                .inspect().storage()
                .segments
                .iter()
                .filter(|s| s.health == SegmentHealth::Healthy && s.scl < sim.inspect().writer().log.pgcl(s.pg.0))
                .count();
            f.push(("segments_behind_at_end", Figure::Int(behind as i64)));
            f.push(("vdl", Figure::Int(vdl.0 as i64)));
            f
        },
    },
    Scenario {
        name: "replicas",
        summary: "A writer and three replicas in three AZs: every replica shows a write a few milliseconds after it is made (the storage quorum makes it durable, then the redo stream carries it one hop), never in the commit path.",
        duration: SimDuration::from_secs(10),
        config: || SimConfig {
            initial_volume_bytes: 4 * PG_SIZE_BYTES,
            replicas: 3,
            clients: clients(3_000, 80),
            ..SimConfig::default()
        },
        script: |_| Vec::new(),
        figures: |sim| {
            let mut f = client_figures(sim);
            let m = sim.metrics();
            f.push(("replica_lag_p50_ms", ms(SimDuration::from_micros(m.replica_lag.quantile(500)))));
            f.push(("replica_lag_p99_ms", ms(SimDuration::from_micros(m.replica_lag.quantile(990)))));
            f.push(("replica_lag_max_ms", ms(SimDuration::from_micros(m.replica_lag.max()))));
            let max_lsn = sim
                .inspect().instances()
                .iter()
                .filter(|i| i.role == Role::Replica)
                .map(|i| i.lag_lsn)
                .max()
                .unwrap_or(0);
            f.push(("replica_lag_lsn_max", Figure::Int(max_lsn as i64)));
            f.push(("commit_latency_p50_ms", Figure::Float(m.commit_latency.quantile(500) as f64 / 1000.0)));
            f
        },
    },
    Scenario {
        name: "replica-lag-sweep",
        summary: "SysBench writes at 1,000, 2,000, 5,000 and 10,000 a second, 5 s each, on r3.8xlarge: the replica's lag at each rate beside the paper's Table 4 (2.62–5.38 ms).",
        duration: SimDuration::from_secs(20),
        config: crate::lag_sweep::config,
        script: crate::lag_sweep::script,
        figures: crate::lag_sweep::figures,
    },
    Scenario {
        name: "writer-crash",
        summary: "The only instance crashes at 2 s and comes back at 3 s: its engine restarts (seconds), the storage protocol reads a quorum of every PG, truncates above VDL and opens (milliseconds, no redo replay), and undo runs in the background.",
        duration: SimDuration::from_secs(12),
        config: || SimConfig {
            initial_volume_bytes: 4 * PG_SIZE_BYTES,
            clients: clients(2_000, 50),
            ..SimConfig::default()
        },
        script: |sim| {
            let w = writer_node(sim);
            alloc::vec![
                (secs(2), Command::Inject(Fault::CrashNode(w))),
                (secs(3), Command::Heal(Fault::CrashNode(w))),
            ]
        },
        figures: |sim| {
            let mut f = client_figures(sim);
            if let Some(r) = sim.metrics().recoveries.first() {
                f.push(("recovery_ms", ms(*r)));
            }
            recovery_phase_figures(sim, &mut f);
            f.push(("volume_epoch", Figure::Int(sim.inspect().storage().volume_epoch as i64)));
            f.push(("vdl", Figure::Int(sim.inspect().writer().log.vdl().0 as i64)));
            f
        },
    },
    Scenario {
        name: "failover",
        summary: "The writer crashes at 5 s: missed health checks, the tier-0 replica is promoted, recovers the volume and takes the cluster endpoint; clients reconnect after the DNS TTL.",
        duration: SimDuration::from_secs(40),
        config: || SimConfig {
            initial_volume_bytes: 4 * PG_SIZE_BYTES,
            replicas: 2,
            clients: clients(2_000, 70),
            ..SimConfig::default()
        },
        script: |sim| {
            let replicas: Vec<NodeId> = sim
                .inspect().instances()
                .iter()
                .filter(|i| i.role == Role::Replica)
                .map(|i| i.node)
                .collect();
            let mut s = Vec::new();
            if let Some(&last) = replicas.last() {
                s.push((SimTime::ZERO, Command::SetTier { node: last, tier: 0 }));
            }
            s.push((secs(5), Command::Inject(Fault::CrashNode(writer_node(sim)))));
            s
        },
        figures: failover_figures,
    },
    Scenario {
        name: "failover-no-replica",
        summary: "The only instance crashes at 5 s and stays down: with no replica to promote, the writer is re-created, typically in under 10 minutes (User Guide); that, not a failover, is the \"10 minutes\" some notes give.",
        duration: SimDuration::from_secs(9 * 60),
        config: || SimConfig {
            initial_volume_bytes: 4 * PG_SIZE_BYTES,
            replicas: 0,
            clients: clients(200, 70),
            ..SimConfig::default()
        },
        script: |sim| alloc::vec![(secs(5), Command::Inject(Fault::CrashNode(writer_node(sim))))],
        figures: failover_figures,
    },
    Scenario {
        name: "e-commerce",
        summary: "A shop: 1 writer and 10 replicas; browsing reads through the reader endpoint, orders through the cluster endpoint; at 10 s the writer's AZ fails.",
        duration: SimDuration::from_secs(60),
        config: || SimConfig {
            initial_volume_bytes: 4 * PG_SIZE_BYTES,
            replicas: 10,
            instance_class: CLASSES[2],
            clients: ClientWorkload {
                clients: 24,
                requests_per_sec: 5_000,
                read_ppm: 900_000,
                ..ClientWorkload::default()
            },
            ..SimConfig::default()
        },
        script: |sim| {
            let az = sim.inspect().topology().node(writer_node(sim)).az.unwrap_or(AzId(0));
            alloc::vec![(secs(10), Command::Inject(Fault::FailAz(az)))]
        },
        figures: |sim| {
            let mut f = failover_figures(sim);
            f.push(("commits_acked_total", Figure::Int(sim.metrics().commits_acked as i64)));
            f.push(("write_unavailable_s", Figure::Float(sim.write_unavailable().as_secs_f64())));
            let m = sim.metrics();
            f.push(("replica_lag_p99_ms", ms(SimDuration::from_micros(m.replica_lag.quantile(990)))));
            f
        },
    },
    Scenario {
        name: "replica-autoscaling",
        summary: "Read load on small replicas ramps up, then falls: auto scaling adds replicas to hold average CPU at 40 %, and later removes the ones it added.",
        duration: SimDuration::from_mins(40),
        config: || SimConfig {
            initial_volume_bytes: PG_SIZE_BYTES,
            replicas: 1,
            instance_class: CLASSES[0],
            clients: ClientWorkload {
                clients: 16,
                requests_per_sec: 1_000,
                read_ppm: 950_000,
                pattern: Pattern::Ramp {
                    to_per_sec: 5_000,
                    over: SimDuration::from_mins(10),
                },
                ..ClientWorkload::default()
            },
            ..SimConfig::default()
        },
        script: |_| {
            alloc::vec![
                (
                    SimTime::ZERO,
                    Command::SetAutoScaling(Some(Policy {
                        metric: Metric::Cpu,
                        target: 40,
                        min: 1,
                        max: 6,
                        scale_out_cooldown: crate::autoscaling::COOLDOWN,
                        scale_in_cooldown: crate::autoscaling::COOLDOWN,
                    })),
                ),
                (
                    secs(20 * 60),
                    Command::SetClients(ClientWorkload {
                        clients: 16,
                        requests_per_sec: 600,
                        read_ppm: 950_000,
                        ..ClientWorkload::default()
                    }),
                ),
            ]
        },
        figures: |sim| {
            let mut f = client_figures(sim);
            let replicas = sim
                .inspect().instances()
                .iter()
                .filter(|i| i.role == Role::Replica)
                .count();
            f.push(("replicas_at_end", Figure::Int(replicas as i64)));
            f.push(("replicas_peak", Figure::Int(sim.metrics().replicas_peak as i64)));
            f.push(("instances_added", Figure::Int(sim.metrics().instances_added as i64)));
            f.push(("instances_removed", Figure::Int(sim.metrics().instances_removed as i64)));
            f
        },
    },
    Scenario {
        name: "serverless-v2-spike",
        summary: "A Serverless v2 writer (0.5–64 ACU) meets a 25× load spike at 60 s: it grows in 0.5 ACU steps within seconds, then shrinks gradually after the spike ends at 180 s.",
        duration: SimDuration::from_mins(8),
        config: || SimConfig {
            initial_volume_bytes: PG_SIZE_BYTES,
            clients: serverless_clients(300),
            ..SimConfig::default()
        },
        script: |sim| {
            let w = writer_node(sim);
            alloc::vec![
                (
                    SimTime::ZERO,
                    Command::SetCapacity {
                        node: w,
                        capacity: crate::serverless::Capacity::V2 {
                            min_half: 1,
                            max_half: 128,
                            pause_after: None,
                        },
                    },
                ),
                (secs(60), Command::SetClients(serverless_clients(7_500))),
                (secs(180), Command::SetClients(serverless_clients(300))),
            ]
        },
        figures: |sim| {
            let mut f = serverless_figures(sim);
            if let Some(s) = seconds_to_scale(sim, secs(60), 90) {
                f.push(("seconds_to_90pct_of_peak", Figure::Float(s)));
            }
            f
        },
    },
    Scenario {
        name: "serverless-v1-spike",
        summary: "The same spike on Serverless v1 (retired 31 Mar 2025; 1–64 ACU): capacity doubles one point at a time, each after 30 s of sustained load at the last, and not at all while a long transaction leaves no scaling point (60–150 s), so it is still small when the spike ends.",
        duration: SimDuration::from_mins(8),
        config: || SimConfig {
            initial_volume_bytes: PG_SIZE_BYTES,
            clients: serverless_clients(300),
            ..SimConfig::default()
        },
        script: |sim| {
            let w = writer_node(sim);
            alloc::vec![
                (
                    SimTime::ZERO,
                    Command::SetCapacity {
                        node: w,
                        capacity: crate::serverless::Capacity::V1 {
                            min_acu: 1,
                            max_acu: 64,
                            pause: false,
                            on_timeout: crate::serverless::TimeoutAction::Rollback,
                        },
                    },
                ),
                (
                    secs(55),
                    Command::LongTransaction {
                        duration: SimDuration::from_secs(95),
                    },
                ),
                (secs(60), Command::SetClients(serverless_clients(7_500))),
                (secs(180), Command::SetClients(serverless_clients(300))),
            ]
        },
        figures: |sim| {
            let mut f = serverless_figures(sim);
            if let Some(s) = seconds_to_scale(sim, secs(60), 90) {
                f.push(("seconds_to_90pct_of_peak", Figure::Float(s)));
            }
            let steps = sim
                .metrics()
                .capacity_trace
                .iter()
                .map(|(t, _, h)| alloc::format!("{}s:{}", t.as_micros() / 1_000_000, acu(*h)))
                .collect::<Vec<_>>()
                .join(" ");
            f.push(("capacity_changes", Figure::Text(steps)));
            f
        },
    },
    Scenario {
        name: "serverless-pause-resume",
        summary: "A Serverless v2 writer with a 0 ACU minimum: idle from 60 s, it pauses 300 s later; the first request at 8 min wakes it, about 15 s before it serves.",
        duration: SimDuration::from_mins(10),
        config: || SimConfig {
            initial_volume_bytes: PG_SIZE_BYTES,
            clients: serverless_clients(200),
            ..SimConfig::default()
        },
        script: |sim| {
            let w = writer_node(sim);
            alloc::vec![
                (
                    SimTime::ZERO,
                    Command::SetCapacity {
                        node: w,
                        capacity: crate::serverless::Capacity::V2 {
                            min_half: 0,
                            max_half: 32,
                            pause_after: Some(crate::serverless::AUTO_PAUSE_MIN),
                        },
                    },
                ),
                (secs(60), Command::SetClients(serverless_clients(0))),
                (secs(8 * 60), Command::SetClients(serverless_clients(200))),
            ]
        },
        figures: |sim| {
            let mut f = serverless_figures(sim);
            let trace = &sim.metrics().capacity_trace;
            if let Some((t, _, _)) = trace.iter().find(|(_, _, h)| *h == 0) {
                f.push(("paused_at_s", Figure::Float(t.as_secs_f64())));
            }
            if let Some(r) = sim.metrics().resumes.first() {
                f.push(("resume_s", Figure::Float(r.as_secs_f64())));
            }
            f
        },
    },
    Scenario {
        name: "global-lag",
        summary: "A global database: the primary in us-east-1 replicates at the storage level to eu-west-1 and ap-southeast-2, each with its own 6-copy volume, typically well under a second behind; eu-west-1 forwards writes.",
        duration: SimDuration::from_secs(20),
        config: global_config,
        script: |_| {
            alloc::vec![
                (SimTime::ZERO, Command::AddSecondaryRegion),
                (SimTime::ZERO, Command::AddSecondaryRegion),
                (SimTime::ZERO, Command::SetWriteForwarding { per_sec: 50 }),
            ]
        },
        figures: global_figures,
    },
    Scenario {
        name: "global-switchover",
        summary: "A planned switchover to eu-west-1 at 10 s: writes pause until it holds everything, it is promoted, and us-east-1 follows it: nothing lost.",
        duration: SimDuration::from_secs(60),
        config: global_config,
        script: |_| {
            alloc::vec![
                (SimTime::ZERO, Command::AddSecondaryRegion),
                (
                    secs(10),
                    Command::Switchover {
                        region: crate::ids::RegionId(1),
                    }
                ),
            ]
        },
        figures: global_figures,
    },
    Scenario {
        name: "global-failover",
        summary: "us-east-1 fails at 10 s; at 20 s eu-west-1 is promoted with what it had received: the RPO is the writes not yet shipped when us-east-1 failed, a few ms of commits, less than the replication lag, because what was already on its way still landed.",
        duration: SimDuration::from_secs(80),
        config: global_config,
        script: |_| {
            alloc::vec![
                (SimTime::ZERO, Command::AddSecondaryRegion),
                (
                    secs(10),
                    Command::Inject(Fault::FailRegion(crate::ids::RegionId(0)))
                ),
                (
                    secs(20),
                    Command::GlobalFailover {
                        region: crate::ids::RegionId(1),
                    }
                ),
            ]
        },
        figures: global_figures,
    },
    Scenario {
        name: "mysql-vs-aurora",
        summary: "SysBench write-only on 100 GB, r3.8xlarge: Aurora ships only redo to six segments; mirrored MySQL writes log, binlog, pages and double-writes through five synchronous steps (P17 Figure 2, Table 1).",
        duration: crate::baseline::compare::COMPARE_RUN,
        config: || crate::baseline::compare::aurora_config(crate::baseline::compare::sysbench_write_only()),
        script: |_| Vec::new(),
        figures: crate::baseline::compare::compare_figures,
    },
    Scenario {
        name: "rds-multi-az-failover",
        summary: "The primary crashes at 5 s on RDS Multi-AZ and on Aurora with a replica: the standby serves no reads and takes over in about a minute; Aurora's replica keeps reading and is promoted in seconds.",
        duration: SimDuration::from_secs(90),
        config: || crate::baseline::compare::aurora_config(crate::baseline::compare::failover_workload()),
        script: |sim| {
            alloc::vec![(crate::baseline::compare::FAILOVER_CRASH_AT, Command::Inject(Fault::CrashNode(writer_node(sim))))]
        },
        figures: crate::baseline::compare::failover_figures,
    },
    Scenario {
        name: "backtrack",
        summary: "A faulty deployment deletes every order at 120 s; at 150 s the cluster backtracks in place to a minute before, then forward to just before the delete: the orders come back.",
        duration: SimDuration::from_secs(330),
        config: crate::backup_scenarios::shop,
        script: crate::backup_scenarios::backtrack_script,
        figures: crate::backup_scenarios::backtrack_figures,
    },
    Scenario {
        name: "pitr",
        summary: "The same accident mended by a point-in-time restore: a new cluster restored to a minute before the delete, ready after a time that grows with the volume.",
        duration: SimDuration::from_secs(900),
        config: crate::backup_scenarios::pitr_config,
        script: crate::backup_scenarios::pitr_script,
        figures: crate::backup_scenarios::pitr_figures,
    },
    Scenario {
        name: "clone",
        summary: "A staging clone of production shares every page at first; writes on either side make pages of their own. The sixteenth clone is a full copy.",
        duration: SimDuration::from_secs(1800),
        config: crate::backup_scenarios::clone_config,
        script: crate::backup_scenarios::clone_script,
        figures: crate::backup_scenarios::clone_figures,
    },
    Scenario {
        name: "backup-window",
        summary: "Continuous backup over 28 hours: the restorable window slides with one day of retention, the latest restorable time trails now, a daily snapshot expires, a manual one stays.",
        duration: SimDuration::from_hours(28),
        config: crate::backup_scenarios::window_config,
        script: crate::backup_scenarios::window_script,
        figures: crate::backup_scenarios::window_figures,
    },
];
