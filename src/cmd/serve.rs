//! `infrabrief serve`: a local preview that builds in memory, serves from memory and reloads
//! open pages when the site changes.
//!
//! - Binds 127.0.0.1 only; a busy port is reported and the next one tried.
//! - Nothing is written to disk: requests are answered from the in-memory [`Output`], never
//!   from the file system, so `..` and encoded traversal cannot reach a file (they get 400).
//! - A poller watches `content/`, `templates/` and `static/` (sizes and modification times),
//!   waits for changes to settle, then updates the build: a change only under `static/` swaps
//!   the static files; an edit to the body of briefs or pages re-renders those pages alone
//!   ([`pipeline::Session`]), the search index right after the reload; anything else rebuilds
//!   the site. Open pages reload through server-sent events.
//! - A failed rebuild keeps the last good site and shows the diagnostics over every page.
//! - Every connection gets a short-lived reader thread of its own (small stack) that waits for
//!   the request head: at most 16 KiB, all of it within 5 s. Parsed requests go to a fixed pool
//!   of workers that answer them, so an idle connection (a browser's speculative preconnect)
//!   holds a reader, never a worker, and the copies of answers in memory stay as few as the
//!   workers. At most 1,024 connections are open at once (being read, queued or answered): beyond
//!   that, or when the workers' queue is full, a new connection gets 503.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, RwLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use super::{USAGE_OR_IO, exit, stderr_style};
use crate::cli::ServeArgs;
use crate::diag::render_all;
use crate::output;
use crate::pipeline::{Options, Outcome, Session};
use crate::render::Output;
use crate::render::format::escape_html;

const EVENTS: &str = "/__infrabrief/events";
const RELOAD_JS: &str = "/__infrabrief/reload.js";
const OVERLAY_CSS: &str = "/__infrabrief/overlay.css";
const WORKERS: usize = 8;
/// Connections open at once, from accept until answered; each holds a reader thread or a place
/// in the workers' queue.
const MAX_CONNECTIONS: usize = 1_024;
/// A reader thread only parses a request head, into heap buffers.
const READER_STACK: usize = 128 * 1024;
const HEAD_LIMIT: u64 = 16 * 1024;
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
const UNAVAILABLE: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nRetry-After: 1\r\nConnection: close\r\n\r\n";
const MAX_EVENT_CLIENTS: usize = 64;
const POLL: Duration = Duration::from_millis(250);
const SETTLE: Duration = Duration::from_millis(120);

/// What is being served: the last good output and, when the latest build failed, its report.
struct Served {
    output: Output,
    /// Plain-text diagnostics of a failed build, shown over every page.
    failure: Option<String>,
}

struct State {
    root: PathBuf,
    drafts: bool,
    served: RwLock<Served>,
    listeners: Mutex<Vec<TcpStream>>,
}

pub fn run(args: &ServeArgs) -> ExitCode {
    let root = match output::normalize(&args.root) {
        Ok(root) if root.join("content").is_dir() => root,
        Ok(root) => {
            eprintln!(
                "error: {} has no content/ folder: is this a site folder? (pass it with --root DIR)",
                root.display()
            );
            return exit(USAGE_OR_IO);
        }
        Err(error) => {
            eprintln!("error: cannot resolve {}: {error}", args.root.display());
            return exit(USAGE_OR_IO);
        }
    };
    let state = Arc::new(State {
        root: root.clone(),
        drafts: args.drafts,
        served: RwLock::new(Served { output: Output::default(), failure: None }),
        listeners: Mutex::new(Vec::new()),
    });
    let started = Instant::now();
    let mut session = None;
    rebuild(&state, &mut session, &[]);
    println!("built in {} ms", started.elapsed().as_millis());

    let listener = match bind(args.port) {
        Some(listener) => listener,
        None => {
            eprintln!("error: no free port on 127.0.0.1 from {} to {}", args.port, args.port.saturating_add(9));
            return exit(USAGE_OR_IO);
        }
    };
    let address = listener.local_addr().map_or_else(|_| "127.0.0.1".to_string(), |a| a.to_string());
    println!("serving {} at http://{address}/ (Ctrl+C to stop)", root.display());
    let _ = std::io::stdout().flush();

    let watcher = Arc::clone(&state);
    thread::spawn(move || watch(&watcher, session));
    let pinger = Arc::clone(&state);
    thread::spawn(move || keep_alive(&pinger));

    let (sender, receiver) = mpsc::sync_channel::<Job>(MAX_CONNECTIONS);
    let receiver = Arc::new(Mutex::new(receiver));
    for _ in 0..WORKERS {
        let receiver = Arc::clone(&receiver);
        let state = Arc::clone(&state);
        thread::spawn(move || {
            loop {
                let next = match receiver.lock() {
                    Ok(guard) => guard.recv(),
                    Err(_) => return,
                };
                match next {
                    Ok(job) => handle(&state, job),
                    Err(_) => return,
                }
            }
        });
    }
    accept(&listener, &sender);
    exit(0)
}

/// A request read and waiting for a worker.
struct Job {
    stream: TcpStream,
    request: Request,
    _slot: Slot,
}

/// One of the [`MAX_CONNECTIONS`] places, held from accept until the answer is sent.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(open: &Arc<AtomicUsize>) -> Option<Slot> {
        open.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < MAX_CONNECTIONS).then_some(n + 1))
            .ok()
            .map(|_| Slot(Arc::clone(open)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Binds 127.0.0.1 on `port`, or on the next nine ports when it is busy.
fn bind(port: u16) -> Option<TcpListener> {
    if port == 0 {
        return TcpListener::bind(("127.0.0.1", 0)).ok();
    }
    for candidate in port..=port.saturating_add(9) {
        match TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], candidate))) {
            Ok(listener) => return Some(listener),
            Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => {
                println!("port {candidate} is busy, trying {}", candidate.saturating_add(1));
            }
            Err(error) => {
                eprintln!("error: cannot listen on 127.0.0.1:{candidate}: {error}");
                return None;
            }
        }
    }
    None
}

/// Gives every connection a reader thread of its own, up to [`MAX_CONNECTIONS`] open at once.
fn accept(listener: &TcpListener, workers: &SyncSender<Job>) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(mut stream) = stream else {
            // Out of file descriptors, most likely: let some connections close first.
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        let Some(slot) = Slot::take(&open) else {
            let _ = stream.write_all(UNAVAILABLE);
            continue;
        };
        let workers = workers.clone();
        // Should the thread not start, the connection is closed unanswered.
        let _ = thread::Builder::new().stack_size(READER_STACK).spawn(move || read_and_queue(stream, slot, &workers));
    }
}

/// A connection's reader: waits for its request head, answers a malformed one, and hands the
/// request to the workers.
fn read_and_queue(mut stream: TcpStream, slot: Slot, workers: &SyncSender<Job>) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
    match read_request(&stream) {
        Some(Parsed::Request(request)) => {
            if let Err(TrySendError::Full(job) | TrySendError::Disconnected(job)) =
                workers.try_send(Job { stream, request, _slot: slot })
            {
                let mut stream = job.stream;
                let _ = stream.write_all(UNAVAILABLE);
            }
        }
        Some(Parsed::Bad(reason)) => {
            respond(&mut stream, "400 Bad Request", "text/plain; charset=utf-8", reason.as_bytes(), false);
        }
        None => {}
    }
}

/// Brings the in-memory build up to date and swaps the result in (or keeps the last good output
/// and records the failure), then tells open pages to reload.
fn rebuild(state: &State, session: &mut Option<Session>, changed: &[String]) {
    let started = Instant::now();
    let static_only = !changed.is_empty() && changed.iter().all(|p| p.starts_with("static/"));
    if static_only && static_swap(state) {
        println!("static files updated in {} ms ({})", started.elapsed().as_millis(), describe(changed));
        notify(state);
        return;
    }
    let outcome = match session.as_mut() {
        Some(open) => open.update(changed),
        None => Session::open(&state.root, Options { drafts: state.drafts }).map(|(open, outcome)| {
            *session = Some(open);
            outcome
        }),
    };
    let (outcome, open) = match (outcome, session.as_mut()) {
        (Ok(outcome), Some(open)) => (outcome, open),
        (Err(error), _) => {
            eprintln!("error: {error}");
            *session = None;
            if let Ok(mut served) = state.served.write() {
                served.failure = Some(format!("error: {error}"));
            }
            notify(state);
            return;
        }
        (Ok(_), None) => return,
    };
    if !open.diagnostics().is_empty() {
        eprint!("{}", render_all(open.diagnostics(), open.sources(), stderr_style()));
    }
    let took = started.elapsed().as_millis();
    let what = match &outcome {
        Outcome::Files(files) => format!("{} page(s) re-rendered", files.files.len()),
        Outcome::Whole(_) => "full build".to_string(),
        Outcome::Failed => String::new(),
    };
    if let Ok(mut served) = state.served.write() {
        match outcome {
            Outcome::Whole(output) => {
                served.output = output;
                served.failure = None;
            }
            Outcome::Files(files) => {
                served.output.files.extend(files.files);
                served.failure = None;
            }
            Outcome::Failed => {
                served.failure =
                    Some(render_all(open.diagnostics(), open.sources(), crate::diag::Style { color: false }));
            }
        }
    }
    let failed = state.served.read().map_or(true, |served| served.failure.is_some());
    match (failed, changed.is_empty()) {
        (false, false) => println!("rebuilt in {took} ms ({}; {what})", describe(changed)),
        (false, true) => {}
        (true, _) => println!(
            "build failed after {took} ms; still serving the last good build, with the errors shown in the page"
        ),
    }
    let _ = std::io::stdout().flush();
    notify(state);
    // The search index is not needed for the reload: it is brought up to date just after.
    if let Some((path, bytes)) = open.search_index()
        && let Ok(mut served) = state.served.write()
    {
        served.output.insert(path, bytes);
    }
}

/// Re-reads `static/` and replaces the static files of the served output.
fn static_swap(state: &State) -> bool {
    let Ok((loaded, diagnostics)) = crate::load::load(&state.root) else { return false };
    if diagnostics.has_errors() {
        return false;
    }
    let theme = crate::render::theme::Theme::new(&loaded.templates, &loaded.static_files);
    let Ok(mut served) = state.served.write() else { return false };
    if served.failure.is_some() {
        return false;
    }
    for (path, bytes) in &theme.static_files {
        served.output.insert(path.clone(), bytes.clone());
    }
    true
}

fn describe(changed: &[String]) -> String {
    match changed {
        [one] => format!("{one} changed"),
        [first, rest @ ..] => format!("{first} and {} more changed", rest.len()),
        [] => "no change".to_string(),
    }
}

/// Sends a reload to every open page.
fn notify(state: &State) {
    if let Ok(mut listeners) = state.listeners.lock() {
        listeners.retain_mut(|stream| stream.write_all(b"data: reload\n\n").and_then(|()| stream.flush()).is_ok());
    }
}

/// Comments on the event streams every 15 s drop clients that went away.
fn keep_alive(state: &State) {
    loop {
        thread::sleep(Duration::from_secs(15));
        if let Ok(mut listeners) = state.listeners.lock() {
            listeners.retain_mut(|stream| stream.write_all(b": ping\n\n").is_ok());
        }
    }
}

/// (size, modification time) of every file the site is built from.
fn snapshot(root: &Path) -> BTreeMap<String, (u64, SystemTime)> {
    let mut files = BTreeMap::new();
    for folder in ["content", "templates", "static"] {
        for entry in walkdir::WalkDir::new(root.join(folder)).into_iter().flatten() {
            if let Ok(meta) = entry.metadata()
                && meta.is_file()
            {
                let relative =
                    entry.path().strip_prefix(root).unwrap_or(entry.path()).to_string_lossy().replace('\\', "/");
                files.insert(relative, (meta.len(), meta.modified().unwrap_or(SystemTime::UNIX_EPOCH)));
            }
        }
    }
    files
}

fn watch(state: &State, mut session: Option<Session>) {
    let mut known = snapshot(&state.root);
    loop {
        thread::sleep(POLL);
        let mut current = snapshot(&state.root);
        if current == known {
            continue;
        }
        // Let a burst of saves settle before building.
        loop {
            thread::sleep(SETTLE);
            let next = snapshot(&state.root);
            if next == current {
                break;
            }
            current = next;
        }
        let changed: Vec<String> = current
            .iter()
            .filter(|(path, stamp)| known.get(*path) != Some(stamp))
            .map(|(path, _)| path.clone())
            .chain(known.keys().filter(|path| !current.contains_key(*path)).cloned())
            .collect();
        known = current;
        rebuild(state, &mut session, &changed);
    }
}

/// A parsed request line: method and decoded path.
struct Request {
    method: String,
    path: String,
}

enum Parsed {
    Request(Request),
    Bad(&'static str),
}

/// Reads from a connection under one deadline for the whole request head, so a client that
/// sends a byte now and then cannot keep its reader longer than [`HEAD_TIMEOUT`].
struct HeadReader<'a> {
    stream: &'a TcpStream,
    deadline: Instant,
}

impl Read for HeadReader<'_> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut stream = self.stream;
        stream.read(buffer)
    }
}

fn read_request(stream: &TcpStream) -> Option<Parsed> {
    let head = HeadReader { stream, deadline: Instant::now() + HEAD_TIMEOUT };
    let mut reader = BufReader::new(head.take(HEAD_LIMIT));
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    // Drain the headers so the client is not reset before reading our answer.
    let mut header = String::new();
    while reader.read_line(&mut header).ok()? > 2 {
        header.clear();
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target)) = (parts.next(), parts.next()) else {
        return Some(Parsed::Bad("malformed request line"));
    };
    Some(match decode_path(target) {
        Ok(path) => Parsed::Request(Request { method: method.to_string(), path }),
        Err(reason) => Parsed::Bad(reason),
    })
}

/// Decodes the path of a request target and refuses anything that could leave the site:
/// `..` segments (also percent-encoded), backslashes, NUL, absolute URLs.
pub fn decode_path(target: &str) -> Result<String, &'static str> {
    if !target.starts_with('/') {
        return Err("the request target must be a path");
    }
    let raw = target.split(['?', '#']).next().unwrap_or("");
    let mut bytes = Vec::with_capacity(raw.len());
    let source = raw.as_bytes();
    let mut i = 0;
    while i < source.len() {
        if source[i] == b'%' {
            let hex = |b: u8| (b as char).to_digit(16);
            match (source.get(i + 1).copied().and_then(hex), source.get(i + 2).copied().and_then(hex)) {
                (Some(high), Some(low)) => {
                    bytes.push((high * 16 + low) as u8);
                    i += 3;
                    continue;
                }
                _ => return Err("malformed percent-encoding"),
            }
        }
        bytes.push(source[i]);
        i += 1;
    }
    let path = String::from_utf8(bytes).map_err(|_| "the path is not UTF-8")?;
    if path.contains('\0') || path.contains('\\') {
        return Err("forbidden character in path");
    }
    if path.split('/').any(|segment| segment == ".." || segment == ".") {
        return Err("path traversal");
    }
    if path.contains("//") {
        return Err("empty path segment");
    }
    Ok(path)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

fn respond(stream: &mut TcpStream, status: &str, kind: &str, body: &[u8], head_only: bool) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    if !head_only {
        let _ = stream.write_all(body);
    }
    let _ = stream.flush();
}

/// A worker's part: answers a request read by its connection's reader, from memory.
fn handle(state: &State, job: Job) {
    let Job { mut stream, request, _slot } = job;
    let head_only = request.method == "HEAD";
    if request.method != "GET" && !head_only {
        respond(&mut stream, "405 Method Not Allowed", "text/plain; charset=utf-8", b"only GET and HEAD", false);
        return;
    }
    match request.path.as_str() {
        EVENTS => {
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n: connected\n\n");
            let _ = stream.flush();
            if let Ok(mut listeners) = state.listeners.lock() {
                if listeners.len() >= MAX_EVENT_CLIENTS {
                    listeners.remove(0);
                }
                listeners.push(stream);
            }
            return;
        }
        RELOAD_JS => {
            respond(&mut stream, "200 OK", "text/javascript; charset=utf-8", RELOAD_SCRIPT.as_bytes(), head_only);
            return;
        }
        OVERLAY_CSS => {
            respond(&mut stream, "200 OK", "text/css; charset=utf-8", OVERLAY_STYLE.as_bytes(), head_only);
            return;
        }
        _ => {}
    }
    let mut path = request.path.trim_start_matches('/').to_string();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    let Ok(served) = state.served.read() else {
        respond(
            &mut stream,
            "500 Internal Server Error",
            "text/plain; charset=utf-8",
            b"server state unavailable",
            false,
        );
        return;
    };
    let (status, path, body) = match served.output.get(&path) {
        Some(body) => ("200 OK", path, body.to_vec()),
        None => match served.output.get(&format!("{path}/index.html")) {
            Some(body) => ("200 OK", format!("{path}/index.html"), body.to_vec()),
            None => (
                "404 Not Found",
                "404.html".to_string(),
                served
                    .output
                    .get("404.html")
                    .map_or_else(|| b"<!doctype html><title>Not found</title><body></body>".to_vec(), <[u8]>::to_vec),
            ),
        },
    };
    let kind = content_type(&path);
    let body = if kind.starts_with("text/html") { inject(&body, served.failure.as_deref()) } else { body };
    drop(served);
    respond(&mut stream, status, kind, &body, head_only);
}

/// The start of the Content Security Policy every page carries (see templates/base.html).
const CSP_START: &str = "content=\"default-src 'none';";
/// The same policy, also letting the reload script listen to this server's event stream.
const CSP_SERVE: &str = "content=\"default-src 'none'; connect-src 'self';";

/// Adds the reload script, and the build errors when the last build failed, to an HTML page, and
/// lets the page's security policy allow the reload script's connection back to this server.
fn inject(html: &[u8], failure: Option<&str>) -> Vec<u8> {
    let mut extra = String::new();
    if let Some(report) = failure {
        extra.push_str(&format!(
            "<link rel=\"stylesheet\" href=\"{OVERLAY_CSS}\"><div id=\"infrabrief-overlay\" role=\"alert\"><p class=\"infrabrief-overlay-title\">Build failed: showing the last good build. Fix the problems below and save.</p><pre>{}</pre></div>",
            escape_html(report)
        ));
    }
    extra.push_str(&format!("<script src=\"{RELOAD_JS}\"></script>"));
    let text = String::from_utf8_lossy(html).replacen(CSP_START, CSP_SERVE, 1);
    let injected = match text.rfind("</body>") {
        Some(at) => format!("{}{extra}{}", &text[..at], &text[at..]),
        None => format!("{text}{extra}"),
    };
    injected.into_bytes()
}

const RELOAD_SCRIPT: &str = r#"(function () {
  "use strict";
  if (!window.EventSource) { return; }
  var source = new EventSource("/__infrabrief/events");
  source.onmessage = function (event) { if (event.data === "reload") { window.location.reload(); } };
})();
"#;

const OVERLAY_STYLE: &str = "#infrabrief-overlay{position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:1000;background:#1b1c20;color:#f3f3f3;border-top:4px solid #e5484d;padding:1rem 1.25rem;font:14px/1.45 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 -8px 24px rgb(0 0 0/40%)}#infrabrief-overlay pre{white-space:pre-wrap;margin:0}.infrabrief-overlay-title{font-weight:700;margin:0 0 .5rem;color:#ff9b9e}\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_leave_the_site_are_refused() {
        assert_eq!(decode_path("/briefs/a.html?x=1"), Ok("/briefs/a.html".to_string()));
        assert_eq!(decode_path("/deals/a%20b.html"), Ok("/deals/a b.html".to_string()));
        assert!(decode_path("/../etc/passwd").is_err());
        assert!(decode_path("/%2e%2e/etc/passwd").is_err());
        assert!(decode_path("/%2E%2E%2Fetc%2Fpasswd").is_err());
        assert!(decode_path("/a/..%2f..%2fetc").is_err());
        assert!(decode_path("/a%5c..%5cb").is_err());
        assert!(decode_path("/a%00.html").is_err());
        assert!(decode_path("http://example.com/").is_err());
        assert!(decode_path("/a%zz").is_err());
        assert!(decode_path("//etc/passwd").is_err());
    }

    #[test]
    fn the_served_policy_only_adds_the_reload_connection() {
        let template = include_str!("../../templates/base.html");
        assert!(template.contains(CSP_START), "base.html's policy no longer starts as serve expects");
        let page = String::from_utf8(inject(template.as_bytes(), None)).expect("utf-8");
        let policy = |page: &str| {
            let needle = "Content-Security-Policy\" content=\"";
            let start = page.find(needle).map(|i| i + needle.len()).unwrap_or_default();
            page[start..].split('"').next().unwrap_or_default().to_string()
        };
        assert!(policy(template).starts_with("default-src 'none'; script-src 'self';"));
        assert_eq!(
            policy(&page),
            policy(template).replacen("default-src 'none';", "default-src 'none'; connect-src 'self';", 1)
        );
        assert!(!policy(template).contains("connect-src"));
    }

    #[test]
    fn injection_goes_before_the_end_of_body() {
        let page = inject(b"<html><body><p>x</p></body></html>", Some("error: <bad>"));
        let page = String::from_utf8(page).expect("utf-8");
        assert!(
            page.contains(
                "<pre>error: &lt;bad&gt;</pre></div><script src=\"/__infrabrief/reload.js\"></script></body>"
            )
        );
    }
}
