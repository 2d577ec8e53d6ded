//! A small static file server for the end-to-end tests: it serves a built `dist/` under a
//! sub-path (as a course site would), on a free loopback port, and stops when dropped, so a
//! test never talks to a stale server from an earlier run.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::{Error, Result};

/// A running server; dropping it stops it.
pub struct StaticServer {
    address: SocketAddr,
    prefix: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl StaticServer {
    /// Serves the files under `root` at `http://127.0.0.1:PORT{prefix}` on a free port.
    /// `prefix` starts and ends with `/`.
    pub fn start(root: &Path, prefix: &str) -> Result<Self> {
        if !prefix.starts_with('/') || !prefix.ends_with('/') {
            return Err(Error::new(format!(
                "prefix `{prefix}` must start and end with /"
            )));
        }
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let site = Site {
            root: root.to_path_buf(),
            prefix: prefix.to_owned(),
        };
        let thread = {
            let stop = stop.clone();
            thread::spawn(move || accept_loop(listener, site, stop))
        };
        Ok(StaticServer {
            address,
            prefix: prefix.to_owned(),
            stop,
            thread: Some(thread),
        })
    }

    /// The address of the served directory, ending in `/`.
    pub fn url(&self) -> String {
        format!("http://{}{}", self.address, self.prefix)
    }

    /// Fetches `path` (relative to the served directory) from the running server and returns the
    /// status code and body: proof that this server, not another, answers.
    pub fn get(&self, path: &str) -> Result<(u16, Vec<u8>)> {
        let mut stream = TcpStream::connect_timeout(&self.address, Duration::from_secs(5))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            stream,
            "GET {}{path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.prefix, self.address
        )?;
        let mut response = Vec::new();
        std::io::Read::read_to_end(&mut stream, &mut response)?;
        let head_end = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| Error::new("malformed response"))?;
        let head = String::from_utf8_lossy(&response[..head_end]);
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .ok_or_else(|| Error::new(format!("malformed status line in `{head}`")))?;
        Ok((status, response[head_end + 4..].to_vec()))
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct Site {
    root: PathBuf,
    prefix: String,
}

fn accept_loop(listener: TcpListener, site: Site, stop: Arc<AtomicBool>) {
    let site = Arc::new(site);
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                let site = site.clone();
                thread::spawn(move || {
                    let _ = serve_one(stream, &site);
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(5));
            }
            Err(_) => thread::sleep(Duration::from_millis(5)),
        }
    }
}

fn serve_one(stream: TcpStream, site: &Site) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Headers are read and ignored.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("");
    let mut stream = stream;
    let response = match method {
        "GET" | "HEAD" => respond(site, target),
        _ => Response::text(405, "Method Not Allowed"),
    };
    // `Access-Control-Allow-Origin`: a page in `<iframe sandbox="allow-scripts">` has an opaque
    // origin, so its module script and `.wasm` are cross-origin fetches to it; a public static
    // site allows them, as a course's host must for such an embed.
    write!(
        stream,
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nAccess-Control-Allow-Origin: *\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        response.status,
        reason(response.status),
        response.content_type,
        response.body.len()
    )?;
    if method != "HEAD" {
        stream.write_all(&response.body)?;
    }
    stream.flush()?;
    stream.shutdown(Shutdown::Both)
}

struct Response {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Response {
    fn text(status: u16, body: &str) -> Self {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.as_bytes().to_vec(),
        }
    }
}

fn respond(site: &Site, target: &str) -> Response {
    let Some(path) = resolve(site, target) else {
        return Response::text(404, "Not Found");
    };
    match std::fs::read(&path) {
        Ok(body) => Response {
            status: 200,
            content_type: content_type(&path),
            body,
        },
        Err(_) => Response::text(404, "Not Found"),
    }
}

/// The file for a request target, or `None` if it is outside the prefix or the served directory.
fn resolve(site: &Site, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let relative = path.strip_prefix(&site.prefix)?;
    let relative = percent_decode(relative)?;
    let mut file = site.root.clone();
    for component in Path::new(&relative).components() {
        match component {
            Component::Normal(part) => file.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if relative.is_empty() || relative.ends_with('/') || file.is_dir() {
        file.push("index.html");
    }
    Some(file)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "txt" | "lesson" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_site(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("xtask-http-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("assets")).expect("temp dir");
        std::fs::write(dir.join("index.html"), "<h1>home</h1>").expect("write");
        std::fs::write(dir.join("assets").join("app.wasm"), b"\0asm").expect("write");
        dir
    }

    #[test]
    fn serves_files_under_the_prefix_only() {
        let dir = temp_site("prefix");
        let server = StaticServer::start(&dir, "/course/unit-1/").expect("server starts");
        assert!(server.url().starts_with("http://127.0.0.1:"));

        let (status, body) = server.get("").expect("index");
        assert_eq!(
            (status, body.as_slice()),
            (200, b"<h1>home</h1>".as_slice())
        );
        let (status, body) = server.get("assets/app.wasm?v=1").expect("asset");
        assert_eq!((status, body.as_slice()), (200, b"\0asm".as_slice()));
        assert_eq!(server.get("missing.js").expect("404").0, 404);
        assert_eq!(server.get("../index.html").expect("escape").0, 404);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn files_may_be_fetched_from_a_sandboxed_frame() {
        let dir = temp_site("cors");
        let server = StaticServer::start(&dir, "/").expect("server starts");
        let mut stream = TcpStream::connect(server.address).expect("connect");
        write!(
            stream,
            "GET /assets/app.wasm HTTP/1.1\r\nHost: x\r\nOrigin: null\r\n\r\n"
        )
        .expect("request");
        let mut response = String::new();
        std::io::Read::read_to_string(&mut stream, &mut response).expect("response");
        assert!(
            response.contains("\r\nAccess-Control-Allow-Origin: *\r\n"),
            "{response}"
        );
        assert!(response.contains("\r\nContent-Type: application/wasm\r\n"));
        drop(server);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn dropping_the_server_frees_its_port() {
        let dir = temp_site("drop");
        let server = StaticServer::start(&dir, "/").expect("server starts");
        let address = server.address;
        drop(server);
        assert!(TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn knows_the_wasm_content_type() {
        assert_eq!(content_type(Path::new("a/b.wasm")), "application/wasm");
        assert_eq!(
            content_type(Path::new("index.html")),
            "text/html; charset=utf-8"
        );
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(
            percent_decode("unit%201/a.js").as_deref(),
            Some("unit 1/a.js")
        );
        assert_eq!(percent_decode("bad%2"), None);
    }
}
