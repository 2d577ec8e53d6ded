//! Serverless v2 / v1 capacity rules (reference §6).

use aurora_core::client::{ClientWorkload, Pattern};
use aurora_core::event::Event;
use aurora_core::ids::NodeId;
use aurora_core::scenario;
use aurora_core::serverless::{Capacity, TimeoutAction, V1_POINTS};
use aurora_core::settings::capacity::V1_WINDOW_SECS;
use aurora_core::{Command, CommandError, Sim, SimConfig, SimDuration, SimTime};

mod common;
use common::secs;

fn load(rate: u32, pattern: Pattern) -> ClientWorkload {
    ClientWorkload {
        clients: 8,
        requests_per_sec: rate,
        read_ppm: 900_000,
        pattern,
        hot_bytes: 8 << 30,
        ..ClientWorkload::default()
    }
}

/// Every capacity the writer took, in order, from the event stream.
fn capacities(sim: &mut Sim, until: SimTime) -> Vec<(SimTime, u16)> {
    let w = sim.inspect().writer().node;
    let mut out = Vec::new();
    while sim.now() < until {
        sim.run_for(SimDuration::from_secs(1));
        for (t, e) in sim.drain_events() {
            if let Event::CapacityChanged { node, half } = e {
                if node == w {
                    out.push((t, half));
                }
            }
        }
    }
    out
}

#[test]
fn v2_stays_within_min_and_max_in_half_acu_steps_under_any_load() {
    for seed in 1..=6u64 {
        let min_half = seed as u16; // 0.5 … 3 ACU
        let max_half = 8 + seed as u16 * 6;
        let mut sim = Sim::new(
            SimConfig {
                clients: load(
                    200 + seed as u32 * 300,
                    Pattern::Burst {
                        every: SimDuration::from_secs(40),
                        length: SimDuration::from_secs(10),
                        factor: 8,
                    },
                ),
                ..SimConfig::default()
            },
            seed,
        );
        let w = sim.inspect().writer().node;
        sim.apply(Command::SetCapacity {
            node: w,
            capacity: Capacity::V2 {
                min_half,
                max_half,
                pause_after: None,
            },
        })
        .unwrap();
        let caps = capacities(&mut sim, secs(150));
        assert!(caps.len() > 5, "seed {seed}: the bursts move capacity");
        let mut prev = min_half.max(1);
        for &(t, half) in &caps {
            assert!(
                (min_half.max(1)..=max_half).contains(&half),
                "seed {seed}: {half} half-ACUs at {t} outside [{min_half}, {max_half}]"
            );
            // Growth is bounded by half the current capacity per step, shrinking by a
            // twentieth: never a jump to the target.
            let up = half.saturating_sub(prev);
            let down = prev.saturating_sub(half);
            assert!(up <= (prev / 2).max(1), "seed {seed}: +{up} from {prev}");
            assert!(
                down <= (prev / 20).max(1),
                "seed {seed}: -{down} from {prev}"
            );
            prev = half;
        }
        assert!(caps.iter().any(|c| c.1 == max_half) || caps.iter().any(|c| c.1 > min_half * 3));
    }
}

/// The writer's capacity in force at `t`, from the metrics' trace.
fn capacity_at(sim: &Sim, t: SimTime) -> u16 {
    let w = sim.inspect().writer().node;
    sim.metrics()
        .capacity_trace
        .iter()
        .rev()
        .find(|(at, n, _)| *n == w && *at <= t)
        .map_or(0, |x| x.2)
}

#[test]
fn v2_scales_up_in_seconds_and_down_gradually() {
    let mut sim = scenario::find("serverless-v2-spike").unwrap().start(1);
    sim.set_recording(false);
    sim.run_until(secs(80));
    assert!(capacity_at(&sim, secs(59)) <= 4, "small before the spike");
    let spiked = capacity_at(&sim, secs(75));
    assert!(spiked >= 30, "≥ 15 ACU within 15 s of the spike: {spiked}");
    sim.run_until(secs(240));
    let (end_of_spike, later) = (capacity_at(&sim, secs(185)), capacity_at(&sim, secs(240)));
    assert!(end_of_spike > later, "it shrinks after the spike");
    assert!(end_of_spike > 10, "but not all at once");
}

#[test]
fn v1_never_scales_during_a_long_transaction_and_only_by_doubling() {
    let mut sim = scenario::find("serverless-v1-spike").unwrap().start(1);
    let w = sim.inspect().writer().node;
    let mut waits = 0;
    let mut changes = Vec::new();
    while sim.now() < secs(300) {
        sim.run_for(SimDuration::from_secs(1));
        for (t, e) in sim.drain_events() {
            match e {
                Event::ScalingPointWait { .. } => waits += 1,
                Event::CapacityChanged { node, half } if node == w => changes.push((t, half)),
                _ => {}
            }
        }
    }
    assert!(waits > 30, "it kept waiting for a scaling point");
    for &(t, half) in &changes {
        assert!(
            t < secs(55) || t >= secs(150),
            "v1 scaled at {t} while the long transaction (55–150 s) was open"
        );
        assert!(
            V1_POINTS.contains(&(half / 2)),
            "{half} half-ACUs is not a v1 point"
        );
    }
    let after: Vec<u16> = changes
        .iter()
        .filter(|c| c.0 >= secs(150))
        .map(|c| c.1)
        .collect();
    assert!(
        after.windows(2).all(|w| w[1] == w[0] * 2),
        "doubling: {after:?}"
    );
    assert!(after.len() >= 2, "{after:?}");
    // Each step is measured anew at its capacity: a full window between doublings.
    let times: Vec<SimTime> = changes
        .iter()
        .filter(|c| c.0 >= secs(150))
        .map(|c| c.0)
        .collect();
    for w in times.windows(2) {
        assert!(
            w[1] - w[0] >= SimDuration::from_secs(V1_WINDOW_SECS as u64),
            "doublings at {} and {}",
            w[0],
            w[1]
        );
    }
}

fn v1_writer(pause: bool, clients: ClientWorkload) -> Sim {
    v1_writer_seeded(3, pause, clients)
}

/// The same, with the run's seed.
fn v1_writer_seeded(seed: u64, pause: bool, clients: ClientWorkload) -> Sim {
    let mut sim = Sim::new(
        SimConfig {
            clients,
            ..SimConfig::default()
        },
        seed,
    );
    let w = sim.inspect().writer().node;
    sim.apply(Command::SetCapacity {
        node: w,
        capacity: Capacity::V1 {
            min_acu: 1,
            max_acu: 16,
            pause,
            on_timeout: TimeoutAction::Rollback,
        },
    })
    .unwrap();
    sim
}

#[test]
fn v1_scales_on_load_sustained_over_its_window_not_on_a_busy_moment() {
    // A burst of a few seconds, then quiet: v1 does not move.
    let mut sim = v1_writer(false, load(4_000, Pattern::Steady));
    sim.run_until(secs(5));
    sim.apply(Command::SetClients(load(10, Pattern::Steady)))
        .unwrap();
    let burst: Vec<_> = capacities(&mut sim, secs(90))
        .into_iter()
        .filter(|c| c.1 != 2)
        .collect();
    assert!(
        burst.is_empty(),
        "a 5 s burst moved v1 off 1 ACU: {burst:?}"
    );
    // Load that stays: the first doubling comes after a full window of it.
    let mut sim = v1_writer(false, load(4_000, Pattern::Steady));
    let steady = capacities(&mut sim, secs(60));
    let Some(&(first, half)) = steady.iter().find(|c| c.1 != 2) else {
        panic!("sustained load scales v1 up")
    };
    assert_eq!(half, 4, "1 ACU doubles to 2");
    let window = SimDuration::from_secs(V1_WINDOW_SECS as u64);
    assert!(
        first >= SimTime::ZERO + window
            && first <= SimTime::ZERO + window + SimDuration::from_secs(10),
        "first doubling at {first}"
    );
}

#[test]
fn v1_resumes_at_the_capacity_it_had_before_pausing() {
    let mut sim = v1_writer(true, load(4_000, Pattern::Steady));
    sim.run_until(secs(120));
    let before = capacity_at(&sim, secs(120));
    assert!(before > 2, "it scaled up first: {before} half-ACUs");
    sim.apply(Command::SetClients(ClientWorkload {
        clients: 0,
        ..load(0, Pattern::Steady)
    }))
    .unwrap();
    sim.run_until(secs(120 + 7 * 60));
    assert_eq!(
        capacity_at(&sim, sim.now()),
        0,
        "paused after 5 idle minutes"
    );
    sim.apply(Command::SetClients(load(100, Pattern::Steady)))
        .unwrap();
    sim.run_until(sim.now() + SimDuration::from_secs(45));
    let w = sim.inspect().writer().node;
    let Some(i) = sim.inspect().instances().iter().find(|i| i.node == w) else {
        panic!("the writer")
    };
    assert!(!i.serverless.paused && i.serverless.resuming_until.is_none());
    assert_eq!(
        i.serverless.half, before,
        "back at its pre-pause capacity, not 1 ACU"
    );
}

#[test]
fn v1_gives_up_after_300_s_without_a_scaling_point() {
    let mut sim = v1_writer_seeded(2, false, load(4_000, Pattern::Steady));
    let w = sim.inspect().writer().node;
    sim.apply(Command::LongTransaction {
        duration: SimDuration::from_mins(20),
    })
    .unwrap();
    // The wait starts once a full window has shown the load; it gives up 300 s later.
    sim.run_until(secs(302 + V1_WINDOW_SECS as u64));
    assert!(sim
        .drain_events()
        .any(|(_, e)| matches!(e, Event::ScalingTimedOut { forced: false, .. })));
    let cap = sim
        .inspect()
        .instances()
        .iter()
        .find(|i| i.node == w)
        .unwrap()
        .serverless
        .half;
    assert_eq!(cap, 2, "rolled back: still 1 ACU");
}

#[test]
fn v2_pauses_when_idle_and_resumes_in_about_15_seconds() {
    let mut sim = scenario::find("serverless-pause-resume").unwrap().start(1);
    sim.set_recording(false);
    sim.run_until(secs(10 * 60));
    let trace = &sim.metrics().capacity_trace;
    let paused = trace.iter().find(|c| c.2 == 0).expect("paused").0;
    // Idle from 60 s (plus the last DNS answers expiring); paused 300 s later.
    assert!(
        paused >= secs(360) && paused <= secs(370),
        "paused at {paused}"
    );
    let resumes = &sim.metrics().resumes;
    assert_eq!(resumes.len(), 1);
    let r = resumes[0].as_secs_f64();
    assert!((14.0..17.0).contains(&r), "resume took {r} s");
}

#[test]
fn the_meter_counts_acu_hours() {
    let mut sim = Sim::new(SimConfig::default(), 3);
    let w = sim.inspect().writer().node;
    sim.apply(Command::SetCapacity {
        node: w,
        capacity: Capacity::V2 {
            min_half: 8,
            max_half: 8,
            pause_after: None,
        },
    })
    .unwrap();
    sim.run_until(secs(3600));
    let m = sim.inspect().meter();
    assert!((m.acu_hours() - 4.0).abs() < 0.01, "{}", m.acu_hours());
    assert!(
        (m.dollars() - 0.48).abs() < 0.01,
        "4 ACU-hours at the example $0.12"
    );
}

#[test]
fn the_meter_bills_provisioned_instances_only_while_they_are_up() {
    // A writer and two provisioned replicas; one replica is down for the second half hour.
    let config = SimConfig {
        replicas: 2,
        ..SimConfig::default()
    };
    let mut sim = Sim::new(config, 4);
    sim.run_until(secs(1800));
    let replica = sim
        .inspect()
        .instances()
        .iter()
        .find(|i| i.node != sim.inspect().writer().node)
        .map(|i| i.node)
        .unwrap();
    sim.apply(Command::Inject(aurora_core::Fault::CrashNode(replica)))
        .unwrap();
    sim.run_until(secs(3600));
    let all: u64 = sim
        .inspect()
        .instances()
        .iter()
        .map(|i| i.milli_vcpu())
        .sum();
    let down = sim
        .inspect()
        .instances()
        .iter()
        .find(|i| i.node == replica)
        .unwrap()
        .milli_vcpu();
    let want = (all as f64 - down as f64 / 2.0) / 1000.0;
    let got = sim.inspect().meter().vcpu_hours();
    assert!(
        (got - want).abs() < 0.01,
        "{got} vCPU-hours, want {want}: the crashed replica's half hour is not billed"
    );
    assert_eq!(
        sim.inspect().meter().acu_hours(),
        0.0,
        "no serverless instance"
    );
}

#[test]
fn bad_capacity_settings_are_refused() {
    let mut sim = Sim::new(SimConfig::default(), 1);
    let w = sim.inspect().writer().node;
    let e = sim
        .apply(Command::SetCapacity {
            node: w,
            capacity: Capacity::V2 {
                min_half: 0,
                max_half: 8,
                pause_after: None,
            },
        })
        .unwrap_err();
    assert!(matches!(e, CommandError::BadCapacity(_)));
    assert!(e.to_string().contains("auto-pause"));
}

fn v2(min_half: u16, max_half: u16, pause_after: Option<SimDuration>) -> Capacity {
    Capacity::V2 {
        min_half,
        max_half,
        pause_after,
    }
}

/// A Serverless v2 writer with two Serverless v2 readers, tier 1 and tier 5, under a write-only
/// load (the readers serve nothing): what each reader's capacity does is the writer's doing.
fn writer_and_two_readers(writer_cap: Capacity) -> (Sim, NodeId, NodeId) {
    let mut sim = Sim::new(
        SimConfig {
            replicas: 2,
            clients: ClientWorkload {
                read_ppm: 0,
                ..load(3_000, Pattern::Steady)
            },
            ..SimConfig::default()
        },
        4,
    );
    let w = sim.inspect().writer().node;
    let readers: Vec<NodeId> = sim
        .inspect()
        .instances()
        .iter()
        .map(|i| i.node)
        .filter(|&n| n != w)
        .collect();
    let (near, far) = (readers[0], readers[1]);
    sim.apply(Command::SetTier { node: far, tier: 5 }).unwrap();
    sim.apply(Command::SetCapacity {
        node: w,
        capacity: writer_cap,
    })
    .unwrap();
    for r in [near, far] {
        sim.apply(Command::SetCapacity {
            node: r,
            capacity: v2(1, 64, None),
        })
        .unwrap();
    }
    (sim, near, far)
}

fn half_of(sim: &Sim, node: NodeId) -> u16 {
    sim.inspect()
        .instances()
        .iter()
        .find(|i| i.node == node)
        .map_or(0, |i| i.serverless.half)
}

#[test]
fn v2_readers_in_tiers_0_and_1_follow_the_writers_capacity_and_the_others_do_not() {
    let (mut sim, near, far) = writer_and_two_readers(v2(1, 64, None));
    sim.set_recording(false);
    sim.run_until(secs(60));
    let w = sim.inspect().writer().node;
    let writer = half_of(&sim, w);
    assert!(
        writer >= 8,
        "the writes size the writer: {writer} half-ACUs"
    );
    assert!(
        half_of(&sim, near) >= writer,
        "tier 1 is at least the writer's {writer}: {}",
        half_of(&sim, near)
    );
    assert_eq!(half_of(&sim, far), 1, "tier 5 scales on its own idle load");
    // The view says which readers follow, for the page to show.
    let view = sim.view();
    let follows = |n: NodeId| {
        view.instances
            .iter()
            .any(|i| i.node == n && i.follows_writer)
    };
    assert!(follows(near) && !follows(far) && !follows(w));
}

#[test]
fn v2_readers_in_tiers_0_and_1_pause_and_resume_with_the_writer() {
    let pause = Some(SimDuration::from_secs(300));
    let (mut sim, near, far) = writer_and_two_readers(v2(0, 64, pause));
    sim.set_recording(false);
    sim.run_until(secs(20));
    sim.apply(Command::SetClients(ClientWorkload {
        clients: 0,
        ..load(0, Pattern::Steady)
    }))
    .unwrap();
    sim.run_until(secs(20 + 7 * 60));
    let w = sim.inspect().writer().node;
    let paused = |sim: &Sim, n: NodeId| {
        sim.inspect()
            .instances()
            .iter()
            .any(|i| i.node == n && i.serverless.paused)
    };
    assert!(paused(&sim, w), "the idle writer paused");
    assert!(
        paused(&sim, near),
        "tier 1 paused with it, though its own minimum is 0.5 ACU"
    );
    assert!(!paused(&sim, far), "tier 5 keeps its own minimum");
    sim.apply(Command::SetClients(load(100, Pattern::Steady)))
        .unwrap();
    sim.run_until(sim.now() + SimDuration::from_secs(40));
    assert!(!paused(&sim, w) && !paused(&sim, near), "both resumed");
    assert!(half_of(&sim, near) >= 1);
}
