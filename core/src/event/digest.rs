//! Each event as four words for the trace digest: every field that tells two runs apart, in a
//! fixed layout, so equal digests mean equal traces on any platform.

use super::*;
use crate::command::Fault;

impl Event {
    /// Folds the event into the trace digest.
    #[inline(always)]
    pub(crate) fn digest_words(&self) -> [u64; 4] {
        use Event::*;
        let d = |t: u64, a: u64, b: u64, c: u64| [t, a, b, c];
        match *self {
            MessageSent {
                id,
                from,
                to,
                kind,
                bytes,
                arrives,
                ..
            } => d(
                1,
                id.0,
                (from.0 as u64) << 32 | (to.0 as u64) << 16 | kind as u64,
                arrives.as_micros() ^ (bytes as u64) << 48,
            ),
            MessageDelivered { id, .. } => d(2, id.0, 0, 0),
            MessageDropped { id, reason, .. } => d(3, id.0, reason as u64, 0),
            NodeUp(n) => d(4, n.0 as u64, 0, 0),
            NodeDown(n) => d(5, n.0 as u64, 0, 0),
            SegmentHealthChanged { seg, health, .. } => d(6, seg.0 as u64, health as u64, 0),
            PgclAdvanced {
                pg, pgcl, holders, ..
            } => d(7, pg.0 as u64, pgcl.0, holders as u64),
            VclAdvanced(l) => d(8, l.0, 0, 0),
            VdlAdvanced(l) => d(9, l.0, 0, 0),
            CommitsAcknowledged {
                count,
                vdl,
                max_latency,
            } => d(10, count as u64, vdl.0, max_latency.as_micros()),
            WriterThrottled { vdl } => d(11, vdl.0, 0, 0),
            WriterUnthrottled => d(12, 0, 0, 0),
            WriteQuorumLost { pg, available } => d(13, pg.0 as u64, available as u64, 0),
            WriteQuorumRegained { pg } => d(14, pg.0 as u64, 0, 0),
            ReadQuorumLost { pg, available } => d(15, pg.0 as u64, available as u64, 0),
            ReadQuorumRegained { pg } => d(16, pg.0 as u64, 0, 0),
            PageRead {
                seg,
                read_point,
                latency,
                ..
            } => d(17, seg.0 as u64, read_point.0, latency.as_micros()),
            GossipFilled { seg, from, to } => d(18, seg.0 as u64, from.0, to.0),
            Background { seg, work, upto } => d(19, seg.0 as u64, work as u64, upto.0),
            StaleEpochRejected {
                seg,
                epoch,
                current,
            } => d(20, seg.0 as u64, epoch as u64, current as u64),
            RepairStarted {
                failed,
                replacement,
                source,
                ..
            } => d(21, failed.0 as u64, replacement.0 as u64, source.0 as u64),
            RepairDeferred { pg, failed, reason } => {
                d(22, pg.0 as u64, failed.0 as u64, reason as u64)
            }
            RepairFinished {
                replacement,
                outcome,
                took,
                ..
            } => d(23, replacement.0 as u64, outcome as u64, took.as_micros()),
            MembershipChanged { pg, epoch, .. } => d(24, pg.0 as u64, epoch as u64, 0),
            VolumeGrown { pgs, bytes } => d(25, pgs as u64, bytes, 0),
            VolumeRecovered {
                vdl,
                truncated_upto,
                epoch,
            } => d(29, vdl.0, truncated_upto.0, epoch as u64),
            FaultInjected(f) => d(26, fault_word(f), 0, 0),
            FaultHealed(f) => d(27, fault_word(f), 0, 0),
            InvariantViolated { invariant, detail } => d(28, invariant as u64, detail, 0),
            ReplicaApplied { node, vdl, lag } => d(30, node.0 as u64, vdl.0, lag.as_micros()),
            HealthCheckMissed { node, misses } => d(31, node.0 as u64, misses as u64, 0),
            FailoverStarted {
                old,
                target,
                since_failure,
                ..
            } => d(
                32,
                old.0 as u64,
                target.map_or(u64::MAX, |t| t.0 as u64),
                since_failure.as_micros(),
            ),
            FailoverPhaseDone { phase, took } => d(33, phase as u64, took.as_micros(), 0),
            FailoverFinished { old, new, total } => {
                d(34, old.0 as u64, new.0 as u64, total.as_micros())
            }
            NoFailoverTarget { old } => d(35, old.0 as u64, 0, 0),
            RecoveryStarted { node } => d(36, node.0 as u64, 0, 0),
            RecoveryPhaseDone {
                node,
                phase,
                took,
                txns,
            } => d(
                55,
                node.0 as u64,
                phase as u64 | (txns as u64) << 8,
                took.as_micros(),
            ),
            RoleChanged { node, role } => d(37, node.0 as u64, role_word(role), 0),
            DnsUpdated { endpoint, target } => d(38, endpoint_word(endpoint), target.0 as u64, 0),
            InstanceAdded { node, ready_in } => d(39, node.0 as u64, ready_in.as_micros(), 0),
            InstanceRemoved { node } => d(40, node.0 as u64, 0, 0),
            AutoScalingEvaluated {
                average,
                replicas,
                desired,
            } => d(41, average as u64, replicas as u64, desired as u64),
            CapacityChanged { node, half } => d(42, node.0 as u64, half as u64, 0),
            Paused { node } => d(43, node.0 as u64, 0, 0),
            Resuming { node, ready_in, .. } => d(44, node.0 as u64, ready_in.as_micros(), 0),
            Resumed { node } => d(45, node.0 as u64, 0, 0),
            ScalingPointWait { node, target_acu } => d(46, node.0 as u64, target_acu as u64, 0),
            ScalingTimedOut { node, forced } => d(47, node.0 as u64, forced as u64, 0),
            RegionAdded { region } => d(48, region.0 as u64, 0, 0),
            GlobalApplied {
                region,
                durable,
                lag,
            } => d(49, region.0 as u64, durable.0, lag.as_micros()),
            SwitchoverStarted { to } => d(50, to.0 as u64, 0, 0),
            GlobalFailoverStarted { to } => d(51, to.0 as u64, 0, 0),
            GlobalPromoted {
                from,
                to,
                planned,
                rpo_lsns,
            } => d(
                52,
                (from.0 as u64) << 8 | to.0 as u64,
                planned as u64,
                rpo_lsns,
            ),
            RegionDown { region } => d(53, region.0 as u64, 0, 0),
            GlobalPromotionAbandoned {
                region,
                writes_resume,
            } => d(55, region.0 as u64, writes_resume as u64, 0),
            RegionUp { region } => d(54, region.0 as u64, 0, 0),
            Backup(e) => e.digest_words(),
        }
    }
}

fn fault_word(f: Fault) -> u64 {
    use crate::net::Partition;
    match f {
        Fault::CrashNode(n) => 1 << 32 | n.0 as u64,
        Fault::LoseSegment(s) => 2 << 32 | s.0 as u64,
        Fault::FailAz(z) => 3 << 32 | z.0 as u64,
        Fault::Partition(Partition::Az(z)) => 4 << 32 | z.0 as u64,
        Fault::Partition(Partition::Node(n)) => 5 << 32 | n.0 as u64,
        Fault::Partition(Partition::Link(a, b)) => 6 << 32 | (a.0 as u64) << 16 | b.0 as u64,
        Fault::Partition(Partition::Region(r)) => 7 << 32 | r.0 as u64,
        Fault::SlowNode { node, pct } => 8 << 32 | (node.0 as u64) << 16 | pct as u64,
        Fault::FailRegion(r) => 9 << 32 | r.0 as u64,
    }
}

fn role_word(r: crate::role::Role) -> u64 {
    use crate::role::Role::*;
    match r {
        Writer => 1,
        Replica => 2,
        Creating { .. } => 3,
        Promoting => 4,
        Fenced => 5,
    }
}

fn endpoint_word(e: crate::ids::EndpointId) -> u64 {
    use crate::ids::EndpointId::*;
    match e {
        Cluster => 1,
        Reader => 2,
        Custom(i) => 3 << 16 | i as u64,
        Instance(n) => 4 << 16 | n.0 as u64,
    }
}
