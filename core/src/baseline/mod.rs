//! The baseline Aurora is measured against: MySQL on EBS, mirrored synchronously to a standby in
//! another AZ (RDS Multi-AZ), as P17 §3.1 Figure 2 draws it.
//!
//! It owns its state and depends only on what lies below it: time, the PRNG, ids, the network
//! model, the topology and the client workload's definition. [`compare`] sets it beside the
//! Aurora model on one workload.
//!
//! - [`params`]: the figures it is built from, each with its source;
//! - [`io`]: the five write types and their counts;
//! - [`chain`]: one write's five sequential, synchronous steps;
//! - [`mysql`]: the deployment — commits, group commit, page cleaners, the standby, failover;
//! - [`compare`]: both deployments on one workload, and the scenarios' figures.

pub mod chain;
pub mod compare;
pub mod io;
pub mod mysql;
pub mod params;
mod queue;

pub use compare::{Comparison, Table};
pub use io::{IoCounts, WriteType};
pub use mysql::{Flight, Mirrored, MirroredConfig, MirroredError, MirroredMetrics};
