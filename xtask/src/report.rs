//! What the tasks print: steps with their durations, sizes, and tables.

use std::time::{Duration, Instant};

/// Prints `==> what`, runs `body`, then prints how it went and how long it took.
pub fn step<T>(what: &str, body: impl FnOnce() -> crate::Result<T>) -> crate::Result<T> {
    println!("==> {what}");
    let started = Instant::now();
    let result = body();
    let took = duration(started.elapsed());
    match &result {
        Ok(_) => println!("<== {what}: done in {took}"),
        Err(error) => println!("<== {what}: FAILED after {took}: {error}"),
    }
    result
}

/// `0.4s`, `12.3s`, `4m 05s`, `1h 02m`.
pub fn duration(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if secs < 60.0 {
        format!("{secs:.1}s")
    } else if secs < 3600.0 {
        let whole = duration.as_secs();
        format!("{}m {:02}s", whole / 60, whole % 60)
    } else {
        let whole = duration.as_secs();
        format!("{}h {:02}m", whole / 3600, (whole % 3600) / 60)
    }
}

/// `812 B`, `14.2 KiB`, `1.31 MiB`.
pub fn bytes(count: u64) -> String {
    const KIB: f64 = 1024.0;
    let n = count as f64;
    if n < KIB {
        format!("{count} B")
    } else if n < KIB * KIB {
        format!("{:.1} KiB", n / KIB)
    } else {
        format!("{:.2} MiB", n / (KIB * KIB))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(Duration::from_millis(420)), "0.4s");
        assert_eq!(duration(Duration::from_secs(245)), "4m 05s");
        assert_eq!(duration(Duration::from_secs(3720)), "1h 02m");
    }

    #[test]
    fn sizes_use_binary_units() {
        assert_eq!(bytes(812), "812 B");
        assert_eq!(bytes(14_541), "14.2 KiB");
        assert_eq!(bytes(1_373_634), "1.31 MiB");
    }
}
