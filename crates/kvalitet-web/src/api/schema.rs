//! How the domain's codes appear in the OpenAPI description: a string that is one of the
//! kind's codes (the same codes storage and data files use), or null where optional.

use kvalitet_domain::Code;
use utoipa::openapi::Object;
use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};

/// A string that is one of `T`'s codes.
pub fn codes<T: Code>() -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(T::ALL.iter().map(|c| c.code()))).build()
}

/// One of `T`'s codes, or null.
pub fn optional_codes<T: Code>() -> Object {
    let values: Vec<serde_json::Value> =
        T::ALL.iter().map(|c| serde_json::Value::from(c.code())).chain([serde_json::Value::Null]).collect();
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .enum_values(Some(values))
        .build()
}

/// Makes a named function for each code schema (`schema_with` takes a path).
macro_rules! code_schemas {
    ($($name:ident: $t:ty),* $(,)?) => {
        $(pub fn $name() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
            utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object($crate::api::schema::codes::<$t>()))
        })*
    };
}

macro_rules! optional_code_schemas {
    ($($name:ident: $t:ty),* $(,)?) => {
        $(pub fn $name() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
            utoipa::openapi::RefOr::T(utoipa::openapi::Schema::Object($crate::api::schema::optional_codes::<$t>()))
        })*
    };
}

code_schemas! {
    plan_state: kvalitet_domain::plan::PlanState,
    action_status: kvalitet_domain::action::ActionStatus,
    risk_origin: kvalitet_domain::risk::RiskOrigin,
    method: kvalitet_domain::self_inspection::Method,
    frequency: kvalitet_domain::self_inspection::Frequency,
    verdict: kvalitet_domain::self_inspection::Verdict,
    measure_unit: kvalitet_domain::indicator::MeasureUnit,
    indicator_source: kvalitet_domain::indicator::IndicatorSource,
    direction: kvalitet_domain::indicator::Direction,
    deviation_kind: kvalitet_domain::deviation::DeviationKind,
    deviation_status: kvalitet_domain::deviation::DeviationStatus,
    section_kind: kvalitet_domain::plan::SectionKind,
    focus_area_kind: kvalitet_domain::plan::FocusAreaKind,
}

optional_code_schemas! {
    optional_lex_sarah_category: kvalitet_domain::deviation::LexSarahCategory,
    optional_complainant: kvalitet_domain::deviation::Complainant,
    optional_channel: kvalitet_domain::deviation::ComplaintChannel,
}
