//! Creating and changing a plan's items (risks, actions, self-inspections, indicators,
//! the plan's sections and focus areas) through the pages' own forms: each item type's
//! form fields (`pages::edit::Editable`) are the JSON body's fields, each of the JSON type
//! its kind of field takes, and the body is stored through the same checks and versioned
//! write as a form (`pages::edit::store_new`, `store_change`). So the API refuses what the
//! page refuses, with the same Swedish message under the same field name. A new item
//! starts from what the new-item form shows; a change starts from the item as stored and
//! changes only the fields sent. The OpenAPI description of these operations is made
//! from the same field lists (`describe`).

use std::collections::HashMap;
use std::future::Future;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post, put};
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder, Schema};

use kvalitet_domain::Versioned;
use kvalitet_domain::plan::QualityPlan;

use super::body::{self, Kind};
use super::principal::Caller;
use super::problem::{ApiError, ApiResult, WriteRefusals};
use crate::forms::FormState;
use crate::pages::edit::{self, Editable, Editor, Field, Options, Owner, Stored};
use crate::router::AppState;

/// A plan item the API creates and changes.
pub trait Writable: Editable + Send + Sync + 'static {
    /// Its path segment: `/api/v1/planer/{id}/{API}` and `/api/v1/{API}/{id}`.
    const API: &'static str;
    /// Its group in the description.
    const TAG: &'static str;
    /// Its name in the description's sentences: "en risk", "ett avsnitt".
    const ONE: &'static str;
    /// The name of the schema a write answers with (what a read of it gives).
    const DETAIL: &'static str;
    /// The stem of its bodies' schemas: `{BODY}In` for a new one, `{BODY}Change`.
    const BODY: &'static str;
    type Detail: Serialize + Send;
    /// The item as a read of it shows it.
    fn detail(state: &AppState, item: &Versioned<Self>) -> impl Future<Output = ApiResult<Self::Detail>> + Send;
}

/// The POST and PUT routes of `T`.
pub fn routes<T: Writable>() -> Vec<(&'static str, String, MethodRouter<AppState>)> {
    vec![
        ("POST", format!("/api/v1/planer/{{id}}/{}", T::API), post(create::<T>)),
        ("PUT", format!("/api/v1/{}/{{id}}", T::API), put(update::<T>)),
    ]
}

/// The JSON type a form field takes.
fn kind(f: &Field) -> Kind {
    match f.kind {
        edit::Kind::Text | edit::Kind::Area => Kind::Text,
        edit::Kind::Date => Kind::Filled,
        edit::Kind::Number => Kind::Number,
        edit::Kind::Select(_) => Kind::Choice,
        edit::Kind::Check => Kind::Boolean,
        edit::Kind::Choices(_) => Kind::List,
    }
}

/// The body's fields: the form's, and for a change the version read.
fn json_fields<T: Writable>(o: &Options, change: bool) -> Vec<(String, Kind)> {
    let version = change.then(|| ("version".to_owned(), Kind::Integer));
    version.into_iter().chain(T::fields(o).iter().map(|f| (f.name.to_owned(), kind(f)))).collect()
}

/// The form's values: `base` with the fields sent in their place (a list sent replaces
/// the whole list).
fn merged(mut base: HashMap<String, String>, sent: HashMap<String, String>, fields: &[Field]) -> FormState {
    for f in fields {
        if matches!(f.kind, edit::Kind::Choices(_)) && sent.contains_key(f.name) {
            let prefix = format!("{}_", f.name);
            base.retain(|k, _| !k.starts_with(&prefix));
        }
    }
    base.extend(sent);
    FormState::new(base)
}

fn editor<'a>(state: &'a AppState, caller: &'a Caller) -> Editor<'a> {
    Editor { state, user: &caller.user, actor: &caller.actor }
}

fn created(location: String, body: impl Serialize) -> Response {
    (StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response()
}

/// `POST /api/v1/planer/{id}/{API}`: a new item in a plan the caller may read and edit.
async fn create<T: Writable>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Response> {
    let plan = super::readable_plan(&state, &caller, super::id::<QualityPlan>(&id)?).await?;
    let doc = edit::load_doc(&state, &caller.user, Owner::Plan(plan.id)).await?;
    let o = Options { creating: true, ..edit::options(&state, &caller.user, &doc).await? };
    // The right first: someone who may not edit the plan learns nothing from the checks.
    edit::require_edit(&caller.user, &doc, &T::blank(&doc, &o))?;
    let sent = body::form(&headers, &bytes, &json_fields::<T>(&o, false))?;
    let fields = T::fields(&o);
    let mut form = merged(T::blank(&doc, &o).form_values(), sent.values, &fields);
    match edit::store_new::<T>(&editor(&state, &caller), &doc, &o, &mut form, &HashMap::new()).await? {
        Some(id) => {
            let saved = super::record::<T>(&state, &id.to_string()).await?;
            Ok(created(format!("/api/v1/{}/{id}", T::API), T::detail(&state, &saved).await?))
        }
        None => Err(body::refused(form)),
    }
}

/// `PUT /api/v1/{API}/{id}`: the fields sent changed, on the version read.
async fn update<T: Writable>(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    bytes: Bytes,
) -> ApiResult<Json<T::Detail>> {
    let current = super::record::<T>(&state, &id).await?;
    let Owner::Plan(plan) = current.owner() else { return Err(ApiError::NotFound) };
    super::readable_plan(&state, &caller, plan).await?;
    let doc = edit::load_doc(&state, &caller.user, Owner::Plan(plan)).await?;
    edit::require_edit(&caller.user, &doc, &current.item)?;
    let o = edit::options(&state, &caller.user, &doc).await?;
    let mut sent = body::form(&headers, &bytes, &json_fields::<T>(&o, true))?;
    let version = body::version(&mut sent);
    let Some(version) = version else { return Err(body::refused(sent)) };
    sent.values.remove("version");
    let mut values = current.form_values();
    edit::link_values(&state, current.id, &mut values).await?;
    let fields = T::fields(&o);
    let mut form = merged(values, sent.values, &fields);
    match edit::store_change(&editor(&state, &caller), &doc, &o, &current, version, &mut form).await? {
        Stored::Saved => {
            let saved = super::record::<T>(&state, &id).await?;
            Ok(Json(T::detail(&state, &saved).await?))
        }
        Stored::Invalid => Err(body::refused(form)),
        Stored::Conflict => {
            let now = super::record::<T>(&state, &id).await?;
            Err(ApiError::Conflict { current: Some(now.version) })
        }
    }
}

// ---- The description ------------------------------------------------------------------

/// A field's schema: its JSON type, with the codes it takes where the form has fixed
/// choices (a select built without the organisation's records has only its codes; one
/// of the organisation's records is its number).
fn field_schema(f: &Field) -> Schema {
    let nullable = |t: Type| SchemaType::from_iter([t, Type::Null]);
    let described = |b: ObjectBuilder| b.description(Some(description(f))).build();
    let object = match &f.kind {
        edit::Kind::Text | edit::Kind::Area => described(ObjectBuilder::new().schema_type(nullable(Type::String))),
        edit::Kind::Date => described(
            ObjectBuilder::new()
                .schema_type(nullable(Type::String))
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Date))),
        ),
        edit::Kind::Number => described(ObjectBuilder::new().schema_type(nullable(Type::Number))),
        edit::Kind::Check => described(ObjectBuilder::new().schema_type(nullable(Type::Boolean))),
        edit::Kind::Select(options) => {
            let codes: Vec<&str> = options.iter().map(|(v, _)| v.as_str()).filter(|v| !v.is_empty()).collect();
            if codes.is_empty() {
                described(ObjectBuilder::new().schema_type(nullable(Type::Integer)))
            } else {
                let values: Vec<Value> = codes.iter().map(|c| Value::from(*c)).chain([Value::Null]).collect();
                described(ObjectBuilder::new().schema_type(nullable(Type::String)).enum_values(Some(values)))
            }
        }
        edit::Kind::Choices(_) => {
            let items = ObjectBuilder::new().schema_type(Type::Integer).build();
            return Schema::Array(
                ArrayBuilder::new()
                    .schema_type(nullable(Type::Array))
                    .items(items)
                    .description(Some(description(f)))
                    .build(),
            );
        }
    };
    Schema::Object(object)
}

/// A field's text in the description: its label and hint, as the form shows them.
fn description(f: &Field) -> String {
    let what = match f.kind {
        edit::Kind::Select(ref o) if o.iter().all(|(v, _)| v.is_empty()) => " (postens nummer)",
        edit::Kind::Choices(_) => " (postnummer; hela listan ersätts)",
        _ => "",
    };
    if f.hint.is_empty() { format!("{}{what}.", f.label) } else { format!("{}{what}: {}", f.label, f.hint) }
}

/// The body's schema: the form's fields (built without the organisation's records), and
/// for a change the version read.
fn body_schema<T: Writable>(change: bool) -> Schema {
    let o = Options::described(!change);
    let what = if change {
        format!("Ändrar {}: fälten som skickas, med versionen som lästes.", T::ONE)
    } else {
        format!("Lägger till {}; fält som inte skickas får formulärets förval.", T::ONE)
    };
    let mut object = ObjectBuilder::new().schema_type(Type::Object).description(Some(what));
    if change {
        object = object
            .property(
                "version",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .description(Some("Versionen som lästes; 409 om den inte längre är aktuell.")),
            )
            .required("version");
    }
    for f in T::fields(&o) {
        object = object.property(f.name, field_schema(&f));
    }
    Schema::Object(
        object.additional_properties(Some(utoipa::openapi::schema::AdditionalProperties::FreeForm(false))).build(),
    )
}

/// The name of a body's schema.
fn body_name<T: Writable>(change: bool) -> String {
    format!("{}{}", T::BODY, if change { "Change" } else { "In" })
}

/// The two operations of `T` in the description, and their bodies' schemas.
pub fn describe<T: Writable>(openapi: &mut utoipa::openapi::OpenApi) {
    let json = |schema: RefOr<Schema>| ContentBuilder::new().schema(Some(schema)).build();
    let answer = |status: &str| {
        ResponseBuilder::new()
            .description(status)
            .content("application/json", json(RefOr::Ref(Ref::from_schema_name(T::DETAIL))))
            .build()
    };
    for change in [false, true] {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .schemas
            .insert(body_name::<T>(change), RefOr::T(body_schema::<T>(change)));
    }
    let operation = |summary: String, param: &str, change: bool| {
        let body = RequestBodyBuilder::new()
            .content("application/json", json(RefOr::Ref(Ref::from_schema_name(body_name::<T>(change)))))
            .required(Some(Required::True))
            .build();
        let mut responses = utoipa::openapi::ResponsesBuilder::new().responses_from_into_responses::<WriteRefusals>();
        responses = if change {
            responses.response("200", answer("Ändringen är sparad"))
        } else {
            responses.response("201", answer("Posten är sparad; Location säger var den kan läsas"))
        };
        OperationBuilder::new()
            .tag(T::TAG)
            .summary(Some(summary))
            .parameter(
                ParameterBuilder::new()
                    .name("id")
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .description(Some(param))
                    .schema(Some(ObjectBuilder::new().schema_type(Type::Integer))),
            )
            .request_body(Some(body))
            .responses(responses.build())
            .securities(Some([
                SecurityRequirement::new("nyckel", Vec::<String>::new()),
                SecurityRequirement::new("inloggning", Vec::<String>::new()),
            ]))
            .build()
    };
    let new = operation(
        format!(
            "Lägger till {} i en plan (för den som får ändra planen); fält som inte skickas får formulärets förval.",
            T::ONE
        ),
        "Planens nummer",
        false,
    );
    let change = operation(
        format!(
            "Ändrar {} (för den som får ändra planen): fälten som skickas, med versionen som lästes; 409 om den har ändrats sedan dess.",
            T::ONE
        ),
        "Postens nummer",
        true,
    );
    openapi.paths.add_path_operation(format!("/api/v1/planer/{{id}}/{}", T::API), vec![HttpMethod::Post], new);
    openapi.paths.add_path_operation(format!("/api/v1/{}/{{id}}", T::API), vec![HttpMethod::Put], change);
}
