//! When a step goes on, and what decides a prediction: tests on the model's events and live
//! figures, judged against what the lesson has seen (`super::observed`).

use super::figure::{FigureId, Value};
use super::observed::{EventKind, Observed};
use crate::sim::Sim;
use crate::time::{SimDuration, SimTime};

/// A comparison of a figure with a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Lt,
    Le,
    Eq,
    Ge,
    Gt,
}

impl Cmp {
    pub fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Eq => "=",
            Cmp::Ge => ">=",
            Cmp::Gt => ">",
        }
    }
    pub fn from_symbol(s: &str) -> Option<Cmp> {
        Some(match s {
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            "=" => Cmp::Eq,
            ">=" => Cmp::Ge,
            ">" => Cmp::Gt,
            _ => return None,
        })
    }
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Eq => a == b,
            Cmp::Ge => a >= b,
            Cmp::Gt => a > b,
        }
    }
}

/// Something that becomes true as the model runs.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// The simulated clock reached this time (`time 12s`).
    At(SimTime),
    /// This long since the step's watch started (`wait 5s`).
    Wait(SimDuration),
    /// An event of this kind happened since the watch started (`seen repair-finished`).
    Seen(EventKind),
    /// A live figure compares so with a number (`figure writer_acu >= 8`). A figure with no
    /// value yet does not hold.
    Figure {
        figure: FigureId,
        cmp: Cmp,
        value: f64,
    },
    /// VDL reached the highest LSN the writer had allocated when the watch started: every
    /// commit made before then is durable (`vdl-passed-commit`).
    VdlPassedCommit,
}

/// A condition, or its negation, in a prediction's case (`not seen write-quorum-lost`).
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    pub negate: bool,
    pub condition: Condition,
}

impl Condition {
    /// Whether it holds now, given what the lesson has `seen`.
    pub fn holds(&self, seen: &Observed, sim: &Sim) -> bool {
        match self {
            Condition::At(t) => sim.now() >= *t,
            Condition::Wait(d) => sim.now() >= seen.since + *d,
            Condition::Seen(k) => seen.seen(*k),
            Condition::Figure { figure, cmp, value } => match figure.value(sim, seen) {
                Some(Value::Num(v)) => cmp.holds(v, *value),
                _ => false,
            },
            Condition::VdlPassedCommit => sim.view().writer.vdl >= seen.lsn_at_start,
        }
    }
}

impl Test {
    /// Whether the test (a condition or its negation) holds now.
    pub fn passes(&self, seen: &Observed, sim: &Sim) -> bool {
        self.condition.holds(seen, sim) != self.negate
    }
}
