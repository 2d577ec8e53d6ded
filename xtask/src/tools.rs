//! Making sure of every tool the tasks use: each is probed first (present, at the right version)
//! and installed only when missing or mismatched, through rustup, cargo, npm or apt-get.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::cmd::Cmd;
use crate::{lockfile, project, report, Error, Result};

/// The Trunk release the project builds with (0.22 needs a newer rustc than the project's).
pub const TRUNK_VERSION: &str = "0.21.14";
/// The browser target of the web crate.
pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// A target without `std`, to prove the core builds with none.
pub const NO_STD_TARGET: &str = "wasm32v1-none";
/// Debian's Chromium and the matching WebDriver, for browser tests.
pub const BROWSER_PACKAGES: [&str; 2] = ["chromium", "chromium-driver"];
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// What a probe found.
enum Probe {
    /// Present and right; the text says which and where.
    Ready(String),
    /// Absent, or present but wrong; the text says which.
    Needed(String),
}

/// Runs probes and installs, and keeps what was installed and how long it took.
pub struct Setup {
    started: Instant,
    installed: Vec<(String, Duration)>,
}

impl Setup {
    pub fn new() -> Self {
        println!("==> checking tools");
        Setup {
            started: Instant::now(),
            installed: Vec::new(),
        }
    }

    fn ensure(
        &mut self,
        what: &str,
        probe: impl Fn() -> Probe,
        install: impl FnOnce() -> Result,
    ) -> Result {
        let reason = match probe() {
            Probe::Ready(found) => {
                println!("    ok   {what}: {found}");
                return Ok(());
            }
            Probe::Needed(reason) => reason,
        };
        println!("    need {what}: {reason}");
        let started = Instant::now();
        report::step(&format!("install {what}"), install)?;
        self.installed.push((what.to_owned(), started.elapsed()));
        match probe() {
            Probe::Ready(found) => {
                println!("    ok   {what}: {found}");
                Ok(())
            }
            Probe::Needed(reason) => Err(Error::new(format!(
                "{what} is still not usable after installing it: {reason}"
            ))),
        }
    }

    /// Prints what was installed, with times, and the total.
    pub fn finish(self) {
        let total = report::duration(self.started.elapsed());
        if self.installed.is_empty() {
            println!("<== tools: all present, checked in {total}");
            return;
        }
        let list: Vec<String> = self
            .installed
            .iter()
            .map(|(what, took)| format!("{what} in {}", report::duration(*took)))
            .collect();
        println!(
            "<== tools: installed {}; set-up took {total}",
            list.join(", ")
        );
    }

    /// Everything `serve` and `build` need: the wasm target, Trunk, wasm-bindgen at the lock
    /// file's version, and the npm packages (wasm-opt).
    pub fn build_tools(&mut self) -> Result {
        self.rust_target(WASM_TARGET)?;
        self.trunk()?;
        self.wasm_bindgen()?;
        self.node()?;
        self.node_modules()
    }

    /// Everything `test` needs: the build tools, rustfmt and clippy, the no-std target, and
    /// Chromium with ChromeDriver.
    pub fn test_tools(&mut self) -> Result {
        self.rust_components()?;
        self.rust_target(NO_STD_TARGET)?;
        self.build_tools()?;
        self.browser()
    }

    fn rust_components(&mut self) -> Result {
        self.ensure(
            "rustfmt and clippy",
            || {
                let fmt = Cmd::new("cargo").args(["fmt", "--version"]).read();
                let clippy = Cmd::new("cargo").args(["clippy", "--version"]).read();
                match (fmt, clippy) {
                    (Some(fmt), Some(clippy)) => Probe::Ready(format!("{fmt}; {clippy}")),
                    _ => Probe::Needed("missing".into()),
                }
            },
            || {
                Cmd::new("rustup")
                    .args(["component", "add", "rustfmt", "clippy"])
                    .run()
            },
        )
    }

    fn rust_target(&mut self, target: &str) -> Result {
        self.ensure(
            &format!("Rust target {target}"),
            || {
                let Some(installed) = Cmd::new("rustup")
                    .args(["target", "list", "--installed"])
                    .read()
                else {
                    return Probe::Needed("rustup is not answering".into());
                };
                if installed.lines().any(|line| line.trim() == target) {
                    Probe::Ready("installed".into())
                } else {
                    Probe::Needed("missing".into())
                }
            },
            || Cmd::new("rustup").args(["target", "add", target]).run(),
        )
    }

    fn trunk(&mut self) -> Result {
        self.ensure(
            &format!("trunk {TRUNK_VERSION}"),
            || versioned_tool("trunk", &format!("trunk {TRUNK_VERSION}")),
            || {
                Cmd::new("cargo")
                    .args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"])
                    .run()
            },
        )
    }

    fn wasm_bindgen(&mut self) -> Result {
        let version = lockfile::version_of(&project::root().join("Cargo.lock"), "wasm-bindgen")?;
        self.ensure(
            &format!("wasm-bindgen-cli {version}"),
            || match (
                versioned_tool("wasm-bindgen", &format!("wasm-bindgen {version}")),
                versioned_tool(
                    "wasm-bindgen-test-runner",
                    &format!("wasm-bindgen-test-runner {version}"),
                ),
            ) {
                (Probe::Ready(cli), Probe::Ready(_)) => Probe::Ready(cli),
                (Probe::Needed(reason), _) | (_, Probe::Needed(reason)) => Probe::Needed(reason),
            },
            // The CLI's own lock file does not build with the current toolchain, so no --locked.
            || {
                Cmd::new("cargo")
                    .args(["install", "wasm-bindgen-cli", "--version", &version])
                    .run()
            },
        )
    }

    fn node(&mut self) -> Result {
        self.ensure(
            "Node.js and npm",
            || {
                let node = Cmd::new("node").arg("--version").read();
                let npm = Cmd::new("npm").arg("--version").read();
                match (node, npm) {
                    (Some(node), Some(npm)) => Probe::Ready(format!("node {node}, npm {npm}")),
                    _ => Probe::Needed("missing".into()),
                }
            },
            || apt_install(&["nodejs", "npm"]),
        )
    }

    fn node_modules(&mut self) -> Result {
        let wasm_opt = wasm_opt_version()?;
        self.ensure(
            "npm packages (package-lock.json)",
            || node_modules_probe(&wasm_opt),
            || {
                Cmd::new("npm")
                    .args(["ci", "--no-audit", "--no-fund"])
                    .run()
            },
        )
    }

    /// Debian's Chromium and ChromeDriver.
    pub fn browser(&mut self) -> Result {
        self.ensure(
            "Chromium and ChromeDriver",
            || {
                let chromium = Cmd::new(CHROMIUM).arg("--version").read();
                let driver = Cmd::new(CHROMEDRIVER).arg("--version").read();
                match (chromium, driver) {
                    (Some(chromium), Some(driver)) => {
                        let driver = driver.split(" (").next().unwrap_or(&driver).to_owned();
                        Probe::Ready(format!("{chromium}; {driver}"))
                    }
                    (None, _) => Probe::Needed(format!("no {CHROMIUM}")),
                    (_, None) => Probe::Needed(format!("no {CHROMEDRIVER}")),
                }
            },
            || apt_install(&BROWSER_PACKAGES),
        )
    }
}

/// `cargo xtask setup`: installs whatever any task needs.
pub fn setup(args: &[String]) -> Result {
    if let Some(extra) = args.first() {
        return Err(Error::new(format!(
            "setup takes no arguments, got `{extra}`"
        )));
    }
    let mut setup = Setup::new();
    setup.test_tools()?;
    setup.finish();
    Ok(())
}

/// Ready when `program --version` prints `expected` (as the first words).
fn versioned_tool(program: &str, expected: &str) -> Probe {
    let Some(path) = project::which(program) else {
        return Probe::Needed("not on PATH".into());
    };
    match Cmd::new(path.to_string_lossy()).arg("--version").read() {
        Some(version) if version.starts_with(expected) => {
            Probe::Ready(format!("{version} at {}", path.display()))
        }
        Some(version) => Probe::Needed(format!("{} is `{version}`", path.display())),
        None => Probe::Needed(format!("{} does not run", path.display())),
    }
}

/// The binaryen version that `Trunk.toml` asks for, e.g. `version_132`.
fn wasm_opt_version() -> Result<String> {
    let path = project::root().join("Trunk.toml");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))?;
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("wasm_opt"))
        .filter_map(|rest| rest.trim_start().strip_prefix('='))
        .map(|value| value.trim().trim_matches('"').to_owned())
        .next()
        .ok_or_else(|| Error::new(format!("{} sets no [tools] wasm_opt", path.display())))
}

fn node_modules_probe(wasm_opt: &str) -> Probe {
    let root = project::root();
    let installed = root.join("node_modules").join(".package-lock.json");
    if !is_newer_or_same(&installed, &root.join("package-lock.json")) {
        return Probe::Needed("node_modules is missing or older than package-lock.json".into());
    }
    if !root
        .join("node_modules")
        .join("playwright-core")
        .join("package.json")
        .is_file()
    {
        return Probe::Needed("no playwright-core in node_modules".into());
    }
    let bin = root.join("node_modules").join(".bin").join("wasm-opt");
    match Cmd::new(bin.to_string_lossy()).arg("--version").read() {
        Some(version) if version.contains(&format!("({wasm_opt})")) => {
            Probe::Ready(format!("{version}, playwright-core"))
        }
        Some(version) => Probe::Needed(format!("wasm-opt is `{version}`, want {wasm_opt}")),
        None => Probe::Needed("no node_modules/.bin/wasm-opt".into()),
    }
}

fn is_newer_or_same(path: &Path, than: &Path) -> bool {
    let modified = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    match (modified(path), modified(than)) {
        (Some(a), Some(b)) => a >= b,
        _ => false,
    }
}

fn is_root() -> bool {
    Cmd::new("id").arg("-u").read().as_deref() == Some("0")
}

/// Installs Debian packages when running as root; otherwise stops, naming them.
fn apt_install(packages: &[&str]) -> Result {
    if !is_root() {
        return Err(Error::new(format!(
            "missing Debian packages: {names}. Install them with \
             `sudo apt-get install {names}` and run this again.",
            names = packages.join(" ")
        )));
    }
    Cmd::new("apt-get")
        .args(["update", "-q"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()?;
    Cmd::new("apt-get")
        .args(["install", "-y", "-q"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()
}
