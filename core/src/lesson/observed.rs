//! What a lesson watches of the model's event stream: the kinds of event it can wait for or
//! test, and the tally of what it has seen. Below the conditions and the figures, which both
//! read it.

use crate::event::{Event, MsgKind};
use crate::lsn::Lsn;
use crate::sim::Sim;
use crate::time::{SimDuration, SimTime};

/// The kinds of event a lesson can wait for or test (`seen write-quorum-lost`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    NodeDown,
    NodeUp,
    WriteQuorumLost,
    WriteQuorumRegained,
    ReadQuorumLost,
    ReadQuorumRegained,
    CommitAcked,
    PageRead,
    RepairStarted,
    RepairDeferred,
    RepairFinished,
    MembershipChanged,
    StaleEpochRejected,
    VolumeRecovered,
    VolumeGrown,
    WriterThrottled,
    ReplicaApplied,
    FailoverStarted,
    FailoverFinished,
    NoFailoverTarget,
    RecoveryStarted,
    DnsUpdated,
    InstanceAdded,
    InstanceRemoved,
    AutoScalingEvaluated,
    CapacityChanged,
    Paused,
    Resuming,
    Resumed,
    ScalingPointWait,
    ScalingTimedOut,
    RegionAdded,
    SwitchoverStarted,
    GlobalFailoverStarted,
    GlobalPromoted,
    GlobalPromotionAbandoned,
    RegionDown,
    InvariantViolated,
    RowsDeleted,
    BacktrackStarted,
    BacktrackDone,
    RestoreStarted,
    CloneStarted,
    ClusterAvailable,
}

impl EventKind {
    pub const ALL: [EventKind; 44] = [
        EventKind::NodeDown,
        EventKind::NodeUp,
        EventKind::WriteQuorumLost,
        EventKind::WriteQuorumRegained,
        EventKind::ReadQuorumLost,
        EventKind::ReadQuorumRegained,
        EventKind::CommitAcked,
        EventKind::PageRead,
        EventKind::RepairStarted,
        EventKind::RepairDeferred,
        EventKind::RepairFinished,
        EventKind::MembershipChanged,
        EventKind::StaleEpochRejected,
        EventKind::VolumeRecovered,
        EventKind::VolumeGrown,
        EventKind::WriterThrottled,
        EventKind::ReplicaApplied,
        EventKind::FailoverStarted,
        EventKind::FailoverFinished,
        EventKind::NoFailoverTarget,
        EventKind::RecoveryStarted,
        EventKind::DnsUpdated,
        EventKind::InstanceAdded,
        EventKind::InstanceRemoved,
        EventKind::AutoScalingEvaluated,
        EventKind::CapacityChanged,
        EventKind::Paused,
        EventKind::Resuming,
        EventKind::Resumed,
        EventKind::ScalingPointWait,
        EventKind::ScalingTimedOut,
        EventKind::RegionAdded,
        EventKind::SwitchoverStarted,
        EventKind::GlobalFailoverStarted,
        EventKind::GlobalPromoted,
        EventKind::GlobalPromotionAbandoned,
        EventKind::RegionDown,
        EventKind::InvariantViolated,
        EventKind::RowsDeleted,
        EventKind::BacktrackStarted,
        EventKind::BacktrackDone,
        EventKind::RestoreStarted,
        EventKind::CloneStarted,
        EventKind::ClusterAvailable,
    ];

    /// The word lesson files use.
    pub fn name(self) -> &'static str {
        use EventKind::*;
        match self {
            NodeDown => "node-down",
            NodeUp => "node-up",
            WriteQuorumLost => "write-quorum-lost",
            WriteQuorumRegained => "write-quorum-regained",
            ReadQuorumLost => "read-quorum-lost",
            ReadQuorumRegained => "read-quorum-regained",
            CommitAcked => "commit-acked",
            PageRead => "page-read",
            RepairStarted => "repair-started",
            RepairDeferred => "repair-deferred",
            RepairFinished => "repair-finished",
            MembershipChanged => "membership-changed",
            StaleEpochRejected => "stale-epoch-rejected",
            VolumeRecovered => "volume-recovered",
            VolumeGrown => "volume-grown",
            WriterThrottled => "writer-throttled",
            ReplicaApplied => "replica-applied",
            FailoverStarted => "failover-started",
            FailoverFinished => "failover-finished",
            NoFailoverTarget => "no-failover-target",
            RecoveryStarted => "recovery-started",
            DnsUpdated => "dns-updated",
            InstanceAdded => "instance-added",
            InstanceRemoved => "instance-removed",
            AutoScalingEvaluated => "autoscaling-evaluated",
            CapacityChanged => "capacity-changed",
            Paused => "paused",
            Resuming => "resuming",
            Resumed => "resumed",
            ScalingPointWait => "scaling-point-wait",
            ScalingTimedOut => "scaling-timed-out",
            RegionAdded => "region-added",
            SwitchoverStarted => "switchover-started",
            GlobalFailoverStarted => "global-failover-started",
            GlobalPromoted => "global-promoted",
            GlobalPromotionAbandoned => "global-promotion-abandoned",
            RegionDown => "region-down",
            InvariantViolated => "invariant-violated",
            RowsDeleted => "rows-deleted",
            BacktrackStarted => "backtrack-started",
            BacktrackDone => "backtrack-done",
            RestoreStarted => "restore-started",
            CloneStarted => "clone-started",
            ClusterAvailable => "cluster-available",
        }
    }

    pub fn from_name(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// The kind of a model event, if lessons can name it.
    pub fn of(ev: &Event) -> Option<EventKind> {
        use EventKind as K;
        Some(match ev {
            Event::NodeDown(_) => K::NodeDown,
            Event::NodeUp(_) => K::NodeUp,
            Event::WriteQuorumLost { .. } => K::WriteQuorumLost,
            Event::WriteQuorumRegained { .. } => K::WriteQuorumRegained,
            Event::ReadQuorumLost { .. } => K::ReadQuorumLost,
            Event::ReadQuorumRegained { .. } => K::ReadQuorumRegained,
            Event::CommitsAcknowledged { .. } => K::CommitAcked,
            Event::PageRead { .. } => K::PageRead,
            Event::RepairStarted { .. } => K::RepairStarted,
            Event::RepairDeferred { .. } => K::RepairDeferred,
            Event::RepairFinished { .. } => K::RepairFinished,
            Event::MembershipChanged { .. } => K::MembershipChanged,
            Event::StaleEpochRejected { .. } => K::StaleEpochRejected,
            Event::VolumeRecovered { .. } => K::VolumeRecovered,
            Event::VolumeGrown { .. } => K::VolumeGrown,
            Event::WriterThrottled { .. } => K::WriterThrottled,
            Event::ReplicaApplied { .. } => K::ReplicaApplied,
            Event::FailoverStarted { .. } => K::FailoverStarted,
            Event::FailoverFinished { .. } => K::FailoverFinished,
            Event::NoFailoverTarget { .. } => K::NoFailoverTarget,
            Event::RecoveryStarted { .. } => K::RecoveryStarted,
            Event::DnsUpdated { .. } => K::DnsUpdated,
            Event::InstanceAdded { .. } => K::InstanceAdded,
            Event::InstanceRemoved { .. } => K::InstanceRemoved,
            Event::AutoScalingEvaluated { .. } => K::AutoScalingEvaluated,
            Event::CapacityChanged { .. } => K::CapacityChanged,
            Event::Paused { .. } => K::Paused,
            Event::Resuming { .. } => K::Resuming,
            Event::Resumed { .. } => K::Resumed,
            Event::ScalingPointWait { .. } => K::ScalingPointWait,
            Event::ScalingTimedOut { .. } => K::ScalingTimedOut,
            Event::RegionAdded { .. } => K::RegionAdded,
            Event::SwitchoverStarted { .. } => K::SwitchoverStarted,
            Event::GlobalFailoverStarted { .. } => K::GlobalFailoverStarted,
            Event::GlobalPromoted { .. } => K::GlobalPromoted,
            Event::GlobalPromotionAbandoned { .. } => K::GlobalPromotionAbandoned,
            Event::RegionDown { .. } => K::RegionDown,
            Event::InvariantViolated { .. } => K::InvariantViolated,
            Event::Backup(crate::backup::BackupEvent::RowsDeleted { .. }) => K::RowsDeleted,
            Event::Backup(crate::backup::BackupEvent::BacktrackStarted { .. }) => {
                K::BacktrackStarted
            }
            Event::Backup(crate::backup::BackupEvent::BacktrackDone { .. }) => K::BacktrackDone,
            Event::Backup(crate::backup::BackupEvent::RestoreStarted { .. }) => K::RestoreStarted,
            Event::Backup(crate::backup::BackupEvent::CloneStarted { .. }) => K::CloneStarted,
            Event::Backup(crate::backup::BackupEvent::ClusterAvailable { .. }) => {
                K::ClusterAvailable
            }
            _ => return None,
        })
    }

    fn bit(self) -> u64 {
        1 << (self as u32)
    }
}

/// What a lesson has seen of the event stream: which kinds since the step's watch started,
/// and a few tallies since the lesson started. Small and `Clone`, so a checkpoint of the page
/// can keep it beside the simulation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observed {
    /// When the current watch started, and the writer's highest LSN then.
    pub since: SimTime,
    pub lsn_at_start: Lsn,
    /// Commits acknowledged and redo batches flushed when the watch started.
    pub commits_at_start: u64,
    pub batches_at_start: u64,
    /// Requests refused for overload when the watch started.
    pub overloaded_at_start: u64,
    seen: u64,
    /// Page reads, each served by one segment (P18 §3.1).
    pub page_reads: u64,
    /// Messages that carried a data page to a storage node (Aurora sends none, P17 §3.2).
    pub page_writes: u64,
    /// Quorum reads: crash recovery's requests for a segment's SCL (P17 §4.3).
    pub quorum_reads: u64,
    /// The fewest segments holding a PG's records when its PGCL advanced.
    pub acks_at_quorum: Option<u8>,
    /// When the primary region went down or a switchover started, and how long until a
    /// secondary was promoted.
    pub global_change_at: Option<SimTime>,
    pub global_rto: Option<SimDuration>,
    /// LSNs lost by the last region promotion.
    pub rpo_lsns: Option<u64>,
}

impl Observed {
    /// Starts a new watch: forgets which kinds were seen, keeps the tallies.
    pub fn start_watch(&mut self, sim: &Sim) {
        self.since = sim.now();
        self.lsn_at_start = sim.view().writer.max_lsn;
        self.commits_at_start = sim.metrics().commits_acked;
        self.batches_at_start = sim.metrics().redo_batches;
        self.overloaded_at_start = sim.metrics().overloaded;
        self.seen = 0;
    }

    /// Whether an event of `kind` happened since the watch started.
    pub fn seen(&self, kind: EventKind) -> bool {
        self.seen & kind.bit() != 0
    }

    /// Takes in one event from the model's stream.
    /// `sim` is the simulation the event came from (for the kind of node a message went to).
    pub fn note(&mut self, sim: &Sim, at: SimTime, ev: &Event) {
        if let Some(k) = EventKind::of(ev) {
            self.seen |= k.bit();
        }
        match *ev {
            Event::PageRead { .. } => self.page_reads += 1,
            Event::MessageSent {
                kind: MsgKind::RecoveryScan,
                ..
            } => self.quorum_reads += 1,
            Event::MessageSent {
                kind: MsgKind::PageData,
                to,
                ..
            } if sim
                .inspect()
                .topology()
                .get(to)
                .is_some_and(|n| n.kind == crate::topology::NodeKind::Storage) =>
            {
                self.page_writes += 1
            }
            Event::PgclAdvanced { holders, .. } => {
                self.acks_at_quorum = Some(self.acks_at_quorum.map_or(holders, |h| h.min(holders)));
            }
            Event::RegionDown { .. } | Event::SwitchoverStarted { .. }
                if self.global_change_at.is_none() =>
            {
                self.global_change_at = Some(at);
            }
            Event::GlobalPromoted { rpo_lsns, .. } => {
                if let Some(t) = self.global_change_at.take() {
                    self.global_rto = Some(at - t);
                }
                self.rpo_lsns = Some(rpo_lsns);
            }
            _ => {}
        }
    }
}
