//! Accessible names, from one place, so the diagram, the inspector and the tests agree on what a
//! thing is called.

/// The letter of the Availability Zone at `index` (0 is `a`), as in `us-east-1a`.
pub fn az_letter(index: usize) -> char {
    const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
    LETTERS.get(index).map_or('?', |&b| char::from(b))
}

/// "Availability Zone a" for index 0.
pub fn az(index: usize) -> String {
    format!("Availability Zone {}", az_letter(index))
}

/// "Segment slot 1 in Availability Zone a" for the first copy in the first AZ; `copy` counts
/// from 0.
pub fn segment_slot(az_index: usize, copy: usize) -> String {
    format!("Segment slot {} in {}", copy + 1, az(az_index))
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
        assert_eq!(segment_slot(0, 0), "Segment slot 1 in Availability Zone a");
        assert_eq!(segment_slot(2, 1), "Segment slot 2 in Availability Zone c");
    }
}
