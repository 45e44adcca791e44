//! The mail jobs that `kvalitet serve` runs: delivering the outbox (at once, lex Sarah
//! first) and, once a day after the digest time, queueing each person's digest. Any
//! number of instances may run them on one database: outbox rows are claimed one by one
//! with a lease, and a day's digests are made by the one transaction that takes the
//! day's `job_run` row. The clock is passed in, so tests choose the time.

use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::Time;
use jiff::tz::TimeZone;
use lettre::AsyncTransport;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};

use kvalitet_domain::Versioned;
use kvalitet_domain::org::Tenant;
use kvalitet_store::mail::{self, Outgoing};
use kvalitet_store::{Actor, Store, Where, accounts, agenda, org, repo};

use crate::Mailer;
use crate::text::compose;

/// How long a claimed mail is kept from other instances while it is being sent.
const LEASE_SECONDS: i64 = 120;
/// At most this many mails are claimed at a time.
const BATCH: i64 = 50;

/// What one delivery round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Delivered {
    pub sent: usize,
    pub failed: usize,
}

/// A send error in words that hold no address: the SMTP status code, or the kind of
/// failure.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    if let Some(code) = e.status() {
        return format!("SMTP-svar {code}");
    }
    let kind = if e.is_timeout() {
        "tidsgränsen passerades"
    } else if e.is_tls() {
        "TLS-fel"
    } else if e.is_client() {
        "klientfel"
    } else {
        "anslutningen misslyckades"
    };
    kind.to_owned()
}

/// Sends one claimed mail.
async fn send_one(mailer: &Mailer, m: &Outgoing, to: &str) -> Result<(), String> {
    let to: Mailbox = to.parse().map_err(|_| "mottagarens adress går inte att använda".to_owned())?;
    let text = compose(m, &mailer.public_url);
    let message = Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(text.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(text.body)
        .map_err(|_| "e-brevet kunde inte byggas".to_owned())?;
    match mailer.transport().send(message).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(format!("permanent: {}", describe(&e))),
        Err(e) => Err(describe(&e)),
    }
}

/// Delivers the mails due at `now`: claims them, sends each, marks it sent or failed
/// (retried later with backoff; a permanent refusal is given up at once). Errors are
/// logged with the mail's number, never its address.
pub async fn deliver(store: &Store, mailer: &Mailer, now: Timestamp) -> kvalitet_store::Result<Delivered> {
    let now = now.as_second();
    let mut done = Delivered::default();
    loop {
        let batch = mail::claim(store, now, LEASE_SECONDS, BATCH).await?;
        if batch.is_empty() {
            return Ok(done);
        }
        for m in &batch {
            let Some(to) = &m.to else {
                mail::mark_sent(store, m.id, now, "kontot är inaktiverat; inget skickat").await?;
                continue;
            };
            match send_one(mailer, m, to).await {
                Ok(()) => {
                    mail::mark_sent(store, m.id, now, "").await?;
                    tracing::info!(mail = m.id, kind = %m.kind, "mail sent");
                    done.sent += 1;
                }
                Err(error) => {
                    let attempts = if error.starts_with("permanent") { mail::MAX_ATTEMPTS } else { m.attempts };
                    let given_up = mail::mark_failed(store, m.id, attempts, now, &error).await?;
                    tracing::warn!(mail = m.id, kind = %m.kind, attempts = m.attempts, given_up, %error, "mail not sent");
                    done.failed += 1;
                }
            }
        }
        if (batch.len() as i64) < BATCH {
            return Ok(done);
        }
    }
}

/// Queues the digests of `day` for everyone with something due, unless another
/// instance already has: one mail per person per day, holding counts per kind and
/// links only. Returns how many were queued (`None`: the day's digests were made
/// elsewhere or earlier).
pub async fn make_digests(
    store: &Store,
    day: kvalitet_domain::Date,
    now: Timestamp,
) -> kvalitet_store::Result<Option<usize>> {
    let mut tx = store.write(&Actor::system("digest")).await?;
    if !mail::claim_day(&mut tx, "digest", &day.to_string(), now.as_second()).await? {
        return Ok(None);
    }
    let tenants: Vec<Versioned<Tenant>> = repo::list(&mut tx, Where::all()).await?;
    let mut queued = 0;
    for tenant in tenants {
        // Everything, not the start page's first few: the digest's counts are exact.
        let agenda = agenda::load(&mut tx, tenant.id, day, None, None).await?;
        let units = org::units(&mut tx, tenant.id).await?;
        let tree = mail::Parents::of(&units);
        for account in mail::digest_accounts(&mut tx, tenant.id).await? {
            let assignments = accounts::assignments(&mut tx, account).await?;
            let items = agenda::due_for(&agenda, account, &assignments, &tree, day);
            if items.is_empty() {
                continue;
            }
            let counts = agenda::counts(&items);
            let data = serde_json::json!({ "day": day.to_string(), "counts": counts });
            mail::queue(&mut tx, tenant.id, account, mail::kind::DIGEST, None, &data, now.as_second()).await?;
            queued += 1;
        }
    }
    tx.commit().await?;
    Ok(Some(queued))
}

/// When the jobs run.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    /// The digest goes out at the first round after this time of day, Swedish time.
    pub digest_at: Time,
    /// How often the outbox is looked at.
    pub every: Duration,
}

/// The time of day in Sweden's time zone.
pub fn swedish(now: Timestamp) -> jiff::Zoned {
    now.to_zoned(TimeZone::get("Europe/Stockholm").unwrap_or(TimeZone::UTC))
}

/// One round at `now`: the day's digests if it is past the digest time (and they are
/// not made yet), then the outbox.
pub async fn round(
    store: &Store,
    mailer: &Mailer,
    schedule: &Schedule,
    now: Timestamp,
) -> kvalitet_store::Result<Delivered> {
    let local = swedish(now);
    if local.time() >= schedule.digest_at
        && let Some(n) = make_digests(store, local.date(), now).await?
    {
        tracing::info!(day = %local.date(), digests = n, "daily digests queued");
    }
    deliver(store, mailer, now).await
}

/// Runs rounds every `schedule.every` until `stop` resolves; a failed round is logged
/// and the next one tries again.
pub async fn run(
    store: Store,
    mailer: Mailer,
    schedule: Schedule,
    clock: impl Fn() -> Timestamp + Send + 'static,
    stop: impl std::future::Future<Output = ()> + Send,
) {
    let mut stop = std::pin::pin!(stop);
    loop {
        if let Err(e) = round(&store, &mailer, &schedule, clock()).await {
            tracing::warn!(error = %e, "mail round failed");
        }
        tokio::select! {
            () = tokio::time::sleep(schedule.every) => {}
            () = &mut stop => return,
        }
    }
}
