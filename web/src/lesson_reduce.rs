//! The reducer's lesson half: what a lesson action does to the page's state, how the frame loop
//! feeds a followed lesson, and which of the page's own actions a lesson holds back.
//!
//! While a lesson is followed, the run belongs to it: only the step's own "your turn" is taken
//! from the controls (anything else waits for "Try it yourself"), the timeline does not rewind
//! (Back goes to the previous step's start), and a prediction holds the clock until answered.

use std::cell::RefCell;
use std::rc::Rc;

use aurora_core::lesson::{self, Lesson, Phase};

use super::{Action, AppState};
use crate::actions::UserAction;
use crate::lesson::{LessonAction, LinkParams, Record};
use crate::lesson_mode::Guide;
use crate::lesson_store;

/// The lesson half of the page's state. Cheap to copy: the guide is shared.
#[derive(Clone, Default)]
pub struct LessonState {
    pub guide: Rc<RefCell<Option<Guide>>>,
    pub picker: bool,
    pub record: Rc<Record>,
    /// Whether the browser keeps the record (it may refuse in a sandboxed frame).
    pub stored: bool,
    /// A lesson file that could not be used: its path and every error, with line and column.
    pub file_problem: Option<Rc<(String, Vec<String>)>>,
    /// A lesson file is being fetched.
    pub loading: Option<String>,
    /// The step the link asked for, for a lesson file still loading.
    pub link_step: usize,
    /// The seed the link asked for, if any.
    pub link_seed: Option<u64>,
}

impl LessonState {
    pub fn following(&self) -> bool {
        self.guide.try_borrow().is_ok_and(|g| g.is_some())
    }

    /// Following a lesson and not in free play.
    pub fn guided(&self) -> bool {
        self.guide
            .try_borrow()
            .is_ok_and(|g| g.as_ref().is_some_and(|g| !g.trying()))
    }
}

/// The lesson a link names: a built-in one.
pub fn builtin(name: &str) -> Option<Lesson> {
    lesson::find(name)
}

impl AppState {
    /// Opens the lesson the link asks for, if any (a lesson file is fetched by the page and
    /// arrives as [`Action::LessonText`]).
    pub(super) fn open_from_link(&mut self, link: &LinkParams, seed: Option<u64>) {
        let record = lesson_store::load();
        self.lesson.stored = lesson_store::save(&record);
        self.lesson.record = Rc::new(record);
        self.lesson.link_step = link.step_index();
        self.lesson.link_seed = seed;
        if let Some(path) = &link.file {
            self.lesson.loading = Some(path.clone());
            return;
        }
        let Some(name) = &link.lesson else { return };
        match builtin(name) {
            Some(l) => self.start_lesson(Rc::new(l), None, seed, link.step_index()),
            None => {
                let names: Vec<&str> = lesson::BUILTIN.iter().map(|(n, _)| *n).collect();
                self.notify(
                    format!(
                        "There is no lesson called \"{name}\". The lessons are: {}.",
                        names.join(", ")
                    ),
                    true,
                );
            }
        }
    }

    fn start_lesson(
        &mut self,
        lesson: Rc<Lesson>,
        file: Option<String>,
        seed: Option<u64>,
        step: usize,
    ) {
        if lesson.steps.is_empty() {
            self.notify(
                format!("The lesson \"{}\" has no steps.", lesson.title),
                true,
            );
            return;
        }
        if step >= lesson.steps.len() {
            self.notify(
                format!(
                    "The lesson \"{}\" has {} steps, so there is no step {}; opening the last.",
                    lesson.title,
                    lesson.steps.len(),
                    step + 1
                ),
                true,
            );
        }
        match Guide::open(lesson, file, seed, step) {
            Ok((guide, pb)) => {
                self.pb = Rc::new(RefCell::new(pb));
                self.selection = None;
                self.effective_speed = None;
                self.last_wall = None;
                self.region_shown = None;
                // A lesson shows its moments at a pace a person can follow; long waits race.
                self.speed_index = self.speed_index.max(crate::format::nearest_speed(1.0));
                self.playing = !guide.holds_the_clock();
                let name = guide.lesson.name.clone();
                let (index, count, file) = (guide.index(), guide.count(), guide.file.is_some());
                self.lesson.guide = Rc::new(RefCell::new(Some(guide)));
                self.lesson.picker = false;
                self.lesson.file_problem = None;
                if !file {
                    self.remember(&name, index, count);
                }
            }
            Err(why) => self.notify(format!("The lesson could not start: {why}."), true),
        }
    }

    fn remember(&mut self, name: &str, index: usize, count: usize) {
        let mut record = (*self.lesson.record).clone();
        record.reached(name, index, count);
        if record != *self.lesson.record {
            self.lesson.stored = lesson_store::save(&record);
            self.lesson.record = Rc::new(record);
        }
    }

    /// A fetched lesson file: parsed by the core, every error kept with its line and column.
    pub(super) fn lesson_text(&mut self, path: String, text: Result<String, String>) {
        self.lesson.loading = None;
        let errors = match text {
            Ok(text) => match lesson::parse(&text) {
                Ok(l) => {
                    let (seed, step) = (self.lesson.link_seed, self.lesson.link_step);
                    self.start_lesson(Rc::new(l), Some(path), seed, step);
                    return;
                }
                Err(errors) => errors.iter().map(ToString::to_string).collect(),
            },
            Err(why) => vec![why],
        };
        self.lesson.file_problem = Some(Rc::new((path, errors)));
    }

    pub(super) fn lesson_action(&mut self, action: LessonAction) {
        let speed = self.speed();
        let wall = self.wall;
        match action {
            LessonAction::OpenPicker => self.lesson.picker = true,
            LessonAction::ClosePicker => self.lesson.picker = false,
            LessonAction::Start(name, step) => match builtin(&name) {
                Some(l) => self.start_lesson(Rc::new(l), None, None, step),
                None => self.notify(format!("There is no lesson called \"{name}\"."), true),
            },
            LessonAction::ClearProgress => {
                lesson_store::clear();
                self.lesson.record = Rc::new(Record::default());
                self.notify("Your lesson progress is cleared.".into(), false);
            }
            LessonAction::Leave => {
                self.resume_if_away();
                if let Ok(mut g) = self.lesson.guide.try_borrow_mut() {
                    *g = None;
                }
                if let Ok(mut pb) = self.pb.try_borrow_mut() {
                    pb.tap = None;
                }
                self.notify(
                    "You left the lesson: the playground is yours from here.".into(),
                    false,
                );
            }
            LessonAction::TryIt => {
                let Ok(mut g) = self.lesson.guide.try_borrow_mut() else {
                    return;
                };
                let Some(guide) = g.as_mut().filter(|g| !g.trying()) else {
                    return;
                };
                let free = match self.pb.try_borrow() {
                    Ok(pb) => pb.fork_here(),
                    Err(_) => return,
                };
                guide.away = Some((Rc::clone(&self.pb), guide.run.clone()));
                drop(g);
                self.pb = Rc::new(RefCell::new(free));
                self.notify(
                    "Free play from this moment: the lesson waits. Press \"Back to the lesson\" to return."
                        .into(),
                    false,
                );
            }
            LessonAction::Resume => {
                if self.resume_if_away() {
                    self.playing = false;
                    self.last_wall = None;
                }
            }
            LessonAction::Answer(i) => {
                let Ok(mut g) = self.lesson.guide.try_borrow_mut() else {
                    return;
                };
                let Some(guide) = g.as_mut().filter(|g| !g.trying()) else {
                    return;
                };
                let answers = guide
                    .run
                    .step()
                    .prediction
                    .as_ref()
                    .map_or(0, |p| p.answers.len());
                if guide.chosen.is_none() && i < answers {
                    guide.chosen = Some(i);
                    // The model now shows what happens.
                    self.playing = true;
                    self.last_wall = None;
                }
            }
            LessonAction::Next => {
                let Ok(mut g) = self.lesson.guide.try_borrow_mut() else {
                    return;
                };
                let Some(guide) = g.as_mut().filter(|g| !g.trying()) else {
                    return;
                };
                if !matches!(guide.run.phase(), Phase::Reached { .. }) || guide.run.is_last() {
                    return;
                }
                let Ok(mut pb) = self.pb.try_borrow_mut() else {
                    return;
                };
                match guide.next(&mut pb, speed, wall) {
                    Ok(_) => {
                        let (name, index, count, file) = (
                            guide.lesson.name.clone(),
                            guide.index(),
                            guide.count(),
                            guide.file.is_some(),
                        );
                        let hold = guide.holds_the_clock();
                        drop(pb);
                        drop(g);
                        self.playing = !hold;
                        self.last_wall = None;
                        if !file {
                            self.remember(&name, index, count);
                        }
                    }
                    Err(why) => guide.problem = Some(format!("This step could not start: {why}.")),
                }
            }
            LessonAction::Back => {
                let Ok(mut g) = self.lesson.guide.try_borrow_mut() else {
                    return;
                };
                let Some(guide) = g.as_mut().filter(|g| !g.trying()) else {
                    return;
                };
                let index = guide.index();
                if index == 0 {
                    return;
                }
                match guide.start_of(index - 1) {
                    Ok(pb) => {
                        let hold = guide.holds_the_clock();
                        drop(g);
                        self.pb = Rc::new(RefCell::new(pb));
                        self.selection = None;
                        self.playing = !hold;
                        self.last_wall = None;
                    }
                    Err(why) => {
                        drop(g);
                        self.notify(format!("The step before could not open: {why}."), true);
                    }
                }
            }
        }
    }

    /// Back from free play to the lesson as it was. Returns whether it was away.
    fn resume_if_away(&mut self) -> bool {
        let Ok(mut g) = self.lesson.guide.try_borrow_mut() else {
            return false;
        };
        let Some((pb, run)) = g.as_mut().and_then(|g| g.away.take()) else {
            return false;
        };
        if let Some(guide) = g.as_mut() {
            guide.run = run;
        }
        drop(g);
        self.pb = pb;
        self.selection = None;
        true
    }

    /// Whether a page action may go ahead while a lesson is followed; if not, says why.
    pub(super) fn lesson_allows(&mut self, action: &Action) -> bool {
        if !self.lesson.guided() {
            return true;
        }
        let why = match action {
            Action::Seek(_) | Action::Nudge(_) | Action::Fork => {
                "In a lesson, Back goes to the previous step; to move along the timeline, use Try it yourself."
            }
            Action::SetSeed(_) => "In a lesson the seed stays the lesson's; use Try it yourself to change it.",
            Action::TogglePlay | Action::Step if self.lesson_needs_answer() => {
                "Answer the question first: the model shows what happens after."
            }
            _ => return true,
        };
        self.notify(why.into(), false);
        false
    }

    fn lesson_needs_answer(&self) -> bool {
        self.lesson
            .guide
            .try_borrow()
            .is_ok_and(|g| g.as_ref().is_some_and(|g| !g.trying() && g.needs_answer()))
    }

    /// A person's action during a lesson: only the step's "your turn" is taken. Returns whether
    /// the page should apply it.
    pub(super) fn lesson_takes(&mut self, action: &UserAction) -> bool {
        if !self.lesson.guided() {
            return true;
        }
        if self.lesson_needs_answer() {
            self.notify(
                "Answer the question first: then do it and watch what the model does.".into(),
                false,
            );
            return false;
        }
        let awaited = self.lesson.guide.try_borrow().ok().and_then(|g| {
            let pb = self.pb.try_borrow().ok()?;
            g.as_ref()?.awaited(pb.sim())
        });
        match awaited {
            Some(text) if text == action.encode() => true,
            Some(_) | None => {
                let what = self.lesson.guide.try_borrow().ok().and_then(|g| {
                    let pb = self.pb.try_borrow().ok()?;
                    let g = g.as_ref()?;
                    let turn = g.run.step().your_turn.as_ref()?;
                    (g.run.phase() == Phase::AwaitingStudent).then(|| turn.describe(pb.sim()))
                });
                let text = match what {
                    Some(what) => format!(
                        "This step waits for you to {what}. To do something else, use Try it yourself."
                    ),
                    None => "This step does not ask for that. To change the cluster yourself, use Try it yourself.".into(),
                };
                self.notify(text, false);
                false
            }
        }
    }

    /// After the step's "your turn" was applied: the lesson's watch starts.
    pub(super) fn lesson_acted(&mut self, action: &UserAction) {
        if !self.lesson.guided() {
            return;
        }
        let Ok(mut g) = self.lesson.guide.try_borrow_mut() else {
            return;
        };
        let Ok(pb) = self.pb.try_borrow() else { return };
        if let Some(guide) = g.as_mut() {
            guide.student_did(pb.sim(), &action.encode());
        }
    }

    /// The speed multiplier a followed lesson asks for now (a racing clock), and whether the
    /// clock is held for an answer.
    pub(super) fn lesson_pace(&mut self, wall: f64) -> (f64, bool) {
        let Ok(mut g) = self.lesson.guide.try_borrow_mut() else {
            return (1.0, false);
        };
        match g.as_mut().filter(|g| !g.trying()) {
            Some(guide) => (guide.race(wall), guide.holds_the_clock()),
            None => (1.0, false),
        }
    }

    /// Hands the lesson what the run emitted; when a step is reached, the clock stops there so
    /// the student can read what happened. Returns whether anything changed.
    pub(super) fn lesson_tick(&mut self) -> bool {
        let Ok(mut g) = self.lesson.guide.try_borrow_mut() else {
            return false;
        };
        let Some(guide) = g.as_mut().filter(|g| !g.trying()) else {
            return false;
        };
        let Ok(mut pb) = self.pb.try_borrow_mut() else {
            return false;
        };
        let before = guide.run.phase();
        let after = guide.tick(&mut pb);
        if before == after {
            return false;
        }
        let (name, index, count, file, last) = (
            guide.lesson.name.clone(),
            guide.index(),
            guide.count(),
            guide.file.is_some(),
            guide.run.is_last(),
        );
        drop(pb);
        drop(g);
        if matches!(after, Phase::Reached { .. } | Phase::TimedOut) {
            self.playing = false;
            self.last_wall = None;
        }
        if matches!(after, Phase::Reached { .. }) && last && !file {
            self.remember(&name, index, count);
        }
        true
    }

    /// Reset during a lesson starts the current step again.
    pub(super) fn lesson_reset(&mut self) -> bool {
        if !self.lesson.guided() {
            return false;
        }
        let Ok(mut g) = self.lesson.guide.try_borrow_mut() else {
            return true;
        };
        let Some(guide) = g.as_mut() else { return true };
        let index = guide.index();
        if let Ok(pb) = guide.start_of(index) {
            let hold = guide.holds_the_clock();
            drop(g);
            self.pb = Rc::new(RefCell::new(pb));
            self.playing = !hold;
            self.last_wall = None;
        }
        true
    }

    /// Choosing another scenario leaves the lesson.
    pub(super) fn leave_lesson_quietly(&mut self) {
        if let Ok(mut g) = self.lesson.guide.try_borrow_mut() {
            *g = None;
        }
    }
}

/// Whether an action is one of the lesson's (for the page's key handling).
pub fn is_lesson(action: &Action) -> bool {
    matches!(action, Action::Lesson(_) | Action::LessonText(..))
}
