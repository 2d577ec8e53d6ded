//! The five kinds of write mirrored MySQL makes (P17 §3.1, Figure 2), and their counts.

use core::fmt;

/// A kind of write. Aurora sends only the first's equivalent, redo, and to storage, not to a
/// volume (P17 §3.2; reference §1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum WriteType {
    /// InnoDB's redo log, written and flushed at each commit group.
    Log,
    /// The binary log, flushed at each commit group too, and archived to S3 for point-in-time
    /// restore.
    Binlog,
    /// A dirty data page written in place by the page cleaner.
    Data,
    /// The double-write copy of a batch of pages, written before the pages themselves so a torn
    /// page write can be repaired.
    DoubleWrite,
    /// A table definition file, written on DDL.
    Frm,
}

impl WriteType {
    pub const ALL: [WriteType; 5] = [
        WriteType::Log,
        WriteType::Binlog,
        WriteType::Data,
        WriteType::DoubleWrite,
        WriteType::Frm,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn label(self) -> &'static str {
        match self {
            WriteType::Log => "redo log",
            WriteType::Binlog => "binlog",
            WriteType::Data => "data pages",
            WriteType::DoubleWrite => "double-write",
            WriteType::Frm => "FRM files",
        }
    }
}

impl fmt::Display for WriteType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Writes counted by type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IoCounts {
    /// Writes the primary issued to its EBS volume (step 1): what P17 Table 1 counts "at the
    /// database node", leaving out EBS's own mirroring and the standby's writes.
    pub at_db: [u64; 5],
    /// Every write on the way, steps 1 to 5: the primary's EBS, its mirror, the copy to the
    /// standby, the standby's EBS and its mirror.
    pub all_steps: [u64; 5],
    /// Bytes put on the network by the chains, acknowledgements included; not the clients'
    /// requests and answers (the Aurora side's write-path bytes leave them out too).
    pub network_bytes: u64,
}

impl IoCounts {
    pub fn at_db(&self, t: WriteType) -> u64 {
        self.at_db[t.index()]
    }
    pub fn total_at_db(&self) -> u64 {
        self.at_db.iter().sum()
    }
    pub fn total_all_steps(&self) -> u64 {
        self.all_steps.iter().sum()
    }
    /// I/Os per committed transaction of one type (0 with no commits).
    pub fn per_txn(&self, t: WriteType, txns: u64) -> f64 {
        ratio(self.at_db(t), txns)
    }
    pub fn total_per_txn(&self, txns: u64) -> f64 {
        ratio(self.total_at_db(), txns)
    }
}

pub(crate) fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}
