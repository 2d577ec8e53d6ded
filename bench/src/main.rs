//! The native side of `cargo xtask bench`: times P1 or P2 and prints each run, then one
//! `result ...` line of `key=value` fields that xtask reads.
//!
//! ```text
//! cargo run --profile bench -p aurora-bench -- p1 [--runs N]
//! cargo run --profile bench -p aurora-bench -- p2 [--runs N]
//! ```
//! Every run starts from a fresh simulation with the same seed; one untimed run comes first to
//! warm caches and the allocator; the result is the median of the timed runs.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use aurora_bench::{
    heap_loop, mean_pending, run_events, run_to_commits, scenario_sim, P1_EVENTS, P1_SCENARIO,
    P2_COMMITS,
};

fn usage() -> &'static str {
    "usage: aurora-bench p1|p2 [--runs N]"
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runs = match args.iter().position(|a| a == "--runs") {
        Some(i) => match args.get(i + 1).and_then(|n| n.parse::<usize>().ok()) {
            Some(n) if n > 0 => Some(n),
            _ => {
                eprintln!("--runs takes a whole number above 0\n{}", usage());
                return ExitCode::from(2);
            }
        },
        None => None,
    };
    let result = match args.first().map(String::as_str) {
        Some("p1") => p1(runs.unwrap_or(7)),
        Some("p2") => p2(runs.unwrap_or(5)),
        _ => Err(usage().to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("aurora-bench: {error}");
            ExitCode::from(2)
        }
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

/// The engine running the scenario, and the bare heap loop, for the same number of events; the
/// two alternate so that both see the same machine.
fn p1(runs: usize) -> Result<(), String> {
    let fresh = || scenario_sim(P1_SCENARIO).ok_or(format!("no scenario {P1_SCENARIO}"));
    let pending = mean_pending(fresh()?, P1_EVENTS);
    let engine = |sim: &mut aurora_core::Sim| -> Result<f64, String> {
        let started = Instant::now();
        let done = run_events(black_box(sim), P1_EVENTS);
        let took = started.elapsed();
        if done != P1_EVENTS {
            return Err(format!(
                "{P1_SCENARIO} ran out of events after {done} of {P1_EVENTS}"
            ));
        }
        Ok(took.as_nanos() as f64 / P1_EVENTS as f64)
    };
    let heap = |seed: u64| {
        let started = Instant::now();
        black_box(heap_loop(black_box(P1_EVENTS), black_box(pending), seed));
        started.elapsed().as_nanos() as f64 / P1_EVENTS as f64
    };
    engine(&mut fresh()?)?;
    heap(1);
    let (mut engines, mut heaps, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut outcome = None;
    for run in 1..=runs {
        let mut sim = fresh()?;
        let e = engine(&mut sim)?;
        let h = heap(run as u64);
        outcome = Some(aurora_bench::Outcome::of(&sim));
        println!(
            "p1 run {run}/{runs}: engine {e:.1} ns/event, heap {h:.1} ns/event, ratio {:.2}",
            e / h
        );
        engines.push(e);
        heaps.push(h);
        ratios.push(e / h);
    }
    let outcome = outcome.ok_or("no runs")?;
    println!(
        "result p1 engine_ns={:.1} heap_ns={:.1} ratio={:.2} pending={pending} runs={runs} {}",
        median(&engines),
        median(&heaps),
        median(&ratios),
        outcome.fields()
    );
    Ok(())
}

/// A million commits with 6 copies and 3 replicas, from building the cluster to the last commit.
fn p2(runs: usize) -> Result<(), String> {
    let first = run_to_commits(P2_COMMITS);
    if first.commits < P2_COMMITS {
        return Err(format!(
            "only {} commits before the events ran out",
            first.commits
        ));
    }
    let mut times = Vec::new();
    for run in 1..=runs {
        let started = Instant::now();
        let outcome = black_box(run_to_commits(black_box(P2_COMMITS)));
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        if outcome != first {
            return Err(format!(
                "run {run} differs from the first: {outcome:?} vs {first:?}"
            ));
        }
        println!("p2 run {run}/{runs}: {ms:.1} ms");
        times.push(ms);
    }
    println!(
        "result p2 ms={:.1} runs={runs} {}",
        median(&times),
        first.fields()
    );
    Ok(())
}
