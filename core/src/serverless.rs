//! Capacity: provisioned instances have a fixed class; Aurora Serverless scales an instance's
//! capacity in Aurora Capacity Units (reference §6).
//!
//! * **v2** (per instance): re-measured every second; moves in 0.5 ACU steps within [min, max];
//!   grows faster the larger it already is; shrinks gradually; scales mid-transaction (no
//!   scaling point); with min 0 it pauses after an idle period and resumes on the next
//!   connection.
//! * **v1** (one capacity per cluster, retired in 2025): doubling capacity points; a change needs
//!   a *scaling point* (no long-running transaction) and times out after 300 s; scale-down
//!   cooldowns of 15 min after scaling up and 310 s after scaling down; pauses after 5 min idle;
//!   cold starts take half a minute.
//!
//! Capacity sets what an instance can do: its CPU (throughput ceiling) and its memory (buffer
//! cache). A cost meter integrates ACU-hours and instance-hours at example prices.

use crate::client::Clients;
use crate::compute::instance::{Instance, Role};
use crate::compute::Compute;
use crate::engine::{Due, Kernel};
use crate::event::Event;
use crate::ids::NodeId;
use crate::metrics::Metrics;
pub use crate::settings::capacity::{
    Capacity, ServerlessState, TimeoutAction, AUTO_PAUSE_MAX, AUTO_PAUSE_MIN, V1_POINTS,
    V1_RESUME_TIME, V2_MAX_ACU, V2_RESUME_TIME,
};
use crate::time::{SimDuration, SimTime};
use alloc::vec::Vec;

/// Memory per ACU: "1 ACU ≈ 2 GiB". UG: How Aurora Serverless v2 works
pub const GIB_PER_ACU: u64 = 2;
/// CPU per ACU, in thousandths of a vCPU: 0.25 vCPU, in proportion to memory as in the r6g
/// classes (2 vCPU per 16 GiB). [derived]
pub const MILLI_VCPU_PER_ACU: u64 = 250;
/// v2 capacity is re-measured every second. UG: How Aurora Serverless v2 works (2023)
pub const V2_INTERVAL: SimDuration = SimDuration::from_secs(1);
/// Utilisation v2 aims for when sizing capacity. [sim default — not sourced]
pub const V2_TARGET_UTIL_PCT: u64 = 60;
/// v2 grows by up to half its current capacity per second, and shrinks by a twentieth: larger
/// capacity, larger steps; down gradually. [sim default — not sourced; UG describes the shape]
pub const V2_GROWTH_DIVISOR: u16 = 2;
pub const V2_SHRINK_DIVISOR: u16 = 20;
/// Connections one ACU carries before capacity grows for connections alone.
/// [sim default — not sourced]
pub const CONNECTIONS_PER_ACU: u32 = 100;
/// Serverless v2 readers in promotion tiers 0 to this one follow the writer's capacity.
/// UG: How Aurora Serverless v2 works
pub const FOLLOWING_TIERS_UP_TO: u8 = 1;
/// Whether instance `i` scales and pauses with the writer: a Serverless v2 reader in tiers 0–1
/// of a cluster whose writer is Serverless v2 (`writer_v2`).
pub fn follows_writer(i: &Instance, writer_v2: bool) -> bool {
    writer_v2
        && i.role == Role::Replica
        && i.tier <= FOLLOWING_TIERS_UP_TO
        && matches!(i.capacity, Capacity::V2 { .. })
}

/// v1 scales up above this CPU and down below that. [sim default — not sourced]
pub const V1_UP_PCT: u64 = 70;
pub const V1_DOWN_PCT: u64 = 30;
/// v1 cooldowns: 15 min after a scale-up and 310 s after a scale-down before scaling down.
/// UG: How Aurora Serverless works (2023)
pub const V1_COOLDOWN_AFTER_UP: SimDuration = SimDuration::from_mins(15);
pub const V1_COOLDOWN_AFTER_DOWN: SimDuration = SimDuration::from_secs(310);
/// v1 gives up (or forces) a change that found no scaling point within this time.
/// API: ModifyCurrentDBClusterCapacity (default 300 s)
pub const V1_SCALING_TIMEOUT: SimDuration = SimDuration::from_secs(300);
/// Swapping v1 compute from the warm pool. [sim default — not sourced]
pub const V1_SWAP_TIME: SimDuration = SimDuration::from_secs(5);
/// v1 pauses after 5 min with no connections. UG: How Aurora Serverless works (2023)
pub const V1_PAUSE_AFTER: SimDuration = SimDuration::from_mins(5);
/// Example price, in thousandths of a dollar, of an ACU-hour of v2, labelled as an example on
/// the page (prices vary by Region and change; the reference cites no price).
/// [sim default — example price, not sourced]
pub const EXAMPLE_ACU_HOUR_MILLIDOLLARS: u64 = 120;
/// Example price, in thousandths of a dollar, of a vCPU-hour of a provisioned r6g class, for
/// the same comparison. [sim default — example price, not sourced]
pub const EXAMPLE_VCPU_HOUR_MILLIDOLLARS: u64 = 130;

impl Instance {
    /// Thousandths of a vCPU the instance has now.
    pub fn milli_vcpu(&self) -> u64 {
        match self.capacity {
            Capacity::Provisioned => self.class.vcpu as u64 * 1000,
            _ => self.serverless.half as u64 * MILLI_VCPU_PER_ACU / 2,
        }
    }

    /// Memory in bytes the instance has now.
    pub fn memory_bytes(&self) -> u64 {
        match self.capacity {
            Capacity::Provisioned => (self.class.memory_gib as u64) << 30,
            _ => ((self.serverless.half as u64 * GIB_PER_ACU) << 30) / 2,
        }
    }

    /// Capacity in ACUs (×2), or 0 for provisioned.
    pub fn acu_half(&self) -> u16 {
        match self.capacity {
            Capacity::Provisioned => 0,
            _ => self.serverless.half,
        }
    }

    /// Can it serve right now (not paused or resuming, not swapping v1 compute)?
    pub fn serving(&self, now: SimTime) -> bool {
        !self.serverless.paused
            && self.serverless.resuming_until.is_none_or(|t| t <= now)
            && !self.serverless.v1_swapping
    }
}

/// Serverless state shared by every instance: the cost meter and whether the per-second
/// measurement is running.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Serverless {
    pub meter: Meter,
    pub ticking: bool,
}

impl Default for Serverless {
    fn default() -> Self {
        Serverless {
            meter: Meter::new(),
            ticking: false,
        }
    }
}

/// The cost meter.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Meter {
    /// Half-ACU microseconds and milli-vCPU microseconds used so far.
    pub half_acu_us: u128,
    pub milli_vcpu_us: u128,
    pub acu_hour_millidollars: u64,
    pub vcpu_hour_millidollars: u64,
    last: SimTime,
}

impl Meter {
    pub fn new() -> Self {
        Meter {
            acu_hour_millidollars: EXAMPLE_ACU_HOUR_MILLIDOLLARS,
            vcpu_hour_millidollars: EXAMPLE_VCPU_HOUR_MILLIDOLLARS,
            ..Meter::default()
        }
    }
    pub fn acu_hours(&self) -> f64 {
        self.half_acu_us as f64 / 2.0 / 3.6e9
    }
    pub fn vcpu_hours(&self) -> f64 {
        self.milli_vcpu_us as f64 / 1000.0 / 3.6e9
    }
    /// Dollars at the example prices.
    pub fn dollars(&self) -> f64 {
        (self.acu_hours() * self.acu_hour_millidollars as f64
            + self.vcpu_hours() * self.vcpu_hour_millidollars as f64)
            / 1000.0
    }
}

/// Integrates every instance's capacity from the meter's last reading up to `now`.
pub(crate) fn accrue(
    meter: &mut Meter,
    instances: &[Instance],
    topo: &crate::topology::Topology,
    now: SimTime,
) {
    let dt = (now - meter.last).as_micros() as u128;
    meter.last = now;
    for i in instances {
        if matches!(i.role, Role::Creating { .. }) || !topo.is_up(i.node) {
            continue;
        }
        match i.capacity {
            Capacity::Provisioned => meter.milli_vcpu_us += i.milli_vcpu() as u128 * dt,
            _ => meter.half_acu_us += i.serverless.half as u128 * dt,
        }
    }
}

/// Bills every instance's capacity up to now.
pub(crate) fn meter(k: &Kernel, sv: &mut Serverless, instances: &[Instance]) {
    accrue(&mut sv.meter, instances, &k.topo, k.now);
}

/// Sets an instance's capacity mode, starting at its minimum (v2) or minimum point (v1).
#[allow(clippy::too_many_arguments)]
pub(crate) fn set(
    k: &mut Kernel,
    sv: &mut Serverless,
    c: &mut Compute,
    metrics: &mut Metrics,
    node: NodeId,
    cap: Capacity,
) {
    meter(k, sv, &c.instances);
    let now = k.now;
    let Some(i) = c.instances.iter_mut().find(|i| i.node == node) else {
        return;
    };
    i.capacity = cap;
    i.serverless = ServerlessState {
        last_active: now,
        ..ServerlessState::default()
    };
    i.serverless.half = match cap {
        Capacity::Provisioned => 0,
        Capacity::V2 { min_half, .. } => min_half.max(1),
        Capacity::V1 { min_acu, .. } => min_acu * 2,
    };
    let half = i.serverless.half;
    k.emit(Event::CapacityChanged { node, half });
    metrics.note_capacity(now, node, half);
    if !sv.ticking && cap != Capacity::Provisioned {
        sv.ticking = true;
        k.schedule_in(V2_INTERVAL, Due::ServerlessTick);
    }
}

/// Pauses instance `i`: no capacity (and no bill) until a connection wakes it.
fn pause_now(k: &mut Kernel, i: &mut Instance, changes: &mut Vec<(NodeId, u16)>) {
    i.serverless.paused = true;
    i.serverless.half = 0;
    k.emit(Event::Paused { node: i.node });
    changes.push((i.node, 0));
}

/// Once a second: measure and scale every serverless instance (a connection is a client
/// whose cached DNS answer points at it).
pub(crate) fn on_tick(
    k: &mut Kernel,
    sv: &mut Serverless,
    c: &mut Compute,
    clients: &Clients,
    metrics: &mut Metrics,
) {
    meter(k, sv, &c.instances);
    let any = c
        .instances
        .iter()
        .any(|i| i.capacity != Capacity::Provisioned);
    if !any {
        sv.ticking = false;
        return;
    }
    k.schedule_in(V2_INTERVAL, Due::ServerlessTick);
    let long_txn = c.long_txns.iter().any(|&end| end > k.now);
    let mut changes: Vec<(NodeId, u16)> = Vec::new();
    let now = k.now;
    // A Serverless v2 writer's capacity and whether it is paused, as the second began: the
    // readers in promotion tiers 0–1 follow it.
    let writer = c
        .instances
        .iter()
        .find(|i| i.node == c.writer.node && matches!(i.capacity, Capacity::V2 { .. }))
        .map(|w| (w.serverless.half, w.serverless.paused));
    for idx in 0..c.instances.len() {
        let connections = crate::client::connections_to(clients, c.instances[idx].node, now);
        let i = &mut c.instances[idx];
        if let Some(t) = i.serverless.resuming_until {
            if t <= now {
                i.serverless.resuming_until = None;
                k.emit(Event::Resumed { node: i.node });
                metrics.note_capacity(now, i.node, i.serverless.half);
            }
        }
        let cpu = core::mem::take(&mut i.serverless.cpu_us);
        let before = i.serverless.half;
        match i.capacity {
            Capacity::Provisioned => continue,
            Capacity::V2 {
                min_half,
                max_half,
                pause_after,
            } => {
                // Readers in tiers 0–1 scale and pause with the writer, so a failover finds
                // one sized for the writer's load; tiers 2–15 scale on their own.
                // UG: How Aurora Serverless v2 works
                let follows = writer.filter(|_| follows_writer(i, true));
                if let Some((_, writer_paused)) = follows {
                    if writer_paused
                        && !i.serverless.paused
                        && i.serverless.resuming_until.is_none()
                    {
                        pause_now(k, i, &mut changes);
                        continue;
                    }
                    if !writer_paused && i.serverless.paused {
                        crate::compute::instance::wake(k, i);
                        continue;
                    }
                }
                if i.serverless.paused || i.serverless.resuming_until.is_some() {
                    continue;
                }
                let idle = cpu == 0 && connections == 0;
                if let (true, Some(after), None) = (idle, pause_after, follows) {
                    if now - i.serverless.last_active >= after {
                        pause_now(k, i, &mut changes);
                        continue;
                    }
                }
                // Capacity that would run the last second's CPU at the target utilisation,
                // and carry the connections.
                let per_half_us = MILLI_VCPU_PER_ACU * 1000 / 2 * V2_TARGET_UTIL_PCT / 100;
                let for_cpu = cpu.div_ceil(per_half_us.max(1)) as u16;
                let for_conn = (connections * 2).div_ceil(CONNECTIONS_PER_ACU) as u16;
                let with_writer = follows.map_or(0, |(half, _)| half);
                let want = for_cpu
                    .max(for_conn)
                    .max(with_writer)
                    .clamp(min_half.max(1), max_half);
                let cur = i.serverless.half;
                let next = if want > cur {
                    cur + (want - cur).min((cur / V2_GROWTH_DIVISOR).max(1))
                } else if want < cur {
                    cur - (cur - want).min((cur / V2_SHRINK_DIVISOR).max(1))
                } else {
                    cur
                };
                i.serverless.half = next.clamp(min_half.max(1), max_half);
            }
            Capacity::V1 {
                min_acu,
                max_acu,
                pause,
                on_timeout,
            } => {
                if i.serverless.paused
                    || i.serverless.resuming_until.is_some()
                    || i.serverless.v1_swapping
                {
                    continue;
                }
                if pause
                    && connections == 0
                    && cpu == 0
                    && now - i.serverless.last_active >= V1_PAUSE_AFTER
                {
                    i.serverless.v1_before_pause = i.serverless.half;
                    i.serverless.v1_window.clear();
                    pause_now(k, i, &mut changes);
                    continue;
                }
                let acu = i.serverless.half / 2;
                let second = cpu * 100 / (acu as u64 * MILLI_VCPU_PER_ACU * 1000).max(1);
                i.serverless.v1_window.push(second);
                // Sustained load only: no decision until a full window at this capacity.
                let Some(util) = i.serverless.v1_window.average() else {
                    continue;
                };
                let pos = V1_POINTS.iter().position(|&p| p == acu).unwrap_or(0);
                let cooled = |t: Option<SimTime>, d: SimDuration| t.is_none_or(|t| now - t >= d);
                let wanted = if util > V1_UP_PCT && acu < max_acu {
                    V1_POINTS.get(pos + 1).copied()
                } else if util < V1_DOWN_PCT
                    && acu > min_acu
                    && cooled(i.serverless.v1_last_up, V1_COOLDOWN_AFTER_UP)
                    && cooled(i.serverless.v1_last_down, V1_COOLDOWN_AFTER_DOWN)
                {
                    pos.checked_sub(1).map(|p| V1_POINTS[p])
                } else {
                    None
                };
                match (wanted, i.serverless.v1_target) {
                    (Some(w), None) => i.serverless.v1_target = Some((w, now)),
                    (Some(w), Some((t, since))) if t != w => {
                        i.serverless.v1_target = Some((w, since))
                    }
                    (None, Some(_)) => i.serverless.v1_target = None,
                    _ => {}
                }
                let Some((target, since)) = i.serverless.v1_target else {
                    continue;
                };
                if long_txn {
                    // No scaling point: retry each second until the timeout.
                    if now - since < V1_SCALING_TIMEOUT {
                        k.emit(Event::ScalingPointWait {
                            node: i.node,
                            target_acu: target,
                        });
                        continue;
                    }
                    i.serverless.v1_target = None;
                    match on_timeout {
                        TimeoutAction::Rollback => {
                            k.emit(Event::ScalingTimedOut {
                                node: i.node,
                                forced: false,
                            });
                            continue;
                        }
                        TimeoutAction::Force => {
                            k.emit(Event::ScalingTimedOut {
                                node: i.node,
                                forced: true,
                            });
                            c.long_txns.clear();
                        }
                    }
                }
                i.serverless.v1_target = None;
                i.serverless.v1_swapping = true;
                if target > acu {
                    i.serverless.v1_last_up = Some(now + V1_SWAP_TIME);
                } else {
                    i.serverless.v1_last_down = Some(now + V1_SWAP_TIME);
                }
                k.schedule_in(
                    V1_SWAP_TIME,
                    Due::V1Swapped {
                        node: i.node,
                        acu: target,
                    },
                );
                continue;
            }
        }
        let i = &c.instances[idx];
        if i.serverless.half != before {
            changes.push((i.node, i.serverless.half));
        }
    }
    for (node, half) in changes {
        k.emit(Event::CapacityChanged { node, half });
        metrics.note_capacity(now, node, half);
    }
}

/// v1's new compute is in place.
pub(crate) fn on_v1_swapped(
    k: &mut Kernel,
    sv: &mut Serverless,
    c: &mut Compute,
    metrics: &mut Metrics,
    node: NodeId,
    acu: u16,
) {
    meter(k, sv, &c.instances);
    if let Some(i) = c.instances.iter_mut().find(|i| i.node == node) {
        i.serverless.v1_swapping = false;
        i.serverless.half = acu * 2;
        i.serverless.v1_window.clear();
        k.emit(Event::CapacityChanged {
            node,
            half: acu * 2,
        });
        metrics.note_capacity(k.now, node, acu * 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_settings_are_checked() {
        let v2 = |min_half, max_half, pause_after| Capacity::V2 {
            min_half,
            max_half,
            pause_after,
        };
        assert!(v2(1, 128, None).validate().is_ok());
        assert!(v2(0, 8, Some(SimDuration::from_secs(300)))
            .validate()
            .is_ok());
        assert!(v2(0, 8, None).validate().is_err(), "0 ACU needs auto-pause");
        assert!(v2(4, 2, None).validate().is_err());
        assert!(v2(1, 513, None).validate().is_err(), "max 256 ACU");
        assert!(v2(0, 8, Some(SimDuration::from_secs(60)))
            .validate()
            .is_err());
        let v1 = |min_acu, max_acu| Capacity::V1 {
            min_acu,
            max_acu,
            pause: false,
            on_timeout: TimeoutAction::Rollback,
        };
        assert!(v1(1, 64).validate().is_ok());
        assert!(v1(3, 64).validate().is_err(), "3 is not a capacity point");
    }
}
