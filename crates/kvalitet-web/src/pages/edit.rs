//! Creating, editing and removing a plan's items through one mechanism: each item type
//! declares its fields (`Editable`), and the same handlers and template serve them all,
//! with errors beside the fields and a lost race shown as a conflict with both versions.
//! A draft plan's items may be removed; an adopted plan keeps its items (changes are
//! kept in the audit log, and actions are withdrawn with a reason instead).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use kvalitet_domain::access::Permission;
use kvalitet_domain::action::{Action, ActionStatus};
use kvalitet_domain::indicator::{Direction, Indicator, IndicatorSource, MeasureUnit};
use kvalitet_domain::org::{OrgUnit, ProcessArea, QualityFactor};
use kvalitet_domain::plan::{FocusArea, FocusAreaKind, PlanId, QualityPlan, Section, SectionKind};
use kvalitet_domain::risk::{Risk, RiskOrigin};
use kvalitet_domain::self_inspection::{Frequency, Method, SelfInspection};
use kvalitet_domain::{Code, Date, Id, Validate, ValidationErrors, Versioned};
use kvalitet_store::{Record, StoreError, org, plans, repo};

use crate::auth::{Nav, User};
use crate::error::{WebError, WebResult};
use crate::forms::FormState;
use crate::router::AppState;

/// The choices a form offers, from the tenant's organisation.
pub struct Options {
    pub areas: Vec<Versioned<ProcessArea>>,
    pub factors: Vec<Versioned<QualityFactor>>,
    pub units: Vec<Versioned<OrgUnit>>,
}

/// How a field is entered.
pub enum Kind {
    Text,
    Area,
    Date,
    Number,
    Select(Vec<(String, String)>),
    Check,
}

/// One field of a form: its name (the record's field), its Swedish label and hint.
pub struct Field {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: Kind,
}

fn field(name: &'static str, label: &'static str, hint: &'static str, kind: Kind) -> Field {
    Field { name, label, hint, kind }
}

fn codes<T: Code>(label: impl Fn(T) -> &'static str) -> Kind {
    Kind::Select(T::ALL.iter().map(|v| (v.code().to_owned(), label(*v).to_owned())).collect())
}

fn optional(mut kind: Kind, none: &str) -> Kind {
    if let Kind::Select(options) = &mut kind {
        options.insert(0, (String::new(), none.to_owned()));
    }
    kind
}

/// A plan item that can be created, edited and removed through the generic forms.
pub trait Editable: Record + Validate + Clone {
    /// The path segment of its pages, e.g. `risker`.
    const PATH: &'static str;
    /// Its name in headings: "risk", "åtgärd".
    const NOUN: &'static str;
    fn fields(o: &Options) -> Vec<Field>;
    fn plan_id(&self) -> PlanId;
    /// A new item of the plan, before the form is applied.
    fn blank(plan: PlanId, o: &Options) -> Self;
    /// The item's values as the form shows them.
    fn form_values(&self) -> HashMap<String, String>;
    /// The item with the form's values; problems are added to the form.
    fn apply(&self, f: &mut FormState, o: &Options) -> Self;
    /// A check beyond the item's own validation (the risk matrix, for risks).
    fn check(&self, _matrix: &kvalitet_domain::risk::RiskMatrix) -> Result<(), ValidationErrors> {
        self.validate()
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

fn id_of<T>(f: &mut FormState, name: &str, allowed: &[Id<T>], message: &str) -> Option<Id<T>> {
    let raw = f.value(name).trim().to_owned();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>().ok().map(Id::new).filter(|id| allowed.contains(id)) {
        Some(id) => Some(id),
        None => {
            f.push(name, message.to_owned());
            None
        }
    }
}

fn code_of<T: Code>(f: &mut FormState, name: &str, fallback: T) -> T {
    match T::from_code(f.value(name)) {
        Some(v) => v,
        None => {
            f.push(name, "Välj ett av alternativen.");
            fallback
        }
    }
}

fn text(f: &FormState, name: &str) -> String {
    f.value(name).trim().to_owned()
}

fn optional_date(f: &mut FormState, name: &str) -> Option<Date> {
    if f.value(name).trim().is_empty() { None } else { f.date(name, "datum") }
}

fn area_options(o: &Options) -> Kind {
    Kind::Select(o.areas.iter().map(|a| (a.id.to_string(), a.name.clone())).collect())
}

fn factor_options(o: &Options) -> Kind {
    optional(Kind::Select(o.factors.iter().map(|q| (q.id.to_string(), q.name.clone())).collect()), "Ingen")
}

fn area_of(f: &mut FormState, o: &Options, current: Id<ProcessArea>) -> Id<ProcessArea> {
    let ids: Vec<_> = o.areas.iter().map(|a| a.id).collect();
    id_of(f, "area", &ids, "Välj ett område i listan.").unwrap_or(current)
}

fn factor_of(f: &mut FormState, o: &Options) -> Option<Id<QualityFactor>> {
    let ids: Vec<_> = o.factors.iter().map(|q| q.id).collect();
    id_of(f, "quality_factor", &ids, "Välj en kvalitetsfaktor i listan.")
}

fn first_area(o: &Options) -> Id<ProcessArea> {
    o.areas.first().map_or(Id::new(0), |a| a.id)
}

impl Editable for Risk {
    const PATH: &'static str = "risker";
    const NOUN: &'static str = "risk";
    fn fields(o: &Options) -> Vec<Field> {
        vec![
            field("title", "Risk", "Vad kan gå fel för dem verksamheten finns till för?", Kind::Text),
            field("area", "Process eller område", "", area_options(o)),
            field("consequence_text", "Konsekvens", "Vad händer om risken inträffar?", Kind::Area),
            field("level", "Risknivå", "Sannolikhet × konsekvens; bedöms i detalj på riskens sida.", Kind::Number),
            field(
                "origin",
                "Var risken upptäcktes",
                "",
                codes::<RiskOrigin>(|o| match o {
                    RiskOrigin::RiskAnalysis => "Riskanalys",
                    RiskOrigin::LexSarah => "Lex Sarah-utredning",
                    RiskOrigin::Deviation => "Avvikelse",
                    RiskOrigin::SelfInspection => "Egenkontroll",
                    RiskOrigin::Complaint => "Klagomål",
                    RiskOrigin::Review => "Granskning",
                    RiskOrigin::Other => "Annat",
                }),
            ),
        ]
    }
    fn plan_id(&self) -> PlanId {
        self.plan_id
    }
    fn blank(plan: PlanId, o: &Options) -> Self {
        Risk {
            plan_id: plan,
            process_area_id: first_area(o),
            title: String::new(),
            consequence_text: String::new(),
            likelihood: None,
            consequence: None,
            level: 1,
            origin: RiskOrigin::RiskAnalysis,
            previous_risk_id: None,
            needs_reassessment: false,
            sort_order: 1000,
        }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("title".into(), self.title.clone()),
            ("area".into(), self.process_area_id.to_string()),
            ("consequence_text".into(), self.consequence_text.clone()),
            ("level".into(), self.level.to_string()),
            ("origin".into(), self.origin.code().into()),
        ])
    }
    fn apply(&self, f: &mut FormState, o: &Options) -> Self {
        let level = f.count("level");
        if level.is_none() && f.error("level").is_empty() {
            f.push("level", "Ange risknivån.");
        }
        // A level typed here replaces likelihood × consequence unless it equals it.
        let keep = level.is_some_and(|l| self.likelihood.zip(self.consequence).is_some_and(|(a, b)| a * b == l));
        Risk {
            title: text(f, "title"),
            process_area_id: area_of(f, o, self.process_area_id),
            consequence_text: text(f, "consequence_text"),
            level: level.unwrap_or(self.level),
            likelihood: if keep { self.likelihood } else { None },
            consequence: if keep { self.consequence } else { None },
            origin: code_of(f, "origin", self.origin),
            ..self.clone()
        }
    }
    fn check(&self, matrix: &kvalitet_domain::risk::RiskMatrix) -> Result<(), ValidationErrors> {
        self.validate_with(matrix).map(|_| ())
    }
}

impl Editable for Action {
    const PATH: &'static str = "atgarder";
    const NOUN: &'static str = "åtgärd";
    async fn after_create(
        tx: &mut kvalitet_store::Tx,
        id: Id<Self>,
        query: &HashMap<String, String>,
    ) -> Result<(), StoreError> {
        use kvalitet_store::links::{self, LinkKind};
        let plan = repo::get::<Action>(tx, id).await?.plan_id;
        // Only a risk or self-inspection of the same plan.
        if let Some(risk) = query.get("risk").and_then(|r| r.parse::<i64>().ok())
            && repo::find::<Risk>(tx, Id::new(risk)).await?.is_some_and(|r| r.plan_id == plan)
        {
            links::link(tx, LinkKind::ActionRisk, id.get(), risk).await?;
        }
        if let Some(si) = query.get("egenkontroll").and_then(|r| r.parse::<i64>().ok())
            && repo::find::<SelfInspection>(tx, Id::new(si)).await?.is_some_and(|s| s.plan_id == plan)
        {
            links::link(tx, LinkKind::ActionSelfInspection, id.get(), si).await?;
        }
        Ok(())
    }
    fn fields(_: &Options) -> Vec<Field> {
        vec![
            field("title", "Åtgärd", "", Kind::Text),
            field("description", "Vad ska göras?", "", Kind::Area),
            field("responsible", "Ansvarig", "Roll eller namn", Kind::Text),
            field("due_on", "Klar senast", "ÅÅÅÅ-MM-DD, om det finns ett datum", Kind::Date),
            field(
                "status",
                "Status",
                "Ändras annars genom uppföljning. Utgått kräver ett skäl.",
                codes::<ActionStatus>(|s| match s {
                    ActionStatus::Planned => "Planerad",
                    ActionStatus::Ongoing => "Pågår",
                    ActionStatus::Done => "Klar",
                    ActionStatus::CarriedOver => "Pågår, fortsätter nästa år",
                    ActionStatus::Withdrawn => "Utgått",
                }),
            ),
            field("withdrawn_reason", "Skäl till att åtgärden utgått", "", Kind::Area),
        ]
    }
    fn plan_id(&self) -> PlanId {
        self.plan_id
    }
    fn blank(plan: PlanId, _: &Options) -> Self {
        Action {
            plan_id: plan,
            title: String::new(),
            description: String::new(),
            responsible: String::new(),
            due_on: None,
            status: ActionStatus::Planned,
            withdrawn_reason: None,
            previous_action_id: None,
            sort_order: 1000,
        }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("title".into(), self.title.clone()),
            ("description".into(), self.description.clone()),
            ("responsible".into(), self.responsible.clone()),
            ("due_on".into(), self.due_on.map(|d| d.to_string()).unwrap_or_default()),
            ("status".into(), self.status.code().into()),
            ("withdrawn_reason".into(), self.withdrawn_reason.clone().unwrap_or_default()),
        ])
    }
    fn apply(&self, f: &mut FormState, _: &Options) -> Self {
        let reason = text(f, "withdrawn_reason");
        Action {
            title: text(f, "title"),
            description: text(f, "description"),
            responsible: text(f, "responsible"),
            due_on: optional_date(f, "due_on"),
            status: code_of(f, "status", self.status),
            withdrawn_reason: (!reason.is_empty()).then_some(reason),
            ..self.clone()
        }
    }
}

impl Editable for SelfInspection {
    const PATH: &'static str = "egenkontroller";
    const NOUN: &'static str = "egenkontroll";
    fn fields(o: &Options) -> Vec<Field> {
        vec![
            field("title", "Egenkontroll", "", Kind::Text),
            field("area", "Process eller område", "", area_options(o)),
            field("purpose", "Syfte med egenkontrollen", "", Kind::Area),
            field(
                "method",
                "Metod",
                "",
                codes::<Method>(|m| match m {
                    Method::SampleCheck => "Stickprov",
                    Method::AccessLogReview => "Loggkontroll",
                    Method::Statistics => "Statistik",
                    Method::SelfAssessment => "Självskattning",
                    Method::PeerReview => "Kollegiegranskning",
                    Method::WalkThrough => "Genomgång",
                    Method::Other => "Annan metod",
                }),
            ),
            field(
                "frequency",
                "Hur ofta",
                "",
                codes::<Frequency>(|q| match q {
                    Frequency::Monthly => "Varje månad",
                    Frequency::Quarterly => "Varje kvartal",
                    Frequency::HalfYearly => "Varje halvår",
                    Frequency::Yearly => "En gång per år",
                    Frequency::Once => "En gång",
                }),
            ),
            field("target", "Mål", "Till exempel: första samtal inom 10 dagar", Kind::Text),
            field(
                "unit",
                "Enhet",
                "Om kontrollen gäller en enhet",
                optional(
                    Kind::Select(o.units.iter().map(|u| (u.id.to_string(), u.name.clone())).collect()),
                    "Hela planen",
                ),
            ),
            field("is_new", "Ny kontroll i år", "", Kind::Check),
            field("keep_next_year", "Ligger kvar nästa år", "", Kind::Check),
        ]
    }
    fn plan_id(&self) -> PlanId {
        self.plan_id
    }
    fn blank(plan: PlanId, o: &Options) -> Self {
        SelfInspection {
            plan_id: plan,
            process_area_id: first_area(o),
            title: String::new(),
            purpose: String::new(),
            method: Method::Statistics,
            frequency: Frequency::Yearly,
            target: String::new(),
            is_new: true,
            previous_status: None,
            action_note: String::new(),
            unit_id: None,
            keep_next_year: true,
            previous_self_inspection_id: None,
            sort_order: 1000,
        }
    }
    fn form_values(&self) -> HashMap<String, String> {
        let check = |b: bool| if b { "1".to_owned() } else { String::new() };
        HashMap::from([
            ("title".into(), self.title.clone()),
            ("area".into(), self.process_area_id.to_string()),
            ("purpose".into(), self.purpose.clone()),
            ("method".into(), self.method.code().into()),
            ("frequency".into(), self.frequency.code().into()),
            ("target".into(), self.target.clone()),
            ("unit".into(), self.unit_id.map(|u| u.to_string()).unwrap_or_default()),
            ("is_new".into(), check(self.is_new)),
            ("keep_next_year".into(), check(self.keep_next_year)),
        ])
    }
    fn apply(&self, f: &mut FormState, o: &Options) -> Self {
        let units: Vec<_> = o.units.iter().map(|u| u.id).collect();
        let is_new = f.value("is_new") == "1";
        SelfInspection {
            title: text(f, "title"),
            process_area_id: area_of(f, o, self.process_area_id),
            purpose: text(f, "purpose"),
            method: code_of(f, "method", self.method),
            frequency: code_of(f, "frequency", self.frequency),
            target: text(f, "target"),
            unit_id: id_of(f, "unit", &units, "Välj en enhet i listan."),
            is_new,
            previous_status: if is_new { None } else { self.previous_status },
            keep_next_year: f.value("keep_next_year") == "1",
            ..self.clone()
        }
    }
}

impl Editable for Indicator {
    const PATH: &'static str = "indikatorer";
    const NOUN: &'static str = "kvalitetsindikator";
    fn fields(o: &Options) -> Vec<Field> {
        vec![
            field("name", "Kvalitetsindikator", "", Kind::Text),
            field("area", "Område", "", area_options(o)),
            field("quality_factor", "Kvalitetsfaktor", "", factor_options(o)),
            field(
                "unit",
                "Mäts som",
                "",
                codes::<MeasureUnit>(|u| match u {
                    MeasureUnit::Percent => "Andel (%)",
                    MeasureUnit::Count => "Antal",
                    MeasureUnit::MeanScale => "Medelvärde 1–5",
                    MeasureUnit::Days => "Dagar",
                }),
            ),
            field(
                "source",
                "Källa",
                "",
                codes::<IndicatorSource>(|s| match s {
                    IndicatorSource::OwnSurvey => "Egen brukarundersökning",
                    IndicatorSource::OwnStudy => "Egen undersökning",
                    IndicatorSource::SkrSurvey => "SKR:s brukarundersökning",
                    IndicatorSource::Kolada => "Kolada",
                    IndicatorSource::CaseSystem => "Verksamhetssystemet",
                    IndicatorSource::Other => "Annan",
                }),
            ),
            field("target_value", "Målvärde", "I samma enhet som indikatorn, till exempel 85", Kind::Number),
            field(
                "direction",
                "Bättre är",
                "",
                codes::<Direction>(|d| match d {
                    Direction::HigherIsBetter => "Högre",
                    Direction::LowerIsBetter => "Lägre",
                }),
            ),
            field("no_data", "Inga tillgängliga data", "", Kind::Check),
            field("note", "Anmärkning", "", Kind::Text),
        ]
    }
    fn plan_id(&self) -> PlanId {
        self.plan_id
    }
    fn blank(plan: PlanId, o: &Options) -> Self {
        Indicator {
            plan_id: plan,
            area_id: first_area(o),
            name: String::new(),
            quality_factor_id: None,
            unit: MeasureUnit::Percent,
            source: IndicatorSource::OwnStudy,
            target_value: None,
            direction: Direction::HigherIsBetter,
            no_data: false,
            note: String::new(),
            previous_indicator_id: None,
            sort_order: 1000,
        }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("name".into(), self.name.clone()),
            ("area".into(), self.area_id.to_string()),
            ("quality_factor".into(), self.quality_factor_id.map(|q| q.to_string()).unwrap_or_default()),
            ("unit".into(), self.unit.code().into()),
            ("source".into(), self.source.code().into()),
            ("target_value".into(), self.target_value.map(|t| t.to_string().replace('.', ",")).unwrap_or_default()),
            ("direction".into(), self.direction.code().into()),
            ("no_data".into(), if self.no_data { "1".into() } else { String::new() }),
            ("note".into(), self.note.clone()),
        ])
    }
    fn apply(&self, f: &mut FormState, o: &Options) -> Self {
        Indicator {
            name: text(f, "name"),
            area_id: area_of(f, o, self.area_id),
            quality_factor_id: factor_of(f, o),
            unit: code_of(f, "unit", self.unit),
            source: code_of(f, "source", self.source),
            target_value: f.number("target_value"),
            direction: code_of(f, "direction", self.direction),
            no_data: f.value("no_data") == "1",
            note: text(f, "note"),
            ..self.clone()
        }
    }
}

impl Editable for Section {
    const PATH: &'static str = "avsnitt";
    const NOUN: &'static str = "avsnitt";
    fn fields(_: &Options) -> Vec<Field> {
        vec![
            field("heading", "Rubrik", "", Kind::Text),
            field(
                "body",
                "Text",
                "Stycken skiljs med en tom rad; en rad som börjar med ”- ” blir en punkt i en lista.",
                Kind::Area,
            ),
            field(
                "kind",
                "Slag av text",
                "",
                codes::<SectionKind>(|k| match k {
                    SectionKind::Introduction => "Inledning",
                    SectionKind::Purpose => "Syfte",
                    SectionKind::QualityDefinition => "Definition av kvalitet",
                    SectionKind::Mission => "Uppdrag och målgrupper",
                    SectionKind::Priorities => "Prioriteringar",
                    SectionKind::Vision => "Målbild",
                    SectionKind::Narrative => "Beskrivning",
                    SectionKind::OpenComparisons => "Öppna jämförelser",
                    SectionKind::Conditions => "Förutsättningar",
                    SectionKind::Other => "Annat",
                }),
            ),
        ]
    }
    fn plan_id(&self) -> PlanId {
        self.plan_id.unwrap_or(Id::new(0))
    }
    fn blank(plan: PlanId, _: &Options) -> Self {
        Section {
            plan_id: Some(plan),
            report_id: None,
            kind: SectionKind::Narrative,
            heading: String::new(),
            body: String::new(),
            sort_order: 1000,
        }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("heading".into(), self.heading.clone()),
            ("body".into(), self.body.clone()),
            ("kind".into(), self.kind.code().into()),
        ])
    }
    fn apply(&self, f: &mut FormState, _: &Options) -> Self {
        Section {
            heading: text(f, "heading"),
            body: text(f, "body"),
            kind: code_of(f, "kind", self.kind),
            ..self.clone()
        }
    }
}

impl Editable for FocusArea {
    const PATH: &'static str = "fokusomraden";
    const NOUN: &'static str = "fokusområde";
    fn fields(o: &Options) -> Vec<Field> {
        vec![
            field(
                "kind",
                "Slag",
                "",
                codes::<FocusAreaKind>(|k| match k {
                    FocusAreaKind::Prioritised => "Prioriterad kvalitetsfaktor",
                    FocusAreaKind::Special => "Särskilt fokusområde",
                }),
            ),
            field("title", "Rubrik", "", Kind::Text),
            field("body", "Text", "", Kind::Area),
            field("quality_factor", "Kvalitetsfaktor", "", factor_options(o)),
        ]
    }
    fn plan_id(&self) -> PlanId {
        self.plan_id
    }
    fn blank(plan: PlanId, _: &Options) -> Self {
        FocusArea {
            plan_id: plan,
            kind: FocusAreaKind::Special,
            title: String::new(),
            body: String::new(),
            quality_factor_id: None,
            sort_order: 1000,
        }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("kind".into(), self.kind.code().into()),
            ("title".into(), self.title.clone()),
            ("body".into(), self.body.clone()),
            ("quality_factor".into(), self.quality_factor_id.map(|q| q.to_string()).unwrap_or_default()),
        ])
    }
    fn apply(&self, f: &mut FormState, o: &Options) -> Self {
        FocusArea {
            kind: code_of(f, "kind", self.kind),
            title: text(f, "title"),
            body: text(f, "body"),
            quality_factor_id: factor_of(f, o),
            ..self.clone()
        }
    }
}

// ---- The generic pages ---------------------------------------------------------------

pub struct FieldV {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub kind: &'static str,
    pub options: Vec<(String, String)>,
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
}

async fn options(state: &AppState, user: &User) -> WebResult<Options> {
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    Ok(Options {
        areas: org::process_areas(&mut conn, tenant).await?,
        factors: org::quality_factors(&mut conn, tenant).await?,
        units: org::units(&mut conn, tenant).await?,
    })
}

/// The plan, if the user may edit it.
async fn editable_plan(state: &AppState, user: &User, plan: PlanId) -> WebResult<Versioned<QualityPlan>> {
    let mut conn = state.store.read().await?;
    let plan = repo::get::<QualityPlan>(&mut conn, plan).await?;
    if plan.tenant_id != user.session.account.tenant_id {
        return Err(WebError::NotFound);
    }
    user.require(Permission::EditPlan, plan.scope_id)?;
    Ok(plan)
}

fn page<T: Editable>(
    user: &User,
    query: &str,
    plan: &Versioned<QualityPlan>,
    o: &Options,
    item: Option<&Versioned<T>>,
    form: FormState,
    saved: Option<&T>,
) -> EditPage {
    let saved_values = saved.map(T::form_values).unwrap_or_default();
    let fields = T::fields(o)
        .into_iter()
        .map(|f| {
            let (kind, options) = match f.kind {
                Kind::Text => ("text", vec![]),
                Kind::Area => ("area", vec![]),
                Kind::Date => ("date", vec![]),
                Kind::Number => ("number", vec![]),
                Kind::Select(options) => ("select", options),
                Kind::Check => ("check", vec![]),
            };
            let saved =
                saved_values.get(f.name).filter(|v| v.as_str() != form.value(f.name)).cloned().unwrap_or_default();
            FieldV { name: f.name, label: f.label, hint: f.hint, kind, options, saved }
        })
        .collect();
    EditPage {
        nav: user.nav(),
        plan_href: format!("/planer/{}", plan.id),
        plan_title: plan.title.clone(),
        heading: match item {
            Some(_) => format!("Ändra {}", T::NOUN),
            None => format!("Ny {}", T::NOUN),
        },
        action: match item {
            Some(i) => format!("/{}/{}/andra", T::PATH, i.id),
            None => format!("/{}/ny?plan={}{query}", T::PATH, plan.id),
        },
        version: item.map_or(0, |i| i.version),
        fields,
        form,
        conflict: saved.is_some(),
        delete: match item {
            Some(i) if !plan.is_adopted() => format!("/{}/{}/ta-bort", T::PATH, i.id),
            _ => String::new(),
        },
    }
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

/// The label of a field by its name, for messages ("Risk får inte vara tomt").
fn label<T: Editable>(o: &Options, name: &str) -> &'static str {
    let name = match name {
        "process_area_id" | "area_id" => "area",
        "quality_factor_id" => "quality_factor",
        "unit_id" => "unit",
        other => other,
    };
    T::fields(o).into_iter().find(|f| f.name == name).map_or("Fältet", |f| f.label)
}

fn plan_param(q: &HashMap<String, String>) -> WebResult<PlanId> {
    q.get("plan").and_then(|p| p.parse::<i64>().ok()).map(Id::new).ok_or(WebError::NotFound)
}

pub async fn new_form<T: Editable>(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<EditPage> {
    let plan = editable_plan(&state, &user, plan_param(&q)?).await?;
    let o = options(&state, &user).await?;
    let blank = T::blank(plan.id, &o);
    Ok(page::<T>(&user, &link_query(&q), &plan, &o, None, FormState::new(blank.form_values()), None))
}

pub async fn create<T: Editable>(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let plan = editable_plan(&state, &user, plan_param(&q)?).await?;
    let o = options(&state, &user).await?;
    let mut form = FormState::new(values);
    let item = T::blank(plan.id, &o).apply(&mut form, &o);
    let mut conn = state.store.read().await?;
    let matrix = plans::matrix(&mut conn, plan.tenant_id).await?;
    drop(conn);
    if let Err(v) = item.check(&matrix) {
        form.add_validation(&v, |f| label::<T>(&o, f));
    }
    if form.has_errors() {
        let p = page::<T>(&user, &link_query(&q), &plan, &o, None, form, None);
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    let mut tx = state.store.write(&user.actor()).await?;
    let id = repo::insert(&mut tx, &item).await?;
    T::after_create(&mut tx, id, &q).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/planer/{}", plan.id)).into_response())
}

async fn item<T: Editable>(state: &AppState, id: &str) -> WebResult<Versioned<T>> {
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
    let plan = editable_plan(&state, &user, current.plan_id()).await?;
    let o = options(&state, &user).await?;
    Ok(page(&user, "", &plan, &o, Some(&current), FormState::new(current.form_values()), None))
}

pub async fn update<T: Editable>(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Form(values): Form<HashMap<String, String>>,
) -> WebResult<Response> {
    user.check_csrf(values.get("csrf").map_or("", String::as_str))?;
    let current = item::<T>(&state, &id).await?;
    let plan = editable_plan(&state, &user, current.plan_id()).await?;
    let o = options(&state, &user).await?;
    let mut form = FormState::new(values);
    let version = form.value("version").parse::<i64>().unwrap_or(0);
    let next = current.item.apply(&mut form, &o);
    let mut conn = state.store.read().await?;
    let matrix = plans::matrix(&mut conn, plan.tenant_id).await?;
    drop(conn);
    if let Err(v) = next.check(&matrix) {
        form.add_validation(&v, |f| label::<T>(&o, f));
    }
    if form.has_errors() {
        let p = page(&user, "", &plan, &o, Some(&current), form, None);
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    let mut tx = state.store.write(&user.actor()).await?;
    match repo::update(&mut tx, current.id, version, &next).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/planer/{}", plan.id)).into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            // Show both: what is saved now beside each field the user changed, and the
            // user's values kept in the form, now based on the saved version.
            let now = item::<T>(&state, &id).await?;
            let p = page(&user, "", &plan, &o, Some(&now), form, Some(&now.item));
            Ok((axum::http::StatusCode::CONFLICT, p).into_response())
        }
        Err(e) => Err(e.into()),
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
    let plan = editable_plan(&state, &user, current.plan_id()).await?;
    if plan.is_adopted() {
        // An adopted plan keeps its history: nothing is removed from it.
        return Err(WebError::Forbidden);
    }
    let version = values.get("version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let mut tx = state.store.write(&user.actor()).await?;
    match repo::delete::<T>(&mut tx, current.id, version).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/planer/{}", plan.id)).into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            let o = options(&state, &user).await?;
            let now = item::<T>(&state, &id).await?;
            let p = page(&user, "", &plan, &o, Some(&now), FormState::new(now.form_values()), Some(&now.item));
            Ok((axum::http::StatusCode::CONFLICT, p).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
