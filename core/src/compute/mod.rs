//! The compute layer: DB instances that run transactions against the shared volume.
//!
//! * [`writer`]: the single writer: LSN allocation, mini-transactions, boxcarred redo batches
//!   per PG, acknowledgements, the consistency points and the commit queue (reference §2).

pub mod instance;
pub(crate) mod lifecycle;
pub mod read;
pub mod recovery;
pub mod replica;
pub mod writer;

use crate::time::SimTime;
use alloc::vec::Vec;
use instance::Instance;
use read::Reads;
use recovery::Recovery;
use writer::Writer;

/// The compute layer's state: the writer, every DB instance, the reads in flight, a recovery
/// in progress and the long transactions held open.
#[derive(Clone, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Compute {
    pub writer: Writer,
    /// Every DB instance; the writer's is the one whose node is `writer.node`.
    pub instances: Vec<Instance>,
    pub reads: Reads,
    pub recovery: Option<Recovery>,
    /// End times of long-running transactions held open on the writer.
    pub long_txns: Vec<SimTime>,
}

impl Compute {
    /// A cluster of one writer instance.
    pub fn new(writer: Writer, instance: Instance) -> Compute {
        Compute {
            writer,
            instances: alloc::vec![instance],
            reads: Reads::default(),
            recovery: None,
            long_txns: Vec::new(),
        }
    }
}
