//! What backups, restores, Backtrack and clones report, and the plain types they name.

use core::fmt;

use crate::time::SimTime;

/// Rows of `products`. [sim default — not sourced]
pub const PRODUCTS_ROWS: u32 = 256;
/// Rows of `orders`. [sim default — not sourced]
pub const ORDERS_ROWS: u32 = 768;
/// Every row of every table.
pub const ROWS: usize = (PRODUCTS_ROWS + ORDERS_ROWS) as usize;

/// A table of the shop's database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Table {
    Products,
    Orders,
}

impl Table {
    pub const ALL: [Table; 2] = [Table::Products, Table::Orders];

    pub fn name(self) -> &'static str {
        match self {
            Table::Products => "products",
            Table::Orders => "orders",
        }
    }

    /// Looks a table up by its name.
    pub fn parse(s: &str) -> Option<Table> {
        Table::ALL.into_iter().find(|t| t.name() == s)
    }

    /// The table's rows as a range of row numbers.
    pub fn rows(self) -> core::ops::Range<usize> {
        match self {
            Table::Products => 0..PRODUCTS_ROWS as usize,
            Table::Orders => PRODUCTS_ROWS as usize..ROWS,
        }
    }

    pub fn of_row(row: usize) -> Table {
        if row < PRODUCTS_ROWS as usize {
            Table::Products
        } else {
            Table::Orders
        }
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An automated or manual snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SnapshotKind {
    /// Taken daily in the backup window; expires with the retention period.
    Automated,
    /// Taken on request; kept until deleted, beyond the retention period.
    Manual,
}

/// A simulated time as a clock reading: day 1 starts at 00:00:00.
pub struct Clock(pub SimTime);

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.as_micros() / 1_000_000;
        let (d, h, m, s) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
        if d > 0 {
            write!(f, "day {} ", d + 1)?;
        }
        write!(f, "{h:02}:{m:02}:{s:02}")
    }
}

fn hms(t: SimTime) -> Clock {
    Clock(t)
}

/// What happened, for the event stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BackupEvent {
    RowsDeleted {
        table: Table,
        rows: u32,
        lsn: u64,
    },
    SnapshotTaken {
        id: u32,
        kind: SnapshotKind,
    },
    SnapshotExpired {
        id: u32,
    },
    RetentionSet {
        days: u8,
    },
    RestoreStarted {
        cluster: u32,
        to: SimTime,
        vdl: u64,
        ready_at: SimTime,
    },
    CloneStarted {
        cluster: u32,
        source: u32,
        full_copy: bool,
        ready_at: SimTime,
    },
    ClusterAvailable {
        cluster: u32,
    },
    ClusterDeleted {
        cluster: u32,
    },
    BacktrackStarted {
        to: SimTime,
        landed: SimTime,
        vdl: u64,
        dropped_commits: u32,
        voided_upto: u64,
    },
    BacktrackDone {
        landed: SimTime,
    },
}

impl BackupEvent {
    /// Folds the event into the trace digest.
    pub(crate) fn digest_words(&self) -> [u64; 4] {
        use BackupEvent::*;
        let t = |s: SimTime| s.as_micros();
        match *self {
            RowsDeleted { table, rows, lsn } => [60, table as u64, rows as u64, lsn],
            SnapshotTaken { id, kind } => [61, id as u64, kind as u64, 0],
            SnapshotExpired { id } => [62, id as u64, 0, 0],
            RetentionSet { days } => [63, days as u64, 0, 0],
            RestoreStarted {
                cluster,
                to,
                vdl,
                ready_at,
            } => [64, cluster as u64 ^ t(ready_at) << 8, t(to), vdl],
            CloneStarted {
                cluster,
                source,
                full_copy,
                ready_at,
            } => [
                65,
                cluster as u64 | (source as u64) << 32,
                full_copy as u64,
                t(ready_at),
            ],
            ClusterAvailable { cluster } => [66, cluster as u64, 0, 0],
            ClusterDeleted { cluster } => [67, cluster as u64, 0, 0],
            BacktrackStarted {
                to,
                landed,
                vdl,
                dropped_commits,
                voided_upto,
            } => [
                68,
                t(to) ^ (dropped_commits as u64) << 48,
                t(landed) ^ voided_upto << 20,
                vdl,
            ],
            BacktrackDone { landed } => [69, t(landed), 0, 0],
        }
    }
}

impl fmt::Display for BackupEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BackupEvent::RowsDeleted { table, rows, lsn } => {
                write!(f, "DELETE FROM {table}: {rows} rows get a deleted version at LSN {lsn}")
            }
            BackupEvent::SnapshotTaken { id, kind } => match kind {
                SnapshotKind::Automated => write!(f, "automated snapshot {id} taken in the backup window"),
                SnapshotKind::Manual => write!(f, "manual snapshot {id} taken; kept beyond retention"),
            },
            BackupEvent::SnapshotExpired { id } => {
                write!(f, "automated snapshot {id} expired with the retention period")
            }
            BackupEvent::RetentionSet { days } => write!(f, "backups kept {days} days"),
            BackupEvent::RestoreStarted { cluster, to, vdl, ready_at } => write!(
                f,
                "restoring {} (VDL {vdl}) into new cluster {cluster}, ready at {}",
                hms(*to),
                hms(*ready_at)
            ),
            BackupEvent::CloneStarted { cluster, source, full_copy, ready_at } => write!(
                f,
                "cloning cluster {source} into cluster {cluster} ({}), ready at {}",
                if *full_copy { "a full copy: the source has 15 copy-on-write clones" } else { "copy-on-write: it shares every page" },
                hms(*ready_at)
            ),
            BackupEvent::ClusterAvailable { cluster } => {
                write!(f, "cluster {cluster} is available: its writer instance takes connections")
            }
            BackupEvent::ClusterDeleted { cluster } => write!(f, "cluster {cluster} deleted"),
            BackupEvent::BacktrackStarted { to, landed, vdl, dropped_commits, voided_upto } => write!(
                f,
                "backtrack to {} lands on {} (VDL {vdl}): database paused, connections closed, {dropped_commits} uncommitted transactions dropped, log after it up to LSN {voided_upto} void",
                hms(*to),
                hms(*landed)
            ),
            BackupEvent::BacktrackDone { landed } => {
                write!(f, "backtrack done: the database is as it was at {}", hms(*landed))
            }
        }
    }
}
