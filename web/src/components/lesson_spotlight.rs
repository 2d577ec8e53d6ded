//! The lesson's highlights on the diagram: a ring around each part a step points at, and the
//! rest of the diagram dimmed. Drawn as a second SVG over the diagram with the same view box, so
//! the diagram itself is unchanged; hidden from screen readers, which read the lesson panel's
//! words for the same highlights instead.

use yew::prelude::*;

use crate::format::svg_number as f;
use crate::layout::Rect;

/// Space between a part and its ring, in diagram units.
const PAD: f32 = 6.0;

#[derive(Properties, PartialEq, Clone)]
pub struct SpotlightProps {
    /// The diagram's view box.
    pub width: f32,
    pub height: f32,
    /// The parts to ring, in diagram units.
    pub rings: Vec<Rect>,
}

/// A rounded rectangle as a path, drawn clockwise.
fn rounded(r: &Rect, radius: f32) -> String {
    let rad = radius.min(r.w / 2.0).min(r.h / 2.0).max(0.0);
    let (x, y, w, h) = (r.x, r.y, r.w, r.h);
    format!(
        "M{} {}H{}A{rad} {rad} 0 0 1 {} {}V{}A{rad} {rad} 0 0 1 {} {}H{}A{rad} {rad} 0 0 1 {} {}V{}A{rad} {rad} 0 0 1 {} {}Z",
        f(x + rad), f(y), f(x + w - rad), f(x + w), f(y + rad), f(y + h - rad),
        f(x + w - rad), f(y + h), f(x + rad), f(x), f(y + h - rad), f(y + rad), f(x + rad), f(y),
        rad = f(rad),
    )
}

/// The ring around `r`, padded and kept inside the view box.
pub fn ring(r: &Rect, width: f32, height: f32) -> Rect {
    let x = (r.x - PAD).max(1.0);
    let y = (r.y - PAD).max(1.0);
    let right = (r.x + r.w + PAD).min(width - 1.0);
    let bottom = (r.y + r.h + PAD).min(height - 1.0);
    Rect::new(x, y, (right - x).max(0.0), (bottom - y).max(0.0))
}

#[component(Spotlight)]
pub fn spotlight(p: &SpotlightProps) -> Html {
    if p.rings.is_empty() {
        return html! {};
    }
    let rings: Vec<Rect> = p.rings.iter().map(|r| ring(r, p.width, p.height)).collect();
    // The dimming veil: the whole view box with a hole per ring (even-odd fill).
    let mut veil = format!("M0 0H{w}V{h}H0Z", w = f(p.width), h = f(p.height));
    for r in &rings {
        veil.push_str(&rounded(r, 10.0));
    }
    html! {
        <svg class="spotlight" viewBox={format!("0 0 {} {}", f(p.width), f(p.height))}
            aria-hidden="true" focusable="false">
            <path class="spotlight-veil" d={veil} fill-rule="evenodd" />
            { for rings.iter().map(|r| html! {
                <path class="spotlight-ring" d={rounded(r, 10.0)} />
            }) }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ring_is_padded_and_stays_in_the_view_box() {
        let r = ring(&Rect::new(10.0, 20.0, 100.0, 50.0), 960.0, 600.0);
        assert_eq!((r.x, r.y, r.w, r.h), (4.0, 14.0, 112.0, 62.0));
        let edge = ring(&Rect::new(0.0, 0.0, 960.0, 600.0), 960.0, 600.0);
        assert_eq!((edge.x, edge.y), (1.0, 1.0));
        assert_eq!((edge.x + edge.w, edge.y + edge.h), (959.0, 599.0));
    }

    #[test]
    fn a_rounded_path_closes_where_it_starts() {
        let d = rounded(&Rect::new(0.0, 0.0, 40.0, 20.0), 10.0);
        assert!(d.starts_with("M10 0H30"), "{d}");
        assert!(d.ends_with("Z"), "{d}");
        // The radius never exceeds half the shorter side.
        let d = rounded(&Rect::new(0.0, 0.0, 8.0, 40.0), 10.0);
        assert!(d.contains("A4 4"), "{d}");
    }
}
