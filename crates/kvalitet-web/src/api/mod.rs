//! The JSON API under `/api/v1` (F14): plans and their items, what is recorded about them,
//! and deviations, for another system with an API token or for a signed-in person, under
//! the pages' one access rule. Errors are `application/problem+json` in Swedish; the
//! OpenAPI 3.1 description is generated from the handlers (`utoipa`) and served at
//! `/api/v1/openapi.json`, with a readable reference at `/api/v1/dokumentation`.

mod actions;
mod body;
mod deviations;
mod docs;
mod model;
mod paging;
mod plans;
pub mod principal;
mod problem;
mod records;
mod schema;
mod texts;
mod writes;

use axum::Json;
use axum::routing::{MethodRouter, get, post};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use kvalitet_domain::action::Action;
use kvalitet_domain::indicator::Indicator;
use kvalitet_domain::plan::{FocusArea, QualityPlan, Section};
use kvalitet_domain::risk::Risk;
use kvalitet_domain::self_inspection::SelfInspection;
use kvalitet_domain::{Id, Versioned};
use kvalitet_store::{Record, repo};

use crate::router::AppState;
use principal::Caller;
use problem::{ApiError, ApiResult};

/// The API's routes: method, path, handler (added to the one route table).
pub fn routes() -> Vec<(&'static str, String, MethodRouter<AppState>)> {
    let fixed: Vec<(&'static str, &'static str, MethodRouter<AppState>)> = vec![
        ("GET", "/api/v1/openapi.json", get(openapi_json)),
        ("GET", "/api/v1/dokumentation", get(docs::page)),
        ("GET", "/api/v1/planer", get(plans::list)),
        ("GET", "/api/v1/planer/{id}", get(plans::show)),
        ("GET", "/api/v1/atgarder/{id}", get(actions::show)),
        ("POST", "/api/v1/atgarder/{id}/uppfoljningar", post(actions::follow_up)),
        ("GET", "/api/v1/risker/{id}", get(records::risk)),
        ("POST", "/api/v1/risker/{id}/bedomningar", post(records::reassess)),
        ("GET", "/api/v1/egenkontroller/{id}", get(records::self_inspection)),
        ("POST", "/api/v1/egenkontroller/{id}/genomforanden", post(records::record_run)),
        ("GET", "/api/v1/indikatorer/{id}", get(records::indicator)),
        ("POST", "/api/v1/indikatorer/{id}/resultat", post(records::record_result)),
        ("GET", "/api/v1/avvikelser", get(deviations::list)),
        ("POST", "/api/v1/avvikelser", post(deviations::create)),
        ("GET", "/api/v1/avvikelser/{id}", get(deviations::show)),
        ("GET", "/api/v1/avsnitt/{id}", get(texts::section)),
        ("GET", "/api/v1/fokusomraden/{id}", get(texts::focus_area)),
    ];
    let mut all: Vec<_> = fixed.into_iter().map(|(m, p, h)| (m, p.to_owned(), h)).collect();
    all.extend(writes::routes::<Action>());
    all.extend(writes::routes::<Risk>());
    all.extend(writes::routes::<SelfInspection>());
    all.extend(writes::routes::<Indicator>());
    all.extend(writes::routes::<Section>());
    all.extend(writes::routes::<FocusArea>());
    all
}

/// A record id from a path segment: anything that is not an id is not found.
fn id<T>(segment: &str) -> ApiResult<Id<T>> {
    segment.parse::<i64>().map(Id::new).map_err(|_| ApiError::NotFound)
}

/// The record a path segment names.
async fn record<T: Record>(state: &AppState, segment: &str) -> ApiResult<Versioned<T>> {
    let id = id::<T>(segment)?;
    let mut conn = state.store.read().await?;
    repo::find::<T>(&mut conn, id).await?.ok_or(ApiError::NotFound)
}

/// The plan `id`, if the caller may read it: another tenant's plan, or one outside what
/// the caller's role reaches, is not found (the API says nothing of what it holds).
async fn readable_plan(state: &AppState, caller: &Caller, id: Id<QualityPlan>) -> ApiResult<Versioned<QualityPlan>> {
    let mut conn = state.store.read().await?;
    let plan = repo::find::<QualityPlan>(&mut conn, id).await?.ok_or(ApiError::NotFound)?;
    caller.user.require_read_plan(&plan).map_err(|_| ApiError::NotFound)?;
    Ok(plan)
}

/// The two ways in: an API token as a bearer token, or the session cookie.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("nyckel", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
        components.add_security_scheme(
            "inloggning",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
    }
}

/// The writes made from the forms' fields (`writes.rs`), which `utoipa::path` cannot
/// describe since their bodies are the forms'.
struct Writes;

impl Modify for Writes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        writes::describe::<Action>(openapi);
        writes::describe::<Risk>(openapi);
        writes::describe::<SelfInspection>(openapi);
        writes::describe::<Indicator>(openapi);
        writes::describe::<Section>(openapi);
        writes::describe::<FocusArea>(openapi);
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kvalitet API",
        version = "1",
        description = "Läs och skriv i Kvalitet från ett annat system. Logga in med en API-nyckel (kvalitet token create) som Authorization: Bearer NYCKEL, eller med inloggningens kaka (skrivningar kräver då kontrollkoden i X-CSRF-Token). Nyckeln har en roll över en del av organisationen och ger samma behörighet som rollen ger på sidorna. Fel svaras som application/problem+json på svenska. Ändringar skickar versionen som lästes; är den inte längre aktuell svarar API:t 409."
    ),
    paths(
        plans::list,
        plans::show,
        actions::show,
        actions::follow_up,
        records::risk,
        records::reassess,
        records::self_inspection,
        records::record_run,
        records::indicator,
        records::record_result,
        deviations::list,
        deviations::create,
        deviations::show,
        texts::section,
        texts::focus_area,
    ),
    components(schemas(model::SectionOut, model::FocusAreaOut)),
    modifiers(&Security, &Writes),
    tags(
        (name = "Planer", description = "Kvalitetsplaner med risker, åtgärder, egenkontroller och indikatorer"),
        (name = "Åtgärder", description = "Åtgärder och deras uppföljning"),
        (name = "Risker", description = "Risker och deras bedömningar"),
        (name = "Egenkontroller", description = "Egenkontroller och deras genomföranden"),
        (name = "Indikatorer", description = "Indikatorer och deras resultat"),
        (name = "Avvikelser", description = "Avvikelser, lex Sarah och klagomål (varje läsning loggas)"),
    )
)]
struct ApiDoc;

/// The OpenAPI 3.1 description, generated from the handlers and their types.
pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /api/v1/openapi.json`: the description, for anyone (it holds no data).
async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}
