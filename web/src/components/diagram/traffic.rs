//! Messages on the wire: dots flying along their links, and links lit by faster traffic.

use std::rc::Rc;

use yew::prelude::*;

use super::{f, Scene};

#[derive(Properties, Clone)]
pub struct TrafficProps {
    pub scene: Rc<Scene>,
    pub reduced_motion: bool,
}

impl PartialEq for TrafficProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.scene, &other.scene) && self.reduced_motion == other.reduced_motion
    }
}

/// Hidden from screen readers: the event log tells the same story in words.
#[component(TrafficLayer)]
pub fn traffic_layer(p: &TrafficProps) -> Html {
    let scene = &p.scene;
    let l = &scene.layout;
    let now = scene.view.now;
    let wall = scene.wall;

    let pulses = scene.pulses.iter().filter_map(|pulse| {
        let (x1, y1) = l.anchor(pulse.from)?;
        let (x2, y2) = l.anchor(pulse.to)?;
        let left = ((pulse.until - wall) / crate::traffic::PULSE_MS).clamp(0.0, 1.0);
        // Reduced motion: links stay steadily lit instead of fading.
        // Kept light and thin: a busy link must not hide the nodes and labels under it.
        let opacity = if p.reduced_motion {
            0.5
        } else {
            0.1 + 0.45 * left
        };
        let width = 1.0 + 0.5 * (pulse.count as f32).log2().clamp(0.0, 6.0);
        Some(html! {
            <line class={classes!("pulse", pulse.family.class())}
                x1={f(x1)} y1={f(y1)} x2={f(x2)} y2={f(y2)}
                stroke-width={f(width)} opacity={format!("{opacity:.2}")} />
        })
    });

    let flights = scene.flights.iter().filter_map(|m| {
        let (x1, y1) = l.anchor(m.from)?;
        let (x2, y2) = l.anchor(m.to)?;
        let family = m.family;
        if p.reduced_motion {
            // No moving dots: the link is drawn instead, with its label.
            return Some(html! {
                <line class={classes!("pulse", family.class())}
                    x1={f(x1)} y1={f(y1)} x2={f(x2)} y2={f(y2)} stroke-width="2" opacity="0.8" />
            });
        }
        let t = m.progress(now) as f32;
        let (x, y) = (x1 + (x2 - x1) * t, y1 + (y2 - y1) * t);
        Some(html! {
            <g class={classes!("flight", family.class(), m.dropped.then_some("dropped"))}>
                <line class="flight-trail" x1={f(x1)} y1={f(y1)} x2={f(x)} y2={f(y)} />
                <circle cx={f(x)} cy={f(y)} r="5" />
                if m.dropped {
                    <text class="drop-mark" x={f(x)} y={f(y - 8.0)} text-anchor="middle">{ "✕" }</text>
                }
            </g>
        })
    });

    html! {
        <g class="traffic" aria-hidden="true">
            { for pulses }
            { for flights }
        </g>
    }
}
