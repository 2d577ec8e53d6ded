//! The one place that sees the whole model: it routes each due event and each arriving
//! message to the subsystem that handles it, and carries effects across subsystems.
//!
//! Everything below this module works on its own state; [`crate::sim::Sim`] above it owns a
//! [`Model`] and the engine's [`Kernel`] and hands both here for every event.

use crate::autoscaling;
use crate::client;
use crate::compute::instance::Role;
use crate::compute::lifecycle;
use crate::compute::read::{self, Reply};
use crate::compute::recovery;
use crate::compute::replica;
use crate::compute::writer;
use crate::engine::{Due, Kernel, Payload};
use crate::failover;
use crate::model::{
    global_parts, grow, parts, run_transaction, served, storage_control, tend_degraded, write_rate,
    writes_held, Model,
};
use crate::storage::{repair, segment};
use crate::workload;

/// Handles one due event, then settles the engine and, in full mode, checks the ordering
/// invariants.
#[inline]
pub(crate) fn handle(k: &mut Kernel, m: &mut Model, ev: Due) {
    dispatch(k, m, ev);
    k.settle();
    if m.checker.full {
        let log = &m.compute.writer.log;
        let (vcl, vdl, max) = (log.vcl(), log.vdl(), log.max_allocated());
        m.checker.check_points(k, vcl, vdl, max);
        let above = m
            .compute
            .instances
            .iter()
            .filter(|i| i.role == Role::Replica)
            .map(|i| i.read_point)
            .find(|&p| p > vdl);
        if let Some(p) = above {
            m.checker
                .violation(k, crate::event::Invariant::ReplicaAboveVdl, p.0);
        }
        if !m.backup.clusters.is_empty() {
            crate::dispatch_backup::check_clones(k, m);
        }
    }
}

fn dispatch(k: &mut Kernel, m: &mut Model, ev: Due) {
    match ev {
        Due::Vacant => {}
        Due::Deliver(msg) => {
            if !k.arrive(&msg) {
                if let Payload::RepairCopy { seg, .. } = msg.payload {
                    storage_control(k, m, |k, st, cl| repair::copy_failed(k, st, cl, seg));
                }
                return;
            }
            match msg.payload {
                Payload::Redo {
                    seg,
                    prev,
                    last,
                    bytes,
                    volume_epoch,
                    member_epoch,
                } => segment::on_redo(
                    k,
                    &mut m.storage,
                    msg.from,
                    seg,
                    prev,
                    last,
                    bytes,
                    volume_epoch,
                    member_epoch,
                ),
                Payload::Ack { seg, scl, epoch } => {
                    // The write path's bytes count each acknowledgement that arrives.
                    m.metrics.write_path_bytes +=
                        crate::storage::segment::SMALL_MESSAGE_BYTES as u64;
                    let w = &m.compute.writer;
                    if epoch >= w.volume_epoch
                        && msg.to == w.node
                        && m.compute.recovery.is_none()
                        && writer::on_ack(
                            k,
                            &mut m.compute.writer,
                            &m.storage,
                            &mut m.checker,
                            &mut m.metrics,
                            seg,
                            scl,
                        )
                    {
                        vdl_moved(k, m);
                    }
                }
                Payload::Rejected { seg } => {
                    if !failover::fenced_rejected(k, &mut m.failover, &mut parts!(m), msg.to) {
                        writer::on_rejected(&mut m.metrics, seg);
                    }
                }
                Payload::Backup { seg, upto } => {
                    segment::on_backup_stored(&mut m.storage, seg, upto)
                }
                Payload::GossipPull { seg, peer, have } => segment::on_gossip_pull(
                    k,
                    &m.storage,
                    m.compute.writer.config.record_bytes,
                    msg.from,
                    seg,
                    peer,
                    have,
                ),
                Payload::GossipPush { seg, upto } => {
                    segment::on_gossip_push(k, &mut m.storage, m.compute.writer.node, seg, upto)
                }
                Payload::PageRead { read, seg, need } => {
                    segment::on_page_read(k, &m.storage, &mut m.checker, msg.from, read, seg, need)
                }
                Payload::PageData { read, seg } => {
                    read::on_page_data(k, &mut m.compute, &mut m.metrics, read, seg)
                }
                Payload::RepairCopy { pg, seg, upto } => storage_control(k, m, |k, st, cl| {
                    repair::on_repair_copy(k, st, cl, pg, seg, upto)
                }),
                Payload::RedoStream(send) => replica::on_stream_arrived(
                    k,
                    &mut m.compute,
                    m.access.clients.config.hot_bytes,
                    msg.to,
                    send,
                ),
                Payload::DnsQuery { write } => {
                    client::on_dns_query(k, &m.access, &m.compute.instances, msg.from, write)
                }
                Payload::DnsAnswer { write, target } => {
                    client::on_dns_answer(k, &mut m.access, msg.to, write, target)
                }
                Payload::Query { req, write } => {
                    let held = writes_held(m);
                    client::on_query(k, &m.access, served!(m, held), msg.to, msg.from, req, write)
                }
                Payload::ForwardedWrite { req } => {
                    let held = writes_held(m);
                    client::on_query(k, &m.access, served!(m, held), msg.to, msg.from, req, true)
                }
                Payload::Answer { req, ok } => {
                    client::on_answer(k, &mut m.access, &mut m.metrics, msg.to, req, ok)
                }
                Payload::ForwardedAnswer { req, ok } => {
                    crate::global::on_forward_answer(
                        &mut m.global,
                        &mut m.metrics,
                        k.now,
                        msg.to,
                        req,
                        ok,
                    );
                }
                Payload::GlobalRedo { region, vdl } => {
                    crate::global::on_redo(k, &mut m.global, region, vdl)
                }
                Payload::GlobalWrite { region, slot, vdl } => {
                    crate::global::on_write(k, &mut m.global, msg.to, region, slot, vdl)
                }
                Payload::GlobalAck { region, slot, vdl } => crate::global::on_ack(
                    k,
                    &mut m.global,
                    &mut global_parts!(m),
                    region,
                    slot,
                    vdl,
                ),
                Payload::RecoveryScan { seg } => recovery::on_scan(k, &m.storage, msg.from, seg),
                Payload::RecoveryScl { seg, scl } => {
                    if m.compute
                        .recovery
                        .as_ref()
                        .is_some_and(|r| r.node == msg.to)
                    {
                        recovery::on_scl(k, &mut m.compute, &m.storage, seg, scl);
                    }
                }
                Payload::Truncate {
                    seg,
                    from,
                    vdl,
                    end,
                    epoch,
                } => recovery::on_truncate(k, &mut m.storage, msg.from, seg, from, vdl, end, epoch),
                Payload::TruncateAck { seg, scl } => {
                    if m.compute
                        .recovery
                        .as_ref()
                        .is_some_and(|r| r.node == msg.to)
                    {
                        let opened = recovery::on_truncate_ack(
                            k,
                            &mut m.compute,
                            &mut m.storage,
                            &mut m.metrics,
                            &mut m.checker,
                            seg,
                            scl,
                        );
                        if let Some(node) = opened {
                            failover::recovery_done(k, &mut m.failover, &mut parts!(m), node);
                        }
                    }
                }
            }
        }
        Due::Persisted {
            seg,
            incarnation,
            prev,
            last,
            bytes,
            epoch,
        } => segment::on_persisted(
            k,
            &mut m.storage,
            m.compute.writer.node,
            seg,
            incarnation,
            prev,
            last,
            bytes,
            epoch,
        ),
        Due::Flush(pg) => {
            writer::on_flush(k, &mut m.compute.writer, &m.storage, &mut m.metrics, pg)
        }
        Due::RetryCheck(pg) => {
            writer::on_retry_check(k, &mut m.compute.writer, &m.storage, &mut m.metrics, pg)
        }
        Due::WorkloadTick => {
            let due = workload::on_tick(k, &mut m.workload);
            run_arrivals(k, m, due);
        }
        Due::Background(node) => {
            let keep_from = m
                .compute
                .reads
                .min_point()
                .unwrap_or(m.compute.writer.log.vdl());
            if segment::on_background(k, &mut m.storage, keep_from, node) {
                tend_degraded(k, m);
            }
        }
        Due::DetectNode { node, incarnation } => storage_control(k, m, |k, st, cl| {
            repair::on_detect_node(k, st, cl, node, incarnation)
        }),
        Due::DetectSegment(seg) => {
            storage_control(k, m, |k, st, cl| repair::on_detect_segment(k, st, cl, seg))
        }
        Due::ReadTimeout(id) => read::on_timeout(k, &mut m.compute, &m.storage, &mut m.metrics, id),
        Due::ReplicaStream => {
            let rate = write_rate(&m.workload.config);
            replica::on_stream(k, &mut m.compute, &mut m.metrics, rate)
        }
        Due::ReplicaApplied { node, send } => {
            let rate = write_rate(&m.workload.config);
            replica::on_applied(k, &mut m.compute, &mut m.metrics, rate, node, send)
        }
        Due::ClientTick => client::on_tick(k, &mut m.access, &mut m.metrics),
        Due::HealthCheck => failover::on_health_check(k, &mut m.failover, &mut parts!(m)),
        Due::Promoted(node) => failover::on_promoted(k, &mut m.failover, &mut parts!(m), node),
        Due::WriterRecreated(node) => {
            failover::on_writer_recreated(k, &mut m.failover, &mut parts!(m), node)
        }
        Due::RecoveryRetry => recovery::on_retry(k, &mut m.compute, &m.storage),
        Due::EngineStarted(node) => {
            recovery::on_engine_started(k, &mut m.compute, &m.storage, node)
        }
        Due::UndoDone { node, txns } => recovery::on_undo_done(k, &mut m.metrics, node, txns),
        Due::InstanceReady(node) => lifecycle::instance_ready(k, m, node),
        Due::AutoScale => auto_scale(k, m),
        Due::ServerlessTick => crate::serverless::on_tick(
            k,
            &mut m.serverless,
            &mut m.compute,
            &m.access.clients,
            &mut m.metrics,
        ),
        Due::GlobalShip => crate::global::on_ship(k, &mut m.global, &mut global_parts!(m)),
        Due::GlobalPromoted(r) => {
            crate::global::on_promoted(k, &mut m.global, &mut global_parts!(m), r)
        }
        Due::GlobalForwardTick => {
            crate::global::on_forward_tick(k, &mut m.global, &mut global_parts!(m))
        }
        Due::BackupTick => crate::dispatch_backup::on_tick(k, m),
        Due::BacktrackDone => crate::dispatch_backup::on_backtrack_done(k, m),
        Due::V1Swapped { node, acu } => crate::serverless::on_v1_swapped(
            k,
            &mut m.serverless,
            &mut m.compute,
            &mut m.metrics,
            node,
            acu,
        ),
        Due::Serve {
            node,
            client,
            req,
            write,
        } => {
            let held = writes_held(m);
            client::serve(k, &m.access, served!(m, held), node, client, req, write)
        }
        Due::Apply(cmd) => {
            // A scheduled command that no longer applies (e.g. healing what already healed)
            // is skipped; the event stream shows what did happen.
            let _ = crate::apply::apply(k, m, cmd);
        }
    }
}

/// VDL moved: the replicas, the secondary regions, then the parked commits hear of it.
fn vdl_moved(k: &mut Kernel, m: &mut Model) {
    replica::vdl_moved(k, &mut m.compute);
    let vdl = m.compute.writer.log.vdl();
    crate::global::vdl_moved(k, &mut m.global, vdl);
    let (held, min_durable) = (writes_held(m), m.global.min_durable());
    let cx = writer::CommitContext {
        storage: &m.storage,
        metrics: &mut m.metrics,
        backup: &mut m.backup,
        held,
        min_durable,
        mtrs_per_txn: m.workload.config.mtrs_per_txn,
    };
    writer::acknowledge_commits(k, &mut m.compute, cx);
}

/// Auto scaling's evaluation, and the replicas it adds or removes.
fn auto_scale(k: &mut Kernel, m: &mut Model) {
    let txns = m.metrics.txns_started;
    let decided = autoscaling::on_evaluate(
        k,
        &mut m.autoscaling,
        &mut m.compute,
        &m.access.clients,
        txns,
    );
    match decided {
        autoscaling::Scale::Hold => {}
        autoscaling::Scale::Out { class, count } => {
            for _ in 0..count {
                let tier = autoscaling::AUTOSCALED_TIER;
                if lifecycle::add_instance(k, m, None, class, tier, true).is_err() {
                    break;
                }
            }
            autoscaling::scaled_out(&mut m.autoscaling, k.now);
        }
        autoscaling::Scale::In(node) => {
            lifecycle::remove_instance(k, m, node);
            autoscaling::scaled_in(&mut m.autoscaling, k.now);
        }
    }
}

/// Runs what a workload tick issued: transactions, page reads on the writer, data growth.
fn run_arrivals(k: &mut Kernel, m: &mut Model, due: workload::Arrivals) {
    for _ in 0..due.txns {
        run_transaction(k, m, due.mtrs_per_txn, Reply::None);
    }
    for _ in 0..due.reads {
        writer::read(k, &mut m.compute, &m.storage, &mut m.metrics);
    }
    if due.growth > 0 {
        // Growth past the maximum size simply stops.
        let _ = grow(k, m, due.growth);
    }
}
