//! Log sequence numbers and the consistency points Aurora derives from them (reference §2.1).
//!
//! The single writer allocates LSNs, one per redo record, volume-wide and monotonic (P18 §2.1).
//! Records are sharded to protection groups, so each PG sees a sparse subsequence of LSNs,
//! linked by the segment back-link. The writer never waits for consensus: it only counts
//! acknowledgements and moves these points forward:
//!
//! * **PGCL** per PG: the point up to which a write quorum of the PG's segments is complete
//!   (their SCLs, from the acknowledgements).
//! * **VCL**: the highest LSN below which *every* record of the volume has met quorum in its own
//!   PG. It is `min over PGs of (first record not yet hardened) − 1`, **not** `min(PGCL)`:
//!   with PG 1 complete to 103 and PG 2 complete to 104, VCL is 104 when 104 belongs to PG 2
//!   (P18 §2.3, Fig. 3).
//! * **VDL**: the highest consistency point (the last record of a mini-transaction) ≤ VCL. Only
//!   VDL is exposed: commits, reads and replicas use it (P17 §4.1).
//!
//! [`VolumeLog`] holds, per PG, the runs of records not yet known hardened, and the consistency
//! points above VDL. The writer advances it from acknowledgements; crash recovery rebuilds the
//! same points from a read quorum of segments (the runs stand for the back-links the segments
//! keep, which is how recovery finds holes in the volume chain).

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::fmt;

/// A log sequence number. LSN 0 means "nothing yet".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Lsn(pub u64);

impl Lsn {
    pub const ZERO: Lsn = Lsn(0);
    pub const fn next(self) -> Lsn {
        Lsn(self.0 + 1)
    }
    pub const fn prev(self) -> Lsn {
        Lsn(self.0.saturating_sub(1))
    }
}

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// LSN Allocation Limit: no LSN may be allocated above VDL + LAL. It throttles a writer that runs
/// ahead of storage and bounds the range crash recovery must truncate. P17 §4.2.1, §4.3
pub const LAL: u64 = 10_000_000;

/// The chain of one protection group's records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
struct PgChain {
    /// Every record of this PG at or below this LSN is hardened (the PGCL).
    complete: Lsn,
    /// The PG's highest record known hardened: a copy at or past it is complete to `complete`
    /// (the PG has no records in between).
    hardened_last: Lsn,
    /// The PG's latest record: the segment back-link of the next one.
    last: Lsn,
    /// Runs of this PG's records above `complete`, ascending and disjoint, inclusive.
    runs: VecDeque<(Lsn, Lsn)>,
}

impl PgChain {
    fn first_unhardened(&self) -> Option<Lsn> {
        self.runs.front().map(|r| r.0)
    }

    /// Drops the runs at or below `point`, remembering the highest record dropped.
    fn harden_to(&mut self, point: Lsn) {
        while let Some(run) = self.runs.front_mut() {
            if run.1 <= point {
                self.hardened_last = self.hardened_last.max(run.1);
                self.runs.pop_front();
            } else {
                if run.0 <= point {
                    self.hardened_last = self.hardened_last.max(point);
                    run.0 = point.next();
                }
                break;
            }
        }
    }

    /// How far a copy complete to `p` lets the volume be complete: a PG copy behind its highest
    /// hardened record bounds it there (data is missing); otherwise the PG's next record
    /// not yet hardened does.
    fn bound(&self, p: Lsn) -> Lsn {
        if p < self.hardened_last {
            return p;
        }
        let effective = p.max(self.complete);
        self.runs
            .iter()
            .find(|r| r.1 > effective)
            .map_or(Lsn(u64::MAX), |r| r.0.max(effective.next()).prev())
    }
}

/// What moved when the points were recomputed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    pub vcl: Option<Lsn>,
    pub vdl: Option<Lsn>,
}

/// Why an allocation was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocError {
    /// The writer is LAL ahead of VDL and must wait for storage.
    LalReached { vdl: Lsn, wanted: Lsn },
}

impl fmt::Display for AllocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllocError::LalReached { vdl, wanted } => write!(
                f,
                "LSN {wanted} would pass VDL {vdl} + LAL ({LAL}): the writer waits for storage"
            ),
        }
    }
}

/// The volume's LSN bookkeeping.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct VolumeLog {
    pgs: Vec<PgChain>,
    /// The next LSN to allocate.
    next: Lsn,
    /// Consistency points above VDL, ascending.
    cpls: VecDeque<Lsn>,
    vcl: Lsn,
    vdl: Lsn,
    /// The PG whose first unhardened record bounds VCL, if any: a cache, so most PGCL moves do
    /// not rescan every PG.
    bounding_pg: Option<u32>,
}

impl VolumeLog {
    pub fn new(pgs: usize) -> Self {
        let mut log = VolumeLog {
            next: Lsn(1),
            ..VolumeLog::default()
        };
        log.add_pgs(pgs);
        log
    }

    /// A volume whose every record up to `lsn` is already durable: a secondary region's copy
    /// promoted to primary.
    pub fn starting_at(pgs: usize, lsn: Lsn) -> Self {
        let mut log = VolumeLog {
            next: lsn.next(),
            vcl: lsn,
            vdl: lsn,
            ..VolumeLog::default()
        };
        log.add_pgs(pgs);
        log
    }

    /// Adds protection groups as the volume grows.
    pub fn add_pgs(&mut self, n: usize) {
        let start = self.vdl;
        self.pgs.extend((0..n).map(|_| PgChain {
            complete: start,
            hardened_last: Lsn::ZERO,
            last: start,
            runs: VecDeque::new(),
        }));
    }

    pub fn pg_count(&self) -> usize {
        self.pgs.len()
    }
    pub fn vcl(&self) -> Lsn {
        self.vcl
    }
    pub fn vdl(&self) -> Lsn {
        self.vdl
    }
    /// The highest LSN allocated so far.
    pub fn max_allocated(&self) -> Lsn {
        self.next.prev()
    }
    pub fn pgcl(&self, pg: u32) -> Lsn {
        self.pgs.get(pg as usize).map_or(Lsn::ZERO, |c| c.complete)
    }
    /// The segment back-link for the PG's next record: its latest record so far.
    pub fn pg_last(&self, pg: u32) -> Lsn {
        self.pgs.get(pg as usize).map_or(Lsn::ZERO, |c| c.last)
    }
    /// The point from which a copy of the PG is complete to `vdl`: its highest record at or
    /// below `vdl` (recovery's truncation uses it: a copy there has nothing more to get).
    pub fn complete_from(&self, pg: u32, vdl: Lsn) -> Lsn {
        self.pgs
            .get(pg as usize)
            .map_or(vdl, |c| c.hardened_last.min(vdl))
    }

    /// The PG's first record not yet hardened, if any.
    pub fn first_unhardened(&self, pg: u32) -> Option<Lsn> {
        self.pgs
            .get(pg as usize)
            .and_then(PgChain::first_unhardened)
    }
    /// How far the writer may allocate before LAL stops it.
    pub fn allocation_limit(&self) -> Lsn {
        Lsn(self.vdl.0 + LAL)
    }

    /// Allocates `n` consecutive LSNs for records of one PG; the caller marks the last record of
    /// each mini-transaction with [`VolumeLog::mark_cpl`].
    pub fn allocate(&mut self, pg: u32, n: u32) -> Result<(Lsn, Lsn), AllocError> {
        let first = self.next;
        let last = Lsn(first.0 + n.max(1) as u64 - 1);
        if last > self.allocation_limit() {
            return Err(AllocError::LalReached {
                vdl: self.vdl,
                wanted: last,
            });
        }
        let chain = &mut self.pgs[pg as usize];
        match chain.runs.back_mut() {
            Some(run) if run.1.next() == first => run.1 = last,
            _ => chain.runs.push_back((first, last)),
        }
        chain.last = last;
        self.next = last.next();
        Ok((first, last))
    }

    /// Marks `lsn` as a consistency point: the last record of a mini-transaction.
    pub fn mark_cpl(&mut self, lsn: Lsn) {
        self.cpls.push_back(lsn);
    }

    /// Records that the PG is complete to `point` (PGCL). Returns true if PGCL moved.
    pub fn advance_pg(&mut self, pg: u32, point: Lsn) -> bool {
        let chain = &mut self.pgs[pg as usize];
        if point <= chain.complete {
            return false;
        }
        chain.complete = point;
        chain.harden_to(point);
        if self.bounding_pg == Some(pg) {
            self.bounding_pg = None;
        }
        true
    }

    /// Recomputes VCL and VDL after PGCLs moved.
    pub fn recompute(&mut self) -> Moved {
        let vcl = match self.bounding_pg {
            // The PG that bounded VCL did not move, so VCL did not either.
            Some(pg) => self.pgs[pg as usize]
                .first_unhardened()
                .map_or(self.max_allocated(), Lsn::prev),
            None => {
                let bound = self
                    .pgs
                    .iter()
                    .enumerate()
                    .filter_map(|(i, c)| c.first_unhardened().map(|f| (f, i as u32)))
                    .min();
                self.bounding_pg = bound.map(|(_, i)| i);
                bound.map_or(self.max_allocated(), |(f, _)| f.prev())
            }
        };
        let mut moved = Moved::default();
        if vcl > self.vcl {
            self.vcl = vcl;
            moved.vcl = Some(vcl);
        }
        let mut vdl = self.vdl;
        while let Some(&cpl) = self.cpls.front() {
            if cpl > self.vcl {
                break;
            }
            vdl = cpl;
            self.cpls.pop_front();
        }
        if vdl > self.vdl {
            self.vdl = vdl;
            moved.vdl = Some(vdl);
        }
        moved
    }

    /// The VDL a recovery would reach if each PG were complete to `points` (the highest point a
    /// surviving copy holds), without changing anything. A PG whose copies fell behind its PGCL
    /// has lost data, and bounds the result at what survives.
    pub fn vdl_given(&self, points: &[Lsn]) -> Lsn {
        let mut vcl = self.max_allocated();
        for (chain, &p) in self.pgs.iter().zip(points) {
            vcl = vcl.min(chain.bound(p));
        }
        if vcl >= self.vdl {
            self.cpls
                .iter()
                .take_while(|&&c| c <= vcl)
                .last()
                .copied()
                .unwrap_or(self.vdl)
        } else {
            vcl
        }
    }

    /// Crash recovery (P17 §4.3): given each PG's complete point as read from a read quorum of
    /// its segments, recompute VCL and VDL from scratch, annul every record above VDL, and start
    /// new LSNs above the truncation range `(VDL, VDL + LAL]`. Returns the recovered VDL and the
    /// end of the truncation range.
    ///
    /// Afterwards every LSN up to the end of the range is either durable or annulled, so the
    /// volume is complete and durable to the range's end: that is where VCL and VDL continue
    /// (otherwise LAL would forbid the very next allocation).
    pub fn recover(&mut self, pg_points: &[Lsn]) -> (Lsn, Lsn) {
        for (chain, &p) in self.pgs.iter_mut().zip(pg_points) {
            chain.harden_to(p);
        }
        let vcl = self
            .pgs
            .iter()
            .filter_map(PgChain::first_unhardened)
            .min()
            .map_or(self.max_allocated(), Lsn::prev);
        let mut vdl = self.vdl.min(vcl);
        while let Some(&cpl) = self.cpls.front() {
            if cpl > vcl {
                break;
            }
            vdl = cpl;
            self.cpls.pop_front();
        }
        let end = Lsn(vdl.0 + LAL).max(self.max_allocated());
        for chain in &mut self.pgs {
            chain.runs.clear();
            chain.complete = end;
            chain.last = end;
            chain.hardened_last = chain.hardened_last.min(vdl);
        }
        self.cpls.clear();
        self.vcl = end;
        self.vdl = end;
        self.next = end.next();
        self.bounding_pg = None;
        (vdl, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Allocates single records, alternating PGs as in P18 Fig. 3 (PG 0 odd, PG 1 even), each
    /// its own mini-transaction.
    fn fig3_log() -> VolumeLog {
        let mut log = VolumeLog::new(2);
        // Start at LSN 100 so the numbers read like the paper's.
        log.next = Lsn(100);
        for lsn in 100..=106u64 {
            let pg = if lsn % 2 == 1 { 0 } else { 1 };
            let (f, l) = log.allocate(pg, 1).unwrap();
            assert_eq!((f, l), (Lsn(lsn), Lsn(lsn)));
            log.mark_cpl(l);
        }
        log
    }

    #[test]
    fn vcl_is_not_min_pgcl_p18_figure_3() {
        let mut log = fig3_log();
        // PG 0: 101 and 103 at quorum, 105 only on 3 of 6. PG 1: 100, 102, 104 at quorum.
        assert!(log.advance_pg(0, Lsn(103)));
        assert!(log.advance_pg(1, Lsn(104)));
        let moved = log.recompute();
        assert_eq!(log.pgcl(0), Lsn(103));
        assert_eq!(log.pgcl(1), Lsn(104));
        assert_eq!(log.vcl(), Lsn(104), "VCL is 104, not min(103, 104)");
        assert_eq!(moved.vcl, Some(Lsn(104)));
        assert_eq!(log.vdl(), Lsn(104));
    }

    #[test]
    fn vdl_is_the_highest_cpl_at_or_below_vcl_p17_4_1() {
        // P17 §4.1: complete to 1007, CPLs at 900, 1000, 1100 → VCL 1007, VDL 1000.
        let mut log = VolumeLog::new(1);
        log.next = Lsn(801);
        for cpl in [900u64, 1000, 1100] {
            let n = (cpl - log.next.0 + 1) as u32;
            let (_, last) = log.allocate(0, n).unwrap();
            log.mark_cpl(last);
        }
        log.advance_pg(0, Lsn(1007));
        log.recompute();
        assert_eq!(log.vcl(), Lsn(1007));
        assert_eq!(log.vdl(), Lsn(1000));
        // Recovery truncates above VDL 1000 and starts new LSNs past the truncation range.
        let (vdl, end) = log.recover(&[Lsn(1007)]);
        assert_eq!(vdl, Lsn(1000));
        assert_eq!(end, Lsn(1000 + LAL));
        assert_eq!(log.vdl(), end, "the annulled range counts as settled");
        assert_eq!(log.allocate(0, 1).unwrap().0, Lsn(1001 + LAL));
        assert_eq!(log.pg_last(0), Lsn(1001 + LAL));
    }

    #[test]
    fn a_hole_in_one_pg_holds_back_vcl_for_all() {
        let mut log = fig3_log();
        // PG 1 is complete to 106 but PG 0 has nothing hardened: VCL stops before 101.
        log.advance_pg(1, Lsn(106));
        log.recompute();
        assert_eq!(log.vcl(), Lsn(100));
        log.advance_pg(0, Lsn(105));
        let moved = log.recompute();
        assert_eq!(moved.vcl, Some(Lsn(106)));
        assert_eq!(moved.vdl, Some(Lsn(106)));
    }

    #[test]
    fn points_never_move_backwards() {
        let mut log = fig3_log();
        log.advance_pg(0, Lsn(105));
        log.advance_pg(1, Lsn(106));
        log.recompute();
        assert!(!log.advance_pg(0, Lsn(101)), "a stale ack is ignored");
        assert_eq!(log.recompute(), Moved::default());
        assert_eq!(log.vdl(), Lsn(106));
    }

    #[test]
    fn lal_throttles_allocation() {
        let mut log = VolumeLog::new(1);
        assert!(log.allocate(0, LAL as u32).is_ok());
        let err = log.allocate(0, 1).unwrap_err();
        assert_eq!(
            err,
            AllocError::LalReached {
                vdl: Lsn(0),
                wanted: Lsn(LAL + 1)
            }
        );
        log.mark_cpl(Lsn(LAL));
        log.advance_pg(0, Lsn(LAL));
        log.recompute();
        assert!(
            log.allocate(0, 1).is_ok(),
            "once VDL moves, allocation resumes"
        );
    }

    #[test]
    fn recovery_from_a_read_quorum_keeps_only_whole_mini_transactions() {
        let mut log = fig3_log();
        // The writer had seen 101..104 harden; a read quorum shows PG 0 to 105, PG 1 to 102.
        let (vdl, _) = log.recover(&[Lsn(105), Lsn(102)]);
        assert_eq!(vdl, Lsn(103), "104 (PG 1) is missing, so VCL = VDL = 103");
        assert_eq!(
            log.pg_last(0),
            Lsn(103 + LAL),
            "the next record links past the range"
        );
    }
}
