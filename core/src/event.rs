//! What comes out: typed events a UI can animate and a log can print.
//!
//! Every event also feeds the trace digest, so two runs that emit the same events in the same
//! order at the same times have the same digest, on any platform.

use crate::command::Fault;
use crate::compute::instance::Role;
use crate::ids::{NodeId, PgId, SegmentId};
use crate::lsn::Lsn;
use crate::quorum::QuorumSet;
use crate::time::{SimDuration, SimTime};
use crate::topology::Topology;
use alloc::format;
use alloc::string::String;

/// The kinds of message on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum MsgKind {
    /// Writer → segment: a batch of redo records for one PG. P17 §3.2
    RedoBatch,
    /// Segment → writer: persisted, carrying the segment's SCL. P18 §2.3
    Ack,
    /// Segment → writer: a request carried a stale epoch and was refused. P18 §4.1
    Rejected,
    /// Segment → peer: "I am complete to my SCL; what am I missing?" P17 §3.3 step 4
    GossipPull,
    /// Peer → segment: the missing records.
    GossipPush,
    /// Instance → segment: read a page as of a read point. P18 §3.1
    PageRead,
    /// Segment → instance: the page.
    PageData,
    /// Peer → new segment: the bulk copy that hydrates a replacement. P17 §2.2
    RepairCopy,
    /// Segment → object store: continuous backup of log and pages. P17 §3.3 step 6
    Backup,
    /// Writer → replica: the redo stream with VDL. P17 §4.2.4
    RedoStream,
    /// Client → DNS: which instance does this endpoint mean?
    DnsLookup,
    /// DNS → client: the endpoint's current target (cached for the TTL).
    DnsAnswer,
    /// Client → instance: a read or a write.
    Query,
    /// Instance → client: the result.
    Answer,
    /// Recovering writer → segment: what is your SCL? P17 §4.3
    RecoveryScan,
    /// Segment → recovering writer: my SCL.
    RecoveryScl,
    /// Primary region → secondary region: storage-level replication. BLOG-GDR
    GlobalRedo,
    /// Secondary replica → primary writer: a forwarded write.
    ForwardedWrite,
    /// Recovering writer → segment: annul above VDL; adopt the new volume epoch.
    Truncate,
    /// Segment → recovering writer: done.
    TruncateAck,
}

impl MsgKind {
    pub fn label(self) -> &'static str {
        match self {
            MsgKind::RedoBatch => "redo batch",
            MsgKind::Ack => "ack",
            MsgKind::Rejected => "rejected",
            MsgKind::GossipPull => "gossip request",
            MsgKind::GossipPush => "gossip records",
            MsgKind::PageRead => "page read",
            MsgKind::PageData => "page",
            MsgKind::RepairCopy => "repair copy",
            MsgKind::Backup => "backup to S3",
            MsgKind::RedoStream => "redo stream",
            MsgKind::DnsLookup => "DNS lookup",
            MsgKind::DnsAnswer => "DNS answer",
            MsgKind::Query => "query",
            MsgKind::Answer => "result",
            MsgKind::GlobalRedo => "cross-region replication",
            MsgKind::ForwardedWrite => "forwarded write",
            MsgKind::RecoveryScan => "recovery: SCL?",
            MsgKind::RecoveryScl => "recovery: SCL",
            MsgKind::Truncate => "truncate + epoch",
            MsgKind::TruncateAck => "truncation done",
        }
    }
}

/// Why a message never arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DropReason {
    /// The receiver was down when it arrived.
    ReceiverDown,
    /// A partition lies between sender and receiver.
    Partitioned,
    /// Lost on the link (random loss).
    Lost,
}

/// A segment's health as the diagram shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SegmentHealth {
    /// Serving and complete (or catching up through gossip).
    Healthy,
    /// On a node that is down or cut off; its data is intact.
    Unavailable,
    /// Its data is gone (disk failure).
    Lost,
    /// A replacement being filled from a peer.
    Hydrating,
    /// No longer a member of its PG.
    Retired,
}

/// Background work a segment does off the write path. P17 §3.3 steps 5–8
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BackgroundWork {
    /// Log records coalesced into new page versions.
    Coalesce,
    /// Log and pages staged to the object store.
    Backup,
    /// Old versions garbage-collected.
    GarbageCollect,
    /// Page checksums validated.
    Scrub,
}

/// Why a repair waits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DeferReason {
    /// No healthy storage node in the failed segment's AZ can host a replacement (e.g. the
    /// whole AZ is down).
    NoNode,
    /// No healthy member of the PG can be the source of the copy.
    NoSource,
    /// Two membership changes are already in flight in this PG.
    ChangesInFlight,
}

/// How a membership change ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum RepairOutcome {
    /// The failed member stayed failed; the replacement took its place.
    Replaced,
    /// The failed member came back before the replacement was ready; the change was undone.
    Reverted,
}

/// A named property the invariant checker watches (reference §11).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Invariant {
    /// A PG's completion point was believed above what a write quorum of its segments holds.
    AckWithoutQuorum,
    /// VDL ≤ VCL ≤ highest allocated LSN.
    PointsOrdered,
    /// VCL and VDL never move backwards (outside recovery).
    PointsMonotonic,
    /// No LSN above VDL + LAL.
    LalRespected,
    /// A read went to a segment not complete to its read point.
    ReadAboveSegment,
    /// A commit was acknowledged above VDL.
    CommitAboveVdl,
    /// A replica exposed data above the writer's VDL.
    ReplicaAboveVdl,
}

impl Invariant {
    pub fn name(self) -> &'static str {
        match self {
            Invariant::AckWithoutQuorum => "no acknowledgement without a write quorum",
            Invariant::PointsOrdered => "VDL ≤ VCL ≤ highest LSN",
            Invariant::PointsMonotonic => "VCL and VDL never move back",
            Invariant::LalRespected => "no LSN above VDL + LAL",
            Invariant::ReadAboveSegment => "reads only from segments complete to the read point",
            Invariant::CommitAboveVdl => "commits acknowledged only at or below VDL",
            Invariant::ReplicaAboveVdl => "replicas never read above VDL",
        }
    }
}

/// The timed phases of a failover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum FailoverPhase {
    /// From the last healthy check to the decision to fail over.
    Detect,
    /// Restarting the chosen replica's engine as the writer (or re-creating the writer).
    Promote,
    /// Crash recovery on the volume, ending with the DNS flip.
    Recover,
}

impl FailoverPhase {
    pub fn label(self) -> &'static str {
        match self {
            FailoverPhase::Detect => "detection",
            FailoverPhase::Promote => "promotion",
            FailoverPhase::Recover => "recovery",
        }
    }
}

/// Something that happened.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Event {
    /// A message left its sender; it arrives at `arrives` unless dropped.
    MessageSent {
        id: crate::ids::MsgId,
        from: NodeId,
        to: NodeId,
        kind: MsgKind,
        bytes: u32,
        sent: SimTime,
        arrives: SimTime,
    },
    MessageDelivered {
        id: crate::ids::MsgId,
        kind: MsgKind,
        to: NodeId,
    },
    MessageDropped {
        id: crate::ids::MsgId,
        kind: MsgKind,
        to: NodeId,
        reason: DropReason,
    },
    NodeUp(NodeId),
    NodeDown(NodeId),
    SegmentHealthChanged {
        seg: SegmentId,
        pg: PgId,
        health: SegmentHealth,
    },
    /// A PG's completion point moved: a write quorum of its segments holds everything to `pgcl`.
    PgclAdvanced {
        pg: PgId,
        pgcl: Lsn,
        /// Segments complete to `pgcl`, out of `members`.
        holders: u8,
        members: u8,
    },
    VclAdvanced(Lsn),
    VdlAdvanced(Lsn),
    /// Transactions whose commit records are at or below VDL were acknowledged to clients.
    CommitsAcknowledged {
        count: u32,
        vdl: Lsn,
        /// The longest wait among them.
        max_latency: SimDuration,
    },
    /// The writer reached VDL + LAL and waits for storage. P17 §4.2.1
    WriterThrottled {
        vdl: Lsn,
    },
    WriterUnthrottled,
    /// Too few of the PG's segments are reachable to form a write quorum: writes touching it
    /// wait.
    WriteQuorumLost {
        pg: PgId,
        available: u8,
    },
    WriteQuorumRegained {
        pg: PgId,
    },
    ReadQuorumLost {
        pg: PgId,
        available: u8,
    },
    ReadQuorumRegained {
        pg: PgId,
    },
    /// A page read was served by one segment (no quorum read). P18 §3.1
    PageRead {
        pg: PgId,
        seg: SegmentId,
        read_point: Lsn,
        latency: SimDuration,
    },
    /// A segment filled a gap in its log from a peer.
    GossipFilled {
        seg: SegmentId,
        from: Lsn,
        to: Lsn,
    },
    Background {
        seg: SegmentId,
        work: BackgroundWork,
        upto: Lsn,
    },
    /// A request with a stale epoch was refused.
    StaleEpochRejected {
        seg: SegmentId,
        epoch: u32,
        current: u32,
    },
    RepairStarted {
        pg: PgId,
        failed: SegmentId,
        replacement: SegmentId,
        source: SegmentId,
        bytes: u64,
    },
    /// A replacement cannot start yet, and why.
    RepairDeferred {
        pg: PgId,
        failed: SegmentId,
        reason: DeferReason,
    },
    RepairFinished {
        pg: PgId,
        replacement: SegmentId,
        outcome: RepairOutcome,
        took: SimDuration,
    },
    MembershipChanged {
        pg: PgId,
        epoch: u32,
        quorum: QuorumSet,
    },
    /// Crash recovery opened the volume: VDL recomputed from a read quorum of every PG, records
    /// above it annulled up to `truncated_upto`, and a new volume epoch fences older writers.
    VolumeRecovered {
        vdl: Lsn,
        truncated_upto: Lsn,
        epoch: u32,
    },
    /// The volume grew by whole protection groups.
    VolumeGrown {
        pgs: u32,
        bytes: u64,
    },
    /// A replica applied the redo stream up to `vdl`, `lag` behind the writer.
    ReplicaApplied {
        node: NodeId,
        vdl: Lsn,
        lag: SimDuration,
    },
    HealthCheckMissed {
        node: NodeId,
        misses: u32,
    },
    FailoverStarted {
        old: NodeId,
        target: Option<NodeId>,
        /// The control plane's view: how long since the last health check the writer passed.
        detected_after: SimDuration,
        /// Health checks missed in a row (none for a failover someone asked for).
        missed_checks: u32,
        /// How long since the writer actually failed, as the simulation knows it.
        since_failure: SimDuration,
    },
    FailoverPhaseDone {
        phase: FailoverPhase,
        took: SimDuration,
    },
    FailoverFinished {
        old: NodeId,
        new: NodeId,
        total: SimDuration,
    },
    /// No replica can be promoted and the writer cannot be re-created where it was.
    NoFailoverTarget {
        old: NodeId,
    },
    RecoveryStarted {
        node: NodeId,
    },
    RoleChanged {
        node: NodeId,
        role: crate::compute::instance::Role,
    },
    DnsUpdated {
        endpoint: crate::endpoint::EndpointId,
        target: NodeId,
    },
    InstanceAdded {
        node: NodeId,
        ready_in: SimDuration,
    },
    InstanceRemoved {
        node: NodeId,
    },
    AutoScalingEvaluated {
        average: u32,
        replicas: u8,
        desired: u8,
    },
    /// A serverless instance's capacity, in half-ACUs (0 while paused).
    CapacityChanged {
        node: NodeId,
        half: u16,
    },
    Paused {
        node: NodeId,
    },
    Resuming {
        node: NodeId,
        ready_in: SimDuration,
    },
    Resumed {
        node: NodeId,
    },
    /// Serverless v1 wants to scale but a long transaction leaves no scaling point.
    ScalingPointWait {
        node: NodeId,
        target_acu: u16,
    },
    ScalingTimedOut {
        node: NodeId,
        forced: bool,
    },
    RegionAdded {
        region: crate::ids::RegionId,
    },
    /// A secondary region's volume is durable to `durable`, `lag` behind the primary.
    GlobalApplied {
        region: crate::ids::RegionId,
        durable: Lsn,
        lag: SimDuration,
    },
    SwitchoverStarted {
        to: crate::ids::RegionId,
    },
    GlobalFailoverStarted {
        to: crate::ids::RegionId,
    },
    GlobalPromoted {
        from: crate::ids::RegionId,
        to: crate::ids::RegionId,
        planned: bool,
        rpo_lsns: u64,
    },
    RegionDown {
        region: crate::ids::RegionId,
    },
    RegionUp {
        region: crate::ids::RegionId,
    },
    FaultInjected(Fault),
    FaultHealed(Fault),
    InvariantViolated {
        invariant: Invariant,
        detail: u64,
    },
}

impl Event {
    /// Folds the event into the trace digest.
    #[inline(always)]
    pub(crate) fn digest_words(&self) -> [u64; 4] {
        use Event::*;
        let d = |t: u64, a: u64, b: u64, c: u64| [t, a, b, c];
        match *self {
            MessageSent {
                id,
                from,
                to,
                kind,
                bytes,
                arrives,
                ..
            } => d(
                1,
                id.0,
                (from.0 as u64) << 32 | (to.0 as u64) << 16 | kind as u64,
                arrives.as_micros() ^ (bytes as u64) << 48,
            ),
            MessageDelivered { id, .. } => d(2, id.0, 0, 0),
            MessageDropped { id, reason, .. } => d(3, id.0, reason as u64, 0),
            NodeUp(n) => d(4, n.0 as u64, 0, 0),
            NodeDown(n) => d(5, n.0 as u64, 0, 0),
            SegmentHealthChanged { seg, health, .. } => d(6, seg.0 as u64, health as u64, 0),
            PgclAdvanced {
                pg, pgcl, holders, ..
            } => d(7, pg.0 as u64, pgcl.0, holders as u64),
            VclAdvanced(l) => d(8, l.0, 0, 0),
            VdlAdvanced(l) => d(9, l.0, 0, 0),
            CommitsAcknowledged {
                count,
                vdl,
                max_latency,
            } => d(10, count as u64, vdl.0, max_latency.as_micros()),
            WriterThrottled { vdl } => d(11, vdl.0, 0, 0),
            WriterUnthrottled => d(12, 0, 0, 0),
            WriteQuorumLost { pg, available } => d(13, pg.0 as u64, available as u64, 0),
            WriteQuorumRegained { pg } => d(14, pg.0 as u64, 0, 0),
            ReadQuorumLost { pg, available } => d(15, pg.0 as u64, available as u64, 0),
            ReadQuorumRegained { pg } => d(16, pg.0 as u64, 0, 0),
            PageRead {
                seg,
                read_point,
                latency,
                ..
            } => d(17, seg.0 as u64, read_point.0, latency.as_micros()),
            GossipFilled { seg, from, to } => d(18, seg.0 as u64, from.0, to.0),
            Background { seg, work, upto } => d(19, seg.0 as u64, work as u64, upto.0),
            StaleEpochRejected {
                seg,
                epoch,
                current,
            } => d(20, seg.0 as u64, epoch as u64, current as u64),
            RepairStarted {
                failed,
                replacement,
                source,
                ..
            } => d(21, failed.0 as u64, replacement.0 as u64, source.0 as u64),
            RepairDeferred { pg, failed, reason } => {
                d(22, pg.0 as u64, failed.0 as u64, reason as u64)
            }
            RepairFinished {
                replacement,
                outcome,
                took,
                ..
            } => d(23, replacement.0 as u64, outcome as u64, took.as_micros()),
            MembershipChanged { pg, epoch, .. } => d(24, pg.0 as u64, epoch as u64, 0),
            VolumeGrown { pgs, bytes } => d(25, pgs as u64, bytes, 0),
            VolumeRecovered {
                vdl,
                truncated_upto,
                epoch,
            } => d(29, vdl.0, truncated_upto.0, epoch as u64),
            FaultInjected(f) => d(26, fault_word(f), 0, 0),
            FaultHealed(f) => d(27, fault_word(f), 0, 0),
            InvariantViolated { invariant, detail } => d(28, invariant as u64, detail, 0),
            ReplicaApplied { node, vdl, lag } => d(30, node.0 as u64, vdl.0, lag.as_micros()),
            HealthCheckMissed { node, misses } => d(31, node.0 as u64, misses as u64, 0),
            FailoverStarted {
                old,
                target,
                since_failure,
                ..
            } => d(
                32,
                old.0 as u64,
                target.map_or(u64::MAX, |t| t.0 as u64),
                since_failure.as_micros(),
            ),
            FailoverPhaseDone { phase, took } => d(33, phase as u64, took.as_micros(), 0),
            FailoverFinished { old, new, total } => {
                d(34, old.0 as u64, new.0 as u64, total.as_micros())
            }
            NoFailoverTarget { old } => d(35, old.0 as u64, 0, 0),
            RecoveryStarted { node } => d(36, node.0 as u64, 0, 0),
            RoleChanged { node, role } => d(37, node.0 as u64, role_word(role), 0),
            DnsUpdated { endpoint, target } => d(38, endpoint_word(endpoint), target.0 as u64, 0),
            InstanceAdded { node, ready_in } => d(39, node.0 as u64, ready_in.as_micros(), 0),
            InstanceRemoved { node } => d(40, node.0 as u64, 0, 0),
            AutoScalingEvaluated {
                average,
                replicas,
                desired,
            } => d(41, average as u64, replicas as u64, desired as u64),
            CapacityChanged { node, half } => d(42, node.0 as u64, half as u64, 0),
            Paused { node } => d(43, node.0 as u64, 0, 0),
            Resuming { node, ready_in } => d(44, node.0 as u64, ready_in.as_micros(), 0),
            Resumed { node } => d(45, node.0 as u64, 0, 0),
            ScalingPointWait { node, target_acu } => d(46, node.0 as u64, target_acu as u64, 0),
            ScalingTimedOut { node, forced } => d(47, node.0 as u64, forced as u64, 0),
            RegionAdded { region } => d(48, region.0 as u64, 0, 0),
            GlobalApplied {
                region,
                durable,
                lag,
            } => d(49, region.0 as u64, durable.0, lag.as_micros()),
            SwitchoverStarted { to } => d(50, to.0 as u64, 0, 0),
            GlobalFailoverStarted { to } => d(51, to.0 as u64, 0, 0),
            GlobalPromoted {
                from,
                to,
                planned,
                rpo_lsns,
            } => d(
                52,
                (from.0 as u64) << 8 | to.0 as u64,
                planned as u64,
                rpo_lsns,
            ),
            RegionDown { region } => d(53, region.0 as u64, 0, 0),
            RegionUp { region } => d(54, region.0 as u64, 0, 0),
        }
    }

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
                format!("{pg} moved to membership epoch {epoch}: write quorum {quorum:?}")
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
                "{} opens the volume: asking a read quorum of every PG for its SCL",
                name(node)
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
                region_name(region)
            ),
            GlobalApplied {
                region,
                durable,
                lag,
            } => format!(
                "{} is durable to LSN {durable}, {lag} behind the primary",
                region_name(region)
            ),
            SwitchoverStarted { to } => format!(
                "switchover to {}: writes pause until it has everything (RPO 0)",
                region_name(to)
            ),
            GlobalFailoverStarted { to } => format!(
                "global failover: promoting {} with what it has received",
                region_name(to)
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
                        region_name(to),
                        region_name(from)
                    )
                } else {
                    format!(
                        "{} is the primary region now; {rpo_lsns} LSNs written in {} never arrived",
                        region_name(to),
                        region_name(from)
                    )
                }
            }
            RegionDown { region } => format!("region {} is down", region_name(region)),
            RegionUp { region } => format!("region {} is back", region_name(region)),
            CapacityChanged { node, half } => format!(
                "{} now has {}.{} ACU",
                name(node),
                half / 2,
                if half % 2 == 1 { 5 } else { 0 }
            ),
            Paused { node } => format!("{} paused: no instance charge while paused", name(node)),
            Resuming { node, ready_in } => {
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

fn fault_word(f: Fault) -> u64 {
    use crate::net::Partition;
    match f {
        Fault::CrashNode(n) => 1 << 32 | n.0 as u64,
        Fault::LoseSegment(s) => 2 << 32 | s.0 as u64,
        Fault::FailAz(z) => 3 << 32 | z.0 as u64,
        Fault::Partition(Partition::Az(z)) => 4 << 32 | z.0 as u64,
        Fault::Partition(Partition::Node(n)) => 5 << 32 | n.0 as u64,
        Fault::Partition(Partition::Link(a, b)) => 6 << 32 | (a.0 as u64) << 16 | b.0 as u64,
        Fault::Partition(Partition::Region(r)) => 7 << 32 | r.0 as u64,
        Fault::SlowNode { node, pct } => 8 << 32 | (node.0 as u64) << 16 | pct as u64,
        Fault::FailRegion(r) => 9 << 32 | r.0 as u64,
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

fn role_word(r: crate::compute::instance::Role) -> u64 {
    use crate::compute::instance::Role::*;
    match r {
        Writer => 1,
        Replica => 2,
        Creating { .. } => 3,
        Promoting => 4,
        Fenced => 5,
    }
}

fn endpoint_word(e: crate::endpoint::EndpointId) -> u64 {
    use crate::endpoint::EndpointId::*;
    match e {
        Cluster => 1,
        Reader => 2,
        Custom(i) => 3 << 16 | i as u64,
        Instance(n) => 4 << 16 | n.0 as u64,
    }
}

fn region_name(r: crate::ids::RegionId) -> &'static str {
    crate::global::REGION_NAMES
        .get(r.0 as usize)
        .copied()
        .unwrap_or("a region")
}
