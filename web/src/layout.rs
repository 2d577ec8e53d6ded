//! Where each thing goes in the diagram: a pure function of the view's shape (how many instances,
//! storage nodes, segments and clients each AZ holds), in the SVG's own units.
//!
//! Two arrangements: *wide*, the three AZs side by side, and *narrow* (phones), the AZs stacked,
//! so labels stay legible at 360 px.

use aurora_core::compute::instance::Role;
use aurora_core::ids::{NodeId, PgId, SegmentId};
use aurora_core::topology::NodeKind;
use aurora_core::view::View;
use aurora_core::AZ_COUNT;

/// The diagram's width in SVG units, wide and narrow.
pub const WIDE: f32 = 960.0;
pub const NARROW: f32 = 400.0;

const PAD: f32 = 12.0;
const GAP: f32 = 8.0;
const AZ_HEADER: f32 = 30.0;
const CLIENT_ROW: f32 = 28.0;
const INSTANCE_H: f32 = 58.0;
const STORAGE_HEADER: f32 = 22.0;
/// A segment's square, wide and narrow: at least 24 CSS px where each arrangement is drawn (a
/// wide diagram at 1280 px is about 1.3 px a unit, a narrow one at 360 px about 0.86), the
/// smallest target WCAG 2.2 (2.5.8) asks for.
pub const SEGMENT: f32 = 19.0;
pub const SEGMENT_NARROW: f32 = 28.0;
/// The same for a client's dot, whose hit circle is this wide though its dot is small.
const CLIENT_HIT: f32 = 20.0;
const CLIENT_HIT_NARROW: f32 = 30.0;
const SEGMENT_GAP: f32 = 3.0;
const PG_CHIP_H: f32 = 34.0;
const SERVICE_H: f32 = 40.0;
const S3_H: f32 = 44.0;
/// The narrowest an object store is drawn: S3's backup line at the detail size, and margins.
const STORE_MIN_W: f32 = 270.0;
const CLUSTER_CARD_H: f32 = 66.0;
const REGION_CARD_H: f32 = 58.0;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl Rect {
    pub fn new(x: f32, y: f32, w: f32, h: f32) -> Rect {
        Rect { x, y, w, h }
    }
    pub fn center(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
    pub fn bottom(&self) -> f32 {
        self.y + self.h
    }
}

/// The whole arrangement.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    pub width: f32,
    pub height: f32,
    pub narrow: bool,
    /// A client's hit circle's radius (its dot is smaller).
    pub client_hit: f32,
    /// Where a message to or from each node starts and ends, by node index.
    pub anchors: Vec<Option<(f32, f32)>>,
    pub services: Rect,
    pub dns: Option<(NodeId, (f32, f32))>,
    /// One per endpoint of the view, in its order.
    pub endpoints: Vec<Rect>,
    pub region: Rect,
    pub azs: Vec<Rect>,
    /// Per AZ: the row of its clients.
    pub client_rows: Vec<Rect>,
    pub clients: Vec<(NodeId, (f32, f32))>,
    pub instances: Vec<(NodeId, Rect)>,
    pub storage: Vec<(NodeId, Rect)>,
    pub segments: Vec<(SegmentId, Rect)>,
    pub pgs: Vec<(PgId, Rect)>,
    /// Object stores of the first region (S3, replication servers).
    pub stores: Vec<(NodeId, Rect)>,
    /// Other regions of a global database: region index and its card.
    pub regions: Vec<(u8, Rect)>,
    /// Clusters restored or cloned from this one, beside it: cluster id and its card.
    pub clusters: Vec<(u32, Rect)>,
}

impl Layout {
    pub fn anchor(&self, node: NodeId) -> Option<(f32, f32)> {
        self.anchors.get(node.index()).copied().flatten()
    }
}

/// Instances drawn first in each AZ: the writer, then by name.
fn az_of(view: &View, node: NodeId) -> Option<usize> {
    view.node(node)
        .and_then(|n| n.az)
        .map(|a| a.index())
        .filter(|&a| a < AZ_COUNT)
}

/// Lays out `view` with region `shown` drawn in full and the other regions as cards.
/// `region_of` gives each node's region, by node index. Clients stand for users anywhere, so
/// they are drawn in whichever region is shown.
pub fn layout(view: &View, region_of: &[u8], shown: u8, narrow: bool) -> Layout {
    let width = if narrow { NARROW } else { WIDE };
    let region = |n: NodeId| region_of.get(n.index()).copied().unwrap_or(0);
    let home = |n: NodeId| region(n) == shown;
    // The cluster volume's protection groups live where the writer is.
    let volume_here = region(view.writer.node) == shown;
    let seg_size = if narrow { SEGMENT_NARROW } else { SEGMENT };
    let client_pitch = if narrow {
        CLIENT_HIT_NARROW
    } else {
        CLIENT_HIT
    };
    let mut l = Layout {
        width,
        narrow,
        client_hit: client_pitch / 2.0 - 0.5,
        anchors: vec![None; view.nodes.len()],
        ..Layout::default()
    };

    // Services: DNS and the endpoints.
    let mut y = PAD;
    let dns_x = PAD + 22.0;
    let pill_w = if narrow {
        width - 2.0 * PAD - 56.0
    } else {
        236.0
    };
    let per_row = if narrow { 1 } else { 3 };
    let rows = view.endpoints.len().div_ceil(per_row).max(1);
    let services_h = rows as f32 * SERVICE_H;
    l.services = Rect::new(PAD, y, width - 2.0 * PAD, services_h);
    let dns_pos = (dns_x, y + services_h / 2.0);
    l.dns = Some((view.dns, dns_pos));
    for (i, _) in view.endpoints.iter().enumerate() {
        let col = (i % per_row) as f32;
        let row = (i / per_row) as f32;
        l.endpoints.push(Rect::new(
            PAD + 56.0 + col * (pill_w + GAP),
            y + row * SERVICE_H + 4.0,
            pill_w,
            SERVICE_H - 8.0,
        ));
    }
    y += services_h + GAP;

    // The region and its AZs.
    let region_top = y;
    y += 28.0;
    let inner_x = PAD + GAP;
    let inner_w = width - 2.0 * (PAD + GAP);
    let az_w = if narrow {
        inner_w
    } else {
        (inner_w - 2.0 * GAP) / AZ_COUNT as f32
    };
    let card_w = (az_w - 3.0 * GAP) / 2.0;
    let per_row_segments = (((card_w - 10.0) / (seg_size + SEGMENT_GAP)).floor() as usize).max(1);

    // How much each AZ holds, so every AZ column gets the same rows in the wide arrangement.
    let mut instances: Vec<Vec<NodeId>> = vec![Vec::new(); AZ_COUNT];
    let mut writer_first: Vec<&aurora_core::view::InstanceView> = view.instances.iter().collect();
    writer_first.sort_by_key(|i| (!i.is_writer, i.role == Role::Writer, i.node));
    for i in writer_first {
        if let Some(az) = az_of(view, i.node).filter(|_| home(i.node)) {
            instances[az].push(i.node);
        }
    }
    // Instances outside the cluster's list: a secondary region's replicas, or a failed old
    // primary's instances.
    for n in &view.nodes {
        let listed = view.instances.iter().any(|i| i.node == n.id);
        if n.kind == NodeKind::Instance && !listed && home(n.id) {
            if let Some(az) = az_of(view, n.id) {
                instances[az].push(n.id);
            }
        }
    }
    let mut storage: Vec<Vec<NodeId>> = vec![Vec::new(); AZ_COUNT];
    let mut clients: Vec<Vec<NodeId>> = vec![Vec::new(); AZ_COUNT];
    let mut stores = Vec::new();
    for n in &view.nodes {
        match n.kind {
            NodeKind::Storage if home(n.id) => {
                if let Some(az) = az_of(view, n.id) {
                    storage[az].push(n.id);
                }
            }
            NodeKind::Client => {
                if let Some(az) = az_of(view, n.id) {
                    clients[az].push(n.id);
                }
            }
            NodeKind::ObjectStore if home(n.id) => stores.push(n.id),
            _ => {}
        }
    }
    let max_segments = view
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Storage)
        .map(|n| n.segments.len())
        .max()
        .unwrap_or(0)
        .max(1);
    let segment_rows = max_segments.div_ceil(per_row_segments);
    let storage_h = STORAGE_HEADER + segment_rows as f32 * (seg_size + SEGMENT_GAP) + 6.0;
    let clients_per_row = (((az_w - 70.0) / client_pitch).floor() as usize).max(1);

    let block = |az: usize| -> (usize, usize, usize) {
        let c = clients[az].len().div_ceil(clients_per_row);
        let i = instances[az].len().div_ceil(2).max(1);
        let s = storage[az].len().div_ceil(2).max(1);
        (c, i, s)
    };
    let uniform = (0..AZ_COUNT)
        .map(block)
        .fold((0, 0, 0), |a, b| (a.0.max(b.0), a.1.max(b.1), a.2.max(b.2)));
    let mut az_bottom: f32 = y;
    for az in 0..AZ_COUNT {
        let (c_rows, i_rows, s_rows) = if narrow { block(az) } else { uniform };
        let x = if narrow {
            inner_x
        } else {
            inner_x + az as f32 * (az_w + GAP)
        };
        let top = if narrow { az_bottom } else { y };
        let mut cy = top + AZ_HEADER;
        // Clients.
        let rows_h = c_rows as f32 * CLIENT_ROW;
        l.client_rows
            .push(Rect::new(x + GAP, cy, az_w - 2.0 * GAP, rows_h));
        for (k, &c) in clients[az].iter().enumerate() {
            let col = (k % clients_per_row) as f32;
            let row = (k / clients_per_row) as f32;
            let pos = (
                x + GAP + 64.0 + col * client_pitch + client_pitch / 2.0,
                cy + row * CLIENT_ROW + CLIENT_ROW / 2.0,
            );
            l.clients.push((c, pos));
            set(&mut l.anchors, c, pos);
        }
        cy += rows_h;
        // Instances, two per row.
        for (k, &node) in instances[az].iter().enumerate() {
            let r = Rect::new(
                x + GAP + (k % 2) as f32 * (card_w + GAP),
                cy + (k / 2) as f32 * (INSTANCE_H + GAP),
                card_w,
                INSTANCE_H,
            );
            l.instances.push((node, r));
            set(&mut l.anchors, node, r.center());
        }
        cy += i_rows as f32 * (INSTANCE_H + GAP) + GAP;
        // Storage nodes, two per row, with their segments.
        for (k, &node) in storage[az].iter().enumerate() {
            let r = Rect::new(
                x + GAP + (k % 2) as f32 * (card_w + GAP),
                cy + (k / 2) as f32 * (storage_h + GAP),
                card_w,
                storage_h,
            );
            l.storage.push((node, r));
            set(
                &mut l.anchors,
                node,
                (r.x + r.w / 2.0, r.y + STORAGE_HEADER / 2.0),
            );
            if let Some(n) = view.node(node) {
                for (s, &seg) in n.segments.iter().enumerate() {
                    let col = (s % per_row_segments) as f32;
                    let row = (s / per_row_segments) as f32;
                    l.segments.push((
                        seg,
                        Rect::new(
                            r.x + 6.0 + col * (seg_size + SEGMENT_GAP),
                            r.y + STORAGE_HEADER + row * (seg_size + SEGMENT_GAP),
                            seg_size,
                            seg_size,
                        ),
                    ));
                }
            }
        }
        cy += s_rows as f32 * (storage_h + GAP);
        let rect = Rect::new(x, top, az_w, cy - top);
        l.azs.push(rect);
        az_bottom = rect.bottom() + GAP;
    }
    y = if narrow {
        az_bottom
    } else {
        l.azs.iter().map(Rect::bottom).fold(y, f32::max) + GAP
    };

    // Protection groups.
    let chips_per_row = if narrow { 1 } else { 4 };
    let chip_w = (inner_w - (chips_per_row - 1) as f32 * GAP) / chips_per_row as f32;
    let pgs: &[aurora_core::view::PgView] = if volume_here { &view.pgs } else { &[] };
    for (k, pg) in pgs.iter().enumerate() {
        let r = Rect::new(
            inner_x + (k % chips_per_row) as f32 * (chip_w + GAP),
            y + 18.0 + (k / chips_per_row) as f32 * (PG_CHIP_H + GAP),
            chip_w,
            PG_CHIP_H,
        );
        l.pgs.push((pg.id, r));
    }
    if !pgs.is_empty() {
        y += 18.0 + pgs.len().div_ceil(chips_per_row) as f32 * (PG_CHIP_H + GAP);
    }

    // The object stores, side by side, each wide enough for S3's backup line ("10025000
    // behind VDL · restorable to 120 s"); stacked when the row cannot give each that width
    // (a phone with S3 and a replication server).
    let full = width - 4.0 * PAD;
    let room = (full - stores.len().saturating_sub(1) as f32 * GAP) / stores.len().max(1) as f32;
    let stacked = stores.len() > 1 && room < STORE_MIN_W;
    let store_w = if stacked { full } else { room }.min(if narrow { 280.0 } else { 300.0 });
    let total = if stacked {
        store_w
    } else {
        stores.len() as f32 * (store_w + GAP) - GAP
    };
    let mut sx = (width - total) / 2.0;
    for &s in &stores {
        let r = Rect::new(sx, y, store_w, S3_H);
        l.stores.push((s, r));
        set(&mut l.anchors, s, r.center());
        if stacked {
            y += S3_H + GAP;
        } else {
            sx += store_w + GAP;
        }
    }
    if !stores.is_empty() && !stacked {
        y += S3_H + GAP;
    }
    l.region = Rect::new(PAD, region_top, width - 2.0 * PAD, y - region_top);
    y = l.region.bottom() + GAP;

    // Clusters restored or cloned from this one: a card each, beside the cluster they came from.
    if volume_here && !view.backup.clusters.is_empty() {
        let per_row = if narrow { 1 } else { 3 };
        let card_w = (width - 2.0 * PAD - (per_row - 1) as f32 * GAP) / per_row as f32;
        for (k, c) in view.backup.clusters.iter().enumerate() {
            let rect = Rect::new(
                PAD + (k % per_row) as f32 * (card_w + GAP),
                y + (k / per_row) as f32 * (CLUSTER_CARD_H + GAP),
                card_w,
                CLUSTER_CARD_H,
            );
            l.clusters.push((c.id, rect));
        }
        y += view.backup.clusters.len().div_ceil(per_row) as f32 * (CLUSTER_CARD_H + GAP);
    }

    // Other regions: a card each, standing for all of their nodes.
    let others: Vec<u8> = view
        .regions
        .iter()
        .map(|r| r.id.0)
        .filter(|&r| r != shown)
        .collect();
    if !others.is_empty() {
        let cards_per_row = if narrow { 1 } else { 3 };
        let card_w = (width - 2.0 * PAD - (cards_per_row - 1) as f32 * GAP) / cards_per_row as f32;
        for (k, &r) in others.iter().enumerate() {
            let rect = Rect::new(
                PAD + (k % cards_per_row) as f32 * (card_w + GAP),
                y + (k / cards_per_row) as f32 * (REGION_CARD_H + GAP),
                card_w,
                REGION_CARD_H,
            );
            l.regions.push((r, rect));
        }
        y += others.len().div_ceil(cards_per_row) as f32 * (REGION_CARD_H + GAP);
        for n in view.nodes.iter().filter(|n| n.kind != NodeKind::Client) {
            let r = region(n.id);
            if r != shown {
                if let Some((_, rect)) = l.regions.iter().find(|(id, _)| *id == r) {
                    set(&mut l.anchors, n.id, rect.center());
                }
            }
        }
    }
    if let Some((dns, pos)) = l.dns {
        set(&mut l.anchors, dns, pos);
    }
    l.height = y + PAD;
    l
}

fn set(anchors: &mut [Option<(f32, f32)>], node: NodeId, pos: (f32, f32)) {
    if let Some(slot) = anchors.get_mut(node.index()) {
        *slot = Some(pos);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurora_core::scenario;

    fn view_of(name: &str) -> (View, Vec<u8>) {
        let Some(s) = scenario::find(name) else {
            panic!("scenario {name} exists")
        };
        let mut sim = s.start(1);
        sim.run_until(aurora_core::SimTime::from_micros(50_000));
        let view = sim.view();
        let regions = view.nodes.iter().map(|n| n.region.0).collect();
        (view, regions)
    }

    fn overlaps(a: &Rect, b: &Rect) -> bool {
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
    }

    #[test]
    fn every_node_that_sends_has_a_place_and_cards_never_overlap() {
        for name in ["replicas", "e-commerce", "storage-growth", "global-lag"] {
            for narrow in [false, true] {
                let (view, regions) = view_of(name);
                let l = layout(&view, &regions, 0, narrow);
                for n in &view.nodes {
                    assert!(l.anchor(n.id).is_some(), "{name}: {} has a place", n.name);
                }
                let mut cards: Vec<Rect> = l.instances.iter().map(|c| c.1).collect();
                cards.extend(l.storage.iter().map(|c| c.1));
                cards.extend(l.pgs.iter().map(|c| c.1));
                cards.extend(l.stores.iter().map(|c| c.1));
                cards.extend(l.clusters.iter().map(|c| c.1));
                for (i, a) in cards.iter().enumerate() {
                    assert!(
                        a.x >= 0.0 && a.x + a.w <= l.width,
                        "{name}: inside the width"
                    );
                    assert!(a.bottom() <= l.height);
                    for b in &cards[i + 1..] {
                        assert!(!overlaps(a, b), "{name} narrow={narrow}: {a:?} and {b:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn s3_holds_its_backup_line_on_a_desktop_and_a_phone() {
        let line = "10025000 behind VDL · restorable to 120 s";
        let need = crate::components::diagram::parts::text_width(line, 11.0) + 12.0;
        assert!(STORE_MIN_W >= need, "{STORE_MIN_W} < {need}");
        // Alone, and beside a Global Database's replication server.
        for scenario in ["replicas", "global-lag"] {
            let (view, regions) = view_of(scenario);
            for narrow in [false, true] {
                let l = layout(&view, &regions, 0, narrow);
                assert!(!l.stores.is_empty(), "{scenario}: S3 is drawn");
                for (i, (_, r)) in l.stores.iter().enumerate() {
                    assert!(r.w >= need, "{scenario} narrow {narrow}: {} < {need}", r.w);
                    assert!(r.x >= 0.0 && r.x + r.w <= l.width, "inside the diagram");
                    for (_, b) in &l.stores[i + 1..] {
                        assert!(!overlaps(r, b), "{r:?} and {b:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn wide_puts_zones_side_by_side_and_narrow_stacks_them() {
        let (view, regions) = view_of("replicas");
        let wide = layout(&view, &regions, 0, false);
        assert_eq!(wide.azs.len(), 3);
        assert!(wide.azs[0].y == wide.azs[1].y && wide.azs[0].x < wide.azs[1].x);
        let narrow = layout(&view, &regions, 0, true);
        assert!(narrow.azs[0].bottom() <= narrow.azs[1].y);
        assert_eq!(narrow.width, NARROW);
    }

    #[test]
    fn any_region_opens_as_three_zones_and_the_volume_follows_the_writer() {
        let Some(s) = scenario::find("global-failover") else {
            panic!("global-failover exists")
        };
        let mut sim = s.start(1);
        sim.run_until(aurora_core::SimTime::from_micros(5_000_000));
        let view = sim.view();
        let regions: Vec<u8> = view.nodes.iter().map(|n| n.region.0).collect();
        // Before the failure: the secondary's six storage nodes, two per zone, and its replica.
        let l = layout(&view, &regions, 1, false);
        assert_eq!(l.storage.len(), 6);
        assert_eq!(l.instances.len(), 1);
        assert!(
            l.pgs.is_empty(),
            "a secondary's volume is drawn as its nodes, not PGs"
        );
        assert_eq!(l.regions.len(), 1, "the primary is a card");
        assert_eq!(l.regions[0].0, 0);
        for n in &view.nodes {
            assert!(l.anchor(n.id).is_some(), "{} has a place", n.name);
        }
        // After the failover the writer and its volume are in region 1.
        sim.run_until(aurora_core::SimTime::from_micros(60_000_000));
        let regions: Vec<u8> = view.nodes.iter().map(|n| n.region.0).collect();
        let view = sim.view();
        let l = layout(&view, &regions, 1, false);
        assert!(l.instances.iter().any(|(n, _)| *n == view.writer.node));
        assert_eq!(l.pgs.len(), view.pgs.len());
        let old = layout(&view, &regions, 0, false);
        assert!(old.pgs.is_empty());
        assert!(
            !old.instances.is_empty(),
            "the old primary's instances are still drawn"
        );
    }

    #[test]
    fn restored_and_cloned_clusters_stand_beside_the_cluster_without_overlap() {
        use aurora_core::backup::BackupCommand;
        let Some(s) = scenario::find("clone") else {
            panic!("clone exists")
        };
        let mut sim = s.start(1);
        sim.run_until(aurora_core::SimTime::from_micros(30_000_000));
        for _ in 0..4 {
            sim.apply(aurora_core::Command::Backup(BackupCommand::Clone {
                source: 0,
                region: aurora_core::ids::RegionId(0),
                backtrack_hours: 0,
            }))
            .expect("a clone");
        }
        let view = sim.view();
        let regions: Vec<u8> = view.nodes.iter().map(|n| n.region.0).collect();
        for narrow in [false, true] {
            let l = layout(&view, &regions, 0, narrow);
            assert_eq!(l.clusters.len(), 5, "the scenario's clone and four more");
            let mut cards: Vec<Rect> = l.clusters.iter().map(|c| c.1).collect();
            for a in &cards {
                assert!(a.y >= l.region.bottom(), "below the cluster's own region");
            }
            cards.extend(l.stores.iter().map(|c| c.1));
            for (i, a) in cards.iter().enumerate() {
                assert!(a.bottom() <= l.height && a.x + a.w <= l.width);
                for b in &cards[i + 1..] {
                    assert!(!overlaps(a, b), "{a:?} and {b:?}");
                }
            }
        }
    }

    #[test]
    fn every_line_of_a_cluster_card_fits_the_card_on_a_desktop_and_a_phone() {
        use crate::components::diagram::parts::{fitting, text_width};
        use aurora_core::backup::BackupCommand;
        let Some(s) = scenario::find("clone") else {
            panic!("clone exists")
        };
        let mut sim = s.start(1);
        sim.run_until(aurora_core::SimTime::from_micros(30_000_000));
        sim.apply(aurora_core::Command::Backup(BackupCommand::Restore {
            to: aurora_core::SimTime::from_micros(15_000_000),
            backtrack_hours: 0,
        }))
        .expect("a restore");
        let regions: Vec<u8> = sim.view().nodes.iter().map(|n| n.region.0).collect();
        // Once being created and once available, the lines' words differ.
        for until in [31, 30 + 20 * 60] {
            sim.run_until(aurora_core::SimTime::from_micros(until * 1_000_000));
            let view = sim.view();
            for narrow in [false, true] {
                let l = layout(&view, &regions, 0, narrow);
                assert!(
                    l.clusters.len() >= 2,
                    "the scenario's clone and the restore"
                );
                for (id, r) in &l.clusters {
                    let Some(c) = view.backup.cluster(*id) else {
                        panic!("cluster {id} is in the view")
                    };
                    let row = crate::backups::cluster_row(c);
                    let room = r.w - 20.0;
                    let line = fitting(&row.card_title, room, 12.5);
                    assert!(text_width(&line, 12.5) <= room, "\"{line}\"");
                    for lines in [&row.card_state, &row.card_storage, &row.card_pages] {
                        if lines.is_empty() {
                            continue;
                        }
                        let line = fitting(lines, room, 11.0);
                        assert!(
                            text_width(&line, 11.0) <= room,
                            "narrow {narrow}: \"{line}\" is wider than {room}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_segment_sits_inside_its_storage_node() {
        let (view, regions) = view_of("storage-growth");
        let l = layout(&view, &regions, 0, false);
        assert_eq!(l.segments.len(), view.segments.len());
        for (seg, r) in &l.segments {
            let Some(s) = view.segment(*seg) else {
                panic!("segment exists")
            };
            let Some((_, card)) = l.storage.iter().find(|(n, _)| *n == s.node) else {
                panic!("its node is drawn")
            };
            assert!(r.x >= card.x && r.x + r.w <= card.x + card.w);
            assert!(r.y >= card.y && r.bottom() <= card.bottom());
        }
    }
}
