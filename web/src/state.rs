//! The page's state and everything a person can do to it, as one reducer.
//!
//! The state owns the run ([`Playback`], shared between versions of the state: see
//! [`crate::shared`]), the playback clock (playing, speed), the selection and the notices. The
//! reducer is the only code that advances or changes the run; components read the state through
//! [`AppContext`] or their props and send [`Action`]s back. An action that changes nothing hands
//! back the state before it, so nothing renders.

use std::rc::Rc;

use aurora_core::backup::Engine;
use aurora_core::scenario::{self, Scenario};
use aurora_core::{SimDuration, SimTime};
use yew::prelude::*;

use crate::actions::Control;
use crate::format;
use crate::playback::Playback;
use crate::shared::Shared;
use crate::url::Params;

#[path = "lesson_reduce.rs"]
mod lesson_reduce;
pub use lesson_reduce::LessonState;
#[path = "take_away_reduce.rs"]
mod take_away_reduce;

/// Longest wall-clock step one frame may take, in ms: after a hidden tab comes back, the run
/// resumes where it was instead of leaping ahead.
const MAX_FRAME_MS: f64 = 100.0;
/// How far the arrow keys move along the timeline, as a share of its length.
const NUDGE: f64 = 0.02;
/// The side panels' groups, drawn one a frame after the first render, in this order. A panel
/// drawn for the first time costs several milliseconds (its code runs for the first time, its
/// elements are created), so one a frame keeps every frame of the page's start inside budget.
pub mod group {
    pub const INSPECTOR: u8 = 1;
    pub const FAULTS: u8 = 2;
    pub const BACKUPS: u8 = 3;
    pub const WORLD: u8 = 4;
    pub const LOG: u8 = 5;
    pub const CHARTS: u8 = 6;
    pub const SETUP: u8 = 7;
    pub const TAKE_AWAY: u8 = 8;
    pub const CAPACITY: u8 = 9;
    pub const GLOSSARY: u8 = 10;
}
/// How many groups of side panels there are.
pub const PANEL_GROUPS: u8 = group::GLOSSARY;

pub use crate::selection::Selection;

/// A message for the person, shown until dismissed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub id: u64,
    pub text: String,
    /// A problem (true) or news (false).
    pub problem: bool,
}

/// An animation frame as the reducer gets it: the frame's wall-clock time, and the clock that
/// time-boxes the model's advance in it. The reducer reads no clock of its own: the page's frame
/// loop hands it the browser's ([`Tick::browser`]), and a test a clock it chooses.
#[derive(Clone, Copy, Debug)]
pub struct Tick {
    /// The frame's time, in ms (the animation frame's timestamp).
    pub wall: f64,
    /// Wall-clock ms now, read while the model advances.
    pub clock: fn() -> f64,
}

impl Tick {
    /// A frame of the page, time-boxed by the browser's clock.
    pub fn browser(wall: f64) -> Tick {
        Tick {
            wall,
            clock: now_ms,
        }
    }
}

/// Two frames are the same frame when they are at the same time, whichever clock they carry.
impl PartialEq for Tick {
    fn eq(&self, other: &Tick) -> bool {
        self.wall == other.wall
    }
}

/// Everything a person can do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// An animation frame at this wall-clock time (ms).
    Frame(Tick),
    TogglePlay,
    /// Handle events up to the next one that shows, then pause.
    Step,
    SetSpeed(usize),
    Faster,
    Slower,
    /// Jump to a simulated time within the run so far.
    Seek(SimTime),
    /// Move along the timeline by a share of its length (negative: back).
    Nudge(f64),
    /// Drop the logged actions after now.
    Fork,
    /// Start the scenario again.
    Reset,
    SetSeed(u64),
    SetScenario(String),
    /// Create the cluster again for this engine (a fresh run).
    SetEngine(Engine),
    /// A fault, a heal, a failover, a workload change.
    Act(Control),
    Select(Option<Selection>),
    DismissNotice(u64),
    /// Dismiss every notice at once.
    DismissNotices,
    Notify(String, bool),
    ToggleHelp,
    /// Escape: close the help, then clear the selection.
    Escape,
    SetReducedMotion(bool),
    /// Fail or heal the selection: its first choice.
    ToggleSelection,
    /// Copy a link to this run (the page does it after the render).
    RequestShare,
    /// Copy the code of an iframe that embeds this run at this moment in a course page.
    RequestEmbed,
    /// Auto, light, dark.
    CycleTheme,
    /// Open a region's three-AZ diagram (`None`: whichever region is primary).
    ShowRegion(Option<u8>),
    /// The first render is on screen: draw the side panels too.
    ShowPanels,
    /// Something done in lesson mode.
    Lesson(crate::lesson::LessonAction),
    /// A lesson file fetched from its path: its text, or why it could not be read.
    LessonText(String, Result<String, String>),
    /// Save a picture, the data or the run (the page does it after the render).
    TakeAway(crate::take_away::Request),
    /// A run file chosen or dropped: its name, and its text or why it could not be read.
    OpenRun(String, Result<String, String>),
}

/// The colour theme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Follow the system.
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn label(self) -> &'static str {
        match self {
            Theme::Auto => "Theme: system",
            Theme::Light => "Theme: light",
            Theme::Dark => "Theme: dark",
        }
    }
}

/// The page's state: a plain value, copied and compared as a whole. The run it shows is shared
/// between copies ([`Shared`]), and equal in two copies while neither has changed it.
#[derive(Clone, PartialEq)]
pub struct AppState {
    /// The run shown.
    pub run: Shared<Playback>,
    pub playing: bool,
    pub speed_index: usize,
    /// The simulated speed achieved when the model cannot keep up with the one chosen.
    pub effective_speed: Option<f64>,
    gauge: crate::reached::SpeedGauge,
    last_wall: Option<f64>,
    /// Wall-clock time of the latest frame, in ms.
    pub wall: f64,
    pub selection: Option<Selection>,
    pub notices: Vec<Notice>,
    next_notice: u64,
    pub help_open: bool,
    /// What the person's last action did, in words, for screen readers (a polite live region).
    pub announcement: String,
    pub embed: bool,
    pub reduced_motion: bool,
    /// Counts requests to copy a link; the page copies when it changes.
    pub share_requests: u64,
    /// Whether the last copy asked for was the embed code rather than the link.
    pub share_embed: bool,
    pub theme: Theme,
    /// Wall-clock ms the latest frame spent moving the model (for the benchmark probe).
    pub advance_ms: f64,
    /// The region whose diagram is open; `None` follows the primary through failovers.
    pub region_shown: Option<u8>,
    /// How many of the side panels' groups are drawn ([`PANEL_GROUPS`] when all are): none in
    /// the first render, so the diagram shows first, then one more group a frame, so that no
    /// single frame pays for building every panel at once.
    pub panels: u8,
    /// The lesson followed, the picker, the progress kept.
    pub lesson: LessonState,
    /// An embed shows the take-away buttons (`tools=save`); the full page always does.
    pub tools: bool,
    /// Counts requests to save something, and the last one: the page saves when it changes.
    pub take_away: (u64, Option<crate::take_away::Request>),
}

/// The state as components receive it.
pub type AppContext = UseReducerHandle<AppState>;

impl AppState {
    /// Whether the side panels' group `n` (1 to [`PANEL_GROUPS`]) is drawn yet.
    pub fn panel_group(&self, n: u8) -> bool {
        self.panels >= n
    }

    /// Whether every side panel is drawn.
    pub fn all_panels(&self) -> bool {
        self.panels >= PANEL_GROUPS
    }

    /// The state for the address's parameters and notices.
    pub fn new(scenario: &'static Scenario, params: &Params, notices: Vec<String>) -> AppState {
        let pb = Playback::with_setup(
            scenario,
            params.seed,
            params.replicas,
            params.engine,
            params.actions.clone(),
        );
        let mut state = AppState {
            run: Shared::new(pb),
            playing: params.autoplay,
            speed_index: params.speed_index,
            effective_speed: None,
            gauge: Default::default(),
            last_wall: None,
            wall: 0.0,
            selection: None,
            notices: Vec::new(),
            next_notice: 1,
            help_open: false,
            announcement: String::new(),
            embed: params.embed,
            reduced_motion: false,
            share_requests: 0,
            share_embed: false,
            theme: Theme::Auto,
            advance_ms: 0.0,
            region_shown: None,
            panels: 0,
            lesson: LessonState::default(),
            tools: params.tools,
            take_away: (0, None),
        };
        for text in notices {
            state.notify(text, true);
        }
        state.open_from_link(&params.lesson, params.seed_given.then_some(params.seed));
        if state.lesson.following() || state.lesson.loading.is_some() {
            // The lesson makes the run; a link's moment belongs to a scenario run.
            return state;
        }
        if let Some(at) = params.at {
            let speed = state.speed();
            // A link's moment may lie beyond anything played yet: run there.
            state.run.change().open_at(at, speed);
        }
        state
    }

    pub fn speed(&self) -> f64 {
        format::speed_at(self.speed_index)
    }

    fn notify(&mut self, text: String, problem: bool) {
        // The same notice twice in a row is shown once.
        if self.notices.last().is_some_and(|n| n.text == text) {
            return;
        }
        // Past the newest, notices fold into one list, so more can wait there.
        if self.notices.len() >= 20 {
            self.notices.remove(0);
        }
        self.notices.push(Notice {
            id: self.next_notice,
            text,
            problem,
        });
        self.next_notice += 1;
    }

    /// A fresh run of `scenario`; the same scenario keeps the replicas its link started with,
    /// and every run keeps the engine chosen.
    fn restart(&mut self, scenario: &'static Scenario, seed: u64) {
        let engine = self.run.read().engine();
        self.restart_with(scenario, seed, engine);
    }

    fn restart_with(&mut self, scenario: &'static Scenario, seed: u64, engine: Option<Engine>) {
        let replicas = {
            let pb = self.run.read();
            core::ptr::eq(pb.scenario(), scenario)
                .then(|| pb.replicas())
                .flatten()
        };
        let pb = Playback::with_setup(scenario, seed, replicas, engine, Vec::new());
        self.run.replace(pb);
        self.selection = None;
        self.effective_speed = None;
        self.gauge.reset();
        self.last_wall = None;
        self.region_shown = None;
    }

    /// Advances the run for one animation frame. While the side panels are still being drawn
    /// (`mounting`), the frame is theirs: the model runs one chunk of events and no more, so a
    /// frame that draws a panel for the first time does not also give the model its full share.
    fn frame(&mut self, tick: Tick, mounting: bool) -> bool {
        let Tick { wall, clock } = tick;
        let dt = match self.last_wall {
            Some(last) => (wall - last).clamp(0.0, MAX_FRAME_MS),
            None => 0.0,
        };
        self.last_wall = Some(wall);
        self.wall = wall;
        let (race, held) = self.lesson_pace(wall);
        let speed = self.speed() * race;
        if !self.playing || held {
            self.gauge.reset();
            // Nothing is playing, so no speed is reached: a figure from before would mislead.
            let cleared = self.effective_speed.take().is_some();
            // Let lit links fade out while paused.
            let lit = {
                let pb = self.run.read();
                !pb.traffic.pulses.is_empty() || !pb.journal.flashes.is_empty()
            };
            if lit {
                let mut pb = self.run.change();
                let now = pb.now();
                pb.traffic.expire(now, wall);
                pb.journal.expire(wall);
            }
            return lit || cleared;
        }
        let mut pb = self.run.change();
        let before = pb.now();
        let step = SimDuration::from_micros((dt * 1_000.0 * speed).round() as u64);
        let target = before + step;
        let started = clock();
        let budget = if mounting {
            0.0
        } else {
            crate::frame_budget::advance_ms()
        };
        let deadline = started + budget;
        let mut out_of_time = || clock() > deadline;
        let reached = pb.run(target, speed, wall, true, Some(&mut out_of_time));
        self.advance_ms = clock() - started;
        self.gauge.observe(wall, pb.now(), speed);
        self.effective_speed = if race > 1.0 && reached {
            // A lesson's long wait: the clock races, and the bar says how fast.
            Some(speed)
        } else {
            self.gauge.reached
        };
        // Past the scenario's end with nothing left to happen, stop.
        if pb.sim().next_event_time().is_none() {
            self.playing = false;
        }
        true
    }

    fn act(&mut self, action: Control) {
        if !self.lesson_takes(&action) {
            return;
        }
        let speed = self.speed();
        let wall = self.wall;
        // What the action starts that takes minutes of simulated time.
        let volume = self.run.read().sim().view().volume.bytes;
        let wait = match action {
            Control::AddReplica(_) => Some((
                "A new replica",
                aurora_core::compute::instance::INSTANCE_CREATE_TIME,
            )),
            Control::Restore(_) => Some((
                "A point-in-time restore of this volume",
                aurora_core::backup::pitr::restore_time(volume),
            )),
            Control::Clone(_) => Some((
                "A copy-on-write clone",
                aurora_core::backup::clone::CLONE_READY,
            )),
            _ => None,
        };
        let said = capitalise(&crate::actions::describe(&action));
        let result = self.run.change().act(action.clone(), speed, wall);
        match result {
            Err(why) => self.notify(capitalise(&why), true),
            Ok(()) => {
                self.announcement = format!("{said}.");
                if let Some(text) = wait.and_then(|(what, w)| crate::waits::advice(what, w, speed))
                {
                    self.notify(text, false);
                }
                self.lesson_acted(&action);
            }
        }
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The wall clock for the frame budget, in ms.
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1_000.0)
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        // The probe reads the model's time in the frame that spent it, not in later ones.
        next.advance_ms = 0.0;
        let speed = self.speed();
        if !next.lesson_allows(&action) {
            return next.unless_same_as(self);
        }
        match action {
            Action::Frame(tick) => {
                // Once the first group is drawn, each frame brings in the next.
                let more_panels = (1..PANEL_GROUPS).contains(&next.panels);
                if more_panels {
                    next.panels += 1;
                }
                if !next.frame(tick, more_panels) && !more_panels {
                    return self;
                }
            }
            Action::TogglePlay => {
                next.playing = !next.playing;
                next.last_wall = None;
                next.effective_speed = None;
                next.gauge.reset();
                if next.playing && next.run.read().sim().next_event_time().is_none() {
                    next.playing = false;
                }
            }
            Action::Step => {
                next.playing = false;
                let wall = next.wall;
                let more = next.run.change().step(speed, wall);
                if !more {
                    next.notify("Nothing more happens in this run.".into(), false);
                }
            }
            Action::SetSpeed(i) => next.speed_index = i.min(format::SPEEDS.len() - 1),
            Action::Faster => {
                next.speed_index = (next.speed_index + 1).min(format::SPEEDS.len() - 1)
            }
            Action::Slower => next.speed_index = next.speed_index.saturating_sub(1),
            Action::Seek(t) => next.run.change().seek(t, speed),
            Action::Nudge(share) => {
                let mut pb = next.run.change();
                let end = pb.end().as_micros() as f64;
                let now = pb.now().as_micros() as f64;
                let t = (now + share * end).clamp(0.0, end);
                pb.seek(SimTime::from_micros(t as u64), speed);
            }
            Action::Fork => {
                let dropped = {
                    let mut pb = next.run.change();
                    let n = pb.actions_ahead();
                    pb.fork();
                    n
                };
                next.notify(
                    format!(
                        "Forked here: {dropped} later action{} dropped; what you do now writes a new ending.",
                        if dropped == 1 { "" } else { "s" }
                    ),
                    false,
                );
            }
            Action::Reset if next.lesson_reset() => {}
            Action::Reset => {
                let (scenario, seed) = next.scenario_and_seed();
                next.restart(scenario, seed);
            }
            Action::SetSeed(seed) => {
                let scenario = next.run.read().scenario();
                next.restart(scenario, seed);
            }
            Action::SetScenario(name) => match scenario::find(&name) {
                Some(s) => {
                    next.leave_lesson_quietly();
                    let seed = next.run.read().seed();
                    next.restart(s, seed);
                }
                None => next.notify(format!("There is no scenario called \"{name}\"."), true),
            },
            Action::SetEngine(engine) => {
                let (scenario, seed) = next.scenario_and_seed();
                next.leave_lesson_quietly();
                next.restart_with(scenario, seed, Some(engine));
                next.notify(
                    format!("The cluster was created again as {}.", engine.name()),
                    false,
                );
            }
            Action::Act(action) => next.act(action),
            Action::Select(selection) => {
                if selection == self.selection {
                    return self;
                }
                next.selection = selection;
            }
            Action::DismissNotice(id) => next.notices.retain(|n| n.id != id),
            Action::DismissNotices => next.notices.clear(),
            Action::Notify(text, problem) => next.notify(text, problem),
            Action::ToggleHelp => next.help_open = !next.help_open,
            Action::Escape => {
                if next.lesson.picker {
                    next.lesson.picker = false;
                } else if next.help_open {
                    next.help_open = false;
                } else if next.selection.is_some() {
                    next.selection = None;
                } else {
                    return self;
                }
            }
            Action::ShowPanels => {
                if self.panels > 0 {
                    return self;
                }
                next.panels = 1;
            }
            Action::SetReducedMotion(on) => {
                if on == self.reduced_motion {
                    return self;
                }
                next.reduced_motion = on;
                // With reduced motion the page does not start moving by itself.
                let at_start = next.run.read().now() == SimTime::ZERO;
                if on && at_start {
                    next.playing = false;
                }
            }
            Action::ToggleSelection => {
                let Some(selection) = next.selection else {
                    next.notify(
                        "Select something first: click it, or Tab to it and press Enter.".into(),
                        false,
                    );
                    return next.unless_same_as(self);
                };
                let first = {
                    let view = next.run.read().sim().view();
                    crate::choices::for_selection(selection, &view, &view.faults)
                        .into_iter()
                        .next()
                };
                match first {
                    Some(choice) => next.act(choice.action),
                    None => next.notify("There is no fault to inject into that.".into(), false),
                }
            }
            Action::RequestShare => {
                next.share_requests += 1;
                next.share_embed = false;
            }
            Action::RequestEmbed => {
                next.share_requests += 1;
                next.share_embed = true;
            }
            Action::ShowRegion(region) => {
                if region == self.region_shown {
                    return self;
                }
                next.region_shown = region;
                // What was selected may not be drawn in the other region.
                next.selection = None;
            }
            Action::CycleTheme => {
                next.theme = match next.theme {
                    Theme::Auto => Theme::Light,
                    Theme::Light => Theme::Dark,
                    Theme::Dark => Theme::Auto,
                }
            }
            Action::Lesson(a) => next.lesson_action(a),
            Action::LessonText(path, text) => next.lesson_text(path, text),
            Action::TakeAway(request) => next.take_away(request),
            Action::OpenRun(name, text) => next.open_run(&name, text),
        }
        // Actions from the link that the model refused become notices, not only log lines.
        if next.run.read().has_problems() {
            let problems = next.run.change().take_problems();
            for p in problems {
                next.notify(p, true);
            }
        }
        next.lesson_tick();
        next.unless_same_as(self)
    }
}

impl AppState {
    fn scenario_and_seed(&self) -> (&'static Scenario, u64) {
        let pb = self.run.read();
        (pb.scenario(), pb.seed())
    }

    /// The state to hand back: the one before when nothing changed, so that nothing renders.
    fn unless_same_as(self, before: Rc<AppState>) -> Rc<AppState> {
        if self == *before {
            before
        } else {
            Rc::new(self)
        }
    }
}

/// The arrow keys' step along the timeline.
pub const fn nudge() -> f64 {
    NUDGE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(scenario: &str, query: &str) -> Rc<AppState> {
        let s = aurora_core::scenario::find(scenario).expect("scenario");
        let (params, _) = crate::url::parse(query);
        Rc::new(AppState::new(s, &params, Vec::new()))
    }

    #[test]
    fn the_side_panels_come_in_a_group_a_frame_after_the_first_render() {
        for query in ["", "?autoplay=0"] {
            let mut s = state("replicas", query);
            assert_eq!(s.panels, 0, "the first render draws the diagram alone");
            // Frames before the first render is on screen bring no panels.
            s = s.reduce(Action::Frame(Tick::browser(0.0)));
            assert!(!s.panel_group(1));
            s = s.reduce(Action::ShowPanels);
            assert!(s.panel_group(1) && !s.panel_group(2), "{query}");
            for n in 2..=PANEL_GROUPS {
                s = s.reduce(Action::Frame(Tick::browser(f64::from(n) * 16.7)));
                assert!(s.panel_group(n), "{query}: group {n}");
                assert_eq!(s.all_panels(), n == PANEL_GROUPS, "{query}: group {n}");
            }
            assert!(s.all_panels(), "playing or paused, {query}");
            let before = Rc::clone(&s);
            s = s.reduce(Action::ShowPanels);
            assert!(Rc::ptr_eq(&before, &s), "shown once, nothing changes");
            assert_eq!(s.panels, PANEL_GROUPS);
        }
    }

    #[test]
    fn an_action_that_changes_nothing_hands_back_the_state_before_it() {
        let mut s = state("replicas", "?autoplay=0");
        s = s.reduce(Action::Notify("Hello.".into(), false));
        let before = Rc::clone(&s);
        // The same notice again, a notice not shown, a paused frame with nothing lit.
        for action in [
            Action::Notify("Hello.".into(), false),
            Action::DismissNotice(999),
            Action::Frame(Tick::browser(10.0)),
            Action::Select(None),
        ] {
            s = s.reduce(action.clone());
            assert!(Rc::ptr_eq(&before, &s), "{action:?} changed nothing");
        }
        s = s.reduce(Action::Step);
        assert!(!Rc::ptr_eq(&before, &s), "a step changes the run");
        assert!(*s != *before, "so the states differ");
        assert!(s.run.same(&before.run), "while still sharing one run");
        assert!(s.run.read().now() > SimTime::ZERO);
    }

    #[test]
    fn a_fresh_run_is_not_shared_with_the_state_before_it() {
        let mut s = state("replicas", "?autoplay=0");
        s = s.reduce(Action::Step);
        let before = Rc::clone(&s);
        s = s.reduce(Action::Reset);
        assert!(!s.run.same(&before.run));
        assert_eq!(s.run.read().now(), SimTime::ZERO);
        assert!(
            before.run.read().now() > SimTime::ZERO,
            "the old state keeps its run"
        );
    }

    thread_local! {
        static LATE: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
    }

    /// A clock on which every reading is a second after the one before: the model is out of
    /// time after its first chunk of events.
    fn always_late() -> f64 {
        LATE.with(|t| {
            t.set(t.get() + 1_000.0);
            t.get()
        })
    }

    #[test]
    fn a_frame_advances_by_its_wall_time_unless_its_clock_runs_out() {
        let at = |s: &AppState| s.run.read().now();
        let on_time = |wall| Tick {
            wall,
            clock: || 0.0,
        };
        let late = |wall| Tick {
            wall,
            clock: always_late,
        };
        for (name, tick) in [("on time", on_time as fn(f64) -> Tick), ("late", late)] {
            let mut s = state("e-commerce", "?speed=1");
            assert!(s.playing, "{name}");
            s = s.reduce(Action::Frame(tick(1_000.0)));
            let start = at(&s);
            // Five frames of 20 ms at speed 1: 100 ms of simulated time, if there is time.
            for n in 1..=5 {
                s = s.reduce(Action::Frame(tick(1_000.0 + 20.0 * f64::from(n))));
            }
            let gained = (at(&s) - start).as_micros();
            if name == "on time" {
                assert_eq!(gained, 100_000, "{name}");
            } else {
                assert!(gained < 100_000, "{name}: {gained} µs");
                assert!(gained > 0, "{name}: the model still moves on");
            }
        }
    }

    thread_local! {
        static TICKING: std::cell::Cell<f64> = const { std::cell::Cell::new(0.0) };
    }

    /// A clock that moves a microsecond at every reading: a frame's budget of milliseconds
    /// holds thousands of chunks of events, a budget of nothing holds one.
    fn ticking() -> f64 {
        TICKING.with(|t| {
            t.set(t.get() + 0.001);
            t.get()
        })
    }

    #[test]
    fn while_the_panels_are_drawn_the_model_runs_one_chunk_a_frame() {
        let at = |s: &AppState| s.run.read().now();
        let tick = |n: u32| Tick {
            wall: 1_000.0 + 20.0 * f64::from(n),
            clock: ticking,
        };
        let mut s = state("e-commerce", "?speed=1");
        s = s.reduce(Action::Frame(tick(0)));
        s = s.reduce(Action::ShowPanels);
        let mut gains = Vec::new();
        for n in 1..=u32::from(PANEL_GROUPS) + 2 {
            let before = at(&s);
            let mounting = !s.all_panels();
            s = s.reduce(Action::Frame(tick(n)));
            gains.push((mounting, (at(&s) - before).as_micros()));
        }
        assert!(s.all_panels());
        for (mounting, gained) in &gains {
            if *mounting {
                assert!(
                    *gained < 20_000,
                    "a mounting frame ran to its end: {gains:?}"
                );
                assert!(*gained > 0, "the model still moves on: {gains:?}");
            } else {
                assert_eq!(*gained, 20_000, "{gains:?}");
            }
        }
        assert!(gains.iter().any(|(m, _)| !m), "{gains:?}");
    }
}
