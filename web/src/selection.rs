//! What a person has selected in the diagram: the one value both the inspector's state and the
//! choices offered for it read, so neither depends on the other.

use aurora_core::ids::{NodeId, PgId, SegmentId};

/// What the inspector shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection {
    Node(NodeId),
    Segment(SegmentId),
    Az(u8),
    Pg(PgId),
    /// A page of the shop's data (a row), by its number across the tables.
    Page(u32),
}
