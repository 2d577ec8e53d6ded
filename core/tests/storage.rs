//! Scenario tests: the reference's storage behaviour, with the invariant checker on after every
//! event.

use aurora_core::event::{Event, SegmentHealth};
use aurora_core::ids::{AzId, NodeId, PgId};
use aurora_core::scenario;
use aurora_core::{Command, CommandError, Fault, Sim, SimConfig, SimDuration, SimTime};

mod common;
use common::secs;

/// Runs a built-in scenario with full invariant checks, returning the simulation.
fn run(name: &str, seed: u64, until: SimTime) -> Sim {
    let sc = scenario::find(name).expect("scenario exists");
    let mut sim = sc.start(seed);
    sim.set_full_checks(true);
    sim.set_recording(false);
    sim.run_until(until);
    assert_eq!(
        sim.invariant_violations(),
        0,
        "{name}: first violation {:?}",
        sim.first_violation()
    );
    sim
}

/// Commits acknowledged in a window of simulated time.
fn commits_between(name: &str, seed: u64, from: SimTime, to: SimTime) -> u64 {
    let mut sim = scenario::find(name).unwrap().start(seed);
    sim.set_recording(false);
    sim.run_until(from);
    let before = sim.metrics().commits_acked;
    sim.run_until(to);
    sim.metrics().commits_acked - before
}

#[test]
fn quorum_write_acknowledges_commits_at_vdl_with_4_of_6() {
    let sc = scenario::find("quorum-write").unwrap();
    let mut sim = sc.start(1);
    sim.set_full_checks(true);
    sim.run_until(secs(1));
    let mut quorum_moves = 0;
    let mut vdl = 0;
    for (_, e) in sim.drain_events() {
        match e {
            Event::PgclAdvanced {
                holders, members, ..
            } => {
                assert!(holders >= 4, "PGCL moved with only {holders} holders");
                assert_eq!(members, 6);
                quorum_moves += 1;
            }
            Event::VdlAdvanced(l) => vdl = l.0,
            Event::CommitsAcknowledged { vdl: at, .. } => assert!(at.0 <= vdl),
            _ => {}
        }
    }
    assert!(quorum_moves > 50);
    let m = sim.metrics();
    assert!(m.commits_acked > 150, "{}", m.commits_acked);
    // Commit latency: a boxcar, a cross-AZ round trip and a disk write: around a millisecond.
    let p50 = m.commit_latency.quantile(500);
    assert!((500..5_000).contains(&p50), "p50 {p50} µs");
    assert_eq!(sim.invariant_violations(), 0);
}

#[test]
fn az_failure_writes_and_reads_continue_nothing_lost() {
    let sim = run("az-failure", 1, secs(12));
    assert_eq!(sim.write_unavailable(), SimDuration::ZERO);
    assert_eq!(sim.inspect().commits_lost(), 0);
    // The load keeps flowing after the AZ is gone at 2 s.
    let after = commits_between("az-failure", 1, secs(4), secs(12));
    assert!(after > 15_000, "only {after} commits after the AZ failed");
    assert!(sim.metrics().read_errors == 0);
    assert!(sim.inspect().storage().pgs.iter().all(|pg| pg.write_ok));
    // By 12 s the AZ has been gone longer than the scenario's 8 s: every PG writes on 3 of
    // its 4 survivors, and no repair waits for a node in the dead AZ any more.
    assert!(sim.inspect().storage().deferred.is_empty());
    for pg in &sim.inspect().storage().pgs {
        let d = pg.degraded.expect("degraded");
        assert_eq!(d.az, AzId(2));
        assert_eq!(pg.quorum.groups().len(), 1);
        assert_eq!(pg.quorum.members().count_ones(), 4);
    }
}

#[test]
fn az_failure_before_the_long_outage_waits_for_a_node_in_the_dead_az() {
    let sim = run("az-failure", 1, secs(9));
    // AZ c's segments are down; no replacement can be placed in a dead AZ.
    assert!(!sim.inspect().storage().deferred.is_empty());
    assert!(sim
        .inspect()
        .storage()
        .pgs
        .iter()
        .all(|pg| pg.degraded.is_none()));
}

#[test]
fn az_failure_returns_to_four_of_six_after_the_az_comes_back() {
    let sim = run("az-failure", 1, secs(25));
    let st = sim.inspect().storage();
    assert_eq!((st.degradations, st.restorations), (4, 4));
    for pg in &st.pgs {
        assert!(pg.degraded.is_none());
        assert_eq!(pg.quorum.groups(), &[0b11_1111]);
        // Into the degraded set, the way back, and back: three epochs.
        assert_eq!(pg.epoch, 4);
    }
    assert!(sim.inspect().all_pgs_whole());
    assert_eq!(sim.write_unavailable(), SimDuration::ZERO);
    assert_eq!(sim.inspect().commits_lost(), 0);
}

/// The point of the degraded quorum: on 4/6 an AZ plus one more node stops writes (the
/// az-plus-one scenario); on the degraded 3/4 set, the same extra failure leaves writes going.
#[test]
fn degraded_quorum_keeps_writing_through_one_more_failure() {
    let mut config = aurora_core::scenario::find("az-failure").unwrap().start(1);
    config.set_full_checks(true);
    config.set_recording(false);
    config.run_until(secs(11));
    assert!(config
        .inspect()
        .storage()
        .pgs
        .iter()
        .all(|pg| pg.degraded.is_some()));
    let st = config.inspect().storage();
    let pg0 = &st.pgs[0];
    let victim = pg0
        .member_slots()
        .map(|(_, s)| st.segments[s.index()].node)
        .find(|&n| config.inspect().topology().node(n).az == Some(AzId(0)))
        .expect("a survivor in AZ a");
    config
        .apply(Command::Inject(Fault::CrashNode(victim)))
        .unwrap();
    let acked = config.metrics().commits_acked;
    config.run_until(secs(14));
    assert!(
        config.inspect().storage().pgs[0].write_ok,
        "3 of 4 left is a write quorum"
    );
    assert_eq!(config.write_unavailable(), SimDuration::ZERO);
    assert!(config.metrics().commits_acked > acked + 4_000);
    assert_eq!(config.inspect().commits_lost(), 0);
    assert_eq!(config.invariant_violations(), 0);
}

#[test]
fn az_plus_one_stalls_writes_keeps_reads_loses_nothing_then_heals_by_repair() {
    let sc = scenario::find("az-plus-one").unwrap();
    let mut sim = sc.start(1);
    sim.set_full_checks(true);
    sim.run_until(secs(4));
    let stalled: Vec<PgId> = sim
        .inspect()
        .storage()
        .pgs
        .iter()
        .filter(|pg| !pg.write_ok)
        .map(|pg| pg.id)
        .collect();
    assert!(
        !stalled.is_empty(),
        "AZ+1 must cost some PG its write quorum"
    );
    assert!(
        sim.inspect().storage().pgs.iter().all(|pg| pg.read_ok),
        "reads survive AZ+1"
    );
    let acked = sim.metrics().commits_acked;
    let reads = sim.metrics().page_reads;
    sim.run_until(secs(8));
    assert_eq!(
        sim.metrics().commits_acked,
        acked,
        "no commit can be acknowledged while a PG lacks a write quorum"
    );
    assert!(sim.metrics().page_reads > reads, "reads continue");
    assert_eq!(sim.inspect().commits_lost(), 0);
    // Re-replicating the +1 node's segments into its (healthy) AZ restores a write quorum.
    sim.run_until(secs(30));
    assert!(sim.inspect().storage().pgs.iter().all(|pg| pg.write_ok));
    assert!(sim.metrics().commits_acked > acked + 10_000);
    let stall = sim.write_unavailable().as_secs_f64();
    assert!((10.0..20.0).contains(&stall), "stall {stall} s");
    assert_eq!(sim.inspect().commits_lost(), 0);
    assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
    // Heal AZ c: everything is whole again.
    sim.apply(Command::Heal(Fault::FailAz(AzId(2)))).unwrap();
    sim.run_until(secs(40));
    assert!(
        sim.inspect().all_pgs_whole(),
        "after heal and repair every PG has 6 complete segments"
    );
}

#[test]
fn a_10_gib_segment_repair_takes_about_10_seconds() {
    let sim = run("segment-repair", 1, secs(20));
    let repairs = &sim.metrics().repairs;
    assert_eq!(repairs.len(), 1);
    let took = repairs[0].1.as_secs_f64();
    assert!((8.0..12.0).contains(&took), "repair took {took} s");
    assert!(sim.inspect().all_pgs_whole());
    assert_eq!(
        sim.inspect().storage().pgs[0].epoch,
        3,
        "two membership epochs"
    );
    assert_eq!(sim.inspect().commits_lost(), 0);
}

#[test]
fn a_crashed_node_that_returns_in_time_is_not_replaced() {
    let mut sim = Sim::new(
        SimConfig {
            workload: aurora_core::workload::WorkloadConfig {
                txn_per_sec: 1_000,
                ..Default::default()
            },
            ..SimConfig::default()
        },
        5,
    );
    sim.set_full_checks(true);
    let node = sim.inspect().storage().segments[0].node;
    sim.run_until(secs(1));
    sim.apply(Command::Inject(Fault::CrashNode(node))).unwrap();
    sim.run_until(secs(3));
    sim.apply(Command::Heal(Fault::CrashNode(node))).unwrap();
    sim.run_until(secs(10));
    assert!(sim.metrics().repairs.is_empty());
    assert!(
        sim.inspect().all_pgs_whole(),
        "the returned segment caught up by gossip"
    );
    assert_eq!(sim.invariant_violations(), 0);
}

#[test]
fn a_node_back_during_repair_reverts_the_membership_change() {
    let mut sim = Sim::new(SimConfig::default(), 2);
    sim.set_full_checks(true);
    let node = sim.inspect().storage().segments[0].node;
    sim.apply(Command::Inject(Fault::CrashNode(node))).unwrap();
    // Detection at 5 s starts a repair whose copy takes ~9.5 s; come back in the middle.
    sim.run_until(secs(8));
    assert_eq!(sim.inspect().storage().repairs.len(), 1);
    sim.apply(Command::Heal(Fault::CrashNode(node))).unwrap();
    sim.run_until(secs(20));
    assert!(sim.inspect().storage().repairs.is_empty());
    assert!(sim.inspect().all_pgs_whole());
    let seg0 = &sim.inspect().storage().segments[0];
    assert_eq!(
        seg0.health,
        SegmentHealth::Healthy,
        "F stayed; G was dropped"
    );
    assert_eq!(sim.inspect().storage().pgs[0].epoch, 3);
}

#[test]
fn storage_grows_by_whole_protection_groups() {
    let sim = run("storage-growth", 1, secs(30));
    let st = sim.inspect().storage();
    assert_eq!(st.pgs.len() as u64, st.volume_bytes.div_ceil(10 << 30));
    assert!(st.pgs.len() >= 6);
    assert!(sim.inspect().all_pgs_whole());
    assert!(sim.metrics().commits_acked > 25_000);
}

#[test]
fn partition_heals_and_the_cut_off_segments_catch_up() {
    let sim = run("partition", 1, secs(12));
    assert_eq!(sim.write_unavailable(), SimDuration::ZERO);
    assert!(sim.inspect().all_pgs_whole());
    assert_eq!(sim.inspect().commits_lost(), 0);
}

#[test]
fn beyond_tolerance_writes_and_reads_stop_and_losing_every_copy_is_reported() {
    let mut sim = Sim::new(
        SimConfig {
            workload: aurora_core::workload::WorkloadConfig {
                txn_per_sec: 1_000,
                ..Default::default()
            },
            ..SimConfig::default()
        },
        3,
    );
    sim.set_full_checks(true);
    sim.run_until(secs(1));
    assert!(sim.metrics().commits_acked > 500);
    let segs: Vec<_> = sim.inspect().storage().pgs[0]
        .slots
        .iter()
        .flatten()
        .copied()
        .collect();
    for s in &segs[..4] {
        sim.apply(Command::Inject(Fault::LoseSegment(*s))).unwrap();
    }
    let pg = &sim.inspect().storage().pgs[0];
    assert!(!pg.write_ok && !pg.read_ok, "2 of 6 is neither quorum");
    // Acknowledgements already on the wire may still land; after that, nothing.
    sim.run_for(SimDuration::from_millis(20));
    let acked = sim.metrics().commits_acked;
    sim.run_for(SimDuration::from_millis(300));
    assert_eq!(
        sim.metrics().commits_acked,
        acked,
        "no acknowledgement without quorum"
    );
    assert_eq!(
        sim.inspect().commits_lost(),
        0,
        "two copies still hold everything"
    );
    for s in &segs[4..] {
        sim.apply(Command::Inject(Fault::LoseSegment(*s))).unwrap();
    }
    assert!(
        sim.inspect().commits_lost() > 0,
        "with every copy gone, the loss is reported"
    );
    assert_eq!(sim.invariant_violations(), 0);
}

#[test]
fn same_seed_same_digest_different_seed_different_digest() {
    let digest = |seed| run("az-plus-one", seed, secs(15)).trace_digest();
    assert_eq!(digest(7), digest(7));
    assert_ne!(digest(7), digest(8));
    // A checkpoint clone continues exactly as the original.
    let mut a = scenario::find("partition").unwrap().start(3);
    a.run_until(secs(3));
    let mut b = a.clone();
    a.run_until(secs(8));
    b.run_until(secs(8));
    assert_eq!(a.trace_digest(), b.trace_digest());
}

#[test]
fn stepping_and_running_agree() {
    let mut a = scenario::find("quorum-write").unwrap().start(4);
    let mut b = a.clone();
    a.run_until(secs(1));
    while b.next_event_time().is_some_and(|t| t <= secs(1)) {
        assert!(b.step());
    }
    assert_eq!(a.trace_digest(), b.trace_digest());
    assert_eq!(a.events_processed(), b.events_processed());
}

#[test]
fn bad_commands_get_clear_errors() {
    let mut sim = Sim::new(SimConfig::default(), 1);
    let e = sim
        .apply(Command::Inject(Fault::CrashNode(NodeId(999))))
        .unwrap_err();
    assert_eq!(e, CommandError::UnknownNode(NodeId(999)));
    assert!(e.to_string().contains("there is no"));
    assert!(matches!(
        sim.apply(Command::Inject(Fault::FailAz(AzId(3)))),
        Err(CommandError::UnknownAz(_))
    ));
    assert_eq!(
        sim.apply(Command::Commit),
        Err(CommandError::NoOpenTransaction)
    );
    let node = sim.inspect().storage().segments[0].node;
    assert_eq!(
        sim.apply(Command::Heal(Fault::CrashNode(node))),
        Err(CommandError::NotDown(node))
    );
    sim.apply(Command::Inject(Fault::CrashNode(node))).unwrap();
    assert_eq!(
        sim.apply(Command::Inject(Fault::CrashNode(node))),
        Err(CommandError::AlreadyDown(node))
    );
    let seg = sim.inspect().storage().segments[1].id;
    sim.apply(Command::Inject(Fault::LoseSegment(seg))).unwrap();
    assert!(matches!(
        sim.apply(Command::Heal(Fault::LoseSegment(seg))),
        Err(CommandError::CannotHealLoss(_))
    ));
    assert!(matches!(
        sim.apply(Command::Inject(Fault::SlowNode { node, pct: 50 })),
        Err(CommandError::BadSlowness(50))
    ));
    assert!(matches!(
        sim.apply(Command::GrowVolume { bytes: u64::MAX }),
        Err(CommandError::VolumeFull { .. })
    ));
}

#[test]
fn manual_write_commit_read_round_trip() {
    let mut sim = Sim::new(SimConfig::default(), 1);
    sim.set_full_checks(true);
    sim.apply(Command::Write).unwrap();
    sim.apply(Command::Write).unwrap();
    sim.apply(Command::Commit).unwrap();
    assert_eq!(sim.inspect().writer().commits_waiting(), 1);
    sim.run_for(SimDuration::from_millis(20));
    assert_eq!(sim.metrics().commits_acked, 1);
    assert_eq!(sim.inspect().writer().commits_waiting(), 0);
    let lsn = sim.inspect().writer().log.vdl();
    assert_eq!(lsn.0, 7, "two MTRs of 3 records and a commit record");
    for _ in 0..100 {
        sim.apply(Command::Read).unwrap();
    }
    sim.run_for(SimDuration::from_millis(20));
    let m = sim.metrics();
    assert_eq!(m.reads, 100);
    assert_eq!(m.cache_hits + m.page_reads, 100);
    assert!(m.page_reads > 0);
}

#[test]
fn slow_node_and_drops_do_not_break_quorum_writes() {
    let mut config = SimConfig {
        workload: aurora_core::workload::WorkloadConfig {
            txn_per_sec: 2_000,
            ..Default::default()
        },
        ..SimConfig::default()
    };
    config.net.cross_az.drop_ppm = 20_000; // 2 % loss across AZs
    let mut sim = Sim::new(config, 11);
    sim.set_full_checks(true);
    let node = sim.inspect().storage().segments[2].node;
    sim.apply(Command::Inject(Fault::SlowNode { node, pct: 1_000 }))
        .unwrap();
    sim.run_until(secs(5));
    assert!(sim.metrics().commits_acked > 8_000);
    assert_eq!(sim.invariant_violations(), 0);
    sim.apply(Command::Heal(Fault::SlowNode { node, pct: 1_000 }))
        .unwrap();
    // Stop the load so every copy can settle, then check they all did.
    sim.apply(Command::SetWorkload(Default::default())).unwrap();
    sim.run_until(secs(9));
    assert!(sim.inspect().all_pgs_whole());
}

#[test]
fn writer_crash_recovers_without_losing_acknowledged_commits_and_fences_old_epoch() {
    let mut sim = scenario::find("quorum-write").unwrap().start(9);
    sim.set_full_checks(true);
    sim.run_until(secs(1));
    let writer = sim.inspect().writer().node;
    let acked = sim.metrics().commits_acked;
    let vdl = sim.inspect().writer().log.vdl();
    sim.apply(Command::Inject(Fault::CrashNode(writer)))
        .unwrap();
    assert_eq!(
        sim.apply(Command::Read),
        Err(CommandError::InstanceDown(writer))
    );
    sim.run_for(SimDuration::from_millis(200));
    sim.apply(Command::Heal(Fault::CrashNode(writer))).unwrap();
    // The engine restarts first (seconds); then recovery's storage protocol is a round of
    // quorum reads and a round of truncation writes: milliseconds.
    sim.run_for(aurora_core::compute::recovery::ENGINE_RESTART_TIME);
    assert!(!sim
        .drain_events()
        .any(|(_, e)| matches!(e, Event::VolumeRecovered { .. })));
    sim.run_for(SimDuration::from_millis(50));
    let recovered = sim
        .drain_events()
        .find_map(|(_, e)| match e {
            Event::VolumeRecovered { vdl, epoch, .. } => Some((vdl, epoch)),
            _ => None,
        })
        .expect("recovery ran");
    assert!(
        recovered.0 >= vdl,
        "recovered VDL {} < acked VDL {}",
        recovered.0,
        vdl
    );
    assert_eq!(recovered.1, 2, "a new volume epoch");
    assert!(sim
        .inspect()
        .storage()
        .segments
        .iter()
        .all(|s| s.volume_epoch == 2));
    sim.run_for(SimDuration::from_secs(1));
    assert!(sim.metrics().commits_acked > acked + 100, "writes resume");
    assert_eq!(sim.inspect().commits_lost(), 0);
    assert_eq!(sim.invariant_violations(), 0);
}

#[test]
fn bounded_runs_stop_early_and_resume_to_the_same_trace() {
    let sc = scenario::find("az-failure").unwrap();
    let mut a = sc.start(2);
    let mut b = sc.start(2);
    a.run_until(secs(3));
    let mut steps = 0;
    while !b.run_bounded(secs(3), 1_000) {
        steps += 1;
        assert!(b.now() < secs(3));
    }
    assert!(
        steps > 10,
        "3 s of this scenario is many thousands of events"
    );
    assert_eq!(b.now(), secs(3));
    assert_eq!(a.trace_digest(), b.trace_digest());
}
