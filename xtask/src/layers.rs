//! `cargo xtask layers`: the core's module graph, layer by layer, and the check that its modules
//! depend only downward (a stage of `cargo xtask test`).
//!
//! Every module of `core/src` belongs to one layer of [`LAYERS`], bottom first. A module may
//! name a module of its own layer or of a lower one; naming one of a higher layer is an upward
//! import. An import is any `crate::a::b` path in the code (a `use crate::` line or a path
//! written inline), read without comments and resolved to the longest module it names; `super::`
//! in a folder's file names the folder's module. A `#[cfg(test)] mod` block is left out: a
//! module's tests may drive it from above. The few upward imports the core still has are
//! listed in [`DEBTS`], each with why: one not listed fails the check, and so does a listed one
//! that is gone, so the list only shrinks. Modules that import each other in a circle fail it
//! too, within a layer as across layers.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::{project, Error, Result};

/// The layers, bottom first: a name, what it holds, and its modules. `a::*` is a folder's
/// module and all its files; `a` alone is only that module.
pub const LAYERS: &[(&str, &str, &[&str])] = &[
    (
        "foundations",
        "time, the seeded PRNG, typed ids",
        &["time", "rng", "ids"],
    ),
    (
        "world",
        "nodes and the network; quorum and LSN arithmetic",
        &["topology", "net", "quorum", "lsn"],
    ),
    (
        "values",
        "what goes in and comes out: commands, events, and the plain types they carry",
        &[
            "role",
            "settings::*",
            "command",
            "backup_command",
            "event::*",
            "report",
        ],
    ),
    (
        "engine",
        "the event queue, message sending, the output stream",
        &["engine"],
    ),
    (
        "subsystems",
        "Aurora's parts, each owning its state",
        &[
            "metrics",
            "invariants",
            "storage::*",
            "compute",
            "compute::instance",
            "compute::writer",
            "compute::read",
            "compute::replica",
            "compute::recovery",
            "endpoint",
            "client",
            "workload",
            "failover",
            "autoscaling",
            "serverless",
            "global",
            "backup::*",
        ],
    ),
    (
        "dispatch",
        "the one place that sees the whole model: routing, command checks, faults, lifecycle",
        &[
            "model",
            "dispatch",
            "dispatch_backup",
            "apply",
            "faults",
            "compute::lifecycle",
        ],
    ),
    (
        "api",
        "the simulation's public surface",
        &[
            "sim",
            "inspect",
            "view",
            "backup_view",
            "measurements",
            "stated",
        ],
    ),
    (
        "runs",
        "built-in scenarios, campaigns, lessons, run files and the baseline model, driving a Sim",
        &[
            "scenario",
            "control",
            "run_file",
            "backup_scenarios",
            "lag_sweep",
            "campaign",
            "lesson::*",
            "baseline::*",
        ],
    ),
    ("crate", "the crate root", &["crate"]),
];

/// Upward imports the core still tolerates, as (from, to, why). There are none left: every
/// handler takes its own subsystem's state and what it needs, and only the dispatch layer sees
/// the whole model. None may be added.
pub const DEBTS: &[(&str, &str, &str)] = &[];

/// One module of the core and the modules it names.
#[derive(Debug)]
pub struct Module {
    pub name: String,
    pub lines: usize,
    pub imports: BTreeMap<String, Vec<String>>,
}

pub fn run(args: &[String]) -> Result {
    let dir = match args {
        [] => project::root().join("core").join("src"),
        [dir] => PathBuf::from(dir),
        _ => return Err(Error::new("usage: cargo xtask layers [SRC-DIR]")),
    };
    let modules = read_tree(&dir)?;
    print!("{}", render(&modules));
    let problems = check(&modules);
    if problems.is_empty() {
        println!(
            "layering: every import runs downward or within its layer, but for the debts listed"
        );
        Ok(())
    } else {
        for p in &problems {
            println!("layering: {p}");
        }
        Err(Error::new(format!(
            "{} layering problem(s)",
            problems.len()
        )))
    }
}

/// The check as a stage: the problems, none when the core depends only downward.
pub fn check_core() -> Result<Vec<String>> {
    let modules = read_tree(&project::root().join("core").join("src"))?;
    Ok(check(&modules))
}

/// Reads every `.rs` file under `dir` as a module of the crate.
pub fn read_tree(dir: &Path) -> Result<Vec<Module>> {
    let mut files = Vec::new();
    collect(dir, &mut files)?;
    files.sort();
    let mut texts = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(dir).unwrap_or(file);
        let text = fs::read_to_string(file)
            .map_err(|e| Error::new(format!("cannot read {}: {e}", file.display())))?;
        texts.push((module_name(rel), text));
    }
    let names: BTreeSet<String> = texts.iter().map(|(n, _)| n.clone()).collect();
    let root = texts
        .iter()
        .find(|(n, _)| n == "crate")
        .map(|(_, t)| root_reexports(t, &names))
        .unwrap_or_default();
    Ok(texts
        .into_iter()
        .map(|(name, text)| {
            let mut imports = imports_of(&name, &text, &names);
            // A name the crate root re-exports is an import of the module that defines it.
            if name != "crate" {
                if let Some(taken) = imports.remove("crate") {
                    for t in taken {
                        let target = root.get(&t).cloned().unwrap_or_else(|| "crate".into());
                        if target != name {
                            let names = imports.entry(target).or_default();
                            if !names.contains(&t) {
                                names.push(t);
                            }
                        }
                    }
                }
            }
            Module {
                lines: text.lines().count(),
                name,
                imports,
            }
        })
        .collect())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> Result {
    let entries =
        fs::read_dir(dir).map_err(|e| Error::new(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// `compute/writer.rs` is `compute::writer`, `compute/mod.rs` is `compute`, `lib.rs` the crate.
pub fn module_name(rel: &Path) -> String {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] {
        return "crate".into();
    }
    parts.join("::")
}

/// The names the crate root re-exports (`pub use command::{Command, Fault};`), each with the
/// module that defines it.
pub fn root_reexports(text: &str, modules: &BTreeSet<String>) -> BTreeMap<String, String> {
    let code = strip_comments(text);
    let mut out = BTreeMap::new();
    for stmt in code.split(';') {
        let Some(rest) = stmt.trim().strip_prefix("pub use ") else {
            continue;
        };
        for path in paths(&format!("crate::{}", rest.trim())) {
            let segs: Vec<&str> = path.split("::").skip(1).collect();
            for n in (1..segs.len()).rev() {
                let candidate = segs[..n].join("::");
                if modules.contains(&candidate) {
                    if let Some(last) = segs.last() {
                        out.insert(last.to_string(), candidate);
                    }
                    break;
                }
            }
        }
    }
    out
}

/// The modules `text` names, each with the names it takes (the path's next segment).
pub fn imports_of(
    me: &str,
    text: &str,
    modules: &BTreeSet<String>,
) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let code = without_test_modules(&strip_comments(text));
    let parent = me.rsplit_once("::").map(|(p, _)| p.to_string());
    for path in paths(&code) {
        let segs: Vec<&str> = path.split("::").collect();
        let full: Vec<String> = match segs[0] {
            "crate" => segs[1..].iter().map(|s| s.to_string()).collect(),
            "super" => match &parent {
                Some(p) => p
                    .split("::")
                    .map(str::to_string)
                    .chain(segs[1..].iter().map(|s| s.to_string()))
                    .collect(),
                None => continue,
            },
            _ => continue,
        };
        // The longest prefix that is a module; the segment after it is what is taken.
        let mut target = None;
        for n in (1..=full.len()).rev() {
            let candidate = full[..n].join("::");
            if modules.contains(&candidate) {
                target = Some((candidate, full.get(n).cloned()));
                break;
            }
        }
        let (target, taken) = match target {
            Some(t) => t,
            None if segs[0] == "super" || !full.is_empty() => {
                ("crate".to_string(), full.first().cloned())
            }
            None => continue,
        };
        if target == me {
            continue;
        }
        let names = out.entry(target).or_default();
        if let Some(t) = taken {
            if !names.contains(&t) {
                names.push(t);
            }
        }
    }
    out
}

/// The code without its `#[cfg(test)] mod name { ... }` blocks: a module's own tests may drive
/// it from above (a scenario, the whole simulation), which is no dependency of the module.
fn without_test_modules(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        let after = &rest[at + "#[cfg(test)]".len()..];
        let head = after.trim_start();
        let is_block = head.starts_with("mod ")
            && head
                .find(['{', ';'])
                .is_some_and(|i| head.as_bytes()[i] == b'{');
        if !is_block {
            out.push_str(&rest[..at + "#[cfg(test)]".len()]);
            rest = after;
            continue;
        }
        out.push_str(&rest[..at]);
        let open = after.find('{').unwrap_or(after.len());
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + i + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Paths starting `crate::` or `super::`, with `use` groups (`crate::a::{b, c::d}`) expanded.
fn paths(code: &str) -> Vec<String> {
    let bytes: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts = |w: &str| bytes[i..].iter().take(w.len()).copied().eq(w.chars());
        let boundary = i == 0
            || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '_' || bytes[i - 1] == ':');
        if boundary && (starts("crate::") || starts("super::")) {
            let (found, end) = read_path(&bytes, i);
            out.extend(found);
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// Reads one path at `i`; a `{...}` group yields a path per member.
fn read_path(c: &[char], mut i: usize) -> (Vec<String>, usize) {
    let mut prefix = String::new();
    while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_' || c[i] == ':') {
        prefix.push(c[i]);
        i += 1;
    }
    if i < c.len() && c[i] == '{' && prefix.ends_with("::") {
        // Split the group's members at top-level commas.
        let mut depth = 0;
        let mut member = String::new();
        let mut members = Vec::new();
        i += 1;
        while i < c.len() {
            match c[i] {
                '{' => {
                    depth += 1;
                    member.push('{');
                }
                '}' if depth == 0 => {
                    i += 1;
                    break;
                }
                '}' => {
                    depth -= 1;
                    member.push('}');
                }
                ',' if depth == 0 => members.push(std::mem::take(&mut member)),
                ch => member.push(ch),
            }
            i += 1;
        }
        members.push(member);
        let mut out = Vec::new();
        for m in members {
            let m: String = m.chars().filter(|ch| !ch.is_whitespace()).collect();
            if m.is_empty() || m == "self" {
                out.push(prefix.trim_end_matches("::").to_string());
                continue;
            }
            let joined: Vec<char> = format!("{prefix}{m}").chars().collect();
            let (inner, _) = read_path(&joined, 0);
            out.extend(inner);
        }
        return (out, i);
    }
    (vec![prefix.trim_end_matches("::").to_string()], i)
}

/// The code without `//` and `/* */` comments and without string literals' contents.
fn strip_comments(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < c.len() {
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            i += 2;
            while i < c.len() && !(c[i] == '*' && c.get(i + 1) == Some(&'/')) {
                i += 1;
            }
            i += 2;
        } else if c[i] == '"' {
            out.push(' ');
            i += 1;
            while i < c.len() && c[i] != '"' {
                if c[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// The layer a module is in, by its index in [`LAYERS`].
pub fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, _, members)| members.iter().any(|m| matches_pattern(m, module)))
}

fn matches_pattern(pattern: &str, module: &str) -> bool {
    match pattern.strip_suffix("::*") {
        Some(folder) => module == folder || module.starts_with(&format!("{folder}::")),
        None => pattern == module,
    }
}

fn is_debt(from: &str, to: &str) -> bool {
    DEBTS
        .iter()
        .any(|(f, t, _)| matches_pattern(f, from) && matches_pattern(t, to))
}

/// Every problem: a module in no layer, an upward import that is not a listed debt, a listed
/// debt the code no longer has.
pub fn check(modules: &[Module]) -> Vec<String> {
    check_against(modules, DEBTS)
}

/// [`check`] against a given list of debts.
pub fn check_against(modules: &[Module], debts: &[(&str, &str, &str)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut used_debts = BTreeSet::new();
    for m in modules {
        let Some(from) = layer_of(&m.name) else {
            problems.push(format!(
                "module `{}` is in no layer: add it to LAYERS in xtask/src/layers.rs",
                m.name
            ));
            continue;
        };
        for (target, names) in &m.imports {
            let Some(to) = layer_of(target) else { continue };
            if to <= from {
                continue;
            }
            if let Some(i) = debts
                .iter()
                .position(|(f, t, _)| matches_pattern(f, &m.name) && matches_pattern(t, target))
            {
                used_debts.insert(i);
                continue;
            }
            problems.push(format!(
                "`{}` ({}) imports `{}` ({}) upward, for {}",
                m.name,
                LAYERS[from].0,
                target,
                LAYERS[to].0,
                names.join(", ")
            ));
        }
    }
    // Within a layer imports may run either way, but never in a loop: modules that need each
    // other are one module split badly.
    for c in circles(modules) {
        problems.push(format!(
            "{} modules import each other in a circle: {}",
            c.len(),
            c.join(" -> ")
        ));
    }
    for (i, (f, t, _)) in debts.iter().enumerate() {
        let present = modules.iter().any(|m| matches_pattern(f, &m.name));
        if present && !used_debts.contains(&i) {
            problems.push(format!(
                "`{f}` no longer imports `{t}` upward: strike it from DEBTS in xtask/src/layers.rs"
            ));
        }
    }
    problems
}

/// Files that import each other in a loop (strongly connected components of two or more).
pub fn circles(modules: &[Module]) -> Vec<Vec<String>> {
    let index: BTreeMap<&str, usize> = modules
        .iter()
        .enumerate()
        .map(|(i, m)| (m.name.as_str(), i))
        .collect();
    let edges: Vec<Vec<usize>> = modules
        .iter()
        .map(|m| {
            m.imports
                .keys()
                .filter_map(|t| index.get(t.as_str()).copied())
                .collect()
        })
        .collect();
    // Tarjan's algorithm, iterative enough for a crate's few dozen modules.
    struct State {
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(v: usize, edges: &[Vec<usize>], s: &mut State) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in &edges[v] {
            match s.index[w] {
                None => {
                    visit(w, edges, s);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                s.out.push(comp);
            }
        }
    }
    let n = modules.len();
    let mut s = State {
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(v, &edges, &mut s);
        }
    }
    let mut out: Vec<Vec<String>> = s
        .out
        .into_iter()
        .map(|c| {
            let mut names: Vec<String> = c.into_iter().map(|i| modules[i].name.clone()).collect();
            names.sort();
            names
        })
        .collect();
    out.sort();
    out
}

/// The graph as text: each layer from the top down, each module with its lines and what it
/// imports (`^` marks an upward import), then the circles.
pub fn render(modules: &[Module]) -> String {
    let mut text = String::new();
    let mut by_layer: BTreeMap<Option<usize>, Vec<&Module>> = BTreeMap::new();
    for m in modules {
        by_layer.entry(layer_of(&m.name)).or_default().push(m);
    }
    let mut upward = 0;
    let mut edges = 0;
    let order: Vec<Option<usize>> = core::iter::once(None)
        .chain((0..LAYERS.len()).rev().map(Some))
        .collect();
    for layer in order {
        let Some(members) = by_layer.get(&layer) else {
            continue;
        };
        match layer {
            Some(l) => text.push_str(&format!("== {} — {}\n", LAYERS[l].0, LAYERS[l].1)),
            None => text.push_str("== in no layer\n"),
        }
        for m in members {
            let mut parts = Vec::new();
            for target in m.imports.keys() {
                edges += 1;
                let up = match (layer, layer_of(target)) {
                    (Some(a), Some(b)) => b > a,
                    _ => false,
                };
                if up {
                    upward += 1;
                    let mark = if is_debt(&m.name, target) { "^" } else { "^!" };
                    parts.push(format!("{mark}{target}"));
                } else {
                    parts.push(target.clone());
                }
            }
            text.push_str(&format!(
                "  {:<20} {:>5}  -> {}\n",
                m.name,
                m.lines,
                parts.join(" ")
            ));
        }
    }
    let circles = circles(modules);
    text.push_str(&format!(
        "{} modules, {} imports, {} upward (^ a listed debt, ^! not listed), {} circle(s)\n",
        modules.len(),
        edges,
        upward,
        circles.len()
    ));
    for c in &circles {
        text.push_str(&format!("circle of {}: {}\n", c.len(), c.join(" ")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn paths_resolve_to_the_longest_module_named() {
        let modules = set(&["compute", "compute::writer", "ids", "storage", "dispatch"]);
        let text = "use crate::compute::writer::{self, Writer};\n\
                    use crate::ids::{NodeId, PgId};\n\
                    // use crate::dispatch::Model;\n\
                    fn f() { crate::compute::Compute::new(); let s = \"crate::storage::x\"; }\n\
                    use super::Storage;\n";
        let imports = imports_of("storage::volume", text, &modules);
        let keys: Vec<&str> = imports.keys().map(String::as_str).collect();
        assert_eq!(keys, ["compute", "compute::writer", "ids", "storage"]);
        assert_eq!(imports["ids"], ["NodeId", "PgId"]);
        assert_eq!(imports["storage"], ["Storage"]);
    }

    #[test]
    fn a_modules_own_tests_are_not_its_imports() {
        let modules = set(&["scenario", "ids", "storage::harness"]);
        let text = "use crate::ids::NodeId;\n\
                    #[cfg(test)]\nmod harness;\n\
                    fn f() { let _ = crate::storage::harness::x; }\n\
                    #[cfg(test)]\nmod tests {\n    use crate::scenario::find;\n    fn g() { {} }\n}\n\
                    fn h() {}\n";
        let imports = imports_of("measurements", text, &modules);
        let keys: Vec<&str> = imports.keys().map(String::as_str).collect();
        assert_eq!(keys, ["ids", "storage::harness"]);
    }

    #[test]
    fn names_the_root_re_exports_are_imports_of_their_modules() {
        let modules = set(&["command", "sim", "crate"]);
        let root = root_reexports(
            "pub mod command;\npub use command::{Command, Fault};\npub use sim::Sim;\n",
            &modules,
        );
        assert_eq!(root["Fault"], "command");
        assert_eq!(root["Sim"], "sim");
    }

    #[test]
    fn module_names_follow_the_files() {
        assert_eq!(module_name(Path::new("compute/mod.rs")), "compute");
        assert_eq!(module_name(Path::new("event/digest.rs")), "event::digest");
        assert_eq!(module_name(Path::new("lib.rs")), "crate");
    }

    fn module(name: &str, imports: &[&str]) -> Module {
        Module {
            name: name.into(),
            lines: 1,
            imports: imports
                .iter()
                .map(|i| (i.to_string(), Vec::new()))
                .collect(),
        }
    }

    #[test]
    fn an_upward_import_fails_and_a_paid_debt_must_be_struck() {
        let ok = [module("ids", &[]), module("time", &["ids"])];
        let problems = check(&ok);
        assert!(problems.is_empty(), "{problems:?}");
        let up = [module("ids", &["sim"]), module("sim", &[])];
        let problems = check(&up);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("`ids` (foundations) imports `sim` (api) upward"));
        // `global` is present and no longer imports dispatch: its debt must go.
        let paid = [module("global", &[]), module("dispatch", &[])];
        let debts = [("global", "dispatch", "its handlers took the whole model")];
        let problems = check_against(&paid, &debts);
        assert!(problems
            .iter()
            .any(|p| p.contains("`global` no longer imports `dispatch`")));
        let unplaced = [module("mystery", &[])];
        assert!(check(&unplaced)[0].contains("in no layer"));
    }

    #[test]
    fn circles_are_found() {
        let ms = [
            module("a", &["b"]),
            module("b", &["c"]),
            module("c", &["a"]),
            module("d", &["a"]),
        ];
        assert_eq!(circles(&ms), vec![vec!["a", "b", "c"]]);
    }

    /// Modules of one layer may import each other, but not in a loop.
    #[test]
    fn a_circle_within_one_layer_fails_the_check() {
        let one_layer = [module("apply", &["faults"]), module("faults", &["apply"])];
        let problems = check(&one_layer);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains("circle: apply -> faults"),
            "{problems:?}"
        );
        assert!(check(&[module("apply", &["faults"]), module("faults", &[])]).is_empty());
    }
}
