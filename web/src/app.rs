//! The page: the product name and the outline of one protection group spread over the
//! Availability Zones, drawn from the core's constants.

use aurora_core::{AZ_COUNT, COPIES_PER_AZ};
use yew::prelude::*;

use crate::names;

/// The whole page.
#[component(App)]
pub fn app() -> Html {
    html! {
        <div class="page">
            <header class="masthead">
                <h1 class="product">{ "Aurora Playground" }</h1>
                <p class="tagline">
                    { "A hands-on model of how Amazon Aurora keeps a database's storage safe." }
                </p>
            </header>
            <main>
                <Volume />
            </main>
        </div>
    }
}

/// One protection group's copies, grouped by Availability Zone.
#[component(Volume)]
pub fn volume() -> Html {
    let total = AZ_COUNT * COPIES_PER_AZ;
    html! {
        <figure class="volume">
            <div class="az-row">
                { for (0..AZ_COUNT).map(|az| html! { <Zone index={az} /> }) }
            </div>
            <figcaption class="volume-caption">
                { format!(
                    "Each protection group keeps {total} copies of its data: \
                     {COPIES_PER_AZ} in each of {AZ_COUNT} Availability Zones."
                ) }
            </figcaption>
        </figure>
    }
}

/// Properties of [`Zone`].
#[derive(Properties, PartialEq)]
pub struct ZoneProps {
    /// Which Availability Zone, from 0.
    pub index: usize,
}

/// One Availability Zone and its segment slots.
#[component(Zone)]
pub fn zone(props: &ZoneProps) -> Html {
    let index = props.index;
    html! {
        <section class="az" role="group" aria-label={names::az(index)}>
            <h2 class="az-title" aria-hidden="true">
                { format!("AZ {}", names::az_letter(index)) }
            </h2>
            <ul class="slots">
                { for (0..COPIES_PER_AZ).map(|copy| html! {
                    <li class="slot" role="img" aria-label={names::segment_slot(index, copy)}>
                        <span class="slot-label" aria-hidden="true">
                            { format!("{}{}", names::az_letter(index), copy + 1) }
                        </span>
                    </li>
                }) }
            </ul>
        </section>
    }
}
