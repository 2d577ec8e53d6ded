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
//! The built-in lessons are compiled in ([`builtin`]): they are small text, and the page then
//! needs no request to open one.

pub mod action;
pub mod condition;
pub mod figure;
pub mod format;
pub mod model;
pub mod prediction;
pub mod run;
pub mod summary;

pub use action::Action;
pub use condition::{Cmp, Condition, EventKind, Observed, Test};
pub use figure::FigureId;
pub use format::{parse, print, LoadError};
pub use model::{
    Answer, Case, EndpointRef, Highlight, Lesson, NodeRef, Panel, Prediction, Setup, Step,
};
pub use prediction::Decision;
pub use run::{LessonRun, Phase, Resolved};
pub use summary::{play, Summary};

/// Compiles in `lessons/NAME.lesson` for each name.
macro_rules! builtin_lessons {
    ($($name:literal)*) => {
        &[$(($name, include_str!(concat!("../../../lessons/", $name, ".lesson"))),)*]
    };
}

/// The built-in lessons' texts, in the order the picker lists them: (name, text). Adding a
/// lesson is adding its file to `lessons/` and its name here.
pub const BUILTIN: &[(&str, &str)] = builtin_lessons![
    "six-copies"
    "losing-an-az"
    "log-is-the-database"
    "storage-grows"
    "read-replicas"
    "e-commerce-failover"
    "crash-recovery"
    "replica-auto-scaling"
    "capacity"
    "global-database"
    "notes-get-wrong"
    "aurora-beside-mysql"
];

/// The built-in lessons, parsed. A built-in text that does not parse is a bug the test suite
/// catches (`core/tests/lessons.rs`); here it is left out rather than panicking.
pub fn builtin() -> alloc::vec::Vec<Lesson> {
    BUILTIN
        .iter()
        .filter_map(|(_, text)| parse(text).ok())
        .collect()
}

/// One built-in lesson by name.
pub fn find(name: &str) -> Option<Lesson> {
    load(name).and_then(Result::ok)
}

/// One built-in lesson by name, parsed, with its errors if it does not parse.
pub fn load(name: &str) -> Option<Result<Lesson, alloc::vec::Vec<LoadError>>> {
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| parse(text))
}
