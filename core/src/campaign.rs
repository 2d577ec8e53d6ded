//! Seeded fault campaigns: for a seed, a random cluster, workload and schedule of faults and
//! heals, run with the invariant checker after every event.
//!
//! Two kinds of schedule:
//! * **within tolerance**: at most one AZ-wide fault and one more storage failure at any time
//!   (AZ+1). Nothing acknowledged may be lost, and every invariant must hold.
//! * **beyond tolerance**: anything goes. Data may be lost (and must be reported as lost), but
//!   no commit may be acknowledged without a write quorum, and every invariant must hold.
//!
//! A failing schedule is shrunk (faults removed one at a time while it still fails) and printed
//! with the command that replays it in the headless runner.

use crate::client::ClientWorkload;
use crate::command::{Command, Fault};
use crate::ids::{AzId, NodeId};
use crate::net::Partition;
use crate::rng::Rng;
use crate::sim::{Sim, SimConfig};
use crate::storage::PG_SIZE_BYTES;
use crate::time::{SimDuration, SimTime};
use crate::topology::NodeKind;
use crate::workload::WorkloadConfig;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// How long each campaign run lasts in simulated time.
pub const RUN_TIME: SimDuration = SimDuration::from_secs(40);
/// Faults stop at this time, so the end of a run shows the cluster settling.
const LAST_FAULT: u64 = 25;

/// Which rules a schedule must keep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tolerance {
    Within,
    Beyond,
}

/// One step of a schedule: a command at a time.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub at: SimTime,
    pub cmd: Command,
}

/// A campaign case: everything needed to replay it.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub seed: u64,
    pub tolerance: Tolerance,
    pub config: SimConfig,
    pub steps: Vec<Step>,
}

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    Invariant(String),
    CommitsLost(u64),
    NotWholeAfterHeal,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Invariant(s) => write!(f, "invariant violated: {s}"),
            Failure::CommitsLost(n) => {
                write!(f, "{n} acknowledged commits lost within AZ+1 tolerance")
            }
            Failure::NotWholeAfterHeal => {
                write!(
                    f,
                    "after every heal and repair some PG is not back to 6 complete copies"
                )
            }
        }
    }
}

/// The outcome of one case.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub events: u64,
    pub digest: u64,
    pub commits_acked: u64,
    pub commits_lost: u64,
    pub failure: Option<Failure>,
}

fn secs_ms(ms: u64) -> SimTime {
    SimTime::from_micros(ms * 1_000)
}

/// Builds the case for a seed.
pub fn case(seed: u64, tolerance: Tolerance) -> Case {
    let mut rng = Rng::new(seed ^ 0xC0FF_EE00_FA17_0001);
    let config = SimConfig {
        initial_volume_bytes: (1 + rng.below(3)) * PG_SIZE_BYTES,
        replicas: rng.below(3) as u8,
        workload: WorkloadConfig {
            txn_per_sec: 200 + rng.below(800) as u32,
            mtrs_per_txn: 1 + rng.below(3) as u8,
            reads_per_sec: rng.below(500) as u32,
            growth_bytes_per_sec: 0,
        },
        clients: ClientWorkload {
            clients: 3,
            requests_per_sec: rng.below(300) as u32,
            ..ClientWorkload::default()
        },
        ..SimConfig::default()
    };
    // Nodes are laid out deterministically by the config: build a throwaway to learn them.
    let probe = Sim::new(config, seed);
    let storage: Vec<NodeId> = probe
        .inspect()
        .storage()
        .nodes
        .iter()
        .map(|n| n.node)
        .collect();
    let segments: Vec<_> = probe
        .inspect()
        .storage()
        .segments
        .iter()
        .map(|s| s.id)
        .collect();
    let instances: Vec<NodeId> = probe.inspect().instances().iter().map(|i| i.node).collect();
    let az_of = |n: NodeId| probe.inspect().topology().node(n).az;
    let mut steps = Vec::new();
    // For the tolerance rule: intervals of AZ faults and of extra storage failures.
    let mut az_busy: Vec<(u64, u64, AzId)> = Vec::new();
    let mut node_busy: Vec<(u64, u64, Option<AzId>)> = Vec::new();
    let faults = 3 + rng.below(6);
    for _ in 0..faults {
        let at = 1_000 + rng.below(LAST_FAULT * 1_000 - 1_000);
        let dur = 500 + rng.below(15_000);
        let end = at + dur;
        let overlaps = |(s, e): (u64, u64)| s < end && at < e;
        let kind = rng.below(8);
        match kind {
            0 | 1 => {
                let Some(&node) = rng.pick(&storage) else {
                    continue;
                };
                if tolerance == Tolerance::Within {
                    let az = az_of(node);
                    let clash = node_busy.iter().any(|&(s, e, _)| overlaps((s, e)))
                        || az_busy
                            .iter()
                            .any(|&(s, e, z)| overlaps((s, e)) && Some(z) == az);
                    if clash {
                        continue;
                    }
                    node_busy.push((at, end, az));
                }
                steps.push(Step {
                    at: secs_ms(at),
                    cmd: Command::Inject(Fault::CrashNode(node)),
                });
                steps.push(Step {
                    at: secs_ms(end),
                    cmd: Command::Heal(Fault::CrashNode(node)),
                });
            }
            2 => {
                let Some(&seg) = rng.pick(&segments) else {
                    continue;
                };
                if tolerance == Tolerance::Within {
                    let az = az_of(probe.inspect().storage().segments[seg.index()].node);
                    // A lost disk stays lost until repaired (about 10 s for a full PG).
                    let end = at + 15_000;
                    let clash = node_busy.iter().any(|&(s, e, _)| s < end && at < e)
                        || az_busy
                            .iter()
                            .any(|&(s, e, z)| s < end && at < e && Some(z) == az);
                    if clash {
                        continue;
                    }
                    node_busy.push((at, end, az));
                }
                steps.push(Step {
                    at: secs_ms(at),
                    cmd: Command::Inject(Fault::LoseSegment(seg)),
                });
            }
            3 | 4 => {
                let az = AzId(rng.below(3) as u8);
                if tolerance == Tolerance::Within {
                    let clash = az_busy.iter().any(|&(s, e, _)| overlaps((s, e)))
                        || node_busy
                            .iter()
                            .any(|&(s, e, z)| overlaps((s, e)) && z == Some(az));
                    if clash {
                        continue;
                    }
                    az_busy.push((at, end, az));
                }
                let f = if kind == 3 {
                    Fault::FailAz(az)
                } else {
                    Fault::Partition(Partition::Az(az))
                };
                steps.push(Step {
                    at: secs_ms(at),
                    cmd: Command::Inject(f),
                });
                steps.push(Step {
                    at: secs_ms(end),
                    cmd: Command::Heal(f),
                });
            }
            5 => {
                let Some(&node) = rng.pick(&instances) else {
                    continue;
                };
                steps.push(Step {
                    at: secs_ms(at),
                    cmd: Command::Inject(Fault::CrashNode(node)),
                });
                steps.push(Step {
                    at: secs_ms(end),
                    cmd: Command::Heal(Fault::CrashNode(node)),
                });
            }
            6 => steps.push(Step {
                at: secs_ms(at),
                cmd: Command::Failover { target: None },
            }),
            _ => {
                let Some(&node) = rng.pick(&storage) else {
                    continue;
                };
                let f = Fault::SlowNode {
                    node,
                    pct: 200 + rng.below(2_000) as u32,
                };
                steps.push(Step {
                    at: secs_ms(at),
                    cmd: Command::Inject(f),
                });
                steps.push(Step {
                    at: secs_ms(end),
                    cmd: Command::Heal(f),
                });
            }
        }
    }
    steps.sort_by_key(|s| s.at);
    Case {
        seed,
        tolerance,
        config,
        steps,
    }
}

/// Runs a case with the invariant checker after every event.
pub fn run(case: &Case) -> Outcome {
    let mut sim = Sim::new(case.config, case.seed);
    sim.set_recording(false);
    sim.set_full_checks(true);
    for s in &case.steps {
        sim.schedule(s.at, s.cmd.clone());
    }
    sim.run_until(SimTime::ZERO + RUN_TIME);
    let lost = sim.inspect().commits_lost();
    let mut failure = None;
    if let Some((inv, at, detail)) = sim.first_violation() {
        failure = Some(Failure::Invariant(format!(
            "{} at {at} ({detail})",
            inv.name()
        )));
    } else if case.tolerance == Tolerance::Within && lost > 0 {
        failure = Some(Failure::CommitsLost(lost));
    } else if case.tolerance == Tolerance::Within {
        // Every fault healed by 25 + 15 s at the latest; stop the load and let it settle.
        sim.apply(Command::SetWorkload(WorkloadConfig::default()))
            .ok();
        sim.apply(Command::SetClients(ClientWorkload::default()))
            .ok();
        sim.run_for(SimDuration::from_secs(20));
        let all_up = sim
            .inspect()
            .topology()
            .nodes
            .iter()
            .all(|n| n.up || n.kind != NodeKind::Storage);
        if all_up && sim.inspect().faults().is_empty() && !sim.inspect().all_pgs_whole() {
            failure = Some(Failure::NotWholeAfterHeal);
        }
        if let Some((inv, at, detail)) = sim.first_violation() {
            failure = Some(Failure::Invariant(format!(
                "{} at {at} ({detail})",
                inv.name()
            )));
        }
    }
    Outcome {
        events: sim.events_processed(),
        digest: sim.trace_digest(),
        commits_acked: sim.metrics().commits_acked,
        commits_lost: lost,
        failure,
    }
}

/// Removes steps one at a time while the case still fails, to the smallest failing schedule.
pub fn shrink(case: &Case) -> Case {
    let mut best = case.clone();
    let mut i = 0;
    while i < best.steps.len() {
        let mut trial = best.clone();
        trial.steps.remove(i);
        if run(&trial).failure.is_some() {
            best = trial;
        } else {
            i += 1;
        }
    }
    best
}

/// The schedule as text the runner's `--schedule` takes: `2.500s inject crash 14; …`.
pub fn schedule_text(steps: &[Step]) -> String {
    let mut out = String::new();
    for (i, s) in steps.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        out.push_str(&format!(
            "{}ms {}",
            s.at.as_micros() / 1_000,
            command_text(&s.cmd)
        ));
    }
    out
}

fn command_text(c: &Command) -> String {
    let fault = |f: &Fault| match f {
        Fault::CrashNode(n) => format!("crash {}", n.0),
        Fault::LoseSegment(s) => format!("lose {}", s.0),
        Fault::FailAz(z) => format!("fail-az {}", z.0),
        Fault::Partition(Partition::Az(z)) => format!("partition-az {}", z.0),
        Fault::SlowNode { node, pct } => format!("slow {} {}", node.0, pct),
        other => format!("{other:?}"),
    };
    match c {
        Command::Inject(f) => format!("inject {}", fault(f)),
        Command::Heal(f) => format!("heal {}", fault(f)),
        Command::Failover { .. } => "failover".into(),
        other => format!("{other:?}"),
    }
}

/// Why a schedule could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// Byte offset of the offending step.
    pub at: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.at, self.message)
    }
}

/// Parses what [`schedule_text`] writes. Errors carry the position; nothing panics.
pub fn parse_schedule(text: &str) -> Result<Vec<Step>, ParseError> {
    let mut steps = Vec::new();
    let mut offset = 0;
    for part in text.split(';') {
        let here = offset + (part.len() - part.trim_start().len());
        offset += part.len() + 1;
        let words: Vec<&str> = part.split_whitespace().collect();
        if words.is_empty() {
            continue;
        }
        let err = |m: &str| ParseError {
            at: here,
            message: m.into(),
        };
        let ms = words[0]
            .strip_suffix("ms")
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| err("a step starts with a time like 2500ms"))?;
        let at = ms
            .checked_mul(1_000)
            .map(SimTime::from_micros)
            .ok_or_else(|| err(&format!("time {ms}ms is out of range")))?;
        let num = |i: usize, what: &str| -> Result<u64, ParseError> {
            words
                .get(i)
                .and_then(|w| w.parse::<u64>().ok())
                .ok_or_else(|| err(&format!("expected {what} after '{}'", words[i - 1])))
        };
        let small = |v: u64, max: u64, what: &str| -> Result<u64, ParseError> {
            if v > max {
                Err(err(&format!("{what} {v} is out of range (at most {max})")))
            } else {
                Ok(v)
            }
        };
        let fault = |w: &[&str]| -> Result<Fault, ParseError> {
            let node = |i| -> Result<NodeId, ParseError> {
                Ok(NodeId(
                    small(num(i, "a node number")?, u16::MAX as u64, "node")? as u16,
                ))
            };
            let az = || -> Result<AzId, ParseError> {
                Ok(AzId(small(num(3, "an AZ number")?, 255, "AZ")? as u8))
            };
            match w.first().copied() {
                Some("crash") => Ok(Fault::CrashNode(node(3)?)),
                Some("lose") => Ok(Fault::LoseSegment(crate::ids::SegmentId(small(
                    num(3, "a segment number")?,
                    u32::MAX as u64,
                    "segment",
                )?
                    as u32))),
                Some("fail-az") => Ok(Fault::FailAz(az()?)),
                Some("partition-az") => Ok(Fault::Partition(Partition::Az(az()?))),
                Some("slow") => Ok(Fault::SlowNode {
                    node: node(3)?,
                    pct: small(num(4, "a percentage")?, u32::MAX as u64, "percentage")? as u32,
                }),
                _ => Err(err("expected crash, lose, fail-az, partition-az or slow")),
            }
        };
        let cmd = match words.get(1).copied() {
            Some("inject") => Command::Inject(fault(&words[2..])?),
            Some("heal") => Command::Heal(fault(&words[2..])?),
            Some("failover") => Command::Failover { target: None },
            _ => return Err(err("expected inject, heal or failover after the time")),
        };
        steps.push(Step { at, cmd });
    }
    Ok(steps)
}

/// Simulated time of a [`probe_digest`] run.
pub const PROBE_TIME: SimDuration = SimDuration::from_secs(4);

/// The trace digest of a short run of the beyond-tolerance case for `seed`: faults, repairs,
/// failovers and clients in some tens of thousands of events (about 60,000 on average).
/// Native and WebAssembly builds must agree on it bit for bit.
pub fn probe_digest(seed: u64) -> u64 {
    let case = case(seed, Tolerance::Beyond);
    let mut sim = Sim::new(case.config, case.seed);
    sim.set_recording(false);
    for s in &case.steps {
        sim.schedule(SimTime::from_micros(s.at.as_micros() / 8), s.cmd.clone());
    }
    sim.run_until(SimTime::ZERO + PROBE_TIME);
    sim.trace_digest()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_round_trip_through_text() {
        let c = case(7, Tolerance::Beyond);
        assert!(!c.steps.is_empty());
        let text = schedule_text(&c.steps);
        let back = parse_schedule(&text).unwrap();
        assert_eq!(back.len(), c.steps.len());
        assert_eq!(schedule_text(&back), text);
    }

    #[test]
    fn bad_schedules_say_where() {
        let e = parse_schedule("100ms inject crash 3; 200 heal crash 3").unwrap_err();
        assert_eq!(e.at, 22);
        assert!(e.message.contains("time"));
        let e = parse_schedule("100ms inject crash x").unwrap_err();
        assert!(e.message.contains("node number"), "{e}");
        let e = parse_schedule("100ms inject crash 70000").unwrap_err();
        assert!(e.message.contains("out of range"), "{e}");
        let e = parse_schedule("20000000000000000ms failover").unwrap_err();
        assert!(
            e.message.contains("time") && e.message.contains("out of range"),
            "{e}"
        );
        assert!(parse_schedule("").unwrap().is_empty());
    }

    #[test]
    fn within_tolerance_schedules_keep_az_plus_one() {
        // Replay each schedule's faults over time: never two AZs, never an AZ plus two nodes.
        for seed in 0..200 {
            let c = case(seed, Tolerance::Within);
            let probe = Sim::new(c.config, seed);
            let az_of = |n: NodeId| probe.inspect().topology().node(n).az;
            let mut az_down: Vec<AzId> = Vec::new();
            let mut nodes_down: Vec<(NodeId, SimTime)> = Vec::new();
            for s in &c.steps {
                nodes_down.retain(|&(_, until)| until > s.at);
                match s.cmd {
                    Command::Inject(Fault::FailAz(z) | Fault::Partition(Partition::Az(z))) => {
                        az_down.push(z)
                    }
                    Command::Heal(Fault::FailAz(z) | Fault::Partition(Partition::Az(z))) => {
                        az_down.retain(|&x| x != z)
                    }
                    Command::Inject(Fault::CrashNode(n))
                        if probe.inspect().storage().storage_node(n).is_some() =>
                    {
                        nodes_down.push((n, SimTime::MAX))
                    }
                    Command::Heal(Fault::CrashNode(n)) => nodes_down.retain(|&(x, _)| x != n),
                    Command::Inject(Fault::LoseSegment(seg)) => {
                        let n = probe.inspect().storage().segments[seg.index()].node;
                        nodes_down.push((n, s.at + SimDuration::from_secs(15)));
                    }
                    _ => {}
                }
                assert!(az_down.len() <= 1, "seed {seed}: two AZs down");
                let outside: Vec<_> = nodes_down
                    .iter()
                    .filter(|(n, _)| !az_down.iter().any(|z| az_of(*n) == Some(*z)))
                    .collect();
                assert!(outside.len() <= 1, "seed {seed}: AZ+2 at {}", s.at);
            }
        }
    }
}
