//! Helpers shared by the core's integration tests. Each test binary uses some of them.
#![allow(dead_code)]

use aurora_core::{scenario, Sim, SimTime};

/// `s` seconds after the start.
pub fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

/// `s` seconds after the start, to the microsecond.
pub fn secs_f(s: f64) -> SimTime {
    SimTime::from_micros((s * 1e6) as u64)
}

/// A built-in scenario started with `seed`, checking the ordering invariants after every event.
pub fn checked(name: &str, seed: u64) -> Sim {
    let mut sim = scenario::find(name)
        .expect("a built-in scenario")
        .start(seed);
    sim.set_full_checks(true);
    sim
}

/// Property-test cases: `AURORA_FUZZ_CASES`, else `default`.
pub fn fuzz_cases(default: u32) -> u32 {
    std::env::var("AURORA_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
