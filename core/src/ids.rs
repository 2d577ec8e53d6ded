//! Identifiers of the things in a simulated cluster.
//!
//! Plain integers wrapped in types, so a segment can never be passed where a node is expected.
//! Each indexes a `Vec` in the simulation state, which keeps lookups O(1) and clones cheap.

use core::fmt;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident($inner:ty), $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
        pub struct $name(pub $inner);

        impl $name {
            pub const fn index(self) -> usize {
                self.0 as usize
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

id!(
    /// Any addressable participant: a storage node, a DB instance, the object store, a client.
    NodeId(u16),
    "node "
);
id!(
    /// A protection group: a 10 GB slice of the volume, kept as 6 segments.
    PgId(u32),
    "PG "
);
id!(
    /// One segment: one copy of one protection group, on one storage node.
    SegmentId(u32),
    "segment "
);
id!(
    /// A message on the wire, unique within a run, so the UI can follow it from send to arrival.
    MsgId(u64),
    "message "
);
id!(
    /// A client transaction.
    TxnId(u64),
    "txn "
);

/// An Availability Zone within a region: 0 = a, 1 = b, 2 = c.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AzId(pub u8);

impl AzId {
    pub const fn index(self) -> usize {
        self.0 as usize
    }
    /// The AZ's letter as AWS writes it: `a`, `b`, `c`.
    pub fn letter(self) -> char {
        (b'a' + self.0) as char
    }
}

impl fmt::Display for AzId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AZ {}", self.letter())
    }
}

/// A region. Region 0 is the primary; Global Database adds others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RegionId(pub u8);

/// The regions' AWS-style names, by [`RegionId`]: the primary first, then the secondaries
/// Global Database adds in order.
pub const REGION_NAMES: [&str; 11] = [
    "us-east-1",
    "eu-west-1",
    "ap-southeast-2",
    "us-west-2",
    "eu-central-1",
    "ap-northeast-1",
    "sa-east-1",
    "ca-central-1",
    "ap-south-1",
    "eu-north-1",
    "af-south-1",
];

impl RegionId {
    /// The region's AWS-style name (`us-east-1` for the primary).
    pub fn name(self) -> &'static str {
        REGION_NAMES
            .get(self.0 as usize)
            .copied()
            .unwrap_or("region")
    }
}

/// Which endpoint a client connects through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum EndpointId {
    /// Always the current writer; the only one for writes.
    Cluster,
    /// A random available replica per connection; the writer when there are none.
    Reader,
    /// A named subset of instances.
    Custom(u8),
    /// One specific instance.
    Instance(NodeId),
}

impl fmt::Display for EndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointId::Cluster => write!(f, "cluster endpoint"),
            EndpointId::Reader => write!(f, "reader endpoint"),
            EndpointId::Custom(i) => write!(f, "custom endpoint {i}"),
            EndpointId::Instance(n) => write!(f, "instance endpoint of {n}"),
        }
    }
}

/// A page read in flight: its slot in the instance's table of reads, and the serial number the
/// read was given when it started. Slots are reused, serials are not (until they wrap after
/// four billion reads), so a late answer or hedge timer of a finished read never touches the
/// read that took its slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReadId {
    pub slot: u32,
    pub serial: u32,
}
