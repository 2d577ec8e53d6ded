//! The Backups panel's and the diagram's words and shapes for continuous backup, restores,
//! Backtrack and clones: plain data made from the core's [`BackupView`], so the components
//! only draw. Every figure here is the core's; this module only words it and places it on the
//! panel's timeline (from the run's start to now).

use aurora_core::backup_view::{BackupView, ClusterKind, ClusterView, PageVersion, PageView};
use aurora_core::{SimDuration, SimTime};

use crate::format;

/// A point in the run, in whole seconds, as the panel writes it: `95 s`.
pub fn point(t: SimTime) -> String {
    format!("{} s", t.as_micros() / 1_000_000)
}

/// Reads a point in the run as a person types it: `95`, `95 s`, `1:35` or `0:01:35`.
pub fn parse_point(text: &str) -> Result<u32, String> {
    let t = text.trim().trim_end_matches('s').trim();
    let why = || {
        format!(
            "\"{}\" is not a point in the run: write seconds (95) or minutes and seconds (1:35)",
            text.trim().chars().take(20).collect::<String>()
        )
    };
    if t.is_empty() {
        return Err(why());
    }
    let mut total: u64 = 0;
    let parts: Vec<&str> = t.split(':').collect();
    if parts.len() > 3 {
        return Err(why());
    }
    for (i, part) in parts.iter().enumerate() {
        let v: u64 = part.trim().parse().map_err(|_| why())?;
        if i > 0 && v >= 60 {
            return Err(why());
        }
        total = total.saturating_mul(60).saturating_add(v);
    }
    u32::try_from(total)
        .ok()
        .filter(|&s| s <= crate::actions::MAX_POINT_SECS)
        .ok_or_else(why)
}

/// A mark on the panel's timeline, 0 (the run's start) to 1 (now).
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub at: f64,
    pub label: String,
    pub manual: bool,
}

/// A span on the panel's timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub from: f64,
    pub to: f64,
    pub label: String,
}

/// A restored or cloned cluster, as the panel and the diagram word it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterRow {
    pub id: u32,
    pub name: String,
    pub accessible: String,
    /// What it is: "restored to 60 s", "copy-on-write clone of production".
    pub what: String,
    /// Being created, or its tables.
    pub state: String,
    /// Pages shared, its own, and its source's own, as shares of all pages (a clone only).
    pub pages: Option<(f64, f64, f64)>,
    pub pages_text: Option<String>,
    pub storage: String,
    /// Its writer instance: "writer restored-1-instance-1 (db.r6g.xlarge), available".
    pub writer: String,
    /// The diagram card's lines, each from its longest wording to its shortest: the card
    /// draws the longest that fits its width.
    pub card_title: Vec<String>,
    pub card_state: Vec<String>,
    pub card_storage: Vec<String>,
    pub card_pages: Vec<String>,
    pub progress: f64,
    pub available: bool,
    pub writing: bool,
}

/// Everything the Backups panel shows.
#[derive(Clone, Debug, PartialEq)]
pub struct BackupsData {
    pub now: SimTime,
    pub engine: String,
    pub retention: String,
    /// S3's backed-up point beside VDL.
    pub s3: String,
    /// The restorable window on the timeline, once S3 holds a consistent point.
    pub window: Option<Span>,
    pub window_text: String,
    pub snapshots: Vec<Mark>,
    pub snapshots_text: String,
    /// Backtrack's reachable window on the timeline, when the cluster can backtrack.
    pub backtrack: Option<Span>,
    pub backtrack_text: Vec<String>,
    /// Production's tables: "orders: 768 of 768 rows".
    pub tables: Vec<String>,
    pub clusters: Vec<ClusterRow>,
    /// A point a person is likely to want: a minute ago, inside the window.
    pub suggested: u32,
}

fn share(t: SimTime, now: SimTime) -> f64 {
    let span = now.as_micros().max(1_000_000) as f64;
    (t.as_micros() as f64 / span).clamp(0.0, 1.0)
}

fn tables_text(tables: &[aurora_core::backup_view::TableView]) -> Vec<String> {
    tables
        .iter()
        .map(|t| format!("{}: {} of {} rows", t.name, t.live, t.rows))
        .collect()
}

/// The diagram's and the panel's words for one restored or cloned cluster.
pub fn cluster_row(c: &ClusterView) -> ClusterRow {
    let what = match c.kind {
        ClusterKind::Restore { to } => format!("restored to {}", point(to)),
        ClusterKind::Clone { source } => {
            format!(
                "copy-on-write clone of {}",
                aurora_core::backup_view::name(source)
            )
        }
        ClusterKind::FullCopy { source } => {
            format!(
                "full copy of {} (its 16th clone)",
                aurora_core::backup_view::name(source)
            )
        }
    };
    let pages = matches!(c.kind, ClusterKind::Clone { .. }).then(|| {
        let all = f64::from(c.pages.max(1));
        (
            f64::from(c.shared_pages) / all,
            f64::from(c.own_pages) / all,
            f64::from(c.source_own_pages) / all,
        )
    });
    let short_what = match c.kind {
        ClusterKind::Restore { .. } => what.clone(),
        ClusterKind::Clone { .. } => "copy-on-write clone".to_string(),
        ClusterKind::FullCopy { .. } => "full copy".to_string(),
    };
    let card_title = vec![
        format!("{} · {what}", c.name),
        format!("{} · {short_what}", c.name),
        c.name.clone(),
    ];
    let gib = format::bytes(c.volume_bytes);
    let plural = if c.pgs == 1 { "" } else { "s" };
    let card_state = if c.available {
        let short = c
            .tables
            .iter()
            .map(|t| format!("{} {}/{}", t.name, t.live, t.rows))
            .collect::<Vec<_>>()
            .join(" · ");
        vec![tables_text(&c.tables).join(" · "), short]
    } else {
        vec![
            format!(
                "being created: {:.0}%, ready at {}",
                c.progress * 100.0,
                point(c.ready_at)
            ),
            format!("{:.0}%, ready at {}", c.progress * 100.0, point(c.ready_at)),
        ]
    };
    let card_storage = vec![
        format!(
            "{gib} volume, {} PG{plural}, a {} writer, pays for {}",
            c.pgs,
            c.writer_class,
            format::bytes(c.billed_bytes)
        ),
        format!(
            "{gib} volume, {} PG{plural}, a {} writer",
            c.pgs, c.writer_class
        ),
        format!("{gib}, {} PG{plural}, {}", c.pgs, c.writer_class),
    ];
    let card_pages = if pages.is_some() {
        vec![
            format!(
                "shares {} of {} pages; {} its own, {} the source's own since",
                c.shared_pages, c.pages, c.own_pages, c.source_own_pages
            ),
            format!(
                "shares {} of {} pages; {} own, {} source's",
                c.shared_pages, c.pages, c.own_pages, c.source_own_pages
            ),
            format!("shares {} of {} pages", c.shared_pages, c.pages),
        ]
    } else {
        Vec::new()
    };
    ClusterRow {
        id: c.id,
        name: c.name.clone(),
        accessible: c.accessible_name(),
        what,
        // The panel has room for each line's longest wording.
        state: card_state[0].clone(),
        pages,
        pages_text: card_pages.first().cloned(),
        storage: card_storage[0].clone(),
        writer: format!(
            "writer {} ({}), {}",
            c.writer,
            c.writer_class,
            if c.available {
                "available: it serves this cluster's reads and writes"
            } else {
                "being created with the cluster"
            }
        ),
        card_title,
        card_state,
        card_storage,
        card_pages,
        progress: c.progress,
        available: c.available,
        writing: c.writes_per_sec > 0,
    }
}

/// The S3 store's two lines in the diagram: what it holds and how far it trails VDL.
pub fn s3_lines(b: &BackupView) -> (String, String) {
    let behind = b.vdl.0.saturating_sub(b.backed_up.0);
    (
        format!("S3 backup · to LSN {}", b.backed_up),
        match b.latest_restorable {
            Some(t) => format!("{behind} behind VDL · restorable to {}", point(t)),
            None => format!("{behind} behind VDL · nothing restorable yet"),
        },
    )
}

/// The panel's data at `now`.
pub fn data(b: &BackupView, now: SimTime) -> BackupsData {
    let behind = b.vdl.0.saturating_sub(b.backed_up.0);
    let window = b.latest_restorable.map(|latest| Span {
        from: share(b.earliest_restorable, now),
        to: share(latest, now),
        label: format!(
            "restorable {} to {}",
            point(b.earliest_restorable),
            point(latest)
        ),
    });
    let window_text = match b.latest_restorable {
        Some(latest) => format!(
            "Restorable to any second from {} to {}; the latest trails now by {}.",
            point(b.earliest_restorable),
            point(latest),
            format::duration(SimDuration::from_micros(
                now.as_micros().saturating_sub(latest.as_micros())
            ))
        ),
        None => "Nothing is restorable yet: S3 holds no consistent point.".to_string(),
    };
    let snapshots: Vec<Mark> = b
        .snapshots
        .iter()
        .map(|s| Mark {
            at: share(s.time, now),
            label: format!(
                "{} snapshot {} at {}",
                if s.manual { "manual" } else { "automated" },
                s.id,
                point(s.time)
            ),
            manual: s.manual,
        })
        .collect();
    let snapshots_text = if snapshots.is_empty() {
        "No snapshots yet: the automated one is taken daily in the backup window.".to_string()
    } else {
        let labels: Vec<&str> = snapshots.iter().map(|m| m.label.as_str()).collect();
        format!("Snapshots: {}.", labels.join(", "))
    };
    let bt = &b.backtrack;
    let backtrack = bt.earliest.map(|e| Span {
        from: share(e, now),
        to: 1.0,
        label: format!("backtrack {} to now", point(e)),
    });
    let mut backtrack_text = Vec::new();
    match (&bt.unavailable, bt.earliest) {
        (Some(why), _) => backtrack_text.push(format!("Backtrack: not here. {}.", capital(why))),
        (None, Some(e)) => backtrack_text.push(format!(
            "Backtrack: target window {} h; it can reach {} to now, in place.",
            bt.target_hours,
            point(e)
        )),
        (None, None) => {}
    }
    if let Some(until) = bt.paused_until.filter(|u| *u > now) {
        backtrack_text.push(format!(
            "Rewinding: the database is paused and its connections closed until {}.",
            point(until)
        ));
    }
    if let Some((to, landed)) = bt.last {
        backtrack_text.push(format!(
            "Last backtrack: asked for {}, landed on {}; {} later versions undone, {} uncommitted transactions dropped.",
            point(to),
            point(landed),
            bt.undone_versions,
            bt.dropped_commits
        ));
    }
    if bt.unavailable.is_none() && bt.target_hours > 0 {
        backtrack_text.push(format!(
            "Change records billed so far: ${:.6} (example price).",
            bt.cost_usd
        ));
    }
    let minute_ago = now.as_micros().saturating_sub(60_000_000);
    let suggested = b.latest_restorable.map_or(minute_ago, |l| {
        minute_ago
            .max(b.earliest_restorable.as_micros())
            .min(l.as_micros())
    }) / 1_000_000;
    BackupsData {
        now,
        engine: b.engine.to_string(),
        retention: format!(
            "Backups kept {} day{} (1 to 35; they cannot be turned off).",
            b.retention_days,
            if b.retention_days == 1 { "" } else { "s" }
        ),
        s3: format!(
            "S3 holds the log to LSN {} of VDL {} ({behind} behind): storage nodes stage it continuously, in parallel, without the database.",
            b.backed_up, b.vdl
        ),
        window,
        window_text,
        snapshots,
        snapshots_text,
        backtrack,
        backtrack_text,
        tables: tables_text(&b.tables),
        clusters: b.clusters.iter().map(cluster_row).collect(),
        suggested: u32::try_from(suggested).unwrap_or(0),
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn version_text(v: &PageVersion) -> String {
    let what = if v.deleted {
        format!("deleted at LSN {}", v.lsn)
    } else if v.lsn.0 == 0 {
        "as loaded before the run".to_string()
    } else {
        format!("written at LSN {}", v.lsn)
    };
    match v.seen {
        Some(t) => format!("{what}, in S3 from {}", point(t)),
        None => format!("{what}, not yet in a consistent point in S3"),
    }
}

/// The inspector's words for one page: its title and its rows.
pub fn page_lines(p: &PageView) -> (String, Vec<(String, String)>) {
    let mut rows = vec![
        ("Table".to_string(), format!("{}, row {}", p.table, p.row)),
        ("Now".to_string(), version_text(&p.current)),
    ];
    for (i, v) in p.versions.iter().enumerate() {
        rows.push((format!("Version {}", i + 1), version_text(v)));
    }
    for c in &p.clusters {
        let v = if c.deleted {
            format!("deleted at LSN {}", c.lsn)
        } else {
            format!("LSN {}", c.lsn)
        };
        let how = if c.shared {
            "shared with its source"
        } else {
            "its own copy"
        };
        rows.push((c.cluster.clone(), format!("{v}, {how}")));
    }
    (format!("Page {} ({} row {})", p.page, p.table, p.row), rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aurora_core::backup::data::Table;
    use aurora_core::backup::BackupCommand;
    use aurora_core::Command;

    fn secs(s: u64) -> SimTime {
        SimTime::from_micros(s * 1_000_000)
    }

    fn run(name: &str, until: u64) -> aurora_core::Sim {
        let Some(s) = aurora_core::scenario::find(name) else {
            panic!("scenario {name} exists");
        };
        let mut sim = s.start(1);
        sim.run_until(secs(until));
        sim
    }

    #[test]
    fn points_are_read_as_seconds_or_minutes_and_seconds() {
        assert_eq!(parse_point("95"), Ok(95));
        assert_eq!(parse_point(" 95 s "), Ok(95));
        assert_eq!(parse_point("1:35"), Ok(95));
        assert_eq!(parse_point("0:01:35"), Ok(95));
        for bad in ["", "soon", "1:75", "-3", "1:2:3:4", "99999999"] {
            let err = parse_point(bad);
            assert!(
                err.as_ref().is_err_and(|e| e.contains("not a point")),
                "{bad}: {err:?}"
            );
        }
    }

    #[test]
    fn the_panel_shows_the_window_trailing_now_and_s3_behind_vdl() {
        let sim = run("backtrack", 100);
        let b = sim.backup_view();
        let d = data(&b, sim.now());
        let Some(w) = &d.window else {
            panic!("S3 holds a consistent point after 100 s");
        };
        assert!(w.from < 0.05 && w.to < 1.0 && w.to >= 0.85, "{w:?}");
        assert!(
            d.window_text.starts_with("Restorable to any second from"),
            "{}",
            d.window_text
        );
        assert!(d.s3.contains(&format!("of VDL {}", b.vdl)), "{}", d.s3);
        assert_eq!(
            d.tables,
            ["products: 256 of 256 rows", "orders: 768 of 768 rows"]
        );
        assert!(d.backtrack.is_some(), "the shop was created with Backtrack");
        assert!(
            d.backtrack_text[0].contains("target window 24 h"),
            "{:?}",
            d.backtrack_text
        );
        assert!((40..=41).contains(&d.suggested), "{}", d.suggested);
        let (top, bottom) = s3_lines(&b);
        assert!(top.starts_with("S3 backup · to LSN "), "{top}");
        // The latest restorable second trails now (100 s) by the backup's lag: seconds here,
        // within the reference's "typically within 5 min".
        let restorable: f64 = bottom
            .rsplit("restorable to ")
            .next()
            .and_then(|t| t.trim_end_matches(" s").parse().ok())
            .unwrap_or(f64::NAN);
        assert!((80.0..=100.0).contains(&restorable), "{bottom}");
    }

    #[test]
    fn a_cluster_without_backtrack_says_why_in_the_cores_words() {
        let Some(s) = aurora_core::scenario::find("backtrack") else {
            panic!("backtrack exists");
        };
        let mut sim = s.start_with(1, |c| {
            c.backup.engine = aurora_core::backup::Engine::PostgreSql;
        });
        sim.run_until(secs(5));
        let d = data(&sim.backup_view(), sim.now());
        assert!(d.backtrack.is_none());
        assert!(
            d.backtrack_text[0].contains("only for Aurora MySQL"),
            "{:?}",
            d.backtrack_text
        );
        assert_eq!(d.engine, "Aurora PostgreSQL");
    }

    #[test]
    fn a_clone_is_worded_with_the_pages_it_shares_and_a_restore_with_its_point() {
        // The clone scenario clones production at 10 s; a restore is asked for at 30 s.
        let mut sim = run("clone", 30);
        sim.apply(Command::Backup(BackupCommand::Restore {
            to: secs(15),
            backtrack_hours: 0,
        }))
        .expect("15 s is restorable at 30 s");
        sim.run_until(secs(31));
        let d = data(&sim.backup_view(), sim.now());
        assert_eq!(d.clusters.len(), 2);
        let c = &d.clusters[0];
        assert_eq!(c.name, "clone-1");
        assert_eq!(c.what, "copy-on-write clone of production");
        let Some((shared, own, source)) = c.pages else {
            panic!("a clone shows its pages");
        };
        assert_eq!(own, 0.0, "the clone has not written");
        assert!(source > 0.0, "production wrote after the clone");
        assert!((shared + source - 1.0).abs() < 1e-9);
        let r = &d.clusters[1];
        assert_eq!(r.name, "restored-2");
        assert_eq!(r.what, "restored to 15 s");
        assert!(
            !r.available && r.state.starts_with("being created"),
            "{}",
            r.state
        );
        assert!(r.pages.is_none());
        assert_eq!(
            r.writer,
            "writer restored-2-instance-1 (db.r6g.xlarge), being created with the cluster"
        );
        assert!(
            r.storage.contains("a db.r6g.xlarge writer"),
            "{}",
            r.storage
        );
        // Once available, the restore shows the rows it holds.
        sim.run_until(secs(30 + 20 * 60));
        let d = data(&sim.backup_view(), sim.now());
        let Some(r) = d.clusters.iter().find(|c| c.id == 2) else {
            panic!("restored-2 is listed");
        };
        assert!(r.available);
        assert!(r.state.contains("orders: 768 of 768 rows"), "{}", r.state);
        assert!(r
            .writer
            .ends_with("available: it serves this cluster's reads and writes"));
    }

    #[test]
    fn the_inspector_lists_a_pages_versions_and_the_delete_among_them() {
        let mut sim = run("backtrack", 119);
        let page = Table::Orders.rows().start as u32 + 5;
        sim.apply(Command::Backup(BackupCommand::DeleteRows {
            table: Table::Orders,
        }))
        .expect("the faulty deployment");
        sim.run_until(secs(125));
        let Some(p) = sim.page_view(page) else {
            panic!("page {page} exists");
        };
        let (title, rows) = page_lines(&p);
        assert_eq!(title, format!("Page {page} (orders row 5)"));
        assert!(rows[1].1.starts_with("deleted at LSN"), "{rows:?}");
        assert!(p.versions.len() >= 2, "{:?}", p.versions);
        assert!(rows.iter().any(|r| r.0 == "Version 1"));
        assert!(sim.page_view(5_000).is_none());
    }
}
