//! `cargo xtask bench`: the performance figures P1–P6, each printed as one line against its
//! budget (`OK` or `OVER`), after the micro-benchmarks of the core's hot paths.
//!
//! | figure | what | budget |
//! |---|---|---|
//! | P1 | engine cost per event of `e-commerce`, against a bare binary-heap loop | ratio ≤ 3 |
//! | P2 | a million commits, 6 copies, 3 replicas: native, and WebAssembly under Node | ≤ 1 s; ≤ 2× native |
//! | P3 | the release build, every file gzipped | ≤ 150 KB |
//! | P4 | frame time (model advance + render), 16 instances, busiest speed, 10 s once the page is in use | p95 ≤ 4 ms |
//! | P5 | navigation to the first drawn diagram, median of 5 loads | ≤ 300 ms |
//! | P6 | frame time at every speed the page offers, 16 instances, 3 s each once the page is in use; speed reached | p95 ≤ 12 ms, p99 ≤ 16.7 ms |
//!
//! P1 and P2 come from `bench/` (the `aurora-bench` crate and `bench/p2.mjs`), P4–P6 from
//! `bench/page.mjs` and the page's `?bench=1` probe. `--profiles` adds P3's table of what each
//! release-profile setting and wasm-opt do to the page's weight (it rebuilds the page several
//! times: minutes).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::build;
use crate::cmd::Cmd;
use crate::http::StaticServer;
use crate::tools::{Setup, CHROMIUM, WASM_TARGET};
use crate::{project, report, Error, Result};

/// The figures, in order.
const FIGURES: [&str; 6] = ["P1", "P2", "P3", "P4", "P5", "P6"];

/// P1: the engine may cost at most this many bare heap push+pop pairs per event.
const P1_MAX_RATIO: f64 = 3.0;
/// P2: a million commits natively, in milliseconds; WebAssembly at most this factor slower.
const P2_MAX_NATIVE_MS: f64 = 1_000.0;
const P2_MAX_WASM_FACTOR: f64 = 2.0;
/// P3: every file of the release build, gzipped, in bytes (KB = 1,000 bytes).
const P3_MAX_GZIP_BYTES: u64 = 150_000;
/// P3's stretch: the weight of a static diagram page (RaftScope with its libraries: 66.5 KB).
const P3_STRETCH_GZIP_BYTES: u64 = 100_000;
/// P4: the 95th percentile of frame time, in milliseconds.
const P4_MAX_P95_MS: f64 = 4.0;
/// P4's load: instances, protection groups, and the most messages in flight in one frame.
const P4_INSTANCES: f64 = 16.0;
const P4_PGS: f64 = 4.0;
const P4_MIN_IN_FLIGHT: f64 = 200.0;
/// P5: the median time to the first drawn diagram, in milliseconds.
const P5_MAX_MS: f64 = 300.0;
/// P6: at every speed the page offers, the 95th and 99th percentiles of frame time, in ms; the
/// 99th is a 60 Hz display's frame.
const P6_MAX_P95_MS: f64 = 12.0;
const P6_MAX_P99_MS: f64 = 16.7;

/// How a figure came out.
#[derive(Debug, Clone, PartialEq)]
enum Verdict {
    Ok,
    Over,
    NotMeasured(String),
}

/// One printed line: `P1 what: value (budget ...) OK`.
#[derive(Debug, Clone, PartialEq)]
struct Line {
    figure: &'static str,
    what: String,
    value: String,
    budget: String,
    verdict: Verdict,
    /// Said after the verdict: a condition of the measurement that was not met.
    caveat: Option<String>,
}

impl Line {
    fn judged(figure: &'static str, what: &str, value: String, budget: &str, ok: bool) -> Self {
        Line {
            figure,
            what: what.to_owned(),
            value,
            budget: budget.to_owned(),
            verdict: if ok { Verdict::Ok } else { Verdict::Over },
            caveat: None,
        }
    }

    fn not_measured(figure: &'static str, what: &str, budget: &str, why: String) -> Self {
        Line {
            figure,
            what: what.to_owned(),
            value: String::new(),
            budget: budget.to_owned(),
            verdict: Verdict::NotMeasured(why),
            caveat: None,
        }
    }

    fn text(&self) -> String {
        let text = self.verdict_text();
        match &self.caveat {
            Some(caveat) => format!("{text}, {caveat}"),
            None => text,
        }
    }

    fn verdict_text(&self) -> String {
        match &self.verdict {
            Verdict::Ok => format!(
                "{} {}: {} (budget {}) OK",
                self.figure, self.what, self.value, self.budget
            ),
            Verdict::Over => format!(
                "{} {}: {} (budget {}) OVER",
                self.figure, self.what, self.value, self.budget
            ),
            Verdict::NotMeasured(why) => format!(
                "{} {}: NOT MEASURED ({why}) (budget {})",
                self.figure, self.what, self.budget
            ),
        }
    }
}

/// What to run, from the command line.
#[derive(Debug, PartialEq)]
struct Plan {
    figures: Vec<&'static str>,
    micro: bool,
    profiles: bool,
}

fn plan(args: &[String]) -> Result<Plan> {
    let mut figures = Vec::new();
    let mut micro = None;
    let mut profiles = false;
    for arg in args {
        match arg.as_str() {
            "--profiles" => profiles = true,
            "--micro" => micro = Some(true),
            "--no-micro" => micro = Some(false),
            name => {
                let figure = FIGURES
                    .iter()
                    .find(|f| f.eq_ignore_ascii_case(name))
                    .ok_or_else(|| {
                        Error::new(format!(
                            "unknown argument `{name}`; give figures ({}), --micro, \
                             --no-micro or --profiles",
                            FIGURES.join(", ")
                        ))
                    })?;
                if !figures.contains(figure) {
                    figures.push(*figure);
                }
            }
        }
    }
    // Naming only options runs just them; naming nothing runs every figure.
    let only_options = figures.is_empty() && (micro == Some(true) || profiles);
    if figures.is_empty() && !only_options {
        figures = FIGURES.to_vec();
    }
    figures.sort_by_key(|f| FIGURES.iter().position(|g| g == f));
    Ok(Plan {
        micro: micro.unwrap_or(!only_options && figures.len() == FIGURES.len()),
        figures,
        profiles,
    })
}

pub fn run(args: &[String]) -> Result {
    let plan = plan(args)?;
    let wants = |figure: &str| plan.figures.contains(&figure);
    let mut setup = Setup::new();
    let page_figures = wants("P4") || wants("P5") || wants("P6");
    if wants("P2") || wants("P3") || page_figures || plan.profiles {
        setup.build_tools()?;
    }
    if wants("P4") || wants("P5") || wants("P6") {
        setup.browser()?;
    }
    setup.finish();

    let load_before = load();
    let out = project::target_dir().join("bench");
    let mut lines = Vec::new();
    if plan.micro {
        report::step("micro-benchmarks (core/benches/hot_paths.rs)", micro)?;
    }
    if wants("P1") {
        lines.push(report::step("P1: engine and bare heap", p1)?);
    }
    if wants("P2") {
        lines.extend(report::step("P2: a million commits", || p2(&out))?);
    }
    if wants("P3") || page_figures {
        let dist = out.join("dist");
        build::release_build(&dist)?;
        if wants("P3") {
            lines.push(p3(&dist)?);
        }
        if page_figures {
            let page = report::step("P4–P6: the page in Chromium", || page(&dist))?;
            lines.extend(page.into_iter().filter(|l| wants(l.figure)));
        }
    }
    if plan.profiles {
        report::step("P3 profiles: page weight by release setting", || {
            profiles(&out.join("profiles"))
        })?;
    }

    if lines.is_empty() {
        return Ok(());
    }
    println!(
        "\n==> budgets (load average {load_before} at the start, {} at the end, on {} cores: \
         other work on the machine makes times longer)",
        load(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    for line in &lines {
        println!("{}", line.text());
    }
    let over: Vec<&str> = lines
        .iter()
        .filter(|l| l.verdict == Verdict::Over)
        .map(|l| l.figure)
        .collect();
    if over.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!("over budget: {}", over.join(", "))))
    }
}

/// The one-minute load average, if the system tells it.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".into())
}

fn cargo() -> Cmd {
    Cmd::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn micro() -> Result {
    cargo()
        .args(["bench", "-p", "aurora-core", "--bench", "hot_paths"])
        .run()
}

/// `key=value` fields of the last line starting `result NAME ` in a run's output.
fn result_fields(text: &str, name: &str) -> Option<BTreeMap<String, String>> {
    let prefix = format!("result {name} ");
    let line = text
        .lines()
        .rev()
        .find_map(|line| line.trim().strip_prefix(prefix.as_str()))?;
    Some(
        line.split_whitespace()
            .filter_map(|pair| pair.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    )
}

/// Runs `cmd` with its output shown, and reads its `result NAME` line.
fn measure(cmd: Cmd, name: &str) -> Result<BTreeMap<String, String>> {
    let output = cmd.run_teed()?;
    if !output.success {
        return Err(Error::new(format!("`{name}` measurement failed")));
    }
    result_fields(&output.text, name)
        .ok_or_else(|| Error::new(format!("no `result {name}` line in the output")))
}

fn number(fields: &BTreeMap<String, String>, key: &str) -> Result<f64> {
    fields
        .get(key)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| Error::new(format!("no number `{key}` among {fields:?}")))
}

fn native(figure: &str) -> Result<BTreeMap<String, String>> {
    measure(
        cargo().args([
            "run",
            "--quiet",
            "--profile",
            "bench",
            "-p",
            "aurora-bench",
            "--",
            figure,
        ]),
        figure,
    )
}

fn p1() -> Result<Line> {
    let f = native("p1")?;
    let (engine, heap, ratio) = (
        number(&f, "engine_ns")?,
        number(&f, "heap_ns")?,
        number(&f, "ratio")?,
    );
    Ok(p1_line(engine, heap, ratio, &f))
}

fn p1_line(engine: f64, heap: f64, ratio: f64, f: &BTreeMap<String, String>) -> Line {
    let events = f.get("events").map_or("?", String::as_str);
    let pending = f.get("pending").map_or("?", String::as_str);
    Line::judged(
        "P1",
        &format!("engine cost per event (e-commerce, {events} events)"),
        format!(
            "{engine:.1} ns/event vs {heap:.1} ns for a bare heap push+pop \
             ({pending} queued), ratio {ratio:.2}"
        ),
        &format!("ratio ≤ {P1_MAX_RATIO}"),
        ratio <= P1_MAX_RATIO,
    )
}

fn p2(out: &Path) -> Result<Vec<Line>> {
    let native = native("p2")?;
    let native_ms = number(&native, "ms")?;
    let mut lines = vec![Line::judged(
        "P2",
        "1M commits, 6 copies, 3 replicas, native",
        format!("{native_ms:.0} ms"),
        "≤ 1 s",
        native_ms <= P2_MAX_NATIVE_MS,
    )];
    let wasm = p2_wasm(out)?;
    let wasm_ms = number(&wasm, "ms")?;
    if wasm.get("digest") != native.get("digest") {
        return Err(Error::new(format!(
            "the WebAssembly run did other work than the native one: {wasm:?} vs {native:?}"
        )));
    }
    let node = wasm.get("node").map_or("", String::as_str);
    let factor = wasm_ms / native_ms;
    lines.push(Line::judged(
        "P2",
        &format!("1M commits, 6 copies, 3 replicas, WebAssembly in Node {node}"),
        format!("{wasm_ms:.0} ms, {factor:.2}× native"),
        &format!("≤ {P2_MAX_WASM_FACTOR}× native"),
        factor <= P2_MAX_WASM_FACTOR,
    ));
    Ok(lines)
}

/// Builds `aurora-bench` for wasm32 with the bench profile (the native run's settings), binds
/// it for Node, and times it there.
fn p2_wasm(out: &Path) -> Result<BTreeMap<String, String>> {
    // The bench profile writes to `release`, as `cargo bench` does.
    let built = project::target_dir().join(WASM_TARGET).join("release");
    wasm_p2_run(&["--profile", "bench"], &built, &out.join("p2-wasm"), 5)
}

/// Builds `aurora-bench` for wasm32 with `profile` arguments into `built` (cargo's folder for
/// that target and profile), binds it for Node into `bound`, and runs `bench/p2.mjs` on it.
fn wasm_p2_run(
    profile: &[&str],
    built: &Path,
    bound: &Path,
    runs: u32,
) -> Result<BTreeMap<String, String>> {
    cargo()
        .args([
            "build",
            "--quiet",
            "-p",
            "aurora-bench",
            "--lib",
            "--target",
        ])
        .arg(WASM_TARGET)
        .args(profile)
        .run()?;
    Cmd::new("wasm-bindgen")
        .args(["--target", "nodejs", "--out-dir"])
        .arg(bound)
        .arg(built.join("aurora_bench.wasm"))
        .run()?;
    // wasm-bindgen's Node output is CommonJS; the project's package.json says ES modules.
    std::fs::write(bound.join("package.json"), "{ \"type\": \"commonjs\" }\n")?;
    measure(
        Cmd::new("node")
            .arg(project::root().join("bench").join("p2.mjs"))
            .arg(bound)
            .arg(runs.to_string()),
        "p2wasm",
    )
}

fn p3(dist: &Path) -> Result<Line> {
    let files = build::sizes(dist)?;
    build::print_table(&files);
    let gzipped: u64 = files.iter().map(|f| f.gzipped).sum();
    Ok(p3_line(gzipped, files.len()))
}

fn p3_line(gzipped: u64, files: usize) -> Line {
    let stretch = if gzipped <= P3_STRETCH_GZIP_BYTES {
        "within"
    } else {
        "over"
    };
    Line::judged(
        "P3",
        &format!("page weight, {files} files gzipped"),
        format!(
            "{:.1} KB ({stretch} the stretch of {} KB)",
            gzipped as f64 / 1000.0,
            P3_STRETCH_GZIP_BYTES / 1000
        ),
        &format!("≤ {} KB", P3_MAX_GZIP_BYTES / 1000),
        gzipped <= P3_MAX_GZIP_BYTES,
    )
}

const P4_WHAT: &str = "frame time p50 / p95 / p99, e-commerce";
const P5_WHAT: &str = "first frame, median of 5 loads";
const P6_WHAT: &str = "frame time p95 / p99 at every speed offered, e-commerce";

/// Serves the release build on a free loopback port and runs `bench/page.mjs` against it.
fn page(dist: &Path) -> Result<Vec<Line>> {
    let server = StaticServer::start(dist, "/")?;
    let output = Cmd::new("node")
        .arg(project::root().join("bench").join("page.mjs"))
        .env("AURORA_URL", server.url())
        .env("AURORA_CHROMIUM", CHROMIUM)
        .run_teed();
    drop(server);
    let output = output?;
    if !output.success {
        return Err(Error::new("bench/page.mjs failed"));
    }
    page_lines(&output.text)
}

fn page_lines(text: &str) -> Result<Vec<Line>> {
    let p4_budget = format!("p95 ≤ {P4_MAX_P95_MS} ms");
    let p5_budget = format!("≤ {P5_MAX_MS} ms");
    if result_fields(text, "page").is_some_and(|f| f.get("probe").is_some_and(|p| p == "absent")) {
        let why = || "page has no ?bench=1 probe yet".to_owned();
        return Ok(vec![
            Line::not_measured("P4", P4_WHAT, &p4_budget, why()),
            Line::not_measured("P5", P5_WHAT, &p5_budget, why()),
            Line::not_measured("P6", P6_WHAT, &p6_budget(), why()),
        ]);
    }
    let p4 = result_fields(text, "p4").ok_or_else(|| Error::new("no `result p4` line"))?;
    let p5 = result_fields(text, "p5").ok_or_else(|| Error::new("no `result p5` line"))?;
    let (p50, p95, p99) = (
        number(&p4, "p50")?,
        number(&p4, "p95")?,
        number(&p4, "p99")?,
    );
    let field = |key: &str| p4.get(key).map_or("?", String::as_str).to_owned();
    let shown = format!(
        "{p50:.2} / {p95:.2} / {p99:.2} ms (advance p95 {} ms, render p95 {} ms; {} frames at \
         speed {}; {} instances, {} PGs, up to {} messages in flight; of the speeds tried, {} \
         had the longest frames: p95 {} ms)",
        field("advance_p95"),
        field("render_p95"),
        field("frames"),
        field("speed"),
        field("instances"),
        field("pgs"),
        field("in_flight_max"),
        field("heaviest_speed"),
        field("heaviest_p95")
    );
    let p4_line = Line {
        caveat: p4_load_shortfall(&p4),
        ..Line::judged("P4", P4_WHAT, shown, &p4_budget, p95 <= P4_MAX_P95_MS)
    };
    let first = number(&p5, "median")?;
    let loads = p5
        .get("loads")
        .map_or("", String::as_str)
        .replace(',', ", ");
    Ok(vec![
        p4_line,
        Line::judged(
            "P5",
            P5_WHAT,
            format!("{first:.0} ms (loads: {loads} ms)"),
            &p5_budget,
            first <= P5_MAX_MS,
        ),
        p6_line(text)?,
    ])
}

fn p6_budget() -> String {
    format!("p95 ≤ {P6_MAX_P95_MS} ms and p99 ≤ {P6_MAX_P99_MS} ms at each")
}

/// One speed's P6 trial: asked speed, p95 and p99 frame time, and the speed reached.
#[derive(Debug, PartialEq)]
struct SpeedTrial {
    asked: String,
    p95: f64,
    p99: f64,
    reached: String,
}

/// `speed:p95:p99:reached,...` as `bench/page.mjs` prints it.
fn speed_trials(table: &str) -> Result<Vec<SpeedTrial>> {
    table
        .split(',')
        .filter(|row| !row.is_empty())
        .map(|row| {
            let parts: Vec<&str> = row.split(':').collect();
            let [asked, p95, p99, reached] = parts[..] else {
                return Err(Error::new(format!(
                    "a P6 row `{row}` is not speed:p95:p99:reached"
                )));
            };
            let ms = |v: &str| {
                v.parse::<f64>()
                    .map_err(|_| Error::new(format!("a P6 row `{row}` has no time `{v}`")))
            };
            Ok(SpeedTrial {
                asked: asked.to_owned(),
                p95: ms(p95)?,
                p99: ms(p99)?,
                reached: reached.to_owned(),
            })
        })
        .collect()
}

/// P6: judged on the worst speed; the line lists every speed with the speed it reached.
fn p6_line(text: &str) -> Result<Line> {
    let p6 = result_fields(text, "p6").ok_or_else(|| Error::new("no `result p6` line"))?;
    let trials = speed_trials(p6.get("table").map_or("", String::as_str))?;
    let offered = p6.get("offered").map_or("?", String::as_str);
    if trials.is_empty() {
        return Ok(Line::not_measured(
            "P6",
            P6_WHAT,
            &p6_budget(),
            "no speed drew frames".into(),
        ));
    }
    let over = |t: &SpeedTrial| t.p95 > P6_MAX_P95_MS || t.p99 > P6_MAX_P99_MS;
    let worst = trials
        .iter()
        .max_by(|a, b| a.p99.total_cmp(&b.p99))
        .map_or(String::new(), |t| {
            format!("worst p99 at ×{}: {:.2} / {:.2} ms", t.asked, t.p95, t.p99)
        });
    let rows: Vec<String> = trials
        .iter()
        .map(|t| {
            let mark = if over(t) { " OVER" } else { "" };
            format!(
                "×{} asked, ×{} reached: {:.1} / {:.1} ms{mark}",
                t.asked, t.reached, t.p95, t.p99
            )
        })
        .collect();
    // The cold start is reported, not judged: it is the same at every speed (see bench/page.mjs).
    let cold = match (p6.get("cold_max"), p6.get("cold_ms")) {
        (Some(longest), Some(window)) => {
            format!("; first {window} ms after loading, not judged: longest frame {longest} ms")
        }
        _ => String::new(),
    };
    Ok(Line::judged(
        "P6",
        P6_WHAT,
        format!(
            "{} of {offered} speeds, {worst} ({}){cold}",
            trials.len(),
            rows.join("; ")
        ),
        &p6_budget(),
        !trials.iter().any(over),
    ))
}

/// P4 asks for a load of [`P4_INSTANCES`] instances, [`P4_PGS`] PGs and at least
/// [`P4_MIN_IN_FLIGHT`] messages in flight; what the page reported short of that, if anything.
fn p4_load_shortfall(p4: &BTreeMap<String, String>) -> Option<String> {
    let get = |key: &str| p4.get(key).and_then(|v| v.parse::<f64>().ok());
    let mut short = Vec::new();
    for (key, want, what) in [
        ("instances", P4_INSTANCES, "instances"),
        ("pgs", P4_PGS, "PGs"),
        ("in_flight_max", P4_MIN_IN_FLIGHT, "messages in flight"),
    ] {
        match get(key) {
            Some(have) if have >= want => {}
            Some(have) => short.push(format!("{have} of {want} {what}")),
            None => short.push(format!("{what} not reported")),
        }
    }
    (!short.is_empty()).then(|| {
        format!(
            "but under a lighter load than P4 asks for: {}",
            short.join(", ")
        )
    })
}

/// A release-profile setting to try, as `cargo --config` values.
struct Variant {
    name: &'static str,
    config: &'static [&'static str],
}

/// The shipped settings, then each changed alone.
const VARIANTS: &[Variant] = &[
    Variant {
        name: "as shipped: opt-level z, LTO, 1 CGU, abort",
        config: &[],
    },
    Variant {
        name: "opt-level s",
        config: &["profile.release.opt-level=\"s\""],
    },
    Variant {
        name: "opt-level 3",
        config: &["profile.release.opt-level=3"],
    },
    Variant {
        name: "core at opt-level 3, the rest z",
        config: &["profile.release.package.aurora-core.opt-level=3"],
    },
    Variant {
        name: "no LTO",
        config: &["profile.release.lto=false"],
    },
    Variant {
        name: "16 codegen units",
        config: &["profile.release.codegen-units=16"],
    },
    Variant {
        name: "panic = unwind",
        config: &["profile.release.panic=\"unwind\""],
    },
];

/// One row of the profile table: sizes of the page's `.wasm`, before and after wasm-opt.
struct Row {
    name: &'static str,
    sizes: Result<[u64; 4]>,
}

/// Builds the page's wasm for each [`Variant`], binds it as Trunk does, and weighs it raw and
/// gzipped, without and with `wasm-opt -Oz` (what Trunk runs on the release build). The variants
/// share one target folder: each keeps its own copies of the dependencies (cargo tells settings
/// apart), and the build tools are built once.
fn profiles(out: &Path) -> Result {
    let mut rows = Vec::new();
    for (i, variant) in VARIANTS.iter().enumerate() {
        println!("--- {}", variant.name);
        rows.push(Row {
            name: variant.name,
            sizes: variant_sizes(variant, out, &out.join(format!("bound-{i}"))),
        });
    }
    println!(
        "\n{:<44} {:>10} {:>10} {:>12} {:>10}",
        "release settings (page .wasm)", "raw", "gzip -9", "wasm-opt raw", "gzip -9"
    );
    for row in &rows {
        match &row.sizes {
            Ok([raw, gz, opt_raw, opt_gz]) => println!(
                "{:<44} {:>10} {:>10} {:>12} {:>10}",
                row.name,
                kb(*raw),
                kb(*gz),
                kb(*opt_raw),
                kb(*opt_gz)
            ),
            Err(error) => println!("{:<44} does not build: {error}", row.name),
        }
    }
    engine_speeds(out)
}

/// The core's opt-level in the page's release build, as `cargo --config` values.
const CORE_OPT_LEVELS: [(&str, &str); 3] = [
    (
        "z (as shipped)",
        "profile.release.package.aurora-core.opt-level=\"z\"",
    ),
    ("s", "profile.release.package.aurora-core.opt-level=\"s\""),
    ("3", "profile.release.package.aurora-core.opt-level=3"),
];

/// What the release profile does to the engine's speed in the page: P2 in WebAssembly with the
/// release settings and each opt-level of the core.
fn engine_speeds(out: &Path) -> Result {
    let built = out.join(WASM_TARGET).join("release");
    let mut rows = Vec::new();
    for (i, (level, config)) in CORE_OPT_LEVELS.iter().enumerate() {
        println!("--- P2 in WebAssembly, release profile, core at opt-level {level}");
        let target_dir = out.to_string_lossy().into_owned();
        let args = ["--release", "--target-dir", &target_dir, "--config", config];
        let result = wasm_p2_run(&args, &built, &out.join(format!("p2-{i}")), 3);
        rows.push((level, result.and_then(|f| number(&f, "ms"))));
    }
    println!(
        "\n{:<44} {:>10}",
        "core opt-level (release profile)", "P2 wasm"
    );
    for (level, ms) in rows {
        match ms {
            Ok(ms) => println!("{:<44} {:>7.0} ms", level, ms),
            Err(error) => println!("{level:<44} failed: {error}"),
        }
    }
    Ok(())
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

fn variant_sizes(variant: &Variant, dir: &Path, bound: &Path) -> Result<[u64; 4]> {
    let mut build = cargo().args([
        "build",
        "--quiet",
        "--release",
        "-p",
        "aurora-web",
        "--bin",
        "aurora-web",
        "--target",
        WASM_TARGET,
        "--target-dir",
    ]);
    build = build.arg(dir);
    for value in variant.config {
        build = build.args(["--config", value]);
    }
    build.run()?;
    let wasm = dir
        .join(WASM_TARGET)
        .join("release")
        .join("aurora-web.wasm");
    Cmd::new("wasm-bindgen")
        .args(["--target", "web", "--no-typescript", "--out-dir"])
        .arg(bound)
        .arg(&wasm)
        .run()?;
    let plain = bound.join("aurora-web_bg.wasm");
    let optimised = bound.join("aurora-web_bg.opt.wasm");
    Cmd::new("wasm-opt")
        .arg(format!("--output={}", optimised.display()))
        .arg("-Oz")
        .arg(&plain)
        .run()?;
    let size = |path: &PathBuf| -> Result<(u64, u64)> {
        Ok((path.metadata()?.len(), build::gzipped_size(path)?))
    };
    let (raw, gz) = size(&plain)?;
    let (opt_raw, opt_gz) = size(&optimised)?;
    Ok([raw, gz, opt_raw, opt_gz])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn plan_runs_everything_by_default_and_only_what_is_named() {
        let all = plan(&[]).expect("plan");
        assert_eq!(all.figures, FIGURES);
        assert!(all.micro && !all.profiles);
        let some = plan(&args(&["p4", "P1", "p1"])).expect("plan");
        assert_eq!(some.figures, ["P1", "P4"]);
        assert!(!some.micro);
        let only = plan(&args(&["--profiles"])).expect("plan");
        assert!(only.figures.is_empty() && only.profiles && !only.micro);
        assert!(plan(&args(&["--micro"])).expect("plan").micro);
        assert!(!plan(&args(&["--no-micro"])).expect("plan").micro);
        assert!(plan(&args(&["P7"])).is_err());
    }

    #[test]
    fn result_lines_are_read_from_mixed_output() {
        let text = "p1 run 1/7: engine 110.0 ns/event\n\
                    warning: something\n\
                    result p1 engine_ns=108.8 heap_ns=38.5 ratio=2.83 events=1000000\n";
        let f = result_fields(text, "p1").expect("fields");
        assert_eq!(f["engine_ns"], "108.8");
        assert_eq!(number(&f, "ratio").expect("ratio"), 2.83);
        assert!(number(&f, "missing").is_err());
        assert!(result_fields(text, "p2").is_none());
    }

    #[test]
    fn lines_say_ok_or_over_against_the_budget() {
        let f = result_fields("result p1 events=1000000 pending=40", "p1").expect("fields");
        let ok = p1_line(90.0, 40.0, 2.25, &f);
        assert_eq!(ok.verdict, Verdict::Ok);
        assert!(ok.text().starts_with("P1 "), "{}", ok.text());
        assert!(
            ok.text().ends_with("(budget ratio ≤ 3) OK"),
            "{}",
            ok.text()
        );
        assert_eq!(p1_line(130.0, 40.0, 3.25, &f).verdict, Verdict::Over);
        assert!(p1_line(130.0, 40.0, 3.25, &f).text().ends_with(" OVER"));

        assert_eq!(p3_line(150_000, 5).verdict, Verdict::Ok);
        assert!(p3_line(150_000, 5)
            .text()
            .contains("over the stretch of 100 KB"));
        assert!(p3_line(99_000, 5).text().contains("within the stretch"));
        assert_eq!(p3_line(150_001, 5).verdict, Verdict::Over);
    }

    #[test]
    fn a_page_without_the_probe_is_not_measured_and_not_failed() {
        let lines = page_lines("P5 loads: ...\nresult page probe=absent\n").expect("lines");
        assert_eq!(lines.len(), 3);
        for line in &lines {
            assert!(matches!(line.verdict, Verdict::NotMeasured(_)));
            assert!(line
                .text()
                .contains("NOT MEASURED (page has no ?bench=1 probe yet)"));
        }
    }

    #[test]
    fn page_results_are_judged_on_p95_and_the_median() {
        let text = "result p4 p50=1.10 p95=3.90 p99=6.00 advance_p95=1.2 render_p95=2.7 \
                    frames=600 speed=10 in_flight_max=240 instances=16 pgs=4\n\
                    result p5 median=310.00 loads=300.00,305.00,310.00,320.00,330.00\n\
                    result p6 speeds=2 offered=22 cold_max=64.00 cold_ms=2000 \
                    table=0.001:3.10:5.00:0.001,100:11.50:16.00:62.4\n";
        let lines = page_lines(text).expect("lines");
        assert_eq!(lines[0].figure, "P4");
        assert_eq!(lines[0].verdict, Verdict::Ok);
        assert!(lines[0].text().contains("1.10 / 3.90 / 6.00 ms"));
        assert!(lines[0].text().contains("16 instances, 4 PGs"));
        assert_eq!(lines[1].figure, "P5");
        assert_eq!(lines[1].verdict, Verdict::Over);
        assert!(page_lines("result p4 p50=1\n").is_err(), "P5 missing");
        assert_eq!(lines[2].figure, "P6");
        assert_eq!(lines[2].verdict, Verdict::Ok, "{}", lines[2].text());
        assert!(
            lines[2]
                .text()
                .contains("first 2000 ms after loading, not judged: longest frame 64.00 ms"),
            "the cold start is reported beside the verdict: {}",
            lines[2].text()
        );
        assert!(
            lines[2]
                .text()
                .contains("×100 asked, ×62.4 reached: 11.5 / 16.0 ms"),
            "{}",
            lines[2].text()
        );
        let slow = text.replace("100:11.50:16.00", "100:11.50:17.00");
        let lines_slow = page_lines(&slow).expect("lines");
        assert_eq!(
            lines_slow[2].verdict,
            Verdict::Over,
            "p99 past a 60 Hz frame"
        );
        assert!(
            lines_slow[2].text().contains("17.0 ms OVER;")
                || lines_slow[2].text().contains("17.0 ms OVER)")
        );
        assert!(speed_trials("1:2").is_err());

        assert_eq!(lines[0].caveat, None, "the load P4 asks for");

        let light = text.replace("instances=16", "instances=11");
        let lines = page_lines(&light).expect("lines");
        assert_eq!(lines[0].verdict, Verdict::Ok, "judged all the same");
        assert!(
            lines[0]
                .text()
                .ends_with("OK, but under a lighter load than P4 asks for: 11 of 16 instances"),
            "{}",
            lines[0].text()
        );
        let unknown = text.replace("in_flight_max=240", "in_flight_max=unknown");
        let lines = page_lines(&unknown).expect("lines");
        assert!(lines[0]
            .text()
            .ends_with("lighter load than P4 asks for: messages in flight not reported"));
    }
}
