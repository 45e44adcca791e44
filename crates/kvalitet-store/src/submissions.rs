//! One-time form tokens: a form that must store its record once only carries a random
//! token; the submission that stores the record remembers the token's SHA-256 with the
//! path of its result, in the same transaction. The same token again finds that result
//! instead of storing a second record (Back and submit, a double click, a retry).

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use kvalitet_domain::org::TenantId;

use crate::Tx;
use crate::error::Result;

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new token for a form.
pub fn new_token() -> String {
    crate::accounts::random_token()
}

/// The result of an earlier submission with `token` in the tenant, if there was one.
pub async fn earlier(conn: &mut AnyConnection, tenant: TenantId, token: &str) -> Result<Option<String>> {
    let row = sqlx::query("SELECT result_path FROM form_submission WHERE token_hash = $1 AND tenant_id = $2")
        .bind(hash(token))
        .bind(tenant.get())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|r| r.get::<String, _>(0)))
}

/// Remembers that `token` stored the record at `path`. A second submission of the same
/// token racing this one fails here on the unique hash, and its transaction with it.
pub async fn remember(tx: &mut Tx, tenant: TenantId, account: i64, token: &str, path: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO form_submission (tenant_id, token_hash, account_id, result_path, submitted_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant.get())
    .bind(hash(token))
    .bind(account)
    .bind(path.to_owned())
    .bind(jiff::Timestamp::now().to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
