//! The plain-text lesson format: one file per lesson, one instruction per line, written without
//! Rust. `docs/lessons.md` documents it with a complete example; [`print`] writes the canonical
//! form that [`parse`] reads back.
//!
//! ```text
//! # a comment
//! lesson six-copies
//! title Six copies in three AZs
//! summary Why Aurora keeps six copies, and what four and three of them are for.
//! minutes 5
//! scenario quorum-write
//! challenge Can you make a protection group lose its write quorum while reads go on?
//!
//! step Six copies
//! say Watch protection group 0: it has {copies} copies, two in each AZ.
//! source P17 §2.1
//! highlight pg 0
//! until wait 2s
//! ```
//!
//! The parser never panics and reports every error it finds, each with its line and column
//! and what it expected there. Names (scenarios, figures, events, panels, actions, nodes) are
//! checked when the file loads, so a typo is an error, not a blank on the page.

use super::action::{parse_node, Action};
use super::condition::{Cmp, Condition, Test};
use super::figure::{self, FigureId};
use super::model::{
    Answer, Case, EndpointRef, Highlight, Lesson, Panel, Prediction, Setup, Step,
    DEFAULT_STEP_LIMIT, MAX_STEP_LIMIT,
};
use super::observed::EventKind;
use crate::control::Control;
use crate::time::{SimDuration, SimTime};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

/// One problem in a lesson file: where (1-based line and column, in characters) and what was
/// expected there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

/// The most errors reported for one file; the rest would only repeat the first ones.
pub const MAX_ERRORS: usize = 50;

/// The most bytes a lesson file may have. [sim default — not sourced]
pub const MAX_BYTES: usize = 256 * 1024;

/// A word of a line with its byte offset in the line.
#[derive(Clone, Copy)]
struct Word<'a> {
    text: &'a str,
    at: usize,
}

fn words(s: &str, base: usize) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if let Some(st) = start.take() {
                out.push(Word {
                    text: &s[st..i],
                    at: base + st,
                });
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(st) = start {
        out.push(Word {
            text: &s[st..],
            at: base + st,
        });
    }
    out
}

/// Which text field a continuation line (one starting with a space) adds to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Field {
    None,
    Summary,
    Challenge,
    Say,
    Ask,
    Answer,
    Explain,
    Title,
}

struct StepDraft {
    line: usize,
    step: Step,
    /// `decide` lines: tests, the answer key, and where the key is.
    decides: Vec<(Vec<Test>, String, usize, usize)>,
    otherwise: Option<(String, usize, usize)>,
    prediction_line: Option<usize>,
    question: Option<String>,
    answers: Vec<(Answer, usize, usize)>,
    explain: Option<String>,
    until_line: usize,
}

struct Parser<'a> {
    line_no: usize,
    line: &'a str,
    errors: Vec<LoadError>,
}

impl Parser<'_> {
    fn col(&self, byte: usize) -> usize {
        let b = byte.min(self.line.len());
        let mut b = b;
        while !self.line.is_char_boundary(b) {
            b -= 1;
        }
        self.line[..b].chars().count() + 1
    }

    fn error_at(&mut self, byte: usize, message: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS {
            let column = self.col(byte);
            self.errors.push(LoadError {
                line: self.line_no,
                column,
                message: message.into(),
            });
        }
    }

    fn found(w: Option<&Word<'_>>) -> String {
        match w {
            Some(w) => format!("\"{}\"", w.text),
            None => "the end of the line".into(),
        }
    }

    fn expect_end(&mut self, ws: &[Word<'_>], from: usize) {
        if let Some(w) = ws.get(from) {
            let at = w.at;
            let found = Self::found(Some(w));
            self.error_at(at, format!("expected the end of the line, found {found}"));
        }
    }
}

/// Parses a duration: a whole number and a unit (`500ms`, `30s`, `5min`, `2h`).
pub fn parse_duration(s: &str) -> Option<SimDuration> {
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let d = match unit {
        "ms" => SimDuration::from_millis(n.checked_mul(1)?),
        "s" => SimDuration::from_micros(n.checked_mul(1_000_000)?),
        "min" => SimDuration::from_micros(n.checked_mul(60_000_000)?),
        "h" => SimDuration::from_micros(n.checked_mul(3_600_000_000)?),
        _ => return None,
    };
    (d <= MAX_STEP_LIMIT).then_some(d)
}

/// Writes a duration in the largest unit that divides it.
pub fn duration_words(d: SimDuration) -> String {
    let us = d.as_micros();
    if us.is_multiple_of(3_600_000_000) && us > 0 {
        format!("{}h", us / 3_600_000_000)
    } else if us.is_multiple_of(60_000_000) && us > 0 {
        format!("{}min", us / 60_000_000)
    } else if us.is_multiple_of(1_000_000) {
        format!("{}s", us / 1_000_000)
    } else {
        format!("{}ms", us / 1_000)
    }
}

const DURATION: &str = "a duration: a whole number and ms, s, min or h (like 30s), at most 24h";

/// Reads a condition from words; returns it and how many words it used.
fn parse_condition(p: &mut Parser<'_>, ws: &[Word<'_>], i: usize) -> Option<(Condition, usize)> {
    let Some(w) = ws.get(i) else {
        let at = p.line.len();
        p.error_at(
            at,
            "expected a condition: time DURATION, wait DURATION, seen EVENT, figure NAME OP NUMBER or vdl-passed-commit",
        );
        return None;
    };
    let dur = |p: &mut Parser<'_>, j: usize| -> Option<SimDuration> {
        let d = ws.get(j).and_then(|w| parse_duration(w.text));
        if d.is_none() {
            let at = ws.get(j).map_or(p.line.len(), |w| w.at);
            let found = Parser::found(ws.get(j));
            p.error_at(at, format!("expected {DURATION}, found {found}"));
        }
        d
    };
    match w.text {
        "time" => Some((Condition::At(SimTime::ZERO + dur(p, i + 1)?), 2)),
        "wait" => Some((Condition::Wait(dur(p, i + 1)?), 2)),
        "seen" => {
            let k = ws.get(i + 1).and_then(|w| EventKind::from_name(w.text));
            if k.is_none() {
                let at = ws.get(i + 1).map_or(p.line.len(), |w| w.at);
                let found = Parser::found(ws.get(i + 1));
                let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.name()).collect();
                p.error_at(
                    at,
                    format!("expected an event ({}), found {found}", names.join(", ")),
                );
            }
            Some((Condition::Seen(k?), 2))
        }
        "figure" => {
            let f = ws.get(i + 1).and_then(|w| FigureId::from_name(w.text));
            if f.is_none() {
                let at = ws.get(i + 1).map_or(p.line.len(), |w| w.at);
                let found = Parser::found(ws.get(i + 1));
                p.error_at(
                    at,
                    format!(
                        "expected a live figure's name (docs/lessons.md lists them), found {found}"
                    ),
                );
                return None;
            }
            let cmp = ws.get(i + 2).and_then(|w| Cmp::from_symbol(w.text));
            if cmp.is_none() {
                let at = ws.get(i + 2).map_or(p.line.len(), |w| w.at);
                let found = Parser::found(ws.get(i + 2));
                p.error_at(
                    at,
                    format!("expected a comparison (<, <=, =, >=, >), found {found}"),
                );
                return None;
            }
            let v = ws
                .get(i + 3)
                .and_then(|w| w.text.parse::<f64>().ok())
                .filter(|v| v.is_finite());
            if v.is_none() {
                let at = ws.get(i + 3).map_or(p.line.len(), |w| w.at);
                let found = Parser::found(ws.get(i + 3));
                p.error_at(at, format!("expected a number, found {found}"));
                return None;
            }
            Some((
                Condition::Figure {
                    figure: f?,
                    cmp: cmp?,
                    value: v?,
                },
                4,
            ))
        }
        "vdl-passed-commit" => Some((Condition::VdlPassedCommit, 1)),
        _ => {
            let (at, found) = (w.at, Parser::found(Some(w)));
            p.error_at(
                at,
                format!("expected a condition (time, wait, seen, figure or vdl-passed-commit), found {found}"),
            );
            None
        }
    }
}

fn parse_highlight(p: &mut Parser<'_>, ws: &[Word<'_>]) -> Option<Highlight> {
    let Some(kind) = ws.get(1) else {
        let at = p.line.len();
        p.error_at(
            at,
            "expected what to highlight: az, node, segment, pg, endpoint, region, panel or figure",
        );
        return None;
    };
    let arg = ws.get(2);
    let arg_at = arg.map_or(p.line.len(), |w| w.at);
    let found = Parser::found(arg);
    let num = |max: u32| {
        arg.and_then(|w| w.text.parse::<u32>().ok())
            .filter(|n| *n <= max)
    };
    let h = match kind.text {
        "az" => match arg.map(|w| w.text) {
            Some("a") => Some(Highlight::Az(0)),
            Some("b") => Some(Highlight::Az(1)),
            Some("c") => Some(Highlight::Az(2)),
            _ => {
                p.error_at(arg_at, format!("expected an AZ: a, b or c, found {found}"));
                None
            }
        },
        "node" => match arg.and_then(|w| parse_node(w.text)) {
            Some(n) => Some(Highlight::Node(n)),
            None => {
                p.error_at(
                    arg_at,
                    format!("expected a node: writer, failover-target, pgN@AZ or a name like az-b-2, found {found}"),
                );
                None
            }
        },
        "segment" => match num(1_000_000) {
            Some(n) => Some(Highlight::Segment(n)),
            None => {
                p.error_at(arg_at, format!("expected a segment number, found {found}"));
                None
            }
        },
        "pg" => match num(1_000_000) {
            Some(n) => Some(Highlight::Pg(n)),
            None => {
                p.error_at(
                    arg_at,
                    format!("expected a protection group number, found {found}"),
                );
                None
            }
        },
        "region" => match num(10) {
            Some(n) => Some(Highlight::Region(n as u8)),
            None => {
                p.error_at(
                    arg_at,
                    format!("expected a region number, 0 to 10, found {found}"),
                );
                None
            }
        },
        "endpoint" => match arg.map(|w| w.text) {
            Some("cluster") => Some(Highlight::Endpoint(EndpointRef::Cluster)),
            Some("reader") => Some(Highlight::Endpoint(EndpointRef::Reader)),
            Some("custom") => match ws.get(3) {
                Some(n) => {
                    let h = Highlight::Endpoint(EndpointRef::Custom(n.text.to_string()));
                    p.expect_end(ws, 4);
                    return Some(h);
                }
                None => {
                    let at = p.line.len();
                    p.error_at(at, "expected the custom endpoint's name");
                    None
                }
            },
            _ => {
                p.error_at(
                    arg_at,
                    format!("expected an endpoint: cluster, reader or custom NAME, found {found}"),
                );
                None
            }
        },
        "panel" => match arg.and_then(|w| Panel::from_name(w.text)) {
            Some(panel) => Some(Highlight::Panel(panel)),
            None => {
                let names: Vec<&str> = Panel::ALL.iter().map(|p| p.name()).collect();
                p.error_at(
                    arg_at,
                    format!("expected a panel ({}), found {found}", names.join(", ")),
                );
                None
            }
        },
        "figure" => {
            match arg.and_then(|w| FigureId::from_name(w.text)) {
                Some(f) => Some(Highlight::Figure(f)),
                None => {
                    p.error_at(
                    arg_at,
                    format!("expected a live figure's name (docs/lessons.md lists them), found {found}"),
                );
                    None
                }
            }
        }
        _ => {
            let (at, found) = (kind.at, Parser::found(Some(kind)));
            p.error_at(
                at,
                format!("expected what to highlight: az, node, segment, pg, endpoint, region, panel or figure, found {found}"),
            );
            None
        }
    };
    if h.is_some() {
        p.expect_end(ws, 3);
    }
    h
}

fn parse_action(p: &mut Parser<'_>, ws: &[Word<'_>], from: usize) -> Option<Action> {
    let texts: Vec<&str> = ws[from.min(ws.len())..].iter().map(|w| w.text).collect();
    match Action::parse(&texts) {
        Ok(a) => Some(a),
        Err(e) => {
            let at = ws.get(from + e.word).map_or(p.line.len(), |w| w.at);
            let found = Parser::found(ws.get(from + e.word));
            p.error_at(at, format!("expected {}, found {found}", e.expected));
            None
        }
    }
}

/// Checks a text's placeholders, reporting unknown figures at their column.
fn check_text(p: &mut Parser<'_>, text: &str, base: usize) {
    for piece in figure::split(text) {
        if let Err(e) = piece {
            p.error_at(base + e.at, format!("expected {}", e.message));
        }
    }
}

fn append(field: &mut String, text: &str) {
    if !field.is_empty() && !text.is_empty() {
        field.push(' ');
    }
    field.push_str(text);
}

/// Reads a lesson file. Returns every error found (at most [`MAX_ERRORS`]), sorted by place.
pub fn parse(text: &str) -> Result<Lesson, Vec<LoadError>> {
    let mut p = Parser {
        line_no: 0,
        line: "",
        errors: Vec::new(),
    };
    if text.len() > MAX_BYTES {
        return Err(alloc::vec![LoadError {
            line: 1,
            column: 1,
            message: format!("expected a lesson file of at most {} KiB", MAX_BYTES / 1024),
        }]);
    }
    let mut name: Option<String> = None;
    let mut title: Option<String> = None;
    let mut summary: Option<String> = None;
    let mut minutes: Option<u32> = None;
    let mut scenario: Option<(String, usize, usize)> = None;
    let mut seed: Option<u64> = None;
    let mut replicas: Option<u8> = None;
    let mut actions: Vec<(SimTime, Action)> = Vec::new();
    let mut challenge: Option<String> = None;
    let mut next: Option<String> = None;
    let mut steps: Vec<StepDraft> = Vec::new();
    let mut field = Field::None;
    let mut drafts_done: Vec<Step> = Vec::new();
    // Header keywords written at all, so a bad value is not also reported as missing.
    let mut mentioned: Vec<&str> = Vec::new();

    // Editors on some systems start a file with a byte-order mark; it is not part of line 1.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        p.line_no = i + 1;
        p.line = line;
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            if line.trim().is_empty() {
                field = Field::None;
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            // A continuation of the text field above.
            let t = line.trim();
            let base = line.len() - line.trim_start().len();
            check_text(&mut p, t, base);
            let target = match (field, steps.last_mut()) {
                (Field::Summary, _) => summary.as_mut(),
                (Field::Challenge, _) => challenge.as_mut(),
                (Field::Title, Some(s)) => Some(&mut s.step.title),
                (Field::Say, Some(s)) => Some(&mut s.step.narration),
                (Field::Ask, Some(s)) => s.question.as_mut(),
                (Field::Answer, Some(s)) => s.answers.last_mut().map(|a| &mut a.0.text),
                (Field::Explain, Some(s)) => s.explain.as_mut(),
                _ => None,
            };
            match target {
                Some(f) => append(f, t),
                None => p.error_at(
                    0,
                    "expected a keyword at the start of the line (only the text of summary, challenge, say, ask, answer and explain may go on over indented lines)",
                ),
            }
            continue;
        }
        let ws = words(line, 0);
        let Some(kw) = ws.first().copied() else {
            continue;
        };
        let rest_at = kw.at + kw.text.len();
        let rest = line[rest_at..].trim();
        let rest_base = rest_at + (line[rest_at..].len() - line[rest_at..].trim_start().len());
        let need_text = |p: &mut Parser<'_>, what: &str| {
            if rest.is_empty() {
                let at = line.len();
                p.error_at(at, format!("expected {what} after \"{}\"", kw.text));
                false
            } else {
                true
            }
        };
        field = Field::None;
        let in_step = !steps.is_empty();
        if !in_step {
            mentioned.push(kw.text);
        }
        match kw.text {
            "lesson" | "title" | "summary" | "minutes" | "scenario" | "seed" | "replicas"
            | "at" | "challenge" | "next"
                if in_step && kw.text != "title" =>
            {
                p.error_at(
                    kw.at,
                    format!(
                        "expected a step instruction: \"{}\" belongs in the lesson's header, before the first step",
                        kw.text
                    ),
                );
            }
            "lesson" => {
                let ok = ws.len() == 2
                    && ws[1].text.len() <= 40
                    && ws[1]
                        .text
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if ok {
                    name = Some(ws[1].text.to_string());
                } else {
                    let at = ws.get(1).map_or(line.len(), |w| w.at);
                    p.error_at(
                        at,
                        "expected the lesson's name: lowercase letters, digits and dashes, at most 40",
                    );
                }
            }
            "title" if in_step => {
                if need_text(&mut p, "the step's title") {
                    if let Some(s) = steps.last_mut() {
                        s.step.title = rest.to_string();
                    }
                    field = Field::Title;
                }
            }
            "title" => {
                if need_text(&mut p, "the lesson's title") {
                    title = Some(rest.to_string());
                }
            }
            "summary" => {
                if need_text(&mut p, "one line for the lesson picker") {
                    check_text(&mut p, rest, rest_base);
                    summary = Some(rest.to_string());
                    field = Field::Summary;
                }
            }
            "challenge" => {
                if need_text(&mut p, "the open challenge that ends the lesson") {
                    check_text(&mut p, rest, rest_base);
                    challenge = Some(rest.to_string());
                    field = Field::Challenge;
                }
            }
            "minutes" => match ws.get(1).and_then(|w| w.text.parse::<u32>().ok()) {
                Some(m) if (1..=120).contains(&m) => {
                    minutes = Some(m);
                    p.expect_end(&ws, 2);
                }
                _ => {
                    let at = ws.get(1).map_or(line.len(), |w| w.at);
                    p.error_at(
                        at,
                        "expected the lesson's length in whole minutes, 1 to 120",
                    );
                }
            },
            "scenario" => match ws.get(1) {
                Some(w) if crate::scenario::find(w.text).is_some() => {
                    scenario = Some((w.text.to_string(), p.line_no, p.col(w.at)));
                    p.expect_end(&ws, 2);
                }
                w => {
                    let at = w.map_or(line.len(), |w| w.at);
                    let found = Parser::found(w);
                    let names: Vec<&str> = crate::scenario::all().iter().map(|s| s.name).collect();
                    p.error_at(
                        at,
                        format!(
                            "expected a built-in scenario ({}), found {found}",
                            names.join(", ")
                        ),
                    );
                }
            },
            "seed" => match ws.get(1).and_then(|w| w.text.parse::<u64>().ok()) {
                Some(s) => {
                    seed = Some(s);
                    p.expect_end(&ws, 2);
                }
                None => {
                    let at = ws.get(1).map_or(line.len(), |w| w.at);
                    p.error_at(at, "expected a seed: a whole number from 0 to 2^64-1");
                }
            },
            "replicas" => match ws.get(1).and_then(|w| w.text.parse::<u8>().ok()) {
                Some(r) if r <= 15 => {
                    replicas = Some(r);
                    p.expect_end(&ws, 2);
                }
                _ => {
                    let at = ws.get(1).map_or(line.len(), |w| w.at);
                    p.error_at(at, "expected how many read replicas to start with, 0 to 15");
                }
            },
            "next" => match ws.get(1) {
                Some(w) => {
                    next = Some(w.text.to_string());
                    p.expect_end(&ws, 2);
                }
                None => {
                    let at = line.len();
                    p.error_at(at, "expected the next lesson's name");
                }
            },
            "at" => {
                let t = ws.get(1).and_then(|w| parse_duration(w.text));
                match t {
                    None => {
                        let at = ws.get(1).map_or(line.len(), |w| w.at);
                        let found = Parser::found(ws.get(1));
                        p.error_at(at, format!("expected {DURATION}, found {found}"));
                    }
                    Some(t) => {
                        if let Some(a) = parse_action(&mut p, &ws, 2) {
                            actions.push((SimTime::ZERO + t, a));
                        }
                    }
                }
            }
            "step" => {
                if need_text(&mut p, "the step's title") {
                    steps.push(StepDraft {
                        line: p.line_no,
                        step: Step {
                            title: rest.to_string(),
                            narration: String::new(),
                            sources: Vec::new(),
                            highlights: Vec::new(),
                            actions: Vec::new(),
                            your_turn: None,
                            until: Vec::new(),
                            limit: DEFAULT_STEP_LIMIT,
                            prediction: None,
                        },
                        decides: Vec::new(),
                        otherwise: None,
                        prediction_line: None,
                        question: None,
                        answers: Vec::new(),
                        explain: None,
                        until_line: p.line_no,
                    });
                    field = Field::Title;
                }
            }
            kw_text if !in_step => {
                let known = [
                    "say",
                    "source",
                    "highlight",
                    "do",
                    "your-turn",
                    "until",
                    "limit",
                    "ask",
                    "answer",
                    "decide",
                    "explain",
                ];
                let message = if known.contains(&kw_text) {
                    format!("expected \"step TITLE\" before \"{kw_text}\"")
                } else {
                    format!(
                        "expected a header instruction (lesson, title, summary, minutes, scenario, seed, replicas, at, challenge, next) or step, found \"{kw_text}\""
                    )
                };
                p.error_at(kw.at, message);
            }
            _ => {
                let Some(s) = steps.last_mut() else { continue };
                match kw.text {
                    "say" => {
                        if need_text(&mut p, "a sentence of narration") {
                            check_text(&mut p, rest, rest_base);
                            append(&mut s.step.narration, rest);
                            field = Field::Say;
                        }
                    }
                    "source" => {
                        if need_text(&mut p, "a source tag from the reference, like P17 §2.1") {
                            s.step.sources.push(rest.to_string());
                        }
                    }
                    "highlight" => {
                        if let Some(h) = parse_highlight(&mut p, &ws) {
                            s.step.highlights.push(h);
                        }
                    }
                    "do" => {
                        if let Some(a) = parse_action(&mut p, &ws, 1) {
                            s.step.actions.push(a);
                        }
                    }
                    "your-turn" => {
                        if let Some(a) = parse_action(&mut p, &ws, 1) {
                            if s.step.your_turn.is_some() {
                                p.error_at(kw.at, "expected one your-turn per step");
                            } else if !a.is_control() {
                                p.error_at(
                                    ws[1].at,
                                    format!(
                                        "expected an action the page has a control for; \"{}\" can only be a \"do\"",
                                        ws[1].text
                                    ),
                                );
                            } else {
                                s.step.your_turn = Some(a);
                            }
                        }
                    }
                    "until" => {
                        if let Some((c, used)) = parse_condition(&mut p, &ws, 1) {
                            p.expect_end(&ws, 1 + used);
                            s.step.until.push(c);
                            s.until_line = p.line_no;
                        }
                    }
                    "limit" => match ws.get(1).and_then(|w| parse_duration(w.text)) {
                        Some(d) if d > SimDuration::ZERO => {
                            s.step.limit = d;
                            p.expect_end(&ws, 2);
                        }
                        _ => {
                            let at = ws.get(1).map_or(line.len(), |w| w.at);
                            let found = Parser::found(ws.get(1));
                            p.error_at(at, format!("expected {DURATION}, found {found}"));
                        }
                    },
                    "ask" => {
                        if s.question.is_some() {
                            p.error_at(kw.at, "expected one question per step");
                        } else if need_text(&mut p, "the question") {
                            check_text(&mut p, rest, rest_base);
                            s.question = Some(rest.to_string());
                            s.prediction_line = Some(p.line_no);
                            field = Field::Ask;
                        }
                    }
                    "answer" => {
                        let key = ws.get(1);
                        let text_at = ws.get(2).map(|w| w.at);
                        match (key, text_at) {
                            (Some(k), Some(at)) => {
                                let t = line[at..].trim();
                                check_text(&mut p, t, at);
                                if s.answers.iter().any(|(a, _, _)| a.key == k.text) {
                                    p.error_at(
                                        k.at,
                                        format!(
                                            "expected a new answer key; \"{}\" is used above",
                                            k.text
                                        ),
                                    );
                                } else {
                                    s.answers.push((
                                        Answer {
                                            key: k.text.to_string(),
                                            text: t.to_string(),
                                        },
                                        p.line_no,
                                        p.col(k.at),
                                    ));
                                    field = Field::Answer;
                                }
                            }
                            _ => {
                                let at = line.len();
                                p.error_at(
                                    at,
                                    "expected an answer's key and its text: answer KEY TEXT",
                                );
                            }
                        }
                    }
                    "decide" => {
                        let arrow = ws.iter().position(|w| w.text == "->");
                        let Some(arrow) = arrow else {
                            let at = line.len();
                            p.error_at(at, "expected \"-> KEY\": the answer this case makes right");
                            continue;
                        };
                        let key = ws.get(arrow + 1);
                        let Some(key) = key else {
                            let at = line.len();
                            p.error_at(at, "expected the answer's key after \"->\"");
                            continue;
                        };
                        p.expect_end(&ws, arrow + 2);
                        let (kl, kc) = (p.line_no, p.col(key.at));
                        if ws.get(1).map(|w| w.text) == Some("otherwise") {
                            p.expect_end(&ws[..arrow], 2);
                            if s.otherwise.is_some() {
                                p.error_at(ws[1].at, "expected one \"decide otherwise\" per step");
                            }
                            s.otherwise = Some((key.text.to_string(), kl, kc));
                            continue;
                        }
                        let mut tests = Vec::new();
                        let mut j = 1;
                        let mut ok = true;
                        while j < arrow {
                            let negate = ws[j].text == "not";
                            if negate {
                                j += 1;
                            }
                            match parse_condition(&mut p, &ws[..arrow], j) {
                                Some((c, used)) => {
                                    tests.push(Test {
                                        negate,
                                        condition: c,
                                    });
                                    j += used;
                                }
                                None => {
                                    ok = false;
                                    break;
                                }
                            }
                            if j < arrow {
                                if ws[j].text == "and" && j + 1 < arrow {
                                    j += 1;
                                } else {
                                    let (at, found) = (ws[j].at, Parser::found(Some(&ws[j])));
                                    p.error_at(at, format!("expected \"and\" another test, or \"->\", found {found}"));
                                    ok = false;
                                    break;
                                }
                            }
                        }
                        if ok && tests.is_empty() {
                            p.error_at(
                                ws[arrow].at,
                                "expected a test before \"->\", or \"otherwise\"",
                            );
                        } else if ok {
                            s.decides.push((tests, key.text.to_string(), kl, kc));
                        }
                    }
                    "explain" => {
                        if need_text(&mut p, "the explanation shown after the answer") {
                            check_text(&mut p, rest, rest_base);
                            match &mut s.explain {
                                Some(e) => append(e, rest),
                                None => s.explain = Some(rest.to_string()),
                            }
                            field = Field::Explain;
                        }
                    }
                    other => {
                        p.error_at(
                            kw.at,
                            format!("expected a step instruction (say, source, highlight, do, your-turn, until, limit, ask, answer, decide, explain) or step, found \"{other}\""),
                        );
                    }
                }
            }
        }
    }

    // Whole-step checks, at the step's own lines.
    let mut errors = p.errors;
    let mut push = |line: usize, column: usize, message: String| {
        if errors.len() < MAX_ERRORS {
            errors.push(LoadError {
                line,
                column,
                message,
            });
        }
    };
    for d in steps {
        let mut step = d.step;
        if step.narration.is_empty() {
            push(
                d.line,
                1,
                format!(
                    "expected the step \"{}\" to say something (a say line)",
                    step.title
                ),
            );
        }
        let has_prediction = d.question.is_some()
            || !d.answers.is_empty()
            || !d.decides.is_empty()
            || d.otherwise.is_some()
            || d.explain.is_some();
        if has_prediction {
            let line = d.prediction_line.unwrap_or(d.line);
            let keys: Vec<&str> = d.answers.iter().map(|(a, _, _)| a.key.as_str()).collect();
            let index = |k: &str| keys.iter().position(|x| *x == k);
            let mut cases = Vec::new();
            for (tests, key, l, c) in &d.decides {
                match index(key) {
                    Some(i) => cases.push(Case {
                        tests: tests.clone(),
                        answer: i,
                    }),
                    None => push(
                        *l,
                        *c,
                        format!(
                            "expected one of the step's answer keys ({}), found \"{key}\"",
                            keys.join(", ")
                        ),
                    ),
                }
            }
            let otherwise = match &d.otherwise {
                Some((key, l, c)) => {
                    let i = index(key);
                    if i.is_none() {
                        push(
                            *l,
                            *c,
                            format!(
                                "expected one of the step's answer keys ({}), found \"{key}\"",
                                keys.join(", ")
                            ),
                        );
                    }
                    i
                }
                None => None,
            };
            if d.question.is_none() {
                push(
                    line,
                    1,
                    "expected an ask line: the prediction's question".into(),
                );
            }
            if !(2..=4).contains(&d.answers.len()) {
                push(
                    line,
                    1,
                    format!("expected 2 to 4 answers, found {}", d.answers.len()),
                );
            }
            if d.decides.is_empty() && d.otherwise.is_none() {
                push(
                    line,
                    1,
                    "expected decide lines: the events or figures that make an answer right".into(),
                );
            }
            if d.explain.is_none() {
                push(
                    line,
                    1,
                    "expected an explain line: why the model's answer is right".into(),
                );
            }
            if d.question.is_some() && d.explain.is_some() {
                step.prediction = Some(Prediction {
                    question: d.question.unwrap_or_default(),
                    answers: d.answers.into_iter().map(|(a, _, _)| a).collect(),
                    cases,
                    otherwise,
                    explain: d.explain.unwrap_or_default(),
                });
            }
        }
        drafts_done.push(step);
    }
    for (kw, what, missing) in [
        ("lesson", "lesson NAME", name.is_none()),
        ("title", "title TEXT", title.is_none()),
        ("summary", "summary TEXT", summary.is_none()),
        ("minutes", "minutes N", minutes.is_none()),
        ("scenario", "scenario NAME", scenario.is_none()),
        ("challenge", "challenge TEXT", challenge.is_none()),
        ("step", "at least one step", drafts_done.is_empty()),
    ] {
        if missing && !mentioned.contains(&kw) {
            push(
                1,
                1,
                format!("expected {what} in the lesson's header (none found)"),
            );
        }
    }
    // Node names are checked against the scenario's cluster as it starts; instances a lesson
    // creates (add-replica, auto scaling, regions) may have names that appear later.
    if let Some((sc, _, _)) = &scenario {
        check_names(sc, replicas, &actions, &drafts_done, text, &mut errors);
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| (e.line, e.column));
        return Err(errors);
    }
    Ok(Lesson {
        name: name.unwrap_or_default(),
        title: title.unwrap_or_default(),
        summary: summary.unwrap_or_default(),
        minutes: minutes.unwrap_or(1),
        setup: Setup {
            scenario: scenario.map(|s| s.0).unwrap_or_default(),
            seed: seed.unwrap_or(1),
            replicas,
            actions,
        },
        steps: drafts_done,
        challenge: challenge.unwrap_or_default(),
        next,
    })
}

/// Reports names of parts the lesson's cluster does not have, at their place in the text: nodes
/// not in the scenario's starting cluster (unless the lesson creates instances, whose names
/// appear later), protection groups beyond the volume (unless it grows), and custom endpoints
/// the lesson does not create. Segment numbers are not checked: repairs add segments.
fn check_names(
    scenario: &str,
    replicas: Option<u8>,
    actions: &[(SimTime, Action)],
    steps: &[Step],
    text: &str,
    errors: &mut Vec<LoadError>,
) {
    use super::action::NodeRef;
    let Some(sc) = crate::scenario::find(scenario) else {
        return;
    };
    let sim = sc.start_with(0, |c| {
        if let Some(r) = replicas {
            c.replicas = c.replicas.max(r);
        }
    });
    let creates = |a: &Action| {
        matches!(
            a,
            Action::Control(Control::AddReplica(_) | Control::AddRegion | Control::Failover)
                | Action::AutoScaling { .. }
        )
    };
    let creates_any = actions.iter().any(|(_, a)| creates(a))
        || steps
            .iter()
            .any(|s| s.actions.iter().chain(s.your_turn.iter()).any(creates));
    fn named<'a>(r: &'a NodeRef, out: &mut Vec<&'a str>) {
        if let NodeRef::Named(n) = r {
            out.push(n.as_str());
        }
    }
    fn in_action<'a>(a: &'a Action, out: &mut Vec<&'a str>) {
        match a {
            Action::Crash(r)
            | Action::Restart(r)
            | Action::Slow(r)
            | Action::Unslow(r)
            | Action::Cap { node: r, .. }
            | Action::Tier { node: r, .. } => named(r, out),
            Action::CustomEndpoint { members, .. } => members.iter().for_each(|m| named(m, out)),
            _ => {}
        }
    }
    let mut names: Vec<&str> = Vec::new();
    for (_, a) in actions {
        in_action(a, &mut names);
    }
    for s in steps {
        for a in s.actions.iter().chain(s.your_turn.iter()) {
            in_action(a, &mut names);
        }
        for h in &s.highlights {
            if let Highlight::Node(r) = h {
                named(r, &mut names);
            }
        }
    }
    let mut report = |line: usize, column: usize, message: String| {
        if errors.len() < MAX_ERRORS {
            errors.push(LoadError {
                line,
                column,
                message,
            });
        }
    };
    for n in names {
        let exists = super::action::find_node(&sim, n).is_some();
        let may_appear = creates_any && (n.starts_with("instance-") || n.contains('/'));
        if !exists && !may_appear {
            let (line, column) = locate(text, &["do", "your-turn", "at", "highlight"], n);
            report(
                line,
                column,
                format!(
                    "expected a node of the {scenario} cluster (like az-a-1 or instance-1), found \"{n}\""
                ),
            );
        }
    }
    // Protection groups must exist, unless the volume grows during the lesson.
    let grows = sim.inspect().workload().growth_bytes_per_sec > 0
        || actions.iter().any(|(_, a)| matches!(a, Action::Grow(_)))
        || steps
            .iter()
            .any(|s| s.actions.iter().any(|a| matches!(a, Action::Grow(_))));
    let pgs = sim.view().pgs.len();
    let custom: Vec<&str> = actions
        .iter()
        .map(|(_, a)| a)
        .chain(steps.iter().flat_map(|s| s.actions.iter()))
        .filter_map(|a| match a {
            Action::CustomEndpoint { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    for s in steps {
        for h in &s.highlights {
            match h {
                Highlight::Pg(n) if !grows && *n as usize >= pgs => {
                    let (line, column) = locate_after(text, "highlight", "pg", &format!("{n}"));
                    report(
                        line,
                        column,
                        format!(
                            "expected a protection group of the {scenario} volume, 0 to {}, found {n}",
                            pgs.saturating_sub(1)
                        ),
                    );
                }
                Highlight::Endpoint(EndpointRef::Custom(name))
                    if !custom.contains(&name.as_str()) =>
                {
                    let (line, column) = locate_after(text, "highlight", "custom", name);
                    report(
                        line,
                        column,
                        format!(
                            "expected a custom endpoint the lesson creates (custom-endpoint NAME …), found \"{name}\""
                        ),
                    );
                }
                _ => {}
            }
        }
    }
}

/// Where `word` is first written as a word on a line starting with one of `keywords`.
fn locate(text: &str, keywords: &[&str], word: &str) -> (usize, usize) {
    text.split('\n')
        .enumerate()
        .find_map(|(i, l)| {
            let ws = words(l, 0);
            let first = ws.first()?;
            if !keywords.contains(&first.text) {
                return None;
            }
            ws.iter()
                .skip(1)
                .find(|w| w.text == word)
                .map(|w| (i + 1, l[..w.at].chars().count() + 1))
        })
        .unwrap_or((1, 1))
}

/// Where `word` is first written right after `before` on a line starting with `keyword`.
fn locate_after(text: &str, keyword: &str, before: &str, word: &str) -> (usize, usize) {
    text.split('\n')
        .enumerate()
        .find_map(|(i, l)| {
            let ws = words(l, 0);
            if ws.first()?.text != keyword {
                return None;
            }
            ws.windows(2)
                .find(|p| p[0].text == before && p[1].text == word)
                .map(|p| (i + 1, l[..p[1].at].chars().count() + 1))
        })
        .unwrap_or((1, 1))
}

fn condition_words(c: &Condition) -> String {
    match c {
        Condition::At(t) => format!("time {}", duration_words(*t - SimTime::ZERO)),
        Condition::Wait(d) => format!("wait {}", duration_words(*d)),
        Condition::Seen(k) => format!("seen {}", k.name()),
        Condition::Figure { figure, cmp, value } => {
            format!("figure {} {} {}", figure.name(), cmp.symbol(), value)
        }
        Condition::VdlPassedCommit => "vdl-passed-commit".into(),
    }
}

fn highlight_words(h: &Highlight) -> String {
    match h {
        Highlight::Az(z) => format!("az {}", (b'a' + z) as char),
        Highlight::Node(n) => format!("node {}", n.words()),
        Highlight::Segment(s) => format!("segment {s}"),
        Highlight::Pg(p) => format!("pg {p}"),
        Highlight::Endpoint(EndpointRef::Cluster) => "endpoint cluster".into(),
        Highlight::Endpoint(EndpointRef::Reader) => "endpoint reader".into(),
        Highlight::Endpoint(EndpointRef::Custom(n)) => format!("endpoint custom {n}"),
        Highlight::Region(r) => format!("region {r}"),
        Highlight::Panel(p) => format!("panel {}", p.name()),
        Highlight::Figure(f) => format!("figure {}", f.name()),
    }
}

/// Writes a lesson in the canonical form, which [`parse`] reads back to the same lesson.
pub fn print(l: &Lesson) -> String {
    use core::fmt::Write as _;
    let mut o = String::new();
    let _ = writeln!(o, "lesson {}", l.name);
    let _ = writeln!(o, "title {}", l.title);
    let _ = writeln!(o, "summary {}", l.summary);
    let _ = writeln!(o, "minutes {}", l.minutes);
    let _ = writeln!(o, "scenario {}", l.setup.scenario);
    let _ = writeln!(o, "seed {}", l.setup.seed);
    if let Some(r) = l.setup.replicas {
        let _ = writeln!(o, "replicas {r}");
    }
    for (t, a) in &l.setup.actions {
        let _ = writeln!(o, "at {} {}", duration_words(*t - SimTime::ZERO), a.words());
    }
    let _ = writeln!(o, "challenge {}", l.challenge);
    if let Some(n) = &l.next {
        let _ = writeln!(o, "next {n}");
    }
    for s in &l.steps {
        let _ = writeln!(o, "\nstep {}", s.title);
        let _ = writeln!(o, "say {}", s.narration);
        for src in &s.sources {
            let _ = writeln!(o, "source {src}");
        }
        for h in &s.highlights {
            let _ = writeln!(o, "highlight {}", highlight_words(h));
        }
        for a in &s.actions {
            let _ = writeln!(o, "do {}", a.words());
        }
        if let Some(a) = &s.your_turn {
            let _ = writeln!(o, "your-turn {}", a.words());
        }
        for c in &s.until {
            let _ = writeln!(o, "until {}", condition_words(c));
        }
        if s.limit != DEFAULT_STEP_LIMIT {
            let _ = writeln!(o, "limit {}", duration_words(s.limit));
        }
        if let Some(p) = &s.prediction {
            let _ = writeln!(o, "ask {}", p.question);
            for a in &p.answers {
                let _ = writeln!(o, "answer {} {}", a.key, a.text);
            }
            for c in &p.cases {
                let tests: Vec<String> = c
                    .tests
                    .iter()
                    .map(|t| {
                        let w = condition_words(&t.condition);
                        if t.negate {
                            format!("not {w}")
                        } else {
                            w
                        }
                    })
                    .collect();
                let key = p.answers.get(c.answer).map_or("?", |a| a.key.as_str());
                let _ = writeln!(o, "decide {} -> {key}", tests.join(" and "));
            }
            if let Some(a) = p.otherwise.and_then(|i| p.answers.get(i)) {
                let _ = writeln!(o, "decide otherwise -> {}", a.key);
            }
            let _ = writeln!(o, "explain {}", p.explain);
        }
    }
    o
}
