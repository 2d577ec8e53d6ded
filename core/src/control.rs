//! What a person does with the page's controls, as data: the one vocabulary of a share link's
//! `actions`, a run file's `action` lines and a lesson's "your turn", turned into a core
//! [`Command`] only when applied, against the simulation as it is then.
//!
//! A control is written `VERB[.ARG]` (`fail-az.c`, `crash.az-b-2`, `load.3000-80`,
//! `cap.instance-2.v2-1-128`), and with its simulated time in front as a [`Timed`]
//! (`2000000.fail-az.c`). Nodes are named as the diagram names them, so a link stays readable
//! and means the same node in every run of the same scenario. One reader and one writer serve
//! the page, the run files and the lessons, so a run the page saves is a run the headless
//! runner replays, and a step that waits for "fail AZ c" knows it when the student does it.

use crate::backup::data::Table;
use crate::backup::BackupCommand;
use crate::command::{Command, Fault};
use crate::global::MAX_SECONDARY_REGIONS;
use crate::ids::{AzId, RegionId, SegmentId};
use crate::net::Partition;
use crate::serverless::{Capacity, TimeoutAction};
use crate::settings::forwarding::ReadConsistency;
use crate::sim::Sim;
use crate::time::{SimDuration, SimTime};
use alloc::format;
use alloc::string::{String, ToString};
use core::fmt;

/// How much slower "slow" makes a node, in percent of normal time. [sim default — not sourced]
pub const SLOW_PCT: u32 = 500;
/// The instance class "add a replica" creates replicas with. [sim default — not sourced]
pub const REPLICA_CLASS: &str = "db.r6g.xlarge";
/// The fastest request rate the load knob offers, per second. [sim default — not sourced]
pub const MAX_RATE: u32 = 20_000;
/// The most writes per second forwarded from secondary regions. [sim default — not sourced]
pub const MAX_FORWARD_RATE: u32 = 1_000;
/// The longest transaction a person can hold open, in seconds (v1's scaling timeout is 300 s).
/// [sim default — not sourced]
pub const MAX_LONG_TXN_SECS: u32 = 3_600;
/// The latest point in time a restore or backtrack may name, in seconds: the longest backup
/// retention, 35 days (reference §8). The model judges whether the point is in the window.
pub const MAX_POINT_SECS: u32 = 35 * 86_400;
/// The most restored and cloned clusters a control may name. [sim default — not sourced]
pub const MAX_CLUSTER: u32 = 64;
/// The most writes per second a control may put on a restored or cloned cluster.
/// [sim default — not sourced]
pub const MAX_CLUSTER_WRITES: u32 = 1_000;
/// The longest auto-pause delay a Serverless v2 capacity may name, in seconds (a week).
/// [sim default — not sourced]
pub const MAX_PAUSE_SECS: u64 = 7 * 86_400;

/// One thing a person did with the page's controls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Control {
    /// Crash a storage node or DB instance.
    Crash(String),
    /// Restart a crashed node.
    Restart(String),
    /// Slow a node down to [`SLOW_PCT`] percent of normal time.
    Slow(String),
    /// Bring a slowed node back to normal speed.
    Unslow(String),
    /// A segment's disk fails.
    LoseSegment(u32),
    /// Every node in the AZ goes down.
    FailAz(u8),
    /// The failed AZ comes back.
    HealAz(u8),
    /// The AZ is cut off from the others.
    PartitionAz(u8),
    /// The AZ is reconnected.
    ReconnectAz(u8),
    /// Fail over now, to the best replica.
    Failover,
    /// Add a replica in an AZ.
    AddReplica(u8),
    /// Requests per second and the share of reads in percent.
    SetLoad { rate: u32, read_pct: u8 },
    /// Make an instance provisioned, Serverless v2 or Serverless v1.
    SetCapacity { node: String, capacity: Capacity },
    /// Hold a transaction open on the writer for this many seconds.
    LongTransaction(u32),
    /// Add a secondary region (the cluster becomes a global database).
    AddRegion,
    /// Planned switchover to a secondary region.
    Switchover(u8),
    /// Unplanned failover to a secondary region.
    GlobalFailover(u8),
    /// A whole region goes down.
    FailRegion(u8),
    /// The failed region comes back.
    HealRegion(u8),
    /// Writes per second forwarded from secondary regions to the primary.
    Forwarding(u32),
    /// Write forwarding's read consistency.
    ReadConsistency(ReadConsistency),
    /// A faulty deployment: one transaction deletes every row of the table.
    DeleteRows(Table),
    /// A manual snapshot, kept beyond retention.
    Snapshot,
    /// Backups kept this many days.
    Retention(u8),
    /// Restore production's backup at this second of the run into a new cluster.
    Restore(u32),
    /// Rewind production in place to this second of the run.
    Backtrack(u32),
    /// Clone this cluster (0 is production), copy-on-write.
    Clone(u32),
    /// Delete a restored or cloned cluster.
    DeleteCluster(u32),
    /// Writes per second on a restored or cloned cluster.
    ClusterWrites { cluster: u32, per_sec: u32 },
}

/// Every verb a control is written with, for error messages and the docs.
pub const VERBS: &[&str] = &[
    "crash",
    "restart",
    "slow",
    "unslow",
    "lose",
    "fail-az",
    "heal-az",
    "cut-az",
    "mend-az",
    "failover",
    "add-replica",
    "load",
    "cap",
    "long-txn",
    "add-region",
    "switchover",
    "global-failover",
    "fail-region",
    "heal-region",
    "forward",
    "consistency",
    "delete-rows",
    "snapshot",
    "retention",
    "restore",
    "backtrack",
    "clone",
    "drop-cluster",
    "cluster-writes",
];

/// Why a control's text could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// Not `TIME.VERB[.ARG]`.
    Shape,
    /// The time is not a whole number of microseconds.
    Time,
    /// No such verb.
    Verb,
    /// The verb's argument is missing or out of range: where in the control's text (a byte
    /// offset, the verb at 0) and what was expected there.
    Argument { at: usize, expected: String },
}

impl ParseError {
    /// Where in the control's text (without its time) the wrong part starts.
    pub fn at(&self) -> usize {
        match self {
            ParseError::Argument { at, .. } => *at,
            _ => 0,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Shape => f.write_str("expected TIME.ACTION or TIME.ACTION.TARGET"),
            ParseError::Time => f.write_str("the time is not a whole number of microseconds"),
            ParseError::Verb => {
                f.write_str("unknown action; the actions are ")?;
                f.write_str(&VERBS.join(", "))
            }
            ParseError::Argument { expected, .. } => write!(f, "expected {expected}"),
        }
    }
}

/// An AZ's letter, as links and lessons write it: 0 is `a`.
pub(crate) fn az_letter(z: u8) -> char {
    (b'a' + z) as char
}

/// Reads an AZ's letter: `a`, `b` or `c`.
pub(crate) fn parse_az(s: &str) -> Option<u8> {
    match s {
        "a" => Some(0),
        "b" => Some(1),
        "c" => Some(2),
        _ => None,
    }
}

/// A capacity as a control writes it: `prov`, `v2-1-128` (half-ACUs), `v2-0-32-p300`
/// (auto-pause after 300 s), `v1-1-64`, `v1-1-64-pause-force`. Half-ACUs keep dots out of a
/// link.
pub fn encode_capacity(c: &Capacity) -> String {
    match *c {
        Capacity::Provisioned => "prov".to_string(),
        Capacity::V2 {
            min_half,
            max_half,
            pause_after: Some(p),
        } => format!("v2-{min_half}-{max_half}-p{}", p.as_micros() / 1_000_000),
        Capacity::V2 {
            min_half, max_half, ..
        } => format!("v2-{min_half}-{max_half}"),
        Capacity::V1 {
            min_acu,
            max_acu,
            pause,
            on_timeout,
        } => {
            let mut t = format!("v1-{min_acu}-{max_acu}");
            if pause {
                t.push_str("-pause");
            }
            if on_timeout == TimeoutAction::Force {
                t.push_str("-force");
            }
            t
        }
    }
}

/// Half-ACUs as ACUs, without trailing zeros: `0.5`, `12`, `64.5`.
pub fn half_acu(half: u16) -> String {
    match half % 2 {
        1 => format!("{}.5", half / 2),
        _ => format!("{}", half / 2),
    }
}

/// A capacity in words, for people: "provisioned", "Serverless v2, 0.5–64 ACU, auto-pause",
/// "Serverless v1, 1–64 ACU".
pub fn capacity_words(c: &Capacity) -> String {
    match *c {
        Capacity::Provisioned => "provisioned".to_string(),
        Capacity::V2 {
            min_half,
            max_half,
            pause_after,
        } => {
            let pause = if pause_after.is_some() {
                ", auto-pause"
            } else {
                ""
            };
            format!(
                "Serverless v2, {}–{} ACU{pause}",
                half_acu(min_half),
                half_acu(max_half)
            )
        }
        Capacity::V1 {
            min_acu, max_acu, ..
        } => format!("Serverless v1, {min_acu}–{max_acu} ACU"),
    }
}

/// Reads what [`encode_capacity`] wrote. Only the shape is checked here; the model judges the
/// values when the command is applied, and says what is wrong.
pub fn decode_capacity(s: &str) -> Option<Capacity> {
    let mut parts = s.split('-');
    let kind = parts.next()?;
    if kind == "prov" {
        return parts.next().is_none().then_some(Capacity::Provisioned);
    }
    let min: u16 = parts.next()?.parse().ok()?;
    let max: u16 = parts.next()?.parse().ok()?;
    match kind {
        "v2" => {
            let pause_after = match parts.next() {
                None => None,
                Some(p) => {
                    let secs: u64 = p.strip_prefix('p')?.parse().ok()?;
                    if secs > MAX_PAUSE_SECS {
                        return None;
                    }
                    Some(SimDuration::from_secs(secs))
                }
            };
            parts.next().is_none().then_some(Capacity::V2 {
                min_half: min,
                max_half: max,
                pause_after,
            })
        }
        "v1" => {
            let (mut pause, mut force) = (false, false);
            for flag in parts {
                match flag {
                    "pause" if !pause => pause = true,
                    "force" if !force => force = true,
                    _ => return None,
                }
            }
            Some(Capacity::V1 {
                min_acu: min,
                max_acu: max,
                pause,
                on_timeout: if force {
                    TimeoutAction::Force
                } else {
                    TimeoutAction::Rollback
                },
            })
        }
        _ => None,
    }
}

/// What a capacity argument looks like, for error messages.
pub const CAPACITY_EXPECTED: &str =
    "a capacity: prov, v2-MIN-MAX (half-ACUs), v2-0-MAX-pSECS or v1-MIN-MAX";

/// A node's name as the diagram shows it: letters, digits, `-` and `/`, at most 40.
fn is_node_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/')
}

fn seconds(s: u32) -> SimTime {
    SimTime::from_micros(u64::from(s) * 1_000_000)
}

/// Reads one argument: `at` is where it starts in the control's text.
struct Arg<'a> {
    text: Option<&'a str>,
    at: usize,
}

impl<'a> Arg<'a> {
    fn fail<T>(&self, expected: impl Into<String>) -> Result<T, ParseError> {
        Err(ParseError::Argument {
            at: self.at,
            expected: expected.into(),
        })
    }

    fn text(&self, expected: &str) -> Result<&'a str, ParseError> {
        match self.text {
            Some(t) => Ok(t),
            None => self.fail(expected),
        }
    }

    fn number(&self, max: u32, expected: &str) -> Result<u32, ParseError> {
        match self.text.and_then(|t| t.parse::<u32>().ok()) {
            Some(v) if v <= max => Ok(v),
            _ => self.fail(expected),
        }
    }

    fn node(&self) -> Result<String, ParseError> {
        match self.text.filter(|t| is_node_name(t)) {
            Some(t) => Ok(t.to_string()),
            None => self.fail("a node's name as the diagram shows it, like az-b-2 or instance-1"),
        }
    }

    fn az(&self) -> Result<u8, ParseError> {
        match self.text.and_then(parse_az) {
            Some(z) => Ok(z),
            None => self.fail("an AZ: a, b or c"),
        }
    }

    fn region(&self) -> Result<u8, ParseError> {
        let max = MAX_SECONDARY_REGIONS as u32;
        self.number(max, &format!("a region number, 0 to {max}"))
            .map(|r| r as u8)
    }

    fn point(&self) -> Result<u32, ParseError> {
        self.number(
            MAX_POINT_SECS,
            "a point in the run in whole seconds, at most 35 days",
        )
    }

    fn cluster(&self) -> Result<u32, ParseError> {
        self.number(
            MAX_CLUSTER,
            &format!("a cluster number, 0 (production) to {MAX_CLUSTER}"),
        )
    }

    /// Splits `A-B` (or `A.B` with `sep` '.', from the right) into two arguments.
    fn split(&self, sep: char, expected: &str) -> Result<(Arg<'a>, Arg<'a>), ParseError> {
        let t = self.text(expected)?;
        let found = if sep == '.' {
            t.rsplit_once(sep)
        } else {
            t.split_once(sep)
        };
        let (a, b) = found.unwrap_or((t, ""));
        let second = (!b.is_empty() || found.is_some()).then_some(b);
        Ok((
            Arg {
                text: Some(a),
                at: self.at,
            },
            Arg {
                text: second,
                at: self.at + a.len() + 1,
            },
        ))
    }
}

impl Control {
    /// The control as an instruction to a student, for a lesson's "Your turn: …" ("fail AZ c").
    /// A lesson that names a node by its role says more about it (`lesson::action`).
    pub fn instruction(&self) -> String {
        let z = |z: &u8| az_letter(*z);
        match self {
            Control::Crash(n) => format!("crash {n}"),
            Control::Restart(n) => format!("restart {n}"),
            Control::Slow(n) => format!("slow down {n}"),
            Control::Unslow(n) => format!("bring {n} back to normal speed"),
            Control::LoseSegment(s) => format!("fail the disk of segment {s}"),
            Control::FailAz(a) => format!("fail AZ {}", z(a)),
            Control::HealAz(a) => format!("heal AZ {}", z(a)),
            Control::PartitionAz(a) => format!("cut AZ {} off the network", z(a)),
            Control::ReconnectAz(a) => format!("reconnect AZ {}", z(a)),
            Control::Failover => "ask for a failover".into(),
            Control::AddReplica(a) => format!("add a replica in AZ {}", z(a)),
            Control::SetLoad { rate, read_pct } => {
                format!("set the load to {rate} requests/s, {read_pct}% reads")
            }
            Control::SetCapacity { node, capacity } => {
                format!("make {node} {}", capacity_words(capacity))
            }
            Control::LongTransaction(s) => format!("hold a transaction open for {s} s"),
            Control::AddRegion => "add a secondary region".into(),
            Control::Switchover(r) => format!("switch over to region {r}"),
            Control::GlobalFailover(r) => format!("fail over globally to region {r}"),
            Control::FailRegion(r) => format!("fail region {r}"),
            Control::HealRegion(r) => format!("bring region {r} back"),
            Control::Forwarding(v) => format!("forward {v} writes/s from secondary regions"),
            Control::ReadConsistency(c) => {
                format!("set write forwarding's read consistency to {}", c.name())
            }
            Control::DeleteRows(t) => format!("run the faulty deployment, DELETE FROM {t}"),
            Control::Snapshot => "take a manual snapshot".into(),
            Control::Retention(d) => format!("keep backups for {d} days"),
            Control::Restore(t) => format!("restore the backup at {t} s into a new cluster"),
            Control::Backtrack(t) => format!("backtrack the cluster to {t} s"),
            Control::Clone(0) => "clone the production cluster".into(),
            Control::Clone(c) => format!("clone cluster {c}"),
            Control::DeleteCluster(c) => format!("delete cluster {c}"),
            Control::ClusterWrites { cluster, per_sec } => {
                format!("send {per_sec} writes/s to cluster {cluster}")
            }
        }
    }

    /// The control's text: `fail-az.c`, `crash.az-b-2`, `load.3000-80`.
    pub fn encode(&self) -> String {
        let az = |z: &u8| az_letter(*z);
        match self {
            Control::Crash(n) => format!("crash.{n}"),
            Control::Restart(n) => format!("restart.{n}"),
            Control::Slow(n) => format!("slow.{n}"),
            Control::Unslow(n) => format!("unslow.{n}"),
            Control::LoseSegment(s) => format!("lose.{s}"),
            Control::FailAz(z) => format!("fail-az.{}", az(z)),
            Control::HealAz(z) => format!("heal-az.{}", az(z)),
            Control::PartitionAz(z) => format!("cut-az.{}", az(z)),
            Control::ReconnectAz(z) => format!("mend-az.{}", az(z)),
            Control::Failover => "failover".to_string(),
            Control::AddReplica(z) => format!("add-replica.{}", az(z)),
            Control::SetLoad { rate, read_pct } => format!("load.{rate}-{read_pct}"),
            Control::SetCapacity { node, capacity } => {
                format!("cap.{node}.{}", encode_capacity(capacity))
            }
            Control::LongTransaction(s) => format!("long-txn.{s}"),
            Control::AddRegion => "add-region".to_string(),
            Control::Switchover(r) => format!("switchover.{r}"),
            Control::GlobalFailover(r) => format!("global-failover.{r}"),
            Control::FailRegion(r) => format!("fail-region.{r}"),
            Control::HealRegion(r) => format!("heal-region.{r}"),
            Control::Forwarding(n) => format!("forward.{n}"),
            Control::ReadConsistency(c) => {
                format!("consistency.{}", c.name().to_ascii_lowercase())
            }
            Control::DeleteRows(t) => format!("delete-rows.{t}"),
            Control::Snapshot => "snapshot".to_string(),
            Control::Retention(d) => format!("retention.{d}"),
            Control::Restore(s) => format!("restore.{s}"),
            Control::Backtrack(s) => format!("backtrack.{s}"),
            Control::Clone(c) => format!("clone.{c}"),
            Control::DeleteCluster(c) => format!("drop-cluster.{c}"),
            Control::ClusterWrites { cluster, per_sec } => {
                format!("cluster-writes.{cluster}-{per_sec}")
            }
        }
    }

    /// Reads what [`Control::encode`] wrote (`fail-az.c`); an error says where it went wrong.
    pub fn parse(text: &str) -> Result<Control, ParseError> {
        let (verb, arg) = match text.split_once('.') {
            Some((v, a)) => (v, Some(a)),
            None => (text, None),
        };
        let arg = Arg {
            text: arg,
            at: if arg.is_some() {
                verb.len() + 1
            } else {
                text.len()
            },
        };
        let c = match verb {
            "crash" => Control::Crash(arg.node()?),
            "restart" => Control::Restart(arg.node()?),
            "slow" => Control::Slow(arg.node()?),
            "unslow" => Control::Unslow(arg.node()?),
            "lose" => Control::LoseSegment(arg.number(u32::MAX, "a segment number")?),
            "fail-az" => Control::FailAz(arg.az()?),
            "heal-az" => Control::HealAz(arg.az()?),
            "cut-az" => Control::PartitionAz(arg.az()?),
            "mend-az" => Control::ReconnectAz(arg.az()?),
            "failover" => Control::Failover,
            "add-replica" => Control::AddReplica(arg.az()?),
            "load" => {
                let rate_expected = format!("requests per second, 0 to {MAX_RATE}");
                let (rate, read) = arg.split('-', &rate_expected)?;
                let rate = rate.number(MAX_RATE, &rate_expected)?;
                let read_pct = read.number(100, "the share of reads in percent, 0 to 100")?;
                Control::SetLoad {
                    rate,
                    read_pct: read_pct as u8,
                }
            }
            "cap" => {
                let (node, cap) = arg.split('.', "an instance and its capacity")?;
                let node = node.node()?;
                match cap.text.and_then(decode_capacity) {
                    Some(capacity) => Control::SetCapacity { node, capacity },
                    None => return cap.fail(CAPACITY_EXPECTED),
                }
            }
            "long-txn" => {
                let expected = format!("seconds, 1 to {MAX_LONG_TXN_SECS}");
                match arg.number(MAX_LONG_TXN_SECS, &expected)? {
                    0 => return arg.fail(expected),
                    s => Control::LongTransaction(s),
                }
            }
            "add-region" => Control::AddRegion,
            "switchover" => Control::Switchover(arg.region()?),
            "global-failover" => Control::GlobalFailover(arg.region()?),
            "fail-region" => Control::FailRegion(arg.region()?),
            "heal-region" => Control::HealRegion(arg.region()?),
            "forward" => Control::Forwarding(arg.number(
                MAX_FORWARD_RATE,
                &format!("writes per second, 0 to {MAX_FORWARD_RATE}"),
            )?),
            "consistency" => match arg.text.and_then(ReadConsistency::parse) {
                Some(c) => Control::ReadConsistency(c),
                None => return arg.fail("a read consistency: eventual, session or global"),
            },
            "delete-rows" => match arg.text.and_then(Table::parse) {
                Some(t) => Control::DeleteRows(t),
                None => return arg.fail("a table: products or orders"),
            },
            "snapshot" => Control::Snapshot,
            // The model says which day counts are allowed; the text only keeps them small.
            "retention" => Control::Retention(arg.number(255, "days of retention")? as u8),
            "restore" => Control::Restore(arg.point()?),
            "backtrack" => Control::Backtrack(arg.point()?),
            "clone" => Control::Clone(arg.cluster()?),
            "drop-cluster" => Control::DeleteCluster(arg.cluster()?),
            "cluster-writes" => {
                let (cluster, n) = arg.split('-', "a cluster and writes per second")?;
                Control::ClusterWrites {
                    cluster: cluster.cluster()?,
                    per_sec: n.number(
                        MAX_CLUSTER_WRITES,
                        &format!("writes per second, 0 to {MAX_CLUSTER_WRITES}"),
                    )?,
                }
            }
            _ => return Err(ParseError::Verb),
        };
        let takes_no_argument = matches!(
            c,
            Control::Failover | Control::AddRegion | Control::Snapshot
        );
        if takes_no_argument && arg.text.is_some() {
            return arg.fail("nothing after the action");
        }
        Ok(c)
    }

    /// The core command this control stands for in `sim` now, or why there is none.
    pub fn command(&self, sim: &Sim) -> Result<Command, String> {
        let node = |name: &str| {
            sim.node_named(name)
                .ok_or_else(|| format!("there is no node called {name} in this cluster"))
        };
        Ok(match self {
            Control::Crash(n) => Command::Inject(Fault::CrashNode(node(n)?)),
            Control::Restart(n) => Command::Heal(Fault::CrashNode(node(n)?)),
            Control::Slow(n) => Command::Inject(Fault::SlowNode {
                node: node(n)?,
                pct: SLOW_PCT,
            }),
            Control::Unslow(n) => Command::Heal(Fault::SlowNode {
                node: node(n)?,
                pct: SLOW_PCT,
            }),
            Control::LoseSegment(s) => Command::Inject(Fault::LoseSegment(SegmentId(*s))),
            Control::FailAz(z) => Command::Inject(Fault::FailAz(AzId(*z))),
            Control::HealAz(z) => Command::Heal(Fault::FailAz(AzId(*z))),
            Control::PartitionAz(z) => Command::Inject(Fault::Partition(Partition::Az(AzId(*z)))),
            Control::ReconnectAz(z) => Command::Heal(Fault::Partition(Partition::Az(AzId(*z)))),
            Control::Failover => Command::Failover { target: None },
            Control::AddReplica(z) => Command::AddReplica {
                az: Some(AzId(*z)),
                class: REPLICA_CLASS.to_string(),
                tier: 1,
            },
            Control::SetLoad { rate, read_pct } => sim.load_view().command(*rate, *read_pct),
            Control::SetCapacity { node: n, capacity } => Command::SetCapacity {
                node: node(n)?,
                capacity: *capacity,
            },
            Control::LongTransaction(s) => Command::LongTransaction {
                duration: SimDuration::from_secs(u64::from(*s)),
            },
            Control::AddRegion => Command::AddSecondaryRegion,
            Control::Switchover(r) => Command::Switchover {
                region: RegionId(*r),
            },
            Control::GlobalFailover(r) => Command::GlobalFailover {
                region: RegionId(*r),
            },
            Control::FailRegion(r) => Command::Inject(Fault::FailRegion(RegionId(*r))),
            Control::HealRegion(r) => Command::Heal(Fault::FailRegion(RegionId(*r))),
            Control::Forwarding(n) => Command::SetWriteForwarding { per_sec: *n },
            Control::ReadConsistency(c) => Command::SetReadConsistency(*c),
            Control::DeleteRows(table) => {
                Command::Backup(BackupCommand::DeleteRows { table: *table })
            }
            Control::Snapshot => Command::Backup(BackupCommand::TakeSnapshot),
            Control::Retention(days) => {
                Command::Backup(BackupCommand::SetRetention { days: *days })
            }
            Control::Restore(s) => Command::Backup(BackupCommand::Restore {
                to: seconds(*s),
                backtrack_hours: 0,
            }),
            Control::Backtrack(s) => Command::Backup(BackupCommand::Backtrack { to: seconds(*s) }),
            Control::Clone(source) => Command::Backup(BackupCommand::Clone {
                source: *source,
                region: RegionId(0),
                backtrack_hours: 0,
            }),
            Control::DeleteCluster(cluster) => {
                Command::Backup(BackupCommand::DeleteCluster { cluster: *cluster })
            }
            Control::ClusterWrites { cluster, per_sec } => {
                Command::Backup(BackupCommand::SetClusterWrites {
                    cluster: *cluster,
                    per_sec: *per_sec,
                })
            }
        })
    }
}

/// A control at a simulated time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timed {
    pub at: SimTime,
    pub action: Control,
}

impl Timed {
    /// `2000000.fail-az.c`: the time in microseconds, then the control.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.at.as_micros(), self.action.encode())
    }

    /// Reads what [`Timed::encode`] wrote.
    pub fn decode(s: &str) -> Result<Timed, ParseError> {
        let (time, rest) = s.split_once('.').ok_or(ParseError::Shape)?;
        let at: u64 = time.parse().map_err(|_| ParseError::Time)?;
        Ok(Timed {
            at: SimTime::from_micros(at),
            action: Control::parse(rest)?,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;

    pub(crate) fn all_kinds() -> Vec<Control> {
        vec![
            Control::Crash("az-b-2".into()),
            Control::Restart("instance-1".into()),
            Control::Slow("az-a-1".into()),
            Control::Unslow("az-a-1".into()),
            Control::LoseSegment(7),
            Control::FailAz(2),
            Control::HealAz(0),
            Control::PartitionAz(1),
            Control::ReconnectAz(1),
            Control::Failover,
            Control::AddReplica(2),
            Control::SetLoad {
                rate: 3000,
                read_pct: 80,
            },
            Control::SetCapacity {
                node: "eu-west-1/instance-2".into(),
                capacity: Capacity::Provisioned,
            },
            Control::SetCapacity {
                node: "instance-1".into(),
                capacity: Capacity::V2 {
                    min_half: 1,
                    max_half: 128,
                    pause_after: None,
                },
            },
            Control::SetCapacity {
                node: "instance-1".into(),
                capacity: Capacity::V2 {
                    min_half: 0,
                    max_half: 32,
                    pause_after: Some(SimDuration::from_secs(300)),
                },
            },
            Control::SetCapacity {
                node: "instance-2".into(),
                capacity: Capacity::V1 {
                    min_acu: 1,
                    max_acu: 64,
                    pause: true,
                    on_timeout: TimeoutAction::Force,
                },
            },
            Control::LongTransaction(95),
            Control::AddRegion,
            Control::Switchover(1),
            Control::GlobalFailover(2),
            Control::FailRegion(0),
            Control::HealRegion(0),
            Control::Forwarding(50),
            Control::ReadConsistency(ReadConsistency::Eventual),
            Control::ReadConsistency(ReadConsistency::Global),
            Control::DeleteRows(Table::Orders),
            Control::DeleteRows(Table::Products),
            Control::Snapshot,
            Control::Retention(7),
            Control::Restore(60),
            Control::Backtrack(119),
            Control::Clone(0),
            Control::Clone(2),
            Control::DeleteCluster(1),
            Control::ClusterWrites {
                cluster: 1,
                per_sec: 5,
            },
        ]
    }

    #[test]
    fn every_control_survives_a_round_trip_through_its_text_and_every_verb_is_listed() {
        let mut verbs: Vec<String> = Vec::new();
        for action in all_kinds() {
            let timed = Timed {
                at: SimTime::from_micros(2_500_000),
                action,
            };
            assert_eq!(Timed::decode(&timed.encode()), Ok(timed.clone()));
            let text = timed.action.encode();
            let verb = text.split('.').next().unwrap_or_default().to_string();
            assert!(VERBS.contains(&verb.as_str()), "{verb} is not listed");
            if !verbs.contains(&verb) {
                verbs.push(verb);
            }
        }
        assert_eq!(verbs.len(), VERBS.len(), "a listed verb has no control");
    }

    fn argument_at(text: &str) -> usize {
        match Control::parse(text) {
            Err(e @ ParseError::Argument { .. }) => e.at(),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn a_capacity_reads_as_people_say_it() {
        let words: Vec<String> = all_kinds()
            .iter()
            .filter_map(|c| match c {
                Control::SetCapacity { capacity, .. } => Some(capacity_words(capacity)),
                _ => None,
            })
            .collect();
        assert_eq!(
            words,
            [
                "provisioned",
                "Serverless v2, 0.5–64 ACU",
                "Serverless v2, 0–16 ACU, auto-pause",
                "Serverless v1, 1–64 ACU"
            ]
        );
    }

    #[test]
    fn bad_text_is_refused_with_where_and_what_was_expected() {
        assert_eq!(Timed::decode("xyz.crash.az-a-1"), Err(ParseError::Time));
        assert_eq!(Timed::decode("100"), Err(ParseError::Shape));
        assert_eq!(Timed::decode("100.explode.az-a-1"), Err(ParseError::Verb));
        assert_eq!(argument_at("fail-az.d"), 8);
        assert_eq!(argument_at("crash"), 5);
        assert_eq!(argument_at("crash.<script>"), 6);
        assert_eq!(argument_at("load.99999999-50"), 5);
        assert_eq!(argument_at("load.100-101"), 9);
        assert_eq!(argument_at("load.100"), 9);
        assert_eq!(argument_at("cap.instance-1.v3-1-2"), 15);
        assert_eq!(argument_at("cluster-writes.1-99999"), 17);
        assert_eq!(argument_at("failover.now"), 9);
        let e = Control::parse("fail-az.q").expect_err("no AZ q");
        assert_eq!(e.to_string(), "expected an AZ: a, b or c");
        assert!(ParseError::Verb.to_string().contains("retention"));
        for bad in [
            "cap.instance-1",
            "cap.instance-1.v2-1",
            "cap.instance-1.v2-1-2-x",
            "cap.instance-1.v1-1-2-pause-pause",
            "cap.instance-1.prov-1",
            "cap.instance-1.v2-99999-2",
            "cap.instance-1.v2-0-8-p9999999",
            "switchover.11",
            "fail-region.x",
            "forward.5000",
            "long-txn.99999",
            "delete-rows.customers",
            "delete-rows",
            "restore.soon",
            "backtrack.99999999",
            "clone.999",
            "cluster-writes.1",
            "cluster-writes.1-99999",
            "retention.999",
            "consistency.strong",
        ] {
            assert!(
                matches!(Control::parse(bad), Err(ParseError::Argument { .. })),
                "{bad}"
            );
        }
    }

    #[test]
    fn capacity_and_global_controls_become_the_core_commands() {
        let scenario = crate::scenario::find("global-lag").expect("the global-lag scenario");
        let mut sim = scenario.start(1);
        sim.run_until(SimTime::from_micros(1_000));
        let view = sim.view();
        let w = view.writer.node;
        let name = view.nodes[w.index()].name.clone();
        let cap = Capacity::V2 {
            min_half: 1,
            max_half: 8,
            pause_after: None,
        };
        let set = Control::SetCapacity {
            node: name,
            capacity: cap,
        };
        assert_eq!(
            set.command(&sim),
            Ok(Command::SetCapacity {
                node: w,
                capacity: cap
            })
        );
        assert_eq!(
            Control::FailRegion(1).command(&sim),
            Ok(Command::Inject(Fault::FailRegion(RegionId(1))))
        );
        assert_eq!(
            Control::Forwarding(20).command(&sim),
            Ok(Command::SetWriteForwarding { per_sec: 20 })
        );
        // A bad capacity reaches the model, which refuses it with a reason a student can read.
        let bad = Control::SetCapacity {
            node: "instance-1".into(),
            capacity: Capacity::V2 {
                min_half: 8,
                max_half: 2,
                pause_after: None,
            },
        };
        let err = bad
            .command(&sim)
            .and_then(|c| sim.apply(c).map_err(|e| e.to_string()));
        assert!(
            err.as_ref().is_err_and(|e| e.contains("min ≤ max")),
            "{err:?}"
        );
    }

    #[test]
    fn nodes_are_found_by_the_names_the_diagram_shows() {
        let sim = crate::scenario::find("replicas")
            .expect("the replicas scenario")
            .start(1);
        let node = sim.node_named("az-b-2").expect("az-b-2 exists");
        assert_eq!(
            Control::Crash("az-b-2".into()).command(&sim),
            Ok(Command::Inject(Fault::CrashNode(node)))
        );
        let err = Control::Crash("az-q-9".into()).command(&sim);
        assert_eq!(
            err,
            Err("there is no node called az-q-9 in this cluster".into())
        );
    }

    #[test]
    fn the_load_knob_drives_clients_where_the_scenario_has_them() {
        let mut sim = crate::scenario::find("replicas")
            .expect("the replicas scenario")
            .start(1);
        let load = Control::SetLoad {
            rate: 1000,
            read_pct: 50,
        };
        let cmd = load.command(&sim).expect("a load command");
        assert!(matches!(cmd, Command::SetClients(_)));
        sim.apply(cmd).expect("valid");
        assert_eq!(sim.load_view().knobs(), (1000, 50));

        let mut sim = crate::scenario::find("quorum-write")
            .expect("the quorum-write scenario")
            .start(1);
        let load = Control::SetLoad {
            rate: 400,
            read_pct: 25,
        };
        let cmd = load.command(&sim).expect("a load command");
        assert!(matches!(cmd, Command::SetWorkload(_)));
        sim.apply(cmd).expect("valid");
        assert_eq!(sim.load_view().knobs(), (400, 25));
    }

    /// In the ramp of replica-autoscaling the knob shows where the ramp is; a rate someone sets
    /// holds, instead of ramping up again from there.
    #[test]
    fn a_rate_set_during_a_ramp_ends_the_ramp() {
        let mut sim = crate::scenario::find("replica-autoscaling")
            .expect("the replica-autoscaling scenario")
            .start(1);
        sim.set_recording(false);
        sim.run_until(SimTime::from_micros(300_000_000));
        let (rate, read_pct) = sim.load_view().knobs();
        assert!((2_900..=3_100).contains(&rate), "half way up: {rate}");
        assert_eq!(read_pct, 95);
        let cmd = Control::SetLoad {
            rate: 600,
            read_pct: 95,
        }
        .command(&sim)
        .expect("a load command");
        sim.apply(cmd).expect("valid");
        sim.run_until(SimTime::from_micros(600_000_000));
        assert_eq!(sim.load_view().knobs(), (600, 95));
        assert_eq!(sim.load_view().rate_now, 600);
    }
}
