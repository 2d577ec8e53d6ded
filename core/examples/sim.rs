//! The headless runner: runs a built-in scenario and prints one JSON object.
//!
//! ```text
//! cargo run --release -p aurora-core --example sim -- --scenario az-failure --seed 1 [--until 30s]
//! cargo run --release -p aurora-core --example sim -- --list
//! ```
//! A bad argument or an unknown scenario prints a clear error and exits with code 2.

use aurora_core::scenario::{self, Figure};
use aurora_core::SimDuration;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

struct Args {
    scenario: String,
    seed: u64,
    until: Option<SimDuration>,
}

fn usage() -> &'static str {
    "usage: sim --scenario NAME [--seed N] [--until DURATION]   (DURATION like 500ms, 30s, 5min)\n       sim --list"
}

/// Parses `500ms`, `30s`, `5min`, `2h` or a bare number of seconds.
fn parse_duration(s: &str) -> Result<SimDuration, String> {
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().map_err(|_| {
        format!("'{s}' is not a duration: expected a whole number and a unit, like 30s")
    })?;
    match unit {
        "us" => Ok(SimDuration::from_micros(n)),
        "ms" => Ok(SimDuration::from_millis(n)),
        "" | "s" => Ok(SimDuration::from_secs(n)),
        "min" => Ok(SimDuration::from_mins(n)),
        "h" => Ok(SimDuration::from_hours(n)),
        _ => Err(format!(
            "unknown unit '{unit}' in '{s}': use us, ms, s, min or h"
        )),
    }
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut scenario = None;
    let mut seed = 1u64;
    let mut until = None;
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--list" => return Ok(None),
            "--scenario" => scenario = Some(value("--scenario")?),
            "--seed" => {
                let v = value("--seed")?;
                seed = v.parse().map_err(|_| {
                    format!("--seed takes a whole number from 0 to 2^64-1, not '{v}'")
                })?;
            }
            "--until" => until = Some(parse_duration(&value("--until")?)?),
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    let scenario = scenario.ok_or("--scenario is required (or --list)")?;
    Ok(Some(Args {
        scenario,
        seed,
        until,
    }))
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Some(a)) => a,
        Ok(None) => {
            for s in scenario::all() {
                println!("{:<16} {}", s.name, s.summary);
            }
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("error: {e}\n{}", usage());
            return ExitCode::from(2);
        }
    };
    let Some(sc) = scenario::find(&args.scenario) else {
        let names: Vec<_> = scenario::all().iter().map(|s| s.name).collect();
        eprintln!(
            "error: unknown scenario '{}'; the scenarios are: {}",
            args.scenario,
            names.join(", ")
        );
        return ExitCode::from(2);
    };
    let until = args.until.unwrap_or(sc.duration);
    let mut sim = sc.start(args.seed);
    sim.set_recording(false);
    let wall = Instant::now();
    sim.run_until(aurora_core::SimTime::ZERO + until);
    let secs = wall.elapsed().as_secs_f64();
    let mut out = String::from("{");
    let _ = write!(
        out,
        "\"seed\":{},\"scenario\":{},\"sim_time_us\":{},\"events\":{},\"trace_digest\":\"{:016x}\",\"commits_acked\":{},\"commits_lost\":{},\"invariant_violations\":{}",
        args.seed,
        json_str(sc.name),
        sim.now().as_micros(),
        sim.events_processed(),
        sim.trace_digest(),
        sim.metrics().commits_acked,
        sim.commits_lost(),
        sim.invariant_violations(),
    );
    for (name, f) in sc.figures(&sim) {
        let v = match f {
            Figure::Int(i) => i.to_string(),
            Figure::Float(x) if x.is_finite() => format!("{x:.3}"),
            Figure::Float(_) => "null".into(),
            Figure::Text(t) => json_str(&t),
        };
        let _ = write!(out, ",{}:{}", json_str(name), v);
    }
    let _ = write!(
        out,
        ",\"wall_time_s\":{:.3},\"events_per_sec\":{:.0}}}",
        secs,
        sim.events_processed() as f64 / secs.max(1e-9)
    );
    println!("{out}");
    ExitCode::SUCCESS
}
