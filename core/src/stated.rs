//! What popular course notes get wrong, as the page states it beside the model's own figure:
//! the claim, what is current, and the source (reference §12). The panels and the inspector
//! show these where the figure appears, so the notes' numbers never stand unanswered.

/// A claim from the notes and what the sources say instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Correction {
    /// The notes' words.
    pub claim: &'static str,
    /// What is current.
    pub current: &'static str,
    /// Where that comes from.
    pub source: &'static str,
}

impl Correction {
    /// "Notes say "64 TB": outdated. Up to 128 TiB … (UG: …)".
    pub fn sentence(&self) -> alloc::string::String {
        alloc::format!(
            "Notes say \u{201c}{}\u{201d}: {} ({}).",
            self.claim,
            self.current,
            self.source
        )
    }
}

/// The volume's maximum size.
pub const VOLUME_MAX: Correction = Correction {
    claim: "64 TB",
    current: "outdated; the volume grows by itself up to 128 TiB on current engine versions, 64 TiB only on old ones",
    source: "UG: Amazon Aurora storage and reliability",
};

/// Reads and the read quorum.
pub const NORMAL_READS: Correction = Correction {
    claim: "every read uses a 3/6 quorum",
    current: "wrong; a normal read fetches the page from one segment known to be up to date, and 3 of 6 are read only in crash recovery and repair",
    source: "P18 §3.1; P17 §4.1, §4.3",
};

/// Serverless v2's range.
pub const V2_RANGE: Correction = Correction {
    claim: "min 0.5, max 128 ACU, never scales to zero",
    current: "outdated; recent versions go from 0 ACU (with auto-pause) to 256 ACU",
    source: "API: ServerlessV2ScalingConfiguration",
};

/// How many secondary regions a Global Database may have.
pub const SECONDARY_REGIONS: Correction = Correction {
    claim: "up to 5 secondary Regions",
    current: "outdated; up to 10 today (some older AWS pages still say 5)",
    source: "UG: Using Amazon Aurora Global Database; FAQ",
};

/// How many copies, and of what.
pub const SIX_COPIES: Correction = Correction {
    claim: "6 storage nodes per cluster",
    current:
        "misleading; 6 copies of each 10 GiB protection group, so a volume spreads over many nodes",
    source: "P17 §2.2",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_correction_matches_the_models_own_figure() {
        // The current figures are the model's constants, not words beside them.
        assert_eq!(crate::storage::MAX_VOLUME_BYTES, 128 << 40);
        assert!(VOLUME_MAX.current.contains("128 TiB"));
        assert_eq!(crate::settings::capacity::V2_MAX_ACU, 256);
        assert!(V2_RANGE.current.contains("256 ACU") && V2_RANGE.current.contains("0 ACU"));
        assert_eq!(crate::global::MAX_SECONDARY_REGIONS, 10);
        assert!(SECONDARY_REGIONS.current.contains("up to 10"));
        let s = VOLUME_MAX.sentence();
        assert!(
            s.starts_with("Notes say \u{201c}64 TB\u{201d}: outdated;"),
            "{s}"
        );
        assert!(
            s.ends_with("(UG: Amazon Aurora storage and reliability)."),
            "{s}"
        );
    }
}
