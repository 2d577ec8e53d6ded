//! Continuous backup, point-in-time restore, Backtrack and clones (reference §8).

use aurora_core::backup::clone::{Origin, MAX_COW_CLONES};
use aurora_core::backup::data::{Table, ORDERS_ROWS, PRODUCTS_ROWS, ROWS};
use aurora_core::backup::{BackupCommand as B, BackupError, Engine};
use aurora_core::ids::RegionId;
use aurora_core::workload::WorkloadConfig;
use aurora_core::{Command, CommandError, Sim, SimConfig, SimTime};

mod common;
use common::secs;

fn config(txn_per_sec: u32, backtrack_hours: u8) -> SimConfig {
    let mut c = SimConfig {
        workload: WorkloadConfig {
            txn_per_sec,
            mtrs_per_txn: 1,
            reads_per_sec: 0,
            growth_bytes_per_sec: 0,
        },
        ..SimConfig::default()
    };
    c.backup.backtrack_hours = backtrack_hours;
    c
}

fn checked(c: SimConfig) -> Sim {
    let mut sim = Sim::new(c, 1);
    sim.set_full_checks(true);
    sim.set_recording(false);
    sim
}

fn refused(sim: &mut Sim, c: B) -> BackupError {
    match sim.apply(Command::Backup(c)) {
        Err(CommandError::Backup(e)) => e,
        other => panic!("expected a backup refusal, got {other:?}"),
    }
}

fn ok(sim: &mut Sim, c: B) {
    sim.apply(Command::Backup(c)).expect("accepted");
}

/// A same-region clone of cluster `source`, without Backtrack.
fn clone_of(source: u32) -> B {
    B::Clone {
        source,
        region: RegionId(0),
        backtrack_hours: 0,
    }
}

/// What a read at the current instant returns: the production rows' digest.
fn read(sim: &Sim) -> u64 {
    sim.inspect().backup().rows.digest()
}

#[test]
fn commits_write_row_versions_at_their_lsns_visible_only_once_acknowledged() {
    let mut sim = checked(config(500, 0));
    sim.run_until(secs(2));
    let rows = &sim.inspect().backup().rows;
    let vdl = sim.inspect().writer().log.vdl().0;
    assert!(rows.writes > 500, "{} versions", rows.writes);
    assert!(
        (0..ROWS).all(|r| rows.get(r).lsn() <= vdl),
        "nothing above VDL is visible"
    );
    let newest = (0..ROWS).map(|r| rows.get(r).lsn()).max().unwrap();
    assert!(newest > 0 && newest <= vdl);
    // A read at a second in the past is that second's image, not today's rows.
    let then = sim.inspect().backup().images.at(secs(1)).unwrap();
    assert!(then.vdl < vdl);
    assert!(then.rows.iter().all(|&v| v & !(1 << 63) <= then.vdl));
}

#[test]
fn restore_to_t_holds_exactly_what_a_read_at_t_returned_in_a_new_cluster() {
    let mut sim = checked(config(300, 0));
    sim.run_until(secs(60));
    let at_60 = read(&sim);
    sim.run_until(secs(90));
    ok(
        &mut sim,
        B::DeleteRows {
            table: Table::Orders,
        },
    );
    sim.run_until(secs(100));
    assert_eq!(sim.inspect().backup().rows.live(Table::Orders), 0);
    ok(
        &mut sim,
        B::Restore {
            to: secs(60),
            backtrack_hours: 0,
        },
    );
    let c = sim.inspect().backup().cluster(1).unwrap();
    assert_eq!(c.rows.digest(), at_60, "the restore is the read at 60 s");
    assert_eq!(c.origin, Origin::Restore { to: secs(60) });
    assert_eq!(c.pgs as usize, sim.inspect().storage().pgs.len());
    let writer = sim
        .view()
        .instances
        .into_iter()
        .find(|i| i.is_writer)
        .unwrap();
    assert_eq!(
        c.writer_class, writer.class,
        "its writer is of production's class"
    );
    assert!(!c.available);
    let ready = c.ready_at;
    sim.run_until(ready + aurora_core::SimDuration::from_secs(2));
    let c = sim.inspect().backup().cluster(1).unwrap();
    assert!(c.available);
    assert_eq!(c.rows.live(Table::Orders), ORDERS_ROWS);
    assert_eq!(
        sim.inspect().backup().rows.live(Table::Orders),
        0,
        "production is untouched"
    );
    assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
}

#[test]
fn a_restored_clusters_writer_takes_writes_only_once_it_is_available() {
    let mut sim = checked(config(300, 0));
    sim.run_until(secs(30));
    ok(
        &mut sim,
        B::Restore {
            to: secs(20),
            backtrack_hours: 0,
        },
    );
    ok(
        &mut sim,
        B::SetClusterWrites {
            cluster: 1,
            per_sec: 50,
        },
    );
    let c = sim.inspect().backup().cluster(1).unwrap();
    let (ready, before) = (c.ready_at, c.rows.digest());
    sim.run_until(SimTime::from_micros(ready.as_micros() - 2_000_000));
    let c = sim.inspect().backup().cluster(1).unwrap();
    assert!(!c.available);
    assert_eq!(c.rows.digest(), before, "no writer yet, so no writes");
    sim.run_until(ready + aurora_core::SimDuration::from_secs(3));
    let c = sim.inspect().backup().cluster(1).unwrap();
    assert!(c.available);
    assert_ne!(
        c.rows.digest(),
        before,
        "its writer now takes the staging writes"
    );
    let v = sim.backup_view();
    let cv = v.cluster(1).unwrap();
    assert_eq!(cv.writer, "restored-1-instance-1");
    assert!(
        cv.accessible_name()
            .contains(&format!("writer {}", cv.writer_class)),
        "{}",
        cv.accessible_name()
    );
    assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
}

#[test]
fn a_clone_of_a_serverless_v2_cluster_gets_a_db_serverless_writer() {
    let mut sim = checked(config(100, 0));
    let w = sim.inspect().writer().node;
    sim.apply(Command::SetCapacity {
        node: w,
        capacity: aurora_core::settings::capacity::Capacity::V2 {
            min_half: 1,
            max_half: 16,
            pause_after: None,
        },
    })
    .expect("a Serverless v2 writer");
    sim.run_until(secs(5));
    ok(&mut sim, clone_of(0));
    assert_eq!(
        sim.inspect().backup().cluster(1).unwrap().writer_class,
        "db.serverless"
    );
}

#[test]
fn restore_time_grows_with_the_volume() {
    let mut small = checked(config(0, 0));
    let mut big_cfg = config(0, 0);
    big_cfg.initial_volume_bytes = 40 * aurora_core::storage::PG_SIZE_BYTES;
    let mut big = checked(big_cfg);
    for sim in [&mut small, &mut big] {
        sim.run_until(secs(30));
        ok(
            sim,
            B::Restore {
                to: secs(20),
                backtrack_hours: 0,
            },
        );
    }
    let t = |s: &Sim| {
        s.inspect()
            .backup()
            .cluster(1)
            .unwrap()
            .ready_at
            .as_micros()
            - secs(30).as_micros()
    };
    assert!(t(&big) > 3 * t(&small), "{} vs {}", t(&big), t(&small));
}

#[test]
fn restores_outside_the_window_are_refused_with_the_window() {
    let mut sim = checked(config(100, 0));
    sim.run_until(secs(30));
    let e = refused(
        &mut sim,
        B::Restore {
            to: secs(29),
            backtrack_hours: 0,
        },
    );
    assert!(
        matches!(e, BackupError::NotRestorable { latest: Some(l), .. } if l < secs(29)),
        "{e:?}"
    );
    assert!(e.to_string().contains("restorable window"), "{e}");
    let e = refused(
        &mut sim,
        B::Restore {
            to: secs(3600),
            backtrack_hours: 0,
        },
    );
    assert!(matches!(e, BackupError::NotRestorable { .. }));
    let e = refused(
        &mut sim,
        B::Restore {
            to: secs(5),
            backtrack_hours: 73,
        },
    );
    assert_eq!(e, BackupError::BacktrackWindowTooLong(73));
}

#[test]
fn the_latest_restorable_time_trails_now_by_what_s3_has_not_staged() {
    let mut sim = checked(config(300, 0));
    sim.run_until(secs(120));
    let latest = sim
        .inspect()
        .backup()
        .latest_restorable(sim.inspect().storage())
        .unwrap()
        .time;
    let lag = sim.now().as_micros() - latest.as_micros();
    assert!(lag > 0, "S3 trails VDL");
    assert!(
        lag <= 5 * 60 * 1_000_000,
        "within 5 minutes of now: {lag} µs"
    );
    let backed = aurora_core::backup::Backup::backed_up_point(sim.inspect().storage());
    assert!(backed < sim.inspect().writer().log.vdl().0);
}

#[test]
fn retention_is_1_to_35_days_and_cannot_be_turned_off() {
    let mut sim = checked(config(0, 0));
    assert_eq!(sim.inspect().backup().config.retention_days, 1);
    assert_eq!(
        refused(&mut sim, B::SetRetention { days: 0 }),
        BackupError::RetentionOutOfRange(0)
    );
    assert!(refused(&mut sim, B::SetRetention { days: 36 })
        .to_string()
        .contains("cannot be turned off"));
    ok(&mut sim, B::SetRetention { days: 35 });
    assert_eq!(sim.inspect().backup().config.retention_days, 35);
}

#[test]
fn the_window_slides_daily_snapshots_expire_and_manual_ones_stay() {
    let mut sim = checked(config(0, 0));
    sim.run_until(secs(3600));
    ok(&mut sim, B::TakeSnapshot);
    sim.run_until(secs(28 * 3600));
    let b = sim.inspect().backup();
    let earliest = b.earliest_restorable(sim.now());
    assert_eq!(earliest, secs(4 * 3600), "one day back from now");
    assert!(b.images.all().first().unwrap().time <= earliest);
    use aurora_core::backup::s3::SnapshotKind::*;
    let auto: Vec<_> = b.snapshots.iter().filter(|s| s.kind == Automated).collect();
    assert_eq!(
        auto.len(),
        1,
        "the day-1 snapshot expired, the day-2 one is kept"
    );
    assert_eq!(auto[0].time, secs(27 * 3600));
    assert!(b
        .snapshots
        .iter()
        .any(|s| s.kind == Manual && s.time == secs(3600)));
    let e = refused(
        &mut sim,
        B::Restore {
            to: secs(3 * 3600),
            backtrack_hours: 0,
        },
    );
    assert!(matches!(e, BackupError::NotRestorable { .. }));
}

#[test]
fn backtrack_brings_deleted_rows_back_in_place_and_can_go_forward_again() {
    let mut sim = checked(config(300, 24));
    sim.run_until(secs(60));
    let at_60 = read(&sim);
    sim.run_until(secs(89));
    let at_89 = read(&sim);
    sim.run_until(secs(90));
    ok(
        &mut sim,
        B::DeleteRows {
            table: Table::Orders,
        },
    );
    sim.run_until(secs(120));
    assert_eq!(sim.inspect().backup().rows.live(Table::Orders), 0);
    ok(&mut sim, B::Backtrack { to: secs(60) });
    assert_eq!(
        read(&sim),
        at_60,
        "in place: production reads what it read at 60 s"
    );
    assert_eq!(sim.inspect().backup().rows.live(Table::Orders), ORDERS_ROWS);
    assert!(sim.inspect().backup().clusters.is_empty(), "no new cluster");
    // Paused: writes are refused, then resume.
    let errors = sim.metrics().txn_errors;
    sim.run_until(secs(150));
    assert!(sim.metrics().txn_errors > errors + 1_000);
    assert_eq!(
        refused(&mut sim, B::Backtrack { to: secs(80) }),
        BackupError::BacktrackInProgress
    );
    sim.run_until(secs(200));
    let acked = sim.metrics().commits_acked;
    sim.run_until(secs(210));
    assert!(
        sim.metrics().commits_acked > acked + 2_000,
        "writes resumed"
    );
    // Forward, to just before the delete: the voided log is still there.
    ok(&mut sim, B::Backtrack { to: secs(89) });
    assert_eq!(read(&sim), at_89);
    assert_eq!(sim.inspect().backup().backtrack.count, 2);
    sim.run_until(secs(300));
    assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
}

#[test]
fn backtrack_drops_uncommitted_work_and_never_applies_it() {
    let mut sim = checked(config(2_000, 24));
    sim.run_until(secs(30));
    ok(&mut sim, B::Backtrack { to: secs(20) });
    let bt = &sim.inspect().backup().backtrack;
    assert!(bt.undone_versions > 10_000, "{}", bt.undone_versions);
    let rows = sim.inspect().backup().rows.clone();
    sim.run_until(secs(61));
    // Commits in flight at the rewind were acknowledged by storage but dropped by the engine.
    let voided = sim.inspect().backup().voided_upto;
    assert!((0..ROWS).all(|r| {
        let v = sim.inspect().backup().rows.get(r).lsn();
        v <= sim.inspect().backup().backtrack.last.unwrap().2 || v > voided
    }));
    assert_ne!(
        rows,
        sim.inspect().backup().rows,
        "new work after the pause"
    );
    assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
}

#[test]
fn backtrack_refusals_are_typed_and_say_why() {
    let mut pg = config(10, 24);
    pg.backup.engine = Engine::PostgreSql;
    let mut sim = checked(pg);
    sim.run_until(secs(10));
    let e = refused(&mut sim, B::Backtrack { to: secs(5) });
    assert_eq!(e, BackupError::BacktrackPostgres);
    assert!(e.to_string().contains("point-in-time restore"));

    let mut binlog = config(10, 24);
    binlog.backup.binlog = true;
    let mut sim = checked(binlog);
    sim.run_until(secs(10));
    assert_eq!(
        refused(&mut sim, B::Backtrack { to: secs(5) }),
        BackupError::BacktrackBinlog
    );

    let mut sim = checked(config(10, 0));
    sim.run_until(secs(10));
    let e = refused(&mut sim, B::Backtrack { to: secs(5) });
    assert_eq!(e, BackupError::BacktrackNotEnabled);
    assert!(e.to_string().contains("cannot be turned on later"));

    let mut sim = checked(config(10, 1));
    sim.run_until(secs(10));
    sim.apply(Command::AddSecondaryRegion).unwrap();
    assert_eq!(
        refused(&mut sim, B::Backtrack { to: secs(5) }),
        BackupError::BacktrackGlobal
    );

    let mut sim = checked(config(10, 1));
    sim.run_until(secs(2 * 3600));
    let e = refused(&mut sim, B::Backtrack { to: secs(30 * 60) });
    assert!(
        matches!(e, BackupError::BacktrackOutsideWindow { earliest, .. } if earliest == secs(3600)),
        "{e:?}"
    );
    assert!(e.to_string().contains("outside the backtrack window"));
    let e = refused(&mut sim, B::Backtrack { to: secs(3 * 3600) });
    assert!(matches!(e, BackupError::BacktrackOutsideWindow { .. }));
}

#[test]
fn heavy_writes_shorten_the_backtrack_window_below_its_target() {
    let b = aurora_core::backup::backtrack::Backtrack::new(72);
    let light = b.projected_hours(1_000.0);
    let heavy = b.projected_hours(1_000_000.0);
    assert_eq!(light, 72.0);
    assert!(heavy < 1.0, "{heavy} h");
}

#[test]
fn change_records_are_billed_while_backtrack_is_on() {
    let mut on = checked(config(500, 24));
    let mut off = checked(config(500, 0));
    on.run_until(secs(120));
    off.run_until(secs(120));
    assert!(on.inspect().backup().backtrack.cost() > 0.0);
    assert_eq!(off.inspect().backup().backtrack.cost(), 0.0);
}

#[test]
fn a_clone_and_its_source_never_see_each_others_writes() {
    let mut sim = checked(config(5, 0));
    sim.run_until(secs(10));
    let at_clone = sim.inspect().backup().rows.clone();
    ok(&mut sim, clone_of(0));
    let c = sim.inspect().backup().cluster(1).unwrap();
    assert_eq!(
        c.shared_pages() as usize,
        ROWS,
        "at first it shares every page"
    );
    assert_eq!(c.billed_bytes(false), 0);
    let ready = c.ready_at;
    assert_eq!(
        ready,
        secs(10) + aurora_core::backup::clone::CLONE_READY,
        "minutes, whatever the size"
    );
    sim.run_until(ready);
    ok(
        &mut sim,
        B::SetClusterWrites {
            cluster: 1,
            per_sec: 3,
        },
    );
    sim.run_until(ready + aurora_core::SimDuration::from_secs(60));
    let b = sim.inspect().backup();
    let c = b.cluster(1).unwrap();
    assert!(c.own_pages() > 50 && c.source_own_pages() > 50);
    assert!(c.shared_pages() < ROWS as u32 - 100);
    assert!(
        c.billed_bytes(false) > 0 && c.billed_bytes(false) < sim.inspect().storage().volume_bytes
    );
    // Neither side's later versions leaked: pages a side did not write still hold the versions
    // of the moment of the clone.
    let clone_versions = (0..ROWS).filter(|&r| c.rows.get(r).lsn() > c.vdl).count();
    assert_eq!(clone_versions as u32, c.own_pages());
    let unchanged_in_source = (0..ROWS)
        .filter(|&r| b.rows.get(r) == at_clone.get(r))
        .count();
    assert_eq!(
        unchanged_in_source as u32,
        ROWS as u32 - c.source_own_pages()
    );
    assert!(c.isolated(Some(b.rows.as_slice())));
    assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
}

#[test]
fn the_sixteenth_clone_of_a_source_is_a_full_copy() {
    let mut sim = checked(config(5, 0));
    sim.run_until(secs(10));
    for _ in 0..MAX_COW_CLONES {
        ok(&mut sim, clone_of(0));
    }
    ok(&mut sim, clone_of(0));
    let b = sim.inspect().backup();
    assert_eq!(
        b.clusters.iter().filter(|c| c.is_cow_clone_of(0)).count(),
        15
    );
    let sixteenth = b.cluster(16).unwrap();
    assert_eq!(
        sixteenth.origin,
        Origin::Clone {
            source: 0,
            cow: false
        }
    );
    assert_eq!(sixteenth.shared_pages(), 0);
    assert_eq!(
        sixteenth.billed_bytes(false),
        sim.inspect().storage().volume_bytes / ROWS as u64 * ROWS as u64
    );
    assert!(
        sixteenth.ready_at > b.cluster(15).unwrap().ready_at,
        "a full copy copies the data"
    );
}

#[test]
fn deleting_a_source_leaves_its_clones_whole() {
    let mut sim = checked(config(50, 0));
    sim.run_until(secs(60));
    ok(
        &mut sim,
        B::Restore {
            to: secs(40),
            backtrack_hours: 0,
        },
    );
    let ready = sim.inspect().backup().cluster(1).unwrap().ready_at;
    assert_eq!(
        refused(&mut sim, clone_of(1)),
        BackupError::ClusterNotReady(1)
    );
    sim.run_until(ready + aurora_core::SimDuration::from_secs(1));
    assert_eq!(
        refused(
            &mut sim,
            B::Clone {
                source: 1,
                region: RegionId(1),
                backtrack_hours: 0
            }
        ),
        BackupError::CloneOtherRegion(RegionId(1))
    );
    ok(&mut sim, clone_of(1));
    let before = sim.inspect().backup().cluster(2).unwrap().rows.digest();
    ok(&mut sim, B::DeleteCluster { cluster: 1 });
    sim.run_until(sim.now() + aurora_core::SimDuration::from_secs(10));
    let c = sim.inspect().backup().cluster(2).unwrap();
    assert_eq!(c.rows.digest(), before);
    assert_eq!(c.rows.live(Table::Products), PRODUCTS_ROWS);
    assert_eq!(
        c.billed_bytes(true),
        sim.inspect().storage().volume_bytes / ROWS as u64 * ROWS as u64,
        "it now pays for every page"
    );
    assert!(sim.inspect().backup().cluster(1).is_none());
    assert_eq!(
        refused(&mut sim, B::DeleteCluster { cluster: 0 }),
        BackupError::CannotDeleteProduction
    );
    assert_eq!(
        refused(&mut sim, B::DeleteCluster { cluster: 1 }),
        BackupError::UnknownCluster(1)
    );
    assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
}

#[test]
fn the_clone_scenario_reports_sharing_falling_and_a_full_sixteenth() {
    let s = aurora_core::scenario::find("clone").unwrap();
    let mut sim = s.start(1);
    sim.set_full_checks(true);
    sim.set_recording(false);
    sim.run_until(SimTime::ZERO + s.duration);
    let f = s.figures(&sim);
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    use aurora_core::scenario::Figure::*;
    let (Float(a), Float(b)) = (get("shared_fraction_at_60s"), get("shared_fraction_now")) else {
        panic!()
    };
    assert!(a > b && a < 1.0, "{a} {b}");
    assert_eq!(get("sixteenth_is_full_copy"), Int(1));
    assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
}
