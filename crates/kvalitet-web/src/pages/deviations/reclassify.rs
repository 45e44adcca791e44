//! Changing a report's kind (internal deviation, lex Sarah, complaint, HSL deviation),
//! with a reason kept in its history. What only the old kind has is dropped, as the
//! domain's `Deviation::reclassify` says; a report that becomes lex Sarah is told to the
//! unit's managers at once, as a new lex Sarah report is.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::deviation::{DeviationEvent, DeviationEventKind, DeviationKind};
use kvalitet_domain::org::OrgUnit;
use kvalitet_domain::{Code, Validate};
use kvalitet_store::{deviations, repo};

use crate::auth::User;
use crate::error::WebResult;
use crate::forms::FormState;
use crate::router::AppState;

use super::handle::{case_to_handle, label};
use super::show::show_page;
use super::today;

pub async fn reclassify(
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
    let mut form = FormState::new(values);
    let reason = form.value("reason").trim().to_owned();
    let kind = DeviationKind::from_code(form.value("kind"));
    if kind.is_none() {
        form.push("kind", "Välj vilket slag rapporten ska ha.");
    }
    if reason.is_empty() {
        form.push("reason", "Skriv varför slaget ändras.");
    }
    let mut change = None;
    if let Some(k) = kind {
        match d.reclassify(k) {
            Ok(r) => change = Some(r),
            Err(v) => form.add_validation(&v, |_| "Slaget"),
        }
    }
    let event = change.as_ref().map(|r| DeviationEvent {
        deviation_id: id,
        happened_on: today(),
        actor: user.session.account.display_name.clone(),
        kind: DeviationEventKind::Reclassified,
        from_value: d.kind.code().into(),
        to_value: r.deviation.kind.code().into(),
        text: if r.note.is_empty() { reason.clone() } else { format!("{reason}\n\n{}", r.note) },
        for_reporter: false,
    });
    if let Some(Err(v)) = event.as_ref().map(Validate::validate) {
        form.add_validation(&v, |f| if f == "text" { label("reopen_reason") } else { label(f) });
    }
    let (Some(change), Some(event)) = (change, event) else {
        let page = show_page(&state, &user, id, None, false, Some(form), false).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    if form.has_errors() {
        let page = show_page(&state, &user, id, None, false, Some(form), false).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let version = form.value("version").parse::<i64>().unwrap_or(0);
    let mut tx = state.store.write(&user.actor()).await?;
    match repo::update(&mut tx, id, version, &change.deviation).await {
        Ok(_) => {
            deviations::record_event(&mut tx, &event).await?;
            let status_changed = change.deviation.status != d.status;
            if status_changed {
                // Made lex Sarah, the case starts again from the report.
                let status = DeviationEvent {
                    kind: DeviationEventKind::StatusChanged,
                    from_value: d.status.code().into(),
                    to_value: change.deviation.status.code().into(),
                    text: String::new(),
                    for_reporter: true,
                    ..event.clone()
                };
                deviations::record_event(&mut tx, &status).await?;
            }
            if state.mail {
                let unit = repo::get::<OrgUnit>(&mut tx, d.unit_id).await?;
                kvalitet_store::mail::deviation_reclassified(&mut tx, id, &change.deviation, &unit.name).await?;
                if status_changed {
                    kvalitet_store::mail::deviation_status_changed(&mut tx, id, &change.deviation, &unit.name).await?;
                }
            }
            tx.commit().await?;
            Ok(Redirect::to(&format!("/avvikelser/{id}")).into_response())
        }
        Err(kvalitet_store::StoreError::Conflict { .. }) => {
            drop(tx);
            let page = show_page(&state, &user, id, None, false, Some(form), true).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
