//! Playing a lesson to its end headlessly, and what the runner prints about it: each step's
//! time, each prediction's right answer as the model decided it, and every live figure.

use super::figure::FigureId;
use super::model::Lesson;
use super::run::LessonRun;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

/// One step as the headless player saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct StepSummary {
    pub title: String,
    /// Simulated seconds when the step's conditions held (`None`: they never did).
    pub reached_s: Option<f64>,
    /// The prediction's right answer, by key, as the model decided it (`None`: no prediction,
    /// or not decided).
    pub right: Option<String>,
    pub has_prediction: bool,
    /// Figures the step's texts name that had no value when the step was reached.
    pub unresolved: Vec<&'static str>,
    /// The narration, question and explanation as the page would show them when the step was
    /// reached, live figures filled in (for a teacher reading the lesson through).
    pub narration: String,
    pub question: Option<String>,
    pub explanation: Option<String>,
}

/// A lesson played to its end.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub lesson: String,
    pub seed: u64,
    pub steps: Vec<StepSummary>,
    /// Every figure the lesson names, with its value at the end (`None`: never resolved).
    pub figures: Vec<(&'static str, Option<String>)>,
    /// What went wrong, in words; empty if the lesson passed.
    pub problems: Vec<String>,
    pub sim_time_s: f64,
}

impl Summary {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// The lesson as a student would read it in this run, step by step, in plain text.
    pub fn transcript(&self) -> String {
        let mut o = format!("{} (seed {})\n", self.lesson, self.seed);
        for (i, s) in self.steps.iter().enumerate() {
            let at = s
                .reached_s
                .map_or("not reached".into(), |t| format!("{t:.1} s"));
            o.push_str(&format!(
                "\n{}. {} [{at}]\n{}\n",
                i + 1,
                s.title,
                s.narration
            ));
            if let Some(q) = &s.question {
                o.push_str(&format!("  Q: {q}\n"));
                if let Some(r) = &s.right {
                    o.push_str(&format!("  right: {r}\n"));
                }
            }
            if let Some(e) = &s.explanation {
                o.push_str(&format!("  {e}\n"));
            }
        }
        for p in &self.problems {
            o.push_str(&format!("\nPROBLEM: {p}\n"));
        }
        o
    }

    /// One JSON object, as the runner prints it.
    pub fn to_json(&self) -> String {
        let mut o = String::from("{");
        o.push_str(&format!("\"lesson\":{},", json_str(&self.lesson)));
        o.push_str(&format!("\"seed\":{},", self.seed));
        o.push_str(&format!("\"ok\":{},", self.ok()));
        o.push_str(&format!("\"sim_time_s\":{:.3},", self.sim_time_s));
        o.push_str("\"steps\":[");
        for (i, s) in self.steps.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            o.push_str(&format!(
                "{{\"step\":{},\"title\":{}",
                i + 1,
                json_str(&s.title)
            ));
            match s.reached_s {
                Some(t) => o.push_str(&format!(",\"reached_s\":{t:.3}")),
                None => o.push_str(",\"reached_s\":null"),
            }
            if s.has_prediction {
                match &s.right {
                    Some(r) => o.push_str(&format!(",\"right_answer\":{}", json_str(r))),
                    None => o.push_str(",\"right_answer\":null"),
                }
            }
            if !s.unresolved.is_empty() {
                let names: Vec<String> = s.unresolved.iter().map(|n| json_str(n)).collect();
                o.push_str(&format!(",\"unresolved\":[{}]", names.join(",")));
            }
            o.push('}');
        }
        o.push_str("],\"figures\":{");
        for (i, (name, v)) in self.figures.iter().enumerate() {
            if i > 0 {
                o.push(',');
            }
            match v {
                Some(v) => o.push_str(&format!("{}:{}", json_str(name), json_str(v))),
                None => o.push_str(&format!("{}:null", json_str(name))),
            }
        }
        o.push_str("},\"problems\":[");
        let probs: Vec<String> = self.problems.iter().map(|p| json_str(p)).collect();
        o.push_str(&probs.join(","));
        o.push_str("]}");
        o
    }
}

/// A JSON string literal.
pub fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn step_figures(step: &super::model::Step) -> Vec<FigureId> {
    let mut texts: Vec<&str> = alloc::vec![step.narration.as_str()];
    if let Some(p) = &step.prediction {
        texts.push(&p.question);
        texts.push(&p.explain);
    }
    let mut out = Vec::new();
    for t in texts {
        for f in super::figure::placeholders(t).flatten() {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

/// Plays `lesson` to its end with `seed` (or its own): each "your turn" is done by applying
/// the step's action, and each step's conditions must hold within its limit. Checks that every
/// prediction is decided and every live figure resolves when its step is reached.
pub fn play(lesson: &Lesson, seed: Option<u64>) -> Summary {
    let seed_used = seed.unwrap_or(lesson.setup.seed);
    let mut summary = Summary {
        lesson: lesson.name.clone(),
        seed: seed_used,
        steps: Vec::new(),
        figures: Vec::new(),
        problems: Vec::new(),
        sim_time_s: 0.0,
    };
    let (mut sim, mut run) = match LessonRun::start(Rc::new(lesson.clone()), Some(seed_used)) {
        Ok(pair) => pair,
        Err(e) => {
            summary.problems.push(format!("{e}"));
            return summary;
        }
    };
    loop {
        let i = run.step_index();
        let step = run.step().clone();
        let outcome = run.play_step(&mut sim);
        let mut s = StepSummary {
            title: step.title.clone(),
            reached_s: None,
            right: None,
            has_prediction: step.prediction.is_some(),
            unresolved: Vec::new(),
            narration: run.narration(&sim),
            question: run.question(&sim),
            explanation: run.explanation(&sim),
        };
        match outcome {
            Ok(at) => s.reached_s = Some(at.as_secs_f64()),
            Err(e) => summary.problems.push(format!("{e}")),
        }
        if let Some(p) = &step.prediction {
            match run.decision() {
                Some(d) => s.right = p.answers.get(d.right).map(|a| a.key.clone()),
                None if s.reached_s.is_some() => summary.problems.push(format!(
                    "step {}: the prediction \"{}\" was not decided: no case matched and there is no \"decide otherwise\"",
                    i + 1,
                    p.question
                )),
                None => {}
            }
        }
        if s.reached_s.is_some() {
            for f in step_figures(&step) {
                if run.figure(&sim, f).is_none() {
                    s.unresolved.push(f.name());
                    summary.problems.push(format!(
                        "step {}: the live figure {{{}}} has no value when the step is reached",
                        i + 1,
                        f.name()
                    ));
                }
            }
        }
        let reached = s.reached_s.is_some();
        summary.steps.push(s);
        if !reached {
            break;
        }
        match run.next(&mut sim) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                summary.problems.push(format!("{e}"));
                break;
            }
        }
    }
    if sim.invariant_violations() > 0 {
        summary.problems.push(format!(
            "the invariant checker found {} violations",
            sim.invariant_violations()
        ));
    }
    summary.figures = lesson
        .figures_used()
        .into_iter()
        .map(|f| (f.name(), run.figure(&sim, f)))
        .collect();
    summary.sim_time_s = sim.now().as_secs_f64();
    summary
}
