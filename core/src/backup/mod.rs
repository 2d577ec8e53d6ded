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
pub(crate) mod scenarios;

use alloc::vec::Vec;
use core::fmt;

use crate::engine::{Ev, Kernel};
use crate::ids::RegionId;
use crate::sim::Model;
use crate::storage::Storage;
use crate::time::SimTime;
use data::{Rows, Table};
use s3::{Image, Images, Snapshot, SnapshotKind};

/// Backup retention, shortest: one day; backups cannot be turned off. UG:Overview of backing
/// up and restoring an Aurora DB cluster (2023)
pub const MIN_RETENTION_DAYS: u8 = 1;
/// Backup retention, longest. UG:Overview of backing up and restoring an Aurora DB cluster (2023)
pub const MAX_RETENTION_DAYS: u8 = 35;
/// Backup retention by default. UG:Overview of backing up and restoring an Aurora DB cluster (2023)
pub const DEFAULT_RETENTION_DAYS: u8 = 1;

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
            BackupEvent::ClusterAvailable { cluster } => write!(f, "cluster {cluster} is available"),
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
    tick_scheduled: bool,
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
            tick_scheduled: false,
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

/// Starts the once-a-second tick (called when the model is built).
pub(crate) fn start(k: &mut Kernel, m: &mut Model) {
    if !m.backup.tick_scheduled {
        m.backup.tick_scheduled = true;
        k.schedule(k.now, Ev::BackupTick);
    }
}

/// Takes the second's image, keeps the restorable window and the snapshots, bills change
/// records, moves restored and cloned clusters along.
pub(crate) fn on_tick(k: &mut Kernel, m: &mut Model) {
    let now = k.now;
    k.schedule_in(s3::IMAGE_INTERVAL, Ev::BackupTick);
    let vdl = m.writer.log.vdl().0;
    let allocated = m.writer.log.max_allocated().0;
    let b = &mut m.backup;
    let rows = match b.images.newest() {
        Some(last) if !b.rows.dirty => last.rows.clone(),
        _ => b.rows.freeze(),
    };
    b.rows.dirty = false;
    let digest = b.rows.digest();
    if let Some(a) = &mut b.audit {
        a.reads.push((now, vdl, digest));
    }
    let writes = b.rows.writes;
    b.images.push(Image {
        time: now,
        vdl,
        allocated,
        rows,
        digest,
        writes,
    });
    let backed_up = Backup::backed_up_point(&m.storage);
    if let Some(latest) = b.images.latest_restorable(backed_up) {
        let lag = now.as_micros() - latest.time.as_micros();
        b.lag.samples += 1;
        b.lag.sum_us += lag;
        b.lag.max_us = b.lag.max_us.max(lag);
    }
    let earliest = b.earliest_restorable(now);
    b.images.expire_before(earliest);
    // Automated snapshots: one a day in the window; each expires with the retention period.
    if now >= b.next_window {
        b.next_window = s3::next_window(now);
        let bytes = m.storage.volume_bytes;
        let ev = b.snapshot(SnapshotKind::Automated, now, vdl, bytes);
        k.emit(crate::event::Event::Backup(ev));
    }
    let keep = s3::DAY
        .saturating_mul(b.config.retention_days as u64)
        .as_micros();
    let mut expired = Vec::new();
    b.snapshots.retain(|s| {
        let old = s.kind == SnapshotKind::Automated && now.as_micros() - s.time.as_micros() > keep;
        if old {
            expired.push(s.id);
        }
        !old
    });
    for id in expired {
        k.emit(crate::event::Event::Backup(BackupEvent::SnapshotExpired {
            id,
        }));
    }
    b.backtrack.bill(now, allocated, &b.images);
    for ev in clone::tick(&mut b.clusters, now) {
        k.emit(crate::event::Event::Backup(ev));
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
