//! What comes in: commands a person, a scenario or a test applies at a simulated time.

use crate::ids::{AzId, NodeId, SegmentId};
use crate::net::Partition;
use crate::settings::load::{ClientWorkload, WorkloadConfig};
use crate::settings::scaling::Policy;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// A fault to inject, or (with [`Command::Heal`]) to heal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Fault {
    /// A node (storage node or DB instance) crashes; healing restarts it with its disks intact.
    CrashNode(NodeId),
    /// A segment's disk fails and its data is gone; storage re-replicates it elsewhere.
    LoseSegment(SegmentId),
    /// Every node in the AZ goes down; healing brings them back.
    FailAz(AzId),
    /// A network partition.
    Partition(Partition),
    /// A node becomes slow: its messages and disk take `pct` percent of normal time.
    SlowNode { node: NodeId, pct: u32 },
    /// A whole region goes down (clients stand for users elsewhere and stay up).
    FailRegion(crate::ids::RegionId),
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::CrashNode(n) => write!(f, "crash {n}"),
            Fault::LoseSegment(s) => write!(f, "lose {s}"),
            Fault::FailAz(z) => write!(f, "fail {z}"),
            Fault::Partition(p) => write!(f, "partition: {p}"),
            Fault::SlowNode { node, pct } => write!(f, "slow {node} to {pct}%"),
            Fault::FailRegion(r) => write!(f, "fail region {}", r.0),
        }
    }
}

/// An input to the simulation.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Command {
    /// Run one client transaction on the writer: `mtrs` mini-transactions of redo, then commit.
    Transaction { mtrs: u8 },
    /// Write one mini-transaction into the open manual transaction (no commit yet).
    Write,
    /// Commit the open manual transaction.
    Commit,
    /// Read one page through the writer's buffer cache.
    Read,
    /// Replace the background workload.
    SetWorkload(WorkloadConfig),
    /// Grow the volume by this many bytes at once (a bulk load).
    GrowVolume { bytes: u64 },
    /// Inject a fault.
    Inject(Fault),
    /// Heal a fault injected earlier.
    Heal(Fault),
    /// Add a read replica in an AZ (or the least used AZ) with a class and promotion tier.
    AddReplica {
        az: Option<AzId>,
        class: String,
        tier: u8,
    },
    /// Delete a replica.
    RemoveReplica(NodeId),
    /// Change a replica's promotion tier (never triggers a failover).
    SetTier { node: NodeId, tier: u8 },
    /// Fail over now, to the given replica or the best one.
    Failover { target: Option<NodeId> },
    /// Replace the client workload.
    SetClients(ClientWorkload),
    /// Add a custom endpoint over the named instances.
    AddCustomEndpoint { name: String, members: Vec<NodeId> },
    /// Turn replica auto scaling on (with a policy) or off.
    SetAutoScaling(Option<Policy>),
    /// Make an instance provisioned or serverless.
    SetCapacity {
        node: NodeId,
        capacity: crate::settings::capacity::Capacity,
    },
    /// Hold a long-running transaction open on the writer (Serverless v1 cannot scale then).
    LongTransaction { duration: crate::time::SimDuration },
    /// Add a secondary region (making the cluster a global database).
    AddSecondaryRegion,
    /// Planned switchover to a secondary region (RPO 0).
    Switchover { region: crate::ids::RegionId },
    /// Unplanned failover to a secondary region (RPO = its lag).
    GlobalFailover { region: crate::ids::RegionId },
    /// Writes per second forwarded from secondary replicas to the primary.
    SetWriteForwarding { per_sec: u32 },
    /// Write forwarding's read consistency: EVENTUAL, SESSION or GLOBAL.
    SetReadConsistency(crate::settings::forwarding::ReadConsistency),
    /// Backups, point-in-time restore, Backtrack and clones.
    Backup(crate::backup_command::BackupCommand),
}

/// Why a command could not be applied. Every message says what was wrong in words a student
/// understands; nothing in the core panics on bad input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommandError {
    /// No such node.
    UnknownNode(NodeId),
    /// No such segment.
    UnknownSegment(SegmentId),
    /// No such AZ.
    UnknownAz(AzId),
    /// The node is already down.
    AlreadyDown(NodeId),
    /// The DB instance is down and cannot run the request.
    InstanceDown(NodeId),
    /// That fault is already in force.
    AlreadyFailed(Fault),
    /// The node is not down, so it cannot be restarted.
    NotDown(NodeId),
    /// The segment is already lost or being replaced.
    SegmentNotHealthy(SegmentId),
    /// That fault is not in force, so there is nothing to heal.
    NotInForce(Fault),
    /// A lost segment is healed by re-replication, not by a command.
    CannotHealLoss(SegmentId),
    /// The slowdown must be at least 100 %.
    BadSlowness(u32),
    /// No manual transaction is open.
    NoOpenTransaction,
    /// The volume cannot grow past its maximum size.
    VolumeFull {
        max_bytes: u64,
    },
    /// A workload setting is out of range.
    BadWorkload(&'static str),
    /// The node is not a DB instance.
    NotAnInstance(NodeId),
    /// The instance is not a replica.
    NotAReplica(NodeId),
    /// A cluster has at most 15 replicas.
    TooManyReplicas,
    /// No such instance class.
    UnknownClass(String),
    /// Promotion tiers run 0–15.
    BadTier(u8),
    /// A failover is already under way.
    FailoverInProgress,
    /// No replica is available to promote.
    NoFailoverTarget,
    /// A custom endpoint needs at least one member.
    EmptyEndpoint,
    /// At most 5 custom endpoints.
    TooManyEndpoints,
    /// An auto scaling setting is out of range.
    BadPolicy(&'static str),
    /// A capacity setting is out of range.
    BadCapacity(&'static str),
    /// That region is not a secondary of this global database.
    NotASecondary(crate::ids::RegionId),
    /// At most 10 secondary regions.
    TooManyRegions,
    /// A switchover or promotion is already under way.
    GlobalChangeInProgress,
    Backup(crate::backup_command::BackupError),
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::Backup(e) => write!(f, "{e}"),
            CommandError::UnknownNode(n) => write!(f, "there is no {n}"),
            CommandError::UnknownSegment(s) => write!(f, "there is no {s}"),
            CommandError::UnknownAz(z) => write!(f, "there is no {z}: a region has AZs a, b and c"),
            CommandError::AlreadyDown(n) => write!(f, "{n} is already down"),
            CommandError::InstanceDown(n) => {
                write!(f, "{n} is down: restart it or wait for failover")
            }
            CommandError::AlreadyFailed(fault) => write!(f, "\"{fault}\" is already in force"),
            CommandError::NotDown(n) => write!(f, "{n} is running, so there is nothing to restart"),
            CommandError::SegmentNotHealthy(s) => {
                write!(f, "{s} is already lost or being replaced")
            }
            CommandError::NotInForce(fault) => {
                write!(f, "cannot heal \"{fault}\": that fault is not in force")
            }
            CommandError::CannotHealLoss(s) => write!(
                f,
                "{s}'s data is gone; storage heals it by re-replicating from its peers"
            ),
            CommandError::BadSlowness(p) => {
                write!(
                    f,
                    "a slow node runs at 100% of normal time or more, not {p}%"
                )
            }
            CommandError::NoOpenTransaction => write!(f, "no transaction is open: write first"),
            CommandError::VolumeFull { max_bytes } => write!(
                f,
                "the volume cannot grow past its maximum of {} TiB",
                max_bytes >> 40
            ),
            CommandError::BadWorkload(why) => write!(f, "bad workload: {why}"),
            CommandError::NotAnInstance(n) => write!(f, "{n} is not a DB instance"),
            CommandError::NotAReplica(n) => {
                write!(
                    f,
                    "{n} is not an available replica, so it cannot be promoted or removed"
                )
            }
            CommandError::TooManyReplicas => {
                write!(f, "a cluster has at most 15 replicas besides its writer")
            }
            CommandError::UnknownClass(c) => write!(f, "there is no instance class \"{c}\""),
            CommandError::BadTier(t) => write!(f, "promotion tiers run from 0 to 15, not {t}"),
            CommandError::FailoverInProgress => write!(f, "a failover is already under way"),
            CommandError::NoFailoverTarget => {
                write!(f, "no replica is up to take over: add one first")
            }
            CommandError::EmptyEndpoint => {
                write!(f, "a custom endpoint needs at least one instance")
            }
            CommandError::TooManyEndpoints => write!(f, "a cluster has at most 5 custom endpoints"),
            CommandError::BadPolicy(why) => write!(f, "bad auto scaling policy: {why}"),
            CommandError::BadCapacity(why) => write!(f, "bad capacity: {why}"),
            CommandError::NotASecondary(r) => {
                write!(
                    f,
                    "region {} is not a live secondary region of this global database",
                    r.0
                )
            }
            CommandError::TooManyRegions => {
                write!(f, "a global database has at most 10 secondary regions")
            }
            CommandError::GlobalChangeInProgress => {
                write!(f, "a switchover or failover is already under way")
            }
        }
    }
}

impl core::error::Error for CommandError {}
