//! Each event in plain English, for the event log.

use super::*;
use crate::role::Role;
use crate::topology::Topology;
use alloc::format;
use alloc::string::String;

impl Event {
    /// The event in plain English, for the event log.
    pub fn describe(&self, topo: &Topology) -> String {
        use Event::*;
        let name = |n: NodeId| {
            topo.get(n)
                .map_or_else(|| format!("{n}"), |node| format!("{}", node.name()))
        };
        match *self {
            MessageSent {
                from,
                to,
                kind,
                bytes,
                sent,
                arrives,
                ..
            } => format!(
                "{} → {}: {} ({} bytes, arrives in {})",
                name(from),
                name(to),
                kind.label(),
                bytes,
                arrives - sent
            ),
            MessageDelivered { kind, to, .. } => format!("{} reached {}", kind.label(), name(to)),
            MessageDropped {
                kind, to, reason, ..
            } => format!(
                "{} to {} dropped: {}",
                kind.label(),
                name(to),
                match reason {
                    DropReason::ReceiverDown => "the receiver is down",
                    DropReason::Partitioned => "a network partition is in the way",
                    DropReason::Lost => "lost on the link",
                }
            ),
            NodeUp(n) => format!("{} is up", name(n)),
            NodeDown(n) => format!("{} is down", name(n)),
            SegmentHealthChanged { seg, pg, health } => format!(
                "{seg} of {pg} is now {}",
                match health {
                    SegmentHealth::Healthy => "healthy",
                    SegmentHealth::Unavailable => "unavailable (its node is down or cut off)",
                    SegmentHealth::Lost => "lost: its data is gone",
                    SegmentHealth::Hydrating => "hydrating from a peer",
                    SegmentHealth::Retired => "retired from its protection group",
                }
            ),
            PgclAdvanced {
                pg,
                pgcl,
                holders,
                members,
            } => format!(
                "{pg} reached write quorum at LSN {pgcl} ({holders} of {members}): PGCL = {pgcl}"
            ),
            VclAdvanced(l) => format!("VCL moved to {l}: every record up to it is at quorum"),
            VdlAdvanced(l) => format!("VDL moved to {l}: the last complete mini-transaction"),
            CommitsAcknowledged {
                count,
                vdl,
                max_latency,
            } => format!(
                "{count} commit{} acknowledged: VDL {vdl} ≥ commit LSN (longest wait {max_latency})",
                if count == 1 { "" } else { "s" }
            ),
            WriterThrottled { vdl } => format!(
                "the writer stops allocating LSNs at VDL {vdl} + LAL until storage catches up"
            ),
            WriterUnthrottled => "the writer allocates LSNs again".into(),
            WriteQuorumLost { pg, available } => format!(
                "{pg} lost its write quorum: only {available} of 6 segments reachable; writes to it wait"
            ),
            WriteQuorumRegained { pg } => format!("{pg} has a write quorum again"),
            ReadQuorumLost { pg, available } => format!(
                "{pg} lost its read quorum: only {available} of 6 segments reachable"
            ),
            ReadQuorumRegained { pg } => format!("{pg} has a read quorum again"),
            PageRead {
                pg,
                seg,
                read_point,
                latency,
            } => format!(
                "page of {pg} read from {seg} alone as of LSN {read_point} in {latency} (no quorum read)"
            ),
            GossipFilled { seg, from, to } => {
                format!("{seg} filled its gap {from}…{to} by gossip with a peer")
            }
            Background { seg, work, upto } => match work {
                BackgroundWork::Coalesce => format!("{seg} coalesced its log into pages up to {upto}"),
                BackgroundWork::Backup => format!("{seg} staged log and pages up to {upto} to S3"),
                BackgroundWork::GarbageCollect => {
                    format!("{seg} garbage-collected versions below {upto}")
                }
                BackgroundWork::Scrub => format!("{seg} scrubbed its pages: checksums good"),
            },
            StaleEpochRejected {
                seg,
                epoch,
                current,
            } => format!("{seg} refused a request from epoch {epoch}: current epoch is {current}"),
            RepairStarted {
                pg,
                failed,
                replacement,
                source,
                bytes,
            } => format!(
                "{pg}: replacing {failed} with {replacement}, copying {} MB from {source}",
                bytes / 1_000_000
            ),
            RepairDeferred {
                pg,
                failed,
                reason,
            } => match reason {
                DeferReason::NoNode => format!(
                    "{pg}: no healthy storage node in {failed}'s AZ can host a replacement yet"
                ),
                DeferReason::NoSource => {
                    format!("{pg}: no healthy copy can be the source for replacing {failed} yet")
                }
                DeferReason::ChangesInFlight => format!(
                    "{pg}: replacing {failed} waits: two membership changes are already in flight"
                ),
            },
            RepairFinished {
                pg,
                replacement,
                outcome,
                took,
            } => match outcome {
                RepairOutcome::Replaced => {
                    format!("{pg}: {replacement} caught up and replaced the failed segment in {took}")
                }
                RepairOutcome::Reverted => format!(
                    "{pg}: the failed segment came back; {replacement} was dropped after {took}"
                ),
            },
            MembershipChanged { pg, epoch, quorum } => {
                let four = quorum.groups().iter().any(|g| g.count_ones() == 4);
                let note = match (four, quorum.in_transition()) {
                    (true, false) => " (the degraded-AZ quorum: 3 of these 4 to write, 2 to read)",
                    (true, true) => " (back from the degraded-AZ quorum: 4 of 6 and 3 of 4 until the returned copies catch up)",
                    _ => "",
                };
                format!("{pg} moved to membership epoch {epoch}: write quorum {quorum:?}{note}")
            }
            VolumeRecovered {
                vdl,
                truncated_upto,
                epoch,
            } => format!(
                "crash recovery: VDL {vdl} rebuilt from read quorums, records above it annulled up to {truncated_upto}, volume epoch {epoch}"
            ),
            VolumeGrown { pgs, bytes } => format!(
                "the volume grew to {pgs} protection groups ({} GiB used)",
                bytes >> 30
            ),
            FaultInjected(f) => format!("fault: {}", fault_text(f, &name)),
            FaultHealed(f) => format!("healed: {}", fault_text(f, &name)),
            InvariantViolated { invariant, detail } => {
                format!("INVARIANT VIOLATED: {} (at {detail})", invariant.name())
            }
            ReplicaApplied { node, vdl, lag } => {
                format!("{} applied redo to VDL {vdl}: {lag} behind the writer", name(node))
            }
            HealthCheckMissed { node, misses } => {
                format!("{} missed health check {misses}", name(node))
            }
            FailoverStarted {
                old,
                target,
                detected_after,
                missed_checks,
                since_failure,
            } => {
                let why = if missed_checks == 0 && since_failure == SimDuration::ZERO {
                    String::from("asked for")
                } else if missed_checks == 0 {
                    format!("{since_failure} after it failed")
                } else {
                    format!(
                        "{since_failure} after it failed; the control plane saw {missed_checks} missed health checks, {detected_after} after the last one it passed"
                    )
                };
                match target {
                    Some(t) => format!(
                        "failover: {} detected {why}; promoting {} (lowest tier, then largest)",
                        name(old),
                        name(t)
                    ),
                    None => format!(
                        "failover: {} detected {why}, and no replica to promote",
                        name(old)
                    ),
                }
            }
            FailoverPhaseDone { phase, took } => format!("failover {} took {took}", phase.label()),
            FailoverFinished { old, new, total } => format!(
                "failover done: {} replaced {} as writer, {total} after the writer failed",
                name(new),
                name(old)
            ),
            NoFailoverTarget { old } => format!(
                "{} is gone and nothing can replace it: add an instance in another AZ",
                name(old)
            ),
            RecoveryStarted { node } => format!(
                "{} restarts its engine to open the volume; no redo to replay",
                name(node)
            ),
            RecoveryPhaseDone {
                node,
                phase: RecoveryPhase::Restart,
                took,
                ..
            } => format!(
                "{}'s engine is up after {took}: asking a read quorum of every PG for its SCL",
                name(node)
            ),
            RecoveryPhaseDone {
                phase: RecoveryPhase::Storage,
                took,
                ..
            } => format!(
                "storage protocol done in {took}: quorum reads, truncation and a new volume epoch"
            ),
            RecoveryPhaseDone {
                node,
                phase: RecoveryPhase::Undo,
                took,
                txns,
            } => format!(
                "{} rolled back {txns} in-flight transaction{} in the background in {took}, while serving",
                name(node),
                if txns == 1 { "" } else { "s" }
            ),
            RoleChanged { node, role } => match role {
                Role::Promoting => format!("{} is being promoted to writer", name(node)),
                Role::Creating { .. } => format!("{} is being created", name(node)),
                Role::Fenced => format!("{} is now a fenced old writer", name(node)),
                _ => format!("{} is now the {role}", name(node)),
            },
            DnsUpdated { endpoint, target } => {
                format!("DNS: the {endpoint} now points at {} (TTL 5 s)", name(target))
            }
            InstanceAdded { node, ready_in } => {
                format!("creating {}: ready in {ready_in}", name(node))
            }
            InstanceRemoved { node } => format!("{} removed", name(node)),
            RegionAdded { region } => format!(
                "{} joined as a secondary region with its own 6-copy volume",
                region.name()
            ),
            GlobalApplied {
                region,
                durable,
                lag,
            } => format!(
                "{} is durable to LSN {durable}, {lag} behind the primary",
                region.name()
            ),
            SwitchoverStarted { to } => format!(
                "switchover to {}: writes pause until it has everything (RPO 0)",
                to.name()
            ),
            GlobalPromotionAbandoned {
                region,
                writes_resume,
            } => {
                if writes_resume {
                    format!(
                        "the promotion of {} is abandoned: it failed before it could take the writes, so the primary takes them again",
                        region.name()
                    )
                } else {
                    format!(
                        "the promotion of {} is abandoned: it failed before it could take the writes; writes stay stopped until another secondary is promoted",
                        region.name()
                    )
                }
            }
            GlobalFailoverStarted { to } => format!(
                "global failover: promoting {} with what it has received",
                to.name()
            ),
            GlobalPromoted {
                from,
                to,
                planned,
                rpo_lsns,
            } => {
                if planned {
                    format!(
                        "{} is the primary region now; {} follows it (nothing lost)",
                        to.name(),
                        from.name()
                    )
                } else {
                    format!(
                        "{} is the primary region now; {rpo_lsns} LSNs written in {} never arrived",
                        to.name(),
                        from.name()
                    )
                }
            }
            RegionDown { region } => format!("region {} is down", region.name()),
            RegionUp { region } => format!("region {} is back", region.name()),
            Backup(e) => format!("{e}"),
            CapacityChanged { node, half } => format!(
                "{} now has {}.{} ACU",
                name(node),
                half / 2,
                if half % 2 == 1 { 5 } else { 0 }
            ),
            Paused { node } => format!("{} paused: no instance charge while paused", name(node)),
            Resuming { node, ready_in, .. } => {
                format!("{} resuming on a new connection: ready in {ready_in}", name(node))
            }
            Resumed { node } => format!("{} resumed", name(node)),
            ScalingPointWait { node, target_acu } => format!(
                "{} wants {target_acu} ACU but a long transaction leaves no scaling point",
                name(node)
            ),
            ScalingTimedOut { node, forced } => {
                if forced {
                    format!("{}: no scaling point in 300 s; forcing the change (connections dropped)", name(node))
                } else {
                    format!("{}: no scaling point in 300 s; keeping the current capacity", name(node))
                }
            }
            AutoScalingEvaluated {
                average,
                replicas,
                desired,
            } => format!(
                "auto scaling: average {average} across {replicas} replicas; wants {desired}"
            ),
        }
    }
}

/// A fault in words, its node by name ("crash instance-1", not "crash node 14").
fn fault_text(f: Fault, name: &dyn Fn(NodeId) -> String) -> String {
    match f {
        Fault::CrashNode(n) => format!("crash {}", name(n)),
        Fault::SlowNode { node, pct } => format!("slow {} to {pct}%", name(node)),
        other => format!("{other}"),
    }
}
