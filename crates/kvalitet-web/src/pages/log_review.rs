//! Access-log review (loggkontroll) of this system: each month a share of the accounts
//! is drawn so that everyone is reviewed within the year; the reviewer reads their
//! entries in the audit log and records the outcome, which becomes a run of the plan's
//! access-log self-inspection. A reviewer reviews only accounts whose roles lie within
//! the part of the tree where they may read the log, and never their own.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::{self, AccessLogReview, Account, Permission, ReviewOutcome, RoleAssignment};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::self_inspection::{Method, SelfInspection, SelfInspectionRun, Verdict};
use kvalitet_domain::{Code, Date, Versioned};
use kvalitet_store::{Column, Value, Where, plans, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::pages::deviations::today;
use crate::router::AppState;

pub struct Drawn {
    pub name: String,
    pub email: String,
    pub log_href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "log_review.html")]
pub struct ReviewPage {
    pub nav: Nav,
    pub year: i64,
    pub month: i64,
    pub drawn: Vec<Drawn>,
    pub reviewed: usize,
    pub total: usize,
    /// Drawn this month, but for another reviewer (their own account, or one with roles
    /// outside the reviewer's part of the tree).
    pub others: usize,
    pub self_inspection: String,
    pub done: bool,
    pub error: String,
}

/// A stable order that differs between years, so the same people are not always first.
fn order_key(year: i64) -> impl Fn(i64) -> u64 {
    move |id| (id as u64 ^ (year as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)).wrapping_mul(0xBF58_476D_1CE4_E5B9)
}

struct Draw {
    /// Drawn this month and for this reviewer to review.
    drawn: Vec<Versioned<Account>>,
    others: usize,
    reviewed: usize,
    total: usize,
}

/// Whether `user` may review `account`: not their own, and every role of the account
/// within the part of the tree where the user may read the log (an account without
/// roles, only from the top of the tree).
fn may_review(user: &User, account: &Versioned<Account>, roles: &[Versioned<RoleAssignment>]) -> bool {
    let mut scopes = roles.iter().filter(|r| r.account_id == account.id).map(|r| r.scope_id).peekable();
    account.id != user.session.account.id
        && match scopes.peek() {
            Some(_) => scopes.all(|s| user.may(Permission::ViewAuditLog, s)),
            None => user.tree.top().is_some_and(|top| user.may(Permission::ViewAuditLog, top)),
        }
}

async fn draw(state: &AppState, user: &User, year: i64, month: i64) -> WebResult<Draw> {
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    let accounts: Vec<Versioned<Account>> =
        repo::list(&mut conn, Where::sql("tenant_id = $1 AND active = 1", vec![tenant.to_value()])).await?;
    let reviews: Vec<Versioned<AccessLogReview>> =
        repo::list(&mut conn, Where::sql("tenant_id = $1 AND year = $2", vec![tenant.to_value(), Value::Int(year)]))
            .await?;
    let done_before: Vec<i64> = reviews.iter().filter(|r| r.month < month).map(|r| r.account_id.get()).collect();
    let done_now: Vec<i64> = reviews.iter().filter(|r| r.month == month).map(|r| r.account_id.get()).collect();
    let unreviewed: Vec<i64> = accounts.iter().map(|a| a.id.get()).filter(|id| !done_before.contains(id)).collect();
    let mut ids = access::draw_for_month(&unreviewed, month as i8, order_key(year));
    // Those already reviewed this month stay in this month's draw.
    ids.retain(|id| !done_now.contains(id));
    ids.extend(done_now.iter().copied());
    let roles: Vec<Versioned<RoleAssignment>> = repo::list(
        &mut conn,
        Where::sql("account_id IN (SELECT id FROM account WHERE tenant_id = $1)", vec![tenant.to_value()]),
    )
    .await?;
    let (drawn, others): (Vec<_>, Vec<_>) =
        accounts.iter().filter(|a| ids.contains(&a.id.get())).cloned().partition(|a| may_review(user, a, &roles));
    Ok(Draw { drawn, others: others.len(), reviewed: reviews.len(), total: accounts.len() })
}

/// The access-log self-inspection for the year of a plan within the reviewer's part of
/// the tree (the widest such plan first), if there is one.
async fn self_inspection(state: &AppState, user: &User, year: i64) -> WebResult<Option<Versioned<SelfInspection>>> {
    let mut conn = state.store.read().await?;
    let plans: Vec<Versioned<QualityPlan>> = repo::list(
        &mut conn,
        Where::sql("tenant_id = $1 AND year = $2", vec![user.session.account.tenant_id.to_value(), Value::Int(year)]),
    )
    .await?;
    let mut plans: Vec<_> = plans.into_iter().filter(|p| user.may(Permission::ViewAuditLog, p.scope_id)).collect();
    plans.sort_by_key(|p| (user.tree.top() != Some(p.scope_id), p.id));
    for p in plans {
        let sis: Vec<Versioned<SelfInspection>> = repo::list(
            &mut conn,
            Where::sql(
                "plan_id = $1 AND method = $2",
                vec![p.id.to_value(), Value::Text(Method::AccessLogReview.code().into())],
            ),
        )
        .await?;
        if let Some(si) = sis.into_iter().next() {
            return Ok(Some(si));
        }
    }
    Ok(None)
}

fn period(q: &HashMap<String, String>) -> (i64, i64) {
    let today = today();
    let year = q.get("ar").and_then(|y| y.parse().ok()).filter(|y| (2000..=2100).contains(y));
    let month = q.get("manad").and_then(|m| m.parse().ok()).filter(|m| (1..=12).contains(m));
    (year.unwrap_or(i64::from(today.year())), month.unwrap_or(i64::from(today.month())))
}

fn month_bounds(year: i64, month: i64) -> (Date, Date) {
    let first = Date::new(year as i16, month as i8, 1).expect("valid month");
    (first, first.last_of_month())
}

async fn page(
    state: &AppState,
    user: &User,
    year: i64,
    month: i64,
    done: bool,
    error: String,
) -> WebResult<ReviewPage> {
    let d = draw(state, user, year, month).await?;
    let (first, last) = month_bounds(year, month);
    let si = self_inspection(state, user, year).await?;
    Ok(ReviewPage {
        nav: user.nav(),
        year,
        month,
        drawn: d
            .drawn
            .iter()
            .map(|a| Drawn {
                name: a.display_name.clone(),
                email: a.email.clone(),
                log_href: format!("/admin/logg?aktor={}&fran={first}&till={last}", a.id),
            })
            .collect(),
        reviewed: d.reviewed,
        total: d.total,
        others: d.others,
        self_inspection: si.map(|s| s.title.clone()).unwrap_or_default(),
        done,
        error,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<ReviewPage> {
    user.require_somewhere(Permission::ViewAuditLog)?;
    let (year, month) = period(&q);
    page(&state, &user, year, month, q.contains_key("klart"), String::new()).await
}

/// Room kept in the self-inspection run's text for what precedes the comment (the month
/// and the names of the people reviewed).
const RUN_TEXT_ROOM: usize = 2_000;

pub async fn record(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.require_somewhere(Permission::ViewAuditLog)?;
    user.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let (year, month) = period(&f);
    let outcome = f.get("outcome").and_then(|o| ReviewOutcome::from_code(o));
    let comment = f.get("comment").map(|c| c.trim().to_owned()).unwrap_or_default();
    let Some(outcome) = outcome else {
        return Ok(page(&state, &user, year, month, false, "Välj resultatet av granskningen.".into())
            .await?
            .into_response());
    };
    if outcome == ReviewOutcome::Remarks && comment.is_empty() {
        let msg = "Beskriv vad som behöver utredas.".to_owned();
        return Ok(page(&state, &user, year, month, false, msg).await?.into_response());
    }
    // The comment goes into every review and into the self-inspection run's text: too
    // long, or with control characters, it is an error beside the form, not a failed
    // write.
    let limit = kvalitet_domain::validate::limits::TEXT - RUN_TEXT_ROOM;
    let mut check = kvalitet_domain::ValidationErrors::default();
    check.optional_text("comment", &comment, limit);
    if let Some(problem) = check.for_field("comment") {
        let msg = format!("Kommentaren {problem}.");
        let page = page(&state, &user, year, month, false, msg).await?;
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let d = draw(&state, &user, year, month).await?;
    if d.drawn.is_empty() {
        return Err(WebError::NotFound);
    }
    let si = self_inspection(&state, &user, year).await?;
    let today = today();
    let mut tx = state.store.write(&user.actor()).await?;
    let mut conn_reviews: Vec<Versioned<AccessLogReview>> = repo::list(
        &mut tx,
        Where::sql("tenant_id = $1 AND year = $2", vec![user.session.account.tenant_id.to_value(), Value::Int(year)]),
    )
    .await?;
    for a in &d.drawn {
        if conn_reviews.iter().any(|r| r.account_id == a.id) {
            continue;
        }
        let review = AccessLogReview {
            tenant_id: user.session.account.tenant_id,
            account_id: a.id,
            year,
            month,
            reviewed_on: today,
            reviewer: user.session.account.display_name.clone(),
            outcome,
            comment: comment.clone(),
        };
        plans::create(&mut tx, &review).await?;
        conn_reviews.push(Versioned { id: kvalitet_domain::Id::new(0), version: 1, item: review });
    }
    if let Some(si) = si {
        let names: Vec<&str> = d.drawn.iter().map(|a| a.display_name.as_str()).collect();
        let run = SelfInspectionRun {
            self_inspection_id: si.id,
            run_on: today,
            undated: false,
            result_value: None,
            sample_size: Some(d.drawn.len() as i64),
            verdict: if outcome == ReviewOutcome::NoRemarks { Verdict::Approved } else { Verdict::NotApproved },
            verdict_reason: String::new(),
            comment: format!(
                "Loggkontroll av Kvalitet {year}-{month:02}: {} granskade ({}). {}",
                names.len(),
                names.join(", "),
                if comment.is_empty() { "Inga brister." } else { comment.as_str() }
            ),
            recorded_by: user.session.account.display_name.clone(),
        };
        plans::create(&mut tx, &run).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/loggkontroll?ar={year}&manad={month}&klart=1")).into_response())
}
