//! `infrabrief serve` under hostile and heavy use: requests that try to leave the site get 400
//! or 404 and never a file's contents, every kind of output file goes out with its content
//! type, and a bounded load of 1,000 requests over loopback is answered in full within a
//! global timeout while the server's peak memory stays under a stated bound.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::common::{Scratch, copy_tree, fixture};

const SECRET_OUTSIDE: &str = "SECRET-outside-9d2e41";
const SECRET_IN_ROOT: &str = "SECRET-in-root-5b7c08";
/// Peak resident memory allowed to the server of the base fixture after the load test.
const PEAK_RSS_LIMIT_KB: u64 = 200 * 1024;

/// A running `infrabrief serve`, killed when dropped (also when a test fails).
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(site: &std::path::Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_infrabrief"))
            .args(["serve", "--root", site.to_str().expect("utf-8 path"), "--port", "0"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut server = Server { child, port: 0 };
        let mut lines = BufReader::new(stdout).lines();
        let deadline = Instant::now() + Duration::from_secs(60);
        while server.port == 0 && Instant::now() < deadline {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some(at) = line.find("http://127.0.0.1:") {
                server.port = line[at + 17..]
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(0);
            }
        }
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.by_ref() {});
        assert!(server.port > 0, "serve printed its address");
        server
    }

    /// The peak resident set size of the server process, from /proc.
    fn peak_rss_kb(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

struct Response {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
        })
    }
}

/// Sends `request` as it is (raw bytes, so malformed targets reach the server unchanged).
fn exchange(port: u16, request: &[u8]) -> std::io::Result<Response> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(15)))?;
    stream.set_write_timeout(Some(Duration::from_secs(15)))?;
    stream.write_all(request)?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes)?;
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(bytes.len());
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let body = bytes.get(split + 4..).unwrap_or_default().to_vec();
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = head.split_once("\r\n").map(|(_, h)| h.to_string()).unwrap_or_default();
    Ok(Response { status, headers, body })
}

fn get(port: u16, target: &str) -> Response {
    exchange(port, format!("GET {target} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
        .unwrap_or_else(|e| panic!("GET {target}: {e}"))
}

fn site_with_secrets(label: &str) -> (Scratch, std::path::PathBuf) {
    let scratch = Scratch::new(label);
    let site = scratch.path.join("site");
    copy_tree(&fixture("base"), &site);
    std::fs::write(scratch.path.join("secret.txt"), SECRET_OUTSIDE).expect("secret");
    std::fs::write(site.join("secret-in-root.txt"), SECRET_IN_ROOT).expect("secret");
    (scratch, site)
}

#[test]
fn serve_refuses_traversal_and_never_returns_files_from_disk() {
    let (_scratch, site) = site_with_secrets("serve-traversal");
    let server = Server::start(&site);
    let targets = [
        "/../secret.txt",
        "/../../secret.txt",
        "/../site/secret-in-root.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/secret.txt",
        "/.%2e/secret.txt",
        "/%2e./secret.txt",
        "/..%2fsecret.txt",
        "/briefs/..%2f..%2fsecret.txt",
        "/briefs/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/%2e%2e%5csecret.txt",
        "/briefs/..\\..\\secret.txt",
        "/%252e%252e/secret.txt",
        "/..;/secret.txt",
        "/./index.html/../../secret.txt",
        "//secret.txt",
        "///etc/passwd",
        "/secret-in-root.txt",
        "/content/site.toml",
        "/content/deals.toml",
        "/site/content/deals.toml",
        "/etc/passwd",
        "/proc/self/environ",
        "/index.html%00.txt",
        "/%00",
        "/%c0%ae%c0%ae/secret.txt",
        "/%ff",
        "/%",
        "/%2",
        "http://127.0.0.1/../secret.txt",
        "http://evil.example/index.html",
        "file:///etc/passwd",
        "\\..\\secret.txt",
        "..",
        "*",
    ];
    let mut failures = Vec::new();
    for target in targets {
        for version in ["HTTP/1.1", "HTTP/1.0"] {
            let request = format!("GET {target} {version}\r\nHost: localhost\r\n\r\n");
            let response = match exchange(server.port, request.as_bytes()) {
                Ok(response) => response,
                Err(error) => {
                    failures.push(format!("{target} ({version}): no answer: {error}"));
                    continue;
                }
            };
            let body = String::from_utf8_lossy(&response.body);
            if ![400, 404].contains(&response.status) {
                failures.push(format!("{target} ({version}): status {}", response.status));
            }
            for leak in [SECRET_OUTSIDE, SECRET_IN_ROOT, "[[deal]]", "root:x:0:0", "title = \""] {
                if body.contains(leak) {
                    failures.push(format!("{target} ({version}): the body holds {leak:?}"));
                }
            }
        }
    }
    // Methods other than GET and HEAD, and junk, are refused without harm.
    for request in [
        &b"POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"[..],
        b"DELETE /index.html HTTP/1.1\r\n\r\n",
        b"GET\r\n\r\n",
        b"\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
    ] {
        match exchange(server.port, request) {
            Ok(response) if [200, 404].contains(&response.status) => {
                failures.push(format!("{:?}: accepted with {}", String::from_utf8_lossy(request), response.status))
            }
            _ => {}
        }
    }
    let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a/".repeat(20_000));
    let _ = exchange(server.port, long.as_bytes());
    assert_eq!(get(server.port, "/index.html").status, 200, "the server still answers after all that");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn serve_sends_every_kind_of_file_with_its_content_type() {
    let (_scratch, site) = site_with_secrets("serve-types");
    let server = Server::start(&site);
    for (path, kind) in [
        ("/", "text/html"),
        ("/index.html", "text/html"),
        ("/briefs/first-brief.html", "text/html"),
        ("/assets/style.css", "text/css"),
        ("/assets/search.js", "text/javascript"),
        ("/search-index.js", "text/javascript"),
        ("/assets/favicon.svg", "image/svg+xml"),
        ("/feed.xml", "application/xml"),
        ("/data/deals.json", "application/json"),
        ("/data/deals.csv", "text/csv"),
        ("/data/companies.csv", "text/csv"),
    ] {
        let response = get(server.port, path);
        assert_eq!(response.status, 200, "{path}");
        let content_type = response.header("Content-Type").unwrap_or("");
        assert!(content_type.starts_with(kind), "{path}: Content-Type {content_type:?}, expected {kind}");
        assert_eq!(response.header("X-Content-Type-Options"), Some("nosniff"), "{path}");
        let length: usize = response.header("Content-Length").and_then(|l| l.parse().ok()).unwrap_or(usize::MAX);
        assert_eq!(length, response.body.len(), "{path}: Content-Length matches the body");
    }
    let head = exchange(server.port, b"HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n").expect("HEAD");
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    let missing = get(server.port, "/nope.html");
    assert_eq!(missing.status, 404);
    assert!(missing.header("Content-Type").unwrap_or("").starts_with("text/html"));
}

#[test]
fn serve_answers_1000_requests_from_50_clients_within_bounds() {
    const CLIENTS: usize = 50;
    const EACH: usize = 20;
    let (_scratch, site) = site_with_secrets("serve-load");
    let server = Server::start(&site);
    let port = server.port;
    let paths = [
        "/index.html",
        "/briefs/first-brief.html",
        "/deals/lab-cloud-2025.html",
        "/assets/style.css",
        "/search-index.js",
        "/data/deals.json",
        "/registry.html",
        "/nope.html",
    ];
    let ok = AtomicUsize::new(0);
    let unavailable = AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    let deadline = Instant::now() + Duration::from_secs(90);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for client in 0..CLIENTS {
            let (ok, unavailable, failures) = (&ok, &unavailable, &failures);
            scope.spawn(move || {
                for i in 0..EACH {
                    if Instant::now() > deadline {
                        if let Ok(mut list) = failures.lock() {
                            list.push(format!("client {client}: the global timeout passed"));
                        }
                        return;
                    }
                    let path = paths[(client + i) % paths.len()];
                    let expected = if path == "/nope.html" { 404 } else { 200 };
                    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n");
                    match exchange(port, request.as_bytes()) {
                        Ok(response) if response.status == expected && !response.body.is_empty() => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(response) if response.status == 503 => {
                            unavailable.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(response) => {
                            if let Ok(mut list) = failures.lock() {
                                list.push(format!(
                                    "{path}: status {} ({} bytes)",
                                    response.status,
                                    response.body.len()
                                ));
                            }
                        }
                        Err(error) => {
                            if let Ok(mut list) = failures.lock() {
                                list.push(format!("{path}: {error}"));
                            }
                        }
                    }
                }
            });
        }
    });
    let elapsed = started.elapsed();
    let peak = server.peak_rss_kb();
    let (ok, unavailable) = (ok.into_inner(), unavailable.into_inner());
    eprintln!(
        "serve load test: {} requests from {CLIENTS} concurrent clients in {:.2} s ({:.0} requests/s): {ok} answered, {unavailable} got 503; peak RSS {} (limit {} MB)",
        CLIENTS * EACH,
        elapsed.as_secs_f64(),
        (CLIENTS * EACH) as f64 / elapsed.as_secs_f64(),
        peak.map_or_else(|| "unknown".to_string(), |kb| format!("{:.1} MB", kb as f64 / 1024.0)),
        PEAK_RSS_LIMIT_KB / 1024
    );
    let failures = failures.into_inner().unwrap_or_default();
    assert!(failures.is_empty(), "{} failed requests:\n{}", failures.len(), failures.join("\n"));
    // 50 clients never fill the 1,024 connections the server holds, so none may be turned away.
    assert_eq!(unavailable, 0, "503 answers although the server (1,024 connections) was never full");
    assert_eq!(ok, CLIENTS * EACH);
    if let Some(peak) = peak {
        assert!(peak < PEAK_RSS_LIMIT_KB, "peak RSS {peak} KB over the {PEAK_RSS_LIMIT_KB} KB bound");
    }
}

#[test]
fn serve_answers_1000_simultaneous_connections() {
    const BURST: usize = 1_000;
    let (_scratch, site) = site_with_secrets("serve-burst");
    let server = Server::start(&site);
    let started = Instant::now();
    // 1,000 connections open at once, each sending its request as soon as it is connected, and
    // no answer read before the last request is sent: 1,000 requests in flight together. (Sending
    // right away matters: the server gives a connection 5 s to send its request, and opening
    // 1,000 connections on a loaded machine can take longer than that.)
    let streams: Vec<TcpStream> = (0..BURST)
        .map(|_| {
            let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
            stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
            stream.write_all(b"GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n").expect("send");
            stream
        })
        .collect();
    let mut statuses = std::collections::BTreeMap::new();
    for mut stream in streams {
        let mut bytes = Vec::new();
        let _ = stream.read_to_end(&mut bytes);
        let status = String::from_utf8_lossy(&bytes).split_whitespace().nth(1).unwrap_or("none").to_string();
        *statuses.entry(status).or_insert(0) += 1;
    }
    let peak = server.peak_rss_kb();
    eprintln!(
        "serve burst: {BURST} simultaneous connections answered in {:.2} s: {statuses:?}; peak RSS {} (limit {} MB)",
        started.elapsed().as_secs_f64(),
        peak.map_or_else(|| "unknown".to_string(), |kb| format!("{:.1} MB", kb as f64 / 1024.0)),
        PEAK_RSS_LIMIT_KB / 1024
    );
    assert_eq!(statuses.get("200"), Some(&BURST), "every request is answered: {statuses:?}");
    if let Some(peak) = peak {
        assert!(peak < PEAK_RSS_LIMIT_KB, "peak RSS {peak} KB over the {PEAK_RSS_LIMIT_KB} KB bound");
    }
}

#[test]
fn idle_connections_do_not_starve_the_server() {
    let (_scratch, site) = site_with_secrets("serve-idle");
    let server = Server::start(&site);
    // Twice as many silent connections as the server has workers.
    let idle: Vec<TcpStream> =
        (0..16).map(|_| TcpStream::connect(("127.0.0.1", server.port)).expect("connect")).collect();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let response = get(server.port, "/index.html");
    let waited = started.elapsed();
    eprintln!("serve with 16 idle connections open: a request waited {:.2} s", waited.as_secs_f64());
    assert_eq!(response.status, 200);
    // Each worker waits up to 5 s for a request line, so 16 idle sockets (a browser's
    // speculative preconnects are such sockets) hold every worker and stall the preview.
    assert!(waited < Duration::from_secs(3), "a request waited {waited:?} behind 16 idle connections");
    drop(idle);
}
