//! Live panels: commit latency, per-replica lag, throughput, I/Os per transaction, and the
//! invariant checker's status. Every number is the core's metric; the page only draws it.

use std::rc::Rc;

use aurora_core::{SimDuration, SimTime};
use yew::prelude::*;

use crate::format;

/// What the panels show, gathered from the model once per frame.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Figures {
    pub now: SimTime,
    /// Commit latency quantiles over the run, in µs.
    pub commit_p50: u64,
    pub commit_p99: u64,
    pub commits: u64,
    /// The longest commit wait per batch of acknowledgements, within the chart's window.
    pub latency: Vec<(SimTime, u64)>,
    pub window: SimDuration,
    /// Commits per simulated second, oldest first.
    pub throughput: Vec<u32>,
    /// Each replica: name, lag, up.
    pub lags: Vec<(String, SimDuration, bool)>,
    pub lag_p50: u64,
    pub lag_p99: u64,
    /// At each of P17 Table 4's write rates the run has measured, the model's lag beside the
    /// paper's.
    pub lag_table4: Vec<Table4Row>,
    pub ios_per_txn: f64,
    pub client_ok: u64,
    pub client_errors: u64,
    pub client_write_p50: u64,
    pub client_read_p50: u64,
    /// Client writes and reads answered: a median of none is "none yet", not "0 µs".
    pub client_writes: u64,
    pub client_reads: u64,
    /// How long the oldest commit still waiting for VDL has waited, and how many wait.
    pub oldest_commit_wait: Option<SimDuration>,
    pub commits_waiting: usize,
    /// Client requests sent and not yet answered, and how long the oldest has waited.
    pub requests_waiting: usize,
    pub oldest_request_wait: Option<SimDuration>,
    pub violations: u64,
    pub first_violation: Option<String>,
}

#[derive(Properties, PartialEq, Clone)]
pub struct ChartsProps {
    pub figures: Rc<Figures>,
}

const W: f32 = 300.0;
const H: f32 = 90.0;

fn us(v: u64) -> String {
    format::duration(SimDuration::from_micros(v))
}

/// The model's replica lag at one of P17 Table 4's write rates, in µs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Table4Row {
    pub writes_per_sec: u32,
    pub mean: u64,
    /// Of `mean`, the wait for the storage quorum (VDL passing the write).
    pub quorum_wait: Option<u64>,
    pub paper: u64,
}

/// The measured lag at each of Table 4's write rates beside the paper's, with the share that
/// waited for the storage quorum.
pub fn table4_text(rows: &[Table4Row]) -> String {
    let each: Vec<String> = rows
        .iter()
        .map(|r| match r.quorum_wait {
            Some(w) => format!(
                "{} writes/s: {} ({} of it waiting for the storage quorum; paper {})",
                r.writes_per_sec,
                us(r.mean),
                us(w),
                us(r.paper)
            ),
            None => format!(
                "{} writes/s: {} (paper {})",
                r.writes_per_sec,
                us(r.mean),
                us(r.paper)
            ),
        })
        .collect();
    format!(
        "Measured mean lag, from the write to the replica, at SIGMOD 2017 Table 4's rates: {}.",
        each.join("; ")
    )
}

fn latency_chart(fig: &Figures) -> Html {
    let start = fig.now.as_micros().saturating_sub(fig.window.as_micros());
    let span = fig.window.as_micros().max(1) as f32;
    let max = fig.latency.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let points: Vec<String> = fig
        .latency
        .iter()
        .filter(|p| p.0.as_micros() >= start)
        .map(|(t, v)| {
            let x = (t.as_micros() - start) as f32 / span * W;
            let y = H - (*v as f32 / max as f32) * (H - 10.0);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let label = format!(
        "Commit latency: median {}, 99th percentile {}; highest in the last {}: {}",
        us(fig.commit_p50),
        us(fig.commit_p99),
        format::duration(fig.window),
        us(max)
    );
    html! {
        <figure class="chart" data-picture="commit-latency">
            <svg viewBox={format!("0 0 {W} {H}")} role="img" aria-label={label} preserveAspectRatio="none">
                <line class="axis" x1="0" y1={H.to_string()} x2={W.to_string()} y2={H.to_string()} />
                <polyline class="latency-line" points={points.join(" ")} />
            </svg>
            <figcaption>
                <span>{ format!("longest wait per commit batch, last {}", format::duration(fig.window)) }</span>
                <span class="chart-max">{ format!("top {}", us(max)) }</span>
            </figcaption>
        </figure>
    }
}

/// A waiting time worth calling out: longer than any commit takes when writes flow.
const STALL_SHOWN_AFTER: SimDuration = SimDuration::from_millis(100);

/// The median of `n` samples, or "none yet" when there are none.
fn median(n: u64, p50: u64) -> String {
    if n == 0 {
        "none yet".to_string()
    } else {
        us(p50)
    }
}

/// Work waiting now, so a stall shows while it lasts and not only once its commits finish.
pub fn waiting_text(fig: &Figures) -> String {
    let commits = match fig.oldest_commit_wait {
        Some(w) => format!(
            "{} commit{} waiting, oldest for {}",
            fig.commits_waiting,
            if fig.commits_waiting == 1 { "" } else { "s" },
            format::duration(w)
        ),
        None => "no commit waiting".to_string(),
    };
    match fig.oldest_request_wait {
        Some(w) => format!(
            "{commits}; {} client request{} unanswered, oldest for {}",
            fig.requests_waiting,
            if fig.requests_waiting == 1 { "" } else { "s" },
            format::duration(w)
        ),
        None => commits,
    }
}

fn throughput_chart(fig: &Figures) -> Html {
    let peak = fig.throughput.iter().copied().max().unwrap_or(0);
    let max = peak.max(1);
    let n = fig.throughput.len().max(1) as f32;
    let bw = W / n;
    let bars = fig.throughput.iter().enumerate().map(|(i, v)| {
        let h = *v as f32 / max as f32 * (H - 10.0);
        html! { <rect class="bar" x={format!("{:.1}", i as f32 * bw + 1.0)} y={format!("{:.1}", H - h)}
            width={format!("{:.1}", (bw - 2.0).max(1.0))} height={format!("{h:.1}")} /> }
    });
    let last = fig.throughput.last().copied().unwrap_or(0);
    html! {
        <figure class="chart" data-picture="throughput">
            <svg viewBox={format!("0 0 {W} {H}")} role="img" preserveAspectRatio="none"
                aria-label={format!("Commits per second over the last {} simulated seconds; the last full second: {last}", fig.throughput.len())}>
                { for bars }
            </svg>
            <figcaption>
                <span>{ format!("commits per simulated second (last {} s)", fig.throughput.len()) }</span>
                <span class="chart-max">{ if peak == 0 { "no commits yet".to_string() } else { format!("peak {peak}") } }</span>
            </figcaption>
        </figure>
    }
}

fn lag_bars(fig: &Figures) -> Html {
    if fig.lags.is_empty() {
        return html! { <p class="hint">{ "No replicas in this scenario." }</p> };
    }
    let max = fig
        .lags
        .iter()
        .map(|l| l.1.as_micros())
        .max()
        .unwrap_or(0)
        .max(1_000);
    html! {
        <ul class="lag-list">
            { for fig.lags.iter().map(|(name, lag, up)| {
                // A replica that is down has no lag to show: its bar is empty, not its last value.
                let pct = if *up { lag.as_micros() as f64 / max as f64 * 100.0 } else { 0.0 };
                let text = if *up { format::duration(*lag) } else { "down".to_string() };
                html! {
                    <li class={classes!((!*up).then_some("down"))}>
                        <span class="lag-name">{ name.clone() }</span>
                        <svg class="lag-track" aria-hidden="true" viewBox="0 0 100 1" preserveAspectRatio="none">
                            <rect class="lag-fill" width={format!("{pct:.1}")} height="1" />
                        </svg>
                        <span class="lag-value">{ text }</span>
                    </li>
                }
            }) }
        </ul>
    }
}

#[component(Charts)]
pub fn charts(p: &ChartsProps) -> Html {
    let fig = &p.figures;
    let invariant = if fig.violations == 0 {
        html! { <p class="invariants ok" role="status">{ "✓ Invariant checker: every property holds" }</p> }
    } else {
        html! {
            <p class="invariants bad" role="alert">
                { format!("✕ Invariant checker: {} violation{}", fig.violations, if fig.violations == 1 { "" } else { "s" }) }
                if let Some(first) = &fig.first_violation {
                    { format!(" (first: {first})") }
                }
            </p>
        }
    };
    html! {
        <section class="panel charts" aria-labelledby="charts-title">
            <h2 id="charts-title">{ "Measurements" }</h2>
            { invariant }
            {{
                let stalled = fig.oldest_commit_wait.is_some_and(|w| w >= STALL_SHOWN_AFTER)
                    || fig.oldest_request_wait.is_some_and(|w| w >= STALL_SHOWN_AFTER);
                html! { <p class={classes!("waiting", stalled.then_some("stalled"))}>{ waiting_text(fig) }</p> }
            }}
            <dl class="figures">
                <div><dt>{ "Commit latency " }{ crate::glossary::abbr("p50 / p99") }{ " p50" }</dt><dd>{ us(fig.commit_p50) }</dd></div>
                <div><dt>{ "Commit latency p99" }</dt><dd>{ us(fig.commit_p99) }</dd></div>
                <div><dt>{ "Commits acknowledged" }</dt><dd>{ fig.commits.to_string() }</dd></div>
                <div><dt>{ "Redo I/Os per transaction" }</dt><dd>{ format!("{:.1}", fig.ios_per_txn) }</dd></div>
                <div><dt>{ "Client requests OK / failed" }</dt><dd>{ format!("{} / {}", fig.client_ok, fig.client_errors) }</dd></div>
                <div><dt>{ "Client write / read p50" }</dt><dd>{ format!("{} / {}", median(fig.client_writes, fig.client_write_p50), median(fig.client_reads, fig.client_read_p50)) }</dd></div>
            </dl>
            <h3>{ "Commit latency" }</h3>
            { latency_chart(fig) }
            <h3>{ "Throughput" }</h3>
            { throughput_chart(fig) }
            <h3>{ format!("Replica lag (p50 {}, p99 {})", us(fig.lag_p50), us(fig.lag_p99)) }</h3>
            <p class="hint lag-stated">{ aurora_core::compute::replica::AWS_LAG_STATED }</p>
            if !fig.lag_table4.is_empty() {
                <p class="hint lag-table4">{ table4_text(&fig.lag_table4) }</p>
            }
            { lag_bars(fig) }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table4_text_names_the_quorum_wait_and_the_paper() {
        let rows = [
            Table4Row {
                writes_per_sec: 1_000,
                mean: 2_160,
                quorum_wait: Some(1_450),
                paper: 2_620,
            },
            Table4Row {
                writes_per_sec: 10_000,
                mean: 3_010,
                quorum_wait: None,
                paper: 5_380,
            },
        ];
        let t = table4_text(&rows);
        assert!(t.contains(&format!("1000 writes/s: {}", us(2_160))), "{t}");
        assert!(
            t.contains(&format!(
                "{} of it waiting for the storage quorum",
                us(1_450)
            )),
            "{t}"
        );
        assert!(t.contains(&format!("paper {}", us(5_380))), "{t}");
        assert_eq!(t.matches("storage quorum").count(), 1, "{t}");
    }
}
