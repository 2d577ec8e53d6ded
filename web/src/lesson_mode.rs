//! A lesson being followed on the page: the core's [`LessonRun`] beside the page's run, the
//! student's answer, free play forked from a step, and the cards the panel draws.
//!
//! The core decides everything about the lesson (conditions, figures, which answer is right);
//! this module hands it the events the page drained and turns what it says into a
//! [`StepCard`]. Lesson steps apply their actions to the simulation directly, so while a lesson
//! is followed the page does not rewind along the timeline: Back goes to the start of the
//! previous step instead, kept (or replayed headlessly) by the core.

use std::rc::Rc;

use aurora_core::control::Control;
use aurora_core::lesson::{self, Highlight, Lesson, LessonRun, Phase};
use aurora_core::scenario::{self, Scenario};
use aurora_core::Sim;

use crate::lesson::{Entry, PredictionCard, Progress, StepCard};
use crate::playback::Playback;
use crate::shared::Shared;

/// Wall-clock ms a step may watch at the chosen speed before the clock starts racing.
pub const RACE_AFTER_MS: f64 = 2_500.0;
/// Wall-clock ms between two doublings of the racing speed.
pub const RACE_DOUBLING_MS: f64 = 1_000.0;
/// The most a racing clock multiplies the chosen speed by.
pub const RACE_MAX: f64 = 4_096.0;

/// The built-in lessons as the picker lists them, from the core's catalog (known without the
/// lessons' texts, which the page fetches when one is opened).
pub fn catalog(record: &crate::lesson::Record) -> Vec<Entry> {
    lesson::CATALOG
        .iter()
        .map(|l| Entry {
            name: l.name.into(),
            title: l.title.into(),
            summary: l.summary.into(),
            minutes: l.minutes,
            steps: l.steps,
            done: record.done(l.name),
        })
        .collect()
}

/// A built-in lesson's title by its name.
pub fn title_of(name: &str) -> Option<String> {
    lesson::listing(name).map(|l| l.title.into())
}

/// A lesson being followed.
#[derive(Clone)]
pub struct Guide {
    pub lesson: Rc<Lesson>,
    /// The lesson file's path, for a lesson loaded from one.
    pub file: Option<String>,
    /// The seed the link asked for instead of the lesson's.
    pub seed: Option<u64>,
    pub run: LessonRun,
    /// The simulation and the player at the start of each step reached, for Back.
    starts: Vec<Option<(Sim, LessonRun)>>,
    /// In free play ("Try it yourself"): the lesson's run and player, as they were.
    pub away: Option<(Shared<Playback>, LessonRun)>,
    /// Wall-clock ms when the current watch began (for the racing clock).
    pub watch_wall: Option<f64>,
    /// Why the step cannot go on (an action that could not be applied).
    pub problem: Option<String>,
}

fn scenario_of(lesson: &Lesson) -> Result<&'static Scenario, String> {
    scenario::find(&lesson.setup.scenario).ok_or_else(|| {
        format!(
            "the lesson starts from the scenario \"{}\", which the playground does not have",
            lesson.setup.scenario
        )
    })
}

impl Guide {
    /// Opens `lesson` at `step` (0-based, clamped to its steps): the core plays the steps before
    /// it headlessly. Returns the guide and the run for the page to play.
    pub fn open(
        lesson: Rc<Lesson>,
        file: Option<String>,
        seed: Option<u64>,
        step: usize,
    ) -> Result<(Guide, Playback), String> {
        let scenario = scenario_of(&lesson)?;
        let step = step.min(lesson.steps.len().saturating_sub(1));
        let (sim, run) =
            LessonRun::open_at(Rc::clone(&lesson), seed, step).map_err(|e| e.to_string())?;
        let mut starts = vec![None; lesson.steps.len()];
        if let Some(slot) = starts.get_mut(step) {
            *slot = Some((sim.clone(), run.clone()));
        }
        let mut pb = Playback::from_sim(
            scenario,
            seed.unwrap_or(lesson.setup.seed),
            lesson.setup.replicas,
            sim,
        );
        pb.tap = Some(Vec::new());
        Ok((
            Guide {
                lesson,
                file,
                seed,
                run,
                starts,
                away: None,
                watch_wall: None,
                problem: None,
            },
            pb,
        ))
    }

    pub fn trying(&self) -> bool {
        self.away.is_some()
    }

    pub fn index(&self) -> usize {
        self.run.step_index()
    }

    pub fn count(&self) -> usize {
        self.lesson.steps.len()
    }

    /// The step has a question the student has not answered yet: nothing of the step has
    /// happened, and the model waits for the answer.
    pub fn needs_answer(&self) -> bool {
        self.run.phase() == Phase::Asking
    }

    /// The student answers the step's question: the core then applies the step's actions and
    /// starts watching, so the answer is given before the model shows anything.
    pub fn answer(
        &mut self,
        pb: &mut Playback,
        choice: usize,
        speed: f64,
        wall: f64,
    ) -> Result<(), String> {
        let mut run = self.run.clone();
        pb.drive(speed, wall, |sim| run.answer(sim, Some(choice)))
            .map_err(|e| e.to_string())?;
        self.run = run;
        Ok(())
    }

    /// Whether the model may move on its own now (not waiting for an answer, not reached).
    pub fn holds_the_clock(&self) -> bool {
        self.needs_answer()
    }

    /// Hands the core the events the page drained since the last call and asks where the step
    /// is. The clock is not the page's to judge: the core says when the step is reached.
    pub fn tick(&mut self, pb: &mut Playback) -> Phase {
        let events = pb.tap.as_mut().map(std::mem::take).unwrap_or_default();
        self.run.observe(pb.sim(), &events);
        self.run.update(pb.sim())
    }

    /// The student used `control`. True if it was the step's turn.
    pub fn student_did(&mut self, sim: &Sim, control: &Control) -> bool {
        self.run.student_did(sim, control)
    }

    /// What the step waits for the student to do.
    pub fn awaited(&self, sim: &Sim) -> Option<Control> {
        (self.run.phase() == Phase::AwaitingStudent)
            .then(|| self.run.awaited(sim))
            .flatten()
    }

    /// Goes to the next step: its actions are applied to the run now.
    pub fn next(&mut self, pb: &mut Playback, speed: f64, wall: f64) -> Result<bool, String> {
        let mut run = self.run.clone();
        // What the step's actions emit is tapped and goes to the new step's watch, as in the
        // core's headless play.
        let moved = pb
            .drive(speed, wall, |sim| run.next(sim))
            .map_err(|e| e.to_string())?;
        self.run = run;
        if moved {
            self.entered(pb);
        }
        Ok(moved)
    }

    fn entered(&mut self, pb: &Playback) {
        self.watch_wall = None;
        self.problem = None;
        let i = self.index();
        if let Some(slot) = self.starts.get_mut(i) {
            *slot = Some((pb.sim().clone(), self.run.clone()));
        }
    }

    /// The run at the start of step `index`: kept from when it was reached, or replayed by the
    /// core from the lesson's start.
    pub fn start_of(&mut self, index: usize) -> Result<Playback, String> {
        let (sim, run) = match self.starts.get(index).cloned().flatten() {
            Some(kept) => kept,
            None => LessonRun::open_at(Rc::clone(&self.lesson), self.seed, index)
                .map_err(|e| e.to_string())?,
        };
        if let Some(slot) = self.starts.get_mut(index) {
            *slot = Some((sim.clone(), run.clone()));
        }
        let scenario = scenario_of(&self.lesson)?;
        let mut pb = Playback::from_sim(
            scenario,
            self.seed.unwrap_or(self.lesson.setup.seed),
            self.lesson.setup.replicas,
            sim,
        );
        pb.tap = Some(Vec::new());
        self.run = run;
        self.watch_wall = None;
        self.problem = None;
        Ok(pb)
    }

    /// The wall-clock multiplier of the chosen speed while the step watches: 1 at first, then
    /// doubling every second, so a long wait (a repair, a scale-down) passes with the clock
    /// visibly racing. Presentation only: the model runs the same at any speed.
    pub fn race(&mut self, wall: f64) -> f64 {
        if self.trying() || self.run.phase() != Phase::Watching || self.needs_answer() {
            self.watch_wall = None;
            return 1.0;
        }
        let since = *self.watch_wall.get_or_insert(wall);
        race_factor(wall - since)
    }

    /// What the panel shows now.
    pub fn card(&self, pb: &Playback, next_lesson: Option<(String, String)>) -> StepCard {
        let sim = pb.sim();
        let run = &self.run;
        let step = run.step();
        // A figure's label is its one-line description, which ends with a full stop.
        let highlights = run
            .highlights(sim)
            .into_iter()
            .map(|h| h.label.replace(".: ", ": "))
            .collect();
        let phase = run.phase();
        let progress = match (&self.problem, phase) {
            (Some(why), _) => Progress::Stuck(why.clone()),
            (None, Phase::Asking) => Progress::Answer,
            (None, Phase::AwaitingStudent) => Progress::YourTurn,
            (None, Phase::Watching) => Progress::Watching(watching(sim, run)),
            (None, Phase::Reached { .. }) => Progress::Reached,
            (None, Phase::TimedOut) => Progress::Stuck(format!(
                "The model did not get there within this step's {} of simulated time. Try Back, or Try it yourself.",
                crate::format::duration(step.limit)
            )),
        };
        let prediction = step.prediction.as_ref().map(|p| PredictionCard {
            question: run.question(sim).unwrap_or_else(|| p.question.clone()),
            answers: p.answers.iter().map(|a| a.text.clone()).collect(),
            chosen: run.answered(),
            right: run.decision().map(|d| d.right),
            explanation: run.explanation(sim),
        });
        let last = run.is_last();
        StepCard {
            lesson: self.lesson.name.clone(),
            lesson_title: self.lesson.title.clone(),
            index: run.step_index(),
            count: self.count(),
            title: step.title.clone(),
            narration: run.narration(sim),
            sources: step.sources.clone(),
            highlights,
            your_turn: step
                .your_turn
                .as_ref()
                .map(|a| (a.describe(sim), crate::lesson::Turn::in_phase(phase))),
            progress,
            prediction,
            challenge: last.then(|| run.challenge(sim)),
            next_lesson: if last { next_lesson } else { None },
            trying: self.trying(),
        }
    }

    /// The step's highlights as the core resolved them.
    pub fn highlights(&self, sim: &Sim) -> Vec<(Highlight, Option<aurora_core::ids::NodeId>)> {
        self.run
            .highlights(sim)
            .into_iter()
            .map(|r| (r.highlight, r.node))
            .collect()
    }
}

/// The racing multiplier after `watched_ms` of wall-clock watching.
pub fn race_factor(watched_ms: f64) -> f64 {
    if watched_ms.is_nan() || watched_ms <= RACE_AFTER_MS {
        return 1.0;
    }
    let doublings = ((watched_ms - RACE_AFTER_MS) / RACE_DOUBLING_MS).floor() + 1.0;
    2f64.powf(doublings.min(RACE_MAX.log2())).min(RACE_MAX)
}

/// How long the step may still watch, in words: the simulated time left before its limit.
fn watching(sim: &Sim, run: &LessonRun) -> String {
    let left = run.deadline().since(sim.now().min(run.deadline()));
    format!(
        "this step allows up to {} more of simulated time",
        crate::format::duration(left)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_races_only_after_a_while_and_not_without_bound() {
        assert_eq!(race_factor(0.0), 1.0);
        assert_eq!(race_factor(RACE_AFTER_MS), 1.0);
        assert_eq!(race_factor(RACE_AFTER_MS + 1.0), 2.0);
        assert_eq!(race_factor(RACE_AFTER_MS + RACE_DOUBLING_MS + 1.0), 4.0);
        assert_eq!(race_factor(1e9), RACE_MAX);
        assert_eq!(race_factor(f64::NAN), 1.0);
    }

    /// A step that asks before its "your turn" says the turn comes after the answer, then
    /// that it is the student's, then that it is done: never "done" before anything happened.
    #[test]
    fn a_turn_after_a_question_is_pending_until_answered_and_done() {
        let Some(Ok(lesson)) = aurora_core::lesson::load("log-is-the-database") else {
            panic!("the lesson loads");
        };
        let lesson = Rc::new(lesson);
        let step = lesson
            .steps
            .iter()
            .position(|s| s.your_turn.is_some() && s.prediction.is_some())
            .expect("a step that asks, then waits for the student");
        let (mut guide, mut pb) = Guide::open(lesson, None, None, step).expect("opens");
        let turn = |g: &Guide, pb: &Playback| g.card(pb, None).your_turn.map(|t| t.1);
        assert_eq!(turn(&guide, &pb), Some(crate::lesson::Turn::AfterAnswer));
        guide.answer(&mut pb, 0, 1.0, 0.0).expect("answers");
        assert_eq!(turn(&guide, &pb), Some(crate::lesson::Turn::Now));
        let control = guide
            .awaited(pb.sim())
            .expect("the step waits for a control");
        assert!(guide.student_did(pb.sim(), &control));
        assert_eq!(turn(&guide, &pb), Some(crate::lesson::Turn::Done));
        assert!(crate::lesson::Turn::AfterAnswer
            .sentence("set the load")
            .starts_with("After you answer"));
    }
}
