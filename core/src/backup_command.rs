//! What a person, a scenario or a test asks of backups, restores, Backtrack and clones, and why
//! such a request is refused.

use core::fmt;

use crate::event::backup::{Clock, Table};
use crate::ids::RegionId;
use crate::time::SimTime;

fn hms(t: SimTime) -> Clock {
    Clock(t)
}

/// The database engine a cluster is compatible with: Backtrack exists only for MySQL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Engine {
    #[default]
    MySql,
    PostgreSql,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::MySql => "Aurora MySQL",
            Engine::PostgreSql => "Aurora PostgreSQL",
        }
    }
}

impl Engine {
    /// Reads an engine's short name as a link writes it: `mysql`, `postgresql`.
    pub fn parse(s: &str) -> Option<Engine> {
        match s {
            "mysql" => Some(Engine::MySql),
            "postgresql" => Some(Engine::PostgreSql),
            _ => None,
        }
    }

    /// The short name a link uses.
    pub fn slug(self) -> &'static str {
        match self {
            Engine::MySql => "mysql",
            Engine::PostgreSql => "postgresql",
        }
    }
}

/// Why a backup, restore, Backtrack or clone was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackupError {
    RetentionOutOfRange(u8),
    NotRestorable {
        at: SimTime,
        earliest: SimTime,
        latest: Option<SimTime>,
    },
    BacktrackPostgres,
    BacktrackGlobal,
    BacktrackBinlog,
    BacktrackNotEnabled,
    BacktrackWindowTooLong(u8),
    BacktrackOutsideWindow {
        to: SimTime,
        earliest: SimTime,
        now: SimTime,
    },
    BacktrackInProgress,
    UnknownCluster(u32),
    ClusterNotReady(u32),
    CloneOtherRegion(RegionId),
    CannotDeleteProduction,
}

impl fmt::Display for BackupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackupError::RetentionOutOfRange(d) => write!(
                f,
                "backups are kept 1 to 35 days and cannot be turned off, so not {d} days"
            ),
            BackupError::NotRestorable {
                at,
                earliest,
                latest,
            } => match latest {
                Some(l) => write!(
                    f,
                    "{} is outside the restorable window, {} to {}: S3 holds no consistent point there yet",
                    hms(*at),
                    hms(*earliest),
                    hms(*l)
                ),
                None => write!(f, "nothing is restorable yet: S3 holds no consistent point"),
            },
            BackupError::BacktrackPostgres => write!(
                f,
                "Backtrack exists only for Aurora MySQL; an Aurora PostgreSQL cluster goes back with a point-in-time restore into a new cluster"
            ),
            BackupError::BacktrackGlobal => write!(
                f,
                "a cluster in a Global Database cannot backtrack: the secondary regions would no longer match"
            ),
            BackupError::BacktrackBinlog => write!(
                f,
                "a cluster with binary log replication cannot backtrack: the replicas downstream would keep the undone changes"
            ),
            BackupError::BacktrackNotEnabled => write!(
                f,
                "Backtrack was not turned on when this cluster was created, restored or cloned; it cannot be turned on later"
            ),
            BackupError::BacktrackWindowTooLong(h) => {
                write!(f, "Backtrack's target window is at most 72 hours, not {h}")
            }
            BackupError::BacktrackOutsideWindow { to, earliest, now } => write!(
                f,
                "{} is outside the backtrack window, {} to {}",
                hms(*to),
                hms(*earliest),
                hms(*now)
            ),
            BackupError::BacktrackInProgress => write!(f, "a backtrack is already under way"),
            BackupError::UnknownCluster(c) => write!(f, "there is no cluster {c}"),
            BackupError::ClusterNotReady(c) => {
                write!(f, "cluster {c} is still being created: wait until it is available")
            }
            BackupError::CloneOtherRegion(r) => write!(
                f,
                "a clone is made in its source's Region only, not region {}; copy a snapshot to go across",
                r.0
            ),
            BackupError::CannotDeleteProduction => write!(
                f,
                "the simulated production cluster stays; delete a restored or cloned cluster instead"
            ),
        }
    }
}

/// What a person, a scenario or a test asks of backups, restores, Backtrack and clones.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BackupCommand {
    /// A transaction that deletes every row of `table` (the faulty deployment).
    DeleteRows {
        table: Table,
    },
    SetRetention {
        days: u8,
    },
    /// A manual snapshot, kept beyond the retention period.
    TakeSnapshot,
    /// Restores the production cluster's backup at `to` into a new cluster.
    Restore {
        to: SimTime,
        backtrack_hours: u8,
    },
    /// Rewinds the production cluster in place to the consistent time nearest `to`.
    Backtrack {
        to: SimTime,
    },
    /// Clones cluster `source` (0 is production) in `region`.
    Clone {
        source: u32,
        region: RegionId,
        backtrack_hours: u8,
    },
    DeleteCluster {
        cluster: u32,
    },
    /// A steady write load on a restored or cloned cluster.
    SetClusterWrites {
        cluster: u32,
        per_sec: u32,
    },
}

impl fmt::Display for BackupCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackupCommand::DeleteRows { table } => write!(f, "DELETE FROM {table}"),
            BackupCommand::SetRetention { days } => write!(f, "keep backups {days} days"),
            BackupCommand::TakeSnapshot => write!(f, "take a manual snapshot"),
            BackupCommand::Restore { to, .. } => write!(f, "restore to {}", Clock(*to)),
            BackupCommand::Backtrack { to } => write!(f, "backtrack to {}", Clock(*to)),
            BackupCommand::Clone { source, .. } => write!(f, "clone cluster {source}"),
            BackupCommand::DeleteCluster { cluster } => write!(f, "delete cluster {cluster}"),
            BackupCommand::SetClusterWrites { cluster, per_sec } => {
                write!(f, "{per_sec} writes/s on cluster {cluster}")
            }
        }
    }
}
