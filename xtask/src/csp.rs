//! The page's Content-Security-Policy, written into every built HTML file as a `<meta>` element,
//! so the policy travels with `dist/` to whatever static server hosts it.
//!
//! Trunk's build loads the app with one inline module script (`import init ... await init(...)`),
//! whose text names the hashed file names and so changes with every build. The policy allows
//! exactly that script by its SHA-256, the page's own files (`'self'`), and compiling WebAssembly
//! (`'wasm-unsafe-eval'`); nothing else: no other inline script or style, no other origin.
//! SHA-256 and base64 are written out here because xtask has no dependencies.

use std::path::Path;

use crate::{Error, Result};

/// The policy's fixed part; the inline scripts' hashes are added to `script-src`.
const DEFAULT_SRC: &str = "default-src 'self'";
const SCRIPT_SRC: &str = "script-src 'self' 'wasm-unsafe-eval'";
const STYLE_SRC: &str = "style-src 'self'";
/// Save picture's PNG draws the page's own SVG, made into a `blob:` URL by the page itself,
/// into a canvas; an `<img>` from a `blob:` URL is otherwise refused by `default-src 'self'`.
/// Only the page's scripts can make such a URL, and they run under `script-src`.
const IMG_SRC: &str = "img-src 'self' blob:";

/// The policy for a page: the fixed directives plus one `'sha256-…'` per inline script.
pub fn policy(html: &str) -> String {
    let mut script_src = String::from(SCRIPT_SRC);
    for script in inline_scripts(html) {
        script_src.push_str(&format!(" 'sha256-{}'", base64(&sha256(script.as_bytes()))));
    }
    format!("{DEFAULT_SRC}; {script_src}; {STYLE_SRC}; {IMG_SRC}")
}

/// `html` with the policy as the first element after `<meta charset>` (or after `<head>`), so it
/// applies to everything the page loads. A page that already has a policy is an error: two
/// policies would both apply, and the older one would silently keep its hashes.
pub fn apply(html: &str) -> Result<String> {
    if html.contains("http-equiv=\"Content-Security-Policy\"") {
        return Err(Error::new("the page already has a Content-Security-Policy"));
    }
    let meta = format!(
        "\n    <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">",
        policy(html)
    );
    let at = after_tag(html, "<meta charset")
        .or_else(|| after_tag(html, "<head"))
        .ok_or_else(|| Error::new("the page has no <head> to put its policy in"))?;
    Ok(format!("{}{meta}{}", &html[..at], &html[at..]))
}

/// Adds the policy to every `.html` file directly in `dir` (Trunk's output).
pub fn apply_to_dir(dir: &Path) -> Result<Vec<(String, String)>> {
    let mut written = Vec::new();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Error::new(format!("cannot read {}: {e}", dir.display())))?;
    for entry in entries {
        let path = entry?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        let html = std::fs::read_to_string(&path)?;
        let with_policy =
            apply(&html).map_err(|e| Error::new(format!("{}: {e}", path.display())))?;
        std::fs::write(&path, with_policy)?;
        let name = path
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        written.push((name, policy(&html)));
    }
    written.sort();
    Ok(written)
}

/// The byte offset just past the `>` of the first tag starting with `start`.
fn after_tag(html: &str, start: &str) -> Option<usize> {
    let from = html.find(start)?;
    Some(from + html[from..].find('>')? + 1)
}

/// The text of every `<script>` element without a `src`, exactly as the browser hashes it.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after_name = &rest[open + "<script".len()..];
        // `<scripts>` or `<script-x>` are other tags.
        if !after_name.starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
            rest = after_name;
            continue;
        }
        let Some(tag_end) = after_name.find('>') else {
            break;
        };
        let attributes = &after_name[..tag_end];
        let body = &after_name[tag_end + 1..];
        let Some(close) = body.find("</script") else {
            break;
        };
        if !has_attribute(attributes, "src") {
            scripts.push(&body[..close]);
        }
        rest = &body[close..];
    }
    scripts
}

fn has_attribute(attributes: &str, name: &str) -> bool {
    attributes
        .split(|c: char| c.is_ascii_whitespace())
        .any(|a| a == name || a.starts_with(&format!("{name}=")))
}

/// SHA-256 (FIPS 180-4).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in message.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16]
                .wrapping_add(s0)
                .wrapping_add(w[i - 7])
                .wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(K[i])
                .wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// Standard base64 with padding (RFC 4648 §4), as CSP hash sources use.
pub fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha256_matches_the_published_vectors() {
        // FIPS 180-4 examples, and a message that needs a second padding block.
        assert_eq!(
            hex(&sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(&sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(
            hex(&sha256(&[b'a'; 1000])),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        );
    }

    #[test]
    fn base64_pads_as_rfc_4648_says() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want, "{input:?}");
        }
        // The CSP form of a hash: what `openssl dgst -sha256 -binary | base64` prints for "abc".
        assert_eq!(
            base64(&sha256(b"abc")),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }

    const PAGE: &str =
        "<!doctype html>\n<html><head>\n<meta charset=\"utf-8\">\n<title>t</title>\n\
        <script type=\"module\">\nimport init from './a.js';\n</script>\n\
        <script src=\"./b.js\"></script><link rel=\"modulepreload\" href=\"./a.js\"></head>\
        <body><scripted></scripted></body></html>";

    #[test]
    fn only_inline_scripts_are_hashed() {
        assert_eq!(inline_scripts(PAGE), ["\nimport init from './a.js';\n"]);
        let hash = base64(&sha256(b"\nimport init from './a.js';\n"));
        assert_eq!(
            policy(PAGE),
            format!(
                "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'; style-src 'self'; img-src 'self' blob:"
            )
        );
        assert_eq!(
            policy("<html><head></head></html>"),
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' blob:"
        );
    }

    #[test]
    fn the_policy_goes_right_after_the_charset_and_only_once() {
        let page = apply(PAGE).expect("a page with a head");
        let charset = page.find("<meta charset=\"utf-8\">").expect("charset kept");
        let meta = page
            .find("<meta http-equiv=\"Content-Security-Policy\"")
            .expect("policy added");
        assert!(charset < meta && meta < page.find("<title>").expect("title"));
        assert_eq!(
            inline_scripts(&page),
            inline_scripts(PAGE),
            "scripts untouched"
        );
        assert!(apply(&page).is_err(), "a second policy is refused");
        assert!(apply("<p>no head</p>").is_err());
    }
}
