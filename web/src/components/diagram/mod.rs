//! The three-AZ diagram: an SVG drawn from the core's [`View`] and the [`Layout`].
//!
//! Every node is a focusable button named by the core's `accessible_name`; Enter or a click
//! selects it for the inspector. Messages and highlights are drawn on top, hidden from screen
//! readers (the event log says the same in words).

pub(crate) mod parts;
mod traffic;

use std::rc::Rc;

use aurora_core::compute::instance::Role;
use aurora_core::endpoint::EndpointId;
use aurora_core::event::SegmentHealth;
use aurora_core::topology::NodeKind;
use aurora_core::view::View;
use aurora_core::Fault;
use yew::prelude::*;

use crate::choices::az_faults;
use crate::journal::{Flash, FlashTarget};
use crate::layout::Layout;
use crate::names;
use crate::state::Selection;
use crate::traffic::{Flight, Pulse};

/// The cluster cards' type sizes, as `.cluster-title` and `.cluster-detail` set them in
/// style.css (the title bold: measured a little wide).
const CLUSTER_TITLE_PX: f32 = 12.5;
const CLUSTER_DETAIL_PX: f32 = 11.0;

pub use parts::{
    acu_text, short_name, ClientDot, InstanceCard, PgChip, RemoteInstanceCard, SegmentCell,
    StorageCard,
};
pub use traffic::TrafficLayer;

/// What the diagram draws in one frame.
pub struct Scene {
    pub view: Rc<View>,
    /// The region drawn in full (the others are cards).
    pub region: u8,
    pub faults: Rc<Vec<Fault>>,
    pub layout: Layout,
    pub flights: Vec<Flight>,
    pub pulses: Vec<Pulse>,
    pub flashes: Vec<Flash>,
    pub wall: f64,
}

#[derive(Properties, Clone)]
pub struct DiagramProps {
    pub scene: Rc<Scene>,
    pub selection: Option<Selection>,
    pub reduced_motion: bool,
    pub on_select: Callback<Selection>,
    /// A region card was clicked: open that region.
    #[prop_or_default]
    pub on_region: Callback<u8>,
}

impl PartialEq for DiagramProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.scene, &other.scene)
            && self.selection == other.selection
            && self.reduced_motion == other.reduced_motion
    }
}

/// Segments in a PG holding its newest record: the write quorum forming, one copy at a time.
fn newest_holders(view: &View, pg: usize) -> Vec<bool> {
    let Some(pg) = view.pgs.get(pg) else {
        return Vec::new();
    };
    let scl = |s: &aurora_core::ids::SegmentId| view.segment(*s).map(|s| s.scl);
    let newest = pg.members.iter().filter_map(scl).max();
    pg.members
        .iter()
        .map(|s| newest.is_some() && scl(s) == newest)
        .collect()
}

#[component(Diagram)]
pub fn diagram(props: &DiagramProps) -> Html {
    let scene = &props.scene;
    let view = &scene.view;
    let l = &scene.layout;
    let selection = props.selection;
    let flashing = |t: FlashTarget| scene.flashes.iter().any(|f| f.target == t);

    // Which segments hold their PG's newest record.
    let mut lit = vec![false; view.segments.len()];
    for (p, pg) in view.pgs.iter().enumerate() {
        for (seg, holds) in pg.members.iter().zip(newest_holders(view, p)) {
            if let Some(slot) = lit.get_mut(seg.index()) {
                *slot = holds;
            }
        }
    }

    let shown = view.regions.iter().find(|r| r.id.0 == scene.region);
    let region_down = scene
        .faults
        .contains(&Fault::FailRegion(aurora_core::ids::RegionId(scene.region)));
    let region_title = match shown {
        None => format!("Region {}", crate::actions::region_name(scene.region)),
        Some(r) => {
            let role = names::region_role(r.role, region_down);
            if r.role != aurora_core::global::RegionRole::Secondary || region_down {
                format!("Region {} · {role}", r.name)
            } else {
                format!(
                    "Region {} · {role} · durable to LSN {} · lag {}",
                    r.name,
                    r.durable,
                    crate::format::duration(r.lag)
                )
            }
        }
    };
    // A secondary's copies, each with the LSN it acknowledged.
    let copy_note = |node: aurora_core::ids::NodeId| -> Option<String> {
        let r = shown.filter(|r| r.role == aurora_core::global::RegionRole::Secondary)?;
        if !view.node(node).is_some_and(|n| n.up) {
            return None;
        }
        let k = r.storage.iter().position(|n| *n == node)?;
        let lsn = r.acked.get(k)?;
        let mark = if *lsn >= r.durable { "✓" } else { "…" };
        Some(format!("{mark} has LSN {lsn}"))
    };

    let zone_of =
        |id: aurora_core::ids::NodeId| view.node(id).and_then(|n| n.az).map(|a| a.index());
    let zone_boxes = l.azs.iter().enumerate().map(|(i, r)| {
        let (failed, cut) = az_faults(&scene.faults, i);
        let selected = selection == Some(Selection::Az(i as u8));
        let class = classes!(
            "az",
            failed.then_some("az-failed"),
            cut.then_some("az-cut"),
            selected.then_some("selected")
        );
        html! {
            <g {class} aria-hidden="true">
                <rect class="az-box" x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="10" />
            </g>
        }
    });
    let mut zone_nodes: Vec<Vec<Html>> = vec![Vec::new(); l.azs.len()];
    let mut place = |id: aurora_core::ids::NodeId, html: Html| {
        if let Some(slot) = zone_of(id).and_then(|z| zone_nodes.get_mut(z)) {
            slot.push(html);
        }
    };

    let endpoint_links = view.endpoints.iter().zip(&l.endpoints).flat_map(|(e, r)| {
        let (x1, y1) = (r.x + r.w / 2.0, r.bottom());
        let class = match e.id {
            EndpointId::Cluster => "ep-link ep-cluster",
            EndpointId::Reader => "ep-link ep-reader",
            _ => "ep-link ep-custom",
        };
        e.targets
            .iter()
            .filter_map(|t| l.instances.iter().find(|(n, _)| n == t))
            .map(|(_, c)| {
                html! {
                    <line class={class} x1={f(x1)} y1={f(y1)} x2={f(c.x + c.w / 2.0)} y2={f(c.y)} />
                }
            })
            .collect::<Vec<_>>()
    });

    let endpoints = view.endpoints.iter().zip(&l.endpoints).map(|(e, r)| {
        let target = match e.targets.as_slice() {
            [] => "no instance".to_string(),
            [one] => view.node(*one).map_or_else(String::new, |n| n.name.clone()),
            many => format!("{} instances", many.len()),
        };
        let kind = match e.id {
            EndpointId::Cluster => "cluster",
            EndpointId::Reader => "reader",
            _ => "custom",
        };
        html! {
            <g class={classes!("endpoint", format!("endpoint-{kind}"))} role="img"
                aria-label={format!("{} points at {target}", e.label)}>
                <rect x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx={f(r.h / 2.0)} />
                <text aria-hidden="true" class="endpoint-label" x={f(r.x + 14.0)} y={f(r.y + r.h / 2.0 + 4.0)}>
                    { if target.contains('/') {
                        // A writer in another region: its name is long, the pill is not.
                        format!("{kind} → {target}")
                    } else {
                        format!("{} → {target}", short_label(&e.label))
                    } }
                </text>
            </g>
        }
    });

    let dns = l.dns.and_then(|(id, (x, y))| {
        let node = view.node(id)?;
        let selected = selection == Some(Selection::Node(id));
        Some(html! {
            <ClientDot node={node.clone()} x={x} y={y} r={17.0} label={"DNS"} selected={selected}
                on_select={props.on_select.clone()} />
        })
    });

    for (id, (x, y)) in &l.clients {
        if let Some(node) = view.node(*id) {
            let selected = selection == Some(Selection::Node(*id));
            place(
                *id,
                html! {
                    <ClientDot node={node.clone()} x={*x} y={*y} r={6.0} hit={l.client_hit} label={""} selected={selected}
                        on_select={props.on_select.clone()} />
                },
            );
        }
    }

    let commit_flash = flashing(FlashTarget::Commit);
    for (id, r) in &l.instances {
        let Some(inst) = view.instances.iter().find(|i| i.node == *id) else {
            // Outside the cluster's list: a secondary's read replica or a failed old primary's.
            if let Some(node) = view.node(*id) {
                let selected = selection == Some(Selection::Node(*id));
                let role = if shown
                    .is_some_and(|r| r.role == aurora_core::global::RegionRole::Secondary)
                {
                    "read replica"
                } else {
                    "out of the cluster"
                };
                place(
                    *id,
                    html! {
                        <RemoteInstanceCard node={node.clone()} rect={*r} role={role} selected={selected}
                            on_select={props.on_select.clone()} />
                    },
                );
            }
            continue;
        };
        {
            let selected = selection == Some(Selection::Node(*id));
            let writer = inst.is_writer && inst.role == Role::Writer;
            place(
                *id,
                html! {
                    <InstanceCard instance={inst.clone()} rect={*r} selected={selected}
                        commit={writer && commit_flash}
                        on_select={props.on_select.clone()} />
                },
            );
        }
    }

    for (id, r) in &l.storage {
        let Some(node) = view.node(*id) else { continue };
        let cells: Vec<SegmentCell> = l
            .segments
            .iter()
            .filter_map(|(seg, rect)| {
                let s = view.segment(*seg)?;
                (s.node == *id).then(|| SegmentCell {
                    segment: s.clone(),
                    rect: *rect,
                    lit: lit.get(seg.index()).copied().unwrap_or(false)
                        && s.health == SegmentHealth::Healthy,
                    reading: flashing(FlashTarget::Read(*seg)),
                    selected: selection == Some(Selection::Segment(*seg)),
                })
            })
            .collect();
        let selected = selection == Some(Selection::Node(*id));
        let note = copy_note(*id).map(AttrValue::from);
        place(
            *id,
            html! {
                <StorageCard node={node.clone()} rect={*r} cells={cells} selected={selected}
                    note={note} on_select={props.on_select.clone()} />
            },
        );
    }

    let zones: Vec<Html> = l.azs.iter().enumerate().map(|(i, r)| {
        let (failed, cut) = az_faults(&scene.faults, i);
        let selected = selection == Some(Selection::Az(i as u8));
        let on_select = props.on_select.clone();
        let index = i as u8;
        let onclick = Callback::from(move |_: MouseEvent| on_select.emit(Selection::Az(index)));
        let on_select = props.on_select.clone();
        let onkeydown = activate(move || on_select.emit(Selection::Az(index)));
        let class = classes!(
            "az",
            failed.then_some("az-failed"),
            cut.then_some("az-cut"),
            selected.then_some("selected")
        );
        let n_clients = l.clients.iter().filter(|(c, _)| {
            view.node(*c).and_then(|n| n.az).map(|a| a.index()) == Some(i)
        }).count();
        let row = l.client_rows.get(i).copied().unwrap_or_default();
        let nodes = zone_nodes.get_mut(i).map(std::mem::take).unwrap_or_default();
        html! {
            <g class={class} role="group" aria-label={names::az(i)}>
                <g class="az-head" role="button" tabindex="0"
                    aria-label={names::az_with_state(i, failed, cut)}
                    aria-pressed={selected.to_string()}
                    {onclick} {onkeydown}>
                    <rect class="az-head-hit" x={f(r.x)} y={f(r.y)} width={f(r.w)} height={if l.narrow { "29" } else { "26" }} rx="10" />
                    <text aria-hidden="true" class="az-title" x={f(r.x + 12.0)} y={f(r.y + 18.0)}>
                        // The space keeps the title and the state two words for whatever
                        // reads the drawn text as one string (speech input, axe).
                        { format!("{} ", names::az(i)) }
                    </text>
                    <text aria-hidden="true" class="az-state" x={f(r.x + r.w - 12.0)} y={f(r.y + 18.0)} text-anchor="end">
                        { names::az_state(failed, cut) }
                    </text>
                </g>
                if n_clients > 0 {
                    <text class="row-label" x={f(row.x)} y={f(row.y + 16.0)}>{ "clients" }</text>
                }
                { for nodes }
            </g>
        }
    }).collect();

    let pgs = l.pgs.iter().enumerate().filter_map(|(p, (id, r))| {
        let pg = view.pgs.get(p)?;
        let dots: Vec<(char, SegmentHealth, bool)> = pg
            .members
            .iter()
            .zip(newest_holders(view, p))
            .filter_map(|(s, holds)| {
                let seg = view.segment(*s)?;
                let az = view
                    .node(seg.node)
                    .and_then(|n| n.az)
                    .map_or('?', |a| a.letter());
                Some((
                    az,
                    seg.health,
                    holds && seg.health == SegmentHealth::Healthy,
                ))
            })
            .collect();
        let selected = selection == Some(Selection::Pg(*id));
        Some(html! {
            <PgChip pg={pg.clone()} rect={*r} dots={dots} selected={selected}
                quorum={flashing(FlashTarget::Quorum(*id))}
                on_select={props.on_select.clone()} />
        })
    });

    let s3 = crate::backups::s3_lines(&view.backup);
    let stores = l.stores.iter().filter_map(|(id, r)| {
        let node = view.node(*id)?;
        let selected = selection == Some(Selection::Node(*id));
        let on_select = props.on_select.clone();
        let node_id = *id;
        let onclick = Callback::from(move |_: MouseEvent| on_select.emit(Selection::Node(node_id)));
        let on_select = props.on_select.clone();
        let onkeydown = activate(move || on_select.emit(Selection::Node(node_id)));
        Some(html! {
            <g class={classes!("node", "store", selected.then_some("selected"))} role="button" tabindex="0"
                aria-label={names::store(&node.accessible_name(false), (node.name == "S3").then_some((&s3.0, &s3.1)))}
                aria-pressed={selected.to_string()}
                {onclick} {onkeydown}>
                <rect x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="8" />
                if node.name == "S3" {
                    <text aria-hidden="true" class="store-label" x={f(r.x + r.w / 2.0)} y={f(r.y + 18.0)} text-anchor="middle">
                        { format!("{} ", s3.0) }
                    </text>
                    <text aria-hidden="true" class="store-detail" x={f(r.x + r.w / 2.0)} y={f(r.y + 34.0)} text-anchor="middle">
                        { s3.1.clone() }
                    </text>
                } else {
                    <text aria-hidden="true" class="store-label" x={f(r.x + r.w / 2.0)} y={f(r.y + r.h / 2.0 + 5.0)} text-anchor="middle">
                        { node.name.clone() }
                    </text>
                }
            </g>
        })
    });

    // Clusters restored or cloned from this one, each linked to where its data came from: S3
    // for a restore, the volume's pages for a clone.
    let s3_rect = l
        .stores
        .iter()
        .find(|(id, _)| view.node(*id).is_some_and(|n| n.name == "S3"))
        .map(|(_, r)| *r);
    let volume_bottom = l.pgs.last().map(|(_, r)| r.bottom());
    let clusters = l.clusters.iter().filter_map(|(id, r)| {
        let c = view.backup.cluster(*id)?;
        let row = crate::backups::cluster_row(c);
        let room = r.w - 20.0;
        let from = match c.kind {
            aurora_core::backup_view::ClusterKind::Restore { .. } => {
                s3_rect.map(|s| (s.x + s.w / 2.0, s.bottom()))
            }
            _ => volume_bottom.map(|y| (r.x + r.w / 2.0, y)),
        };
        let class = classes!(
            "cluster-card",
            matches!(c.kind, aurora_core::backup_view::ClusterKind::Restore { .. }).then_some("restored"),
            (!c.available).then_some("creating")
        );
        Some(html! {
            <g {class} role="img" aria-label={row.accessible.clone()}>
                if let Some((x, y)) = from {
                    <line class="cluster-link" aria-hidden="true" x1={f(x)} y1={f(y)} x2={f(r.x + r.w / 2.0)} y2={f(r.y)} />
                }
                <rect x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="10" />
                if !c.available {
                    <rect class="cluster-progress" aria-hidden="true" x={f(r.x)} y={f(r.bottom() - 4.0)}
                        width={f(r.w * row.progress as f32)} height="4" />
                }
                <text aria-hidden="true" class="cluster-title" x={f(r.x + 10.0)} y={f(r.y + 17.0)}>
                    { parts::fitting(&row.card_title, room, CLUSTER_TITLE_PX) }
                </text>
                <text aria-hidden="true" class="cluster-detail" x={f(r.x + 10.0)} y={f(r.y + 33.0)}>
                    { parts::fitting(&row.card_state, room, CLUSTER_DETAIL_PX) }
                </text>
                if let Some(shares) = row.pages {
                    { crate::components::backups::pages_bar(shares, r.w - 20.0, r.x + 10.0, r.y + 40.0) }
                    <text aria-hidden="true" class="cluster-detail" x={f(r.x + 10.0)} y={f(r.y + 60.0)}>
                        { parts::fitting(&row.card_pages, room, CLUSTER_DETAIL_PX) }
                    </text>
                } else {
                    <text aria-hidden="true" class="cluster-detail" x={f(r.x + 10.0)} y={f(r.y + 50.0)}>
                        { parts::fitting(&row.card_storage, room, CLUSTER_DETAIL_PX) }
                    </text>
                }
            </g>
        })
    });

    let regions = l.regions.iter().filter_map(|(id, r)| {
        let region = view.regions.iter().find(|g| g.id.0 == *id)?;
        let down = scene.faults.contains(&Fault::FailRegion(region.id));
        let role = names::region_role(region.role, down);
        let detail = if region.role != aurora_core::global::RegionRole::Secondary || down {
            role.to_string()
        } else {
            format!("{role} · lag {}", crate::format::duration(region.lag))
        };
        let label = format!("Open region {}: {detail}", region.name);
        let index = *id;
        let on_region = props.on_region.clone();
        let onclick = Callback::from(move |_: MouseEvent| on_region.emit(index));
        let on_region = props.on_region.clone();
        let onkeydown = activate(move || on_region.emit(index));
        let class = classes!(
            "region-card",
            (region.role == aurora_core::global::RegionRole::Primary).then_some("primary"),
            (down || region.role == aurora_core::global::RegionRole::Failed).then_some("down")
        );
        Some(html! {
            <g {class} role="button" tabindex="0" aria-label={label} {onclick} {onkeydown}>
                <rect x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="10" />
                <text aria-hidden="true" class="region-card-title" x={f(r.x + 12.0)} y={f(r.y + 22.0)}>{ region.name }</text>
                <text aria-hidden="true" class="region-card-detail" x={f(r.x + 12.0)} y={f(r.y + 42.0)}>{ detail }</text>
                <text aria-hidden="true" class="region-card-open" x={f(r.x + r.w - 12.0)} y={f(r.y + 22.0)} text-anchor="end">{ "open ›" }</text>
            </g>
        })
    });

    // The selection, drawn over everything so it shows whatever is selected.
    let ring = selection.and_then(|s| selection_rect(l, s)).map(|r| {
        html! {
            <rect class="selection-ring" aria-hidden="true" x={f(r.x - 3.0)} y={f(r.y - 3.0)}
                width={f(r.w + 6.0)} height={f(r.h + 6.0)} rx="9" />
        }
    });
    let sr = l.services;
    let rg = l.region;
    html! {
        <svg class={classes!("diagram", l.narrow.then_some("narrow"))}
            viewBox={format!("0 0 {} {}", f(l.width), f(l.height))}
            role="group" aria-label="Aurora cluster diagram">
            <rect class="services-box" x={f(sr.x)} y={f(sr.y)} width={f(sr.w)} height={f(sr.h)} rx="10" />
            <rect class="region-box" x={f(rg.x)} y={f(rg.y)} width={f(rg.w)} height={f(rg.h)} rx="14" />
            <text class="region-title" x={f(rg.x + 14.0)} y={f(rg.y + 20.0)}>
                { region_title }
            </text>
            if !l.pgs.is_empty() {
                <text class="row-label" x={f(rg.x + 10.0)} y={f(l.pgs[0].1.y - 5.0)}>
                    { volume_label(view.pgs.len(), l.narrow) }
                </text>
            }
            { for zone_boxes }
            <g class="endpoint-links" aria-hidden="true">{ for endpoint_links }</g>
            // Messages go under the nodes and their labels, which stay readable however dense
            // the traffic is.
            <TrafficLayer scene={props.scene.clone()} reduced_motion={props.reduced_motion} />
            { for endpoints }
            { for dns }
            { for zones }
            { for pgs }
            { for stores }
            { for clusters }
            { for regions }
            { for ring }
        </svg>
    }
}

/// Where the selection is drawn: its card, chip, segment, zone or dot.
fn selection_rect(l: &Layout, selection: Selection) -> Option<crate::layout::Rect> {
    use crate::layout::Rect;
    let dot = |(x, y): (f32, f32), r: f32| Rect::new(x - r, y - r, 2.0 * r, 2.0 * r);
    match selection {
        Selection::Az(i) => l.azs.get(usize::from(i)).copied(),
        Selection::Segment(seg) => l.segments.iter().find(|(s, _)| *s == seg).map(|(_, r)| *r),
        Selection::Pg(pg) => l.pgs.iter().find(|(p, _)| *p == pg).map(|(_, r)| *r),
        // A page of the data is not drawn in the diagram: the inspector lists its versions.
        Selection::Page(_) => None,
        Selection::Node(id) => l
            .instances
            .iter()
            .chain(&l.storage)
            .chain(&l.stores)
            .find(|(n, _)| *n == id)
            .map(|(_, r)| *r)
            .or_else(|| {
                l.dns
                    .filter(|(n, _)| *n == id)
                    .map(|(_, pos)| dot(pos, 17.0))
            })
            .or_else(|| {
                l.clients
                    .iter()
                    .find(|(n, _)| *n == id)
                    .map(|(_, pos)| dot(*pos, l.client_hit))
            }),
    }
}

/// The volume's line over its PGs; shorter where the diagram is narrow, so it fits.
fn volume_label(pgs: usize, narrow: bool) -> String {
    let copies = aurora_core::AZ_COUNT * aurora_core::COPIES_PER_AZ;
    let (w, r) = (
        aurora_core::quorum::WRITE_QUORUM,
        aurora_core::quorum::READ_QUORUM,
    );
    if narrow {
        format!("Volume: {pgs} PGs × {copies} copies · write quorum {w} · read {r}")
    } else {
        format!(
            "Volume: {pgs} protection group{}, {copies} copies each (write quorum {w}, read quorum {r})",
            if pgs == 1 { "" } else { "s" }
        )
    }
}

/// "cluster endpoint (writes)" → "cluster (writes)".
fn short_label(label: &str) -> String {
    label.replacen(" endpoint", "", 1)
}

pub use crate::format::svg_number as f;

/// Enter or Space on a focused node does what a click does.
pub fn activate(f: impl Fn() + 'static) -> Callback<KeyboardEvent> {
    Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            f();
        }
    })
}

/// Is the node a kind that can be clicked to select?
pub fn selectable(kind: NodeKind) -> bool {
    !matches!(kind, NodeKind::Client)
}
