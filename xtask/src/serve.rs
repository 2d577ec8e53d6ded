//! `cargo xtask serve`: install what is missing, then `trunk serve` with live reload.

use crate::cmd::Cmd;
use crate::tools::Setup;
use crate::Result;

/// Flags are passed to `trunk serve` as they are: `--port 9000`, `--open`, `--release`, ...
pub fn run(args: &[String]) -> Result {
    let mut setup = Setup::new();
    setup.build_tools()?;
    setup.finish();
    println!("==> serving on http://127.0.0.1:8080 unless --port says otherwise; Ctrl-C stops");
    Cmd::new("trunk").arg("serve").args(args).run()
}
