//! Backtrack: rewinding the same cluster in place to an earlier consistent time (Aurora MySQL).
//!
//! Storage is log-structured and writes never overwrite, so going back means declaring the log
//! after a consistency point void (BLOG-BT; P18 §3.4; the framing is derived). Enabling it
//! provisions a FIFO buffer of change records; the window is the target (at most 72 hours) or
//! less, when heavy writes fill the buffer first. The rewind pauses the database, closes its
//! connections and drops uncommitted work; it can go back and forward again within the window,
//! because the voided log is still there.

use super::s3::Images;
use super::BackupError;
use crate::time::{SimDuration, SimTime};

/// Backtrack's target window, longest. UG:Backtracking an Aurora DB cluster (2023)
pub const MAX_WINDOW_HOURS: u8 = 72;
/// Change records the buffer holds: the actual window is the time these cover, if shorter
/// than the target. [sim default — not sourced]
pub const BUFFER_RECORDS: u64 = 1_000_000_000;
/// How long the database is paused while it rewinds: "minutes" in UG:Backtracking an Aurora
/// DB cluster (2023), "seconds" in BLOG-BT; the model takes one minute. [sim default — not sourced]
pub const PAUSE: SimDuration = SimDuration::from_secs(60);
/// Change records are billed per million records stored per hour (UG:Backtracking an Aurora DB
/// cluster (2023) names the hourly charge, not its amount). Example price, US dollars, as
/// us-east-1 listed it. [sim default — not sourced]
pub const CHANGE_RECORD_PRICE_PER_MILLION_HOURS: f64 = 0.012;

/// Backtrack's state on the production cluster.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Backtrack {
    /// The target window in hours; 0 means off, for good.
    pub target_hours: u8,
    /// The paused database comes back at this time.
    pub until: Option<SimTime>,
    /// Backtracks done.
    pub count: u32,
    /// The last one: (asked for, landed on, its VDL).
    pub last: Option<(SimTime, SimTime, u64)>,
    /// Acknowledged data versions the last backtrack undid, and uncommitted transactions it
    /// dropped.
    pub undone_versions: u64,
    pub dropped_commits: u32,
    /// When the last rewind happened and how many versions had been written by then.
    pub rewound: Option<(SimTime, u64)>,
    /// Change records stored × hours, for the bill.
    pub record_hours: f64,
    last_bill: SimTime,
}

impl Backtrack {
    pub fn new(target_hours: u8) -> Backtrack {
        Backtrack {
            target_hours,
            until: None,
            count: 0,
            last: None,
            undone_versions: 0,
            dropped_commits: 0,
            rewound: None,
            record_hours: 0.0,
            last_bill: SimTime::ZERO,
        }
    }

    pub fn enabled(&self) -> bool {
        self.target_hours > 0
    }

    /// The earliest time Backtrack can reach now: the target window back from now, the first
    /// image, or the oldest point the change-record buffer still covers, whichever is latest.
    pub fn earliest(&self, now: SimTime, allocated: u64, images: &Images) -> SimTime {
        let target = SimDuration::from_hours(self.target_hours as u64).as_micros();
        let floor = SimTime::from_micros(now.as_micros().saturating_sub(target));
        let covered = allocated.saturating_sub(BUFFER_RECORDS);
        let by_buffer = images
            .all()
            .iter()
            .find(|im| im.vdl >= covered)
            .map_or(now, |im| im.time);
        floor.max(by_buffer)
    }

    /// Records in the buffer now: the log since the earliest reachable point.
    pub fn records(&self, now: SimTime, allocated: u64, images: &Images) -> u64 {
        let from = self.earliest(now, allocated, images);
        let base = images.at(from).map_or(allocated, |im| im.vdl);
        allocated.saturating_sub(base).min(BUFFER_RECORDS)
    }

    /// The window the buffer would cover at the current write rate, in hours, if it is shorter
    /// than the target: how heavy writes shorten it.
    pub fn projected_hours(&self, records_per_sec: f64) -> f64 {
        let target = self.target_hours as f64;
        if records_per_sec <= 0.0 {
            return target;
        }
        (BUFFER_RECORDS as f64 / records_per_sec / 3600.0).min(target)
    }

    pub(crate) fn bill(&mut self, now: SimTime, allocated: u64, images: &Images) {
        if self.enabled() {
            let dt = (now.as_micros() - self.last_bill.as_micros()) as f64 / 3.6e9;
            self.record_hours += self.records(now, allocated, images) as f64 * dt;
        }
        self.last_bill = now;
    }

    /// The bill so far at the example price, US dollars.
    pub fn cost(&self) -> f64 {
        self.record_hours / 1e6 * CHANGE_RECORD_PRICE_PER_MILLION_HOURS
    }

    /// Can the cluster backtrack to `to` now? Returns the time it would land on.
    pub fn check(
        &self,
        config: super::BackupConfig,
        global: bool,
        to: SimTime,
        now: SimTime,
        allocated: u64,
        images: &Images,
    ) -> Result<SimTime, BackupError> {
        if config.engine == super::Engine::PostgreSql {
            return Err(BackupError::BacktrackPostgres);
        }
        if global {
            return Err(BackupError::BacktrackGlobal);
        }
        if config.binlog {
            return Err(BackupError::BacktrackBinlog);
        }
        if !self.enabled() {
            return Err(BackupError::BacktrackNotEnabled);
        }
        if self.until.is_some() {
            return Err(BackupError::BacktrackInProgress);
        }
        let earliest = self.earliest(now, allocated, images);
        let outside = BackupError::BacktrackOutsideWindow { to, earliest, now };
        if to < earliest || to > now {
            return Err(outside);
        }
        images.at(to).map(|im| im.time).ok_or(outside)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heavy_writes_shorten_the_window() {
        let b = Backtrack::new(72);
        assert_eq!(b.projected_hours(0.0), 72.0);
        assert_eq!(b.projected_hours(1_000.0), 72.0);
        let heavy = b.projected_hours(100_000.0);
        assert!(heavy < 3.0, "{heavy}");
    }

    #[test]
    fn refusals_come_in_order_of_what_the_student_must_change() {
        use super::super::{BackupConfig, Engine};
        let on = Backtrack::new(24);
        let im = Images::default();
        let t = SimTime::ZERO;
        let pg = BackupConfig {
            engine: Engine::PostgreSql,
            binlog: true,
            ..BackupConfig::default()
        };
        assert_eq!(
            on.check(pg, true, t, t, 0, &im),
            Err(BackupError::BacktrackPostgres)
        );
        let off = Backtrack::new(0);
        assert_eq!(
            off.check(BackupConfig::default(), false, t, t, 0, &im),
            Err(BackupError::BacktrackNotEnabled)
        );
    }
}
