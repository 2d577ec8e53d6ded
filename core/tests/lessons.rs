//! The built-in lessons and the lesson format.
//!
//! Every built-in lesson plays to its end for seeds 1–20, and each prediction's right answer,
//! which the model decides, is the same for all of them: an answer that changes with the seed
//! is a bad question, and the failure names it. The format gets table tests of its errors, a
//! round trip through its printer, and a fuzz property (`AURORA_FUZZ_CASES`, as in fuzz.rs).
#![cfg(not(target_arch = "wasm32"))]

use aurora_core::control::Control;
use aurora_core::lesson::{self, Lesson, LessonRun, Phase};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::rc::Rc;

mod common;

const SEEDS: std::ops::RangeInclusive<u64> = 1..=20;

fn builtin(name: &str) -> Lesson {
    match lesson::load(name) {
        Some(Ok(l)) => l,
        Some(Err(errors)) => {
            let text: Vec<String> = errors.iter().map(|e| format!("{name}:{e}")).collect();
            panic!("the built-in lesson does not parse:\n{}", text.join("\n"))
        }
        None => panic!("no built-in lesson {name}"),
    }
}

/// Plays `name` for every seed; fails with every problem, and names any prediction whose
/// right answer differs between seeds.
fn completes_for_all_seeds(name: &str) {
    let l = builtin(name);
    let mut answers: BTreeMap<usize, BTreeMap<String, Vec<u64>>> = BTreeMap::new();
    let mut problems = Vec::new();
    // Seeds are independent runs: play them on every core, then look at them in seed order.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let seeds: Vec<u64> = SEEDS.collect();
    let mut summaries: Vec<(u64, lesson::Summary)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (l, seeds) = (&l, &seeds);
                scope.spawn(move || {
                    seeds
                        .iter()
                        .skip(t)
                        .step_by(threads)
                        .map(|&seed| (seed, lesson::play(l, Some(seed))))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a seed's run does not panic"))
            .collect()
    });
    summaries.sort_by_key(|(seed, _)| *seed);
    for (seed, s) in summaries {
        for p in &s.problems {
            problems.push(format!("seed {seed}: {p}"));
        }
        assert_eq!(
            s.steps.len(),
            l.steps.len(),
            "{name} seed {seed}: stopped early: {:?}",
            s.problems
        );
        for (i, step) in s.steps.iter().enumerate() {
            if let Some(r) = &step.right {
                answers
                    .entry(i)
                    .or_default()
                    .entry(r.clone())
                    .or_default()
                    .push(seed);
            }
        }
    }
    assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
    for (i, by_answer) in &answers {
        let question = l.steps[*i]
            .prediction
            .as_ref()
            .map_or("", |p| p.question.as_str());
        assert_eq!(
            by_answer.len(),
            1,
            "{name} step {}: the prediction \"{question}\" is a bad question: its right answer depends on the seed: {by_answer:?}",
            i + 1
        );
    }
    // Every prediction was decided for every seed.
    let predictions = l.steps.iter().filter(|s| s.prediction.is_some()).count();
    assert_eq!(answers.len(), predictions, "{name}: undecided predictions");
}

macro_rules! seed_tests {
    ($($test:ident $name:literal;)*) => {
        $(
            #[test]
            fn $test() {
                completes_for_all_seeds($name);
            }
        )*

        /// The seed tests above cover exactly the built-in list.
        #[test]
        fn every_builtin_lesson_has_a_seed_test() {
            let tested: Vec<&str> = vec![$($name,)*];
            let listed: Vec<&str> = lesson::BUILTIN.iter().map(|(n, _)| *n).collect();
            assert_eq!(tested, listed);
        }
    };
}

seed_tests! {
    six_copies_completes_for_seeds_1_to_20 "six-copies";
    losing_an_az_completes_for_seeds_1_to_20 "losing-an-az";
    log_is_the_database_completes_for_seeds_1_to_20 "log-is-the-database";
    storage_grows_completes_for_seeds_1_to_20 "storage-grows";
    read_replicas_completes_for_seeds_1_to_20 "read-replicas";
    e_commerce_failover_completes_for_seeds_1_to_20 "e-commerce-failover";
    crash_recovery_completes_for_seeds_1_to_20 "crash-recovery";
    replica_auto_scaling_completes_for_seeds_1_to_20 "replica-auto-scaling";
    capacity_completes_for_seeds_1_to_20 "capacity";
    global_database_completes_for_seeds_1_to_20 "global-database";
    notes_get_wrong_completes_for_seeds_1_to_20 "notes-get-wrong";
    backups_and_backtrack_completes_for_seeds_1_to_20 "backups-and-backtrack";
    aurora_beside_mysql_completes_for_seeds_1_to_20 "aurora-beside-mysql";
}

#[test]
fn builtin_lessons_follow_the_guide() {
    assert_eq!(
        lesson::BUILTIN.len(),
        13,
        "the thirteen lessons of the course"
    );
    for (name, _) in lesson::BUILTIN {
        let l = builtin(name);
        assert_eq!(&l.name, name, "the file's lesson line matches its name");
        assert!(
            (6..=12).contains(&l.steps.len()),
            "{name}: {} steps, not 6 to 12",
            l.steps.len()
        );
        assert!(
            l.steps.iter().any(|s| s.your_turn.is_some()),
            "{name}: no \"your turn\" step"
        );
        assert!(
            l.steps.iter().any(|s| s.prediction.is_some()),
            "{name}: no prediction"
        );
        assert!(!l.challenge.is_empty(), "{name}: no closing challenge");
        for (i, s) in l.steps.iter().enumerate() {
            assert!(!s.sources.is_empty(), "{name} step {}: no source", i + 1);
            if let Some(p) = &s.prediction {
                assert!((2..=4).contains(&p.answers.len()));
            }
        }
        if let Some(next) = &l.next {
            assert!(
                lesson::BUILTIN.iter().any(|(n, _)| n == next),
                "{name}: next lesson {next} does not exist"
            );
        }
    }
}

/// Following each lesson's "next" from the first lesson visits every built-in lesson once and
/// comes back to the first: no lesson is a dead end the course never reaches.
#[test]
fn the_next_lessons_make_one_tour_of_every_lesson() {
    let next = |name: &str| {
        let (_, text) = lesson::BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .expect("a built-in lesson");
        lesson::parse(text).expect("it parses").next
    };
    let first = "six-copies";
    let mut seen = vec![first.to_string()];
    let mut at = next(first).expect("the first lesson has a next");
    while at != first {
        assert!(!seen.contains(&at), "{at} comes twice: {seen:?}");
        seen.push(at.clone());
        at = next(&at).unwrap_or_else(|| panic!("{at} has no next lesson"));
    }
    assert_eq!(
        seen.len(),
        lesson::BUILTIN.len(),
        "the tour misses some: {seen:?}"
    );
}

/// The catalog the page lists before any text is loaded (written by `core/build.rs` from the
/// files' headers) says what the parser says of each text, and names every file in `lessons/`.
#[test]
fn the_catalog_says_what_the_parser_reads() {
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../lessons"))
        .expect("lessons folder")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "lesson"))
        })
        .count();
    assert_eq!(
        lesson::CATALOG.len(),
        files,
        "every file is a built-in lesson"
    );
    assert_eq!(lesson::CATALOG.len(), lesson::BUILTIN.len());
    for (listing, (name, text)) in lesson::CATALOG.iter().zip(lesson::BUILTIN) {
        let l = lesson::parse(text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(listing.name, *name);
        assert_eq!(listing.name, l.name, "{name}");
        assert_eq!(listing.title, l.title, "{name}");
        assert_eq!(listing.summary, l.summary, "{name}");
        assert_eq!(listing.minutes, l.minutes, "{name}");
        assert_eq!(listing.steps, l.steps.len(), "{name}");
        assert_eq!(lesson::text(name), Some(*text));
    }
    assert_eq!(lesson::text("no-such-lesson"), None);
}

#[test]
fn builtin_lessons_round_trip_through_the_printer() {
    for (name, text) in lesson::BUILTIN {
        let l = lesson::parse(text).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let printed = lesson::print(&l);
        let again = lesson::parse(&printed).unwrap_or_else(|e| panic!("{name} printed: {e:?}"));
        assert_eq!(again, l, "{name}");
        assert_eq!(
            lesson::print(&again),
            printed,
            "{name}: the printer is stable"
        );
    }
}

const GOOD: &str = "lesson tiny
title A tiny lesson
summary One step.
minutes 1
scenario quorum-write
challenge None.

step Only
say VDL is {vdl}.
source P17 §4.1
until wait 1s
";

/// Table: a change to the tiny lesson, and the line:column and words its error must have.
#[test]
fn bad_files_say_where_and_what_was_expected() {
    let cases: &[(&str, &str, usize, usize, &str)] = &[
        (
            "scenario quorum-write",
            "scenario quorum-wrong",
            5,
            10,
            "expected a built-in scenario",
        ),
        ("minutes 1", "minutes 0", 4, 9, "whole minutes"),
        ("minutes 1", "minutes", 4, 8, "whole minutes"),
        (
            "say VDL is {vdl}.",
            "say VDL is {vdll}.",
            9,
            12,
            "live figure name",
        ),
        ("say VDL is {vdl}.", "say VDL is {vdl.", 9, 12, "closing }"),
        ("until wait 1s", "until wait 1 s", 11, 12, "a duration"),
        (
            "until wait 1s",
            "until seen quorum-lost",
            11,
            12,
            "expected an event",
        ),
        (
            "until wait 1s",
            "until figure vdl >> 3",
            11,
            18,
            "a comparison",
        ),
        ("until wait 1s", "until figure vdl > x", 11, 20, "a number"),
        ("until wait 1s", "until soon", 11, 7, "expected a condition"),
        (
            "until wait 1s",
            "until wait 1s extra",
            11,
            15,
            "the end of the line",
        ),
        (
            "until wait 1s",
            "highlight zone c",
            11,
            11,
            "what to highlight",
        ),
        ("until wait 1s", "highlight az d", 11, 14, "an AZ"),
        (
            "until wait 1s",
            "highlight panel sidebar",
            11,
            17,
            "expected a panel",
        ),
        (
            "until wait 1s",
            "highlight node az-q-9",
            11,
            16,
            "a node of the quorum-write cluster",
        ),
        (
            "until wait 1s",
            "do explode az-a-1",
            11,
            4,
            "expected an action",
        ),
        ("until wait 1s", "do fail-az d", 11, 12, "an AZ: a, b or c"),
        ("until wait 1s", "do load 3000", 11, 13, "share of reads"),
        (
            "until wait 1s",
            "your-turn grow 10",
            11,
            11,
            "can only be a \"do\"",
        ),
        (
            "until wait 1s",
            "dance",
            11,
            1,
            "expected a step instruction",
        ),
        (
            "step Only",
            "say Too early.\nstep Only",
            8,
            1,
            "expected \"step TITLE\"",
        ),
        ("until wait 1s", "  dangling", 11, 1, "expected a keyword"),
        (
            "until wait 1s",
            "ask Will it?\nanswer a A\nexplain Why.",
            11,
            1,
            "2 to 4 answers",
        ),
        (
            "until wait 1s",
            "ask Will it?\nanswer a A\nanswer b B\nexplain Why.",
            11,
            1,
            "decide lines",
        ),
        (
            "until wait 1s",
            "ask Will it?\nanswer a A\nanswer b B\ndecide seen paused -> c\nexplain Why.",
            14,
            23,
            "answer keys",
        ),
        (
            "until wait 1s",
            "ask Will it?\nanswer a A\nanswer a B",
            13,
            8,
            "new answer key",
        ),
        (
            "until wait 1s",
            "ask Will it?\nanswer a A\nanswer b B\ndecide seen paused a -> a\nexplain Why.",
            14,
            20,
            "\"and\"",
        ),
        (
            "until wait 1s",
            "ask Will it?\nanswer a A\nanswer b B\ndecide otherwise -> a",
            11,
            1,
            "explain",
        ),
        ("lesson tiny", "lesson Tiny!", 1, 8, "lowercase"),
        ("title A tiny lesson\n", "", 1, 1, "expected title"),
    ];
    for (from, to, line, column, words) in cases {
        let text = GOOD.replacen(from, to, 1);
        assert_ne!(text, GOOD, "the case changes the file: {to}");
        let errors = lesson::parse(&text).expect_err(to);
        let hit = errors
            .iter()
            .find(|e| e.message.contains(words))
            .unwrap_or_else(|| panic!("{to:?}: no error saying {words:?} in {errors:?}"));
        assert_eq!((hit.line, hit.column), (*line, *column), "{to:?}: {hit}");
    }
    assert!(lesson::parse(GOOD).is_ok());
    // Files saved on other systems: Windows line ends and a byte-order mark.
    let windows = format!("\u{feff}{}", GOOD.replace('\n', "\r\n"));
    assert_eq!(lesson::parse(&windows), lesson::parse(GOOD));
}

#[test]
fn every_error_in_a_file_is_reported_in_order() {
    let text = GOOD
        .replace("minutes 1", "minutes lots")
        .replace("until wait 1s", "until wait forever\nhighlight pg x");
    let errors = lesson::parse(&text).expect_err("three errors");
    assert_eq!(errors.len(), 3, "{errors:?}");
    let places: Vec<(usize, usize)> = errors.iter().map(|e| (e.line, e.column)).collect();
    assert_eq!(places, vec![(4, 9), (11, 12), (12, 14)]);
}

#[test]
fn a_your_turn_waits_for_the_right_action_only() {
    let l = Rc::new(builtin("losing-an-az"));
    let (mut sim, mut run) = LessonRun::open_at(Rc::clone(&l), Some(3), 1).expect("opens");
    assert_eq!(run.step_index(), 1);
    // The question comes first, before anything of the step happens.
    assert_eq!(run.phase(), Phase::Asking);
    assert_eq!(
        run.update(&sim),
        Phase::Asking,
        "asking waits for the answer"
    );
    let wrong = 1; // "No: writes stop", the belief the step corrects
    run.answer(&mut sim, Some(wrong)).expect("answers");
    assert_eq!(run.answered(), Some(wrong));
    assert_eq!(run.phase(), Phase::AwaitingStudent);
    assert_eq!(run.awaited(&sim), Some(Control::FailAz(2)));
    assert!(
        !run.student_did(&sim, &Control::FailAz(1)),
        "a different AZ is not the step's action"
    );
    assert_eq!(run.phase(), Phase::AwaitingStudent);
    // The page applies the student's command itself, then reports it.
    let cmd = l.steps[1]
        .your_turn
        .as_ref()
        .expect("a your-turn step")
        .command(&sim)
        .expect("a command");
    sim.apply(cmd).expect("applies");
    assert!(run.student_did(&sim, &Control::FailAz(2)));
    assert_eq!(run.phase(), Phase::Watching);
    assert!(
        run.decision().is_none(),
        "not decided before the model shows it"
    );
    let at = run.play_step(&mut sim).expect("reaches its condition");
    assert!(matches!(run.phase(), Phase::Reached { .. }));
    let d = run.decision().expect("decided");
    assert_eq!(d.at, at);
    let p = l.steps[1].prediction.as_ref().expect("a prediction");
    assert_eq!(
        p.answers[d.right].key, "yes",
        "writes go on when one AZ fails"
    );
    let explain = run.explanation(&sim).expect("explained once decided");
    assert!(
        !explain.contains('{') && !explain.contains('…'),
        "{explain}"
    );
}

#[test]
fn narration_and_highlights_resolve_against_the_live_model() {
    let l = Rc::new(builtin("six-copies"));
    let (sim, run) = LessonRun::open_at(l, None, 6).expect("opens at step 7");
    let text = run.narration(&sim);
    assert!(!text.contains('{'), "{text}");
    let hs = run.highlights(&sim);
    let node = hs.first().expect("the step rings a node");
    let id = node.node.expect("pg0@a names a storage node");
    let view = sim.view();
    let holds_pg0 = view.segments.iter().any(|s| s.node == id && s.pg.0 == 0);
    assert!(holds_pg0, "{}", node.label);
    assert!(
        node.label.contains("holding a copy of PG 0"),
        "{}",
        node.label
    );
}

#[test]
fn a_condition_the_model_never_reaches_is_reported() {
    let text = GOOD.replace("until wait 1s", "until seen failover-finished\nlimit 5s");
    let l = lesson::parse(&text).expect("parses");
    let s = lesson::play(&l, Some(1));
    assert!(!s.ok());
    assert!(s.problems[0].contains("step 1"), "{:?}", s.problems);
    assert!(s.to_json().contains("\"ok\":false"));
}

#[test]
fn an_undecided_prediction_and_an_unresolved_figure_are_reported() {
    let text = GOOD.replace(
        "until wait 1s",
        "until wait 1s\nask Will it fail over?\nanswer yes Yes\nanswer no No\ndecide seen failover-finished -> yes\nexplain It took {failover_total_s} s.",
    );
    let l = lesson::parse(&text).expect("parses");
    let s = lesson::play(&l, Some(1));
    assert!(
        s.problems.iter().any(|p| p.contains("was not decided")),
        "{:?}",
        s.problems
    );
    let text = GOOD.replace("VDL is {vdl}.", "The failover took {failover_total_s} s.");
    let s = lesson::play(&lesson::parse(&text).expect("parses"), Some(1));
    assert!(
        s.problems.iter().any(|p| p.contains("{failover_total_s}")),
        "{:?}",
        s.problems
    );
}

fn cases() -> u32 {
    common::fuzz_cases(2_000)
}

/// Lines shaped like the format's, so mutations reach deep into the parser.
fn near_valid() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("lesson x".to_string()),
        Just("title T".to_string()),
        Just("summary S".to_string()),
        Just("minutes 3".to_string()),
        Just("scenario quorum-write".to_string()),
        Just("challenge C".to_string()),
        Just("step S".to_string()),
        Just("say the VDL is {vdl}".to_string()),
        Just("source P17 §2.1".to_string()),
        Just("highlight pg 0".to_string()),
        Just("highlight node pg0@a".to_string()),
        Just("do crash pg0@a".to_string()),
        Just("your-turn fail-az c".to_string()),
        Just("until wait 1s".to_string()),
        Just("until seen write-quorum-lost".to_string()),
        Just("limit 5s".to_string()),
        Just("ask Q?".to_string()),
        Just("answer a A".to_string()),
        Just("answer b B".to_string()),
        Just("decide not seen write-quorum-lost and figure vdl > 0 -> a".to_string()),
        Just("decide otherwise -> b".to_string()),
        Just("explain E {commits}".to_string()),
        Just("  more".to_string()),
        "[a-z{}@ -]{0,12}",
        "\\PC{0,20}",
    ];
    prop::collection::vec(line, 0..24).prop_map(|l| l.join("\n"))
}

fn check_errors(text: &str, errors: &[lesson::LoadError]) -> Result<(), TestCaseError> {
    let lines = text.split('\n').count();
    prop_assert!(!errors.is_empty());
    for e in errors {
        prop_assert!(e.line >= 1 && e.line <= lines, "{e} in {lines} lines");
        let line = text.split('\n').nth(e.line - 1).unwrap_or("");
        prop_assert!(e.column >= 1 && e.column <= line.chars().count() + 1, "{e}");
        prop_assert!(e.message.starts_with("expected"), "{e}");
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics_and_errors_have_a_place(text in "\\PC{0,200}") {
        if let Err(errors) = lesson::parse(&text) {
            check_errors(&text, &errors)?;
        }
    }

    #[test]
    fn format_shaped_text_round_trips_or_errs_with_a_place(text in near_valid()) {
        match lesson::parse(&text) {
            Ok(l) => {
                let again = lesson::parse(&lesson::print(&l));
                prop_assert_eq!(again.as_ref().ok(), Some(&l));
            }
            Err(errors) => check_errors(&text, &errors)?,
        }
    }

    #[test]
    fn mutated_builtin_lessons_never_panic(
        which in 0..lesson::BUILTIN.len(),
        cut in 0usize..4000,
        len in 0usize..40,
        insert in "\\PC{0,8}",
    ) {
        let text = lesson::BUILTIN[which].1;
        let mut cut = cut.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let mut end = (cut + len).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let mutated = format!("{}{insert}{}", &text[..cut], &text[end..]);
        match lesson::parse(&mutated) {
            Ok(l) => {
                let again = lesson::parse(&lesson::print(&l));
                prop_assert_eq!(again.as_ref().ok(), Some(&l));
            }
            Err(errors) => check_errors(&mutated, &errors)?,
        }
    }
}

const DOCS: &str = include_str!("../../docs/lessons.md");

/// A teacher who copies the docs' complete example gets a lesson that plays to its end.
#[test]
fn the_docs_example_plays_to_its_end() {
    let start = DOCS.find("```text\n# Lines starting").expect("the example") + "```text\n".len();
    let end = start + DOCS[start..].find("```").expect("its end");
    let l = lesson::parse(&DOCS[start..end]).unwrap_or_else(|e| panic!("{e:?}"));
    let s = lesson::play(&l, Some(1));
    assert!(s.ok(), "{:?}", s.problems);
    assert_eq!(s.steps[1].right.as_deref(), Some("yes"));
}

/// The docs name every figure, event, panel and action verb the parser accepts.
#[test]
fn the_docs_list_every_name_the_format_knows() {
    for f in lesson::FigureId::ALL {
        assert!(
            DOCS.contains(&format!("`{{{}}}`", f.name())),
            "figure {}",
            f.name()
        );
    }
    for k in lesson::EventKind::ALL {
        assert!(
            DOCS.contains(&format!("`{}`", k.name())),
            "event {}",
            k.name()
        );
    }
    for p in lesson::Panel::ALL {
        assert!(
            DOCS.contains(&format!("`{}`", p.name())),
            "panel {}",
            p.name()
        );
    }
    for v in lesson::action::verbs() {
        assert!(DOCS.contains(&format!("`{v}")), "action {v}");
    }
}

/// The docs' table of built-in lessons has each lesson, in order, with its step count.
#[test]
fn the_docs_table_of_lessons_matches_the_lessons() {
    for (i, (name, _)) in lesson::BUILTIN.iter().enumerate() {
        let l = builtin(name);
        let row = format!("| {} | `{name}` | {} |", i + 1, l.steps.len());
        assert!(DOCS.contains(&row), "docs/lessons.md lacks the row {row}");
    }
}

/// A lesson's control actions resolve into the page's controls: each one's words give the
/// control a share link writes (`core::control`, which the page's buttons send).
#[test]
fn controls_give_the_share_links_action_text() {
    let Some(sc) = aurora_core::scenario::find("replicas") else {
        panic!("the replicas scenario exists");
    };
    let sim = sc.start(1);
    let writer = format!(
        "{}",
        sim.inspect()
            .topology()
            .node(sim.inspect().writer().node)
            .name()
    );
    let cases: &[(&str, String)] = &[
        ("fail-az c", "fail-az.c".into()),
        ("heal-az a", "heal-az.a".into()),
        ("cut-az b", "cut-az.b".into()),
        ("mend-az b", "mend-az.b".into()),
        ("crash az-b-2", "crash.az-b-2".into()),
        ("restart writer", format!("restart.{writer}")),
        ("slow az-a-1", "slow.az-a-1".into()),
        ("unslow az-a-1", "unslow.az-a-1".into()),
        ("lose 7", "lose.7".into()),
        ("failover", "failover".into()),
        ("add-replica c", "add-replica.c".into()),
        ("load 3000 80", "load.3000-80".into()),
        (
            "cap writer v2-0-32-p300",
            format!("cap.{writer}.v2-0-32-p300"),
        ),
        (
            "cap writer v1-1-64-pause-force",
            format!("cap.{writer}.v1-1-64-pause-force"),
        ),
        ("cap writer prov", format!("cap.{writer}.prov")),
        ("long-txn 95", "long-txn.95".into()),
        ("add-region", "add-region".into()),
        ("switchover 1", "switchover.1".into()),
        ("global-failover 2", "global-failover.2".into()),
        ("fail-region 0", "fail-region.0".into()),
        ("heal-region 0", "heal-region.0".into()),
        ("forward 50", "forward.50".into()),
    ];
    for (words, link) in cases {
        let w: Vec<&str> = words.split(' ').collect();
        let a = lesson::Action::parse(&w).unwrap_or_else(|e| panic!("{words}: {e:?}"));
        assert!(a.is_control(), "{words}");
        assert_eq!(a.link_text(&sim).as_deref(), Some(link.as_str()), "{words}");
        assert_eq!(&a.words(), words, "the words round-trip");
        assert!(a.command(&sim).is_ok(), "{words} becomes a command");
    }
    // Setup actions have no control, so no link text, and cannot be a "your turn".
    for words in [
        "grow 10",
        "tier writer 0",
        "custom-endpoint r instance-2",
        "autoscaling 40 1 6",
    ] {
        let w: Vec<&str> = words.split(' ').collect();
        let a = lesson::Action::parse(&w).unwrap_or_else(|e| panic!("{words}: {e:?}"));
        assert!(!a.is_control(), "{words}");
        assert_eq!(a.link_text(&sim), None, "{words}");
    }
}

/// A valid step: title and narration, then any of the optional lines, and maybe a prediction.
fn valid_step() -> impl Strategy<Value = String> {
    let optional = prop_oneof![
        Just("highlight pg 0"),
        Just("highlight az b"),
        Just("highlight node writer"),
        Just("highlight node pg0@c"),
        Just("highlight endpoint cluster"),
        Just("highlight panel event-log"),
        Just("highlight figure commits"),
        Just("highlight segment 3"),
        Just("do crash pg0@a"),
        Just("do load 300 50"),
        Just("do cap writer v2-1-16"),
        Just("do grow 20"),
        Just("until wait 1500ms"),
        Just("until time 2min"),
        Just("until seen repair-started"),
        Just("until figure copies_left <= 5"),
        Just("until vdl-passed-commit"),
        Just("limit 90s"),
        Just("source UG:High availability for Amazon Aurora"),
    ];
    let prediction = (2usize..=4, 0usize..4, any::<bool>()).prop_map(|(n, right, negate)| {
        let mut p = String::from("ask Will {writer} keep writing?\n");
        for k in 0..n {
            p.push_str(&format!("answer k{k} Answer {k}, {{{{braced}}}}\n"));
        }
        let not = if negate { "not " } else { "" };
        p.push_str(&format!(
            "decide {not}seen write-quorum-lost and figure commits > 0.5 -> k{}\n",
            right % n
        ));
        p.push_str(
            "decide otherwise -> k0\nexplain Because {copies_left} copies.\n  It goes on.\n",
        );
        p
    });
    (
        "[A-Za-z][A-Za-z ]{0,20}",
        prop::collection::vec(optional, 0..6),
        prop::option::of(prediction),
        any::<bool>(),
    )
        .prop_map(|(title, lines, prediction, turn)| {
            let mut s = format!(
                "step {}\nsay Now {{vdl}} and\n  {{commits}}.\nsource P17 §2.1\n",
                title.trim_end()
            );
            for l in lines {
                s.push_str(l);
                s.push('\n');
            }
            if turn {
                s.push_str("your-turn fail-az c\n");
            }
            if let Some(p) = prediction {
                s.push_str(&p);
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases() / 4, ..ProptestConfig::default() })]

    /// Lessons built from valid parts always parse, and print back to the same lesson.
    #[test]
    fn generated_lessons_parse_and_round_trip(
        steps in prop::collection::vec(valid_step(), 1..6),
        seed in any::<u64>(),
        at in prop::option::of(1u64..600),
    ) {
        let mut text = format!(
            "# generated\nlesson gen-1\ntitle Generated\nsummary A lesson\n  on two lines.\nminutes 5\nscenario replicas\nseed {seed}\nreplicas 2\nchallenge Try it.\nnext six-copies\n"
        );
        if let Some(t) = at {
            text.push_str(&format!("at {t}s fail-az a\n"));
        }
        for s in &steps {
            text.push('\n');
            text.push_str(s);
        }
        let l = lesson::parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?}\n{text}")))?;
        prop_assert_eq!(l.steps.len(), steps.len());
        prop_assert_eq!(l.setup.seed, seed);
        let again = lesson::parse(&lesson::print(&l));
        prop_assert_eq!(again.as_ref().ok(), Some(&l));
    }
}

/// A built-in lesson opened at the start of its step titled `title`, the lesson's own seed.
fn open_at_titled(name: &str, title: &str) -> (aurora_core::Sim, LessonRun) {
    let l = Rc::new(builtin(name));
    let step = l
        .steps
        .iter()
        .position(|s| s.title == title)
        .unwrap_or_else(|| panic!("{name} has no step {title:?}"));
    LessonRun::open_at(l, None, step).unwrap_or_else(|e| panic!("{name} opens at {title:?}: {e:?}"))
}

/// The clients' longest write gap counts a gap still open: at the start of the step after a
/// failover, before writes come back, it already shows the outage, and it only grows.
#[test]
fn the_write_gap_figure_grows_with_an_outage_still_open() {
    let (mut sim, run) = open_at_titled("e-commerce-failover", "Recovery and the DNS flip");
    let gap = |sim: &aurora_core::Sim| match lesson::FigureId::ClientWriteDowntimeS
        .value(sim, run.observed())
    {
        Some(lesson::figure::Value::Num(v)) => v,
        other => panic!("no gap figure: {other:?}"),
    };
    let at_start = gap(&sim);
    assert!(
        at_start > 5.0,
        "the outage is {at_start} s at the step's start"
    );
    let mut last = at_start;
    for _ in 0..40 {
        sim.run_until(sim.now() + aurora_core::time::SimDuration::from_millis(250));
        let now = gap(&sim);
        assert!(now >= last, "the longest gap went down: {last} → {now}");
        last = now;
    }
    assert!(last < 60.0, "writes came back: {last} s");
}

/// Predict, then see: while a step asks its question, the highlighted figures are named
/// without their values (the answer to "how large can a volume be?" is the figure itself).
#[test]
fn a_question_is_asked_before_its_figures_show_their_values() {
    let (mut sim, mut run) = open_at_titled("storage-grows", "How big can it get?");
    assert_eq!(run.phase(), Phase::Asking);
    let labels = |run: &LessonRun, sim: &aurora_core::Sim| -> Vec<String> {
        run.highlights(sim).into_iter().map(|r| r.label).collect()
    };
    let asking = labels(&run, &sim);
    assert!(
        asking
            .iter()
            .any(|l| l.contains("largest the volume can grow"))
            && asking.iter().all(|l| !l.contains("128")),
        "{asking:?}"
    );
    run.answer(&mut sim, Some(0)).expect("answers");
    let after = labels(&run, &sim);
    assert!(after.iter().any(|l| l.ends_with(": 128")), "{after:?}");
}
