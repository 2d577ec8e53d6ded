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
//! Layering, bottom up (`cargo xtask layers` prints it, and `cargo xtask test` checks that
//! imports run only downward): [`time`], [`rng`] and [`ids`]; the [`topology`], the [`net`]work
//! model, [`quorum`] and [`lsn`] arithmetic; the values that go in and come out, [`command`] and
//! [`event`]; the engine's event queue; Aurora's subsystems — [`storage`], [`compute`],
//! [`endpoint`] and [`client`], [`failover`], [`autoscaling`], [`serverless`], [`global`] —
//! each owning its state and citing the reference section it follows; the dispatch, the one
//! module that sees the whole model, with command checks and faults beside it; then [`sim`] and
//! [`view`], the public surface; and [`scenario`]s shared by the page, the headless runner and
//! the tests.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

pub(crate) mod apply;
pub mod autoscaling;
pub mod backup;
pub mod backup_command;
pub(crate) mod backup_scenarios;
pub mod backup_view;
pub mod baseline;
pub mod campaign;
pub mod client;
pub mod command;
pub mod compute;
pub mod control;
pub(crate) mod dispatch;
pub(crate) mod dispatch_backup;
pub mod endpoint;
pub(crate) mod engine;
pub mod event;
pub mod failover;
pub(crate) mod faults;
pub mod global;
pub mod ids;
pub mod inspect;
pub mod invariants;
pub mod lag_sweep;
pub mod lesson;
pub mod lsn;
pub mod measurements;
pub mod metrics;
mod model;
pub mod net;
pub mod quorum;
pub mod report;
pub mod rng;
pub mod role;
pub mod run_file;
pub mod scenario;
pub mod serverless;
pub mod settings;
pub mod sim;
pub mod stated;
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
