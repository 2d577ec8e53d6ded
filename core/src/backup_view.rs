//! What continuous backup, restores, Backtrack and clones look like at one instant, shaped for
//! drawing: the S3 store's backed-up point beside VDL, the restorable window, the snapshots,
//! Backtrack's window and whether this cluster may backtrack at all, the clusters restored or
//! cloned, the rows of each table, and one page's versions for the inspector.
//!
//! The page reads these and draws them; every judgement about Aurora (what is restorable, what a
//! clone shares, why Backtrack is refused) is made here, by the model.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::backup::clone::{Cluster, Origin};
use crate::backup::data::{Rows, Table, Version, ROWS};
use crate::backup::s3::SnapshotKind;
use crate::backup::{Backup, BackupError};
use crate::ids::PgId;
use crate::lsn::Lsn;
use crate::sim::Sim;
use crate::time::SimTime;

/// One table's rows in one cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct TableView {
    pub name: &'static str,
    pub rows: u32,
    /// Rows whose newest version is not a delete.
    pub live: u32,
}

fn tables(rows: &Rows) -> Vec<TableView> {
    Table::ALL
        .iter()
        .map(|&t| TableView {
            name: t.name(),
            rows: t.rows().len() as u32,
            live: rows.live(t),
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SnapshotView {
    pub id: u32,
    /// Kept beyond the retention period (taken by hand).
    pub manual: bool,
    pub time: SimTime,
    pub vdl: Lsn,
}

/// Backtrack on the production cluster.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BacktrackView {
    pub target_hours: u8,
    /// Why this cluster cannot backtrack at all, in the refusal's own words (engine, Global
    /// Database, binlog replication, not enabled); `None` when it can.
    pub unavailable: Option<String>,
    /// The window it can reach now: from here to now (when it can backtrack).
    pub earliest: Option<SimTime>,
    /// Paused by a backtrack until then.
    pub paused_until: Option<SimTime>,
    pub count: u32,
    /// The last one: asked for, landed on.
    pub last: Option<(SimTime, SimTime)>,
    pub undone_versions: u64,
    pub dropped_commits: u32,
    /// Change records billed so far at the example price, US dollars.
    pub cost_usd: f64,
}

/// How a restored or cloned cluster came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub enum ClusterKind {
    /// Restored from continuous backup to this time.
    Restore { to: SimTime },
    /// A copy-on-write clone of `source` (0 is production).
    Clone { source: u32 },
    /// A full copy of `source`: it had 15 copy-on-write clones already.
    FullCopy { source: u32 },
}

/// A cluster besides production.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ClusterView {
    pub id: u32,
    /// "restored-1", "clone-2".
    pub name: String,
    pub kind: ClusterKind,
    pub created: SimTime,
    pub ready_at: SimTime,
    pub available: bool,
    /// How far creating it has come, 0 to 1.
    pub progress: f64,
    /// The consistent point it holds the data of.
    pub vdl: Lsn,
    pub volume_bytes: u64,
    pub pgs: u32,
    /// Its writer instance, "restored-1-instance-1", and the instance's class.
    pub writer: String,
    pub writer_class: String,
    pub tables: Vec<TableView>,
    /// Pages still shared with the source, this cluster's own, and the source's own since.
    pub shared_pages: u32,
    pub own_pages: u32,
    pub source_own_pages: u32,
    pub pages: u32,
    /// Storage it pays for.
    pub billed_bytes: u64,
    pub writes_per_sec: u32,
    pub backtrack_hours: u8,
}

impl ClusterView {
    /// "Cluster restored-1, restored to 00:01:00, writer db.r6g.large, available".
    pub fn accessible_name(&self) -> String {
        let what = match self.kind {
            ClusterKind::Restore { to } => format!("restored to {}", crate::backup::Clock(to)),
            ClusterKind::Clone { source } => format!("copy-on-write clone of {}", name(source)),
            ClusterKind::FullCopy { source } => format!("full copy of {}", name(source)),
        };
        let state = if self.available {
            "available".to_string()
        } else {
            format!("being created, {:.0}%", self.progress * 100.0)
        };
        format!(
            "Cluster {}, {what}, writer {}, {state}",
            self.name, self.writer_class
        )
    }
}

/// A cluster's name as the page shows it: "production", "restored-1", "clone-2".
pub fn name(id: u32) -> String {
    if id == 0 {
        "production".to_string()
    } else {
        format!("cluster-{id}")
    }
}

fn cluster_name(c: &Cluster) -> String {
    match c.origin {
        Origin::Restore { .. } => format!("restored-{}", c.id),
        Origin::Clone { .. } => format!("clone-{}", c.id),
    }
}

/// Continuous backup and what was made from it.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BackupView {
    pub engine: &'static str,
    pub retention_days: u8,
    /// The volume's backed-up point (the lowest over PGs) and VDL: S3 trails the database.
    pub backed_up: Lsn,
    pub vdl: Lsn,
    /// Each PG's backed-up point.
    pub pg_backed_up: Vec<(PgId, Lsn)>,
    pub earliest_restorable: SimTime,
    /// `None` until every PG has staged a consistent point.
    pub latest_restorable: Option<SimTime>,
    /// Consistent points kept in S3 (one a second, thinned when old).
    pub images: usize,
    pub snapshots: Vec<SnapshotView>,
    pub backtrack: BacktrackView,
    /// Production's tables.
    pub tables: Vec<TableView>,
    pub clusters: Vec<ClusterView>,
}

impl BackupView {
    pub fn cluster(&self, id: u32) -> Option<&ClusterView> {
        self.clusters.iter().find(|c| c.id == id)
    }
}

/// One version of a page (a row), and when the model first held it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PageVersion {
    /// The LSN that wrote it (0: loaded before the run began).
    pub lsn: Lsn,
    pub deleted: bool,
    /// The first consistent point (second) S3 holds it at; `None` if no point holds it yet.
    pub seen: Option<SimTime>,
}

/// A page as one restored or cloned cluster has it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PageInCluster {
    pub cluster: String,
    pub lsn: Lsn,
    pub deleted: bool,
    /// Still the source's page, shared copy-on-write.
    pub shared: bool,
}

/// Everything the inspector shows of one page.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PageView {
    pub page: u32,
    pub table: &'static str,
    /// Its row number within the table.
    pub row: u32,
    /// Production's newest version.
    pub current: PageVersion,
    /// Every version the restorable window holds, oldest first (the current one last).
    pub versions: Vec<PageVersion>,
    pub clusters: Vec<PageInCluster>,
}

fn version(v: Version, seen: Option<SimTime>) -> PageVersion {
    PageVersion {
        lsn: Lsn(v.lsn()),
        deleted: v.deleted(),
        seen,
    }
}

impl Sim {
    /// Continuous backup and what was made from it, now.
    pub fn backup_view(&self) -> BackupView {
        let b: &Backup = self.inspect().backup();
        let st = self.inspect().storage();
        let now = self.now();
        let log = &self.inspect().writer().log;
        let allocated = log.max_allocated().0;
        let bt = &b.backtrack;
        let global = !self.inspect().global().regions.is_empty();
        let unavailable = match bt.check(b.config, global, now, now, allocated, &b.images) {
            // Asked for "now", only what no time can mend is a reason it cannot backtrack.
            Err(BackupError::BacktrackOutsideWindow { .. } | BackupError::BacktrackInProgress)
            | Ok(_) => None,
            Err(e) => Some(e.to_string()),
        };
        let earliest = unavailable
            .is_none()
            .then(|| bt.earliest(now, allocated, &b.images));
        let clusters = b
            .clusters
            .iter()
            .filter(|c| !c.deleted)
            .map(|c| {
                let span = c.ready_at.as_micros().saturating_sub(c.created.as_micros());
                let done = now.as_micros().saturating_sub(c.created.as_micros());
                let source_deleted = match c.origin {
                    Origin::Clone { source, .. } if source != 0 => b.cluster(source).is_none(),
                    _ => false,
                };
                ClusterView {
                    id: c.id,
                    name: cluster_name(c),
                    kind: match c.origin {
                        Origin::Restore { to } => ClusterKind::Restore { to },
                        Origin::Clone { source, cow: true } => ClusterKind::Clone { source },
                        Origin::Clone { source, cow: false } => ClusterKind::FullCopy { source },
                    },
                    created: c.created,
                    ready_at: c.ready_at,
                    available: c.available,
                    progress: if c.available || span == 0 {
                        1.0
                    } else {
                        (done as f64 / span as f64).min(1.0)
                    },
                    vdl: Lsn(c.vdl),
                    volume_bytes: c.volume_bytes,
                    pgs: c.pgs,
                    writer: format!("{}-instance-1", cluster_name(c)),
                    writer_class: c.writer_class.clone(),
                    tables: tables(&c.rows),
                    shared_pages: c.shared_pages(),
                    own_pages: c.own_pages(),
                    source_own_pages: c.source_own_pages(),
                    pages: ROWS as u32,
                    billed_bytes: c.billed_bytes(source_deleted),
                    writes_per_sec: c.writes_per_sec,
                    backtrack_hours: c.backtrack_hours,
                }
            })
            .collect();
        BackupView {
            engine: b.config.engine.name(),
            retention_days: b.config.retention_days,
            backed_up: Lsn(Backup::backed_up_point(st)),
            vdl: log.vdl(),
            pg_backed_up: st
                .pgs
                .iter()
                .map(|pg| (pg.id, Lsn(Backup::pg_backed_up(st, pg))))
                .collect(),
            earliest_restorable: b.earliest_restorable(now),
            latest_restorable: b.latest_restorable(st).map(|im| im.time),
            images: b.images.all().len(),
            snapshots: b
                .snapshots
                .iter()
                .map(|s| SnapshotView {
                    id: s.id,
                    manual: s.kind == SnapshotKind::Manual,
                    time: s.time,
                    vdl: Lsn(s.vdl),
                })
                .collect(),
            backtrack: BacktrackView {
                target_hours: bt.target_hours,
                unavailable,
                earliest,
                paused_until: bt.until,
                count: bt.count,
                last: bt.last.map(|(to, landed, _)| (to, landed)),
                undone_versions: bt.undone_versions,
                dropped_commits: bt.dropped_commits,
                cost_usd: bt.cost(),
            },
            tables: tables(&b.rows),
            clusters,
        }
    }

    /// One page's versions: production's newest, every version the restorable window holds,
    /// and each restored or cloned cluster's, shared or its own. `None` past the last page.
    pub fn page_view(&self, page: u32) -> Option<PageView> {
        let p = page as usize;
        if p >= ROWS {
            return None;
        }
        let b = self.inspect().backup();
        let table = Table::of_row(p);
        let mut versions: Vec<PageVersion> = Vec::new();
        for im in b.images.all() {
            let v = Version(im.rows.get(p).copied().unwrap_or(0));
            let same = versions
                .last()
                .is_some_and(|l| l.lsn.0 == v.lsn() && l.deleted == v.deleted());
            if !same {
                versions.push(version(v, Some(im.time)));
            }
        }
        let current = b.rows.get(p);
        let current = match versions.last() {
            Some(l) if l.lsn.0 == current.lsn() && l.deleted == current.deleted() => *l,
            _ => {
                let v = version(current, None);
                versions.push(v);
                v
            }
        };
        let clusters = b
            .clusters
            .iter()
            .filter(|c| !c.deleted)
            .map(|c| {
                let v = c.rows.get(p);
                PageInCluster {
                    cluster: cluster_name(c),
                    lsn: Lsn(v.lsn()),
                    deleted: v.deleted(),
                    shared: c.shares(p),
                }
            })
            .collect();
        Some(PageView {
            page,
            table: table.name(),
            row: (p - table.rows().start) as u32,
            current,
            versions,
            clusters,
        })
    }
}
