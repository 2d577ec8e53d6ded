//! How long the model may run in one animation frame: what is left of the frame's target once
//! drawing it is paid for.
//!
//! A frame is the model's advance plus the render. Drawing costs more when more changes (high
//! speeds, hundreds of messages in flight), so a fixed budget for the advance lets the whole
//! frame run past a 60 Hz display's 16.7 ms exactly when a student speeds up. Instead the page
//! remembers what its recent renders cost ([`record_render`], called after each drawn frame) and
//! gives the model the rest of [`FRAME_TARGET_MS`]; when that is not enough to keep up with the
//! asked speed, the run falls behind and the page shows the speed it reached
//! ([`crate::reached`]) instead of dropping frames.

use std::cell::Cell;

/// Sim default: the wall time one frame (advance + render) aims at, in ms: two thirds of a
/// 60 Hz frame, leaving the browser's own style, layout and paint the rest.
pub const FRAME_TARGET_MS: f64 = 8.0;
/// Sim default: the model always gets at least this much of a frame, in ms, so a costly render
/// slows the run down but never stops it.
pub const MIN_ADVANCE_MS: f64 = 2.0;
/// Sim default: how much of the remembered render cost is kept from one frame to the next; a
/// costly frame is remembered for about a second and then forgotten.
const RENDER_MEMORY: f64 = 0.95;
/// What a render is assumed to cost before one has been measured: all of the frame but the
/// model's minimum. The first frames after the page loads are its costliest (the code runs for
/// the first time, the side panels are drawn for the first time), so a budget that assumed them
/// free would give the model the whole frame exactly when drawing needs the most of it.
const UNMEASURED_RENDER_MS: f64 = FRAME_TARGET_MS - MIN_ADVANCE_MS;

thread_local! {
    /// The recent renders' cost: the last one, or a decaying memory of a costlier one.
    static RENDER_MS: Cell<f64> = const { Cell::new(UNMEASURED_RENDER_MS) };
}

/// After a frame is drawn: what building and drawing it cost, in ms.
pub fn record_render(ms: f64) {
    if ms.is_finite() && ms >= 0.0 {
        RENDER_MS.with(|r| r.set(next_estimate(r.get(), ms)));
    }
}

/// The render cost remembered after one more render of `ms`.
fn next_estimate(remembered: f64, ms: f64) -> f64 {
    ms.max(remembered * RENDER_MEMORY)
}

/// The wall time the model may take in this frame, in ms.
pub fn advance_ms() -> f64 {
    RENDER_MS.with(|r| budget_after(r.get()))
}

fn budget_after(render_ms: f64) -> f64 {
    (FRAME_TARGET_MS - render_ms).max(MIN_ADVANCE_MS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_gets_what_drawing_leaves_and_never_nothing() {
        assert_eq!(budget_after(0.0), FRAME_TARGET_MS);
        assert_eq!(budget_after(3.0), FRAME_TARGET_MS - 3.0);
        assert_eq!(budget_after(20.0), MIN_ADVANCE_MS);
    }

    #[test]
    fn before_any_render_is_measured_the_model_gets_only_its_minimum() {
        // Each test runs on its own thread, so this one sees the budget as a fresh page does.
        assert_eq!(advance_ms(), MIN_ADVANCE_MS);
        // A cheap first render does not hand the model the whole frame at once...
        record_render(1.0);
        assert!(advance_ms() < FRAME_TARGET_MS - 1.0 - 2.0);
        // ...but within about a second of cheap renders it does.
        for _ in 0..60 {
            record_render(1.0);
        }
        assert_eq!(advance_ms(), FRAME_TARGET_MS - 1.0);
    }

    #[test]
    fn a_costly_render_is_remembered_for_a_while_then_forgotten() {
        let mut r = next_estimate(0.0, 6.0);
        assert_eq!(r, 6.0);
        r = next_estimate(r, 1.0);
        assert!(r > 5.0, "{r}: one cheap frame does not forget a costly one");
        for _ in 0..120 {
            r = next_estimate(r, 1.0);
        }
        assert_eq!(r, 1.0, "two seconds of cheap frames do");
        record_render(f64::NAN);
        for _ in 0..120 {
            record_render(4.0);
        }
        assert_eq!(advance_ms(), FRAME_TARGET_MS - 4.0);
    }
}
