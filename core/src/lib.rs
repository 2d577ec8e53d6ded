//! # aurora-core
//!
//! A deterministic, sans-IO simulation of Amazon Aurora: quorum storage across three AZs, the
//! redo-log write path and its consistency points, self-healing through membership changes, and
//! the writer that drives them. Every number the playground shows is computed here.
//!
//! The crate never reads a clock, a random source or the DOM. Simulated time (microseconds) and
//! a seed come in; typed events and read-only views come out. The same seed and the same timed
//! commands give the same trace, natively and in WebAssembly, bit for bit; [`Sim::trace_digest`]
//! is the proof. See [`sim`] for the call order.
//!
//! Layering, bottom up: [`time`], [`rng`] and [`ids`]; the [`engine`]'s event queue and the
//! [`net`]work model; Aurora's concepts — [`quorum`], [`lsn`], [`storage`], [`compute`] — each
//! citing the reference section it follows; then [`scenario`]s shared by the page, the headless
//! runner and the tests.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

pub mod autoscaling;
pub mod backup;
pub mod campaign;
pub mod client;
pub mod command;
pub mod compute;
mod dispatch_backup;
pub mod endpoint;
pub(crate) mod engine;
pub mod event;
pub mod failover;
pub mod global;
pub mod ids;
pub mod invariants;
pub mod lsn;
pub mod metrics;
pub mod net;
pub mod quorum;
pub mod rng;
pub mod scenario;
pub mod serverless;
pub mod sim;
pub mod storage;
pub mod time;
pub mod topology;
pub mod view;
pub mod workload;

pub use command::{Command, CommandError, Fault};
pub use engine::Digest;
pub use event::Event;
pub use sim::{Sim, SimConfig};
pub use time::{SimDuration, SimTime};
pub use topology::{AZ_COUNT, COPIES_PER_AZ};
