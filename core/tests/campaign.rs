//! Seeded fault campaigns at CI size (the full 10,000 seeds run in `cargo xtask soak`).
//! A failure names the seed, the shrunk schedule, and the command that replays it.

use aurora_core::campaign::{self, Tolerance};

/// Seeds per kind of campaign: `AURORA_CAMPAIGN_SEEDS` or 150.
fn seeds() -> u64 {
    std::env::var("AURORA_CAMPAIGN_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(150)
}

fn campaign(tolerance: Tolerance, offset: u64) {
    let word = match tolerance {
        Tolerance::Within => "within",
        Tolerance::Beyond => "beyond",
    };
    let mut events = 0;
    for seed in offset..offset + seeds() {
        let case = campaign::case(seed, tolerance);
        let outcome = campaign::run(&case);
        events += outcome.events;
        if let Some(f) = outcome.failure {
            let small = campaign::shrink(&case);
            let text = campaign::schedule_text(&small.steps);
            panic!(
                "seed {seed} ({word} tolerance): {f}\n  shrunk schedule: {text}\n  replay: cargo run --release -p aurora-sim -- --replay {seed} --tolerance {word} --schedule \"{text}\""
            );
        }
    }
    assert!(
        events > seeds() * 50_000,
        "the campaign really ran ({events} events)"
    );
}

#[test]
fn within_az_plus_one_nothing_acknowledged_is_lost() {
    campaign(Tolerance::Within, 0);
}

#[test]
fn beyond_tolerance_nothing_is_acknowledged_without_a_quorum() {
    campaign(Tolerance::Beyond, 0);
}
