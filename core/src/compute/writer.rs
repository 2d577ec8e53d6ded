//! The writer's redo path (P17 §3.3 steps 1–8 from the database's side, reference §2.3):
//!
//! 1. a transaction's mini-transactions allocate contiguous LSNs (never above VDL + LAL);
//! 2. records are sharded per PG into write buffers; a buffer's send is submitted when its first
//!    record arrives and keeps filling until it runs (the boxcar, P18 §2.2), then goes to every
//!    member segment of the PG. Batches to a PG are ordered (P17 §3.2): the next one runs once
//!    the one before is hardened, so under load a boxcar fills for a whole quorum round trip
//!    and carries many transactions' records — the batching that makes P17 Table 1's I/Os per
//!    transaction fall as the write rate rises;
//! 3. each acknowledgement carries the segment's SCL; a write quorum of SCLs moves PGCL, which
//!    moves VCL and VDL;
//! 4. a commit parks on the commit queue keyed by its LSN and is acknowledged once VDL ≥ it.
//!    No group-commit timer, no flush, no consensus (P17 §4.2.2).
//!
//! Reads are in [`crate::compute::read`].

use crate::backup::Backup;
use crate::compute::read::Reply;
use crate::compute::Compute;
use crate::engine::{Due, Kernel, Payload};
use crate::event::{Event, Invariant, SegmentHealth};
use crate::ids::{NodeId, PgId, SegmentId};
use crate::invariants::Checker;
use crate::lsn::{Lsn, VolumeLog};
use crate::metrics::Metrics;
use crate::quorum::MAX_SLOTS;
use crate::storage::Storage;
use crate::time::{SimDuration, SimTime};
use alloc::collections::VecDeque;
use alloc::vec::Vec;

/// How long a PG's write buffer keeps filling after its first record before the send runs, when
/// nothing is in flight to the PG; with a batch in flight the send runs when that batch is
/// hardened instead. [sim default — not sourced; P18 §2.2 describes the boxcar but gives no
/// time]
pub const BOXCAR_DELAY: SimDuration = SimDuration::from_micros(40);
/// How long the writer waits for a PG to make progress before re-sending unhardened records.
/// [sim default — not sourced]
pub const RETRY_INTERVAL: SimDuration = SimDuration::from_millis(50);
/// Bytes of one redo record on the wire. [sim default — not sourced]
pub const RECORD_BYTES: u32 = 200;
/// Records in one mini-transaction. [sim default — not sourced]
pub const RECORDS_PER_MTR: u32 = 3;
/// How long a page read may take before the writer hedges to another segment.
/// [sim default — not sourced; P18 §3.1 describes hedging without a number]
pub const READ_HEDGE_AFTER: SimDuration = SimDuration::from_millis(5);
/// Share of page reads served from the buffer cache, in parts per million.
/// [sim default — not sourced]
pub const CACHE_HIT_PPM: u32 = 950_000;

/// The writer's settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WriterConfig {
    pub boxcar_delay: SimDuration,
    pub retry_interval: SimDuration,
    pub record_bytes: u32,
    pub records_per_mtr: u32,
    pub read_hedge_after: SimDuration,
    pub cache_hit_ppm: u32,
}

impl Default for WriterConfig {
    fn default() -> Self {
        WriterConfig {
            boxcar_delay: BOXCAR_DELAY,
            retry_interval: RETRY_INTERVAL,
            record_bytes: RECORD_BYTES,
            records_per_mtr: RECORDS_PER_MTR,
            read_hedge_after: READ_HEDGE_AFTER,
            cache_hit_ppm: CACHE_HIT_PPM,
        }
    }
}

/// The writer's per-PG state.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WriterPg {
    /// Each slot's SCL as the acknowledgements reported it.
    pub known: [u64; MAX_SLOTS],
    /// The last record in the write buffer (above `sent_upto` when the buffer holds records).
    buf_last: Lsn,
    buf_bytes: u32,
    /// A send is submitted: a timer runs, or it waits for the batch in flight (`waiting`).
    flush_scheduled: bool,
    /// The submitted send waits for the batch before it to be hardened.
    waiting: bool,
    /// The last record sent: the back-link of the next batch.
    pub sent_upto: Lsn,
    retry_scheduled: bool,
    last_retry_pgcl: Lsn,
    /// The oldest point this writer's log reaches back to: a re-send never claims records
    /// from before it (a segment behind it catches up from its peers).
    floor: Lsn,
}

/// The writer instance.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Writer {
    pub node: NodeId,
    pub config: WriterConfig,
    /// The volume epoch this writer was opened with; stamped on every write. P17 §4.3
    pub volume_epoch: u32,
    pub log: VolumeLog,
    pub pgs: Vec<WriterPg>,
    /// Transactions waiting for VDL to reach their commit LSN, in LSN order, with who to tell.
    commits: VecDeque<(Lsn, SimTime, Reply)>,
    /// When VDL last moved.
    pub vdl_since: SimTime,
    /// Each mini-transaction not yet shipped to the replicas under a VDL that covers it: its
    /// last LSN and when it was written. A replica's lag is measured from the write, not from
    /// VDL's move, because a replica cannot show a write before the storage quorum has made
    /// it durable: that wait is part of what a reader on a replica sees.
    pub(crate) unshipped: VecDeque<(Lsn, SimTime)>,
    /// Acknowledged commit LSNs that a storage failure could still take away.
    pub(crate) acked: VecDeque<Lsn>,
    /// LAL stops allocation until VDL moves.
    pub throttled: bool,
    /// Transactions that arrived while throttled, run when it lifts.
    pub backlog: u64,
    /// Mini-transactions written into the open manual transaction.
    manual: Option<u8>,
    /// A redo-stream send to the replicas is scheduled.
    pub(crate) stream_scheduled: bool,
    /// The highest LSN shipped to the replicas.
    pub(crate) stream_upto: Lsn,
}

impl Writer {
    pub fn new(node: NodeId, pgs: usize, config: WriterConfig) -> Self {
        Self::starting_at(node, pgs, config, Lsn::ZERO)
    }

    /// A writer opening a volume durable to `lsn` (a promoted secondary region's copy).
    pub fn starting_at(node: NodeId, pgs: usize, config: WriterConfig, lsn: Lsn) -> Self {
        let mut w = Writer {
            node,
            config,
            volume_epoch: 1,
            log: VolumeLog::starting_at(0, lsn),
            pgs: Vec::new(),
            commits: VecDeque::new(),
            acked: VecDeque::new(),
            throttled: false,
            backlog: 0,
            manual: None,
            vdl_since: SimTime::ZERO,
            unshipped: VecDeque::new(),
            stream_scheduled: false,
            stream_upto: lsn,
        };
        w.add_pgs(pgs);
        w
    }

    pub(crate) fn add_pgs(&mut self, n: usize) {
        let start = self.log.pg_count();
        self.log.add_pgs(n);
        for pg in start..start + n {
            let last = self.log.pg_last(pg as u32);
            self.pgs.push(WriterPg {
                known: [last.0; MAX_SLOTS],
                buf_last: last,
                buf_bytes: 0,
                flush_scheduled: false,
                waiting: false,
                sent_upto: last,
                retry_scheduled: false,
                last_retry_pgcl: last,
                floor: last,
            });
        }
    }

    /// Forgets what a slot acknowledged: a new member starts from nothing.
    pub(crate) fn reset_slot(&mut self, pg: PgId, slot: u8) {
        if let Some(p) = self.pgs.get_mut(pg.index()) {
            p.known[slot as usize] = 0;
        }
    }

    /// Resets the runtime state after crash recovery under volume epoch `epoch`: what each slot
    /// holds comes from `scl(pg, slot)`; parked commits are dropped unacknowledged. Returns how
    /// many were dropped.
    pub(crate) fn reopen(
        &mut self,
        epoch: u32,
        scl: impl Fn(usize, usize) -> u64,
    ) -> (u64, Vec<Reply>) {
        self.volume_epoch = epoch;
        for (i, p) in self.pgs.iter_mut().enumerate() {
            let last = self.log.pg_last(i as u32);
            p.known = core::array::from_fn(|slot| scl(i, slot));
            p.buf_last = last;
            p.buf_bytes = 0;
            p.sent_upto = last;
            p.last_retry_pgcl = last;
            p.floor = last;
            if p.waiting {
                // No timer runs for a send that waited for an ack: nothing is submitted now.
                p.waiting = false;
                p.flush_scheduled = false;
            }
        }
        self.stream_upto = self.log.max_allocated();
        self.vdl_since = SimTime::ZERO;
        self.unshipped.clear();
        let dropped = self.commits.len() as u64 + self.backlog;
        let replies = self.commits.drain(..).map(|c| c.2).collect();
        self.backlog = 0;
        self.throttled = false;
        self.manual = None;
        (dropped, replies)
    }

    /// Gives up every parked commit (the writer is being replaced): their clients must be
    /// told they failed.
    pub(crate) fn abandon_commits(&mut self) -> Vec<Reply> {
        self.backlog = 0;
        self.manual = None;
        self.commits.drain(..).map(|c| c.2).collect()
    }

    /// The commit LSN of the newest transaction waiting for VDL.
    pub fn last_commit(&self) -> Option<Lsn> {
        self.commits.back().map(|c| c.0)
    }

    /// Commits waiting for VDL.
    pub fn commits_waiting(&self) -> usize {
        self.commits.len()
    }

    /// When the oldest commit still waiting for VDL was parked: during a write stall this
    /// grows while no acknowledged commit's latency shows it yet.
    pub fn oldest_commit_parked(&self) -> Option<SimTime> {
        self.commits.front().map(|c| c.1)
    }

    /// Is a manual transaction open?
    pub fn manual_open(&self) -> bool {
        self.manual.is_some()
    }
}

/// Room under LAL for `records` more records?
fn has_room(w: &Writer, records: u64) -> bool {
    w.log.max_allocated().0 + records <= w.log.allocation_limit().0
}

/// Allocates one mini-transaction's records in a random PG and buffers them. Returns its CPL.
fn write_mtr(k: &mut Kernel, w: &mut Writer, records: u32) -> Option<Lsn> {
    let pg = k.rng.below(w.pgs.len() as u64) as u32;
    let (_, last) = w.log.allocate(pg, records).ok()?;
    w.log.mark_cpl(last);
    w.unshipped.push_back((last, k.now));
    buffer(k, w, pg, last, records * w.config.record_bytes);
    Some(last)
}

fn buffer(k: &mut Kernel, w: &mut Writer, pg: u32, last: Lsn, bytes: u32) {
    let p = &mut w.pgs[pg as usize];
    p.buf_last = last;
    p.buf_bytes = p.buf_bytes.saturating_add(bytes);
    if !p.flush_scheduled {
        p.flush_scheduled = true;
        k.schedule_in(w.config.boxcar_delay, Due::Flush(PgId(pg)));
    }
}

/// Throttles the writer at LAL, once.
fn throttle(k: &mut Kernel, w: &mut Writer) {
    if !w.throttled {
        w.throttled = true;
        k.emit(Event::WriterThrottled { vdl: w.log.vdl() });
    }
}

/// What else holds the cluster's writes: a failover, a Global Database switchover or a
/// Backtrack under way. Worked out by the dispatch, which sees those subsystems.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Held(pub bool);

/// Runs one transaction: `mtrs` mini-transactions and a commit record. Returns false if it
/// failed (the writer down or recovering, writes `held`) or LAL stopped it before it started
/// (it is then counted in the backlog).
pub(crate) fn run_transaction(
    k: &mut Kernel,
    c: &mut Compute,
    metrics: &mut Metrics,
    held: Held,
    mtrs: u8,
    reply: Reply,
) -> bool {
    let w = &mut c.writer;
    if !k.topo.is_up(w.node) || c.recovery.is_some() || held.0 {
        metrics.txn_errors += 1;
        return false;
    }
    let records = w.config.records_per_mtr as u64 * mtrs as u64 + 1;
    if w.throttled || !has_room(w, records) {
        throttle(k, w);
        w.backlog += 1;
        return false;
    }
    let from_client = matches!(reply, Reply::Client { .. });
    for _ in 0..mtrs {
        write_mtr(k, w, w.config.records_per_mtr);
    }
    commit_record(k, w, reply);
    metrics.txns_started += 1;
    if !from_client {
        // A client's request was charged when it joined the CPU queue.
        count_writer_cpu(k.now, c, crate::compute::instance::CPU_MICROS_PER_WRITE);
    }
    true
}

/// Counts work the writer did for the built-in workload (not a client's request, which its CPU
/// queue already counted) in the CPU use it shows. The workload is not queued on the CPU, so
/// counting it changes nothing in the run.
fn count_writer_cpu(now: SimTime, c: &mut Compute, cpu_us: u64) {
    let node = c.writer.node;
    if let Some(i) = c.instances.iter_mut().find(|i| i.node == node) {
        let busy = cpu_us * 1000 / i.milli_vcpu().max(1);
        i.cpu.charge(now, busy);
    }
}

/// The commit record: one record that ends its own mini-transaction, parked on the commit queue.
fn commit_record(k: &mut Kernel, w: &mut Writer, reply: Reply) {
    if let Some(lsn) = write_mtr(k, w, 1) {
        w.commits.push_back((lsn, k.now, reply));
    }
}

/// Writes one mini-transaction into the open manual transaction, opening it if needed.
pub(crate) fn manual_write(k: &mut Kernel, w: &mut Writer) -> bool {
    let records = w.config.records_per_mtr;
    if w.throttled || !has_room(w, records as u64) {
        throttle(k, w);
        return false;
    }
    write_mtr(k, w, records);
    w.manual = Some(w.manual.unwrap_or(0).saturating_add(1));
    true
}

/// Commits the open manual transaction.
pub(crate) fn manual_commit(k: &mut Kernel, w: &mut Writer, metrics: &mut Metrics) -> bool {
    if w.manual.take().is_none() {
        return false;
    }
    commit_record(k, w, Reply::None);
    metrics.txns_started += 1;
    true
}

/// The boxcar runs: send the PG's buffered records to every member segment — unless the batch
/// before is still unhardened, in which case the buffer keeps filling until its quorum
/// acknowledges it ([`on_ack`] then runs the send).
pub(crate) fn on_flush(
    k: &mut Kernel,
    w: &mut Writer,
    st: &Storage,
    metrics: &mut Metrics,
    pg: PgId,
) {
    flush(k, w, st, metrics, pg, true);
}

/// Sends the PG's buffer; with `after_hardening`, only once the batch before is hardened.
fn flush(
    k: &mut Kernel,
    w: &mut Writer,
    st: &Storage,
    metrics: &mut Metrics,
    pg: PgId,
    after_hardening: bool,
) {
    let pgcl = w.log.pgcl(pg.0);
    let Some(p) = w.pgs.get_mut(pg.index()) else {
        return;
    };
    if after_hardening && p.sent_upto > pgcl && p.buf_last > p.sent_upto && k.topo.is_up(w.node) {
        p.waiting = true;
        return;
    }
    p.flush_scheduled = false;
    p.waiting = false;
    if p.buf_last <= p.sent_upto || !k.topo.is_up(w.node) {
        return;
    }
    let (prev, last, bytes) = (p.sent_upto, p.buf_last, p.buf_bytes);
    p.sent_upto = last;
    p.buf_bytes = 0;
    let needs_retry = !p.retry_scheduled;
    p.retry_scheduled = true;
    let Some(group) = st.pgs.get(pg.index()) else {
        return;
    };
    let epoch = group.epoch;
    for (_, seg) in group.member_slots() {
        let to = st.segments[seg.index()].node;
        send_redo(k, w, to, seg, (prev, last), bytes, epoch);
        metrics.redo_messages += 1;
        metrics.write_path_bytes += bytes as u64;
    }
    metrics.redo_batches += 1;
    if needs_retry {
        k.schedule_in(w.config.retry_interval, Due::RetryCheck(pg));
    }
}

/// Puts one redo batch, the PG's records in `(prev, last]`, on the wire to one segment,
/// stamped with the writer's volume epoch and the PG's membership epoch.
fn send_redo(
    k: &mut Kernel,
    w: &Writer,
    to: NodeId,
    seg: SegmentId,
    (prev, last): (Lsn, Lsn),
    bytes: u32,
    member_epoch: u32,
) {
    k.send(
        w.node,
        to,
        bytes,
        Payload::Redo {
            seg,
            prev,
            last,
            bytes,
            volume_epoch: w.volume_epoch,
            member_epoch,
        },
    );
}

/// No progress on a PG for a while: re-send its unhardened records to members that lack them,
/// and send what the boxcar holds without waiting any longer. (Lost messages and members that
/// come back are otherwise filled by gossip.) A PG whose membership changed may already hold a
/// write quorum of the new set without any acknowledgement left to say so: the new batch's
/// acknowledgements do.
pub(crate) fn on_retry_check(
    k: &mut Kernel,
    w: &mut Writer,
    st: &Storage,
    metrics: &mut Metrics,
    pg: PgId,
) {
    let pgcl = w.log.pgcl(pg.0);
    let Some(p) = w.pgs.get_mut(pg.index()) else {
        return;
    };
    if p.sent_upto <= pgcl {
        p.retry_scheduled = false;
        return;
    }
    k.schedule_in(w.config.retry_interval, Due::RetryCheck(pg));
    if pgcl > p.last_retry_pgcl || !k.topo.is_up(w.node) {
        p.last_retry_pgcl = pgcl;
        return;
    }
    let (last, known, floor) = (p.sent_upto, p.known, p.floor);
    let group = &st.pgs[pg.index()];
    let epoch = group.epoch;
    for (slot, seg) in group.member_slots() {
        let s = &st.segments[seg.index()];
        let prev = Lsn(known[slot as usize]).max(floor);
        if prev >= last || s.health == SegmentHealth::Lost {
            continue;
        }
        let records = ((last.0 - prev.0) / w.log.pg_count().max(1) as u64).max(1);
        let bytes = (records as u32).saturating_mul(w.config.record_bytes);
        send_redo(k, w, s.node, seg, (prev, last), bytes, epoch);
        metrics.redo_messages += 1;
        metrics.write_path_bytes += bytes as u64;
    }
    if w.pgs[pg.index()].waiting {
        flush(k, w, st, metrics, pg, false);
    }
}

/// An acknowledgement: record the segment's SCL, and move PGCL, VCL and VDL if a write quorum
/// now holds more. Returns true if VDL moved: the replicas, the secondary regions and the
/// parked commits are then to hear of it, in that order.
pub(crate) fn on_ack(
    k: &mut Kernel,
    w: &mut Writer,
    st: &Storage,
    checker: &mut Checker,
    metrics: &mut Metrics,
    seg: SegmentId,
    scl: Lsn,
) -> bool {
    let Some(s) = st.segments.get(seg.index()) else {
        return false;
    };
    let (pg, slot) = (s.pg, s.slot);
    let group = &st.pgs[pg.index()];
    if group.slots[slot as usize] != Some(seg) {
        return false; // from a segment that has since left the PG
    }
    let p = &mut w.pgs[pg.index()];
    if scl.0 <= p.known[slot as usize] {
        return false;
    }
    p.known[slot as usize] = scl.0;
    let members = group.quorum.members();
    let Some(point) = group.quorum.quorum_point(&p.known, members) else {
        return false;
    };
    let point = Lsn(point);
    if point <= w.log.pgcl(pg.0) {
        return false;
    }
    // Never believe more than the segments hold (reference §11.3–4).
    if st.durable_point(group).is_none_or(|d| d < point) {
        checker.violation(k, Invariant::AckWithoutQuorum, point.0);
    }
    let holders = p
        .known
        .iter()
        .enumerate()
        .filter(|(i, &v)| members & (1 << i) != 0 && v >= point.0)
        .count() as u8;
    w.log.advance_pg(pg.0, point);
    k.emit(Event::PgclAdvanced {
        pg,
        pgcl: point,
        holders,
        members: members.count_ones() as u8,
    });
    let run_waiting = p.waiting && point >= p.sent_upto;
    let moved = w.log.recompute();
    if run_waiting {
        flush(k, w, st, metrics, pg, false);
    }
    if let Some(vcl) = moved.vcl {
        k.emit(Event::VclAdvanced(vcl));
    }
    match moved.vdl {
        Some(vdl) => {
            w.vdl_since = k.now;
            k.emit(Event::VdlAdvanced(vdl));
            true
        }
        None => false,
    }
}

/// A segment refused a request with a stale epoch. The writer refreshes its membership from
/// the metadata service (always current in the model) and the retry timer re-sends.
pub(crate) fn on_rejected(metrics: &mut Metrics, _seg: SegmentId) {
    metrics.stale_rejections += 1;
}

/// What the commit thread needs beyond the compute layer: the segments (for what a storage
/// failure could take away), the backup's commit log, what holds writes, the least any
/// secondary region has made durable, and the background workload's transaction size.
pub(crate) struct CommitContext<'a> {
    pub storage: &'a Storage,
    pub metrics: &'a mut Metrics,
    pub backup: &'a mut Backup,
    pub held: Held,
    pub min_durable: Option<Lsn>,
    pub mtrs_per_txn: u8,
}

/// The commit thread: acknowledge every parked transaction whose commit LSN ≤ VDL.
pub(crate) fn acknowledge_commits(k: &mut Kernel, c: &mut Compute, cx: CommitContext) {
    let CommitContext {
        storage,
        metrics,
        backup,
        held,
        min_durable,
        mtrs_per_txn,
    } = cx;
    let w = &mut c.writer;
    let vdl = w.log.vdl();
    let mut count = 0u32;
    let mut max_latency = SimDuration::ZERO;
    let node = w.node;
    while let Some(&(lsn, started, reply)) = c.writer.commits.front() {
        if lsn > vdl {
            break;
        }
        c.writer.commits.pop_front();
        backup.on_commit(k.now, lsn.0);
        let latency = k.now - started;
        metrics.commit_latency.record(latency.as_micros());
        max_latency = max_latency.max(latency);
        count += 1;
        c.writer.acked.push_back(lsn);
        if let Reply::Client { client, req } = reply {
            crate::compute::read::respond(k, node, client, req, true);
        }
    }
    let w = &mut c.writer;
    if count > 0 {
        metrics.commits_acked += count as u64;
        metrics.note_commits(k.now, count);
        k.emit(Event::CommitsAcknowledged {
            count,
            vdl,
            max_latency,
        });
    }
    if w.acked.len() > 1 << 16 {
        // Keep what a storage failure or a region failover could still take away.
        let safe = recoverable_vdl(storage, &c.writer).min(min_durable.unwrap_or(Lsn(u64::MAX)));
        c.writer.acked.retain(|&l| l > safe);
    }
    let w = &mut c.writer;
    if w.throttled && has_room(w, w.config.records_per_mtr as u64 * 4 + 1) {
        w.throttled = false;
        k.emit(Event::WriterUnthrottled);
        let backlog = core::mem::take(&mut w.backlog);
        for _ in 0..backlog {
            if !run_transaction(k, c, metrics, held, mtrs_per_txn, Reply::None) {
                break;
            }
        }
    }
}

/// The VDL a recovery could reach from the segments that still hold data.
pub(crate) fn recoverable_vdl(st: &Storage, w: &Writer) -> Lsn {
    let points: Vec<Lsn> = st.pgs.iter().map(|pg| st.surviving_point(pg)).collect();
    w.log.vdl_given(&points)
}

/// A page read on the writer at VDL, for the background workload.
pub(crate) fn read(k: &mut Kernel, c: &mut Compute, st: &Storage, metrics: &mut Metrics) {
    if !k.topo.is_up(c.writer.node) {
        metrics.reads += 1;
        metrics.read_errors += 1;
        return;
    }
    let (node, point, hit) = (
        c.writer.node,
        c.writer.log.vdl(),
        c.writer.config.cache_hit_ppm,
    );
    count_writer_cpu(k.now, c, crate::compute::instance::CPU_MICROS_PER_READ);
    crate::compute::read::start(k, c, st, metrics, node, point, hit, Reply::None);
}
