//! `aurora-sim`, the headless runner: runs a built-in scenario and prints one JSON object.
//!
//! Installed with `cargo install --path sim`, or run from the workspace with
//! `cargo run --release -p aurora-sim -- ARGS`.
//!
//! ```text
//! aurora-sim --scenario az-failure --seed 1 [--until 30s] [--csv series.csv [--interval 1s]]
//! aurora-sim --list
//! aurora-sim --campaign 300 [--from 0]
//! aurora-sim --replay 17 --tolerance within [--schedule ".."]
//! aurora-sim --lesson NAME|all [--seed N]
//! aurora-sim --lesson-file lessons/my-lesson.lesson [--seed N]
//! ```
//! A bad argument or an unknown scenario prints a clear error and exits with code 2.

use aurora_core::campaign::{self, Tolerance};
use aurora_core::scenario::{self, Figure};
use aurora_core::SimDuration;
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Instant;

struct Args {
    scenario: String,
    seed: u64,
    until: Option<SimDuration>,
    csv: Option<Csv>,
}

/// `--csv PATH [--interval DURATION]`: the measurements over time, as the page's Save measurements (CSV)
/// writes them.
#[derive(Clone)]
struct Csv {
    path: String,
    interval: Option<SimDuration>,
}

/// What the runner was asked to do.
enum Mode {
    Help,
    List,
    Scenario(Args),
    /// Play a run file saved from the page.
    Run {
        file: String,
        until: Option<SimDuration>,
        seed: Option<u64>,
        csv: Option<Csv>,
    },
    /// Run fault-campaign seeds `from..from + count` of both kinds.
    Campaign {
        from: u64,
        count: u64,
    },
    /// Run the e-commerce cluster under rotating faults for this many events, draining the
    /// event stream as a page would, and report peak memory.
    Soak {
        events: u64,
    },
    /// Play a lesson (built in, or all of them, or from a file) to its end and check it.
    Lesson {
        name: Option<String>,
        file: Option<String>,
        seed: Option<u64>,
        /// Print the lesson as a student would read it instead of JSON.
        transcript: bool,
    },
    /// Replay one campaign case, optionally with a given (shrunk) schedule.
    Replay {
        seed: u64,
        tolerance: Tolerance,
        schedule: Option<String>,
    },
}

/// What `--help` prints after the usage lines.
const HELP: &str =
    "Runs the Aurora Playground simulation without a browser and prints one JSON object
(the fields are described in docs/runner.md). The same seed and inputs give the same
trace_digest here and in the page.

  --scenario NAME     a built-in scenario (--list names them)
  --seed N            the run's seed (default 1)
  --until DURATION    simulated time to run to (default: the scenario's own length)
  --run FILE          play a run file saved from the page (Save run) and print the
                      scenario's JSON for it; --until and --seed override the file's
  --csv PATH          also write the measurements over time (commit latency, throughput,
                      replica lag, ACU, global lag, I/Os per transaction) as CSV, the same
                      as the page's Save measurements (CSV); with --scenario or --run
  --interval DURATION the CSV's sampling interval (default: the page's for the scenario,
                      a few hundred rows over its length)
  --list              the built-in scenarios, one a line
  --campaign COUNT    fault-campaign seeds FROM..FROM+COUNT, within and beyond AZ+1
  --from SEED         first campaign seed (default 0)
  --replay SEED       one campaign case; --tolerance within|beyond, optional --schedule
  --soak EVENTS       the e-commerce cluster under rotating faults; peak memory
  --lesson NAME|all   play a built-in lesson to its end and check it (--transcript: as read)
  --lesson-file PATH  the same for a lesson file
  --help              this text

A bad argument or file prints what is wrong and exits with code 2.";

fn usage() -> &'static str {
    "usage: aurora-sim --scenario NAME [--seed N] [--until DURATION] [--csv PATH [--interval DURATION]]   (DURATION like 500ms, 30s, 5min)\n       aurora-sim --run FILE [--until DURATION] [--seed N] [--csv PATH [--interval DURATION]]\n       aurora-sim --list\n       aurora-sim --campaign COUNT [--from SEED]\n       aurora-sim --soak EVENTS\n       aurora-sim --replay SEED --tolerance within|beyond [--schedule \"2500ms inject crash 3; ...\"]\n       aurora-sim --lesson NAME|all [--seed N] [--transcript]\n       aurora-sim --lesson-file PATH [--seed N] [--transcript]"
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

fn number(name: &str, v: &str) -> Result<u64, String> {
    v.parse()
        .map_err(|_| format!("{name} takes a whole number from 0 to 2^64-1, not '{v}'"))
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Mode, String> {
    let mut scenario = None;
    let mut seed = None;
    let mut until = None;
    let mut campaign = None;
    let mut from = 0;
    let mut replay = None;
    let mut tolerance = None;
    let mut schedule = None;
    let mut soak = None;
    let mut lesson = None;
    let mut lesson_file = None;
    let mut transcript = false;
    let mut run = None;
    let mut csv = None;
    let mut interval = None;
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--help" | "-h" => return Ok(Mode::Help),
            "--list" => return Ok(Mode::List),
            "--run" => run = Some(value("--run")?),
            "--csv" => csv = Some(value("--csv")?),
            "--interval" => {
                let d = parse_duration(&value("--interval")?)?;
                if d.as_micros() < 1_000 {
                    return Err("--interval is at least 1ms".into());
                }
                interval = Some(d)
            }
            "--scenario" => scenario = Some(value("--scenario")?),
            "--seed" => seed = Some(number("--seed", &value("--seed")?)?),
            "--until" => until = Some(parse_duration(&value("--until")?)?),
            "--campaign" => campaign = Some(number("--campaign", &value("--campaign")?)?),
            "--from" => from = number("--from", &value("--from")?)?,
            "--replay" => replay = Some(number("--replay", &value("--replay")?)?),
            "--tolerance" => {
                tolerance = Some(match value("--tolerance")?.as_str() {
                    "within" => Tolerance::Within,
                    "beyond" => Tolerance::Beyond,
                    other => {
                        return Err(format!(
                            "--tolerance is 'within' or 'beyond', not '{other}'"
                        ))
                    }
                })
            }
            "--schedule" => schedule = Some(value("--schedule")?),
            "--soak" => soak = Some(number("--soak", &value("--soak")?)?),
            "--lesson" => lesson = Some(value("--lesson")?),
            "--lesson-file" => lesson_file = Some(value("--lesson-file")?),
            "--transcript" => transcript = true,
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    if interval.is_some() && csv.is_none() {
        return Err("--interval is the CSV's sampling interval: it needs --csv PATH".into());
    }
    let csv = csv.map(|path| Csv { path, interval });
    let only_scenario = || {
        if csv.is_some() {
            Err("--csv goes with --scenario or --run")
        } else {
            Ok(())
        }
    };
    if let Some(events) = soak {
        only_scenario()?;
        return Ok(Mode::Soak { events });
    }
    if let Some(file) = run {
        if scenario.is_some() {
            return Err("--run takes its scenario from the file; leave out --scenario".into());
        }
        return Ok(Mode::Run {
            file,
            until,
            seed,
            csv,
        });
    }
    if lesson.is_some() || lesson_file.is_some() || campaign.is_some() || replay.is_some() {
        only_scenario()?;
    }
    if lesson.is_some() || lesson_file.is_some() {
        return Ok(Mode::Lesson {
            name: lesson,
            file: lesson_file,
            seed,
            transcript,
        });
    }
    if let Some(count) = campaign {
        return Ok(Mode::Campaign { from, count });
    }
    if let Some(seed) = replay {
        let tolerance = tolerance.ok_or("--replay needs --tolerance within|beyond")?;
        return Ok(Mode::Replay {
            seed,
            tolerance,
            schedule,
        });
    }
    let scenario = scenario.ok_or("--scenario is required (or --list, --campaign, --replay)")?;
    Ok(Mode::Scenario(Args {
        scenario,
        seed: seed.unwrap_or(1),
        until,
        csv,
    }))
}

fn tolerance_word(t: Tolerance) -> &'static str {
    match t {
        Tolerance::Within => "within",
        Tolerance::Beyond => "beyond",
    }
}

/// Runs campaign seeds; prints one JSON object with the totals, and for each failure the seed,
/// the shrunk schedule and the command that replays it. Exit code 1 on any failure.
fn run_campaign(from: u64, count: u64) -> ExitCode {
    let wall = Instant::now();
    let (mut events, mut cases, mut failures, mut lost_beyond) = (0u64, 0u64, 0u64, 0u64);
    for tolerance in [Tolerance::Within, Tolerance::Beyond] {
        for seed in from..from.saturating_add(count) {
            let case = campaign::case(seed, tolerance);
            let outcome = campaign::run(&case);
            events += outcome.events;
            cases += 1;
            if tolerance == Tolerance::Beyond {
                lost_beyond += outcome.commits_lost;
            }
            if let Some(f) = outcome.failure {
                failures += 1;
                let small = campaign::shrink(&case);
                let text = campaign::schedule_text(&small.steps);
                eprintln!(
                    "FAIL seed {seed} ({} tolerance): {f}\n  shrunk schedule: {text}\n  replay: cargo run --release -p aurora-sim -- --replay {seed} --tolerance {} --schedule \"{text}\"",
                    tolerance_word(tolerance),
                    tolerance_word(tolerance)
                );
            }
        }
    }
    let secs = wall.elapsed().as_secs_f64();
    println!(
        "{{\"campaign_cases\":{cases},\"failures\":{failures},\"events\":{events},\"commits_lost_beyond_tolerance\":{lost_beyond},\"wall_time_s\":{secs:.1},\"events_per_sec\":{:.0}}}",
        events as f64 / secs.max(1e-9)
    );
    if failures > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Peak resident memory of this process, in KiB (Linux), if it can be read.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn run_soak(events: u64) -> ExitCode {
    use aurora_core::ids::AzId;
    use aurora_core::{Command, Fault, SimTime};
    let wall = Instant::now();
    let Some(sc) = scenario::find("e-commerce") else {
        return ExitCode::FAILURE;
    };
    let mut sim = sc.start(1);
    sim.set_full_checks(false);
    // One fault a minute, healed 20 s later, rotating through AZs, nodes and a failover.
    let storage: Vec<_> = sim
        .inspect()
        .storage()
        .nodes
        .iter()
        .map(|n| n.node)
        .collect();
    let mut minute = 1u64;
    let mut drained = 0u64;
    let mut rss_at_10pct = None;
    while sim.events_processed() < events {
        let at = SimTime::from_micros(minute * 60_000_000);
        let heal = SimTime::from_micros(minute * 60_000_000 + 20_000_000);
        let fault = match minute % 4 {
            0 => Fault::FailAz(AzId((minute / 4 % 3) as u8)),
            1 => Fault::CrashNode(storage[(minute as usize * 7) % storage.len()]),
            2 => Fault::LoseSegment(aurora_core::ids::SegmentId((minute as u32 * 5) % 24)),
            _ => Fault::CrashNode(sim.inspect().writer().node),
        };
        sim.schedule(at, Command::Inject(fault));
        if !matches!(fault, Fault::LoseSegment(_)) {
            sim.schedule(heal, Command::Heal(fault));
        }
        // Run the minute in slices, draining the stream as the page does every frame.
        for slice in 1..=600u64 {
            sim.run_until(SimTime::from_micros(
                (minute - 1) * 60_000_000 + slice * 100_000,
            ));
            drained += sim.drain_events().count() as u64;
            if sim.events_processed() >= events {
                break;
            }
        }
        if rss_at_10pct.is_none() && sim.events_processed() >= events / 10 {
            rss_at_10pct = peak_rss_kib();
        }
        minute += 1;
    }
    let secs = wall.elapsed().as_secs_f64();
    println!(
        "{{\"soak_events\":{},\"events_drained\":{drained},\"sim_time_s\":{:.0},\"commits_acked\":{},\"commits_lost\":{},\"invariant_violations\":{},\"peak_rss_kib_at_10pct\":{},\"peak_rss_kib\":{},\"wall_time_s\":{secs:.1},\"events_per_sec\":{:.0}}}",
        sim.events_processed(),
        sim.now().as_secs_f64(),
        sim.metrics().commits_acked,
        sim.inspect().commits_lost(),
        sim.invariant_violations(),
        rss_at_10pct.map_or("null".into(), |v| v.to_string()),
        peak_rss_kib().map_or("null".into(), |v| v.to_string()),
        sim.events_processed() as f64 / secs.max(1e-9)
    );
    if sim.invariant_violations() > 0 || sim.inspect().commits_lost() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn run_replay(seed: u64, tolerance: Tolerance, schedule: Option<String>) -> ExitCode {
    let mut case = campaign::case(seed, tolerance);
    if let Some(text) = schedule {
        match campaign::parse_schedule(&text) {
            Ok(steps) => case.steps = steps,
            Err(e) => {
                eprintln!("error: bad --schedule {e}");
                return ExitCode::from(2);
            }
        }
    }
    let o = campaign::run(&case);
    println!(
        "{{\"seed\":{seed},\"tolerance\":\"{}\",\"events\":{},\"trace_digest\":\"{:016x}\",\"commits_acked\":{},\"commits_lost\":{},\"failure\":{}}}",
        tolerance_word(tolerance),
        o.events,
        o.digest,
        o.commits_acked,
        o.commits_lost,
        o.failure.map_or("null".into(), |f| json_str(&f.to_string()))
    );
    ExitCode::SUCCESS
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

/// Plays lessons to their end and prints one JSON summary per lesson. Exit 2 for a file that
/// does not parse (every error with its line:column) or an unknown lesson, 1 if a lesson fails.
fn run_lessons(
    name: Option<String>,
    file: Option<String>,
    seed: Option<u64>,
    transcript: bool,
) -> ExitCode {
    use aurora_core::lesson;
    let mut lessons = Vec::new();
    if let Some(path) = file {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("error: cannot read {path}: {e}");
                return ExitCode::from(2);
            }
        };
        match lesson::parse(&text) {
            Ok(l) => lessons.push(l),
            Err(errors) => {
                for e in errors {
                    eprintln!("{path}:{e}");
                }
                return ExitCode::from(2);
            }
        }
    }
    match name.as_deref() {
        None => {}
        Some("all") => {
            for (n, _) in lesson::BUILTIN {
                match lesson::load(n) {
                    Some(Ok(l)) => lessons.push(l),
                    Some(Err(errors)) => {
                        for e in errors {
                            eprintln!("lessons/{n}.lesson:{e}");
                        }
                        return ExitCode::from(2);
                    }
                    None => {}
                }
            }
        }
        Some(n) => match lesson::load(n) {
            Some(Ok(l)) => lessons.push(l),
            Some(Err(errors)) => {
                for e in errors {
                    eprintln!("lessons/{n}.lesson:{e}");
                }
                return ExitCode::from(2);
            }
            None => {
                let names: Vec<_> = lesson::BUILTIN.iter().map(|(n, _)| *n).collect();
                eprintln!(
                    "error: unknown lesson '{n}'; the lessons are: {} (or all)",
                    names.join(", ")
                );
                return ExitCode::from(2);
            }
        },
    }
    let mut failed = false;
    for l in &lessons {
        let summary = lesson::play(l, seed);
        failed |= !summary.ok();
        if transcript {
            println!("{}", summary.transcript());
        } else {
            println!("{}", summary.to_json());
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(Mode::Scenario(a)) => a,
        Ok(Mode::Help) => {
            println!("{}\n\n{}", usage(), HELP);
            return ExitCode::SUCCESS;
        }
        Ok(Mode::List) => {
            for s in scenario::all() {
                println!("{:<24} {}", s.name, s.summary);
            }
            return ExitCode::SUCCESS;
        }
        Ok(Mode::Campaign { from, count }) => return run_campaign(from, count),
        Ok(Mode::Soak { events }) => return run_soak(events),
        Ok(Mode::Run {
            file,
            until,
            seed,
            csv,
        }) => return run_file(&file, until, seed, csv),
        Ok(Mode::Lesson {
            name,
            file,
            seed,
            transcript,
        }) => return run_lessons(name, file, seed, transcript),
        Ok(Mode::Replay {
            seed,
            tolerance,
            schedule,
        }) => return run_replay(seed, tolerance, schedule),
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
    if let Some(csv) = &args.csv {
        sim.record_measurements(csv_interval(csv, sc));
    }
    let wall = Instant::now();
    sim.run_until(aurora_core::SimTime::ZERO + until);
    let secs = wall.elapsed().as_secs_f64();
    if let Some(code) = write_csv(args.csv.as_ref(), &sim) {
        return code;
    }
    println!("{}", scenario_json(sc, args.seed, &sim, secs, None));
    ExitCode::SUCCESS
}

/// The CSV's interval: the one asked for, or the page's for this scenario.
fn csv_interval(csv: &Csv, sc: &scenario::Scenario) -> SimDuration {
    csv.interval
        .unwrap_or_else(|| aurora_core::measurements::default_interval(sc.duration))
}

/// Writes the measurements' CSV if asked; an exit code if it cannot be written.
fn write_csv(csv: Option<&Csv>, sim: &aurora_core::Sim) -> Option<ExitCode> {
    let csv = csv?;
    let text = sim.measurements_csv().unwrap_or_default();
    match std::fs::write(&csv.path, text) {
        Ok(()) => None,
        Err(e) => {
            eprintln!("error: cannot write the CSV {}: {e}", csv.path);
            Some(ExitCode::from(2))
        }
    }
}

/// The scenario's JSON: the common fields of docs/runner.md, the scenario's own figures, and
/// for a run file how many of its actions were played and refused.
fn scenario_json(
    sc: &scenario::Scenario,
    seed: u64,
    sim: &aurora_core::Sim,
    secs: f64,
    run: Option<(usize, usize)>,
) -> String {
    let mut out = String::from("{");
    let _ = write!(
        out,
        "\"seed\":{},\"scenario\":{},\"sim_time_us\":{},\"events\":{},\"trace_digest\":\"{:016x}\",\"commits_acked\":{},\"commits_lost\":{},\"invariant_violations\":{}",
        seed,
        json_str(sc.name),
        sim.now().as_micros(),
        sim.events_processed(),
        sim.trace_digest(),
        sim.metrics().commits_acked,
        sim.inspect().commits_lost(),
        sim.invariant_violations(),
    );
    for (name, f) in sc.figures(sim) {
        let v = match f {
            Figure::Int(i) => i.to_string(),
            Figure::Float(x) if x.is_finite() => format!("{x:.3}"),
            Figure::Float(_) => "null".into(),
            Figure::Text(t) => json_str(&t),
        };
        let _ = write!(out, ",{}:{}", json_str(name), v);
    }
    if let Some((played, refused)) = run {
        let _ = write!(
            out,
            ",\"run_actions\":{played},\"run_actions_refused\":{refused}"
        );
    }
    let _ = write!(
        out,
        ",\"wall_time_s\":{:.3},\"events_per_sec\":{:.0}}}",
        secs,
        sim.events_processed() as f64 / secs.max(1e-9)
    );
    out
}

/// Plays a run file saved from the page, to `until` or the scenario's end (or its last action,
/// if later), and prints the scenario's JSON for it.
fn run_file(
    path: &str,
    until: Option<SimDuration>,
    seed: Option<u64>,
    csv: Option<Csv>,
) -> ExitCode {
    use aurora_core::run_file::RunFile;
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read the run file {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut run = match RunFile::parse(&text) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(seed) = seed {
        run.seed = seed;
    }
    let last = run
        .actions
        .last()
        .map_or(aurora_core::SimTime::ZERO, |a| a.at);
    let until = match until {
        Some(d) => aurora_core::SimTime::ZERO + d,
        None => (aurora_core::SimTime::ZERO + run.scenario.duration).max(last),
    };
    let mut sim = run.start();
    sim.set_recording(false);
    if let Some(csv) = &csv {
        sim.record_measurements(csv_interval(csv, run.scenario));
    }
    let wall = Instant::now();
    let refused = run.play(&mut sim, until);
    let secs = wall.elapsed().as_secs_f64();
    if let Some(code) = write_csv(csv.as_ref(), &sim) {
        return code;
    }
    let played = run.actions.iter().filter(|a| a.at <= until).count();
    println!(
        "{}",
        scenario_json(run.scenario, run.seed, &sim, secs, Some((played, refused)))
    );
    ExitCode::SUCCESS
}
