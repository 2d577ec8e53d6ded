//! `cargo xtask`: the project's tasks, in Rust, with no dependencies.
//!
//! Each task is one entry in [`TASKS`] and one module; a new task is a new module plus one line.

mod bench;
mod build;
mod cmd;
mod csp;
mod css;
mod http;
mod layers;
mod lockfile;
mod project;
mod report;
mod serve;
mod soak;
mod test;
mod tools;

use std::process::ExitCode;

/// A failure to report to the person running the task.
#[derive(Debug)]
pub struct Error(String);

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error(message.into())
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<std::io::Error> for Error {
    fn from(error: std::io::Error) -> Self {
        Error(error.to_string())
    }
}

pub type Result<T = (), E = Error> = std::result::Result<T, E>;

/// One `cargo xtask NAME` command.
struct Task {
    name: &'static str,
    args: &'static str,
    about: &'static str,
    run: fn(&[String]) -> Result,
}

const TASKS: &[Task] = &[
    Task {
        name: "serve",
        args: "[--port N] [--open] [--release] [other trunk serve flags]",
        about: "install what is missing, build, and serve the playground on http://127.0.0.1:8080",
        run: serve::run,
    },
    Task {
        name: "build",
        args: "",
        about: "release build into dist/, with each file's size raw and gzipped",
        run: build::run,
    },
    Task {
        name: "test",
        args: "[STAGE...]",
        about:
            "every check and test; name stages to run only those (see `cargo xtask test --list`)",
        run: test::run,
    },
    Task {
        name: "layers",
        args: "[SRC-DIR]",
        about: "the core's module graph by layer, its circles, and the check that imports run downward",
        run: layers::run,
    },
    Task {
        name: "bench",
        args: "[P1..P5] [--micro] [--no-micro] [--profiles]",
        about: "performance figures against their budgets, and micro-benchmarks of the core",
        run: bench::run,
    },
    Task {
        name: "soak",
        args: "[campaign|soak|fuzz|monkey...] [--quick] [--seeds N] [--events N] [--fuzz N] [--actions N]",
        about: "the reliability harnesses at full size (about an hour), one summary line each",
        run: soak::run,
    },
    Task {
        name: "setup",
        args: "",
        about: "install everything the other tasks need, and nothing else",
        run: tools::setup,
    },
];

fn usage() -> String {
    let mut text = String::from("Usage: cargo xtask <TASK> [ARGS]\n\nTasks:\n");
    for task in TASKS {
        text.push_str(&format!("  {:<7} {}\n", task.name, task.about));
        if !task.args.is_empty() {
            text.push_str(&format!("  {:<7}   args: {}\n", "", task.args));
        }
    }
    text
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(name) = args.first() else {
        eprint!("{}", usage());
        return ExitCode::FAILURE;
    };
    if matches!(name.as_str(), "help" | "-h" | "--help") {
        print!("{}", usage());
        return ExitCode::SUCCESS;
    }
    let Some(task) = TASKS.iter().find(|task| task.name == name) else {
        eprintln!("xtask: no task named `{name}`\n");
        eprint!("{}", usage());
        return ExitCode::FAILURE;
    };
    if let Err(error) = project::prepare_environment() {
        eprintln!("xtask: {error}");
        return ExitCode::FAILURE;
    }
    match (task.run)(&args[1..]) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("xtask {}: {error}", task.name);
            ExitCode::FAILURE
        }
    }
}
