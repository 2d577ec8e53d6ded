//! The model's event stream as the page reads it. The run hands each event, in order, to every
//! reader: the journal (the event log and its tallies), the traffic on the wire (messages in
//! flight and lit links), and the ACU history (the Serverless gauges' charts). Each reader takes
//! the events it draws from and ignores the rest, so adding one is adding a reader, not another
//! branch in the run's loop.

use aurora_core::{Event, Sim, SimDuration, SimTime};

use crate::acu::AcuHistory;
use crate::journal::Journal;
use crate::traffic::{Family, Traffic};

/// What a reader is told besides the event: the run it came from and the moment it is read in.
pub struct Moment<'a> {
    /// The run, as it is after the events being read (for names and figures).
    pub sim: &'a Sim,
    /// Simulated time per wall-clock time.
    pub speed: f64,
    /// The frame's wall clock, in ms.
    pub wall: f64,
    /// Whether the page is animating (messages are drawn in flight); off while it jumps to a
    /// moment, so a jump draws nothing it would then have to forget.
    pub animate: bool,
    /// The simulated time between two routine summaries in the log at this speed.
    pub log_gap: SimDuration,
}

/// A reader of the event stream.
pub trait StreamReader {
    /// One event, at its simulated time.
    fn read(&mut self, at: SimTime, event: &Event, moment: &Moment<'_>);
}

impl StreamReader for Journal {
    fn read(&mut self, at: SimTime, event: &Event, m: &Moment<'_>) {
        self.record(at, event, m.sim, m.log_gap, m.wall, m.animate);
    }
}

impl StreamReader for Traffic {
    fn read(&mut self, _at: SimTime, event: &Event, m: &Moment<'_>) {
        if !m.animate {
            return;
        }
        match *event {
            Event::MessageSent {
                id,
                from,
                to,
                kind,
                sent,
                arrives,
                ..
            } => self.sent(
                id.0,
                from,
                to,
                kind,
                Family::of(kind),
                sent,
                arrives,
                m.speed,
                m.wall,
            ),
            Event::MessageDelivered { id, .. } => self.delivered(id.0),
            Event::MessageDropped { id, .. } => self.dropped(id.0),
            _ => {}
        }
    }
}

impl StreamReader for AcuHistory {
    fn read(&mut self, at: SimTime, event: &Event, _m: &Moment<'_>) {
        match *event {
            Event::CapacityChanged { node, half } => self.record(at, node, half),
            // Waking sets the minimum capacity without a capacity event of its own.
            Event::Resuming { node, half, .. } => self.record(at, node, half),
            _ => {}
        }
    }
}

/// Hands each of `events` to each of `readers`, in order.
pub fn read_all(
    events: &[(SimTime, Event)],
    readers: &mut [&mut dyn StreamReader],
    moment: &Moment<'_>,
) {
    for (at, event) in events {
        for reader in readers.iter_mut() {
            reader.read(*at, event, moment);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurora_core::scenario;

    /// A scenario's events up to `until_ms`, and the run after them.
    fn events_of(name: &str, until_ms: u64) -> (Sim, Vec<(SimTime, Event)>) {
        let mut sim = scenario::find(name).expect("scenario").start(1);
        let mut events = Vec::new();
        for ms in (10..=until_ms).step_by(10) {
            sim.run_until(SimTime::from_micros(ms * 1_000));
            events.extend(sim.drain_events());
        }
        (sim, events)
    }

    fn moment(sim: &Sim, animate: bool) -> Moment<'_> {
        Moment {
            sim,
            speed: 0.01,
            wall: 0.0,
            animate,
            log_gap: SimDuration::from_micros(12_000),
        }
    }

    #[test]
    fn only_an_animating_page_puts_messages_in_flight_and_the_log_is_the_same_either_way() {
        let (sim, events) = events_of("replicas", 50);
        let mut logs = Vec::new();
        for animate in [false, true] {
            let (mut journal, mut traffic, mut acu) = (
                Journal::default(),
                Traffic::default(),
                AcuHistory::default(),
            );
            read_all(
                &events,
                &mut [&mut journal, &mut traffic, &mut acu],
                &moment(&sim, animate),
            );
            assert_eq!(traffic.sent > 0, animate, "animate {animate}");
            logs.push(journal.version);
        }
        assert!(logs[0] > 0, "the journal took the run's events");
        assert_eq!(logs[0], logs[1]);
    }

    #[test]
    fn the_acu_history_reads_capacity_changes_and_nothing_else() {
        let (sim, events) = events_of("serverless-pause-resume", 30_000);
        let changes = events
            .iter()
            .filter(|(_, e)| matches!(e, Event::CapacityChanged { .. } | Event::Resuming { .. }))
            .count();
        assert!(changes > 0, "the scenario scales");
        let mut acu = AcuHistory::default();
        read_all(&events, &mut [&mut acu], &moment(&sim, true));
        let mut only_changes = AcuHistory::default();
        let kept: Vec<_> = events
            .iter()
            .filter(|(_, e)| matches!(e, Event::CapacityChanged { .. } | Event::Resuming { .. }))
            .cloned()
            .collect();
        read_all(&kept, &mut [&mut only_changes], &moment(&sim, true));
        assert_eq!(acu, only_changes);
        assert!(acu != AcuHistory::default());
    }
}
