//! Read replicas: the writer ships its redo stream, with VDL, to every replica; a replica applies
//! records only to pages in its cache (discarding the rest), in whole mini-transactions, never
//! past VDL, and reads at the VDL it has applied (P17 §4.2.4, P18 §3.2–3.4). Replicas are not
//! in the commit path: nothing here delays a commit.

use crate::compute::instance::Role;
use crate::compute::Compute;
use crate::engine::{Due, Kernel, Payload, StreamSend};
use crate::event::Event;
use crate::ids::NodeId;
use crate::lsn::Lsn;
use crate::metrics::Metrics;
use crate::time::{SimDuration, SimTime};

/// CPU time a replica spends applying one redo record to a cached page: find the page in the
/// buffer pool, latch it, apply the change, move its page LSN. [sim default — not sourced;
/// single-threaded redo apply runs at about a million small records a second]
pub const APPLY_NANOS_PER_RECORD: u64 = 400;
/// CPU time to look a record's page up and find it uncached, so the record is dropped: the
/// cache invalidation half of P17 §4.2.4's rule. [sim default — not sourced]
pub const DISCARD_NANOS_PER_RECORD: u64 = 100;
/// CPU time to receive one stream message and hand it to the apply thread: the network
/// thread's wake-up, the copy, parsing its VDL control record. [sim default — not sourced]
pub const RECEIVE_NANOS_PER_MESSAGE: u64 = 20_000;

/// What AWS and the paper state for replica lag, for the page to show beside the measured
/// figure: P17 §6.1.4 Table 4 measured 2.62–5.38 ms at 1,000–10,000 writes/s; P17 §4.2.4
/// "typically ≤ 20 ms"; UG: Replication with Amazon Aurora (2023) "usually much less than
/// 100 ms"; FAQ-AD "tens of milliseconds". No AWS source gives "< 10 ms" (reference §12).
pub const AWS_LAG_STATED: &str = "Stated: usually much less than 100 ms (User Guide), tens of ms (FAQ); the paper measured 2.6–5.4 ms at 1,000–10,000 writes/s (SIGMOD 2017, Table 4). No AWS source says \"under 10 ms\".";

/// P17 §6.1.4 Table 4: Aurora replica lag measured under SysBench write-only, as (write
/// statements per second, lag in µs): 2.62, 3.42, 3.94 and 5.38 ms at 1,000 to 10,000.
pub const TABLE4_LAG: [(u32, u64); 4] = [
    (1_000, 2_620),
    (2_000, 3_420),
    (5_000, 3_940),
    (10_000, 5_380),
];

/// VDL moved: ship the stream to the replicas after the boxcar delay, once per batch of moves.
pub(crate) fn vdl_moved(k: &mut Kernel, c: &mut Compute) {
    if !c.instances.iter().any(|i| i.role == Role::Replica) {
        // No replica will ever be told of these writes: forget them as VDL passes.
        let vdl = c.writer.log.vdl();
        let u = &mut c.writer.unshipped;
        while u.front().is_some_and(|&(lsn, _)| lsn <= vdl) {
            u.pop_front();
        }
        return;
    }
    if c.writer.stream_scheduled {
        return;
    }
    c.writer.stream_scheduled = true;
    k.schedule_in(c.writer.config.boxcar_delay, Due::ReplicaStream);
}

/// Sends every replica the records since the last send and the current VDL. `writes_per_sec`
/// is the background workload's rate, under which the writes' wait for VDL is counted.
pub(crate) fn on_stream(
    k: &mut Kernel,
    c: &mut Compute,
    metrics: &mut Metrics,
    writes_per_sec: u32,
) {
    let w = &mut c.writer;
    w.stream_scheduled = false;
    let (vdl, upto) = (w.log.vdl(), w.log.max_allocated());
    let (written, writes) = shipped_writes(w, vdl);
    metrics.record_durable_wait(writes_per_sec, w.vdl_since - written, writes as u64);
    let records = upto.0.saturating_sub(w.stream_upto.0).min(u32::MAX as u64) as u32;
    w.stream_upto = upto;
    let bytes = records.saturating_mul(w.config.record_bytes).max(64);
    let from = w.node;
    for i in 0..c.instances.len() {
        let inst = &c.instances[i];
        if inst.role != Role::Replica || !k.topo.is_up(inst.node) {
            continue;
        }
        let to = inst.node;
        k.send(
            from,
            to,
            bytes,
            Payload::RedoStream(StreamSend {
                vdl,
                written,
                writes,
                records,
            }),
        );
        metrics.stream_messages += 1;
    }
}

/// Takes the writes this send's VDL makes readable off the writer's unshipped list: when they
/// were written, on average, and how many. With none (VDL moved for an older write), the time
/// VDL moved stands in, as one write.
fn shipped_writes(w: &mut crate::compute::writer::Writer, vdl: Lsn) -> (SimTime, u32) {
    let (mut sum, mut n) = (0u64, 0u64);
    while let Some(&(lsn, at)) = w.unshipped.front() {
        if lsn > vdl {
            break;
        }
        w.unshipped.pop_front();
        sum = sum.saturating_add(at.as_micros());
        n += 1;
    }
    match sum.checked_div(n) {
        Some(mean) => (
            SimTime::ZERO + SimDuration::from_micros(mean),
            n.min(u32::MAX as u64) as u32,
        ),
        None => (w.vdl_since, 1),
    }
}

/// The stream reached a replica: it queues on the replica's one apply thread, which receives
/// it, applies the cached share of its records, drops the rest, and only then moves the read
/// point to the message's VDL (records are applied in LSN order, whole MTRs only: P17 §4.2.4).
///
/// This is the part of lag that grows with the write rate: a message carries every record
/// written since the last send, so more writes a second mean more records between two
/// read-point moves, and a busier apply thread makes each message wait for the one before it.
/// At these per-record costs it is microseconds even at 10,000 writes/s: the network hop is
/// most of the lag (the `replica-lag-sweep` scenario shows both).
pub(crate) fn on_stream_arrived(
    k: &mut Kernel,
    c: &mut Compute,
    hot_bytes: u64,
    node: NodeId,
    send: StreamSend,
) {
    let hot = hot_bytes;
    let records = send.records;
    let Some(inst) = c.instances.iter_mut().find(|i| i.node == node) else {
        return;
    };
    if inst.role != Role::Replica {
        return;
    }
    let hit = inst.cache_hit_ppm(hot) as u64;
    let applied = records as u64 * hit / 1_000_000;
    inst.applied_records += applied;
    inst.discarded_records += records as u64 - applied;
    let discarded = records as u64 - applied;
    let cost = SimDuration::from_micros(apply_nanos(applied, discarded) / 1_000);
    let done = inst.apply_free_at.max(k.now) + cost;
    inst.apply_free_at = done;
    inst.apply_busy += cost;
    k.schedule(done, Due::ReplicaApplied { node, send });
}

/// The apply thread's work for one message, in nanoseconds.
pub fn apply_nanos(applied: u64, discarded: u64) -> u64 {
    RECEIVE_NANOS_PER_MESSAGE
        + applied * APPLY_NANOS_PER_RECORD
        + discarded * DISCARD_NANOS_PER_RECORD
}

/// The replica has applied everything up to the send's VDL: its read point moves, and each of
/// the writes it made readable counts one lag sample.
pub(crate) fn on_applied(
    k: &mut Kernel,
    c: &mut Compute,
    metrics: &mut Metrics,
    writes_per_sec: u32,
    node: NodeId,
    send: StreamSend,
) {
    let StreamSend {
        vdl,
        written,
        writes,
        ..
    } = send;
    let max = c.writer.log.max_allocated();
    let Some(inst) = c.instances.iter_mut().find(|i| i.node == node) else {
        return;
    };
    if inst.role != Role::Replica || vdl <= inst.read_point {
        return;
    }
    inst.read_point = vdl;
    inst.read_point_since = written;
    inst.lag = k.now - written;
    inst.lag_lsn = max.0.saturating_sub(vdl.0);
    metrics
        .replica_lag
        .record_n(inst.lag.as_micros(), writes as u64);
    metrics.record_lag_at_rate(writes_per_sec, inst.lag, writes as u64);
    k.emit(Event::ReplicaApplied {
        node,
        vdl,
        lag: inst.lag,
    });
}

#[cfg(test)]
mod tests {
    //! The redo stream on its own: a kernel, the compute layer (a writer and replicas on their
    //! nodes) and the metrics, nothing else of the model. VDL is moved by hand, as the writer's
    //! acknowledgements would move it.

    use super::*;
    use crate::compute::instance::{Instance, CLASSES};
    use crate::compute::writer::{Writer, WriterConfig};
    use crate::ids::{AzId, RegionId};
    use crate::topology::NodeKind;
    use alloc::vec::Vec;

    /// A writer in AZ a and `replicas` replicas in AZ b, their nodes in the kernel's topology.
    fn cluster(replicas: usize) -> (Kernel, Compute, Metrics) {
        let mut k = Kernel::new(1);
        let node = k.topo.add(NodeKind::Instance, RegionId(0), Some(AzId(0)));
        let mut c = Compute::new(
            Writer::new(node, 1, WriterConfig::default()),
            Instance::new(node, CLASSES[4], 0, Role::Writer),
        );
        for _ in 0..replicas {
            let r = k.topo.add(NodeKind::Instance, RegionId(0), Some(AzId(1)));
            c.instances
                .push(Instance::new(r, CLASSES[4], 1, Role::Replica));
        }
        (k, c, Metrics::default())
    }

    /// The writer writes one MTR of `records` records at `at`, and VDL moves past it.
    fn write_durable(k: &mut Kernel, c: &mut Compute, at: u64, records: u32) -> Lsn {
        k.now = SimTime::from_micros(at);
        let w = &mut c.writer;
        let (_, last) = w.log.allocate(0, records).expect("room under LAL");
        w.log.mark_cpl(last);
        w.unshipped.push_back((last, k.now));
        w.log.advance_pg(0, last);
        w.log.recompute();
        w.vdl_since = k.now;
        last
    }

    /// Everything the kernel has queued, in order, with the clock moved to each.
    fn run(k: &mut Kernel) -> Vec<(SimTime, Due)> {
        let mut out = Vec::new();
        while let Some(d) = k.pop_until(SimTime::from_micros(u64::MAX / 2)) {
            out.push((k.now, d));
        }
        out
    }

    fn sends(dues: &[(SimTime, Due)]) -> Vec<(NodeId, StreamSend)> {
        dues.iter()
            .filter_map(|(_, d)| match d {
                Due::Deliver(m) => match m.payload {
                    Payload::RedoStream(s) => Some((m.to, s)),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// With no replica, nobody will be told of the writes: VDL's move ships nothing and the
    /// writer forgets them, so the list cannot grow without bound.
    #[test]
    fn with_no_replica_vdl_moves_ship_nothing_and_forget_the_writes() {
        let (mut k, mut c, _) = cluster(0);
        write_durable(&mut k, &mut c, 100, 3);
        vdl_moved(&mut k, &mut c);
        assert!(c.writer.unshipped.is_empty());
        assert!(!c.writer.stream_scheduled);
        assert_eq!(k.pending(), 0);
    }

    /// VDL moves many times within a boxcar: one stream send, the boxcar delay after the first.
    #[test]
    fn vdl_moves_within_a_boxcar_ship_one_stream_after_the_delay() {
        let (mut k, mut c, _) = cluster(1);
        write_durable(&mut k, &mut c, 1_000, 3);
        vdl_moved(&mut k, &mut c);
        write_durable(&mut k, &mut c, 1_010, 3);
        vdl_moved(&mut k, &mut c);
        let dues = run(&mut k);
        assert_eq!(dues.len(), 1, "{dues:?}");
        assert!(matches!(dues[0].1, Due::ReplicaStream));
        assert_eq!(
            dues[0].0,
            SimTime::from_micros(1_000) + c.writer.config.boxcar_delay
        );
    }

    /// A send carries what its VDL makes readable: the writes at or below VDL, with their mean
    /// write time (where lag counts from), and every record allocated so far; writes above
    /// VDL wait for a later send. A replica that is down is sent nothing.
    #[test]
    fn a_send_carries_the_writes_its_vdl_covers_and_skips_a_replica_that_is_down() {
        let (mut k, mut c, mut m) = cluster(2);
        write_durable(&mut k, &mut c, 1_000, 3);
        let vdl = write_durable(&mut k, &mut c, 1_400, 3);
        // A third MTR is written but not yet durable.
        let (_, above) = c.writer.log.allocate(0, 3).expect("room");
        c.writer
            .unshipped
            .push_back((above, SimTime::from_micros(1_500)));
        let down = c.instances[2].node;
        k.topo.nodes[down.index()].up = false;
        k.now = SimTime::from_micros(1_600);
        on_stream(&mut k, &mut c, &mut m, 1_000);
        let sent = sends(&run(&mut k));
        assert_eq!(sent.len(), 1, "one replica up: {sent:?}");
        let (to, s) = sent[0];
        assert_eq!(to, c.instances[1].node);
        assert_eq!(s.vdl, vdl);
        assert_eq!((s.writes, s.written), (2, SimTime::from_micros(1_200)));
        assert_eq!(s.records, 9);
        assert_eq!(c.writer.unshipped.len(), 1, "the write above VDL stays");
        assert_eq!(m.stream_messages, 1);
        // Both writes waited from their write to VDL's move at 1,400 µs: 400 and 0, mean 200.
        let at = &m.replica_lag_by_rate[0];
        assert_eq!((at.rate, at.durable_wait_mean()), (1_000, Some(200)));
    }

    /// Messages that arrive together queue on the replica's one apply thread: the second's
    /// read point moves only after the first's work and its own.
    #[test]
    fn messages_queue_on_the_one_apply_thread() {
        let (mut k, mut c, _) = cluster(1);
        let node = c.instances[1].node;
        let send = |vdl: u64, records: u32| StreamSend {
            vdl: Lsn(vdl),
            written: SimTime::ZERO,
            writes: 1,
            records,
        };
        k.now = SimTime::from_micros(10_000);
        // A hot set no larger than the cache: every record is applied (at most 99 % hit).
        on_stream_arrived(&mut k, &mut c, 1, node, send(3, 1_000));
        on_stream_arrived(&mut k, &mut c, 1, node, send(6, 1_000));
        let dues = run(&mut k);
        let times: Vec<u64> = dues.iter().map(|(t, _)| t.as_micros() - 10_000).collect();
        let inst = &c.instances[1];
        let one = apply_nanos(990, 10) / 1_000;
        assert_eq!(inst.applied_records + inst.discarded_records, 2_000);
        assert_eq!(times, [one, 2 * one], "{dues:?}");
        assert_eq!(inst.apply_busy.as_micros(), 2 * one);
    }

    /// The read point moves to the send's VDL, lag is now minus the writes' mean write time,
    /// and each write counts one sample; an older VDL arriving late moves nothing back.
    #[test]
    fn applying_moves_the_read_point_and_counts_each_write_once() {
        let (mut k, mut c, mut m) = cluster(1);
        let node = c.instances[1].node;
        k.now = SimTime::from_micros(5_000);
        let send = StreamSend {
            vdl: Lsn(30),
            written: SimTime::from_micros(2_000),
            writes: 4,
            records: 12,
        };
        on_applied(&mut k, &mut c, &mut m, 2_000, node, send);
        let inst = &c.instances[1];
        assert_eq!(inst.read_point, Lsn(30));
        assert_eq!(inst.lag, SimDuration::from_micros(3_000));
        assert_eq!(m.replica_lag.count(), 4);
        assert_eq!(m.replica_lag.mean(), 3_000);
        assert_eq!(m.replica_lag_by_rate[0].lag.count(), 4);
        let older = StreamSend {
            vdl: Lsn(20),
            ..send
        };
        k.now = SimTime::from_micros(9_000);
        on_applied(&mut k, &mut c, &mut m, 2_000, node, older);
        assert_eq!(c.instances[1].read_point, Lsn(30));
        assert_eq!(m.replica_lag.count(), 4);
    }

    /// The writer is never a replica: a stream that reaches an instance promoted meanwhile
    /// does nothing to it.
    #[test]
    fn a_stream_reaching_an_instance_that_is_no_longer_a_replica_is_ignored() {
        let (mut k, mut c, mut m) = cluster(1);
        let node = c.instances[1].node;
        c.instances[1].role = Role::Writer;
        let send = StreamSend {
            vdl: Lsn(9),
            written: SimTime::ZERO,
            writes: 1,
            records: 3,
        };
        on_stream_arrived(&mut k, &mut c, 1, node, send);
        on_applied(&mut k, &mut c, &mut m, 0, node, send);
        assert_eq!(k.pending(), 0);
        assert_eq!(c.instances[1].read_point, Lsn::ZERO);
        assert_eq!(m.replica_lag.count(), 0);
    }
}
