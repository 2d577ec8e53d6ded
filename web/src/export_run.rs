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
pub fn save(p: &Playback) -> String {
    let mut run = RunFile::new(p.scenario(), p.seed());
    run.replicas = p.replicas();
    run.at = Some(p.now());
    for t in p.actions() {
        run.push(t.at, t.action.clone());
    }
    run.to_text()
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

/// Reads a run file for the page: its actions are the page's own controls, so whatever the
/// file holds the page replays.
pub fn open(text: &str) -> Result<Opened, RunFileError> {
    let run = RunFile::parse(text)?;
    let actions = run
        .actions
        .iter()
        .map(|a| Timed {
            at: a.at,
            action: a.action.clone(),
        })
        .collect();
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
    use crate::actions::Control;
    use aurora_core::scenario::find;
    use aurora_core::SimTime;

    fn ms(v: u64) -> SimTime {
        SimTime::from_micros(v * 1_000)
    }

    /// A page run with the person's actions, saved, opened again and played by the core's
    /// run-file player (what `aurora-sim --run` does) ends with the page's trace digest.
    fn page_run_replays_in_the_runner(scenario: &str, actions: &[(u64, Control)]) {
        let s = find(scenario).expect("scenario");
        let mut live = Playback::with_replicas(s, 5, Some(3), Vec::new());
        for (at, action) in actions {
            live.run(ms(*at), 0.01, 0.0, true, None);
            live.act(action.clone(), 0.01, 0.0)
                .unwrap_or_else(|e| panic!("{action:?}: {e}"));
        }
        live.run(ms(3_000), 0.01, 0.0, true, None);
        let text = save(&live);
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
                (400, Control::FailAz(2)),
                (900, Control::Crash("az-a-1".into())),
                (1_200, Control::Failover),
                (1_800, Control::HealAz(2)),
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
                    Control::SetLoad {
                        rate: 3_000,
                        read_pct: 80,
                    },
                ),
                (700, Control::AddReplica(1)),
                (1_000, Control::LongTransaction(5)),
            ],
        );
        page_run_replays_in_the_runner(
            "replicas",
            &[(
                500,
                Control::SetLoad {
                    rate: 800,
                    read_pct: 20,
                },
            )],
        );
    }

    /// Every backup control the page offers, retention and a clone's writes included, saves
    /// and replays in the runner with the page's digest.
    #[test]
    fn backup_controls_replay_in_the_runner_with_the_pages_digest() {
        page_run_replays_in_the_runner(
            "clone",
            &[
                (300, Control::Retention(7)),
                (600, Control::Clone(0)),
                (
                    900,
                    Control::ClusterWrites {
                        cluster: 1,
                        per_sec: 20,
                    },
                ),
                (1_500, Control::Snapshot),
                (2_400, Control::DeleteCluster(1)),
            ],
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
