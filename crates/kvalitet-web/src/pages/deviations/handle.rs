//! Handling a deviation: the lex Sarah steps (investigation, assessment and decision,
//! report to IVO, closing), a complaint's facts and answer, the municipality's
//! categories, the feedback to the reporter, and the ties to a risk and an action. The
//! domain's rules (`Deviation::validate_on`) say what each status requires and how the
//! dates follow each other; a closed case opened again needs a reason.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Permission;
use kvalitet_domain::deviation::{
    CategoryDimension, Complainant, ComplaintChannel, ComplaintOutcome, Deviation, DeviationEvent, DeviationEventKind,
    DeviationKind, DeviationStatus, LexSarahCategory,
};
use kvalitet_domain::org::OrgUnit;
use kvalitet_domain::{Code, Date, Id, Validate, Versioned};
use kvalitet_store::{deviations, repo};

use crate::auth::User;
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::router::AppState;

use super::show::{category_field, category_selects, risks_for, show_page};
use super::today;

/// The Swedish name of a field, as an error message begins.
pub(super) fn label(field: &str) -> &'static str {
    match field {
        "status" => "Statusen",
        "occurred_on" => "Händelsedatumet",
        "reported_on" => "Rapportdatumet",
        "investigation_started_on" => "Utredningens startdatum",
        "investigator" => "Utredaren",
        "person_informed" => "Uppgiften om den enskilde har informerats",
        "person_informed_on" => "Datumet då den enskilde informerades",
        "investigation" => "Vad utredningen visar",
        "causes" => "Orsakerna",
        "measures_taken" => "Åtgärderna",
        "lex_sarah_category" => "Bedömningen",
        "decided_on" => "Beslutsdatumet",
        "decided_by" => "Beslutsfattaren",
        "reported_to_ivo_on" => "Datumet för anmälan till IVO",
        "ivo_reference" => "IVO:s diarienummer",
        "complainant" => "Vem som lämnade klagomålet",
        "channel" => "Kanalen",
        "answered_on" => "Datumet då klagomålet besvarades",
        "answered_by" => "Den som besvarade klagomålet",
        "complaint_outcome" => "Utfallet",
        "feedback" => "Återkopplingen",
        "closed_on" => "Avslutsdatumet",
        "voided_on" => "Makuleringsdatumet",
        "void_reason" => "Skälet till makuleringen",
        "reopen_reason" | "text" => "Skälet",
        "title" => "Rubriken",
        "description" => "Beskrivningen",
        _ => "Uppgiften",
    }
}

/// An optional date field: empty is none; a date that cannot be read is refused with
/// the field's name.
fn optional_date(form: &mut FormState, field: &str) -> Option<Date> {
    if form.value(field).trim().is_empty() {
        return None;
    }
    let date = form.date(field, "datum");
    if let Some((_, message)) = form.errors.iter_mut().find(|(f, _)| f == field)
        && date.is_none()
    {
        *message = format!("{}: {}", label(field), message);
    }
    date
}

/// An optional choice among codes: empty is none, anything else not in the list an
/// error beside the field.
fn optional_code<T: Code>(form: &mut FormState, field: &str, message: &str) -> Option<T> {
    match form.value(field).trim() {
        "" => None,
        code => {
            let found = T::from_code(code);
            if found.is_none() {
                form.push(field, message);
            }
            found
        }
    }
}

/// The case a handler's form was posted on (CSRF checked, the record read), if the user
/// may handle its unit's deviations; a voided case is kept as it was, so the answer is
/// its page (which says so and has no form) with 409.
pub(super) async fn case_to_handle(
    state: &AppState,
    user: &User,
    id: &str,
    values: &HashMap<String, String>,
) -> WebResult<Result<Versioned<Deviation>, Response>> {
    let d = crate::pages::posted_on::<Deviation>(state, user, id, values).await?;
    if d.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    user.require(Permission::HandleDeviation, d.unit_id)?;
    if d.is_voided() {
        let page = show_page(state, user, d.id, None, false, None, false).await?;
        return Ok(Err((StatusCode::CONFLICT, page).into_response()));
    }
    Ok(Ok(d))
}

pub async fn handle(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let d = match case_to_handle(&state, &user, &id, &values).await? {
        Ok(d) => d,
        Err(refused) => return Ok(refused),
    };
    let id = d.id;
    let today = today();
    let mut form = FormState::new(values);
    let version = form.value("version").parse::<i64>().unwrap_or(0);
    if version != d.version {
        // Saved by someone else since the form was read: nothing here is checked
        // against what they saved, so the form is shown again beside it.
        let page = show_page(&state, &user, id, Some(form), true, None, false).await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    let text = |form: &FormState, field: &str| form.value(field).trim().to_owned();
    let status = DeviationStatus::from_code(form.value("status"));
    if status.is_none() {
        form.push("status", "Välj ärendets status.");
    }
    let mut next = Deviation {
        status: status.unwrap_or(d.status),
        investigation: text(&form, "investigation"),
        causes: text(&form, "causes"),
        measures_taken: text(&form, "measures_taken"),
        feedback: text(&form, "feedback"),
        closed_on: optional_date(&mut form, "closed_on"),
        ..d.item.clone()
    };
    if next.status != DeviationStatus::Closed {
        // The closing date belongs to a closed case only (a reopened case loses it).
        next.closed_on = None;
    }
    match d.kind {
        DeviationKind::LexSarah => {
            next.investigation_started_on = optional_date(&mut form, "investigation_started_on");
            next.investigator = text(&form, "investigator");
            next.person_informed = match form.value("person_informed") {
                "yes" => Some(true),
                "no" => Some(false),
                "" => None,
                _ => {
                    form.push("person_informed", "Välj ja, nej eller inte angivet.");
                    None
                }
            };
            next.person_informed_on = optional_date(&mut form, "person_informed_on");
            next.lex_sarah_category =
                optional_code::<LexSarahCategory>(&mut form, "lex_sarah_category", "Välj en bedömning i listan.");
            next.decided_on = optional_date(&mut form, "decided_on");
            next.decided_by = text(&form, "decided_by");
            next.reported_to_ivo_on = optional_date(&mut form, "reported_to_ivo_on");
            next.ivo_reference = text(&form, "ivo_reference");
        }
        DeviationKind::Complaint => {
            next.complainant = optional_code::<Complainant>(&mut form, "complainant", "Välj vem i listan.");
            next.channel = optional_code::<ComplaintChannel>(&mut form, "channel", "Välj en kanal i listan.");
            next.answered_on = optional_date(&mut form, "answered_on");
            next.answered_by = text(&form, "answered_by");
            next.complaint_outcome =
                optional_code::<ComplaintOutcome>(&mut form, "complaint_outcome", "Välj ett utfall i listan.");
        }
        DeviationKind::Internal | DeviationKind::Hsl => {}
    }
    let mut conn = state.store.read().await?;
    let categories = deviations::categories(&mut conn, d.tenant_id).await?;
    drop(conn);
    let selects = category_selects(&categories, &d);
    for &dim in CategoryDimension::ALL.iter() {
        let field = category_field(dim);
        let chosen = match form.value(field).parse::<i64>() {
            Ok(c) if selects.iter().any(|s| s.field == field && s.options.iter().any(|(id, _)| *id == c)) => {
                Some(Id::new(c))
            }
            Ok(_) => {
                form.push(field, "Välj en kategori i listan.");
                None
            }
            Err(_) if form.value(field).trim().is_empty() => None,
            Err(_) => {
                form.push(field, "Välj en kategori i listan.");
                None
            }
        };
        match dim {
            CategoryDimension::Type => next.type_category_id = chosen,
            CategoryDimension::Cause => next.cause_category_id = chosen,
            CategoryDimension::Place => next.place_category_id = chosen,
            CategoryDimension::Severity => next.severity_category_id = chosen,
        }
    }
    let (risks, actions) = risks_for(&state, &user, &d).await?;
    next.risk_id = match form.value("risk_id").parse::<i64>() {
        Ok(r) if risks.iter().any(|(id, _)| *id == r) => Some(Id::new(r)),
        Ok(_) => {
            form.push("risk_id", "Välj en risk i listan.");
            None
        }
        Err(_) => None,
    };
    next.action_id = match form.value("action_id").parse::<i64>() {
        Ok(a) if actions.iter().any(|(id, _)| *id == a) => Some(Id::new(a)),
        Ok(_) => {
            form.push("action_id", "Välj en åtgärd i listan.");
            None
        }
        Err(_) => None,
    };
    // A closed case set back to an earlier status: the later steps' dates go, with a
    // reason kept in the history.
    let reopen_reason = text(&form, "reopen_reason");
    let mut reopen_note = None;
    let reopening = d.status == DeviationStatus::Closed && next.status < DeviationStatus::Closed;
    if let Some(r) = reopening
        .then(|| {
            Deviation { status: DeviationStatus::Closed, closed_on: d.closed_on, ..next.clone() }.reopen(next.status)
        })
        .flatten()
    {
        next = r.deviation;
        if reopen_reason.is_empty() {
            form.push("reopen_reason", "Skriv varför ärendet öppnas igen.");
        }
        reopen_note = Some(r.note);
    }
    let mut history = Vec::new();
    let actor = user.session.account.display_name.clone();
    if let Some(note) = &reopen_note {
        history.push(DeviationEvent {
            deviation_id: id,
            happened_on: today,
            actor: actor.clone(),
            kind: DeviationEventKind::Reopened,
            from_value: d.status.code().into(),
            to_value: next.status.code().into(),
            text: format!("{reopen_reason}\n\n{note}"),
            for_reporter: false,
        });
    }
    if next.status != d.status {
        history.push(DeviationEvent {
            deviation_id: id,
            happened_on: today,
            actor,
            kind: DeviationEventKind::StatusChanged,
            from_value: d.status.code().into(),
            to_value: next.status.code().into(),
            text: String::new(),
            for_reporter: true,
        });
    }
    if let Err(v) = next.validate_on(today) {
        form.add_validation(&v, label);
    }
    for event in &history {
        if let Err(v) = event.validate() {
            form.add_validation(&v, label);
        }
    }
    if form.has_errors() {
        let page = show_page(&state, &user, id, Some(form), false, None, false).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut tx = state.store.write(&user.actor()).await?;
    match repo::update(&mut tx, id, version, &next).await {
        Ok(_) => {
            for event in &history {
                deviations::record_event(&mut tx, event).await?;
            }
            if state.mail && next.status != d.status {
                let unit = repo::get::<OrgUnit>(&mut tx, d.unit_id).await?;
                kvalitet_store::mail::deviation_status_changed(&mut tx, id, &next, &unit.name).await?;
            }
            tx.commit().await?;
            Ok(Redirect::to(&format!("/avvikelser/{id}")).into_response())
        }
        Err(kvalitet_store::StoreError::Conflict { .. }) => {
            drop(tx);
            let page = show_page(&state, &user, id, Some(form), true, None, false).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
