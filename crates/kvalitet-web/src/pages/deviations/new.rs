//! Registering a deviation: any staff member, for their own unit, once per form; a
//! complaint with who made it and how it came in. It ends on the receipt in "Mina rapporter".

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::{Permission, Tree};
use kvalitet_domain::deviation::{Complainant, ComplaintChannel, Deviation, DeviationKind};
use kvalitet_domain::org::OrgUnitKind;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::self_inspection::{SelfInspection, SelfInspectionRun};
use kvalitet_domain::{Code, Date, Id, Validate, Versioned};
use kvalitet_store::{org, plans, repo, submissions};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::router::AppState;

use super::{kinds, today};

#[derive(Template, WebTemplate)]
#[template(path = "deviation_new.html")]
pub struct NewPage {
    pub nav: Nav,
    pub units: Vec<(i64, String)>,
    pub kinds: Vec<&'static str>,
    /// The codes of who made a complaint and how it came in.
    pub complainants: Vec<&'static str>,
    pub channels: Vec<&'static str>,
    pub values: HashMap<String, String>,
    pub errors: Vec<(String, String)>,
    /// The self-inspection the deviation is registered after (its title), if any.
    pub self_inspection: String,
}

impl NewPage {
    pub fn value(&self, field: &str) -> &str {
        self.values.get(field).map_or("", String::as_str)
    }

    pub fn error(&self, field: &str) -> &str {
        self.errors.iter().find(|(f, _)| f == field).map_or("", |(_, m)| m.as_str())
    }
}

/// The units the user may register deviations for.
pub(crate) async fn registrable_units(state: &AppState, user: &User) -> WebResult<Vec<(i64, String)>> {
    let mut conn = state.store.read().await?;
    let units = org::units(&mut conn, user.session.account.tenant_id).await?;
    Ok(units
        .iter()
        .filter(|u| u.kind == OrgUnitKind::Unit && user.may(Permission::RegisterDeviation, u.id))
        .map(|u| (u.id.get(), u.name.clone()))
        .collect())
}

/// The self-inspection a deviation is registered after (`egenkontroll`), if it is one
/// of the user's municipality's, with its plan.
async fn after_self_inspection(
    state: &AppState,
    user: &User,
    raw: Option<&String>,
) -> WebResult<Option<(Versioned<SelfInspection>, Versioned<QualityPlan>)>> {
    let Some(id) = raw.and_then(|r| r.trim().parse::<i64>().ok()) else { return Ok(None) };
    let mut conn = state.store.read().await?;
    let Some(si) = repo::find::<SelfInspection>(&mut conn, Id::new(id)).await? else { return Ok(None) };
    let plan = repo::get::<QualityPlan>(&mut conn, si.plan_id).await?;
    Ok((plan.tenant_id == user.session.account.tenant_id).then_some((si, plan)))
}

/// The form, empty, or (`?egenkontroll=…&genomforande=…`) filled in from a
/// self-inspection run that was not approved, to which the deviation will be linked.
pub async fn new_form(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<NewPage> {
    let units = registrable_units(&state, &user).await?;
    if units.is_empty() {
        return Err(WebError::Forbidden);
    }
    let mut values = HashMap::new();
    values.insert("occurred_on".to_owned(), today().to_string());
    // Stores the report once however often the form is sent (Back and submit again).
    values.insert("form_token".to_owned(), submissions::new_token());
    if units.len() == 1 {
        values.insert("unit".to_owned(), units[0].0.to_string());
    }
    let mut self_inspection = String::new();
    if let Some((si, plan)) = after_self_inspection(&state, &user, q.get("egenkontroll")).await? {
        let unit = si.unit_id.unwrap_or(plan.scope_id);
        if units.iter().any(|(u, _)| *u == unit.get()) {
            values.insert("unit".to_owned(), unit.to_string());
        }
        values.insert("egenkontroll".to_owned(), si.id.to_string());
        values.insert("title".to_owned(), format!("Egenkontroll inte godkänd: {}", si.title));
        let mut conn = state.store.read().await?;
        let run = match q.get("genomforande").and_then(|r| r.parse::<i64>().ok()) {
            Some(r) => {
                repo::find::<SelfInspectionRun>(&mut conn, Id::new(r)).await?.filter(|r| r.self_inspection_id == si.id)
            }
            None => None,
        };
        if let Some(run) = run {
            values.insert("occurred_on".to_owned(), run.run_on.to_string());
            values.insert(
                "description".to_owned(),
                format!("Egenkontrollen genomfördes {} och blev inte godkänd. {}", run.run_on, run.comment)
                    .trim()
                    .to_owned(),
            );
        }
        self_inspection = si.title.clone();
    }
    Ok(page(&user, units, values, vec![], self_inspection))
}

pub async fn create(
    State(state): State<AppState>,
    user: User,
    Form(f): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let tenant = user.session.account.tenant_id;
    let token = f.get("form_token").map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    // The same form sent again: its report is stored already.
    if let Some(t) = &token
        && let Some(path) = submissions::earlier(&mut *state.store.read().await?, tenant, t).await?
    {
        return Ok(Redirect::to(&path).into_response());
    }
    let units = registrable_units(&state, &user).await?;
    let after = after_self_inspection(&state, &user, f.get("egenkontroll")).await?;
    let get = |k: &str| f.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    let mut errors: Vec<(String, String)> = Vec::new();
    let unit = get("unit").parse::<i64>().ok();
    // A unit the user may not register for is refused outright; a missing one is a
    // field error like the others.
    if unit.is_some_and(|u| !units.iter().any(|(id, _)| *id == u)) {
        return Err(WebError::Forbidden);
    }
    if unit.is_none() {
        errors.push(("unit".into(), "Välj vilken enhet det gäller.".into()));
    }
    // Linked to a self-inspection, the deviation is of a unit its plan covers.
    if let (Some(u), Some((_, plan))) = (unit, &after)
        && !user.tree.is_within(Id::new(u), plan.scope_id)
    {
        errors.push(("unit".into(), "Välj en enhet som egenkontrollens kvalitetsplan gäller.".into()));
    }
    let unit = unit.unwrap_or(0);
    let kind = DeviationKind::from_code(&get("kind"));
    if kind.is_none() {
        errors.push(("kind".into(), "Välj vad du vill rapportera.".into()));
    }
    let complainant: Option<Complainant> =
        complaint_choice(&get("complainant"), kind, "complainant", "Vem som lämnade synpunkten", &mut errors);
    let channel: Option<ComplaintChannel> =
        complaint_choice(&get("channel"), kind, "channel", "Hur synpunkten kom in", &mut errors);
    let today = today();
    let occurred = occurred_on(&get("occurred_on"), today, &mut errors);
    let deviation = Deviation {
        complainant,
        channel,
        ..Deviation::registered(
            user.session.account.tenant_id,
            kvalitet_domain::Id::new(unit),
            kind.unwrap_or(DeviationKind::Internal),
            occurred.unwrap_or(today),
            today,
            get("title"),
            get("description"),
            user.session.account.display_name.clone(),
        )
    };
    if let Err(v) = deviation.validate() {
        for e in v.errors {
            let label = match e.field {
                "title" => "Rubriken",
                "description" => "Beskrivningen",
                _ => "Fältet",
            };
            errors.push((e.field.to_owned(), format!("{label} {}.", e.problem)));
        }
    }
    if !errors.is_empty() {
        let si = after.map(|(si, _)| si.title.clone()).unwrap_or_default();
        return Ok(render_errors(&user, units, f, errors, si));
    }
    // The same report sent again with another token (Back, which fetches the form anew
    // with a fresh token, then submit): the earlier receipt.
    let account = user.session.account.id;
    if let Some(earlier) =
        kvalitet_store::deviations::same_report(&mut *state.store.read().await?, account, &deviation).await?
    {
        return Ok(Redirect::to(&format!("/mina-rapporter/{earlier}?mottagen=1")).into_response());
    }
    let mut tx = state.store.write(&user.actor()).await?;
    let id = plans::create(&mut tx, &deviation).await?;
    if let Some((si, _)) = &after {
        kvalitet_store::links::link(&mut tx, kvalitet_store::LinkKind::DeviationSelfInspection, id.get(), si.id.get())
            .await?;
    }
    if state.mail {
        let unit_name = units.iter().find(|(u, _)| *u == unit).map_or("", |(_, n)| n.as_str());
        kvalitet_store::mail::deviation_registered(&mut tx, id, &deviation, user.session.account.id, unit_name).await?;
    } else {
        kvalitet_store::mail::remember_reporter(&mut tx, id, user.session.account.id).await?;
    }
    // The reporter's receipt, with the reference number, in "Mina rapporter".
    let receipt = format!("/mina-rapporter/{id}?mottagen=1");
    if let Some(t) = &token
        && let Err(e) = submissions::remember(&mut tx, tenant, user.session.account.id.get(), t, &receipt).await
    {
        // Sent twice at once: the other one stored it.
        drop(tx);
        return match submissions::earlier(&mut *state.store.read().await?, tenant, t).await? {
            Some(path) => Ok(Redirect::to(&path).into_response()),
            None => Err(WebError::from(e)),
        };
    }
    tx.commit().await?;
    Ok(Redirect::to(&receipt).into_response())
}

fn render_errors(
    user: &User,
    units: Vec<(i64, String)>,
    f: HashMap<String, String>,
    errors: Vec<(String, String)>,
    self_inspection: String,
) -> Response {
    let mut f = f;
    f.entry("form_token".to_owned()).or_insert_with(submissions::new_token);
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, page(user, units, f, errors, self_inspection)).into_response()
}

fn page(
    user: &User,
    units: Vec<(i64, String)>,
    values: HashMap<String, String>,
    errors: Vec<(String, String)>,
    self_inspection: String,
) -> NewPage {
    NewPage {
        nav: user.nav(),
        units,
        kinds: kinds(),
        complainants: Complainant::ALL.iter().map(|c| c.code()).collect(),
        channels: ComplaintChannel::ALL.iter().map(|c| c.code()).collect(),
        values,
        errors,
        self_inspection,
    }
}

/// An optional coded choice of the complaint fieldset: `None` when left empty; a code
/// that is not in the list, or any choice for another kind than a complaint, is an
/// error beside the field.
/// When it happened, as typed: a date, not after `today`; otherwise a field error.
pub(crate) fn occurred_on(raw: &str, today: Date, errors: &mut Vec<(String, String)>) -> Option<Date> {
    let occurred = crate::forms::parse_date(raw).filter(|d| crate::forms::DATE_YEARS.contains(&d.year()));
    match occurred {
        None => errors.push(("occurred_on".into(), "Ange datum som ÅÅÅÅ-MM-DD, till exempel 2024-03-31.".into())),
        Some(d) if d > today => errors.push(("occurred_on".into(), "Datumet kan inte vara i framtiden.".into())),
        Some(_) => {}
    }
    occurred
}

pub(crate) fn complaint_choice<T: Code>(
    raw: &str,
    kind: Option<DeviationKind>,
    field: &str,
    what: &str,
    errors: &mut Vec<(String, String)>,
) -> Option<T> {
    if raw.is_empty() {
        return None;
    }
    if kind.is_some_and(|k| k != DeviationKind::Complaint) {
        errors.push((
            field.to_owned(),
            format!("{what} fylls bara i för synpunkter och klagomål. Välj det slaget, eller lämna fältet tomt."),
        ));
        return None;
    }
    let found = T::from_code(raw);
    if found.is_none() {
        errors.push((field.to_owned(), format!("Välj {} i listan.", what.to_lowercase())));
    }
    found
}
