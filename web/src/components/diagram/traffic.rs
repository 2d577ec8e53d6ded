//! Messages on the wire: dots flying along their links, and links lit by faster traffic.

use std::rc::Rc;

use yew::prelude::*;

use super::{f, Scene};
use crate::traffic::Family;

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
    let wall = scene.wall;

    // Dense traffic is thinned to the busiest links of each family, and drawn lighter the more
    // was left out, so the nodes' labels stay readable at any speed.
    let (shown, left) = crate::traffic::thinned(&scene.pulses);
    let faint = if left > 0 { 0.6 } else { 1.0 };
    let pulses = shown.iter().filter_map(|pulse| {
        let (x1, y1) = l.anchor(pulse.from)?;
        let (x2, y2) = l.anchor(pulse.to)?;
        let fading = ((pulse.until - wall) / crate::traffic::PULSE_MS).clamp(0.0, 1.0);
        // Reduced motion: links stay steadily lit instead of fading.
        // Kept light and thin: a busy link must not hide the nodes and labels under it.
        let opacity = faint
            * if p.reduced_motion {
                0.5
            } else {
                0.1 + 0.45 * fading
            };
        let width = 1.0 + 0.5 * (pulse.count as f32).log2().clamp(0.0, 6.0);
        Some(html! {
            <line class={classes!("pulse", pulse.family.class())}
                x1={f(x1)} y1={f(y1)} x2={f(x2)} y2={f(y2)}
                stroke-width={f(width)} opacity={format!("{opacity:.2}")} />
        })
    });

    let flights = if p.reduced_motion {
        // No moving dots: the link is drawn instead.
        let links = scene.flights.iter().filter_map(|m| {
            let (x1, y1) = l.anchor(m.from)?;
            let (x2, y2) = l.anchor(m.to)?;
            Some(html! {
                <line class={classes!("pulse", m.family.class())}
                    x1={f(x1)} y1={f(y1)} x2={f(x2)} y2={f(y2)} stroke-width="2" opacity="0.8" />
            })
        });
        links.collect::<Html>()
    } else {
        moving_dots(scene)
    };

    html! {
        <g class="traffic" aria-hidden="true" data-links-left-out={left.to_string()}>
            { for pulses }
            { flights }
        </g>
    }
}

/// The dots on their way. Hundreds can fly at once, so each family's dots and trails are drawn
/// as two paths (a dot is a zero-length segment with a round cap) rather than as an element
/// per message: one attribute per family changes in a frame instead of four per message.
/// Dropped messages, few and marked with a cross, keep elements of their own.
fn moving_dots(scene: &Scene) -> Html {
    let l = &scene.layout;
    let now = scene.view.now;
    let mut trails: [String; Family::ALL.len()] = Default::default();
    let mut dots: [String; Family::ALL.len()] = Default::default();
    let mut dropped = Vec::new();
    for m in &scene.flights {
        let (Some((x1, y1)), Some((x2, y2))) = (l.anchor(m.from), l.anchor(m.to)) else {
            continue;
        };
        let t = m.progress(now) as f32;
        let (x, y) = (x1 + (x2 - x1) * t, y1 + (y2 - y1) * t);
        if m.dropped {
            dropped.push(html! {
                <g class={classes!("flight", "dropped", m.family.class())}>
                    <line class="flight-trail" x1={f(x1)} y1={f(y1)} x2={f(x)} y2={f(y)} />
                    <circle cx={f(x)} cy={f(y)} r="5" />
                    <text class="drop-mark" x={f(x)} y={f(y - 8.0)} text-anchor="middle">{ "✕" }</text>
                </g>
            });
            continue;
        }
        let Some(i) = Family::ALL.iter().position(|family| *family == m.family) else {
            continue;
        };
        let trail = &mut trails[i];
        trail.push('M');
        push_point(trail, x1, y1);
        trail.push('L');
        push_point(trail, x, y);
        let dot = &mut dots[i];
        dot.push('M');
        push_point(dot, x, y);
        dot.push_str("h0");
    }
    let families = Family::ALL.iter().enumerate().filter_map(|(i, family)| {
        let dots = core::mem::take(&mut dots[i]);
        if dots.is_empty() {
            return None;
        }
        let trails = core::mem::take(&mut trails[i]);
        Some(html! {
            <g class={classes!("flights", family.class())}>
                <path class="flight-trails" d={trails} />
                <path class="flight-halos" d={dots.clone()} />
                <path class="flight-dots" d={dots} />
            </g>
        })
    });
    html! { <>{ for families }{ for dropped }</> }
}

/// Appends `x,y` with one decimal, as integers: float formatting is the slow part of a path.
fn push_point(out: &mut String, x: f32, y: f32) {
    push_tenths(out, x);
    out.push(',');
    push_tenths(out, y);
}

fn push_tenths(out: &mut String, v: f32) {
    let tenths = (v * 10.0).round() as i64;
    if tenths < 0 {
        out.push('-');
    }
    let a = tenths.unsigned_abs();
    push_digits(out, a / 10);
    out.push('.');
    push_digits(out, a % 10);
}

/// Appends a whole number's decimal digits.
fn push_digits(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in &digits[i..] {
        out.push(char::from(*d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_written_to_a_tenth() {
        let mut out = String::new();
        push_point(&mut out, 12.34, 7.0);
        out.push(' ');
        push_point(&mut out, -0.26, 1399.96);
        out.push(' ');
        push_point(&mut out, 0.0, 100.04);
        assert_eq!(out, "12.3,7.0 -0.3,1400.0 0.0,100.0");
    }
}
