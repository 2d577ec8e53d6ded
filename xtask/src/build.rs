//! `cargo xtask build`: a release build into `dist/`, and what it weighs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::cmd::Cmd;
use crate::tools::Setup;
use crate::{csp, css, project, report, Error, Result};

pub fn run(args: &[String]) -> Result {
    if let Some(extra) = args.first() {
        return Err(Error::new(format!(
            "build takes no arguments, got `{extra}`"
        )));
    }
    let mut setup = Setup::new();
    setup.build_tools()?;
    setup.finish();
    let dist = project::root().join("dist");
    release_build(&dist)?;
    print_sizes(&dist)
}

/// `trunk build --release` into `dist`, timed, then each page's Content-Security-Policy
/// written into it (see [`csp`]).
pub fn release_build(dist: &Path) -> Result {
    check_style_sheets()?;
    report::step("release build (trunk build --release)", || {
        Cmd::new("trunk")
            .args(["build", "--release", "--dist"])
            .arg(dist)
            .run()
    })?;
    for (page, policy) in csp::apply_to_dir(dist)? {
        println!("{page}: Content-Security-Policy {policy}");
    }
    Ok(())
}

/// Every style sheet in `static/` well formed: a browser drops the rest of a sheet after an
/// unclosed rule without a word, so the build refuses one (see [`css`]).
fn check_style_sheets() -> Result {
    let dir = project::root().join("static");
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "css") {
            let text = std::fs::read_to_string(&path)?;
            if let Some(problem) = css::structure_problem(&text) {
                return Err(Error::new(format!("{}: {problem}", path.display())));
            }
        }
    }
    Ok(())
}

/// One file of a build and its sizes.
pub struct Sized {
    pub path: PathBuf,
    pub raw: u64,
    pub gzipped: u64,
}

/// Every file under `dir`, sorted by path, with its raw and gzipped size.
pub fn sizes(dir: &Path) -> Result<Vec<Sized>> {
    let mut files = Vec::new();
    collect_files(dir, &mut files)?;
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let raw = path.metadata()?.len();
            let gzipped = gzipped_size(&path)?;
            let path = path.strip_prefix(dir).unwrap_or(&path).to_path_buf();
            Ok(Sized { path, raw, gzipped })
        })
        .collect()
}

/// Prints each file's size raw and gzipped, and the totals.
pub fn print_sizes(dir: &Path) -> Result {
    print_table(&sizes(dir)?);
    println!(
        "\n{} is ready to copy to any static web server.",
        dir.display()
    );
    Ok(())
}

/// A table of files with their sizes raw and gzipped, and the totals.
pub fn print_table(files: &[Sized]) {
    let width = files
        .iter()
        .map(|f| f.path.display().to_string().len())
        .max()
        .unwrap_or(0)
        .max(5);
    println!("\n{:<width$}  {:>10}  {:>10}", "file", "raw", "gzip -9");
    for file in files {
        println!(
            "{:<width$}  {:>10}  {:>10}",
            file.path.display(),
            report::bytes(file.raw),
            report::bytes(file.gzipped)
        );
    }
    let raw: u64 = files.iter().map(|f| f.raw).sum();
    let gzipped: u64 = files.iter().map(|f| f.gzipped).sum();
    println!(
        "{:<width$}  {:>10}  {:>10}",
        format!("total ({} files)", files.len()),
        report::bytes(raw),
        report::bytes(gzipped)
    );
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// The size of `gzip -9` of a file, as a web server would send it.
pub fn gzipped_size(path: &Path) -> Result<u64> {
    let file = std::fs::File::open(path)?;
    let output = Command::new("gzip")
        .args(["-9", "-c", "-n"])
        .stdin(file)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error::new(format!("cannot run gzip: {e}")))?;
    if !output.status.success() {
        return Err(Error::new(format!("gzip failed on {}", path.display())));
    }
    Ok(output.stdout.len() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_every_file_raw_and_gzipped() {
        let dir = std::env::temp_dir().join(format!("xtask-sizes-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("sub")).expect("temp dir");
        std::fs::write(dir.join("a.txt"), "a".repeat(10_000)).expect("write");
        std::fs::write(dir.join("sub").join("b.txt"), "b").expect("write");

        let files = sizes(&dir).expect("sizes");
        let names: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
        assert_eq!(names, ["a.txt", "sub/b.txt"]);
        assert_eq!(files[0].raw, 10_000);
        assert!(files[0].gzipped < 200, "repetitive text compresses well");
        assert_eq!(files[1].raw, 1);
        assert!(files[1].gzipped > 1, "gzip adds a header");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
