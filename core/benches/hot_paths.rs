//! Micro-benchmarks of the simulation's hot paths: the event queue, quorum tracking, redo
//! batching and view building.
//!
//! ```text
//! cargo bench -p aurora-core --bench hot_paths [-- FILTER...]
//! ```
//! Times are per element: per event, per call, per commit or per view, as each name says.

mod harness;

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::hint::black_box;

use aurora_core::compute::instance::CLASSES;
use aurora_core::lsn::VolumeLog;
use aurora_core::quorum::{QuorumSet, MAX_SLOTS};
use aurora_core::storage::PG_SIZE_BYTES;
use aurora_core::workload::WorkloadConfig;
use aurora_core::{scenario, Command, Sim, SimConfig, SimTime};

use harness::Runner;

fn main() {
    let mut runner = Runner::from_args();
    event_queue(&mut runner);
    quorum_tracking(&mut runner);
    redo_batching(&mut runner);
    view_building(&mut runner);
}

/// xorshift64: cheap draws that do not touch the simulation's own generator.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct Key {
    at: u64,
    seq: u64,
    slot: u32,
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The queue in steady state ("hold"): each event is taken and another scheduled up to about a
/// millisecond later, with `pending` events queued throughout. The bare heap is the floor; the
/// engine adds its slab, the clock and dispatch (of a command that does nothing: committing
/// with no transaction open).
fn event_queue(runner: &mut Runner) {
    for pending in [40usize, 4_096] {
        let mut draw = Draw(0x9E37_79B9_7F4A_7C15);
        let mut heap: BinaryHeap<Key> = (0..pending as u32)
            .map(|slot| Key {
                at: draw.next() & 1023,
                seq: slot as u64,
                slot,
            })
            .collect();
        let mut seq = pending as u64;
        runner.bench(
            &format!("queue/bare binary heap, pop+push, {pending} pending"),
            1,
            || {
                let key = heap.pop().expect("the heap is never empty");
                seq += 1;
                heap.push(Key {
                    at: key.at + (draw.next() & 1023),
                    seq,
                    slot: key.slot,
                });
                key.slot
            },
        );

        let mut sim = Sim::new(SimConfig::default(), 1);
        sim.set_recording(false);
        for _ in 0..pending {
            sim.schedule(SimTime::from_micros(draw.next() & 1023), Command::Commit);
        }
        runner.bench(
            &format!("queue/engine step+schedule, {pending} pending"),
            1,
            || {
                sim.step();
                let at = sim.now().as_micros() + (draw.next() & 1023);
                sim.schedule(SimTime::from_micros(at), black_box(Command::Commit));
            },
        );
    }
}

/// What each acknowledgement costs the writer: the highest point a write quorum holds, over six
/// copies and during a membership change (two quorum groups); and the LSN bookkeeping of one
/// mini-transaction on a volume of four PGs: allocate, harden, recompute VCL and VDL.
fn quorum_tracking(runner: &mut Runner) {
    let six = QuorumSet::simple(0b11_1111);
    let changing = six.begin_replace(2, 6).expect("slot 6 is free");
    // Each slot's point: a common base plus a little, as acknowledgements leave them; drawn
    // beforehand so that only the call is timed.
    let mut draw = Draw(7);
    let inputs: Vec<[u64; MAX_SLOTS]> = (0..1024)
        .map(|_| {
            let base = draw.next() >> 40;
            core::array::from_fn(|_| base + (draw.next() & 7))
        })
        .collect();
    for (name, set) in [("6 copies", six), ("membership change", changing)] {
        let members = set.members();
        let mut i = 0;
        runner.bench(&format!("quorum/quorum_point, {name}"), 1, || {
            i = (i + 1) % inputs.len();
            black_box(&set).quorum_point(black_box(&inputs[i]), members)
        });
    }

    let mut log = VolumeLog::new(4);
    let mut pg = 0u32;
    runner.bench(
        "lsn/allocate+mark_cpl+advance_pg+recompute, 4 PGs",
        1,
        || {
            pg = (pg + 1) % 4;
            let (_, last) = log.allocate(pg, 3).expect("VDL keeps up");
            log.mark_cpl(last);
            log.advance_pg(pg, last);
            log.recompute()
        },
    );
}

/// The writer's redo path end to end, per acknowledged commit: transactions are buffered per
/// PG, each boxcar goes to six copies, acknowledgements move PGCL, VCL and VDL, and commits are
/// acknowledged. At 2,000 transactions per second a boxcar usually carries one; at 200,000 it
/// carries several, and the per-commit cost shows what batching saves.
fn redo_batching(runner: &mut Runner) {
    const COMMITS: u64 = 20_000;
    for (label, txn_per_sec) in [("2k txn/s", 2_000), ("200k txn/s", 200_000)] {
        let config = SimConfig {
            initial_volume_bytes: 4 * PG_SIZE_BYTES,
            workload: WorkloadConfig {
                txn_per_sec,
                mtrs_per_txn: 1,
                ..WorkloadConfig::default()
            },
            ..SimConfig::default()
        };
        runner.bench_with_setup(
            &format!("redo/commit, 4 PGs x 6 copies, {label}"),
            COMMITS,
            || {
                let mut sim = Sim::new(config, 1);
                sim.set_recording(false);
                sim
            },
            |mut sim| {
                while sim.metrics().commits_acked < COMMITS {
                    sim.step();
                }
                sim
            },
        );
    }
}

/// What the page builds for each frame: the whole view, for the e-commerce scenario after its
/// failover, and with five more replicas (16 instances, 4 PGs).
fn view_building(runner: &mut Runner) {
    let Some(scenario) = scenario::find("e-commerce") else {
        panic!("the e-commerce scenario exists");
    };
    let mut sim = scenario.start(1);
    sim.set_recording(false);
    sim.run_until(SimTime::from_micros(40_000_000));
    runner.bench(
        &format!(
            "view/e-commerce, {} instances",
            sim.inspect().instances().len()
        ),
        1,
        || black_box(&sim).view(),
    );
    while sim.inspect().instances().len() < 16 {
        let added = sim.apply(Command::AddReplica {
            az: None,
            class: CLASSES[2].name.into(),
            tier: 1,
        });
        added.expect("room for another replica");
    }
    sim.run_until(SimTime::from_micros(60_000_000));
    runner.bench(
        &format!(
            "view/e-commerce, {} instances",
            sim.inspect().instances().len()
        ),
        1,
        || black_box(&sim).view(),
    );
}
