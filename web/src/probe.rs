//! The benchmark probe (`?bench=1`): per-frame timings in `window.__auroraBench`, as
//! `bench/page.mjs` reads them:
//!
//! ```text
//! { frames: [[advance_ms, render_ms, in_flight, sim_ms, wall_ms], ...], firstFrameMs,
//!   instances, pgs, speeds }
//! ```
//!
//! `sim_ms` is the model's simulated time after the frame and `wall_ms` the frame's wall clock:
//! the bench reads the speed the page reached from them. `speeds` lists the playback speeds the
//! page offers, which the bench tries one by one.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

const KEY: &str = "__auroraBench";
/// Frames kept, so a long run does not grow the page's memory.
const MAX_FRAMES: u32 = 100_000;

fn probe() -> Option<Object> {
    let window = web_sys::window()?;
    let existing = Reflect::get(&window, &JsValue::from_str(KEY)).ok()?;
    if existing.is_object() {
        return Some(Object::from(existing));
    }
    let probe = Object::new();
    Reflect::set(&probe, &"frames".into(), &Array::new()).ok()?;
    let speeds: Array = crate::format::SPEEDS
        .iter()
        .map(|s| JsValue::from_f64(*s))
        .collect();
    Reflect::set(&probe, &"speeds".into(), &speeds).ok()?;
    Reflect::set(&probe, &"firstFrameMs".into(), &JsValue::NULL).ok()?;
    Reflect::set(&window, &JsValue::from_str(KEY), &probe).ok()?;
    Some(probe)
}

/// One drawn frame as the probe records it.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    pub advance_ms: f64,
    pub render_ms: f64,
    pub in_flight: usize,
    pub instances: usize,
    pub pgs: usize,
    /// The model's simulated time after the frame, in ms.
    pub sim_ms: f64,
    /// The frame's wall clock, in ms.
    pub wall_ms: f64,
}

/// Records one drawn frame. Does nothing outside a browser.
pub fn record(f: &Frame) {
    let Some(p) = probe() else {
        return;
    };
    let now = crate::state::now_ms();
    if Reflect::get(&p, &"firstFrameMs".into()).is_ok_and(|v| v.is_null()) {
        let _ = Reflect::set(&p, &"firstFrameMs".into(), &JsValue::from_f64(now));
    }
    let _ = Reflect::set(
        &p,
        &"instances".into(),
        &JsValue::from_f64(f.instances as f64),
    );
    let _ = Reflect::set(&p, &"pgs".into(), &JsValue::from_f64(f.pgs as f64));
    let frames = Reflect::get(&p, &"frames".into()).and_then(|f| f.dyn_into::<Array>());
    if let Ok(frames) = frames {
        if frames.length() < MAX_FRAMES {
            let frame = Array::of5(
                &JsValue::from_f64(f.advance_ms),
                &JsValue::from_f64(f.render_ms),
                &JsValue::from_f64(f.in_flight as f64),
                &JsValue::from_f64(f.sim_ms),
                &JsValue::from_f64(f.wall_ms),
            );
            frames.push(&frame);
        }
    }
}
