//! An auto scaling policy for the replicas (reference §4.4).

use crate::role::MAX_REPLICAS;
use crate::time::SimDuration;

/// What the policy tracks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Metric {
    /// Average replica CPU, percent.
    Cpu,
    /// Average client connections per replica.
    Connections,
}

/// A target-tracking policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Policy {
    pub metric: Metric,
    pub target: u32,
    pub min: u8,
    pub max: u8,
    pub scale_out_cooldown: SimDuration,
    pub scale_in_cooldown: SimDuration,
}

impl Policy {
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.min > self.max || self.max as usize > MAX_REPLICAS {
            return Err("auto scaling needs 0 ≤ min ≤ max ≤ 15 replicas");
        }
        if self.target == 0 {
            return Err("the target must be above zero");
        }
        Ok(())
    }
}
