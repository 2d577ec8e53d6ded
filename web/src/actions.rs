//! What a person can do to the running cluster, as data: logged with its simulated time, written
//! into share links, and turned into the core's [`Command`]s when applied.
//!
//! Nodes are named as the diagram names them (`az-b-2`, `instance-3`), so a link stays readable
//! and keeps meaning the same node in every run of the same scenario.

use aurora_core::backup::data::Table;
use aurora_core::backup::BackupCommand;
use aurora_core::global::MAX_SECONDARY_REGIONS;
use aurora_core::ids::{AzId, RegionId, SegmentId};
use aurora_core::net::Partition;
use aurora_core::serverless::{Capacity, TimeoutAction};
use aurora_core::settings::forwarding::ReadConsistency;
use aurora_core::{Command, Fault, Sim, SimDuration, SimTime};

use crate::names;

/// How much slower a slowed node gets, in percent of normal time.
pub const SLOW_PCT: u32 = 500;
/// The instance class the page adds replicas with.
pub const REPLICA_CLASS: &str = "db.r6g.xlarge";
/// The fastest request rate the knob offers, per second.
pub const MAX_RATE: u32 = 20_000;
/// The most writes per second the page forwards from secondary regions.
pub const MAX_FORWARD_RATE: u32 = 1_000;
/// The longest transaction a person can hold open, in seconds (v1's scaling timeout is 300 s).
pub const MAX_LONG_TXN_SECS: u32 = 3_600;
/// The latest point in time a restore or backtrack from a link may name, in seconds: the
/// longest retention, 35 days. The core judges whether the point is in the window.
pub const MAX_POINT_SECS: u32 = 35 * 86_400;
/// The most restored and cloned clusters a link may name.
pub const MAX_CLUSTER: u32 = 64;
/// Writes per second the page puts on a restored or cloned cluster when asked to.
pub const CLUSTER_WRITES: u32 = 5;
/// The most writes per second a link may put on a restored or cloned cluster.
pub const MAX_CLUSTER_WRITES: u32 = 1_000;

/// One thing a person did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserAction {
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

/// Why an action from a link could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// Not `TIME.VERB[.ARG]`.
    Shape,
    /// The time is not a whole number of microseconds.
    Time,
    /// No such verb.
    Verb,
    /// The verb's argument is missing or out of range.
    Argument,
}

impl core::fmt::Display for ParseError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ParseError::Shape => "expected TIME.ACTION or TIME.ACTION.TARGET",
            ParseError::Time => "the time is not a whole number of microseconds",
            ParseError::Verb => "unknown action",
            ParseError::Argument => "the target is missing or out of range",
        })
    }
}

fn az_arg(s: &str) -> Result<u8, ParseError> {
    match s {
        "a" => Ok(0),
        "b" => Ok(1),
        "c" => Ok(2),
        _ => Err(ParseError::Argument),
    }
}

fn name_arg(s: &str) -> Result<String, ParseError> {
    let ok = !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '/');
    if ok {
        Ok(s.to_string())
    } else {
        Err(ParseError::Argument)
    }
}

fn region_arg(s: &str) -> Result<u8, ParseError> {
    let r: u8 = s.parse().map_err(|_| ParseError::Argument)?;
    if usize::from(r) > MAX_SECONDARY_REGIONS {
        return Err(ParseError::Argument);
    }
    Ok(r)
}

fn number_arg(s: &str, max: u32) -> Result<u32, ParseError> {
    let v: u32 = s.parse().map_err(|_| ParseError::Argument)?;
    if v > max {
        return Err(ParseError::Argument);
    }
    Ok(v)
}

fn table_arg(s: &str) -> Result<Table, ParseError> {
    Table::parse(s).ok_or(ParseError::Argument)
}

fn seconds(s: u32) -> SimTime {
    SimTime::from_micros(u64::from(s) * 1_000_000)
}

/// A region's name as the world view shows it.
pub fn region_name(r: u8) -> &'static str {
    aurora_core::ids::RegionId(r).name()
}

/// A capacity in a link: `prov`, `v2-1-128` (half-ACUs), `v2-0-32-p300` (auto-pause after 300 s),
/// `v1-1-64`, `v1-1-64-pause-force`. Half-ACUs keep dots out of the link.
pub fn encode_capacity(c: &Capacity) -> String {
    match *c {
        Capacity::Provisioned => "prov".to_string(),
        Capacity::V2 {
            min_half,
            max_half,
            pause_after,
        } => match pause_after {
            Some(p) => format!("v2-{min_half}-{max_half}-p{}", p.as_micros() / 1_000_000),
            None => format!("v2-{min_half}-{max_half}"),
        },
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

/// Reads what [`encode_capacity`] wrote. Only the shape is checked here; the core judges the
/// values when the command is applied, and says what is wrong.
pub fn decode_capacity(s: &str) -> Result<Capacity, ParseError> {
    let mut parts = s.split('-');
    let kind = parts.next().ok_or(ParseError::Argument)?;
    if kind == "prov" {
        return match parts.next() {
            None => Ok(Capacity::Provisioned),
            Some(_) => Err(ParseError::Argument),
        };
    }
    let num = |p: Option<&str>| -> Result<u16, ParseError> {
        p.ok_or(ParseError::Argument)?
            .parse()
            .map_err(|_| ParseError::Argument)
    };
    let min = num(parts.next())?;
    let max = num(parts.next())?;
    match kind {
        "v2" => {
            let pause_after = match parts.next() {
                None => None,
                Some(p) => {
                    let secs: u64 = p
                        .strip_prefix('p')
                        .ok_or(ParseError::Argument)?
                        .parse()
                        .map_err(|_| ParseError::Argument)?;
                    if secs > 7 * 86_400 {
                        return Err(ParseError::Argument);
                    }
                    Some(SimDuration::from_secs(secs))
                }
            };
            if parts.next().is_some() {
                return Err(ParseError::Argument);
            }
            Ok(Capacity::V2 {
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
                    _ => return Err(ParseError::Argument),
                }
            }
            Ok(Capacity::V1 {
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
        _ => Err(ParseError::Argument),
    }
}

/// A capacity in words: "provisioned", "Serverless v2, 0.5–64 ACU", "Serverless v1, 1–64 ACU".
pub fn describe_capacity(c: &Capacity) -> String {
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
                crate::format::half_acu(min_half),
                crate::format::half_acu(max_half)
            )
        }
        Capacity::V1 {
            min_acu, max_acu, ..
        } => format!("Serverless v1, {min_acu}–{max_acu} ACU"),
    }
}

impl UserAction {
    /// The words the link uses: `fail-az.c`, `crash.az-b-2`, `load.3000-80`.
    pub fn encode(&self) -> String {
        let az = |i: &u8| names::az_letter(usize::from(*i));
        match self {
            UserAction::Crash(n) => format!("crash.{n}"),
            UserAction::Restart(n) => format!("restart.{n}"),
            UserAction::Slow(n) => format!("slow.{n}"),
            UserAction::Unslow(n) => format!("unslow.{n}"),
            UserAction::LoseSegment(s) => format!("lose.{s}"),
            UserAction::FailAz(z) => format!("fail-az.{}", az(z)),
            UserAction::HealAz(z) => format!("heal-az.{}", az(z)),
            UserAction::PartitionAz(z) => format!("cut-az.{}", az(z)),
            UserAction::ReconnectAz(z) => format!("mend-az.{}", az(z)),
            UserAction::Failover => "failover".to_string(),
            UserAction::AddReplica(z) => format!("add-replica.{}", az(z)),
            UserAction::SetLoad { rate, read_pct } => format!("load.{rate}-{read_pct}"),
            UserAction::SetCapacity { node, capacity } => {
                format!("cap.{node}.{}", encode_capacity(capacity))
            }
            UserAction::LongTransaction(s) => format!("long-txn.{s}"),
            UserAction::AddRegion => "add-region".to_string(),
            UserAction::Switchover(r) => format!("switchover.{r}"),
            UserAction::GlobalFailover(r) => format!("global-failover.{r}"),
            UserAction::FailRegion(r) => format!("fail-region.{r}"),
            UserAction::HealRegion(r) => format!("heal-region.{r}"),
            UserAction::Forwarding(n) => format!("forward.{n}"),
            UserAction::ReadConsistency(c) => {
                format!("consistency.{}", c.name().to_ascii_lowercase())
            }
            UserAction::DeleteRows(t) => format!("delete-rows.{t}"),
            UserAction::Snapshot => "snapshot".to_string(),
            UserAction::Retention(d) => format!("retention.{d}"),
            UserAction::Restore(s) => format!("restore.{s}"),
            UserAction::Backtrack(s) => format!("backtrack.{s}"),
            UserAction::Clone(c) => format!("clone.{c}"),
            UserAction::DeleteCluster(c) => format!("drop-cluster.{c}"),
            UserAction::ClusterWrites { cluster, per_sec } => {
                format!("cluster-writes.{cluster}-{per_sec}")
            }
        }
    }

    /// Reads what [`UserAction::encode`] wrote.
    pub fn decode(verb: &str, arg: Option<&str>) -> Result<UserAction, ParseError> {
        let arg = || arg.ok_or(ParseError::Argument);
        Ok(match verb {
            "crash" => UserAction::Crash(name_arg(arg()?)?),
            "restart" => UserAction::Restart(name_arg(arg()?)?),
            "slow" => UserAction::Slow(name_arg(arg()?)?),
            "unslow" => UserAction::Unslow(name_arg(arg()?)?),
            "lose" => UserAction::LoseSegment(arg()?.parse().map_err(|_| ParseError::Argument)?),
            "fail-az" => UserAction::FailAz(az_arg(arg()?)?),
            "heal-az" => UserAction::HealAz(az_arg(arg()?)?),
            "cut-az" => UserAction::PartitionAz(az_arg(arg()?)?),
            "mend-az" => UserAction::ReconnectAz(az_arg(arg()?)?),
            "failover" => UserAction::Failover,
            "add-replica" => UserAction::AddReplica(az_arg(arg()?)?),
            "load" => {
                let (rate, read) = arg()?.split_once('-').ok_or(ParseError::Argument)?;
                let rate: u32 = rate.parse().map_err(|_| ParseError::Argument)?;
                let read_pct: u8 = read.parse().map_err(|_| ParseError::Argument)?;
                if rate > MAX_RATE || read_pct > 100 {
                    return Err(ParseError::Argument);
                }
                UserAction::SetLoad { rate, read_pct }
            }
            "cap" => {
                let (node, cap) = arg()?.rsplit_once('.').ok_or(ParseError::Argument)?;
                UserAction::SetCapacity {
                    node: name_arg(node)?,
                    capacity: decode_capacity(cap)?,
                }
            }
            "long-txn" => UserAction::LongTransaction(number_arg(arg()?, MAX_LONG_TXN_SECS)?),
            "add-region" => UserAction::AddRegion,
            "switchover" => UserAction::Switchover(region_arg(arg()?)?),
            "global-failover" => UserAction::GlobalFailover(region_arg(arg()?)?),
            "fail-region" => UserAction::FailRegion(region_arg(arg()?)?),
            "heal-region" => UserAction::HealRegion(region_arg(arg()?)?),
            "forward" => UserAction::Forwarding(number_arg(arg()?, MAX_FORWARD_RATE)?),
            "consistency" => UserAction::ReadConsistency(
                ReadConsistency::parse(arg()?).ok_or(ParseError::Argument)?,
            ),
            "delete-rows" => UserAction::DeleteRows(table_arg(arg()?)?),
            "snapshot" => UserAction::Snapshot,
            // The core says which day counts are allowed; the link only keeps them small.
            "retention" => UserAction::Retention(
                u8::try_from(number_arg(arg()?, 255)?).map_err(|_| ParseError::Argument)?,
            ),
            "restore" => UserAction::Restore(number_arg(arg()?, MAX_POINT_SECS)?),
            "backtrack" => UserAction::Backtrack(number_arg(arg()?, MAX_POINT_SECS)?),
            "clone" => UserAction::Clone(number_arg(arg()?, MAX_CLUSTER)?),
            "drop-cluster" => UserAction::DeleteCluster(number_arg(arg()?, MAX_CLUSTER)?),
            "cluster-writes" => {
                let (c, n) = arg()?.split_once('-').ok_or(ParseError::Argument)?;
                UserAction::ClusterWrites {
                    cluster: number_arg(c, MAX_CLUSTER)?,
                    per_sec: number_arg(n, MAX_CLUSTER_WRITES)?,
                }
            }
            _ => return Err(ParseError::Verb),
        })
    }

    /// The action in a few words, for the event log and notices.
    pub fn describe(&self) -> String {
        let az = |i: &u8| names::az_letter(usize::from(*i));
        match self {
            UserAction::Crash(n) => format!("you crashed {n}"),
            UserAction::Restart(n) => format!("you restarted {n}"),
            UserAction::Slow(n) => format!("you slowed {n} to {SLOW_PCT}% of normal time"),
            UserAction::Unslow(n) => format!("you brought {n} back to normal speed"),
            UserAction::LoseSegment(s) => format!("you failed the disk of segment {s}"),
            UserAction::FailAz(z) => format!("you failed AZ {}", az(z)),
            UserAction::HealAz(z) => format!("you healed AZ {}", az(z)),
            UserAction::PartitionAz(z) => format!("you cut AZ {} off the network", az(z)),
            UserAction::ReconnectAz(z) => format!("you reconnected AZ {}", az(z)),
            UserAction::Failover => "you asked for a failover".to_string(),
            UserAction::AddReplica(z) => format!("you added a replica in AZ {}", az(z)),
            UserAction::SetLoad { rate, read_pct } => {
                format!("you set the load to {rate} requests/s, {read_pct}% reads")
            }
            UserAction::SetCapacity { node, capacity } => {
                format!("you made {node} {}", describe_capacity(capacity))
            }
            UserAction::LongTransaction(s) => {
                format!("you held a transaction open on the writer for {s} s")
            }
            UserAction::AddRegion => "you added a secondary region".to_string(),
            UserAction::Switchover(r) => {
                format!("you asked for a switchover to {}", region_name(*r))
            }
            UserAction::GlobalFailover(r) => {
                format!("you asked for a global failover to {}", region_name(*r))
            }
            UserAction::FailRegion(r) => format!("you failed region {}", region_name(*r)),
            UserAction::HealRegion(r) => format!("you brought region {} back", region_name(*r)),
            UserAction::Forwarding(0) => "you turned write forwarding off".to_string(),
            UserAction::Forwarding(n) => {
                format!("you turned write forwarding on: {n} writes/s from secondary regions")
            }
            UserAction::ReadConsistency(c) => {
                format!(
                    "you set write forwarding's read consistency to {}",
                    c.name()
                )
            }
            UserAction::DeleteRows(t) => {
                format!("you ran the faulty deployment: DELETE FROM {t}")
            }
            UserAction::Snapshot => "you took a manual snapshot".to_string(),
            UserAction::Retention(d) => format!("you set backup retention to {d} days"),
            UserAction::Restore(s) => format!(
                "you restored the backup at {} into a new cluster",
                crate::format::clock(seconds(*s))
            ),
            UserAction::Backtrack(s) => format!(
                "you backtracked the cluster to {}",
                crate::format::clock(seconds(*s))
            ),
            UserAction::Clone(c) => format!("you cloned {}", aurora_core::backup_view::name(*c)),
            UserAction::DeleteCluster(c) => {
                format!("you deleted {}", aurora_core::backup_view::name(*c))
            }
            UserAction::ClusterWrites { cluster, per_sec } => format!(
                "you put {per_sec} writes/s on {}",
                aurora_core::backup_view::name(*cluster)
            ),
        }
    }

    /// The core command this action stands for in `sim`, or why there is none.
    pub fn command(&self, sim: &Sim) -> Result<Command, String> {
        let node = |name: &str| {
            sim.node_named(name)
                .ok_or_else(|| format!("there is no node called {name}"))
        };
        Ok(match self {
            UserAction::Crash(n) => Command::Inject(Fault::CrashNode(node(n)?)),
            UserAction::Restart(n) => Command::Heal(Fault::CrashNode(node(n)?)),
            UserAction::Slow(n) => Command::Inject(Fault::SlowNode {
                node: node(n)?,
                pct: SLOW_PCT,
            }),
            UserAction::Unslow(n) => Command::Heal(Fault::SlowNode {
                node: node(n)?,
                pct: SLOW_PCT,
            }),
            UserAction::LoseSegment(s) => Command::Inject(Fault::LoseSegment(SegmentId(*s))),
            UserAction::FailAz(z) => Command::Inject(Fault::FailAz(AzId(*z))),
            UserAction::HealAz(z) => Command::Heal(Fault::FailAz(AzId(*z))),
            UserAction::PartitionAz(z) => {
                Command::Inject(Fault::Partition(Partition::Az(AzId(*z))))
            }
            UserAction::ReconnectAz(z) => Command::Heal(Fault::Partition(Partition::Az(AzId(*z)))),
            UserAction::Failover => Command::Failover { target: None },
            UserAction::AddReplica(z) => Command::AddReplica {
                az: Some(AzId(*z)),
                class: REPLICA_CLASS.to_string(),
                tier: 1,
            },
            UserAction::SetLoad { rate, read_pct } => sim.load_view().command(*rate, *read_pct),
            UserAction::SetCapacity { node: n, capacity } => Command::SetCapacity {
                node: node(n)?,
                capacity: *capacity,
            },
            UserAction::LongTransaction(s) => Command::LongTransaction {
                duration: SimDuration::from_secs(u64::from(*s)),
            },
            UserAction::AddRegion => Command::AddSecondaryRegion,
            UserAction::Switchover(r) => Command::Switchover {
                region: RegionId(*r),
            },
            UserAction::GlobalFailover(r) => Command::GlobalFailover {
                region: RegionId(*r),
            },
            UserAction::FailRegion(r) => Command::Inject(Fault::FailRegion(RegionId(*r))),
            UserAction::HealRegion(r) => Command::Heal(Fault::FailRegion(RegionId(*r))),
            UserAction::Forwarding(n) => Command::SetWriteForwarding { per_sec: *n },
            UserAction::ReadConsistency(c) => Command::SetReadConsistency(*c),
            UserAction::DeleteRows(table) => {
                Command::Backup(BackupCommand::DeleteRows { table: *table })
            }
            UserAction::Snapshot => Command::Backup(BackupCommand::TakeSnapshot),
            UserAction::Retention(days) => {
                Command::Backup(BackupCommand::SetRetention { days: *days })
            }
            UserAction::Restore(s) => Command::Backup(BackupCommand::Restore {
                to: seconds(*s),
                backtrack_hours: 0,
            }),
            UserAction::Backtrack(s) => {
                Command::Backup(BackupCommand::Backtrack { to: seconds(*s) })
            }
            UserAction::Clone(source) => Command::Backup(BackupCommand::Clone {
                source: *source,
                region: RegionId(0),
                backtrack_hours: 0,
            }),
            UserAction::DeleteCluster(cluster) => {
                Command::Backup(BackupCommand::DeleteCluster { cluster: *cluster })
            }
            UserAction::ClusterWrites { cluster, per_sec } => {
                Command::Backup(BackupCommand::SetClusterWrites {
                    cluster: *cluster,
                    per_sec: *per_sec,
                })
            }
        })
    }
}

/// An action at a simulated time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timed {
    pub at: SimTime,
    pub action: UserAction,
}

impl Timed {
    /// `2000000.fail-az.c`: the time in microseconds, then the action.
    pub fn encode(&self) -> String {
        format!("{}.{}", self.at.as_micros(), self.action.encode())
    }

    pub fn decode(s: &str) -> Result<Timed, ParseError> {
        let mut parts = s.splitn(3, '.');
        let time = parts.next().ok_or(ParseError::Shape)?;
        let verb = parts.next().ok_or(ParseError::Shape)?;
        let at: u64 = time.parse().map_err(|_| ParseError::Time)?;
        let action = UserAction::decode(verb, parts.next())?;
        Ok(Timed {
            at: SimTime::from_micros(at),
            action,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_kinds() -> Vec<UserAction> {
        vec![
            UserAction::Crash("az-b-2".into()),
            UserAction::Restart("instance-1".into()),
            UserAction::Slow("az-a-1".into()),
            UserAction::Unslow("az-a-1".into()),
            UserAction::LoseSegment(7),
            UserAction::FailAz(2),
            UserAction::HealAz(0),
            UserAction::PartitionAz(1),
            UserAction::ReconnectAz(1),
            UserAction::Failover,
            UserAction::AddReplica(2),
            UserAction::SetLoad {
                rate: 3000,
                read_pct: 80,
            },
            UserAction::SetCapacity {
                node: "eu-west-1/instance-2".into(),
                capacity: Capacity::Provisioned,
            },
            UserAction::SetCapacity {
                node: "instance-1".into(),
                capacity: Capacity::V2 {
                    min_half: 1,
                    max_half: 128,
                    pause_after: None,
                },
            },
            UserAction::SetCapacity {
                node: "instance-1".into(),
                capacity: Capacity::V2 {
                    min_half: 0,
                    max_half: 32,
                    pause_after: Some(SimDuration::from_secs(300)),
                },
            },
            UserAction::SetCapacity {
                node: "instance-2".into(),
                capacity: Capacity::V1 {
                    min_acu: 1,
                    max_acu: 64,
                    pause: true,
                    on_timeout: TimeoutAction::Force,
                },
            },
            UserAction::LongTransaction(95),
            UserAction::AddRegion,
            UserAction::Switchover(1),
            UserAction::GlobalFailover(2),
            UserAction::FailRegion(0),
            UserAction::HealRegion(0),
            UserAction::Forwarding(50),
            UserAction::ReadConsistency(ReadConsistency::Eventual),
            UserAction::ReadConsistency(ReadConsistency::Global),
            UserAction::DeleteRows(Table::Orders),
            UserAction::DeleteRows(Table::Products),
            UserAction::Snapshot,
            UserAction::Retention(7),
            UserAction::Restore(60),
            UserAction::Backtrack(119),
            UserAction::Clone(0),
            UserAction::Clone(2),
            UserAction::DeleteCluster(1),
            UserAction::ClusterWrites {
                cluster: 1,
                per_sec: 5,
            },
        ]
    }

    #[test]
    fn every_action_survives_a_round_trip_through_its_text() {
        for action in all_kinds() {
            let timed = Timed {
                at: SimTime::from_micros(2_500_000),
                action,
            };
            assert_eq!(Timed::decode(&timed.encode()), Ok(timed));
        }
    }

    #[test]
    fn bad_text_is_refused_with_a_reason() {
        assert_eq!(Timed::decode("xyz.crash.az-a-1"), Err(ParseError::Time));
        assert_eq!(Timed::decode("100"), Err(ParseError::Shape));
        assert_eq!(Timed::decode("100.explode.az-a-1"), Err(ParseError::Verb));
        assert_eq!(Timed::decode("100.fail-az.d"), Err(ParseError::Argument));
        assert_eq!(Timed::decode("100.crash"), Err(ParseError::Argument));
        assert_eq!(
            Timed::decode("100.crash.<script>"),
            Err(ParseError::Argument)
        );
        assert_eq!(
            Timed::decode("100.load.99999999-50"),
            Err(ParseError::Argument)
        );
        assert_eq!(Timed::decode("100.load.100-101"), Err(ParseError::Argument));
        for bad in [
            "100.cap.instance-1",
            "100.cap.instance-1.v3-1-2",
            "100.cap.instance-1.v2-1",
            "100.cap.instance-1.v2-1-2-x",
            "100.cap.instance-1.v1-1-2-pause-pause",
            "100.cap.instance-1.prov-1",
            "100.cap.instance-1.v2-99999-2",
            "100.switchover.11",
            "100.fail-region.x",
            "100.forward.5000",
            "100.long-txn.99999",
            "100.delete-rows.customers",
            "100.delete-rows",
            "100.restore.soon",
            "100.backtrack.99999999",
            "100.clone.999",
            "100.cluster-writes.1",
            "100.cluster-writes.1-99999",
            "100.retention.999",
        ] {
            assert_eq!(Timed::decode(bad), Err(ParseError::Argument), "{bad}");
        }
    }

    #[test]
    fn capacity_and_global_actions_become_the_core_commands() {
        let Some(scenario) = aurora_core::scenario::find("global-lag") else {
            panic!("the global-lag scenario exists");
        };
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
        let cmd = UserAction::SetCapacity {
            node: name,
            capacity: cap,
        }
        .command(&sim);
        assert_eq!(
            cmd,
            Ok(Command::SetCapacity {
                node: w,
                capacity: cap
            })
        );
        assert_eq!(
            UserAction::FailRegion(1).command(&sim),
            Ok(Command::Inject(Fault::FailRegion(RegionId(1))))
        );
        assert_eq!(
            UserAction::Forwarding(20).command(&sim),
            Ok(Command::SetWriteForwarding { per_sec: 20 })
        );
        // Bad capacity reaches the core, which refuses it with a reason a student can read.
        let bad = UserAction::SetCapacity {
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
        assert_eq!(
            describe_capacity(&Capacity::V2 {
                min_half: 1,
                max_half: 128,
                pause_after: None
            }),
            "Serverless v2, 0.5–64 ACU"
        );
    }

    #[test]
    fn nodes_are_found_by_the_names_the_diagram_shows() {
        let Some(scenario) = aurora_core::scenario::find("replicas") else {
            panic!("the replicas scenario exists");
        };
        let sim = scenario.start(1);
        let node = sim.node_named("az-b-2").expect("az-b-2 exists");
        assert_eq!(sim.view().nodes[node.index()].name, "az-b-2");
        assert_eq!(sim.node_named("az-q-9"), None);
        let cmd = UserAction::Crash("az-b-2".into()).command(&sim);
        assert_eq!(cmd, Ok(Command::Inject(Fault::CrashNode(node))));
        assert!(UserAction::Crash("nope".into()).command(&sim).is_err());
    }

    #[test]
    fn load_knobs_drive_clients_when_the_scenario_has_them() {
        let Some(scenario) = aurora_core::scenario::find("replicas") else {
            panic!("the replicas scenario exists");
        };
        let mut sim = scenario.start(1);
        let cmd = UserAction::SetLoad {
            rate: 1000,
            read_pct: 50,
        }
        .command(&sim)
        .expect("a load command");
        assert!(matches!(cmd, Command::SetClients(_)));
        sim.apply(cmd).expect("valid");
        assert_eq!(sim.load_view().knobs(), (1000, 50));

        let Some(scenario) = aurora_core::scenario::find("quorum-write") else {
            panic!("the quorum-write scenario exists");
        };
        let mut sim = scenario.start(1);
        let cmd = UserAction::SetLoad {
            rate: 400,
            read_pct: 25,
        }
        .command(&sim)
        .expect("a load command");
        assert!(matches!(cmd, Command::SetWorkload(_)));
        sim.apply(cmd).expect("valid");
        assert_eq!(sim.load_view().knobs(), (400, 25));
    }
}
