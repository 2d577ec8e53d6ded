//! Writes the built-in lessons' catalog from `lessons/*.lesson`: every file there is a built-in
//! lesson, without a list to keep in step with the folder.
//!
//! The catalog (name, title, summary, minutes, steps) is small and always compiled in: the
//! page's picker lists it before any lesson is open. The texts themselves are compiled in only
//! natively or with the `lesson-texts` feature: the page fetches a lesson's file from beside
//! itself when it is opened, so the lessons do not weigh on its first load.
//!
//! The header is read here the way `lesson::format::parse` reads it (a keyword at the start of a
//! line, indented lines continuing the text above it); `core/tests/lessons.rs` checks that the
//! catalog says what the parser says of every text. The picker's order is the number of each
//! file's first comment (`# Lesson 3. ...`), then the name for files without one.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

struct Listing {
    path: PathBuf,
    order: u32,
    name: String,
    title: String,
    summary: String,
    minutes: u32,
    steps: usize,
}

fn listing(path: &Path, text: &str) -> Listing {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut l = Listing {
        path: path.to_path_buf(),
        order: u32::MAX,
        name: String::new(),
        title: String::new(),
        summary: String::new(),
        minutes: 0,
        steps: 0,
    };
    // Which header text an indented line continues.
    let mut field: Option<&str> = None;
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim();
        if i == 0 {
            if let Some(n) = trimmed
                .strip_prefix("# Lesson ")
                .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
                .and_then(|n| n.parse().ok())
            {
                l.order = n;
            }
        }
        if trimmed.is_empty() {
            field = None;
            continue;
        }
        if trimmed.starts_with('#') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if field == Some("summary") {
                if !l.summary.is_empty() {
                    l.summary.push(' ');
                }
                l.summary.push_str(trimmed);
            }
            continue;
        }
        let (keyword, rest) = trimmed
            .split_once(char::is_whitespace)
            .unwrap_or((trimmed, ""));
        let rest = rest.trim();
        field = None;
        match keyword {
            "step" => l.steps += 1,
            _ if l.steps > 0 => {}
            "lesson" => l.name = rest.to_owned(),
            "title" => l.title = rest.to_owned(),
            "summary" => {
                l.summary = rest.to_owned();
                field = Some("summary");
            }
            "minutes" => l.minutes = rest.parse().unwrap_or(0),
            _ => {}
        }
    }
    l
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dir = root.join("..").join("lessons");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut lessons = Vec::new();
    let entries = std::fs::read_dir(&dir).expect("the lessons folder beside the core");
    for entry in entries {
        let path = entry.expect("a lessons folder entry").path();
        if path.extension().is_some_and(|e| e == "lesson") {
            println!("cargo:rerun-if-changed={}", path.display());
            let text = std::fs::read_to_string(&path).expect("a lesson file in UTF-8");
            lessons.push(listing(&path, &text));
        }
    }
    lessons.sort_by(|a, b| (a.order, &a.name).cmp(&(b.order, &b.name)));

    let mut out = String::from("// Written by core/build.rs from lessons/*.lesson.\n\n");
    out.push_str("/// The built-in lessons, in the order the picker lists them.\n");
    out.push_str("pub const CATALOG: &[Listing] = &[\n");
    for l in &lessons {
        let _ = writeln!(
            out,
            "    Listing {{ name: {:?}, title: {:?}, summary: {:?}, minutes: {}, steps: {} }},",
            l.name, l.title, l.summary, l.minutes, l.steps
        );
    }
    out.push_str("];\n\n");
    out.push_str("/// The built-in lessons' texts: (name, text), in the catalog's order.\n");
    out.push_str("#[cfg(any(feature = \"lesson-texts\", not(target_arch = \"wasm32\")))]\n");
    out.push_str("pub const BUILTIN: &[(&str, &str)] = &[\n");
    for l in &lessons {
        let path = l.path.canonicalize().unwrap_or_else(|_| l.path.clone());
        let _ = writeln!(out, "    ({:?}, include_str!({:?})),", l.name, path);
    }
    out.push_str("];\n");
    let target = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("lessons.rs");
    std::fs::write(target, out).expect("the generated catalog written");
}
