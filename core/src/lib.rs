//! Aurora Playground's simulation core.
#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

/// Availability Zones a cluster's storage spans. P17 §2.1
pub const AZ_COUNT: usize = 3;
/// Copies of each protection group kept in every AZ. P17 §2.1
pub const COPIES_PER_AZ: usize = 2;
