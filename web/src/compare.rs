//! The Compare view's data: the mirrored-MySQL run kept beside the page's `Sim`, its messages
//! and the Aurora model's placed on the two drawings, and the live table. The numbers are the
//! core's ([`aurora_core::baseline::compare::live_table`]); this module only lays them out.

use aurora_core::baseline::compare::{live_table, Beside};
use aurora_core::baseline::params::{
    AWS_CLAIM_VS_MYSQL, AWS_CLAIM_VS_POSTGRESQL, TABLE1_AURORA_IOS_PER_TXN, TABLE1_AURORA_TXNS,
    TABLE1_MYSQL_IOS_PER_TXN, TABLE1_MYSQL_TXNS,
};
use aurora_core::baseline::WriteType;
use aurora_core::event::MsgKind;
use aurora_core::topology::NodeKind;
use aurora_core::view::View;
use aurora_core::Sim;

use crate::traffic::Flight;

/// Fixed positions of the two drawings (SVG user units).
pub mod pos {
    pub const CLIENTS: (f64, f64) = (210.0, 24.0);
    pub const PRIMARY: (f64, f64) = (105.0, 95.0);
    pub const EBS1: (f64, f64) = (105.0, 160.0);
    pub const MIRROR1: (f64, f64) = (105.0, 220.0);
    pub const STANDBY: (f64, f64) = (315.0, 95.0);
    pub const EBS2: (f64, f64) = (315.0, 160.0);
    pub const MIRROR2: (f64, f64) = (315.0, 220.0);
    pub const WRITER: (f64, f64) = (210.0, 95.0);
    pub fn seg_x(az: usize) -> f64 {
        70.0 + 140.0 * az as f64
    }
    /// Segment `s` (0–5): two per AZ.
    pub fn segment(s: usize) -> (f64, f64) {
        (seg_x(s / 2), 190.0 + 40.0 * (s % 2) as f64)
    }
}

/// A message drawn as a dot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dot {
    pub x: f64,
    pub y: f64,
    pub class: &'static str,
}

/// One line of the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub label: String,
    pub mysql: String,
    pub aurora: String,
}

/// Everything the Compare component draws.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct CompareData {
    pub caption: String,
    pub clients_label: String,
    pub mysql_roles: (String, String),
    pub mysql_primary_up: bool,
    pub aurora_writer_up: bool,
    pub mysql_dots: Vec<Dot>,
    pub aurora_dots: Vec<Dot>,
    pub rows: Vec<Row>,
    /// Aurora against MySQL as AWS claims it, as the paper measured it and as this run
    /// measures it: (who says, transactions, I/Os).
    pub claims: Vec<Row>,
}

/// Keeps the mirrored run beside the page's `Sim`: rebuilt when the run changes or rewinds,
/// moved forward with it otherwise. `None` for scenarios that are not comparisons.
pub fn sync(slot: &mut Option<Beside>, scenario: &str, sim: &Sim) -> bool {
    let keep = slot.as_ref().is_some_and(|b| b.follows(sim));
    if !keep {
        *slot = Beside::for_scenario(scenario, sim);
    }
    match slot {
        Some(b) => {
            b.advance_to(sim.now());
            true
        }
        None => false,
    }
}

fn lerp(a: (f64, f64), b: (f64, f64), t: f64) -> (f64, f64) {
    (a.0 + (b.0 - a.0) * t, a.1 + (b.1 - a.1) * t)
}

fn write_class(t: Option<WriteType>) -> &'static str {
    match t {
        Some(WriteType::Log) => "log",
        Some(WriteType::Binlog) => "binlog",
        Some(WriteType::Data) => "data",
        Some(WriteType::DoubleWrite) => "doublewrite",
        Some(WriteType::Frm) => "frm",
        None => "client",
    }
}

fn fixed(x: f64, places: usize) -> String {
    format!("{x:.places$}")
}

/// Builds what the view draws at the `Sim`'s current time.
///
/// Both drawings place what is on the wire at `now`: the mirrored model's recent messages and
/// the Aurora model's ([`crate::traffic::Traffic::in_air`]), fast or slow, so both animate at
/// every speed (the diagram's own flights keep only messages slow enough to follow by eye).
pub fn data<'a>(
    sim: &Sim,
    view: &View,
    beside: &Beside,
    aurora_flights: impl IntoIterator<Item = &'a Flight>,
) -> CompareData {
    use pos::*;
    let now = sim.now();
    let m = &beside.mysql;
    let (primary, standby) = (m.primary(), m.standby());
    // Where a mirrored node is drawn: boxes stay in their AZ whatever their role.
    let place = |n| {
        let sites = [(PRIMARY, EBS1, MIRROR1), (STANDBY, EBS2, MIRROR2)];
        let i = n as usize;
        if m.clients().iter().any(|c| c.0 == n) {
            return Some(CLIENTS);
        }
        // Nodes 0–2 are AZ 1's instance, EBS and mirror; 3–5 AZ 2's.
        let site = sites.get(i / 3)?;
        Some([site.0, site.1, site.2][i % 3])
    };
    let at = |f: &aurora_core::baseline::Flight| {
        let span = f
            .arrives
            .as_micros()
            .saturating_sub(f.sent.as_micros())
            .max(1);
        now.as_micros().saturating_sub(f.sent.as_micros()) as f64 / span as f64
    };
    let mysql_dots = m
        .recent()
        .filter(|f| f.sent <= now && f.arrives > now)
        .filter_map(|f| {
            let (a, b) = (place(f.from.0)?, place(f.to.0)?);
            let (x, y) = lerp(a, b, at(f).clamp(0.0, 1.0));
            Some(Dot {
                x,
                y,
                class: write_class(f.kind),
            })
        })
        .collect();
    let writer = view.writer.node;
    let aurora_place = |n: aurora_core::ids::NodeId| {
        let node = view.node(n)?;
        match node.kind {
            NodeKind::Client => Some(CLIENTS),
            NodeKind::Instance if n == writer => Some(WRITER),
            NodeKind::Storage => {
                let az = node.az.map_or(0, |z| z.index()).min(2);
                Some(segment(az * 2 + (node.ordinal as usize + 1) % 2))
            }
            _ => None,
        }
    };
    let aurora_dots = aurora_flights
        .into_iter()
        .filter(|f| f.sent <= now && f.arrives > now)
        .filter(|f| {
            matches!(
                f.kind,
                MsgKind::RedoBatch | MsgKind::Ack | MsgKind::Query | MsgKind::Answer
            )
        })
        .filter_map(|f| {
            let (a, b) = (aurora_place(f.from)?, aurora_place(f.to)?);
            let (x, y) = lerp(a, b, f.progress(now));
            let class = if matches!(f.kind, MsgKind::RedoBatch | MsgKind::Ack) {
                "log"
            } else {
                "client"
            };
            Some(Dot { x, y, class })
        })
        .collect();
    let t = live_table(sim, m);
    let mut rows: Vec<Row> = WriteType::ALL
        .iter()
        .map(|&w| Row {
            label: format!("{} I/Os per transaction", w.label()),
            mysql: fixed(t.mysql_by_type[w.index()], 2),
            aurora: if w == WriteType::Log {
                fixed(t.aurora_ios_per_txn, 2)
            } else {
                "none: not written".into()
            },
        })
        .collect();
    rows.push(Row {
        label: "all I/Os per transaction".into(),
        mysql: fixed(t.mysql_ios_per_txn, 2),
        aurora: fixed(t.aurora_ios_per_txn, 2),
    });
    rows.push(Row {
        label: "transactions sharing one write (commit group / boxcar)".into(),
        mysql: fixed(t.mysql_txns_per_group, 1),
        aurora: fixed(t.aurora_txns_per_boxcar, 1),
    });
    rows.push(Row {
        label: "transactions committed".into(),
        mysql: t.mysql_commits.to_string(),
        aurora: t.aurora_commits.to_string(),
    });
    rows.push(Row {
        label: "transactions per second".into(),
        mysql: fixed(t.mysql_txn_per_sec, 0),
        aurora: fixed(t.aurora_txn_per_sec, 0),
    });
    rows.push(Row {
        label: "network bytes of the write path (writes and their acks)".into(),
        mysql: crate::format::bytes(t.mysql_network_bytes),
        aurora: crate::format::bytes(t.aurora_network_bytes),
    });
    let cfg = view.load.clients;
    let claims = vec![
        Row {
            label: "AWS's claim (BLOG-POC), not a figure of this model".into(),
            mysql: format!(
                "up to {}× MySQL's throughput ({}× PostgreSQL's)",
                fixed(AWS_CLAIM_VS_MYSQL, 0),
                fixed(AWS_CLAIM_VS_POSTGRESQL, 0)
            ),
            aurora: "no I/O figure claimed".into(),
        },
        Row {
            label: "P17 Table 1, measured: SysBench write-only, 100 GB, 30 minutes".into(),
            mysql: format!(
                "{}× the transactions (27,378,000 against 780,000)",
                fixed(TABLE1_AURORA_TXNS as f64 / TABLE1_MYSQL_TXNS as f64, 1)
            ),
            aurora: format!(
                "{}× fewer I/Os per transaction (0.95 against 7.4)",
                fixed(TABLE1_MYSQL_IOS_PER_TXN / TABLE1_AURORA_IOS_PER_TXN, 1)
            ),
        },
        Row {
            label: "This model, this run".into(),
            mysql: format!("{}× the transactions", fixed(t.txn_ratio(), 1)),
            aurora: format!("{}× fewer I/Os per transaction", fixed(t.io_ratio(), 1)),
        },
    ];
    let _ = primary;
    let az1_up = m.topology().is_up(aurora_core::ids::NodeId(0));
    let roles = match (standby.is_some(), az1_up) {
        (true, true) => ("primary".to_string(), "standby".to_string()),
        (true, false) => ("primary (failed)".to_string(), "standby".to_string()),
        (false, _) => ("old primary".to_string(), "new primary".to_string()),
    };
    CompareData {
        caption: format!(
            "Both models get the same {} clients offering {} requests per second ({}% reads); the dots are their messages now.",
            cfg.clients,
            cfg.requests_per_sec,
            cfg.read_ppm / 10_000
        ),
        clients_label: format!("{} clients", cfg.clients),
        mysql_roles: roles,
        mysql_primary_up: az1_up,
        aurora_writer_up: view.writer.up,
        mysql_dots,
        aurora_dots,
        rows,
        claims,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playback::Playback;
    use aurora_core::SimTime;

    /// At 1× (a frame moves the model by milliseconds, longer than any message is in the air)
    /// the diagram's own flights hold no write-path message, yet both drawings show dots, and
    /// they move from one frame to the next.
    #[test]
    fn both_drawings_animate_at_normal_speed() {
        let Some(s) = aurora_core::scenario::find("mysql-vs-aurora") else {
            panic!("the scenario exists");
        };
        let mut pb = Playback::new(s, 1, Vec::new());
        let mut beside = None;
        let mut frames = Vec::new();
        for frame in 1..=3u64 {
            let t = SimTime::from_micros(200_000 + frame * 16_000);
            pb.run(t, 1.0, frame as f64 * 16.0, true, None);
            assert!(sync(&mut beside, s.name, pb.sim()));
            let Some(b) = beside.as_ref() else {
                panic!("a comparison keeps its mirrored run");
            };
            let d = data(pb.sim(), &pb.sim().view(), b, &pb.traffic.in_air);
            assert!(
                !pb.traffic
                    .flights
                    .iter()
                    .any(|f| f.kind == MsgKind::RedoBatch),
                "at 1× no redo batch is slow enough to be a flight"
            );
            assert!(!d.aurora_dots.is_empty(), "frame {frame}: Aurora's dots");
            assert!(
                !d.mysql_dots.is_empty(),
                "frame {frame}: mirrored MySQL's dots"
            );
            frames.push(d.aurora_dots);
        }
        assert_ne!(frames[0], frames[1], "the dots move");
    }

    /// The network-bytes row counts the same thing on both sides: the write path's messages
    /// (the writes and their acknowledgements), not the clients' or the background's.
    #[test]
    fn network_bytes_count_the_write_path_on_both_sides() {
        let Some(s) = aurora_core::scenario::find("mysql-vs-aurora") else {
            panic!("the scenario exists");
        };
        let mut pb = Playback::new(s, 1, Vec::new());
        pb.run(SimTime::from_micros(300_000), 1.0, 0.0, false, None);
        let mut beside = None;
        assert!(sync(&mut beside, s.name, pb.sim()));
        let Some(b) = beside.as_ref() else {
            panic!("a comparison keeps its mirrored run");
        };
        let t = live_table(pb.sim(), &b.mysql);
        let m = pb.sim().metrics();
        assert!(t.aurora_network_bytes > 0);
        assert!(
            t.aurora_network_bytes < pb.sim().network_bytes(),
            "clients, DNS and the background are left out"
        );
        assert_eq!(t.aurora_network_bytes, m.write_path_bytes);
        let d = data(pb.sim(), &pb.sim().view(), b, &pb.traffic.in_air);
        assert!(d.rows.iter().any(|r| r.label.contains("write path")));
    }
}
