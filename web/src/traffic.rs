//! Messages on the wire, as the diagram draws them.
//!
//! A message slow enough to watch at the current speed is a *flight*: a dot moving from sender
//! to receiver between its send and arrival times. Faster ones, and any beyond [`MAX_FLIGHTS`],
//! become a *pulse*: their link lights up briefly, thicker the more messages it carried. The work
//! per frame stays bounded however many messages the model sends.

use std::collections::HashMap;

use aurora_core::event::MsgKind;
use aurora_core::ids::NodeId;
use aurora_core::SimTime;

/// Most dots drawn at once.
pub const MAX_FLIGHTS: usize = 300;
/// Most links lit at once.
pub const MAX_PULSES: usize = 400;
/// A message must take at least this long on screen, in wall-clock milliseconds, to fly.
pub const MIN_FLIGHT_MS: f64 = 90.0;
/// How long a link stays lit after a message, in wall-clock milliseconds.
pub const PULSE_MS: f64 = 600.0;
/// Messages kept whatever their speed, for views that draw what is on the wire at one instant
/// (the Compare view, as the mirrored model keeps its own). Enough for the few milliseconds a
/// write path's messages stay in the air at the busiest built-in load.
pub const IN_AIR_KEPT: usize = 400;

/// Most lit links drawn at once, and most of one family: past these the diagram would be a
/// solid tangle over its labels, so only the busiest links of each family are drawn.
pub const DRAWN_PULSES: usize = 24;
pub const DRAWN_PER_FAMILY: usize = 8;

/// The lit links to draw: the busiest of each family (by messages carried, then the newest),
/// at most [`DRAWN_PER_FAMILY`] a family and [`DRAWN_PULSES`] in all, in a stable order. Also
/// how many were left out.
pub fn thinned(pulses: &[Pulse]) -> (Vec<Pulse>, usize) {
    let mut all: Vec<Pulse> = pulses.to_vec();
    all.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.until.total_cmp(&a.until))
            .then((a.from, a.to).cmp(&(b.from, b.to)))
    });
    let mut per_family = [0usize; Family::ALL.len()];
    let mut kept = Vec::new();
    for p in &all {
        let Some(i) = Family::ALL.iter().position(|f| *f == p.family) else {
            continue;
        };
        if kept.len() < DRAWN_PULSES && per_family[i] < DRAWN_PER_FAMILY {
            per_family[i] += 1;
            kept.push(*p);
        }
    }
    let left = all.len() - kept.len();
    (kept, left)
}

/// Message kinds grouped by what they are for, each with its own colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// Redo batches and their acknowledgements: the write path.
    Write,
    /// Page reads and pages.
    Read,
    /// Gossip and repair copies between segments.
    Heal,
    /// The redo stream to replicas and cross-region replication.
    Replicate,
    /// DNS lookups, client queries and answers.
    Client,
    /// Crash recovery: SCL scans and truncation.
    Recover,
    /// Continuous backup to S3.
    Backup,
    /// Refused for a stale epoch.
    Refused,
    /// Writes forwarded from a secondary region to the primary writer, and their answers.
    Forward,
}

impl Family {
    pub fn of(kind: MsgKind) -> Family {
        match kind {
            MsgKind::RedoBatch | MsgKind::Ack => Family::Write,
            MsgKind::PageRead | MsgKind::PageData => Family::Read,
            MsgKind::GossipPull | MsgKind::GossipPush | MsgKind::RepairCopy => Family::Heal,
            MsgKind::RedoStream | MsgKind::GlobalRedo => Family::Replicate,
            MsgKind::DnsLookup | MsgKind::DnsAnswer | MsgKind::Query | MsgKind::Answer => {
                Family::Client
            }
            MsgKind::ForwardedWrite | MsgKind::ForwardedAnswer => Family::Forward,
            MsgKind::RecoveryScan
            | MsgKind::RecoveryScl
            | MsgKind::Truncate
            | MsgKind::TruncateAck => Family::Recover,
            MsgKind::Backup => Family::Backup,
            MsgKind::Rejected => Family::Refused,
        }
    }

    /// The CSS class suffix.
    pub fn class(self) -> &'static str {
        match self {
            Family::Write => "write",
            Family::Read => "read",
            Family::Heal => "heal",
            Family::Replicate => "replicate",
            Family::Client => "client",
            Family::Recover => "recover",
            Family::Backup => "backup",
            Family::Refused => "refused",
            Family::Forward => "forward",
        }
    }

    /// The legend's words.
    pub fn label(self) -> &'static str {
        match self {
            Family::Write => "redo and acks",
            Family::Read => "page reads",
            Family::Heal => "gossip and repair",
            Family::Replicate => "redo stream to replicas",
            Family::Client => "clients and DNS",
            Family::Recover => "crash recovery",
            Family::Backup => "backup to S3",
            Family::Refused => "refused (stale epoch)",
            Family::Forward => "write forwarding between regions",
        }
    }

    pub const ALL: [Family; 9] = [
        Family::Write,
        Family::Read,
        Family::Heal,
        Family::Replicate,
        Family::Client,
        Family::Recover,
        Family::Backup,
        Family::Refused,
        Family::Forward,
    ];
}

/// A message drawn as a moving dot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Flight {
    pub id: u64,
    pub from: NodeId,
    pub to: NodeId,
    pub kind: MsgKind,
    pub family: Family,
    pub sent: SimTime,
    pub arrives: SimTime,
    /// Dropped on the way: drawn fading out where it was lost.
    pub dropped: bool,
}

impl Flight {
    /// How far along its link the message is at `now`, from 0 to 1.
    pub fn progress(&self, now: SimTime) -> f64 {
        let span = self
            .arrives
            .as_micros()
            .saturating_sub(self.sent.as_micros());
        if span == 0 {
            return 1.0;
        }
        let done = now.as_micros().saturating_sub(self.sent.as_micros());
        (done as f64 / span as f64).clamp(0.0, 1.0)
    }
}

/// A link lit by recent messages.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pulse {
    pub from: NodeId,
    pub to: NodeId,
    pub family: Family,
    /// Messages it stands for.
    pub count: u32,
    /// Wall-clock time (ms) when it goes dark.
    pub until: f64,
}

/// Everything in flight.
#[derive(Clone, Debug, Default)]
pub struct Traffic {
    pub flights: Vec<Flight>,
    pub pulses: HashMap<(NodeId, NodeId, Family), Pulse>,
    /// The latest [`IN_AIR_KEPT`] messages, fast or slow, oldest first: a view draws those
    /// with `sent <= now < arrives` where they are at `now`, so it animates at any speed.
    pub in_air: std::collections::VecDeque<Flight>,
    /// Messages sent since the page started counting, and dropped ones.
    pub sent: u64,
    pub dropped: u64,
}

impl Traffic {
    pub fn clear(&mut self) {
        self.flights.clear();
        self.pulses.clear();
        self.in_air.clear();
    }

    /// A message left its sender. `speed` is simulated per wall-clock time; `wall` the frame's
    /// wall-clock time in ms.
    #[allow(clippy::too_many_arguments)]
    pub fn sent(
        &mut self,
        id: u64,
        from: NodeId,
        to: NodeId,
        kind: MsgKind,
        family: Family,
        sent: SimTime,
        arrives: SimTime,
        speed: f64,
        wall: f64,
    ) {
        self.sent += 1;
        if self.in_air.len() >= IN_AIR_KEPT {
            self.in_air.pop_front();
        }
        self.in_air.push_back(Flight {
            id,
            from,
            to,
            kind,
            family,
            sent,
            arrives,
            dropped: false,
        });
        let on_screen_ms =
            arrives.as_micros().saturating_sub(sent.as_micros()) as f64 / 1_000.0 / speed.max(1e-9);
        if on_screen_ms >= MIN_FLIGHT_MS && self.flights.len() < MAX_FLIGHTS {
            self.flights.push(Flight {
                id,
                from,
                to,
                kind,
                family,
                sent,
                arrives,
                dropped: false,
            });
        } else {
            self.pulse(from, to, family, wall);
        }
    }

    fn pulse(&mut self, from: NodeId, to: NodeId, family: Family, wall: f64) {
        let until = wall + PULSE_MS;
        // Either direction of a link shares one pulse.
        let (a, b) = if from <= to { (from, to) } else { (to, from) };
        if let Some(p) = self.pulses.get_mut(&(a, b, family)) {
            p.count = p.count.saturating_add(1);
            p.until = until;
            return;
        }
        if self.pulses.len() >= MAX_PULSES {
            // The oldest pulse makes room.
            let oldest = self
                .pulses
                .iter()
                .min_by(|x, y| x.1.until.total_cmp(&y.1.until))
                .map(|(k, _)| *k);
            if let Some(k) = oldest {
                self.pulses.remove(&k);
            }
        }
        self.pulses.insert(
            (a, b, family),
            Pulse {
                from: a,
                to: b,
                family,
                count: 1,
                until,
            },
        );
    }

    /// Flights are kept in send order, which is id order, so a lookup is a binary search.
    fn find(&self, id: u64) -> Option<usize> {
        self.flights.binary_search_by_key(&id, |f| f.id).ok()
    }

    /// The message arrived: its dot goes.
    pub fn delivered(&mut self, id: u64) {
        if let Some(i) = self.find(id) {
            self.flights.remove(i);
        }
    }

    /// The message was lost: its dot stays, marked, until its arrival time passes.
    pub fn dropped(&mut self, id: u64) {
        self.dropped += 1;
        if let Some(i) = self.find(id) {
            self.flights[i].dropped = true;
        }
    }

    /// Forgets what has landed and links gone dark.
    pub fn expire(&mut self, now: SimTime, wall: f64) {
        self.flights.retain(|f| f.arrives > now);
        self.pulses.retain(|_, p| p.until > wall);
        // Counts decay, so a busy link thins out once traffic stops.
        for p in self.pulses.values_mut() {
            if p.count > 1 && p.until - wall < PULSE_MS / 2.0 {
                p.count = p.count.div_ceil(2);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_traffic_is_thinned_to_the_busiest_links_of_each_family() {
        let pulse = |from: u16, to: u16, family: Family, count: u32| Pulse {
            from: NodeId(from),
            to: NodeId(to),
            family,
            count,
            until: 100.0,
        };
        let mut many = Vec::new();
        for n in 0..40u16 {
            many.push(pulse(0, n + 1, Family::Write, u32::from(n) + 1));
        }
        many.push(pulse(50, 51, Family::Replicate, 1));
        let (kept, left) = thinned(&many);
        let writes: Vec<_> = kept.iter().filter(|p| p.family == Family::Write).collect();
        assert_eq!(writes.len(), DRAWN_PER_FAMILY);
        assert!(writes.iter().all(|p| p.count > 32), "the busiest are kept");
        assert!(
            kept.iter().any(|p| p.family == Family::Replicate),
            "every family shows"
        );
        assert_eq!(left, many.len() - kept.len());
        let few = vec![pulse(1, 2, Family::Read, 3)];
        assert_eq!(thinned(&few), (few.clone(), 0));
    }

    fn t(us: u64) -> SimTime {
        SimTime::from_micros(us)
    }

    #[test]
    fn slow_enough_messages_fly_and_fast_ones_pulse() {
        let mut traffic = Traffic::default();
        // 500 µs at a thousandth of real time is half a second on screen.
        traffic.sent(
            1,
            NodeId(1),
            NodeId(2),
            MsgKind::RedoBatch,
            Family::of(MsgKind::RedoBatch),
            t(0),
            t(500),
            0.001,
            0.0,
        );
        assert_eq!(traffic.flights.len(), 1);
        // At real time it is half a millisecond: a pulse.
        traffic.sent(
            2,
            NodeId(1),
            NodeId(2),
            MsgKind::Ack,
            Family::of(MsgKind::Ack),
            t(0),
            t(500),
            1.0,
            0.0,
        );
        traffic.sent(
            3,
            NodeId(2),
            NodeId(1),
            MsgKind::Ack,
            Family::of(MsgKind::Ack),
            t(0),
            t(500),
            1.0,
            0.0,
        );
        assert_eq!(traffic.flights.len(), 1);
        assert_eq!(traffic.pulses.len(), 1, "both directions share a link");
        assert_eq!(traffic.pulses.values().map(|p| p.count).sum::<u32>(), 2);
    }

    #[test]
    fn flights_are_capped_and_the_rest_aggregate() {
        let mut traffic = Traffic::default();
        for i in 0..10_000u64 {
            let to = NodeId(2 + (i % 7) as u16);
            traffic.sent(
                i,
                NodeId(1),
                to,
                MsgKind::RedoBatch,
                Family::of(MsgKind::RedoBatch),
                t(0),
                t(500),
                0.001,
                0.0,
            );
        }
        assert_eq!(traffic.flights.len(), MAX_FLIGHTS);
        assert_eq!(traffic.pulses.len(), 7);
        assert_eq!(traffic.sent, 10_000);
    }

    #[test]
    fn forwarded_writes_and_their_answers_are_their_own_family() {
        assert_eq!(Family::of(MsgKind::ForwardedWrite), Family::Forward);
        assert_eq!(Family::of(MsgKind::ForwardedAnswer), Family::Forward);
        assert_eq!(Family::of(MsgKind::Answer), Family::Client);
        assert!(Family::ALL.contains(&Family::Forward));
    }

    #[test]
    fn dots_land_and_links_go_dark() {
        let mut traffic = Traffic::default();
        traffic.sent(
            1,
            NodeId(1),
            NodeId(2),
            MsgKind::PageRead,
            Family::of(MsgKind::PageRead),
            t(0),
            t(1_000),
            0.001,
            0.0,
        );
        traffic.sent(
            2,
            NodeId(1),
            NodeId(3),
            MsgKind::PageRead,
            Family::of(MsgKind::PageRead),
            t(0),
            t(10),
            1.0,
            0.0,
        );
        assert!((traffic.flights[0].progress(t(250)) - 0.25).abs() < 1e-9);
        traffic.dropped(1);
        assert!(traffic.flights[0].dropped);
        traffic.expire(t(999), PULSE_MS + 1.0);
        assert_eq!(traffic.flights.len(), 1);
        assert!(traffic.pulses.is_empty());
        traffic.expire(t(1_000), PULSE_MS + 1.0);
        assert!(traffic.flights.is_empty());
    }
}
