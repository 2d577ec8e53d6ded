//! Save run / Open run: the page's run as the core's run file (`aurora_core::run_file`), and a
//! run file back into what the page starts a run from. The format, its parser and its writer
//! live in the core, shared with `aurora-sim --run`; this module only maps the page's logged
//! actions to the file's lines and back.

use aurora_core::run_file::{RunFile, RunFileError};
use aurora_core::scenario::Scenario;

use crate::actions::Timed;
use crate::playback::Playback;

/// The run file of what is playing: its scenario, seed, starting replicas and every logged
/// action (the share link's text for each).
pub fn save(p: &Playback) -> Result<String, String> {
    let mut run = RunFile::new(p.scenario(), p.seed());
    run.replicas = p.replicas();
    run.at = Some(p.now());
    for t in p.actions() {
        run.push_link(t.at, &t.action.encode())?;
    }
    Ok(run.to_text())
}

/// What an opened run file asks the page to start.
pub struct Opened {
    pub scenario: &'static Scenario,
    pub seed: u64,
    pub replicas: Option<u8>,
    pub actions: Vec<Timed>,
    /// Where the run was saved: the page opens it there.
    pub at: aurora_core::SimTime,
}

/// Reads a run file for the page. An action the core reads but the page's controls cannot do
/// (a lesson's setup verb) is refused with its line, so the page never replays less than the
/// file holds.
pub fn open(text: &str) -> Result<Opened, RunFileError> {
    let run = RunFile::parse(text)?;
    let mut actions = Vec::with_capacity(run.actions.len());
    for a in &run.actions {
        let encoded = format!("{}.{}", a.at.as_micros(), a.link);
        match Timed::decode(&encoded) {
            Ok(t) => actions.push(t),
            Err(why) => {
                let line = text
                    .lines()
                    .position(|l| l.contains(&encoded))
                    .map_or(1, |i| i + 1);
                return Err(RunFileError {
                    line,
                    column: 8,
                    message: format!("the page cannot replay this action: {why}"),
                });
            }
        }
    }
    Ok(Opened {
        scenario: run.scenario,
        seed: run.seed,
        replicas: run.replicas,
        actions,
        at: run.at.unwrap_or(aurora_core::SimTime::ZERO),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::UserAction;
    use aurora_core::scenario::find;
    use aurora_core::SimTime;

    fn ms(v: u64) -> SimTime {
        SimTime::from_micros(v * 1_000)
    }

    /// A page run with the person's actions, saved, opened again and played by the core's
    /// run-file player (what `aurora-sim --run` does) ends with the page's trace digest.
    fn page_run_replays_in_the_runner(scenario: &str, actions: &[(u64, UserAction)]) {
        let s = find(scenario).expect("scenario");
        let mut live = Playback::with_replicas(s, 5, Some(3), Vec::new());
        for (at, action) in actions {
            live.run(ms(*at), 0.01, 0.0, true, None);
            live.act(action.clone(), 0.01, 0.0)
                .unwrap_or_else(|e| panic!("{action:?}: {e}"));
        }
        live.run(ms(3_000), 0.01, 0.0, true, None);
        let text = save(&live).expect("the run saves");
        let opened = open(&text).expect("the saved file opens");
        assert_eq!(opened.actions, live.actions());
        let mut again = Playback::with_replicas(
            opened.scenario,
            opened.seed,
            opened.replicas,
            opened.actions,
        );
        again.run(ms(3_000), 0.01, 0.0, false, None);
        assert_eq!(
            again.sim().trace_digest(),
            live.sim().trace_digest(),
            "the page's replay"
        );

        let run = RunFile::parse(&text).expect("the core reads it");
        let mut sim = run.start();
        let refused = run.play(&mut sim, ms(3_000));
        assert_eq!(refused, 0, "{text}");
        assert_eq!(
            sim.trace_digest(),
            live.sim().trace_digest(),
            "the runner's replay of\n{text}"
        );
    }

    #[test]
    fn faults_and_a_failover_replay_in_the_runner_with_the_pages_digest() {
        page_run_replays_in_the_runner(
            "failover",
            &[
                (400, UserAction::FailAz(2)),
                (900, UserAction::Crash("az-a-1".into())),
                (1_200, UserAction::Failover),
                (1_800, UserAction::HealAz(2)),
            ],
        );
    }

    #[test]
    fn load_capacity_and_replicas_replay_in_the_runner_with_the_pages_digest() {
        page_run_replays_in_the_runner(
            "e-commerce",
            &[
                (
                    300,
                    UserAction::SetLoad {
                        rate: 3_000,
                        read_pct: 80,
                    },
                ),
                (700, UserAction::AddReplica(1)),
                (1_000, UserAction::LongTransaction(5)),
            ],
        );
        page_run_replays_in_the_runner(
            "replicas",
            &[(
                500,
                UserAction::SetLoad {
                    rate: 800,
                    read_pct: 20,
                },
            )],
        );
    }

    #[test]
    fn a_bad_or_newer_file_is_refused_with_its_position() {
        let e = open("aurora-run 9\nscenario failover\nseed 1\n")
            .err()
            .expect("refused");
        assert_eq!(e.line, 1);
        assert!(e.message.contains("version 9"));
        let e = open("aurora-run 1\nscenario failover\nseed 1\naction 5.grow.10\n")
            .err()
            .expect("a lesson's setup verb is not a page action");
        assert_eq!(e.line, 4);
    }
}
