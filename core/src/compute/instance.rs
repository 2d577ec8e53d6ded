//! DB instances: the writer and up to 15 read replicas sharing one volume (reference §4.1).

use crate::engine::Kernel;
use crate::event::Event;
use crate::ids::NodeId;
use crate::lsn::Lsn;
pub use crate::role::{Role, MAX_REPLICAS, MAX_TIER};
use crate::settings::capacity::{Capacity, V1_RESUME_TIME, V2_RESUME_TIME};
use crate::time::{SimDuration, SimTime};

/// Tier given to replicas that auto scaling adds. UG: Using Amazon Aurora Auto Scaling
pub const AUTOSCALED_TIER: u8 = 15;
/// Time to create a new DB instance. [sim default — not sourced; AWS gives no figure, new
/// replicas typically take minutes]
pub const INSTANCE_CREATE_TIME: SimDuration = SimDuration::from_mins(5);
/// CPU time a DB instance spends per read request and per write transaction.
/// [sim default — not sourced]
pub const CPU_MICROS_PER_READ: u64 = 400;
pub const CPU_MICROS_PER_WRITE: u64 = 400;
/// Share of an instance's memory used as buffer cache. [sim default — not sourced; P17 §6.1's
/// r3.8xlarge had a 170 GB cache in 244 GB]
pub const CACHE_SHARE_PCT: u64 = 70;

/// CPU busy time counted by whole simulated second: the second being counted and the one
/// before it. Charged as work is taken, read at any moment without a timer, so measuring adds
/// no event to the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CpuSeconds {
    /// The second (since the start) `this_us` counts.
    pub second: u64,
    /// Busy µs of all vCPUs together (µs of work divided by the vCPUs) in `second`.
    pub this_us: u64,
    /// The same for the second before `second`.
    pub last_us: u64,
}

impl CpuSeconds {
    /// Counts `busy` µs of the instance's whole CPU at `now`.
    pub fn charge(&mut self, now: SimTime, busy: u64) {
        let second = now.as_micros() / 1_000_000;
        if second != self.second {
            self.last_us = if second == self.second + 1 {
                self.this_us
            } else {
                0
            };
            self.this_us = 0;
            self.second = second;
        }
        self.this_us += busy;
    }

    /// Percent busy over the whole second before `now`'s, capped at 100 (a queue longer than a
    /// second still reads 100 %).
    pub fn last_second_pct(&self, now: SimTime) -> u32 {
        let second = now.as_micros() / 1_000_000;
        let us = if second == self.second {
            self.last_us
        } else if second == self.second + 1 {
            self.this_us
        } else {
            0
        };
        (us * 100 / 1_000_000).min(100) as u32
    }
}

/// An instance class: vCPUs and memory decide throughput and cache size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InstanceClass {
    pub name: &'static str,
    pub vcpu: u32,
    pub memory_gib: u32,
}

/// Classes offered in the playground. The r3.8xlarge is the paper's benchmark machine
/// (P17 §6.1); the r6g sizes are current memory-optimised classes.
pub const CLASSES: [InstanceClass; 5] = [
    InstanceClass {
        name: "db.r6g.large",
        vcpu: 2,
        memory_gib: 16,
    },
    InstanceClass {
        name: "db.r6g.xlarge",
        vcpu: 4,
        memory_gib: 32,
    },
    InstanceClass {
        name: "db.r6g.2xlarge",
        vcpu: 8,
        memory_gib: 64,
    },
    InstanceClass {
        name: "db.r6g.4xlarge",
        vcpu: 16,
        memory_gib: 128,
    },
    InstanceClass {
        name: "db.r3.8xlarge",
        vcpu: 32,
        memory_gib: 244,
    },
];

impl InstanceClass {
    pub fn by_name(name: &str) -> Option<InstanceClass> {
        CLASSES.iter().copied().find(|c| c.name == name)
    }
    /// Buffer cache in bytes.
    pub fn cache_bytes(&self) -> u64 {
        ((self.memory_gib as u64) << 30) * CACHE_SHARE_PCT / 100
    }
}

/// Classes travel by name.
#[cfg(feature = "serde")]
impl serde::Serialize for InstanceClass {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name)
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for InstanceClass {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = alloc::string::String::deserialize(d)?;
        InstanceClass::by_name(&name)
            .ok_or_else(|| serde::de::Error::custom("unknown instance class"))
    }
}

impl Default for InstanceClass {
    fn default() -> Self {
        CLASSES[1]
    }
}

/// One DB instance.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Instance {
    pub node: NodeId,
    pub class: InstanceClass,
    pub tier: u8,
    pub role: Role,
    /// Added by replica auto scaling (which only ever removes its own).
    pub autoscaled: bool,
    /// The VDL this instance reads at: the writer's VDL, or what a replica has applied.
    pub read_point: Lsn,
    /// When `read_point` was the writer's VDL: lag is measured from there.
    pub read_point_since: SimTime,
    /// Replica lag at the last apply.
    pub lag: SimDuration,
    pub lag_lsn: u64,
    /// Redo records applied to cached pages and discarded for uncached ones.
    pub applied_records: u64,
    pub discarded_records: u64,
    /// Requests served since the last auto scaling evaluation, and client connections.
    pub served: u64,
    pub connections: u32,
    /// CPU use in percent, from the last evaluation.
    pub cpu_pct: u32,
    /// When the replica finishes applying the stream received so far.
    pub apply_free_at: SimTime,
    /// Time its apply thread has spent receiving and applying the stream.
    pub apply_busy: SimDuration,
    /// When it started serving.
    pub serving_since: SimTime,
    /// Provisioned, or Serverless v2 / v1, and the serverless state.
    pub capacity: Capacity,
    pub serverless: crate::settings::capacity::ServerlessState,
    /// Its CPU is a queue: busy until then with the requests taken so far.
    pub busy_until: SimTime,
    /// CPU busy time by whole simulated second, for the CPU use the page and lessons show.
    pub cpu: CpuSeconds,
}

impl Instance {
    pub fn new(node: NodeId, class: InstanceClass, tier: u8, role: Role) -> Self {
        Instance {
            node,
            class,
            tier: tier.min(MAX_TIER),
            role,
            autoscaled: false,
            read_point: Lsn::ZERO,
            read_point_since: SimTime::ZERO,
            lag: SimDuration::ZERO,
            lag_lsn: 0,
            applied_records: 0,
            discarded_records: 0,
            served: 0,
            connections: 0,
            cpu_pct: 0,
            apply_free_at: SimTime::ZERO,
            apply_busy: SimDuration::ZERO,
            serving_since: SimTime::ZERO,
            capacity: Capacity::Provisioned,
            serverless: crate::settings::capacity::ServerlessState::default(),
            busy_until: SimTime::ZERO,
            cpu: CpuSeconds::default(),
        }
    }

    /// CPU use in percent over the last whole simulated second before `now`: what a monitor
    /// would show now. (`cpu_pct` is auto scaling's average over its evaluation period.)
    pub fn cpu_pct_at(&self, now: SimTime) -> u32 {
        self.cpu.last_second_pct(now)
    }

    pub fn is_replica(&self) -> bool {
        self.role == Role::Replica
    }

    /// Share of page reads its buffer cache serves, given the hot data size, in ppm.
    pub fn cache_hit_ppm(&self, hot_bytes: u64) -> u32 {
        if hot_bytes == 0 {
            return crate::rng::PPM;
        }
        let cache = self.memory_bytes() * CACHE_SHARE_PCT / 100;
        let ratio = cache as u128 * crate::rng::PPM as u128 / hot_bytes as u128;
        // Even a cache larger than the hot set misses now and then (cold pages, scans).
        (ratio as u32).min(990_000)
    }
}

/// Charges CPU for a request and returns when the instance can start it (its CPU is a queue),
/// or `None`, charging nothing, if the queue is already longer than `limit`.
pub(crate) fn charge(
    i: &mut Instance,
    now: SimTime,
    cpu_us: u64,
    limit: SimDuration,
) -> Option<SimTime> {
    let start = i.busy_until.max(now);
    if start > now + limit {
        return None;
    }
    i.serverless.cpu_us += cpu_us;
    i.serverless.last_active = now;
    let busy = cpu_us * 1000 / i.milli_vcpu().max(1);
    i.busy_until = start + SimDuration::from_micros(busy);
    i.cpu.charge(now, busy);
    Some(start)
}

/// A request reached a paused instance: start resuming.
pub(crate) fn wake(k: &mut Kernel, i: &mut Instance) {
    if !i.serverless.paused {
        return;
    }
    i.serverless.paused = false;
    let (time, half) = match i.capacity {
        Capacity::V2 { min_half, .. } => (V2_RESUME_TIME, min_half.max(1)),
        // v1 resumes at the capacity it had before pausing. UG: How Aurora Serverless works
        // (2023)
        Capacity::V1 {
            min_acu, max_acu, ..
        } => (
            V1_RESUME_TIME,
            i.serverless.v1_before_pause.clamp(min_acu * 2, max_acu * 2),
        ),
        Capacity::Provisioned => return,
    };
    i.serverless.half = half;
    i.serverless.resuming_until = Some(k.now + time);
    i.serverless.last_active = k.now;
    i.serverless.woke_at = Some(k.now);
    k.emit(Event::Resuming {
        node: i.node,
        ready_in: time,
        half,
    });
}
