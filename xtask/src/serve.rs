//! `cargo xtask serve`: install what is missing, then `trunk serve` with live reload.

use crate::cmd::Cmd;
use crate::tools::Setup;
use crate::Result;

/// Flags are passed to `trunk serve` as they are: `--port 9000`, `--open`, `--release`, ...
pub fn run(args: &[String]) -> Result {
    let mut setup = Setup::new();
    setup.build_tools()?;
    setup.finish();
    println!(
        "==> serving on http://127.0.0.1:{} (Ctrl-C stops)",
        port(args).unwrap_or("8080")
    );
    Cmd::new("trunk").arg("serve").args(args).run()
}

/// The value of `--port N` or `--port=N`, if given.
fn port(args: &[String]) -> Option<&str> {
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        if arg == "--port" {
            return args.next().map(String::as_str);
        }
        if let Some(port) = arg.strip_prefix("--port=") {
            return Some(port);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn finds_the_port_in_either_spelling() {
        assert_eq!(port(&args(&["--open", "--port", "9000"])), Some("9000"));
        assert_eq!(port(&args(&["--port=9001", "--release"])), Some("9001"));
        assert_eq!(port(&args(&["--release"])), None);
    }
}
