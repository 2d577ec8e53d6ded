//! The Compare view: mirrored MySQL's write path (P17 Figure 2) beside Aurora's (Figure 3),
//! drawn from the two models on the same clients, with a live table of what each wrote.
//!
//! Everything here is props: the positions are fixed, the dots and the table come from
//! [`crate::compare`], which reads the core.

use yew::prelude::*;

use crate::compare::{CompareData, Dot, Row};

#[derive(Properties, PartialEq, Clone)]
pub struct CompareProps {
    pub data: std::rc::Rc<CompareData>,
}

/// One box of a deployment.
fn node(x: f64, y: f64, label: &str, class: &'static str, down: bool) -> Html {
    let class = classes!("cmp-node", class, down.then_some("down"));
    html! {
        <g class={class} aria-label={label.to_string()} role="img">
            <rect x={format!("{}", x - 46.0)} y={format!("{}", y - 15.0)} width="92" height="30" rx="5" />
            <text x={format!("{x}")} y={format!("{}", y + 4.0)} text-anchor="middle">{ label.to_string() }</text>
        </g>
    }
}

fn dots(dots: &[Dot]) -> Html {
    html! {
        <g class="cmp-dots">
            { for dots.iter().map(|d| html! {
                <circle class={classes!("cmp-dot", d.class)} cx={format!("{:.1}", d.x)} cy={format!("{:.1}", d.y)} r="4" />
            }) }
        </g>
    }
}

fn link(a: (f64, f64), b: (f64, f64)) -> Html {
    html! { <line class="cmp-link" x1={format!("{}", a.0)} y1={format!("{}", a.1)} x2={format!("{}", b.0)} y2={format!("{}", b.1)} /> }
}

fn row(r: &Row) -> Html {
    html! {
        <tr>
            <th scope="row">{ r.label.clone() }</th>
            <td>{ r.mysql.clone() }</td>
            <td>{ r.aurora.clone() }</td>
        </tr>
    }
}

#[component(Compare)]
pub fn compare(p: &CompareProps) -> Html {
    let d = &p.data;
    use crate::compare::pos::*;
    html! {
        <section class="panel compare" aria-labelledby="compare-title">
            <h2 id="compare-title">{ "Compare: mirrored MySQL and Aurora on the same clients" }</h2>
            <p class="cmp-caption">{ d.caption.clone() }</p>
            <div class="cmp-paths">
                <figure class="cmp-path" aria-label="Mirrored MySQL write path">
                    <figcaption>{ "Mirrored MySQL on EBS (RDS Multi-AZ, P17 Figure 2): each write goes through steps 1 to 5, one after the other" }</figcaption>
                    <svg viewBox="0 0 420 250" role="group" aria-label="Mirrored MySQL diagram">
                        <text class="cmp-az" x="105" y="60" text-anchor="middle">{ "AZ 1" }</text>
                        <text class="cmp-az" x="315" y="60" text-anchor="middle">{ "AZ 2" }</text>
                        { link(CLIENTS, PRIMARY) }
                        { link(PRIMARY, EBS1) }{ link(EBS1, MIRROR1) }
                        { link(PRIMARY, STANDBY) }{ link(STANDBY, EBS2) }{ link(EBS2, MIRROR2) }
                        <text class="cmp-step" x="86" y="150">{ "1" }</text>
                        <text class="cmp-step" x="86" y="205">{ "2" }</text>
                        <text class="cmp-step" x="210" y="86">{ "3" }</text>
                        <text class="cmp-step" x="296" y="150">{ "4" }</text>
                        <text class="cmp-step" x="296" y="205">{ "5" }</text>
                        { node(CLIENTS.0, CLIENTS.1, &d.clients_label, "clients", false) }
                        { node(PRIMARY.0, PRIMARY.1, &d.mysql_roles.0, "instance", !d.mysql_primary_up) }
                        { node(EBS1.0, EBS1.1, "EBS", "volume", false) }
                        { node(MIRROR1.0, MIRROR1.1, "EBS mirror", "volume", false) }
                        { node(STANDBY.0, STANDBY.1, &d.mysql_roles.1, "instance", false) }
                        { node(EBS2.0, EBS2.1, "EBS", "volume", false) }
                        { node(MIRROR2.0, MIRROR2.1, "EBS mirror", "volume", false) }
                        { dots(&d.mysql_dots) }
                    </svg>
                </figure>
                <figure class="cmp-path" aria-label="Aurora write path">
                    <figcaption>{ "Aurora (P17 Figure 3): only redo records, to six copies in three AZs, acknowledged by any four" }</figcaption>
                    <svg viewBox="0 0 420 250" role="group" aria-label="Aurora diagram">
                        { for (0..3).map(|az| html! {
                            <text class="cmp-az" x={format!("{}", seg_x(az))} y="160" text-anchor="middle">{ format!("AZ {}", az + 1) }</text>
                        }) }
                        { link(CLIENTS, WRITER) }
                        { for (0..6).map(|s| link(WRITER, segment(s))) }
                        { node(CLIENTS.0, CLIENTS.1, &d.clients_label, "clients", false) }
                        { node(WRITER.0, WRITER.1, "writer", "instance", !d.aurora_writer_up) }
                        { for (0..6).map(|s| { let (x, y) = segment(s); node(x, y, "segment", "volume", false) }) }
                        { dots(&d.aurora_dots) }
                    </svg>
                </figure>
            </div>
            <table class="cmp-table">
                <caption>{ "Measured by the two models on this run (I/Os at the database node, as P17 Table 1 counts them)" }</caption>
                <thead><tr><th scope="col">{ "" }</th><th scope="col">{ "mirrored MySQL" }</th><th scope="col">{ "Aurora" }</th></tr></thead>
                <tbody>{ for d.rows.iter().map(row) }</tbody>
            </table>
            <table class="cmp-table cmp-claims">
                <caption>{ "Aurora against MySQL: a claim, a measurement and this model, each labelled" }</caption>
                <thead><tr><th scope="col">{ "who says" }</th><th scope="col">{ "transactions" }</th><th scope="col">{ "I/Os per transaction" }</th></tr></thead>
                <tbody>{ for d.claims.iter().map(row) }</tbody>
            </table>
        </section>
    }
}
