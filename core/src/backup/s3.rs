//! What continuous backup has in S3: consistent images of the data once a second, the point
//! each protection group has staged up to, and snapshots.
//!
//! Storage nodes stage log and new pages to S3 continuously (P17 §3.3 step 6); the model's
//! segments already do (`storage::segment`). A point in time can be restored once every PG has
//! staged the log up to that point's LSN, so the latest restorable time trails now by what the
//! slowest PG has yet to stage. The images are the model's stand-in for replaying the staged
//! log to a consistent point: one per second, taken at VDL, so a restore "at any second in the
//! window" lands on exactly what a read at that second returned.

use alloc::rc::Rc;
use alloc::vec::Vec;

pub use crate::event::backup::SnapshotKind;
use crate::time::{SimDuration, SimTime};

/// How often a consistent image of the data is kept: restores are "to any second". UG:Overview
/// of backing up and restoring an Aurora DB cluster (2023)
pub const IMAGE_INTERVAL: SimDuration = SimDuration::from_secs(1);
/// Images kept at most; beyond this the older half is thinned to every other image, so the
/// page's checkpoints stay small and older points land on a coarser consistent time.
/// [sim default — not sourced]
pub const MAX_IMAGES: usize = 512;
/// A day of simulated time.
pub const DAY: SimDuration = SimDuration::from_secs(86_400);

/// One consistent image: the rows as a read at `vdl` at `time` saw them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Image {
    pub time: SimTime,
    /// The consistent point (the writer's VDL when it was taken).
    pub vdl: u64,
    /// The highest LSN allocated then: log above `vdl` and up to here was in flight.
    pub allocated: u64,
    pub rows: Rc<[u64]>,
    /// [`super::data::digest`] of the rows, computed from the live copy when taken.
    pub digest: u64,
    /// Data versions written by then ([`super::data::Rows::writes`]).
    pub writes: u64,
}

/// The images, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Images {
    list: Vec<Image>,
}

impl Images {
    pub fn push(&mut self, image: Image) {
        self.list.push(image);
        if self.list.len() > MAX_IMAGES {
            // Thin the older half to every other image.
            let half = self.list.len() / 2;
            let mut i = 0;
            self.list.retain(|_| {
                i += 1;
                i > half || i % 2 == 1
            });
        }
    }

    pub fn all(&self) -> &[Image] {
        &self.list
    }

    pub fn newest(&self) -> Option<&Image> {
        self.list.last()
    }

    /// The nearest consistent image at or before `t`.
    pub fn at(&self, t: SimTime) -> Option<&Image> {
        let i = self.list.partition_point(|im| im.time <= t);
        i.checked_sub(1).map(|i| &self.list[i])
    }

    /// Drops images older than `from`, keeping the one that covers `from` itself.
    pub fn expire_before(&mut self, from: SimTime) {
        let i = self.list.partition_point(|im| im.time <= from);
        if i > 1 {
            self.list.drain(..i - 1);
        }
    }

    /// The newest image whose consistent point every PG has staged to S3.
    pub fn latest_restorable(&self, backed_up: u64) -> Option<&Image> {
        self.list.iter().rev().find(|im| im.vdl <= backed_up)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Snapshot {
    pub id: u32,
    pub kind: SnapshotKind,
    pub time: SimTime,
    pub vdl: u64,
    pub rows: Rc<[u64]>,
    pub volume_bytes: u64,
}

/// The daily backup window: a 30-minute slot. UG:Overview of backing up and restoring an
/// Aurora DB cluster (2023)
pub const BACKUP_WINDOW: SimDuration = SimDuration::from_secs(30 * 60);
/// Where the window starts in each simulated day (the service picks a random slot in an
/// 8-hour block of the Region; the model fixes one). [sim default — not sourced]
pub const BACKUP_WINDOW_START: SimDuration = SimDuration::from_secs(3 * 3600);

/// The start of the next backup window after `now` (day 0 starts at simulated time 0).
pub fn next_window(now: SimTime) -> SimTime {
    let day = DAY.as_micros();
    let start = BACKUP_WINDOW_START.as_micros();
    let n = now.as_micros();
    let today = n / day * day + start;
    SimTime::from_micros(if today > n { today } else { today + day })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(s: u64) -> Image {
        Image {
            time: SimTime::from_micros(s * 1_000_000),
            vdl: s * 10,
            allocated: s * 10,
            rows: Rc::from(alloc::vec![s].as_slice()),
            digest: s,
            writes: s,
        }
    }

    #[test]
    fn a_point_reads_the_nearest_image_at_or_before_it() {
        let mut im = Images::default();
        for s in 1..=5 {
            im.push(image(s));
        }
        assert_eq!(im.at(SimTime::from_micros(3_500_000)).unwrap().vdl, 30);
        assert!(im.at(SimTime::from_micros(500_000)).is_none());
        assert_eq!(im.latest_restorable(42).unwrap().vdl, 40);
        im.expire_before(SimTime::from_micros(3_000_000));
        assert_eq!(im.all().first().unwrap().vdl, 30);
    }

    #[test]
    fn thinning_keeps_the_newest_and_bounds_the_count() {
        let mut im = Images::default();
        for s in 1..=5_000 {
            im.push(image(s));
        }
        assert!(im.all().len() <= MAX_IMAGES + 1);
        assert_eq!(im.newest().unwrap().vdl, 50_000);
        assert!(im.all().windows(2).all(|w| w[0].time < w[1].time));
    }

    #[test]
    fn the_window_opens_once_a_day() {
        let w = next_window(SimTime::ZERO);
        assert_eq!(w.as_micros(), BACKUP_WINDOW_START.as_micros());
        assert_eq!(next_window(w).as_micros(), w.as_micros() + DAY.as_micros());
    }
}
