//! `kvalitet token create|list|revoke`: the token printed once works against the served
//! API at its scope, is listed without its secret, and stops working when revoked.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;

use crate::support::{Server, kvalitet};

fn run(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().expect("run kvalitet");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A GET with a bearer token; the status and the body.
fn api_get(addr: &str, path: &str, token: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    let req =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nAuthorization: Bearer {token}\r\n\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let status = raw.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, raw.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default())
}

#[test]
fn a_token_is_created_shown_once_listed_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = run(kvalitet(dir.path()).args(["demo", "load"]));
    assert!(ok, "{stderr}");

    // Wrong role, unknown unit, an expiry in the past: refused, nothing made.
    let (ok, _, stderr) = run(kvalitet(dir.path()).args([
        "token",
        "create",
        "--name",
        "X",
        "--role",
        "kung",
        "--scope",
        "Beroendeenheten",
    ]));
    assert!(!ok && stderr.contains("okänd roll"), "{stderr}");
    let (ok, _, stderr) =
        run(kvalitet(dir.path()).args(["token", "create", "--name", "X", "--role", "reader", "--scope", "Månen"]));
    assert!(!ok && stderr.contains("ingen enhet som heter \"Månen\""), "{stderr}");
    let (ok, _, stderr) = run(kvalitet(dir.path()).args([
        "token",
        "create",
        "--name",
        "X",
        "--role",
        "reader",
        "--scope",
        "Beroendeenheten",
        "--expires",
        "2020-01-01",
    ]));
    assert!(!ok && stderr.contains("slutdagen har redan passerat"), "{stderr}");
    let (ok, stdout, _) = run(kvalitet(dir.path()).args(["token", "list"]));
    assert!(ok && stdout.contains("inga API-nycklar"), "{stdout}");

    let (ok, stdout, stderr) = run(kvalitet(dir.path()).args([
        "token",
        "create",
        "--name",
        "Verksamhetssystemet",
        "--role",
        "läsare",
        "--scope",
        "Beroendeenheten",
        "--expires",
        "2099-12-31",
    ]));
    assert!(ok, "{stderr}");
    assert!(stdout.contains("rollen reader över Beroendeenheten, till och med 2099-12-31"), "{stdout}");
    let secret = stdout.lines().find_map(|l| l.strip_prefix("Nyckel: ")).expect("the token is printed").to_owned();
    assert!(secret.starts_with("kvt_"), "{secret}");

    let (ok, stdout, _) = run(kvalitet(dir.path()).args(["token", "list"]));
    assert!(ok, "{stdout}");
    assert!(
        stdout.contains("Verksamhetssystemet\treader@Beroendeenheten\tgäller till och med 2099-12-31\taldrig använd"),
        "{stdout}"
    );
    assert!(!stdout.contains(&secret[4..]), "the secret is shown only once");
    let id = stdout.split('\t').next().unwrap().trim().to_owned();

    let mut server = Server::start(kvalitet(dir.path()), &["--no-demo"]);
    let addr = server.addr.clone();
    let (status, body) = api_get(&addr, "/api/v1/planer", &secret);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Beroendeenheten") || body.contains("\"data\""), "{body}");
    let (status, _) = api_get(&addr, "/api/v1/planer", "kvt_not-a-token");
    assert_eq!(status, 401);

    let (ok, stdout, stderr) = run(kvalitet(dir.path()).args(["token", "revoke", &id]));
    assert!(ok && stdout.contains("är återkallad"), "{stdout}{stderr}");
    let (status, body) = api_get(&addr, "/api/v1/planer", &secret);
    assert_eq!(status, 401, "a revoked token no longer works: {body}");
    server.kill();

    let (ok, stdout, _) = run(kvalitet(dir.path()).args(["token", "list"]));
    assert!(ok && stdout.contains("återkallad") && stdout.contains("senast använd"), "{stdout}");
    let (ok, _, stderr) = run(kvalitet(dir.path()).args(["token", "revoke", "999"]));
    assert!(!ok && stderr.contains("ingen API-nyckel 999"), "{stderr}");
}
