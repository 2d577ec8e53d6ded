//! The runner as a program: its help, its errors, and the JSON fields `docs/runner.md` promises.

use std::process::{Command, Output};

fn runner(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aurora-sim"))
        .args(args)
        .output()
        .expect("the runner starts")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `(mode, field)` for every row of the field table in `docs/runner.md`.
fn documented_fields() -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/runner.md"))
        .expect("docs/runner.md exists");
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in doc.lines() {
        if line.starts_with("| mode | field |") {
            in_table = true;
            continue;
        }
        if in_table {
            let Some(row) = line.strip_prefix('|') else {
                break;
            };
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            if cells[0].starts_with("---") {
                continue;
            }
            rows.push((cells[0].to_string(), cells[1].trim_matches('`').to_string()));
        }
    }
    rows
}

fn fields_of(mode: &str) -> Vec<String> {
    documented_fields()
        .into_iter()
        .filter(|(m, _)| m == mode)
        .map(|(_, f)| f)
        .collect()
}

fn assert_has_fields(mode: &str, json: &str) {
    let fields = fields_of(mode);
    assert!(
        !fields.is_empty(),
        "docs/runner.md documents no {mode} field"
    );
    for f in fields {
        assert!(
            json.contains(&format!("\"{f}\":")),
            "the {mode} output lost its documented field `{f}`: {json}"
        );
    }
}

#[test]
fn the_field_table_covers_every_mode() {
    let modes: std::collections::BTreeSet<String> =
        documented_fields().into_iter().map(|(m, _)| m).collect();
    for m in ["scenario", "run", "campaign", "replay", "soak", "lesson"] {
        assert!(modes.contains(m), "no {m} rows in docs/runner.md");
    }
}

#[test]
fn every_scenario_prints_the_documented_fields() {
    let list = runner(&["--list"]);
    assert!(list.status.success());
    let names: Vec<String> = stdout(&list)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    assert!(names.len() >= 17, "--list names {} scenarios", names.len());
    for name in names {
        let o = runner(&["--scenario", &name, "--seed", "3", "--until", "500ms"]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
        let json = stdout(&o);
        assert_has_fields("scenario", &json);
        assert!(json.contains(&format!("\"scenario\":\"{name}\"")), "{json}");
    }
}

#[test]
fn campaign_replay_soak_and_lesson_print_the_documented_fields() {
    let o = runner(&["--campaign", "1", "--from", "4"]);
    assert_has_fields("campaign", &stdout(&o));
    let o = runner(&["--replay", "4", "--tolerance", "within"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_has_fields("replay", &stdout(&o));
    let o = runner(&["--soak", "20000"]);
    assert_has_fields("soak", &stdout(&o));
    let o = runner(&["--lesson", "six-copies"]);
    assert_has_fields("lesson", &stdout(&o));
}

#[test]
fn the_same_seed_gives_the_same_digest_and_another_seed_another() {
    let digest = |seed: &str| {
        let json = stdout(&runner(&[
            "--scenario",
            "failover",
            "--seed",
            seed,
            "--until",
            "2s",
        ]));
        let at = json.find("\"trace_digest\":\"").expect("a digest") + 16;
        json[at..at + 16].to_string()
    };
    assert_eq!(digest("5"), digest("5"));
    assert_ne!(digest("5"), digest("6"));
}

#[test]
fn help_names_every_mode_and_exits_zero() {
    let o = runner(&["--help"]);
    assert!(o.status.success());
    let text = stdout(&o);
    for flag in [
        "--scenario",
        "--seed",
        "--until",
        "--list",
        "--run",
        "--campaign",
        "--replay",
        "--soak",
        "--lesson",
        "--lesson-file",
        "--csv",
        "--interval",
    ] {
        assert!(text.contains(flag), "--help does not mention {flag}");
    }
}

#[test]
fn bad_arguments_say_what_is_wrong_and_exit_2() {
    for (args, says) in [
        (&["--bogus"][..], "unknown argument '--bogus'"),
        (&["--scenario", "nope"][..], "unknown scenario 'nope'"),
        (
            &["--scenario", "failover", "--seed", "x"][..],
            "--seed takes a whole number",
        ),
        (
            &["--scenario", "failover", "--until", "3 weeks"][..],
            "unknown unit",
        ),
        (
            &["--scenario", "failover", "--until", "soon"][..],
            "is not a duration",
        ),
        (&["--scenario"][..], "--scenario needs a value"),
        (&["--replay", "3"][..], "--replay needs --tolerance"),
    ] {
        let o = runner(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?} printed JSON");
    }
}

fn temp_file(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join(name);
    std::fs::write(&path, text).expect("a temporary file");
    path
}

fn digest_of(json: &str) -> String {
    let at = json.find("\"trace_digest\":\"").expect("a digest") + 16;
    json[at..at + 16].to_string()
}

#[test]
fn a_run_file_without_actions_plays_as_its_scenario() {
    let path = temp_file(
        "plain.aurora-run",
        "aurora-run 1\nscenario failover\nseed 4\n",
    );
    let run = runner(&["--run", path.to_str().unwrap(), "--until", "3s"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let scenario = runner(&["--scenario", "failover", "--seed", "4", "--until", "3s"]);
    let (run, scenario) = (stdout(&run), stdout(&scenario));
    assert_eq!(digest_of(&run), digest_of(&scenario));
    assert_has_fields("scenario", &run);
    assert_has_fields("run", &run);
}

#[test]
fn a_run_files_actions_change_the_run_and_replay_the_same() {
    let text = "aurora-run 1\nscenario failover\nseed 4\nreplicas 2\naction 1000000.fail-az.c\naction 1500000.crash.az-a-1\n";
    let path = temp_file("faults.aurora-run", text);
    let play = || stdout(&runner(&["--run", path.to_str().unwrap(), "--until", "3s"]));
    let (a, b) = (play(), play());
    assert_eq!(digest_of(&a), digest_of(&b));
    assert!(
        a.contains("\"run_actions\":2,\"run_actions_refused\":0"),
        "{a}"
    );
    let plain = stdout(&runner(&[
        "--scenario",
        "failover",
        "--seed",
        "4",
        "--until",
        "3s",
    ]));
    assert_ne!(
        digest_of(&a),
        digest_of(&plain),
        "the actions changed nothing"
    );
}

#[test]
fn a_bad_run_file_is_named_with_its_line_and_column_and_exits_2() {
    let path = temp_file(
        "bad.aurora-run",
        "aurora-run 1\nscenario failover\nseed 4\naction 1000000.fail-az.q\n",
    );
    let o = runner(&["--run", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 4, column 24"), "{}", stderr(&o));
    let newer = temp_file(
        "newer.aurora-run",
        "aurora-run 2\nscenario failover\nseed 4\n",
    );
    let o = runner(&["--run", newer.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("version 2"), "{}", stderr(&o));
    let o = runner(&["--run", "/nonexistent/run.aurora-run"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read the run file"),
        "{}",
        stderr(&o)
    );
    assert!(stdout(&o).is_empty());
}

/// The CSV's columns documented in `docs/runner.md`, in order (`lag_us:NAME` as `lag_us:`).
fn documented_columns() -> Vec<String> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/runner.md"))
        .expect("docs/runner.md exists");
    doc.lines()
        .skip_while(|l| !l.starts_with("| column | meaning |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .filter_map(|l| l.split('|').nth(1))
        .map(|c| {
            let c = c.trim().trim_matches('`');
            c.split_once(':')
                .map_or(c.to_string(), |(p, _)| format!("{p}:"))
        })
        .collect()
}

fn read_csv(path: &std::path::Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path).expect("the CSV was written");
    let mut lines = text
        .lines()
        .map(|l| l.split(',').map(str::to_string).collect::<Vec<_>>());
    let header = lines.next().expect("a header");
    (header, lines.collect())
}

#[test]
fn the_csv_has_every_documented_column_in_order() {
    let columns = documented_columns();
    assert!(columns.len() >= 12, "{columns:?}");
    let fixed: Vec<&String> = columns.iter().filter(|c| !c.ends_with(':')).collect();
    for (scenario, per_node) in [
        ("replicas", "lag_us:"),
        ("serverless-v2-spike", "acu:"),
        ("global-lag", "global_lag_us:"),
    ] {
        let path =
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{scenario}.csv"));
        let o = runner(&[
            "--scenario",
            scenario,
            "--until",
            "3s",
            "--csv",
            path.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_has_fields("scenario", &stdout(&o));
        let (header, rows) = read_csv(&path);
        assert_eq!(
            header[..fixed.len()].iter().collect::<Vec<_>>(),
            fixed,
            "{scenario}: the fixed columns"
        );
        assert!(
            header.iter().any(|h| h.starts_with(per_node)),
            "{scenario} has no {per_node} column: {header:?}"
        );
        for h in &header[fixed.len()..] {
            assert!(
                columns
                    .iter()
                    .any(|c| c.ends_with(':') && h.starts_with(c.as_str())),
                "undocumented column {h}"
            );
        }
        assert!(rows.iter().all(|r| r.len() == header.len()));
        assert_eq!(rows.last().map(|r| r[0].as_str()), Some("3"));
    }
}

#[test]
fn the_csv_of_a_run_file_is_the_csv_of_its_scenario_at_the_interval_asked() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    let run = temp_file(
        "csv.aurora-run",
        "aurora-run 1\nscenario failover\nseed 4\n",
    );
    let (a, b) = (dir.join("from-run.csv"), dir.join("from-scenario.csv"));
    let o = runner(&[
        "--run",
        run.to_str().unwrap(),
        "--until",
        "2s",
        "--csv",
        a.to_str().unwrap(),
        "--interval",
        "250ms",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = runner(&[
        "--scenario",
        "failover",
        "--seed",
        "4",
        "--until",
        "2s",
        "--csv",
        b.to_str().unwrap(),
        "--interval",
        "250ms",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let (ha, ra) = read_csv(&a);
    assert_eq!((ha, ra.clone()), read_csv(&b));
    let times: Vec<&str> = ra.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        times,
        ["0", "0.25", "0.5", "0.75", "1", "1.25", "1.5", "1.75", "2"]
    );
    // Commits only grow, and the throughput column is their difference over the interval.
    for w in ra.windows(2) {
        let (c0, c1): (f64, f64) = (w[0][1].parse().unwrap(), w[1][1].parse().unwrap());
        assert!(c1 >= c0);
        assert_eq!(w[1][2], format!("{:.1}", (c1 - c0) / 0.25));
    }
}

#[test]
fn bad_csv_arguments_exit_2() {
    for (args, says) in [
        (
            &["--scenario", "failover", "--interval", "1s"][..],
            "needs --csv",
        ),
        (
            &[
                "--scenario",
                "failover",
                "--csv",
                "x.csv",
                "--interval",
                "10us",
            ][..],
            "at least 1ms",
        ),
        (
            &["--campaign", "1", "--csv", "x.csv"][..],
            "--csv goes with",
        ),
        (
            &[
                "--scenario",
                "failover",
                "--until",
                "1s",
                "--csv",
                "/nonexistent/dir/x.csv",
            ][..],
            "cannot write the CSV",
        ),
    ] {
        let o = runner(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
}
