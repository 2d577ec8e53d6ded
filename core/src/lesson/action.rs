//! What a lesson does to the cluster: the page's own controls (the same verbs a share link's
//! `actions` use, so the page can tell when a student did what a "your turn" step asks), and a
//! few setup actions only a lesson uses.
//!
//! An action names parts as a person would (`fail-az c`, `crash writer`, `crash pg0@a`); it
//! becomes a core [`Command`] only when applied, against the simulation as it is then.

use crate::autoscaling::{Metric, Policy, COOLDOWN};
use crate::backup::data::Table;
use crate::command::Command;
use crate::compute::instance::Role;
use crate::control::{
    self, Control, MAX_FORWARD_RATE, MAX_LONG_TXN_SECS, MAX_POINT_SECS, MAX_RATE,
};
use crate::ids::{AzId, NodeId};
use crate::serverless::Capacity;
use crate::sim::Sim;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

pub use crate::control::{REPLICA_CLASS, SLOW_PCT};

/// One thing a lesson (or the student, in a "your turn" step) does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    // ----- the page's controls (link verbs) -----
    Crash(NodeRef),
    Restart(NodeRef),
    Slow(NodeRef),
    Unslow(NodeRef),
    /// A segment's disk fails (segment number).
    Lose(u32),
    FailAz(u8),
    HealAz(u8),
    /// Cut the AZ off the network.
    CutAz(u8),
    MendAz(u8),
    Failover,
    AddReplica(u8),
    /// Requests per second and the share of reads in percent.
    Load {
        rate: u32,
        read_pct: u8,
    },
    /// Make an instance provisioned or serverless (the link's capacity text: `prov`,
    /// `v2-1-128` in half-ACUs, `v2-0-32-p300`, `v1-1-64`, `v1-1-64-pause-force`).
    Cap {
        node: NodeRef,
        capacity: Capacity,
    },
    /// Hold a transaction open on the writer for this many seconds.
    LongTxn(u32),
    AddRegion,
    Switchover(u8),
    GlobalFailover(u8),
    FailRegion(u8),
    HealRegion(u8),
    /// Writes per second forwarded from secondary regions.
    Forward(u32),
    /// The faulty deployment: one transaction deletes every row of the table.
    DeleteRows(Table),
    /// A manual snapshot.
    Snapshot,
    /// Restore the backup at this second of the run into a new cluster.
    Restore(u32),
    /// Rewind the cluster in place to this second of the run.
    Backtrack(u32),
    /// Clone this cluster (0 is production), copy-on-write.
    Clone(u32),
    // ----- setup actions only lessons use -----
    /// A bulk load: the volume grows by this many GiB at once.
    Grow(u32),
    /// Set a replica's promotion tier.
    Tier {
        node: NodeRef,
        tier: u8,
    },
    /// Add a custom endpoint over the named instances.
    CustomEndpoint {
        name: String,
        members: Vec<NodeRef>,
    },
    /// Replica auto scaling on average replica CPU: target percent, min and max replicas.
    AutoScaling {
        target: u32,
        min: u8,
        max: u8,
    },
}

/// Why an action's words could not be read: which word (0 = the verb) and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionError {
    pub word: usize,
    pub expected: String,
}

/// Every verb, for error messages and the docs.
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
    "delete-rows",
    "snapshot",
    "restore",
    "backtrack",
    "clone",
    "grow",
    "tier",
    "custom-endpoint",
    "autoscaling",
];

fn err(word: usize, expected: &str) -> ActionError {
    ActionError {
        word,
        expected: expected.to_string(),
    }
}

use crate::control::{az_letter, parse_az};

/// A node as a lesson names it. Names that depend on the run (which node is the writer, which
/// storage node holds a copy of a PG) are resolved when used, so a lesson means the same part
/// for every seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeRef {
    /// The name the diagram shows: `az-b-2`, `instance-3`, `eu-west-1/instance-2`.
    Named(String),
    /// Whichever instance is the writer at that moment.
    Writer,
    /// The first storage node in AZ `az` holding a copy of PG `pg` (`pg0@a`).
    HolderOf { pg: u32, az: u8 },
    /// The best failover target right now: the up replica with the lowest tier, then the
    /// largest class (`failover-target`).
    FailoverTarget,
}

/// Reads a node reference: `writer`, `failover-target`, `pg0@a`, or a diagram name.
pub fn parse_node(s: &str) -> Option<NodeRef> {
    match s {
        "writer" => return Some(NodeRef::Writer),
        "failover-target" => return Some(NodeRef::FailoverTarget),
        _ => {}
    }
    if let Some((pg, az)) = s.strip_prefix("pg").and_then(|r| r.split_once('@')) {
        return Some(NodeRef::HolderOf {
            pg: pg.parse().ok()?,
            az: parse_az(az)?,
        });
    }
    let ok = !s.is_empty()
        && s.len() <= 40
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '/');
    ok.then(|| NodeRef::Named(s.to_string()))
}

impl NodeRef {
    /// The words a lesson file uses for it.
    pub fn words(&self) -> String {
        match self {
            NodeRef::Named(n) => n.clone(),
            NodeRef::Writer => "writer".into(),
            NodeRef::FailoverTarget => "failover-target".into(),
            NodeRef::HolderOf { pg, az } => format!("pg{pg}@{}", az_letter(*az)),
        }
    }

    /// The node it means in `sim` now, if there is one.
    pub fn resolve(&self, sim: &Sim) -> Option<NodeId> {
        match self {
            NodeRef::Named(name) => find_node(sim, name),
            NodeRef::Writer => Some(sim.view().writer.node),
            NodeRef::FailoverTarget => {
                let view = sim.view();
                view.instances
                    .iter()
                    .filter(|i| i.role == Role::Replica && i.up)
                    .min_by_key(|i| {
                        let vcpu = crate::compute::instance::CLASSES
                            .iter()
                            .find(|c| c.name == i.class)
                            .map_or(0, |c| c.vcpu);
                        (i.tier, u32::MAX - vcpu, i.node.0)
                    })
                    .map(|i| i.node)
            }
            NodeRef::HolderOf { pg, az } => {
                let view = sim.view();
                let pgv = view.pgs.get(*pg as usize)?;
                pgv.members.iter().find_map(|s| {
                    let seg = view.segment(*s)?;
                    let node = view.node(seg.node)?;
                    (node.az == Some(AzId(*az))).then_some(seg.node)
                })
            }
        }
    }

    /// How a screen reader says it, given the resolved node's name.
    pub fn describe(&self, sim: &Sim) -> String {
        let name = self
            .resolve(sim)
            .map(|n| format!("{}", sim.inspect().topology().node(n).name()));
        match (self, name) {
            (NodeRef::Writer, Some(n)) => format!("the writer, {n}"),
            (NodeRef::FailoverTarget, Some(n)) => format!("the failover target, {n}"),
            (NodeRef::HolderOf { pg, az }, Some(n)) => {
                format!(
                    "storage node {n}, holding a copy of PG {pg} in AZ {}",
                    az_letter(*az)
                )
            }
            (_, Some(n)) => n,
            (_, None) => format!("{} (not in this cluster now)", self.words()),
        }
    }
}

/// The node the diagram calls `name`.
pub fn find_node(sim: &Sim, name: &str) -> Option<NodeId> {
    sim.node_named(name)
}

/// A point in the run, whole seconds from its start, at most 35 days (the longest retention).
fn point(words: &[&str], i: usize) -> Result<u32, ActionError> {
    let what = "a point in the run in whole seconds";
    let s: u32 = num(words, i, what)?;
    if s > MAX_POINT_SECS {
        return Err(err(i, what));
    }
    Ok(s)
}

fn num<T: core::str::FromStr>(words: &[&str], i: usize, expected: &str) -> Result<T, ActionError> {
    words
        .get(i)
        .and_then(|w| w.parse().ok())
        .ok_or_else(|| err(i, expected))
}

impl Action {
    /// Reads an action from its words: the verb first (`fail-az c`, `load 3000 80`).
    pub fn parse(words: &[&str]) -> Result<Action, ActionError> {
        let Some(&verb) = words.first() else {
            return Err(err(0, "an action"));
        };
        let node = |i: usize| {
            words.get(i).and_then(|w| parse_node(w)).ok_or_else(|| {
                err(
                    i,
                    "a node: writer, failover-target, pgN@AZ or a name like az-b-2",
                )
            })
        };
        let az = |i: usize| {
            words
                .get(i)
                .and_then(|w| parse_az(w))
                .ok_or_else(|| err(i, "an AZ: a, b or c"))
        };
        let region = |i: usize| -> Result<u8, ActionError> {
            let r: u8 = num(words, i, "a region number, 0 to 10")?;
            if r > 10 {
                return Err(err(i, "a region number, 0 to 10"));
            }
            Ok(r)
        };
        let (action, used) = match verb {
            "crash" => (Action::Crash(node(1)?), 2),
            "restart" => (Action::Restart(node(1)?), 2),
            "slow" => (Action::Slow(node(1)?), 2),
            "unslow" => (Action::Unslow(node(1)?), 2),
            "lose" => (Action::Lose(num(words, 1, "a segment number")?), 2),
            "fail-az" => (Action::FailAz(az(1)?), 2),
            "heal-az" => (Action::HealAz(az(1)?), 2),
            "cut-az" => (Action::CutAz(az(1)?), 2),
            "mend-az" => (Action::MendAz(az(1)?), 2),
            "failover" => (Action::Failover, 1),
            "add-replica" => (Action::AddReplica(az(1)?), 2),
            "load" => {
                let what = format!("requests per second, 0 to {MAX_RATE}");
                let rate: u32 = num(words, 1, &what)?;
                if rate > MAX_RATE {
                    return Err(err(1, &what));
                }
                let read_pct: u8 = num(words, 2, "the share of reads in percent, 0 to 100")?;
                if read_pct > 100 {
                    return Err(err(2, "the share of reads in percent, 0 to 100"));
                }
                (Action::Load { rate, read_pct }, 3)
            }
            "cap" => {
                let n = node(1)?;
                let capacity = words
                    .get(2)
                    .and_then(|w| control::decode_capacity(w))
                    .ok_or_else(|| err(2, control::CAPACITY_EXPECTED))?;
                (Action::Cap { node: n, capacity }, 3)
            }
            "long-txn" => {
                let what = format!("seconds, 1 to {MAX_LONG_TXN_SECS}");
                let s: u32 = num(words, 1, &what)?;
                if s == 0 || s > MAX_LONG_TXN_SECS {
                    return Err(err(1, &what));
                }
                (Action::LongTxn(s), 2)
            }
            "add-region" => (Action::AddRegion, 1),
            "switchover" => (Action::Switchover(region(1)?), 2),
            "global-failover" => (Action::GlobalFailover(region(1)?), 2),
            "fail-region" => (Action::FailRegion(region(1)?), 2),
            "heal-region" => (Action::HealRegion(region(1)?), 2),
            "forward" => {
                let what = format!("writes per second, 0 to {MAX_FORWARD_RATE}");
                let n: u32 = num(words, 1, &what)?;
                if n > MAX_FORWARD_RATE {
                    return Err(err(1, &what));
                }
                (Action::Forward(n), 2)
            }
            "delete-rows" => {
                let t = words
                    .get(1)
                    .and_then(|w| Table::parse(w))
                    .ok_or_else(|| err(1, "a table: products or orders"))?;
                (Action::DeleteRows(t), 2)
            }
            "snapshot" => (Action::Snapshot, 1),
            "restore" => (Action::Restore(point(words, 1)?), 2),
            "backtrack" => (Action::Backtrack(point(words, 1)?), 2),
            "clone" => {
                let what = format!("a cluster number, 0 (production) to {}", control::MAX_CLUSTER);
                let c: u32 = num(words, 1, &what)?;
                if c > control::MAX_CLUSTER {
                    return Err(err(1, &what));
                }
                (Action::Clone(c), 2)
            }
            "grow" => {
                let g: u32 = num(words, 1, "GiB to add, 1 to 131072")?;
                if g == 0 || g > 131_072 {
                    return Err(err(1, "GiB to add, 1 to 131072"));
                }
                (Action::Grow(g), 2)
            }
            "tier" => {
                let n = node(1)?;
                let t: u8 = num(words, 2, "a promotion tier, 0 to 15")?;
                if t > 15 {
                    return Err(err(2, "a promotion tier, 0 to 15"));
                }
                (Action::Tier { node: n, tier: t }, 3)
            }
            "custom-endpoint" => {
                let name = words
                    .get(1)
                    .filter(|w| w.len() <= 30 && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
                    .ok_or_else(|| err(1, "the endpoint's name (letters, digits, dashes)"))?;
                let mut members = Vec::new();
                for i in 2..words.len() {
                    members.push(node(i)?);
                }
                if members.is_empty() {
                    return Err(err(2, "at least one member instance"));
                }
                let used = words.len();
                (
                    Action::CustomEndpoint {
                        name: name.to_string(),
                        members,
                    },
                    used,
                )
            }
            "autoscaling" => {
                let target: u32 = num(words, 1, "a target average CPU in percent, 1 to 100")?;
                if target == 0 || target > 100 {
                    return Err(err(1, "a target average CPU in percent, 1 to 100"));
                }
                let min: u8 = num(words, 2, "the fewest replicas, 0 to 15")?;
                let max: u8 = num(words, 3, "the most replicas, 0 to 15")?;
                if min > max || max > 15 {
                    return Err(err(3, "the most replicas, at least the fewest and at most 15"));
                }
                (Action::AutoScaling { target, min, max }, 4)
            }
            _ => {
                return Err(err(
                    0,
                    "an action: crash, restart, slow, unslow, lose, fail-az, heal-az, cut-az, mend-az, failover, add-replica, load, cap, long-txn, add-region, switchover, global-failover, fail-region, heal-region, forward, delete-rows, snapshot, restore, backtrack, clone, grow, tier, custom-endpoint or autoscaling",
                ))
            }
        };
        if words.len() > used {
            return Err(err(used, "the end of the line"));
        }
        Ok(action)
    }

    /// The words a lesson file uses for it; [`Action::parse`] reads them back.
    pub fn words(&self) -> String {
        let z = |z: &u8| az_letter(*z);
        match self {
            Action::Crash(n) => format!("crash {}", n.words()),
            Action::Restart(n) => format!("restart {}", n.words()),
            Action::Slow(n) => format!("slow {}", n.words()),
            Action::Unslow(n) => format!("unslow {}", n.words()),
            Action::Lose(s) => format!("lose {s}"),
            Action::FailAz(a) => format!("fail-az {}", z(a)),
            Action::HealAz(a) => format!("heal-az {}", z(a)),
            Action::CutAz(a) => format!("cut-az {}", z(a)),
            Action::MendAz(a) => format!("mend-az {}", z(a)),
            Action::Failover => "failover".into(),
            Action::AddReplica(a) => format!("add-replica {}", z(a)),
            Action::Load { rate, read_pct } => format!("load {rate} {read_pct}"),
            Action::Cap { node, capacity } => {
                format!(
                    "cap {} {}",
                    node.words(),
                    control::encode_capacity(capacity)
                )
            }
            Action::LongTxn(s) => format!("long-txn {s}"),
            Action::AddRegion => "add-region".into(),
            Action::Switchover(r) => format!("switchover {r}"),
            Action::GlobalFailover(r) => format!("global-failover {r}"),
            Action::FailRegion(r) => format!("fail-region {r}"),
            Action::HealRegion(r) => format!("heal-region {r}"),
            Action::Forward(n) => format!("forward {n}"),
            Action::DeleteRows(t) => format!("delete-rows {t}"),
            Action::Snapshot => "snapshot".into(),
            Action::Restore(t) => format!("restore {t}"),
            Action::Backtrack(t) => format!("backtrack {t}"),
            Action::Clone(c) => format!("clone {c}"),
            Action::Grow(g) => format!("grow {g}"),
            Action::Tier { node, tier } => format!("tier {} {tier}", node.words()),
            Action::CustomEndpoint { name, members } => {
                let mut t = format!("custom-endpoint {name}");
                for m in members {
                    t.push(' ');
                    t.push_str(&m.words());
                }
                t
            }
            Action::AutoScaling { target, min, max } => {
                format!("autoscaling {target} {min} {max}")
            }
        }
    }

    /// Whether a student can do this with one of the page's controls (only those may be a
    /// "your turn").
    pub fn is_control(&self) -> bool {
        !matches!(
            self,
            Action::Grow(_)
                | Action::Tier { .. }
                | Action::CustomEndpoint { .. }
                | Action::AutoScaling { .. }
        )
    }

    /// The page's control this action is, with node references resolved in `sim` (the page
    /// compares it with what the student did). `None` for a setup-only action; an error for a
    /// node that is not there now.
    pub fn control(&self, sim: &Sim) -> Option<Result<Control, String>> {
        let n = |r: &NodeRef| {
            r.resolve(sim)
                .map(|id| format!("{}", sim.inspect().topology().node(id).name()))
                .ok_or_else(|| format!("there is no node {} in this cluster", r.words()))
        };
        Some(Ok(match self {
            Action::Crash(r) => return Some(n(r).map(Control::Crash)),
            Action::Restart(r) => return Some(n(r).map(Control::Restart)),
            Action::Slow(r) => return Some(n(r).map(Control::Slow)),
            Action::Unslow(r) => return Some(n(r).map(Control::Unslow)),
            Action::Cap { node, capacity } => {
                return Some(n(node).map(|node| Control::SetCapacity {
                    node,
                    capacity: *capacity,
                }))
            }
            Action::Lose(s) => Control::LoseSegment(*s),
            Action::FailAz(a) => Control::FailAz(*a),
            Action::HealAz(a) => Control::HealAz(*a),
            Action::CutAz(a) => Control::PartitionAz(*a),
            Action::MendAz(a) => Control::ReconnectAz(*a),
            Action::Failover => Control::Failover,
            Action::AddReplica(a) => Control::AddReplica(*a),
            Action::Load { rate, read_pct } => Control::SetLoad {
                rate: *rate,
                read_pct: *read_pct,
            },
            Action::LongTxn(s) => Control::LongTransaction(*s),
            Action::AddRegion => Control::AddRegion,
            Action::Switchover(r) => Control::Switchover(*r),
            Action::GlobalFailover(r) => Control::GlobalFailover(*r),
            Action::FailRegion(r) => Control::FailRegion(*r),
            Action::HealRegion(r) => Control::HealRegion(*r),
            Action::Forward(v) => Control::Forwarding(*v),
            Action::DeleteRows(t) => Control::DeleteRows(*t),
            Action::Snapshot => Control::Snapshot,
            Action::Restore(t) => Control::Restore(*t),
            Action::Backtrack(t) => Control::Backtrack(*t),
            Action::Clone(c) => Control::Clone(*c),
            Action::Grow(_)
            | Action::Tier { .. }
            | Action::CustomEndpoint { .. }
            | Action::AutoScaling { .. } => return None,
        }))
    }

    /// The action as a share link writes it, without its time (`fail-az.c`, `crash.az-a-1`,
    /// `load.3000-80`), with node references resolved in `sim`. `None` for setup-only actions,
    /// or a node that is not there.
    pub fn link_text(&self, sim: &Sim) -> Option<String> {
        self.control(sim)?.ok().map(|c| c.encode())
    }

    /// The control in words, for "Your turn: …" ("fail AZ c", "crash the writer, instance-1").
    pub fn describe(&self, sim: &Sim) -> String {
        let z = |z: &u8| az_letter(*z);
        match self {
            Action::Crash(r) => format!("crash {}", r.describe(sim)),
            Action::Restart(r) => format!("restart {}", r.describe(sim)),
            Action::Slow(r) => format!("slow {} down", r.describe(sim)),
            Action::Unslow(r) => format!("bring {} back to normal speed", r.describe(sim)),
            Action::Lose(s) => format!("fail the disk of segment {s}"),
            Action::FailAz(a) => format!("fail AZ {}", z(a)),
            Action::HealAz(a) => format!("heal AZ {}", z(a)),
            Action::CutAz(a) => format!("cut AZ {} off the network", z(a)),
            Action::MendAz(a) => format!("reconnect AZ {}", z(a)),
            Action::Failover => "ask for a failover".into(),
            Action::AddReplica(a) => format!("add a replica in AZ {}", z(a)),
            Action::Load { rate, read_pct } => {
                format!("set the load to {rate} requests/s, {read_pct}% reads")
            }
            Action::Cap { node, capacity } => {
                format!(
                    "set {}'s capacity to {}",
                    node.describe(sim),
                    control::encode_capacity(capacity)
                )
            }
            Action::LongTxn(s) => format!("hold a transaction open for {s} s"),
            Action::AddRegion => "add a secondary region".into(),
            Action::Switchover(r) => format!("switch over to region {r}"),
            Action::GlobalFailover(r) => format!("fail over globally to region {r}"),
            Action::FailRegion(r) => format!("fail region {r}"),
            Action::HealRegion(r) => format!("bring region {r} back"),
            Action::Forward(v) => format!("forward {v} writes/s from secondary regions"),
            Action::DeleteRows(t) => format!("run the faulty deployment, DELETE FROM {t}"),
            Action::Snapshot => "take a manual snapshot".into(),
            Action::Restore(t) => format!("restore the backup at {t} s into a new cluster"),
            Action::Backtrack(t) => format!("backtrack the cluster to {t} s"),
            Action::Clone(0) => "clone the production cluster".into(),
            Action::Clone(c) => format!("clone cluster {c}"),
            Action::Grow(g) => format!("load {g} GiB of data at once"),
            Action::Tier { node, tier } => {
                format!("give {} promotion tier {tier}", node.describe(sim))
            }
            Action::CustomEndpoint { name, .. } => format!("add the custom endpoint \"{name}\""),
            Action::AutoScaling { target, min, max } => {
                format!("turn on replica auto scaling at {target}% CPU, {min} to {max} replicas")
            }
        }
    }

    /// The core command this means in `sim` now, or why there is none: a control's command
    /// is the control's own, so a lesson's `fail-az c` does what the page's button does.
    pub fn command(&self, sim: &Sim) -> Result<Command, String> {
        if let Some(control) = self.control(sim) {
            return control?.command(sim);
        }
        let node = |r: &NodeRef| {
            r.resolve(sim)
                .ok_or_else(|| format!("there is no node {} in this cluster", r.words()))
        };
        Ok(match self {
            Action::Grow(g) => Command::GrowVolume {
                bytes: u64::from(*g) << 30,
            },
            Action::Tier { node: r, tier } => Command::SetTier {
                node: node(r)?,
                tier: *tier,
            },
            Action::CustomEndpoint { name, members } => Command::AddCustomEndpoint {
                name: name.clone(),
                members: members.iter().map(node).collect::<Result<_, _>>()?,
            },
            Action::AutoScaling { target, min, max } => Command::SetAutoScaling(Some(Policy {
                metric: Metric::Cpu,
                target: *target,
                min: *min,
                max: *max,
                scale_out_cooldown: COOLDOWN,
                scale_in_cooldown: COOLDOWN,
            })),
            _ => return Err(format!("{} is not a setup action", self.words())),
        })
    }
}
