//! Run files: a run of the playground (scenario, seed, starting configuration and the person's
//! timed actions) as a small versioned text file, written by the page and read by the page and
//! the headless runner, so a run saved in a browser replays exactly anywhere.
//!
//! ```text
//! aurora-run 1
//! # Saved from Aurora Playground.
//! scenario failover
//! seed 7
//! replicas 3
//! at 6250000
//! action 2000000.fail-az.c
//! action 2500000.crash.az-b-2
//! ```
//!
//! The first line names the format and its version. Then one `key value` per line, in any
//! order except that `scenario` and `seed` come once each; `#` starts a comment; blank lines are
//! ignored. An `action` is written exactly as a share link's `actions` item: the simulated time
//! in microseconds, a dot, and the link's action text (`fail-az.c`, `load.3000-80`,
//! `cap.instance-2.v2-1-128`), read and written by [`Control`], the page's controls as data.
//! A file of a newer version is refused with its position rather than half-read.

use crate::control::Control;
use crate::scenario::{self, Scenario};
use crate::sim::Sim;
use crate::time::SimTime;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// The first word of every run file.
pub const MAGIC: &str = "aurora-run";
/// The version this code writes and the newest it reads.
pub const VERSION: u32 = 1;
/// Most actions a run file may carry (a share link carries at most 200; a file may hold a
/// longer session). [sim default — not sourced]
pub const MAX_ACTIONS: usize = 10_000;
/// Most replicas a run may start with (Aurora's limit of 15 read replicas).
pub const MAX_REPLICAS: u8 = 15;

/// One timed action of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunAction {
    pub at: SimTime,
    pub action: Control,
}

/// A run: what it takes to replay it exactly.
#[derive(Clone)]
pub struct RunFile {
    pub scenario: &'static Scenario,
    pub seed: u64,
    /// Start with at least this many replicas running (a share link's `replicas=N`).
    pub replicas: Option<u8>,
    /// In time order.
    pub actions: Vec<RunAction>,
    /// The moment the run was saved at: the page opens the run there, paused. The runner
    /// plays to `--until`, or to the scenario's end.
    pub at: Option<SimTime>,
}

/// What is wrong with a run file, and where (1-based line and column).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFileError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for RunFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

fn error(line: usize, column: usize, message: impl Into<String>) -> RunFileError {
    RunFileError {
        line,
        column,
        message: message.into(),
    }
}

impl fmt::Debug for RunFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl RunFile {
    /// A run of `scenario` with `seed` and no actions yet.
    pub fn new(scenario: &'static Scenario, seed: u64) -> RunFile {
        RunFile {
            scenario,
            seed,
            replicas: None,
            actions: Vec::new(),
            at: None,
        }
    }

    /// Adds an action at its time, keeping time order.
    pub fn push(&mut self, at: SimTime, action: Control) {
        let i = self.actions.partition_point(|a| a.at <= at);
        self.actions.insert(i, RunAction { at, action });
    }

    /// Reads a run file. Every problem is reported with its line and column; nothing is
    /// half-read.
    pub fn parse(text: &str) -> Result<RunFile, RunFileError> {
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        let header = lines.by_ref().find(|(_, l)| {
            let t = l.trim();
            !t.is_empty() && !t.starts_with('#')
        });
        let Some((n, header)) = header else {
            return Err(error(
                1,
                1,
                format!("an empty file: a run file starts with '{MAGIC} {VERSION}'"),
            ));
        };
        let indent = header.len() - header.trim_start().len();
        let mut words = header.split_whitespace();
        if words.next() != Some(MAGIC) {
            return Err(error(
                n,
                indent + 1,
                format!("this is not a run file: it should start with '{MAGIC} {VERSION}'"),
            ));
        }
        let version_col = header.find(MAGIC).map_or(1, |i| i + MAGIC.len() + 2);
        let version: u32 = match words.next().map(str::parse) {
            Some(Ok(v)) => v,
            _ => {
                return Err(error(
                    n,
                    version_col,
                    format!(
                    "expected the format's version after '{MAGIC}', a whole number like {VERSION}"
                ),
                ))
            }
        };
        if version == 0 || version > VERSION {
            return Err(error(
                n,
                version_col,
                format!(
                    "this run file is version {version}; this playground reads version {VERSION}, so it may have been saved by a newer one"
                ),
            ));
        }
        if let Some(extra) = words.next() {
            let col = header.rfind(extra).map_or(1, |i| i + 1);
            return Err(error(
                n,
                col,
                "expected the end of the line after the version",
            ));
        }

        let mut scenario = None;
        let mut seed = None;
        let mut replicas = None;
        let mut at_line = None;
        let mut actions: Vec<RunAction> = Vec::new();
        for (n, line) in lines {
            let content = line.split('#').next().unwrap_or("");
            let trimmed = content.trim_start();
            if trimmed.trim().is_empty() {
                continue;
            }
            let key_col = content.len() - trimmed.len() + 1;
            let (key, rest) = trimmed
                .split_once(char::is_whitespace)
                .unwrap_or((trimmed, ""));
            let value = rest.trim();
            let value_col = if value.is_empty() {
                key_col + key.len() + 1
            } else {
                key_col + key.len() + (rest.len() - rest.trim_start().len()) + 1
            };
            if value.is_empty() {
                return Err(error(n, value_col, format!("'{key}' needs a value")));
            }
            if value.contains(char::is_whitespace) {
                let extra = value.find(char::is_whitespace).unwrap_or(0);
                return Err(error(
                    n,
                    value_col + extra,
                    format!("'{key}' takes one value without spaces"),
                ));
            }
            match key {
                "scenario" => {
                    if scenario.is_some() {
                        return Err(error(n, key_col, "a second 'scenario' line: a run has one scenario"));
                    }
                    let Some(s) = scenario::find(value) else {
                        let names: Vec<&str> = scenario::all().iter().map(|s| s.name).collect();
                        return Err(error(
                            n,
                            value_col,
                            format!("there is no scenario called '{value}'; the scenarios are {}", names.join(", ")),
                        ));
                    };
                    scenario = Some(s);
                }
                "seed" => {
                    if seed.is_some() {
                        return Err(error(n, key_col, "a second 'seed' line: a run has one seed"));
                    }
                    seed = Some(value.parse::<u64>().map_err(|_| {
                        error(n, value_col, "the seed is a whole number from 0 to 18446744073709551615")
                    })?);
                }
                "replicas" => {
                    let r = value
                        .parse::<u8>()
                        .ok()
                        .filter(|r| *r <= MAX_REPLICAS)
                        .ok_or_else(|| error(n, value_col, format!("replicas is a whole number from 0 to {MAX_REPLICAS}")))?;
                    replicas = Some(r);
                }
                "at" => {
                    if at_line.is_some() {
                        return Err(error(n, key_col, "a second 'at' line: a run was saved at one moment"));
                    }
                    let t = value.parse::<u64>().map_err(|_| {
                        error(n, value_col, "'at' is the moment saved, a whole number of microseconds")
                    })?;
                    at_line = Some(SimTime::from_micros(t));
                }
                "action" => {
                    if actions.len() >= MAX_ACTIONS {
                        return Err(error(n, key_col, format!("more than {MAX_ACTIONS} actions")));
                    }
                    let (time, link) = value.split_once('.').ok_or_else(|| {
                        error(n, value_col, "an action is TIME.ACTION, like 2000000.fail-az.c")
                    })?;
                    let at: u64 = time.parse().map_err(|_| {
                        error(n, value_col, "the action's time is a whole number of microseconds")
                    })?;
                    let link_col = value_col + time.len() + 1;
                    let action = Control::parse(link)
                        .map_err(|e| error(n, link_col + e.at(), e.to_string()))?;
                    let at = SimTime::from_micros(at);
                    if actions.last().is_some_and(|a| a.at > at) {
                        return Err(error(n, value_col, "actions are in time order; this one is earlier than the one before"));
                    }
                    actions.push(RunAction { at, action });
                }
                other => {
                    return Err(error(
                        n,
                        key_col,
                        format!("unknown line '{other}': a run file has scenario, seed, replicas, at and action lines"),
                    ))
                }
            }
        }
        let end = text.lines().count().max(1);
        let scenario = scenario.ok_or_else(|| error(end, 1, "the file has no 'scenario' line"))?;
        let seed = seed.ok_or_else(|| error(end, 1, "the file has no 'seed' line"))?;
        Ok(RunFile {
            scenario,
            seed,
            replicas,
            actions,
            at: at_line,
        })
    }

    /// The file's text; [`RunFile::parse`] reads it back to an equal run.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{MAGIC} {VERSION}\n# A run of Aurora Playground: open it in the page (Open run) or play it with\n# aurora-sim --run FILE. Times are simulated microseconds.\nscenario {}\nseed {}\n",
            self.scenario.name, self.seed
        );
        if let Some(r) = self.replicas {
            out.push_str(&format!("replicas {r}\n"));
        }
        if let Some(at) = self.at {
            out.push_str(&format!("at {}\n", at.as_micros()));
        }
        for a in &self.actions {
            out.push_str(&format!(
                "action {}.{}\n",
                a.at.as_micros(),
                a.action.encode()
            ));
        }
        out
    }

    /// The run's simulation at time zero, with its starting configuration.
    pub fn start(&self) -> Sim {
        let replicas = self.replicas;
        self.scenario.start_with(self.seed, |config| {
            if let Some(want) = replicas {
                config.replicas = config.replicas.max(want);
            }
        })
    }

    /// Plays the run to `until` as the page does: each action is applied when the clock has
    /// reached its time, against the simulation as it is then. Returns how many actions could
    /// not be applied (a node that is not there, an impossible command), which the page notes
    /// in its log and skips the same way.
    pub fn play(&self, sim: &mut Sim, until: SimTime) -> usize {
        let mut refused = 0;
        for a in self.actions.iter().filter(|a| a.at <= until) {
            sim.run_until(a.at);
            let applied = a
                .action
                .command(sim)
                .and_then(|cmd| sim.apply(cmd).map_err(|e| e.to_string()));
            if applied.is_err() {
                refused += 1;
            }
        }
        sim.run_until(until);
        refused
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> &'static str {
        "aurora-run 1\n# a comment\nscenario failover\nseed 7\nreplicas 3\nat 3500000\naction 2000000.fail-az.c\naction 2500000.load.3000-80  # trailing\naction 3000000.cap.instance-2.v2-1-128\n"
    }

    #[test]
    fn a_run_file_reads_back_what_it_wrote() {
        let run = RunFile::parse(sample()).expect("valid");
        assert_eq!(run.scenario.name, "failover");
        assert_eq!(run.seed, 7);
        assert_eq!(run.replicas, Some(3));
        assert_eq!(run.at, Some(SimTime::from_micros(3_500_000)));
        assert_eq!(run.actions.len(), 3);
        assert_eq!(run.actions[0].action, Control::FailAz(2));
        assert_eq!(
            run.actions[1].action,
            Control::SetLoad {
                rate: 3000,
                read_pct: 80
            }
        );
        let again = RunFile::parse(&run.to_text()).expect("its own text");
        assert_eq!(again.scenario.name, run.scenario.name);
        assert_eq!((again.seed, again.replicas), (run.seed, run.replicas));
        assert_eq!(again.at, run.at);
        assert_eq!(again.actions, run.actions);
    }

    fn err(text: &str) -> RunFileError {
        RunFile::parse(text).expect_err("should be refused")
    }

    #[test]
    fn errors_name_their_line_and_column() {
        let e = err("aurora-run 2\nscenario failover\nseed 1\n");
        assert_eq!((e.line, e.column), (1, 12));
        assert!(e.message.contains("version 2"), "{e}");
        let e = err("aurora-run 1\nscenario failover\nseed 1\naction 2000000.fail-az.q\n");
        assert_eq!((e.line, e.column), (4, 24), "{e}");
        assert!(e.message.contains("an AZ"), "{e}");
        let e = err("aurora-run 1\nscenario nope\nseed 1\n");
        assert_eq!((e.line, e.column), (2, 10), "{e}");
        let e = err("aurora-run 1\nscenario failover\n  colour red\nseed 1\n");
        assert_eq!((e.line, e.column), (3, 3), "{e}");
        let e = err("aurora-run 1\nscenario failover\n");
        assert!(e.message.contains("no 'seed'"), "{e}");
        let e = err("aurora-run 1\nscenario failover\nseed 1\nat soon\n");
        assert_eq!((e.line, e.column), (4, 4), "{e}");
        let e = err("hello\n");
        assert_eq!((e.line, e.column), (1, 1));
        let e =
            err("aurora-run 1\nscenario failover\nseed 1\naction 3.failover\naction 2.failover\n");
        assert_eq!(e.line, 5);
        let e = err("aurora-run 1\nscenario failover\nseed 1\naction 2000000.load.3000-180\n");
        assert_eq!((e.line, e.column), (4, 26), "{e}");
    }

    #[test]
    fn playing_a_run_applies_its_actions_when_their_time_comes() {
        let run = RunFile::parse(sample()).expect("valid");
        let mut sim = run.start();
        let plain = {
            let mut s = RunFile::new(run.scenario, run.seed).start();
            s.run_until(SimTime::from_micros(4_000_000));
            s.trace_digest()
        };
        let refused = run.play(&mut sim, SimTime::from_micros(4_000_000));
        assert_eq!(refused, 0);
        assert_eq!(sim.now(), SimTime::from_micros(4_000_000));
        assert_ne!(sim.trace_digest(), plain, "the actions changed nothing");
        let mut again = run.start();
        run.play(&mut again, SimTime::from_micros(4_000_000));
        assert_eq!(again.trace_digest(), sim.trace_digest());
    }

    /// Every control the page offers goes into a run file and back, and plays: a run that set
    /// backup retention, read consistency or a cloned cluster's writes is saved and replayed like
    /// any other.
    #[test]
    fn every_page_control_is_a_run_file_action() {
        use crate::settings::forwarding::ReadConsistency;
        let scenario = crate::scenario::find("clone").expect("the clone scenario");
        let mut run = RunFile::new(scenario, 1);
        let controls = [
            Control::Retention(7),
            Control::Clone(0),
            Control::ClusterWrites {
                cluster: 1,
                per_sec: 5,
            },
            Control::DeleteCluster(1),
            Control::ReadConsistency(ReadConsistency::Session),
        ];
        for (i, c) in controls.iter().enumerate() {
            run.push(SimTime::from_micros(1_000_000 * (i as u64 + 1)), c.clone());
        }
        let text = run.to_text();
        assert!(text.contains("action 1000000.retention.7\n"), "{text}");
        let again = RunFile::parse(&text).expect("its own text");
        assert_eq!(again.actions, run.actions);
        let mut sim = again.start();
        let refused = again.play(&mut sim, SimTime::from_micros(6_000_000));
        // Each one is applied: the clone exists when its writes are set and when it is dropped.
        assert_eq!(refused, 0);
    }
}
