//! What the page's panels show, gathered from the run: the figures, the log, the capacity
//! gauges, the world map's data, the pictures that can be saved, the region drawn in full.
//!
//! Plain functions from the run and its view to the panels' props, so the page's component only
//! wires them together, and each can be tested without a browser.

use std::rc::Rc;

use aurora_core::compute::instance::Role;
use aurora_core::serverless::Capacity;
use aurora_core::view::View;
use aurora_core::{Fault, Sim, SimDuration, SimTime};

use crate::backups::BackupsData;
use crate::components::capacity::Gauge;
use crate::components::charts::{Figures, Table4Row};
use crate::components::world::World;
use crate::journal::LogLine;
use crate::playback::Playback;
use crate::take_away::Picture;

/// Wall-clock seconds of history the latency chart shows, at any speed.
const CHART_WALL_SECONDS: f64 = 20.0;
/// While playing, the side panels' figures, event log and inspector are rebuilt this often
/// (wall-clock ms): a number redrawn every frame cannot be read, and the diagram keeps the
/// frame's time for itself. Paused, stepping or scrubbing, they follow every change.
pub const PANEL_REFRESH_MS: f64 = 250.0;

/// What the side panels showed last, and when to rebuild it.
pub struct PanelCache {
    next_at: f64,
    /// The run and the actions in it the panels were built from: a new run, a user action or a
    /// jump back in time rebuilds them at once.
    run: *const (),
    actions: usize,
    at: SimTime,
    shown: Cached,
}

/// The side panels' data, shared with the cache.
#[derive(Clone)]
pub struct Cached {
    pub figures: Rc<Figures>,
    pub log: Rc<Vec<LogLine>>,
    pub routine: Rc<Vec<LogLine>>,
    pub log_version: u64,
    /// The view the inspector reads.
    pub view: Rc<View>,
    pub backups: Rc<BackupsData>,
}

/// The frame the panels are drawn in.
#[derive(Clone, Copy, Debug)]
pub struct Moment {
    /// The run's identity ([`crate::shared::Shared::id`]).
    pub run: *const (),
    /// The frame's wall-clock time, in ms.
    pub wall: f64,
    pub playing: bool,
    pub speed: f64,
}

impl PanelCache {
    /// Whether the panels must be built again for this frame.
    fn stale(&self, moment: &Moment, pb: &Playback, now: SimTime) -> bool {
        !moment.playing
            || moment.wall >= self.next_at
            || self.run != moment.run
            || self.actions != pb.actions().len()
            || self.at > now
    }
}

/// The side panels' data for this frame: built again when the cache is stale, else the data
/// the cache holds.
pub fn cached(cache: &mut Option<PanelCache>, pb: &Playback, view: &Rc<View>, m: Moment) -> Cached {
    if let Some(c) = cache.as_ref().filter(|c| !c.stale(&m, pb, view.now)) {
        return c.shown.clone();
    }
    let shown = Cached {
        figures: Rc::new(figures(pb, view, m.speed)),
        log: Rc::new(pb.journal.lines.iter().cloned().collect()),
        routine: Rc::new(pb.journal.routine.iter().cloned().collect()),
        log_version: pb.journal.version,
        view: Rc::clone(view),
        backups: Rc::new(crate::backups::data(&view.backup, view.now)),
    };
    *cache = Some(PanelCache {
        next_at: m.wall + PANEL_REFRESH_MS,
        run: m.run,
        actions: pb.actions().len(),
        at: view.now,
        shown: shown.clone(),
    });
    shown
}

/// The charts' figures: latency over the last [`CHART_WALL_SECONDS`] of wall-clock time at this
/// speed, throughput, replica lag beside P17 Table 4, the clients' view, the invariants.
pub fn figures(pb: &Playback, view: &View, speed: f64) -> Figures {
    let sim = pb.sim();
    let m = sim.metrics();
    let window =
        SimDuration::from_micros((speed * CHART_WALL_SECONDS * 1e6).clamp(5_000.0, 3_600e6) as u64);
    Figures {
        now: view.now,
        commit_p50: m.commit_latency.quantile(500),
        commit_p99: m.commit_latency.quantile(990),
        commits: m.commits_acked,
        latency: pb
            .journal
            .latency
            .iter()
            .filter(|p| p.0.as_micros() + window.as_micros() >= view.now.as_micros())
            .copied()
            .collect(),
        window,
        throughput: m.throughput(view.now, 30),
        lags: view
            .instances
            .iter()
            .filter(|i| i.role == Role::Replica)
            .map(|i| (i.name.clone(), i.lag, i.up))
            .collect(),
        lag_p50: m.replica_lag.quantile(500),
        lag_p99: m.replica_lag.quantile(990),
        lag_table4: aurora_core::compute::replica::TABLE4_LAG
            .iter()
            .filter_map(|&(w, paper)| {
                aurora_core::lag_sweep::lag_at(sim, w).map(|(mean, _)| Table4Row {
                    writes_per_sec: w,
                    mean,
                    quorum_wait: aurora_core::lag_sweep::durable_wait_at(sim, w),
                    paper,
                })
            })
            .collect(),
        ios_per_txn: m.redo_ios_per_txn(),
        client_ok: m.client_ok,
        client_errors: m.client_errors,
        client_write_p50: m.client_write_latency.quantile(500),
        client_read_p50: m.client_read_latency.quantile(500),
        client_writes: m.client_write_latency.count(),
        client_reads: m.client_read_latency.count(),
        oldest_commit_wait: view.writer.oldest_commit_since.map(|t| view.now - t),
        commits_waiting: view.writer.commits_waiting,
        requests_waiting: view.requests_waiting,
        oldest_request_wait: view.oldest_request_since.map(|t| view.now - t),
        violations: view.invariant_violations,
        first_violation: view
            .first_violation
            .map(|(inv, at, _)| format!("{} at {}", inv.name(), crate::format::clock(at))),
    }
}

/// A gauge for each Serverless instance, with its ACU history.
pub fn gauges(pb: &Playback, view: &View) -> Vec<Gauge> {
    view.instances
        .iter()
        .filter(|i| i.capacity != Capacity::Provisioned)
        .map(|i| Gauge {
            node: i.node,
            name: i.name.clone(),
            capacity: i.capacity,
            half: i.acu_half,
            paused: i.paused,
            resuming: i.resuming,
            follows_writer: i.follows_writer,
            series: pb.acu.series(i.node),
        })
        .collect()
}

/// The Global Database's regions, which are down, and how reads after writes behave.
pub fn world(sim: &Sim, view: &View, faults: &[Fault], shown: u8) -> World {
    let g = &view.global;
    World {
        now: view.now,
        regions: view.regions.clone(),
        down: faults
            .iter()
            .filter_map(|f| match f {
                Fault::FailRegion(r) => Some(r.0),
                _ => None,
            })
            .collect(),
        records: g.records.clone(),
        shown,
        forwarding: g.forward_rate,
        read_consistency: g.read_consistency,
        read_after_write: crate::components::world::read_after_write_text(
            g.read_consistency,
            &sim.metrics().forward_read_wait,
            sim.metrics().forward_reads_stale,
        ),
        switching: g.switching.map(|r| r.0),
        primary_failed_at: g.primary_failed_at,
    }
}

/// The region drawn in full: the one asked for while it exists, else the writer's.
pub fn region_shown(view: &View, asked: Option<u8>) -> u8 {
    let writer = view
        .nodes
        .get(view.writer.node.index())
        .map_or(0, |n| n.region.0);
    asked
        .filter(|r| view.regions.iter().any(|g| g.id.0 == *r))
        .unwrap_or(writer)
}

/// The pictures the page offers to save: the diagram always; the charts once drawn, and the
/// ACU chart while an instance is Serverless (an embed shows neither chart).
pub fn pictures(view: &View, embed: bool, charts_drawn: bool) -> Vec<Picture> {
    let serverless = view
        .instances
        .iter()
        .any(|i| i.capacity != Capacity::Provisioned);
    let mut pictures = vec![Picture::Diagram];
    if !embed && charts_drawn {
        pictures.push(Picture::Chart("commit-latency"));
        pictures.push(Picture::Chart("throughput"));
    }
    if !embed && serverless {
        pictures.push(Picture::Chart("acu"));
    }
    pictures
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurora_core::scenario::find;

    fn played(scenario: &str, to_us: u64) -> Playback {
        let s = find(scenario).expect("scenario");
        let mut pb = Playback::with_setup(s, 1, None, None, Vec::new());
        pb.run(SimTime::from_micros(to_us), 1.0, 0.0, false, None);
        pb
    }

    fn moment(run: &Playback, wall: f64, playing: bool) -> Moment {
        Moment {
            run: core::ptr::from_ref(run).cast(),
            wall,
            playing,
            speed: 1.0,
        }
    }

    #[test]
    fn playing_the_panels_are_rebuilt_only_when_due_or_when_the_run_changes_course() {
        let pb = played("replicas", 500_000);
        let view = Rc::new(pb.sim().view());
        let mut cache = None;
        let first = cached(&mut cache, &pb, &view, moment(&pb, 1_000.0, true));
        let again = cached(&mut cache, &pb, &view, moment(&pb, 1_100.0, true));
        assert!(Rc::ptr_eq(&first.figures, &again.figures), "not due yet");
        let due = 1_000.0 + PANEL_REFRESH_MS;
        let later = cached(&mut cache, &pb, &view, moment(&pb, due, true));
        assert!(!Rc::ptr_eq(&first.figures, &later.figures), "due");
        let paused = cached(&mut cache, &pb, &view, moment(&pb, due + 1.0, false));
        assert!(
            !Rc::ptr_eq(&later.figures, &paused.figures),
            "paused: every frame"
        );
        let other = played("replicas", 500_000);
        let new_run = cached(&mut cache, &other, &view, moment(&other, due + 2.0, true));
        assert!(!Rc::ptr_eq(&paused.figures, &new_run.figures), "a new run");
    }

    #[test]
    fn the_latency_chart_keeps_twenty_wall_seconds_at_the_speed_played() {
        let pb = played("replicas", 3_000_000);
        let view = pb.sim().view();
        let slow = figures(&pb, &view, 0.01);
        let fast = figures(&pb, &view, 1.0);
        assert_eq!(slow.window.as_micros(), 200_000);
        assert_eq!(fast.window.as_micros(), 20_000_000);
        assert!(!fast.latency.is_empty(), "commits were timed");
        assert!(slow.latency.len() < fast.latency.len());
        let since = view.now.as_micros() - slow.window.as_micros();
        assert!(slow.latency.iter().all(|p| p.0.as_micros() >= since));
    }

    #[test]
    fn the_region_shown_follows_the_writer_unless_another_that_exists_is_asked_for() {
        let pb = played("global-lag", 100_000);
        let view = pb.sim().view();
        let writer = region_shown(&view, None);
        let other = view
            .regions
            .iter()
            .map(|g| g.id.0)
            .find(|r| *r != writer)
            .expect("a secondary region");
        assert_eq!(region_shown(&view, Some(other)), other);
        assert_eq!(region_shown(&view, Some(200)), writer, "no such region");
    }

    #[test]
    fn an_embed_offers_the_diagram_alone_on_a_provisioned_cluster() {
        let pb = played("replicas", 0);
        let view = pb.sim().view();
        assert_eq!(pictures(&view, true, true), vec![Picture::Diagram]);
        assert_eq!(pictures(&view, false, false), vec![Picture::Diagram]);
        assert_eq!(pictures(&view, false, true).len(), 3);
        assert!(gauges(&pb, &view).is_empty());
    }
}
