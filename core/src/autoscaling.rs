//! Replica auto scaling (reference §4.4): target tracking on average replica CPU or
//! connections, within a minimum and maximum, with cooldowns. New replicas use the writer's
//! class and tier 15; scale-in removes only replicas auto scaling added.

use crate::client::Clients;
pub use crate::compute::instance::AUTOSCALED_TIER;
use crate::compute::instance::{InstanceClass, Role};
pub use crate::compute::instance::{CPU_MICROS_PER_READ, CPU_MICROS_PER_WRITE};
use crate::compute::Compute;
use crate::engine::{Due, Kernel};
use crate::event::Event;
use crate::ids::NodeId;
pub use crate::settings::scaling::{Metric, Policy};
use crate::time::{SimDuration, SimTime};

/// Default scale-out and scale-in cooldown. UG: Using Amazon Aurora Auto Scaling (2023)
pub const COOLDOWN: SimDuration = SimDuration::from_secs(300);
/// How often the policy is evaluated (a one-minute metric period). [sim default — not sourced]
pub const EVALUATION_INTERVAL: SimDuration = SimDuration::from_secs(60);

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

/// What an evaluation decided; the dispatch adds or removes the instances, then notes the
/// time with [`scaled_out`] or [`scaled_in`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scale {
    Hold,
    /// Add `count` replicas of the writer's class, at [`AUTOSCALED_TIER`].
    Out {
        class: InstanceClass,
        count: u64,
    },
    /// Remove the newest replica auto scaling added.
    In(NodeId),
}

pub(crate) fn set(k: &mut Kernel, sc: &mut Scaling, policy: Option<Policy>) {
    let was = sc.active.is_some();
    sc.active = policy.map(|policy| AutoScaling {
        policy,
        last_out: None,
        last_in: None,
    });
    if !was && sc.active.is_some() {
        k.schedule_in(EVALUATION_INTERVAL, Due::AutoScale);
    }
}

/// Every instance's CPU over the last period, from the requests it served and the
/// transactions started so far (`txns_started`).
fn measure(
    k: &Kernel,
    sc: &mut Scaling,
    c: &mut Compute,
    clients: &Clients,
    txns_started: u64,
    period: SimDuration,
) {
    let secs = period.as_micros().max(1);
    let writes_on_writer = txns_started - sc.last_txns;
    sc.last_txns = txns_started;
    for i in &mut c.instances {
        let mut busy = i.served * CPU_MICROS_PER_READ;
        if i.role == Role::Writer {
            busy += writes_on_writer * CPU_MICROS_PER_WRITE;
        }
        i.cpu_pct = (busy * 100 / (secs * i.class.vcpu.max(1) as u64)).min(100) as u32;
        i.served = 0;
        i.connections = crate::client::connections_to(clients, i.node, k.now);
    }
}

/// The periodic evaluation: measure, then decide whether to scale out or in.
pub(crate) fn on_evaluate(
    k: &mut Kernel,
    sc: &mut Scaling,
    c: &mut Compute,
    clients: &Clients,
    txns_started: u64,
) -> Scale {
    measure(k, sc, c, clients, txns_started, EVALUATION_INTERVAL);
    let Some(a) = sc.active else {
        return Scale::Hold;
    };
    k.schedule_in(EVALUATION_INTERVAL, Due::AutoScale);
    let p = a.policy;
    let replicas: alloc::vec::Vec<_> = c
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
        return Scale::Hold;
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
        let class = c
            .instances
            .iter()
            .find(|i| i.role == Role::Writer)
            .map(|i| i.class)
            .unwrap_or_default();
        Scale::Out {
            class,
            count: desired - n,
        }
    } else if desired < n
        && cooled(a.last_in, p.scale_in_cooldown)
        && cooled(a.last_out, p.scale_in_cooldown)
    {
        c.instances
            .iter()
            .rev()
            .find(|i| i.autoscaled && i.role == Role::Replica)
            .map_or(Scale::Hold, |i| Scale::In(i.node))
    } else {
        Scale::Hold
    }
}

/// Replicas were added at `now`: the scale-out cooldown starts.
pub(crate) fn scaled_out(sc: &mut Scaling, now: SimTime) {
    if let Some(a) = &mut sc.active {
        a.last_out = Some(now);
    }
}

/// A replica was removed at `now`: the scale-in cooldown starts.
pub(crate) fn scaled_in(sc: &mut Scaling, now: SimTime) {
    if let Some(a) = &mut sc.active {
        a.last_in = Some(now);
    }
}

#[cfg(test)]
mod tests {
    //! The policy on its own: a kernel, the compute layer and no clients, nothing else of the
    //! model. CPU comes from the requests each instance served in the period.

    use super::*;
    use crate::compute::instance::{Instance, CLASSES};
    use crate::compute::writer::{Writer, WriterConfig};
    use crate::ids::NodeId;

    const CLASS: InstanceClass = CLASSES[1];

    fn policy() -> Policy {
        Policy {
            metric: Metric::Cpu,
            target: 50,
            min: 1,
            max: 8,
            scale_out_cooldown: SimDuration::from_secs(300),
            scale_in_cooldown: SimDuration::from_secs(300),
        }
    }

    /// A writer and `replicas` replicas serving since time 0, auto scaling on, at 10 min.
    fn cluster(replicas: u16) -> (Kernel, Scaling, Compute) {
        let mut k = Kernel::new(1);
        let mut c = Compute::new(
            Writer::new(NodeId(0), 1, WriterConfig::default()),
            Instance::new(NodeId(0), CLASS, 0, Role::Writer),
        );
        for n in 1..=replicas {
            c.instances
                .push(Instance::new(NodeId(n), CLASS, 1, Role::Replica));
        }
        let mut sc = Scaling::default();
        set(&mut k, &mut sc, Some(policy()));
        k.now = SimTime::from_micros(600_000_000);
        (k, sc, c)
    }

    /// Each replica served enough reads in the last period to be `pct` % busy.
    fn load(c: &mut Compute, pct: u64) {
        let capacity = EVALUATION_INTERVAL.as_micros() * CLASS.vcpu as u64;
        for i in c.instances.iter_mut().filter(|i| i.role == Role::Replica) {
            i.served = capacity * pct / 100 / CPU_MICROS_PER_READ;
        }
    }

    fn evaluate(k: &mut Kernel, sc: &mut Scaling, c: &mut Compute) -> Scale {
        on_evaluate(k, sc, c, &Clients::default(), 0)
    }

    #[test]
    fn busy_replicas_scale_out_to_the_count_that_meets_the_target() {
        let (mut k, mut sc, mut c) = cluster(2);
        load(&mut c, 90);
        let decided = evaluate(&mut k, &mut sc, &mut c);
        // Two replicas at 90 % against a 50 % target: ⌈2 × 90 / 50⌉ = 4, two more.
        assert_eq!(
            decided,
            Scale::Out {
                class: CLASS,
                count: 2
            }
        );
        assert!(c.instances.iter().skip(1).all(|i| i.cpu_pct == 90));
        assert!(
            c.instances.iter().all(|i| i.served == 0),
            "the period restarts"
        );
    }

    #[test]
    fn the_scale_out_cooldown_holds_the_next_scale_out() {
        let (mut k, mut sc, mut c) = cluster(2);
        scaled_out(&mut sc, k.now);
        k.now += SimDuration::from_secs(120);
        load(&mut c, 90);
        assert_eq!(evaluate(&mut k, &mut sc, &mut c), Scale::Hold);
        k.now += SimDuration::from_secs(200);
        load(&mut c, 90);
        assert!(matches!(
            evaluate(&mut k, &mut sc, &mut c),
            Scale::Out { count: 2, .. }
        ));
    }

    #[test]
    fn idle_replicas_scale_in_only_those_auto_scaling_added() {
        let (mut k, mut sc, mut c) = cluster(3);
        c.instances[3].autoscaled = true;
        load(&mut c, 5);
        assert_eq!(evaluate(&mut k, &mut sc, &mut c), Scale::In(NodeId(3)));
        // Without a replica of its own, it removes nothing.
        c.instances[3].autoscaled = false;
        load(&mut c, 5);
        assert_eq!(evaluate(&mut k, &mut sc, &mut c), Scale::Hold);
    }

    #[test]
    fn replicas_still_warming_up_are_left_out_of_the_average() {
        let (mut k, mut sc, mut c) = cluster(2);
        for i in c.instances.iter_mut().skip(1) {
            i.serving_since = SimTime::from_micros(k.now.as_micros() - 10_000_000);
        }
        load(&mut c, 95);
        assert_eq!(evaluate(&mut k, &mut sc, &mut c), Scale::Hold);
    }

    #[test]
    fn without_a_policy_it_measures_and_holds() {
        let (mut k, mut sc, mut c) = cluster(2);
        set(&mut k, &mut sc, None);
        load(&mut c, 90);
        assert_eq!(evaluate(&mut k, &mut sc, &mut c), Scale::Hold);
        assert_eq!(
            c.instances[1].cpu_pct, 90,
            "CPU is still measured for the page"
        );
    }
}
