//! The page's side of the take-away buttons: makes the file a request asks for from the run on
//! screen and hands it to the browser (`files`), then says what was saved or why not. Reading a
//! run file chosen or dropped is here too; opening it is the reducer's (`Action::OpenRun`).

use crate::files;
use crate::playback::Playback;
use crate::take_away::{self, Request, PNG_SCALE};

/// Saves what `request` asks for. `done` gets the words for a notice and whether they tell of
/// a problem; a PNG is finished after this returns.
pub fn save(request: Request, pb: &Playback, done: impl Fn(String, bool) + 'static) {
    let (scenario, seed, now) = (pb.scenario().name, pb.seed(), pb.now());
    let name = take_away::file_name(scenario, seed, now, request);
    let mime = take_away::mime(request);
    let notes = [take_away::provenance(scenario, seed, now)];
    let text = match request {
        Request::Svg(p) => files::picture_svg(p, &notes).map(|(svg, _, _)| svg),
        Request::Png(p) => match files::picture_svg(p, &notes) {
            Ok((svg, w, h)) => {
                wasm_bindgen_futures::spawn_local(async move {
                    let png = files::png_of(&svg, w, h, PNG_SCALE).await;
                    report(
                        png.and_then(|b| files::download_blob(&b, &name)),
                        &name,
                        &done,
                    );
                });
                return;
            }
            Err(e) => Err(e),
        },
        Request::Measurements => take_away::measurements_csv(pb),
        Request::EventLog => {
            let important: Vec<_> = pb.journal.lines.iter().cloned().collect();
            let routine: Vec<_> = pb.journal.routine.iter().cloned().collect();
            Ok(take_away::log_jsonl(&important, &routine))
        }
        Request::Run => Ok(crate::export_run::save(pb)),
    };
    report(
        text.and_then(|t| files::download_text(&t, mime, &name)),
        &name,
        &done,
    );
}

fn report(result: Result<(), String>, name: &str, done: &impl Fn(String, bool)) {
    match result {
        Ok(()) => done(format!("Saved {name}."), false),
        Err(why) => done(format!("{name} could not be saved: {why}."), true),
    }
}

/// Reads a chosen or dropped file and hands its name and text (or why not) to `then`.
pub fn read(file: web_sys::File, then: impl FnOnce(String, Result<String, String>) + 'static) {
    let name = file.name();
    wasm_bindgen_futures::spawn_local(async move {
        let text = files::read_text(&file).await;
        then(name, text);
    });
}
