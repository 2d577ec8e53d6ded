//! Serverless capacity: a gauge per serverless instance, the ACU-over-time chart, the cost meter
//! at example prices, and load buttons to make a spike. Every figure is the core's: capacities
//! from the instance views, readings from its capacity events, cost from its meter.

use std::rc::Rc;

use aurora_core::ids::NodeId;
use aurora_core::serverless::{Capacity, Meter, GIB_PER_ACU};
use aurora_core::{SimDuration, SimTime};
use yew::prelude::*;

use crate::actions::Control;
use crate::format;
use crate::state::Action;

/// Simulated time the ACU chart spans at most.
pub const CHART_SPAN: SimDuration = SimDuration::from_mins(10);
/// Capacity changes the table under the chart lists, newest last.
const TABLE_ROWS: usize = 24;
const W: u32 = 600;
const H: u32 = 120;

/// One serverless instance as its gauge shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Gauge {
    pub node: NodeId,
    pub name: String,
    pub capacity: Capacity,
    pub half: u16,
    pub paused: bool,
    pub resuming: bool,
    /// A tier 0–1 reader that scales and pauses with the writer (the core says which).
    pub follows_writer: bool,
    /// Its readings, oldest first.
    pub series: Vec<(SimTime, u16)>,
}

impl Gauge {
    /// The configured range in half-ACUs.
    pub fn range(&self) -> (u16, u16) {
        match self.capacity {
            Capacity::Provisioned => (0, 0),
            Capacity::V2 {
                min_half, max_half, ..
            } => (min_half, max_half),
            Capacity::V1 {
                min_acu, max_acu, ..
            } => (min_acu.saturating_mul(2), max_acu.saturating_mul(2)),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self.capacity {
            Capacity::Provisioned => "provisioned",
            Capacity::V2 { .. } => "Serverless v2",
            Capacity::V1 { .. } => "Serverless v1 (retired 31 Mar 2025)",
        }
    }

    /// "Serverless v2 · min 0.5 · max 32 ACU", and whether it follows the writer.
    pub fn range_text(&self) -> String {
        let (min, max) = self.range();
        let follows = if self.follows_writer {
            " · tier 0–1: follows the writer"
        } else {
            ""
        };
        format!(
            "{} · min {} · max {} ACU{follows}",
            self.kind(),
            format::half_acu(min),
            format::half_acu(max)
        )
    }

    /// "12.5 ACU", "paused (0 ACU)", "resuming at 0.5 ACU".
    pub fn state(&self) -> String {
        let acu = format::half_acu(self.half);
        if self.paused {
            "paused (0 ACU)".to_string()
        } else if self.resuming {
            format!("resuming at {acu} ACU")
        } else {
            format!("{acu} ACU")
        }
    }
}

/// What the capacity panel shows, gathered once per frame.
#[derive(Clone, Debug, PartialEq)]
pub struct CapacityFigures {
    pub now: SimTime,
    pub gauges: Vec<Gauge>,
    pub meter: Meter,
    /// Requests per second and percent reads now.
    pub load: (u32, u8),
}

#[derive(Properties, PartialEq, Clone)]
pub struct CapacityProps {
    pub figures: Rc<CapacityFigures>,
    pub dispatch: Callback<Action>,
}

/// A share in thousandths, for the gauge's 1000-wide box.
fn share(part: u64, whole: u64) -> String {
    (part.min(whole) * 1_000 / whole.max(1)).to_string()
}

fn gauge(g: &Gauge) -> Html {
    let (min, max) = g.range();
    let value_text = format!(
        "{}, {} within {}–{} ACU{}",
        g.state(),
        g.kind(),
        format::half_acu(min),
        format::half_acu(max),
        if g.follows_writer {
            ", following the writer"
        } else {
            ""
        }
    );
    let class = classes!(
        "gauge",
        g.paused.then_some("paused"),
        g.resuming.then_some("resuming")
    );
    html! {
        <li {class}>
            <div class="gauge-head">
                <span class="gauge-name">{ g.name.clone() }</span>
                <span class="gauge-value">{ g.state() }</span>
            </div>
            // Drawn in SVG: the page's style policy blocks style attributes.
            <div class="gauge-meter" role="meter" aria-label={format!("Capacity of {}", g.name)}
                aria-valuemin={format::half_acu(min)} aria-valuemax={format::half_acu(max)}
                aria-valuenow={format::half_acu(g.half)} aria-valuetext={value_text}>
                <svg class="gauge-track" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true">
                    <rect class="gauge-bg" width="1000" height="10" />
                    <rect class="gauge-fill" width={share(u64::from(g.half), u64::from(max))} height="10" />
                    if min > 0 {
                        <rect class="gauge-min" x={share(u64::from(min), u64::from(max))} width="6" height="10" />
                    }
                </svg>
            </div>
            <div class="gauge-foot">
                <span>{ g.range_text() }</span>
                <span>{ format!("{} GiB memory", u64::from(g.half) * GIB_PER_ACU / 2) }</span>
            </div>
        </li>
    }
}

fn chart(fig: &CapacityFigures) -> Html {
    let start_of = |g: &Gauge| g.series.first().map_or(fig.now, |p| p.0);
    let first = fig.gauges.iter().map(start_of).min().unwrap_or(fig.now);
    let start = SimTime::from_micros(
        first
            .as_micros()
            .max(fig.now.as_micros().saturating_sub(CHART_SPAN.as_micros())),
    );
    let top = fig
        .gauges
        .iter()
        .map(|g| {
            let peak = g.series.iter().map(|p| p.1).max().unwrap_or(0);
            g.range().1.max(peak)
        })
        .max()
        .unwrap_or(2)
        .max(2);
    let lines = fig.gauges.iter().enumerate().map(|(k, g)| {
        let points = crate::acu::step_line(&g.series, start, fig.now, top, W, H);
        html! { <polyline class={classes!("acu-line", format!("acu-{}", k % 4))} points={points} /> }
    });
    let mins = fig.gauges.iter().filter_map(|g| {
        let (min, _) = g.range();
        (min > 0).then(|| {
            let y = H - (u32::from(min) * H / u32::from(top));
            html! { <line class="acu-min" x1="0" y1={y.to_string()} x2={W.to_string()} y2={y.to_string()} /> }
        })
    });
    let span = fig.now.since(start);
    let summary = fig
        .gauges
        .iter()
        .map(|g| {
            let peak = g.series.iter().map(|p| p.1).max().unwrap_or(g.half);
            format!(
                "{}: {} now, peak {} ACU",
                g.name,
                g.state(),
                format::half_acu(peak)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let label = format!(
        "Capacity in ACUs over the last {}. {summary}.",
        format::duration(span)
    );
    let multi = fig.gauges.len() > 1;
    let mut rows: Vec<(SimTime, &str, u16)> = fig
        .gauges
        .iter()
        .flat_map(|g| g.series.iter().map(move |p| (p.0, g.name.as_str(), p.1)))
        .collect();
    rows.sort_by_key(|r| r.0);
    let skip = rows.len().saturating_sub(TABLE_ROWS);
    html! {
        <figure class="chart acu-chart" data-picture="acu">
            <svg viewBox={format!("0 0 {W} {H}")} role="img" aria-label={label} preserveAspectRatio="none">
                <line class="axis" x1="0" y1={H.to_string()} x2={W.to_string()} y2={H.to_string()} />
                { for mins }
                { for lines }
            </svg>
            <figcaption>
                <span>{ format!("ACU over the last {}", format::duration(span)) }</span>
                <span class="chart-max">{ format!("top {} ACU", format::half_acu(top)) }</span>
            </figcaption>
            <details class="acu-changes">
                <summary>{ "Capacity changes as a table" }</summary>
                <table>
                    <thead><tr><th scope="col">{ "Time" }</th>
                        if multi { <th scope="col">{ "Instance" }</th> }
                        <th scope="col">{ "ACU" }</th></tr></thead>
                    <tbody>
                        { for rows.iter().skip(skip).map(|(t, name, half)| html! {
                            <tr>
                                <td>{ format::clock(*t) }</td>
                                if multi { <td>{ name.to_string() }</td> }
                                <td class="acu-cell">{ format::half_acu(*half) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </details>
        </figure>
    }
}

/// Load presets a student can press to make a spike: requests per second.
pub const LOAD_PRESETS: [(&str, u32); 4] = [
    ("Idle", 0),
    ("Quiet", 300),
    ("Busy", 2_000),
    ("Spike", 7_500),
];

#[component(CapacityPanel)]
pub fn capacity_panel(p: &CapacityProps) -> Html {
    let fig = &p.figures;
    let (rate, read_pct) = fig.load;
    let loads = LOAD_PRESETS.iter().map(|&(name, r)| {
        let d = p.dispatch.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            d.emit(Action::Act(Control::SetLoad { rate: r, read_pct }))
        });
        let on = r == rate;
        html! {
            <button class={classes!("choice", "neutral", on.then_some("on"))} aria-pressed={on.to_string()} {onclick}>
                { format!("{name} ({r}/s)") }
            </button>
        }
    });
    let has_v1 = fig
        .gauges
        .iter()
        .any(|g| matches!(g.capacity, Capacity::V1 { .. }));
    let has_v2 = fig
        .gauges
        .iter()
        .any(|g| matches!(g.capacity, Capacity::V2 { .. }));
    let d = p.dispatch.clone();
    let long_txn =
        Callback::from(move |_: MouseEvent| d.emit(Action::Act(Control::LongTransaction(95))));
    let m = &fig.meter;
    html! {
        <section class="panel capacity" aria-labelledby="capacity-title">
            <h2 id="capacity-title">{ "Capacity and cost" }</h2>
            if fig.gauges.is_empty() {
                <p class="hint">{ "Every instance is provisioned: a fixed class. Select an instance in the diagram to make it Serverless v2 or v1 and watch it scale." }</p>
            } else {
                <ul class="gauges">{ for fig.gauges.iter().map(gauge) }</ul>
                { chart(fig) }
                if has_v2 {
                    <p class="hint stated">{ aurora_core::stated::V2_RANGE.sentence() }</p>
                }
            }
            <div class="load-buttons" role="group" aria-label="Load">
                <span class="label-text">{ format!("Load now: {rate} requests/s") }</span>
                { for loads }
                if has_v1 {
                    <button class="choice harm" onclick={long_txn}>{ "Hold a long transaction (95 s)" }</button>
                }
            </div>
            <dl class="figures cost">
                <div><dt>{ "ACU-hours" }</dt><dd>{ format::acu_hours(m.half_acu_us) }</dd></div>
                <div><dt>{ "Provisioned vCPU-hours" }</dt><dd>{ format::vcpu_hours(m.milli_vcpu_us) }</dd></div>
                <div><dt>{ "Cost so far (example price)" }</dt><dd class="cost-value">{ format::dollars(m) }</dd></div>
            </dl>
            <p class="hint">
                { format!("Example prices: {} per ACU-hour, {} per vCPU-hour of a provisioned instance. Real prices vary by Region and change.",
                    format::price(m.acu_hour_millidollars), format::price(m.vcpu_hour_millidollars)) }
            </p>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurora_core::serverless::TimeoutAction;

    fn gauge(capacity: Capacity) -> Gauge {
        Gauge {
            node: NodeId(0),
            name: "instance-1".into(),
            capacity,
            half: 2,
            paused: false,
            resuming: false,
            follows_writer: false,
            series: Vec::new(),
        }
    }

    #[test]
    fn serverless_v1_is_named_with_its_retirement_and_v2_without() {
        let v1 = gauge(Capacity::V1 {
            min_acu: 1,
            max_acu: 64,
            pause: false,
            on_timeout: TimeoutAction::Rollback,
        });
        assert_eq!(v1.kind(), "Serverless v1 (retired 31 Mar 2025)");
        let v2 = gauge(Capacity::V2 {
            min_half: 1,
            max_half: 8,
            pause_after: None,
        });
        assert_eq!(v2.kind(), "Serverless v2");
        assert_eq!(v2.range_text(), "Serverless v2 · min 0.5 · max 4 ACU");
        let reader = Gauge {
            follows_writer: true,
            ..v2
        };
        assert!(reader
            .range_text()
            .ends_with(" · tier 0–1: follows the writer"));
    }
}
