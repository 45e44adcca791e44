//! The single sign-on settings as an operator writes them: the `--oidc-config` file (a
//! provider per municipality) refused with a Swedish message naming the file, the
//! provider and the key before anything is started.

use std::path::Path;

use super::{kvalitet, run};

/// `serve` with the demo and `extra` flags; it must refuse to start: its message.
fn refused(dir: &Path, extra: &[&str]) -> String {
    let mut args = vec!["serve", "--bind", "127.0.0.1:0", "--public-url", "http://127.0.0.1:8080"];
    args.extend_from_slice(extra);
    let (out, _, stderr) = run(kvalitet(dir).args(&args));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    stderr
}

#[test]
fn a_bad_provider_file_is_refused_naming_the_provider_and_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("oidc.toml");
    let config = file.to_str().unwrap();
    let write = |text: &str| std::fs::write(&file, text).unwrap();
    std::fs::write(d.join("hemlighet"), "s3cret\n").unwrap();
    std::fs::write(
        d.join("inte-en-nyckel.pem"),
        "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
    )
    .unwrap();
    let good = "issuer = \"https://idp.exempel.se\"\nclient_id = \"kvalitet\"\nclient_secret_file = \"hemlighet\"\n";

    // Both forms at once.
    write(&format!("[[provider]]\ntenant = \"huddinge\"\n{good}"));
    let e = refused(d, &["--oidc-config", config, "--oidc-issuer", "https://idp.exempel.se"]);
    assert!(e.contains("antingen --oidc-config") && e.contains("inte båda"), "{e}");
    // A key the file does not know, with where it is.
    write(&format!("[[provider]]\ntenant = \"huddinge\"\n{good}klient = \"x\"\n"));
    let e = refused(d, &["--oidc-config", config]);
    assert!(e.contains("oidc.toml") && e.contains("klient"), "{e}");
    // No provider at all.
    write("provider = []\n");
    assert!(refused(d, &["--oidc-config", config]).contains("anger ingen [[provider]]"));
    // A municipality the database does not hold (the demo's is there).
    write(&format!("[[provider]]\ntenant = \"Norrby kommun\"\n{good}"));
    let e = refused(d, &["--oidc-config", config]);
    assert!(e.contains("[[provider]] nr 1") && e.contains("ingen kommun \"Norrby kommun\""), "{e}");
    // One municipality twice (the second by its name), checked before any provider is asked.
    let demo = "[[provider]]\ntenant = \"huddinge\"\n";
    write(&format!("{demo}{good}\n[[provider]]\ntenant = \"Huddinge kommun\"\n{good}"));
    let e = refused(d, &["--oidc-config", config]);
    assert!(e.contains("[[provider]] nr 2") && e.contains("har redan en leverantör"), "{e}");
    // Neither a secret nor a key.
    write(&format!("{demo}issuer = \"https://b.se\"\nclient_id = \"k\"\n"));
    let e = refused(d, &["--oidc-config", config]);
    assert!(e.contains("nr 1: client_secret_file") && e.contains("private_key_file"), "{e}");
    // Both a secret and a key; a key that is none; plain HTTP to another machine.
    write(&format!("{demo}{good}private_key_file = \"inte-en-nyckel.pem\"\n"));
    assert!(refused(d, &["--oidc-config", config]).contains("client_secret_file eller private_key_file, inte båda"));
    write(&format!(
        "{demo}issuer = \"https://idp.exempel.se\"\nclient_id = \"kvalitet\"\nprivate_key_file = \"inte-en-nyckel.pem\"\n"
    ));
    assert!(refused(d, &["--oidc-config", config]).contains("ingen privat RSA-nyckel i PEM-format"));
    write(&format!(
        "{demo}issuer = \"http://idp.exempel.se\"\nclient_id = \"kvalitet\"\nclient_secret_file = \"hemlighet\"\n"
    ));
    let e = refused(d, &["--oidc-config", config]);
    assert!(e.contains("issuer ska vara en https://-adress"), "{e}");
    // The flags' form names the flags.
    let e = refused(d, &["--oidc-issuer", "https://idp.exempel.se", "--oidc-client-id", "k"]);
    assert!(e.contains("--oidc-client-secret-file") && e.contains("--oidc-private-key-file"), "{e}");
}
