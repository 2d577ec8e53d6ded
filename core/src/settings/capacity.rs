//! How an instance's capacity is set (provisioned, Serverless v2 or Serverless v1) and, for a
//! serverless one, where its capacity stands.

use crate::time::{SimDuration, SimTime};

/// Largest v2 maximum on recent versions. API: ServerlessV2ScalingConfiguration
pub const V2_MAX_ACU: u16 = 256;
/// Auto-pause delay range and default, seconds. API: ServerlessV2ScalingConfiguration
pub const AUTO_PAUSE_MIN: SimDuration = SimDuration::from_secs(300);
pub const AUTO_PAUSE_MAX: SimDuration = SimDuration::from_secs(86_400);
/// Resuming a paused v2 instance: "up to ~15 s". BLOG-S0
pub const V2_RESUME_TIME: SimDuration = SimDuration::from_secs(15);
/// A v1 cold start: "30+ s" measured by Percona (2019).
pub const V1_RESUME_TIME: SimDuration = SimDuration::from_secs(30);
/// How many one-second CPU samples v1 looks at before it scales: it reacts to load
/// sustained over this window, not to one busy second. [sim default — not sourced: the UG
/// names v1's triggers (CPU, connections, memory) but not the period it measures them over]
pub const V1_WINDOW_SECS: usize = 30;

/// The last [`V1_WINDOW_SECS`] seconds of a v1 instance's CPU utilisation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct V1Window {
    samples: [u8; V1_WINDOW_SECS],
    /// Samples taken since the window was last cleared (at most the window's length).
    filled: u8,
    next: u8,
}

impl V1Window {
    /// Adds one second's utilisation, percent.
    pub fn push(&mut self, pct: u64) {
        self.samples[self.next as usize] = pct.min(100) as u8;
        self.next = ((self.next as usize + 1) % V1_WINDOW_SECS) as u8;
        self.filled = (self.filled + 1).min(V1_WINDOW_SECS as u8);
    }

    /// The window's average, once it holds a full window of samples.
    pub fn average(&self) -> Option<u64> {
        (self.filled as usize == V1_WINDOW_SECS)
            .then(|| self.samples.iter().map(|&s| s as u64).sum::<u64>() / V1_WINDOW_SECS as u64)
    }

    /// Capacity changed: what was measured at the old capacity no longer says anything.
    pub fn clear(&mut self) {
        *self = V1Window::default();
    }
}

/// v1 capacity points for Aurora MySQL. API: ScalingConfiguration
pub const V1_POINTS: [u16; 9] = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/// What happens when a v1 change finds no scaling point in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum TimeoutAction {
    /// Keep the current capacity.
    Rollback,
    /// Change anyway, dropping the long transaction's connection.
    Force,
}

/// How an instance's capacity is set. ACU values are in half-ACU units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Capacity {
    Provisioned,
    V2 {
        min_half: u16,
        max_half: u16,
        /// Pause after this long idle; only with min 0.
        pause_after: Option<SimDuration>,
    },
    V1 {
        min_acu: u16,
        max_acu: u16,
        pause: bool,
        on_timeout: TimeoutAction,
    },
}

impl Capacity {
    pub fn validate(&self) -> Result<(), &'static str> {
        match *self {
            Capacity::Provisioned => Ok(()),
            Capacity::V2 {
                min_half,
                max_half,
                pause_after,
            } => {
                if max_half == 0 || max_half > V2_MAX_ACU * 2 || min_half > max_half {
                    return Err("Serverless v2 needs 0 ≤ min ≤ max ≤ 256 ACU, max above 0");
                }
                if min_half == 0 && pause_after.is_none() {
                    return Err("a minimum of 0 ACU needs an auto-pause delay");
                }
                if let Some(p) = pause_after {
                    if min_half != 0 {
                        return Err("auto-pause needs a minimum of 0 ACU");
                    }
                    if p < AUTO_PAUSE_MIN || p > AUTO_PAUSE_MAX {
                        return Err("auto-pause delay is 300 s to 24 h");
                    }
                }
                Ok(())
            }
            Capacity::V1 {
                min_acu, max_acu, ..
            } => {
                if !V1_POINTS.contains(&min_acu)
                    || !V1_POINTS.contains(&max_acu)
                    || min_acu > max_acu
                {
                    return Err("Serverless v1 capacity is one of 1, 2, 4 … 256 ACU, min ≤ max");
                }
                Ok(())
            }
        }
    }
}

/// An instance's serverless state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ServerlessState {
    /// Current capacity in half-ACUs; 0 while paused.
    pub half: u16,
    pub paused: bool,
    /// Resuming until then.
    pub resuming_until: Option<SimTime>,
    /// Last time it served anything.
    pub last_active: SimTime,
    /// CPU microseconds used since the last measurement.
    pub cpu_us: u64,
    /// v1: the point it is trying to reach, since when, and the last changes.
    pub v1_target: Option<(u16, SimTime)>,
    pub v1_last_up: Option<SimTime>,
    pub v1_last_down: Option<SimTime>,
    pub v1_swapping: bool,
    /// v1: CPU utilisation, percent, of each second since its capacity last changed, the
    /// newest [`V1_WINDOW_SECS`] kept: v1 scales on load sustained over its window.
    pub v1_window: V1Window,
    /// v1: the capacity it had when it paused, in half-ACUs: it resumes there.
    pub v1_before_pause: u16,
    /// When a request woke it from pause, until it serves again.
    pub woke_at: Option<SimTime>,
}
