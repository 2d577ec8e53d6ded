//! Long waits in simulated time: when something a person starts (a new replica, a re-created
//! writer) takes minutes of simulated time, the page says how long that is at the speed chosen
//! and which speed shows it within seconds, so what a student starts can finish in front of them.

use aurora_core::SimDuration;

use crate::format;

/// A wait shorter than this (wall-clock seconds) needs no advice.
const WALL_SECONDS_WORTH_A_WORD: f64 = 20.0;
/// The advice aims at this many wall-clock seconds.
const WALL_SECONDS_AIMED_AT: f64 = 10.0;

/// The slowest of the page's speeds at which `wait` passes in about ten seconds.
pub fn speed_for(wait: SimDuration) -> f64 {
    let needed = wait.as_micros() as f64 / 1e6 / WALL_SECONDS_AIMED_AT;
    format::SPEEDS
        .iter()
        .copied()
        .find(|s| *s >= needed)
        .unwrap_or(format::SPEEDS[format::SPEEDS.len() - 1])
}

/// What to tell someone who starts something that takes `wait` of simulated time while the page
/// plays at `speed`: nothing if it will be over soon.
pub fn advice(what: &str, wait: SimDuration, speed: f64) -> Option<String> {
    let wall = wait.as_micros() as f64 / 1e6 / speed.max(1e-9);
    if wall <= WALL_SECONDS_WORTH_A_WORD {
        return None;
    }
    let at = SimDuration::from_micros((wall * 1e6).min(u64::MAX as f64 / 2.0) as u64);
    let better = speed_for(wait);
    Some(format!(
        "{what} takes {} of simulated time: {} at {}. The run goes on past the scenario's end; at {} (press + to go faster) it takes about {} s.",
        format::duration(wait),
        format::duration(at),
        format::speed_factor(speed),
        format::speed_factor(better),
        (wait.as_micros() as f64 / 1e6 / better).round()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_five_minute_wait_at_a_slow_speed_says_how_to_see_it_finish() {
        let five = SimDuration::from_mins(5);
        let text = advice("A new replica", five, 0.01).expect("advice");
        assert!(text.contains("5 min"), "{text}");
        assert!(text.contains("×50"), "{text}");
        assert!(text.contains("about 6 s"), "{text}");
        assert_eq!(advice("A new replica", five, 100.0), None, "3 s at ×100");
        assert_eq!(speed_for(SimDuration::from_secs(1)), 0.1);
    }
}
