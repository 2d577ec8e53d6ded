//! Crash recovery when a writer opens the volume (P17 §4.3, P18 §2.4):
//!
//! 1. read the SCLs of a read quorum (3 of 6) of every PG;
//! 2. recompute PGCLs, VCL and VDL;
//! 3. annul every record above VDL up to VDL + LAL (the truncation range), which bounds anything
//!    the old writer could have issued;
//! 4. bring PGs without a write quorum up to VDL from their read quorum;
//! 5. bump the volume epoch: storage refuses requests from older epochs, so the old writer is
//!    fenced at once, with no lease to wait out;
//! 6. new LSNs start above the truncation range. There is no redo replay: storage materialises
//!    pages itself.

use crate::engine::Kernel;
use crate::event::{Event, SegmentHealth};
use crate::lsn::Lsn;
use crate::sim::Model;
use alloc::vec::Vec;

/// Runs recovery now on the writer. Returns the recovered VDL.
pub(crate) fn recover(k: &mut Kernel, m: &mut Model) -> Lsn {
    let writer = m.writer.node;
    let st = &mut m.storage;
    // Step 1: the highest SCL among each PG's reachable members (a read quorum when one is up).
    let points: Vec<Lsn> = st
        .pgs
        .iter()
        .map(|pg| {
            pg.member_slots()
                .map(|(_, s)| &st.segments[s.index()])
                .filter(|s| {
                    s.has_data() && k.topo.is_up(s.node) && !k.net.blocked(&k.topo, writer, s.node)
                })
                .map(|s| s.scl)
                .max()
                .unwrap_or(Lsn::ZERO)
        })
        .collect();
    // Steps 2, 3 and 6.
    let (vdl, end) = m.writer.log.recover(&points);
    // Steps 3 and 4 at the segments.
    for seg in st.segments.iter_mut() {
        if !seg.has_data() {
            continue;
        }
        seg.truncate(vdl, end);
        let reachable = k.topo.is_up(seg.node) && !k.net.blocked(&k.topo, writer, seg.node);
        if reachable && seg.health == SegmentHealth::Healthy {
            seg.fill_to(end);
        }
    }
    // Step 5.
    st.volume_epoch += 1;
    let epoch = st.volume_epoch;
    for seg in st.segments.iter_mut() {
        seg.volume_epoch = epoch;
    }
    let unacknowledged = m.writer.reopen(epoch, |pg, slot| {
        st.pgs[pg]
            .slots
            .get(slot)
            .copied()
            .flatten()
            .map_or(0, |s| st.segments[s.index()].scl.0)
    });
    // Transactions still waiting for VDL were never acknowledged: their clients see an error.
    m.metrics.txn_errors += unacknowledged;
    m.checker
        .reset_points(m.writer.log.vcl(), m.writer.log.vdl());
    k.emit(Event::VolumeRecovered {
        vdl,
        truncated_upto: end,
        epoch,
    });
    crate::storage::repair::evaluate_quorums(k, m);
    vdl
}
