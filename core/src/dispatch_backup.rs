//! The dispatch of backup commands: where restores, Backtrack and clones reach the rest of
//! the model (the writer's commit queue, the clients, the volume's size, Global Database).
//! The backup subsystem itself ([`crate::backup`]) sees none of those.

use crate::backup::clone::{Cluster, Origin, CLONE_READY, MAX_COW_CLONES};
use crate::backup::{pitr, BackupCommand, BackupError, BackupEvent};
use crate::command::CommandError;
use crate::compute::read::Reply;
use crate::engine::{Due, Kernel};
use crate::event::{Event, Invariant};
use crate::ids::RegionId;
use crate::model::Model;
use crate::time::SimTime;
use alloc::string::String;

/// Starts continuous backup's once-a-second tick.
pub(crate) fn start(k: &mut Kernel) {
    k.schedule(k.now, Due::BackupTick);
}

/// The second's image and bookkeeping, from what the writer and storage say now.
pub(crate) fn on_tick(k: &mut Kernel, m: &mut Model) {
    k.schedule_in(crate::backup::s3::IMAGE_INTERVAL, Due::BackupTick);
    let log = &m.compute.writer.log;
    let (vdl, allocated) = (log.vdl().0, log.max_allocated().0);
    let backed_up = crate::backup::Backup::backed_up_point(&m.storage);
    for ev in m
        .backup
        .tick(k.now, vdl, allocated, backed_up, m.storage.volume_bytes)
    {
        emit(k, ev);
    }
}

fn emit(k: &mut Kernel, ev: BackupEvent) {
    k.emit(Event::Backup(ev));
}

pub(crate) fn apply(k: &mut Kernel, m: &mut Model, cmd: BackupCommand) -> Result<(), CommandError> {
    let now = k.now;
    let err = |e: BackupError| CommandError::Backup(e);
    match cmd {
        BackupCommand::DeleteRows { table } => {
            if !crate::model::run_transaction(k, m, 1, Reply::None) {
                return Err(CommandError::InstanceDown(m.compute.writer.node));
            }
            if let Some(lsn) = m.compute.writer.last_commit() {
                m.backup.delete_pending(table, lsn.0);
                let rows = m.backup.rows.live(table);
                emit(
                    k,
                    BackupEvent::RowsDeleted {
                        table,
                        rows,
                        lsn: lsn.0,
                    },
                );
            }
            Ok(())
        }
        BackupCommand::SetRetention { days } => {
            let ev = m.backup.set_retention(days).map_err(err)?;
            emit(k, ev);
            Ok(())
        }
        BackupCommand::TakeSnapshot => {
            let ev =
                m.backup
                    .snapshot_now(now, m.compute.writer.log.vdl().0, m.storage.volume_bytes);
            emit(k, ev);
            Ok(())
        }
        BackupCommand::Restore {
            to,
            backtrack_hours,
        } => {
            check_window_hours(backtrack_hours).map_err(err)?;
            let b = &m.backup;
            let earliest = b.earliest_restorable(now);
            let latest = b.latest_restorable(&m.storage).map(|im| im.time);
            let image = b
                .images
                .at(to)
                .filter(|_| to >= earliest && latest.is_some_and(|l| to <= l));
            let Some(image) = image.cloned() else {
                return Err(err(BackupError::NotRestorable {
                    at: to,
                    earliest,
                    latest,
                }));
            };
            let bytes = m.storage.volume_bytes;
            let ready_at = now + pitr::restore_time(bytes);
            let id = next_id(m);
            m.backup.clusters.push(Cluster::new(
                id,
                Origin::Restore { to: image.time },
                RegionId(0),
                now,
                ready_at,
                image.vdl,
                bytes,
                m.storage.pgs.len() as u32,
                production_writer_class(m),
                backtrack_hours,
                image.rows.clone(),
            ));
            emit(
                k,
                BackupEvent::RestoreStarted {
                    cluster: id,
                    to: image.time,
                    vdl: image.vdl,
                    ready_at,
                },
            );
            check_restore(k, m, id, image.time);
            Ok(())
        }
        BackupCommand::Backtrack { to } => backtrack(k, m, to),
        BackupCommand::Clone {
            source,
            region,
            backtrack_hours,
        } => {
            check_window_hours(backtrack_hours).map_err(err)?;
            let (rows, vdl, bytes, pgs, class, src_region) = if source == 0 {
                let b = &m.backup;
                (
                    b.rows.freeze(),
                    m.compute.writer.log.vdl().0,
                    m.storage.volume_bytes,
                    m.storage.pgs.len() as u32,
                    production_writer_class(m),
                    RegionId(0),
                )
            } else {
                let c = m
                    .backup
                    .cluster(source)
                    .ok_or(err(BackupError::UnknownCluster(source)))?;
                if !c.available {
                    return Err(err(BackupError::ClusterNotReady(source)));
                }
                let class = c.writer_class.clone();
                (
                    c.rows.freeze(),
                    c.vdl,
                    c.volume_bytes,
                    c.pgs,
                    class,
                    c.region,
                )
            };
            if region != src_region {
                return Err(err(BackupError::CloneOtherRegion(region)));
            }
            let cow_clones = m
                .backup
                .clusters
                .iter()
                .filter(|c| c.is_cow_clone_of(source))
                .count();
            let cow = cow_clones < MAX_COW_CLONES;
            let ready_at = if cow {
                now + CLONE_READY
            } else {
                now + pitr::restore_time(bytes)
            };
            let id = next_id(m);
            m.backup.clusters.push(Cluster::new(
                id,
                Origin::Clone { source, cow },
                region,
                now,
                ready_at,
                vdl,
                bytes,
                pgs,
                class,
                backtrack_hours,
                rows,
            ));
            emit(
                k,
                BackupEvent::CloneStarted {
                    cluster: id,
                    source,
                    full_copy: !cow,
                    ready_at,
                },
            );
            Ok(())
        }
        BackupCommand::DeleteCluster { cluster } => {
            if cluster == 0 {
                return Err(err(BackupError::CannotDeleteProduction));
            }
            let c = m
                .backup
                .clusters
                .iter_mut()
                .find(|c| c.id == cluster && !c.deleted)
                .ok_or(err(BackupError::UnknownCluster(cluster)))?;
            c.deleted = true;
            emit(k, BackupEvent::ClusterDeleted { cluster });
            Ok(())
        }
        BackupCommand::SetClusterWrites { cluster, per_sec } => {
            let c = m
                .backup
                .clusters
                .iter_mut()
                .find(|c| c.id == cluster && !c.deleted)
                .ok_or(err(BackupError::UnknownCluster(cluster)))?;
            c.writes_per_sec = per_sec.min(100_000);
            Ok(())
        }
    }
}

fn check_window_hours(h: u8) -> Result<(), BackupError> {
    if h > crate::backup::backtrack::MAX_WINDOW_HOURS {
        return Err(BackupError::BacktrackWindowTooLong(h));
    }
    Ok(())
}

/// The class a restore or clone of production gives its writer: production's writer's, or
/// `db.serverless` for a Serverless v2 writer (the class name AWS gives it).
fn production_writer_class(m: &Model) -> String {
    use crate::settings::capacity::Capacity;
    let node = m.compute.writer.node;
    let Some(i) = m.compute.instances.iter().find(|i| i.node == node) else {
        return String::from(crate::compute::instance::InstanceClass::default().name);
    };
    match i.capacity {
        Capacity::Provisioned => String::from(i.class.name),
        Capacity::V2 { .. } => String::from("db.serverless"),
        Capacity::V1 { .. } => String::from("Serverless v1 capacity"),
    }
}

fn next_id(m: &Model) -> u32 {
    m.backup.clusters.last().map_or(1, |c| c.id + 1)
}

/// Backtrack: pause, close connections, drop uncommitted work, void the log after the point,
/// and put the rows back as they were. The writer resumes after [`backtrack::PAUSE`].
fn backtrack(k: &mut Kernel, m: &mut Model, to: SimTime) -> Result<(), CommandError> {
    let now = k.now;
    let allocated = m.compute.writer.log.max_allocated().0;
    let b = &m.backup;
    let global = !m.global.regions.is_empty();
    let landed = b
        .backtrack
        .check(b.config, global, to, now, allocated, &b.images)
        .map_err(CommandError::Backup)?;
    let Some(image) = b.images.at(landed).cloned() else {
        return Err(CommandError::Backup(BackupError::BacktrackOutsideWindow {
            to,
            earliest: now,
            now,
        }));
    };
    // Uncommitted work is dropped: its clients hear a failure.
    let node = m.compute.writer.node;
    let dropped = m.compute.writer.abandon_commits();
    for reply in &dropped {
        if let Reply::Client { client, req } = *reply {
            crate::compute::read::respond(k, node, client, req, false);
        }
    }
    let b = &mut m.backup;
    // Versions on the live timeline after the landing point: since the image, or since the
    // last rewind if the image is older than it (that timeline's later versions are gone).
    let since = match b.backtrack.rewound {
        Some((at, writes)) if image.time < at => writes,
        _ => image.writes,
    };
    let undone = b.rows.writes.saturating_sub(since);
    b.voided_upto = allocated;
    let writes = b.rows.writes;
    b.rows = crate::backup::data::Rows::from_image(&image.rows);
    b.rows.writes = writes;
    let rows = b.rows.as_slice().to_vec();
    for c in b.clusters.iter_mut().filter(|c| c.is_cow_clone_of(0)) {
        c.source_rewound(&rows);
    }
    let bt = &mut b.backtrack;
    bt.count += 1;
    bt.undone_versions = undone;
    bt.dropped_commits = dropped.len() as u32;
    bt.rewound = Some((now, writes));
    bt.last = Some((to, image.time, image.vdl));
    bt.until = Some(now + crate::backup::backtrack::PAUSE);
    if let Some(a) = &mut b.audit {
        a.acked.push((now, u32::MAX, image.time.as_micros()));
    }
    k.schedule_in(crate::backup::backtrack::PAUSE, Due::BacktrackDone);
    emit(
        k,
        BackupEvent::BacktrackStarted {
            to,
            landed: image.time,
            vdl: image.vdl,
            dropped_commits: dropped.len() as u32,
            voided_upto: allocated,
        },
    );
    check_backtrack(k, m, image.time, image.vdl);
    Ok(())
}

/// The database is back after a backtrack.
pub(crate) fn on_backtrack_done(k: &mut Kernel, m: &mut Model) {
    let bt = &mut m.backup.backtrack;
    if bt.until.take().is_some() {
        let landed = bt.last.map_or(SimTime::ZERO, |l| l.1);
        emit(k, BackupEvent::BacktrackDone { landed });
    }
}

/// A restore to `t` holds exactly what a read at `t` returned.
fn check_restore(k: &mut Kernel, m: &mut Model, id: u32, t: SimTime) {
    let Some(audit) = &m.backup.audit else { return };
    let Some(c) = m.backup.cluster(id) else {
        return;
    };
    let read = audit.reads.iter().rev().find(|r| r.0 <= t).map(|r| r.2);
    if read != Some(c.rows.digest()) {
        m.checker
            .violation(k, Invariant::RestoreMatchesRead, t.as_micros());
    }
}

/// After a backtrack to `t` (consistent point `vdl`): the rows are what a read at `t` returned,
/// and every version acknowledged before `t` since the last rewind is there.
fn check_backtrack(k: &mut Kernel, m: &mut Model, t: SimTime, vdl: u64) {
    let Some(audit) = &m.backup.audit else { return };
    let rows = &m.backup.rows;
    let read = audit.reads.iter().rev().find(|r| r.0 <= t).map(|r| r.2);
    if read != Some(rows.digest()) {
        m.checker
            .violation(k, Invariant::RestoreMatchesRead, t.as_micros());
        return;
    }
    // The timeline that was live at t: acknowledgements after the last rewind before t.
    let now_marker = audit.acked.len() - 1;
    let since = audit.acked[..now_marker]
        .iter()
        .rposition(|a| a.1 == u32::MAX && a.0 <= t)
        .map_or(0, |i| i + 1);
    let missing = audit.acked[since..now_marker]
        .iter()
        .filter(|a| a.0 <= t && a.1 != u32::MAX)
        .find(|a| {
            let v = rows.get(a.1 as usize);
            v.lsn() < a.2 || v.lsn() > vdl
        });
    if let Some(a) = missing {
        m.checker
            .violation(k, Invariant::BacktrackKeepsAcknowledged, a.2);
    }
}

/// After every event in full mode: clones and their sources never see each other's writes.
pub(crate) fn check_clones(k: &mut Kernel, m: &mut Model) {
    let b = &m.backup;
    let bad = b.clusters.iter().find(|c| {
        let source = match c.origin {
            Origin::Clone { source: 0, .. } => Some(b.rows.as_slice()),
            Origin::Clone { source, .. } => b.cluster(source).map(|s| s.rows.as_slice()),
            Origin::Restore { .. } => None,
        };
        !c.deleted && !c.isolated(source)
    });
    if let Some(c) = bad {
        let id = c.id as u64;
        m.checker.violation(k, Invariant::CloneIsolated, id);
    }
}

#[cfg(test)]
mod tests {
    //! The checker is not silent by construction: each backup invariant, handed a model that
    //! breaks it, reports the violation.

    use super::*;
    use crate::backup::data::Table;
    use crate::command::Command;
    use crate::sim::{Sim, SimConfig};
    use crate::workload::WorkloadConfig;

    fn secs(s: u64) -> SimTime {
        SimTime::from_micros(s * 1_000_000)
    }

    fn sim(backtrack_hours: u8) -> Sim {
        let mut c = SimConfig {
            workload: WorkloadConfig {
                txn_per_sec: 300,
                mtrs_per_txn: 1,
                reads_per_sec: 0,
                growth_bytes_per_sec: 0,
            },
            ..SimConfig::default()
        };
        c.backup.backtrack_hours = backtrack_hours;
        let mut sim = Sim::new(c, 1);
        sim.set_full_checks(true);
        sim.set_recording(false);
        sim.run_until(secs(60));
        sim
    }

    fn apply(sim: &mut Sim, c: BackupCommand) {
        if let Err(e) = sim.apply(Command::Backup(c)) {
            panic!("accepted: {e}");
        }
    }

    /// A row version no read ever returned.
    const FORGED: u64 = u64::MAX / 3;

    #[test]
    fn a_restore_that_differs_from_the_read_at_its_time_is_reported() {
        let mut sim = sim(0);
        apply(
            &mut sim,
            BackupCommand::Restore {
                to: secs(30),
                backtrack_hours: 0,
            },
        );
        assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
        let (k, m) = sim.parts_mut();
        let id = m.backup.clusters[0].id;
        check_restore(k, m, id, secs(30));
        assert_eq!(m.checker.violations, 0, "the restore as made passes");
        m.backup.clusters[0].rows.write(0, FORGED);
        check_restore(k, m, id, secs(30));
        assert_eq!(
            m.checker.first.map(|f| f.0),
            Some(Invariant::RestoreMatchesRead)
        );
    }

    #[test]
    fn a_backtrack_that_differs_from_the_read_at_its_time_is_reported() {
        let mut sim = sim(24);
        apply(
            &mut sim,
            BackupCommand::DeleteRows {
                table: Table::Orders,
            },
        );
        sim.run_until(secs(70));
        apply(&mut sim, BackupCommand::Backtrack { to: secs(50) });
        assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
        let (k, m) = sim.parts_mut();
        let Some((_, landed, vdl)) = m.backup.backtrack.last else {
            panic!("the backtrack is recorded")
        };
        check_backtrack(k, m, landed, vdl);
        assert_eq!(m.checker.violations, 0, "the backtrack as made passes");
        m.backup.rows.write(1, FORGED);
        check_backtrack(k, m, landed, vdl);
        assert_eq!(
            m.checker.first.map(|f| f.0),
            Some(Invariant::RestoreMatchesRead)
        );
    }

    #[test]
    fn a_backtrack_that_loses_an_acknowledged_write_is_reported() {
        let mut sim = sim(24);
        sim.run_until(secs(70));
        apply(&mut sim, BackupCommand::Backtrack { to: secs(50) });
        let (k, m) = sim.parts_mut();
        let Some((_, landed, vdl)) = m.backup.backtrack.last else {
            panic!("the backtrack is recorded")
        };
        check_backtrack(k, m, landed, vdl);
        assert_eq!(m.checker.violations, 0, "the backtrack as made passes");
        // The audit heard of a commit acknowledged before the point, a newer version of row
        // 2 than the rewound rows hold: the rows match the read, but that write is lost.
        let held = m.backup.rows.get(2).lsn();
        let Some(audit) = m.backup.audit.as_mut() else {
            panic!("full checks keep the audit")
        };
        let marker = audit.acked.len() - 1;
        let before = SimTime::from_micros(landed.as_micros() - 1);
        audit.acked.insert(marker, (before, 2, held + 1));
        check_backtrack(k, m, landed, vdl);
        assert_eq!(
            m.checker.first.map(|f| (f.0, f.2)),
            Some((Invariant::BacktrackKeepsAcknowledged, held + 1))
        );
    }

    #[test]
    fn a_source_write_that_reaches_its_clone_is_reported() {
        let mut sim = sim(0);
        apply(
            &mut sim,
            BackupCommand::Clone {
                source: 0,
                region: RegionId(0),
                backtrack_hours: 0,
            },
        );
        sim.run_until(secs(65));
        assert_eq!(sim.invariant_violations(), 0, "{:?}", sim.first_violation());
        let (k, m) = sim.parts_mut();
        check_clones(k, m);
        assert_eq!(m.checker.violations, 0, "the clone as made passes");
        // The source's next write shows through the clone: a page the clone shares changes
        // under it, as if copy-on-write had not made the source a version of its own.
        let Some(row) = (0..crate::backup::data::ROWS)
            .find(|&i| m.backup.clusters[0].rows.as_slice()[i] == m.backup.rows.as_slice()[i])
        else {
            panic!("the clone still shares a page")
        };
        m.backup.clusters[0].rows.write(row, FORGED);
        check_clones(k, m);
        assert_eq!(m.checker.first.map(|f| f.0), Some(Invariant::CloneIsolated));
    }
}
