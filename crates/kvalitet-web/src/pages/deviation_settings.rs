//! The municipality's rules for deviations (`/admin/avvikelser`), for the administrator
//! of the whole tree: the days within which a serious lex Sarah case is to be reported to
//! IVO, and the categories of each dimension (type, cause, place, severity) that handlers
//! choose among: added, renamed, put in order, deactivated and activated again; a
//! category no report uses may be removed.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Permission;
use kvalitet_domain::deviation::{CategoryDimension, Deviation, DeviationCategory, DeviationSettings};
use kvalitet_domain::{Code, Id, Validate, Versioned};
use kvalitet_store::{Column, StoreError, Tx, Where, deviations, plans, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::router::AppState;

/// The one check of these pages: may the user manage the whole organisation?
fn require(user: &User) -> WebResult<()> {
    user.require(Permission::ManageOrganisation, super::organisation::top(&user.tree)?)
}

pub struct CategoryV {
    pub id: i64,
    pub version: i64,
    pub name: String,
    pub sort_order: String,
    pub active: bool,
    pub in_use: bool,
}

pub struct DimensionV {
    pub code: &'static str,
    pub categories: Vec<CategoryV>,
}

#[derive(Template, WebTemplate)]
#[template(path = "deviation_settings.html")]
pub struct SettingsPage {
    pub nav: Nav,
    pub version: i64,
    pub dimensions: Vec<DimensionV>,
    /// Field ids: `ivo_deadline_days`, `ny-{dimension}`, `namn-{id}`, `ordning-{id}`.
    pub form: FormState,
    pub conflict: bool,
    pub saved: bool,
}

/// Whether any report has the category in any dimension.
async fn in_use(conn: &mut sqlx::AnyConnection, id: Id<DeviationCategory>) -> WebResult<bool> {
    let v = id.to_value();
    let using: Vec<Versioned<Deviation>> = repo::list_limited(
        conn,
        Where::sql(
            "type_category_id = $1 OR cause_category_id = $2 OR place_category_id = $3 OR severity_category_id = $4",
            vec![v.clone(), v.clone(), v.clone(), v],
        ),
        1,
    )
    .await?;
    Ok(!using.is_empty())
}

async fn page(
    state: &AppState,
    user: &User,
    form: Option<FormState>,
    conflict: bool,
    saved: bool,
) -> WebResult<SettingsPage> {
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    let settings = deviations::settings(&mut conn, tenant).await?;
    let all = deviations::categories(&mut conn, tenant).await?;
    let form = form.unwrap_or_else(|| {
        let mut f = FormState::default();
        f.values.insert("ivo_deadline_days".into(), settings.ivo_deadline_days.to_string());
        f
    });
    let mut dimensions = Vec::new();
    for dim in CategoryDimension::ALL {
        let mut categories = Vec::new();
        for c in all.iter().filter(|c| c.dimension == *dim) {
            categories.push(CategoryV {
                id: c.id.get(),
                version: c.version,
                // What was typed, when the form of this category came back with an error.
                name: form.values.get(&format!("namn-{}", c.id)).cloned().unwrap_or_else(|| c.name.clone()),
                sort_order: form
                    .values
                    .get(&format!("ordning-{}", c.id))
                    .cloned()
                    .unwrap_or_else(|| c.sort_order.to_string()),
                active: c.active,
                in_use: in_use(&mut conn, c.id).await?,
            });
        }
        dimensions.push(DimensionV { code: dim.code(), categories });
    }
    Ok(SettingsPage { nav: user.nav(), version: settings.version, dimensions, form, conflict, saved })
}

async fn refused(state: &AppState, user: &User, form: FormState, conflict: bool) -> WebResult<Response> {
    let status = if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, page(state, user, Some(form), conflict, false).await?).into_response())
}

fn done() -> Response {
    Redirect::to("/admin/avvikelser?sparat=1").into_response()
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<SettingsPage> {
    require(&user)?;
    page(&state, &user, None, false, q.contains_key("sparat")).await
}

/// A form posted to these settings, by someone who may change them (CSRF checked).
fn posted_form(user: &User, values: HashMap<String, String>) -> WebResult<FormState> {
    require(user)?;
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    Ok(FormState::new(values))
}

/// Saves the IVO deadline (1–365 days).
pub async fn save_deadline(
    State(state): State<AppState>,
    user: User,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let mut form = posted_form(&user, values)?;
    let days = match form.value("ivo_deadline_days").trim().parse::<i64>() {
        Ok(d) if (1..=365).contains(&d) => Some(d),
        _ => {
            form.push("ivo_deadline_days", "Tid för anmälan till IVO: ange ett helt antal dagar mellan 1 och 365.");
            None
        }
    };
    let Some(days) = days else { return refused(&state, &user, form, false).await };
    let settings = DeviationSettings { tenant_id: user.session.account.tenant_id, ivo_deadline_days: days };
    let version = form.value("version").parse::<i64>().unwrap_or(-1);
    let mut tx = state.store.write(&user.actor()).await?;
    match deviations::save_settings(&mut tx, &settings, version).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(done())
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            refused(&state, &user, form, true).await
        }
        Err(e) => Err(e.into()),
    }
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// The name typed for a category: required, at most a title's length, unique in its
/// dimension (ignoring case).
fn check_name(
    form: &mut FormState,
    field: &str,
    category: &DeviationCategory,
    others: &[Versioned<DeviationCategory>],
    me: Option<Id<DeviationCategory>>,
) -> bool {
    if let Err(e) = category.validate() {
        form.add_validation(&e, |_| "Kategorins namn");
        return false;
    }
    let duplicate = others
        .iter()
        .any(|c| c.dimension == category.dimension && Some(c.id) != me && same_name(&c.name, &category.name));
    if duplicate {
        form.push(field, format!("Kategorins namn: det finns redan en kategori som heter ”{}”.", category.name.trim()));
        return false;
    }
    true
}

/// Adds a category to a dimension, last in its order.
pub async fn add_category(
    State(state): State<AppState>,
    user: User,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    let mut form = posted_form(&user, values)?;
    let tenant = user.session.account.tenant_id;
    let Some(dimension) = CategoryDimension::from_code(form.value("dimension")) else {
        form.push("ny-type", "Dimension: välj typ, orsak, plats eller allvarlighetsgrad.");
        return refused(&state, &user, form, false).await;
    };
    let field = format!("ny-{}", dimension.code());
    let mut tx = state.store.write(&user.actor()).await?;
    let all = deviations::categories(&mut tx, tenant).await?;
    let category = DeviationCategory {
        tenant_id: tenant,
        dimension,
        name: form.value(&field).trim().to_owned(),
        active: true,
        sort_order: all.iter().filter(|c| c.dimension == dimension).map(|c| c.sort_order).max().unwrap_or(0) + 1,
    };
    if !check_name_at(&mut form, &field, &category, &all, None) {
        drop(tx);
        return refused(&state, &user, form, false).await;
    }
    plans::create(&mut tx, &category).await?;
    tx.commit().await?;
    Ok(done())
}

/// `check_name` with the validation's message placed beside `field`.
fn check_name_at(
    form: &mut FormState,
    field: &str,
    category: &DeviationCategory,
    others: &[Versioned<DeviationCategory>],
    me: Option<Id<DeviationCategory>>,
) -> bool {
    let before = form.errors.len();
    let ok = check_name(form, field, category, others, me);
    for e in form.errors.iter_mut().skip(before) {
        e.0 = field.to_owned();
    }
    ok
}

/// Changes one category: `atgard` is `spara` (name and order), `inaktivera`, `aktivera`
/// or `ta-bort` (only one no report uses).
pub async fn change_category(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    require(&user)?;
    let current = super::posted_on::<DeviationCategory>(&state, &user, &id, &values).await?;
    if current.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    let id = current.id;
    let mut form = FormState::new(values);
    let version = form.value("version").parse::<i64>().unwrap_or(-1);
    let (name_field, order_field) = (format!("namn-{id}"), format!("ordning-{id}"));
    let mut tx = state.store.write(&user.actor()).await?;
    let result = match form.value("atgard") {
        "spara" => {
            let order = match form.value(&order_field).trim().parse::<i64>() {
                Ok(n) if (0..=10_000).contains(&n) => Some(n),
                _ => {
                    form.push(&order_field, "Ordning: ange ett heltal mellan 0 och 10 000.");
                    None
                }
            };
            let next = DeviationCategory {
                name: form.value(&name_field).trim().to_owned(),
                sort_order: order.unwrap_or(current.sort_order),
                ..current.item.clone()
            };
            let all = deviations::categories(&mut tx, current.tenant_id).await?;
            if !check_name_at(&mut form, &name_field, &next, &all, Some(id)) || order.is_none() {
                drop(tx);
                return refused(&state, &user, form, false).await;
            }
            repo::update(&mut tx, id, version, &next).await.map(|_| ())
        }
        "inaktivera" | "aktivera" => {
            let next = DeviationCategory { active: form.value("atgard") == "aktivera", ..current.item.clone() };
            repo::update(&mut tx, id, version, &next).await.map(|_| ())
        }
        "ta-bort" => {
            if in_use(&mut tx, id).await? {
                drop(tx);
                form.push(
                    &name_field,
                    "Kategorin används i rapporter och kan inte tas bort. Inaktivera den i stället, så finns den kvar på gamla rapporter.",
                );
                return refused(&state, &user, form, false).await;
            }
            repo::delete(&mut tx, id, version).await
        }
        _ => {
            drop(tx);
            form.push(&name_field, "Välj vad som ska göras med kategorin.");
            return refused(&state, &user, form, false).await;
        }
    };
    finish(tx, result, &state, &user, form, &name_field).await
}

async fn finish(
    tx: Tx,
    result: Result<(), StoreError>,
    state: &AppState,
    user: &User,
    mut form: FormState,
    field: &str,
) -> WebResult<Response> {
    match result {
        Ok(()) => {
            tx.commit().await?;
            Ok(done())
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            refused(state, user, form, true).await
        }
        Err(e) if e.is_still_referred_to() => {
            drop(tx);
            form.push(field, "Kategorin används i rapporter och kan inte tas bort. Inaktivera den i stället.");
            refused(state, user, form, false).await
        }
        Err(e) => Err(e.into()),
    }
}
