//! Simulated time.
//!
//! The core never reads a clock: the caller says what time it is by running the simulation to a
//! point in simulated time. Time is counted in whole microseconds in a `u64` (enough for 584,000
//! years), because Aurora's behaviour spans nine orders of magnitude, from a redo write of a few
//! hundred microseconds to a Backtrack window of hours.

use core::fmt;
use core::ops::{Add, AddAssign, Sub};

/// A point in simulated time, in microseconds since the simulation started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SimTime(u64);

/// A span of simulated time, in microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SimDuration(u64);

impl SimTime {
    /// `s` whole seconds after the start.
    pub const fn from_secs(s: u64) -> SimTime {
        SimTime::from_micros(s * 1_000_000)
    }
    /// The start of every simulation.
    pub const ZERO: SimTime = SimTime(0);
    /// The end of time, used as "never".
    pub const MAX: SimTime = SimTime(u64::MAX);

    pub const fn from_micros(us: u64) -> Self {
        SimTime(us)
    }
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    /// Seconds as a float, for display and metrics only (never for model decisions).
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
    /// The time elapsed since `earlier`, or zero if `earlier` is later.
    pub const fn since(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

impl SimDuration {
    pub const ZERO: SimDuration = SimDuration(0);
    pub const MAX: SimDuration = SimDuration(u64::MAX);

    pub const fn from_micros(us: u64) -> Self {
        SimDuration(us)
    }
    pub const fn from_millis(ms: u64) -> Self {
        SimDuration(ms * 1_000)
    }
    pub const fn from_secs(s: u64) -> Self {
        SimDuration(s * 1_000_000)
    }
    pub const fn from_mins(m: u64) -> Self {
        SimDuration(m * 60_000_000)
    }
    pub const fn from_hours(h: u64) -> Self {
        SimDuration(h * 3_600_000_000)
    }
    pub const fn as_micros(self) -> u64 {
        self.0
    }
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1e3
    }
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1e6
    }
    pub const fn saturating_mul(self, n: u64) -> Self {
        SimDuration(self.0.saturating_mul(n))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}
impl AddAssign<SimDuration> for SimTime {
    fn add_assign(&mut self, d: SimDuration) {
        *self = *self + d;
    }
}
impl Sub<SimTime> for SimTime {
    type Output = SimDuration;
    fn sub(self, earlier: SimTime) -> SimDuration {
        self.since(earlier)
    }
}
impl Add for SimDuration {
    type Output = SimDuration;
    fn add(self, d: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(d.0))
    }
}
impl AddAssign for SimDuration {
    fn add_assign(&mut self, d: SimDuration) {
        *self = *self + d;
    }
}

/// Formats a number of microseconds with a unit a person reads easily: `850 µs`, `4.20 ms`,
/// `12.5 s`, `3 min 20 s`, `2 h 5 min`.
fn fmt_micros(us: u64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    if us < 1_000 {
        write!(f, "{us} µs")
    } else if us < 1_000_000 {
        write!(f, "{}.{:02} ms", us / 1_000, (us % 1_000) / 10)
    } else if us < 60_000_000 {
        write!(f, "{}.{:01} s", us / 1_000_000, (us % 1_000_000) / 100_000)
    } else if us < 3_600_000_000 {
        let s = us / 1_000_000;
        write!(f, "{} min {} s", s / 60, s % 60)
    } else {
        let m = us / 60_000_000;
        write!(f, "{} h {} min", m / 60, m % 60)
    }
}

impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_micros(self.0, f)
    }
}
impl fmt::Display for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t=")?;
        fmt_micros(self.0, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(SimTime::MAX + SimDuration::from_secs(1), SimTime::MAX);
        assert_eq!(SimTime::ZERO - SimTime::from_micros(5), SimDuration::ZERO);
        assert_eq!(
            SimTime::from_micros(10) + SimDuration::from_millis(2),
            SimTime::from_micros(2_010)
        );
    }

    #[test]
    fn display_picks_a_readable_unit() {
        assert_eq!(format!("{}", SimDuration::from_micros(850)), "850 µs");
        assert_eq!(format!("{}", SimDuration::from_micros(4_200)), "4.20 ms");
        assert_eq!(format!("{}", SimDuration::from_millis(12_500)), "12.5 s");
        assert_eq!(format!("{}", SimDuration::from_secs(200)), "3 min 20 s");
        assert_eq!(format!("{}", SimDuration::from_mins(125)), "2 h 5 min");
    }
}
