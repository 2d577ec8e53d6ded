//! Cross-platform determinism, WebAssembly side: the same 100 seeds, run by the same core in
//! headless Chromium, must give the digests the native build wrote to the golden file
//! (core/tests/determinism.rs checks the native side against the same file).
#![cfg(target_arch = "wasm32")]

use aurora_core::campaign::probe_digest;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const GOLDEN: &str = include_str!("../../core/tests/golden/trace-digests.txt");

#[wasm_bindgen_test]
fn wasm_digests_of_100_seeds_equal_the_native_ones() {
    let mut checked = 0;
    for line in GOLDEN.lines() {
        let (seed, want) = line.split_once(' ').expect("a seed and a digest per line");
        let seed: u64 = seed.parse().expect("a seed");
        let got = format!("{:016x}", probe_digest(seed));
        assert_eq!(got, want, "seed {seed}: WASM and native traces differ");
        checked += 1;
    }
    assert_eq!(checked, 100);
}
