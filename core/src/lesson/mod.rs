//! Guided lessons: narrated, checked walkthroughs that run on the live model.
//!
//! A lesson is a plain-text file (`lessons/*.lesson`, format in `docs/lessons.md`) that
//! [`format::parse`] reads into a [`Lesson`]: a scenario to start from and steps, each with
//! narration holding live figures, highlights, actions or a "your turn", a condition on the
//! model to go on, and optionally a prediction whose right answer the model decides.
//! [`run::LessonRun`] plays one on a [`crate::Sim`] through the simulation's public surface
//! (commands in; time, events, view and metrics out), so it sits above everything else in the
//! core. [`summary::play`] plays a lesson to its end headlessly and checks it: every condition
//! reached in bounded simulated time, every prediction decided, every figure resolved.
//!
//! The built-in lessons are the files in `lessons/`: their [`CATALOG`] is always compiled in,
//! their texts natively (the runner, the tests) and in WebAssembly only with the `lesson-texts`
//! feature. The page lists the catalog and fetches a lesson's file when it is opened, so eleven
//! lessons' text is not part of every visitor's first download.

pub mod action;
pub mod condition;
pub mod figure;
pub mod format;
pub mod model;
pub mod observed;
pub mod prediction;
pub mod run;
pub mod summary;

pub use action::{Action, NodeRef};
pub use condition::{Cmp, Condition, Test};
pub use figure::FigureId;
pub use format::{parse, print, LoadError};
pub use model::{Answer, Case, EndpointRef, Highlight, Lesson, Panel, Prediction, Setup, Step};
pub use observed::{EventKind, Observed};
pub use prediction::Decision;
pub use run::{LessonRun, Phase, Resolved};
pub use summary::{play, Summary};

/// A built-in lesson as the picker lists it, known without its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Listing {
    pub name: &'static str,
    pub title: &'static str,
    /// One line for the picker.
    pub summary: &'static str,
    pub minutes: u32,
    pub steps: usize,
}

// `CATALOG` and, natively or with the `lesson-texts` feature, `BUILTIN`: every file in
// `lessons/`, read by `core/build.rs`. Adding a lesson is adding its file.
include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// A built-in lesson's text, when the texts are compiled in (natively, and in WebAssembly with
/// the `lesson-texts` feature); `None` otherwise, and the page fetches `lessons/NAME.lesson`.
pub fn text(name: &str) -> Option<&'static str> {
    #[cfg(any(feature = "lesson-texts", not(target_arch = "wasm32")))]
    {
        BUILTIN.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
    }
    #[cfg(not(any(feature = "lesson-texts", not(target_arch = "wasm32"))))]
    {
        let _ = name;
        None
    }
}

/// A built-in lesson's listing by name.
pub fn listing(name: &str) -> Option<&'static Listing> {
    CATALOG.iter().find(|l| l.name == name)
}

/// The built-in lessons whose texts are compiled in, parsed. A built-in text that does not
/// parse is a bug the test suite catches (`core/tests/lessons.rs`); here it is left out rather
/// than panicking.
pub fn builtin() -> alloc::vec::Vec<Lesson> {
    CATALOG
        .iter()
        .filter_map(|l| text(l.name))
        .filter_map(|text| parse(text).ok())
        .collect()
}

/// One built-in lesson by name.
pub fn find(name: &str) -> Option<Lesson> {
    load(name).and_then(Result::ok)
}

/// One built-in lesson by name, parsed, with its errors if it does not parse.
pub fn load(name: &str) -> Option<Result<Lesson, alloc::vec::Vec<LoadError>>> {
    text(name).map(parse)
}
