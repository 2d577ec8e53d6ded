//! Choosing an instance's capacity in the inspector: provisioned (its class), Serverless v2
//! (min and max ACU in 0.5 steps, auto-pause at 0) or Serverless v1 (capacity points). The form
//! only reads what was typed; the core judges the values and its reason becomes a notice.

use aurora_core::serverless::{Capacity, TimeoutAction, AUTO_PAUSE_MIN};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::actions::Control;
use crate::format;
use crate::state::Action;

/// The three ways to size an instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Provisioned,
    V2,
    V1,
}

impl Mode {
    pub fn of(c: &Capacity) -> Mode {
        match c {
            Capacity::Provisioned => Mode::Provisioned,
            Capacity::V2 { .. } => Mode::V2,
            Capacity::V1 { .. } => Mode::V1,
        }
    }
    fn value(self) -> &'static str {
        match self {
            Mode::Provisioned => "provisioned",
            Mode::V2 => "v2",
            Mode::V1 => "v1",
        }
    }
    fn from_value(v: &str) -> Mode {
        match v {
            "v2" => Mode::V2,
            "v1" => Mode::V1,
            _ => Mode::Provisioned,
        }
    }
}

/// ACU as typed ("0.5", "12", "12.5") in half-ACUs; `None` if it is not a multiple of 0.5.
pub fn parse_half_acu(text: &str) -> Option<u16> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    let whole: u16 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let half = match frac.trim_end_matches('0') {
        "" => 0,
        "5" => 1,
        _ => return None,
    };
    whole.checked_mul(2)?.checked_add(half)
}

/// The capacity the form describes, or why it describes none. Ranges are the core's to judge.
pub fn capacity_from_form(
    mode: Mode,
    min: &str,
    max: &str,
    pause: bool,
) -> Result<Capacity, String> {
    let steps = "ACUs are set in steps of 0.5, such as 0.5, 1 or 12.5";
    match mode {
        Mode::Provisioned => Ok(Capacity::Provisioned),
        Mode::V2 => {
            let min_half = parse_half_acu(min).ok_or_else(|| format!("Minimum: {steps}."))?;
            let max_half = parse_half_acu(max).ok_or_else(|| format!("Maximum: {steps}."))?;
            Ok(Capacity::V2 {
                min_half,
                max_half,
                pause_after: pause.then_some(AUTO_PAUSE_MIN),
            })
        }
        Mode::V1 => {
            let point = |t: &str, which: &str| {
                t.trim().parse::<u16>().map_err(|_| {
                    format!(
                        "{which}: Serverless v1 capacity is a whole number of ACUs: 1, 2, 4 … 256."
                    )
                })
            };
            Ok(Capacity::V1 {
                min_acu: point(min, "Minimum")?,
                max_acu: point(max, "Maximum")?,
                pause,
                on_timeout: TimeoutAction::Rollback,
            })
        }
    }
}

/// The form's starting values for a mode: the instance's own if it is in that mode.
fn defaults(mode: Mode, c: &Capacity) -> (String, String, bool) {
    match (mode, *c) {
        (
            Mode::V2,
            Capacity::V2 {
                min_half,
                max_half,
                pause_after,
            },
        ) => (
            format::half_acu(min_half),
            format::half_acu(max_half),
            pause_after.is_some(),
        ),
        (
            Mode::V1,
            Capacity::V1 {
                min_acu,
                max_acu,
                pause,
                ..
            },
        ) => (min_acu.to_string(), max_acu.to_string(), pause),
        (Mode::V1, _) => ("1".into(), "16".into(), false),
        _ => ("0.5".into(), "16".into(), false),
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct CapacityFormProps {
    /// The instance's name as the diagram shows it.
    pub node: AttrValue,
    pub class: AttrValue,
    pub capacity: Capacity,
    pub dispatch: Callback<Action>,
}

#[component(CapacityForm)]
pub fn capacity_form(p: &CapacityFormProps) -> Html {
    let mode = use_state(|| Mode::of(&p.capacity));
    let min_ref = use_node_ref();
    let max_ref = use_node_ref();
    let pause_ref = use_node_ref();
    let on_mode = {
        let mode = mode.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
                mode.set(Mode::from_value(&select.value()));
            }
        })
    };
    let on_apply = {
        let (mode, min_ref, max_ref, pause_ref) =
            (*mode, min_ref.clone(), max_ref.clone(), pause_ref.clone());
        let d = p.dispatch.clone();
        let node = p.node.to_string();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = |r: &NodeRef| {
                r.cast::<HtmlInputElement>()
                    .map(|i| i.value())
                    .unwrap_or_default()
            };
            let pause = pause_ref
                .cast::<HtmlInputElement>()
                .is_some_and(|i| i.checked());
            match capacity_from_form(mode, &text(&min_ref), &text(&max_ref), pause) {
                Ok(capacity) => d.emit(Action::Act(Control::SetCapacity {
                    node: node.clone(),
                    capacity,
                })),
                Err(why) => d.emit(Action::Notify(why, true)),
            }
        })
    };
    let (min, max, pause) = defaults(*mode, &p.capacity);
    let id = |s: &str| format!("cap-{s}-{}", p.node.replace('/', "-"));
    let (min_label, max_label, pause_label) = match *mode {
        Mode::V1 => (
            "Minimum ACU (1, 2, 4 … 256)",
            "Maximum ACU",
            "Pause after 5 minutes idle",
        ),
        _ => (
            "Minimum ACU (0 to 256, steps of 0.5)",
            "Maximum ACU",
            "Auto-pause after 300 s idle (minimum 0 only)",
        ),
    };
    html! {
        <form class="capacity-form" onsubmit={on_apply} aria-label={format!("Capacity of {}", p.node)}>
            <div class="field">
                <label for={id("mode")}>{ "Capacity" }</label>
                <select id={id("mode")} onchange={on_mode}>
                    { for [Mode::Provisioned, Mode::V2, Mode::V1].iter().map(|m| {
                        let label = match m {
                            Mode::Provisioned => format!("Provisioned ({})", p.class),
                            Mode::V2 => "Serverless v2".to_string(),
                            Mode::V1 => "Serverless v1 (retired 31 Mar 2025)".to_string(),
                        };
                        html! { <option value={m.value()} selected={*m == *mode}>{ label }</option> }
                    }) }
                </select>
            </div>
            if *mode != Mode::Provisioned {
                <div class="field">
                    <label for={id("min")}>{ min_label }</label>
                    <input id={id("min")} ref={min_ref} type="text" inputmode="decimal" value={min} />
                </div>
                <div class="field">
                    <label for={id("max")}>{ max_label }</label>
                    <input id={id("max")} ref={max_ref} type="text" inputmode="decimal" value={max} />
                </div>
                <div class="field check">
                    <input id={id("pause")} ref={pause_ref} type="checkbox" checked={pause} />
                    <label for={id("pause")}>{ pause_label }</label>
                </div>
            }
            <button type="submit" class="choice neutral">{ format!("Apply to {}", p.node) }</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acus_are_read_in_half_steps_only() {
        assert_eq!(parse_half_acu("0.5"), Some(1));
        assert_eq!(parse_half_acu(" 12 "), Some(24));
        assert_eq!(parse_half_acu("12.50"), Some(25));
        assert_eq!(parse_half_acu(".5"), Some(1));
        assert_eq!(parse_half_acu("0"), Some(0));
        assert_eq!(parse_half_acu("0.25"), None);
        assert_eq!(parse_half_acu("1.7"), None);
        assert_eq!(parse_half_acu(""), None);
        assert_eq!(parse_half_acu("-1"), None);
        assert_eq!(parse_half_acu("abc"), None);
        assert_eq!(parse_half_acu("99999999"), None);
    }

    #[test]
    fn the_form_gives_the_capacity_or_a_reason() {
        assert_eq!(
            capacity_from_form(Mode::V2, "0.5", "64", false),
            Ok(Capacity::V2 {
                min_half: 1,
                max_half: 128,
                pause_after: None
            })
        );
        assert_eq!(
            capacity_from_form(Mode::V2, "0", "8", true),
            Ok(Capacity::V2 {
                min_half: 0,
                max_half: 16,
                pause_after: Some(AUTO_PAUSE_MIN)
            })
        );
        let err = capacity_from_form(Mode::V2, "0.3", "8", false);
        assert!(
            err.as_ref().is_err_and(|e| e.contains("steps of 0.5")),
            "{err:?}"
        );
        assert_eq!(
            capacity_from_form(Mode::V1, "1", "64", false),
            Ok(Capacity::V1 {
                min_acu: 1,
                max_acu: 64,
                pause: false,
                on_timeout: TimeoutAction::Rollback
            })
        );
        assert!(capacity_from_form(Mode::V1, "1.5", "64", false).is_err());
        assert_eq!(
            capacity_from_form(Mode::Provisioned, "", "", false),
            Ok(Capacity::Provisioned)
        );
        // Out-of-range values pass the form and are refused by the core, with its reason.
        let Ok(cap) = capacity_from_form(Mode::V2, "8", "2", false) else {
            panic!("the form reads it")
        };
        assert!(cap.validate().is_err());
    }
}
