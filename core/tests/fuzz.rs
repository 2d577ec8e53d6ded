//! Fuzzing the core's parser of outside input: fault schedules (the runner's `--schedule`).
//! Any input gets a schedule or an error with its position, never a panic. CI runs a few
//! thousand cases; `cargo xtask soak` sets `AURORA_FUZZ_CASES=1000000`.
#![cfg(not(target_arch = "wasm32"))]

use aurora_core::campaign::{parse_schedule, schedule_text};
use proptest::prelude::*;

mod common;

fn cases() -> u32 {
    common::fuzz_cases(4_000)
}

/// Words the grammar uses, so mutations reach deep into it, not just its first check.
fn near_valid() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("inject".to_string()),
        Just("heal".to_string()),
        Just("failover".to_string()),
        Just("crash".to_string()),
        Just("lose".to_string()),
        Just("fail-az".to_string()),
        Just("partition-az".to_string()),
        Just("slow".to_string()),
        "[0-9]{1,25}(ms)?",
        "[ -~]{0,6}",
        Just(";".to_string()),
    ];
    prop::collection::vec(word, 0..16).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,120}") {
        if let Err(e) = parse_schedule(&text) {
            prop_assert!(e.at <= text.len(), "the error's position is inside the input");
            prop_assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn grammar_shaped_text_round_trips_or_errs_with_a_position(text in near_valid()) {
        match parse_schedule(&text) {
            Ok(steps) => {
                // What parses, prints back to text that parses to the same schedule.
                let again = parse_schedule(&schedule_text(&steps));
                prop_assert_eq!(again.as_ref().ok(), Some(&steps));
            }
            Err(e) => prop_assert!(e.at <= text.len()),
        }
    }
}
