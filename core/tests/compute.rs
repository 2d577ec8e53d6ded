//! Compute-layer tests: replicas, endpoints, failover, crash recovery, fencing, auto scaling.

use aurora_core::autoscaling::{Metric, Policy};
use aurora_core::client::ClientWorkload;
use aurora_core::compute::instance::Role;
use aurora_core::endpoint::DNS_TTL;
use aurora_core::event::{Event, MsgKind};
use aurora_core::ids::{AzId, NodeId};
use aurora_core::net::Partition;
use aurora_core::{Command, CommandError, Fault, Sim, SimConfig, SimDuration, SimTime};

mod common;
use common::{checked, secs};

fn replicas(sim: &Sim) -> Vec<NodeId> {
    sim.inspect()
        .instances()
        .iter()
        .filter(|i| i.role == Role::Replica)
        .map(|i| i.node)
        .collect()
}

fn cluster(replicas: u8, rate: u32) -> SimConfig {
    SimConfig {
        replicas,
        clients: ClientWorkload {
            clients: 9,
            requests_per_sec: rate,
            read_ppm: 700_000,
            ..ClientWorkload::default()
        },
        ..SimConfig::default()
    }
}

#[test]
fn replicas_lag_milliseconds_and_never_read_above_vdl() {
    let mut sim = checked("replicas", 1);
    sim.set_recording(false);
    for t in 1..=10 {
        sim.run_until(secs(t));
        let vdl = sim.inspect().writer().log.vdl();
        for i in sim
            .inspect()
            .instances()
            .iter()
            .filter(|i| i.role == Role::Replica)
        {
            assert!(i.read_point <= vdl, "a replica read above VDL");
        }
    }
    let lag = &sim.metrics().replica_lag;
    assert!(lag.count() > 1_000);
    assert!(
        lag.max() < 20_000,
        "lag stays under 20 ms (P17 §4.2.4): {} µs",
        lag.max()
    );
    assert!(lag.quantile(500) > 100, "but it is not zero");
    assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
    // Replicas served the reads, the writer the writes.
    let served_by_replicas = sim.metrics().client_ok;
    assert!(served_by_replicas > 25_000);
}

#[test]
fn failover_promotes_by_tier_loses_no_acknowledged_commit_and_phases_add_up() {
    let mut sim = checked("failover", 1);
    let tier0 = *replicas(&sim).last().unwrap();
    sim.run_until(secs(40));
    assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
    let records = &sim.metrics().failovers;
    assert_eq!(records.len(), 1);
    let r = records[0];
    assert_eq!(r.new, tier0, "the tier-0 replica wins");
    assert_eq!(sim.inspect().writer().node, tier0);
    assert_eq!(sim.inspect().endpoints().cluster, tier0, "DNS flipped");
    assert_eq!(r.detect + r.promote + r.recover, r.total, "phases add up");
    let total = r.total.as_secs_f64();
    assert!((5.0..30.0).contains(&total), "failover took {total} s");
    assert_eq!(
        sim.inspect().commits_lost(),
        0,
        "no acknowledged commit lost"
    );
    // Writes resumed through the cluster endpoint once the TTL let clients see the flip.
    let gap = sim.metrics().client_write_gap_max.as_secs_f64();
    assert!(
        gap >= total && gap <= total + 6.0,
        "client downtime {gap} s"
    );
    assert!(sim.metrics().commits_acked > 10_000);
}

#[test]
fn every_acknowledged_commit_survives_failover() {
    let mut sim = Sim::new(cluster(2, 2_000), 4);
    sim.set_full_checks(true);
    sim.run_until(secs(3));
    let before = sim.inspect().writer().log.vdl();
    let acked = sim.metrics().commits_acked;
    assert!(acked > 500);
    let w = sim.inspect().writer().node;
    sim.apply(Command::Inject(Fault::CrashNode(w))).unwrap();
    sim.run_until(secs(30));
    let recovered = sim.metrics().failovers.len();
    assert_eq!(recovered, 1);
    // Recovery truncates above the recovered VDL, which is at or above every acked commit.
    assert!(sim.inspect().writer().log.vdl() > before);
    assert_eq!(sim.inspect().commits_lost(), 0);
    assert!(sim.metrics().commits_acked > acked);
    assert_eq!(sim.invariant_violations(), 0);
}

#[test]
fn a_partitioned_old_writer_is_fenced_by_the_volume_epoch() {
    let mut sim = Sim::new(cluster(2, 2_000), 6);
    sim.set_full_checks(true);
    sim.run_until(secs(2));
    let old = sim.inspect().writer().node;
    let p = Fault::Partition(Partition::Node(old));
    sim.apply(Command::Inject(p)).unwrap();
    sim.run_until(secs(15));
    assert_ne!(sim.inspect().writer().node, old, "a replica took over");
    let role = |sim: &Sim| {
        sim.inspect()
            .instances()
            .iter()
            .find(|i| i.node == old)
            .unwrap()
            .role
    };
    assert_eq!(role(&sim), Role::Fenced, "the old writer does not know yet");
    assert_eq!(sim.inspect().storage().volume_epoch, 2);
    sim.drain_events().count();
    sim.apply(Command::Heal(p)).unwrap();
    sim.run_for(SimDuration::from_millis(50));
    let rejected = sim
        .drain_events()
        .filter(|(_, e)| {
            matches!(
                e,
                Event::StaleEpochRejected {
                    epoch: 1,
                    current: 2,
                    ..
                }
            )
        })
        .count();
    assert!(
        rejected >= 4,
        "storage refused the old writer's writes ({rejected})"
    );
    assert_eq!(role(&sim), Role::Replica, "and it stepped down");
    assert_eq!(sim.inspect().commits_lost(), 0);
    assert_eq!(sim.invariant_violations(), 0);
}

#[test]
fn after_the_ttl_reader_endpoint_reads_never_reach_a_crashed_replica() {
    let mut sim = Sim::new(cluster(3, 3_000), 8);
    sim.run_until(secs(3));
    let victim = replicas(&sim)[0];
    sim.apply(Command::Inject(Fault::CrashNode(victim)))
        .unwrap();
    let crashed_at = sim.now();
    sim.drain_events().count();
    let mut before_ttl = 0;
    while sim.now() < secs(15) {
        sim.run_for(SimDuration::from_millis(100));
        for (t, e) in sim.drain_events() {
            if let Event::MessageSent {
                kind: MsgKind::Query,
                to,
                ..
            } = e
            {
                if to == victim {
                    assert!(
                        t <= crashed_at + DNS_TTL,
                        "a query reached the crashed replica at {t}"
                    );
                    before_ttl += 1;
                }
            }
        }
    }
    assert!(
        before_ttl > 0,
        "until the TTL, clients with a cached answer still try it"
    );
}

#[test]
fn writer_crash_recovery_is_quick_and_bumps_the_epoch() {
    let mut sim = checked("writer-crash", 1);
    sim.run_until(secs(12));
    let rec = sim.metrics().recoveries.clone();
    assert_eq!(rec.len(), 1);
    assert!(rec[0] < SimDuration::from_secs(10), "P17 §4.3: < 10 s");
    assert_eq!(sim.inspect().storage().volume_epoch, 2);
    assert!(
        sim.inspect().writer().log.vdl().0 > aurora_core::lsn::LAL,
        "new LSNs above the range"
    );
    assert_eq!(sim.inspect().commits_lost(), 0);
    assert_eq!(sim.invariant_violations(), 0);
}

#[test]
fn crash_recovery_is_mostly_the_engine_restart_and_the_storage_protocol_is_a_sliver() {
    use aurora_core::compute::recovery::ENGINE_RESTART_TIME;
    let mut sim = checked("writer-crash", 1);
    sim.run_until(secs(12));
    let phases = sim.metrics().recovery_phases.clone();
    assert_eq!(phases.len(), 1);
    let p = phases[0];
    assert_eq!(p.restart, ENGINE_RESTART_TIME);
    assert!(
        p.restart >= SimDuration::from_secs(1) && p.to_open() < SimDuration::from_secs(10),
        "seconds, yet under P17 §4.3's 10 s: {:?}",
        p
    );
    assert!(
        p.storage.as_micros() * 100 < p.to_open().as_micros(),
        "the storage protocol is under 1 % of the time to open: {:?}",
        p
    );
    assert_eq!(sim.metrics().recoveries[0], p.to_open());
    // Clients wait for the whole restart, not only the storage protocol.
    let gap = sim.metrics().client_write_gap_max;
    assert!(
        gap >= SimDuration::from_secs(1) + ENGINE_RESTART_TIME,
        "client downtime {gap}"
    );
    assert_eq!(sim.invariant_violations(), 0);
}

#[test]
fn undo_of_in_flight_transactions_runs_after_the_open() {
    use aurora_core::compute::recovery::UNDO_PER_TXN;
    use aurora_core::event::RecoveryPhase;
    // At the scenario's 600 writes a second a commit is in flight for about a millisecond, so
    // whether the crash catches one depends on the seed: take the first seed where it does.
    let mut checked_one = false;
    for seed in 1..=8 {
        let mut sim = checked("failover", seed);
        let mut opened = None;
        let mut undone = None;
        let mut order = Vec::new();
        while sim.now() < secs(40) {
            sim.run_for(SimDuration::from_millis(200));
            for (t, e) in sim.drain_events() {
                match e {
                    Event::RecoveryPhaseDone { phase, txns, .. } => {
                        order.push(phase);
                        if phase == RecoveryPhase::Undo {
                            undone = Some((t, txns));
                        }
                    }
                    Event::VolumeRecovered { .. } => opened = Some(t),
                    _ => {}
                }
            }
        }
        // A promotion already restarted the engine: the recovery's own phases follow it.
        assert_eq!(order, vec![RecoveryPhase::Storage, RecoveryPhase::Undo]);
        let (opened, (undone_at, txns)) = (opened.unwrap(), undone.unwrap());
        assert_eq!(undone_at - opened, UNDO_PER_TXN.saturating_mul(txns as u64));
        let p = sim.metrics().recovery_phases[0];
        assert_eq!(p.undo, Some(undone_at - opened));
        assert_eq!(p.restart, aurora_core::failover::PROMOTE_TIME);
        if txns > 0 {
            checked_one = true;
            break;
        }
    }
    assert!(
        checked_one,
        "some seed's crash finds transactions in flight"
    );
}

#[test]
fn failover_defaults_sit_in_the_middle_of_the_reference_window() {
    let mut sim = checked("failover", 1);
    sim.run_until(secs(40));
    let r = sim.metrics().failovers[0];
    // The control plane declares the writer down after its missed checks: mid 5–10 s.
    let declared = r.unhealthy_for.as_secs_f64();
    assert!(
        (6.5..=8.5).contains(&declared),
        "declared down {declared} s after the last good check, mid 5–10 s"
    );
    // Timed from the crash, detection falls between one check fewer and that figure.
    let detect = r.detect.as_secs_f64();
    assert!(
        (declared - aurora_core::failover::HEALTH_CHECK_INTERVAL.as_secs_f64()..=declared)
            .contains(&detect),
        "detect {detect} s after the crash"
    );
    let promote = (r.promote + r.recover).as_secs_f64();
    assert!(
        (5.5..=7.5).contains(&promote),
        "promote and recover {promote} s, mid 3–10 s"
    );
    // What clients see, DNS TTL included: inside the reference's 15–30 s.
    let gap = sim.metrics().client_write_gap_max.as_secs_f64();
    assert!((15.0..=30.0).contains(&gap), "client downtime {gap} s");
}

#[test]
fn failover_no_replica_recreates_the_writer_in_under_ten_minutes() {
    let mut sim = checked("failover-no-replica", 1);
    let w = sim.inspect().writer().node;
    sim.run_until(secs(9 * 60));
    let r = sim.metrics().failovers[0];
    assert_eq!(r.new, w, "the same instance, re-created");
    let mins = r.total.as_secs_f64() / 60.0;
    assert!(
        (5.0..10.0).contains(&mins),
        "{mins} min, UG: typically < 10 min"
    );
    let gap = sim.metrics().client_write_gap_max.as_secs_f64() / 60.0;
    assert!(
        gap > 5.0,
        "clients were without a writer for minutes: {gap}"
    );
    assert_eq!(sim.inspect().commits_lost(), 0);
    assert_eq!(sim.invariant_violations(), 0);
}

#[test]
fn with_no_replica_the_writer_is_recreated_in_minutes() {
    let mut sim = Sim::new(cluster(0, 500), 2);
    sim.run_until(secs(1));
    let w = sim.inspect().writer().node;
    sim.apply(Command::Inject(Fault::CrashNode(w))).unwrap();
    sim.run_until(secs(60));
    assert!(sim.metrics().failovers.is_empty());
    sim.run_until(secs(11 * 60));
    let r = sim.metrics().failovers[0];
    assert_eq!(r.new, w, "the same instance, re-created");
    let mins = r.total.as_secs_f64() / 60.0;
    assert!((5.0..10.0).contains(&mins), "{mins} min");
    assert_eq!(sim.inspect().commits_lost(), 0);
}

#[test]
fn losing_the_writers_az_with_no_replica_elsewhere_needs_a_person() {
    let mut sim = Sim::new(cluster(0, 500), 2);
    sim.run_until(secs(1));
    sim.apply(Command::Inject(Fault::FailAz(AzId(0)))).unwrap();
    sim.run_until(secs(20));
    assert!(sim
        .drain_events()
        .any(|(_, e)| matches!(e, Event::NoFailoverTarget { .. })));
    // Adding a replica in another AZ lets the next health check fail over to it.
    sim.apply(Command::AddReplica {
        az: Some(AzId(1)),
        class: "db.r6g.large".into(),
        tier: 1,
    })
    .unwrap();
    sim.run_until(secs(20 + 5 * 60 + 30));
    assert_eq!(sim.metrics().failovers.len(), 1);
    assert_eq!(
        sim.inspect()
            .topology()
            .node(sim.inspect().writer().node)
            .az,
        Some(AzId(1))
    );
}

#[test]
fn manual_failover_to_a_chosen_replica() {
    let mut sim = Sim::new(cluster(3, 1_000), 3);
    sim.set_full_checks(true);
    sim.run_until(secs(2));
    let chosen = replicas(&sim)[1];
    let old = sim.inspect().writer().node;
    sim.apply(Command::Failover {
        target: Some(chosen),
    })
    .unwrap();
    assert_eq!(
        sim.apply(Command::Failover { target: None }),
        Err(CommandError::FailoverInProgress)
    );
    sim.run_until(secs(10));
    assert_eq!(sim.inspect().writer().node, chosen);
    let old_role = sim
        .inspect()
        .instances()
        .iter()
        .find(|i| i.node == old)
        .unwrap()
        .role;
    assert_eq!(
        old_role,
        Role::Replica,
        "the old writer restarts as a replica"
    );
    assert_eq!(sim.inspect().commits_lost(), 0);
    assert_eq!(sim.invariant_violations(), 0);
}

#[test]
fn bad_compute_commands_get_clear_errors() {
    let mut sim = Sim::new(cluster(2, 0), 1);
    let r = replicas(&sim);
    sim.apply(Command::Inject(Fault::CrashNode(r[0]))).unwrap();
    let e = sim
        .apply(Command::Failover { target: Some(r[0]) })
        .unwrap_err();
    assert_eq!(
        e,
        CommandError::InstanceDown(r[0]),
        "promoting a crashed replica"
    );
    assert!(e.to_string().contains("down"));
    let w = sim.inspect().writer().node;
    assert_eq!(
        sim.apply(Command::Failover { target: Some(w) }),
        Err(CommandError::NotAReplica(w))
    );
    for _ in 0..13 {
        sim.apply(Command::AddReplica {
            az: None,
            class: "db.r6g.large".into(),
            tier: 15,
        })
        .unwrap();
    }
    let e = sim
        .apply(Command::AddReplica {
            az: None,
            class: "db.r6g.large".into(),
            tier: 15,
        })
        .unwrap_err();
    assert_eq!(e, CommandError::TooManyReplicas, "a 16th replica");
    assert!(matches!(
        sim.apply(Command::AddCustomEndpoint {
            name: "analytics".into(),
            members: vec![]
        }),
        Err(CommandError::EmptyEndpoint)
    ));
    assert!(matches!(
        sim.apply(Command::SetTier {
            node: r[1],
            tier: 16
        }),
        Err(CommandError::BadTier(16))
    ));
    assert!(matches!(
        sim.apply(Command::RemoveReplica(w)),
        Err(CommandError::NotAReplica(_))
    ));
    assert!(matches!(
        sim.apply(Command::AddReplica {
            az: None,
            class: "db.m1.tiny".into(),
            tier: 1
        }),
        Err(CommandError::UnknownClass(_))
    ));
}

#[test]
fn custom_endpoint_sends_reads_only_to_its_members() {
    let mut sim = Sim::new(cluster(3, 0), 5);
    let r = replicas(&sim);
    sim.apply(Command::AddCustomEndpoint {
        name: "reporting".into(),
        members: vec![r[2]],
    })
    .unwrap();
    sim.apply(Command::SetClients(ClientWorkload {
        clients: 6,
        requests_per_sec: 1_000,
        read_ppm: 1_000_000,
        read_endpoint: aurora_core::endpoint::EndpointId::Custom(0),
        ..ClientWorkload::default()
    }))
    .unwrap();
    sim.run_until(secs(2));
    let mut to_member = 0;
    for (_, e) in sim.drain_events() {
        if let Event::MessageSent {
            kind: MsgKind::Query,
            to,
            ..
        } = e
        {
            assert_eq!(to, r[2]);
            to_member += 1;
        }
    }
    assert!(to_member > 1_000);
}

#[test]
fn auto_scaling_adds_replicas_under_load_and_removes_only_its_own() {
    let mut sim = Sim::new(
        SimConfig {
            replicas: 1,
            instance_class: aurora_core::compute::instance::CLASSES[0],
            clients: ClientWorkload {
                clients: 16,
                requests_per_sec: 4_000,
                read_ppm: 1_000_000,
                ..ClientWorkload::default()
            },
            ..SimConfig::default()
        },
        9,
    );
    sim.set_recording(false);
    let policy = Policy {
        metric: Metric::Cpu,
        target: 40,
        min: 1,
        max: 4,
        scale_out_cooldown: SimDuration::from_secs(60),
        scale_in_cooldown: SimDuration::from_secs(60),
    };
    sim.apply(Command::SetAutoScaling(Some(policy))).unwrap();
    sim.run_until(secs(8 * 60));
    let n = replicas(&sim).len();
    assert!(n >= 3, "scaled out to {n}");
    assert!(sim
        .inspect()
        .instances()
        .iter()
        .filter(|i| i.autoscaled)
        .all(|i| i.tier == 15));
    sim.apply(Command::SetClients(ClientWorkload {
        clients: 16,
        requests_per_sec: 200,
        read_ppm: 1_000_000,
        ..ClientWorkload::default()
    }))
    .unwrap();
    sim.run_until(secs(20 * 60));
    let left = replicas(&sim);
    assert_eq!(left.len(), 1, "scaled back in");
    assert!(
        sim.inspect().instances().iter().all(|i| !i.autoscaled),
        "only auto-scaled replicas were removed"
    );
    assert!(matches!(
        sim.apply(Command::SetAutoScaling(Some(Policy {
            min: 5,
            max: 2,
            ..policy
        }))),
        Err(CommandError::BadPolicy(_))
    ));
}

#[test]
fn e_commerce_survives_losing_the_writers_az() {
    let mut sim = checked("e-commerce", 1);
    sim.set_recording(false);
    sim.run_until(secs(60));
    assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
    assert_eq!(sim.metrics().failovers.len(), 1);
    assert_eq!(sim.inspect().commits_lost(), 0);
    let new = sim.inspect().writer().node;
    assert_ne!(sim.inspect().topology().node(new).az, Some(AzId(0)));
    assert_eq!(
        sim.write_unavailable(),
        SimDuration::ZERO,
        "storage kept 4 of 6"
    );
}

#[test]
fn the_view_names_things_and_shows_failover_progress() {
    let mut sim = checked("failover", 2);
    sim.run_until(secs(4));
    let v = sim.view();
    assert_eq!(v.instances.len(), 3);
    let writer = v.instances.iter().find(|i| i.is_writer).unwrap();
    assert!(
        writer.accessible_name().contains("writer, healthy"),
        "{}",
        writer.accessible_name()
    );
    let replica = v.instances.iter().find(|i| !i.is_writer).unwrap();
    assert!(replica.accessible_name().contains("replica tier"));
    assert_eq!(v.endpoints[0].targets, vec![writer.node]);
    assert_eq!(
        v.endpoints[1].targets.len(),
        2,
        "reader endpoint over both replicas"
    );
    assert!(v
        .clients
        .iter()
        .all(|c| c.write_target == Some(writer.node) || c.write_target.is_none()));
    let storage = v
        .nodes
        .iter()
        .find(|n| n.kind == aurora_core::topology::NodeKind::Storage)
        .unwrap();
    assert_eq!(
        storage.accessible_name(false),
        "Storage node az-a-1, healthy"
    );
    // The writer crashed at 5 s: detection, promotion, recovery show in turn.
    sim.run_until(secs(8));
    assert!(matches!(
        sim.view().recovery,
        aurora_core::view::RecoveryView::Detecting { .. }
    ));
    sim.run_until(secs(15));
    assert!(matches!(
        sim.view().recovery,
        aurora_core::view::RecoveryView::Promoting { .. }
    ));
    sim.run_until(secs(22));
    assert_eq!(sim.view().recovery, aurora_core::view::RecoveryView::Idle);
}

/// Queries the clients sent in `window` after a second of warm-up: (count, distinct send times).
fn query_times(rate: u32, window: SimDuration) -> (usize, usize) {
    let mut sim = Sim::new(cluster(3, rate), 2);
    sim.run_until(secs(1));
    sim.drain_events().count();
    sim.run_for(window);
    let mut times: Vec<SimTime> = sim
        .drain_events()
        .filter_map(|(t, e)| match e {
            Event::MessageSent {
                kind: MsgKind::Query,
                ..
            } => Some(t),
            _ => None,
        })
        .collect();
    let count = times.len();
    times.dedup();
    (count, times.len())
}

#[test]
fn clients_spread_their_requests_through_time_at_the_rate_asked() {
    // 20,000 requests/s over 200 ms: 4,000 requests, each sent at its own instant, so the writer
    // sees them arrive apart and boxcars form from them as from real clients.
    let (count, instants) = query_times(20_000, SimDuration::from_millis(200));
    assert!((3_900..=4_100).contains(&count), "{count} requests");
    assert!(
        instants * 10 >= count * 9,
        "{count} requests at only {instants} instants"
    );
    // Beyond one request per shortest tick, ticks carry several and the rate still holds.
    let (count, instants) = query_times(400_000, SimDuration::from_millis(20));
    assert!((7_800..=8_200).contains(&count), "{count} requests");
    assert!(instants < count, "several requests per tick at 400,000/s");
}

/// A failover is timed from the fault the simulation injected, not from the last health check
/// the writer passed; the control plane's view (missed checks, time since the last good check)
/// is kept beside it.
#[test]
fn failover_is_timed_from_the_failure_and_keeps_the_control_planes_view() {
    let mut times = Vec::new();
    for crash_at_ms in [1_310u64, 3_500, 5_000] {
        let mut sim = Sim::new(cluster(2, 2_000), 3);
        let at = SimTime::from_micros(crash_at_ms * 1_000);
        sim.run_until(at);
        let w = sim.inspect().writer().node;
        sim.drain_events().count();
        sim.apply(Command::Inject(Fault::CrashNode(w))).unwrap();
        let mut started = None;
        while started.is_none() && sim.now() < secs(40) {
            sim.run_for(SimDuration::from_millis(100));
            started = sim.drain_events().find_map(|(t, e)| match e {
                Event::FailoverStarted {
                    missed_checks,
                    since_failure,
                    detected_after,
                    ..
                } => Some((t, missed_checks, since_failure, detected_after)),
                _ => None,
            });
        }
        sim.run_until(secs(40));
        let r = sim.metrics().failovers[0];
        let started = started.expect("a failover started");
        let (t, missed, since_failure, unhealthy_for) = started;
        assert_eq!(t - at, since_failure, "detection timed from the crash");
        assert_eq!(r.detect, since_failure);
        assert_eq!(missed, failover_checks(), "the control plane's count");
        assert_eq!(r.missed_checks, missed);
        assert_eq!(r.unhealthy_for, unhealthy_for);
        // A crash at the very instant of a passed check has its last good check at the crash.
        assert!(
            unhealthy_for >= since_failure,
            "the last good check came no later than the crash: crash at {crash_at_ms} ms"
        );
        assert_eq!(r.detect + r.promote + r.recover, r.total);
        times.push(r.total);
    }
    // Crashes at different moments between checks give different failover times.
    assert!(times[0] != times[1] && times[1] != times[2], "{times:?}");
}

fn failover_checks() -> u32 {
    aurora_core::failover::HEALTH_CHECK_MISSES
}

/// During a write stall the waiting work is visible before any commit finishes: the oldest
/// commit parked for VDL and the clients' unanswered requests grow with the stall.
#[test]
fn a_write_stall_shows_its_waiting_work() {
    let mut sim = Sim::new(cluster(1, 2_000), 5);
    sim.run_until(secs(1));
    assert!(sim
        .inspect()
        .writer()
        .oldest_commit_parked()
        .is_none_or(|t| sim.now() - t < SimDuration::from_millis(50)));
    sim.apply(Command::Inject(Fault::FailAz(AzId(1)))).unwrap();
    sim.apply(Command::Inject(Fault::FailAz(AzId(2)))).unwrap();
    sim.run_until(SimTime::from_micros(2_600_000));
    let oldest = sim
        .inspect()
        .writer()
        .oldest_commit_parked()
        .expect("commits wait");
    assert!(
        sim.now() - oldest > SimDuration::from_millis(1_000),
        "the oldest commit has waited {}",
        sim.now() - oldest
    );
    let (requests, since) = sim.inspect().clients().waiting();
    assert!(requests > 10, "{requests} requests waiting");
    assert!(since.is_some_and(|t| t <= oldest + SimDuration::from_millis(50)));
}

/// The CPU use the page and lessons show comes from the work each instance did in the last whole
/// second, whether or not auto scaling is measuring: the `az-failure` writer runs 2,000
/// transactions and 4,000 reads a second at 400 µs each on 4 vCPUs, 60 %.
#[test]
fn the_writer_shows_the_cpu_its_workload_uses_without_auto_scaling() {
    let mut sim = aurora_core::scenario::find("az-failure")
        .expect("a built-in scenario")
        .start(1);
    sim.run_until(secs(1) + SimDuration::from_millis(500));
    let writer_cpu = |sim: &Sim| {
        let v = sim.view();
        v.instances
            .iter()
            .find(|i| i.is_writer)
            .map(|i| i.cpu_pct)
            .expect("a writer")
    };
    assert!(
        (58..=62).contains(&writer_cpu(&sim)),
        "{} %",
        writer_cpu(&sim)
    );
    // Replicas serve no client here: idle.
    let v = sim.view();
    assert!(v
        .instances
        .iter()
        .filter(|i| !i.is_writer)
        .all(|i| i.cpu_pct == 0));
    // A crashed writer does no work: after a whole second its CPU reads 0 %.
    let writer = v.writer.node;
    sim.apply(Command::Inject(Fault::CrashNode(writer)))
        .expect("crash");
    sim.run_until(secs(4));
    let v = sim.view();
    let old = v.instances.iter().find(|i| i.node == writer).expect("kept");
    assert_eq!(old.cpu_pct, 0);
}

/// Client requests count on the instance that serves them: replicas behind the reader endpoint
/// show CPU, and more load shows more.
#[test]
fn replicas_show_the_cpu_their_client_reads_use() {
    let cpu = |rate: u32| {
        let mut sim = Sim::new(cluster(2, rate), 3);
        sim.run_until(secs(8));
        let v = sim.view();
        v.instances
            .iter()
            .filter(|i| i.role == Role::Replica)
            .map(|i| i.cpu_pct)
            .sum::<u32>()
    };
    let (low, high) = (cpu(2_000), cpu(8_000));
    assert!(low > 0, "{low}");
    assert!(high > 2 * low, "{low} → {high}");
}

/// P17 Table 4's sweep: the replica lag, counted from the write on the writer to the replica's
/// read point passing it, is measured at each of the four write rates.
///
/// Tolerance: each rate's mean within a factor of two of Table 4. The paper gives no breakdown
/// of its lag, and the model's network, storage and apply costs are sim defaults, so the test
/// holds the model to the paper's order of magnitude and to its shape: lag rises with the rate
/// (by at least 20 % from 1,000 to 10,000 writes/s, and never falls between two rates), and the
/// part that rises is the wait for the storage quorum, while the stream's part (the hop and the
/// apply) stays within 10 % across the rates. A lag measured from VDL's move (one hop, flat at
/// 0.7 ms) fails the first and second checks.
#[test]
fn replica_lag_sweep_rises_with_the_write_rate_like_table4() {
    use aurora_core::compute::replica::TABLE4_LAG;
    use aurora_core::lag_sweep::{durable_wait_at, lag_at};
    let sc = aurora_core::scenario::find("replica-lag-sweep").expect("scenario");
    let mut sim = sc.start(1);
    sim.set_recording(false);
    sim.run_until(SimTime::ZERO + sc.duration);
    assert_eq!(sim.invariant_violations(), 0);
    let (mut means, mut waits) = (Vec::new(), Vec::new());
    for (writes, paper) in TABLE4_LAG {
        let (mean, p99) = lag_at(&sim, writes).expect("lag measured at every rate");
        let wait = durable_wait_at(&sim, writes).expect("quorum wait measured at every rate");
        assert!(
            p99 < 20_000,
            "{writes}/s: p99 {p99} µs (P17 §4.2.4: typically ≤ 20 ms)"
        );
        assert!(
            mean * 2 >= paper && mean <= paper * 2,
            "{writes}/s: {mean} µs vs Table 4's {paper} µs"
        );
        assert!(wait < mean, "{writes}/s: quorum wait {wait} of {mean} µs");
        means.push(mean);
        waits.push(wait);
    }
    assert!(
        means.windows(2).all(|w| w[1] >= w[0]),
        "lag by rate: {means:?}"
    );
    assert!(means[3] * 100 >= means[0] * 120, "lag by rate: {means:?}");
    let stream: Vec<u64> = means.iter().zip(&waits).map(|(m, w)| m - w).collect();
    let (lo, hi) = (stream.iter().min().unwrap(), stream.iter().max().unwrap());
    assert!(
        hi * 100 <= lo * 110,
        "the stream's part by rate: {stream:?}"
    );
    assert!(waits[3] > waits[0], "quorum wait by rate: {waits:?}");
    let replica = sim
        .inspect()
        .instances()
        .iter()
        .find(|i| i.role == Role::Replica)
        .expect("replica");
    assert!(replica.applied_records > replica.discarded_records);
}

/// The apply thread's work per message grows with its records, and dropping an uncached
/// record costs less than applying one.
#[test]
fn apply_cost_grows_with_records_and_discards_are_cheaper() {
    use aurora_core::compute::replica::apply_nanos;
    assert!(apply_nanos(10, 0) < apply_nanos(20, 0));
    assert!(apply_nanos(0, 10) < apply_nanos(10, 0));
}
