//! The faults and heals on offer for a selected thing, with their button names. The diagram's
//! `x` key, the inspector's buttons and the fault menu all take them from here.

use aurora_core::compute::instance::Role;
use aurora_core::event::SegmentHealth;
use aurora_core::ids::AzId;
use aurora_core::net::Partition;
use aurora_core::topology::NodeKind;
use aurora_core::view::View;
use aurora_core::Fault;

use crate::actions::{Control, SLOW_PCT};
use crate::names;
use crate::selection::Selection;

/// One button: its accessible name and what it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub label: String,
    pub action: Control,
    /// A fault (true) or a heal (false), for the button's colour.
    pub harm: bool,
}

fn choice(label: String, action: Control, harm: bool) -> Choice {
    Choice {
        label,
        action,
        harm,
    }
}

/// Is the AZ failed, and is it cut off?
pub fn az_faults(faults: &[Fault], az: usize) -> (bool, bool) {
    let id = AzId(u8::try_from(az).unwrap_or(u8::MAX));
    (
        faults.contains(&Fault::FailAz(id)),
        faults.contains(&Fault::Partition(Partition::Az(id))),
    )
}

/// What can be done to `selection`, the first being what the `x` key does.
pub fn for_selection(selection: Selection, view: &View, faults: &[Fault]) -> Vec<Choice> {
    match selection {
        Selection::Az(az) => {
            let (failed, cut) = az_faults(faults, usize::from(az));
            vec![
                choice(
                    names::fail_az(usize::from(az), failed),
                    if failed {
                        Control::HealAz(az)
                    } else {
                        Control::FailAz(az)
                    },
                    !failed,
                ),
                choice(
                    names::partition_az(usize::from(az), cut),
                    if cut {
                        Control::ReconnectAz(az)
                    } else {
                        Control::PartitionAz(az)
                    },
                    !cut,
                ),
            ]
        }
        Selection::Segment(seg) => match view.segment(seg) {
            Some(s)
                if matches!(
                    s.health,
                    SegmentHealth::Healthy | SegmentHealth::Unavailable
                ) =>
            {
                vec![choice(
                    format!("Fail the disk of segment {}", seg.0),
                    Control::LoseSegment(seg.0),
                    true,
                )]
            }
            _ => Vec::new(),
        },
        Selection::Pg(_) | Selection::Page(_) => Vec::new(),
        Selection::Node(id) => {
            let Some(node) = view.node(id) else {
                return Vec::new();
            };
            if !matches!(node.kind, NodeKind::Storage | NodeKind::Instance) {
                return Vec::new();
            }
            let name = node.name.clone();
            // A node down with its whole AZ comes back with the AZ.
            let az_down = node
                .az
                .is_some_and(|az| faults.contains(&Fault::FailAz(az)));
            let crashed = faults.contains(&Fault::CrashNode(id));
            let slowed = faults.contains(&Fault::SlowNode {
                node: id,
                pct: SLOW_PCT,
            });
            let mut out = Vec::new();
            if crashed {
                out.push(choice(
                    format!("Restart {name}"),
                    Control::Restart(name.clone()),
                    false,
                ));
            } else if node.up {
                out.push(choice(
                    format!("Crash {name}"),
                    Control::Crash(name.clone()),
                    true,
                ));
            } else if az_down {
                if let Some(az) = node.az {
                    out.push(choice(
                        names::fail_az(az.index(), true),
                        Control::HealAz(az.0),
                        false,
                    ));
                }
            }
            if slowed {
                out.push(choice(
                    format!("Bring {name} back to normal speed"),
                    Control::Unslow(name.clone()),
                    false,
                ));
            } else if node.up {
                out.push(choice(
                    format!("Slow {name} down"),
                    Control::Slow(name.clone()),
                    true,
                ));
            }
            let is_writer = view
                .instances
                .iter()
                .any(|i| i.node == id && i.is_writer && i.role == Role::Writer);
            if is_writer && node.up {
                out.push(choice("Fail over now".to_string(), Control::Failover, true));
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurora_core::ids::NodeId;

    fn view() -> View {
        match aurora_core::scenario::find("replicas") {
            Some(s) => s.start(1).view(),
            None => panic!("the replicas scenario exists"),
        }
    }

    #[test]
    fn a_zone_offers_fail_or_heal_and_partition_or_reconnect() {
        let view = view();
        let labels = |faults: &[Fault]| -> Vec<String> {
            for_selection(Selection::Az(0), &view, faults)
                .into_iter()
                .map(|c| c.label)
                .collect()
        };
        assert_eq!(labels(&[]), ["Fail AZ a", "Partition AZ a"]);
        let faults = [
            Fault::FailAz(AzId(0)),
            Fault::Partition(Partition::Az(AzId(0))),
        ];
        assert_eq!(labels(&faults), ["Heal AZ a", "Reconnect AZ a"]);
    }

    #[test]
    fn a_node_offers_crash_then_restart() {
        let view = view();
        let Some(node) = view.nodes.iter().find(|n| n.name == "az-b-2") else {
            panic!("az-b-2 exists")
        };
        let up = for_selection(Selection::Node(node.id), &view, &[]);
        assert_eq!(up[0].label, "Crash az-b-2");
        let down = for_selection(
            Selection::Node(node.id),
            &view,
            &[Fault::CrashNode(node.id)],
        );
        assert_eq!(down[0].label, "Restart az-b-2");
        assert_eq!(down[0].action, Control::Restart("az-b-2".into()));
        assert!(for_selection(Selection::Node(NodeId(9999)), &view, &[]).is_empty());
    }
}
