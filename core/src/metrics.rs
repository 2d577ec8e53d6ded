//! What is measured: counters, latency histograms, throughput and availability.
//!
//! Fixed-size structures only, so recording allocates nothing and a checkpoint clone stays
//! cheap.

use crate::ids::{NodeId, PgId};
use crate::time::{SimDuration, SimTime};
use alloc::vec::Vec;

const SUB_BITS: u32 = 3;
const SUB: usize = 1 << SUB_BITS;
const BUCKETS: usize = 64 * SUB;

/// A finished failover, phase by phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FailoverRecord {
    pub old: NodeId,
    pub new: NodeId,
    /// From the writer's failure to the start of failover. The phases add up to `total`.
    pub detect: SimDuration,
    /// The control plane's view of detection: from the last health check the writer passed
    /// to the start of failover, after `missed_checks` misses in a row. It is longer than
    /// `detect` by the time between that check and the fault.
    pub unhealthy_for: SimDuration,
    pub missed_checks: u32,
    pub promote: SimDuration,
    pub recover: SimDuration,
    pub total: SimDuration,
}

/// A log-linear histogram of microsecond values: 8 buckets per power of two, so any percentile
/// is within 12.5 % of the true value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Histogram {
    #[cfg_attr(feature = "serde", serde(with = "serde_array"))]
    counts: [u32; BUCKETS],
    total: u64,
    sum: u64,
    max: u64,
}

/// Serde for fixed arrays longer than serde's built-in 32.
#[cfg(feature = "serde")]
mod serde_array {
    use alloc::vec::Vec;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer, const N: usize>(v: &[u32; N], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter())
    }
    pub fn deserialize<'de, D: Deserializer<'de>, const N: usize>(
        d: D,
    ) -> Result<[u32; N], D::Error> {
        let v = Vec::<u32>::deserialize(d)?;
        if v.len() != N {
            return Err(serde::de::Error::invalid_length(v.len(), &"a full array"));
        }
        let mut out = [0; N];
        out.copy_from_slice(&v);
        Ok(out)
    }
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: [0; BUCKETS],
            total: 0,
            sum: 0,
            max: 0,
        }
    }
}

fn bucket(v: u64) -> usize {
    if v < SUB as u64 {
        return v as usize;
    }
    let msb = 63 - v.leading_zeros();
    let sub = (v >> (msb - SUB_BITS)) as usize & (SUB - 1);
    (msb - SUB_BITS + 1) as usize * SUB + sub
}

fn bucket_low(i: usize) -> u64 {
    if i < SUB {
        return i as u64;
    }
    let msb = (i / SUB) as u32 + SUB_BITS - 1;
    ((SUB + i % SUB) as u64) << (msb - SUB_BITS)
}

impl Histogram {
    pub fn record(&mut self, v: u64) {
        self.record_n(v, 1);
    }
    /// Records `v` as `n` samples (`n` events that each took `v`).
    pub fn record_n(&mut self, v: u64, n: u64) {
        if n == 0 {
            return;
        }
        let c = &mut self.counts[bucket(v)];
        *c = c.saturating_add(n.min(u32::MAX as u64) as u32);
        self.total += n;
        self.sum = self.sum.saturating_add(v.saturating_mul(n));
        self.max = self.max.max(v);
    }
    pub fn count(&self) -> u64 {
        self.total
    }
    pub fn max(&self) -> u64 {
        self.max
    }
    pub fn mean(&self) -> u64 {
        self.sum.checked_div(self.total).unwrap_or(0)
    }
    /// What was recorded after `earlier`, a copy of this histogram taken before: the counts
    /// of an interval, so its percentiles can be read. The largest value is the run's, an upper
    /// bound for the interval's.
    pub fn since(&self, earlier: &Histogram) -> Histogram {
        let mut counts = [0; BUCKETS];
        for (i, c) in counts.iter_mut().enumerate() {
            *c = self.counts[i].saturating_sub(earlier.counts[i]);
        }
        Histogram {
            counts,
            total: self.total.saturating_sub(earlier.total),
            sum: self.sum.saturating_sub(earlier.sum),
            max: self.max,
        }
    }
    /// The value at the given quantile in per mille (500 = median, 990 = p99): the low edge of
    /// its bucket, never above the largest value recorded.
    pub fn quantile(&self, per_mille: u32) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = (self.total * per_mille.min(1000) as u64)
            .div_ceil(1000)
            .max(1);
        let mut seen = 0u64;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c as u64;
            if seen >= rank {
                return bucket_low(i).min(self.max);
            }
        }
        self.max
    }
}

/// Seconds of commit throughput kept for the live chart.
pub const THROUGHPUT_WINDOW: usize = 60;

/// Everything the simulation measures.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Metrics {
    pub txns_started: u64,
    pub txn_errors: u64,
    pub commits_acked: u64,
    pub commit_latency: Histogram,
    pub reads: u64,
    pub cache_hits: u64,
    pub page_reads: u64,
    pub read_errors: u64,
    pub read_latency: Histogram,
    /// Redo batches the writer flushed (one per PG per boxcar).
    pub redo_batches: u64,
    /// Redo messages on the wire (a batch goes to every member segment, plus re-sends).
    pub redo_messages: u64,
    /// Bytes of the write path on the wire: redo to the segments and their acknowledgements.
    /// What mirrored MySQL's chains are set beside (P17 §3.1–3.2); clients, replicas and the
    /// storage background are left out.
    pub write_path_bytes: u64,
    /// Requests refused by storage for carrying a stale epoch.
    pub stale_rejections: u64,
    /// Redo-stream messages to replicas.
    pub stream_messages: u64,
    /// Replica lag of every write a replica made readable, in microseconds: from the write on
    /// the writer to the replica's read point passing it.
    pub replica_lag: Histogram,
    /// The same, split by the background workload's write rate (MTRs a second) in force: the
    /// P17 Table 4 sweep. A few rates at most.
    pub replica_lag_by_rate: Vec<LagAtRate>,
    /// Client-side results.
    pub client_ok: u64,
    pub client_errors: u64,
    pub client_read_latency: Histogram,
    pub client_write_latency: Histogram,
    /// The longest time without any successful client write: the downtime clients saw.
    pub client_write_gap_max: SimDuration,
    pub last_client_write: Option<SimTime>,
    /// Completed failovers and crash recoveries.
    pub failovers: Vec<FailoverRecord>,
    pub recoveries: Vec<SimDuration>,
    /// The same recoveries phase by phase.
    pub recovery_phases: Vec<RecoveryPhases>,
    /// Writes a fenced old writer took and storage refused.
    pub fenced_writes_refused: u64,
    /// Instances created and removed, and the most replicas at once.
    pub instances_added: u64,
    pub instances_removed: u64,
    pub replicas_peak: u64,
    /// Serverless capacity changes: when, which instance, half-ACUs (the newest 20,000).
    pub capacity_trace: Vec<(SimTime, crate::ids::NodeId, u16)>,
    pub capacity_peak_half: u16,
    /// Requests refused because an instance's CPU queue was over a second long.
    pub overloaded: u64,
    /// How long each resume from pause took, from the first request to serving.
    pub resumes: Vec<SimDuration>,
    /// Global Database: secondary lag at every durable step, commits lost to region failovers,
    /// forwarded writes.
    pub global_lag: Histogram,
    pub commits_lost_in_failover: u64,
    pub forwarded_write_latency: Histogram,
    pub forwarded_write_errors: u64,
    /// Reads right after a forwarded write: how long each waited for the secondary to hold
    /// what the read consistency asks (microseconds), and how many missed the session's own
    /// write (EVENTUAL only).
    pub forward_read_wait: Histogram,
    pub forward_reads_stale: u64,
    /// Completed repairs: the PG and the time from failure to the replacement taking over.
    pub repairs: Vec<(PgId, SimDuration)>,
    /// Total time during which some PG could not form a write quorum.
    write_unavailable: SimDuration,
    unavailable_since: Option<SimTime>,
    /// Commits per simulated second, in a ring indexed by second.
    #[cfg_attr(feature = "serde", serde(with = "serde_array"))]
    per_second: [u32; THROUGHPUT_WINDOW],
    current_second: u64,
}

/// One crash recovery, phase by phase (P17 §4.3): what a student should see is that the
/// storage protocol is a sliver of the whole, because there is no redo to replay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RecoveryPhases {
    /// The instance and engine restarting (or, in a failover, the replica's promotion).
    pub restart: SimDuration,
    /// Quorum reads, truncation and the new volume epoch, as messages on the wire.
    pub storage: SimDuration,
    /// Undo of the transactions in flight at the crash, after the open; `None` until done.
    pub undo: Option<SimDuration>,
    pub undo_txns: u32,
}

impl RecoveryPhases {
    /// From the start of the restart to the open.
    pub fn to_open(&self) -> SimDuration {
        self.restart + self.storage
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            txns_started: 0,
            txn_errors: 0,
            commits_acked: 0,
            commit_latency: Histogram::default(),
            reads: 0,
            cache_hits: 0,
            page_reads: 0,
            read_errors: 0,
            read_latency: Histogram::default(),
            redo_batches: 0,
            redo_messages: 0,
            write_path_bytes: 0,
            stale_rejections: 0,
            stream_messages: 0,
            replica_lag: Histogram::default(),
            replica_lag_by_rate: Vec::new(),
            client_ok: 0,
            client_errors: 0,
            client_read_latency: Histogram::default(),
            client_write_latency: Histogram::default(),
            client_write_gap_max: SimDuration::ZERO,
            last_client_write: None,
            failovers: Vec::new(),
            recoveries: Vec::new(),
            recovery_phases: Vec::new(),
            fenced_writes_refused: 0,
            instances_added: 0,
            instances_removed: 0,
            replicas_peak: 0,
            capacity_trace: Vec::new(),
            capacity_peak_half: 0,
            overloaded: 0,
            resumes: Vec::new(),
            global_lag: Histogram::default(),
            commits_lost_in_failover: 0,
            forwarded_write_latency: Histogram::default(),
            forwarded_write_errors: 0,
            forward_read_wait: Histogram::default(),
            forward_reads_stale: 0,
            repairs: Vec::new(),
            write_unavailable: SimDuration::ZERO,
            unavailable_since: None,
            per_second: [0; THROUGHPUT_WINDOW],
            current_second: 0,
        }
    }
}

/// Replica lag at one write rate, and the share of it spent before VDL passed the write
/// (the storage quorum), so the rest is the stream's hop and the replica's apply.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LagAtRate {
    /// Write statements (MTRs) a second.
    pub rate: u32,
    pub lag: Histogram,
    /// Sum over shipped writes of the time from the write to VDL's move, µs, and their count.
    pub durable_wait_us: u64,
    pub durable_writes: u64,
}

impl LagAtRate {
    /// The mean time from a write to VDL passing it, µs.
    pub fn durable_wait_mean(&self) -> Option<u64> {
        self.durable_wait_us.checked_div(self.durable_writes)
    }
}

/// Write rates `replica_lag_by_rate` keeps apart; later rates are not split out.
pub const LAG_RATES_KEPT: usize = 16;

impl Metrics {
    /// Records a replica lag under the write rate in force (none if no background writes).
    pub(crate) fn record_lag_at_rate(&mut self, writes_per_sec: u32, lag: SimDuration, n: u64) {
        if let Some(r) = self.lag_at_rate(writes_per_sec) {
            r.lag.record_n(lag.as_micros(), n);
        }
    }

    /// Records that `n` writes waited `wait` on average for VDL to pass them before being
    /// shipped to the replicas, under the write rate in force.
    pub(crate) fn record_durable_wait(&mut self, writes_per_sec: u32, wait: SimDuration, n: u64) {
        if let Some(r) = self.lag_at_rate(writes_per_sec) {
            r.durable_wait_us = r
                .durable_wait_us
                .saturating_add(wait.as_micros().saturating_mul(n));
            r.durable_writes += n;
        }
    }

    /// The entry for a write rate, made if there is room (none if no background writes).
    fn lag_at_rate(&mut self, writes_per_sec: u32) -> Option<&mut LagAtRate> {
        if writes_per_sec == 0 {
            return None;
        }
        let by = &mut self.replica_lag_by_rate;
        let i = match by.iter().position(|r| r.rate == writes_per_sec) {
            Some(i) => i,
            None if by.len() < LAG_RATES_KEPT => {
                by.push(LagAtRate {
                    rate: writes_per_sec,
                    ..LagAtRate::default()
                });
                by.len() - 1
            }
            None => return None,
        };
        by.get_mut(i)
    }

    pub(crate) fn set_write_unavailable(&mut self, now: SimTime, lost: bool) {
        match (self.unavailable_since, lost) {
            (None, true) => self.unavailable_since = Some(now),
            (Some(since), false) => {
                self.write_unavailable += now - since;
                self.unavailable_since = None;
            }
            _ => {}
        }
    }

    /// Total time some PG lacked a write quorum, up to `now`.
    pub fn write_unavailable(&self, now: SimTime) -> SimDuration {
        self.write_unavailable
            + self
                .unavailable_since
                .map_or(SimDuration::ZERO, |s| now - s)
    }

    pub(crate) fn note_capacity(&mut self, now: SimTime, node: crate::ids::NodeId, half: u16) {
        if self.capacity_trace.len() >= 20_000 {
            self.capacity_trace.drain(..10_000);
        }
        self.capacity_trace.push((now, node, half));
        self.capacity_peak_half = self.capacity_peak_half.max(half);
    }

    pub(crate) fn note_commits(&mut self, now: SimTime, n: u32) {
        let sec = now.as_micros() / 1_000_000;
        self.roll_to(sec);
        self.per_second[(sec % THROUGHPUT_WINDOW as u64) as usize] += n;
    }

    fn roll_to(&mut self, sec: u64) {
        if sec <= self.current_second {
            return;
        }
        let gap = (sec - self.current_second).min(THROUGHPUT_WINDOW as u64);
        for i in 1..=gap {
            let idx = ((self.current_second + i) % THROUGHPUT_WINDOW as u64) as usize;
            self.per_second[idx] = 0;
        }
        self.current_second = sec;
    }

    /// Commits acknowledged in each of the last `n` whole simulated seconds before `now`,
    /// oldest first.
    pub fn throughput(&self, now: SimTime, n: usize) -> Vec<u32> {
        let sec = now.as_micros() / 1_000_000;
        let n = n.min(THROUGHPUT_WINDOW - 1);
        (1..=n as u64)
            .rev()
            .map(|back| match sec.checked_sub(back) {
                Some(s)
                    if s <= self.current_second
                        && s + (THROUGHPUT_WINDOW as u64) > self.current_second =>
                {
                    self.per_second[(s % THROUGHPUT_WINDOW as u64) as usize]
                }
                _ => 0,
            })
            .collect()
    }

    /// Redo messages on the network per committed transaction (P17 Table 1 counts I/Os per
    /// transaction the same way).
    pub fn redo_ios_per_txn(&self) -> f64 {
        if self.commits_acked == 0 {
            0.0
        } else {
            self.redo_messages as f64 / self.commits_acked as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_tight() {
        let mut last = 0;
        for v in [
            0u64,
            1,
            7,
            8,
            9,
            15,
            16,
            17,
            100,
            1_000,
            123_456,
            u64::MAX / 2,
        ] {
            let b = bucket(v);
            assert!(b >= last);
            last = b;
            let low = bucket_low(b);
            assert!(low <= v, "{v}: low {low}");
            assert!(v - low <= v / 8 + 1, "{v}: low {low}");
        }
    }

    #[test]
    fn quantiles_of_a_known_distribution() {
        let mut h = Histogram::default();
        for v in 1..=1000u64 {
            h.record(v);
        }
        let p50 = h.quantile(500);
        let p99 = h.quantile(990);
        assert!((440..=500).contains(&p50), "{p50}");
        assert!((870..=990).contains(&p99), "{p99}");
        assert_eq!(h.max(), 1000);
        assert_eq!(h.mean(), 500);
        assert_eq!(Histogram::default().quantile(500), 0);
    }

    #[test]
    fn throughput_window_rolls_and_forgets() {
        let mut m = Metrics::default();
        m.note_commits(SimTime::from_micros(500_000), 3);
        m.note_commits(SimTime::from_micros(1_200_000), 5);
        m.note_commits(SimTime::from_micros(1_900_000), 1);
        assert_eq!(m.throughput(SimTime::from_micros(2_000_000), 3), [0, 3, 6]);
        m.note_commits(SimTime::from_micros(200_000_000), 7);
        assert_eq!(m.throughput(SimTime::from_micros(201_000_000), 2), [0, 7]);
    }

    #[test]
    fn write_unavailability_accumulates() {
        let mut m = Metrics::default();
        m.set_write_unavailable(SimTime::from_micros(10), true);
        m.set_write_unavailable(SimTime::from_micros(20), true);
        m.set_write_unavailable(SimTime::from_micros(40), false);
        assert_eq!(
            m.write_unavailable(SimTime::from_micros(100)).as_micros(),
            30
        );
        m.set_write_unavailable(SimTime::from_micros(100), true);
        assert_eq!(
            m.write_unavailable(SimTime::from_micros(150)).as_micros(),
            80
        );
    }
}
