//! A small benchmark harness for the micro-benchmarks in this folder, without dependencies, so
//! the core's build stays small and offline.
//!
//! Each benchmark warms up for [`WARM_UP`], sizes its samples to take about [`SAMPLE`] each, takes
//! [`SAMPLES`] samples and prints the median time per element with the fastest and slowest
//! sample. Inputs go through [`black_box`] in the benchmarks and every output through it here,
//! so the optimiser cannot drop the work.
//!
//! `cargo bench -p aurora-core --bench NAME [-- FILTER...]` runs the benchmarks whose names
//! contain any of the filters (all of them without one).

use std::hint::black_box;
use std::time::{Duration, Instant};

pub const WARM_UP: Duration = Duration::from_millis(200);
pub const SAMPLE: Duration = Duration::from_millis(20);
pub const SAMPLES: usize = 15;

pub struct Runner {
    filters: Vec<String>,
    header: bool,
}

/// One benchmark's result: nanoseconds per element.
pub struct Measured {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Runner {
    /// Reads the filters from the command line; cargo's own flags (`--bench`) are skipped.
    pub fn from_args() -> Self {
        Runner {
            filters: std::env::args()
                .skip(1)
                .filter(|a| !a.starts_with("--"))
                .collect(),
            header: false,
        }
    }

    fn wanted(&self, name: &str) -> bool {
        self.filters.is_empty() || self.filters.iter().any(|f| name.contains(f.as_str()))
    }

    /// Times `routine`, which handles `elements` elements (events, commits, calls) per call.
    /// State it changes carries over between calls: the benchmark must keep it steady.
    pub fn bench<T>(
        &mut self,
        name: &str,
        elements: u64,
        mut routine: impl FnMut() -> T,
    ) -> Option<Measured> {
        self.bench_with_setup(name, elements, || (), |()| routine())
    }

    /// Times `routine` on inputs made by `setup`, which is not timed (nor is dropping what the
    /// routine returns).
    pub fn bench_with_setup<S, T>(
        &mut self,
        name: &str,
        elements: u64,
        mut setup: impl FnMut() -> S,
        mut routine: impl FnMut(S) -> T,
    ) -> Option<Measured> {
        if !self.wanted(name) {
            return None;
        }
        if !self.header {
            self.header = true;
            println!(
                "{:<52} {:>11} {:>23}",
                "benchmark", "median", "fastest .. slowest"
            );
        }
        // Warm up, and learn how long one call takes.
        let mut calls = 0u64;
        let mut spent = Duration::ZERO;
        while spent < WARM_UP || calls == 0 {
            let input = setup();
            let started = Instant::now();
            let output = routine(black_box(input));
            spent += started.elapsed();
            drop(black_box(output));
            calls += 1;
        }
        let per_call = spent.as_secs_f64() / calls as f64;
        let per_sample = ((SAMPLE.as_secs_f64() / per_call) as u64).max(1);
        let mut samples = Vec::with_capacity(SAMPLES);
        let mut outputs = Vec::with_capacity(per_sample as usize);
        for _ in 0..SAMPLES {
            let inputs: Vec<S> = (0..per_sample).map(|_| setup()).collect();
            let started = Instant::now();
            for input in inputs {
                outputs.push(routine(black_box(input)));
            }
            let took = started.elapsed();
            drop(black_box(outputs.drain(..)));
            samples.push(took.as_nanos() as f64 / (per_sample * elements) as f64);
        }
        samples.sort_by(f64::total_cmp);
        let measured = Measured {
            median: samples[SAMPLES / 2],
            min: samples[0],
            max: samples[SAMPLES - 1],
        };
        println!(
            "{:<52} {:>11} {:>10} .. {:>9}",
            name,
            time(measured.median),
            time(measured.min),
            time(measured.max)
        );
        Some(measured)
    }
}

/// `38.2 ns`, `4.31 µs`, `12.5 ms`.
pub fn time(ns: f64) -> String {
    if ns < 1_000.0 {
        format!("{ns:.1} ns")
    } else if ns < 1_000_000.0 {
        format!("{:.2} µs", ns / 1_000.0)
    } else {
        format!("{:.2} ms", ns / 1_000_000.0)
    }
}
