//! Global Database (reference §7).

use aurora_core::event::Event;
use aurora_core::global::RegionRole;
use aurora_core::ids::RegionId;
use aurora_core::scenario;
use aurora_core::{Command, CommandError, Fault, Sim, SimConfig, SimDuration, SimTime};

mod common;
use common::secs;

fn checked(name: &str) -> Sim {
    let mut sim = scenario::find(name).unwrap().start(1);
    sim.set_full_checks(true);
    sim.set_recording(false);
    sim
}

#[test]
fn secondaries_lag_well_under_a_second_and_keep_their_own_six_copies() {
    let mut sim = checked("global-lag");
    sim.run_until(secs(20));
    let lag = &sim.metrics().global_lag;
    assert!(lag.count() > 100);
    assert!(lag.max() < 1_000_000, "lag < 1 s: {} µs", lag.max());
    assert!(
        lag.quantile(500) > 50_000,
        "but at least the cross-region trip"
    );
    let g = sim.inspect().global();
    assert_eq!(g.regions.len(), 3);
    let vdl = sim.inspect().writer().log.vdl();
    for r in g.regions.iter().filter(|r| r.role == RegionRole::Secondary) {
        assert_eq!(r.storage.len(), 6);
        assert!(r.durable.0 + 2_000 > vdl.0, "{} is close behind", r.name());
        // Durable means 4 of its 6 copies acknowledged.
        let holders = r.acked.iter().filter(|&&a| a >= r.durable.0).count();
        assert!(holders >= 4);
    }
    let fw = &sim.metrics().forwarded_write_latency;
    assert!(fw.count() > 500, "writes forwarded from the secondary");
    assert!(
        fw.quantile(500) > 140_000,
        "a forwarded write crosses regions twice"
    );
    assert_eq!(sim.invariant_violations(), 0);
}

#[test]
fn a_switchover_loses_nothing() {
    let mut sim = checked("global-switchover");
    sim.run_until(secs(60));
    let g = sim.inspect().global();
    let rec = g.records[0];
    assert!(rec.planned);
    assert_eq!(rec.rpo_lsns, 0);
    assert_eq!(rec.rpo_commits, 0);
    assert_eq!(g.primary().unwrap().id, RegionId(1));
    assert_eq!(
        g.region(RegionId(0)).unwrap().role,
        RegionRole::Secondary,
        "the old primary follows"
    );
    assert!(
        rec.rto < SimDuration::from_mins(1),
        "promotion under a minute"
    );
    assert_eq!(sim.metrics().commits_lost_in_failover, 0);
    // Writes run in the new region, and the old one catches up with them.
    let node = sim.inspect().writer().node;
    assert_eq!(sim.inspect().topology().node(node).region, RegionId(1));
    let acked = sim.metrics().commits_acked;
    sim.run_until(secs(70));
    assert!(sim.metrics().commits_acked > acked + 1_000);
    let old = sim.inspect().global().region(RegionId(0)).unwrap();
    assert!(old.durable.0 + 3_000 > sim.inspect().writer().log.vdl().0);
    assert_eq!(sim.invariant_violations(), 0);
}

#[test]
fn a_failover_loses_at_most_what_was_not_replicated() {
    let mut sim = scenario::find("global-failover").unwrap().start(1);
    sim.set_recording(true);
    let mut acked_lsn_at_failure = None;
    let mut durable_at_promotion = None;
    while sim.now() < secs(80) {
        sim.run_for(SimDuration::from_millis(500));
        let events: Vec<_> = sim.drain_events().collect();
        for (_, e) in events {
            match e {
                Event::RegionDown { .. } => {
                    acked_lsn_at_failure = Some(sim.inspect().writer().log.vdl())
                }
                Event::GlobalPromoted { rpo_lsns, .. } => durable_at_promotion = Some(rpo_lsns),
                _ => {}
            }
        }
    }
    let rec = sim.inspect().global().records[0];
    assert!(!rec.planned);
    assert!(acked_lsn_at_failure.is_some());
    assert_eq!(durable_at_promotion, Some(rec.rpo_lsns));
    // The loss is bounded by what one replication lag's worth of traffic could carry.
    assert!(rec.rpo_lsns < 2_000, "{}", rec.rpo_lsns);
    assert!(rec.rpo_time < SimDuration::from_secs(1));
    assert_eq!(sim.metrics().commits_lost_in_failover, rec.rpo_commits);
    // RPO as time and as commits: some commits lost, from a window no longer than the lag at
    // the failure (a cross-region hop, tens of ms), because what was shipped still landed.
    assert!(rec.rpo_commits > 0 && rec.rpo_time > SimDuration::ZERO);
    assert!(
        rec.lag_at_failure > SimDuration::from_millis(50),
        "{:?}",
        rec.lag_at_failure
    );
    assert!(
        rec.rpo_time <= rec.lag_at_failure,
        "{:?} vs {:?}",
        rec.rpo_time,
        rec.lag_at_failure
    );
    assert!(rec.rto >= SimDuration::from_secs(30) && rec.rto < SimDuration::from_mins(2));
    assert_eq!(sim.inspect().global().primary().unwrap().id, RegionId(1));
    // The old region comes back as a secondary.
    sim.apply(Command::Heal(Fault::FailRegion(RegionId(0))))
        .unwrap();
    sim.run_for(SimDuration::from_secs(5));
    assert_eq!(
        sim.inspect().global().region(RegionId(0)).unwrap().role,
        RegionRole::Secondary
    );
}

#[test]
fn same_seed_same_global_trace() {
    let run = || {
        let mut s = scenario::find("global-failover").unwrap().start(4);
        s.set_recording(false);
        s.run_until(secs(40));
        s.trace_digest()
    };
    assert_eq!(run(), run());
}

#[test]
fn bad_global_commands_get_clear_errors() {
    let mut sim = Sim::new(SimConfig::default(), 1);
    let e = sim
        .apply(Command::Switchover {
            region: RegionId(3),
        })
        .unwrap_err();
    assert_eq!(e, CommandError::NotASecondary(RegionId(3)));
    for _ in 0..10 {
        sim.apply(Command::AddSecondaryRegion).unwrap();
    }
    assert_eq!(
        sim.apply(Command::AddSecondaryRegion),
        Err(CommandError::TooManyRegions)
    );
    sim.apply(Command::Switchover {
        region: RegionId(2),
    })
    .unwrap();
    assert_eq!(
        sim.apply(Command::GlobalFailover {
            region: RegionId(3)
        }),
        Err(CommandError::GlobalChangeInProgress)
    );
}

#[test]
fn the_view_shows_each_secondary_copy_and_its_quorum() {
    let mut sim = checked("global-lag");
    sim.run_until(secs(5));
    let view = sim.view();
    assert_eq!(view.regions.len(), 3);
    for r in &view.regions {
        if r.role == RegionRole::Primary {
            assert!(r.acked.is_empty());
            continue;
        }
        assert_eq!(r.acked.len(), r.storage.len());
        assert_eq!(r.acked.len(), 6);
        // Durable is where four of the six copies have acknowledged.
        let holding = r.acked.iter().filter(|a| **a >= r.durable).count();
        assert!(holding >= 4, "{}: {holding} of 6", r.name);
        let g = sim.inspect().global().region(r.id).unwrap();
        assert_eq!(
            r.acked.iter().map(|a| a.0).collect::<Vec<_>>(),
            g.acked.to_vec()
        );
    }
}

/// global-lag for 20 s with write forwarding's read consistency set to `c` from the start.
fn forwarding_with(c: aurora_core::settings::forwarding::ReadConsistency) -> Sim {
    let mut sim = checked("global-lag");
    sim.apply(Command::SetReadConsistency(c)).unwrap();
    sim.run_until(secs(20));
    assert_eq!(sim.invariant_violations(), 0);
    sim
}

#[test]
fn read_consistency_decides_what_a_read_after_a_forwarded_write_sees_and_waits() {
    use aurora_core::settings::forwarding::ReadConsistency as C;
    // EVENTUAL: no read waits, and some reads miss the session's own write, which is still
    // on its way back from the primary.
    let eventual = forwarding_with(C::Eventual);
    let m = eventual.metrics();
    assert!(m.forward_read_wait.count() > 500);
    assert_eq!(m.forward_read_wait.max(), 0, "EVENTUAL never waits");
    assert!(
        m.forward_reads_stale > m.forward_read_wait.count() / 10,
        "{} of {} reads missed their own write",
        m.forward_reads_stale,
        m.forward_read_wait.count()
    );
    // SESSION: no read misses its own write; some wait for it.
    let session = forwarding_with(C::Session);
    let ms = session.metrics();
    assert_eq!(ms.forward_reads_stale, 0);
    assert!(ms.forward_read_wait.count() > 500);
    let session_p90 = ms.forward_read_wait.quantile(900);
    assert!(session_p90 > 0, "some reads waited for their write");
    // GLOBAL: a read waits for everything committed when it began, so at least as long.
    let global = forwarding_with(C::Global);
    let mg = global.metrics();
    assert_eq!(mg.forward_reads_stale, 0);
    assert!(
        mg.forward_read_wait.quantile(500) >= ms.forward_read_wait.quantile(500)
            && mg.forward_read_wait.quantile(900) > session_p90,
        "GLOBAL p50/p90 {} / {} µs against SESSION {} / {session_p90} µs",
        mg.forward_read_wait.quantile(500),
        mg.forward_read_wait.quantile(900),
        ms.forward_read_wait.quantile(500)
    );
}

#[test]
fn read_consistency_names_parse_as_the_setting_spells_them() {
    use aurora_core::settings::forwarding::ReadConsistency as C;
    for c in [C::Eventual, C::Session, C::Global] {
        assert_eq!(C::parse(c.name()), Some(c));
        assert_eq!(C::parse(&c.name().to_lowercase()), Some(c));
    }
    assert_eq!(C::parse("strong"), None);
    assert_eq!(C::default(), C::Session);
}

#[test]
fn changing_the_read_consistency_starts_its_figures_again() {
    use aurora_core::settings::forwarding::ReadConsistency as C;
    let mut sim = forwarding_with(C::Session);
    let session_reads = sim.metrics().forward_read_wait.count();
    assert!(session_reads > 500);
    sim.apply(Command::SetReadConsistency(C::Eventual)).unwrap();
    assert_eq!(sim.metrics().forward_read_wait.count(), 0);
    sim.run_until(secs(25));
    let m = sim.metrics();
    assert!(m.forward_read_wait.count() > 100 && m.forward_read_wait.count() < session_reads);
    assert_eq!(
        m.forward_read_wait.max(),
        0,
        "only EVENTUAL's reads, which never wait"
    );
}

/// A secondary instance forwards writes to the primary's writer (reference §7.3); the writer's
/// answer goes back to that instance, not to a client, and the core says so with its own
/// message kind so the page draws it on the forwarding path.
#[test]
fn forwarded_answers_have_their_own_kind_and_go_to_instances() {
    use aurora_core::event::MsgKind;
    use aurora_core::topology::NodeKind;
    let mut sim = scenario::find("global-lag").unwrap().start(1);
    sim.set_recording(true);
    let (mut forwarded, mut plain_to_instance, mut plain_to_client) = (0, 0, 0);
    for step in 1..=10 {
        sim.run_until(secs(step));
        let events: Vec<_> = sim.drain_events().collect();
        for (_, ev) in events {
            if let Event::MessageSent { to, kind, .. } = ev {
                let to_kind = sim.inspect().topology().node(to).kind;
                match (kind, to_kind) {
                    (MsgKind::ForwardedAnswer, NodeKind::Instance) => forwarded += 1,
                    (MsgKind::ForwardedAnswer, other) => {
                        panic!("a forwarded answer went to a {other:?}")
                    }
                    (MsgKind::Answer, NodeKind::Instance) => plain_to_instance += 1,
                    (MsgKind::Answer, _) => plain_to_client += 1,
                    _ => {}
                }
            }
        }
    }
    assert!(
        forwarded > 100,
        "writes forwarded and answered: {forwarded}"
    );
    assert_eq!(plain_to_instance, 0, "no plain answer goes to an instance");
    assert!(plain_to_client > 100, "clients still get plain answers");
}

/// The view states what the page used to work out from the raw model: each node's region,
/// the faults in force, and the load's knobs.
#[test]
fn the_view_agrees_with_the_model_it_describes() {
    let mut sim = checked("global-lag");
    sim.run_until(secs(2));
    let view = sim.view();
    let topo = sim.inspect().topology();
    assert!(view.nodes.iter().any(|n| n.region != RegionId(0)));
    for n in &view.nodes {
        let node = topo.node(n.id);
        assert_eq!(
            (n.region, n.az, n.ordinal),
            (node.region, node.az, node.ordinal)
        );
        assert_eq!(
            sim.node_named(&n.name),
            Some(n.id),
            "{} names itself",
            n.name
        );
    }
    let knobs = view.load.knobs();
    assert!(knobs.0 > 0);
    // Setting the knobs to new values and reading them back gives the same values.
    sim.apply(view.load.command(knobs.0 * 2, 30)).unwrap();
    assert_eq!(sim.view().load.knobs(), (knobs.0 * 2, 30));

    assert!(sim.view().faults.is_empty());
    let storage = view
        .nodes
        .iter()
        .find(|n| n.kind == aurora_core::topology::NodeKind::Storage)
        .unwrap()
        .id;
    // A crash heals by itself and is not a standing fault; a slowdown stays until lifted.
    let slow = Fault::SlowNode {
        node: storage,
        pct: 300,
    };
    sim.apply(Command::Inject(Fault::CrashNode(storage)))
        .unwrap();
    sim.apply(Command::Inject(slow)).unwrap();
    assert_eq!(sim.view().faults, sim.inspect().faults());
    assert_eq!(sim.view().faults, vec![slow]);
}

#[test]
fn a_failover_asked_for_while_the_primary_is_healthy_counts_its_rto_from_the_request() {
    let mut sim = checked("global-lag");
    sim.run_until(secs(5));
    sim.apply(Command::GlobalFailover {
        region: RegionId(1),
    })
    .unwrap();
    sim.run_until(secs(60));
    let g = sim.inspect().global();
    let rec = g.records[0];
    assert!(!rec.planned);
    assert_eq!(g.primary().unwrap().id, RegionId(1));
    // Writes stop at the request and come back when the promotion ends.
    assert!(
        rec.rto >= aurora_core::global::PROMOTE_TIME && rec.rto < SimDuration::from_mins(1),
        "{:?}",
        rec.rto
    );
    // What was lost was written in the lag before the request, not during the promotion.
    assert!(
        rec.rpo_time < SimDuration::from_secs(1),
        "{:?}",
        rec.rpo_time
    );
    assert_eq!(sim.invariant_violations(), 0);
}

#[test]
fn a_target_that_fails_during_a_switchover_leaves_the_primary_writing() {
    for fail_at in [SimDuration::from_millis(10_001), SimDuration::from_secs(15)] {
        let mut sim = checked("global-switchover");
        sim.run_until(SimTime::ZERO + fail_at);
        let role = sim.inspect().global().region(RegionId(1)).unwrap().role;
        sim.apply(Command::Inject(Fault::FailRegion(RegionId(1))))
            .unwrap();
        sim.run_until(secs(50));
        let g = sim.inspect().global();
        assert!(g.records.is_empty(), "failed at {role:?}: nothing promoted");
        assert_eq!(g.primary().unwrap().id, RegionId(0));
        assert_eq!(g.region(RegionId(1)).unwrap().role, RegionRole::Failed);
        assert!(!g.writes_paused, "the primary takes writes again");
        let acked = sim.metrics().commits_acked;
        sim.run_until(secs(55));
        assert!(sim.metrics().commits_acked > acked + 1_000);
        // Another switchover may be asked for once the region is back.
        sim.apply(Command::Heal(Fault::FailRegion(RegionId(1))))
            .unwrap();
        sim.run_until(secs(58));
        assert_eq!(
            sim.apply(Command::Switchover {
                region: RegionId(1)
            }),
            Ok(())
        );
        assert_eq!(sim.invariant_violations(), 0);
    }
}

#[test]
fn a_failover_target_that_fails_on_the_way_is_not_promoted_and_another_can_be() {
    let mut sim = checked("global-lag");
    sim.run_until(secs(5));
    sim.apply(Command::Inject(Fault::FailRegion(RegionId(0))))
        .unwrap();
    sim.run_until(secs(8));
    sim.apply(Command::GlobalFailover {
        region: RegionId(1),
    })
    .unwrap();
    sim.run_until(secs(20));
    sim.apply(Command::Inject(Fault::FailRegion(RegionId(1))))
        .unwrap();
    sim.run_until(secs(45));
    let g = sim.inspect().global();
    assert!(g.records.is_empty(), "the failed target was not promoted");
    assert!(g.writes_paused, "no region can take the writes yet");
    sim.apply(Command::GlobalFailover {
        region: RegionId(2),
    })
    .unwrap();
    sim.run_until(secs(90));
    let g = sim.inspect().global();
    assert_eq!(g.records.len(), 1);
    assert_eq!(g.primary().unwrap().id, RegionId(2));
    // The outage runs from the primary's failure at 5 s to the second promotion's end.
    let rto = g.records[0].rto;
    assert!(
        rto >= SimDuration::from_secs(40) && rto < SimDuration::from_secs(80),
        "{rto:?}"
    );
}

#[test]
fn an_abandoned_promotion_does_not_finish_a_later_one_early() {
    let mut sim = checked("global-lag");
    sim.run_until(secs(5));
    sim.apply(Command::Inject(Fault::FailRegion(RegionId(0))))
        .unwrap();
    sim.run_until(secs(6));
    sim.apply(Command::GlobalFailover {
        region: RegionId(1),
    })
    .unwrap();
    sim.run_until(secs(10));
    sim.apply(Command::Inject(Fault::FailRegion(RegionId(1))))
        .unwrap();
    sim.run_until(secs(11));
    sim.apply(Command::Heal(Fault::FailRegion(RegionId(1))))
        .unwrap();
    sim.run_until(secs(20));
    sim.apply(Command::GlobalFailover {
        region: RegionId(1),
    })
    .unwrap();
    // The first promotion's timer (due at 36 s) does not end the second (due at 50 s).
    sim.run_until(secs(45));
    assert!(sim.inspect().global().records.is_empty());
    sim.run_until(secs(60));
    let g = sim.inspect().global();
    assert_eq!(g.records.len(), 1);
    assert_eq!(g.primary().unwrap().id, RegionId(1));
    let rto = g.records[0].rto;
    assert!(rto >= SimDuration::from_secs(45), "{rto:?}");
}

/// A promotion that cannot finish says so, and says what happens to the writes: a switchover
/// whose target fails hands the writes back to the healthy primary; a failover whose target
/// fails leaves them stopped, the primary being gone.
#[test]
fn an_abandoned_promotion_is_announced_with_what_happens_to_the_writes() {
    // Starts a promotion of region 1 with `start`, fails region 1 five seconds later, and
    // returns the abandonment events that follow and whether writes are paused after them.
    let abandon = |start: &[Command]| -> (Vec<Event>, bool) {
        let mut sim = scenario::find("global-lag").unwrap().start(1);
        sim.run_until(secs(5));
        for c in start {
            sim.apply(c.clone()).unwrap();
        }
        sim.run_until(secs(10));
        sim.drain_events().for_each(drop);
        sim.apply(Command::Inject(Fault::FailRegion(RegionId(1))))
            .unwrap();
        sim.run_until(secs(11));
        let events = sim
            .drain_events()
            .map(|(_, e)| e)
            .filter(|e| matches!(e, Event::GlobalPromotionAbandoned { .. }))
            .collect();
        (events, sim.inspect().global().writes_paused)
    };
    let (events, paused) = abandon(&[Command::Switchover {
        region: RegionId(1),
    }]);
    assert_eq!(
        events,
        [Event::GlobalPromotionAbandoned {
            region: RegionId(1),
            writes_resume: true
        }]
    );
    assert!(!paused, "the primary writes again");

    let (events, paused) = abandon(&[
        Command::Inject(Fault::FailRegion(RegionId(0))),
        Command::GlobalFailover {
            region: RegionId(1),
        },
    ]);
    assert_eq!(
        events,
        [Event::GlobalPromotionAbandoned {
            region: RegionId(1),
            writes_resume: false
        }]
    );
    assert!(paused, "the primary is gone: writes stay stopped");
}
