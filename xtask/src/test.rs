//! `cargo xtask test`: every check and test, stage by stage, each with a one-line summary,
//! ending with the totals as `N passed, N failed`.

use std::time::{Duration, Instant};

use crate::build;
use crate::cmd::{Cmd, Output};
use crate::http::StaticServer;
use crate::tools::{Setup, CHROMEDRIVER, CHROMIUM, NO_STD_TARGET, WASM_TARGET};
use crate::{project, report, Error, Result};

/// One stage of the test run.
struct Stage {
    name: &'static str,
    about: &'static str,
    run: fn() -> Result<Tally>,
}

const STAGES: &[Stage] = &[
    Stage {
        name: "fmt",
        about: "cargo fmt --check",
        run: fmt,
    },
    Stage {
        name: "layers",
        about: "the core's modules import only downward (cargo xtask layers)",
        run: layering,
    },
    Stage {
        name: "clippy",
        about: "clippy, native, warnings denied",
        run: clippy_native,
    },
    Stage {
        name: "clippy-wasm",
        about: "clippy, wasm32, warnings denied",
        run: clippy_wasm,
    },
    Stage {
        name: "unit",
        about: "cargo test --workspace, native",
        run: unit,
    },
    Stage {
        name: "no-std",
        about: "aurora-core built with no std (wasm32v1-none)",
        run: no_std,
    },
    Stage {
        name: "wasm",
        about: "web component tests in headless Chromium",
        run: wasm,
    },
    Stage {
        name: "e2e",
        about: "release build served on 127.0.0.1, Playwright end to end",
        run: e2e,
    },
];

/// What a stage counted. A check (fmt, clippy, a build) counts as one test.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub passed: u32,
    pub failed: u32,
}

impl Tally {
    fn check(ok: bool) -> Self {
        if ok {
            Tally {
                passed: 1,
                failed: 0,
            }
        } else {
            Tally {
                passed: 0,
                failed: 1,
            }
        }
    }

    /// The counts a test runner printed; a failed run whose failures were not counted (a build
    /// error, a crash) adds one failure so it cannot pass unnoticed.
    fn from_run(output: &Output, parse: fn(&str) -> Option<Tally>) -> Self {
        let mut tally = parse(&output.text).unwrap_or_default();
        if !output.success && tally.failed == 0 {
            tally.failed += 1;
        }
        if output.success && tally.passed == 0 && tally.failed == 0 {
            // A runner that ran nothing has not shown anything works.
            tally.failed += 1;
        }
        tally
    }

    fn add(&mut self, other: Tally) {
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

pub fn run(args: &[String]) -> Result {
    if args.iter().any(|a| a == "--list") {
        for stage in STAGES {
            println!("{:<12} {}", stage.name, stage.about);
        }
        return Ok(());
    }
    let chosen: Vec<&Stage> = if args.is_empty() {
        STAGES.iter().collect()
    } else {
        args.iter()
            .map(|name| {
                STAGES.iter().find(|s| s.name == name).ok_or_else(|| {
                    let names: Vec<&str> = STAGES.iter().map(|s| s.name).collect();
                    Error::new(format!(
                        "no stage `{name}`; stages are: {}",
                        names.join(", ")
                    ))
                })
            })
            .collect::<Result<_>>()?
    };

    let started = Instant::now();
    let mut setup = Setup::new();
    setup.test_tools()?;
    setup.finish();

    let mut results = Vec::new();
    for (i, stage) in chosen.iter().enumerate() {
        println!(
            "\n==> [{}/{}] {}: {}",
            i + 1,
            chosen.len(),
            stage.name,
            stage.about
        );
        let stage_started = Instant::now();
        let (tally, error) = match (stage.run)() {
            Ok(tally) => (tally, None),
            Err(error) => (Tally::check(false), Some(error)),
        };
        let took = stage_started.elapsed();
        let line = summary_line(stage.name, tally, took);
        match &error {
            Some(error) => println!("{line}  ({error})"),
            None => println!("{line}"),
        }
        results.push((stage, tally, took, error));
    }

    println!("\n==> summary");
    let mut total = Tally::default();
    for (stage, tally, took, error) in &results {
        let line = summary_line(stage.name, *tally, *took);
        match error {
            Some(error) => println!("{line}  ({error})"),
            None => println!("{line}"),
        }
        total.add(*tally);
    }
    println!("total time {}", report::duration(started.elapsed()));
    println!("{} passed, {} failed", total.passed, total.failed);
    if total.failed == 0 {
        Ok(())
    } else {
        Err(Error::new(format!("{} failed", total.failed)))
    }
}

fn summary_line(name: &str, tally: Tally, took: Duration) -> String {
    let verdict = if tally.failed == 0 { "ok  " } else { "FAIL" };
    format!(
        "{verdict} {name:<12} {:>4} passed, {:>3} failed  in {}",
        tally.passed,
        tally.failed,
        report::duration(took)
    )
}

fn cargo() -> Cmd {
    Cmd::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn check(cmd: Cmd) -> Result<Tally> {
    Ok(Tally::check(cmd.run().is_ok()))
}

/// Each problem is printed; the stage counts as one check.
fn layering() -> Result<Tally> {
    let problems = crate::layers::check_core()?;
    for p in &problems {
        println!("layering: {p}");
    }
    Ok(Tally::check(problems.is_empty()))
}

fn fmt() -> Result<Tally> {
    check(cargo().args(["fmt", "--all", "--check"]))
}

fn clippy_native() -> Result<Tally> {
    check(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}

/// xtask and the headless runner are host tools (they start processes, read files, time
/// themselves) and are left out.
fn clippy_wasm() -> Result<Tally> {
    check(cargo().args([
        "clippy",
        "--workspace",
        "--exclude",
        "xtask",
        "--exclude",
        "aurora-sim",
        "--all-targets",
        "--target",
        WASM_TARGET,
        "--",
        "-D",
        "warnings",
    ]))
}

fn unit() -> Result<Tally> {
    let output = cargo().args(["test", "--workspace"]).run_teed()?;
    Ok(Tally::from_run(&output, parse_libtest))
}

fn no_std() -> Result<Tally> {
    check(cargo().args([
        "build",
        "-p",
        "aurora-core",
        "--lib",
        "--no-default-features",
        "--target",
        NO_STD_TARGET,
    ]))
}

/// The runner reads Chromium's flags from `web/webdriver.json`.
fn wasm() -> Result<Tally> {
    let output = cargo()
        .args(["test", "-p", "aurora-web", "--target", WASM_TARGET])
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env(
            "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
            project::root().join("web").join("webdriver.json"),
        )
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120")
        .run_teed()?;
    Ok(Tally::from_run(&output, parse_libtest))
}

/// The path the end-to-end tests serve the build under, as a course site might.
pub const E2E_PREFIX: &str = "/courses/databases/aurora-playground/";

fn e2e() -> Result<Tally> {
    let out = project::target_dir().join("e2e");
    let dist = out.join("dist");
    build::release_build(&dist)?;
    build::print_sizes(&dist)?;

    let server = StaticServer::start(&dist, E2E_PREFIX)?;
    let url = server.url();
    let (status, body) = server.get("")?;
    let body = String::from_utf8_lossy(&body);
    if status != 200 || !body.contains("aurora-web") {
        return Err(Error::new(format!(
            "the server at {url} does not serve the new build (status {status})"
        )));
    }
    println!("serving {} at {url}", dist.display());

    // `AURORA_E2E=e2e/compare.test.mjs` runs only the named files (space-separated).
    let files = std::env::var("AURORA_E2E").unwrap_or_else(|_| "e2e/".to_string());
    let output = Cmd::new("node")
        .args(["--test", "--test-reporter=spec"])
        .args(files.split_whitespace())
        .env("AURORA_URL", &url)
        .env("AURORA_SCREENSHOTS", &out)
        .env("AURORA_CHROMIUM", CHROMIUM)
        .run_teed();
    drop(server);
    let tally = Tally::from_run(&output?, parse_node_test);
    println!("screenshots in {}", out.display());
    Ok(tally)
}

/// Sums libtest's `test result: ok. 3 passed; 0 failed; ...` lines (cargo test, doc tests and
/// wasm-bindgen-test-runner all print them).
pub fn parse_libtest(text: &str) -> Option<Tally> {
    let mut total: Option<Tally> = None;
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("test result:") else {
            continue;
        };
        let count = |word: &str| -> u32 {
            rest.split(';')
                .filter_map(|part| part.trim().strip_suffix(word))
                .filter_map(|n| n.trim().rsplit(' ').next()?.parse().ok())
                .next()
                .unwrap_or(0)
        };
        total.get_or_insert_with(Tally::default).add(Tally {
            passed: count("passed"),
            failed: count("failed"),
        });
    }
    total
}

/// Reads node's test runner totals: `ℹ pass 5` / `ℹ fail 0` (spec) or `# pass 5` (TAP).
fn parse_node_test(text: &str) -> Option<Tally> {
    let mut passed = None;
    let mut failed = None;
    for line in text.lines() {
        let line = line.trim_start_matches(['ℹ', '#', ' ']);
        if let Some(n) = line.strip_prefix("pass ") {
            passed = n.trim().parse().ok();
        } else if let Some(n) = line.strip_prefix("fail ") {
            failed = n.trim().parse().ok();
        }
    }
    Some(Tally {
        passed: passed?,
        failed: failed.unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_results_are_summed_across_binaries() {
        let text = "\
running 2 tests
test a ... ok
test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

test result: FAILED. 10 passed; 3 failed; 1 ignored; 0 measured; 0 filtered out
test result: ok. 4 passed; 0 failed; 0 ignored; 0 filtered out; finished in 0.05s
";
        assert_eq!(
            parse_libtest(text),
            Some(Tally {
                passed: 16,
                failed: 3
            })
        );
        assert_eq!(parse_libtest("error[E0425]: cannot find value"), None);
    }

    #[test]
    fn node_totals_are_read_from_spec_and_tap() {
        let spec = "✔ shows three zones (120ms)\nℹ tests 5\nℹ pass 4\nℹ fail 1\nℹ cancelled 0\n";
        assert_eq!(
            parse_node_test(spec),
            Some(Tally {
                passed: 4,
                failed: 1
            })
        );
        assert_eq!(
            parse_node_test("# tests 3\n# pass 3\n# fail 0\n"),
            Some(Tally {
                passed: 3,
                failed: 0
            })
        );
        assert_eq!(parse_node_test("node: bad option"), None);
    }

    #[test]
    fn a_failed_run_never_counts_as_clean() {
        let crashed = Output {
            success: false,
            text: "error: could not compile".into(),
        };
        assert_eq!(Tally::from_run(&crashed, parse_libtest).failed, 1);
        let empty = Output {
            success: true,
            text: "test result: ok. 0 passed; 0 failed;".into(),
        };
        assert_eq!(Tally::from_run(&empty, parse_libtest).failed, 1);
        let fine = Output {
            success: true,
            text: "test result: ok. 7 passed; 0 failed;".into(),
        };
        assert_eq!(
            Tally::from_run(&fine, parse_libtest),
            Tally {
                passed: 7,
                failed: 0
            }
        );
    }

    #[test]
    fn stage_names_are_unique() {
        let mut names: Vec<&str> = STAGES.iter().map(|s| s.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), STAGES.len());
    }
}
