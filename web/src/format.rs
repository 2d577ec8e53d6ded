//! Numbers as a person reads them: playback speeds, simulated times, sizes.

use aurora_core::{SimDuration, SimTime};

/// Playback speeds, simulated time per wall-clock time, on a log scale: from a thousandth of real
/// time (a millisecond write takes a second) to hours per second (serverless scaling, auto
/// scaling).
pub const SPEEDS: [f64; 22] = [
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0,
    200.0, 500.0, 1_000.0, 2_000.0, 5_000.0, 10_000.0,
];

/// The speed the page starts at: slow enough to see messages cross the region.
pub const DEFAULT_SPEED_INDEX: usize = 3;

/// The index of the listed speed nearest to `speed` on the log scale.
pub fn nearest_speed(speed: f64) -> usize {
    if !speed.is_finite() || speed <= 0.0 {
        return DEFAULT_SPEED_INDEX;
    }
    let target = speed.ln();
    let mut best = DEFAULT_SPEED_INDEX;
    let mut best_gap = f64::INFINITY;
    for (i, s) in SPEEDS.iter().enumerate() {
        let gap = (s.ln() - target).abs();
        if gap < best_gap {
            best = i;
            best_gap = gap;
        }
    }
    best
}

/// The speed at `index`, clamped to the list.
pub fn speed_at(index: usize) -> f64 {
    SPEEDS
        .get(index)
        .copied()
        .unwrap_or(SPEEDS[DEFAULT_SPEED_INDEX])
}

/// "1 ms per second", "real time", "2.8 h per second".
pub fn speed_label(speed: f64) -> String {
    if (speed - 1.0).abs() < 1e-9 {
        return "real time".to_string();
    }
    let per_second = SimDuration::from_micros((speed * 1e6).round().max(1.0) as u64);
    format!("{} per second", duration(per_second))
}

/// `×0.001`, `×20`.
pub fn speed_factor(speed: f64) -> String {
    if speed >= 1.0 {
        format!("×{}", trim(speed, 0))
    } else {
        format!("×{}", trim(speed, 3))
    }
}

fn trim(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A count with thousands separated: `9,000`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A duration with a readable unit, without the core's two trailing decimals when they are zero:
/// `850 µs`, `4.2 ms`, `12.5 s`, `3 min 20 s`.
pub fn duration(d: SimDuration) -> String {
    let us = d.as_micros();
    if us < 1_000 {
        format!("{us} µs")
    } else if us < 1_000_000 {
        format!("{} ms", trim(us as f64 / 1e3, 2))
    } else if us < 60_000_000 {
        format!("{} s", trim(us as f64 / 1e6, 1))
    } else if us < 3_600_000_000 {
        let s = us / 1_000_000;
        format!("{} min {} s", s / 60, s % 60)
    } else {
        let m = us / 60_000_000;
        format!("{} h {} min", m / 60, m % 60)
    }
}

/// A point in simulated time as a clock: `0.004 250 s`, `12.5 s`, `3:20`.
pub fn clock(t: SimTime) -> String {
    let us = t.as_micros();
    if us < 60_000_000 {
        let s = us / 1_000_000;
        let frac = us % 1_000_000;
        format!("{s}.{:03} {:03} s", frac / 1_000, frac % 1_000)
    } else {
        let s = us / 1_000_000;
        if s < 3_600 {
            format!("{}:{:02}", s / 60, s % 60)
        } else {
            format!("{}:{:02}:{:02}", s / 3_600, (s / 60) % 60, s % 60)
        }
    }
}

/// Bytes with a binary unit: `512 B`, `3.2 KiB`, `10 GiB`.
pub fn bytes(b: u64) -> String {
    const UNITS: [&str; 6] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut v = b as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{b} B")
    } else {
        format!("{} {}", trim(v, 1), UNITS[unit])
    }
}

/// Half-ACUs as ACUs: `0.5`, `12`, `64.5` (the core's, so the page and a lesson's words agree).
pub use aurora_core::control::half_acu;

/// A whole number of thousandths with three decimals: `12345` → `12.345`.
pub fn thousandths(v: u128) -> String {
    format!("{}.{:03}", v / 1_000, v % 1_000)
}

/// ACU-hours from the core's meter (half-ACU microseconds), to a thousandth: `4.000`.
pub fn acu_hours(half_acu_us: u128) -> String {
    // One ACU-hour is 2 half-ACUs for 3.6e9 µs: a thousandth of it is 7.2e6 half-ACU µs.
    thousandths(half_acu_us / 7_200_000)
}

/// vCPU-hours from the core's meter (milli-vCPU microseconds), to a thousandth.
pub fn vcpu_hours(milli_vcpu_us: u128) -> String {
    thousandths(milli_vcpu_us / 3_600_000_000)
}

/// Dollars from the core's meter at its example prices, to a hundredth of a cent: `$0.4800`.
/// Integer arithmetic only, so the figure is the same on every machine.
pub fn dollars(meter: &aurora_core::serverless::Meter) -> String {
    // Tenths of a millidollar: half-ACU µs × millidollars per ACU-hour / (2 × 3.6e9) × 10.
    let acu = meter.half_acu_us * u128::from(meter.acu_hour_millidollars) / 720_000_000;
    let vcpu = meter.milli_vcpu_us * u128::from(meter.vcpu_hour_millidollars) / 360_000_000_000;
    let tenths = acu + vcpu;
    format!("${}.{:04}", tenths / 10_000, tenths % 10_000)
}

/// A price in millidollars: `$0.12`, `$0.125`.
pub fn price(millidollars: u64) -> String {
    let cents = millidollars / 10;
    if millidollars % 10 == 0 {
        format!("${}.{:02}", cents / 100, cents % 100)
    } else {
        format!("${}.{:03}", millidollars / 1_000, millidollars % 1_000)
    }
}

/// A number for an SVG attribute, to one decimal.
pub fn svg_number(v: f32) -> String {
    let v = (v * 10.0).round() / 10.0;
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speeds_span_a_thousandth_to_hours_per_second() {
        assert_eq!(SPEEDS[0], 0.001);
        assert!(SPEEDS[SPEEDS.len() - 1] >= 3_600.0);
        assert!(SPEEDS.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(speed_label(0.001), "1 ms per second");
        assert_eq!(speed_label(1.0), "real time");
        assert_eq!(speed_label(10_000.0), "2 h 46 min per second");
        assert_eq!(speed_factor(0.005), "×0.005");
        assert_eq!(speed_factor(200.0), "×200");
    }

    #[test]
    fn nearest_speed_snaps_on_the_log_scale() {
        assert_eq!(SPEEDS[nearest_speed(0.0011)], 0.001);
        assert_eq!(SPEEDS[nearest_speed(3.0)], 2.0);
        assert_eq!(SPEEDS[nearest_speed(1e9)], 10_000.0);
        assert_eq!(nearest_speed(f64::NAN), DEFAULT_SPEED_INDEX);
        assert_eq!(nearest_speed(-1.0), DEFAULT_SPEED_INDEX);
    }

    #[test]
    fn times_and_sizes_read_naturally() {
        assert_eq!(duration(SimDuration::from_micros(850)), "850 µs");
        assert_eq!(duration(SimDuration::from_micros(4_200)), "4.2 ms");
        assert_eq!(duration(SimDuration::from_millis(12_500)), "12.5 s");
        assert_eq!(clock(SimTime::from_micros(4_250)), "0.004 250 s");
        assert_eq!(clock(SimTime::from_micros(200_000_000)), "3:20");
        assert_eq!(bytes(10 << 30), "10 GiB");
        assert_eq!(bytes(512), "512 B");
    }

    #[test]
    fn capacity_and_cost_read_without_floats() {
        assert_eq!(half_acu(1), "0.5");
        assert_eq!(half_acu(128), "64");
        assert_eq!(half_acu(0), "0");
        assert_eq!(half_acu(25), "12.5");
        // 4 ACU for an hour: 8 half-ACUs × 3.6e9 µs.
        let four_acu_hours = 8 * 3_600_000_000u128;
        assert_eq!(acu_hours(four_acu_hours), "4.000");
        assert_eq!(thousands(9_000), "9,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(vcpu_hours(2_000 * 3_600_000_000u128), "2.000");
        let mut meter = aurora_core::serverless::Meter::new();
        meter.half_acu_us = four_acu_hours;
        assert_eq!(dollars(&meter), "$0.4800", "4 ACU-hours at $0.12");
        assert!((meter.dollars() - 0.48).abs() < 1e-9, "the core agrees");
        assert_eq!(dollars(&aurora_core::serverless::Meter::new()), "$0.0000");
        assert_eq!(price(120), "$0.12");
        assert_eq!(price(125), "$0.125");
    }
}
