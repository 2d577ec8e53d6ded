//! Where a lesson's highlights are on the page: the diagram's rectangles for the parts the
//! core resolved, and the panels a step points at (rung by a data attribute the stylesheet
//! draws, so the panels themselves need not know about lessons: see the lesson panel).

use aurora_core::endpoint::EndpointId;
use aurora_core::ids::NodeId;
use aurora_core::lesson::{EndpointRef, Highlight, Panel};
use aurora_core::view::View;

use crate::layout::{Layout, Rect};

/// The diagram's rectangles for `highlights`, and the panels to ring.
pub fn rings(
    highlights: &[(Highlight, Option<NodeId>)],
    view: &View,
    l: &Layout,
) -> (Vec<Rect>, Vec<Panel>) {
    let mut rects = Vec::new();
    let mut panels = Vec::new();
    let dot = |(x, y): (f32, f32), r: f32| Rect::new(x - r, y - r, 2.0 * r, 2.0 * r);
    for (h, node) in highlights {
        let rect = match h {
            Highlight::Az(z) => l.azs.get(usize::from(*z)).copied(),
            Highlight::Node(_) => node.and_then(|id| {
                let boxed =
                    |list: &[(NodeId, Rect)]| list.iter().find(|(n, _)| *n == id).map(|x| x.1);
                boxed(&l.instances)
                    .or_else(|| boxed(&l.storage))
                    .or_else(|| boxed(&l.stores))
                    .or_else(|| {
                        l.clients
                            .iter()
                            .find(|(n, _)| *n == id)
                            .map(|c| dot(c.1, 10.0))
                    })
                    .or_else(|| l.dns.filter(|d| d.0 == id).map(|d| dot(d.1, 20.0)))
            }),
            Highlight::Segment(s) => l.segments.iter().find(|(id, _)| id.0 == *s).map(|x| x.1),
            Highlight::Pg(p) => l.pgs.iter().find(|(id, _)| id.0 == *p).map(|x| x.1),
            Highlight::Endpoint(e) => view
                .endpoints
                .iter()
                .position(|v| match e {
                    EndpointRef::Cluster => v.id == EndpointId::Cluster,
                    EndpointRef::Reader => v.id == EndpointId::Reader,
                    EndpointRef::Custom(name) => {
                        matches!(v.id, EndpointId::Custom(_)) && v.label.contains(name.as_str())
                    }
                })
                .and_then(|i| l.endpoints.get(i).copied()),
            Highlight::Region(r) => l.regions.iter().find(|(id, _)| id == r).map(|x| x.1),
            Highlight::Panel(p) => {
                panels.push(*p);
                None
            }
            Highlight::Figure(f) => {
                panels.push(panel_of(f.name()));
                None
            }
        };
        rects.extend(rect);
    }
    (rects, panels)
}

/// The panel where the page shows a live figure, by the figure's name.
pub fn panel_of(figure: &str) -> Panel {
    let starts = |p: &[&str]| p.iter().any(|p| figure.starts_with(p));
    if starts(&[
        "failover",
        "old_writer",
        "new_writer",
        "recovery",
        "client_write",
    ]) {
        Panel::Failover
    } else if starts(&["writer_acu", "peak_acu", "acu", "cost", "resume"]) {
        Panel::Capacity
    } else if starts(&["secondary", "global", "rpo", "rto", "region", "forward"]) {
        Panel::World
    } else {
        Panel::Measurements
    }
}

/// The selector of a panel on the page.
pub fn selector(p: Panel) -> &'static str {
    match p {
        Panel::Playback => ".playback",
        Panel::Faults => ".panel.faults",
        Panel::Inspector => ".panel.inspector",
        Panel::Failover => ".panel.recovery",
        Panel::Measurements => ".panel.charts",
        Panel::Capacity => ".panel.capacity",
        Panel::World => ".panel.world",
        Panel::Setup => ".panel.setup",
        Panel::EventLog => ".panel.log",
        Panel::Backups => ".panel.backups",
        Panel::Compare => ".panel.compare",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurora_core::scenario;

    #[test]
    fn every_highlight_of_the_diagram_finds_its_place() {
        let Some(s) = scenario::find("replicas") else {
            panic!("the replicas scenario exists");
        };
        let sim = s.start(1);
        let view = sim.view();
        let regions: Vec<u8> = view.nodes.iter().map(|n| n.region.0).collect();
        let l = crate::layout::layout(&view, &regions, 0, false);
        let writer = view.writer.node;
        let hs = vec![
            (Highlight::Az(2), None),
            (
                Highlight::Node(aurora_core::lesson::NodeRef::Writer),
                Some(writer),
            ),
            (Highlight::Pg(0), None),
            (Highlight::Segment(0), None),
            (Highlight::Endpoint(EndpointRef::Reader), None),
            (Highlight::Panel(Panel::Failover), None),
            (
                Highlight::Figure(aurora_core::lesson::FigureId::ReplicaLagP99Ms),
                None,
            ),
        ];
        let (rects, panels) = rings(&hs, &view, &l);
        assert_eq!(rects.len(), 5, "{rects:?}");
        assert_eq!(rects[0], l.azs[2]);
        assert_eq!(panels, [Panel::Failover, Panel::Measurements]);
        // A part that is not drawn rings nothing rather than something else.
        let (rects, _) = rings(&[(Highlight::Pg(999), None)], &view, &l);
        assert!(rects.is_empty());
    }

    #[test]
    fn figures_ring_the_panel_that_shows_them() {
        assert_eq!(panel_of("failover_total_s"), Panel::Failover);
        assert_eq!(panel_of("writer_acu"), Panel::Capacity);
        assert_eq!(panel_of("replica_lag_p99_ms"), Panel::Measurements);
        assert_eq!(panel_of("secondary_regions"), Panel::World);
    }
}
