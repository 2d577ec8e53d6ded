//! What a course author takes away from the page: pictures of the diagram and the charts, the
//! measurements and the event log as files, and the run itself. This module decides the files'
//! names and contents; `files` hands them to the browser, and `components::take_away` draws
//! the buttons. The measurements' CSV is the core's (`aurora_core::measurements`), the same
//! that `aurora-sim --csv` writes.

use aurora_core::SimTime;

use crate::journal::LogLine;
use crate::playback::Playback;

/// Pixels per SVG unit of the PNG pictures: twice the page's, sharp on a slide.
pub const PNG_SCALE: f64 = 2.0;

/// Something the page can save a picture of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Picture {
    Diagram,
    /// A chart, by the `data-picture` name its figure carries.
    Chart(&'static str),
}

/// The charts that can be saved: (`data-picture` name, what the picker calls it).
pub const CHARTS: &[(&str, &str)] = &[
    ("commit-latency", "Commit latency chart"),
    ("throughput", "Throughput chart"),
    ("acu", "ACU chart"),
];

impl Picture {
    /// The picker's value for it.
    pub fn key(self) -> &'static str {
        match self {
            Picture::Diagram => "diagram",
            Picture::Chart(name) => name,
        }
    }
    /// The picture a picker value names.
    pub fn from_key(key: &str) -> Option<Picture> {
        if key == "diagram" {
            return Some(Picture::Diagram);
        }
        CHARTS
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(k, _)| Picture::Chart(k))
    }
    pub fn label(self) -> &'static str {
        match self {
            Picture::Diagram => "Cluster diagram",
            Picture::Chart(name) => CHARTS
                .iter()
                .find(|(k, _)| *k == name)
                .map_or("Chart", |(_, l)| l),
        }
    }
    /// The CSS selector of the SVG it is drawn from.
    pub fn selector(self) -> String {
        match self {
            Picture::Diagram => "svg.diagram".to_string(),
            Picture::Chart(name) => format!("figure[data-picture=\"{name}\"] svg"),
        }
    }
}

/// What is saved: a picture in a format, the data, or the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Request {
    Svg(Picture),
    Png(Picture),
    Measurements,
    EventLog,
    Run,
}

/// `12.5s`, `0s`, `1234.000001s`: a moment for a file name (no colons or spaces).
fn moment(t: SimTime) -> String {
    let us = t.as_micros();
    let (s, frac) = (us / 1_000_000, us % 1_000_000);
    if frac == 0 {
        format!("{s}s")
    } else {
        format!("{s}.{}s", format!("{frac:06}").trim_end_matches('0'))
    }
}

/// `aurora-failover-seed7-at-12.5s`: the scenario, the seed and the moment, as every saved
/// file's name begins.
pub fn file_stem(scenario: &str, seed: u64, at: SimTime) -> String {
    let safe: String = scenario
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("aurora-{safe}-seed{seed}-at-{}", moment(at))
}

/// The file name for a request.
pub fn file_name(scenario: &str, seed: u64, at: SimTime, r: Request) -> String {
    let stem = file_stem(scenario, seed, at);
    match r {
        Request::Svg(p) => format!("{stem}-{}.svg", p.key()),
        Request::Png(p) => format!("{stem}-{}.png", p.key()),
        Request::Measurements => format!("{stem}-measurements.csv"),
        Request::EventLog => format!("{stem}-event-log.jsonl"),
        Request::Run => format!("{stem}.aurora-run"),
    }
}

/// The MIME type of what a request saves.
pub fn mime(r: Request) -> &'static str {
    match r {
        Request::Svg(_) => "image/svg+xml",
        Request::Png(_) => "image/png",
        Request::Measurements => "text/csv",
        Request::EventLog => "application/x-ndjson",
        Request::Run => "text/plain",
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The event log as JSON lines, oldest first: one object a line with the simulated time in
/// µs, the clock as the log shows it, whether the line is among the important events or the
/// routine progress, its tone, its text, and for routine lines what they summarise.
pub fn log_jsonl(important: &[LogLine], routine: &[LogLine]) -> String {
    let mut all: Vec<(&LogLine, &str)> = important
        .iter()
        .map(|l| (l, "important"))
        .chain(routine.iter().map(|l| (l, "routine")))
        .collect();
    all.sort_by_key(|(l, _)| (l.at, l.seq));
    let mut out = String::new();
    for (l, kind) in all {
        out.push_str(&format!(
            "{{\"time_us\":{},\"time\":{},\"kind\":\"{kind}\",\"tone\":\"{}\",\"text\":{}",
            l.at.as_micros(),
            json_string(&crate::format::clock(l.at)),
            l.tone.class(),
            json_string(&l.text)
        ));
        if let Some(summary) = &l.summary {
            out.push_str(&format!(",\"summary\":{}", json_string(summary)));
        }
        out.push_str("}\n");
    }
    out
}

/// The measurements over time of the run so far, ending with a row for the moment on screen.
pub fn measurements_csv(p: &Playback) -> Result<String, String> {
    p.sim()
        .measurements_csv()
        .ok_or_else(|| "this run records no measurements".to_string())
}

/// Escapes text for an XML text node or attribute.
pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// What a standalone picture is made of, besides the drawing itself.
pub struct Frame<'a> {
    /// The drawing: an `<svg>` element whose styles are already inlined.
    pub inner: &'a str,
    /// Its size in the picture, in CSS pixels.
    pub width: f64,
    pub height: f64,
    /// The page's background and text colours in the theme chosen.
    pub background: &'a str,
    pub ink: &'a str,
    pub font: &'a str,
    /// A heading above the drawing (a chart's name), if any.
    pub heading: Option<&'a str>,
    /// Lines under it: a chart's caption, and where the picture comes from.
    pub notes: &'a [String],
}

const MARGIN: f64 = 16.0;
const HEADING: f64 = 28.0;
const NOTE: f64 = 18.0;

/// A standalone SVG document: the drawing on the theme's background, its heading and notes in
/// the theme's ink, sized in pixels, with nothing it needs outside it (so it reads the same on
/// a white slide, in an image viewer or in a PNG).
pub fn standalone_svg(f: &Frame<'_>) -> (String, f64, f64) {
    let top = MARGIN + if f.heading.is_some() { HEADING } else { 0.0 };
    let w = f.width + 2.0 * MARGIN;
    let h = top + f.height + MARGIN + NOTE * f.notes.len() as f64;
    let font = xml_escape(f.font);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" font-family=\"{font}\">"
    );
    out.push_str(&format!(
        "<rect width=\"100%\" height=\"100%\" fill=\"{}\"/>",
        xml_escape(f.background)
    ));
    if let Some(heading) = f.heading {
        out.push_str(&format!(
            "<text x=\"{MARGIN}\" y=\"{:.0}\" fill=\"{}\" font-size=\"16\" font-weight=\"600\">{}</text>",
            MARGIN + 16.0,
            xml_escape(f.ink),
            xml_escape(heading)
        ));
    }
    out.push_str(&format!("<g transform=\"translate({MARGIN} {top:.0})\">"));
    out.push_str(f.inner);
    out.push_str("</g>");
    for (i, note) in f.notes.iter().enumerate() {
        out.push_str(&format!(
            "<text x=\"{MARGIN}\" y=\"{:.0}\" fill=\"{}\" font-size=\"12\">{}</text>",
            top + f.height + MARGIN / 2.0 + NOTE * (i as f64 + 0.75),
            xml_escape(f.ink),
            xml_escape(note)
        ));
    }
    out.push_str("</svg>");
    (out, w, h)
}

/// Where a picture comes from, for its last line: "Aurora Playground: failover, seed 7, at
/// 12.500 000 s".
pub fn provenance(scenario: &str, seed: u64, at: SimTime) -> String {
    format!(
        "Aurora Playground: {scenario}, seed {seed}, at {}",
        crate::format::clock(at)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Tone;
    use aurora_core::scenario::find;

    #[test]
    fn file_names_say_scenario_seed_and_moment() {
        let t = SimTime::from_micros(12_500_000);
        assert_eq!(
            file_name("failover", 7, t, Request::Svg(Picture::Diagram)),
            "aurora-failover-seed7-at-12.5s-diagram.svg"
        );
        assert_eq!(
            file_name(
                "az-failure",
                1,
                SimTime::ZERO,
                Request::Png(Picture::Chart("throughput"))
            ),
            "aurora-az-failure-seed1-at-0s-throughput.png"
        );
        assert_eq!(
            file_name("x y/z", 2, SimTime::from_micros(1), Request::Run),
            "aurora-x-y-z-seed2-at-0.000001s.aurora-run"
        );
        assert!(file_name("failover", 7, t, Request::Measurements).ends_with("-measurements.csv"));
        assert!(file_name("failover", 7, t, Request::EventLog).ends_with("-event-log.jsonl"));
    }

    #[test]
    fn picker_keys_name_their_pictures() {
        for key in ["diagram", "commit-latency", "throughput", "acu"] {
            let p = Picture::from_key(key).expect(key);
            assert_eq!(p.key(), key);
        }
        assert_eq!(Picture::from_key("pie"), None);
        assert_eq!(
            Picture::Chart("acu").selector(),
            "figure[data-picture=\"acu\"] svg"
        );
    }

    #[test]
    fn the_event_log_is_one_json_object_a_line() {
        let important = vec![
            LogLine {
                seq: 1,
                at: SimTime::from_micros(2_000_000),
                text: "AZ c failed: \"all\" its nodes\\down".into(),
                tone: Tone::Bad,
                summary: None,
            },
            LogLine {
                seq: 3,
                at: SimTime::from_micros(2_500_001),
                text: "You healed AZ c".into(),
                tone: Tone::You,
                summary: None,
            },
        ];
        let routine = vec![LogLine {
            seq: 2,
            at: SimTime::from_micros(2_100_000),
            text: "commit 812 acknowledged".into(),
            tone: Tone::Info,
            summary: Some("9 commits acknowledged in 0.1 s".into()),
        }];
        let text = log_jsonl(&important, &routine);
        let rows: Vec<&str> = text.lines().collect();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0],
            r#"{"time_us":2000000,"time":"2.000 000 s","kind":"important","tone":"bad","text":"AZ c failed: \"all\" its nodes\\down"}"#
        );
        assert_eq!(
            rows[1],
            r#"{"time_us":2100000,"time":"2.100 000 s","kind":"routine","tone":"info","text":"commit 812 acknowledged","summary":"9 commits acknowledged in 0.1 s"}"#
        );
        assert!(rows[2].starts_with(r#"{"time_us":2500001,"#));
    }

    #[test]
    fn a_standalone_picture_carries_its_background_heading_and_notes() {
        let notes = vec!["top 2 ms".to_string(), "Aurora Playground".to_string()];
        let (svg, w, h) = standalone_svg(&Frame {
            inner: "<svg width=\"300\" height=\"90\"></svg>",
            width: 300.0,
            height: 90.0,
            background: "#ffffff",
            ink: "#1a1a1a",
            font: "system-ui, \"Segoe UI\"",
            heading: Some("Commit latency <p99>"),
            notes: &notes,
        });
        assert_eq!((w, h), (332.0, 16.0 + 28.0 + 90.0 + 16.0 + 36.0));
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"332\""));
        assert!(svg.contains("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"));
        assert!(svg.contains("Commit latency &lt;p99&gt;"));
        assert!(svg.contains("font-family=\"system-ui, &quot;Segoe UI&quot;\""));
        assert!(svg.contains(">top 2 ms</text>"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn the_measurements_are_the_cores_csv_ending_at_the_moment_on_screen() {
        let s = find("replicas").expect("scenario");
        let mut p = Playback::new(s, 4, Vec::new());
        p.run(SimTime::from_micros(2_345_000), 0.01, 0.0, true, None);
        let csv = measurements_csv(&p).expect("recorded");
        let last = csv.lines().last().expect("rows");
        assert!(last.starts_with("2.345,"), "{last}");
        // The same run in the runner's way: at once, with the same interval.
        let mut sim = s.start(4);
        sim.record_measurements(aurora_core::measurements::default_interval(s.duration));
        sim.run_until(SimTime::from_micros(2_345_000));
        assert_eq!(sim.measurements_csv().as_deref(), Some(csv.as_str()));
        // The panel's figures are the last row's.
        let header: Vec<&str> = csv.lines().next().expect("header").split(',').collect();
        let row: Vec<&str> = last.split(',').collect();
        let col = |n: &str| row[header.iter().position(|h| *h == n).expect(n)];
        let m = p.sim().metrics();
        assert_eq!(col("commits_acked"), m.commits_acked.to_string());
        assert_eq!(
            col("commit_p50_us"),
            m.commit_latency.quantile(500).to_string()
        );
        assert_eq!(
            format!("{:.1}", col("ios_per_txn").parse::<f64>().expect("n")),
            format!("{:.1}", m.redo_ios_per_txn())
        );
    }

    #[test]
    fn a_rewound_run_has_the_measurements_of_its_moment() {
        let s = find("failover").expect("scenario");
        let mut p = Playback::new(s, 2, Vec::new());
        p.run(SimTime::from_micros(3_000_000), 0.01, 0.0, false, None);
        let at_three = measurements_csv(&p).expect("recorded");
        p.run(SimTime::from_micros(8_000_000), 0.01, 0.0, false, None);
        p.seek(SimTime::from_micros(3_000_000), 0.01);
        assert_eq!(measurements_csv(&p).expect("recorded"), at_three);
    }
}
