//! The words the page uses, each defined once: the glossary panel lists them, and wherever an
//! abbreviation appears (the inspector, the diagram's labels, the failover panel) it carries the
//! same definition as a tooltip, so a student never meets an undefined term.
//!
//! Definitions follow the reference (`/work/shared/aurora-reference.md` §2.1, §1.2, §4), in words
//! for someone who has not read the papers.

use yew::prelude::*;

/// One term: its abbreviation, its full name and what it means here.
pub struct Term {
    pub abbr: &'static str,
    pub full: &'static str,
    pub meaning: &'static str,
}

/// Every abbreviation the page shows, in the order a student meets them on the write path.
pub const TERMS: [Term; 13] = [
    Term {
        abbr: "AZ",
        full: "Availability Zone",
        meaning: "One of the region's three separate data centres. Every protection group keeps two copies in each AZ, so losing a whole AZ leaves 4 of 6.",
    },
    Term {
        abbr: "PG",
        full: "protection group",
        meaning: "A 10 GiB slice of the volume, stored as 6 segments (2 per AZ). Quorums are counted per PG.",
    },
    Term {
        abbr: "LSN",
        full: "Log Sequence Number",
        meaning: "The number the writer gives each redo record, increasing across the whole volume. Only the writer allocates them, so no consensus is needed.",
    },
    Term {
        abbr: "SCL",
        full: "Segment Complete LSN",
        meaning: "The highest LSN up to which one segment holds every record of its PG with no gap. Each acknowledgement carries it; segments gossip to fill gaps below it.",
    },
    Term {
        abbr: "PGCL",
        full: "Protection Group Complete LSN",
        meaning: "The point up to which a PG's writes are durable: its SCL has reached it on 4 of the 6 copies (the write quorum).",
    },
    Term {
        abbr: "VCL",
        full: "Volume Complete LSN",
        meaning: "The highest LSN below which every record of the whole volume has met its PG's write quorum. It is not simply the lowest PGCL.",
    },
    Term {
        abbr: "VDL",
        full: "Volume Durable LSN",
        meaning: "The highest consistency point at or below VCL. Commits are acknowledged once VDL passes them, reads are served as of it, and recovery truncates above it.",
    },
    Term {
        abbr: "CPL",
        full: "Consistency Point LSN",
        meaning: "The last record of a mini-transaction: a point where the database is consistent. VDL only ever stops on one.",
    },
    Term {
        abbr: "MTR",
        full: "mini-transaction",
        meaning: "A group of redo records that must be applied together (for example a page split). Replicas apply whole MTRs.",
    },
    Term {
        abbr: "LAL",
        full: "LSN Allocation Limit",
        meaning: "The writer may not allocate an LSN more than 10 million above VDL: back-pressure when storage falls behind, and a bound on what recovery must truncate.",
    },
    Term {
        abbr: "DNS TTL",
        full: "time to live of a DNS answer",
        meaning: "How long clients keep the cluster endpoint's address (5 s): after a failover they reach the new writer once it expires.",
    },
    Term {
        abbr: "ACU",
        full: "Aurora Capacity Unit",
        meaning: "Serverless capacity: about 2 GiB of memory with matching CPU and networking. Serverless v2 scales in 0.5 ACU steps.",
    },
    Term {
        abbr: "p50 / p99",
        full: "50th / 99th percentile",
        meaning: "Half of the measured times were at or below p50; 99 in 100 at or below p99.",
    },
];

/// The term for an abbreviation, if the glossary defines it.
pub fn term(abbr: &str) -> Option<&'static Term> {
    TERMS.iter().find(|t| t.abbr == abbr)
}

/// The tooltip for an abbreviation: its full name and meaning.
pub fn tooltip(abbr: &str) -> String {
    term(abbr).map_or_else(String::new, |t| format!("{}: {}", t.full, t.meaning))
}

/// An abbreviation as HTML, with its definition as the tooltip and accessible description.
pub fn abbr(abbr: &'static str) -> Html {
    match term(abbr) {
        Some(t) => html! { <abbr title={format!("{}: {}", t.full, t.meaning)}>{ abbr }</abbr> },
        None => html! { { abbr } },
    }
}

/// The glossary panel: every term once.
#[component(Glossary)]
pub fn glossary() -> Html {
    html! {
        <section class="panel glossary" id="glossary" aria-labelledby="glossary-title">
            <h2 id="glossary-title">{ "Glossary" }</h2>
            <dl>
                { for TERMS.iter().map(|t| html! {
                    <div class="term">
                        <dt><abbr title={t.full}>{ t.abbr }</abbr>{ format!(" — {}", t.full) }</dt>
                        <dd>{ t.meaning }</dd>
                    </div>
                }) }
            </dl>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_abbreviation_the_page_shows_is_defined() {
        for a in ["VDL", "VCL", "PGCL", "SCL", "LSN", "LAL", "PG", "AZ", "ACU"] {
            let t = term(a).unwrap_or_else(|| panic!("{a} is not in the glossary"));
            assert!(t.meaning.len() > 40, "{a} has a real definition");
        }
        assert!(tooltip("VDL").starts_with("Volume Durable LSN: "));
        assert_eq!(tooltip("nope"), "");
    }
}
