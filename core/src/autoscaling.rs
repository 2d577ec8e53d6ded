//! Replica auto scaling (reference §4.4): target tracking on average replica CPU or
//! connections, within a minimum and maximum, with cooldowns. New replicas use the writer's
//! class and tier 15; scale-in removes only replicas auto scaling added.

use crate::compute::instance::{Role, AUTOSCALED_TIER};
use crate::dispatch::Model;
use crate::engine::{Due, Kernel};
use crate::event::Event;
pub use crate::settings::scaling::{Metric, Policy};
use crate::time::{SimDuration, SimTime};

/// Default scale-out and scale-in cooldown. UG: Using Amazon Aurora Auto Scaling (2023)
pub const COOLDOWN: SimDuration = SimDuration::from_secs(300);
/// How often the policy is evaluated (a one-minute metric period). [sim default — not sourced]
pub const EVALUATION_INTERVAL: SimDuration = SimDuration::from_secs(60);
/// CPU time a DB instance spends per read request and per write transaction.
/// [sim default — not sourced]
pub const CPU_MICROS_PER_READ: u64 = 400;
pub const CPU_MICROS_PER_WRITE: u64 = 400;

/// Auto scaling's state: the policy in force, if any, and the writer's transactions at the
/// last measurement.
#[derive(Clone, Copy, Debug, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Scaling {
    pub active: Option<AutoScaling>,
    /// Transactions counted at the last CPU measurement.
    pub last_txns: u64,
}

/// The policy and when it last acted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AutoScaling {
    pub policy: Policy,
    pub last_out: Option<SimTime>,
    pub last_in: Option<SimTime>,
}

pub(crate) fn set(k: &mut Kernel, m: &mut Model, policy: Option<Policy>) {
    let was = m.autoscaling.active.is_some();
    m.autoscaling.active = policy.map(|policy| AutoScaling {
        policy,
        last_out: None,
        last_in: None,
    });
    if !was && m.autoscaling.active.is_some() {
        k.schedule_in(EVALUATION_INTERVAL, Due::AutoScale);
    }
}

/// Every instance's CPU over the last period, from the requests it served.
fn measure(k: &Kernel, m: &mut Model, period: SimDuration) {
    let secs = period.as_micros().max(1);
    let writes_on_writer = m.metrics.txns_started - m.autoscaling.last_txns;
    m.autoscaling.last_txns = m.metrics.txns_started;
    for i in &mut m.compute.instances {
        let mut busy = i.served * CPU_MICROS_PER_READ;
        if i.role == Role::Writer {
            busy += writes_on_writer * CPU_MICROS_PER_WRITE;
        }
        i.cpu_pct = (busy * 100 / (secs * i.class.vcpu.max(1) as u64)).min(100) as u32;
        i.served = 0;
        i.connections = crate::client::connections_to(&m.access.clients, i.node, k.now);
    }
}

pub(crate) fn on_evaluate(k: &mut Kernel, m: &mut Model) {
    measure(k, m, EVALUATION_INTERVAL);
    let Some(a) = m.autoscaling.active else {
        return;
    };
    k.schedule_in(EVALUATION_INTERVAL, Due::AutoScale);
    let p = a.policy;
    let replicas: alloc::vec::Vec<_> = m
        .compute
        .instances
        .iter()
        .filter(|i| {
            i.role == Role::Replica || matches!(i.role, Role::Creating { replica: true, .. })
        })
        .collect();
    let n = replicas.len() as u64;
    // Replicas still warming up (serving for less than a full period, clients only slowly
    // finding them through DNS) would drag the average down: they are left out of it.
    let live: alloc::vec::Vec<_> = replicas
        .iter()
        .filter(|i| i.role == Role::Replica && k.now - i.serving_since >= EVALUATION_INTERVAL)
        .collect();
    if live.is_empty() {
        return;
    }
    let avg = {
        live.iter()
            .map(|i| match p.metric {
                Metric::Cpu => i.cpu_pct as u64,
                Metric::Connections => i.connections as u64,
            })
            .sum::<u64>()
            / live.len() as u64
    };
    // Target tracking: the count that would bring the average to the target.
    let desired = (n.max(1) * avg)
        .div_ceil(p.target as u64)
        .clamp(p.min as u64, p.max as u64);
    k.emit(Event::AutoScalingEvaluated {
        average: avg as u32,
        replicas: n as u8,
        desired: desired as u8,
    });
    let cooled = |last: Option<SimTime>, cd: SimDuration| last.is_none_or(|t| k.now - t >= cd);
    if desired > n && cooled(a.last_out, p.scale_out_cooldown) {
        let class = m
            .compute
            .instances
            .iter()
            .find(|i| i.role == Role::Writer)
            .map(|i| i.class)
            .unwrap_or_default();
        for _ in n..desired {
            if crate::compute::lifecycle::add_instance(k, m, None, class, AUTOSCALED_TIER, true)
                .is_err()
            {
                break;
            }
        }
        if let Some(a) = &mut m.autoscaling.active {
            a.last_out = Some(k.now);
        }
    } else if desired < n
        && cooled(a.last_in, p.scale_in_cooldown)
        && cooled(a.last_out, p.scale_in_cooldown)
    {
        let newest = m
            .compute
            .instances
            .iter()
            .rev()
            .find(|i| i.autoscaled && i.role == Role::Replica)
            .map(|i| i.node);
        if let Some(node) = newest {
            crate::compute::lifecycle::remove_instance(k, m, node);
            if let Some(a) = &mut m.autoscaling.active {
                a.last_in = Some(k.now);
            }
        }
    }
}
