//! Creating, editing and removing a plan's items through one mechanism: each item type
//! declares its fields (`Editable`), and the same handlers and template serve them all,
//! with errors beside the fields and a lost race shown as a conflict with both versions.
//! A draft plan's items may be removed; an adopted plan keeps its items (changes are
//! kept in the audit log, and actions are withdrawn with a reason instead). The
//! organisation's records (`edit_org.rs`) use the same pages, owned by the tenant and
//! managed by administrators; one still referred to is not removed, and the page says
//! what refers to it.

//!
//! This module is the mechanism (the field kinds, the owners, the pages and handlers);
//! `fields.rs` has the helpers field definitions are made of, and each plan item type's
//! fields are in a module of their own (`risk.rs`, `action.rs`, `self_inspection.rs`,
//! `indicator.rs`, `plan_text.rs` for sections and focus areas).

mod action;
mod fields;
mod indicator;
mod plan_text;
mod risk;
mod self_inspection;
mod store;

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Permission;
use kvalitet_domain::org::{OrgUnit, ProcessArea, QualityFactor};
use kvalitet_domain::plan::{PlanId, QualityPlan};
use kvalitet_domain::report::{QualityReport, ReportId, ReportState};
use kvalitet_domain::risk::Risk;
use kvalitet_domain::{Id, Validate, ValidationErrors, Versioned};
use kvalitet_store::links::LinkKind;
use kvalitet_store::{Column, Record, StoreError, org, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::router::AppState;
use crate::saved::{self, Done};

pub(super) use fields::{code_of, codes, factor_of, factor_options, field, id_of, optional, text};
pub(crate) use store::{Editor, Stored, link_values, store_change, store_new};

/// The choices a form offers, from the tenant's organisation.
pub struct Options {
    pub areas: Vec<Versioned<ProcessArea>>,
    pub factors: Vec<Versioned<QualityFactor>>,
    pub units: Vec<Versioned<OrgUnit>>,
    /// The risks of the plan the item belongs to, for the items linked to risks.
    pub risks: Vec<Versioned<Risk>>,
    /// The tenant's accounts, for a responsible person (only active ones are offered).
    pub people: Vec<kvalitet_store::responsible::Person>,
    /// The form makes a new item (some values are only entered then: a risk's first
    /// level, which afterwards changes only through an assessment).
    pub creating: bool,
}

impl Options {
    /// No organisation's records, for describing the forms' fields (the API's
    /// description): a select then holds only its fixed codes.
    pub fn described(creating: bool) -> Options {
        Options { areas: vec![], factors: vec![], units: vec![], risks: vec![], people: vec![], creating }
    }
}

/// How a field is entered.
pub enum Kind {
    Text,
    Area,
    Date,
    Number,
    Select(Vec<(String, String)>),
    Check,
    /// Any number of the choices (value, label), as a group of checkboxes; a chosen one
    /// is posted as `{name}_{value}=1`.
    Choices(Vec<(String, String)>),
}

/// One field of a form: its name (the record's field), its Swedish label and hint.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: Kind,
}

/// A plan item that can be created, edited and removed through the generic forms.
pub trait Editable: Record + Validate + Clone {
    /// The path of its pages, e.g. `risker` or `organisation/enheter`.
    const PATH: &'static str;
    /// Its name in headings: "risk", "åtgärd".
    const NOUN: &'static str;
    /// Whether the noun is a neuter (ett-ord): "Nytt avsnitt", not "Ny".
    const NEUTER: bool = false;
    /// A fixed set (the six quality factors): edited, never created or removed.
    const FIXED: bool = false;
    /// The link to the plan's risks that the form's "Risker" (`risks`) sets, for the
    /// items that follow up risks (self-inspections, indicators).
    const RISKS: Option<LinkKind> = None;
    fn fields(o: &Options) -> Vec<Field>;
    /// The owner of a new item, from its page's query (`?plan=3`, `?berattelse=2`).
    fn new_owner(q: &HashMap<String, String>, _user: &User) -> WebResult<Owner> {
        owner_param(q)
    }
    /// Where the user returns after saving or removing: the owner's page unless the
    /// item type has a list of its own.
    fn return_to(doc: &Doc) -> String {
        doc.href.clone()
    }
    /// The plan or report the item belongs to.
    fn owner(&self) -> Owner;
    /// The unit the item is about, where it has its own (a survey's unit); otherwise the
    /// owner's scope decides who may edit it.
    fn unit(&self) -> Option<kvalitet_domain::org::OrgUnitId> {
        None
    }
    /// The unit the item names, which must lie within its document's scope: its own
    /// unit, or one it is only about (a self-inspection's unit, which does not change who
    /// may edit it).
    fn placed_in(&self) -> Option<kvalitet_domain::org::OrgUnitId> {
        self.unit()
    }
    /// A new item of the plan or report, before the form is applied.
    fn blank(doc: &Doc, o: &Options) -> Self;
    /// The item's values as the form shows them.
    fn form_values(&self) -> HashMap<String, String>;
    /// The item with the form's values; problems are added to the form.
    fn apply(&self, f: &mut FormState, o: &Options) -> Self;
    /// A check beyond the item's own validation (the risk matrix, for risks; the tree,
    /// for org units). `id` is the item's own when it is already stored.
    fn check(
        &self,
        _id: Option<Id<Self>>,
        _o: &Options,
        _matrix: &kvalitet_domain::risk::RiskMatrix,
    ) -> Result<(), ValidationErrors> {
        self.validate()
    }
    /// What still refers to the item, per referring table, when that keeps it from being
    /// removed (the organisation's records); a plan's items have nothing in the way.
    fn in_use(
        _conn: &mut sqlx::AnyConnection,
        _id: Id<Self>,
    ) -> impl std::future::Future<Output = Result<Vec<(&'static str, i64)>, StoreError>> + Send {
        async { Ok(vec![]) }
    }
    /// What else a new item needs once stored (an action's links to the risk or the
    /// self-inspection it was added from).
    fn after_create(
        _tx: &mut kvalitet_store::Tx,
        _id: Id<Self>,
        _query: &HashMap<String, String>,
    ) -> impl std::future::Future<Output = Result<(), StoreError>> + Send {
        async { Ok(()) }
    }
}

// ---- Owners: the plan or report an item belongs to ----------------------------------

/// The document an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Plan(PlanId),
    Report(ReportId),
    /// A unit's record of a year (a survey, a key figure): shown in the reports whose
    /// scope covers the unit.
    UnitYear(kvalitet_domain::org::OrgUnitId, i64),
    /// A user survey's result lines: owned as the survey is, by its unit and year.
    Survey(kvalitet_domain::report::UserSurveyId),
    /// A systematic follow-up's result lines, likewise.
    FollowUp(kvalitet_domain::report::FollowUpId),
    /// The tenant's organisation: its tree, target groups, process areas and quality
    /// factors, managed from the top of the tree.
    Organisation(kvalitet_domain::org::TenantId),
}

/// The owning plan or report as the forms need it.
pub struct Doc {
    pub owner: Owner,
    pub title: String,
    pub href: String,
    pub scope: kvalitet_domain::org::OrgUnitId,
    pub tenant: kvalitet_domain::org::TenantId,
    pub year: i64,
    /// Adopted or submitted: its items are kept, not removed.
    pub locked: bool,
}

impl Doc {
    pub fn plan(&self) -> Option<PlanId> {
        match self.owner {
            Owner::Plan(p) => Some(p),
            _ => None,
        }
    }

    pub fn report(&self) -> Option<ReportId> {
        match self.owner {
            Owner::Report(r) => Some(r),
            _ => None,
        }
    }

    /// For plan items: the plan (a report item never asks).
    pub fn plan_id(&self) -> PlanId {
        self.plan().unwrap_or(Id::new(0))
    }

    /// For report items: the report.
    pub fn report_id(&self) -> ReportId {
        self.report().unwrap_or(Id::new(0))
    }

    fn query(&self) -> String {
        match self.owner {
            Owner::Plan(p) => format!("plan={p}"),
            Owner::Report(r) => format!("berattelse={r}"),
            Owner::Survey(s) => format!("undersokning={s}"),
            Owner::FollowUp(f) => format!("uppfoljning={f}"),
            Owner::UnitYear(..) | Owner::Organisation(..) => String::new(),
        }
    }
}

/// A unit's record of a year belongs to the report of that year whose scope covers the
/// unit, where there is one.
async fn unit_year_doc(
    conn: &mut sqlx::AnyConnection,
    user: &User,
    owner: Owner,
    unit: kvalitet_domain::org::OrgUnitId,
    year: i64,
) -> WebResult<Doc> {
    let u = repo::get::<kvalitet_domain::org::OrgUnit>(conn, unit).await?;
    let reports = kvalitet_store::reports::list_reports(conn, u.tenant_id).await?;
    let report = reports
        .iter()
        .find(|r| r.year == year && kvalitet_domain::access::Tree::is_within(&user.tree, unit, r.scope_id));
    Ok(Doc {
        owner,
        title: report.map_or_else(|| format!("{} {year}", u.name), |r| r.title.clone()),
        href: report.map_or_else(|| "/".to_owned(), |r| format!("/berattelser/{}", r.id)),
        scope: unit,
        tenant: u.tenant_id,
        year,
        locked: report.is_some_and(|r| r.state == ReportState::Submitted),
    })
}

pub(crate) async fn load_doc(state: &AppState, user: &User, owner: Owner) -> WebResult<Doc> {
    let mut conn = state.store.read().await?;
    let doc = match owner {
        Owner::Plan(id) => {
            let p = repo::get::<QualityPlan>(&mut conn, id).await?;
            Doc {
                owner,
                title: p.title.clone(),
                href: format!("/planer/{id}"),
                scope: p.scope_id,
                tenant: p.tenant_id,
                year: p.year,
                locked: p.is_adopted(),
            }
        }
        Owner::Report(id) => {
            let r = repo::get::<QualityReport>(&mut conn, id).await?;
            Doc {
                owner,
                title: r.title.clone(),
                href: format!("/berattelser/{id}"),
                scope: r.scope_id,
                tenant: r.tenant_id,
                year: r.year,
                locked: r.state == ReportState::Submitted,
            }
        }
        Owner::UnitYear(unit, year) => unit_year_doc(&mut conn, user, owner, unit, year).await?,
        Owner::Survey(id) => {
            let s = repo::get::<kvalitet_domain::report::UserSurvey>(&mut conn, id).await?;
            unit_year_doc(&mut conn, user, owner, s.unit_id, s.year).await?
        }
        Owner::FollowUp(id) => {
            let f = repo::get::<kvalitet_domain::report::SystematicFollowUp>(&mut conn, id).await?;
            unit_year_doc(&mut conn, user, owner, f.unit_id, f.year).await?
        }
        Owner::Organisation(tenant) => Doc {
            owner,
            title: "Organisation".to_owned(),
            href: "/organisation".to_owned(),
            scope: super::organisation::top(&user.tree)?,
            tenant,
            year: 0,
            locked: false,
        },
    };
    if doc.tenant != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    Ok(doc)
}

/// Whether the user may edit `item` of `doc`: the item's own unit (which must lie in the
/// document's scope) or else the document's scope. The organisation asks for the right
/// to manage it, at the top of the tree.
pub(crate) fn require_edit<T: Editable>(user: &User, doc: &Doc, item: &T) -> WebResult<()> {
    let permission = match doc.owner {
        Owner::Organisation(_) => Permission::ManageOrganisation,
        Owner::Plan(_) | Owner::Report(_) | Owner::UnitYear(..) | Owner::Survey(_) | Owner::FollowUp(_) => {
            Permission::EditPlan
        }
    };
    user.require(permission, item.unit().unwrap_or(doc.scope))
}

// ---- The generic pages ---------------------------------------------------------------

pub struct FieldV {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: &'static str,
    pub options: Vec<(String, String)>,
    /// For a group of checkboxes: each choice's value, label and whether it is chosen.
    pub choices: Vec<(String, String, bool)>,
    /// What is saved now, when it differs from what the user sent (after a conflict).
    pub saved: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "edit.html")]
pub struct EditPage {
    pub nav: Nav,
    pub plan_href: String,
    pub plan_title: String,
    pub heading: String,
    pub action: String,
    pub version: i64,
    pub fields: Vec<FieldV>,
    pub form: FormState,
    pub conflict: bool,
    pub delete: String,
    /// Whose the item is, for the removal's hint: `plan`, `report` or `organisation`.
    pub owner: &'static str,
    /// Why the item was not removed: what still refers to it, per referring table.
    pub in_use: Vec<(&'static str, i64)>,
}

pub(crate) async fn options(state: &AppState, user: &User, doc: &Doc) -> WebResult<Options> {
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    let mut risks: Vec<Versioned<Risk>> = match doc.plan() {
        Some(plan) => repo::list(&mut conn, kvalitet_store::Where::sql("plan_id = $1", vec![plan.to_value()])).await?,
        None => vec![],
    };
    risks.sort_by_key(|r| (r.sort_order, r.id));
    Ok(Options {
        areas: org::process_areas(&mut conn, tenant).await?,
        factors: org::quality_factors(&mut conn, tenant).await?,
        units: org::units(&mut conn, tenant).await?,
        risks,
        people: kvalitet_store::responsible::people(&mut conn, tenant).await?,
        creating: false,
    })
}

fn page<T: Editable>(
    user: &User,
    query: &str,
    doc: &Doc,
    o: &Options,
    item: Option<&Versioned<T>>,
    form: FormState,
    saved: Option<&T>,
) -> EditPage {
    let saved_values = saved.map(T::form_values).unwrap_or_default();
    let fields = T::fields(o)
        .into_iter()
        .map(|f| {
            let mut choices = vec![];
            let (kind, options) = match f.kind {
                Kind::Text => ("text", vec![]),
                Kind::Area => ("area", vec![]),
                Kind::Date => ("date", vec![]),
                Kind::Number => ("number", vec![]),
                Kind::Select(options) => ("select", options),
                Kind::Check => ("check", vec![]),
                Kind::Choices(options) => {
                    choices = options
                        .into_iter()
                        .map(|(value, label)| {
                            let chosen = form.value(&format!("{}_{value}", f.name)) == "1";
                            (value, label, chosen)
                        })
                        .collect();
                    ("choices", vec![])
                }
            };
            let saved =
                saved_values.get(f.name).filter(|v| v.as_str() != form.value(f.name)).cloned().unwrap_or_default();
            FieldV { name: f.name, label: f.label, hint: f.hint, kind, options, choices, saved }
        })
        .collect();
    EditPage {
        nav: user.nav(),
        plan_href: doc.href.clone(),
        plan_title: doc.title.clone(),
        heading: match item {
            Some(_) => format!("Ändra {}", T::NOUN),
            None if T::NEUTER => format!("Nytt {}", T::NOUN),
            None => format!("Ny {}", T::NOUN),
        },
        action: match item {
            Some(i) => format!("/{}/{}/andra", T::PATH, i.id),
            None => format!("/{}/ny?{}{query}", T::PATH, doc.query()),
        },
        version: item.map_or(0, |i| i.version),
        fields,
        form,
        conflict: saved.is_some(),
        delete: match item {
            Some(i) if !doc.locked && !T::FIXED => format!("/{}/{}/ta-bort", T::PATH, i.id),
            _ => String::new(),
        },
        owner: match doc.owner {
            Owner::Plan(_) => "plan",
            Owner::Report(_) | Owner::UnitYear(..) | Owner::Survey(_) | Owner::FollowUp(_) => "report",
            Owner::Organisation(_) => "organisation",
        },
        in_use: vec![],
    }
}

/// Where the user returns after `done` to an item (`id`, unless it was removed): the
/// owner's page with the confirmation (`?sparat=risk`), at the item's element
/// (`#risk-12`; on a plan, `visa=risk-12` also opens a large plan at the item's process
/// area), or at the section that listed a removed one.
fn back<T: Editable>(doc: &Doc, id: Option<Id<T>>, done: Done) -> String {
    let href = T::return_to(doc);
    let Some(kind) = saved::by_path(T::PATH) else { return href };
    let mut href = saved::with_param(&href, kind.code, done);
    let fragment = match id {
        Some(id) if !kind.item.is_empty() => {
            let anchor = format!("{}-{id}", kind.item);
            if doc.plan().is_some() {
                href.push_str(&format!("&visa={anchor}"));
            }
            anchor
        }
        _ => kind.section.to_owned(),
    };
    if !fragment.is_empty() {
        href.push('#');
        href.push_str(&fragment);
    }
    href
}

/// The link parameters a new item's form carries on (`&risk=…`, `&egenkontroll=…`).
fn link_query(q: &HashMap<String, String>) -> String {
    ["risk", "egenkontroll"]
        .iter()
        .filter_map(|k| {
            q.get(*k).filter(|v| v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty()).map(|v| format!("&{k}={v}"))
        })
        .collect()
}

pub(in crate::pages) fn owner_param(q: &HashMap<String, String>) -> WebResult<Owner> {
    let id = |k: &str| q.get(k).and_then(|p| p.parse::<i64>().ok());
    match (id("plan"), id("berattelse")) {
        (Some(p), None) => Ok(Owner::Plan(Id::new(p))),
        (None, Some(r)) => Ok(Owner::Report(Id::new(r))),
        _ => Err(WebError::NotFound),
    }
}

pub async fn new_form<T: Editable>(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<EditPage> {
    let doc = load_doc(&state, &user, T::new_owner(&q, &user)?).await?;
    let o = Options { creating: true, ..options(&state, &user, &doc).await? };
    let blank = T::blank(&doc, &o);
    require_edit(&user, &doc, &blank)?;
    // A link may choose some of the values (a new unit under a given section).
    let mut values = blank.form_values();
    for f in T::fields(&o) {
        if let Some(v) = q.get(f.name) {
            values.insert(f.name.to_owned(), v.clone());
        }
    }
    // Added from a risk's page, the risk is already chosen.
    if T::RISKS.is_some()
        && let Some(risk) = q.get("risk").filter(|r| o.risks.iter().any(|k| k.id.to_string() == **r))
    {
        values.insert(format!("risks_{risk}"), "1".to_owned());
    }
    Ok(page::<T>(&user, &link_query(&q), &doc, &o, None, FormState::new(values), None))
}

pub async fn create<T: Editable>(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let doc = load_doc(&state, &user, T::new_owner(&q, &user)?).await?;
    let o = Options { creating: true, ..options(&state, &user, &doc).await? };
    let mut form = FormState::new(values);
    match store::store_new::<T>(&Editor { state: &state, user: &user, actor: &user.actor() }, &doc, &o, &mut form, &q)
        .await?
    {
        Some(id) => Ok(Redirect::to(&back(&doc, Some(id), Done::Saved)).into_response()),
        None => {
            let p = page::<T>(&user, &link_query(&q), &doc, &o, None, form, None);
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
    }
}

pub(crate) async fn item<T: Editable>(state: &AppState, id: &str) -> WebResult<Versioned<T>> {
    let id = super::parse_id::<T>(id)?;
    let mut conn = state.store.read().await?;
    Ok(repo::get::<T>(&mut conn, id).await?)
}

pub async fn edit_form<T: Editable>(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
) -> WebResult<EditPage> {
    let current = item::<T>(&state, &id).await?;
    let doc = load_doc(&state, &user, current.owner()).await?;
    require_edit(&user, &doc, &current.item)?;
    let o = options(&state, &user, &doc).await?;
    let mut values = current.form_values();
    link_values(&state, current.id, &mut values).await?;
    Ok(page(&user, "", &doc, &o, Some(&current), FormState::new(values), None))
}

pub async fn update<T: Editable>(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let current = item::<T>(&state, &id).await?;
    let doc = load_doc(&state, &user, current.owner()).await?;
    require_edit(&user, &doc, &current.item)?;
    let o = options(&state, &user, &doc).await?;
    let mut form = FormState::new(values);
    let version = form.value("version").parse::<i64>().unwrap_or(0);
    match store::store_change(
        &Editor { state: &state, user: &user, actor: &user.actor() },
        &doc,
        &o,
        &current,
        version,
        &mut form,
    )
    .await?
    {
        Stored::Saved => Ok(Redirect::to(&back(&doc, Some(current.id), Done::Saved)).into_response()),
        Stored::Invalid => {
            let p = page(&user, "", &doc, &o, Some(&current), form, None);
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Stored::Conflict => {
            // Show both: what is saved now beside each field the user changed, and the
            // user's values kept in the form, now based on the saved version.
            let now = item::<T>(&state, &id).await?;
            let p = page(&user, "", &doc, &o, Some(&now), form, Some(&now.item));
            Ok((axum::http::StatusCode::CONFLICT, p).into_response())
        }
    }
}

pub async fn delete<T: Editable>(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let current = item::<T>(&state, &id).await?;
    let doc = load_doc(&state, &user, current.owner()).await?;
    require_edit(&user, &doc, &current.item)?;
    if doc.locked || T::FIXED {
        // An adopted plan or a submitted report keeps its content: nothing is removed.
        return Err(WebError::Forbidden);
    }
    let version = values.get("version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let mut tx = state.store.write(&user.actor()).await?;
    // Checked in the transaction that removes it; should something be added in between,
    // the database's foreign keys still refuse.
    let in_use = T::in_use(&mut tx, current.id).await?;
    if !in_use.is_empty() {
        drop(tx);
        return refused::<T>(&state, &user, &doc, &id, in_use).await;
    }
    match repo::delete::<T>(&mut tx, current.id, version).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&back::<T>(&doc, None, Done::Removed)).into_response())
        }
        Err(e) if e.is_still_referred_to() => {
            drop(tx);
            refused::<T>(&state, &user, &doc, &id, vec![("other", 0)]).await
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            let o = options(&state, &user, &doc).await?;
            let now = item::<T>(&state, &id).await?;
            let mut values = now.form_values();
            link_values(&state, now.id, &mut values).await?;
            let p = page(&user, "", &doc, &o, Some(&now), FormState::new(values), Some(&now.item));
            Ok((axum::http::StatusCode::CONFLICT, p).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The item's page again, saying why it was not removed: what still refers to it.
async fn refused<T: Editable>(
    state: &AppState,
    user: &User,
    doc: &Doc,
    id: &str,
    in_use: Vec<(&'static str, i64)>,
) -> WebResult<Response> {
    let o = options(state, user, doc).await?;
    let now = item::<T>(state, id).await?;
    let mut values = now.form_values();
    link_values(state, now.id, &mut values).await?;
    let mut p = page(user, "", doc, &o, Some(&now), FormState::new(values), None);
    p.in_use = in_use;
    Ok((axum::http::StatusCode::CONFLICT, p).into_response())
}
