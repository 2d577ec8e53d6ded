//! The speed the run actually reaches. Each frame's advance is time-boxed (a frame keeps its
//! budget at any speed), so at high speeds the model covers less simulated time than asked; the
//! page measures simulated time gained over wall time over about a second and shows it whenever
//! it differs from the speed asked for ("×100 asked, ×62 reached").

use aurora_core::SimTime;

/// Wall-clock ms over which the reached speed is measured.
const WINDOW_MS: f64 = 1_000.0;
/// A reached speed below this share of the asked one is shown.
const SHOWN_BELOW: f64 = 0.97;

/// Measures the reached speed while playing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct SpeedGauge {
    /// Where the current window started: wall ms, simulated time, and the speed asked then.
    start: Option<(f64, SimTime, f64)>,
    /// The last window's reached speed, when it differed from the one asked.
    pub reached: Option<f64>,
}

impl SpeedGauge {
    /// Starts over (paused, rewound, a new run).
    pub fn reset(&mut self) {
        *self = SpeedGauge::default();
    }

    /// After a frame that played up to `now` at wall time `wall`, asking for `asked`.
    pub fn observe(&mut self, wall: f64, now: SimTime, asked: f64) {
        let Some((w0, t0, a0)) = self.start else {
            self.start = Some((wall, now, asked));
            return;
        };
        if a0 != asked || now < t0 {
            self.start = Some((wall, now, asked));
            self.reached = None;
            return;
        }
        let elapsed = wall - w0;
        if elapsed < WINDOW_MS {
            return;
        }
        let gained_ms = now.since(t0).as_micros() as f64 / 1_000.0;
        let reached = gained_ms / elapsed;
        self.reached = (reached < asked * SHOWN_BELOW).then_some(reached);
        self.start = Some((wall, now, asked));
    }
}

/// "×62", "×8.7", "×0.004".
pub fn factor(speed: f64) -> String {
    if speed >= 10.0 {
        format!("×{speed:.0}")
    } else if speed >= 1.0 {
        format!("×{speed:.1}")
    } else {
        crate::format::speed_factor(speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_ms(ms: u64) -> SimTime {
        SimTime::from_micros(ms * 1_000)
    }

    #[test]
    fn a_run_that_falls_behind_shows_what_it_reached() {
        let mut g = SpeedGauge::default();
        // ×100 asked; 62 simulated seconds per 1,000 wall seconds gained... per frame of 16 ms.
        let mut now = 0;
        for frame in 0..=70u64 {
            g.observe(frame as f64 * 16.0, at_ms(now), 100.0);
            now += 992; // 62 × 16 ms
        }
        let r = g.reached.expect("behind");
        assert!((r - 62.0).abs() < 1.0, "{r}");
        assert_eq!(factor(r), "×62");
        assert_eq!(factor(8.7), "×8.7");
    }

    #[test]
    fn keeping_up_shows_nothing_and_a_new_speed_starts_over() {
        let mut g = SpeedGauge::default();
        for frame in 0..=70u64 {
            g.observe(frame as f64 * 16.0, at_ms(frame * 16 * 10), 10.0);
        }
        assert_eq!(g.reached, None);
        g.reached = Some(3.0);
        g.observe(2_000.0, at_ms(20_000), 20.0);
        assert_eq!(g.reached, None, "changing speed clears it");
    }
}
