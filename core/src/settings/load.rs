//! The load on the cluster: the background workload's rates and the clients' requests.

use crate::ids::EndpointId;
use crate::time::SimDuration;

/// The most transactions or reads per second a workload may ask for.
pub const MAX_RATE: u32 = 10_000_000;

/// Workload rates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WorkloadConfig {
    /// Write transactions per second.
    pub txn_per_sec: u32,
    /// Mini-transactions in each write transaction (1–16).
    pub mtrs_per_txn: u8,
    /// Page reads per second on the writer.
    pub reads_per_sec: u32,
    /// Bytes the data grows by per second (inserts).
    pub growth_bytes_per_sec: u64,
}

impl Default for WorkloadConfig {
    fn default() -> Self {
        WorkloadConfig {
            txn_per_sec: 0,
            mtrs_per_txn: 2,
            reads_per_sec: 0,
            growth_bytes_per_sec: 0,
        }
    }
}

impl WorkloadConfig {
    pub fn validate(&self) -> Result<(), &'static str> {
        if !(1..=16).contains(&self.mtrs_per_txn) {
            return Err("a transaction has 1 to 16 mini-transactions");
        }
        if self.txn_per_sec > MAX_RATE || self.reads_per_sec > MAX_RATE {
            return Err("rates are limited to 10 million per second");
        }
        Ok(())
    }

    pub(crate) fn active(&self) -> bool {
        self.txn_per_sec > 0 || self.reads_per_sec > 0 || self.growth_bytes_per_sec > 0
    }
}

/// Most clients a workload may have.
pub const MAX_CLIENTS: u8 = 32;

/// How the request rate changes over time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Pattern {
    Steady,
    /// From the base rate to `to_per_sec`, linearly over `over`, then flat.
    Ramp {
        to_per_sec: u32,
        over: SimDuration,
    },
    /// `factor` times the base rate for `length` out of every `every`.
    Burst {
        every: SimDuration,
        length: SimDuration,
        factor: u32,
    },
}

/// The client workload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ClientWorkload {
    pub clients: u8,
    /// Requests per second across all clients.
    pub requests_per_sec: u32,
    /// Share of requests that are reads, in ppm.
    pub read_ppm: u32,
    pub mtrs_per_txn: u8,
    pub pattern: Pattern,
    /// The endpoint reads use.
    pub read_endpoint: EndpointId,
    /// Bytes of hot data: with the instance's cache size, sets its buffer-cache hit ratio.
    pub hot_bytes: u64,
}

impl Default for ClientWorkload {
    fn default() -> Self {
        ClientWorkload {
            clients: 0,
            requests_per_sec: 0,
            read_ppm: 900_000,
            mtrs_per_txn: 2,
            pattern: Pattern::Steady,
            read_endpoint: EndpointId::Reader,
            hot_bytes: 64 << 30,
        }
    }
}

impl ClientWorkload {
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.clients > MAX_CLIENTS {
            return Err("at most 32 clients");
        }
        if self.read_ppm > 1_000_000 {
            return Err("the read share is at most 100%");
        }
        if !(1..=16).contains(&self.mtrs_per_txn) {
            return Err("a transaction has 1 to 16 mini-transactions");
        }
        if self.requests_per_sec > MAX_RATE {
            return Err("rates are limited to 10 million per second");
        }
        if let Pattern::Burst { every, length, .. } = self.pattern {
            if every == SimDuration::ZERO || length > every {
                return Err("a burst must be shorter than its period");
            }
        }
        Ok(())
    }

    /// The rate at `elapsed` since the workload started.
    pub fn rate_at(&self, elapsed: SimDuration) -> u64 {
        let base = self.requests_per_sec as u64;
        match self.pattern {
            Pattern::Steady => base,
            Pattern::Ramp { to_per_sec, over } => {
                let to = to_per_sec as u64;
                let t = elapsed.as_micros().min(over.as_micros());
                let span = over.as_micros().max(1);
                if to >= base {
                    base + (to - base) * t / span
                } else {
                    base - (base - to) * t / span
                }
            }
            Pattern::Burst {
                every,
                length,
                factor,
            } => {
                if elapsed.as_micros() % every.as_micros().max(1) < length.as_micros() {
                    base * factor as u64
                } else {
                    base
                }
            }
        }
    }
}
