//! The inspector: the selected node's state as the core reports it (VCL, VDL, PGCL, SCL,
//! queues, cache, epochs), with the faults and heals it offers.

use std::rc::Rc;

use aurora_core::backup_view::PageView;
use aurora_core::compute::instance::{InstanceClass, Role};
use aurora_core::lsn::LAL;
use aurora_core::topology::NodeKind;
use aurora_core::view::{health_word, View};
use aurora_core::{Fault, SimTime};
use yew::prelude::*;

use super::capacity_form::CapacityForm;
use super::faults::selection_buttons;
use crate::choices::az_faults;
use crate::format;
use crate::names;
use crate::state::{Action, Selection};

#[derive(Properties, Clone)]
pub struct InspectorProps {
    pub view: Rc<View>,
    pub faults: Rc<Vec<Fault>>,
    pub selection: Option<Selection>,
    pub dispatch: Callback<Action>,
    /// The selected page's versions, when a page is selected.
    #[prop_or_default]
    pub page: Option<Rc<PageView>>,
}

impl PartialEq for InspectorProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.view, &other.view) && self.selection == other.selection
    }
}

fn row(key: &str, value: impl Into<String>) -> Html {
    html! { <><dt>{ key.to_string() }</dt><dd>{ value.into() }</dd></> }
}

fn select_button(label: String, sel: Selection, d: &Callback<Action>) -> Html {
    let d = d.clone();
    let onclick = Callback::from(move |_: MouseEvent| d.emit(Action::Select(Some(sel))));
    html! { <li><button class="link-button" {onclick}>{ label }</button></li> }
}

fn node_name(view: &View, id: aurora_core::ids::NodeId) -> String {
    view.node(id)
        .map_or_else(|| id.to_string(), |n| n.name.clone())
}

fn busy(until: SimTime, now: SimTime) -> String {
    if until > now {
        format!("busy for {}", format::duration(until.since(now)))
    } else {
        "idle".to_string()
    }
}

#[component(Inspector)]
pub fn inspector(p: &InspectorProps) -> Html {
    let view = &p.view;
    let d = &p.dispatch;
    let Some(selection) = p.selection else {
        return html! {
            <section class="panel inspector" aria-labelledby="inspector-title">
                <h2 id="inspector-title">{ "Inspector" }</h2>
                <p class="hint">
                    { "Select a zone, an instance, a storage node, a segment or a protection group in the diagram (click it, or Tab to it and press Enter) to see its state here." }
                </p>
            </section>
        };
    };
    let (title, body) = match selection {
        Selection::Az(az) => {
            let (failed, cut) = az_faults(&p.faults, usize::from(az));
            let members = view
                .nodes
                .iter()
                .filter(|n| n.az.map(|a| a.0) == Some(az) && n.kind != NodeKind::Client);
            (
                names::az_with_state(usize::from(az), failed, cut),
                html! {
                    <>
                        <ul class="member-list">
                            { for members.map(|n| select_button(n.accessible_name(n.id == view.writer.node), Selection::Node(n.id), d)) }
                        </ul>
                    </>
                },
            )
        }
        Selection::Pg(pg) => match view.pgs.get(pg.index()) {
            Some(g) => (
                format!("Protection group {}", g.id.0),
                html! {
                    <>
                        <dl>
                            { row("PGCL", g.pgcl.to_string()) }
                            { row("Write quorum", if g.write_ok { "available" } else { "lost: writes to it wait" }) }
                            { row("Read quorum", if g.read_ok { "available" } else { "lost" }) }
                            { row("Quorum sets", g.quorum.clone()) }
                            { row("Membership epoch", g.epoch.to_string()) }
                            { row("Membership change", if g.in_transition { "in progress" } else { "none" }) }
                            { row("Data", format::bytes(g.data_bytes)) }
                            { row("Volume", format!("{} in {} PGs, at most {}", format::bytes(view.volume.bytes), view.volume.pgs, format::bytes(view.volume.max_bytes))) }
                        </dl>
                        <p class="hint stated">{ aurora_core::stated::NORMAL_READS.sentence() }</p>
                        <p class="hint stated">{ aurora_core::stated::SIX_COPIES.sentence() }</p>
                        <p class="hint stated">{ aurora_core::stated::VOLUME_MAX.sentence() }</p>
                        <h3>{ "Members" }</h3>
                        <ul class="member-list">
                            { for g.members.iter().filter_map(|s| view.segment(*s)).map(|s| {
                                select_button(s.accessible_name(&node_name(view, s.node)), Selection::Segment(s.id), d)
                            }) }
                        </ul>
                    </>
                },
            ),
            None => ("Nothing selected".to_string(), Html::default()),
        },
        Selection::Segment(seg) => match view.segment(seg) {
            Some(s) => {
                let node = node_name(view, s.node);
                let pgcl = view.pgs.get(s.pg.index()).map(|g| g.pgcl);
                (
                    format!("Segment {} of {} (copy {})", s.id.0, s.pg, s.slot),
                    html! {
                        <dl>
                            { row("On", node) }
                            { row("Health", health_word(s.health)) }
                            { row("SCL", s.scl.to_string()) }
                            { row("PGCL", pgcl.map_or_else(String::new, |p| p.to_string())) }
                            { row("Gaps waiting for gossip", s.gaps.to_string()) }
                            { row("Queue", s.queue.to_string()) }
                            { row("Hot log", format::bytes(s.hot_log_bytes)) }
                            { row("Coalesced to", s.coalesced.to_string()) }
                            { row("Backed up to S3 to", s.backed_up.to_string()) }
                            { row("Garbage-collected below", s.collected.to_string()) }
                            { row("Volume epoch", s.volume_epoch.to_string()) }
                            { row("Membership epoch", s.member_epoch.to_string()) }
                        </dl>
                    },
                )
            }
            None => ("Nothing selected".to_string(), Html::default()),
        },
        Selection::Page(n) => match &p.page {
            Some(page) => {
                let (title, rows) = crate::backups::page_lines(page);
                (
                    title,
                    html! {
                        <dl class="page-versions">
                            { for rows.into_iter().map(|(k, v)| row(&k, v)) }
                        </dl>
                    },
                )
            }
            None => (
                format!("Page {n}"),
                html! { <p>{ "There is no such page." }</p> },
            ),
        },
        Selection::Node(id) => match view.node(id) {
            Some(n) => {
                let title =
                    n.accessible_name(id == view.writer.node && n.kind == NodeKind::Instance);
                let body = match n.kind {
                    NodeKind::Instance => match view.instances.iter().find(|i| i.node == id) {
                        Some(i) => {
                            let cache = InstanceClass::by_name(i.class).map(|c| c.cache_bytes());
                            let writer = i.is_writer && i.role == Role::Writer;
                            let w = &view.writer;
                            html! {
                                <>
                                <dl>
                                    { row("Role", i.role.to_string()) }
                                    { row("Class", i.class) }
                                    { row("Buffer cache", cache.map_or_else(String::new, format::bytes)) }
                                    { row("Promotion tier", i.tier.to_string()) }
                                    { row("CPU", format!("{} %", i.cpu_pct)) }
                                    { row("Connections", i.connections.to_string()) }
                                    { row("Reads at (VDL)", i.read_point.to_string()) }
                                    if i.role == Role::Replica {
                                        { row("Lag", format::duration(i.lag)) }
                                        { row("Lag in LSNs", i.lag_lsn.to_string()) }
                                        { row("Lag AWS states", "under 100 ms, usually far less (User Guide); 2.6–5.4 ms in the paper's benchmark") }
                                    }
                                    if writer {
                                        { row("VCL", w.vcl.to_string()) }
                                        { row("VDL", w.vdl.to_string()) }
                                        { row("Highest LSN", w.max_lsn.to_string()) }
                                        { row("LSN limit (VDL + LAL)", format!("{} (LAL {LAL})", w.lsn_limit)) }
                                        { row("Commits waiting", w.commits_waiting.to_string()) }
                                        { row("Throttled", if w.throttled { "yes: waiting for storage" } else { "no" }) }
                                        { row("Volume epoch", w.volume_epoch.to_string()) }
                                    }
                                    if i.autoscaled {
                                        { row("Added by", "auto scaling") }
                                    }
                                    { row("Capacity", crate::actions::describe_capacity(&i.capacity)) }
                                    if let Some(acu) = super::diagram::acu_text(i) {
                                        { row("Capacity now", acu) }
                                    }
                                </dl>
                                <h3>{ "Provisioned or serverless" }</h3>
                                <CapacityForm key={i.name.clone()} node={i.name.clone()} class={i.class}
                                    capacity={i.capacity} dispatch={d.clone()} />
                                </>
                            }
                        }
                        None => Html::default(),
                    },
                    NodeKind::Storage => html! {
                        <>
                            <dl>
                                { row("State", n.state_word()) }
                                { row("Speed", format!("{} % of normal time", n.slowness_pct)) }
                                { row("Disk", busy(n.disk_busy_until, view.now)) }
                                { row("Segments", n.segments.len().to_string()) }
                            </dl>
                            <ul class="member-list">
                                { for n.segments.iter().filter_map(|s| view.segment(*s)).map(|s| {
                                    select_button(s.accessible_name(&n.name), Selection::Segment(s.id), d)
                                }) }
                            </ul>
                        </>
                    },
                    NodeKind::Client => match view.clients.iter().find(|c| c.node == id) {
                        Some(c) => html! {
                            <dl>
                                { row("Writes go to", c.write_target.map_or_else(|| "asking DNS".to_string(), |t| node_name(view, t))) }
                                { row("Reads go to", c.read_target.map_or_else(|| "asking DNS".to_string(), |t| node_name(view, t))) }
                            </dl>
                        },
                        None => Html::default(),
                    },
                    NodeKind::ObjectStore if n.name == "S3" => {
                        let b = &view.backup;
                        html! {
                            <dl>
                                { row("State", n.state_word()) }
                                { row("Backed up to (lowest PG)", b.backed_up.to_string()) }
                                { row("Writer's VDL", b.vdl.to_string()) }
                                { for b.pg_backed_up.iter().map(|(pg, l)| row(&format!("{pg} staged to"), l.to_string())) }
                                { row("Restorable", match b.latest_restorable {
                                    Some(t) => format!("{} to {}", crate::backups::point(b.earliest_restorable), crate::backups::point(t)),
                                    None => "nothing yet".to_string(),
                                }) }
                                { row("Consistent points kept", b.images.to_string()) }
                                { row("Snapshots", b.snapshots.len().to_string()) }
                            </dl>
                        }
                    }
                    _ => html! { <dl>{ row("State", n.state_word()) }</dl> },
                };
                (title, body)
            }
            None => ("Nothing selected".to_string(), Html::default()),
        },
    };
    let d2 = d.clone();
    let close = Callback::from(move |_: MouseEvent| d2.emit(Action::Select(None)));
    // Docked at the foot of the window while something is selected: what the selection says
    // is read without scrolling away from the diagram.
    html! {
        <section class="panel inspector docked" aria-labelledby="inspector-title">
            <div class="panel-head">
                <h2 id="inspector-title">{ "Inspector" }</h2>
                <button class="close" onclick={close} aria-label="Clear the selection">{ "✕" }</button>
            </div>
            <h3 class="selected-name">{ title }</h3>
            { selection_buttons(selection, view, &p.faults, d) }
            { body }
        </section>
    }
}
