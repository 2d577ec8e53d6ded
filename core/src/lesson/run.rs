//! Playing a lesson on a live [`Sim`], through the simulation's public surface only.
//!
//! The player does not own the simulation: the page keeps advancing its `Sim` as it always
//! does (`run_bounded` per frame, `drain_events` for its log) and hands the player what it
//! drained; the headless runner does the same in a loop ([`play`]). Call order:
//!
//! 1. [`LessonRun::start`] builds the scenario's `Sim` and enters step 1;
//! 2. a step with a prediction starts [`Phase::Asking`]: nothing of it has happened yet; the
//!    page keeps the clock still and shows the question until [`LessonRun::answer`];
//! 3. while the step is [`Phase::AwaitingStudent`], the page lets the student act and reports
//!    each action with [`LessonRun::student_did`] (the control they used);
//! 4. after every advance, [`LessonRun::observe`] the drained events, then [`LessonRun::update`],
//!    which returns [`Phase::Reached`] once the step's conditions hold (its prediction is then
//!    decided: [`LessonRun::decision`]) or [`Phase::TimedOut`] past its limit;
//! 5. [`LessonRun::next`] enters the next step. To open at step N (a link, or "back"), start
//!    again with [`LessonRun::open_at`], which plays the earlier steps headlessly.
//!
//! A `LessonRun` is small and `Clone`: keep one beside each checkpoint of the `Sim`.

use super::figure::{self, FigureId};
use super::model::{EndpointRef, Highlight, Lesson, Step};
use super::observed::Observed;
use super::prediction::Decision;
use crate::control::Control;
use crate::event::Event;
use crate::ids::NodeId;
use crate::sim::Sim;
use crate::time::{SimDuration, SimTime};
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Where the current step is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// The step's prediction is being asked: nothing of the step has happened yet (its actions
    /// wait), so the page keeps the clock still until [`LessonRun::answer`].
    Asking,
    /// Waiting for the student to use the step's control.
    AwaitingStudent,
    /// Watching the model for the step's conditions.
    Watching,
    /// The conditions held at this time; the step can go on.
    Reached { at: SimTime },
    /// The limit passed before the conditions held.
    TimedOut,
}

/// Why a lesson could not start or go on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LessonError {
    UnknownScenario(String),
    /// An action of step `step` (0-based; `None` for the setup) could not be applied.
    Action {
        step: Option<usize>,
        action: String,
        why: String,
    },
    /// There is no step `n` (0-based).
    NoSuchStep(usize),
    /// The step's conditions did not hold within its limit.
    TimedOut {
        step: usize,
    },
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LessonError::UnknownScenario(s) => write!(f, "there is no built-in scenario \"{s}\""),
            LessonError::Action { step, action, why } => match step {
                Some(s) => write!(
                    f,
                    "step {}: \"{action}\" could not be applied: {why}",
                    s + 1
                ),
                None => write!(f, "setup: \"{action}\" could not be applied: {why}"),
            },
            LessonError::NoSuchStep(n) => write!(f, "the lesson has no step {}", n + 1),
            LessonError::TimedOut { step } => write!(
                f,
                "step {}: the model did not reach the step's condition within its limit",
                step + 1
            ),
        }
    }
}

impl core::error::Error for LessonError {}

/// A highlight resolved against the running model: what to ring on the diagram, and the
/// sentence a screen reader says instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub highlight: Highlight,
    /// The node it means now, for node highlights.
    pub node: Option<NodeId>,
    pub label: String,
}

/// A lesson being played.
#[derive(Clone, Debug)]
pub struct LessonRun {
    lesson: Rc<Lesson>,
    step: usize,
    phase: Phase,
    observed: Observed,
    decision: Option<Decision>,
    /// The student's answer to the current step's prediction (`None`: skipped or not yet).
    answered: Option<usize>,
}

impl LessonRun {
    /// Builds the lesson's scenario with `seed` (or the lesson's own), schedules its setup
    /// actions and enters the first step.
    pub fn start(lesson: Rc<Lesson>, seed: Option<u64>) -> Result<(Sim, LessonRun), LessonError> {
        if lesson.steps.is_empty() {
            return Err(LessonError::NoSuchStep(0));
        }
        let setup = &lesson.setup;
        let scenario = crate::scenario::find(&setup.scenario)
            .ok_or_else(|| LessonError::UnknownScenario(setup.scenario.clone()))?;
        let seed = seed.unwrap_or(setup.seed);
        let replicas = setup.replicas;
        let mut sim = scenario.start_with(seed, |c| {
            if let Some(r) = replicas {
                c.replicas = c.replicas.max(r);
            }
        });
        sim.set_recording(true);
        for (at, action) in &setup.actions {
            let cmd = action.command(&sim).map_err(|why| LessonError::Action {
                step: None,
                action: action.words(),
                why,
            })?;
            sim.schedule(*at, cmd);
        }
        let mut run = LessonRun {
            lesson,
            step: 0,
            phase: Phase::Watching,
            observed: Observed::default(),
            decision: None,
            answered: None,
        };
        run.enter(&mut sim)?;
        Ok((sim, run))
    }

    /// Starts the lesson and plays steps before `step` (0-based) headlessly, doing each "your
    /// turn" for the student, so the returned pair stands at the start of `step`.
    pub fn open_at(
        lesson: Rc<Lesson>,
        seed: Option<u64>,
        step: usize,
    ) -> Result<(Sim, LessonRun), LessonError> {
        if step >= lesson.steps.len() {
            return Err(LessonError::NoSuchStep(step));
        }
        let (mut sim, mut run) = LessonRun::start(lesson, seed)?;
        while run.step < step {
            run.play_step(&mut sim)?;
            run.next(&mut sim)?;
        }
        Ok((sim, run))
    }

    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }
    /// The current step, 0-based.
    pub fn step_index(&self) -> usize {
        self.step
    }
    pub fn step(&self) -> &Step {
        &self.lesson.steps[self.step]
    }
    pub fn is_last(&self) -> bool {
        self.step + 1 >= self.lesson.steps.len()
    }
    pub fn phase(&self) -> Phase {
        self.phase
    }
    /// What the lesson has seen of the event stream.
    pub fn observed(&self) -> &Observed {
        &self.observed
    }
    /// The current step's prediction, decided once the step is reached.
    pub fn decision(&self) -> Option<&Decision> {
        self.decision.as_ref()
    }
    /// When the current step times out (its watch start plus its limit).
    pub fn deadline(&self) -> SimTime {
        self.observed.since + self.step().limit
    }

    fn enter(&mut self, sim: &mut Sim) -> Result<(), LessonError> {
        self.decision = None;
        self.answered = None;
        if self.step().prediction.is_some() {
            self.observed.start_watch(sim);
            self.phase = Phase::Asking;
            return Ok(());
        }
        self.begin(sim)
    }

    /// The student's answer (an index into the prediction's answers), or `None` to skip the
    /// question. The step's actions are applied now and its watch starts.
    pub fn answer(&mut self, sim: &mut Sim, choice: Option<usize>) -> Result<(), LessonError> {
        if self.phase != Phase::Asking {
            return Ok(());
        }
        let answers = self
            .step()
            .prediction
            .as_ref()
            .map_or(0, |p| p.answers.len());
        self.answered = choice.filter(|c| *c < answers);
        self.begin(sim)
    }

    /// The student's answer to the current prediction, if they gave one.
    pub fn answered(&self) -> Option<usize> {
        self.answered
    }

    /// Whether the student's answer was the model's, once decided.
    pub fn was_right(&self) -> Option<bool> {
        Some(self.answered? == self.decision.as_ref()?.right)
    }

    /// Applies the step's actions and starts its watch (or waits for the student's turn).
    fn begin(&mut self, sim: &mut Sim) -> Result<(), LessonError> {
        let lesson = Rc::clone(&self.lesson);
        let step = &lesson.steps[self.step];
        for action in &step.actions {
            let applied = action
                .command(sim)
                .and_then(|c| sim.apply(c).map_err(|e| format!("{e}")));
            applied.map_err(|why| LessonError::Action {
                step: Some(self.step),
                action: action.words(),
                why,
            })?;
        }
        self.observed.start_watch(sim);
        self.phase = if step.your_turn.is_some() {
            Phase::AwaitingStudent
        } else {
            Phase::Watching
        };
        Ok(())
    }

    /// Goes to the next step, applying its actions. Returns false at the last step.
    pub fn next(&mut self, sim: &mut Sim) -> Result<bool, LessonError> {
        if self.is_last() {
            return Ok(false);
        }
        self.step += 1;
        self.enter(sim)?;
        Ok(true)
    }

    /// The student used one of the page's controls. Returns true if it was what the step
    /// waited for; the watch starts then.
    pub fn student_did(&mut self, sim: &Sim, did: &Control) -> bool {
        if self.phase != Phase::AwaitingStudent {
            return false;
        }
        if self.awaited(sim).as_ref() != Some(did) {
            return false;
        }
        self.observed.start_watch(sim);
        self.phase = Phase::Watching;
        true
    }

    /// The control the step waits for, its nodes resolved now (`crash.instance-1`).
    pub fn awaited(&self, sim: &Sim) -> Option<Control> {
        self.step()
            .your_turn
            .as_ref()
            .and_then(|a| a.control(sim))
            .and_then(Result::ok)
    }

    /// Does the step's "your turn" for the student (the headless runner; a "show me" button).
    pub fn do_your_turn(&mut self, sim: &mut Sim) -> Result<(), LessonError> {
        let Some(action) = self.step().your_turn.clone() else {
            return Ok(());
        };
        if self.phase != Phase::AwaitingStudent {
            return Ok(());
        }
        let err = |why| LessonError::Action {
            step: Some(self.step),
            action: action.words(),
            why,
        };
        let control = action
            .control(sim)
            .ok_or_else(|| err("it is not one of the page's controls".into()))?
            .map_err(err)?;
        let cmd = control.command(sim).map_err(err)?;
        sim.apply(cmd).map_err(|e| err(format!("{e}")))?;
        self.student_did(sim, &control);
        Ok(())
    }

    /// Takes in events drained from `sim` since the last call.
    pub fn observe<'a>(
        &mut self,
        sim: &Sim,
        events: impl IntoIterator<Item = &'a (SimTime, Event)>,
    ) {
        for (at, ev) in events {
            self.observed.note(sim, *at, ev);
        }
    }

    /// Checks the step's conditions against the model now; decides the prediction when they
    /// first hold.
    pub fn update(&mut self, sim: &Sim) -> Phase {
        if self.phase != Phase::Watching {
            return self.phase;
        }
        let step = &self.lesson.steps[self.step];
        if step.until.iter().all(|c| c.holds(&self.observed, sim)) {
            let right = step
                .prediction
                .as_ref()
                .and_then(|p| p.decide(sim, &self.observed));
            self.decision = right.map(|right| Decision {
                right,
                at: sim.now(),
            });
            self.phase = Phase::Reached { at: sim.now() };
        } else if sim.now() > self.deadline() {
            self.phase = Phase::TimedOut;
        }
        self.phase
    }

    /// Plays the current step to its end headlessly: does the "your turn", then runs the model
    /// in short slices until the conditions hold or the limit passes.
    pub fn play_step(&mut self, sim: &mut Sim) -> Result<SimTime, LessonError> {
        self.answer(sim, None)?;
        self.do_your_turn(sim)?;
        let mut events = Vec::new();
        loop {
            match self.update(sim) {
                Phase::Reached { at } => return Ok(at),
                Phase::TimedOut => return Err(LessonError::TimedOut { step: self.step }),
                _ => {}
            }
            let to = (sim.now() + SLICE).min(self.deadline() + SLICE);
            sim.run_until(to);
            events.clear();
            events.extend(sim.drain_events());
            self.observe(sim, &events);
        }
    }

    /// The step's narration with its figures filled in from the model now.
    pub fn narration(&self, sim: &Sim) -> String {
        figure::fill(&self.step().narration, sim, &self.observed)
    }

    /// The prediction's question, filled in.
    pub fn question(&self, sim: &Sim) -> Option<String> {
        let p = self.step().prediction.as_ref()?;
        Some(figure::fill(&p.question, sim, &self.observed))
    }

    /// The explanation after a prediction, filled in (once decided).
    pub fn explanation(&self, sim: &Sim) -> Option<String> {
        self.decision.as_ref()?;
        let p = self.step().prediction.as_ref()?;
        Some(figure::fill(&p.explain, sim, &self.observed))
    }

    /// The lesson's closing challenge, filled in.
    pub fn challenge(&self, sim: &Sim) -> String {
        figure::fill(&self.lesson.challenge, sim, &self.observed)
    }

    /// A figure's text now, or `None` if it has no value yet.
    pub fn figure(&self, sim: &Sim, f: FigureId) -> Option<String> {
        f.text(sim, &self.observed)
    }

    /// The step's highlights, resolved against the model now.
    pub fn highlights(&self, sim: &Sim) -> Vec<Resolved> {
        self.step()
            .highlights
            .iter()
            .map(|h| {
                let (node, label) = match h {
                    Highlight::Az(z) => (None, format!("Availability Zone {}", (b'a' + z) as char)),
                    Highlight::Node(r) => (r.resolve(sim), r.describe(sim)),
                    Highlight::Segment(s) => (None, format!("segment {s}")),
                    Highlight::Pg(p) => (None, format!("protection group {p}")),
                    Highlight::Endpoint(EndpointRef::Cluster) => {
                        (None, "the cluster endpoint (writes)".into())
                    }
                    Highlight::Endpoint(EndpointRef::Reader) => {
                        (None, "the reader endpoint".into())
                    }
                    Highlight::Endpoint(EndpointRef::Custom(n)) => {
                        (None, format!("the custom endpoint \"{n}\""))
                    }
                    Highlight::Region(r) => (
                        None,
                        format!(
                            "region {}",
                            crate::global::REGION_NAMES
                                .get(usize::from(*r))
                                .copied()
                                .unwrap_or("?")
                        ),
                    ),
                    Highlight::Panel(p) => (None, p.label().into()),
                    // While the step asks its question, a figure is named without its value:
                    // the value may be the answer, and the student predicts before seeing it.
                    Highlight::Figure(f) if self.phase == Phase::Asking => (None, f.label()),
                    Highlight::Figure(f) => (
                        None,
                        format!(
                            "{}: {}",
                            f.label(),
                            f.text(sim, &self.observed).unwrap_or_else(|| "…".into())
                        ),
                    ),
                };
                Resolved {
                    highlight: h.clone(),
                    node,
                    label,
                }
            })
            .collect()
    }
}

/// How much simulated time the headless player runs between checks of a step's conditions.
/// [sim default — not sourced]
pub const SLICE: SimDuration = SimDuration::from_millis(50);
