//! Clusters made from the production cluster's data: restored from S3 (see [`super::pitr`]) or
//! cloned, copy-on-write, at the storage layer.
//!
//! A copy-on-write clone's volume points at its source's pages; a write on either side makes
//! a new page version for that side only, so the clone pays only for what it changed, and is
//! ready in minutes whatever the size. After 15 copy-on-write clones of one source, the next
//! is a full copy. Deleting the source leaves its clones whole. UG:Cloning a volume for an
//! Amazon Aurora DB cluster (2023). In the model each row is stored on its own page, and every
//! page stands for an equal share of the volume.

use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use super::data::{Rows, ROWS};
use super::BackupEvent;
use crate::ids::RegionId;
use crate::time::{SimDuration, SimTime};

/// Copy-on-write clones one source may have; the next is a full copy. UG:Cloning a volume for
/// an Amazon Aurora DB cluster (2023)
pub const MAX_COW_CLONES: usize = 15;
/// How long a copy-on-write clone takes to be available, whatever the volume's size: it copies
/// no data, only the volume's metadata, and creates an instance. [sim default — not sourced]
pub const CLONE_READY: SimDuration = SimDuration::from_mins(5);

/// How a cluster came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Origin {
    /// Restored from continuous backup to a point in time.
    Restore { to: SimTime },
    /// Cloned from cluster `source` (0 is production); `cow` false for a full copy.
    Clone { source: u32, cow: bool },
}

/// A cluster besides production: its own volume, PGs, writer instance and rows.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Cluster {
    pub id: u32,
    pub origin: Origin,
    pub region: RegionId,
    pub created: SimTime,
    pub ready_at: SimTime,
    pub available: bool,
    pub deleted: bool,
    /// The consistent point it was made at (the source's VDL).
    pub vdl: u64,
    pub volume_bytes: u64,
    pub pgs: u32,
    /// The class of the one writer instance made with it: a restore or a clone creates the
    /// cluster, its volume and a writer of the source writer's class, which serves the
    /// cluster's reads and writes once it is available. UG:Restoring a DB cluster to a
    /// specified time (2023)
    pub writer_class: String,
    /// Backtrack's target window, hours; set when restored or cloned.
    pub backtrack_hours: u8,
    pub rows: Rows,
    /// The rows at creation: what a clone shares with its source.
    pub base: Rc<[u64]>,
    /// Pages (rows) this cluster has written since: its own versions.
    own: Vec<u64>,
    /// Pages its source has written since: the source's own versions, no longer shared.
    source_own: Vec<u64>,
    /// The cluster's own log: its writes get LSNs above its starting point.
    next_lsn: u64,
    /// Writes per second on this cluster (a staging workload).
    pub writes_per_sec: u32,
    /// (time, shared pages) once a second, for the shared fraction over time.
    pub shared_over_time: Vec<(SimTime, u32)>,
}

fn bits() -> Vec<u64> {
    alloc::vec![0; ROWS.div_ceil(64)]
}
fn set(b: &mut [u64], i: usize) {
    b[i / 64] |= 1 << (i % 64);
}
fn get(b: &[u64], i: usize) -> bool {
    b[i / 64] & (1 << (i % 64)) != 0
}
fn count(b: &[u64]) -> u32 {
    b.iter().map(|w| w.count_ones()).sum()
}

impl Cluster {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: u32,
        origin: Origin,
        region: RegionId,
        now: SimTime,
        ready_at: SimTime,
        vdl: u64,
        volume_bytes: u64,
        pgs: u32,
        writer_class: String,
        backtrack_hours: u8,
        image: Rc<[u64]>,
    ) -> Cluster {
        Cluster {
            id,
            origin,
            region,
            created: now,
            ready_at,
            available: false,
            deleted: false,
            vdl,
            volume_bytes,
            pgs,
            writer_class,
            backtrack_hours,
            rows: Rows::from_image(&image),
            base: image,
            own: bits(),
            source_own: bits(),
            next_lsn: vdl + 1,
            writes_per_sec: 0,
            shared_over_time: Vec::new(),
        }
    }

    pub fn is_cow_clone_of(&self, source: u32) -> bool {
        !self.deleted && self.origin == Origin::Clone { source, cow: true }
    }

    /// Pages still shared with the source (0 for a restore or a full copy).
    pub fn shared_pages(&self) -> u32 {
        match self.origin {
            Origin::Clone { cow: true, .. } => {
                let mut n = 0;
                for i in 0..self.own.len() {
                    n += (!(self.own[i] | self.source_own[i])).count_ones();
                }
                n - (self.own.len() * 64 - ROWS) as u32
            }
            _ => 0,
        }
    }

    /// Is page `row` still the source's, shared copy-on-write?
    pub fn shares(&self, row: usize) -> bool {
        matches!(self.origin, Origin::Clone { cow: true, .. })
            && row < ROWS
            && !get(&self.own, row)
            && !get(&self.source_own, row)
    }

    /// Pages with this cluster's own versions.
    pub fn own_pages(&self) -> u32 {
        match self.origin {
            Origin::Clone { cow: true, .. } => count(&self.own),
            _ => ROWS as u32,
        }
    }

    /// Pages the source has written since the clone: the source's own versions.
    pub fn source_own_pages(&self) -> u32 {
        count(&self.source_own)
    }

    /// Bytes of storage this cluster pays for: its own pages, plus the shared ones once
    /// its source is gone.
    pub fn billed_bytes(&self, source_deleted: bool) -> u64 {
        let per_page = self.volume_bytes / ROWS as u64;
        let pages = if source_deleted {
            ROWS as u32
        } else {
            self.own_pages()
        };
        per_page * pages as u64
    }

    /// Writes `n` rows on this cluster. Returns the rows written, for its clones' bookkeeping.
    pub(crate) fn write(&mut self, n: u32) -> Vec<usize> {
        let mut rows = Vec::new();
        for _ in 0..n {
            let lsn = self.next_lsn;
            self.next_lsn += 1;
            let row = super::data::row_of(lsn ^ ((self.id as u64) << 48));
            if self.rows.write(row, lsn) {
                set(&mut self.own, row);
                rows.push(row);
            }
        }
        rows
    }

    /// Does the isolation hold? Pages this cluster has not written hold its base versions,
    /// and the source's pages it has not written do too.
    pub fn isolated(&self, source: Option<&[u64]>) -> bool {
        if !matches!(self.origin, Origin::Clone { cow: true, .. }) {
            return true;
        }
        let rows = self.rows.as_slice();
        (0..ROWS).all(|i| {
            (get(&self.own, i) || rows[i] == self.base[i])
                && source.is_none_or(|s| get(&self.source_own, i) || s[i] == self.base[i])
        })
    }

    /// The source rewound in place: pages that now differ from the base are its own.
    pub(crate) fn source_rewound(&mut self, source: &[u64]) {
        for (i, &s) in source.iter().enumerate().take(ROWS) {
            if s != self.base[i] {
                set(&mut self.source_own, i);
            }
        }
    }
}

/// The source `source` wrote `row`: its clones no longer share that page.
#[inline]
pub(crate) fn source_wrote(clusters: &mut [Cluster], source: u32, row: usize) {
    for c in clusters.iter_mut() {
        if c.is_cow_clone_of(source) {
            set(&mut c.source_own, row);
        }
    }
}

/// Once a second: clusters become available, and staging clusters write.
pub(crate) fn tick(clusters: &mut [Cluster], now: SimTime) -> Vec<BackupEvent> {
    let mut out = Vec::new();
    for i in 0..clusters.len() {
        let c = &mut clusters[i];
        if c.deleted {
            continue;
        }
        if !c.available && now >= c.ready_at {
            c.available = true;
            out.push(BackupEvent::ClusterAvailable { cluster: c.id });
        }
        if c.available && c.writes_per_sec > 0 {
            let id = c.id;
            let rows = c.write(c.writes_per_sec);
            for row in rows {
                source_wrote(clusters, id, row);
            }
        }
        let c = &mut clusters[i];
        if matches!(c.origin, Origin::Clone { cow: true, .. }) && c.shared_over_time.len() < 4096 {
            let shared = c.shared_pages();
            c.shared_over_time.push((now, shared));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clone_of(source: u32) -> Cluster {
        let base: Rc<[u64]> = Rc::from(alloc::vec![7u64; ROWS].as_slice());
        Cluster::new(
            1,
            Origin::Clone { source, cow: true },
            RegionId(0),
            SimTime::ZERO,
            SimTime::ZERO,
            100,
            10 << 30,
            1,
            "db.r6g.large".into(),
            0,
            base,
        )
    }

    #[test]
    fn writes_on_either_side_stop_sharing_only_those_pages() {
        let mut cs = alloc::vec![clone_of(0)];
        assert_eq!(cs[0].shared_pages(), ROWS as u32);
        let mine = cs[0].write(10);
        source_wrote(&mut cs, 0, 5);
        let c = &cs[0];
        assert_eq!(c.own_pages() as usize, mine.len());
        assert_eq!(c.source_own_pages(), 1);
        let overlap = mine.contains(&5) as u32;
        assert_eq!(c.shared_pages(), ROWS as u32 - c.own_pages() - 1 + overlap);
        assert_eq!(
            c.billed_bytes(false),
            (10u64 << 30) / ROWS as u64 * c.own_pages() as u64
        );
    }

    #[test]
    fn isolation_fails_when_a_shared_page_changes_behind_its_back() {
        let c = clone_of(0);
        let mut source = alloc::vec![7u64; ROWS];
        assert!(c.isolated(Some(&source)));
        source[3] = 9; // the source changed page 3 without the clone knowing
        assert!(!c.isolated(Some(&source)));
    }
}
