//! Files in and out of the browser, with no network: a download is a Blob behind an object URL
//! and an `<a download>`; a picture is the page's own SVG with its computed styles written
//! onto it as presentation attributes (so it needs no style sheet, and no `style` attribute the
//! Content-Security-Policy would refuse); a PNG is that SVG drawn into a canvas from a `blob:`
//! URL (allowed by the policy's `img-src 'self' blob:`); a run file is read with `Blob.text()`.
//! Every failure comes back as words for a notice; nothing here panics.

use js_sys::{Array, Promise};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, Element, HtmlAnchorElement, Url};

use crate::take_away::{self, Frame, Picture};

/// The CSS properties a picture needs to look as it does on the page, copied onto every
/// element as SVG presentation attributes.
const PROPERTIES: &[&str] = &[
    "fill",
    "fill-opacity",
    "stroke",
    "stroke-width",
    "stroke-opacity",
    "stroke-dasharray",
    "stroke-linecap",
    "stroke-linejoin",
    "opacity",
    "font-family",
    "font-size",
    "font-weight",
    "font-style",
    "text-anchor",
    "dominant-baseline",
    "letter-spacing",
    "visibility",
];

fn describe(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| "the browser refused".to_string())
}

fn document() -> Result<web_sys::Document, String> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| "no document".to_string())
}

/// A Blob of `text` with its MIME type.
pub fn text_blob(text: &str, mime: &str) -> Result<Blob, String> {
    let parts = Array::of1(&JsValue::from_str(text));
    let bag = BlobPropertyBag::new();
    bag.set_type(mime);
    Blob::new_with_str_sequence_and_options(&parts, &bag).map_err(describe)
}

/// Offers `blob` as a download called `name`. In a sandboxed frame without
/// `allow-downloads` the browser drops it silently; nothing can tell.
pub fn download_blob(blob: &Blob, name: &str) -> Result<(), String> {
    let doc = document()?;
    let url = Url::create_object_url_with_blob(blob).map_err(describe)?;
    let a: HtmlAnchorElement = doc
        .create_element("a")
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "no link element".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    let body = doc.body().ok_or("no body")?;
    body.append_child(&a).map_err(describe)?;
    a.click();
    let _ = body.remove_child(&a);
    // The download has its own reference to the data once started.
    let revoke = url.clone();
    let done = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&revoke);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(done.unchecked_ref(), 60_000);
    }
    Ok(())
}

pub fn download_text(text: &str, mime: &str, name: &str) -> Result<(), String> {
    download_blob(&text_blob(text, mime)?, name)
}

/// Copies the computed look of `from` onto `to`, its clone, and so down the tree.
fn inline_styles(window: &web_sys::Window, from: &Element, to: &Element) {
    if let Ok(Some(style)) = window.get_computed_style(from) {
        if style.get_property_value("display").ok().as_deref() == Some("none") {
            let _ = to.set_attribute("display", "none");
        }
        for p in PROPERTIES {
            if let Ok(v) = style.get_property_value(p) {
                if !v.is_empty() {
                    let _ = to.set_attribute(p, &v);
                }
            }
        }
    }
    let _ = to.remove_attribute("class");
    let _ = to.remove_attribute("tabindex");
    let (a, b) = (from.children(), to.children());
    for i in 0..a.length().min(b.length()) {
        if let (Some(x), Some(y)) = (a.item(i), b.item(i)) {
            inline_styles(window, &x, &y);
        }
    }
}

/// The colour of the page's background and text, and its font, in the theme chosen.
fn theme_colours(window: &web_sys::Window, near: &Element) -> (String, String, String) {
    let doc = window.document();
    let body = doc.as_ref().and_then(|d| d.body());
    let read = |e: Option<&Element>, p: &str| {
        e.and_then(|e| window.get_computed_style(e).ok().flatten())
            .and_then(|s| s.get_property_value(p).ok())
            .unwrap_or_default()
    };
    // The nearest ancestor with a background of its own: a panel, else the page.
    let mut background = String::new();
    let mut at = near.parent_element();
    while let Some(e) = at {
        let bg = read(Some(&e), "background-color");
        if !bg.is_empty() && bg != "rgba(0, 0, 0, 0)" && bg != "transparent" {
            background = bg;
            break;
        }
        at = e.parent_element();
    }
    if background.is_empty() {
        background = "#ffffff".to_string();
    }
    let ink = read(body.as_deref(), "color");
    let font = read(body.as_deref(), "font-family");
    (background, ink, font)
}

/// A standalone SVG of what `picture` shows now, and its size in CSS pixels.
pub fn picture_svg(picture: Picture, notes: &[String]) -> Result<(String, f64, f64), String> {
    let window = web_sys::window().ok_or("no window")?;
    let doc = document()?;
    let svg = doc
        .query_selector(&picture.selector())
        .map_err(describe)?
        .ok_or_else(|| format!("the {} is not on the page", picture.label()))?;
    let rect = svg.get_bounding_client_rect();
    let (width, height) = (
        rect.width().round().max(1.0),
        rect.height().round().max(1.0),
    );
    let copy: Element = svg
        .clone_node_with_deep(true)
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "not an element".to_string())?;
    inline_styles(&window, &svg, &copy);
    let _ = copy.set_attribute("width", &format!("{width}"));
    let _ = copy.set_attribute("height", &format!("{height}"));
    let _ = copy.remove_attribute("role");
    let serializer = web_sys::XmlSerializer::new().map_err(describe)?;
    let inner = serializer.serialize_to_string(&copy).map_err(describe)?;
    // The chart's own words, which the page draws in HTML beside it.
    let figure = svg.closest("figure").ok().flatten();
    let mut all_notes: Vec<String> = figure
        .and_then(|f| f.query_selector_all("figcaption span").ok())
        .map(|list| {
            (0..list.length())
                .filter_map(|i| list.item(i).and_then(|n| n.text_content()))
                .collect()
        })
        .unwrap_or_default();
    all_notes.extend(notes.iter().cloned());
    let (background, ink, font) = theme_colours(&window, &svg);
    let heading = matches!(picture, Picture::Chart(_)).then(|| picture.label());
    Ok(take_away::standalone_svg(&Frame {
        inner: &inner,
        width,
        height,
        background: &background,
        ink: &ink,
        font: &font,
        heading,
        notes: &all_notes,
    }))
}

/// Waits for an image to load (or fail) from `url`.
async fn load_image(url: &str) -> Result<web_sys::HtmlImageElement, String> {
    let img = web_sys::HtmlImageElement::new().map_err(describe)?;
    let loaded = Promise::new(&mut |resolve, reject| {
        img.set_onload(Some(&resolve));
        img.set_onerror(Some(&reject));
    });
    img.set_src(url);
    JsFuture::from(loaded).await.map_err(|_| {
        "the browser would not draw the picture (an image from a blob: URL is refused here)"
            .to_string()
    })?;
    Ok(img)
}

/// The SVG drawn at `scale` into a PNG.
pub async fn png_of(svg: &str, width: f64, height: f64, scale: f64) -> Result<Blob, String> {
    let doc = document()?;
    let blob = text_blob(svg, "image/svg+xml")?;
    let url = Url::create_object_url_with_blob(&blob).map_err(describe)?;
    let img = load_image(&url).await;
    let _ = Url::revoke_object_url(&url);
    let img = img?;
    let canvas: web_sys::HtmlCanvasElement = doc
        .create_element("canvas")
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "no canvas".to_string())?;
    canvas.set_width((width * scale).round() as u32);
    canvas.set_height((height * scale).round() as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(describe)?
        .ok_or("no 2D canvas")?
        .dyn_into()
        .map_err(|_| "no 2D canvas".to_string())?;
    ctx.scale(scale, scale).map_err(describe)?;
    ctx.draw_image_with_html_image_element_and_dw_and_dh(&img, 0.0, 0.0, width, height)
        .map_err(describe)?;
    let made = Promise::new(&mut |resolve, reject| {
        let reject2 = reject.clone();
        let done = wasm_bindgen::closure::Closure::once_into_js(move |b: JsValue| {
            if b.is_null() {
                let _ = reject2.call1(&JsValue::NULL, &JsValue::from_str("no PNG"));
            } else {
                let _ = resolve.call1(&JsValue::NULL, &b);
            }
        });
        if let Err(e) = canvas.to_blob_with_type(done.unchecked_ref(), "image/png") {
            let _ = reject.call1(&JsValue::NULL, &e);
        }
    });
    let png = JsFuture::from(made).await.map_err(describe)?;
    png.dyn_into::<Blob>()
        .map_err(|_| "the canvas made no PNG".to_string())
}

/// The text of a file the person chose or dropped, read locally.
pub async fn read_text(file: &web_sys::File) -> Result<String, String> {
    let text = JsFuture::from(file.text()).await.map_err(describe)?;
    text.as_string()
        .ok_or_else(|| "the file is not text".to_string())
}
