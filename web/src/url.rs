//! The share and embed parameters in the page's address.
//!
//! `?scenario=failover&seed=7&speed=0.01&t=12500000&actions=2000000.fail-az.c` reproduces a run
//! exactly: the scenario, the seed, the person's actions with their simulated times (in
//! microseconds), and the point to open at. `embed=1` gives the compact chrome for course pages,
//! `autoplay=1` starts playing at once.
//!
//! Every problem becomes a notice in plain words and a default; nothing read here is ever put
//! into the page as HTML.

use aurora_core::backup::Engine;
use aurora_core::scenario::{self, Scenario};
use aurora_core::{SimDuration, SimTime};

use crate::actions::Timed;
use crate::format;

/// The scenario the page opens with: a writer, replicas and clients in three AZs.
pub const DEFAULT_SCENARIO: &str = "replicas";
pub const DEFAULT_SEED: u64 = 1;
/// Most actions a link may carry.
pub const MAX_ACTIONS: usize = 200;
/// Longest value quoted back in a notice.
const QUOTE_MAX: usize = 40;
/// How far past its scenario's end a link may open. The page runs to `t` before it draws, so an
/// unbounded `t` (up to 2^64 µs) would freeze it; two minutes past the end is a few seconds of
/// work for the busiest scenario.
pub const MAX_T_PAST_END: SimDuration = SimDuration::from_secs(120);

/// What the address asks for.
#[derive(Clone)]
pub struct Params {
    /// `None`: the default scenario.
    pub scenario: Option<&'static Scenario>,
    pub seed: u64,
    pub speed_index: usize,
    pub actions: Vec<Timed>,
    /// The simulated time to open at.
    pub at: Option<SimTime>,
    pub embed: bool,
    /// `tools=save`: an embed shows the take-away buttons too (Save picture, Save measurements, Save event log, Save
    /// run, Open run); the full page always does.
    pub tools: bool,
    pub autoplay: bool,
    /// Measure frames for the benchmarks (`bench=1`).
    pub bench: bool,
    /// Start with at least this many replicas, running from the first instant (`replicas=N`).
    pub replicas: Option<u8>,
    /// Create the cluster for this engine (`engine=mysql` or `engine=postgresql`).
    pub engine: Option<Engine>,
    /// The link named its seed (a lesson then uses it instead of its own).
    pub seed_given: bool,
    /// `lesson`, `step`, `lesson-file`: open a lesson at a step.
    pub lesson: crate::lesson::LinkParams,
}

/// The scenario the page opens with, or the core's first if it ever drops that one.
pub fn default_scenario() -> Option<&'static Scenario> {
    scenario::find(DEFAULT_SCENARIO).or_else(|| scenario::all().first())
}

impl Params {
    /// The scenario asked for, or the default one.
    pub fn scenario(&self) -> Option<&'static Scenario> {
        self.scenario.or_else(default_scenario)
    }
}

impl Default for Params {
    fn default() -> Self {
        Params {
            scenario: None,
            seed: DEFAULT_SEED,
            speed_index: format::DEFAULT_SPEED_INDEX,
            actions: Vec::new(),
            at: None,
            embed: false,
            tools: false,
            autoplay: true,
            bench: false,
            replicas: None,
            engine: None,
            seed_given: false,
            lesson: crate::lesson::LinkParams::default(),
        }
    }
}

/// `%41` and `+` decoded; bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(h), Some(l)) => {
                        out.push((h * 16 + l) as u8);
                        i += 2;
                    }
                    _ => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A value quoted in a notice: shortened, and only as text.
fn quote(s: &str) -> String {
    let mut q: String = s.chars().take(QUOTE_MAX).collect();
    if s.chars().count() > QUOTE_MAX {
        q.push('…');
    }
    q
}

fn flag(value: &str) -> Option<bool> {
    match value {
        "1" | "true" | "yes" | "on" | "" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Reads `search` (with or without its `?`). Problems come back as notices; the parameters
/// they concern keep their defaults.
pub fn parse(search: &str) -> (Params, Vec<String>) {
    let mut p = Params::default();
    let mut notices = Vec::new();
    let mut autoplay = None;
    let search = search.strip_prefix('?').unwrap_or(search);
    for pair in search.split('&').filter(|s| !s.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode(key);
        let value = percent_decode(value);
        match key.as_str() {
            "scenario" => match scenario::find(&value) {
                Some(s) => p.scenario = Some(s),
                None => notices.push(format!(
                    "There is no scenario called \"{}\"; showing \"{}\" instead.",
                    quote(&value),
                    default_scenario().map_or("", |s| s.name)
                )),
            },
            "seed" => match value.parse::<u64>() {
                Ok(seed) => {
                    p.seed = seed;
                    p.seed_given = true;
                }
                Err(_) => notices.push(format!(
                    "The seed must be a whole number from 0 to 18446744073709551615, not \"{}\"; using {}.",
                    quote(&value),
                    DEFAULT_SEED
                )),
            },
            "speed" => match value.parse::<f64>() {
                Ok(speed) if speed.is_finite() && speed > 0.0 => {
                    p.speed_index = format::nearest_speed(speed);
                    let chosen = format::speed_at(p.speed_index);
                    if (chosen / speed - 1.0).abs() > 0.01 {
                        notices.push(format!(
                            "Speed {} is not on the dial; using the nearest, {}.",
                            quote(&value),
                            format::speed_factor(chosen)
                        ));
                    }
                }
                _ => notices.push(format!(
                    "The speed must be a positive number such as 0.01 or 20, not \"{}\"; using {}.",
                    quote(&value),
                    format::speed_factor(format::speed_at(format::DEFAULT_SPEED_INDEX))
                )),
            },
            "t" => match value.parse::<u64>() {
                Ok(us) => p.at = Some(SimTime::from_micros(us)),
                Err(_) => notices.push(format!(
                    "The time t must be a whole number of microseconds, not \"{}\"; starting at 0.",
                    quote(&value)
                )),
            },
            "actions" => {
                for (i, item) in value.split('_').filter(|s| !s.is_empty()).enumerate() {
                    if p.actions.len() >= MAX_ACTIONS {
                        notices.push(format!(
                            "The link carries more than {MAX_ACTIONS} actions; the rest are ignored."
                        ));
                        break;
                    }
                    match Timed::decode(item) {
                        Ok(timed) => p.actions.push(timed),
                        Err(why) => notices.push(format!(
                            "Action {} in the link (\"{}\") was ignored: {why}.",
                            i + 1,
                            quote(item)
                        )),
                    }
                }
                p.actions.sort_by_key(|a| a.at);
            }
            "embed" => match flag(&value) {
                Some(on) => p.embed = on,
                None => notices.push(format!(
                    "embed must be 1 or 0, not \"{}\"; showing the full page.",
                    quote(&value)
                )),
            },
            "tools" => match value.as_str() {
                "save" => p.tools = true,
                "" | "none" => p.tools = false,
                _ => notices.push(format!(
                    "tools is \"save\" (the Save and Open buttons) or \"none\", not \"{}\"; ignored.",
                    quote(&value)
                )),
            },
            "bench" => match flag(&value) {
                Some(on) => p.bench = on,
                None => notices.push(format!(
                    "bench must be 1 or 0, not \"{}\"; ignored.",
                    quote(&value)
                )),
            },
            "replicas" => match value.parse::<u8>() {
                Ok(n) if n <= 15 => p.replicas = Some(n),
                _ => notices.push(format!(
                    "replicas must be a whole number from 0 to 15, not \"{}\"; ignored.",
                    quote(&value)
                )),
            },
            "engine" => match Engine::parse(&value) {
                Some(e) => p.engine = Some(e),
                None => notices.push(format!(
                    "engine must be mysql or postgresql, not \"{}\"; using the scenario's.",
                    quote(&value)
                )),
            },
            "autoplay" => match flag(&value) {
                Some(on) => autoplay = Some(on),
                None => notices.push(format!(
                    "autoplay must be 1 or 0, not \"{}\"; ignored.",
                    quote(&value)
                )),
            },
            other => match p.lesson.read(other, &value) {
                Some(Ok(())) => {}
                Some(Err(notice)) => notices.push(notice),
                None => notices.push(format!(
                    "The link's parameter \"{}\" is not one the playground knows; it was ignored.",
                    quote(other)
                )),
            },
        }
    }
    if let (Some(at), Some(sc)) = (p.at, p.scenario()) {
        let limit = SimTime::ZERO + sc.duration + MAX_T_PAST_END;
        if at > limit {
            notices.push(format!(
                "The time t is past what a link can open at (\"{}\" runs for {}, and a link may go {} beyond); opening at {}.",
                sc.name,
                format::duration(sc.duration),
                format::duration(MAX_T_PAST_END),
                format::clock(limit)
            ));
            p.at = Some(limit);
        }
    }
    // The full page plays at once unless it opens at a chosen moment; an embed waits for a click
    // unless told otherwise.
    p.autoplay = autoplay.unwrap_or(!p.embed && p.at.is_none());
    // An embed without a speed plays its scenario's story within seconds, not minutes.
    if p.embed && !pairs_have(search, "speed") {
        if let Some(sc) = p.scenario() {
            p.speed_index = format::nearest_speed(crate::waits::speed_for(sc.duration));
        }
    }
    (p, notices)
}

/// Whether the query names a parameter at all.
fn pairs_have(query: &str, key: &str) -> bool {
    query
        .trim_start_matches('?')
        .split('&')
        .any(|pair| pair.split('=').next() == Some(key))
}

/// What a share link records.
pub struct Share<'a> {
    pub scenario: &'a str,
    pub seed: u64,
    pub speed: f64,
    pub at: SimTime,
    pub actions: &'a [Timed],
    pub embed: bool,
    /// The replicas the run started with (`replicas=N`), if the link asked for them.
    pub replicas: Option<u8>,
    /// The engine the cluster was created with (`engine=`), if the link asked for one.
    pub engine: Option<Engine>,
}

/// The query string (with its `?`) for a share link. Every part is made of characters that
/// need no escaping.
pub fn query(s: &Share<'_>) -> String {
    let mut q = format!(
        "?scenario={}&seed={}&speed={}&t={}",
        s.scenario,
        s.seed,
        s.speed,
        s.at.as_micros()
    );
    if !s.actions.is_empty() {
        let list: Vec<String> = s.actions.iter().map(Timed::encode).collect();
        q.push_str("&actions=");
        q.push_str(&list.join("_"));
    }
    if let Some(n) = s.replicas {
        q.push_str(&format!("&replicas={n}"));
    }
    if let Some(e) = s.engine {
        q.push_str(&format!("&engine={}", e.slug()));
    }
    if s.embed {
        q.push_str("&embed=1");
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions::Control;

    fn name(p: &Params) -> &'static str {
        p.scenario().map_or("", |s| s.name)
    }

    #[test]
    fn tools_save_asks_for_the_take_away_buttons() {
        let (p, notices) = parse("?embed=1&tools=save");
        assert!(p.embed && p.tools);
        assert!(notices.is_empty());
        let (p, _) = parse("?embed=1");
        assert!(!p.tools);
        let (p, notices) = parse("?embed=1&tools=everything");
        assert!(!p.tools);
        assert!(notices[0].contains("tools is \"save\""), "{notices:?}");
    }

    #[test]
    fn an_embed_without_a_speed_plays_its_story_within_seconds() {
        let (p, _) = parse("?embed=1&scenario=az-failure&autoplay=1");
        let speed = format::speed_at(p.speed_index);
        let length = aurora_core::scenario::find("az-failure")
            .expect("scenario")
            .duration
            .as_secs_f64();
        let wall = length / speed;
        assert!(
            (5.0..=20.0).contains(&wall),
            "the {length} s scenario takes {wall} s at ×{speed}"
        );
        let (p, _) = parse("?embed=1&scenario=az-failure&speed=0.2");
        assert_eq!(
            format::speed_at(p.speed_index),
            0.2,
            "a speed asked for is kept"
        );
        let (p, _) = parse("?scenario=az-failure");
        assert_eq!(
            p.speed_index,
            format::DEFAULT_SPEED_INDEX,
            "the full page is unchanged"
        );
    }

    #[test]
    fn no_parameters_give_the_defaults_and_no_notices() {
        let (p, notices) = parse("");
        assert_eq!(name(&p), DEFAULT_SCENARIO);
        assert_eq!(p.seed, DEFAULT_SEED);
        assert!(p.autoplay);
        assert!(!p.embed);
        assert!(notices.is_empty());
    }

    #[test]
    fn a_share_link_reads_back_to_the_same_run() {
        let actions = vec![
            Timed {
                at: SimTime::from_micros(2_000_000),
                action: Control::FailAz(2),
            },
            Timed {
                at: SimTime::from_micros(3_500_000),
                action: Control::Crash("instance-1".into()),
            },
        ];
        let q = query(&Share {
            scenario: "failover",
            seed: 42,
            speed: 0.02,
            at: SimTime::from_micros(4_000_000),
            actions: &actions,
            embed: false,
            replicas: Some(12),
            engine: None,
        });
        let (p, notices) = parse(&q);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(name(&p), "failover");
        assert_eq!(p.seed, 42);
        assert_eq!(format::speed_at(p.speed_index), 0.02);
        assert_eq!(p.at, Some(SimTime::from_micros(4_000_000)));
        assert_eq!(p.actions, actions);
        assert_eq!(p.replicas, Some(12));
        assert!(!p.autoplay, "a link to a moment opens paused there");
    }

    #[test]
    fn embeds_take_their_own_parameters() {
        let (p, notices) = parse("?embed=1&scenario=az-failure&seed=9&speed=20&autoplay=1");
        assert!(notices.is_empty(), "{notices:?}");
        assert!(p.embed && p.autoplay);
        assert_eq!(name(&p), "az-failure");
        assert_eq!(format::speed_at(p.speed_index), 20.0);
        let (p, _) = parse("?embed=1");
        assert!(!p.autoplay, "an embed waits for a click");
    }

    #[test]
    fn bad_parameters_fall_back_with_a_notice_each() {
        let (p, notices) = parse(
            "?scenario=%3Cscript%3Ealert(1)%3C/script%3E&seed=-3&speed=fast&t=soon&embed=maybe&colour=red&actions=1.explode_2.fail-az.b",
        );
        assert_eq!(name(&p), DEFAULT_SCENARIO);
        assert_eq!(p.seed, DEFAULT_SEED);
        assert_eq!(p.speed_index, format::DEFAULT_SPEED_INDEX);
        assert_eq!(p.at, None);
        assert!(!p.embed);
        assert_eq!(p.actions.len(), 1, "the good action stays");
        assert_eq!(notices.len(), 7, "{notices:#?}");
        assert!(notices[0].contains("\"<script>alert(1)</script>\""));
        assert!(notices.iter().any(|n| n.contains("\"colour\"")));
    }

    #[test]
    fn the_benchmark_switches_are_read() {
        let (p, notices) = parse("?bench=1&replicas=15");
        assert!(notices.is_empty(), "{notices:?}");
        assert!(p.bench);
        assert_eq!(p.replicas, Some(15));
        let (p, notices) = parse("?replicas=16");
        assert_eq!(p.replicas, None);
        assert_eq!(notices.len(), 1);
    }

    #[test]
    fn speeds_off_the_dial_snap_to_the_nearest() {
        let (p, notices) = parse("?speed=3");
        assert_eq!(format::speed_at(p.speed_index), 2.0);
        assert_eq!(notices.len(), 1);
        let (_, notices) = parse("?speed=0.0100");
        assert!(notices.is_empty());
    }

    #[test]
    fn percent_decoding_is_lenient() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz"), "%zz");
        assert_eq!(percent_decode("%E2%9C%93"), "✓");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn a_time_far_past_the_end_is_brought_back_with_a_notice() {
        let (p, notices) = parse("?scenario=quorum-write&t=18446744073709551615");
        let limit = SimTime::ZERO + SimDuration::from_secs(2) + MAX_T_PAST_END;
        assert_eq!(p.at, Some(limit));
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(notices[0].contains("time t"), "{}", notices[0]);
        let (p, notices) = parse("?scenario=quorum-write&t=122000000");
        assert_eq!(p.at, Some(limit), "exactly the limit is allowed");
        assert!(notices.is_empty(), "{notices:?}");
    }

    #[test]
    fn backups_restores_backtracks_and_clones_ride_in_the_link() {
        use aurora_core::backup::data::Table;
        let actions = vec![
            Timed {
                at: SimTime::from_micros(120_000_000),
                action: Control::DeleteRows(Table::Orders),
            },
            Timed {
                at: SimTime::from_micros(130_000_000),
                action: Control::Backtrack(100),
            },
            Timed {
                at: SimTime::from_micros(140_000_000),
                action: Control::Restore(60),
            },
            Timed {
                at: SimTime::from_micros(141_000_000),
                action: Control::Clone(0),
            },
            Timed {
                at: SimTime::from_micros(142_000_000),
                action: Control::ClusterWrites {
                    cluster: 2,
                    per_sec: 5,
                },
            },
            Timed {
                at: SimTime::from_micros(143_000_000),
                action: Control::Snapshot,
            },
        ];
        let q = query(&Share {
            scenario: "backtrack",
            seed: 3,
            speed: 1.0,
            at: SimTime::from_micros(150_000_000),
            actions: &actions,
            embed: false,
            replicas: None,
            engine: Some(Engine::PostgreSql),
        });
        assert!(
            q.contains("120000000.delete-rows.orders_130000000.backtrack.100_140000000.restore.60"),
            "{q}"
        );
        assert!(q.contains("&engine=postgresql"), "{q}");
        let (p, notices) = parse(&q);
        assert!(notices.is_empty(), "{notices:?}");
        assert_eq!(p.actions, actions);
        assert_eq!(p.engine, Some(Engine::PostgreSql));
        let (p, notices) = parse("?engine=oracle");
        assert_eq!(p.engine, None);
        assert_eq!(notices.len(), 1);
        assert!(notices[0].contains("mysql or postgresql"), "{}", notices[0]);
    }

    #[test]
    fn long_values_are_shortened_in_notices() {
        let long = "x".repeat(500);
        let (_, notices) = parse(&format!("?scenario={long}"));
        assert!(notices[0].len() < 200);
    }
}
