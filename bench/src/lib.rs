//! The engine workloads that `cargo xtask bench` times for P1 and P2.
//!
//! The same functions run natively (`src/main.rs`, timed with [`std::time::Instant`]) and in
//! WebAssembly under Node (`p2.mjs`, timed with `performance.now()` around the call), so both
//! sides do the same work; the trace digest each run returns proves it.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::hint::black_box;

use aurora_core::workload::WorkloadConfig;
use aurora_core::{scenario, Sim, SimConfig};

/// Every run starts from this seed, so every run does the same work.
pub const SEED: u64 = 1;

/// P1: the scenario run, and how many events of it.
pub const P1_SCENARIO: &str = "e-commerce";
pub const P1_EVENTS: u64 = 1_000_000;

/// P2: a million committed transactions on a volume of 4 PGs (6 copies each) with 3 replicas,
/// from the writer's own workload of one mini-transaction per transaction.
pub const P2_COMMITS: u64 = 1_000_000;
pub const P2_TXN_PER_SEC: u32 = 200_000;
pub const P2_REPLICAS: u8 = 3;
pub const P2_PGS: u64 = 4;

/// What a run did: enough to see that two runs did the same work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub events: u64,
    pub commits: u64,
    pub sim_micros: u64,
    pub digest: u64,
}

impl Outcome {
    pub fn of(sim: &Sim) -> Self {
        Outcome {
            events: sim.events_processed(),
            commits: sim.metrics().commits_acked,
            sim_micros: sim.now().as_micros(),
            digest: sim.trace_digest(),
        }
    }

    /// `events=N commits=N sim_us=N digest=HEX`, as the runners print it.
    pub fn fields(&self) -> String {
        format!(
            "events={} commits={} sim_us={} digest={:016x}",
            self.events, self.commits, self.sim_micros, self.digest
        )
    }
}

/// A built-in scenario at [`SEED`], with events fed to the digest but not stored: the fast path
/// the headless runner uses.
pub fn scenario_sim(name: &str) -> Option<Sim> {
    let mut sim = scenario::find(name)?.start(SEED);
    sim.set_recording(false);
    Some(sim)
}

/// Handles up to `n` events; returns how many there were.
pub fn run_events(sim: &mut Sim, n: u64) -> u64 {
    let mut done = 0;
    while done < n && sim.step() {
        done += 1;
    }
    done
}

/// The mean number of queued events over the first `n` events of `sim`, sampled every 64: the
/// size of the heap the bare loop of P1 works on.
pub fn mean_pending(mut sim: Sim, n: u64) -> usize {
    let (mut sum, mut samples) = (0u64, 0u64);
    let mut done = 0;
    while done < n {
        let ran = run_events(&mut sim, 64.min(n - done));
        if ran == 0 {
            break;
        }
        done += ran;
        sum += sim.events_pending() as u64;
        samples += 1;
    }
    (sum / samples.max(1)) as usize
}

/// The engine's queue key, as the engine orders it: earliest time first, then earliest scheduled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// The bare loop P1 compares the engine with: a binary heap of `pending` keys like the engine's,
/// and per event one pop and one push of a key up to about a millisecond later. Returns a value
/// that depends on every key popped, so none of the work can be left out.
pub fn heap_loop(events: u64, pending: usize, seed: u64) -> u64 {
    let mut state = seed | 1;
    let mut next = move || {
        // xorshift64: as cheap as a random draw gets.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut heap = BinaryHeap::with_capacity(pending + 1);
    let mut seq = 0;
    for slot in 0..pending.max(1) as u32 {
        seq += 1;
        heap.push(Key {
            at: next() & 1023,
            seq,
            slot,
        });
    }
    let mut check = 0u64;
    for _ in 0..events {
        let Some(key) = heap.pop() else { break };
        let key = black_box(key);
        check = check.rotate_left(1) ^ key.at ^ key.slot as u64;
        seq += 1;
        heap.push(Key {
            at: key.at + (next() & 1023),
            seq,
            slot: key.slot,
        });
    }
    check
}

/// P2's cluster at [`SEED`], recording off.
pub fn million_commits_sim() -> Sim {
    let config = SimConfig {
        initial_volume_bytes: P2_PGS * aurora_core::storage::PG_SIZE_BYTES,
        replicas: P2_REPLICAS,
        workload: WorkloadConfig {
            txn_per_sec: P2_TXN_PER_SEC,
            mtrs_per_txn: 1,
            ..WorkloadConfig::default()
        },
        ..SimConfig::default()
    };
    let mut sim = Sim::new(config, SEED);
    sim.set_recording(false);
    sim
}

/// Builds P2's cluster and runs it until `commits` transactions are acknowledged.
pub fn run_to_commits(commits: u64) -> Outcome {
    let mut sim = million_commits_sim();
    while sim.metrics().commits_acked < commits {
        if !sim.step() {
            break;
        }
    }
    Outcome::of(&sim)
}

/// The WebAssembly entry point for Node: runs P2 to `commits` and returns [`Outcome::fields`].
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn p2(commits: u32) -> String {
    run_to_commits(commits as u64).fields()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn p2_stops_at_the_commit_count_and_repeats_exactly() {
        let a = run_to_commits(5_000);
        assert!(a.commits >= 5_000, "{a:?}");
        assert!(a.commits < 5_000 + 1_000, "stops soon after: {a:?}");
        assert!(a.events > 0);
        assert_eq!(run_to_commits(5_000), a, "same seed, same run");
    }

    #[test]
    fn p1_scenario_exists_and_runs_the_events_asked_for() {
        let mut sim = scenario_sim(P1_SCENARIO).expect("the P1 scenario exists");
        assert_eq!(run_events(&mut sim, 10_000), 10_000);
        assert_eq!(sim.events_processed(), 10_000);
        let pending = mean_pending(scenario_sim(P1_SCENARIO).expect("scenario"), 10_000);
        assert!(pending > 0);
    }

    #[test]
    fn heap_loop_depends_on_its_inputs() {
        assert_eq!(heap_loop(1_000, 32, 7), heap_loop(1_000, 32, 7));
        assert_ne!(heap_loop(1_000, 32, 7), heap_loop(1_000, 32, 8));
        assert_ne!(heap_loop(1_000, 32, 7), heap_loop(1_001, 32, 7));
    }
}
