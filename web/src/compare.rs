//! The Compare view's data: the mirrored-MySQL run kept beside the page's `Sim`, its messages
//! and the Aurora model's placed on the two drawings, and the live table. The numbers are the
//! core's ([`aurora_core::baseline::compare::live_table`]); this module only lays them out.

use aurora_core::baseline::compare::{live_table, Beside};
use aurora_core::baseline::params::{
    AWS_CLAIM_VS_MYSQL, AWS_CLAIM_VS_POSTGRESQL, TABLE1_AURORA_TXNS, TABLE1_MYSQL_TXNS,
};
use aurora_core::baseline::WriteType;
use aurora_core::event::MsgKind;
use aurora_core::topology::NodeKind;
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
    pub claims: String,
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
pub fn data(sim: &Sim, beside: &Beside, aurora_flights: &[Flight]) -> CompareData {
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
    let topo = sim.topology();
    let writer = sim.writer().node;
    let aurora_place = |n: aurora_core::ids::NodeId| {
        let node = topo.get(n)?;
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
        .iter()
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
        label: "network bytes".into(),
        mysql: crate::format::bytes(t.mysql_network_bytes),
        aurora: crate::format::bytes(t.aurora_network_bytes),
    });
    let cfg = sim.clients().config;
    let claims = format!(
        "Aurora's transactions over mirrored MySQL's: this model {}×; P17 Table 1 measured {}× (27,378,000 against 780,000 in 30 minutes). AWS's claim (BLOG-POC), not a figure of this model: up to {}× MySQL's throughput and {}× PostgreSQL's.",
        fixed(t.txn_ratio(), 1),
        fixed(TABLE1_AURORA_TXNS as f64 / TABLE1_MYSQL_TXNS as f64, 1),
        fixed(AWS_CLAIM_VS_MYSQL, 0),
        fixed(AWS_CLAIM_VS_POSTGRESQL, 0),
    );
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
        aurora_writer_up: topo.is_up(writer),
        mysql_dots,
        aurora_dots,
        rows,
        claims,
    }
}
