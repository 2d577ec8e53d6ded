//! What a DB instance is doing in its cluster, and how many a cluster may have: values the
//! events carry, so they sit below the compute layer that changes them.

use crate::time::SimTime;
use core::fmt;

/// Replicas a cluster may have besides its writer. P17 §4.2.4; UG: Replication with Amazon Aurora
pub const MAX_REPLICAS: usize = 15;
/// Promotion tiers run from 0 (promoted first) to 15. UG: High availability for Amazon Aurora
pub const MAX_TIER: u8 = 15;

/// What an instance is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Role {
    Writer,
    Replica,
    /// Being created; ready at the given time.
    Creating {
        ready_at: SimTime,
        replica: bool,
    },
    /// Chosen as failover target; becoming the writer.
    Promoting,
    /// A writer that was replaced while cut off: it still thinks it is the writer, and storage
    /// refuses its writes for their stale volume epoch.
    Fenced,
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Writer => "writer",
            Role::Replica => "replica",
            Role::Creating { .. } => "creating",
            Role::Promoting => "promoting",
            Role::Fenced => "fenced old writer",
        })
    }
}
