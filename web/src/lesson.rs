//! Lesson mode as the page sees it: what the lesson panel and the picker show (plain data built
//! from the core's lesson player), what a person can do in a lesson, the link parameters that
//! open one, and the progress the browser keeps.
//!
//! Nothing here decides anything about Aurora: whether a step may go on, what a live figure is
//! and which answer of a prediction is right all come from `aurora_core::lesson`. This module
//! only says how those facts are shown and how a click moves through the steps.

use std::collections::BTreeMap;

/// A lesson as the picker lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The name links use (`?lesson=NAME`).
    pub name: String,
    pub title: String,
    pub summary: String,
    /// About how long it takes, in minutes.
    pub minutes: u32,
    pub steps: usize,
    pub done: bool,
}

/// Where a step is on its way to going on.
#[derive(Clone, Debug, PartialEq)]
pub enum Progress {
    /// The student has a prediction to answer before the model moves.
    Answer,
    /// The student must use a control first.
    YourTurn,
    /// The model is running towards the step's condition; how long the step may still take,
    /// in words.
    Watching(String),
    /// The condition holds: Next is open.
    Reached,
    /// The condition did not hold within the step's limit; the reason in words.
    Stuck(String),
}

/// The prediction card.
#[derive(Clone, Debug, PartialEq)]
pub struct PredictionCard {
    pub question: String,
    pub answers: Vec<String>,
    /// The answer the student gave.
    pub chosen: Option<usize>,
    /// The answer the model decided, once it has.
    pub right: Option<usize>,
    /// Shown once the model has decided, with its live figures filled in.
    pub explanation: Option<String>,
}

impl PredictionCard {
    /// The verdict in words, once both the student and the model have answered.
    pub fn verdict(&self) -> Option<String> {
        let (chosen, right) = (self.chosen?, self.right?);
        let answer = self.answers.get(right)?;
        Some(if chosen == right {
            format!("Right: {answer}")
        } else {
            format!("Not this time. What the model did: {answer}")
        })
    }
}

/// Everything the lesson panel shows for the current step.
#[derive(Clone, Debug, PartialEq)]
pub struct StepCard {
    /// The lesson's name and title.
    pub lesson: String,
    pub lesson_title: String,
    /// 0-based index of the step, and how many there are.
    pub index: usize,
    pub count: usize,
    pub title: String,
    /// The narration with its live figures filled in from the model.
    pub narration: String,
    /// Where the claim comes from ("P17 §2.1").
    pub sources: Vec<String>,
    /// What the diagram's rings point at, in words (the text equivalent of the highlights).
    pub highlights: Vec<String>,
    /// The control the student must use, in words ("fail AZ c"), and where they are with it.
    pub your_turn: Option<(String, Turn)>,
    pub progress: Progress,
    pub prediction: Option<PredictionCard>,
    /// On the last step: the open question the lesson ends with.
    pub challenge: Option<String>,
    /// On the last step: the lesson to go on to (name, title).
    pub next_lesson: Option<(String, String)>,
    /// The student left the lesson into free play ("Try it yourself").
    pub trying: bool,
}

/// Where a step's "your turn" stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Turn {
    /// The step asks its question first; the turn comes after the answer.
    AfterAnswer,
    /// The lesson waits for the student to use the control.
    Now,
    /// The student did it, and the step watches what follows.
    Done,
}

impl Turn {
    /// The turn in the step's phase.
    pub fn in_phase(phase: aurora_core::lesson::Phase) -> Turn {
        use aurora_core::lesson::Phase;
        match phase {
            Phase::Asking => Turn::AfterAnswer,
            Phase::AwaitingStudent => Turn::Now,
            Phase::Watching | Phase::Reached { .. } | Phase::TimedOut => Turn::Done,
        }
    }

    /// What the panel says about it, given the control in words ("fail AZ c").
    pub fn sentence(self, what: &str) -> String {
        match self {
            Turn::AfterAnswer => format!("After you answer, your turn: {what}."),
            Turn::Now => format!("Your turn: {what}."),
            Turn::Done => format!("Done: {what}."),
        }
    }
}

impl StepCard {
    /// "Step 3 of 9".
    pub fn position(&self) -> String {
        step_of(self.index, self.count)
    }

    pub fn can_back(&self) -> bool {
        self.index > 0 && !self.trying
    }

    /// Next is open once the step's condition holds (and not in free play).
    pub fn can_next(&self) -> bool {
        !self.trying && self.progress == Progress::Reached && self.index + 1 < self.count
    }

    pub fn is_last(&self) -> bool {
        self.index + 1 >= self.count
    }

    /// What a screen reader hears when the step changes: where we are, the step and what to
    /// look at.
    pub fn announcement(&self) -> String {
        // A title that ends a sentence already ("Which one keeps six copies?") takes no period.
        let stop = if self.title.ends_with(['?', '!', '.']) {
            ""
        } else {
            "."
        };
        let mut s = format!(
            "{}: {}{stop} {}",
            self.position(),
            self.title,
            self.narration
        );
        if !self.highlights.is_empty() {
            s.push_str(" Highlighted: ");
            s.push_str(&self.highlights.join(", "));
            s.push('.');
        }
        s
    }
}

/// "Step 3 of 9" for index 2 of 9.
pub fn step_of(index: usize, count: usize) -> String {
    format!("Step {} of {count}", index + 1)
}

/// What a person does in lesson mode.
#[derive(Clone, Debug, PartialEq)]
pub enum LessonAction {
    OpenPicker,
    ClosePicker,
    /// Start a built-in lesson at a step (0-based).
    Start(String, usize),
    Next,
    Back,
    /// Answer the prediction with this answer.
    Answer(usize),
    /// Leave the lesson into free play at this moment.
    TryIt,
    /// Come back from free play to the step as it was.
    Resume,
    /// Close the lesson and stay in free play.
    Leave,
    /// Forget which lessons are done.
    ClearProgress,
    /// Use the control the step waits for on the student's behalf, as if they had (for one
    /// who cannot find it, or a teacher showing the class).
    DoItForMe,
}

/// The lesson keys: `>` or Page Down next, `<` or Page Up back. Letters, `.` and the arrows
/// already mean something on the page (N and `.` are "next event", ← → move along the
/// timeline).
pub fn lesson_key(key: &str) -> Option<LessonAction> {
    match key {
        ">" | "PageDown" => Some(LessonAction::Next),
        "<" | "PageUp" => Some(LessonAction::Back),
        _ => None,
    }
}

/// The shortcuts lesson mode adds to the help overlay.
pub const SHORTCUTS: [(&str, &str); 2] = [
    ("> or Page Down", "lesson: next step"),
    ("< or Page Up", "lesson: previous step"),
];

/// The lesson parameters of a link.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkParams {
    /// `lesson=NAME`: a built-in lesson.
    pub lesson: Option<String>,
    /// `step=N`: 1-based, as people count.
    pub step: Option<usize>,
    /// `lesson-file=PATH`: a lesson file on the same site, loaded at run time.
    pub file: Option<String>,
}

/// Most characters of a `lesson-file` path.
pub const MAX_PATH: usize = 200;
/// Most steps a link may ask for.
pub const MAX_STEP: usize = 999;

impl LinkParams {
    /// Reads one of the lesson parameters; `None` when `key` is not one. A bad value keeps the
    /// default and comes back as a notice.
    pub fn read(&mut self, key: &str, value: &str) -> Option<Result<(), String>> {
        Some(match key {
            "lesson" => {
                if is_name(value) {
                    self.lesson = Some(value.to_string());
                    Ok(())
                } else {
                    Err(format!(
                        "A lesson's name is lowercase letters, digits and dashes, not \"{}\"; no lesson opened.",
                        quote(value)
                    ))
                }
            }
            "step" => match value.parse::<usize>() {
                Ok(n) if (1..=MAX_STEP).contains(&n) => {
                    self.step = Some(n);
                    Ok(())
                }
                _ => Err(format!(
                    "step must be a whole number from 1 to {MAX_STEP}, not \"{}\"; starting at step 1.",
                    quote(value)
                )),
            },
            "lesson-file" => match check_path(value) {
                Ok(()) => {
                    self.file = Some(value.to_string());
                    Ok(())
                }
                Err(why) => Err(format!(
                    "lesson-file \"{}\" was not loaded: {why}.",
                    quote(value)
                )),
            },
            _ => return None,
        })
    }

    /// The 0-based step to open at.
    pub fn step_index(&self) -> usize {
        self.step.map_or(0, |n| n.saturating_sub(1))
    }

    /// Whether the link asks for a lesson at all.
    pub fn any(&self) -> bool {
        self.lesson.is_some() || self.file.is_some()
    }
}

fn quote(s: &str) -> String {
    let mut q: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        q.push('…');
    }
    q
}

/// A lesson name: 1 to 40 lowercase letters, digits and dashes.
pub fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A `lesson-file` path must name a file on this site, relative to the page: no scheme, no
/// host, no way up out of the folder, nothing that is not a plain path character. The browser's
/// policy would refuse another origin anyway; this says why in words before trying.
pub fn check_path(path: &str) -> Result<(), &'static str> {
    if path.is_empty() {
        return Err("the path is empty");
    }
    if path.len() > MAX_PATH {
        return Err("the path is too long");
    }
    if path.contains("//") || path.contains(':') {
        return Err("it must be a file on this site, given as a path such as lessons/mine.lesson");
    }
    if path.starts_with('/') || path.split('/').any(|part| part == "..") {
        return Err("the path must be relative to the page and stay inside its folder");
    }
    let plain = path
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'));
    if !plain {
        return Err("the path may hold only letters, digits, '-', '_', '.' and '/'");
    }
    Ok(())
}

/// The query string (with its `?`) that opens a lesson at a step: what "Copy link" writes in
/// lesson mode. The lesson's own setup makes the run, so the scenario and actions are not
/// repeated; a seed other than the lesson's is.
pub fn link_query(
    lesson: &str,
    file: Option<&str>,
    index: usize,
    seed: Option<u64>,
    embed: bool,
) -> String {
    let mut q = match file {
        Some(path) => format!("?lesson-file={path}"),
        None => format!("?lesson={lesson}"),
    };
    q.push_str(&format!("&step={}", index + 1));
    if let Some(seed) = seed {
        q.push_str(&format!("&seed={seed}"));
    }
    if embed {
        q.push_str("&embed=1");
    }
    q
}

/// Which lessons a student has finished and the furthest step reached in each, as the browser
/// keeps it: `name=steps` pairs, `!` after the number when the lesson is done.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// Lesson name → (furthest 0-based step reached, done).
    pub lessons: BTreeMap<String, (usize, bool)>,
}

/// Most lessons the record keeps (a hand-edited store cannot grow without bound).
const MAX_RECORDED: usize = 200;

impl Record {
    pub fn done(&self, name: &str) -> bool {
        self.lessons.get(name).is_some_and(|r| r.1)
    }

    pub fn furthest(&self, name: &str) -> Option<usize> {
        self.lessons.get(name).map(|r| r.0)
    }

    /// Notes that `name` reached `index`; the last step of `count` marks it done.
    pub fn reached(&mut self, name: &str, index: usize, count: usize) {
        if !is_name(name)
            || (self.lessons.len() >= MAX_RECORDED && !self.lessons.contains_key(name))
        {
            return;
        }
        let entry = self.lessons.entry(name.to_string()).or_insert((0, false));
        entry.0 = entry.0.max(index);
        if index + 1 >= count {
            entry.1 = true;
        }
    }

    /// `six-copies=3!,losing-an-az=1`.
    pub fn encode(&self) -> String {
        self.lessons
            .iter()
            .map(|(name, (step, done))| format!("{name}={step}{}", if *done { "!" } else { "" }))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Reads what [`Record::encode`] wrote; anything else in the store is skipped, so a damaged
    /// record loses only its damaged entries.
    pub fn decode(s: &str) -> Record {
        let mut r = Record::default();
        for item in s.split(',').take(MAX_RECORDED) {
            let Some((name, rest)) = item.split_once('=') else {
                continue;
            };
            let (num, done) = match rest.strip_suffix('!') {
                Some(n) => (n, true),
                None => (rest, false),
            };
            if let (true, Ok(step)) = (is_name(name), num.parse::<usize>()) {
                r.lessons
                    .insert(name.to_string(), (step.min(MAX_STEP), done));
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(index: usize, count: usize, progress: Progress) -> StepCard {
        StepCard {
            lesson: "six-copies".into(),
            lesson_title: "Six copies".into(),
            index,
            count,
            title: "Four of six".into(),
            narration: "Watch PG 0.".into(),
            sources: vec!["P17 §2.1".into()],
            highlights: vec!["protection group 0".into()],
            your_turn: None,
            progress,
            prediction: None,
            challenge: None,
            next_lesson: None,
            trying: false,
        }
    }

    #[test]
    fn next_opens_only_when_the_model_has_reached_the_condition() {
        assert!(!card(0, 3, Progress::Watching("repair".into())).can_next());
        assert!(!card(0, 3, Progress::Answer).can_next());
        assert!(!card(0, 3, Progress::YourTurn).can_next());
        assert!(card(0, 3, Progress::Reached).can_next());
        assert!(!card(2, 3, Progress::Reached).can_next(), "the last step");
        let mut trying = card(1, 3, Progress::Reached);
        trying.trying = true;
        assert!(
            !trying.can_next() && !trying.can_back(),
            "free play first returns"
        );
        assert!(!card(0, 3, Progress::Reached).can_back());
        assert!(card(1, 3, Progress::Reached).can_back());
    }

    #[test]
    fn a_question_for_a_title_is_announced_without_a_second_stop() {
        let mut c = card(2, 6, Progress::Answer);
        c.title = "Which one keeps six copies?".into();
        assert!(c
            .announcement()
            .starts_with("Step 3 of 6: Which one keeps six copies? Watch"));
        assert!(card(0, 2, Progress::Answer)
            .announcement()
            .starts_with("Step 1 of 2: Four of six. Watch"));
    }

    #[test]
    fn steps_are_counted_as_people_count() {
        assert_eq!(card(2, 9, Progress::Reached).position(), "Step 3 of 9");
        let a = card(0, 2, Progress::Reached).announcement();
        assert_eq!(
            a,
            "Step 1 of 2: Four of six. Watch PG 0. Highlighted: protection group 0."
        );
    }

    #[test]
    fn the_verdict_compares_the_answer_with_the_models() {
        let mut p = PredictionCard {
            question: "Do writes continue?".into(),
            answers: vec!["Yes".into(), "No".into()],
            chosen: Some(0),
            right: None,
            explanation: None,
        };
        assert_eq!(p.verdict(), None, "the model has not decided");
        p.right = Some(0);
        assert_eq!(p.verdict().as_deref(), Some("Right: Yes"));
        p.chosen = Some(1);
        assert_eq!(
            p.verdict().as_deref(),
            Some("Not this time. What the model did: Yes")
        );
        p.right = Some(7);
        assert_eq!(p.verdict(), None, "an answer out of range says nothing");
    }

    #[test]
    fn lesson_links_are_read_with_a_notice_for_each_bad_value() {
        let mut p = LinkParams::default();
        assert_eq!(p.read("lesson", "e-commerce-failover"), Some(Ok(())));
        assert_eq!(p.read("step", "2"), Some(Ok(())));
        assert_eq!(p.read("seed", "2"), None, "not a lesson parameter");
        assert_eq!(p.step_index(), 1);
        assert!(p.any());
        for bad in ["0", "-1", "two", "1000", ""] {
            let r = p.read("step", bad);
            assert!(matches!(r, Some(Err(_))), "step={bad}: {r:?}");
        }
        assert_eq!(p.step, Some(2), "a bad step keeps the good one");
        let r = p.read("lesson", "<b>Six</b>");
        assert!(
            matches!(&r, Some(Err(m)) if m.contains("\"<b>Six</b>\"")),
            "{r:?}"
        );
    }

    #[test]
    fn a_lesson_file_must_be_a_plain_path_on_this_site() {
        for good in ["lessons/mine.lesson", "my-lesson.txt", "a/b_c/d.lesson"] {
            assert_eq!(check_path(good), Ok(()), "{good}");
        }
        for bad in [
            "",
            "https://evil.example/x.lesson",
            "//evil.example/x",
            "/etc/passwd",
            "../secret.lesson",
            "a/../../b",
            "javascript:alert(1)",
            "a b.lesson",
            "a?x=1",
            "a%2e%2e/b",
        ] {
            assert!(check_path(bad).is_err(), "{bad}");
        }
        assert!(check_path(&"a".repeat(MAX_PATH + 1)).is_err());
        let mut p = LinkParams::default();
        assert!(matches!(p.read("lesson-file", "../x"), Some(Err(_))));
        assert_eq!(p.file, None);
    }

    #[test]
    fn copy_link_writes_the_lesson_and_the_step() {
        assert_eq!(
            link_query("e-commerce-failover", None, 1, None, false),
            "?lesson=e-commerce-failover&step=2"
        );
        assert_eq!(
            link_query("x", Some("lessons/mine.lesson"), 0, Some(7), true),
            "?lesson-file=lessons/mine.lesson&step=1&seed=7&embed=1"
        );
        // The link reads back to the same lesson and step.
        let mut p = LinkParams::default();
        for pair in "lesson=e-commerce-failover&step=2".split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            assert_eq!(p.read(k, v), Some(Ok(())));
        }
        assert_eq!(p.lesson.as_deref(), Some("e-commerce-failover"));
        assert_eq!(p.step_index(), 1);
    }

    #[test]
    fn lesson_keys_do_not_take_the_pages_own() {
        assert_eq!(lesson_key(">"), Some(LessonAction::Next));
        assert_eq!(lesson_key("PageDown"), Some(LessonAction::Next));
        assert_eq!(lesson_key("PageUp"), Some(LessonAction::Back));
        for taken in ["n", "N", ".", "ArrowLeft", "ArrowRight", " ", "k"] {
            assert_eq!(lesson_key(taken), None, "{taken}");
        }
    }

    #[test]
    fn the_record_round_trips_and_survives_damage() {
        let mut r = Record::default();
        r.reached("six-copies", 2, 8);
        r.reached("six-copies", 1, 8);
        assert_eq!(r.furthest("six-copies"), Some(2), "the furthest stays");
        assert!(!r.done("six-copies"));
        r.reached("six-copies", 7, 8);
        assert!(r.done("six-copies"));
        r.reached("replicas", 0, 5);
        r.reached("Not A Name", 0, 5);
        assert_eq!(r.encode(), "replicas=0,six-copies=7!");
        assert_eq!(Record::decode(&r.encode()), r);
        let damaged = Record::decode("replicas=0,,x,=3,six-copies=oops!,ok=2!,BAD=1");
        assert_eq!(damaged.encode(), "ok=2!,replicas=0");
        assert_eq!(Record::decode(""), Record::default());
    }
}
