//! What the panels remember of the run: the event log in plain English, the commit latency
//! series, the failover's phases, and brief highlights in the diagram.
//!
//! Everything here is a record of the core's events, kept by simulated time so that rewinding
//! can cut it back to the point rewound to. The words come from the core ([`Event::describe`]).

use std::collections::VecDeque;

use aurora_core::compute::instance::Role;
use aurora_core::endpoint::EndpointId;
use aurora_core::event::{FailoverPhase, RecoveryPhase, SegmentHealth};
use aurora_core::ids::{NodeId, PgId, RegionId, SegmentId};
use aurora_core::lsn::Lsn;
use aurora_core::{Event, Sim, SimDuration, SimTime};

/// Important lines the event log keeps: faults, quorum changes, failover phases, scaling, the
/// person's actions. Kept apart from routine progress, which cannot push them out.
pub const LOG_LINES: usize = 400;
/// Routine summaries the event log keeps.
pub const ROUTINE_LINES: usize = 120;
/// Points the latency chart keeps.
pub const LATENCY_POINTS: usize = 600;
/// How long a highlight stays, in wall-clock milliseconds.
pub const FLASH_MS: f64 = 700.0;

/// How a log line reads at a glance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    /// Routine progress: quorum reached, commits acknowledged.
    Info,
    /// Something recovered.
    Good,
    /// Something to watch: a missed health check, a repair starting.
    Warn,
    /// Something failed.
    Bad,
    /// The person did this.
    You,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Info => "info",
            Tone::Good => "good",
            Tone::Warn => "warn",
            Tone::Bad => "bad",
            Tone::You => "you",
        }
    }
}

/// One line of the event log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub seq: u64,
    pub at: SimTime,
    pub text: String,
    pub tone: Tone,
    /// For a routine line, or a run of merged ones, what it stands for: "9,000 commits
    /// acknowledged in 1.2 s" (the text is then the latest of them).
    pub summary: Option<String>,
}

/// Routine events come too often to log one by one: each kind is summarised, a line per
/// sampling gap, counting what happened since its last line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Frequent {
    Pgcl = 0,
    Vcl,
    Vdl,
    Commits,
    PageRead,
    ReplicaApplied,
    Gossip,
    Background,
    Global,
}
const FREQUENT_KINDS: usize = 9;

impl Frequent {
    const ALL: [Frequent; FREQUENT_KINDS] = [
        Frequent::Pgcl,
        Frequent::Vcl,
        Frequent::Vdl,
        Frequent::Commits,
        Frequent::PageRead,
        Frequent::ReplicaApplied,
        Frequent::Gossip,
        Frequent::Background,
        Frequent::Global,
    ];

    /// What a summary counts, plural.
    fn noun(self) -> &'static str {
        match self {
            Frequent::Pgcl => "PG write quorums (PGCL advances)",
            Frequent::Vcl => "VCL advances",
            Frequent::Vdl => "VDL advances",
            Frequent::Commits => "commits acknowledged",
            Frequent::PageRead => "page reads",
            Frequent::ReplicaApplied => "redo applies on replicas",
            Frequent::Gossip => "gaps filled by gossip",
            Frequent::Background => "background tasks on segments",
            Frequent::Global => "cross-region replication updates",
        }
    }
}

/// What every frequent kind has counted since its last line: kept with each rewind
/// checkpoint, so replaying from one goes on counting where the run was.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tallies([Tally; FREQUENT_KINDS]);

impl core::ops::Index<Frequent> for Tallies {
    type Output = Tally;
    fn index(&self, k: Frequent) -> &Tally {
        &self.0[k as usize]
    }
}

impl core::ops::IndexMut<Frequent> for Tallies {
    fn index_mut(&mut self, k: Frequent) -> &mut Tally {
        &mut self.0[k as usize]
    }
}

/// What a frequent kind has counted since its last line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tally {
    /// When its last line was written.
    last_line: Option<SimTime>,
    /// When the first event counted since then happened.
    since: Option<SimTime>,
    /// Events, or what they carry (commits), counted since then.
    units: u64,
    /// The newest event counted and not yet written, for a summary written early.
    pending: Option<(SimTime, Event)>,
}

/// Where a highlight goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashTarget {
    /// A PG reached its write quorum.
    Quorum(PgId),
    /// A segment served a page read.
    Read(SegmentId),
    /// The writer acknowledged commits.
    Commit,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flash {
    pub target: FlashTarget,
    pub until: f64,
}

/// A failover or crash recovery, phase by phase.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recovery {
    pub started: SimTime,
    /// The writer that failed (none for a restart without failover).
    pub old: Option<NodeId>,
    pub target: Option<NodeId>,
    /// From the writer's failure to failover starting, as the simulation knows it.
    pub detect: Option<SimDuration>,
    /// The control plane's view: health checks missed in a row, and the time since the last
    /// check the writer passed.
    pub checks: Option<(u32, SimDuration)>,
    pub promote: Option<SimDuration>,
    pub recover: Option<SimDuration>,
    /// Crash recovery's own phases: engine restart, storage protocol, background undo (and
    /// how many transactions it rolled back).
    pub restart: Option<SimDuration>,
    pub storage: Option<SimDuration>,
    pub undo: Option<(SimDuration, u32)>,
    /// Crash recovery's result: VDL, annulled up to, new volume epoch.
    pub volume: Option<(Lsn, Lsn, u32)>,
    pub dns: Option<(SimTime, NodeId)>,
    pub finished: Option<(NodeId, SimDuration)>,
    pub no_target: bool,
    /// The Global Database promoted another region while this failover was still trying: the
    /// failed primary region (and the region promoted), so the panel can say why it ended.
    pub superseded: Option<(RegionId, RegionId)>,
}

/// The panels' memory of the run.
#[derive(Clone, Debug, Default)]
pub struct Journal {
    /// The important lines, oldest first.
    pub lines: VecDeque<LogLine>,
    /// Routine summaries, oldest first.
    pub routine: VecDeque<LogLine>,
    seq: u64,
    tallies: Tallies,
    /// Routine lines written early by [`Journal::flush`] (their seq and kind): the counts
    /// they show are still in their kind's tally, so the kind's next real line replaces them,
    /// and a cut drops them.
    provisional: Vec<(u64, Frequent)>,
    /// The capacity change the newest important line reports, while more follow within the
    /// sampling gap: (node, first change's time, changes merged).
    capacity_run: Option<(NodeId, SimTime, u32)>,
    /// (time, longest commit wait in µs) per batch of acknowledgements, merged when close.
    pub latency: VecDeque<(SimTime, u64)>,
    /// The latest recovery after each change, by time.
    recoveries: Vec<(SimTime, Recovery)>,
    pub flashes: Vec<Flash>,
    /// Bumped on every change the panels draw.
    pub version: u64,
}

impl Journal {
    /// Adds a line of the person's own.
    pub fn note(&mut self, at: SimTime, text: String, tone: Tone) {
        self.push(at, text, tone);
    }

    fn push(&mut self, at: SimTime, text: String, tone: Tone) {
        self.capacity_run = None;
        self.push_to(false, at, text, tone, None);
    }

    fn push_to(
        &mut self,
        routine: bool,
        at: SimTime,
        text: String,
        tone: Tone,
        summary: Option<String>,
    ) {
        self.seq += 1;
        self.version += 1;
        let (list, cap) = if routine {
            (&mut self.routine, ROUTINE_LINES)
        } else {
            (&mut self.lines, LOG_LINES)
        };
        if list.len() >= cap {
            list.pop_front();
        }
        list.push_back(LogLine {
            seq: self.seq,
            at,
            text,
            tone,
            summary,
        });
    }

    /// Counts a routine event and writes its kind's summary line when the gap since the last
    /// one has passed.
    fn tally(
        &mut self,
        kind: Frequent,
        units: u64,
        at: SimTime,
        gap: SimDuration,
        event: &Event,
        sim: &Sim,
    ) {
        let t = &mut self.tallies[kind];
        t.units += units;
        t.since.get_or_insert(at);
        if t.last_line.is_some_and(|last| at.since(last) < gap) {
            t.pending = Some((at, *event));
            return;
        }
        self.write_tally(kind, at, event, sim);
    }

    /// Writes a kind's summary line for what it counted up to `at`, `event` the newest.
    fn write_tally(&mut self, kind: Frequent, at: SimTime, event: &Event, sim: &Sim) {
        self.drop_provisional(|k| k == kind);
        let t = &mut self.tallies[kind];
        let from = t.last_line.or(t.since).unwrap_or(at);
        let counted = core::mem::take(&mut t.units);
        t.since = None;
        t.pending = None;
        t.last_line = Some(at);
        // A kind's first line is its event alone; later ones say what they stand for.
        let summary = (counted > 1 && at > from).then(|| {
            format!(
                "{} {} in {}",
                crate::format::thousands(counted),
                kind.noun(),
                crate::format::duration(at.since(from))
            )
        });
        self.push_to(true, at, sim.describe(event), Tone::Info, summary);
    }

    /// Writes every routine summary still waiting for its gap, so that after a jump along the
    /// timeline the newest routine lines reach the moment instead of stopping a gap before.
    /// The lines are provisional: the tallies go on counting, and the kind's next line takes
    /// their place.
    pub fn flush(&mut self, sim: &Sim) {
        let mut waiting: Vec<(SimTime, Frequent, Event)> = Frequent::ALL
            .iter()
            .filter_map(|&k| self.tallies[k].pending.map(|(at, e)| (at, k, e)))
            .collect();
        waiting.sort_by_key(|w| w.0);
        let kept = self.tallies;
        for (at, kind, event) in waiting {
            self.write_tally(kind, at, &event, sim);
            self.provisional.push((self.seq, kind));
        }
        self.tallies = kept;
    }

    fn drop_provisional(&mut self, which: impl Fn(Frequent) -> bool) {
        if self.provisional.is_empty() {
            return;
        }
        let (gone, kept): (Vec<_>, Vec<_>) = self.provisional.iter().partition(|(_, k)| which(*k));
        self.routine
            .retain(|l| !gone.iter().any(|(seq, _)| *seq == l.seq));
        self.provisional = kept;
        self.version += 1;
    }

    /// What the routine kinds have counted, for a rewind checkpoint.
    pub fn tallies(&self) -> Tallies {
        self.tallies
    }

    /// A capacity change: merged into the line before while changes of the same instance
    /// follow within the gap, so a serverless instance scaling each second reads as one line.
    fn capacity(&mut self, node: NodeId, at: SimTime, gap: SimDuration, text: String) {
        if let Some((n, first, count)) = self.capacity_run.as_mut() {
            if *n == node && at.since(*first) < gap {
                if let Some(line) = self.lines.back_mut() {
                    *count += 1;
                    line.at = at;
                    line.text = text;
                    line.summary = Some(format!(
                        "{count} capacity changes in {}",
                        crate::format::duration(at.since(*first))
                    ));
                    self.version += 1;
                    return;
                }
            }
        }
        self.push(at, text, Tone::Info);
        self.capacity_run = Some((node, at, 1));
    }

    /// The recovery under way or last finished.
    pub fn recovery(&self) -> Option<&Recovery> {
        self.recoveries.last().map(|(_, r)| r)
    }

    /// Forgets everything after `t`, to replay from there; `tallies` are what the routine
    /// kinds had counted at `t` (from the checkpoint there).
    pub fn cut(&mut self, t: SimTime, tallies: Tallies) {
        self.drop_provisional(|_| true);
        self.lines.retain(|l| l.at <= t);
        self.routine.retain(|l| l.at <= t);
        self.latency.retain(|p| p.0 <= t);
        self.recoveries.retain(|r| r.0 <= t);
        // What was counted after `t` is counted again as the run replays.
        self.tallies = tallies;
        self.capacity_run = None;
        self.flashes.clear();
        self.version += 1;
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        *self = Journal {
            seq: self.seq,
            version: self.version + 1,
            ..Journal::default()
        };
    }

    /// Drops highlights whose time is up.
    pub fn expire(&mut self, wall: f64) {
        self.flashes.retain(|f| f.until > wall);
    }

    fn flash(&mut self, target: FlashTarget, wall: f64) {
        let until = wall + FLASH_MS;
        if let Some(f) = self.flashes.iter_mut().find(|f| f.target == target) {
            f.until = until;
        } else if self.flashes.len() < 64 {
            self.flashes.push(Flash { target, until });
        }
    }

    fn update_recovery(&mut self, at: SimTime, change: impl FnOnce(&mut Recovery)) {
        let mut r = self.recovery().cloned().unwrap_or_default();
        change(&mut r);
        self.recoveries.push((at, r));
        if self.recoveries.len() > 64 {
            self.recoveries.drain(..32);
        }
        self.version += 1;
    }

    fn start_recovery(&mut self, at: SimTime, r: Recovery) {
        self.recoveries.push((at, r));
        self.version += 1;
    }

    /// Takes one event from the core. `gap` is the simulated time between two summaries of a
    /// routine kind; `wall` the frame's wall-clock time in ms; `animate` is false
    /// while replaying to a point (no highlights then).
    pub fn record(
        &mut self,
        at: SimTime,
        event: &Event,
        sim: &Sim,
        gap: SimDuration,
        wall: f64,
        animate: bool,
    ) {
        use Event::*;
        let (tone, frequent, units) = match *event {
            MessageSent { .. } | MessageDelivered { .. } | MessageDropped { .. } => return,
            PgclAdvanced { pg, .. } => {
                if animate {
                    self.flash(FlashTarget::Quorum(pg), wall);
                }
                (Tone::Info, Some(Frequent::Pgcl), 1)
            }
            VclAdvanced(_) => (Tone::Info, Some(Frequent::Vcl), 1),
            VdlAdvanced(_) => (Tone::Info, Some(Frequent::Vdl), 1),
            CommitsAcknowledged {
                max_latency, count, ..
            } => {
                self.add_latency(at, max_latency.as_micros(), gap);
                if animate {
                    self.flash(FlashTarget::Commit, wall);
                }
                (Tone::Info, Some(Frequent::Commits), u64::from(count))
            }
            PageRead { seg, .. } => {
                if animate {
                    self.flash(FlashTarget::Read(seg), wall);
                }
                (Tone::Info, Some(Frequent::PageRead), 1)
            }
            ReplicaApplied { .. } => (Tone::Info, Some(Frequent::ReplicaApplied), 1),
            GossipFilled { .. } => (Tone::Info, Some(Frequent::Gossip), 1),
            Background { .. } => (Tone::Info, Some(Frequent::Background), 1),
            GlobalApplied { .. } => (Tone::Info, Some(Frequent::Global), 1),
            // Scaling is important: kept, with a serverless instance's steady steps merged.
            CapacityChanged { node, .. } => {
                self.capacity(node, at, gap, sim.describe(event));
                return;
            }
            AutoScalingEvaluated { .. } => (Tone::Info, None, 0),
            NodeDown(_)
            | WriteQuorumLost { .. }
            | ReadQuorumLost { .. }
            | FaultInjected(_)
            | InvariantViolated { .. }
            | RegionDown { .. }
            | NoFailoverTarget { .. } => (Tone::Bad, None, 0),
            SegmentHealthChanged { health, .. } => match health {
                SegmentHealth::Healthy => (Tone::Good, None, 0),
                SegmentHealth::Hydrating | SegmentHealth::Retired => (Tone::Warn, None, 0),
                SegmentHealth::Unavailable | SegmentHealth::Lost => (Tone::Bad, None, 0),
            },
            NodeUp(_)
            | WriteQuorumRegained { .. }
            | ReadQuorumRegained { .. }
            | FaultHealed(_)
            | RepairFinished { .. }
            | FailoverFinished { .. }
            | VolumeRecovered { .. }
            | RegionUp { .. }
            | WriterUnthrottled
            | Resumed { .. } => (Tone::Good, None, 0),
            _ => (Tone::Warn, None, 0),
        };
        self.track_recovery(at, event);
        match frequent {
            Some(kind) => self.tally(kind, units, at, gap, event, sim),
            None => self.push(at, sim.describe(event), tone),
        }
    }

    fn add_latency(&mut self, at: SimTime, us: u64, gap: SimDuration) {
        // Points closer than a quarter of the log's sampling gap merge, keeping the worst.
        let merge = gap.as_micros() / 4;
        if let Some(last) = self.latency.back_mut() {
            if at.since(last.0).as_micros() < merge {
                last.1 = last.1.max(us);
                return;
            }
        }
        if self.latency.len() >= LATENCY_POINTS {
            self.latency.pop_front();
        }
        self.latency.push_back((at, us));
        self.version += 1;
    }

    fn track_recovery(&mut self, at: SimTime, event: &Event) {
        use Event::*;
        let active = self
            .recovery()
            .is_some_and(|r| r.finished.is_none() && r.superseded.is_none());
        match *event {
            FailoverStarted {
                old,
                target,
                missed_checks,
                detected_after,
                ..
            } => self.start_recovery(
                at,
                Recovery {
                    started: at,
                    old: Some(old),
                    target,
                    checks: (missed_checks > 0).then_some((missed_checks, detected_after)),
                    no_target: target.is_none(),
                    ..Recovery::default()
                },
            ),
            RecoveryStarted { node } if !active => self.start_recovery(
                at,
                Recovery {
                    started: at,
                    target: Some(node),
                    ..Recovery::default()
                },
            ),
            FailoverPhaseDone { phase, took } if active => {
                self.update_recovery(at, |r| match phase {
                    FailoverPhase::Detect => r.detect = Some(took),
                    FailoverPhase::Promote => r.promote = Some(took),
                    FailoverPhase::Recover => r.recover = Some(took),
                });
            }
            // Undo finishes after the failover closed: it belongs to the latest record.
            RecoveryPhaseDone {
                phase, took, txns, ..
            } if active || phase == RecoveryPhase::Undo => {
                self.update_recovery(at, |r| match phase {
                    RecoveryPhase::Restart => r.restart = Some(took),
                    RecoveryPhase::Storage => r.storage = Some(took),
                    RecoveryPhase::Undo => r.undo = Some((took, txns)),
                });
            }
            VolumeRecovered {
                vdl,
                truncated_upto,
                epoch,
            } if active => self.update_recovery(at, |r| {
                r.volume = Some((vdl, truncated_upto, epoch));
                // A restart without failover ends when the volume opens.
                if r.old.is_none() {
                    if let Some(node) = r.target {
                        r.recover = Some(at.since(r.started));
                        r.finished = Some((node, at.since(r.started)));
                    }
                }
            }),
            DnsUpdated {
                endpoint: EndpointId::Cluster,
                target,
            } if active => self.update_recovery(at, |r| r.dns = Some((at, target))),
            FailoverFinished { new, total, .. } if active => {
                self.update_recovery(at, |r| r.finished = Some((new, total)))
            }
            NoFailoverTarget { .. } if active => self.update_recovery(at, |r| r.no_target = true),
            GlobalPromoted { from, to, .. } if active => {
                self.update_recovery(at, |r| r.superseded = Some((from, to)))
            }
            RoleChanged {
                node,
                role: Role::Promoting,
            } if active => self.update_recovery(at, |r| r.target = Some(node)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurora_core::Fault;

    fn sim() -> Sim {
        match aurora_core::scenario::find("replicas") {
            Some(s) => s.start(1),
            None => panic!("the replicas scenario exists"),
        }
    }

    #[test]
    fn frequent_events_are_sampled_and_key_events_always_kept() {
        let topo = sim();
        let mut j = Journal::default();
        let gap = SimDuration::from_millis(10);
        for i in 0..100u64 {
            let e = Event::VdlAdvanced(Lsn(i));
            j.record(SimTime::from_micros(i * 1_000), &e, &topo, gap, 0.0, true);
        }
        assert_eq!(j.routine.len(), 10, "one summary per 10 ms of 100 ms");
        assert!(
            j.lines.is_empty(),
            "routine progress is not among the important lines"
        );
        let last = j.routine.back().expect("a summary");
        assert_eq!(last.summary.as_deref(), Some("10 VDL advances in 10 ms"));
        assert_eq!(
            last.text,
            "VDL moved to 90: the last complete mini-transaction"
        );
        // Commits count by the commits each acknowledgement carries.
        for i in 0..20u64 {
            let e = Event::CommitsAcknowledged {
                count: 450,
                vdl: Lsn(i),
                max_latency: SimDuration::from_millis(1),
            };
            j.record(
                SimTime::from_micros(200_000 + i * 1_000),
                &e,
                &topo,
                gap,
                0.0,
                true,
            );
        }
        let commits: Vec<_> = j
            .routine
            .iter()
            .filter_map(|l| l.summary.as_deref())
            .filter(|s| s.contains("commits"))
            .collect();
        assert_eq!(
            commits, ["4,500 commits acknowledged in 10 ms"; 1],
            "{commits:?}"
        );
        let fault = Event::FaultInjected(Fault::FailAz(aurora_core::ids::AzId(1)));
        j.record(SimTime::from_micros(300_500), &fault, &topo, gap, 0.0, true);
        let last = j.lines.back().expect("a line");
        assert_eq!(last.text, "fault: fail AZ b");
        assert_eq!(last.tone, Tone::Bad);
        // However much routine progress follows, the fault stays.
        for i in 0..(ROUTINE_LINES as u64 * 3) {
            let e = Event::VdlAdvanced(Lsn(i));
            j.record(
                SimTime::from_micros(400_000 + i * 20_000),
                &e,
                &topo,
                gap,
                0.0,
                true,
            );
        }
        assert_eq!(j.routine.len(), ROUTINE_LINES);
        assert!(j.lines.iter().any(|l| l.text == "fault: fail AZ b"));
        // Nodes by name, not by internal id.
        let writer = topo.node_named("instance-1").expect("instance-1");
        let crash = Event::FaultInjected(Fault::CrashNode(writer));
        assert_eq!(topo.describe(&crash), "fault: crash instance-1");
    }

    #[test]
    fn the_log_is_capped_and_cut_back_by_time() {
        let topo = sim();
        let mut j = Journal::default();
        for i in 0..(LOG_LINES as u64 + 50) {
            let e = Event::NodeUp(NodeId(1));
            j.record(
                SimTime::from_micros(i),
                &e,
                &topo,
                SimDuration::ZERO,
                0.0,
                false,
            );
        }
        assert_eq!(j.lines.len(), LOG_LINES);
        j.cut(SimTime::from_micros(100), Tallies::default());
        assert!(j.lines.iter().all(|l| l.at.as_micros() <= 100));
    }

    #[test]
    fn a_crash_recovery_shows_its_restart_storage_protocol_and_undo_apart() {
        let Some(sc) = aurora_core::scenario::find("writer-crash") else {
            panic!("the writer-crash scenario exists");
        };
        let mut sim = sc.start(1);
        let mut j = Journal::default();
        // Drained as the page does, a frame at a time, so no event is dropped.
        while sim.now() < SimTime::from_micros(12_000_000) {
            sim.run_for(SimDuration::from_millis(50));
            let events: Vec<_> = sim.drain_events().collect();
            for (at, e) in events {
                j.record(at, &e, &sim, SimDuration::ZERO, 0.0, false);
            }
        }
        let r = j.recovery().expect("a recovery");
        assert_eq!(
            r.restart,
            Some(aurora_core::compute::recovery::ENGINE_RESTART_TIME)
        );
        let storage = r.storage.expect("the storage protocol's time");
        assert!(storage < SimDuration::from_millis(100), "{storage}");
        assert!(r.undo.is_some(), "undo reported after the open");
        assert!(r
            .finished
            .is_some_and(|(_, took)| took >= aurora_core::compute::recovery::ENGINE_RESTART_TIME));
    }

    #[test]
    fn a_failover_is_followed_phase_by_phase() {
        let topo = sim();
        let mut j = Journal::default();
        let t = SimTime::from_micros;
        let gap = SimDuration::ZERO;
        let events = [
            Event::FailoverStarted {
                old: NodeId(20),
                target: Some(NodeId(22)),
                detected_after: SimDuration::from_secs(2),
                missed_checks: 3,
                since_failure: SimDuration::from_secs(2),
            },
            Event::FailoverPhaseDone {
                phase: FailoverPhase::Detect,
                took: SimDuration::from_secs(2),
            },
            Event::FailoverFinished {
                old: NodeId(20),
                new: NodeId(22),
                total: SimDuration::from_secs(30),
            },
        ];
        for (i, e) in events.iter().enumerate() {
            j.record(t(i as u64 * 1_000_000), e, &topo, gap, 0.0, false);
        }
        let r = j.recovery().expect("a recovery");
        assert_eq!(r.old, Some(NodeId(20)));
        assert_eq!(r.detect, Some(SimDuration::from_secs(2)));
        assert_eq!(r.finished, Some((NodeId(22), SimDuration::from_secs(30))));
        j.cut(t(1_500_000), Tallies::default());
        assert_eq!(j.recovery().and_then(|r| r.finished), None);
        j.cut(t(0), Tallies::default());
        assert_eq!(j.recovery().map(|r| r.detect), Some(None));
    }

    #[test]
    fn a_global_failover_ends_an_in_region_failover_that_had_no_target() {
        let topo = sim();
        let mut j = Journal::default();
        let t = SimTime::from_micros;
        let events = [
            Event::FailoverStarted {
                old: NodeId(20),
                target: None,
                detected_after: SimDuration::from_secs(6),
                missed_checks: 3,
                since_failure: SimDuration::from_secs(6),
            },
            Event::NoFailoverTarget { old: NodeId(20) },
            Event::GlobalPromoted {
                from: RegionId(0),
                to: RegionId(1),
                planned: false,
                rpo_lsns: 62,
            },
            // Whatever the old region still reports is no longer this failover's.
            Event::FailoverPhaseDone {
                phase: FailoverPhase::Detect,
                took: SimDuration::from_secs(6),
            },
        ];
        for (i, e) in events.iter().enumerate() {
            j.record(
                t(i as u64 * 1_000_000),
                e,
                &topo,
                SimDuration::ZERO,
                0.0,
                false,
            );
        }
        let r = j.recovery().expect("a recovery");
        assert!(r.no_target);
        assert_eq!(r.superseded, Some((RegionId(0), RegionId(1))));
        assert_eq!(r.detect, None, "the ended failover takes no more phases");
        assert_eq!(r.finished, None);
    }
}
