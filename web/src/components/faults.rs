//! The fault menu: every zone's failure and partition, a failover, a new replica. The same
//! faults as clicking the diagram, for keyboards and for a teacher in a hurry.

use aurora_core::Fault;
use yew::prelude::*;

use crate::actions::Control;
use crate::choices::{az_faults, for_selection, Choice};
use crate::names;
use crate::state::{Action, Selection};

#[derive(Properties, PartialEq, Clone)]
pub struct FaultMenuProps {
    pub faults: Vec<Fault>,
    pub dispatch: Callback<Action>,
}

/// A button that applies a choice.
pub fn choice_button(c: &Choice, dispatch: &Callback<Action>) -> Html {
    let d = dispatch.clone();
    let action = c.action.clone();
    let onclick = Callback::from(move |_: MouseEvent| d.emit(Action::Act(action.clone())));
    html! {
        <button class={classes!("choice", if c.harm { "harm" } else { "heal" })} {onclick}>
            { c.label.clone() }
        </button>
    }
}

#[component(FaultMenu)]
pub fn fault_menu(p: &FaultMenuProps) -> Html {
    let zones = (0..aurora_core::AZ_COUNT).map(|az| {
        let (failed, cut) = az_faults(&p.faults, az);
        let fail = Choice {
            label: names::fail_az(az, failed),
            action: if failed {
                Control::HealAz(az as u8)
            } else {
                Control::FailAz(az as u8)
            },
            harm: !failed,
        };
        let part = Choice {
            label: names::partition_az(az, cut),
            action: if cut {
                Control::ReconnectAz(az as u8)
            } else {
                Control::PartitionAz(az as u8)
            },
            harm: !cut,
        };
        let d = p.dispatch.clone();
        let add =
            Callback::from(move |_: MouseEvent| d.emit(Action::Act(Control::AddReplica(az as u8))));
        html! {
            <li class="zone-faults">
                <span class="zone-name">{ format!("AZ {}", names::az_letter(az)) }</span>
                { choice_button(&fail, &p.dispatch) }
                { choice_button(&part, &p.dispatch) }
                <button class="choice neutral" onclick={add}>
                    { format!("Add replica in AZ {}", names::az_letter(az)) }
                </button>
            </li>
        }
    });
    let d = p.dispatch.clone();
    let failover = Callback::from(move |_: MouseEvent| d.emit(Action::Act(Control::Failover)));
    html! {
        <section class="panel faults" aria-labelledby="faults-title">
            <h2 id="faults-title" tabindex="-1">{ "Faults" }</h2>
            <p class="hint">{ "Or select anything in the diagram and press X to fail or heal it." }</p>
            <ul class="zone-list">{ for zones }</ul>
            <button class="choice harm" onclick={failover}>{ "Fail over now" }</button>
        </section>
    }
}

/// The choices for a selection as buttons (used by the inspector).
pub fn selection_buttons(
    selection: Selection,
    view: &aurora_core::view::View,
    faults: &[Fault],
    dispatch: &Callback<Action>,
) -> Html {
    let choices = for_selection(selection, view, faults);
    if choices.is_empty() {
        return Html::default();
    }
    html! {
        <div class="choices">{ for choices.iter().map(|c| choice_button(c, dispatch)) }</div>
    }
}
