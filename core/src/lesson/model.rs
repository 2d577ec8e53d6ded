//! What a lesson is, as data: the types the parser builds, the player runs and the page draws.
//!
//! A lesson is a scenario to start from and an ordered list of steps. Each step says one thing
//! (its narration, with `{figure}` placeholders filled from the live model), points at parts of
//! the diagram (highlights), may change the cluster (actions, or a "your turn" the student must
//! do), goes on when a condition on the model holds, and may ask a prediction first whose right
//! answer the model decides. Nothing here runs anything: see [`super::run`].

use super::action::{Action, NodeRef};
use super::condition::{Condition, Test};
use super::figure::FigureId;
use crate::time::{SimDuration, SimTime};
use alloc::string::String;
use alloc::vec::Vec;

/// How long a step may take in simulated time unless its file says otherwise (`limit`): long
/// enough for a repair, a failover or a Serverless scale-up, short enough that a condition the
/// model never reaches is reported instead of waited on for ever. [sim default — not sourced]
pub const DEFAULT_STEP_LIMIT: SimDuration = SimDuration::from_mins(10);

/// The longest limit a step may ask for: one simulated day. [sim default — not sourced]
pub const MAX_STEP_LIMIT: SimDuration = SimDuration::from_hours(24);

/// One lesson.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// Short name used in links (`?lesson=NAME`) and by the runner (`--lesson NAME`):
    /// lowercase letters, digits and dashes.
    pub name: String,
    pub title: String,
    /// One line for the lesson picker.
    pub summary: String,
    /// About how long it takes a student, in minutes (the picker shows it).
    pub minutes: u32,
    pub setup: Setup,
    pub steps: Vec<Step>,
    /// The open question the lesson ends with, which the playground can answer in free play.
    pub challenge: String,
    /// The lesson to suggest next, by name.
    pub next: Option<String>,
}

/// Where a lesson starts: a built-in scenario, its seed and starting configuration, and actions
/// at fixed simulated times (as a share link's `actions` carry them).
#[derive(Clone, Debug, PartialEq)]
pub struct Setup {
    /// A built-in scenario's name ([`crate::scenario::find`]).
    pub scenario: String,
    /// The seed the page uses; the runner's `--seed` replaces it.
    pub seed: u64,
    /// Start with at least this many read replicas (the link's `replicas=N`).
    pub replicas: Option<u8>,
    /// Actions scheduled at simulated times when the lesson starts.
    pub actions: Vec<(SimTime, Action)>,
}

/// One step: one idea.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// A few words for the step list ("Four of six to write").
    pub title: String,
    /// Plain sentences; `{name}` is replaced by a live figure ([`FigureId`]), `{{` and `}}` by
    /// braces.
    pub narration: String,
    /// Where the claim comes from, as the reference tags it: "P17 §2.1", "UG:High availability".
    pub sources: Vec<String>,
    /// What to draw attention to, in order.
    pub highlights: Vec<Highlight>,
    /// Applied when the step starts.
    pub actions: Vec<Action>,
    /// The control the student must use before the step can go on.
    pub your_turn: Option<Action>,
    /// The step goes on when every one of these holds (none: at once, or once the student has
    /// acted). Time and events are counted from when the step's watch starts: after its actions,
    /// and after the student's action if it has one.
    pub until: Vec<Condition>,
    /// The most simulated time the conditions may take (from the watch's start).
    pub limit: SimDuration,
    /// A question asked before the model shows what happens.
    pub prediction: Option<Prediction>,
}

/// A question whose right answer the model decides.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    pub question: String,
    /// Two to four answers.
    pub answers: Vec<Answer>,
    /// Tried in order when the step's condition is reached; the first whose tests all hold
    /// names the right answer.
    pub cases: Vec<Case>,
    /// The right answer if no case matched.
    pub otherwise: Option<usize>,
    /// Shown after the answer, with `{figure}` placeholders like the narration.
    pub explain: String,
}

/// One possible answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The key cases refer to (`yes`, `a`, `reads-only`).
    pub key: String,
    pub text: String,
}

/// "When these tests hold, the right answer is `answer`".
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub tests: Vec<Test>,
    /// Index into [`Prediction::answers`].
    pub answer: usize,
}

/// A part of the page to draw attention to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Highlight {
    /// An Availability Zone, 0 = a.
    Az(u8),
    /// A node, by name or role.
    Node(NodeRef),
    /// A segment, by number.
    Segment(u32),
    /// A protection group, by number.
    Pg(u32),
    Endpoint(EndpointRef),
    /// A region of a global database, 0 = the first primary.
    Region(u8),
    Panel(Panel),
    /// A live figure, where the page shows it.
    Figure(FigureId),
}

/// An endpoint as a lesson names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointRef {
    Cluster,
    Reader,
    /// A custom endpoint by its name.
    Custom(String),
}

/// The page's panels a step can point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Panel {
    /// The playback bar: play, pause, speed, the clock.
    Playback,
    /// Fault controls.
    Faults,
    /// The inspector of the selected part.
    Inspector,
    /// Failover phases.
    Failover,
    /// Commit latency, throughput, replica lag, I/Os, the invariant checker.
    Measurements,
    /// Capacity and cost: ACU gauge and chart, cost meter.
    Capacity,
    /// The world view of a global database's regions.
    World,
    /// Scenario, seed and configuration.
    Setup,
    /// The event log in words.
    EventLog,
    /// Backups: the restorable window, snapshots, Backtrack, restored and cloned clusters.
    Backups,
    /// The Compare view of the comparison scenarios: mirrored MySQL's write path beside
    /// Aurora's, and the table of I/Os per transaction.
    Compare,
}

impl Panel {
    pub const ALL: [Panel; 11] = [
        Panel::Playback,
        Panel::Faults,
        Panel::Inspector,
        Panel::Failover,
        Panel::Measurements,
        Panel::Capacity,
        Panel::World,
        Panel::Setup,
        Panel::EventLog,
        Panel::Backups,
        Panel::Compare,
    ];

    /// The word lesson files use.
    pub fn name(self) -> &'static str {
        match self {
            Panel::Playback => "playback",
            Panel::Faults => "faults",
            Panel::Inspector => "inspector",
            Panel::Failover => "failover",
            Panel::Measurements => "measurements",
            Panel::Capacity => "capacity",
            Panel::World => "world",
            Panel::Setup => "setup",
            Panel::EventLog => "event-log",
            Panel::Backups => "backups",
            Panel::Compare => "compare",
        }
    }

    /// The panel's name in words, for screen readers.
    pub fn label(self) -> &'static str {
        match self {
            Panel::Playback => "the playback bar",
            Panel::Faults => "the fault controls",
            Panel::Inspector => "the inspector",
            Panel::Failover => "the failover panel",
            Panel::Measurements => "the measurements panel",
            Panel::Capacity => "the capacity and cost panel",
            Panel::World => "the world view of regions",
            Panel::Setup => "the setup panel",
            Panel::EventLog => "the event log",
            Panel::Backups => "the backups panel",
            Panel::Compare => "the Compare view",
        }
    }

    pub fn from_name(s: &str) -> Option<Panel> {
        Panel::ALL.into_iter().find(|p| p.name() == s)
    }
}

impl Lesson {
    /// Every live figure the lesson's texts name, in order of first use.
    pub fn figures_used(&self) -> Vec<FigureId> {
        let mut out = Vec::new();
        let mut add = |text: &str| {
            for f in super::figure::placeholders(text).flatten() {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        };
        for s in &self.steps {
            add(&s.narration);
            if let Some(p) = &s.prediction {
                add(&p.question);
                add(&p.explain);
            }
        }
        add(&self.challenge);
        out
    }
}
