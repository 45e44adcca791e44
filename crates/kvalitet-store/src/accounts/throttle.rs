//! Throttling sign-in: failed attempts are counted per account address and per client
//! address, and past a number of free attempts each further attempt must wait a growing
//! delay. An attempt is counted before its password is checked, in the same write
//! transaction that checks the delay, so parallel attempts cannot get around it; success
//! and time (a quiet window) reset the count, and an administrator can reset it.

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::error::Result;

/// What one key allows.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Attempts allowed without delay.
    pub free: i64,
    /// The delay after the first attempt past the free ones, in seconds; it doubles with
    /// each further attempt.
    pub first_delay: i64,
    /// The longest delay, in seconds.
    pub max_delay: i64,
}

/// Per e-mail address (known or not): five free attempts, then 5 s, 10 s, … up to 5 minutes.
pub const PER_ACCOUNT: Policy = Policy { free: 5, first_delay: 5, max_delay: 5 * 60 };
/// Per client address (many people may sign in from behind one address): fifty free
/// attempts, then up to 15 minutes.
pub const PER_CLIENT: Policy = Policy { free: 50, first_delay: 5, max_delay: 15 * 60 };
/// Failures older than this are forgotten, in seconds.
pub const WINDOW_SECONDS: i64 = 15 * 60;

impl Policy {
    /// How long to wait after `failures` failed attempts.
    pub fn delay(self, failures: i64) -> i64 {
        if failures < self.free {
            return 0;
        }
        let doublings = (failures - self.free).min(20) as u32;
        self.first_delay.saturating_mul(1 << doublings).min(self.max_delay)
    }
}

/// The throttle key of an e-mail address (a hash, so addresses typed by strangers are not
/// stored).
pub fn account_key(email: &str) -> String {
    format!("a:{}", hex::encode(Sha256::digest(email.trim().to_lowercase().as_bytes())))
}

/// The throttle key of a client address.
pub fn client_key(client: &str) -> String {
    format!("c:{client}")
}

/// Counts an attempt on each key unless one of them must still wait; returns whether the
/// attempt may go on (`false`: throttled, nothing counted). Call it in the sign-in's write
/// transaction.
pub async fn attempt(conn: &mut AnyConnection, keys: &[(String, Policy)], now: i64) -> Result<bool> {
    sqlx::query("DELETE FROM login_throttle WHERE last_failure_at < $1 AND blocked_until < $2")
        .bind(now - WINDOW_SECONDS)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    let mut counts = Vec::new();
    for (key, policy) in keys {
        // The upsert takes the row's lock (PostgreSQL) before it is read.
        let row = sqlx::query(
            "INSERT INTO login_throttle (throttle_key, failures, last_failure_at, blocked_until) VALUES ($1, 0, $2, 0)
             ON CONFLICT (throttle_key) DO UPDATE SET throttle_key = excluded.throttle_key
             RETURNING failures, last_failure_at, blocked_until",
        )
        .bind(key.clone())
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        let (failures, last, blocked): (i64, i64, i64) =
            (row.try_get("failures")?, row.try_get("last_failure_at")?, row.try_get("blocked_until")?);
        if now < blocked {
            return Ok(false);
        }
        let failures = if now - last > WINDOW_SECONDS { 0 } else { failures };
        counts.push((key, *policy, failures + 1));
    }
    for (key, policy, failures) in counts {
        sqlx::query(
            "UPDATE login_throttle SET failures = $1, last_failure_at = $2, blocked_until = $3 WHERE throttle_key = $4",
        )
        .bind(failures)
        .bind(now)
        .bind(now + policy.delay(failures))
        .bind(key.clone())
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// Forgets the failures counted on `keys` (after a successful sign-in, or when an
/// administrator unlocks an account).
pub async fn clear(conn: &mut AnyConnection, keys: &[String]) -> Result<()> {
    for key in keys {
        sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1").bind(key.clone()).execute(&mut *conn).await?;
    }
    Ok(())
}

/// The e-mail keys that must wait now (their accounts are shown as locked).
pub async fn blocked(conn: &mut AnyConnection, now: i64) -> Result<std::collections::HashSet<String>> {
    let rows =
        sqlx::query("SELECT throttle_key FROM login_throttle WHERE blocked_until > $1 AND throttle_key LIKE 'a:%'")
            .bind(now)
            .fetch_all(&mut *conn)
            .await?;
    rows.iter().map(|r| Ok(r.try_get::<String, _>("throttle_key")?)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_past_the_free_attempts_up_to_the_cap() {
        let d: Vec<i64> = (1..=12).map(|n| PER_ACCOUNT.delay(n)).collect();
        assert_eq!(d, [0, 0, 0, 0, 5, 10, 20, 40, 80, 160, 300, 300]);
        assert_eq!(PER_CLIENT.delay(49), 0);
        assert_eq!(PER_CLIENT.delay(1000), 900);
    }
}
