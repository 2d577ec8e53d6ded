//! Point-in-time restore: a *new* cluster, with its own volume, PGs and writer instance, made
//! from the backup at any second of the restorable window. UG:Overview of backing up and
//! restoring an Aurora DB cluster (2023)
//!
//! Unlike a clone, a restore copies the volume's data out of S3 and replays the log to the
//! chosen point, so how long it takes grows with the volume's size.

use crate::time::SimDuration;

/// A restore's fixed part: the control plane creates the cluster, the volume and an instance.
/// [sim default — not sourced]
pub const RESTORE_SETUP: SimDuration = SimDuration::from_mins(5);
/// How fast a restore brings the volume's data back from S3, bytes per second.
/// [sim default — not sourced]
pub const RESTORE_BYTES_PER_SEC: u64 = 100 << 20;

/// How long restoring (or fully copying) a volume of `bytes` takes.
pub fn restore_time(bytes: u64) -> SimDuration {
    let copy = SimDuration::from_micros(bytes / RESTORE_BYTES_PER_SEC.max(1) * 1_000_000);
    SimDuration::from_micros(RESTORE_SETUP.as_micros() + copy.as_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restores_take_longer_for_larger_volumes() {
        let small = restore_time(10 << 30);
        let large = restore_time(1 << 40);
        assert!(small.as_secs_f64() > RESTORE_SETUP.as_secs_f64());
        assert!(
            large.as_secs_f64() > 10.0 * small.as_secs_f64(),
            "{small:?} {large:?}"
        );
    }
}
