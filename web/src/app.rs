//! The page: reads the address, owns the state, runs the animation loop and the shortcuts, and
//! lays out the panels. Every panel is a pure component of props built here from the model.

use std::rc::Rc;

use aurora_core::compute::instance::Role;
use aurora_core::serverless::Capacity;
use aurora_core::{Fault, SimDuration};
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::components::backups::BackupsPanel;
use crate::components::capacity::{CapacityFigures, CapacityPanel, Gauge};
use crate::components::charts::{Charts, Figures, Table4Row};
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
use crate::components::world::{World, WorldView};
use crate::hooks::{use_animation_frames, use_keyboard, use_media};
use crate::layout::layout;
use crate::lesson::LessonAction;
use crate::playback::Playback;
use crate::state::{group, Action, AppContext, AppState, Theme};
use crate::url;

/// Wall-clock seconds of history the latency chart shows, at any speed.
const CHART_WALL_SECONDS: f64 = 20.0;
/// While playing, the side panels' figures, event log and inspector are rebuilt this often
/// (wall-clock ms): a number redrawn every frame cannot be read, and the diagram keeps the
/// frame's time for itself. Paused, stepping or scrubbing, they follow every change.
const PANEL_REFRESH_MS: f64 = 250.0;

/// What the side panels showed last, and when to rebuild it.
struct PanelCache {
    next_at: f64,
    /// The run and the actions in it the panels were built from: a new run, a user action or a
    /// jump back in time rebuilds them at once.
    run: *const (),
    actions: usize,
    at: aurora_core::SimTime,
    figures: Rc<Figures>,
    log: Rc<Vec<crate::journal::LogLine>>,
    routine: Rc<Vec<crate::journal::LogLine>>,
    log_version: u64,
    view: Rc<aurora_core::view::View>,
    backups: Rc<crate::backups::BackupsData>,
}

#[derive(Properties, PartialEq, Clone, Default)]
pub struct AppProps {
    /// The query string to read instead of the page address's (component tests use it).
    #[prop_or_default]
    pub query: Option<AttrValue>,
}

fn page_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// The page's address without its query, for share links.
fn page_base() -> String {
    web_sys::window()
        .and_then(|w| {
            let l = w.location();
            Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?))
        })
        .unwrap_or_default()
}

fn share_query(pb: &Playback, speed: f64, with_time: bool, embed: bool) -> String {
    url::query(&url::Share {
        scenario: pb.scenario().name,
        seed: pb.seed(),
        speed,
        at: if with_time {
            pb.now()
        } else {
            aurora_core::SimTime::ZERO
        },
        actions: pb.actions(),
        embed,
        replicas: pb.replicas(),
        engine: pb.engine(),
    })
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
    // Callbacks made once: a component whose props are unchanged skips its render, and a new
    // callback each frame would make every node of the diagram differ from the frame before.
    let on_dispatch = {
        let dispatch = dispatch.clone();
        use_callback((), move |a: Action, _| dispatch.dispatch(a))
    };
    let on_select = {
        let dispatch = dispatch.clone();
        use_callback((), move |s, _| dispatch.dispatch(Action::Select(Some(s))))
    };
    let on_region = {
        let dispatch = dispatch.clone();
        use_callback((), move |r, _| {
            dispatch.dispatch(Action::ShowRegion(Some(r)))
        })
    };
    let on_share = {
        let dispatch = dispatch.clone();
        use_callback((), move |_: (), _| dispatch.dispatch(Action::RequestShare))
    };
    let on_embed = {
        let dispatch = dispatch.clone();
        use_callback((), move |_: (), _| dispatch.dispatch(Action::RequestEmbed))
    };
    let on_take_away = {
        let dispatch = dispatch.clone();
        use_callback((), move |r, _| dispatch.dispatch(Action::TakeAway(r)))
    };
    let on_open = {
        let dispatch = dispatch.clone();
        use_callback((), move |file: web_sys::File, _| {
            let dispatch = dispatch.clone();
            crate::saving::read(file, move |name, text| {
                dispatch.dispatch(Action::OpenRun(name, text))
            });
        })
    };
    // A run file dropped anywhere on the page opens like one chosen with Open run.
    let on_drag_over = Callback::from(|e: DragEvent| e.prevent_default());
    let on_drop = {
        let on_open = on_open.clone();
        Callback::from(move |e: DragEvent| {
            let file = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0));
            if let Some(file) = file {
                e.prevent_default();
                on_open.emit(file);
            }
        })
    };
    // Saving happens after the render that asked for it, from the run as it is then.
    {
        let run = state.run.clone();
        let dispatch = dispatch.clone();
        let request = state.take_away.1;
        use_effect_with(state.take_away.0, move |n| {
            let (Some(request), true) = (request, *n > 0) else {
                return;
            };
            // The outcome is told later, not inside the read: the reducer changes the run.
            crate::saving::save(request, &run.read(), move |text, problem| {
                let dispatch = dispatch.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    dispatch.dispatch(Action::Notify(text, problem))
                });
            });
        });
    }
    let on_lesson = {
        let dispatch = dispatch.clone();
        use_callback((), move |a: LessonAction, _| {
            dispatch.dispatch(Action::Lesson(a))
        })
    };
    // A lesson file (named by the link, or a built-in lesson being opened) is fetched from this
    // site whenever one is asked for.
    {
        let dispatch = dispatch.clone();
        let loading = state.lesson.loading.clone();
        use_effect_with(loading, move |loading| {
            if let Some(path) = loading.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    let text = crate::lesson_file::fetch_text(&path).await;
                    dispatch.dispatch(Action::LessonText(path, text));
                });
            }
        });
    }
    // The link to the lesson's step, while one is followed.
    let lesson_link = state
        .lesson
        .guide
        .read()
        .as_ref()
        .map(crate::lesson_file::link);
    // The page's own address without its query: asked of the browser once, not every frame.
    let base = use_memo((), |_| page_base());
    let panel_cache = use_mut_ref(|| None::<PanelCache>);
    // The mirrored-MySQL run the Compare view keeps beside the Sim, in comparison scenarios.
    let beside = use_mut_ref(|| None::<aurora_core::baseline::compare::Beside>);
    use_animation_frames(dispatch.clone());
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| dispatch.dispatch(Action::ShowPanels));
    }
    use_keyboard(dispatch.clone(), true);
    let narrow = use_media("(max-width: 720px)");
    let reduced = use_media("(prefers-reduced-motion: reduce)");
    {
        let dispatch = dispatch.clone();
        use_effect_with(reduced, move |on| {
            dispatch.dispatch(Action::SetReducedMotion(*on))
        });
    }
    // The theme is an attribute on the root element, so the CSS variables follow it.
    use_effect_with(state.theme, |theme| {
        if let Some(root) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = match theme {
                Theme::Auto => root.remove_attribute("data-theme"),
                Theme::Light => root.set_attribute("data-theme", "light"),
                Theme::Dark => root.set_attribute("data-theme", "dark"),
            };
        }
    });

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
    // Each drawn frame is timed, from building the view to the DOM's update: the next frame's
    // advance gets what drawing leaves of the frame (and the benchmark probe records it).
    {
        let bench = props.params.bench;
        let advance = state.advance_ms;
        let wall = state.wall;
        // After every render (a state the reducer found unchanged renders nothing).
        use_effect(move || {
            let render_ms = crate::state::now_ms() - render_started;
            crate::frame_budget::record_render(render_ms);
            if bench {
                crate::probe::record(&crate::probe::Frame {
                    advance_ms: advance,
                    render_ms,
                    in_flight,
                    instances,
                    pgs,
                    sim_ms,
                    wall_ms: wall,
                });
            }
        });
    }
    // The address bar follows the run (not in an embed, whose address is the course page's).
    {
        let embed = state.embed;
        use_effect_with(address, move |q| {
            if !embed && !q.is_empty() {
                if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
                    let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(q));
                }
            }
        });
    }
    // Copying a link happens after the render that asked for it.
    let link = use_state(|| None::<AttrValue>);
    {
        let link = link.clone();
        let dispatch = dispatch.clone();
        let run = state.run.clone();
        let base = Rc::clone(&base);
        let as_embed = state.share_embed;
        let lesson_link = lesson_link.clone();
        use_effect_with(state.share_requests, move |n| {
            if *n == 0 {
                return;
            }
            // The link to this moment, made only when asked for (in a lesson, to its step); or
            // the iframe embedding it.
            let link_url = {
                let pb = run.read();
                let url = match &lesson_link {
                    Some(q) if !as_embed => format!("{base}{q}"),
                    _ => format!("{base}{}", share_query(&pb, speed, true, as_embed)),
                };
                if as_embed {
                    crate::embed::iframe_code(&url, pb.scenario().name)
                } else {
                    url
                }
            };
            let (by_hand, copied) = if as_embed {
                (
                    "Copy the embed code below into your course page.",
                    "Embed code copied: paste it into your course page.",
                )
            } else {
                (
                    "Copy the link below: it replays this run to this moment.",
                    "Link copied: it replays this run to this moment.",
                )
            };
            let write = web_sys::window()
                .filter(|_| clipboard_allowed())
                .map(|w| w.navigator().clipboard().write_text(&link_url));
            link.set(Some(link_url.into()));
            match write {
                // Only a write the browser confirms is reported as copied.
                Some(promise) => wasm_bindgen_futures::spawn_local(async move {
                    let text = match wasm_bindgen_futures::JsFuture::from(promise).await {
                        Ok(_) => copied,
                        Err(_) => by_hand,
                    };
                    dispatch.dispatch(Action::Notify(text.into(), false));
                }),
                None => dispatch.dispatch(Action::Notify(by_hand.into(), false)),
            }
        });
    }
    let sim = pb.sim();
    let faults = Rc::new(view.faults.clone());
    let regions: Vec<u8> = view.nodes.iter().map(|n| n.region.0).collect();
    // The region drawn in full: the one asked for while it exists, else the writer's.
    let writer_region = regions.get(view.writer.node.index()).copied().unwrap_or(0);
    let shown = state
        .region_shown
        .filter(|r| view.regions.iter().any(|g| g.id.0 == *r))
        .unwrap_or(writer_region);
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
                link={(*link).clone()} />
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

    let serverless_now = view
        .instances
        .iter()
        .any(|i| i.capacity != Capacity::Provisioned);
    let mut pictures = vec![crate::take_away::Picture::Diagram];
    if !state.embed && state.panel_group(group::CHARTS) {
        pictures.push(crate::take_away::Picture::Chart("commit-latency"));
        pictures.push(crate::take_away::Picture::Chart("throughput"));
    }
    if !state.embed && serverless_now {
        pictures.push(crate::take_away::Picture::Chart("acu"));
    }
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

    let run = state.run.id();
    let refresh = !state.playing
        || panel_cache.borrow().as_ref().is_none_or(|c| {
            state.wall >= c.next_at
                || c.run != run
                || c.actions != pb.actions().len()
                || c.at > view.now
        });
    if refresh {
        let m = sim.metrics();
        let window = SimDuration::from_micros(
            (speed * CHART_WALL_SECONDS * 1e6).clamp(5_000.0, 3_600e6) as u64,
        );
        let figures = Rc::new(Figures {
            now: view.now,
            commit_p50: m.commit_latency.quantile(500),
            commit_p99: m.commit_latency.quantile(990),
            commits: m.commits_acked,
            latency: pb
                .journal
                .latency
                .iter()
                .filter(|p| p.0.as_micros() + window.as_micros() >= view.now.as_micros())
                .copied()
                .collect(),
            window,
            throughput: m.throughput(view.now, 30),
            lags: view
                .instances
                .iter()
                .filter(|i| i.role == Role::Replica)
                .map(|i| (i.name.clone(), i.lag, i.up))
                .collect(),
            lag_p50: m.replica_lag.quantile(500),
            lag_p99: m.replica_lag.quantile(990),
            lag_table4: aurora_core::compute::replica::TABLE4_LAG
                .iter()
                .filter_map(|&(w, paper)| {
                    aurora_core::lag_sweep::lag_at(sim, w).map(|(mean, _)| Table4Row {
                        writes_per_sec: w,
                        mean,
                        quorum_wait: aurora_core::lag_sweep::durable_wait_at(sim, w),
                        paper,
                    })
                })
                .collect(),
            ios_per_txn: m.redo_ios_per_txn(),
            client_ok: m.client_ok,
            client_errors: m.client_errors,
            client_write_p50: m.client_write_latency.quantile(500),
            client_read_p50: m.client_read_latency.quantile(500),
            client_writes: m.client_write_latency.count(),
            client_reads: m.client_read_latency.count(),
            oldest_commit_wait: view.writer.oldest_commit_since.map(|t| view.now - t),
            commits_waiting: view.writer.commits_waiting,
            requests_waiting: view.requests_waiting,
            oldest_request_wait: view.oldest_request_since.map(|t| view.now - t),
            violations: view.invariant_violations,
            first_violation: view
                .first_violation
                .map(|(inv, at, _)| format!("{} at {}", inv.name(), crate::format::clock(at))),
        });
        *panel_cache.borrow_mut() = Some(PanelCache {
            next_at: state.wall + PANEL_REFRESH_MS,
            run,
            actions: pb.actions().len(),
            at: view.now,
            figures,
            log: Rc::new(pb.journal.lines.iter().cloned().collect::<Vec<_>>()),
            routine: Rc::new(pb.journal.routine.iter().cloned().collect::<Vec<_>>()),
            log_version: pb.journal.version,
            backups: Rc::new(crate::backups::data(&view.backup, view.now)),
            view: Rc::clone(&view),
        });
    }
    let (figures, log_lines, routine_lines, log_version, panel_view, backups) =
        match panel_cache.borrow().as_ref() {
            Some(c) => (
                Rc::clone(&c.figures),
                Rc::clone(&c.log),
                Rc::clone(&c.routine),
                c.log_version,
                Rc::clone(&c.view),
                Rc::clone(&c.backups),
            ),
            None => (
                Rc::default(),
                Rc::default(),
                Rc::default(),
                0,
                Rc::clone(&view),
                Rc::new(crate::backups::data(&view.backup, view.now)),
            ),
        };
    let page = match state.selection {
        Some(crate::state::Selection::Page(n)) => sim.page_view(n).map(Rc::new),
        _ => None,
    };
    let gauges: Vec<Gauge> = view
        .instances
        .iter()
        .filter(|i| i.capacity != Capacity::Provisioned)
        .map(|i| Gauge {
            node: i.node,
            name: i.name.clone(),
            capacity: i.capacity,
            half: i.acu_half,
            paused: i.paused,
            resuming: i.resuming,
            follows_writer: i.follows_writer,
            series: pb.acu.series(i.node),
        })
        .collect();
    let serverless = !gauges.is_empty();
    let capacity = html! {
        <CapacityPanel figures={Rc::new(CapacityFigures {
            now: view.now,
            gauges,
            meter: view.meter,
            load: view.load.knobs(),
        })} dispatch={on_dispatch.clone()} />
    };
    let g = &view.global;
    let world_data = World {
        now: view.now,
        regions: view.regions.clone(),
        down: faults
            .iter()
            .filter_map(|f| match f {
                Fault::FailRegion(r) => Some(r.0),
                _ => None,
            })
            .collect(),
        records: g.records.clone(),
        shown,
        forwarding: g.forward_rate,
        read_consistency: g.read_consistency,
        read_after_write: crate::components::world::read_after_write_text(
            g.read_consistency,
            &sim.metrics().forward_read_wait,
            sim.metrics().forward_reads_stale,
        ),
        switching: g.switching.map(|r| r.0),
        primary_failed_at: g.primary_failed_at,
    };
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
                                        dispatch={on_dispatch.clone()} on_share={on_share} on_embed={on_embed} link={(*link).clone()} />
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

/// Whether this frame may write to the clipboard. A sandboxed or cross-origin iframe without
/// `allow="clipboard-write"` may not, and Chromium logs an error for every attempt, so the page
/// asks first where the browser can say (`document.featurePolicy`) and offers the link to copy
/// by hand instead.
fn clipboard_allowed() -> bool {
    use js_sys::{Function, Reflect};
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    let Ok(policy) = Reflect::get(&document, &JsValue::from_str("featurePolicy")) else {
        return true;
    };
    if !policy.is_object() {
        return true;
    }
    Reflect::get(&policy, &JsValue::from_str("allowsFeature"))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .and_then(|f| f.call1(&policy, &JsValue::from_str("clipboard-write")).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(true)
}
