//! `cargo xtask soak`: the reliability harnesses at full size, one summary line each.
//!
//! `cargo xtask test` runs the same harnesses at CI size (a few hundred campaign seeds, a few
//! thousand fuzz inputs, a few hundred monkey actions); this runs them as large as the project
//! promises: 10,000 campaign seeds of each kind, 10^8 events in the runner with its peak memory,
//! 10^6 inputs per fuzzed property of each parser of outside input, and 1,000 monkey actions.
//! Flags scale each one down, so the task itself can be tried in a minute.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::cmd::Cmd;
use crate::http::StaticServer;
use crate::test::{parse_libtest, E2E_PREFIX};
use crate::tools::{Setup, CHROMIUM};
use crate::{build, project, report, Error, Result};

/// The harnesses, in the order they run.
const HARNESSES: &[&str] = &["campaign", "soak", "fuzz", "monkey"];

/// How big each harness runs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Options {
    /// Campaign seeds of each kind (within and beyond AZ+1).
    seeds: u64,
    /// First campaign seed.
    from: u64,
    /// Events in the runner's soak.
    events: u64,
    /// Inputs per fuzzed property.
    fuzz: u64,
    /// Monkey actions, and the seed of their PRNG (none: a fresh one, printed).
    actions: u64,
    monkey_seed: Option<u64>,
    /// Runner processes for the campaign.
    jobs: u64,
    /// The harnesses to run.
    only: Vec<&'static str>,
}

impl Options {
    fn full() -> Self {
        Options {
            seeds: 10_000,
            from: 0,
            events: 100_000_000,
            fuzz: 1_000_000,
            actions: 1_000,
            monkey_seed: None,
            jobs: thread::available_parallelism().map_or(1, |n| n.get() as u64),
            only: HARNESSES.to_vec(),
        }
    }

    fn parse(args: &[String]) -> Result<Self> {
        let mut options = Options::full();
        let mut only = Vec::new();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let mut number = |flag: &str| -> Result<u64> {
                let value = args
                    .next()
                    .ok_or_else(|| Error::new(format!("{flag} needs a number")))?;
                value
                    .replace('_', "")
                    .parse()
                    .map_err(|_| Error::new(format!("{flag} takes a whole number, not `{value}`")))
            };
            match arg.as_str() {
                "--quick" => {
                    options.seeds = 100;
                    options.events = 1_000_000;
                    options.fuzz = 10_000;
                    options.actions = 100;
                }
                "--seeds" => options.seeds = number("--seeds")?,
                "--from" => options.from = number("--from")?,
                "--events" => options.events = number("--events")?,
                "--fuzz" => options.fuzz = number("--fuzz")?,
                "--actions" => options.actions = number("--actions")?,
                "--monkey-seed" => options.monkey_seed = Some(number("--monkey-seed")?),
                "--jobs" => options.jobs = number("--jobs")?.max(1),
                name => match HARNESSES.iter().find(|h| **h == name) {
                    Some(h) => only.push(*h),
                    None => {
                        return Err(Error::new(format!(
                            "unknown argument `{name}`; harnesses are {}, flags --quick, \
                             --seeds N, --from N, --events N, --fuzz N, --actions N, \
                             --monkey-seed N, --jobs N",
                            HARNESSES.join(", ")
                        )))
                    }
                },
            }
        }
        if !only.is_empty() {
            options.only = only;
        }
        Ok(options)
    }
}

/// What one harness found: whether it passed and its figures in one line.
struct Verdict {
    ok: bool,
    figures: String,
}

pub fn run(args: &[String]) -> Result {
    let options = Options::parse(args)?;
    let started = Instant::now();
    let mut setup = Setup::new();
    setup.build_tools()?;
    if options.only.contains(&"monkey") {
        setup.browser()?;
    }
    setup.finish();

    let mut results = Vec::new();
    for name in &options.only {
        println!("\n==> soak: {name}");
        let harness_started = Instant::now();
        let verdict = match *name {
            "campaign" => campaign(&options),
            "soak" => soak(&options),
            "fuzz" => fuzz(&options),
            _ => monkey(&options),
        }
        .unwrap_or_else(|error| Verdict {
            ok: false,
            figures: format!("could not run: {error}"),
        });
        let line = summary_line(name, &verdict, harness_started.elapsed());
        println!("{line}");
        results.push((verdict.ok, line));
    }

    println!("\n==> soak summary");
    for (_, line) in &results {
        println!("{line}");
    }
    println!("total time {}", report::duration(started.elapsed()));
    let failed = results.iter().filter(|(ok, _)| !ok).count();
    if failed == 0 {
        Ok(())
    } else {
        Err(Error::new(format!("{failed} harness(es) failed")))
    }
}

fn summary_line(name: &str, verdict: &Verdict, took: Duration) -> String {
    let word = if verdict.ok { "ok  " } else { "FAIL" };
    format!(
        "{word} {name:<9} {}  in {}",
        verdict.figures,
        report::duration(took)
    )
}

fn cargo() -> Cmd {
    Cmd::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Builds the headless runner (optimised) and returns its path.
fn runner() -> Result<PathBuf> {
    report::step("build the headless runner", || {
        cargo()
            .args(["build", "-p", "aurora-sim", "--release"])
            .run()
    })?;
    let exe = if cfg!(windows) {
        "aurora-sim.exe"
    } else {
        "aurora-sim"
    };
    Ok(project::target_dir().join("release").join(exe))
}

/// Runs `program args`, its stderr on the terminal, and returns its exit status and stdout.
fn run_capturing(program: &Path, args: &[String]) -> Result<(bool, String)> {
    println!("$ {} {}", program.display(), args.join(" "));
    let mut child = Command::new(program)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| Error::new(format!("cannot start {}: {e}", program.display())))?;
    let mut out = String::new();
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let line = line?;
            println!("{line}");
            out.push_str(&line);
            out.push('\n');
        }
    }
    Ok((child.wait()?.success(), out))
}

/// The number after `"key":` in the runner's one-line JSON.
fn json_number(text: &str, key: &str) -> Option<f64> {
    let pattern = format!("\"{key}\":");
    let start = text.find(&pattern)? + pattern.len();
    let rest = &text[start..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

fn json_u64(text: &str, key: &str) -> Result<u64> {
    json_number(text, key)
        .map(|x| x as u64)
        .ok_or_else(|| Error::new(format!("the runner's output has no `{key}`")))
}

/// `count` seeds from `from`, split into `parts` contiguous ranges of nearly equal size.
fn split(from: u64, count: u64, parts: u64) -> Vec<(u64, u64)> {
    let jobs = parts.clamp(1, count.max(1));
    (0..jobs)
        .map(|i| {
            let start = from + count * i / jobs;
            let end = from + count * (i + 1) / jobs;
            (start, end - start)
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// Seeds per runner process: small enough that progress shows every minute or so, large enough
/// that starting a process costs nothing.
const CAMPAIGN_CHUNK: u64 = 250;

/// Fault campaigns within and beyond AZ+1: the seeds in chunks, `jobs` runner processes at a
/// time, progress printed as each chunk ends.
fn campaign(options: &Options) -> Result<Verdict> {
    let sim = runner()?;
    let wall = Instant::now();
    let parts = options.seeds.div_ceil(CAMPAIGN_CHUNK).max(options.jobs);
    let chunks = split(options.from, options.seeds, parts);
    let total = chunks.len();
    let queue = Arc::new(Mutex::new(chunks));
    let (sender, results) = mpsc::channel();
    let workers: Vec<_> = (0..options.jobs.min(total as u64))
        .map(|_| {
            let (sim, queue, sender) = (sim.clone(), queue.clone(), sender.clone());
            thread::spawn(move || loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop());
                let Some((from, count)) = next else { break };
                let args = [
                    "--campaign".to_string(),
                    count.to_string(),
                    "--from".to_string(),
                    from.to_string(),
                ];
                let result = run_capturing(&sim, &args);
                if sender.send((from, count, result)).is_err() {
                    break;
                }
            })
        })
        .collect();
    drop(sender);
    let (mut cases, mut failures, mut events, mut lost, mut clean) = (0, 0, 0, 0, true);
    for (done, (from, count, result)) in results.iter().enumerate() {
        let (success, out) = result?;
        clean &= success;
        cases += json_u64(&out, "campaign_cases")?;
        failures += json_u64(&out, "failures")?;
        events += json_u64(&out, "events")?;
        lost += json_u64(&out, "commits_lost_beyond_tolerance")?;
        println!(
            "campaign: seeds {from}..{} done ({}/{total} chunks, {failures} failed so far, {})",
            from + count,
            done + 1,
            report::duration(wall.elapsed())
        );
    }
    for worker in workers {
        worker
            .join()
            .map_err(|_| Error::new("a campaign thread stopped"))?;
    }
    let secs = wall.elapsed().as_secs_f64();
    Ok(Verdict {
        ok: clean && failures == 0 && cases == 2 * options.seeds,
        figures: format!(
            "{} seeds {}..{} within and beyond AZ+1 ({cases} cases, {} processes at a time): {failures} failed; \
             {events} events at {:.1} M/s; {lost} acknowledged commits lost beyond AZ+1, where it is allowed",
            options.seeds,
            options.from,
            options.from + options.seeds,
            options.jobs.min(total as u64),
            events as f64 / secs.max(1e-9) / 1e6
        ),
    })
}

/// The runner's long run under rotating faults, with its peak memory.
fn soak(options: &Options) -> Result<Verdict> {
    let sim = runner()?;
    let (success, out) = run_capturing(&sim, &["--soak".into(), options.events.to_string()])?;
    let events = json_u64(&out, "soak_events")?;
    let lost = json_u64(&out, "commits_lost")?;
    let violations = json_u64(&out, "invariant_violations")?;
    let sim_secs = json_u64(&out, "sim_time_s")?;
    let peak = json_number(&out, "peak_rss_kib");
    let early = json_number(&out, "peak_rss_kib_at_10pct");
    // Bounded memory: the peak after the whole run is close to the peak after a tenth of it.
    let bounded = match (peak, early) {
        (Some(peak), Some(early)) => peak <= early * 1.5 + 8.0 * 1024.0,
        _ => true,
    };
    let mib =
        |kib: Option<f64>| kib.map_or("unknown".to_string(), |k| format!("{:.1} MiB", k / 1024.0));
    Ok(Verdict {
        ok: success && events >= options.events && lost == 0 && violations == 0 && bounded,
        figures: format!(
            "{events} events ({sim_secs} s simulated): {violations} invariant violations, {lost} commits lost; \
             peak memory {} (after a tenth of the run {}){}",
            mib(peak),
            mib(early),
            if bounded { "" } else { ": memory kept growing" }
        ),
    })
}

/// The parsers of outside input under proptest, optimised (the generators are the cost).
fn fuzz(options: &Options) -> Result<Verdict> {
    let parsers = [
        ("fault schedules", "aurora-core", "fuzz"),
        ("URL parameters", "aurora-web", "url_fuzz"),
    ];
    let mut ok = true;
    let mut parts = Vec::new();
    for (what, package, test) in parsers {
        let started = Instant::now();
        let output = cargo()
            .args(["test", "--release", "-p", package, "--test", test])
            .env("AURORA_FUZZ_CASES", options.fuzz.to_string())
            .run_teed()?;
        let tally = parse_libtest(&output.text);
        let (passed, failed) = tally.map_or((0, 0), |t| (t.passed, t.failed));
        let good = output.success && failed == 0 && passed > 0;
        ok &= good;
        parts.push(format!(
            "{what} {} inputs per property, {passed} tests passed, {failed} failed ({})",
            options.fuzz,
            report::duration(started.elapsed())
        ));
    }
    Ok(Verdict {
        ok,
        figures: parts.join("; "),
    })
}

/// Random actions on the release build in Chromium (e2e/monkey.test.mjs).
fn monkey(options: &Options) -> Result<Verdict> {
    let out = project::target_dir().join("soak");
    let dist = out.join("dist");
    build::release_build(&dist)?;
    let server = StaticServer::start(&dist, E2E_PREFIX)?;
    let mut cmd = Cmd::new("node")
        .args(["--test", "--test-reporter=spec", "e2e/monkey.test.mjs"])
        .env("AURORA_URL", server.url())
        .env("AURORA_SCREENSHOTS", &out)
        .env("AURORA_CHROMIUM", CHROMIUM)
        .env("AURORA_MONKEY_ACTIONS", options.actions.to_string());
    if let Some(seed) = options.monkey_seed {
        cmd = cmd.env("AURORA_MONKEY_SEED", seed.to_string());
    }
    let output = cmd.run_teed();
    drop(server);
    let output = output?;
    // The test prints `monkey summary: seed S, N actions (R reloads), P problems`.
    let line = output
        .text
        .lines()
        .find_map(|l| {
            l.split_once("monkey summary: ")
                .map(|(_, rest)| rest.trim().to_string())
        })
        .unwrap_or_else(|| "no summary printed".into());
    Ok(Verdict {
        ok: output.success,
        figures: line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn full_size_is_the_default_and_flags_scale_it_down() {
        let full = Options::parse(&[]).expect("no flags");
        assert_eq!(
            (full.seeds, full.events, full.fuzz, full.actions),
            (10_000, 100_000_000, 1_000_000, 1_000)
        );
        assert_eq!(full.only, HARNESSES);
        let quick = Options::parse(&args(&["--quick", "--seeds", "20", "fuzz", "campaign"]))
            .expect("flags");
        assert_eq!(
            (quick.seeds, quick.events, quick.fuzz, quick.actions),
            (20, 1_000_000, 10_000, 100)
        );
        assert_eq!(quick.only, ["fuzz", "campaign"]);
        assert!(Options::parse(&args(&["--seeds"])).is_err());
        assert!(Options::parse(&args(&["--seeds", "many"])).is_err());
        assert!(Options::parse(&args(&["everything"])).is_err());
        assert_eq!(
            Options::parse(&args(&["--events", "1_000_000"]))
                .expect("underscores")
                .events,
            1_000_000
        );
    }

    #[test]
    fn campaign_seeds_split_into_contiguous_ranges() {
        assert_eq!(split(0, 10_000, 2), [(0, 5_000), (5_000, 5_000)]);
        assert_eq!(split(7, 5, 3), [(7, 1), (8, 2), (10, 2)]);
        assert_eq!(split(0, 1, 4), [(0, 1)]);
        let total: u64 = split(3, 999, 7).iter().map(|r| r.1).sum();
        assert_eq!(total, 999);
    }

    #[test]
    fn reads_the_runner_figures() {
        let out =
            "{\"campaign_cases\":40,\"failures\":0,\"events\":23846350,\"wall_time_s\":3.1}\n";
        assert_eq!(json_number(out, "campaign_cases"), Some(40.0));
        assert_eq!(json_number(out, "wall_time_s"), Some(3.1));
        assert_eq!(json_u64(out, "events").expect("events"), 23_846_350);
        assert!(json_u64(out, "peak").is_err());
        assert_eq!(json_number("{\"peak_rss_kib\":null}", "peak_rss_kib"), None);
    }
}
