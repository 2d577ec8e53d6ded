//! What the person did, in the page's words: the event log's and the notices' sentences for
//! each of the page's controls. The controls themselves, their link text and the commands they
//! stand for are the core's ([`aurora_core::control`]), shared with run files and lessons.

pub use aurora_core::control::{Control, Timed, MAX_POINT_SECS, MAX_RATE, SLOW_PCT};

use aurora_core::SimTime;

use crate::names;

/// Writes per second the page puts on a restored or cloned cluster when asked to.
pub const CLUSTER_WRITES: u32 = 5;

/// A region's name as the world view shows it.
pub fn region_name(r: u8) -> &'static str {
    aurora_core::ids::RegionId(r).name()
}

/// A capacity in words: "provisioned", "Serverless v2, 0.5–64 ACU", "Serverless v1, 1–64 ACU".
pub use aurora_core::control::capacity_words as describe_capacity;

/// What the person did, in a few words, for the event log and notices ("you failed AZ c").
pub fn describe(action: &Control) -> String {
    let az = |i: &u8| names::az_letter(usize::from(*i));
    match action {
        Control::Crash(n) => format!("you crashed {n}"),
        Control::Restart(n) => format!("you restarted {n}"),
        Control::Slow(n) => format!("you slowed {n} to {SLOW_PCT}% of normal time"),
        Control::Unslow(n) => format!("you brought {n} back to normal speed"),
        Control::LoseSegment(s) => format!("you failed the disk of segment {s}"),
        Control::FailAz(z) => format!("you failed AZ {}", az(z)),
        Control::HealAz(z) => format!("you healed AZ {}", az(z)),
        Control::PartitionAz(z) => format!("you cut AZ {} off the network", az(z)),
        Control::ReconnectAz(z) => format!("you reconnected AZ {}", az(z)),
        Control::Failover => "you asked for a failover".to_string(),
        Control::AddReplica(z) => format!("you added a replica in AZ {}", az(z)),
        Control::SetLoad { rate, read_pct } => {
            format!("you set the load to {rate} requests/s, {read_pct}% reads")
        }
        Control::SetCapacity { node, capacity } => {
            format!("you made {node} {}", describe_capacity(capacity))
        }
        Control::LongTransaction(s) => {
            format!("you held a transaction open on the writer for {s} s")
        }
        Control::AddRegion => "you added a secondary region".to_string(),
        Control::Switchover(r) => {
            format!("you asked for a switchover to {}", region_name(*r))
        }
        Control::GlobalFailover(r) => {
            format!("you asked for a global failover to {}", region_name(*r))
        }
        Control::FailRegion(r) => format!("you failed region {}", region_name(*r)),
        Control::HealRegion(r) => format!("you brought region {} back", region_name(*r)),
        Control::Forwarding(0) => "you turned write forwarding off".to_string(),
        Control::Forwarding(n) => {
            format!("you turned write forwarding on: {n} writes/s from secondary regions")
        }
        Control::ReadConsistency(c) => {
            format!(
                "you set write forwarding's read consistency to {}",
                c.name()
            )
        }
        Control::DeleteRows(t) => {
            format!("you ran the faulty deployment: DELETE FROM {t}")
        }
        Control::Snapshot => "you took a manual snapshot".to_string(),
        Control::Retention(d) => format!("you set backup retention to {d} days"),
        Control::Restore(s) => format!(
            "you restored the backup at {} into a new cluster",
            crate::format::clock(SimTime::from_micros(u64::from(*s) * 1_000_000))
        ),
        Control::Backtrack(s) => format!(
            "you backtracked the cluster to {}",
            crate::format::clock(SimTime::from_micros(u64::from(*s) * 1_000_000))
        ),
        Control::Clone(c) => format!("you cloned {}", aurora_core::backup_view::name(*c)),
        Control::DeleteCluster(c) => {
            format!("you deleted {}", aurora_core::backup_view::name(*c))
        }
        Control::ClusterWrites { cluster, per_sec } => format!(
            "you put {per_sec} writes/s on {}",
            aurora_core::backup_view::name(*cluster)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurora_core::backup::data::Table;
    use aurora_core::serverless::Capacity;

    #[test]
    fn the_log_says_what_was_done_in_words() {
        assert_eq!(describe(&Control::FailAz(2)), "you failed AZ c");
        assert_eq!(
            describe(&Control::Slow("az-a-1".into())),
            "you slowed az-a-1 to 500% of normal time"
        );
        assert_eq!(
            describe(&Control::DeleteRows(Table::Orders)),
            "you ran the faulty deployment: DELETE FROM orders"
        );
        assert_eq!(
            describe(&Control::Forwarding(0)),
            "you turned write forwarding off"
        );
        assert_eq!(
            describe_capacity(&Capacity::V2 {
                min_half: 1,
                max_half: 128,
                pause_after: None
            }),
            "Serverless v2, 0.5–64 ACU"
        );
    }
}
