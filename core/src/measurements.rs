//! Measurements over time: the figures of the page's Measurements panel (commit latency,
//! throughput, replica lag, serverless capacity, Global Database lag, I/Os per transaction),
//! sampled at a fixed simulated interval and written as CSV.
//!
//! The samples are kept inside the `Sim`, taken when its clock first passes each multiple of
//! the interval, from the state left by every event up to that instant. So they do not depend
//! on how a caller slices its `run_until` calls (the page by frames, the runner at once), a
//! checkpoint's clone carries them and a rewind restores them, and the page's **Save measurements (CSV)**
//! and `aurora-sim --csv` write the same numbers for the same run. Sampling only reads the
//! model: it changes no event and no trace digest.

use crate::compute::instance::{Instance, Role};
use crate::global::{Global, RegionRole};
use crate::metrics::{Histogram, Metrics};
use crate::serverless::Capacity;
use crate::time::{SimDuration, SimTime};
use crate::topology::Topology;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;

/// Most rows kept: past it, sampling stops (a run far longer than its scenario at a fine
/// interval). Sim default: 100,000 rows, a few MB.
pub const MAX_ROWS: usize = 100_000;
/// About how many rows the default interval gives over a scenario's length. Sim default: a
/// figure on a slide has a few hundred points.
pub const ROWS_PER_SCENARIO: u64 = 600;
/// The intervals the default is chosen from, in µs: round numbers to read on an axis.
const NICE_INTERVALS_US: [u64; 19] = [
    10_000,
    20_000,
    50_000,
    100_000,
    200_000,
    500_000,
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    15_000_000,
    30_000_000,
    60_000_000,
    120_000_000,
    300_000_000,
    600_000_000,
    900_000_000,
    1_800_000_000,
    3_600_000_000,
];

/// The interval the page samples a scenario at, and the runner's default: the roundest one
/// that gives at most [`ROWS_PER_SCENARIO`] rows over `duration`.
pub fn default_interval(duration: SimDuration) -> SimDuration {
    let us = duration.as_micros();
    let pick = NICE_INTERVALS_US
        .iter()
        .copied()
        .find(|i| us / i <= ROWS_PER_SCENARIO)
        .unwrap_or(NICE_INTERVALS_US[NICE_INTERVALS_US.len() - 1]);
    SimDuration::from_micros(pick)
}

/// What a per-node column measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ColumnKind {
    /// A replica's lag behind the writer, µs; blank while it is down or not a replica.
    ReplicaLag,
    /// A Serverless instance's capacity, in ACUs.
    Acu,
    /// A Global Database secondary region's lag behind the primary, µs.
    GlobalLag,
}

/// A column of the CSV beyond the fixed ones: one node's figure.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Column {
    pub kind: ColumnKind,
    /// The node's name as the diagram shows it (`instance-2`, `eu-west-1`).
    pub name: String,
}

impl Column {
    /// The CSV header: `lag_us:instance-2`, `acu:instance-1`, `global_lag_us:eu-west-1`.
    pub fn header(&self) -> String {
        let prefix = match self.kind {
            ColumnKind::ReplicaLag => "lag_us",
            ColumnKind::Acu => "acu",
            ColumnKind::GlobalLag => "global_lag_us",
        };
        format!("{prefix}:{}", self.name)
    }
}

/// One sample: the figures at `at`, and those of the interval that ends there.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Row {
    pub at: SimTime,
    /// Length of the interval this row closes (shorter for the row at the run's end).
    pub span: SimDuration,
    /// Over the run so far, as the panel shows them.
    pub commits_acked: u64,
    pub commit_p50_us: u64,
    pub commit_p99_us: u64,
    pub redo_messages: u64,
    pub replica_lag_p50_us: u64,
    pub replica_lag_p99_us: u64,
    /// Within the interval.
    pub interval_commits: u64,
    pub interval_redo_messages: u64,
    /// `None` when no commit was acknowledged in the interval.
    pub interval_commit_p50_us: Option<u64>,
    pub interval_commit_p99_us: Option<u64>,
    /// Per-node figures: (index into the columns, value; ACUs are in halves).
    pub cells: Vec<(u16, u64)>,
}

impl Row {
    /// Commits per simulated second within the interval.
    pub fn commits_per_s(&self) -> f64 {
        let s = self.span.as_secs_f64();
        if s > 0.0 {
            self.interval_commits as f64 / s
        } else {
            0.0
        }
    }
    /// Redo I/Os (messages to storage) per acknowledged transaction over the run: the panel's
    /// "Redo I/Os per transaction".
    pub fn ios_per_txn(&self) -> f64 {
        ratio(self.redo_messages, self.commits_acked)
    }
    /// The same within the interval, `None` when nothing committed in it.
    pub fn interval_ios_per_txn(&self) -> Option<f64> {
        (self.interval_commits > 0)
            .then(|| ratio(self.interval_redo_messages, self.interval_commits))
    }
    /// The value of column `i`, as stored (ACUs in halves).
    pub fn cell(&self, i: usize) -> Option<u64> {
        self.cells
            .iter()
            .find(|(c, _)| *c as usize == i)
            .map(|(_, v)| *v)
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// What a sample reads of the model: the clock, the metrics, the instances (with the topology
/// that names them) and the Global Database's regions. The simulation lends these, so the
/// series needs nothing else of it.
#[derive(Clone, Copy)]
pub struct Sampled<'a> {
    pub now: SimTime,
    pub metrics: &'a Metrics,
    pub topology: &'a Topology,
    pub instances: &'a [Instance],
    pub global: &'a Global,
}

/// The samples of one run, and what the next one needs.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Series {
    interval: SimDuration,
    /// The next sample is due when the clock passes this.
    next: SimTime,
    columns: Vec<Column>,
    rows: Vec<Row>,
    /// The commit-latency histogram and counters at the last sample, for the interval's figures.
    prev_latency: Histogram,
    prev_commits: u64,
    prev_redo: u64,
    prev_at: SimTime,
}

impl Series {
    /// A series sampling every `interval` from `now` (at least 1 ms apart).
    pub fn new(interval: SimDuration, now: SimTime, m: &Metrics) -> Series {
        let interval = SimDuration::from_micros(interval.as_micros().max(1_000));
        Series {
            interval,
            next: now,
            columns: Vec::new(),
            rows: Vec::new(),
            prev_latency: m.commit_latency.clone(),
            prev_commits: m.commits_acked,
            prev_redo: m.redo_messages,
            prev_at: now,
        }
    }

    pub fn interval(&self) -> SimDuration {
        self.interval
    }
    pub fn rows(&self) -> &[Row] {
        &self.rows
    }
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }
    /// When the next sample is due: the clock passing it takes it.
    pub fn next_due(&self) -> SimTime {
        if self.rows.len() >= MAX_ROWS {
            SimTime::MAX
        } else {
            self.next
        }
    }

    /// Takes the samples due before `now` from the model as it is (every event up to them
    /// handled, none after).
    pub fn catch_up(&mut self, sim: &Sampled) {
        while self.next < sim.now && self.rows.len() < MAX_ROWS {
            let at = self.next;
            let row = self.sample(at, sim, true);
            self.rows.push(row);
            self.next = at + self.interval;
        }
    }

    /// The figures at `at` from the model; `keep` moves the interval's starting point there.
    fn sample(&mut self, at: SimTime, sim: &Sampled, keep: bool) -> Row {
        let m = sim.metrics;
        let interval = m.commit_latency.since(&self.prev_latency);
        let some = interval.count() > 0;
        let mut row = Row {
            at,
            span: at - self.prev_at,
            commits_acked: m.commits_acked,
            commit_p50_us: m.commit_latency.quantile(500),
            commit_p99_us: m.commit_latency.quantile(990),
            redo_messages: m.redo_messages,
            replica_lag_p50_us: m.replica_lag.quantile(500),
            replica_lag_p99_us: m.replica_lag.quantile(990),
            interval_commits: m.commits_acked.saturating_sub(self.prev_commits),
            interval_redo_messages: m.redo_messages.saturating_sub(self.prev_redo),
            interval_commit_p50_us: some.then(|| interval.quantile(500)),
            interval_commit_p99_us: some.then(|| interval.quantile(990)),
            cells: Vec::new(),
        };
        let topo = sim.topology;
        for i in sim.instances {
            let name = || format!("{}", topo.node(i.node).name());
            if i.role == Role::Replica && topo.is_up(i.node) {
                let c = self.column(ColumnKind::ReplicaLag, name());
                row.cells.push((c, i.lag.as_micros()));
            }
            if i.capacity != Capacity::Provisioned {
                let c = self.column(ColumnKind::Acu, name());
                row.cells.push((c, u64::from(i.acu_half())));
            }
        }
        for r in &sim.global.regions {
            if r.role == RegionRole::Secondary {
                let c = self.column(ColumnKind::GlobalLag, String::from(r.name()));
                row.cells.push((c, r.lag.as_micros()));
            }
        }
        if keep {
            self.prev_latency = m.commit_latency.clone();
            self.prev_commits = m.commits_acked;
            self.prev_redo = m.redo_messages;
            self.prev_at = at;
        }
        row
    }

    fn column(&mut self, kind: ColumnKind, name: String) -> u16 {
        if let Some(i) = self
            .columns
            .iter()
            .position(|c| c.kind == kind && c.name == name)
        {
            return i as u16;
        }
        self.columns.push(Column { kind, name });
        (self.columns.len() - 1) as u16
    }

    /// The rows so far and one for the model's present moment, if it is past the last: what
    /// the panel shows now is the last row.
    pub fn with_now(&self, sim: &Sampled) -> Series {
        let mut all = self.clone();
        let now = sim.now;
        if all.rows.last().is_none_or(|r| r.at < now) {
            let row = all.sample(now, sim, false);
            all.rows.push(row);
        }
        all
    }

    /// The CSV of these rows: a header line, then one line per row, comma-separated, with a
    /// blank cell where a figure does not apply (no commit in the interval, a replica down).
    pub fn to_csv(&self) -> String {
        let mut out = String::from(HEADER);
        for c in &self.columns {
            out.push(',');
            out.push_str(&c.header());
        }
        out.push('\n');
        for r in &self.rows {
            let _ = write!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                seconds(r.at.as_micros()),
                r.commits_acked,
                fixed(r.commits_per_s(), 1),
                r.commit_p50_us,
                r.commit_p99_us,
                opt(r.interval_commit_p50_us),
                opt(r.interval_commit_p99_us),
                fixed(r.ios_per_txn(), 3),
                r.interval_ios_per_txn()
                    .map_or(String::new(), |v| fixed(v, 3)),
                r.replica_lag_p50_us,
                r.replica_lag_p99_us,
                seconds(r.span.as_micros()),
            );
            for (i, c) in self.columns.iter().enumerate() {
                out.push(',');
                if let Some(v) = r.cell(i) {
                    match c.kind {
                        ColumnKind::Acu => out.push_str(&halves(v)),
                        _ => {
                            let _ = write!(out, "{v}");
                        }
                    }
                }
            }
            out.push('\n');
        }
        out
    }
}

/// The fixed columns, in order. Documented in docs/runner.md.
pub const HEADER: &str = "time_s,commits_acked,commits_per_s,commit_p50_us,commit_p99_us,interval_commit_p50_us,interval_commit_p99_us,ios_per_txn,interval_ios_per_txn,replica_lag_p50_us,replica_lag_p99_us,interval_s";

/// Microseconds as seconds, exactly: `12.5`, `0.000001`, `3`.
fn seconds(us: u64) -> String {
    let (s, frac) = (us / 1_000_000, us % 1_000_000);
    if frac == 0 {
        return format!("{s}");
    }
    let f = format!("{frac:06}");
    format!("{s}.{}", f.trim_end_matches('0'))
}

/// Half-units as a decimal: 5 → `2.5`, 4 → `2`.
fn halves(v: u64) -> String {
    if v.is_multiple_of(2) {
        format!("{}", v / 2)
    } else {
        format!("{}.5", v / 2)
    }
}

fn opt(v: Option<u64>) -> String {
    v.map_or(String::new(), |v| format!("{v}"))
}

/// A number with `places` decimals, never `NaN` or `inf` (blank instead).
fn fixed(v: f64, places: usize) -> String {
    if v.is_finite() {
        format!("{v:.places$}")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_interval_gives_a_few_hundred_round_steps() {
        assert_eq!(
            default_interval(SimDuration::from_secs(2)),
            SimDuration::from_millis(10)
        );
        assert_eq!(
            default_interval(SimDuration::from_secs(20)),
            SimDuration::from_millis(50)
        );
        assert_eq!(
            default_interval(SimDuration::from_secs(60)),
            SimDuration::from_millis(100)
        );
        assert_eq!(
            default_interval(SimDuration::from_hours(28)),
            SimDuration::from_secs(300)
        );
    }

    #[test]
    fn numbers_are_written_exactly() {
        assert_eq!(seconds(12_500_000), "12.5");
        assert_eq!(seconds(1), "0.000001");
        assert_eq!(seconds(3_000_000), "3");
        assert_eq!(halves(5), "2.5");
        assert_eq!(halves(4), "2");
        assert_eq!(fixed(f64::NAN, 2), "");
    }
}
