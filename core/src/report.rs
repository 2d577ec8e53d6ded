//! What a run reports: named figures, each a number or a sentence. A value type of its own, so
//! the scenarios that compute figures (`lag_sweep`, `backup_scenarios`, `baseline::compare`)
//! and the catalogue that lists them (`scenario`) both depend on it, and not on each other.

use alloc::string::String;

/// A measured figure in a scenario's report.
#[derive(Clone, Debug, PartialEq)]
pub enum Figure {
    Int(i64),
    Float(f64),
    Text(String),
}
