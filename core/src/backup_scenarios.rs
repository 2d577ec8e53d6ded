//! The backup scenarios: Backtrack after a faulty deployment, the same accident mended by a
//! point-in-time restore, a staging clone, and the restorable window sliding over a day.

use alloc::vec::Vec;

use crate::backup::data::Table;
use crate::backup::BackupCommand;
use crate::command::Command;
use crate::ids::RegionId;
use crate::report::Figure;
use crate::sim::{Sim, SimConfig};
use crate::storage::PG_SIZE_BYTES;
use crate::time::SimTime;
use crate::workload::WorkloadConfig;

fn secs(s: u64) -> SimTime {
    SimTime::from_micros(s * 1_000_000)
}
fn at_s(t: SimTime) -> Figure {
    Figure::Float(t.as_secs_f64())
}
fn b(c: BackupCommand) -> Command {
    Command::Backup(c)
}

/// When the faulty deployment runs its `DELETE FROM orders`.
pub(crate) const BAD_WRITE: u64 = 120;

/// The shop: four PGs, a steady write load, Backtrack on with a 24-hour target.
pub(crate) fn shop() -> SimConfig {
    let mut c = SimConfig {
        initial_volume_bytes: 4 * PG_SIZE_BYTES,
        workload: WorkloadConfig {
            txn_per_sec: 1_000,
            mtrs_per_txn: 2,
            reads_per_sec: 500,
            growth_bytes_per_sec: 0,
        },
        ..SimConfig::default()
    };
    c.backup.backtrack_hours = 24;
    c
}

fn live(rows: &crate::backup::data::Rows) -> (i64, i64) {
    (
        rows.live(Table::Orders) as i64,
        rows.live(Table::Products) as i64,
    )
}

pub(crate) fn backtrack_script(_: &Sim) -> Vec<(SimTime, Command)> {
    alloc::vec![
        (
            secs(BAD_WRITE),
            b(BackupCommand::DeleteRows {
                table: Table::Orders
            })
        ),
        (
            secs(150),
            b(BackupCommand::Backtrack {
                to: secs(BAD_WRITE - 60)
            })
        ),
        // Forward again, to just before the bad write, to keep more of the morning's work.
        (
            secs(240),
            b(BackupCommand::Backtrack {
                to: secs(BAD_WRITE - 1)
            })
        ),
    ]
}

pub(crate) fn backtrack_figures(sim: &Sim) -> Vec<(&'static str, Figure)> {
    let bk = sim.inspect().backup();
    let bt = &bk.backtrack;
    let (orders, products) = live(&bk.rows);
    let before = bk
        .images
        .at(secs(BAD_WRITE - 1))
        .map(|im| crate::backup::data::Rows::from_image(&im.rows).live(Table::Orders) as i64);
    let after_bad = bk
        .images
        .at(secs(149))
        .map(|im| crate::backup::data::Rows::from_image(&im.rows).live(Table::Orders) as i64);
    let rate = sim.inspect().workload().txn_per_sec as f64
        * (sim.inspect().workload().mtrs_per_txn as f64
            * sim.inspect().writer().config.records_per_mtr as f64
            + 1.0);
    let mut f = alloc::vec![
        ("bad_write_s", Figure::Int(BAD_WRITE as i64)),
        (
            "orders_live_before_bad_write",
            before.map_or(Figure::Text("none".into()), Figure::Int)
        ),
        (
            "orders_live_after_bad_write",
            after_bad.map_or(Figure::Text("none".into()), Figure::Int)
        ),
        ("orders_live_now", Figure::Int(orders)),
        ("products_live_now", Figure::Int(products)),
        ("backtracks", Figure::Int(bt.count as i64)),
        (
            "outage_s",
            Figure::Float(crate::backup::backtrack::PAUSE.as_secs_f64())
        ),
        ("target_window_h", Figure::Int(bt.target_hours as i64)),
        (
            "window_h_at_this_write_rate",
            Figure::Float(bt.projected_hours(rate))
        ),
        ("change_records_cost_usd_example", Figure::Float(bt.cost())),
        (
            "txn_errors_during_pauses",
            Figure::Int(sim.metrics().txn_errors as i64)
        ),
    ];
    if let Some((to, landed, vdl)) = bt.last {
        f.push(("last_backtrack_to_s", at_s(to)));
        f.push(("last_landed_s", at_s(landed)));
        f.push(("last_landed_vdl", Figure::Int(vdl as i64)));
        f.push((
            "last_undone_versions",
            Figure::Int(bt.undone_versions as i64),
        ));
        f.push((
            "last_dropped_uncommitted",
            Figure::Int(bt.dropped_commits as i64),
        ));
    }
    f
}

pub(crate) fn pitr_config() -> SimConfig {
    let mut c = shop();
    c.workload.txn_per_sec = 200;
    c.workload.reads_per_sec = 100;
    c.backup.backtrack_hours = 0;
    c
}

pub(crate) fn pitr_script(_: &Sim) -> Vec<(SimTime, Command)> {
    alloc::vec![
        (
            secs(BAD_WRITE),
            b(BackupCommand::DeleteRows {
                table: Table::Orders
            })
        ),
        (
            secs(150),
            b(BackupCommand::Restore {
                to: secs(BAD_WRITE - 60),
                backtrack_hours: 0
            })
        ),
    ]
}

pub(crate) fn pitr_figures(sim: &Sim) -> Vec<(&'static str, Figure)> {
    let bk = sim.inspect().backup();
    let mut f = alloc::vec![
        ("bad_write_s", Figure::Int(BAD_WRITE as i64)),
        ("production_orders_live", Figure::Int(live(&bk.rows).0)),
        (
            "volume_gib",
            Figure::Float(sim.inspect().storage().volume_bytes as f64 / (1u64 << 30) as f64)
        ),
        ("pgs", Figure::Int(sim.inspect().storage().pgs.len() as i64)),
    ];
    if let Some(c) = bk.cluster(1) {
        let differ = (0..crate::backup::data::ROWS)
            .filter(|&r| c.rows.get(r) != bk.rows.get(r))
            .count();
        let to = match c.origin {
            crate::backup::clone::Origin::Restore { to } => to,
            _ => SimTime::ZERO,
        };
        f.extend([
            ("restore_requested_s", at_s(c.created)),
            ("restored_to_s", at_s(to)),
            ("restored_vdl", Figure::Int(c.vdl as i64)),
            (
                "restore_minutes",
                Figure::Float((c.ready_at.as_secs_f64() - c.created.as_secs_f64()) / 60.0),
            ),
            ("restored_available", Figure::Int(c.available as i64)),
            (
                "restored_orders_live",
                Figure::Int(c.rows.live(Table::Orders) as i64),
            ),
            (
                "restored_products_live",
                Figure::Int(c.rows.live(Table::Products) as i64),
            ),
            ("rows_differing_from_production", Figure::Int(differ as i64)),
            ("restored_pgs", Figure::Int(c.pgs as i64)),
        ]);
    }
    f
}

pub(crate) fn clone_config() -> SimConfig {
    let mut c = shop();
    c.workload.txn_per_sec = 2;
    c.workload.reads_per_sec = 10;
    c.backup.backtrack_hours = 0;
    c
}

pub(crate) fn clone_script(_: &Sim) -> Vec<(SimTime, Command)> {
    let clone = |at| {
        (
            secs(at),
            b(BackupCommand::Clone {
                source: 0,
                region: RegionId(0),
                backtrack_hours: 0,
            }),
        )
    };
    let mut v = alloc::vec![
        clone(10),
        // The staging team writes to its clone once it is available.
        (
            secs(400),
            b(BackupCommand::SetClusterWrites {
                cluster: 1,
                per_sec: 1
            })
        ),
    ];
    // Fourteen more copy-on-write clones, then a sixteenth: a full copy.
    for i in 0..15 {
        v.push(clone(600 + i));
    }
    v
}

pub(crate) fn clone_figures(sim: &Sim) -> Vec<(&'static str, Figure)> {
    let bk = sim.inspect().backup();
    let gib = |b: u64| Figure::Float(b as f64 / (1u64 << 30) as f64);
    let mut f = alloc::vec![
        ("volume_gib", gib(sim.inspect().storage().volume_bytes)),
        ("pages", Figure::Int(crate::backup::data::ROWS as i64)),
    ];
    if let Some(c) = bk.cluster(1) {
        let pages = crate::backup::data::ROWS as f64;
        let at = |s: u64| {
            c.shared_over_time
                .iter()
                .rev()
                .find(|p| p.0 <= secs(s))
                .map_or(Figure::Text("none".into()), |p| {
                    Figure::Float(p.1 as f64 / pages)
                })
        };
        f.extend([
            (
                "clone_ready_minutes",
                Figure::Float((c.ready_at.as_secs_f64() - c.created.as_secs_f64()) / 60.0),
            ),
            ("shared_fraction_at_60s", at(60)),
            ("shared_fraction_at_300s", at(300)),
            ("shared_fraction_at_600s", at(600)),
            (
                "shared_fraction_now",
                Figure::Float(c.shared_pages() as f64 / pages),
            ),
            ("clone_own_pages", Figure::Int(c.own_pages() as i64)),
            ("source_own_pages", Figure::Int(c.source_own_pages() as i64)),
            ("clone_billed_gib", gib(c.billed_bytes(false))),
            (
                "source_billed_gib",
                gib(sim.inspect().storage().volume_bytes),
            ),
        ]);
    }
    let cows = bk.clusters.iter().filter(|c| c.is_cow_clone_of(0)).count();
    f.push(("cow_clones", Figure::Int(cows as i64)));
    if let Some(c) = bk.cluster(16) {
        let full = matches!(
            c.origin,
            crate::backup::clone::Origin::Clone { cow: false, .. }
        );
        f.push(("sixteenth_is_full_copy", Figure::Int(full as i64)));
        f.push((
            "sixteenth_ready_minutes",
            Figure::Float((c.ready_at.as_secs_f64() - c.created.as_secs_f64()) / 60.0),
        ));
        f.push(("sixteenth_billed_gib", gib(c.billed_bytes(false))));
    }
    f
}

pub(crate) fn window_config() -> SimConfig {
    let mut c = shop();
    c.workload.txn_per_sec = 5;
    c.workload.reads_per_sec = 0;
    c.backup.backtrack_hours = 0;
    c
}

pub(crate) fn window_script(_: &Sim) -> Vec<(SimTime, Command)> {
    alloc::vec![(secs(3600), b(BackupCommand::TakeSnapshot))]
}

pub(crate) fn window_figures(sim: &Sim) -> Vec<(&'static str, Figure)> {
    let bk = sim.inspect().backup();
    let now = sim.now();
    let h = |t: SimTime| Figure::Float(t.as_secs_f64() / 3600.0);
    let latest = bk
        .latest_restorable(sim.inspect().storage())
        .map(|im| im.time);
    let vdl = sim.inspect().writer().log.vdl().0;
    let backed = crate::backup::Backup::backed_up_point(sim.inspect().storage());
    let lag = bk.lag;
    let mut f = alloc::vec![
        (
            "retention_days",
            Figure::Int(bk.config.retention_days as i64)
        ),
        ("now_h", h(now)),
        ("earliest_restorable_h", h(bk.earliest_restorable(now))),
        (
            "latest_restorable_lag_s_now",
            latest.map_or(Figure::Text("none".into()), |l| Figure::Float(
                now.as_secs_f64() - l.as_secs_f64()
            ))
        ),
        (
            "latest_restorable_lag_s_mean",
            Figure::Float(lag.sum_us as f64 / lag.samples.max(1) as f64 / 1e6)
        ),
        (
            "latest_restorable_lag_s_max",
            Figure::Float(lag.max_us as f64 / 1e6)
        ),
        (
            "backed_up_point_behind_vdl_lsns",
            Figure::Int(vdl.saturating_sub(backed) as i64)
        ),
        ("images_kept", Figure::Int(bk.images.all().len() as i64)),
    ];
    let auto = bk
        .snapshots
        .iter()
        .filter(|s| s.kind == crate::backup::s3::SnapshotKind::Automated);
    f.push((
        "automated_snapshots_kept",
        Figure::Int(auto.clone().count() as i64),
    ));
    if let Some(s) = auto.clone().next_back() {
        f.push(("newest_automated_snapshot_h", h(s.time)));
    }
    let manual = bk
        .snapshots
        .iter()
        .filter(|s| s.kind == crate::backup::s3::SnapshotKind::Manual);
    f.push((
        "manual_snapshots_kept",
        Figure::Int(manual.clone().count() as i64),
    ));
    if let Some(s) = manual.clone().next_back() {
        f.push(("manual_snapshot_h", h(s.time)));
    }
    f
}
