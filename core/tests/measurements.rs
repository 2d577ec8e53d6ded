//! Measurements over time (`aurora_core::measurements`): sampled inside the Sim whatever the
//! slicing of the clock, without changing the run, ending with the panel's figures now, with a
//! column for each replica, Serverless instance and secondary region.

use aurora_core::measurements::{default_interval, HEADER};
use aurora_core::scenario::find;
use aurora_core::{SimDuration, SimTime};

fn cells(line: &str) -> Vec<&str> {
    line.split(',').collect()
}

#[test]
fn samples_do_not_depend_on_how_the_clock_is_moved() {
    let s = find("failover").expect("scenario");
    let mut whole = s.start(3);
    whole.record_measurements(SimDuration::from_millis(100));
    whole.run_until(SimTime::from_micros(4_000_000));
    let mut sliced = s.start(3);
    sliced.record_measurements(SimDuration::from_millis(100));
    let mut t = 0;
    while t < 4_000_000 {
        t = (t + 16_667).min(4_000_000);
        sliced.run_until(SimTime::from_micros(t));
    }
    let (a, b) = (
        whole.measurements_csv().expect("on"),
        sliced.measurements_csv().expect("on"),
    );
    assert_eq!(a, b);
    assert_eq!(whole.trace_digest(), sliced.trace_digest());
    // 0, 0.1, ..., 3.9 and the present moment.
    assert_eq!(a.lines().count(), 1 + 41, "{a}");
}

#[test]
fn sampling_changes_nothing_in_the_run() {
    let s = find("replicas").expect("scenario");
    let mut plain = s.start(9);
    plain.run_until(SimTime::from_micros(3_000_000));
    let mut sampled = s.start(9);
    sampled.record_measurements(SimDuration::from_millis(10));
    sampled.run_until(SimTime::from_micros(3_000_000));
    assert_eq!(plain.trace_digest(), sampled.trace_digest());
    assert_eq!(plain.events_processed(), sampled.events_processed());
}

#[test]
fn the_last_row_is_what_the_panel_shows_now() {
    let s = find("replicas").expect("scenario");
    let mut sim = s.start(2);
    sim.record_measurements(SimDuration::from_secs(1));
    sim.run_until(SimTime::from_micros(5_250_000));
    let csv = sim.measurements_csv().expect("on");
    let mut lines = csv.lines();
    let header = cells(lines.next().expect("header"));
    assert_eq!(header[..12], cells(HEADER)[..]);
    let last = cells(csv.lines().last().expect("a row"));
    let col = |name: &str| {
        let i = header.iter().position(|h| *h == name).expect(name);
        last[i]
    };
    let m = sim.metrics();
    assert_eq!(col("time_s"), "5.25");
    assert_eq!(col("commits_acked"), m.commits_acked.to_string());
    assert_eq!(
        col("commit_p99_us"),
        m.commit_latency.quantile(990).to_string()
    );
    assert_eq!(
        col("ios_per_txn").parse::<f64>().expect("a number"),
        (m.redo_ios_per_txn() * 1000.0).round() / 1000.0
    );
    assert_eq!(col("interval_s"), "0.25");
    let replicas: Vec<_> = sim
        .inspect()
        .instances()
        .iter()
        .filter(|i| i.role == aurora_core::compute::instance::Role::Replica)
        .collect();
    assert!(!replicas.is_empty());
    for r in replicas {
        let name = format!("lag_us:{}", sim.inspect().topology().node(r.node).name());
        assert_eq!(col(&name), r.lag.as_micros().to_string(), "{name}");
    }
    // Throughput: the commits between two rows over their distance in time.
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(cells).collect();
    let (a, b) = (&rows[2], &rows[3]);
    let commits = b[1].parse::<f64>().expect("n") - a[1].parse::<f64>().expect("n");
    assert_eq!(b[2], format!("{commits:.1}"));
    assert!(commits > 0.0, "the scenario commits every second");
}

#[test]
fn serverless_capacity_and_global_lag_get_their_columns() {
    for (name, prefix) in [("serverless-v2", "acu:"), ("global", "global_lag_us:")] {
        let Some(s) = aurora_core::scenario::all()
            .iter()
            .find(|s| s.name.starts_with(name))
        else {
            panic!("no scenario starting with {name}");
        };
        let mut sim = s.start(1);
        sim.record_measurements(default_interval(s.duration));
        sim.run_until(SimTime::from_micros(s.duration.as_micros() / 4));
        let csv = sim.measurements_csv().expect("on");
        let header = csv.lines().next().expect("header");
        assert!(header.contains(prefix), "{}: {header}", s.name);
        let last = csv.lines().last().expect("row");
        assert_eq!(cells(last).len(), cells(header).len());
    }
}
