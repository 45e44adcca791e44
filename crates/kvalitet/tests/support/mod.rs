//! What the `kvalitet` binary's integration tests share: running the binary, serving on
//! a free port (and stopping or killing the server), and plain HTTP/1.1 over std's
//! `TcpStream`, so the tests talk to the real server the way a browser does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The `kvalitet` binary run in `dir`, with no database or address from the
/// environment and quiet logs.
pub fn kvalitet(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kvalitet"));
    cmd.current_dir(dir).env_remove("KVALITET_DATABASE_URL").env_remove("KVALITET_BIND").env("KVALITET_LOG", "warn");
    cmd
}

/// A running `kvalitet serve`; killed when dropped, so a failing test leaves no server.
pub struct Server {
    pub child: Child,
    /// `127.0.0.1:PORT`, as the server printed it.
    pub addr: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Runs `cmd serve --bind 127.0.0.1:0 EXTRA…` and waits until the server prints its
    /// address (the demo is loaded by then, and the port is listening).
    pub fn start(mut cmd: Command, extra: &[&str]) -> Server {
        let mut child = cmd
            .arg("serve")
            .args(["--bind", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn serve");
        // Both pipes are read to the end in the background, so the server never blocks
        // on a full pipe; stderr is kept for the failure messages.
        let stderr = Arc::new(Mutex::new(String::new()));
        let err = BufReader::new(child.stderr.take().unwrap());
        let kept = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in err.lines().map_while(Result::ok) {
                let mut s = kept.lock().unwrap();
                if s.len() < 64 * 1024 {
                    s.push_str(&line);
                    s.push('\n');
                }
            }
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some(rest) = line.strip_prefix("Kvalitet körs på http://") {
                let addr = rest.trim_end_matches('/').to_owned();
                std::thread::spawn(move || for _ in lines {});
                return Server { child, addr, stderr };
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        std::thread::sleep(Duration::from_millis(100));
        panic!("serve did not print its address; its stderr:\n{}", stderr.lock().unwrap());
    }

    /// What the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// SIGKILL: the process ends at once, wherever it is.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits (at most 20 s) for the graceful shutdown.
    pub fn stop(&mut self) -> ExitStatus {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            assert!(Instant::now() < deadline, "serve did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.kill();
        }
    }
}

/// An HTTP response: the status, the header lines and the body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Response {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    pub fn location(&self) -> &str {
        self.header("location").unwrap_or_default()
    }
}

/// One request on a connection of its own. An error means no status line came back
/// (refused, reset, or the server died before answering).
pub fn request(addr: &str, method: &str, path: &str, cookie: &str, form: Option<&str>) -> std::io::Result<Response> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if !cookie.is_empty() {
        req.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    let body = form.unwrap_or_default();
    if form.is_some() {
        req.push_str(&format!("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes())?;
    // Keep what arrived even if the connection breaks half-way: a status line that
    // arrived is an answer the client saw.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(e) if raw.is_empty() => return Err(e),
            Err(_) => break,
        }
    }
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let status = raw
        .split("\r\n")
        .next()
        .filter(|_| raw.contains("\r\n"))
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "no status line"))?;
    let (head, body) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
    Ok(Response { status, head: head.to_owned(), body: body.to_owned() })
}

pub fn get(addr: &str, path: &str, cookie: &str) -> Response {
    request(addr, "GET", path, cookie, None).unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

pub fn post(addr: &str, path: &str, cookie: &str, fields: &[(&str, &str)]) -> std::io::Result<Response> {
    request(addr, "POST", path, cookie, Some(&form_encode(fields)))
}

/// `application/x-www-form-urlencoded`.
pub fn form_encode(fields: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    fields.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// Signs in; returns the session cookie (`name=value`).
pub fn login(addr: &str, email: &str, password: &str) -> std::io::Result<String> {
    let res = post(addr, "/logga-in", "", &[("email", email), ("password", password)])?;
    let cookie = res
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .ok_or_else(|| std::io::Error::other(format!("{email} was not signed in: {}", res.status)))?;
    Ok(cookie.to_owned())
}

/// The value of the first `name="NAME" value="…"` in a page (hidden fields: the CSRF
/// token, an edit form's version).
pub fn field_value(body: &str, name: &str) -> Option<String> {
    let rest = body.split(&format!("name=\"{name}\" value=\"")).nth(1)?;
    rest.split('"').next().map(str::to_owned)
}
