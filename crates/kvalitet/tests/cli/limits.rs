//! `serve` within limits: a half-sent request is closed at the header deadline, idle
//! connections beyond the connection limit wait and are then served, a too large body is
//! refused, and SIGTERM ends within the shutdown deadline with a slow client connected;
//! the access log has a line per request and the audit log an anchor from the start.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::support::{self, Server, kvalitet};

/// Reads until the server closes the connection (or `limit` passes); returns how long.
fn time_until_closed(s: &mut TcpStream, limit: Duration) -> Duration {
    let start = Instant::now();
    s.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return start.elapsed(),
            Ok(_) => {}
        }
    }
}

#[test]
fn a_half_sent_request_is_closed_at_the_header_deadline_and_the_access_log_has_each_request() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = kvalitet(dir.path());
    cmd.env("KVALITET_LOG", "info");
    let mut server = Server::start(cmd, &["--header-timeout", "1s"]);
    let mut s = TcpStream::connect(&server.addr).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: kvalitet\r\nX-Halv: ").unwrap();
    let held = time_until_closed(&mut s, Duration::from_secs(10));
    assert!(held >= Duration::from_millis(800) && held < Duration::from_secs(3), "held {held:?}");

    let res = support::get(&server.addr, "/avvikelser/17?hemligt=ja", "");
    assert_eq!(res.status, 303);
    let id = res.header("x-request-id").expect("a request id").to_owned();
    // Anchored at start: the anchor file has the head, the log has it too.
    let anchors = std::fs::read_to_string(dir.path().join("kvalitet.anchors")).unwrap();
    assert_eq!(anchors.lines().count(), 1, "{anchors}");
    assert!(server.stop().success());
    let log = server.stderr();
    let line = log.lines().find(|l| l.contains(&id)).unwrap_or_else(|| panic!("no access line for {id}:\n{log}"));
    let v: serde_json::Value = serde_json::from_str(line).expect("JSON lines when not a terminal");
    assert_eq!(v["route"], "/avvikelser/{id}", "the pattern, not the path");
    assert_eq!(v["method"], "GET");
    assert_eq!(v["status"], 303);
    assert_eq!(v["client"], "127.0.0.1");
    assert!(v["duration_ms"].is_u64());
    assert!(!log.contains("hemligt") && !log.contains("\u{1b}["), "no query values, no colour codes");
    assert!(log.contains("\"message\":\"audit anchor\""), "{log}");
}

#[test]
fn idle_connections_beyond_the_limit_wait_and_a_large_body_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(kvalitet(dir.path()), &["--max-connections", "4", "--header-timeout", "1s"]);
    // Four idle connections take every slot; a fifth request waits until the header
    // deadline closes them, then is served.
    let idle: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(&server.addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    let start = Instant::now();
    let res = support::get(&server.addr, "/healthz", "");
    assert_eq!(res.status, 200);
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(600) && waited < Duration::from_secs(5), "waited {waited:?}");
    drop(idle);

    let big = "x".repeat(3 << 20);
    let res = support::request(&server.addr, "POST", "/logga-in", "", Some(&big)).unwrap();
    assert_eq!(res.status, 413);
}

#[test]
fn sigterm_ends_within_the_shutdown_deadline_with_a_slow_client_connected() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(kvalitet(dir.path()), &["--shutdown-timeout", "2s", "--header-timeout", "60s"]);
    // A request whose body never finishes: in progress when the signal comes.
    let mut slow = TcpStream::connect(&server.addr).unwrap();
    let head = format!(
        "POST /logga-in HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\nemail=",
        server.addr
    );
    slow.write_all(head.as_bytes()).unwrap();
    // And one that has sent half its headers.
    let mut half = TcpStream::connect(&server.addr).unwrap();
    half.write_all(b"GET / HTTP/1.1\r\nHost: k").unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let status = server.stop();
    let took = start.elapsed();
    assert!(status.success(), "{status:?}");
    // The request in progress was waited for until the deadline, not a moment more.
    assert!(took >= Duration::from_millis(1800) && took < Duration::from_secs(5), "shutdown took {took:?}");
}
