//! What comes out: typed events a UI can animate and a log can print.
//!
//! Every event also feeds the trace digest, so two runs that emit the same events in the same
//! order at the same times have the same digest, on any platform.

use crate::command::Fault;
use crate::ids::{NodeId, PgId, SegmentId};
use crate::lsn::Lsn;
use crate::quorum::QuorumSet;
use crate::time::{SimDuration, SimTime};

pub mod backup;
mod digest;
mod text;

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
    /// Primary writer → secondary replica: the result of a forwarded write. Last, so the
    /// digests of runs without write forwarding keep their values.
    ForwardedAnswer,
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
            MsgKind::ForwardedAnswer => "forwarded result",
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
    /// A restore or backtrack to T read other than what a read at T returned.
    RestoreMatchesRead,
    /// A backtrack to T lost a version acknowledged before T.
    BacktrackKeepsAcknowledged,
    /// A clone saw its source's later writes, or the source the clone's.
    CloneIsolated,
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
            Invariant::RestoreMatchesRead => {
                "a restore or backtrack to T reads what a read at T returned"
            }
            Invariant::BacktrackKeepsAcknowledged => {
                "nothing acknowledged before T is missing after a backtrack to T"
            }
            Invariant::CloneIsolated => {
                "a clone and its source never see each other's later writes"
            }
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

/// The timed phases of a crash recovery (P17 §4.3, P18 §2.4): the engine restarts and opens
/// the volume, the storage protocol (quorum reads, truncation, new volume epoch) runs in
/// milliseconds, and undo of in-flight transactions follows in the background, after the
/// database is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum RecoveryPhase {
    /// The instance and its engine start and open the volume.
    Restart,
    /// Read a quorum of every PG, recompute VDL, write the truncation with a new epoch.
    Storage,
    /// Roll back the transactions that were in flight at the crash, alongside user traffic.
    Undo,
}

impl RecoveryPhase {
    pub fn label(self) -> &'static str {
        match self {
            RecoveryPhase::Restart => "engine restart",
            RecoveryPhase::Storage => "storage protocol",
            RecoveryPhase::Undo => "background undo",
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
    /// A phase of crash recovery on `node` finished; for undo, `txns` were rolled back.
    RecoveryPhaseDone {
        node: NodeId,
        phase: RecoveryPhase,
        took: SimDuration,
        txns: u32,
    },
    RoleChanged {
        node: NodeId,
        role: crate::role::Role,
    },
    DnsUpdated {
        endpoint: crate::ids::EndpointId,
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
        /// The capacity it wakes at (half-ACUs), with no capacity event of its own. It follows
        /// from the run so far, so the digest leaves it out.
        half: u16,
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
    /// The region being promoted (or a switchover's target, still catching up) failed before
    /// it could take the writes. `writes_resume`: the primary is up and takes them again;
    /// otherwise writes stay stopped until another secondary is promoted.
    GlobalPromotionAbandoned {
        region: crate::ids::RegionId,
        writes_resume: bool,
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
    /// Backups, restores, Backtrack and clones.
    Backup(backup::BackupEvent),
}
