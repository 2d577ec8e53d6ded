//! The page's effects on the browser, as hooks: saving, fetching a lesson's file, the theme,
//! reduced motion, the address bar, copying a link, and timing each drawn frame. Each runs after
//! the render that asked for it, and none dispatches while it reads the run: the reducer runs
//! inside a dispatch and changes the run.

use std::rc::Rc;

use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::hooks::use_media;
use crate::playback::Playback;
use crate::shared::Shared;
use crate::state::{Action, AppState, Theme};
use crate::take_away::Request;
use crate::url;

type Dispatch = UseReducerDispatcher<AppState>;

pub fn page_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The page's address without its query, for share links.
pub fn page_base() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

pub fn share_query(pb: &Playback, speed: f64, with_time: bool, embed: bool) -> String {
    url::query(&url::Share {
        scenario: pb.scenario().name,
        seed: pb.seed(),
        speed,
        at: if with_time {
            pb.now()
        } else {
            aurora_core::SimTime::ZERO
        },
        actions: pb.actions(),
        embed,
        replicas: pb.replicas(),
        engine: pb.engine(),
    })
}

/// Saving happens after the render that asked for it, from the run as it is then.
#[hook]
pub fn use_saving(run: Shared<Playback>, asked: (u64, Option<Request>), dispatch: Dispatch) {
    let (count, request) = asked;
    use_effect_with(count, move |n| {
        let (Some(request), true) = (request, *n > 0) else {
            return;
        };
        // The outcome is told later, not inside the read.
        crate::saving::save(request, &run.read(), move |text, problem| {
            let dispatch = dispatch.clone();
            wasm_bindgen_futures::spawn_local(async move {
                dispatch.dispatch(Action::Notify(text, problem))
            });
        });
    });
}

/// A lesson file (named by the link, or a built-in lesson being opened) is fetched from this
/// site whenever one is asked for.
#[hook]
pub fn use_lesson_fetch(loading: Option<String>, dispatch: Dispatch) {
    use_effect_with(loading, move |loading| {
        if let Some(path) = loading.clone() {
            wasm_bindgen_futures::spawn_local(async move {
                let text = crate::lesson_file::fetch_text(&path).await;
                dispatch.dispatch(Action::LessonText(path, text));
            });
        }
    });
}

/// The system's reduced-motion setting, told to the reducer whenever it changes.
#[hook]
pub fn use_reduced_motion(dispatch: Dispatch) {
    let reduced = use_media("(prefers-reduced-motion: reduce)");
    use_effect_with(reduced, move |on| {
        dispatch.dispatch(Action::SetReducedMotion(*on))
    });
}

/// The theme is an attribute on the root element, so the CSS variables follow it.
#[hook]
pub fn use_theme(theme: Theme) {
    use_effect_with(theme, |theme| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = match theme {
                Theme::Auto => root.remove_attribute("data-theme"),
                Theme::Light => root.set_attribute("data-theme", "light"),
                Theme::Dark => root.set_attribute("data-theme", "dark"),
            };
        }
    });
}

/// Each drawn frame is timed, from building the view (`render_started`) to the DOM's update:
/// the next frame's advance gets what drawing leaves of the frame, and the benchmark probe, when
/// on, records the frame with its render time filled in. Runs after every render (a state the
/// reducer found unchanged renders nothing).
#[hook]
pub fn use_frame_timing(render_started: f64, probe: Option<crate::probe::Frame>) {
    use_effect(move || {
        let render_ms = crate::state::now_ms() - render_started;
        crate::frame_budget::record_render(render_ms);
        if let Some(frame) = probe {
            crate::probe::record(&crate::probe::Frame { render_ms, ..frame });
        }
    });
}

/// The address bar follows the run (not in an embed, whose address is the course page's).
#[hook]
pub fn use_address_bar(embed: bool, address: String) {
    use_effect_with(address, move |q| {
        if !embed && !q.is_empty() {
            if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(q));
            }
        }
    });
}

/// What copying a link needs to know.
pub struct Share {
    /// Counts the requests: a new one copies.
    pub requests: u64,
    /// The iframe's code rather than the link.
    pub as_embed: bool,
    /// The link to the lesson's step, while one is followed.
    pub lesson_link: Option<String>,
    /// The page's address without its query.
    pub base: Rc<String>,
    pub speed: f64,
}

/// Copying a link happens after the render that asked for it. Returns the last link made, for
/// the page to show where the browser will not copy it.
#[hook]
pub fn use_share(share: Share, run: Shared<Playback>, dispatch: Dispatch) -> Option<AttrValue> {
    let link = use_state(|| None::<AttrValue>);
    let Share {
        requests,
        as_embed,
        lesson_link,
        base,
        speed,
    } = share;
    {
        let link = link.clone();
        use_effect_with(requests, move |n| {
            if *n == 0 {
                return;
            }
            // The link to this moment, made only when asked for (in a lesson, to its step); or
            // the iframe embedding it.
            let link_url = {
                let pb = run.read();
                let url = match &lesson_link {
                    Some(q) if !as_embed => format!("{base}{q}"),
                    _ => format!("{base}{}", share_query(&pb, speed, true, as_embed)),
                };
                if as_embed {
                    crate::embed::iframe_code(&url, pb.scenario().name)
                } else {
                    url
                }
            };
            let (by_hand, copied) = if as_embed {
                (
                    "Copy the embed code below into your course page.",
                    "Embed code copied: paste it into your course page.",
                )
            } else {
                (
                    "Copy the link below: it replays this run to this moment.",
                    "Link copied: it replays this run to this moment.",
                )
            };
            let write = web_sys::window()
                .filter(|_| clipboard_allowed())
                .map(|w| w.navigator().clipboard().write_text(&link_url));
            link.set(Some(link_url.into()));
            match write {
                // Only a write the browser confirms is reported as copied.
                Some(promise) => wasm_bindgen_futures::spawn_local(async move {
                    let text = match wasm_bindgen_futures::JsFuture::from(promise).await {
                        Ok(_) => copied,
                        Err(_) => by_hand,
                    };
                    dispatch.dispatch(Action::Notify(text.into(), false));
                }),
                None => dispatch.dispatch(Action::Notify(by_hand.into(), false)),
            }
        });
    }
    (*link).clone()
}

/// Whether this frame may write to the clipboard. A sandboxed or cross-origin iframe without
/// `allow="clipboard-write"` may not, and Chromium logs an error for every attempt, so the page
/// asks first where the browser can say (`document.featurePolicy`) and offers the link to copy
/// by hand instead.
fn clipboard_allowed() -> bool {
    use js_sys::{Function, Reflect};
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let Ok(policy) = Reflect::get(&document, &JsValue::from_str("featurePolicy")) else {
        return true;
    };
    if !policy.is_object() {
        return true;
    }
    Reflect::get(&policy, &JsValue::from_str("allowsFeature"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call1(&policy, &JsValue::from_str("clipboard-write")).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}
