//! Continuous backup, point-in-time restore, Backtrack and cloning (reference §8).
//!
//! This subsystem owns the data a student can see ([`data`]), what S3 holds of it ([`s3`]),
//! the clusters restored or cloned from it ([`pitr`], [`clone`]) and Backtrack's state
//! ([`backtrack`]). It touches the rest of the model in two narrow places: the writer calls
//! [`Backup::on_commit`] for each commit it acknowledges, and a once-a-second tick
//! ([`on_tick`]) reads VDL and the PGs' backed-up points. Effects on the writer (Backtrack's
//! pause) go back through the dispatch in `sim.rs`.

pub mod backtrack;
pub mod clone;
pub mod data;
pub mod pitr;
pub mod s3;

pub use crate::backup_command::{BackupCommand, BackupError, Engine};
pub use crate::event::backup::{BackupEvent, Clock};
use crate::storage::Storage;
use crate::time::SimTime;
use alloc::vec::Vec;
use data::{Rows, Table};
use s3::{Image, Images, Snapshot, SnapshotKind};

/// Backup retention, shortest: one day; backups cannot be turned off. UG:Overview of backing
/// up and restoring an Aurora DB cluster (2023)
pub const MIN_RETENTION_DAYS: u8 = 1;
/// Backup retention, longest. UG:Overview of backing up and restoring an Aurora DB cluster (2023)
pub const MAX_RETENTION_DAYS: u8 = 35;
/// Backup retention by default. UG:Overview of backing up and restoring an Aurora DB cluster (2023)
pub const DEFAULT_RETENTION_DAYS: u8 = 1;

/// How the cluster is created, as far as backups go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BackupConfig {
    pub engine: Engine,
    pub retention_days: u8,
    /// Backtrack's target window in hours; 0 leaves it off for good. Set only at creation.
    pub backtrack_hours: u8,
    /// Binary log replication to another cluster is on (MySQL).
    pub binlog: bool,
}

impl Default for BackupConfig {
    fn default() -> Self {
        BackupConfig {
            engine: Engine::MySql,
            retention_days: DEFAULT_RETENTION_DAYS,
            backtrack_hours: 0,
            binlog: false,
        }
    }
}

/// Verification kept only when full checking is on: what reads returned, and every
/// acknowledged version, to hold restores and backtracks against.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Audit {
    /// (time, VDL, digest of the rows a read returned).
    pub reads: Vec<(SimTime, u64, u64)>,
    /// (acknowledged at, row, LSN) of every data write, with backtracks as `u32::MAX` rows.
    pub acked: Vec<(SimTime, u32, u64)>,
}

/// The subsystem's state.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Backup {
    pub config: BackupConfig,
    /// The production cluster's rows, as acknowledged.
    pub rows: Rows,
    pub images: Images,
    /// Deletes waiting for their commit to be acknowledged: (commit LSN, table).
    pending: Vec<(u64, Table)>,
    /// Commits at or below this LSN were dropped by a backtrack: they never apply.
    pub voided_upto: u64,
    pub snapshots: Vec<Snapshot>,
    next_snapshot: u32,
    next_window: SimTime,
    pub backtrack: backtrack::Backtrack,
    pub clusters: Vec<clone::Cluster>,
    pub(crate) audit: Option<Audit>,
    /// How far the latest restorable time trailed now, sampled once a second.
    pub lag: LagStats,
}

/// Samples of how far the latest restorable time trails now.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LagStats {
    pub samples: u64,
    pub sum_us: u64,
    pub max_us: u64,
}

impl Default for Backup {
    fn default() -> Self {
        Backup::new(BackupConfig::default())
    }
}

impl Backup {
    pub fn new(config: BackupConfig) -> Backup {
        Backup {
            config,
            rows: Rows::default(),
            images: Images::default(),
            pending: Vec::new(),
            voided_upto: 0,
            snapshots: Vec::new(),
            next_snapshot: 1,
            next_window: s3::next_window(SimTime::ZERO),
            backtrack: backtrack::Backtrack::new(config.backtrack_hours),
            clusters: Vec::new(),
            audit: None,
            lag: LagStats::default(),
        }
    }

    /// The writer acknowledged the commit at `lsn`: its row gets a new version (or, for a
    /// pending delete, its table's rows get deleted versions). The hot path: a hash and a store.
    #[inline]
    pub(crate) fn on_commit(&mut self, now: SimTime, lsn: u64) {
        if lsn <= self.voided_upto {
            return;
        }
        if let Some(&(at, table)) = self.pending.first() {
            if at == lsn {
                self.pending.remove(0);
                self.delete(now, table, lsn);
                return;
            }
        }
        let row = data::row_of(lsn);
        if self.rows.write(row, lsn) {
            if !self.clusters.is_empty() {
                clone::source_wrote(&mut self.clusters, 0, row);
            }
            if let Some(a) = &mut self.audit {
                a.acked.push((now, row as u32, lsn));
            }
        }
    }

    fn delete(&mut self, now: SimTime, table: Table, lsn: u64) {
        self.rows.delete(table, lsn);
        for row in table.rows() {
            clone::source_wrote(&mut self.clusters, 0, row);
            if let Some(a) = &mut self.audit {
                a.acked.push((now, row as u32, lsn));
            }
        }
    }

    /// A `DELETE FROM table` transaction got commit LSN `lsn`; it applies when acknowledged.
    pub(crate) fn delete_pending(&mut self, table: Table, lsn: u64) {
        self.pending.push((lsn, table));
    }

    /// The volume's backed-up point: the lowest over PGs of what each has staged to S3.
    pub fn backed_up_point(storage: &Storage) -> u64 {
        storage
            .pgs
            .iter()
            .map(|pg| Self::pg_backed_up(storage, pg))
            .min()
            .unwrap_or(0)
    }

    /// What one PG has staged to S3: the most any of its segments has.
    pub fn pg_backed_up(storage: &Storage, pg: &crate::storage::ProtectionGroup) -> u64 {
        pg.member_slots()
            .map(|(_, s)| storage.segments[s.index()].backed_up.0)
            .max()
            .unwrap_or(0)
    }

    /// The earliest restorable time: the retention period back from now, or the cluster's
    /// first consistent image.
    pub fn earliest_restorable(&self, now: SimTime) -> SimTime {
        let back = s3::DAY.saturating_mul(self.config.retention_days as u64);
        let floor = SimTime::from_micros(now.as_micros().saturating_sub(back.as_micros()));
        let first = self.images.all().first().map_or(now, |i| i.time);
        floor.max(first)
    }

    /// The latest restorable time: the newest image whose point every PG has in S3.
    pub fn latest_restorable(&self, storage: &Storage) -> Option<&Image> {
        self.images
            .latest_restorable(Self::backed_up_point(storage))
    }

    pub fn set_retention(&mut self, days: u8) -> Result<BackupEvent, BackupError> {
        if !(MIN_RETENTION_DAYS..=MAX_RETENTION_DAYS).contains(&days) {
            return Err(BackupError::RetentionOutOfRange(days));
        }
        self.config.retention_days = days;
        Ok(BackupEvent::RetentionSet { days })
    }

    fn snapshot(&mut self, kind: SnapshotKind, now: SimTime, vdl: u64, bytes: u64) -> BackupEvent {
        let id = self.next_snapshot;
        self.next_snapshot += 1;
        self.snapshots.push(Snapshot {
            id,
            kind,
            time: now,
            vdl,
            rows: self.rows.freeze(),
            volume_bytes: bytes,
        });
        BackupEvent::SnapshotTaken { id, kind }
    }

    /// A manual snapshot of the rows now.
    pub fn snapshot_now(&mut self, now: SimTime, vdl: u64, bytes: u64) -> BackupEvent {
        self.snapshot(SnapshotKind::Manual, now, vdl, bytes)
    }

    pub fn cluster(&self, id: u32) -> Option<&clone::Cluster> {
        self.clusters.iter().find(|c| c.id == id && !c.deleted)
    }
}

/// How many change records a cluster keeps for Backtrack, and its bill. Re-exported for views.
pub use backtrack::CHANGE_RECORD_PRICE_PER_MILLION_HOURS;

impl Backup {
    /// Once a second: takes the image a read at VDL returns now, keeps the restorable window
    /// and the snapshots, bills change records, moves restored and cloned clusters along.
    /// Returns what happened.
    pub(crate) fn tick(
        &mut self,
        now: SimTime,
        vdl: u64,
        allocated: u64,
        backed_up: u64,
        volume_bytes: u64,
    ) -> Vec<BackupEvent> {
        let mut out = Vec::new();
        let rows = match self.images.newest() {
            Some(last) if !self.rows.dirty => last.rows.clone(),
            _ => self.rows.freeze(),
        };
        self.rows.dirty = false;
        let digest = self.rows.digest();
        if let Some(a) = &mut self.audit {
            a.reads.push((now, vdl, digest));
        }
        let writes = self.rows.writes;
        self.images.push(Image {
            time: now,
            vdl,
            allocated,
            rows,
            digest,
            writes,
        });
        if let Some(latest) = self.images.latest_restorable(backed_up) {
            let lag = now.as_micros() - latest.time.as_micros();
            self.lag.samples += 1;
            self.lag.sum_us += lag;
            self.lag.max_us = self.lag.max_us.max(lag);
        }
        let earliest = self.earliest_restorable(now);
        self.images.expire_before(earliest);
        // Automated snapshots: one a day in the window; each expires with the retention period.
        if now >= self.next_window {
            self.next_window = s3::next_window(now);
            out.push(self.snapshot(SnapshotKind::Automated, now, vdl, volume_bytes));
        }
        let keep = s3::DAY
            .saturating_mul(self.config.retention_days as u64)
            .as_micros();
        self.snapshots.retain(|s| {
            let old =
                s.kind == SnapshotKind::Automated && now.as_micros() - s.time.as_micros() > keep;
            if old {
                out.push(BackupEvent::SnapshotExpired { id: s.id });
            }
            !old
        });
        self.backtrack.bill(now, allocated, &self.images);
        out.extend(clone::tick(&mut self.clusters, now));
        out
    }
}
