//! Serverless capacity over time, as the ACU chart draws it.
//!
//! The core reports every capacity change as an event; the page keeps the latest of them in a
//! bounded ring buffer, so the chart costs the same however long the run. Rewinding cuts the
//! buffer back to the restored moment and replaying refills it, as it does the event log.

use std::collections::VecDeque;

use aurora_core::ids::NodeId;
use aurora_core::SimTime;

/// Most capacity readings kept (about eight minutes of per-second scaling for four instances).
pub const MAX_POINTS: usize = 2_048;

/// One capacity reading: from `at`, `node` had `half` half-ACUs (0 while paused).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AcuPoint {
    pub at: SimTime,
    pub node: NodeId,
    pub half: u16,
}

/// The latest capacity readings, oldest first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AcuHistory {
    points: VecDeque<AcuPoint>,
}

impl AcuHistory {
    /// Notes a reading; a repeat of the instance's last one adds nothing.
    pub fn record(&mut self, at: SimTime, node: NodeId, half: u16) {
        if self.last_of(node).is_some_and(|p| p.half == half) {
            return;
        }
        if self.points.len() >= MAX_POINTS {
            self.points.pop_front();
        }
        self.points.push_back(AcuPoint { at, node, half });
    }

    /// Forgets readings after `t` (the run was rewound to `t`).
    pub fn cut(&mut self, t: SimTime) {
        while self.points.back().is_some_and(|p| p.at > t) {
            self.points.pop_back();
        }
    }

    pub fn clear(&mut self) {
        self.points.clear();
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    fn last_of(&self, node: NodeId) -> Option<&AcuPoint> {
        self.points.iter().rev().find(|p| p.node == node)
    }

    /// One instance's readings, oldest first.
    pub fn series(&self, node: NodeId) -> Vec<(SimTime, u16)> {
        self.points
            .iter()
            .filter(|p| p.node == node)
            .map(|p| (p.at, p.half))
            .collect()
    }
}

/// A step line through `series` for an SVG polyline, from `start` to `now`, in a box `w` × `h`
/// with `top` half-ACUs at the top edge. Whole units only, and at most two points per column
/// of the box, so the string stays short however many readings there are.
pub fn step_line(
    series: &[(SimTime, u16)],
    start: SimTime,
    now: SimTime,
    top: u16,
    w: u32,
    h: u32,
) -> String {
    let span = now.as_micros().saturating_sub(start.as_micros()).max(1);
    let top = u64::from(top.max(1));
    let x_of = |t: SimTime| {
        let dt = t.as_micros().clamp(start.as_micros(), now.as_micros()) - start.as_micros();
        (dt * u64::from(w) / span) as u32
    };
    let y_of = |half: u16| {
        let v = u64::from(half).min(top);
        h - (v * u64::from(h) / top) as u32
    };
    // The reading in force at `start`, then every later one.
    let before = series.iter().rev().find(|(t, _)| *t <= start).copied();
    let mut points: Vec<(u32, u32)> = Vec::new();
    let mut level = before.map(|(_, half)| y_of(half));
    if let Some(y) = level {
        points.push((0, y));
    }
    for &(t, half) in series.iter().filter(|(t, _)| *t > start && *t <= now) {
        let x = x_of(t);
        let y = y_of(half);
        if let Some(prev) = level {
            points.push((x, prev));
        }
        points.push((x, y));
        level = Some(y);
    }
    if let Some(y) = level {
        points.push((w, y));
    }
    // Within one column keep only where the line enters and leaves it.
    let mut kept: Vec<(u32, u32)> = Vec::with_capacity(points.len());
    for p in points {
        let n = kept.len();
        if n >= 2 && kept[n - 1].0 == p.0 && kept[n - 2].0 == p.0 {
            kept[n - 1] = p;
        } else {
            kept.push(p);
        }
    }
    let mut out = String::with_capacity(kept.len() * 8);
    for (i, (x, y)) in kept.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&x.to_string());
        out.push(',');
        out.push_str(&y.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: u64) -> SimTime {
        SimTime::from_micros(v * 1_000_000)
    }

    #[test]
    fn the_ring_keeps_the_newest_readings_and_skips_repeats() {
        let mut h = AcuHistory::default();
        h.record(s(0), NodeId(3), 1);
        h.record(s(1), NodeId(3), 1);
        assert_eq!(h.len(), 1, "a repeat adds nothing");
        for i in 0..(MAX_POINTS as u64 + 10) {
            h.record(s(i + 2), NodeId(3), (i % 2 + 2) as u16);
        }
        assert_eq!(h.len(), MAX_POINTS);
        let series = h.series(NodeId(3));
        assert_eq!(series.len(), MAX_POINTS);
        assert_eq!(series.last().map(|p| p.0), Some(s(MAX_POINTS as u64 + 11)));
        assert!(h.series(NodeId(4)).is_empty());
    }

    #[test]
    fn cutting_forgets_what_came_after_a_rewind() {
        let mut h = AcuHistory::default();
        for i in 0..10u64 {
            h.record(s(i), NodeId(1), i as u16 + 1);
        }
        h.cut(s(4));
        assert_eq!(h.series(NodeId(1)).last(), Some(&(s(4), 5)));
        h.record(s(5), NodeId(1), 5);
        assert_eq!(h.len(), 5, "the same value again after the cut is a repeat");
    }

    #[test]
    fn the_step_line_holds_each_level_until_the_next_reading() {
        let series = [(s(0), 1), (s(50), 3), (s(75), 4)];
        let line = step_line(&series, s(0), s(100), 4, 100, 40);
        assert_eq!(line, "0,30 50,30 50,10 75,10 75,0 100,0");
        // A window starting mid-way begins at the level in force then.
        let line = step_line(&series, s(60), s(100), 4, 40, 40);
        assert_eq!(line, "0,10 15,10 15,0 40,0");
        // Nothing recorded: nothing drawn.
        assert_eq!(step_line(&[], s(0), s(10), 4, 100, 40), "");
    }

    #[test]
    fn many_readings_in_one_column_collapse() {
        let series: Vec<(SimTime, u16)> = (0..1_000u64)
            .map(|i| (SimTime::from_micros(i), (i % 7) as u16))
            .collect();
        let line = step_line(&series, SimTime::ZERO, s(1), 8, 300, 90);
        let n = line.split(' ').count();
        assert!(n <= 6, "{n} points: {line}");
    }
}
