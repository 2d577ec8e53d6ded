//! The run: a scenario, a seed and the person's timed actions, played on the core's [`Sim`].
//!
//! A run is a pure function of those three, so the page can rewind and share it. Rewinding
//! restores the nearest earlier checkpoint (a clone of the `Sim`) and replays the logged actions
//! up to the point asked for; acting in the past forks the run, dropping the actions after it.
//! Nothing here touches the DOM: the page and the native tests drive it alike.

use aurora_core::backup::Engine;
use aurora_core::scenario::Scenario;
use aurora_core::{Event, Sim, SimDuration, SimTime};

use crate::actions::{Control, Timed};
use crate::acu::AcuHistory;
use crate::journal::{Journal, Tallies, Tone};
use crate::stream::{read_all, Moment};
use crate::traffic::Traffic;

/// Most checkpoints kept; past it every other one goes and the spacing doubles.
pub const MAX_CHECKPOINTS: usize = 40;
/// Events handled between two looks at the frame budget: small enough that a busy model
/// overruns its budget by a fraction of a millisecond.
const CHUNK: u64 = 400;
/// Events handled per call when there is no frame budget (rewinding, opening a link).
const BIG_CHUNK: u64 = 50_000;
/// Most events "next event" handles while looking for one that shows.
const STEP_LIMIT: usize = 200_000;
/// Wall-clock time between two logged events of a frequent kind, in ms.
const LOG_SAMPLE_MS: f64 = 1_200.0;

/// A run being played.
#[derive(Clone)]
pub struct Playback {
    scenario: &'static Scenario,
    seed: u64,
    /// The replicas the run started with, if the link asked for them.
    replicas: Option<u8>,
    /// The engine the cluster was created with, if the link asked for one (`engine=`).
    engine: Option<Engine>,
    sim: Sim,
    actions: Vec<Timed>,
    /// Actions before this index have been applied to `sim`.
    applied: usize,
    /// Clones of the run, each with how many actions it had applied, oldest first.
    checkpoints: Vec<(Sim, usize, Tallies)>,
    checkpoint_every: SimDuration,
    /// The furthest point this run has reached.
    horizon: SimTime,
    pub traffic: Traffic,
    pub journal: Journal,
    /// Serverless capacity readings for the ACU chart.
    pub acu: AcuHistory,
    /// Logged actions that could not be applied, in words, for the page's notices; each
    /// action is reported once, not again when a rewind replays it.
    problems: Vec<String>,
    reported_upto: usize,
    /// When set, every event drained from the run is also kept here for a lesson to read.
    pub tap: Option<Vec<(SimTime, Event)>>,
}

impl Playback {
    /// A fresh run of `scenario` with `seed`, and actions to apply when their times come.
    pub fn new(scenario: &'static Scenario, seed: u64, actions: Vec<Timed>) -> Playback {
        Playback::with_replicas(scenario, seed, None, actions)
    }

    /// A run whose cluster starts with at least `replicas` read replicas, all running from the
    /// first instant (a link's `replicas=N`).
    pub fn with_replicas(
        scenario: &'static Scenario,
        seed: u64,
        replicas: Option<u8>,
        actions: Vec<Timed>,
    ) -> Playback {
        Playback::with_setup(scenario, seed, replicas, None, actions)
    }

    /// As [`Playback::with_replicas`], with the cluster created for `engine` (Aurora MySQL or
    /// PostgreSQL: only MySQL can backtrack).
    pub fn with_setup(
        scenario: &'static Scenario,
        seed: u64,
        replicas: Option<u8>,
        engine: Option<Engine>,
        mut actions: Vec<Timed>,
    ) -> Playback {
        actions.sort_by_key(|a| a.at);
        let mut sim = scenario.start_with(seed, |config| {
            if let Some(want) = replicas {
                config.replicas = config.replicas.max(want);
            }
            if let Some(engine) = engine {
                config.backup.engine = engine;
            }
        });
        // The measurements over time for Save measurements, at the interval `aurora-sim --csv` uses.
        sim.record_measurements(aurora_core::measurements::default_interval(
            scenario.duration,
        ));
        let every = SimDuration::from_micros((scenario.duration.as_micros() / 30).max(1_000));
        Playback {
            scenario,
            seed,
            replicas,
            engine,
            checkpoints: vec![(sim.clone(), 0, Tallies::default())],
            sim,
            actions,
            applied: 0,
            problems: Vec::new(),
            reported_upto: 0,
            checkpoint_every: every,
            horizon: SimTime::ZERO,
            traffic: Traffic::default(),
            journal: Journal::default(),
            acu: AcuHistory::default(),
            tap: None,
        }
    }

    /// A run of a simulation built elsewhere (a lesson builds its own, with its setup and the
    /// steps before the one it opens at already played): it can be rewound to where it starts.
    pub fn from_sim(
        scenario: &'static Scenario,
        seed: u64,
        replicas: Option<u8>,
        mut sim: Sim,
    ) -> Playback {
        if sim.measurements().is_none() {
            sim.record_measurements(aurora_core::measurements::default_interval(
                scenario.duration,
            ));
        }
        let every = SimDuration::from_micros((scenario.duration.as_micros() / 30).max(1_000));
        Playback {
            scenario,
            seed,
            replicas,
            engine: None,
            checkpoints: vec![(sim.clone(), 0, Tallies::default())],
            horizon: sim.now(),
            sim,
            actions: Vec::new(),
            applied: 0,
            problems: Vec::new(),
            reported_upto: 0,
            checkpoint_every: every,
            traffic: Traffic::default(),
            journal: Journal::default(),
            acu: AcuHistory::default(),
            tap: None,
        }
    }

    /// A new run that starts at this run's moment, with its log and charts so far and no
    /// actions of its own: free play forked from a lesson, which leaves this run as it is.
    pub fn fork_here(&self) -> Playback {
        let mut p = Playback::from_sim(self.scenario, self.seed, self.replicas, self.sim.clone());
        p.journal = self.journal.clone();
        p.acu = self.acu.clone();
        p.engine = self.engine;
        p
    }

    /// Changes the simulation directly (a lesson's own actions, which are not the person's and
    /// so are not logged for replay), then takes in what it emitted.
    pub fn drive<R>(&mut self, speed: f64, wall: f64, f: impl FnOnce(&mut Sim) -> R) -> R {
        let r = f(&mut self.sim);
        self.ingest(speed, wall, true);
        self.maybe_checkpoint();
        self.horizon = self.horizon.max(self.sim.now());
        r
    }

    pub fn scenario(&self) -> &'static Scenario {
        self.scenario
    }
    pub fn seed(&self) -> u64 {
        self.seed
    }
    pub fn replicas(&self) -> Option<u8> {
        self.replicas
    }

    /// The engine the link asked the cluster to be created with, if any.
    pub fn engine(&self) -> Option<Engine> {
        self.engine
    }
    pub fn sim(&self) -> &Sim {
        &self.sim
    }
    pub fn now(&self) -> SimTime {
        self.sim.now()
    }
    pub fn horizon(&self) -> SimTime {
        self.horizon
    }
    /// Where the timeline ends: the scenario's length, or further if the run went on.
    pub fn end(&self) -> SimTime {
        (SimTime::ZERO + self.scenario.duration).max(self.horizon)
    }
    pub fn actions(&self) -> &[Timed] {
        &self.actions
    }
    /// Actions logged after the current time, which playing on will replay.
    pub fn actions_ahead(&self) -> usize {
        self.actions.len() - self.applied
    }
    /// Takes the problems found since last asked.
    /// Whether any of the link's actions were refused since the last [`Playback::take_problems`].
    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    pub fn take_problems(&mut self) -> Vec<String> {
        std::mem::take(&mut self.problems)
    }

    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    fn log_gap(speed: f64) -> SimDuration {
        SimDuration::from_micros((speed * LOG_SAMPLE_MS * 1_000.0).max(0.0) as u64)
    }

    /// Runs to `target`, applying logged actions on the way. With a budget, stops early when
    /// `out_of_time` says so and returns false. `animate` puts messages in flight.
    pub fn run(
        &mut self,
        target: SimTime,
        speed: f64,
        wall: f64,
        animate: bool,
        mut out_of_time: Option<&mut dyn FnMut() -> bool>,
    ) -> bool {
        let chunk = if out_of_time.is_some() {
            CHUNK
        } else {
            BIG_CHUNK
        };
        let reached = loop {
            let next = self.actions.get(self.applied).map(|a| a.at);
            let mut stop = match next {
                Some(at) if at <= target => at,
                _ => target,
            };
            // At the frontier, stop at the next checkpoint's time, so checkpoints stay evenly
            // spaced however large the steps.
            if let Some((last, ..)) = self.checkpoints.last() {
                let due = last.now() + self.checkpoint_every;
                if due > self.sim.now() {
                    stop = stop.min(due);
                }
            }
            let reached = self.sim.run_bounded(stop, chunk);
            if reached {
                self.apply_due(speed, wall, animate);
            }
            self.ingest(speed, wall, animate);
            self.maybe_checkpoint();
            if reached && stop >= target {
                break true;
            }
            if let Some(f) = out_of_time.as_mut() {
                if f() {
                    break false;
                }
            }
        };
        self.horizon = self.horizon.max(self.sim.now());
        if animate {
            self.traffic.expire(self.sim.now(), wall);
            self.journal.expire(wall);
        }
        reached
    }

    /// Applies the logged actions due by now (the clock has reached their time).
    fn apply_due(&mut self, speed: f64, wall: f64, animate: bool) {
        while let Some(next) = self.actions.get(self.applied) {
            if next.at > self.sim.now() {
                break;
            }
            let timed = next.clone();
            self.applied += 1;
            let now = self.sim.now();
            let result = timed
                .action
                .command(&self.sim)
                .and_then(|cmd| self.sim.apply(cmd).map_err(|e| e.to_string()));
            match result {
                Ok(()) => {
                    self.journal
                        .note(now, crate::actions::describe(&timed.action), Tone::You)
                }
                Err(why) => {
                    let text = format!(
                        "could not replay \"{}\": {why}",
                        crate::actions::describe(&timed.action)
                    );
                    if self.applied > self.reported_upto {
                        self.reported_upto = self.applied;
                        self.problems.push(format!(
                            "The link's action at {} could not be applied: {why}.",
                            crate::format::clock(now)
                        ));
                    }
                    self.journal.note(now, text, Tone::Bad)
                }
            }
            self.ingest(speed, wall, animate);
        }
    }

    /// Handles events up to the next one that shows (or the next logged action) and stops
    /// there. Returns false when nothing is left to happen.
    pub fn step(&mut self, speed: f64, wall: f64) -> bool {
        for _ in 0..STEP_LIMIT {
            let next_event = self.sim.next_event_time();
            if let Some(action) = self.actions.get(self.applied) {
                if next_event.is_none_or(|t| action.at < t) {
                    let at = action.at;
                    self.sim.run_until(at);
                    self.apply_due(speed, wall, true);
                    self.after_step(wall);
                    return true;
                }
            }
            if !self.sim.step() {
                self.after_step(wall);
                return false;
            }
            let before = self.journal.version + self.traffic.sent;
            self.ingest(speed, wall, true);
            if self.journal.version + self.traffic.sent != before {
                break;
            }
        }
        self.after_step(wall);
        true
    }

    fn after_step(&mut self, wall: f64) {
        self.maybe_checkpoint();
        self.horizon = self.horizon.max(self.sim.now());
        self.traffic.expire(self.sim.now(), wall);
    }

    /// Applies a person's action now. Acting before the end of the logged run forks it: the
    /// actions logged after now are dropped. On error nothing changes and the reason, in words
    /// a student understands, comes back.
    pub fn act(&mut self, action: Control, speed: f64, wall: f64) -> Result<(), String> {
        // Finish the current instant first, as a replay does before applying an action.
        let now = self.sim.now();
        self.sim.run_until(now);
        self.ingest(speed, wall, true);
        let cmd = action.command(&self.sim)?;
        self.sim.apply(cmd).map_err(|e| e.to_string())?;
        self.fork();
        self.journal
            .note(now, crate::actions::describe(&action), Tone::You);
        self.actions.push(Timed { at: now, action });
        self.applied = self.actions.len();
        self.ingest(speed, wall, true);
        Ok(())
    }

    /// Drops the logged actions after now, and the checkpoints after now: the run continues
    /// from here as a new branch.
    pub fn fork(&mut self) {
        self.actions.truncate(self.applied);
        let now = self.sim.now();
        let applied = self.applied;
        self.checkpoints
            .retain(|(sim, n, _)| sim.now() <= now && *n <= applied);
        self.horizon = now;
    }

    /// Rewinds or fast-forwards to `t` (within what the run has reached): restores the nearest
    /// earlier checkpoint and replays from it.
    pub fn seek(&mut self, t: SimTime, speed: f64) {
        let t = t.min(self.horizon);
        let index = self
            .checkpoints
            .iter()
            .rposition(|(sim, ..)| sim.now() <= t)
            .unwrap_or(0);
        let Some((sim, applied, tallies)) = self.checkpoints.get(index).cloned() else {
            return;
        };
        // Moving forward from the current point is cheaper than from the checkpoint.
        if !(t >= self.sim.now() && self.sim.now() >= sim.now()) {
            self.journal.cut(sim.now(), tallies);
            self.acu.cut(sim.now());
            self.sim = sim;
            self.applied = applied;
        }
        self.traffic.clear();
        self.open_at(t, speed);
    }

    /// Runs to `t` without animation (a link's or a saved run's moment, or the end of a seek)
    /// and writes the routine summaries counted so far, so the log reaches the moment.
    pub fn open_at(&mut self, t: SimTime, speed: f64) {
        self.run(t, speed, 0.0, false, None);
        self.journal.flush(&self.sim);
    }

    /// Takes the events since the last call: messages into flight, the rest into the journal.
    fn ingest(&mut self, speed: f64, wall: f64, animate: bool) {
        let events: Vec<(SimTime, Event)> = self.sim.drain_events().collect();
        if events.is_empty() {
            return;
        }
        if let Some(tap) = self.tap.as_mut() {
            tap.extend(events.iter().cloned());
        }
        let moment = Moment {
            sim: &self.sim,
            speed,
            wall,
            animate,
            log_gap: Self::log_gap(speed),
        };
        read_all(
            &events,
            &mut [&mut self.acu, &mut self.traffic, &mut self.journal],
            &moment,
        );
    }

    fn maybe_checkpoint(&mut self) {
        let now = self.sim.now();
        let due = self
            .checkpoints
            .last()
            .is_none_or(|(last, ..)| now >= last.now() + self.checkpoint_every);
        if !due {
            return;
        }
        self.checkpoints
            .push((self.sim.clone(), self.applied, self.journal.tallies()));
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            // Keep the first (the start) and every other one after it.
            let mut i = 0;
            self.checkpoints.retain(|_| {
                i += 1;
                i == 1 || i % 2 == 0
            });
            self.checkpoint_every = self.checkpoint_every.saturating_mul(2);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurora_core::compute::instance::Role;
    use aurora_core::scenario;

    fn find(name: &str) -> &'static Scenario {
        match scenario::find(name) {
            Some(s) => s,
            None => panic!("scenario {name} exists"),
        }
    }

    fn ms(v: u64) -> SimTime {
        SimTime::from_micros(v * 1_000)
    }

    #[test]
    fn a_run_is_the_same_however_it_is_chunked() {
        let s = find("replicas");
        let mut a = Playback::new(s, 7, Vec::new());
        a.run(ms(300), 1.0, 0.0, true, None);
        let mut b = Playback::new(s, 7, Vec::new());
        let mut calls = 0;
        for i in 1..=30 {
            let mut budget = || {
                calls += 1;
                calls % 3 == 0
            };
            while !b.run(ms(i * 10), 1.0, 0.0, true, Some(&mut budget)) {}
        }
        assert_eq!(a.now(), b.now());
        assert_eq!(a.sim().trace_digest(), b.sim().trace_digest());
    }

    #[test]
    fn actions_replay_exactly_from_a_link() {
        let s = find("replicas");
        let mut live = Playback::new(s, 3, Vec::new());
        live.run(ms(120), 0.01, 0.0, true, None);
        live.act(Control::FailAz(1), 0.01, 0.0)
            .expect("AZ b can fail");
        live.run(ms(250), 0.01, 0.0, true, None);
        live.act(Control::HealAz(1), 0.01, 0.0)
            .expect("AZ b can heal");
        live.run(ms(400), 0.01, 0.0, true, None);

        let mut replay = Playback::new(s, 3, live.actions().to_vec());
        replay.run(ms(121), 0.01, 0.0, false, None);
        assert!(replay
            .journal
            .lines
            .iter()
            .any(|l| l.text == "you failed AZ b"));
        replay.run(ms(400), 0.01, 0.0, false, None);
        assert_eq!(replay.sim().trace_digest(), live.sim().trace_digest());
    }

    #[test]
    fn a_link_with_replicas_starts_with_them_running_and_keeps_its_actions() {
        let s = find("e-commerce");
        let load = Timed {
            at: SimTime::ZERO,
            action: Control::SetLoad {
                rate: 20_000,
                read_pct: 50,
            },
        };
        let mut p = Playback::with_replicas(s, 1, Some(15), vec![load.clone()]);
        p.run(ms(1), 0.01, 0.0, false, None);
        let instances = p.sim().view().instances;
        assert_eq!(instances.len(), 16);
        assert_eq!(
            instances.iter().filter(|i| i.role == Role::Replica).count(),
            15
        );
        assert_eq!(p.sim().load_view().knobs(), (20_000, 50));
        assert_eq!(p.actions(), [load]);
        assert_eq!(p.replicas(), Some(15));
        // Fewer than the scenario has already: the scenario's own.
        let p = Playback::with_replicas(s, 1, Some(2), Vec::new());
        let replicas = p
            .sim()
            .view()
            .instances
            .iter()
            .filter(|i| i.role == Role::Replica)
            .count();
        assert_eq!(replicas, 10);
    }

    #[test]
    fn rewinding_and_playing_on_gives_the_same_run() {
        let s = find("replicas");
        let mut p = Playback::new(s, 5, Vec::new());
        p.run(ms(100), 0.01, 0.0, true, None);
        p.act(Control::Crash("az-a-1".into()), 0.01, 0.0)
            .expect("az-a-1 can crash");
        p.run(ms(900), 0.01, 0.0, true, None);
        let digest = p.sim().trace_digest();
        assert!(p.checkpoints() > 2, "checkpoints were taken");

        p.seek(ms(50), 0.01);
        assert_eq!(p.now(), ms(50));
        assert_eq!(p.actions_ahead(), 1, "the crash lies ahead");
        p.run(ms(900), 0.01, 0.0, true, None);
        assert_eq!(p.sim().trace_digest(), digest);

        // Forward within what was reached, then back again.
        p.seek(ms(500), 0.01);
        p.seek(ms(700), 0.01);
        p.run(ms(900), 0.01, 0.0, true, None);
        assert_eq!(p.sim().trace_digest(), digest);
    }

    #[test]
    fn acting_in_the_past_forks_the_run() {
        let s = find("replicas");
        let mut p = Playback::new(s, 5, Vec::new());
        p.run(ms(100), 0.01, 0.0, true, None);
        p.act(Control::FailAz(2), 0.01, 0.0).expect("AZ c fails");
        p.run(ms(300), 0.01, 0.0, true, None);
        p.seek(ms(50), 0.01);
        p.act(Control::FailAz(0), 0.01, 0.0).expect("AZ a fails");
        assert_eq!(p.actions().len(), 1);
        assert_eq!(p.actions()[0].action, Control::FailAz(0));
        assert_eq!(p.horizon(), ms(50));
    }

    #[test]
    fn a_refused_action_changes_nothing_and_says_why() {
        let s = find("replicas");
        let mut p = Playback::new(s, 5, Vec::new());
        p.run(ms(10), 0.01, 0.0, true, None);
        let before = p.sim().trace_digest();
        let err = p
            .act(Control::HealAz(1), 0.01, 0.0)
            .expect_err("nothing to heal");
        assert!(err.contains("not in force"), "{err}");
        assert_eq!(p.sim().trace_digest(), before);
        assert!(p.actions().is_empty());
    }

    #[test]
    fn checkpoints_stay_capped() {
        let s = find("quorum-write");
        let mut p = Playback::new(s, 1, Vec::new());
        p.run(
            SimTime::ZERO + s.duration + s.duration,
            1.0,
            0.0,
            false,
            None,
        );
        assert!(p.checkpoints() <= MAX_CHECKPOINTS);
        assert!(p.checkpoints() >= MAX_CHECKPOINTS / 2);
    }

    #[test]
    fn the_acu_history_follows_the_spike_and_survives_a_rewind() {
        let s = find("serverless-v2-spike");
        let mut p = Playback::new(s, 1, Vec::new());
        p.run(ms(90_000), 10.0, 0.0, false, None);
        let w = p.sim().view().writer.node;
        let series = p.acu.series(w);
        let before: Vec<u16> = series
            .iter()
            .filter(|(t, _)| *t < ms(60_000))
            .map(|x| x.1)
            .collect();
        assert!(before.iter().all(|&h| h <= 4), "small before: {before:?}");
        let peak = series.iter().map(|x| x.1).max().unwrap_or(0);
        assert!(peak >= 30, "it grew with the spike: {peak}");
        let whole = p.acu.clone();
        p.seek(ms(30_000), 10.0);
        assert!(p.acu.series(w).iter().all(|(t, _)| *t <= ms(30_000)));
        p.run(ms(90_000), 10.0, 0.0, false, None);
        assert_eq!(p.acu, whole, "replaying refills it the same");
    }

    #[test]
    fn next_event_stops_at_something_visible() {
        let s = find("quorum-write");
        let mut p = Playback::new(s, 1, Vec::new());
        assert!(p.step(0.001, 0.0));
        let shown = p.traffic.sent + (p.journal.lines.len() + p.journal.routine.len()) as u64;
        assert!(shown > 0, "a step shows a message or a log line");
    }

    #[test]
    fn moving_back_along_the_timeline_keeps_routine_lines_up_to_the_moment() {
        let s = find("writer-crash");
        let routine = |p: &Playback| {
            p.journal
                .routine
                .iter()
                .map(|l| (l.at, l.text.clone(), l.summary.clone()))
                .collect::<Vec<_>>()
        };
        for moment in [ms(6_000), ms(11_000)] {
            let mut p = Playback::new(s, 1, Vec::new());
            p.run(ms(12_000), 100.0, 0.0, false, None);
            p.seek(moment, 100.0);
            // The same as a run that stopped there and showed what it had counted.
            let mut direct = Playback::new(s, 1, Vec::new());
            direct.run(moment, 100.0, 0.0, false, None);
            let names = direct.sim().clone();
            direct.journal.flush(&names);
            assert_eq!(routine(&p), routine(&direct));
            let newest = p.journal.routine.back().map(|l| l.at);
            // Commits stop while the writer restarts (2 s to 9.5 s), so at 6 s the newest
            // routine line is the last commit before the crash; at 11 s it is within moments.
            let floor = if moment == ms(6_000) {
                ms(1_900)
            } else {
                ms(10_900)
            };
            assert!(
                newest.is_some_and(|at| at <= moment && at >= floor),
                "newest routine line at {newest:?} for {moment:?}"
            );
        }
        // Playing on from the moment, the early lines give way to later ones: nothing is
        // counted twice.
        let mut p = Playback::new(s, 1, Vec::new());
        p.run(ms(12_000), 100.0, 0.0, false, None);
        p.seek(ms(11_000), 100.0);
        p.run(ms(12_000), 100.0, 0.0, false, None);
        let names = p.sim().clone();
        p.journal.flush(&names);
        let mut whole = Playback::new(s, 1, Vec::new());
        whole.run(ms(12_000), 100.0, 0.0, false, None);
        whole.journal.flush(&names);
        assert_eq!(routine(&p), routine(&whole));
    }
}
