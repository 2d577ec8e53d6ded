//! Fuzzing run files (saved by the page, read by the page and `aurora-sim --run`): any text
//! gets a run or an error with a line and column inside the text, never a panic; a run that
//! is read writes itself back to a text that reads to the same run. CI runs a few thousand
//! cases; `cargo xtask soak` sets `AURORA_FUZZ_CASES`.
#![cfg(not(target_arch = "wasm32"))]

use aurora_core::run_file::{RunFile, RunFileError};
use proptest::prelude::*;

mod common;

fn cases() -> u32 {
    common::fuzz_cases(4_000)
}

/// Lines the format uses, and their pieces, so mutations reach past the header.
fn near_valid() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("aurora-run 1".to_string()),
        "aurora-run [0-9]{1,12}",
        Just("scenario failover".to_string()),
        Just("scenario replicas".to_string()),
        "scenario [a-z-]{0,12}",
        "seed [0-9]{0,22}",
        "replicas [0-9]{0,3}",
        "at [0-9]{0,21}",
        "action [0-9]{0,9}\\.(crash|fail-az|load|cap|failover|lose|forward|switchover)(\\.[a-z0-9.-]{0,14})?",
        Just("action 1000000.cap.instance-2.v2-1-128".to_string()),
        Just("action 1000000.load.3000-80".to_string()),
        "# [ -~]{0,10}",
        "[ -~]{0,12}",
        Just(String::new()),
    ];
    (prop::collection::vec(line, 0..10), any::<bool>()).prop_map(|(mut lines, header)| {
        if header {
            lines.insert(0, "aurora-run 1".to_string());
        }
        lines.join("\n")
    })
}

fn check_position(text: &str, e: &RunFileError) -> Result<(), TestCaseError> {
    let lines: Vec<&str> = text.lines().collect();
    prop_assert!(
        e.line >= 1 && e.line <= lines.len().max(1),
        "line {} of {}: {e}",
        e.line,
        lines.len()
    );
    let len = lines.get(e.line - 1).map_or(0, |l| l.len());
    prop_assert!(
        e.column >= 1 && e.column <= len + 2,
        "column {} of a line of {len}: {e}",
        e.column
    );
    prop_assert!(!e.message.is_empty());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_and_errors_name_a_position(text in "\\PC{0,160}") {
        if let Err(e) = RunFile::parse(&text) {
            check_position(&text, &e)?;
        }
    }

    #[test]
    fn format_shaped_text_round_trips_or_errs_with_a_position(text in near_valid()) {
        match RunFile::parse(&text) {
            Ok(run) => {
                let again = RunFile::parse(&run.to_text()).expect("a run reads its own text");
                prop_assert_eq!(again.scenario.name, run.scenario.name);
                prop_assert_eq!(again.seed, run.seed);
                prop_assert_eq!(again.replicas, run.replicas);
                prop_assert_eq!(again.at, run.at);
                prop_assert_eq!(again.actions, run.actions);
            }
            Err(e) => check_position(&text, &e)?,
        }
    }
}
