//! The page's panels, one module each; each a pure component of its props.

pub mod backups;
pub mod capacity;
pub mod capacity_form;
pub mod charts;
pub mod compare;
pub mod controls;
pub mod diagram;
pub mod event_log;
pub mod faults;
pub mod help;
pub mod inspector;
pub mod intro;
pub mod lesson_panel;
pub mod lesson_picker;
pub mod lesson_spotlight;
pub mod notices;
pub mod recovery;
pub mod setup;
pub mod take_away;
pub mod world;
