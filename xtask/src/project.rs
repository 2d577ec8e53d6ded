//! Where things are, and the environment every task runs in.

use std::env;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// The repository's root: the directory above `xtask/`.
pub fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The workspace's build directory, honouring `CARGO_TARGET_DIR`.
pub fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// Where `cargo install` puts binaries: `$CARGO_INSTALL_ROOT/bin`, else `$CARGO_HOME/bin`, by
/// default `~/.cargo/bin`.
pub fn cargo_bin_dir() -> Option<PathBuf> {
    if let Some(root) = env::var_os("CARGO_INSTALL_ROOT") {
        return Some(PathBuf::from(root).join("bin"));
    }
    if let Some(home) = env::var_os("CARGO_HOME") {
        return Some(PathBuf::from(home).join("bin"));
    }
    env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo").join("bin"))
}

/// Works from the repository's root, with the project's npm tools (`node_modules/.bin`) and
/// cargo's installs first on `PATH`, so every task and every tool it starts sees the versions
/// the project pins.
pub fn prepare_environment() -> Result {
    let root = root();
    env::set_current_dir(&root)
        .map_err(|e| Error::new(format!("cannot work in {}: {e}", root.display())))?;

    let mut front = vec![root.join("node_modules").join(".bin")];
    front.extend(cargo_bin_dir());
    let rest: Vec<PathBuf> = env::var_os("PATH")
        .map(|path| env::split_paths(&path).collect())
        .unwrap_or_default();
    let path = front
        .iter()
        .cloned()
        .chain(rest.into_iter().filter(|dir| !front.contains(dir)));
    let path = env::join_paths(path).map_err(|e| Error::new(format!("bad PATH: {e}")))?;
    env::set_var("PATH", path);
    // Trunk asks the network for its latest version otherwise.
    env::set_var("TRUNK_SKIP_VERSION_CHECK", "true");
    Ok(())
}

/// The first executable called `name` on `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}
