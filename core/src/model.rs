//! The whole model as one value, and the effects on it that more than one part of the dispatch
//! layer needs: growing the volume, a step of storage's control plane with the writer told of
//! new members, a transaction unless something holds writes, the degraded-AZ quorum's epochs.
//! Below the routing (`dispatch`), the command checks (`apply`), the faults and the instance
//! lifecycle, which all build on it; it imports only the subsystems.

use crate::autoscaling::Scaling;
use crate::client::Access;
use crate::command::{CommandError, Fault};
use crate::compute::read::Reply;
use crate::compute::writer;
use crate::compute::Compute;
use crate::engine::Kernel;
use crate::event::Event;
use crate::failover::FailoverState;
use crate::global::Global;
use crate::invariants::Checker;
use crate::lsn::Lsn;
use crate::metrics::Metrics;
use crate::serverless::Serverless;
use crate::storage::{repair, Storage};
use crate::workload::Workload;
use alloc::vec::Vec;

/// The model's state, apart from the engine's: one field per subsystem, each owning its state.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Model {
    pub storage: Storage,
    pub compute: Compute,
    /// How clients reach the instances: endpoints, DNS, the clients themselves.
    pub access: Access,
    pub failover: FailoverState,
    pub autoscaling: Scaling,
    pub serverless: Serverless,
    pub global: Global,
    pub workload: Workload,
    pub metrics: Metrics,
    pub checker: Checker,
    /// Faults in force, for healing and for the page's controls.
    pub faults: Vec<Fault>,
    /// Continuous backup, restores, Backtrack and clones.
    pub backup: crate::backup::Backup,
}

/// What a client's request reaches on an instance: the model's parts, borrowed one by one so
/// the access layer can be borrowed beside them.
macro_rules! served {
    ($m:expr, $held:expr) => {
        client::Served {
            compute: &mut $m.compute,
            storage: &$m.storage,
            metrics: &mut $m.metrics,
            held: $held,
            fenced_pending: &mut $m.failover.fenced_pending,
        }
    };
}

/// The parts of the model a failover reaches, borrowed one by one beside its own state.
macro_rules! parts {
    ($m:expr) => {
        crate::failover::Parts {
            compute: &mut $m.compute,
            storage: &$m.storage,
            access: &mut $m.access,
            serverless: &mut $m.serverless,
            metrics: &mut $m.metrics,
        }
    };
}
pub(crate) use parts;
pub(crate) use served;

/// The parts of the model the Global Database reaches, borrowed one by one beside its state.
macro_rules! global_parts {
    ($m:expr) => {
        crate::global::Parts {
            compute: &mut $m.compute,
            storage: &mut $m.storage,
            access: &mut $m.access,
            serverless: &mut $m.serverless,
            metrics: &mut $m.metrics,
            checker: &mut $m.checker,
            failover: &mut $m.failover,
        }
    };
}
pub(crate) use global_parts;

/// Grows the volume's data; when it passes a 10 GiB boundary the new PGs start at the VDL, and
/// the writer and the quorums take them in.
pub(crate) fn grow(k: &mut Kernel, m: &mut Model, bytes: u64) -> Result<(), CommandError> {
    let start = m.compute.writer.log.vdl();
    let added = crate::storage::volume::grow(k, &mut m.storage, bytes, start)
        .map_err(|max_bytes| CommandError::VolumeFull { max_bytes })?;
    if added > 0 {
        m.compute.writer.add_pgs(added);
        k.emit(Event::VolumeGrown {
            pgs: m.storage.pgs.len() as u32,
            bytes: m.storage.volume_bytes,
        });
        evaluate_quorums(k, m);
    }
    Ok(())
}

/// Runs a step of storage's control plane, then has the writer count each new member's slot
/// from nothing, as the step asked.
pub(crate) fn storage_control<R>(
    k: &mut Kernel,
    m: &mut Model,
    step: impl FnOnce(&mut Kernel, &mut Storage, &mut repair::Cluster) -> R,
) -> R {
    let mut cl = repair::Cluster::new(m.compute.writer.node, &mut m.metrics);
    let out = step(k, &mut m.storage, &mut cl);
    for (pg, slot) in cl.new_members {
        m.compute.writer.reset_slot(pg, slot);
    }
    out
}

/// Re-evaluates every PG's quorums as the writer sees them.
pub(crate) fn evaluate_quorums(k: &mut Kernel, m: &mut Model) {
    repair::evaluate_quorums(k, &mut m.storage, m.compute.writer.node, &mut m.metrics);
}

/// The VDL a recovery could reach from the segments that still hold data.
pub(crate) fn recoverable_vdl(m: &Model) -> Lsn {
    writer::recoverable_vdl(&m.storage, &m.compute.writer)
}

/// What holds writes besides the writer itself: a failover, a Global Database switchover, a
/// Backtrack.
pub(crate) fn writes_held(m: &Model) -> writer::Held {
    writer::Held(
        m.failover.active.is_some() || m.global.writes_paused || m.backup.backtrack.until.is_some(),
    )
}

/// Runs one transaction on the writer, unless something holds writes.
pub(crate) fn run_transaction(k: &mut Kernel, m: &mut Model, mtrs: u8, reply: Reply) -> bool {
    let held = writes_held(m);
    writer::run_transaction(k, &mut m.compute, &mut m.metrics, held, mtrs, reply)
}

/// Long AZ outages: the degraded-AZ quorum's epochs (`storage::degraded`).
pub(crate) fn tend_degraded(k: &mut Kernel, m: &mut Model) {
    let w = &m.compute.writer;
    crate::storage::degraded::tend_all(k, &mut m.storage, &w.log, w.node, &mut m.metrics);
}

/// The background workload's write statements (MTRs) a second: the rate replica lag is kept
/// under (P17 Table 4 measures lag by it).
pub(crate) fn write_rate(wl: &crate::workload::WorkloadConfig) -> u32 {
    (wl.txn_per_sec as u64 * wl.mtrs_per_txn as u64).min(u32::MAX as u64) as u32
}
