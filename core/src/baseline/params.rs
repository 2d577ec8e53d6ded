//! The figures mirrored MySQL on EBS is built from, each named once with its source.
//!
//! The reference (P17 §3.1, Figure 2) gives the write types and the five steps, not the
//! latencies, sizes or thread counts; those below come from MySQL's and SysBench's own defaults
//! where they have one, and are marked `[sim default — not sourced]` where they do not.

use crate::time::SimDuration;

/// How long one EBS volume (or its AZ-local mirror) takes to persist a write once it has it.
/// [sim default — not sourced; AWS describes Provisioned IOPS volumes as single-digit
/// millisecond latency, of which this is the device's share, the network hops being modelled
/// apart]
pub const EBS_PERSIST_TIME: SimDuration = SimDuration::from_micros(500);

/// The largest write EBS counts as one I/O: a double-write batch of 16 KiB pages is one I/O per
/// 256 KiB. [sim default — not sourced; the EBS documentation's I/O size for SSD volumes]
pub const EBS_MAX_IO_BYTES: u32 = 256 << 10;

/// An InnoDB page. Same size as the Aurora model's pages (MySQL's default `innodb_page_size`).
pub const PAGE_BYTES: u32 = crate::storage::segment::PAGE_BYTES;

/// Threads writing dirty pages: MySQL 5.6/5.7's default `innodb_write_io_threads`. Each has one
/// write outstanding at a time, because a synchronously mirrored volume completes a write only
/// when steps 1, 3 and 5 are all done (P17 §3.1). [sim default — not sourced; MySQL's default]
pub const WRITE_IO_THREADS: usize = 4;

/// Pages one double-write batch covers before its pages are written in place: one EBS I/O's
/// worth (256 KiB / 16 KiB). [sim default — not sourced]
pub const DOUBLEWRITE_BATCH_PAGES: u32 = EBS_MAX_IO_BYTES / PAGE_BYTES;

/// Distinct pages one SysBench write-only transaction dirties. Its four statements are an
/// update of an indexed column, an update of a non-indexed column, and a delete and re-insert
/// of one row, each on a random row of a 100 GB table: three clustered-index leaf pages, plus
/// the secondary index on `k` — one page for the indexed update (k → k+1 stays on its page) and
/// two for the delete/insert (the old and the new random k). Undo pages are shared by many
/// transactions and left out. [sim default — not sourced; SysBench oltp_write_only's defaults]
pub const PAGES_PER_TXN: u32 = 6;

/// Statements in one SysBench write-only transaction, each an Aurora mini-transaction in the
/// Aurora model. [sim default — not sourced; SysBench oltp_write_only's defaults]
pub const STATEMENTS_PER_TXN: u8 = 4;

/// Redo bytes one transaction writes (as the Aurora model's: 3 records of 200 bytes per
/// statement).
pub const REDO_BYTES_PER_TXN: u32 = crate::compute::writer::RECORD_BYTES
    * crate::compute::writer::RECORDS_PER_MTR
    * STATEMENTS_PER_TXN as u32;

/// Binlog bytes of one row-based transaction event group. [sim default — not sourced]
pub const BINLOG_BYTES_PER_TXN: u32 = 1_200;

/// An FRM file (table definition), written on DDL only. [sim default — not sourced]
pub const FRM_BYTES: u32 = 8 << 10;

/// Dirty pages waiting for the page cleaner before commits must wait for it: the redo log can
/// only be reused once the pages it covers are written (a checkpoint). MySQL 5.6/5.7's default
/// log (2 files of 48 MiB) over [`REDO_BYTES_PER_TXN`] holds about 40,000 transactions, so
/// 240,000 pages. The model starts with the backlog full, as the paper's 30-minute run is in the
/// steady state where the page cleaner is what frees log space. [sim default — not sourced]
pub const DIRTY_PAGE_LIMIT: u64 = (96 << 20) / REDO_BYTES_PER_TXN as u64 * PAGES_PER_TXN as u64;

/// RDS Multi-AZ (one standby) failover, from detection of the failure to transactions resuming
/// on the standby: "typically 60–120 seconds". The model uses the lower bound.
/// UG:Failing over a Multi-AZ DB instance for Amazon RDS (RDS User Guide,
/// Concepts.MultiAZ.Failover). The reference (§4.3, §10) does not carry this figure.
pub const RDS_MULTI_AZ_FAILOVER: SimDuration = SimDuration::from_secs(60);
/// The upper end of the same User Guide sentence, for the page's caption.
pub const RDS_MULTI_AZ_FAILOVER_MAX: SimDuration = SimDuration::from_secs(120);

/// P17 §3.2 Table 1, mirrored MySQL: transactions in 30 minutes of SysBench write-only.
pub const TABLE1_MYSQL_TXNS: u64 = 780_000;
/// P17 §3.2 Table 1, mirrored MySQL: I/Os per transaction at the database node.
pub const TABLE1_MYSQL_IOS_PER_TXN: f64 = 7.4;
/// P17 §3.2 Table 1, Aurora with replicas: transactions in the same 30 minutes.
pub const TABLE1_AURORA_TXNS: u64 = 27_378_000;
/// P17 §3.2 Table 1, Aurora with replicas: I/Os per transaction at the database node.
pub const TABLE1_AURORA_IOS_PER_TXN: f64 = 0.95;
/// P17 §3.2 Table 1's run length.
pub const TABLE1_RUN: SimDuration = SimDuration::from_mins(30);
/// The AWS marketing claim, kept as a claim: "up to 5× the throughput of MySQL". BLOG-POC
pub const AWS_CLAIM_VS_MYSQL: f64 = 5.0;
/// The same claim for PostgreSQL: "up to 3×". BLOG-POC
pub const AWS_CLAIM_VS_POSTGRESQL: f64 = 3.0;
