//! The backup scenarios' traces are pure functions of the seed: their digests, at the moments
//! that matter (after the backtracks, the restore, the clones), match the golden file. A change
//! to the backup model that changes them regenerates it:
//! `AURORA_UPDATE_GOLDEN=1 cargo test -p aurora-core --test backup_determinism`.

use aurora_core::{scenario, SimTime};

const GOLDEN: &str = include_str!("golden/backup-digests.txt");
const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/backup-digests.txt"
);

/// (scenario, seed, run until this many seconds).
const RUNS: &[(&str, u64, u64)] = &[
    ("backtrack", 1, 155),
    ("pitr", 1, 155),
    ("clone", 1, 700),
    ("clone", 2, 700),
    ("backup-window", 1, 4 * 3600),
];

#[test]
fn backup_scenario_digests_match_the_golden_file() {
    let lines: Vec<String> = RUNS
        .iter()
        .map(|&(name, seed, until)| {
            let mut sim = scenario::find(name).unwrap().start(seed);
            sim.set_recording(false);
            sim.run_until(SimTime::from_micros(until * 1_000_000));
            let rows = sim.inspect().backup().rows.digest();
            format!(
                "{name} {seed} {until} {:016x} {rows:016x}",
                sim.trace_digest()
            )
        })
        .collect();
    let text = lines.join("\n") + "\n";
    if std::env::var_os("AURORA_UPDATE_GOLDEN").is_some() {
        std::fs::write(PATH, &text).expect("write the golden file");
        return;
    }
    assert_eq!(
        GOLDEN, text,
        "backup traces changed; if the model changed on purpose, regenerate with AURORA_UPDATE_GOLDEN=1"
    );
}
