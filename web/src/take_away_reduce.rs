//! The reducer's part of taking things away: asking for a file to be saved (the page saves it
//! after the render), and opening a run file, which either replaces the run with the file's or
//! leaves everything as it was and says, with the line and column, what is wrong.

use super::AppState;
use crate::playback::Playback;
use crate::take_away::Request;

impl AppState {
    /// Asks the page to save something. A lesson's run is made by the lesson, not by actions a
    /// run file can hold: its link stands for it instead.
    pub(super) fn take_away(&mut self, request: Request) {
        if request == Request::Run && (self.lesson.following() || self.lesson.loading.is_some()) {
            self.notify(
                "A lesson's run is the lesson's own: Copy link gives its step; Try it yourself, then Save run, keeps what you do from there."
                    .into(),
                false,
            );
            return;
        }
        self.take_away = (self.take_away.0 + 1, Some(request));
    }

    /// Opens a run file: the same scenario, seed, starting replicas and actions, at the moment
    /// it was saved, paused. A file that cannot be read changes nothing.
    pub(super) fn open_run(&mut self, name: &str, text: Result<String, String>) {
        let text = match text {
            Ok(t) => t,
            Err(why) => {
                self.notify(format!("{name} could not be read: {why}."), true);
                return;
            }
        };
        let opened = match crate::export_run::open(&text) {
            Ok(o) => o,
            Err(e) => {
                self.notify(
                    format!("{name} was not opened: line {}, column {}: {}. The run on screen is unchanged.", e.line, e.column, e.message),
                    true,
                );
                return;
            }
        };
        self.leave_lesson_quietly();
        let count = opened.actions.len();
        let mut pb = Playback::with_replicas(
            opened.scenario,
            opened.seed,
            opened.replicas,
            opened.actions,
        );
        // As for a link's moment: no further than a little past the run's end.
        let end = pb.end().max(pb.actions().last().map_or(pb.end(), |a| a.at));
        let at = opened.at.min(end + crate::url::MAX_T_PAST_END);
        pb.open_at(at, self.speed());
        let problems = pb.take_problems();
        self.run.replace(pb);
        self.playing = false;
        self.selection = None;
        self.effective_speed = None;
        self.gauge.reset();
        self.last_wall = None;
        self.region_shown = None;
        self.notify(
            format!(
                "Opened {name}: {}, seed {}, {count} action{}, at {}. Play to go on; the timeline replays it.",
                opened.scenario.name,
                opened.seed,
                if count == 1 { "" } else { "s" },
                crate::format::clock(at)
            ),
            false,
        );
        for p in problems {
            self.notify(p, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::state::{Action, AppState};
    use crate::take_away::Request;
    use crate::url::Params;
    use aurora_core::scenario::find;
    use aurora_core::SimTime;
    use std::rc::Rc;
    use yew::Reducible;

    fn state(scenario: &str) -> Rc<AppState> {
        let s = find(scenario).expect("scenario");
        Rc::new(AppState::new(s, &Params::default(), Vec::new()))
    }

    fn digest(s: &AppState) -> (String, u64, u64, SimTime) {
        let pb = s.run.read();
        (
            pb.scenario().name.to_string(),
            pb.seed(),
            pb.sim().trace_digest(),
            pb.now(),
        )
    }

    #[test]
    fn a_saved_run_opens_at_its_moment_with_the_same_digest() {
        let s = state("failover");
        let saved = {
            let mut run = s.run.clone();
            let mut pb = run.change();
            pb.run(SimTime::from_micros(1_000_000), 0.01, 0.0, false, None);
            pb.act(crate::actions::Control::FailAz(1), 0.01, 0.0)
                .expect("acts");
            pb.run(SimTime::from_micros(2_500_000), 0.01, 0.0, false, None);
            crate::export_run::save(&pb)
        };
        assert!(saved.contains("\nat 2500000\n"), "{saved}");
        let before = digest(&s);
        let other = state("replicas");
        let opened = other.reduce(Action::OpenRun("run.aurora-run".into(), Ok(saved)));
        assert_eq!(digest(&opened), before);
        assert!(!opened.playing);
        assert!(opened
            .notices
            .iter()
            .any(|n| n.text.contains("Opened run.aurora-run: failover")));
    }

    #[test]
    fn a_bad_or_newer_file_keeps_the_run_and_says_where() {
        let s = state("replicas");
        let before = digest(&s);
        let bad = s.reduce(Action::OpenRun(
            "bad.aurora-run".into(),
            Ok("aurora-run 1\nscenario failover\nseed 3\naction 10.fail-az.q\n".into()),
        ));
        assert_eq!(digest(&bad), before);
        let n = bad.notices.last().expect("a notice");
        assert!(n.problem);
        assert!(n.text.contains("line 4, column 19"), "{}", n.text);
        let newer = bad.reduce(Action::OpenRun(
            "new.aurora-run".into(),
            Ok("aurora-run 7\nscenario failover\nseed 3\n".into()),
        ));
        assert_eq!(digest(&newer), before);
        let n = newer.notices.last().expect("a notice");
        assert!(
            n.text.contains("line 1, column 12") && n.text.contains("version 7"),
            "{}",
            n.text
        );
    }

    #[test]
    fn a_save_is_asked_for_once_per_press() {
        let s = state("replicas");
        let a = s.reduce(Action::TakeAway(Request::Measurements));
        assert_eq!(a.take_away, (1, Some(Request::Measurements)));
        let b = a.reduce(Action::TakeAway(Request::Run));
        assert_eq!(b.take_away, (2, Some(Request::Run)));
    }
}
