//! The invariant checker: named properties (reference §11) checked as the simulation runs.
//!
//! Some are checked where they could break, on every run (a PGCL believed above what the
//! segments hold, a read sent to a segment behind its read point). The rest are checked after
//! every event when full checking is on, as tests and fault campaigns run it.

use crate::engine::Kernel;
use crate::event::{Event, Invariant};
use crate::lsn::{Lsn, LAL};
use crate::time::SimTime;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Checker {
    /// Check the ordering properties after every event.
    pub full: bool,
    pub violations: u64,
    /// The first violation: which, when, and the LSN or value involved.
    pub first: Option<(Invariant, SimTime, u64)>,
    last_vcl: Lsn,
    last_vdl: Lsn,
}

impl Checker {
    pub(crate) fn violation(&mut self, k: &mut Kernel, invariant: Invariant, detail: u64) {
        self.violations += 1;
        if self.first.is_none() {
            self.first = Some((invariant, k.now, detail));
        }
        k.emit(Event::InvariantViolated { invariant, detail });
    }

    /// After every event: VDL ≤ VCL ≤ highest LSN, both monotonic, nothing above VDL + LAL.
    pub(crate) fn check_points(&mut self, k: &mut Kernel, vcl: Lsn, vdl: Lsn, max: Lsn) {
        if vdl > vcl || vcl > max {
            self.violation(k, Invariant::PointsOrdered, vdl.0);
        }
        if vcl < self.last_vcl || vdl < self.last_vdl {
            self.violation(k, Invariant::PointsMonotonic, vcl.0);
        }
        if max.0 > vdl.0 + LAL {
            self.violation(k, Invariant::LalRespected, max.0);
        }
        self.last_vcl = vcl;
        self.last_vdl = vdl;
    }

    /// Crash recovery legitimately moves the points: start watching afresh.
    pub(crate) fn reset_points(&mut self, vcl: Lsn, vdl: Lsn) {
        self.last_vcl = vcl;
        self.last_vdl = vdl;
    }
}
