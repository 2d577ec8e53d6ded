//! Write forwarding's read consistency: what a session on a secondary Region sees after it
//! forwards a write. Aurora MySQL sets it with `aurora_replica_read_consistency`, and
//! forwarding works only once it is set. UG: Read consistency for write forwarding

/// How reads after a forwarded write wait for the secondary to catch up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ReadConsistency {
    /// No wait: a read right after the write may not see it yet, until replication brings
    /// it back from the primary.
    Eventual,
    /// A session's reads wait until the secondary holds the session's own writes.
    #[default]
    Session,
    /// A read waits until the secondary holds everything the primary had committed when the
    /// read began, every session's writes included.
    Global,
}

impl ReadConsistency {
    /// The setting's value, as `aurora_replica_read_consistency` spells it.
    pub fn name(self) -> &'static str {
        match self {
            ReadConsistency::Eventual => "EVENTUAL",
            ReadConsistency::Session => "SESSION",
            ReadConsistency::Global => "GLOBAL",
        }
    }

    /// Parses `eventual`, `session` or `global`, in any case.
    pub fn parse(s: &str) -> Option<ReadConsistency> {
        [
            ReadConsistency::Eventual,
            ReadConsistency::Session,
            ReadConsistency::Global,
        ]
        .into_iter()
        .find(|c| c.name().eq_ignore_ascii_case(s))
    }
}
