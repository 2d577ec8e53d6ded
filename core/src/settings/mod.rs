//! What a user sets, as plain values: the auto scaling policy, the workloads, an instance's
//! capacity. Commands carry them and the subsystems act on them, so they live here, below
//! both, and a command names no subsystem.

pub mod capacity;
pub mod forwarding;
pub mod load;
pub mod scaling;
