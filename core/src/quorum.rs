//! Quorum sets: Aurora's 4-of-6 writes and 3-of-6 reads, and the transition quorums that let a
//! protection group change membership without ever blocking I/O.
//!
//! A protection group's members sit in up to [`MAX_SLOTS`] slots. A quorum set is a list of
//! *groups*, each naming six slots. Following P18 §4.1:
//!
//! * a **write** quorum needs 4 of 6 in **every** group (the AND of the groups);
//! * a **read** quorum needs 3 of 6 in **any** group (the OR of the groups).
//!
//! In steady state there is one group. Replacing a suspect member F by G doubles the groups
//! (`ABCDEF AND ABCDEG`), a second replacement mid-change doubles them again, and finishing or
//! reverting a change drops the groups that still name the member that left. Because every write
//! made during the change satisfied both the old and the new group, either outcome is safe.
//!
//! Sets are bitmasks over slots, so checking a quorum is a handful of `popcount`s and never
//! allocates; the writer checks one on every acknowledgement.

use core::fmt;

/// Copies of every protection group. P17 §2.1
pub const VOTES: u32 = 6;
/// Acknowledgements a write needs: 4 of 6, so any two write sets overlap (4 > 6/2). P17 §2.1
pub const WRITE_QUORUM: u32 = 4;
/// Copies a read needs: 3 of 6, so every read set meets every write set (3 + 4 > 6). P17 §2.1
pub const READ_QUORUM: u32 = 3;
// Gifford's rules, checked when the crate compiles (P17 §2.1): every read set meets every
// write set, and every write set meets the previous one.
const _: () = assert!(READ_QUORUM + WRITE_QUORUM > VOTES);
const _: () = assert!(2 * WRITE_QUORUM > VOTES);

/// Member slots in a protection group: six plus room for two replacements in flight at once
/// (P18 §4.1 shows a second failure during a membership change).
pub const MAX_SLOTS: usize = 8;
/// At most two overlapping replacements, so at most four groups.
const MAX_GROUPS: usize = 4;

/// A set of member slots, one bit each.
pub type SlotMask = u8;

/// The outcome of counting votes, in the shape of raft-rs's `VoteResult`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Verdict {
    /// The quorum is met.
    Won,
    /// Not met yet, but still reachable with the members not known to have failed.
    Pending,
    /// Cannot be met: too many members have failed.
    Lost,
}

/// Which kind of quorum to evaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Write,
    Read,
}

/// The active quorum expression of one protection group.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QuorumSet {
    groups: [SlotMask; MAX_GROUPS],
    len: u8,
}

/// Why a membership change could not be started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuorumError {
    /// Two replacements are already in flight in this group.
    TooManyChanges,
    /// The slot to replace is not a member of every group, or the new slot is already in use.
    BadSlot,
}

impl fmt::Display for QuorumError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuorumError::TooManyChanges => {
                write!(f, "two membership changes are already in progress")
            }
            QuorumError::BadSlot => write!(f, "that member cannot be replaced by that slot"),
        }
    }
}

impl core::error::Error for QuorumError {}

impl QuorumSet {
    /// The steady-state set over six slots.
    pub const fn simple(members: SlotMask) -> Self {
        QuorumSet {
            groups: [members, 0, 0, 0],
            len: 1,
        }
    }

    pub fn groups(&self) -> &[SlotMask] {
        &self.groups[..self.len as usize]
    }

    /// Every slot named by any group: the members that must receive every write.
    pub fn members(&self) -> SlotMask {
        self.groups().iter().fold(0, |acc, g| acc | g)
    }

    /// True while a membership change is in flight.
    pub fn in_transition(&self) -> bool {
        self.len > 1
    }

    /// Is `have` a quorum of the given kind?
    pub fn satisfied(&self, kind: Kind, have: SlotMask) -> bool {
        let met = |g: &SlotMask| (g & have).count_ones() >= need(kind, *g);
        match kind {
            Kind::Write => self.groups().iter().all(met),
            Kind::Read => self.groups().iter().any(met),
        }
    }

    /// Counts votes: `yes` have acknowledged, `failed` are known unable to.
    pub fn verdict(&self, kind: Kind, yes: SlotMask, failed: SlotMask) -> Verdict {
        if self.satisfied(kind, yes) {
            Verdict::Won
        } else if self.satisfied(kind, self.members() & !failed) {
            Verdict::Pending
        } else {
            Verdict::Lost
        }
    }

    /// Starts replacing the member in slot `old` by the member in slot `new` (P18 §4.1 step 1):
    /// every group is kept and joined by a copy of itself with `old` swapped for `new`.
    pub fn begin_replace(&self, old: u8, new: u8) -> Result<QuorumSet, QuorumError> {
        let (o, n) = (1u8 << old, 1u8 << new);
        if self.len as usize * 2 > MAX_GROUPS {
            return Err(QuorumError::TooManyChanges);
        }
        if self.members() & n != 0 || self.groups().iter().any(|g| g & o == 0) {
            return Err(QuorumError::BadSlot);
        }
        let mut next = *self;
        for i in 0..self.len as usize {
            next.groups[self.len as usize + i] = (self.groups[i] & !o) | n;
        }
        next.len *= 2;
        Ok(next)
    }

    /// The degraded-AZ set (P18 §2.4, §4.1): the steady set without the slots in `gone`, whose
    /// smaller group needs 3 of 4 to write and 2 of 4 to read. Refused while a change is in
    /// flight or if fewer than four members would be left.
    pub fn degrade(&self, gone: SlotMask) -> Option<QuorumSet> {
        let left = self.groups[0] & !gone;
        (!self.in_transition() && left.count_ones() == DEGRADED_MEMBERS)
            .then(|| QuorumSet::simple(left))
    }

    /// Starts the way back from a degraded set to the full `full` set: writes need both (4/6
    /// of the full set AND 3/4 of the degraded one), reads either, so every write made while
    /// degraded stays visible to a read until the returned members have caught up.
    pub fn begin_restore(&self, full: SlotMask) -> Option<QuorumSet> {
        let degraded = self.groups[0];
        (!self.in_transition() && degraded & !full == 0 && degraded != full).then_some(QuorumSet {
            groups: [full, degraded, 0, 0],
            len: 2,
        })
    }

    /// Ends the way back: only the full set is left.
    pub fn finish_restore(&self) -> QuorumSet {
        QuorumSet::simple(self.members())
    }

    /// Ends a change by dropping every group that still names `leaving` (P18 §4.1 step 2):
    /// pass the failed member to move forward, or the replacement to revert.
    pub fn drop_member(&self, leaving: u8) -> QuorumSet {
        let l = 1u8 << leaving;
        let mut next = QuorumSet {
            groups: [0; MAX_GROUPS],
            len: 0,
        };
        for g in self.groups() {
            if g & l == 0 {
                next.groups[next.len as usize] = *g;
                next.len += 1;
            }
        }
        if next.len == 0 {
            // Dropping a member of the steady set is not a change; keep the set as it was.
            *self
        } else {
            next
        }
    }

    /// The highest point that a write quorum of members has reached, given each slot's
    /// complete point (e.g. each segment's SCL): the largest `x` among `points` such that the
    /// slots with `points[slot] >= x` (and in `eligible`) form a write quorum. Returns `None` when
    /// no point has a quorum.
    pub fn quorum_point(&self, points: &[u64; MAX_SLOTS], eligible: SlotMask) -> Option<u64> {
        // A point has a write quorum when every group has WRITE_QUORUM eligible members at or
        // above it, so the answer is the lowest, over the groups, of each group's
        // WRITE_QUORUM-th highest point.
        if self.len > 0 {
            let mut lowest = u64::MAX;
            for &g in self.groups() {
                let mask = g & eligible;
                let n = need(Kind::Write, g) as usize;
                if mask.count_ones() < n as u32 || n > WRITE_QUORUM as usize {
                    return None;
                }
                // The WRITE_QUORUM highest points of the group, highest first.
                let mut top = [0u64; WRITE_QUORUM as usize];
                for (slot, &p) in points.iter().enumerate() {
                    if mask & (1 << slot) == 0 || p <= top[n - 1] {
                        continue;
                    }
                    let mut i = n - 1;
                    while i > 0 && top[i - 1] < p {
                        top[i] = top[i - 1];
                        i -= 1;
                    }
                    top[i] = p;
                }
                lowest = lowest.min(top[n - 1]);
            }
            return Some(lowest);
        }
        let mut best: Option<u64> = None;
        for (slot, &p) in points.iter().enumerate() {
            if eligible & (1 << slot) == 0 || best.is_some_and(|b| p <= b) {
                continue;
            }
            let mut have: SlotMask = 0;
            for (s, &q) in points.iter().enumerate() {
                if eligible & (1 << s) != 0 && q >= p {
                    have |= 1 << s;
                }
            }
            if self.satisfied(Kind::Write, have) {
                best = Some(p);
            }
        }
        best
    }
}

/// Votes a quorum of `kind` needs in a group of `members` slots: a majority for writes (so two
/// write sets meet) and the rest plus one for reads (so a read set meets every write set).
/// Six members give the steady 4/6 and 3/6; the four left after an AZ is gone give 3/4 and
/// 2/4, the degraded-AZ quorum (P18 §2.4, §4.1).
const fn need_of(kind: Kind, members: u32) -> u32 {
    let write = members / 2 + 1;
    match kind {
        Kind::Write => write,
        Kind::Read => members + 1 - write,
    }
}
const _: () = assert!(need_of(Kind::Write, VOTES) == WRITE_QUORUM);
const _: () = assert!(need_of(Kind::Read, VOTES) == READ_QUORUM);

/// Members of a PG's degraded set: the four copies outside the lost AZ. P18 §2.4
pub const DEGRADED_MEMBERS: u32 = VOTES - 2;
/// The degraded set's write quorum, 3 of 4 (reference §5, §12). P18 §2.4, §4.1
pub const DEGRADED_WRITE_QUORUM: u32 = need_of(Kind::Write, DEGRADED_MEMBERS);
const _: () = assert!(DEGRADED_WRITE_QUORUM == 3);

fn need(kind: Kind, group: SlotMask) -> u32 {
    need_of(kind, group.count_ones())
}

/// Writes a set as the paper does: one letter per slot (A..H), groups joined by `AND`.
impl fmt::Debug for QuorumSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, g) in self.groups().iter().enumerate() {
            if i > 0 {
                f.write_str(" AND ")?;
            }
            for slot in 0..MAX_SLOTS {
                if g & (1 << slot) != 0 {
                    write!(f, "{}", (b'A' + slot as u8) as char)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    /// Parses "ABD" into a slot mask.
    fn m(s: &str) -> SlotMask {
        s.bytes().fold(0, |acc, c| acc | 1 << (c - b'A'))
    }

    const ABCDEF: SlotMask = 0b0011_1111;

    /// Golden table for the steady 6-copy set: acked, failed, write verdict, read verdict.
    #[test]
    fn steady_state_verdicts_table() {
        use Verdict::*;
        let table: &[(&str, &str, Verdict, Verdict)] = &[
            ("", "", Pending, Pending),
            ("AB", "", Pending, Pending),
            ("ABC", "", Pending, Won),
            ("ABCD", "", Won, Won),
            ("ABCDEF", "", Won, Won),
            // One AZ (2 copies) down: writes and reads still possible.
            ("", "AB", Pending, Pending),
            ("CDEF", "AB", Won, Won),
            // AZ+1 (3 copies) down: writes lost, reads survive.
            ("", "ABC", Lost, Pending),
            ("DEF", "ABC", Lost, Won),
            // Four copies down: nothing possible.
            ("", "ABCD", Lost, Lost),
            ("EF", "ABCD", Lost, Lost),
        ];
        let q = QuorumSet::simple(ABCDEF);
        for &(yes, failed, w, r) in table {
            assert_eq!(
                q.verdict(Kind::Write, m(yes), m(failed)),
                w,
                "write {yes}/{failed}"
            );
            assert_eq!(
                q.verdict(Kind::Read, m(yes), m(failed)),
                r,
                "read {yes}/{failed}"
            );
        }
    }

    #[test]
    fn replacing_f_with_g_needs_both_groups_to_write_either_to_read() {
        // P18 §4.1: epoch e+1 write = 4/6 ABCDEF AND 4/6 ABCDEG; read = 3/6 of either.
        let q = QuorumSet::simple(ABCDEF).begin_replace(5, 6).unwrap();
        assert_eq!(format!("{q:?}"), "ABCDEF AND ABCDEG");
        assert!(q.in_transition());
        // (have, write quorum?, read quorum?)
        let table: &[(&str, bool, bool)] = &[
            ("ABCD", true, true),   // 4 in both groups
            ("ABCEFG", true, true), // 5 in both groups
            ("ABCF", false, true),  // 4 of the old, only 3 of the new
            ("ABCG", false, true),  // 3 of the old, 4 of the new
            ("ABEF", false, true),
            ("ABFG", false, true), // 3 of each
            ("DEFG", false, true),
            ("ABG", false, true), // 3 of the new group is a read quorum
            ("AB", false, false),
            ("FG", false, false),
        ];
        for &(have, write, read) in table {
            assert_eq!(q.satisfied(Kind::Write, m(have)), write, "write {have}");
            assert_eq!(q.satisfied(Kind::Read, m(have)), read, "read {have}");
        }
    }

    #[test]
    fn second_failure_mid_change_is_satisfied_by_abcd_alone() {
        // P18 §4.1: E fails while F→G is in flight; replace E with H.
        let q = QuorumSet::simple(ABCDEF)
            .begin_replace(5, 6)
            .unwrap()
            .begin_replace(4, 7)
            .unwrap();
        assert_eq!(format!("{q:?}"), "ABCDEF AND ABCDEG AND ABCDFH AND ABCDGH");
        assert!(q.satisfied(Kind::Write, m("ABCD")));
        assert!(q.satisfied(Kind::Write, m("ABEFGH")), "4 in every group");
        assert!(!q.satisfied(Kind::Write, m("CDEFG")), "only 3 of ABCDFH");
        assert_eq!(
            q.begin_replace(3, 2),
            Err(QuorumError::TooManyChanges),
            "a third change must wait"
        );
    }

    #[test]
    fn finishing_or_reverting_a_change_drops_the_leaving_member() {
        let t = QuorumSet::simple(ABCDEF).begin_replace(5, 6).unwrap();
        assert_eq!(
            format!("{:?}", t.drop_member(5)),
            "ABCDEG",
            "F stayed dead: forward"
        );
        assert_eq!(
            format!("{:?}", t.drop_member(6)),
            "ABCDEF",
            "F came back: revert"
        );
        assert!(!t.drop_member(5).in_transition());
        let s = QuorumSet::simple(ABCDEF);
        assert_eq!(s.drop_member(0), s, "the steady set never empties");
    }

    #[test]
    fn bad_replacements_are_refused() {
        let s = QuorumSet::simple(ABCDEF);
        assert_eq!(
            s.begin_replace(6, 7),
            Err(QuorumError::BadSlot),
            "G is not a member"
        );
        assert_eq!(
            s.begin_replace(0, 1),
            Err(QuorumError::BadSlot),
            "B is in use"
        );
    }

    #[test]
    fn quorum_point_is_the_fourth_highest_point() {
        // SCLs of A..F: the PG is complete to the 4th highest.
        let q = QuorumSet::simple(ABCDEF);
        let pts = [105, 103, 105, 101, 103, 99, 0, 0];
        assert_eq!(q.quorum_point(&pts, ABCDEF), Some(103));
        // Without C and E eligible (their AZs down), only A, B, D, F: the lowest of them.
        assert_eq!(q.quorum_point(&pts, m("ABDF")), Some(99));
        assert_eq!(q.quorum_point(&pts, m("ABD")), None);
    }

    /// The degraded-AZ set: 3 of 4 writes, 2 of 4 reads, and the way back needs both sets.
    #[test]
    fn degraded_set_writes_on_three_of_four_and_returns_through_both() {
        let full = QuorumSet::simple(ABCDEF);
        let d = full.degrade(m("EF")).expect("steady set degrades");
        assert!(d.satisfied(Kind::Write, m("ABC")));
        assert!(!d.satisfied(Kind::Write, m("AB")));
        assert!(d.satisfied(Kind::Read, m("CD")));
        assert!(!d.satisfied(Kind::Read, m("D")));
        // Too few or too many left, or a change in flight: refused.
        assert!(full.degrade(m("F")).is_none());
        assert!(full.begin_replace(0, 6).unwrap().degrade(m("EF")).is_none());
        let back = d.begin_restore(ABCDEF).expect("way back");
        // A write needs 4/6 of all AND 3/4 of the survivors.
        assert!(!back.satisfied(Kind::Write, m("ABEF")));
        assert!(back.satisfied(Kind::Write, m("ABCE")));
        // A read needs either: 2 survivors are enough, as 3 returned ones are.
        assert!(back.satisfied(Kind::Read, m("AB")));
        assert!(!back.satisfied(Kind::Read, m("AE")));
        assert_eq!(back.finish_restore(), full);
        let mut points = [0u64; MAX_SLOTS];
        points[..4].copy_from_slice(&[10, 9, 8, 1]);
        assert_eq!(d.quorum_point(&points, 0xff), Some(8));
    }
}

/// The fast `quorum_point` (the lowest, over the groups, of each group's 4th-highest point)
/// checked against its definition: the largest point some write quorum has reached.
#[cfg(test)]
mod by_definition {
    use super::*;

    fn old(q: &QuorumSet, points: &[u64; MAX_SLOTS], eligible: SlotMask) -> Option<u64> {
        let mut best: Option<u64> = None;
        for (slot, &p) in points.iter().enumerate() {
            if eligible & (1 << slot) == 0 || best.is_some_and(|b| p <= b) {
                continue;
            }
            let mut have: SlotMask = 0;
            for (s, &q2) in points.iter().enumerate() {
                if eligible & (1 << s) != 0 && q2 >= p {
                    have |= 1 << s;
                }
            }
            if q.satisfied(Kind::Write, have) {
                best = Some(p);
            }
        }
        best
    }

    #[test]
    fn quorum_point_matches_its_definition_in_steady_and_transition_sets() {
        let mut rng = crate::rng::Rng::new(5);
        let base = QuorumSet::simple(0b11_1111);
        let sets = [
            base,
            base.begin_replace(2, 6).unwrap(),
            base.begin_replace(2, 6)
                .unwrap()
                .begin_replace(4, 7)
                .unwrap(),
            base.drop_member(1),
        ];
        for _ in 0..200_000 {
            let q = &sets[rng.below(sets.len() as u64) as usize];
            let points: [u64; MAX_SLOTS] = core::array::from_fn(|_| rng.below(6));
            let eligible = rng.below(256) as u8;
            assert_eq!(
                q.quorum_point(&points, eligible),
                old(q, &points, eligible),
                "{q:?} {points:?} {eligible:b}"
            );
            assert_eq!(
                q.quorum_point(&points, q.members()),
                old(q, &points, q.members())
            );
        }
    }
}
