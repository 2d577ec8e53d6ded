//! Reading `Cargo.lock` without a TOML parser: it is a list of `[[package]]` tables whose
//! `name = "..."` and `version = "..."` lines come first.

use std::path::Path;

use crate::{Error, Result};

/// Every version of package `name` that the lock file resolves, in file order.
pub fn versions(lock: &str, name: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current: Option<&str> = None;
    for line in lock.lines().map(str::trim) {
        if line == "[[package]]" {
            current = None;
        } else if let Some(value) = string_value(line, "name") {
            current = Some(value);
        } else if let Some(value) = string_value(line, "version") {
            if current == Some(name) {
                found.push(value.to_owned());
            }
        }
    }
    found
}

/// The one version of `name` in the lock file at `path`.
pub fn version_of(path: &Path, name: &str) -> Result<String> {
    let lock = std::fs::read_to_string(path)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", path.display())))?;
    match versions(&lock, name).as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Error::new(format!(
            "{} has no package `{name}`",
            path.display()
        ))),
        many => Err(Error::new(format!(
            "{} resolves `{name}` to several versions ({}); pin one",
            path.display(),
            many.join(", ")
        ))),
    }
}

fn string_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.strip_prefix(key)?.trim_start().strip_prefix('=')?;
    rest.trim().strip_prefix('"')?.strip_suffix('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
version = 4

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = [
 "wasm-bindgen-macro",
]

[[package]]
name = "wasm-bindgen-macro"
version = "0.2.130"

[[package]]
name = "getrandom"
version = "0.2.17"

[[package]]
name = "getrandom"
version = "0.3.4"
"#;

    #[test]
    fn finds_the_exact_package_not_its_namesakes() {
        assert_eq!(versions(LOCK, "wasm-bindgen"), ["0.2.130"]);
        assert_eq!(versions(LOCK, "wasm-bindgen-macro"), ["0.2.130"]);
        assert!(versions(LOCK, "wasm").is_empty());
    }

    #[test]
    fn lists_every_version_of_a_duplicated_package() {
        assert_eq!(versions(LOCK, "getrandom"), ["0.2.17", "0.3.4"]);
    }

    #[test]
    fn ignores_the_lock_format_version() {
        assert!(versions(LOCK, "").is_empty());
    }

    #[test]
    fn the_workspace_lock_pins_one_wasm_bindgen() {
        let lock = crate::project::root().join("Cargo.lock");
        let version = version_of(&lock, "wasm-bindgen").expect("Cargo.lock resolves wasm-bindgen");
        assert!(version.starts_with("0.2."), "{version}");
    }
}
