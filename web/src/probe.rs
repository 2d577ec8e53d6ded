//! The benchmark probe (`?bench=1`): per-frame timings in `window.__auroraBench`, as
//! `bench/page.mjs` reads them:
//!
//! ```text
//! { frames: [[advance_ms, render_ms, in_flight], ...], firstFrameMs, instances, pgs }
//! ```

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
    Reflect::set(&probe, &"firstFrameMs".into(), &JsValue::NULL).ok()?;
    Reflect::set(&window, &JsValue::from_str(KEY), &probe).ok()?;
    Some(probe)
}

/// Records one drawn frame. Does nothing outside a browser.
pub fn record(advance_ms: f64, render_ms: f64, in_flight: usize, instances: usize, pgs: usize) {
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
        &JsValue::from_f64(instances as f64),
    );
    let _ = Reflect::set(&p, &"pgs".into(), &JsValue::from_f64(pgs as f64));
    let frames = Reflect::get(&p, &"frames".into()).and_then(|f| f.dyn_into::<Array>());
    if let Ok(frames) = frames {
        if frames.length() < MAX_FRAMES {
            let frame = Array::of3(
                &JsValue::from_f64(advance_ms),
                &JsValue::from_f64(render_ms),
                &JsValue::from_f64(in_flight as f64),
            );
            frames.push(&frame);
        }
    }
}
