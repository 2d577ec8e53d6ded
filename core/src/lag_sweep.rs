//! The `replica-lag-sweep` scenario: SysBench-shaped writes at P17 Table 4's four rates, one
//! after another, on r3.8xlarge instances, with the replica lag measured at each rate beside
//! the paper's figure.
//!
//! What the sweep shows is the model's own account of lag: one network hop from the writer to
//! the replica, then the replica's single apply thread receiving each stream message, applying
//! the records of cached pages and dropping the others, in LSN order, before its read point
//! moves (`compute::replica`). More writes a second put more records in each message and keep
//! the apply thread busier; the apply thread's busy share is reported so a student can see
//! which part of the lag is which.
//!
//! The model does not reproduce Table 4's rise (2.62 → 5.38 ms): at 10,000 writes/s its apply
//! thread is a few per cent busy, so lag stays near one cross-AZ hop (about 0.7 ms) at every
//! rate. The paper does not break its lag down; matching it would take per-write replica costs
//! some thirty times a redo apply's, with no source, so the gap is left visible instead.

use crate::command::Command;
use crate::compute::instance::{Role, CLASSES};
use crate::compute::replica::TABLE4_LAG;
use crate::scenario::Figure;
use crate::sim::{Sim, SimConfig};
use crate::storage::PG_SIZE_BYTES;
use crate::time::{SimDuration, SimTime};
use crate::workload::WorkloadConfig;
use alloc::vec::Vec;

/// Write statements in one SysBench write-only transaction (two updates, a delete and an
/// insert); each is one mini-transaction here. SysBench's oltp_write_only script.
pub const SYSBENCH_WRITES_PER_TXN: u8 = 4;
/// How long each rate runs. [sim default — not sourced]
pub const STEP: SimDuration = SimDuration::from_secs(5);

/// The workload at `writes` write statements a second.
pub fn sysbench_writes(writes: u32) -> WorkloadConfig {
    WorkloadConfig {
        txn_per_sec: writes / SYSBENCH_WRITES_PER_TXN as u32,
        mtrs_per_txn: SYSBENCH_WRITES_PER_TXN,
        reads_per_sec: 0,
        growth_bytes_per_sec: 0,
    }
}

/// 100 GB on r3.8xlarge with one replica in another AZ (P17 §6.1's machine and data size).
pub fn config() -> SimConfig {
    SimConfig {
        initial_volume_bytes: 10 * PG_SIZE_BYTES,
        instance_class: CLASSES[4],
        replicas: 1,
        workload: sysbench_writes(TABLE4_LAG[0].0),
        ..SimConfig::default()
    }
}

/// Each later rate starts one step after the one before.
pub fn script(_: &Sim) -> Vec<(SimTime, Command)> {
    TABLE4_LAG
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, &(writes, _))| {
            (
                SimTime::ZERO + SimDuration::from_micros(STEP.as_micros() * i as u64),
                Command::SetWorkload(sysbench_writes(writes)),
            )
        })
        .collect()
}

/// The measured lag at one of Table 4's rates: (mean, p99) in µs, if any was measured.
pub fn lag_at(sim: &Sim, writes: u32) -> Option<(u64, u64)> {
    let w = sysbench_writes(writes);
    let key = w.txn_per_sec * w.mtrs_per_txn as u32;
    let (_, h) = sim
        .metrics()
        .replica_lag_by_rate
        .iter()
        .find(|(r, _)| *r == key)?;
    (h.count() > 0).then(|| (h.mean(), h.quantile(990)))
}

pub fn figures(sim: &Sim) -> Vec<(&'static str, Figure)> {
    const NAMES: [[&str; 3]; 4] = [
        ["lag_at_1000_ms", "lag_p99_at_1000_ms", "table4_at_1000_ms"],
        ["lag_at_2000_ms", "lag_p99_at_2000_ms", "table4_at_2000_ms"],
        ["lag_at_5000_ms", "lag_p99_at_5000_ms", "table4_at_5000_ms"],
        [
            "lag_at_10000_ms",
            "lag_p99_at_10000_ms",
            "table4_at_10000_ms",
        ],
    ];
    let ms = |us: u64| Figure::Float(us as f64 / 1000.0);
    let mut f = Vec::new();
    for (&(writes, paper_us), names) in TABLE4_LAG.iter().zip(NAMES) {
        if let Some((mean, p99)) = lag_at(sim, writes) {
            f.push((names[0], ms(mean)));
            f.push((names[1], ms(p99)));
        }
        f.push((names[2], ms(paper_us)));
    }
    if let Some(r) = sim.instances().iter().find(|i| i.role == Role::Replica) {
        let busy = r.apply_busy.as_micros() as f64 * 100.0 / sim.now().as_micros().max(1) as f64;
        f.push(("apply_thread_busy_pct", Figure::Float(busy)));
        f.push(("records_applied", Figure::Int(r.applied_records as i64)));
        f.push(("records_discarded", Figure::Int(r.discarded_records as i64)));
    }
    f.push((
        "stream_messages",
        Figure::Int(sim.metrics().stream_messages as i64),
    ));
    f
}
