//! The municipality's comparisons with Kolada (`/admin/kolada`, F13), for the
//! administrator of the whole tree: its own code in Kolada and the group of similar
//! municipalities it compares itself with, and what values are stored (fetched with
//! `kvalitet kolada fetch` or read with `kvalitet kolada import`).

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::Validate;
use kvalitet_domain::access::Permission;
use kvalitet_domain::kolada::{KoladaSettings, KoladaSource};
use kvalitet_store::{StoreError, kolada};

use crate::auth::{Nav, User};
use crate::error::WebResult;
use crate::forms::FormState;
use crate::router::AppState;

fn require(user: &User) -> WebResult<()> {
    user.require(Permission::ManageOrganisation, super::organisation::top(&user.tree)?)
}

/// The stored values of one key figure, from one kind of source.
pub struct StoredV {
    pub kpi: String,
    pub source: &'static str,
    pub areas: String,
    pub years: String,
    pub count: usize,
    pub fetched_on: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "kolada_settings.html")]
pub struct KoladaSettingsPage {
    pub nav: Nav,
    pub version: i64,
    /// Field ids: `municipality`, `group_id`, `group_name`.
    pub form: FormState,
    pub stored: Vec<StoredV>,
    pub conflict: bool,
    pub saved: bool,
}

fn label(field: &str) -> &'static str {
    match field {
        "municipality" => "Kommunens kod i Kolada",
        "group_id" => "Jämförelsegruppens id",
        _ => "Jämförelsegruppens namn",
    }
}

async fn page(
    state: &AppState,
    user: &User,
    form: Option<FormState>,
    conflict: bool,
    saved: bool,
) -> WebResult<KoladaSettingsPage> {
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    let settings = kolada::settings(&mut conn, tenant).await?;
    let values = kolada::values(&mut conn, tenant).await?;
    drop(conn);
    let form = form.unwrap_or_else(|| {
        let mut f = FormState::default();
        f.values.insert("municipality".into(), settings.municipality.clone());
        f.values.insert("group_id".into(), settings.group_id.clone());
        f.values.insert("group_name".into(), settings.group_name.clone());
        f
    });
    let mut groups: BTreeMap<(String, KoladaSource), Vec<&kvalitet_domain::kolada::KoladaValue>> = BTreeMap::new();
    for v in &values {
        groups.entry((v.kpi.clone(), v.source)).or_default().push(v);
    }
    let stored = groups
        .into_iter()
        .map(|((kpi, source), vs)| {
            let mut areas: Vec<&str> = vs.iter().map(|v| v.area.as_str()).collect();
            areas.dedup();
            areas.sort_unstable();
            areas.dedup();
            let mut years: Vec<i64> = vs.iter().map(|v| v.year).collect();
            years.sort_unstable();
            years.dedup();
            let last = vs.iter().map(|v| v.fetched_on).max();
            StoredV {
                kpi,
                source: match source {
                    KoladaSource::Fetched => "Hämtat från Kolada",
                    KoladaSource::Imported => "Inläst från fil",
                    KoladaSource::Example => "Exempeldata",
                },
                areas: areas.join(", "),
                years: years.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
                count: vs.len(),
                fetched_on: if source == KoladaSource::Example {
                    String::new()
                } else {
                    last.map(|d| d.to_string()).unwrap_or_default()
                },
            }
        })
        .collect();
    Ok(KoladaSettingsPage { nav: user.nav(), version: settings.version, form, stored, conflict, saved })
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<KoladaSettingsPage> {
    require(&user)?;
    page(&state, &user, None, false, q.contains_key("sparat")).await
}

/// Saves the municipality's code and the comparison group.
pub async fn save(
    State(state): State<AppState>,
    user: User,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    require(&user)?;
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let mut form = FormState::new(values);
    let settings = KoladaSettings {
        tenant_id: user.session.account.tenant_id,
        municipality: form.value("municipality").trim().to_owned(),
        group_id: form.value("group_id").trim().to_uppercase(),
        group_name: form.value("group_name").trim().to_owned(),
    };
    if let Err(e) = settings.validate() {
        form.add_validation(&e, label);
        let page = page(&state, &user, Some(form), false, false).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let version = form.value("version").parse::<i64>().unwrap_or(-1);
    let mut tx = state.store.write(&user.actor()).await?;
    match kolada::save_settings(&mut tx, &settings, version).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to("/admin/kolada?sparat=1").into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            Ok((StatusCode::CONFLICT, page(&state, &user, Some(form), true, false).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
