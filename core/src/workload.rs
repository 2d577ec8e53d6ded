//! A steady background workload: transactions, page reads and data growth at given rates.
//!
//! Arrivals are issued in batches, one tick at a time, as Aurora batches work per protection
//! group: at 100,000 transactions per second a tick issues about 100 of them at once, which keeps
//! the event count per transaction far below one.

use crate::engine::{Due, Kernel};
pub use crate::settings::load::{WorkloadConfig, MAX_RATE};
use crate::time::{SimDuration, SimTime};

/// The longest gap between workload ticks while any rate is set. [sim default — not sourced]
pub const WORKLOAD_TICK: SimDuration = SimDuration::from_millis(1);

/// What one tick issues: transactions of `mtrs_per_txn` mini-transactions, page reads on the
/// writer, and bytes of data growth. The dispatch runs them, in that order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Arrivals {
    pub txns: u64,
    pub mtrs_per_txn: u8,
    pub reads: u64,
    pub growth: u64,
}

/// The generator's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Workload {
    pub config: WorkloadConfig,
    /// Arrivals owed, in millionths, carried between ticks so rates are exact.
    txn_carry: u64,
    read_carry: u64,
    growth_carry: u64,
    last_tick: SimTime,
    tick_scheduled: bool,
}

/// Replaces the workload and starts ticking if needed.
pub(crate) fn set(k: &mut Kernel, w: &mut Workload, config: WorkloadConfig) {
    w.config = config;
    if !w.tick_scheduled && config.active() {
        w.tick_scheduled = true;
        w.last_tick = k.now;
        k.schedule(k.now, Due::WorkloadTick);
    }
}

/// Time until the next whole arrival at `rate` per second, given what is carried.
fn until_next(rate: u64, carry: u64) -> u64 {
    if rate == 0 {
        u64::MAX
    } else {
        (1_000_000u64.saturating_sub(carry)).div_ceil(rate)
    }
}

/// A tick: what is owed since the last one is issued, and the next tick scheduled.
pub(crate) fn on_tick(k: &mut Kernel, w: &mut Workload) -> Arrivals {
    let dt = (k.now - w.last_tick).as_micros();
    w.last_tick = k.now;
    let c = w.config;
    w.txn_carry += c.txn_per_sec as u64 * dt;
    w.read_carry += c.reads_per_sec as u64 * dt;
    w.growth_carry += c.growth_bytes_per_sec.saturating_mul(dt);
    let txns = w.txn_carry / 1_000_000;
    let reads = w.read_carry / 1_000_000;
    let growth = w.growth_carry / 1_000_000;
    w.txn_carry %= 1_000_000;
    w.read_carry %= 1_000_000;
    w.growth_carry %= 1_000_000;
    let next = until_next(c.txn_per_sec as u64, w.txn_carry)
        .min(until_next(c.reads_per_sec as u64, w.read_carry))
        .max(WORKLOAD_TICK.as_micros());
    if c.active() {
        let next = if c.growth_bytes_per_sec > 0 {
            WORKLOAD_TICK.as_micros().max(next.min(100_000))
        } else {
            next
        };
        k.schedule_in(SimDuration::from_micros(next), Due::WorkloadTick);
    } else {
        w.tick_scheduled = false;
    }
    Arrivals {
        txns,
        mtrs_per_txn: c.mtrs_per_txn,
        reads,
        growth,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_arrival_accounts_for_carry() {
        assert_eq!(until_next(1_000, 0), 1_000);
        assert_eq!(until_next(1_000, 500_000), 500);
        assert_eq!(until_next(0, 0), u64::MAX);
    }

    #[test]
    fn validation_names_the_problem() {
        let bad = WorkloadConfig {
            mtrs_per_txn: 0,
            ..WorkloadConfig::default()
        };
        assert!(bad.validate().unwrap_err().contains("1 to 16"));
        assert!(WorkloadConfig::default().validate().is_ok());
    }
}
