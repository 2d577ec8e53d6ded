//! What a lesson does to the cluster: the page's own controls (the same verbs a share link's
//! `actions` use, so the page can tell when a student did what a "your turn" step asks), and a
//! few setup actions only a lesson uses.
//!
//! An action names parts as a person would (`fail-az c`, `crash writer`, `crash pg0@a`); it
//! becomes a core [`Command`] only when applied, against the simulation as it is then.

use crate::autoscaling::{Metric, Policy, COOLDOWN};
use crate::command::Command;
use crate::compute::instance::Role;
use crate::control::{self, Control, ParseError};
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
    // ----- the page's controls -----
    /// A control whose arguments the lesson's words fix (`fail-az c` is the link's
    /// `fail-az.c`, `load 3000 80` its `load.3000-80`).
    Control(Control),
    /// The controls that name a node: a lesson names it as a person would (`crash writer`),
    /// and the name is resolved when the action is applied.
    Crash(NodeRef),
    Restart(NodeRef),
    Slow(NodeRef),
    Unslow(NodeRef),
    /// Make an instance provisioned or serverless (the link's capacity text: `prov`,
    /// `v2-1-128` in half-ACUs, `v2-0-32-p300`, `v1-1-64`, `v1-1-64-pause-force`).
    Cap {
        node: NodeRef,
        capacity: Capacity,
    },
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

/// The verbs of the setup actions, which only a lesson uses. A lesson also knows every verb of
/// the page's controls ([`control::VERBS`]).
pub const SETUP_VERBS: &[&str] = &["grow", "tier", "custom-endpoint", "autoscaling"];

/// Every verb a lesson's action may start with: the page's controls, then the setup actions.
pub fn verbs() -> impl Iterator<Item = &'static str> {
    control::VERBS.iter().chain(SETUP_VERBS).copied()
}

/// What an unknown verb is told, with every verb listed.
fn expected_verb() -> String {
    let mut t = String::from("an action: ");
    for (i, v) in verbs().enumerate() {
        if i > 0 {
            t.push_str(", ");
        }
        t.push_str(v);
    }
    t
}

/// Reads a node-free control from a lesson's words: the verb, then its arguments, which the
/// link's text joins with `.` and `-` (`load 3000 80` is `load.3000-80`). An error names the
/// word it is in.
fn control_from_words(words: &[&str]) -> Result<Control, ActionError> {
    if !words.first().is_some_and(|v| control::VERBS.contains(v)) {
        return Err(err(0, &expected_verb()));
    }
    if let Some(i) = words
        .iter()
        .skip(1)
        .position(|w| w.contains('-') || w.contains('.'))
    {
        return Err(err(i + 1, "one argument a word, without - or ."));
    }
    let (text, starts) = link_text_of(words);
    Control::parse(&text).map_err(|e| {
        // Words beyond what the control takes are the likeliest mistake: say so.
        if let Some(n) = (1..words.len())
            .rev()
            .find(|&n| Control::parse(&link_text_of(&words[..n]).0).is_ok())
        {
            return err(n, "the end of the line");
        }
        // A missing argument is found past the text's end: it is the word after the last.
        let word = if e.at() >= text.len() {
            words.len()
        } else {
            starts.iter().rposition(|&s| s <= e.at()).unwrap_or(0)
        };
        match e {
            ParseError::Argument { expected, .. } => err(word, &expected),
            ParseError::Verb | ParseError::Shape | ParseError::Time => err(word, &expected_verb()),
        }
    })
}

/// The link's text for a lesson's words, and where each word starts in it.
fn link_text_of(words: &[&str]) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        match i {
            0 => {}
            1 => text.push('.'),
            _ => text.push('-'),
        }
        starts.push(text.len());
        text.push_str(w);
    }
    (text, starts)
}

/// A control's words in a lesson: the link's text split at its `.` and `-` after the verb.
fn words_of(c: &Control) -> String {
    let text = c.encode();
    match text.split_once('.') {
        Some((verb, args)) => format!("{verb} {}", args.replace('-', " ")),
        None => text,
    }
}

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
        let (action, used) = match verb {
            "crash" => (Action::Crash(node(1)?), 2),
            "restart" => (Action::Restart(node(1)?), 2),
            "slow" => (Action::Slow(node(1)?), 2),
            "unslow" => (Action::Unslow(node(1)?), 2),
            "cap" => {
                let n = node(1)?;
                let capacity = words
                    .get(2)
                    .and_then(|w| control::decode_capacity(w))
                    .ok_or_else(|| err(2, control::CAPACITY_EXPECTED))?;
                (Action::Cap { node: n, capacity }, 3)
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
                    .filter(|w| {
                        w.len() <= 30 && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    })
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
                    return Err(err(
                        3,
                        "the most replicas, at least the fewest and at most 15",
                    ));
                }
                (Action::AutoScaling { target, min, max }, 4)
            }
            _ => return control_from_words(words).map(Action::Control),
        };
        if words.len() > used {
            return Err(err(used, "the end of the line"));
        }
        Ok(action)
    }

    /// The words a lesson file uses for it; [`Action::parse`] reads them back.
    pub fn words(&self) -> String {
        match self {
            Action::Crash(n) => format!("crash {}", n.words()),
            Action::Restart(n) => format!("restart {}", n.words()),
            Action::Slow(n) => format!("slow {}", n.words()),
            Action::Unslow(n) => format!("unslow {}", n.words()),
            Action::Cap { node, capacity } => {
                format!(
                    "cap {} {}",
                    node.words(),
                    control::encode_capacity(capacity)
                )
            }
            Action::Control(c) => words_of(c),
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
            Action::Control(c) => c.clone(),
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
        match self {
            Action::Crash(r) => format!("crash {}", r.describe(sim)),
            Action::Restart(r) => format!("restart {}", r.describe(sim)),
            Action::Slow(r) => format!("slow down {}", r.describe(sim)),
            Action::Unslow(r) => format!("bring {} back to normal speed", r.describe(sim)),
            Action::Cap { node, capacity } => {
                format!(
                    "make {} {}",
                    node.describe(sim),
                    control::capacity_words(capacity)
                )
            }
            Action::Control(c) => c.instruction(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Action, ActionError> {
        let words: Vec<&str> = line.split_whitespace().collect();
        Action::parse(&words)
    }

    /// A lesson can do whatever the page's controls do: every control (those naming a node by
    /// its diagram name too) is a lesson action whose words read back to it.
    #[test]
    fn every_control_is_a_lesson_action_in_words() {
        let sim = crate::scenario::find("replicas")
            .map(|s| s.start(1))
            .expect("the replicas scenario exists");
        for c in control::tests::all_kinds() {
            let node_in_cluster = match &c {
                Control::Crash(n)
                | Control::Restart(n)
                | Control::Slow(n)
                | Control::Unslow(n)
                | Control::SetCapacity { node: n, .. } => sim.node_named(n).is_some(),
                _ => true,
            };
            if !node_in_cluster {
                continue;
            }
            let text = c.encode();
            let (verb, args) = text.split_once('.').unwrap_or((&text, ""));
            let line = match &c {
                // A node's name and a capacity keep their dashes: each is one word.
                Control::SetCapacity { node, capacity } => {
                    format!("cap {node} {}", control::encode_capacity(capacity))
                }
                Control::Crash(n) | Control::Restart(n) | Control::Slow(n) | Control::Unslow(n) => {
                    format!("{verb} {n}")
                }
                _ if args.is_empty() => verb.to_string(),
                _ => format!("{verb} {}", args.replace(['-', '.'], " ")),
            };
            let a = parse(&line).unwrap_or_else(|e| panic!("{line}: {e:?}"));
            assert_eq!(a.words(), line);
            assert_eq!(a.control(&sim), Some(Ok(c.clone())), "{line}");
            assert!(a.is_control(), "{line}");
        }
        for v in control::VERBS {
            assert!(verbs().any(|l| l == *v), "{v}");
        }
    }

    /// An error names the word it is in, and what belongs there.
    #[test]
    fn bad_words_name_the_word_and_what_was_expected() {
        let at = |line: &str| parse(line).map(|_| ()).map_err(|e| (e.word, e.expected));
        let expected = |line: &str| at(line).map_err(|(_, e)| e).expect_err(line);
        assert_eq!(at("fail-az d").map_err(|e| e.0), Err(1));
        assert_eq!(expected("fail-az d"), "an AZ: a, b or c");
        assert_eq!(at("load 3000 101").map_err(|e| e.0), Err(2));
        assert_eq!(at("load 3000").map_err(|e| e.0), Err(2));
        assert_eq!(at("load 3000 80 5"), Err((3, "the end of the line".into())));
        assert_eq!(at("snapshot now"), Err((1, "the end of the line".into())));
        assert_eq!(
            at("load 3000-80"),
            Err((1, "one argument a word, without - or .".into()))
        );
        assert_eq!(at("cluster-writes 1 99999").map_err(|e| e.0), Err(2));
        assert_eq!(at("long-txn 0").map_err(|e| e.0), Err(1));
        assert_eq!(at("retention 7"), Ok(()));
        assert_eq!(at("consistency global"), Ok(()));
        let unknown = expected("explode az-a-1");
        assert!(unknown.starts_with("an action: crash"), "{unknown}");
        assert!(unknown.ends_with("autoscaling"), "{unknown}");
        assert_eq!(at("explode").map_err(|e| e.0), Err(0));
    }
}
