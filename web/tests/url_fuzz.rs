//! Fuzzing the page's parser of outside input: the address's parameters (`url::parse`), which
//! anyone can set by sharing a link. Any query string gets parameters and notices, never a panic;
//! every notice names the parameter it is about (and an action's position in the list); a query
//! read without notices round-trips through the share-link writer. CI runs a few thousand cases
//! per property; `cargo xtask soak` sets `AURORA_FUZZ_CASES=1000000`.
#![cfg(not(target_arch = "wasm32"))]

use aurora_core::scenario;
use aurora_core::SimTime;
use aurora_web::actions::{Control, Timed, MAX_RATE};
use aurora_web::format;
use aurora_web::url::{self, Params, Share};
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("AURORA_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000)
}

/// The built-in scenarios' names.
fn scenario_names() -> Vec<&'static str> {
    scenario::all().iter().map(|s| s.name).collect()
}

/// The parameters the page knows, and the word each one's notices use for it.
const KNOWN: &[(&str, &str)] = &[
    ("scenario", "scenario"),
    ("seed", "seed"),
    ("speed", "speed"),
    ("t", "time t"),
    ("actions", "action"),
    ("embed", "embed"),
    ("bench", "bench"),
    ("replicas", "replicas"),
    ("autoplay", "autoplay"),
    ("lesson", "lesson"),
    ("step", "step"),
    ("lesson-file", "lesson-file"),
];

/// The keys of `query` as the parser sees them: split at `&`, up to the first `=`, decoded.
fn keys(query: &str) -> Vec<String> {
    let query = query.strip_prefix('?').unwrap_or(query);
    query
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|pair| url::percent_decode(pair.split_once('=').map_or(pair, |(k, _)| k)))
        .collect()
}

/// The number of non-empty items in the last `actions` parameter, for checking positions.
fn action_items(query: &str) -> usize {
    let query = query.strip_prefix('?').unwrap_or(query);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .filter(|(k, _)| url::percent_decode(k) == "actions")
        .map(|(_, v)| {
            url::percent_decode(v)
                .split('_')
                .filter(|s| !s.is_empty())
                .count()
        })
        .max()
        .unwrap_or(0)
}

/// Why `notice` does not name a parameter of `query` (and a position, for an action), if so.
fn unnamed(notice: &str, query: &str) -> Option<String> {
    let lower = notice.to_lowercase();
    let keys = keys(query);
    let names_one = keys
        .iter()
        .any(|key| match KNOWN.iter().find(|(k, _)| k == key) {
            Some((_, word)) => lower.contains(word),
            None => {
                let shown: String = key.chars().take(40).collect();
                notice.contains(&format!("\"{shown}"))
            }
        });
    if !names_one {
        return Some(format!("names none of the parameters {keys:?}"));
    }
    if let Some(rest) = notice.strip_prefix("Action ") {
        let n: usize = rest.split(' ').next()?.parse().ok()?;
        if n == 0 || n > action_items(query) {
            return Some(format!(
                "gives position {n} of {} actions",
                action_items(query)
            ));
        }
    }
    None
}

/// The share link for what `p` asks for.
fn share_of(p: &Params) -> String {
    url::query(&Share {
        scenario: p.scenario().map_or("", |s| s.name),
        seed: p.seed,
        speed: format::speed_at(p.speed_index),
        at: p.at.unwrap_or(SimTime::ZERO),
        actions: &p.actions,
        embed: p.embed,
        replicas: p.replicas,
        engine: p.engine,
    })
}

/// The parts of `p` a share link records.
type Recorded = (
    Option<&'static str>,
    u64,
    usize,
    SimTime,
    Vec<Timed>,
    bool,
    Option<u8>,
);

fn recorded(p: &Params) -> Recorded {
    (
        p.scenario().map(|s| s.name),
        p.seed,
        p.speed_index,
        p.at.unwrap_or(SimTime::ZERO),
        p.actions.clone(),
        p.embed,
        p.replicas,
    )
}

/// Percent-encodes the bytes of `s` whose bit in `mask` (cycled) is set.
fn encode_some(s: &str, mask: u64) -> String {
    let mut out = String::new();
    for (i, b) in s.bytes().enumerate() {
        if mask >> (i % 64) & 1 == 1 {
            out.push_str(&format!("%{b:02X}"));
        } else {
            // Bytes of a multi-byte character are kept as they are, whole.
            out.push(char::from(b));
        }
    }
    if s.is_ascii() {
        out
    } else {
        s.to_string()
    }
}

fn user_action() -> impl Strategy<Value = Control> {
    let name = "[a-z0-9/-]{1,12}";
    let az = 0u8..3;
    prop_oneof![
        name.prop_map(Control::Crash),
        name.prop_map(Control::Restart),
        name.prop_map(Control::Slow),
        name.prop_map(Control::Unslow),
        any::<u32>().prop_map(Control::LoseSegment),
        az.clone().prop_map(Control::FailAz),
        az.clone().prop_map(Control::HealAz),
        az.clone().prop_map(Control::PartitionAz),
        az.clone().prop_map(Control::ReconnectAz),
        Just(Control::Failover),
        az.prop_map(Control::AddReplica),
        (0u32..=MAX_RATE, 0u8..=100)
            .prop_map(|(rate, read_pct)| Control::SetLoad { rate, read_pct }),
        (0u32..=86_400).prop_map(Control::Restore),
        (0u32..=86_400).prop_map(Control::Backtrack),
        (0u32..=64).prop_map(Control::Clone),
        Just(Control::DeleteRows(
            aurora_core::backup::data::Table::Orders
        )),
        Just(Control::Snapshot),
    ]
}

/// One item of an `actions` list: a valid one, or text shaped like one.
fn action_item() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (0u64..100_000_000, user_action())
            .prop_map(|(at, action)| Timed { at: SimTime::from_micros(at), action }.encode()),
        1 => "[0-9]{0,22}\\.(crash|lose|fail-az|load|failover|[a-z-]{0,10})(\\.[a-z0-9/._-]{0,12})?",
        1 => "[ -~]{0,12}",
    ]
}

fn value_for(key: &str) -> BoxedStrategy<String> {
    let garbage = prop_oneof!["[ -~]{0,12}", "\\PC{0,8}", Just(String::new())];
    let valid: BoxedStrategy<String> = match key {
        "scenario" => prop::sample::select(scenario_names())
            .prop_map(str::to_string)
            .boxed(),
        "seed" => prop_oneof![any::<u64>().prop_map(|n| n.to_string()), "-?[0-9]{1,22}"].boxed(),
        "speed" => prop_oneof![
            prop::sample::select(&format::SPEEDS[..]).prop_map(|s| s.to_string()),
            any::<f64>().prop_map(|x| x.to_string()),
            "[0-9.eE+-]{1,10}",
            Just("inf".to_string()),
            Just("NaN".to_string()),
        ]
        .boxed(),
        "t" => prop_oneof![
            (0u64..200_000_000).prop_map(|n| n.to_string()),
            any::<u64>().prop_map(|n| n.to_string()),
            "[0-9]{1,22}",
        ]
        .boxed(),
        "actions" => prop::collection::vec(action_item(), 0..8)
            .prop_map(|items| items.join("_"))
            .boxed(),
        "replicas" => (0u32..20).prop_map(|n| n.to_string()).boxed(),
        "lesson" => prop_oneof![
            prop::sample::select(lesson_names()).prop_map(str::to_string),
            "[a-z0-9-]{1,12}",
        ]
        .boxed(),
        "step" => (0u32..1_200).prop_map(|n| n.to_string()).boxed(),
        "lesson-file" => prop_oneof![
            "lessons/[a-z-]{1,10}\\.lesson",
            "(\\.\\./|/|https://x\\.example/)[a-z]{1,6}",
        ]
        .boxed(),
        _ => prop::sample::select(&["1", "0", "true", "no", "on", "", "2"][..])
            .prop_map(str::to_string)
            .boxed(),
    };
    prop_oneof![4 => valid, 1 => garbage].boxed()
}

/// `key=value` with a known or made-up key, either side sometimes percent-encoded.
fn pair() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        6 => prop::sample::select(KNOWN).prop_map(|(k, _)| k.to_string()),
        1 => "[a-z_]{0,8}",
        1 => "\\PC{0,6}",
    ];
    (key, any::<u64>(), any::<u64>(), 0u8..10).prop_flat_map(
        |(key, key_mask, value_mask, shape)| {
            value_for(&key).prop_map(move |value| {
                // Mostly plain, as the share writer makes them; sometimes encoded or bare.
                let k = if shape == 0 {
                    encode_some(&key, key_mask)
                } else {
                    key.clone()
                };
                let v = if shape == 1 {
                    encode_some(&value, value_mask)
                } else {
                    value
                };
                if shape == 2 {
                    k
                } else {
                    format!("{k}={v}")
                }
            })
        },
    )
}

fn grammar_shaped() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(pair(), 0..7),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(pairs, question, doubled)| {
            let joined = pairs.join(if doubled { "&&" } else { "&" });
            if question {
                format!("?{joined}")
            } else {
                joined
            }
        })
}

fn lesson_names() -> Vec<&'static str> {
    aurora_core::lesson::BUILTIN
        .iter()
        .map(|(n, _)| *n)
        .collect()
}

/// What every input must give: notices that name their parameter, and are short.
fn check_notices(query: &str, notices: &[String]) -> Result<(), TestCaseError> {
    for notice in notices {
        if let Some(why) = unnamed(notice, query) {
            return Err(TestCaseError::fail(format!(
                "notice {notice:?} {why}, for {query:?}"
            )));
        }
        prop_assert!(
            notice.chars().count() < 400,
            "a notice quotes at most 40 characters of a value: {notice:?}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_and_every_notice_names_its_parameter(
        query in prop_oneof!["\\PC{0,160}", "[ -~]{0,160}"]
    ) {
        let (_, notices) = url::parse(&query);
        check_notices(&query, &notices)?;
    }

    #[test]
    fn grammar_shaped_queries_round_trip_or_say_what_is_wrong(query in grammar_shaped()) {
        let (p, notices) = url::parse(&query);
        check_notices(&query, &notices)?;
        if notices.is_empty() {
            // The link the page would share for this run reads back to the same run.
            let link = share_of(&p);
            let (again, notices) = url::parse(&link);
            prop_assert!(notices.is_empty(), "{link:?} gave {notices:?}");
            prop_assert_eq!(recorded(&again), recorded(&p), "{:?} became {:?}", query, link);
            // And a notice-free query got the values it asked for (the last of each wins).
            let mut last = std::collections::BTreeMap::new();
            for pair in query.strip_prefix('?').unwrap_or(&query).split('&').filter(|s| !s.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                last.insert(url::percent_decode(k), url::percent_decode(v));
            }
            for (k, v) in last {
                match k.as_str() {
                    "seed" => prop_assert_eq!(Ok(p.seed), v.parse::<u64>().map_err(|_| ())),
                    "scenario" => prop_assert_eq!(p.scenario().map(|s| s.name), Some(v.as_str())),
                    "t" => prop_assert_eq!(p.at, v.parse().ok().map(SimTime::from_micros)),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn lesson_links_round_trip(
        lesson in prop::sample::select(lesson_names()),
        file in prop::option::of("lessons/[a-z0-9_-]{1,20}\\.lesson"),
        index in 0usize..aurora_web::lesson::MAX_STEP,
        seed in prop::option::of(any::<u64>()),
        embed in any::<bool>(),
    ) {
        let link = aurora_web::lesson::link_query(lesson, file.as_deref(), index, seed, embed);
        let (p, notices) = url::parse(&link);
        prop_assert!(notices.is_empty(), "{link:?} gave {notices:?}");
        prop_assert_eq!(p.lesson.step_index(), index);
        prop_assert_eq!(p.lesson.file.as_deref(), file.as_deref());
        if file.is_none() {
            prop_assert_eq!(p.lesson.lesson.as_deref(), Some(lesson));
        }
        prop_assert_eq!(p.seed_given, seed.is_some());
        prop_assert_eq!(p.embed, embed);
    }

    #[test]
    fn share_links_round_trip(
        scenario in prop::sample::select(scenario_names()),
        seed in any::<u64>(),
        speed in prop::sample::select(&format::SPEEDS[..]),
        at_s in 0u64..60,
        actions in prop::collection::vec((0u64..60_000_000, user_action()), 0..12),
        embed in any::<bool>(),
        replicas in prop::option::of(0u8..=15),
    ) {
        let mut actions: Vec<Timed> = actions
            .into_iter()
            .map(|(at, action)| Timed { at: SimTime::from_micros(at), action })
            .collect();
        actions.sort_by_key(|a| a.at);
        let at = SimTime::from_micros(at_s * 1_000_000);
        let link = url::query(&Share { scenario, seed, speed, at, actions: &actions, embed, replicas, engine: None });
        let (p, notices) = url::parse(&link);
        prop_assert!(notices.is_empty(), "{link:?} gave {notices:?}");
        prop_assert_eq!(p.scenario().map(|s| s.name), Some(scenario));
        prop_assert_eq!(p.seed, seed);
        prop_assert_eq!(format::speed_at(p.speed_index), speed);
        prop_assert_eq!(p.at, Some(at));
        prop_assert_eq!(&p.actions, &actions);
        prop_assert_eq!(p.embed, embed);
        prop_assert_eq!(p.replicas, replicas);
    }
}

/// Each known parameter with a bad value gives one notice, naming it, and keeps its default.
#[test]
fn every_parameter_names_itself_when_its_value_is_bad() {
    for (key, word) in KNOWN {
        let query = format!("?{key}=%00bad");
        let (p, notices) = url::parse(&query);
        assert_eq!(notices.len(), 1, "{query}: {notices:?}");
        assert!(
            notices[0].to_lowercase().contains(word),
            "{query}: {:?} does not name {key}",
            notices[0]
        );
        assert_eq!(p.seed, url::DEFAULT_SEED);
    }
    let (_, notices) = url::parse("?actions=1.failover_2.explode_3.crash");
    assert_eq!(notices.len(), 2, "{notices:?}");
    assert!(notices[0].starts_with("Action 2 "), "{}", notices[0]);
    assert!(notices[1].starts_with("Action 3 "), "{}", notices[1]);
}
