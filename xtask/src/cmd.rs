//! Running other programs: echoed before they start, failing loudly when they fail.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;

use crate::{Error, Result};

/// A program with its arguments and extra environment.
pub struct Cmd {
    program: String,
    args: Vec<String>,
    envs: Vec<(String, String)>,
}

/// What a teed command printed, once it has finished.
pub struct Output {
    pub success: bool,
    /// stdout and stderr, line by line, as they arrived, without colour codes.
    pub text: String,
}

impl Cmd {
    pub fn new(program: impl Into<String>) -> Self {
        Cmd {
            program: program.into(),
            args: Vec::new(),
            envs: Vec::new(),
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_string_lossy().into_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for arg in args {
            self = self.arg(arg);
        }
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.envs.push((
            key.to_owned(),
            value.as_ref().to_string_lossy().into_owned(),
        ));
        self
    }

    /// The command as a person would type it.
    pub fn display(&self) -> String {
        let envs = self.envs.iter().map(|(k, v)| format!("{k}={}", quote(v)));
        let words = std::iter::once(self.program.clone()).chain(self.args.iter().map(|a| quote(a)));
        envs.chain(words).collect::<Vec<_>>().join(" ")
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        for (key, value) in &self.envs {
            command.env(key, value);
        }
        command
    }

    fn spawn_error(&self, error: std::io::Error) -> Error {
        Error::new(format!("cannot start `{}`: {error}", self.program))
    }

    /// Echoes the command, runs it with the terminal attached, and fails if it fails.
    pub fn run(&self) -> Result {
        println!("$ {}", self.display());
        let status = self.command().status().map_err(|e| self.spawn_error(e))?;
        if status.success() {
            Ok(())
        } else {
            Err(Error::new(format!(
                "`{}` failed ({status})",
                self.display()
            )))
        }
    }

    /// Runs the command quietly and returns its trimmed stdout, or `None` if it cannot start or
    /// fails: for asking a tool its version.
    pub fn read(&self) -> Option<String> {
        let output = self
            .command()
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        output
            .status
            .success()
            .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// Echoes the command and runs it, passing its output through while keeping a copy to read
    /// test counts from. Colour is kept on a terminal and stripped from the copy.
    pub fn run_teed(&self) -> Result<Output> {
        println!("$ {}", self.display());
        let mut command = self.command();
        if std::io::stdout().is_terminal() {
            command.env("CARGO_TERM_COLOR", "always");
        }
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| self.spawn_error(e))?;
        let text = Arc::new(Mutex::new(String::new()));
        let readers = [
            child.stdout.take().map(|out| tee(out, text.clone(), false)),
            child.stderr.take().map(|err| tee(err, text.clone(), true)),
        ];
        let status = child.wait()?;
        for reader in readers.into_iter().flatten() {
            let _ = reader.join();
        }
        let text = match Arc::try_unwrap(text) {
            Ok(text) => text
                .into_inner()
                .unwrap_or_else(|poison| poison.into_inner()),
            Err(shared) => lock(&shared).clone(),
        };
        Ok(Output {
            success: status.success(),
            text,
        })
    }
}

fn lock(text: &Mutex<String>) -> std::sync::MutexGuard<'_, String> {
    text.lock().unwrap_or_else(|poison| poison.into_inner())
}

fn tee(
    source: impl Read + Send + 'static,
    copy: Arc<Mutex<String>>,
    to_stderr: bool,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut reader = BufReader::new(source);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let _ = if to_stderr {
                        std::io::stderr().write_all(&line)
                    } else {
                        std::io::stdout().write_all(&line)
                    };
                    let plain = strip_ansi(&String::from_utf8_lossy(&line));
                    lock(&copy).push_str(&plain);
                }
            }
        }
    })
}

/// Removes terminal colour codes (`ESC [ ... letter`).
pub fn strip_ansi(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@+,%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_quotes_only_what_needs_it() {
        let cmd = Cmd::new("cargo")
            .args(["clippy", "--", "-D", "warnings"])
            .arg("a b")
            .env("CI", "true");
        assert_eq!(cmd.display(), "CI=true cargo clippy -- -D warnings 'a b'");
    }

    #[test]
    fn colour_codes_are_stripped() {
        assert_eq!(
            strip_ansi("test result: \u{1b}[32mok\u{1b}[0m. 3 passed"),
            "test result: ok. 3 passed"
        );
    }

    #[test]
    fn teed_output_is_kept_and_failure_reported() {
        let output = Cmd::new("sh")
            .args(["-c", "echo out; echo err >&2; exit 3"])
            .run_teed()
            .expect("sh runs");
        assert!(!output.success);
        assert!(output.text.contains("out\n"));
        assert!(output.text.contains("err\n"));
    }
}
