//! Live figures: the numbers a lesson's text shows, each computed from the running model when
//! the text is drawn (`{failover_total_s}`), never typed into the lesson.
//!
//! A figure reads only the simulation's public surface (its view, metrics and clock) and what
//! the lesson observed of the event stream. A figure that has no value yet (a failover's length
//! before any failover) shows as "…", and the headless runner reports it.

use super::observed::Observed;
use crate::compute::instance::Role;
use crate::event::SegmentHealth;
use crate::global::RegionRole;
use crate::sim::Sim;
use crate::time::SimDuration;
use crate::topology::NodeKind;
use alloc::format;
use alloc::string::String;

/// A figure's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Num(f64),
    Text(String),
}

macro_rules! figures {
    ($($id:ident $name:literal $decimals:literal $doc:literal;)*) => {
        /// Every live figure a lesson can name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum FigureId { $(#[doc = $doc] $id,)* }

        impl FigureId {
            pub const ALL: &'static [FigureId] = &[$(FigureId::$id,)*];

            /// The name lesson files use inside braces.
            pub fn name(self) -> &'static str {
                match self { $(FigureId::$id => $name,)* }
            }

            /// What it measures, for the docs and the page's tooltip.
            pub fn doc(self) -> &'static str {
                match self { $(FigureId::$id => $doc,)* }
            }

            /// What it measures, short: the doc without its source or its gloss
            /// ("The volume durable LSN now"), for the page's "Look at: …" line.
            pub fn label(self) -> String {
                short_label(self.doc())
            }

            /// Decimal places shown.
            pub fn decimals(self) -> usize {
                match self { $(FigureId::$id => $decimals,)* }
            }
        }
    };
}

/// A doc's first clause, without its parentheses (sources, glosses): up to its first `: ` or
/// `. `, without the closing period.
fn short_label(doc: &str) -> String {
    let mut plain = String::new();
    let mut depth = 0u32;
    for c in doc.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let plain = plain
        .replace("  ", " ")
        .replace(" ,", ",")
        .replace(" .", ".");
    let end = [": ", ". "]
        .iter()
        .filter_map(|p| plain.find(p))
        .min()
        .unwrap_or(plain.len());
    String::from(plain[..end].trim_end_matches('.').trim_end())
}

figures! {
    TimeS "time_s" 1 "Simulated time now, in seconds.";
    Azs "azs" 0 "Availability Zones the volume spans (P17 §2.1).";
    Copies "copies" 0 "Copies (segments) of protection group 0 (P17 §2.2).";
    CopiesPerAz "copies_per_az" 0 "Copies of each protection group in each AZ (P17 §2.1).";
    WriteQuorum "write_quorum" 0 "Copies that must acknowledge a write (P17 §2.1).";
    ReadQuorum "read_quorum" 0 "Copies a quorum read needs (P17 §2.1).";
    QuorumOverlap "quorum_overlap" 0 "Write quorum plus read quorum: more than the copies, so they always meet (P17 §2.1).";
    CopiesLeft "copies_left" 0 "The fewest healthy, reachable copies any protection group has now.";
    Pgs "pgs" 0 "Protection groups in the volume.";
    Segments "segments" 0 "Segments (copies) across all protection groups.";
    StorageNodes "storage_nodes" 0 "Storage nodes in the primary region.";
    PgSizeGib "pg_size_gib" 0 "Size of one protection group's slice of the volume, GiB (P17 §2.2).";
    VolumeGib "volume_gib" 1 "Data in the volume now, GiB.";
    VolumeMaxTib "volume_max_tib" 0 "The largest the volume can grow, TiB (UG: storage and reliability).";
    PgsNoWriteQuorum "pgs_no_write_quorum" 0 "Protection groups that cannot form a write quorum now.";
    PgsNoReadQuorum "pgs_no_read_quorum" 0 "Protection groups that cannot form a read quorum now.";
    Vdl "vdl" 0 "The volume durable LSN now (P17 §4.1).";
    Vcl "vcl" 0 "The volume complete LSN now (P17 §4.1).";
    MaxLsn "max_lsn" 0 "The highest LSN the writer has allocated.";
    MinPgcl "min_pgcl" 0 "The lowest complete point of any protection group now (PGCL, P18 §2.3).";
    VclAboveMinPgcl "vcl_above_min_pgcl" 0 "How far VCL is above the lowest PGCL: more than 0 shows VCL is not min(PGCL) (P18 §2.3).";
    Lal "lal" 0 "The LSN allocation limit: how far above VDL the writer may allocate (P17 §4.2.1).";
    Commits "commits" 0 "Commits acknowledged since the start.";
    CommitsLost "commits_lost" 0 "Acknowledged commits the volume no longer holds.";
    CommitLatencyP50Ms "commit_latency_p50_ms" 2 "Median commit latency at the writer, ms.";
    CommitLatencyP99Ms "commit_latency_p99_ms" 2 "99th-percentile commit latency at the writer, ms.";
    RedoIosPerTxn "redo_ios_per_txn" 2 "Redo messages on the network per committed transaction (P17 Table 1).";
    CommitsPerBatch "commits_per_batch" 2 "Commits per redo batch the writer sent since the step began: boxcarring (P18 §2.2).";
    PageReads "page_reads" 0 "Page reads since the lesson started, each from one segment (P18 §3.1).";
    PageWrites "page_writes" 0 "Data pages sent to storage since the lesson started (P17 §3.2).";
    QuorumReads "quorum_reads" 0 "Quorum reads since the lesson started: crash recovery asking segments for their SCL (P17 §4.3).";
    AcksAtQuorum "acks_at_quorum" 0 "The fewest copies holding a record when its protection group's complete point moved.";
    Repairs "repairs" 0 "Segment repairs finished.";
    RepairS "repair_s" 1 "The last repair, from failure to the replacement taking over, s (P17 §2.2).";
    MembershipEpoch "membership_epoch" 0 "The highest membership epoch of any protection group (P18 §4.1).";
    VolumeEpoch "volume_epoch" 0 "The volume epoch: bumped by every crash recovery (P18 §2.4).";
    Failovers "failovers" 0 "Failovers finished.";
    FailoverTotalS "failover_total_s" 1 "The last failover, from the writer's failure to the DNS flip, s.";
    FailoverDetectS "failover_detect_s" 1 "The last failover's detection phase, s.";
    FailoverPromoteS "failover_promote_s" 1 "The last failover's promotion phase, s.";
    FailoverRecoverMs "failover_recover_ms" 1 "The last failover's crash recovery, ms.";
    OldWriter "old_writer" 0 "The writer the last failover replaced.";
    NewWriter "new_writer" 0 "The instance the last failover promoted.";
    Writer "writer" 0 "The writer now.";
    WriterAz "writer_az" 0 "The writer's AZ now.";
    RecoveryMs "recovery_ms" 1 "The last crash recovery, the engine's restart and the volume's open, ms (P17 §4.3).";
    RecoveryRestartMs "recovery_restart_ms" 1 "The last crash recovery's engine restart, ms (the model's default, not an AWS figure).";
    RecoveryOpenMs "recovery_open_ms" 1 "The last crash recovery's volume open, ms: quorum reads, truncation and the new epoch (P17 §4.3).";
    ClientWriteDowntimeS "client_write_downtime_s" 1 "The longest time clients saw no successful write, s; a gap still open counts.";
    ClientErrors "client_errors" 0 "Client requests that failed.";
    Replicas "replicas" 0 "Read replicas up now.";
    ReplicasPeak "replicas_peak" 0 "The most replicas at once.";
    MaxReplicas "max_replicas" 0 "The most read replicas a cluster may have (P17 §4.2.4).";
    StreamMessages "stream_messages" 0 "Redo-stream messages the writer sent to replicas (P17 §4.2.4).";
    ReplicaLagP50Ms "replica_lag_p50_ms" 2 "Median replica lag, ms.";
    ReplicaLagP99Ms "replica_lag_p99_ms" 2 "99th-percentile replica lag, ms.";
    ReplicaLagMaxMs "replica_lag_max_ms" 2 "The largest replica lag, ms.";
    ReaderTargets "reader_targets" 0 "Instances the reader endpoint may answer with now.";
    ReplicaConnectionsMin "replica_connections_min" 0 "Connections on the least used up replica.";
    ReplicaConnectionsMax "replica_connections_max" 0 "Connections on the busiest up replica.";
    InstancesAdded "instances_added" 0 "Instances created since the start.";
    InstancesRemoved "instances_removed" 0 "Instances removed since the start.";
    WriterAcu "writer_acu" 1 "The writer's Serverless capacity now, ACU (0 when paused or provisioned).";
    PeakAcu "peak_acu" 1 "The most Serverless capacity any instance had, ACU.";
    AcuHours "acu_hours" 3 "ACU-hours metered so far (UG: How Aurora Serverless v2 works).";
    CostUsd "cost_usd" 4 "Cost so far at the example price, US dollars.";
    VcpuHours "vcpu_hours" 3 "Provisioned vCPU-hours metered so far.";
    AcuStepMin "acu_step_min" 1 "The smallest change of the writer's Serverless capacity since the step began, ACU.";
    WriterCpuPct "writer_cpu_pct" 0 "The writer's CPU use now, percent.";
    Overloaded "overloaded" 0 "Requests refused because an instance's CPU queue was over a second long.";
    OverloadedInStep "overloaded_in_step" 0 "Requests refused for overload since the step began.";
    ResumeS "resume_s" 1 "The last resume from pause, from the first request to serving, s.";
    SecondaryRegions "secondary_regions" 0 "Secondary regions of the global database.";
    MaxSecondaryRegions "max_secondary_regions" 0 "The most secondary regions a global database may have (UG: Using Amazon Aurora Global Database).";
    PrimaryRegion "primary_region" 0 "The primary region now.";
    GlobalLagP50Ms "global_lag_p50_ms" 1 "Median cross-region replication lag, ms.";
    GlobalLagP99Ms "global_lag_p99_ms" 1 "99th-percentile cross-region replication lag, ms.";
    GlobalLagMaxMs "global_lag_max_ms" 1 "The largest cross-region replication lag, ms.";
    RpoLsns "rpo_lsns" 0 "LSNs the last region promotion lost (0 for a switchover).";
    RpoCommitsLost "rpo_commits_lost" 0 "Acknowledged commits lost to region failovers.";
    RtoS "rto_s" 1 "From the region's failure (or the switchover's start) to the promotion, s.";
    ForwardedWriteP50Ms "forwarded_write_p50_ms" 1 "Median latency of a forwarded write, ms.";
    WriteUnavailableS "write_unavailable_s" 1 "Total time some protection group had no write quorum, s.";
    StaleRejections "stale_rejections" 0 "Requests storage refused for a stale epoch.";
    FencedWritesRefused "fenced_writes_refused" 0 "Writes an old, fenced-off writer took that storage refused.";
    InvariantViolations "invariant_violations" 0 "Violations the invariant checker found.";
    DnsTtlS "dns_ttl_s" 0 "How long a DNS answer for an endpoint is cached, s (KC-DNS).";
    MaxCustomEndpoints "max_custom_endpoints" 0 "The most custom endpoints a cluster may have (UG: connection management).";
    RequestsPerSec "requests_per_sec" 0 "The clients' request rate now, per second (or the background workload's, without clients).";
    ReadPct "read_pct" 0 "The share of the clients' requests that are reads, percent.";
    GrowthGibPerS "growth_gib_per_s" 0 "How fast the background workload adds data, GiB per second.";
    AcuMin "acu_min" 1 "The writer's Serverless minimum, ACU (none while provisioned).";
    AcuMax "acu_max" 1 "The writer's Serverless maximum, ACU (none while provisioned).";
    AutoScalingTargetPct "autoscaling_target_pct" 0 "Replica auto scaling's target average CPU, percent.";
    AutoScalingMin "autoscaling_min" 0 "Replica auto scaling's fewest replicas.";
    AutoScalingMax "autoscaling_max" 0 "Replica auto scaling's most replicas.";
    AutoScalingCooldownS "autoscaling_cooldown_s" 0 "Replica auto scaling's scale-out cooldown, s (UG: Auto Scaling with Aurora replicas).";
    OrdersLive "orders_live" 0 "Rows of the shop's orders table that are live now (not deleted).";
    OrdersRows "orders_rows" 0 "Rows the orders table has when none is deleted.";
    ProductsLive "products_live" 0 "Rows of the shop's products table that are live now.";
    RetentionDays "retention_days" 0 "Days continuous backups are kept: 1 to 35, never off (UG: backing up and restoring).";
    RestorableLagS "restorable_lag_s" 0 "How far the latest restorable time trails now, s.";
    S3BehindVdl "s3_behind_vdl" 0 "LSNs between VDL and the point every protection group has staged to S3 (P17 §3.3).";
    Backtracks "backtracks" 0 "Backtracks done.";
    BacktrackLandedS "backtrack_landed_s" 0 "Where the last backtrack landed, s into the run: the nearest consistent time.";
    BacktrackUndone "backtrack_undone" 0 "Acknowledged row versions the last backtrack undid.";
    BacktrackOutageS "backtrack_outage_s" 0 "How long a backtrack pauses the database, s.";
    BacktrackWindowH "backtrack_window_h" 0 "Backtrack's target window, hours (at most 72; UG: Backtracking).";
    Clusters "clusters" 0 "Restored and cloned clusters besides production.";
    RestoredOrdersLive "restored_orders_live" 0 "Rows of orders live in the newest restored cluster.";
    RestoreMin "restore_min" 1 "How long the newest point-in-time restore takes, from the request to available, minutes.";
    CloneReadyMin "clone_ready_min" 1 "How long the newest clone takes to be available, minutes.";
    CloneSharedPct "clone_shared_pct" 0 "Share of its pages the newest copy-on-write clone still shares with its source, percent.";
}

/// The numbers the reference gives, as the model uses them.
fn constant(n: u32) -> Option<Value> {
    Some(Value::Num(f64::from(n)))
}

fn ms(d: u64) -> Option<Value> {
    Some(Value::Num(d as f64 / 1000.0))
}

fn secs(d: SimDuration) -> Option<Value> {
    Some(Value::Num(d.as_secs_f64()))
}

fn count(n: usize) -> Option<Value> {
    Some(Value::Num(n as f64))
}

fn az_letter(z: Option<crate::ids::AzId>) -> String {
    z.map_or_else(|| "?".into(), |z| format!("{}", (b'a' + z.0) as char))
}

impl FigureId {
    pub fn from_name(s: &str) -> Option<FigureId> {
        FigureId::ALL.iter().copied().find(|f| f.name() == s)
    }

    /// The figure's value in `sim` now, if it has one.
    pub fn value(self, sim: &Sim, seen: &Observed) -> Option<Value> {
        use FigureId as F;
        let m = sim.metrics();
        let name = |n: crate::ids::NodeId| {
            Value::Text(format!("{}", sim.inspect().topology().node(n).name()))
        };
        // The view is built only for the figures that need it.
        let view = || sim.view();
        match self {
            F::TimeS => secs(sim.now() - crate::time::SimTime::ZERO),
            F::Azs => count(crate::topology::AZ_COUNT),
            F::Copies => count(view().pgs.first()?.members.len()),
            F::CopiesPerAz => count(crate::topology::COPIES_PER_AZ),
            F::WriteQuorum => constant(crate::quorum::WRITE_QUORUM),
            F::ReadQuorum => constant(crate::quorum::READ_QUORUM),
            F::QuorumOverlap => constant(crate::quorum::WRITE_QUORUM + crate::quorum::READ_QUORUM),
            F::CopiesLeft => {
                let v = view();
                let least = v.pgs.iter().map(|pg| {
                    pg.members
                        .iter()
                        .filter(|s| {
                            v.segment(**s)
                                .is_some_and(|s| s.health == SegmentHealth::Healthy)
                        })
                        .count()
                });
                count(least.min()?)
            }
            F::Pgs => count(view().pgs.len()),
            F::Segments => count(view().pgs.iter().map(|p| p.members.len()).sum()),
            F::StorageNodes => count(
                view()
                    .nodes
                    .iter()
                    .filter(|n| n.kind == NodeKind::Storage && !n.name.contains('/'))
                    .count(),
            ),
            F::PgSizeGib => Some(Value::Num((crate::storage::PG_SIZE_BYTES >> 30) as f64)),
            F::VolumeGib => Some(Value::Num(view().volume.bytes as f64 / (1u64 << 30) as f64)),
            F::VolumeMaxTib => Some(Value::Num((view().volume.max_bytes >> 40) as f64)),
            F::PgsNoWriteQuorum => count(view().pgs.iter().filter(|p| !p.write_ok).count()),
            F::PgsNoReadQuorum => count(view().pgs.iter().filter(|p| !p.read_ok).count()),
            F::Vdl => Some(Value::Num(view().writer.vdl.0 as f64)),
            F::Vcl => Some(Value::Num(view().writer.vcl.0 as f64)),
            F::MaxLsn => Some(Value::Num(view().writer.max_lsn.0 as f64)),
            F::MinPgcl => Some(Value::Num(view().pgs.iter().map(|p| p.pgcl.0).min()? as f64)),
            F::VclAboveMinPgcl => {
                let v = view();
                let min = v.pgs.iter().map(|p| p.pgcl.0).min()?;
                Some(Value::Num(v.writer.vcl.0 as f64 - min as f64))
            }
            F::Lal => Some(Value::Num(crate::lsn::LAL as f64)),
            F::Commits => Some(Value::Num(m.commits_acked as f64)),
            F::CommitsLost => Some(Value::Num(sim.inspect().commits_lost() as f64)),
            F::CommitLatencyP50Ms => ms(m.commit_latency.quantile(500)),
            F::CommitLatencyP99Ms => ms(m.commit_latency.quantile(990)),
            F::RedoIosPerTxn => Some(Value::Num(m.redo_ios_per_txn())),
            F::CommitsPerBatch => {
                let batches = m.redo_batches.saturating_sub(seen.batches_at_start);
                let commits = m.commits_acked.saturating_sub(seen.commits_at_start);
                (batches > 0).then(|| Value::Num(commits as f64 / batches as f64))
            }
            F::PageReads => Some(Value::Num(seen.page_reads as f64)),
            F::PageWrites => Some(Value::Num(seen.page_writes as f64)),
            F::QuorumReads => Some(Value::Num(seen.quorum_reads as f64)),
            F::AcksAtQuorum => seen.acks_at_quorum.map(|h| Value::Num(f64::from(h))),
            F::Repairs => count(m.repairs.len()),
            F::RepairS => secs(m.repairs.last()?.1),
            F::MembershipEpoch => Some(Value::Num(f64::from(
                view().pgs.iter().map(|p| p.epoch).max()?,
            ))),
            F::VolumeEpoch => Some(Value::Num(f64::from(view().volume.volume_epoch))),
            F::Failovers => count(m.failovers.len()),
            F::FailoverTotalS => secs(m.failovers.last()?.total),
            F::FailoverDetectS => secs(m.failovers.last()?.detect),
            F::FailoverPromoteS => secs(m.failovers.last()?.promote),
            F::FailoverRecoverMs => ms(m.failovers.last()?.recover.as_micros()),
            F::OldWriter => Some(name(m.failovers.last()?.old)),
            F::NewWriter => Some(name(m.failovers.last()?.new)),
            F::Writer => Some(name(view().writer.node)),
            F::WriterAz => {
                let v = view();
                Some(Value::Text(az_letter(v.node(v.writer.node)?.az)))
            }
            F::RecoveryMs => ms(m.recoveries.last()?.as_micros()),
            F::RecoveryRestartMs => ms(m.recovery_phases.last()?.restart.as_micros()),
            F::RecoveryOpenMs => ms(m.recovery_phases.last()?.storage.as_micros()),
            F::ClientWriteDowntimeS => {
                // A gap still open counts too, while clients are sending writes: during a
                // failover the figure grows with the outage instead of waiting for its end.
                let c = sim.inspect().clients().config;
                let writing =
                    c.clients > 0 && c.read_ppm < 1_000_000 && sim.load_view().knobs().0 > 0;
                let open = m
                    .last_client_write
                    .filter(|_| writing)
                    .map_or(SimDuration::ZERO, |last| sim.now() - last);
                secs(m.client_write_gap_max.max(open))
            }
            F::ClientErrors => Some(Value::Num(m.client_errors as f64)),
            F::Replicas => count(
                view()
                    .instances
                    .iter()
                    .filter(|i| i.role == Role::Replica && i.up)
                    .count(),
            ),
            F::ReplicasPeak => Some(Value::Num(m.replicas_peak as f64)),
            F::MaxReplicas => count(crate::compute::instance::MAX_REPLICAS),
            F::StreamMessages => Some(Value::Num(m.stream_messages as f64)),
            F::ReplicaLagP50Ms => nonempty(m.replica_lag.count(), ms(m.replica_lag.quantile(500))),
            F::ReplicaLagP99Ms => nonempty(m.replica_lag.count(), ms(m.replica_lag.quantile(990))),
            F::ReplicaLagMaxMs => nonempty(m.replica_lag.count(), ms(m.replica_lag.max())),
            F::ReaderTargets => count(
                view()
                    .endpoints
                    .iter()
                    .find(|e| e.id == crate::endpoint::EndpointId::Reader)?
                    .targets
                    .len(),
            ),
            F::ReplicaConnectionsMin | F::ReplicaConnectionsMax => {
                let v = view();
                let conns = v
                    .instances
                    .iter()
                    .filter(|i| i.role == Role::Replica && i.up)
                    .map(|i| i.connections);
                let c = if self == F::ReplicaConnectionsMin {
                    conns.min()
                } else {
                    conns.max()
                };
                Some(Value::Num(f64::from(c?)))
            }
            F::InstancesAdded => Some(Value::Num(m.instances_added as f64)),
            F::InstancesRemoved => Some(Value::Num(m.instances_removed as f64)),
            F::WriterAcu => {
                let v = view();
                let w = v.instances.iter().find(|i| i.node == v.writer.node)?;
                Some(Value::Num(f64::from(w.acu_half) / 2.0))
            }
            F::PeakAcu => Some(Value::Num(f64::from(m.capacity_peak_half) / 2.0)),
            F::AcuHours => Some(Value::Num(sim.inspect().meter().acu_hours())),
            F::CostUsd => Some(Value::Num(sim.inspect().meter().dollars())),
            F::VcpuHours => Some(Value::Num(sim.inspect().meter().vcpu_hours())),
            F::AcuStepMin => {
                let w = view().writer.node;
                let mut last: Option<u16> = None;
                let mut least: Option<u16> = None;
                for &(t, n, half) in &m.capacity_trace {
                    if n != w {
                        continue;
                    }
                    if let Some(prev) = last {
                        if t >= seen.since && half != prev && half != 0 && prev != 0 {
                            let d = half.abs_diff(prev);
                            least = Some(least.map_or(d, |l| l.min(d)));
                        }
                    }
                    last = Some(half);
                }
                Some(Value::Num(f64::from(least?) / 2.0))
            }
            F::WriterCpuPct => {
                let v = view();
                let w = v.instances.iter().find(|i| i.node == v.writer.node)?;
                Some(Value::Num(f64::from(w.cpu_pct)))
            }
            F::Overloaded => Some(Value::Num(m.overloaded as f64)),
            F::OverloadedInStep => Some(Value::Num(
                m.overloaded.saturating_sub(seen.overloaded_at_start) as f64,
            )),
            F::ResumeS => secs(*m.resumes.last()?),
            F::SecondaryRegions => count(
                view()
                    .regions
                    .iter()
                    .filter(|r| r.role == RegionRole::Secondary)
                    .count(),
            ),
            F::MaxSecondaryRegions => count(crate::global::MAX_SECONDARY_REGIONS),
            F::PrimaryRegion => Some(Value::Text(
                view()
                    .regions
                    .iter()
                    .find(|r| r.role == RegionRole::Primary)?
                    .name
                    .into(),
            )),
            F::GlobalLagP50Ms => nonempty(m.global_lag.count(), ms(m.global_lag.quantile(500))),
            F::GlobalLagP99Ms => nonempty(m.global_lag.count(), ms(m.global_lag.quantile(990))),
            F::GlobalLagMaxMs => nonempty(m.global_lag.count(), ms(m.global_lag.max())),
            F::RpoLsns => seen.rpo_lsns.map(|l| Value::Num(l as f64)),
            F::RpoCommitsLost => Some(Value::Num(m.commits_lost_in_failover as f64)),
            F::RtoS => secs(seen.global_rto?),
            F::ForwardedWriteP50Ms => nonempty(
                m.forwarded_write_latency.count(),
                ms(m.forwarded_write_latency.quantile(500)),
            ),
            F::WriteUnavailableS => secs(sim.write_unavailable()),
            F::StaleRejections => Some(Value::Num(m.stale_rejections as f64)),
            F::FencedWritesRefused => Some(Value::Num(m.fenced_writes_refused as f64)),
            F::InvariantViolations => Some(Value::Num(sim.invariant_violations() as f64)),
            F::DnsTtlS => secs(crate::endpoint::DNS_TTL),
            F::MaxCustomEndpoints => count(crate::endpoint::MAX_CUSTOM_ENDPOINTS),
            F::RequestsPerSec => Some(Value::Num(f64::from(sim.load_view().knobs().0))),
            F::ReadPct => {
                let c = sim.inspect().clients().config;
                let w = sim.inspect().workload();
                let read_ppm = if c.clients > 0 {
                    u64::from(c.read_ppm)
                } else {
                    let total = u64::from(w.txn_per_sec) + u64::from(w.reads_per_sec);
                    (u64::from(w.reads_per_sec) * 1_000_000)
                        .checked_div(total)
                        .unwrap_or(0)
                };
                Some(Value::Num(read_ppm as f64 / 10_000.0))
            }
            F::GrowthGibPerS => Some(Value::Num(
                sim.inspect().workload().growth_bytes_per_sec as f64 / (1u64 << 30) as f64,
            )),
            F::AcuMin | F::AcuMax => {
                let v = view();
                let w = v.instances.iter().find(|i| i.node == v.writer.node)?;
                let (lo, hi) = match w.capacity {
                    crate::serverless::Capacity::V2 {
                        min_half, max_half, ..
                    } => (f64::from(min_half) / 2.0, f64::from(max_half) / 2.0),
                    crate::serverless::Capacity::V1 {
                        min_acu, max_acu, ..
                    } => (f64::from(min_acu), f64::from(max_acu)),
                    crate::serverless::Capacity::Provisioned => return None,
                };
                Some(Value::Num(if self == F::AcuMin { lo } else { hi }))
            }
            F::AutoScalingTargetPct => Some(Value::Num(f64::from(
                sim.inspect().autoscaling()?.policy.target,
            ))),
            F::AutoScalingMin => Some(Value::Num(f64::from(
                sim.inspect().autoscaling()?.policy.min,
            ))),
            F::AutoScalingMax => Some(Value::Num(f64::from(
                sim.inspect().autoscaling()?.policy.max,
            ))),
            F::AutoScalingCooldownS => secs(sim.inspect().autoscaling()?.policy.scale_out_cooldown),
            F::OrdersLive | F::OrdersRows | F::ProductsLive => {
                let b = sim.backup_view();
                let t = b.tables.iter().find(|t| {
                    t.name
                        == if self == F::ProductsLive {
                            "products"
                        } else {
                            "orders"
                        }
                })?;
                count(if self == F::OrdersRows {
                    t.rows
                } else {
                    t.live
                } as usize)
            }
            F::RetentionDays => count(usize::from(sim.inspect().backup().config.retention_days)),
            F::RestorableLagS => {
                let b = sim.backup_view();
                secs(sim.now() - b.latest_restorable?)
            }
            F::S3BehindVdl => {
                let b = sim.backup_view();
                count(b.vdl.0.saturating_sub(b.backed_up.0) as usize)
            }
            F::Backtracks => count(sim.inspect().backup().backtrack.count as usize),
            F::BacktrackLandedS => {
                let landed = sim.inspect().backup().backtrack.last?.1;
                secs(landed - crate::time::SimTime::ZERO)
            }
            F::BacktrackUndone => {
                sim.inspect().backup().backtrack.last?;
                count(sim.inspect().backup().backtrack.undone_versions as usize)
            }
            F::BacktrackOutageS => secs(crate::backup::backtrack::PAUSE),
            F::BacktrackWindowH => {
                count(usize::from(sim.inspect().backup().backtrack.target_hours))
            }
            F::Clusters => count(sim.backup_view().clusters.len()),
            F::RestoredOrdersLive | F::RestoreMin => {
                let b = sim.backup_view();
                let c =
                    b.clusters.iter().rev().find(|c| {
                        matches!(c.kind, crate::backup_view::ClusterKind::Restore { .. })
                    })?;
                if self == F::RestoreMin {
                    Some(Value::Num((c.ready_at - c.created).as_secs_f64() / 60.0))
                } else {
                    count(c.tables.iter().find(|t| t.name == "orders")?.live as usize)
                }
            }
            F::CloneReadyMin | F::CloneSharedPct => {
                let b = sim.backup_view();
                let c =
                    b.clusters.iter().rev().find(|c| {
                        matches!(c.kind, crate::backup_view::ClusterKind::Clone { .. })
                    })?;
                if self == F::CloneReadyMin {
                    Some(Value::Num((c.ready_at - c.created).as_secs_f64() / 60.0))
                } else {
                    Some(Value::Num(
                        f64::from(c.shared_pages) * 100.0 / f64::from(c.pages.max(1)),
                    ))
                }
            }
        }
    }

    /// The figure as text: its value with its decimals, or "…" when it has none yet.
    pub fn text(self, sim: &Sim, seen: &Observed) -> Option<String> {
        Some(match self.value(sim, seen)? {
            Value::Num(v) => format!("{:.*}", self.decimals(), v),
            Value::Text(t) => t,
        })
    }
}

fn nonempty(n: u64, v: Option<Value>) -> Option<Value> {
    if n == 0 {
        None
    } else {
        v
    }
}

/// A piece of a text with placeholders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    Text(&'a str),
    Figure(FigureId),
}

/// Why a placeholder could not be read, at which byte of the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaceholderError {
    pub at: usize,
    pub message: String,
}

/// Splits a text into literal pieces and figures. `{{` and `}}` stand for braces.
pub fn split(text: &str) -> impl Iterator<Item = Result<Piece<'_>, PlaceholderError>> {
    let mut rest = text;
    let mut offset = 0;
    core::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let at = offset;
        let step = |n: usize, rest: &mut &str, offset: &mut usize| {
            *rest = &rest[n..];
            *offset += n;
        };
        if let Some(r) = rest.strip_prefix("{{") {
            let _ = r;
            step(2, &mut rest, &mut offset);
            return Some(Ok(Piece::Text("{")));
        }
        if rest.starts_with("}}") {
            step(2, &mut rest, &mut offset);
            return Some(Ok(Piece::Text("}")));
        }
        if rest.starts_with('{') {
            let Some(end) = rest.find('}') else {
                step(rest.len(), &mut rest, &mut offset);
                return Some(Err(PlaceholderError {
                    at,
                    message: "a figure name and a closing }".into(),
                }));
            };
            let name = &rest[1..end];
            step(end + 1, &mut rest, &mut offset);
            return Some(match FigureId::from_name(name) {
                Some(f) => Ok(Piece::Figure(f)),
                None => Err(PlaceholderError {
                    at,
                    message: format!(
                        "a live figure name, not \"{name}\" (docs/lessons.md lists them)"
                    ),
                }),
            });
        }
        if rest.starts_with('}') {
            step(1, &mut rest, &mut offset);
            return Some(Err(PlaceholderError {
                at,
                message: "}} for a brace, or a { before it".into(),
            }));
        }
        let end = rest.find(['{', '}']).unwrap_or(rest.len());
        let piece = &rest[..end];
        step(end, &mut rest, &mut offset);
        Some(Ok(Piece::Text(piece)))
    })
}

/// The figures a text names (unknown names give `None`).
pub fn placeholders(text: &str) -> impl Iterator<Item = Option<FigureId>> + '_ {
    split(text).filter_map(|p| match p {
        Ok(Piece::Figure(f)) => Some(Some(f)),
        Ok(Piece::Text(_)) => None,
        Err(_) => Some(None),
    })
}

/// Fills a text's placeholders from the model; a figure with no value yet shows as "…".
pub fn fill(text: &str, sim: &Sim, seen: &Observed) -> String {
    let mut out = String::with_capacity(text.len());
    for piece in split(text) {
        match piece {
            Ok(Piece::Text(t)) => out.push_str(t),
            Ok(Piece::Figure(f)) => match f.text(sim, seen) {
                Some(v) => out.push_str(&v),
                None => out.push('…'),
            },
            Err(_) => out.push('…'),
        }
    }
    out
}

#[cfg(test)]
mod label_tests {
    use super::*;

    /// Every figure has a short label: its doc's first clause, never empty, with no source.
    #[test]
    fn every_label_is_the_first_clause_of_its_doc() {
        for f in FigureId::ALL {
            let l = f.label();
            assert!(!l.is_empty(), "{}", f.name());
            assert!(!l.contains('(') && !l.ends_with('.'), "{}: {l}", f.name());
        }
        assert_eq!(FigureId::Vdl.label(), "The volume durable LSN now");
        assert_eq!(FigureId::Copies.label(), "Copies of protection group 0");
        assert_eq!(
            FigureId::CommitsPerBatch.label(),
            "Commits per redo batch the writer sent since the step began"
        );
        assert_eq!(
            FigureId::CommitLatencyP50Ms.label(),
            "Median commit latency at the writer, ms"
        );
    }
}
