//! The chain: how an entry's hash is made under its scheme, anchors (the head written
//! outside the database), and [`verify`], which walks the whole log.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::key::{AuditKey, Hasher};
use super::{AuditEntry, COLUMNS, entry_from, now_utc, scheme};
use crate::Store;
use crate::error::Result;

fn field(h: &mut Hasher, s: &str) {
    h.update(&(s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

impl AuditEntry {
    /// The hash of the entry's content chained to the previous hash, under the entry's
    /// scheme; `None` for a keyed entry when no key is at hand, or an unknown scheme.
    /// Fields are length-prefixed so no two entries can serialise alike.
    pub fn compute_hash(&self, key: Option<&AuditKey>) -> Option<String> {
        let mut h = match self.scheme.as_str() {
            scheme::KEYED => Hasher::Keyed(key?.mac()),
            scheme::LEGACY | scheme::UNKEYED => Hasher::Plain(Sha256::new()),
            _ => return None,
        };
        let int = |i: Option<i64>| i.map(|a| a.to_string()).unwrap_or_default();
        field(&mut h, &self.seq.to_string());
        field(&mut h, &self.at);
        field(&mut h, &int(self.actor_id));
        field(&mut h, &self.actor);
        field(&mut h, &self.action);
        field(&mut h, &self.table_name);
        field(&mut h, &int(self.record_id));
        field(&mut h, self.before_data.as_deref().unwrap_or("\u{0}"));
        field(&mut h, self.after_data.as_deref().unwrap_or("\u{0}"));
        field(&mut h, &self.prev_hash);
        if self.scheme != scheme::LEGACY {
            field(&mut h, &int(self.tenant_id));
            field(&mut h, &int(self.unit_id));
            field(&mut h, self.client.as_deref().unwrap_or("\u{0}"));
            field(&mut h, &self.scheme);
        }
        Some(h.finish())
    }
}

/// The chain's head at a moment, as written outside the database (`kvalitet audit
/// anchor`, and hourly by `serve`): one line per anchor, appended to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub at: String,
    pub seq: i64,
    pub hash: String,
}

impl Anchor {
    /// The chain's head now.
    pub async fn head(conn: &mut AnyConnection) -> Result<Anchor> {
        let head = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1").fetch_one(&mut *conn).await?;
        Ok(Anchor { at: now_utc(), seq: head.try_get("seq")?, hash: head.try_get("last_hash")? })
    }

    /// The anchor's line in an anchor file.
    pub fn line(&self) -> String {
        format!("{} seq={} hash={}", self.at, self.seq, self.hash)
    }
}

/// The anchors of an anchor file; an unreadable line is an error naming it.
pub fn parse_anchors(text: &str) -> std::result::Result<Vec<Anchor>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let anchor = (|| {
            let at = parts.next()?.to_owned();
            let seq = parts.next()?.strip_prefix("seq=")?.parse().ok()?;
            let hash = parts.next()?.strip_prefix("hash=")?.to_owned();
            (hash.len() == 64 && parts.next().is_none()).then_some(Anchor { at, seq, hash })
        })();
        out.push(anchor.ok_or_else(|| format!("rad {} är ingen förankring: {line}", n + 1))?);
    }
    Ok(out)
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub entries: i64,
    /// Keyed entries whose hash could not be checked, for want of the key.
    pub unchecked: i64,
    /// Anchors compared with the log.
    pub anchors: usize,
    /// Every problem, in Swedish, naming the entry.
    pub problems: Vec<String>,
}

/// Walks the whole chain: every entry's hash (keyed entries with `key`), every link to
/// the previous entry, no gap in the numbering, no unkeyed entry after a keyed one, the
/// head matching the last entry, and every anchor matching the entry it names. An
/// administrator who rewrites entries and recomputes the chain cannot make keyed hashes
/// without the key, nor match an anchor taken before the rewrite; one who removes
/// entries and renumbers the rest must rewrite every later entry.
///
/// The head and the entries are read in one snapshot: entries a running server appends
/// meanwhile are neither half seen nor taken for tampering.
pub async fn verify(store: &Store, key: Option<&AuditKey>, anchors: &[Anchor]) -> Result<Verification> {
    let mut snapshot = store.snapshot().await?;
    let verification = verify_in(&mut snapshot, key, anchors).await?;
    snapshot.rollback().await?;
    Ok(verification)
}

async fn verify_in(conn: &mut AnyConnection, key: Option<&AuditKey>, anchors: &[Anchor]) -> Result<Verification> {
    let head = sqlx::query("SELECT seq, last_hash FROM audit_head WHERE id = 1").fetch_one(&mut *conn).await?;
    let head_seq: i64 = head.try_get("seq")?;
    let head_hash: String = head.try_get("last_hash")?;
    let mut by_seq: BTreeMap<i64, Vec<&Anchor>> = BTreeMap::new();
    for a in anchors {
        by_seq.entry(a.seq).or_default().push(a);
    }
    let mut problems = Vec::new();
    let mut prev_hash = "0".repeat(64);
    let (mut expected_seq, mut entries, mut unchecked, mut after) = (1, 0, 0, 0i64);
    // Schemes only get stronger along the chain: an older scheme after a newer one is a
    // rewrite made without the key.
    const ORDER: [&str; 3] = [scheme::LEGACY, scheme::UNKEYED, scheme::KEYED];
    let mut strongest = 0;
    loop {
        // In pages, so a long log is never held in memory at once.
        let sql = format!("SELECT {COLUMNS} FROM audit_entry WHERE seq > $1 ORDER BY seq LIMIT 5000");
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(after).fetch_all(&mut *conn).await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let e = entry_from(row)?;
            if e.seq != expected_seq {
                problems.push(format!("post {} saknas (nästa post är {})", expected_seq, e.seq));
            }
            if e.prev_hash != prev_hash {
                problems
                    .push(format!("post {}: kedjan är bruten, föregående post har ändrats eller tagits bort", e.seq));
            }
            match e.compute_hash(key) {
                Some(h) if h != e.hash => {
                    problems.push(format!("post {}: innehållet har ändrats efter att den skrevs", e.seq));
                }
                Some(_) => {}
                None if e.scheme == scheme::KEYED => unchecked += 1,
                None => problems.push(format!("post {}: okänt sätt att beräkna kontrollsumman", e.seq)),
            }
            if key.is_some() && e.scheme == scheme::UNKEYED {
                // The installation has a key: an unkeyed entry was made without it.
                problems
                    .push(format!("post {}: kontrollsumman är gjord utan nyckeln; posten kan ha skrivits om", e.seq));
            }
            match ORDER.iter().position(|s| *s == e.scheme) {
                Some(rank) if rank < strongest => {
                    problems.push(format!("post {}: skriven utan nyckel efter poster med nyckel", e.seq));
                }
                Some(rank) => strongest = rank,
                None => {}
            }
            for a in by_seq.get(&e.seq).into_iter().flatten() {
                if a.hash != e.hash {
                    problems.push(format!(
                        "post {}: stämmer inte med förankringen från {}; loggen har skrivits om",
                        e.seq, a.at
                    ));
                }
            }
            prev_hash = e.hash.clone();
            expected_seq = e.seq + 1;
            after = e.seq;
            entries += 1;
        }
    }
    if head_seq != after || (entries > 0 && head_hash != prev_hash) {
        problems.push(format!(
            "loggen slutar vid post {after} men ska ha {head_seq} poster: poster i slutet har tagits bort eller ändrats"
        ));
    }
    for a in by_seq.range(after + 1..).flat_map(|(_, v)| v) {
        problems.push(format!(
            "förankringen från {} visar post {} men loggen slutar vid post {after}: poster har tagits bort",
            a.at, a.seq
        ));
    }
    Ok(Verification { entries, unchecked, anchors: anchors.len(), problems })
}
