//! Lesson progress in the browser's local storage, so a student can come back to it.
//!
//! Storage may be missing or refused (a sandboxed iframe, private browsing, a full quota): then
//! progress lasts as long as the page and nothing complains. Every call here is fallible in the
//! browser and infallible to its caller.

use crate::lesson::Record;

/// The one key the page keeps.
pub const KEY: &str = "aurora-playground.lessons";

#[cfg(target_arch = "wasm32")]
fn storage() -> Option<web_sys::Storage> {
    // Reading `localStorage` itself throws in a sandboxed frame: that is an `Err` here.
    web_sys::window()?.local_storage().ok().flatten()
}

/// Natively (the reducer's tests) there is no browser, so nothing is kept.
#[cfg(not(target_arch = "wasm32"))]
fn storage() -> Option<web_sys::Storage> {
    None
}

/// The record kept, or an empty one.
pub fn load() -> Record {
    storage()
        .and_then(|s| s.get_item(KEY).ok().flatten())
        .map(|text| Record::decode(&text))
        .unwrap_or_default()
}

/// Keeps `record`; returns whether the browser took it.
pub fn save(record: &Record) -> bool {
    storage().is_some_and(|s| s.set_item(KEY, &record.encode()).is_ok())
}

/// Forgets the record; returns whether the browser had storage to clear.
pub fn clear() -> bool {
    storage().is_some_and(|s| s.remove_item(KEY).is_ok())
}
