//! Cross-platform determinism, native side: the trace digests of 100 seeds must match the
//! golden file that the WebAssembly test (web/tests/determinism.rs) checks in headless
//! Chromium. A model change that changes traces regenerates the file:
//! `AURORA_UPDATE_GOLDEN=1 cargo test -p aurora-core --test determinism`.

use aurora_core::campaign::probe_digest;

const GOLDEN: &str = include_str!("golden/trace-digests.txt");
const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/golden/trace-digests.txt"
);

#[test]
fn digests_of_100_seeds_match_the_golden_file() {
    let computed: Vec<String> = (0..100u64)
        .map(|seed| format!("{seed} {:016x}", probe_digest(seed)))
        .collect();
    let text = computed.join("\n") + "\n";
    if std::env::var_os("AURORA_UPDATE_GOLDEN").is_some() {
        std::fs::write(PATH, &text).expect("write the golden file");
        return;
    }
    let distinct: std::collections::HashSet<_> =
        computed.iter().map(|l| &l[l.len() - 16..]).collect();
    assert_eq!(distinct.len(), 100, "different seeds give different traces");
    for (want, got) in GOLDEN.lines().zip(&computed) {
        assert_eq!(
            want, got,
            "trace changed; if the model changed on purpose, regenerate with AURORA_UPDATE_GOLDEN=1"
        );
    }
    assert_eq!(GOLDEN.lines().count(), 100);
}

#[test]
fn the_same_seed_twice_gives_the_same_digest() {
    assert_eq!(probe_digest(5), probe_digest(5));
}
