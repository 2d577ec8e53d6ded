//! Aurora Playground's browser front end.
//!
//! The web crate only decides how the simulation looks: every fact about Aurora comes from
//! `aurora_core`. [`start`] mounts the [`app::App`] component into the page and installs the
//! panic hook that replaces a blank page with an error panel.
#![deny(unsafe_code)]

pub mod actions;
pub mod acu;
pub mod app;
pub mod backups;
pub mod callbacks;
pub mod choices;
pub mod compare;
pub mod components;
pub mod embed;
pub mod export_run;
pub mod files;
pub mod format;
pub mod frame_budget;
pub mod glossary;
pub mod hooks;
pub mod journal;
pub mod layout;
pub mod lesson;
pub mod lesson_file;
pub mod lesson_mode;
pub mod lesson_store;
pub mod lesson_view;
pub mod names;
pub mod page_effects;
pub mod panel_data;
pub mod panic_panel;
pub mod playback;
pub mod probe;
pub mod reached;
pub mod saving;
pub mod selection;
pub mod shared;
pub mod state;
pub mod stream;
pub mod take_away;
pub mod traffic;
pub mod url;
pub mod waits;

/// The element the page provides for the app; without it the app mounts into `<body>`.
pub const MOUNT_ID: &str = "aurora-playground";

/// Installs the panic hook and mounts the app into the page.
pub fn start() {
    panic_panel::install();
    let document = gloo::utils::document();
    match document.get_element_by_id(MOUNT_ID) {
        Some(root) => {
            yew::Renderer::<app::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<app::App>::new().render();
        }
    }
}
