//! The page: reads the address, owns the state, runs the animation loop and the shortcuts, and
//! lays out the panels. Every panel is a pure component of props built here from the model.

use std::rc::Rc;

use yew::prelude::*;

use crate::callbacks::{use_callbacks, Callbacks};
use crate::components::backups::BackupsPanel;
use crate::components::capacity::{CapacityFigures, CapacityPanel};
use crate::components::charts::Charts;
use crate::components::controls::PlaybackBar;
use crate::components::diagram::{Diagram, Scene};
use crate::components::event_log::EventLog;
use crate::components::faults::FaultMenu;
use crate::components::help::Help;
use crate::components::inspector::Inspector;
use crate::components::intro::Intro;
use crate::components::lesson_panel::LessonPanel;
use crate::components::lesson_picker::{LessonErrors, LessonPicker};
use crate::components::lesson_spotlight::Spotlight;
use crate::components::notices::Notices;
use crate::components::recovery::{names_of, RecoveryPanel};
use crate::components::setup::Setup;
use crate::components::take_away::TakeAway;
use crate::components::world::WorldView;
use crate::hooks::{use_animation_frames, use_keyboard, use_media};
use crate::layout::layout;
use crate::lesson::LessonAction;
use crate::page_effects::{
    page_base, page_query, share_query, use_address_bar, use_frame_timing, use_lesson_fetch,
    use_reduced_motion, use_saving, use_share, use_theme, Share,
};
use crate::state::{group, Action, AppContext, AppState};
use crate::url;

#[derive(Properties, PartialEq, Clone, Default)]
pub struct AppProps {
    /// The query string to read instead of the page address's (component tests use it).
    #[prop_or_default]
    pub query: Option<AttrValue>,
}

/// The whole page.
#[component(App)]
pub fn app(props: &AppProps) -> Html {
    let query = props
        .query
        .as_ref()
        .map_or_else(page_query, |q| q.to_string());
    let parsed = use_memo((), move |_| url::parse(&query));
    match parsed.0.scenario() {
        Some(scenario) => {
            let (params, notices) = (*parsed).clone();
            html! { <Playground {scenario} {params} {notices} /> }
        }
        None => html! {
            <div class="page"><h1 class="product">{ "Aurora Playground" }</h1>
                <p role="alert">{ "The simulation offers no scenarios, so there is nothing to show." }</p></div>
        },
    }
}

#[derive(Properties, Clone)]
struct PlaygroundProps {
    scenario: &'static aurora_core::scenario::Scenario,
    params: url::Params,
    notices: Vec<String>,
}

impl PartialEq for PlaygroundProps {
    fn eq(&self, other: &Self) -> bool {
        self.scenario.name == other.scenario.name
    }
}

#[component(Playground)]
fn playground(props: &PlaygroundProps) -> Html {
    let state = {
        let props = props.clone();
        use_reducer(move || AppState::new(props.scenario, &props.params, props.notices))
    };
    let dispatch = state.dispatcher();
    let Callbacks {
        on_dispatch,
        on_select,
        on_region,
        on_share,
        on_embed,
        on_take_away,
        on_open,
        on_drag_over,
        on_drop,
        on_lesson,
    } = (*use_callbacks(dispatch.clone())).clone();
    use_saving(state.run.clone(), state.take_away, dispatch.clone());
    use_lesson_fetch(state.lesson.loading.clone(), dispatch.clone());
    // The link to the lesson's step, while one is followed.
    let lesson_link = state
        .lesson
        .guide
        .read()
        .as_ref()
        .map(crate::lesson_file::link);
    // The page's own address without its query: asked of the browser once, not every frame.
    let base = use_memo((), |_| page_base());
    let panel_cache = use_mut_ref(|| None::<crate::panel_data::PanelCache>);
    // The mirrored-MySQL run the Compare view keeps beside the Sim, in comparison scenarios.
    let beside = use_mut_ref(|| None::<aurora_core::baseline::compare::Beside>);
    use_animation_frames(dispatch.clone());
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| dispatch.dispatch(Action::ShowPanels));
    }
    use_keyboard(dispatch.clone(), true);
    let narrow = use_media("(max-width: 720px)");
    use_reduced_motion(dispatch.clone());
    use_theme(state.theme);

    let render_started = crate::state::now_ms();
    let speed = state.speed();
    // What the effects need, read before any early return so the hooks run on every render.
    // The view is built once a frame, here, inside the frame's timing.
    let pb = state.run.read();
    // Paused, the address holds the moment, so reloading or copying it keeps it.
    let address = share_query(&pb, speed, !state.playing, false);
    let in_flight = pb.traffic.flights.len();
    let view = Rc::new(pb.sim().view());
    let sim_ms = pb.now().as_micros() as f64 / 1_000.0;
    let (instances, pgs) = (view.instances.len(), view.volume.pgs);
    let address = lesson_link.clone().unwrap_or(address);
    use_frame_timing(
        render_started,
        props.params.bench.then_some(crate::probe::Frame {
            advance_ms: state.advance_ms,
            render_ms: 0.0,
            in_flight,
            instances,
            pgs,
            sim_ms,
            wall_ms: state.wall,
        }),
    );
    use_address_bar(state.embed, address);
    let link = use_share(
        Share {
            requests: state.share_requests,
            as_embed: state.share_embed,
            lesson_link: lesson_link.clone(),
            base: Rc::clone(&base),
            speed,
        },
        state.run.clone(),
        dispatch.clone(),
    );
    let sim = pb.sim();
    let faults = Rc::new(view.faults.clone());
    let regions: Vec<u8> = view.nodes.iter().map(|n| n.region.0).collect();
    let shown = crate::panel_data::region_shown(&view, state.region_shown);
    let scene = Rc::new(Scene {
        region: shown,
        layout: layout(&view, &regions, shown, narrow),
        view: Rc::clone(&view),
        faults: Rc::clone(&faults),
        flights: pb.traffic.flights.clone(),
        pulses: pb.traffic.pulses.values().copied().collect(),
        flashes: pb.journal.flashes.clone(),
        wall: state.wall,
    });
    // The lesson followed, if any: its card, and its highlights on the diagram.
    let guide_ref = state.lesson.guide.read();
    let guide = guide_ref.as_ref();
    let card = guide.map(|g| Rc::new(g.card(&pb, crate::lesson_file::next_lesson(g))));
    let (rings, rung) = guide
        .filter(|g| !g.trying())
        .map(|g| crate::lesson_view::rings(&g.highlights(sim), &view, &scene.layout))
        .unwrap_or_default();
    let (width, height) = (scene.layout.width, scene.layout.height);
    let diagram = html! {
        <div class="diagram-wrap">
            <Diagram scene={scene} selection={state.selection} reduced_motion={state.reduced_motion}
                on_select={on_select} on_region={on_region} />
            <Spotlight {width} {height} {rings} />
        </div>
    };
    let lesson_panel = card.map(|card| {
        let ring: Vec<(AttrValue, AttrValue)> = rung
            .iter()
            .map(|p| (crate::lesson_view::selector(*p).into(), p.name().into()))
            .collect();
        html! {
            <LessonPanel {card} dispatch={on_lesson.clone()} on_share={on_share.clone()}
                compact={state.embed} {ring} panels_drawn={state.all_panels()} paused={!state.playing}
                link={link.clone()} />
        }
    });
    let following = lesson_panel.is_some();
    let diagram = html! {
        <div class={classes!("lesson-stage", following.then_some("with-lesson"))}>
            { diagram }
            { for lesson_panel }
        </div>
    };
    let lesson_overlays = html! {
        <>
            if let Some(problem) = &state.lesson.file_problem {
                <LessonErrors path={problem.0.clone()} errors={problem.1.clone()} />
            }
            if state.lesson.picker {
                <LessonPicker lessons={crate::lesson_mode::catalog(&state.lesson.record)}
                    dispatch={on_lesson.clone()} stored={state.lesson.stored} />
            }
        </>
    };
    let playback = html! {
        <PlaybackBar playing={state.playing} speed_index={state.speed_index}
            effective_speed={state.effective_speed} now={pb.now()} horizon={pb.horizon()}
            end={pb.end()} marks={pb.actions().iter().map(|a| a.at).collect::<Vec<_>>()}
            actions_ahead={pb.actions_ahead()} compact={state.embed} dispatch={on_dispatch.clone()} />
    };
    let notices =
        html! { <Notices notices={state.notices.clone()} dispatch={on_dispatch.clone()} /> };
    let compare = {
        let mut slot = beside.borrow_mut();
        if crate::compare::sync(&mut slot, pb.scenario().name, sim) {
            slot.as_ref()
                .map(|b| Rc::new(crate::compare::data(sim, &view, b, &pb.traffic.in_air)))
        } else {
            None
        }
    };
    let fingerprint = format!("{:016x}", sim.trace_digest());
    let scenario_name = pb.scenario().name;

    let pictures =
        crate::panel_data::pictures(&view, state.embed, state.panel_group(group::CHARTS));
    let take_away = html! {
        <TakeAway {pictures} on_request={on_take_away.clone()} on_open={on_open.clone()}
            compact={state.embed} />
    };

    if state.embed {
        let full = match &lesson_link {
            Some(q) => format!("{base}{q}"),
            None => format!("{base}{}", share_query(&pb, speed, true, false)),
        };
        return html! {
            <ContextProvider<AppContext> context={state.clone()}>
                <div class="page embed" ondragover={state.tools.then_some(on_drag_over.clone())}
                    ondrop={state.tools.then_some(on_drop.clone())}>
                    <header class="masthead compact">
                        <h1 class="product">{ "Aurora Playground" }</h1>
                        <span class="scenario-name">{ scenario_name }</span>
                        <a class="open-full" href={full} target="_blank" rel="noopener">{ "Open the full playground" }</a>
                    </header>
                    { notices }
                    { lesson_overlays }
                    <main>
                        { diagram }
                        { playback }
                        if state.tools {
                            { take_away }
                        }
                    </main>
                </div>
            </ContextProvider<AppContext>>
        };
    }

    let cached = crate::panel_data::cached(
        &mut panel_cache.borrow_mut(),
        &pb,
        &view,
        crate::panel_data::Moment {
            run: state.run.id(),
            wall: state.wall,
            playing: state.playing,
            speed,
        },
    );
    let crate::panel_data::Cached {
        figures,
        log: log_lines,
        routine: routine_lines,
        log_version,
        view: panel_view,
        backups,
    } = cached;
    let page = match state.selection {
        Some(crate::state::Selection::Page(n)) => sim.page_view(n).map(Rc::new),
        _ => None,
    };
    let gauges = crate::panel_data::gauges(&pb, &view);
    let serverless = !gauges.is_empty();
    let capacity = html! {
        <CapacityPanel figures={Rc::new(CapacityFigures {
            now: view.now,
            gauges,
            meter: view.meter,
            load: view.load.knobs(),
        })} dispatch={on_dispatch.clone()} />
    };
    let world_data = crate::panel_data::world(sim, &view, &faults, shown);
    let global = !world_data.regions.is_empty();
    let world = html! { <WorldView world={world_data} dispatch={on_dispatch.clone()} /> };
    let d = dispatch.clone();
    let help = Callback::from(move |_: MouseEvent| d.dispatch(Action::ToggleHelp));
    let d = dispatch.clone();
    let theme = Callback::from(move |_: MouseEvent| d.dispatch(Action::CycleTheme));
    let lessons = on_lesson.reform(|_: MouseEvent| LessonAction::OpenPicker);

    html! {
        <ContextProvider<AppContext> context={state.clone()}>
            <div class="page" ondragover={on_drag_over} ondrop={on_drop}>
                <a class="skip-link" href="#faults-title">{ "Skip the diagram to the Faults panel" }</a>
                <header class="masthead">
                    <div>
                        <h1 class="product">{ "Aurora Playground" }</h1>
                    </div>
                    <div class="mast-buttons">
                        <button onclick={lessons} class="lessons-button">{ "Lessons" }</button>
                        <button onclick={theme} aria-label={state.theme.label()}>{ state.theme.label() }</button>
                        <button onclick={help} aria-label="Keyboard shortcuts and help">{ "? Help" }</button>
                    </div>
                </header>
                <Intro scenario={scenario_name} dispatch={on_dispatch.clone()} />
                { notices }
                { lesson_overlays }
                { playback }
                <main class="stage">
                    if global {
                        { world.clone() }
                    }
                    <h2 class="visually-hidden">{ "Cluster diagram" }</h2>
                    { diagram }
                    if let Some(data) = compare {
                        <crate::components::compare::Compare {data} />
                    }
                    <RecoveryPanel record={pb.journal.recovery().cloned()} live={view.recovery.clone()}
                        names={names_of(&view)} />
                    if serverless {
                        { capacity.clone() }
                    }
                </main>
                // Drawn from the second render on, a group a frame: the diagram first, then the rest.
                if state.panel_group(group::INSPECTOR) {
                    <div class="panels">
                        <aside class="side">
                            <Inspector view={panel_view} faults={Rc::clone(&faults)}
                                selection={state.selection} dispatch={on_dispatch.clone()} {page} />
                            if state.panel_group(group::FAULTS) {
                                <FaultMenu faults={(*faults).clone()} dispatch={on_dispatch.clone()} />
                            }
                            if state.panel_group(group::BACKUPS) {
                                <BackupsPanel data={backups} dispatch={on_dispatch.clone()} />
                            }
                            if state.panel_group(group::WORLD) && !global {
                                { world }
                            }
                        </aside>
                        if state.panel_group(group::LOG) {
                            <EventLog lines={log_lines} routine={routine_lines} version={log_version}
                                opened_at={props.params.at.filter(|t| *t > aurora_core::SimTime::ZERO)} />
                        }
                        if state.panel_group(group::CHARTS) {
                            <div class="side">
                                <Charts figures={figures} />
                                if state.panel_group(group::SETUP) {
                                    <Setup scenario={scenario_name} seed={pb.seed()} load={view.load.knobs()}
                                        engine={view.backup.engine}
                                        dispatch={on_dispatch.clone()} on_share={on_share} on_embed={on_embed} link={link.clone()} />
                                }
                                if state.panel_group(group::TAKE_AWAY) {
                                    { take_away }
                                }
                                if state.panel_group(group::CAPACITY) && !serverless {
                                    { capacity }
                                }
                            </div>
                        }
                    </div>
                }
                if state.panel_group(group::GLOSSARY) {
                    // The whole width: its definitions read as sentences, not a narrow column.
                    <crate::glossary::Glossary />
                    <footer class="footer">
                        <span>{ format!("Scenario {scenario_name}, seed {}, ", pb.seed()) }</span>
                        <span>{ "run fingerprint " }<code class="fingerprint">{ fingerprint }</code></span>
                        <span>{ format!(", {} checkpoints kept for rewinding.", pb.checkpoints()) }</span>
                    </footer>
                }
                <p class="visually-hidden" role="status" aria-live="polite" id="announcer">{ state.announcement.clone() }</p>
                if state.help_open {
                    <Help dispatch={on_dispatch} />
                }
            </div>
        </ContextProvider<AppContext>>
    }
}
