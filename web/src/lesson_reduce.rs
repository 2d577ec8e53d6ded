//! The reducer's lesson half: what a lesson action does to the page's state, how the frame loop
//! feeds a followed lesson, and which of the page's own actions a lesson holds back.
//!
//! While a lesson is followed, the run belongs to it: only the step's own "your turn" is taken
//! from the controls (anything else waits for "Try it yourself"), the timeline does not rewind
//! (Back goes to the previous step's start), and a prediction holds the clock until answered.

use std::rc::Rc;

use aurora_core::lesson::{self, Lesson, Phase};

use super::{Action, AppState};
use crate::actions::Control;
use crate::lesson::{LessonAction, LinkParams, Record};
use crate::lesson_mode::Guide;
use crate::lesson_store;
use crate::shared::Shared;

/// The lesson half of the page's state. Cheap to copy: the guide is shared.
#[derive(Clone, Default, PartialEq)]
pub struct LessonState {
    pub guide: Shared<Option<Guide>>,
    pub picker: bool,
    pub record: Rc<Record>,
    /// Whether the browser keeps the record (it may refuse in a sandboxed frame).
    pub stored: bool,
    /// A lesson file that could not be used: its path and every error, with line and column.
    pub file_problem: Option<Rc<(String, Vec<String>)>>,
    /// A lesson file is being fetched: its path.
    pub loading: Option<String>,
    /// The file being fetched is a built-in lesson's (its link names the lesson, not the file).
    pub loading_builtin: bool,
    /// The step the link asked for, for a lesson file still loading.
    pub link_step: usize,
    /// The seed the link asked for, if any.
    pub link_seed: Option<u64>,
}

impl LessonState {
    pub fn following(&self) -> bool {
        self.guide.read().is_some()
    }

    /// Following a lesson and not in free play.
    pub fn guided(&self) -> bool {
        self.guide.read().as_ref().is_some_and(|g| !g.trying())
    }
}

/// Where the page fetches a built-in lesson's text from: `lessons/NAME.lesson` beside the page,
/// where the build copies every lesson file.
pub fn builtin_path(name: &str) -> String {
    format!("lessons/{name}.lesson")
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
            self.lesson.loading_builtin = false;
            return;
        }
        let Some(name) = &link.lesson else { return };
        if lesson::listing(name).is_some() {
            self.open_builtin(name, seed, link.step_index());
        } else {
            let names: Vec<&str> = lesson::CATALOG.iter().map(|l| l.name).collect();
            self.notify(
                format!(
                    "There is no lesson called \"{name}\". The lessons are: {}.",
                    names.join(", ")
                ),
                true,
            );
        }
    }

    /// Opens a built-in lesson at `step`: at once when its text is compiled in (natively, and
    /// in the browser tests), else once the page has fetched its file.
    fn open_builtin(&mut self, name: &str, seed: Option<u64>, step: usize) {
        match lesson::text(name) {
            Some(text) => match lesson::parse(text) {
                Ok(l) => self.start_lesson(Rc::new(l), None, seed, step),
                Err(_) => self.notify(format!("The lesson \"{name}\" could not be read."), true),
            },
            None => {
                self.lesson.link_step = step;
                self.lesson.link_seed = seed;
                self.lesson.loading = Some(builtin_path(name));
                self.lesson.loading_builtin = true;
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
                self.run.replace(pb);
                self.selection = None;
                self.effective_speed = None;
                self.last_wall = None;
                self.region_shown = None;
                // A lesson shows its moments at a pace a person can follow; long waits race.
                self.speed_index = self.speed_index.max(crate::format::nearest_speed(1.0));
                // An embed waits for a click, as it does for a scenario.
                self.playing = !guide.holds_the_clock() && !self.embed;
                let name = guide.lesson.name.clone();
                let (index, count, file) = (guide.index(), guide.count(), guide.file.is_some());
                self.lesson.guide.replace(Some(guide));
                // The picker is not closed here: a lesson file that arrives after the person
                // opened the picker starts behind it, and the picker stays where they are.
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
    /// A built-in lesson's file opens as the built-in lesson (its link names the lesson).
    pub(super) fn lesson_text(&mut self, path: String, text: Result<String, String>) {
        self.lesson.loading = None;
        let builtin = core::mem::take(&mut self.lesson.loading_builtin);
        let errors = match text {
            Ok(text) => match lesson::parse(&text) {
                Ok(l) => {
                    let (seed, step) = (self.lesson.link_seed, self.lesson.link_step);
                    let file = (!builtin).then_some(path);
                    self.start_lesson(Rc::new(l), file, seed, step);
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
            LessonAction::Start(name, step) => {
                self.lesson.picker = false;
                if lesson::listing(&name).is_some() {
                    self.open_builtin(&name, None, step);
                } else {
                    self.notify(format!("There is no lesson called \"{name}\"."), true);
                }
            }
            LessonAction::ClearProgress => {
                lesson_store::clear();
                self.lesson.record = Rc::new(Record::default());
                self.notify("Your lesson progress is cleared.".into(), false);
            }
            LessonAction::Leave => {
                self.resume_if_away();
                self.lesson.guide.replace(None);
                self.run.change().tap = None;
                self.notify(
                    "You left the lesson: the playground is yours from here.".into(),
                    false,
                );
            }
            LessonAction::DoItForMe => {
                let awaited = {
                    let g = self.lesson.guide.read();
                    let pb = self.run.read();
                    g.as_ref()
                        .filter(|g| !g.trying())
                        .and_then(|g| g.awaited(pb.sim()))
                };
                // The same path as the control's own button: logged, announced, matched.
                if let Some(control) = awaited {
                    self.act(control);
                }
            }
            LessonAction::TryIt => {
                if !self.lesson.guided() {
                    return;
                }
                let mut g = self.lesson.guide.change();
                let Some(guide) = g.as_mut() else { return };
                let free = self.run.read().fork_here();
                guide.away = Some((self.run.clone(), guide.run.clone()));
                drop(g);
                self.run.replace(free);
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
                let answers = self.lesson.guide.read().as_ref().map_or(0, |g| {
                    let open = !g.trying() && g.needs_answer();
                    let prediction = g.run.step().prediction.as_ref();
                    prediction.filter(|_| open).map_or(0, |p| p.answers.len())
                });
                if i >= answers {
                    return;
                }
                let mut g = self.lesson.guide.change();
                let Some(guide) = g.as_mut() else { return };
                let mut pb = self.run.change();
                match guide.answer(&mut pb, i, speed, wall) {
                    Ok(()) => {
                        drop(pb);
                        drop(g);
                        // The model now shows what happens.
                        self.playing = true;
                        self.last_wall = None;
                    }
                    Err(why) => guide.problem = Some(format!("This step could not go on: {why}.")),
                }
            }
            LessonAction::Next => {
                let ready = self.lesson.guide.read().as_ref().is_some_and(|g| {
                    !g.trying()
                        && matches!(g.run.phase(), Phase::Reached { .. })
                        && !g.run.is_last()
                });
                if !ready {
                    return;
                }
                let mut g = self.lesson.guide.change();
                let Some(guide) = g.as_mut() else { return };
                let mut pb = self.run.change();
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
                let index = self.lesson.guide.read().as_ref().map_or(0, |g| {
                    if g.trying() {
                        0
                    } else {
                        g.index()
                    }
                });
                if index == 0 {
                    return;
                }
                let mut g = self.lesson.guide.change();
                let Some(guide) = g.as_mut() else { return };
                match guide.start_of(index - 1) {
                    Ok(pb) => {
                        let hold = guide.holds_the_clock();
                        drop(g);
                        self.run.replace(pb);
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
        let away = self
            .lesson
            .guide
            .read()
            .as_ref()
            .is_some_and(|g| g.away.is_some());
        if !away {
            return false;
        }
        let mut g = self.lesson.guide.change();
        let Some(guide) = g.as_mut() else {
            return false;
        };
        let Some((lesson_run, run)) = guide.away.take() else {
            return false;
        };
        guide.run = run;
        drop(g);
        self.run = lesson_run;
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
            .read()
            .as_ref()
            .is_some_and(|g| !g.trying() && g.needs_answer())
    }

    /// A person's action during a lesson: only the step's "your turn" is taken. Returns whether
    /// the page should apply it.
    pub(super) fn lesson_takes(&mut self, action: &Control) -> bool {
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
        let awaited = {
            let g = self.lesson.guide.read();
            g.as_ref().and_then(|g| g.awaited(self.run.read().sim()))
        };
        match awaited {
            Some(awaited) if awaited == *action => true,
            Some(_) | None => {
                let what = {
                    let g = self.lesson.guide.read();
                    g.as_ref().and_then(|g| {
                        let turn = g.run.step().your_turn.as_ref()?;
                        let awaiting = g.run.phase() == Phase::AwaitingStudent;
                        awaiting.then(|| turn.describe(self.run.read().sim()))
                    })
                };
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
    pub(super) fn lesson_acted(&mut self, action: &Control) {
        if !self.lesson.guided() {
            return;
        }
        let pb = self.run.read();
        if let Some(guide) = self.lesson.guide.change().as_mut() {
            guide.student_did(pb.sim(), action);
        }
    }

    /// The speed multiplier a followed lesson asks for now (a racing clock), and whether the
    /// clock is held for an answer.
    pub(super) fn lesson_pace(&mut self, wall: f64) -> (f64, bool) {
        if !self.lesson.guided() {
            return (1.0, false);
        }
        match self.lesson.guide.change().as_mut() {
            Some(guide) => (guide.race(wall), guide.holds_the_clock()),
            None => (1.0, false),
        }
    }

    /// Hands the lesson what the run emitted; when a step is reached, the clock stops there so
    /// the student can read what happened. Returns whether anything changed.
    pub(super) fn lesson_tick(&mut self) -> bool {
        if !self.lesson.guided() {
            return false;
        }
        let mut g = self.lesson.guide.change();
        let Some(guide) = g.as_mut() else {
            return false;
        };
        let mut pb = self.run.change();
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
        let mut g = self.lesson.guide.change();
        let Some(guide) = g.as_mut() else { return true };
        let index = guide.index();
        if let Ok(pb) = guide.start_of(index) {
            let hold = guide.holds_the_clock();
            drop(g);
            self.run.replace(pb);
            self.playing = !hold;
            self.last_wall = None;
        }
        true
    }

    /// Choosing another scenario leaves the lesson.
    pub(super) fn leave_lesson_quietly(&mut self) {
        if self.lesson.following() {
            self.lesson.guide.replace(None);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Action, Tick};
    use aurora_core::SimTime;
    use yew::Reducible;

    fn open(query: &str) -> Rc<AppState> {
        let (params, notices) = crate::url::parse(query);
        let Some(scenario) = params.scenario() else {
            panic!("a default scenario exists");
        };
        Rc::new(AppState::new(scenario, &params, notices))
    }

    fn now(s: &AppState) -> SimTime {
        s.run.read().now()
    }

    fn index(s: &AppState) -> usize {
        s.lesson
            .guide
            .read()
            .as_ref()
            .map_or(usize::MAX, |g| g.index())
    }

    fn phase(s: &AppState) -> Phase {
        match s.lesson.guide.read().as_ref() {
            Some(g) => g.run.phase(),
            None => panic!("a lesson is followed"),
        }
    }

    fn card(s: &AppState) -> crate::lesson::StepCard {
        let g = s.lesson.guide.read();
        let pb = s.run.read();
        match g.as_ref() {
            Some(g) => g.card(&pb, None),
            None => panic!("a lesson is followed"),
        }
    }

    /// Animation frames 100 ms apart until `done` or `limit` frames.
    fn frames(mut s: Rc<AppState>, limit: usize, done: impl Fn(&AppState) -> bool) -> Rc<AppState> {
        let start = s.wall;
        for i in 0..limit {
            if done(&s) {
                return s;
            }
            s = s.reduce(Action::Frame(Tick {
                wall: start + 100.0 * (i + 1) as f64,
                // A clock that stands still: the model is never out of time, so these tests
                // run the same on a slow machine as on a fast one.
                clock: || 0.0,
            }));
        }
        s
    }

    fn lesson(s: Rc<AppState>, a: LessonAction) -> Rc<AppState> {
        s.reduce(Action::Lesson(a))
    }

    /// The page's fetch of `lessons/NAME.lesson` answers with the built-in lesson's text.
    fn fetched(s: Rc<AppState>, name: &str) -> Rc<AppState> {
        let text = aurora_core::lesson::text(name).expect("a built-in text");
        s.reduce(Action::LessonText(
            format!("lessons/{name}.lesson"),
            Ok(text.into()),
        ))
    }

    fn notices(s: &AppState) -> Vec<String> {
        s.notices.iter().map(|n| n.text.clone()).collect()
    }

    fn reached(s: &AppState) -> bool {
        matches!(phase(s), Phase::Reached { .. })
    }

    #[test]
    fn a_link_opens_a_lesson_at_its_step_with_the_earlier_steps_played() {
        let s = open("?lesson=losing-an-az&step=2");
        assert!(s.lesson.following());
        assert_eq!(index(&s), 1);
        assert!(now(&s) > SimTime::ZERO, "step 1 was played to its end");
        let steps = aurora_core::lesson::find("losing-an-az").map_or(0, |l| l.steps.len());
        assert!(steps > 2);
        assert_eq!(card(&s).position(), format!("Step 2 of {steps}"));
        assert_eq!(
            crate::lesson_file::link(s.lesson.guide.read().as_ref().expect("a lesson")),
            "?lesson=losing-an-az&step=2"
        );
        assert!(!s.playing, "step 2 asks first: the clock waits");
        assert!(
            open("?lesson=losing-an-az&step=1").playing,
            "the full page plays the step"
        );
        let embed = open("?lesson=losing-an-az&step=1&embed=1");
        assert!(
            embed.lesson.following() && !embed.playing,
            "an embed waits for a click"
        );
        let s = open("?lesson=no-such-lesson");
        assert!(!s.lesson.following());
        assert!(notices(&s)[0].contains("There is no lesson called \"no-such-lesson\""));
        let s = open("?lesson=losing-an-az&step=99");
        assert_eq!(index(&s), steps - 1, "past the end opens the last step");
        assert!(notices(&s).iter().any(|n| n.contains("no step 99")));
    }

    #[test]
    fn while_a_lesson_holds_the_clock_no_reached_speed_is_shown() {
        let s = open("?lesson=losing-an-az&step=2");
        // As a race through the previous step's wait would have left it.
        let mut raced = (*s).clone();
        raced.effective_speed = Some(4.4);
        let s = frames(Rc::new(raced), 3, |_| false);
        assert_eq!(card(&s).progress, crate::lesson::Progress::Answer);
        assert_eq!(s.effective_speed, None, "held: nothing is reached");
    }

    #[test]
    fn a_prediction_holds_the_model_until_answered_and_the_model_decides_it() {
        let s = open("?lesson=losing-an-az&step=2");
        assert_eq!(card(&s).progress, crate::lesson::Progress::Answer);
        let held = now(&s);
        let s = frames(s, 10, |_| false);
        assert_eq!(now(&s), held, "the clock waits for the answer");
        // Doing the step's turn before answering is refused.
        let s = s.reduce(Action::Act(Control::FailAz(2)));
        assert_eq!(phase(&s), Phase::Asking, "nothing of the step has happened");
        assert!(s.run.read().actions().is_empty());
        assert!(notices(&s)
            .last()
            .is_some_and(|n| n.contains("Answer the question first")));
        // Answer "No: writes stop" (index 1), then fail AZ c.
        let s = lesson(s, LessonAction::Answer(1));
        let s = lesson(s, LessonAction::Answer(0));
        assert_eq!(
            card(&s).prediction.and_then(|p| p.chosen),
            Some(1),
            "one answer only"
        );
        assert_eq!(card(&s).progress, crate::lesson::Progress::YourTurn);
        // Something other than the step's turn is refused.
        let s = s.reduce(Action::Act(Control::FailAz(1)));
        assert_eq!(phase(&s), Phase::AwaitingStudent);
        assert!(notices(&s)
            .last()
            .is_some_and(|n| n.contains("waits for you to fail AZ c")));
        let s = s.reduce(Action::Act(Control::FailAz(2)));
        assert_eq!(phase(&s), Phase::Watching);
        assert!(!card(&s).can_next());
        let s = frames(s, 200, reached);
        assert!(reached(&s), "the step's wait passed");
        assert!(!s.playing, "the clock stops where the step is reached");
        let p = card(&s).prediction.expect("a prediction");
        assert_eq!(p.right, Some(0), "writes went on: the model said yes");
        assert_eq!(
            p.verdict().as_deref(),
            Some("Not this time. What the model did: Yes: every group keeps four of six copies")
        );
        assert!(p.explanation.is_some_and(|e| !e.contains('{')));
        assert!(card(&s).can_next());
        let s = lesson(s, LessonAction::Next);
        assert_eq!(index(&s), 2);
        assert!(s.playing);
    }

    /// "Do it for me" uses the awaited control as the student's button would: only once the
    /// question is answered, logged in the run, and the step then watches.
    #[test]
    fn do_it_for_me_does_the_steps_turn_as_its_control_would() {
        let s = open("?lesson=losing-an-az&step=2");
        let s = lesson(s, LessonAction::DoItForMe);
        assert_eq!(phase(&s), Phase::Asking, "not before the answer");
        assert!(s.run.read().actions().is_empty());
        let s = lesson(s, LessonAction::Answer(0));
        assert_eq!(phase(&s), Phase::AwaitingStudent);
        let s = lesson(s, LessonAction::DoItForMe);
        assert_eq!(phase(&s), Phase::Watching);
        let logged: Vec<Control> = s
            .run
            .read()
            .actions()
            .iter()
            .map(|a| a.action.clone())
            .collect();
        assert_eq!(logged, [Control::FailAz(2)]);
        let s = lesson(s, LessonAction::DoItForMe);
        assert_eq!(s.run.read().actions().len(), 1, "once: the turn is done");
    }

    #[test]
    fn try_it_yourself_forks_free_play_and_returns_to_the_step_as_it_was() {
        let s = open("?lesson=losing-an-az&step=1");
        let s = frames(s, 100, reached);
        let lesson_run = s.run.clone();
        let (at, digest) = (now(&s), s.run.read().sim().trace_digest());
        let s = lesson(s, LessonAction::TryIt);
        assert!(!s.run.same(&lesson_run), "free play is a run of its own");
        assert_eq!(now(&s), at, "at the same moment");
        assert!(card(&s).trying);
        // In free play the person's actions are theirs, and the timeline rewinds.
        let s = s.reduce(Action::Act(Control::FailAz(0)));
        assert_eq!(s.run.read().actions().len(), 1);
        let s = s.reduce(Action::TogglePlay);
        let s = frames(s, 10, |_| false);
        assert!(now(&s) > at);
        let s = lesson(s, LessonAction::Resume);
        assert!(s.run.same(&lesson_run), "back to the lesson's own run");
        assert_eq!(now(&s), at);
        assert_eq!(
            s.run.read().sim().trace_digest(),
            digest,
            "untouched by free play"
        );
        assert!(!card(&s).trying);
        assert!(reached(&s));
    }

    #[test]
    fn back_opens_the_previous_steps_start_and_rewinds_are_held_back() {
        let s = open("?lesson=losing-an-az&step=1");
        let start = now(&s);
        let s = frames(s, 100, reached);
        let s = lesson(s, LessonAction::Next);
        assert_eq!(index(&s), 1);
        // The timeline does not rewind inside a lesson.
        let here = now(&s);
        let s = s.reduce(Action::Seek(SimTime::ZERO));
        assert_eq!(now(&s), here);
        assert!(notices(&s)
            .last()
            .is_some_and(|n| n.contains("Back goes to the previous step")));
        let s = lesson(s, LessonAction::Back);
        assert_eq!(index(&s), 0);
        assert_eq!(now(&s), start, "the start of step 1 as it was");
        // Back at the first step does nothing.
        let s = lesson(s, LessonAction::Back);
        assert_eq!(index(&s), 0);
        // Leaving gives the run back to the person.
        let s = lesson(s, LessonAction::Leave);
        assert!(!s.lesson.following());
        let s = s.reduce(Action::Act(Control::FailAz(0)));
        assert_eq!(s.run.read().actions().len(), 1);
    }

    #[test]
    fn a_lesson_file_that_does_not_parse_keeps_every_error_with_its_place() {
        let s = open("?lesson-file=lessons/mine.lesson");
        assert_eq!(s.lesson.loading.as_deref(), Some("lessons/mine.lesson"));
        let text = "lesson mine\ntitle Mine\nsummary s\nminutes 1\nscenario no-such-scenario\nchallenge c\n\nstep One\nsay {no_such_figure}\nuntil wait 1s\n";
        let s = s.reduce(Action::LessonText(
            "lessons/mine.lesson".into(),
            Ok(text.into()),
        ));
        let problem = s.lesson.file_problem.clone().expect("errors kept");
        assert_eq!(problem.0, "lessons/mine.lesson");
        assert!(problem.1.len() >= 2, "{:?}", problem.1);
        for e in &problem.1 {
            let (line, rest) = e.split_once(':').expect("line first");
            assert!(line.parse::<usize>().is_ok(), "{e}");
            assert!(
                rest.split_once(':')
                    .is_some_and(|(c, _)| c.parse::<usize>().is_ok()),
                "{e}"
            );
        }
        assert!(!s.lesson.following());
        // A file that could not be fetched says why.
        let s = s.reduce(Action::LessonText(
            "x.lesson".into(),
            Err("the server answered 404 Not Found for it".into()),
        ));
        assert_eq!(s.lesson.file_problem.as_ref().map(|p| p.1.len()), Some(1));
        // A good file opens at the link's step.
        let s = fetched(s, "losing-an-az");
        assert!(s.lesson.following());
        assert!(s.lesson.file_problem.is_none());
        assert_eq!(
            crate::lesson_file::link(s.lesson.guide.read().as_ref().expect("a lesson")),
            "?lesson-file=lessons/losing-an-az.lesson&step=1"
        );
    }

    #[test]
    fn a_lesson_file_that_arrives_after_the_picker_opened_leaves_the_picker_open() {
        let s = open("?lesson-file=lessons/losing-an-az.lesson");
        let s = lesson(s, LessonAction::OpenPicker);
        let s = fetched(s, "losing-an-az");
        assert!(s.lesson.following(), "the lesson started behind the picker");
        assert!(s.lesson.picker, "the picker the person opened stays open");
        let s = lesson(s, LessonAction::Start("six-copies".into(), 0));
        assert!(!s.lesson.picker, "choosing a lesson closes it");
    }

    #[test]
    fn progress_clears_and_the_picker_opens_and_closes() {
        let s = open("?lesson=losing-an-az&step=3");
        assert_eq!(s.lesson.record.furthest("losing-an-az"), Some(2));
        assert!(
            !s.lesson.stored,
            "natively there is no browser storage, and nothing fails"
        );
        let s = lesson(s, LessonAction::OpenPicker);
        assert!(s.lesson.picker);
        let s = s.reduce(Action::Escape);
        assert!(!s.lesson.picker, "Escape closes the picker");
        let s = lesson(s, LessonAction::OpenPicker);
        let mut record = (*s.lesson.record).clone();
        record.reached("six-copies", 99, 1);
        let listed = crate::lesson_mode::catalog(&record);
        assert_eq!(listed.len(), lesson::BUILTIN.len());
        assert!(listed
            .iter()
            .all(|e| e.steps > 0 && e.minutes > 0 && !e.summary.is_empty()));
        let done: Vec<&str> = listed
            .iter()
            .filter(|e| e.done)
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(done, ["six-copies"]);
        let s = lesson(s, LessonAction::ClearProgress);
        assert_eq!(s.lesson.record.furthest("losing-an-az"), None);
        let s = lesson(s, LessonAction::Start("six-copies".into(), 0));
        assert!(!s.lesson.picker);
        assert_eq!(
            s.lesson
                .guide
                .read()
                .as_ref()
                .map(|g| g.lesson.name.clone())
                .as_deref(),
            Some("six-copies")
        );
    }
}
