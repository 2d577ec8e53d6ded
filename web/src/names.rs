//! Accessible names, from one place, so the diagram, the inspector, the controls and the tests
//! agree on what a thing is called. Names of model objects come from the core's views
//! (`accessible_name`); these add the page's own: zones, groups and controls.

use aurora_core::global::RegionRole;
use aurora_core::view::PgView;

/// The letter of the Availability Zone at `index` (0 is `a`), as in `us-east-1a`.
pub fn az_letter(index: usize) -> char {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    LETTERS.get(index).map_or('?', |&b| char::from(b))
}

/// "Availability Zone a" for index 0.
pub fn az(index: usize) -> String {
    format!("Availability Zone {}", az_letter(index))
}

/// The state of a zone in words.
pub fn az_state(failed: bool, partitioned: bool) -> &'static str {
    match (failed, partitioned) {
        (true, _) => "failed",
        (false, true) => "cut off",
        (false, false) => "healthy",
    }
}

/// "Availability Zone a, healthy": the zone as a selectable thing.
pub fn az_with_state(index: usize, failed: bool, partitioned: bool) -> String {
    format!("{}, {}", az(index), az_state(failed, partitioned))
}

/// "Fail AZ a", "Heal AZ a".
pub fn fail_az(index: usize, failed: bool) -> String {
    let verb = if failed { "Heal" } else { "Fail" };
    format!("{verb} AZ {}", az_letter(index))
}

/// "Partition AZ a", "Reconnect AZ a".
pub fn partition_az(index: usize, partitioned: bool) -> String {
    let verb = if partitioned {
        "Reconnect"
    } else {
        "Partition"
    };
    format!("{verb} AZ {}", az_letter(index))
}

/// A region's part in a global database, in words: "primary", "secondary", "being promoted",
/// "failed"; a primary whose region is down is "primary, down".
pub fn region_role(role: RegionRole, down: bool) -> &'static str {
    match (role, down) {
        (RegionRole::Primary, false) => "primary",
        (RegionRole::Primary, true) => "primary, down",
        (RegionRole::Secondary, _) => "secondary",
        (RegionRole::Promoting { .. }, _) => "being promoted",
        (RegionRole::Failed, _) => "failed",
    }
}

/// "PG 3, writes OK, 6 of 6 segments healthy, PGCL 1042".
pub fn pg(pg: &PgView, healthy: usize) -> String {
    let state = match (pg.write_ok, pg.read_ok) {
        (true, _) => "writes OK",
        (false, true) => "no write quorum, reads OK",
        (false, false) => "no read quorum",
    };
    format!(
        "{}, {state}, {healthy} of {} segments healthy, PGCL {}",
        pg.id,
        pg.members.len(),
        pg.pgcl
    )
}

/// An object store's name: for S3, the backup figures drawn on it come first, so the name
/// holds the words a person sees ("S3 backup · to LSN 42, 7 behind VDL · …; Object store
/// S3, healthy").
pub fn store(name: &str, drawn: Option<(&str, &str)>) -> String {
    match drawn {
        Some((label, detail)) => format!("{label}, {detail}; {name}"),
        None => name.to_string(),
    }
}

/// "Clients in AZ a: 8".
pub fn clients(index: usize, count: usize) -> String {
    format!("Clients in AZ {}: {count}", az_letter(index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_lettered_from_a() {
        assert_eq!(az_letter(0), 'a');
        assert_eq!(az_letter(2), 'c');
        assert_eq!(az_letter(25), 'z');
        assert_eq!(az_letter(26), '?');
    }

    #[test]
    fn names_read_as_a_person_would_say_them() {
        assert_eq!(az(1), "Availability Zone b");
        assert_eq!(
            az_with_state(0, false, false),
            "Availability Zone a, healthy"
        );
        assert_eq!(az_with_state(2, true, true), "Availability Zone c, failed");
        assert_eq!(fail_az(0, false), "Fail AZ a");
        assert_eq!(fail_az(0, true), "Heal AZ a");
        assert_eq!(partition_az(1, true), "Reconnect AZ b");
        assert_eq!(clients(2, 8), "Clients in AZ c: 8");
    }
}
