//! The Backups panel: retention, S3's backed-up point, the restorable window and Backtrack's on
//! a timeline from the run's start to now, the snapshots, production's tables, the restored and
//! cloned clusters, and the controls that restore, backtrack, clone and run the faulty
//! deployment. It draws [`BackupsData`]; what a control does is the reducer's and the core's.

use std::rc::Rc;

use aurora_core::backup::data::{Table, ROWS};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::actions::{Control, CLUSTER_WRITES};
use crate::backups::{parse_point, BackupsData, ClusterRow};
use crate::format::svg_number as f;
use crate::state::{Action, Selection};

#[derive(Properties, Clone)]
pub struct BackupsProps {
    pub data: Rc<BackupsData>,
    pub dispatch: Callback<Action>,
}

impl PartialEq for BackupsProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.data, &other.data)
    }
}

const BAR_W: f32 = 300.0;
const BAR_H: f32 = 44.0;

/// The typed point, or the one suggested when the field is empty.
fn point_of(input: &NodeRef, suggested: u32) -> Result<u32, String> {
    let text = input
        .cast::<HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default();
    if text.trim().is_empty() {
        Ok(suggested)
    } else {
        parse_point(&text)
    }
}

fn timeline(d: &BackupsData) -> Html {
    let x = |share: f64| BAR_W * share as f32;
    let window = d.window.as_ref().map(|w| {
        html! {
            <rect class="restorable-window" x={f(x(w.from))} y="6" width={f((x(w.to) - x(w.from)).max(1.0))} height="12" rx="3">
                <title>{ w.label.clone() }</title>
            </rect>
        }
    });
    let backtrack = d.backtrack.as_ref().map(|w| {
        html! {
            <rect class="backtrack-window" x={f(x(w.from))} y="22" width={f((x(w.to) - x(w.from)).max(1.0))} height="8" rx="3">
                <title>{ w.label.clone() }</title>
            </rect>
        }
    });
    let marks = d.snapshots.iter().map(|m| {
        html! {
            <line class={classes!("snapshot-mark", m.manual.then_some("manual"))}
                x1={f(x(m.at))} x2={f(x(m.at))} y1="2" y2="34"><title>{ m.label.clone() }</title></line>
        }
    });
    html! {
        <svg class="backup-timeline" viewBox={format!("0 0 {} {}", f(BAR_W), f(BAR_H))} role="img"
            aria-label={format!("Timeline from the run's start to now. {}", d.window_text)}>
            <rect class="timeline-track" x="0" y="6" width={f(BAR_W)} height="12" rx="3" />
            { for window }
            { for backtrack }
            { for marks }
            <text class="timeline-label" x="0" y={f(BAR_H - 2.0)}>{ "0 s" }</text>
            <text class="timeline-label" x={f(BAR_W)} y={f(BAR_H - 2.0)} text-anchor="end">
                { format!("now, {}", crate::backups::point(d.now)) }
            </text>
        </svg>
    }
}

/// Shared, own and the source's own pages of a clone, as a bar.
pub fn pages_bar(shares: (f64, f64, f64), width: f32, x: f32, y: f32) -> Html {
    let (shared, own, source) = shares;
    let w = |s: f64| (width * s as f32).max(0.0);
    html! {
        <g class="pages-bar" aria-hidden="true">
            <rect class="pages-shared" x={f(x)} y={f(y)} width={f(w(shared))} height="8" />
            <rect class="pages-own" x={f(x + w(shared))} y={f(y)} width={f(w(own))} height="8" />
            <rect class="pages-source" x={f(x + w(shared) + w(own))} y={f(y)} width={f(w(source))} height="8" />
        </g>
    }
}

fn cluster_item(c: &ClusterRow, d: &Callback<Action>) -> Html {
    let id = c.id;
    let writing = c.writing;
    let dd = d.clone();
    let on_writes = Callback::from(move |_: MouseEvent| {
        dd.emit(Action::Act(Control::ClusterWrites {
            cluster: id,
            per_sec: if writing { 0 } else { CLUSTER_WRITES },
        }))
    });
    let dd = d.clone();
    let on_delete =
        Callback::from(move |_: MouseEvent| dd.emit(Action::Act(Control::DeleteCluster(id))));
    html! {
        <li class="cluster-row" aria-label={c.accessible.clone()}>
            <strong>{ c.name.clone() }</strong>{ format!(": {}", c.what) }
            <div class="cluster-state">{ c.state.clone() }</div>
            if let (Some(shares), Some(text)) = (c.pages, &c.pages_text) {
                <svg class="pages" viewBox="0 0 200 8" role="img" aria-label={text.clone()}>
                    { pages_bar(shares, 200.0, 0.0, 0.0) }
                </svg>
                <div class="cluster-state">{ text.clone() }</div>
            }
            <div class="cluster-state">{ c.storage.clone() }</div>
            <div class="cluster-state">{ c.writer.clone() }</div>
            <div class="cluster-buttons">
                <button onclick={on_writes} disabled={!c.available}>
                    { if writing { "Stop writing to it".to_string() } else { format!("Write {CLUSTER_WRITES}/s to it") } }
                </button>
                <button onclick={on_delete}>{ "Delete it" }</button>
            </div>
        </li>
    }
}

#[component(BackupsPanel)]
pub fn backups_panel(p: &BackupsProps) -> Html {
    let d = &p.data;
    let point = use_node_ref();
    let page = use_node_ref();
    let suggested = d.suggested;
    let act = |make: fn(u32) -> Control| {
        let dispatch = p.dispatch.clone();
        let point = point.clone();
        Callback::from(move |_: MouseEvent| match point_of(&point, suggested) {
            Ok(s) => dispatch.emit(Action::Act(make(s))),
            Err(why) => dispatch.emit(Action::Notify(format!("{why}."), true)),
        })
    };
    let on_restore = act(Control::Restore);
    let on_backtrack = act(Control::Backtrack);
    let simple = |a: Control| {
        let dispatch = p.dispatch.clone();
        Callback::from(move |_: MouseEvent| dispatch.emit(Action::Act(a.clone())))
    };
    let on_clone = simple(Control::Clone(0));
    let on_delete = simple(Control::DeleteRows(Table::Orders));
    let on_snapshot = simple(Control::Snapshot);
    let on_page = {
        let dispatch = p.dispatch.clone();
        let page = page.clone();
        Callback::from(move |_: MouseEvent| {
            let text = page
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            match text.trim().parse::<u32>() {
                Ok(n) if (n as usize) < ROWS => {
                    dispatch.emit(Action::Select(Some(Selection::Page(n))))
                }
                _ => dispatch.emit(Action::Notify(
                    format!("A page is a number from 0 to {}.", ROWS - 1),
                    true,
                )),
            }
        })
    };
    html! {
        <section class="panel backups" aria-labelledby="backups-title">
            <h2 id="backups-title">{ "Backups" }</h2>
            <p>{ format!("{} cluster. {}", d.engine, d.retention) }</p>
            <p>{ d.s3.clone() }</p>
            { timeline(d) }
            <p class="window-text">{ d.window_text.clone() }</p>
            <p>{ d.snapshots_text.clone() }</p>
            { for d.backtrack_text.iter().map(|t| html! { <p class="backtrack-text">{ t.clone() }</p> }) }
            <h3>{ "Production's data" }</h3>
            <ul class="tables">
                { for d.tables.iter().map(|t| html! { <li class="table-rows">{ t.clone() }</li> }) }
            </ul>
            <div class="field">
                <label for="backup-point">{ "Point in the run (seconds, or m:ss)" }</label>
                <input id="backup-point" type="text" inputmode="numeric" ref={point}
                    placeholder={suggested.to_string()} />
            </div>
            <div class="backup-buttons">
                <button onclick={on_restore}>{ "Restore to a point in time…" }</button>
                <button onclick={on_backtrack}>{ "Backtrack to…" }</button>
                <button onclick={on_clone}>{ "Clone" }</button>
                <button onclick={on_snapshot}>{ "Take a snapshot" }</button>
                <button class="danger" onclick={on_delete}>{ "Faulty deployment: DELETE FROM orders" }</button>
            </div>
            if !d.clusters.is_empty() {
                <h3>{ "Restored and cloned clusters" }</h3>
                <ul class="clusters">
                    { for d.clusters.iter().map(|c| cluster_item(c, &p.dispatch)) }
                </ul>
            }
            <div class="field">
                <label for="page-input">{ format!("Inspect a page's versions (0 to {})", ROWS - 1) }</label>
                <input id="page-input" type="number" min="0" max={(ROWS - 1).to_string()} ref={page} />
                <button onclick={on_page}>{ "Show its versions" }</button>
            </div>
        </section>
    }
}
