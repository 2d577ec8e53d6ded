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
