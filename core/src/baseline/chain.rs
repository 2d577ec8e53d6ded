//! The mirrored write: P17 §3.1 Figure 2's steps 1–5, each one waiting for the one before.
//!
//! 1. the primary writes to its EBS volume;
//! 2. EBS writes its AZ-local mirror and, once the mirror has it, acknowledges;
//! 3. the primary's block device mirrors the write to the standby in the other AZ;
//! 4. the standby writes its EBS volume;
//! 5. which writes its own mirror.
//!
//! Steps 1, 3 and 5 are sequential and synchronous: the write completes when the
//! acknowledgement of the last comes back. Every hop is a message on the same network model as Aurora's.

use super::io::WriteType;
use crate::ids::NodeId;

/// Bytes of an acknowledgement on the wire. [sim default — not sourced]
pub const ACK_BYTES: u32 = 64;

/// Who takes part in a mirrored write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Site {
    pub instance: NodeId,
    pub ebs: NodeId,
    pub mirror: NodeId,
}

/// One hop of a chain: a message, and whether its receiver persists a copy (a counted write)
/// before the chain moves on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hop {
    pub from: NodeId,
    pub to: NodeId,
    /// Figure 2's step number for a write (1–5), 0 for an acknowledgement.
    pub step: u8,
}

/// The hops of one write, in order: with a standby, steps 1–5 and their acknowledgements (ten
/// hops); without one (after a failover), steps 1–2 and theirs (four).
pub fn hops(primary: Site, standby: Option<Site>) -> alloc::vec::Vec<Hop> {
    let h = |from, to, step| Hop { from, to, step };
    let mut v = alloc::vec![
        h(primary.instance, primary.ebs, 1),
        h(primary.ebs, primary.mirror, 2),
        h(primary.mirror, primary.ebs, 0),
        h(primary.ebs, primary.instance, 0),
    ];
    if let Some(s) = standby {
        v.extend([
            h(primary.instance, s.instance, 3),
            h(s.instance, s.ebs, 4),
            h(s.ebs, s.mirror, 5),
            h(s.mirror, s.ebs, 0),
            h(s.ebs, s.instance, 0),
            h(s.instance, primary.instance, 0),
        ]);
    }
    v
}

/// Who is waiting for a chain to finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Owner {
    LogGroup,
    BinlogGroup,
    /// A page-cleaner thread, by index.
    Cleaner(u8),
    Ddl,
}

/// A write on its way through the chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Chain {
    pub kind: WriteType,
    pub bytes: u32,
    pub owner: Owner,
    /// The hop now on the wire.
    pub hop: u8,
    /// The primary's incarnation when the chain started: a chain of a crashed primary is void.
    pub epoch: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(base: u16) -> Site {
        Site {
            instance: NodeId(base),
            ebs: NodeId(base + 1),
            mirror: NodeId(base + 2),
        }
    }

    #[test]
    fn five_steps_in_order_each_after_the_last() {
        let v = hops(site(0), Some(site(3)));
        let steps: alloc::vec::Vec<u8> = v.iter().map(|h| h.step).filter(|&s| s > 0).collect();
        assert_eq!(steps, [1, 2, 3, 4, 5]);
        assert_eq!(v.len(), 10);
        // Each hop starts where the one before ended, except step 3, which the primary sends
        // once its own volume has acknowledged: sequential, not in parallel.
        for w in v.windows(2) {
            assert_eq!(w[0].to, w[1].from, "{w:?}");
        }
        assert_eq!(
            v.last().map(|h| h.to),
            Some(NodeId(0)),
            "ends at the primary"
        );
    }

    #[test]
    fn without_a_standby_only_the_primary_volume_and_its_mirror() {
        let v = hops(site(0), None);
        assert_eq!(v.len(), 4);
        assert!(v.iter().all(|h| h.step <= 2));
    }
}
