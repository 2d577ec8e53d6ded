//! The data a student can see: rows of two named tables, `products` and `orders`.
//!
//! Each acknowledged commit writes one row, and the row's new version *is* the commit's LSN:
//! storage is log-structured, so a version is named by the record that made it (P17 §3.3).
//! A row is one `u64` (the LSN of its newest version, with a bit for "deleted"), so the live
//! table is a few kilobytes and a write costs a hash and a store: a million commits stay
//! within P2's second. Reads at a point in the past go to [`super::s3::Images`], the
//! consistent images taken once a second.

pub use crate::event::backup::{Table, ORDERS_ROWS, PRODUCTS_ROWS, ROWS};
use alloc::rc::Rc;
use alloc::vec::Vec;

/// Marks a row whose newest version is a delete.
const DELETED: u64 = 1 << 63;

/// One row's newest version: the LSN that wrote it, and whether that write deleted it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Version(pub u64);

impl Version {
    /// The LSN of the write; 0 for a row loaded before the run began.
    pub fn lsn(self) -> u64 {
        self.0 & !DELETED
    }
    pub fn deleted(self) -> bool {
        self.0 & DELETED != 0
    }
}

/// Which row a commit writes: a hash of its LSN, so the choice draws nothing from the run's
/// random source and the trace is unchanged by the data.
pub fn row_of(lsn: u64) -> usize {
    let mut z = lsn.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((z ^ (z >> 31)) % ROWS as u64) as usize
}

/// A digest of a set of rows: equal digests mean the same versions.
pub fn digest(rows: &[u64]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for &r in rows {
        h ^= r;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A database's rows: the live copy one cluster reads and writes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Rows {
    rows: Vec<u64>,
    /// Changed since the last image was taken.
    pub(crate) dirty: bool,
    /// Data writes applied (deletes count one per row).
    pub writes: u64,
}

impl Default for Rows {
    fn default() -> Self {
        Rows {
            rows: alloc::vec![0; ROWS],
            dirty: true,
            writes: 0,
        }
    }
}

impl Rows {
    pub fn from_image(image: &[u64]) -> Rows {
        Rows {
            rows: image.to_vec(),
            dirty: true,
            writes: 0,
        }
    }

    pub fn as_slice(&self) -> &[u64] {
        &self.rows
    }

    pub fn get(&self, row: usize) -> Version {
        Version(self.rows.get(row).copied().unwrap_or(0))
    }

    /// An UPDATE of one row at `lsn`. A deleted row stays deleted: the update finds nothing.
    /// Returns whether a version was written.
    #[inline]
    pub fn write(&mut self, row: usize, lsn: u64) -> bool {
        let Some(r) = self.rows.get_mut(row) else {
            return false;
        };
        if *r & DELETED != 0 {
            return false;
        }
        *r = lsn;
        self.dirty = true;
        self.writes += 1;
        true
    }

    /// `DELETE FROM table` at `lsn`: every live row gets a deleted version.
    pub fn delete(&mut self, table: Table, lsn: u64) -> u32 {
        let mut n = 0;
        for r in &mut self.rows[table.rows()] {
            if *r & DELETED == 0 {
                *r = lsn | DELETED;
                n += 1;
            }
        }
        self.dirty = true;
        self.writes += n as u64;
        n
    }

    /// Live rows of a table.
    pub fn live(&self, table: Table) -> u32 {
        self.rows[table.rows()]
            .iter()
            .filter(|&&r| r & DELETED == 0)
            .count() as u32
    }

    pub fn digest(&self) -> u64 {
        digest(&self.rows)
    }

    /// A frozen copy for the image store, shared by every checkpoint of the run.
    pub fn freeze(&self) -> Rc<[u64]> {
        Rc::from(self.rows.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_makes_a_version_at_its_lsn_and_a_delete_hides_the_row() {
        let mut rows = Rows::default();
        let r = Table::Orders.rows().start + 3;
        assert!(rows.write(r, 42));
        assert_eq!(rows.get(r).lsn(), 42);
        assert_eq!(rows.delete(Table::Orders, 50), ORDERS_ROWS);
        assert!(rows.get(r).deleted());
        assert_eq!(rows.get(r).lsn(), 50);
        assert!(!rows.write(r, 60), "an update finds no deleted row");
        assert_eq!(rows.live(Table::Orders), 0);
        assert_eq!(rows.live(Table::Products), PRODUCTS_ROWS);
    }

    #[test]
    fn rows_spread_over_both_tables() {
        let mut seen = [0u32; 2];
        for lsn in 1..10_000 {
            seen[Table::of_row(row_of(lsn)) as usize] += 1;
        }
        assert!(seen[0] > 1_500 && seen[1] > 6_000, "{seen:?}");
    }
}
