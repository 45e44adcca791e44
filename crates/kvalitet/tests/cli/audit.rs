//! `kvalitet audit`: the key file, anchors and `verify --anchors` against an administrator
//! who holds the database but neither the key nor the anchor file.

use kvalitet_store::testing::{audit_entries, lift_audit_refusal, rewrite_audit_without_key};

use super::{run, support::kvalitet};

/// The database of `dir`, opened as its administrator would (without the key).
fn with_store(dir: &std::path::Path, f: impl AsyncFnOnce(kvalitet_store::Store)) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let url = kvalitet_store::sqlite_file_url(&dir.join("kvalitet.db"));
        let store = kvalitet_store::Store::connect(&url).await.unwrap();
        f(store.clone()).await;
        store.close().await;
    });
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn verify_finds_an_edited_entry_and_the_database_refuses_the_edit() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(kvalitet(dir.path()).args(["demo", "load"])).0.status.success());
    let (out, stdout, stderr) = run(kvalitet(dir.path()).args(["audit", "verify"]));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Granskningsloggen är hel"), "{stdout}");
    #[cfg(unix)]
    assert_eq!(mode(&dir.path().join("kvalitet.audit-key")), 0o600, "the key is the owner's only");

    with_store(dir.path(), async |store| {
        let mut conn = store.read().await.unwrap();
        let refused =
            sqlx::query("UPDATE audit_entry SET actor = 'någon annan' WHERE seq = 10").execute(&mut *conn).await;
        assert!(refused.is_err(), "the database refuses the edit");
        drop(conn);
        lift_audit_refusal(&store).await;
        let mut conn = store.read().await.unwrap();
        sqlx::query("UPDATE audit_entry SET actor = 'någon annan' WHERE seq = 10").execute(&mut *conn).await.unwrap();
    });
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["audit", "verify"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("post 10: innehållet har ändrats"), "{stderr}");

    // Without its key file, the log cannot be checked, and verify says so.
    std::fs::remove_file(dir.path().join("kvalitet.audit-key")).unwrap();
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["audit", "verify"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("nyckelfilen kvalitet.audit-key saknas"), "{stderr}");
    assert!(!dir.path().join("kvalitet.audit-key").exists(), "verify never makes a new key");
}

#[test]
fn an_anchor_finds_a_rewrite_with_recomputed_hashes() {
    let dir = tempfile::tempdir().unwrap();
    assert!(run(kvalitet(dir.path()).args(["demo", "load"])).0.status.success());
    let (out, stdout, stderr) = run(kvalitet(dir.path()).args(["audit", "anchor"]));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.starts_with("Förankrat i kvalitet.anchors: post "), "{stdout}");
    let anchors = std::fs::read_to_string(dir.path().join("kvalitet.anchors")).unwrap();
    assert_eq!(anchors.lines().count(), 1);
    #[cfg(unix)]
    assert_eq!(mode(&dir.path().join("kvalitet.anchors")), 0o600);
    let (out, stdout, _) = run(kvalitet(dir.path()).args(["audit", "verify", "--anchors", "kvalitet.anchors"]));
    assert!(out.status.success() && stdout.contains("1 förankringar stämmer"), "{stdout}");

    // Who created the first deviation is changed, and the chain recomputed from there
    // (the key is not in the database, so unkeyed).
    with_store(dir.path(), async |store| {
        let mut all = audit_entries(&store).await;
        let at = all.iter().position(|e| e.table_name == "deviation").unwrap();
        all[at].actor = "system:någon-annan".into();
        rewrite_audit_without_key(&store, all, at).await;
    });
    let (out, _, stderr) = run(kvalitet(dir.path()).args(["audit", "verify", "--anchors", "kvalitet.anchors"]));
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("stämmer inte med förankringen"), "{stderr}");
    assert!(stderr.contains("kontrollsumman är gjord utan nyckeln"), "{stderr}");
}
