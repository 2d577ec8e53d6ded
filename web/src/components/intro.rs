//! The first screen's "start here": what the playground is, where to begin (the lessons, and
//! the scenarios by their human titles), and the legend of the diagram, on the page rather than
//! only in the help.

use aurora_core::scenario;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::glossary::abbr;
use crate::state::Action;
use crate::traffic::Family;

/// A scenario's title for people: the picker lists these, the slug stays in links.
pub fn title(name: &str) -> &'static str {
    match name {
        "quorum-write" => "A write reaches its quorum (4 of 6)",
        "az-failure" => "A whole AZ fails: writes go on",
        "az-plus-one" => "An AZ and one more node fail: writes stall, reads go on",
        "segment-repair" => "A disk fails and storage repairs itself",
        "storage-growth" => "The volume grows by 10 GiB groups",
        "partition" => "An AZ is cut off, then catches up",
        "replicas" => "Read replicas follow the redo stream",
        "replica-lag-sweep" => "Replica lag as the write rate rises (Table 4)",
        "writer-crash" => "The only instance crashes: crash recovery",
        "failover" => "The writer crashes: a replica takes over",
        "failover-no-replica" => "The writer crashes with no replica: it is created again",
        "e-commerce" => "A busy shop loses its writer's AZ",
        "replica-autoscaling" => "Replica auto scaling follows the read load",
        "serverless-v2-spike" => "Serverless v2 meets a load spike",
        "serverless-v1-spike" => "Serverless v1 (retired 2025) meets the same spike",
        "serverless-pause-resume" => "Serverless v2 pauses when idle and wakes",
        "global-lag" => "A Global Database: three regions, storage-level replication",
        "global-switchover" => "A planned switchover to another region",
        "global-failover" => "A region fails: global failover and its RPO",
        "mysql-vs-aurora" => "Mirrored MySQL beside Aurora: what crosses the network",
        "rds-multi-az-failover" => "RDS Multi-AZ failover, for comparison",
        "backtrack" => "Backtrack: rewind the cluster in place",
        "pitr" => "Point-in-time restore from backups",
        "clone" => "A clone shares pages until they change",
        "backup-window" => "Continuous backup to S3 and its window",
        _ => "",
    }
}

/// A scenario's title, or its slug when it has none.
pub fn title_or_name(name: &str) -> String {
    match title(name) {
        "" => name.to_string(),
        t => t.to_string(),
    }
}

#[derive(Properties, PartialEq, Clone)]
pub struct IntroProps {
    pub scenario: AttrValue,
    pub dispatch: Callback<Action>,
}

/// What the page is and where to start.
#[component(Intro)]
pub fn intro(p: &IntroProps) -> Html {
    let d = p.dispatch.clone();
    let on_scenario = Callback::from(move |e: Event| {
        if let Some(select) = e.target_dyn_into::<HtmlSelectElement>() {
            d.emit(Action::SetScenario(select.value()));
        }
    });
    let summary = scenario::find(&p.scenario).map_or("", |s| s.summary);
    html! {
        <section class="intro" aria-labelledby="intro-title">
            <h2 id="intro-title" class="visually-hidden">{ "Start here" }</h2>
            <div class="start">
                <p class="intro-what">
                    { "A live, simulated Amazon Aurora cluster: a writer and replicas over one storage volume kept as 6 copies in 3 " }
                    { abbr("AZ") }{ "s. Every number is computed by the simulation. Start with a lesson (the Lessons button), or pick a scenario, watch it, then break things with the Faults panel." }
                </p>
                // The lessons fill this region: the main place to start once they exist.
                <section class="lessons-slot" id="lessons" aria-label="Lessons"></section>
                <div class="start-scenario">
                    <label for="scenario-picker">{ "Scenario" }</label>
                    <select id="scenario-picker" onchange={on_scenario}>
                        { for scenario::all().iter().map(|s| html! {
                            <option value={s.name} selected={s.name == p.scenario.as_str()}>{ title_or_name(s.name) }</option>
                        }) }
                    </select>
                    <p class="summary">{ summary }</p>
                </div>
            </div>
            <details class="legend-box" open=true>
                <summary>{ "Legend" }</summary>
                <ul class="legend" aria-label="Legend">
                    { for Family::ALL.iter().map(|f| html! {
                        <li><span class={classes!("swatch", f.class())} aria-hidden="true"></span>{ f.label() }</li>
                    }) }
                    <li><span class="key key-lit" aria-hidden="true"></span>{ "a lit segment holds its " }{ abbr("PG") }{ "'s newest record" }</li>
                    <li><span class="key key-down" aria-hidden="true"></span>{ "red: down or lost" }</li>
                </ul>
                <p class="legend-note">
                    { "4 of 6 copies holding a record is a write quorum; the writer then advances " }
                    { abbr("VDL") }{ " and acknowledges the commits below it. Words: see the " }
                    <a href="#glossary">{ "glossary" }</a>{ "." }
                </p>
            </details>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_has_a_human_title() {
        for s in scenario::all() {
            let t = title(s.name);
            assert!(!t.is_empty(), "{} has no title", s.name);
            assert!(t.contains(' '), "{}'s title is words, not a slug", s.name);
        }
        assert_eq!(title_or_name("made-up"), "made-up");
    }
}
