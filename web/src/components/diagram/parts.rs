//! The diagram's pieces, each a pure component of its slice of the view.

use aurora_core::compute::instance::Role;
use aurora_core::event::SegmentHealth;
use aurora_core::view::{health_word, InstanceView, NodeView, PgView, SegmentView};
use yew::prelude::*;

use super::{activate, f};
use crate::layout::Rect;
use crate::names;
use crate::state::Selection;

fn select_handlers(
    on_select: &Callback<Selection>,
    selection: Selection,
) -> (Callback<MouseEvent>, Callback<KeyboardEvent>) {
    let a = on_select.clone();
    let onclick = Callback::from(move |e: MouseEvent| {
        e.stop_propagation();
        a.emit(selection)
    });
    let b = on_select.clone();
    (onclick, activate(move || b.emit(selection)))
}

#[derive(Properties, PartialEq, Clone)]
pub struct ClientDotProps {
    pub node: NodeView,
    pub x: f32,
    pub y: f32,
    pub r: f32,
    /// Text inside the dot (the DNS service's name), or empty.
    pub label: AttrValue,
    /// The radius that takes a click or a tap, when it is larger than the dot.
    #[prop_or_default]
    pub hit: f32,
    pub selected: bool,
    pub on_select: Callback<Selection>,
}

/// A client or the DNS service: a dot.
#[component(ClientDot)]
pub fn client_dot(p: &ClientDotProps) -> Html {
    let (onclick, onkeydown) = select_handlers(&p.on_select, Selection::Node(p.node.id));
    let class = classes!(
        "node",
        "dot",
        format!("kind-{:?}", p.node.kind).to_lowercase(),
        (!p.node.up).then_some("down"),
        p.selected.then_some("selected")
    );
    html! {
        <g {class} role="button" tabindex="0" aria-label={p.node.accessible_name(false)}
            aria-pressed={p.selected.to_string()} {onclick} {onkeydown}>
            <circle cx={f(p.x)} cy={f(p.y)} r={f(p.r)} />
            if p.hit > p.r {
                <circle class="hit" cx={f(p.x)} cy={f(p.y)} r={f(p.hit)} />
            }
            if !p.label.is_empty() {
                <text aria-hidden="true" class="dot-label" x={f(p.x)} y={f(p.y + 4.0)} text-anchor="middle">{ p.label.clone() }</text>
            }
        </g>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct InstanceCardProps {
    pub instance: InstanceView,
    pub rect: Rect,
    pub selected: bool,
    /// The writer just acknowledged commits.
    pub commit: bool,
    pub on_select: Callback<Selection>,
}

/// A DB instance: the writer with its badge, or a replica with its tier and lag.
#[component(InstanceCard)]
pub fn instance_card(p: &InstanceCardProps) -> Html {
    let i = &p.instance;
    let r = p.rect;
    let (onclick, onkeydown) = select_handlers(&p.on_select, Selection::Node(i.node));
    let writer = i.is_writer && i.role == Role::Writer;
    let acu = acu_text(i);
    let (badge, detail) = match i.role {
        Role::Writer if writer => ("WRITER".to_string(), format!("VDL {}", i.read_point)),
        Role::Writer => ("WRITER?".to_string(), "not serving".to_string()),
        Role::Replica => (
            format!("tier {}", i.tier),
            match &acu {
                Some(a) => format!("lag {} · {a}", crate::format::duration(i.lag)),
                None => format!("lag {}", crate::format::duration(i.lag)),
            },
        ),
        Role::Creating { .. } => ("creating".to_string(), "not ready yet".to_string()),
        Role::Promoting => ("promoting".to_string(), "becoming writer".to_string()),
        Role::Fenced => ("fenced".to_string(), "writes refused".to_string()),
    };
    let state = if !i.up {
        Some("DOWN")
    } else if i.partitioned {
        Some("CUT OFF")
    } else {
        None
    };
    let class = classes!(
        "node",
        "instance",
        writer.then_some("writer"),
        (!i.up).then_some("down"),
        i.partitioned.then_some("cut"),
        matches!(i.role, Role::Creating { .. }).then_some("creating"),
        matches!(i.role, Role::Promoting).then_some("promoting"),
        matches!(i.role, Role::Fenced).then_some("fenced"),
        p.selected.then_some("selected"),
        p.commit.then_some("committing")
    );
    // Replica lag as a bar: full at 20 ms.
    let lag_ms = i.lag.as_millis_f64();
    let lag_w = ((lag_ms / 20.0).min(1.0) as f32) * (r.w - 16.0);
    let badge_w = 12.0 + 7.2 * badge.chars().count() as f32;
    let detail = state.map_or(detail, str::to_string);
    // A detail too long for the badge's line moves to a line of its own (a replica's line
    // below holds its lag bar, so its detail is shortened instead).
    let room = r.w - 20.0 - badge_w;
    let own_line = text_width(&detail, DETAIL_PX) > room && i.role != Role::Replica;
    let detail = if own_line || text_width(&detail, DETAIL_PX) <= room {
        detail
    } else {
        detail.replacen("lag ", "", 1)
    };
    // The commit mark shares the card's second line: shortened, or left to the card's
    // highlight, when what that line already holds leaves no room for it.
    let line2 = if own_line {
        text_width(&detail, DETAIL_PX)
    } else {
        acu.as_deref()
            .filter(|_| i.role != Role::Replica)
            .map_or(0.0, |a| text_width(a, DETAIL_PX))
    };
    let commit_mark = commit_mark(r.w - 24.0 - line2);
    html! {
        // The button is the card and its title, the label its name begins with; the badge,
        // figures and marks drawn over it are readouts, which the name says in words.
        <g {class}>
            <g class="hit" role="button" tabindex="0" aria-label={i.accessible_name()}
                aria-pressed={p.selected.to_string()} {onclick} {onkeydown}>
                <rect class="card" x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="8" />
                <text aria-hidden="true" class="card-title" x={f(r.x + 10.0)} y={f(r.y + 17.0)}>{ short_name(&i.name) }</text>
            </g>

            <rect class="badge" x={f(r.x + 8.0)} y={f(r.y + 24.0)} width={f(badge_w)} height="16" rx="8" />
            <text aria-hidden="true" class="badge-text" x={f(r.x + 8.0 + badge_w / 2.0)} y={f(r.y + 36.0)} text-anchor="middle">{ badge }</text>
            if own_line {
                <text aria-hidden="true" class="card-detail" x={f(r.x + 10.0)} y={f(r.y + 53.0)}>{ detail }</text>
            } else {
                <text aria-hidden="true" class="card-detail" x={f(r.x + 14.0 + badge_w)} y={f(r.y + 36.5)}>{ detail }</text>
            }
            // The capacity keeps a line: below the badge, or beside it when the detail took
            // the line below.
            if let Some(acu) = acu.filter(|_| i.role != Role::Replica) {
                if own_line {
                    <text aria-hidden="true" class="card-acu" x={f(r.x + 14.0 + badge_w)} y={f(r.y + 36.5)}>{ acu }</text>
                } else {
                    <text aria-hidden="true" class="card-acu" x={f(r.x + 10.0)} y={f(r.y + 53.0)}>{ acu }</text>
                }
            }
            if let Some(mark) = commit_mark.filter(|_| writer && p.commit) {
                <text aria-hidden="true" class="commit-mark" x={f(r.x + r.w - 8.0)} y={f(r.y + 53.0)} text-anchor="end">{ mark }</text>
            }
            if i.role == Role::Replica && i.up {
                <rect class="lag-track" x={f(r.x + 8.0)} y={f(r.y + 46.0)} width={f(r.w - 16.0)} height="5" rx="2.5" />
                <rect class="lag-bar" x={f(r.x + 8.0)} y={f(r.y + 46.0)} width={f(lag_w.max(1.0))} height="5" rx="2.5" />
            }
        </g>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct RemoteInstanceCardProps {
    pub node: NodeView,
    pub rect: Rect,
    /// What it is in words: "read replica" in a secondary region.
    pub role: AttrValue,
    pub selected: bool,
    pub on_select: Callback<Selection>,
}

/// A DB instance outside the cluster's own list: a secondary region's read replica, or an
/// instance of a primary region that failed and was left behind.
#[component(RemoteInstanceCard)]
pub fn remote_instance_card(p: &RemoteInstanceCardProps) -> Html {
    let n = &p.node;
    let r = p.rect;
    let (onclick, onkeydown) = select_handlers(&p.on_select, Selection::Node(n.id));
    let class = classes!(
        "node",
        "instance",
        "remote",
        (!n.up).then_some("down"),
        p.selected.then_some("selected")
    );
    let badge = if n.up { "READ-ONLY" } else { "DOWN" };
    let badge_w = 12.0 + 7.2 * badge.chars().count() as f32;
    html! {
        <g {class}>
            <g class="hit" role="button" tabindex="0"
                aria-label={format!("DB instance {}, {}, {}", n.name, p.role, n.state_word())}
                aria-pressed={p.selected.to_string()} {onclick} {onkeydown}>
                <rect class="card" x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="8" />
                <text aria-hidden="true" class="card-title" x={f(r.x + 10.0)} y={f(r.y + 17.0)}>{ short_name(&n.name) }</text>
            </g>
            <rect class="badge" x={f(r.x + 8.0)} y={f(r.y + 24.0)} width={f(badge_w)} height="16" rx="8" />
            <text aria-hidden="true" class="badge-text" x={f(r.x + 8.0 + badge_w / 2.0)} y={f(r.y + 36.0)} text-anchor="middle">{ badge }</text>
            <text aria-hidden="true" class="card-detail" x={f(r.x + 14.0 + badge_w)} y={f(r.y + 36.5)}>{ p.role.clone() }</text>
        </g>
    }
}

/// The card detail's font size, in SVG units (the stylesheet's `.card-detail`).
const DETAIL_PX: f32 = 12.0;

/// What the writer's card shows while commits are being acknowledged.
const COMMIT_MARK: &str = "✓ commit";

/// The writer's commit mark that fits in `room` units beside the card's second line: the
/// words, the tick alone, or none (the card's highlight still shows the commit).
pub fn commit_mark(room: f32) -> Option<&'static str> {
    [COMMIT_MARK, "✓"]
        .into_iter()
        .find(|m| text_width(m, DETAIL_PX) <= room)
}

/// The longest of `wordings` (longest first) drawn at `px` that fits in `room` units, or
/// the shortest when none does.
pub fn fitting(wordings: &[String], room: f32, px: f32) -> String {
    wordings
        .iter()
        .find(|w| text_width(w, px) <= room)
        .or(wordings.last())
        .cloned()
        .unwrap_or_default()
}

/// About how wide `text` is drawn at `px` in the page's sans-serif: a little over half the
/// size a character, wider for capitals. Enough to decide whether a label fits its card.
pub fn text_width(text: &str, px: f32) -> f32 {
    text.chars()
        .map(|c| if c.is_uppercase() { 0.68 } else { 0.56 })
        .sum::<f32>()
        * px
}

/// A serverless instance's capacity for its card: "12.5 ACU", "paused", "resuming".
pub fn acu_text(i: &InstanceView) -> Option<String> {
    if i.capacity == aurora_core::serverless::Capacity::Provisioned {
        return None;
    }
    Some(if i.paused {
        "paused".to_string()
    } else if i.resuming {
        "resuming".to_string()
    } else {
        format!("{} ACU", crate::format::half_acu(i.acu_half))
    })
}

/// A node's name without its region (`eu-west-1/az-a-1` → `az-a-1`): the region is the
/// diagram's title.
pub fn short_name(name: &str) -> String {
    name.rsplit('/').next().unwrap_or(name).to_string()
}

/// One segment as its storage node's card draws it.
#[derive(Clone, PartialEq)]
pub struct SegmentCell {
    pub segment: SegmentView,
    pub rect: Rect,
    /// Holds its PG's newest record.
    pub lit: bool,
    /// Serving a page read right now.
    pub reading: bool,
    pub selected: bool,
}

#[derive(Properties, PartialEq, Clone)]
pub struct StorageCardProps {
    pub node: NodeView,
    pub rect: Rect,
    pub cells: Vec<SegmentCell>,
    pub selected: bool,
    /// A line of its own under the name (a secondary region's copy: the LSN it holds).
    #[prop_or_default]
    pub note: Option<AttrValue>,
    pub on_select: Callback<Selection>,
}

/// A storage node and its segments, coloured by protection group.
#[component(StorageCard)]
pub fn storage_card(p: &StorageCardProps) -> Html {
    let n = &p.node;
    let r = p.rect;
    let (onclick, onkeydown) = select_handlers(&p.on_select, Selection::Node(n.id));
    let class = classes!(
        "node",
        "storage",
        (!n.up).then_some("down"),
        n.partitioned.then_some("cut"),
        (n.slowness_pct > 100).then_some("slow"),
        p.selected.then_some("selected")
    );
    let cells = p.cells.iter().map(|c| {
        let s = &c.segment;
        let seg = s.id;
        let on_select = p.on_select.clone();
        let onclick = Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            on_select.emit(Selection::Segment(seg))
        });
        // Segments take the keyboard too, so "fail the disk of segment N" needs no mouse.
        let on_key = p.on_select.clone();
        let onkeydown = Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                e.stop_propagation();
                on_key.emit(Selection::Segment(seg));
            }
        });
        let class = classes!(
            "segment",
            format!("pg-{}", s.pg.0 % 8),
            format!("health-{}", health_word(s.health)),
            c.lit.then_some("lit"),
            c.reading.then_some("reading"),
            c.selected.then_some("selected")
        );
        let rr = c.rect;
        html! {
            <g {class} role="button" tabindex="0" aria-label={s.accessible_name(&n.name)}
                aria-pressed={c.selected.to_string()} {onclick} {onkeydown}>
                <rect x={f(rr.x)} y={f(rr.y)} width={f(rr.w)} height={f(rr.h)} rx="3" />
                <text aria-hidden="true" class="segment-label" x={f(rr.x + rr.w / 2.0)} y={f(rr.y + rr.h / 2.0 + 3.5)} text-anchor="middle">
                    { s.pg.0.to_string() }
                </text>
                if s.health == SegmentHealth::Lost {
                    <path class="lost-mark" d={format!("M{} {}L{} {}M{} {}L{} {}",
                        f(rr.x + 2.0), f(rr.y + 2.0), f(rr.x + rr.w - 2.0), f(rr.y + rr.h - 2.0),
                        f(rr.x + rr.w - 2.0), f(rr.y + 2.0), f(rr.x + 2.0), f(rr.y + rr.h - 2.0))} />
                }
            </g>
        }
    });
    let state = match n.state_word() {
        "healthy" => String::new(),
        other => other.to_uppercase(),
    };
    html! {
        <g {class}>
            <g class="storage-head" role="button" tabindex="0" aria-label={n.accessible_name(false)}
                aria-pressed={p.selected.to_string()} {onclick} {onkeydown}>
                <rect class="card" x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="8" />
                <text aria-hidden="true" class="card-title" x={f(r.x + 8.0)} y={f(r.y + 15.0)}>{ short_name(&n.name) }</text>
                <text aria-hidden="true" class="card-state" x={f(r.x + r.w - 8.0)} y={f(r.y + 15.0)} text-anchor="end">{ state }</text>
                if let Some(note) = &p.note {
                    <text aria-hidden="true" class="card-detail" x={f(r.x + 8.0)} y={f(r.y + 33.0)}>{ note.clone() }</text>
                }
            </g>
            { for cells }
        </g>
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct PgChipProps {
    pub pg: PgView,
    pub rect: Rect,
    /// Each member: its AZ's letter, its health, and whether it holds the newest record.
    pub dots: Vec<(char, SegmentHealth, bool)>,
    pub selected: bool,
    /// The PG just reached its write quorum.
    pub quorum: bool,
    pub on_select: Callback<Selection>,
}

/// A protection group: its six copies lighting up as they hold the newest record; 4 make the
/// write quorum.
#[component(PgChip)]
pub fn pg_chip(p: &PgChipProps) -> Html {
    let r = p.rect;
    let (onclick, onkeydown) = select_handlers(&p.on_select, Selection::Pg(p.pg.id));
    let healthy = p
        .dots
        .iter()
        .filter(|d| d.1 == SegmentHealth::Healthy)
        .count();
    let holding = p.dots.iter().filter(|d| d.2).count();
    let class = classes!(
        "node",
        "pg",
        format!("pg-{}", p.pg.id.0 % 8),
        (!p.pg.write_ok).then_some("no-write"),
        (!p.pg.read_ok).then_some("no-read"),
        p.quorum.then_some("quorum"),
        p.selected.then_some("selected")
    );
    let dots = p.dots.iter().enumerate().map(|(k, (az, health, holds))| {
        let cx = r.x + 66.0 + k as f32 * 14.0;
        let class = classes!(
            "pg-dot",
            format!("health-{}", health_word(*health)),
            holds.then_some("holds")
        );
        html! {
            <g {class}>
                <circle cx={f(cx)} cy={f(r.y + r.h / 2.0)} r="7" />
                <text aria-hidden="true" class="pg-dot-label" x={f(cx)} y={f(r.y + r.h / 2.0 + 3.0)} text-anchor="middle">{ az.to_string() }</text>
            </g>
        }
    });
    let status = if !p.pg.write_ok {
        "no quorum".to_string()
    } else if p.quorum {
        "✓ quorum".to_string()
    } else {
        format!("{holding} of {}", p.dots.len())
    };
    html! {
        // As on an instance card: the button is the card and its title; the copies' dots and
        // the status drawn over it are readouts, which the name says in words.
        <g {class}>
            <g class="hit" role="button" tabindex="0" aria-label={names::pg(&p.pg, healthy)}
                aria-pressed={p.selected.to_string()} {onclick} {onkeydown}>
                <rect class="card" x={f(r.x)} y={f(r.y)} width={f(r.w)} height={f(r.h)} rx="8" />
                <rect class="pg-swatch" x={f(r.x + 6.0)} y={f(r.y + 9.0)} width="12" height="16" rx="3" />
                <text aria-hidden="true" class="card-title" x={f(r.x + 24.0)} y={f(r.y + r.h / 2.0 + 4.0)}>{ format!("PG {}", p.pg.id.0) }</text>
            </g>
            { for dots }
            <text aria-hidden="true" class="pg-status" x={f(r.x + r.w - 8.0)} y={f(r.y + r.h / 2.0 + 4.0)} text-anchor="end">{ status }</text>
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commit_mark_shortens_rather_than_crowd_the_vdl() {
        // A narrow writer card, 140 units wide, with "VDL 10025000" on its own second line.
        let room = 140.0 - 24.0 - text_width("VDL 10025000", DETAIL_PX);
        assert_eq!(commit_mark(room), Some("✓"));
        // With the line empty the words fit.
        assert_eq!(commit_mark(140.0 - 24.0), Some(COMMIT_MARK));
        // With no room at all, no mark.
        assert_eq!(commit_mark(4.0), None);
        assert!(
            text_width("VDL 10025000", DETAIL_PX) + text_width(COMMIT_MARK, DETAIL_PX)
                > 140.0 - 24.0
        );
    }
}
