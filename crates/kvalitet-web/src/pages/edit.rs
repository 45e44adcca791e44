//! Creating, editing and removing a plan's items through one mechanism: each item type
//! declares its fields (`Editable`), and the same handlers and template serve them all,
//! with errors beside the fields and a lost race shown as a conflict with both versions.
//! A draft plan's items may be removed; an adopted plan keeps its items (changes are
//! kept in the audit log, and actions are withdrawn with a reason instead). The
//! organisation's records (`edit_org.rs`) use the same pages, owned by the tenant and
//! managed by administrators; one still referred to is not removed, and the page says
//! what refers to it.

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
use kvalitet_domain::report::{QualityReport, ReportId, ReportState};
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
    /// The form makes a new item (some values are only entered then: a risk's first
    /// level, which afterwards changes only through an assessment).
    pub creating: bool,
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

pub(super) fn field(name: &'static str, label: &'static str, hint: &'static str, kind: Kind) -> Field {
    Field { name, label, hint, kind }
}

pub(super) fn codes<T: Code>(label: impl Fn(T) -> &'static str) -> Kind {
    Kind::Select(T::ALL.iter().map(|v| (v.code().to_owned(), label(*v).to_owned())).collect())
}

pub(super) fn optional(mut kind: Kind, none: &str) -> Kind {
    if let Kind::Select(options) = &mut kind {
        options.insert(0, (String::new(), none.to_owned()));
    }
    kind
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

/// Links a new item of `plan` to the risk its page was opened from (`?risk=`), if that
/// risk is of the same plan.
async fn link_to_risk(
    tx: &mut kvalitet_store::Tx,
    kind: kvalitet_store::links::LinkKind,
    item: i64,
    plan: kvalitet_domain::plan::PlanId,
    query: &HashMap<String, String>,
) -> Result<(), StoreError> {
    if let Some(risk) = query.get("risk").and_then(|r| r.parse::<i64>().ok())
        && repo::find::<Risk>(tx, Id::new(risk)).await?.is_some_and(|r| r.plan_id == plan)
    {
        kvalitet_store::links::link(tx, kind, item, risk).await?;
    }
    Ok(())
}

pub(super) fn id_of<T>(f: &mut FormState, name: &str, allowed: &[Id<T>], message: &str) -> Option<Id<T>> {
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

pub(super) fn code_of<T: Code>(f: &mut FormState, name: &str, fallback: T) -> T {
    match T::from_code(f.value(name)) {
        Some(v) => v,
        None => {
            f.push(name, "Välj ett av alternativen.");
            fallback
        }
    }
}

pub(super) fn text(f: &FormState, name: &str) -> String {
    f.value(name).trim().to_owned()
}

fn optional_date(f: &mut FormState, name: &str) -> Option<Date> {
    if f.value(name).trim().is_empty() { None } else { f.date(name, "datum") }
}

fn area_options(o: &Options) -> Kind {
    Kind::Select(o.areas.iter().map(|a| (a.id.to_string(), a.name.clone())).collect())
}

pub(super) fn factor_options(o: &Options) -> Kind {
    optional(Kind::Select(o.factors.iter().map(|q| (q.id.to_string(), q.name.clone())).collect()), "Ingen")
}

fn area_of(f: &mut FormState, o: &Options, current: Id<ProcessArea>) -> Id<ProcessArea> {
    let ids: Vec<_> = o.areas.iter().map(|a| a.id).collect();
    id_of(f, "area", &ids, "Välj ett område i listan.").unwrap_or(current)
}

pub(super) fn factor_of(f: &mut FormState, o: &Options) -> Option<Id<QualityFactor>> {
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
        let mut fields = vec![
            field("title", "Risk", "Vad kan gå fel för dem verksamheten finns till för?", Kind::Text),
            field("area", "Process eller område", "", area_options(o)),
            field("consequence_text", "Konsekvens", "Vad händer om risken inträffar?", Kind::Area),
        ];
        // The level is entered once, as the first assessment; afterwards it changes only
        // through an assessment on the risk's page, which keeps the history.
        if o.creating {
            fields.push(field(
                "level",
                "Risknivå",
                "Den första bedömningen (sannolikhet × konsekvens). Den ändras sedan genom en ny bedömning på riskens sida.",
                Kind::Number,
            ));
        }
        fields.push(field(
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
        ));
        fields
    }
    fn owner(&self) -> Owner {
        Owner::Plan(self.plan_id)
    }
    fn blank(doc: &Doc, o: &Options) -> Self {
        let plan = doc.plan_id();
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
        let edited = Risk {
            title: text(f, "title"),
            process_area_id: area_of(f, o, self.process_area_id),
            consequence_text: text(f, "consequence_text"),
            origin: code_of(f, "origin", self.origin),
            ..self.clone()
        };
        if !o.creating {
            return edited;
        }
        let level = f.count("level");
        if level.is_none() && f.error("level").is_empty() {
            f.push("level", "Ange risknivån.");
        }
        Risk { level: level.unwrap_or(self.level), likelihood: None, consequence: None, ..edited }
    }
    fn check(
        &self,
        _id: Option<Id<Self>>,
        _o: &Options,
        matrix: &kvalitet_domain::risk::RiskMatrix,
    ) -> Result<(), ValidationErrors> {
        self.validate_with(matrix).map(|_| ())
    }
    /// A new risk's level is its first assessment, dated the day it is made.
    async fn after_create(
        tx: &mut kvalitet_store::Tx,
        id: Id<Self>,
        _query: &HashMap<String, String>,
    ) -> Result<(), StoreError> {
        let risk = repo::get::<Risk>(tx, id).await?;
        let first = kvalitet_domain::risk::RiskAssessment {
            risk_id: id,
            assessed_on: crate::pages::deviations::today(),
            likelihood: risk.likelihood,
            consequence: risk.consequence,
            level: risk.level,
            comment: "Första bedömningen, när risken lades in.".into(),
        };
        repo::insert(tx, &first).await.map(|_| ())
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
        link_to_risk(tx, LinkKind::ActionRisk, id.get(), plan, query).await?;
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
    fn owner(&self) -> Owner {
        Owner::Plan(self.plan_id)
    }
    fn blank(doc: &Doc, _: &Options) -> Self {
        let plan = doc.plan_id();
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
    /// Added from a risk's page, it is linked to the risk.
    async fn after_create(
        tx: &mut kvalitet_store::Tx,
        id: Id<Self>,
        query: &HashMap<String, String>,
    ) -> Result<(), StoreError> {
        let plan = repo::get::<SelfInspection>(tx, id).await?.plan_id;
        link_to_risk(tx, kvalitet_store::links::LinkKind::SelfInspectionRisk, id.get(), plan, query).await
    }
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
    fn owner(&self) -> Owner {
        Owner::Plan(self.plan_id)
    }
    fn placed_in(&self) -> Option<kvalitet_domain::org::OrgUnitId> {
        self.unit_id
    }
    fn blank(doc: &Doc, o: &Options) -> Self {
        let plan = doc.plan_id();
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
    /// Added from a risk's page, it is linked to the risk.
    async fn after_create(
        tx: &mut kvalitet_store::Tx,
        id: Id<Self>,
        query: &HashMap<String, String>,
    ) -> Result<(), StoreError> {
        let plan = repo::get::<Indicator>(tx, id).await?.plan_id;
        link_to_risk(tx, kvalitet_store::links::LinkKind::IndicatorRisk, id.get(), plan, query).await
    }
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
    fn owner(&self) -> Owner {
        Owner::Plan(self.plan_id)
    }
    fn blank(doc: &Doc, o: &Options) -> Self {
        let plan = doc.plan_id();
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
    const NEUTER: bool = true;
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
                    SectionKind::FollowUp => "Uppföljningens text",
                }),
            ),
        ]
    }
    fn owner(&self) -> Owner {
        match (self.plan_id, self.report_id) {
            (Some(p), _) => Owner::Plan(p),
            (None, Some(r)) => Owner::Report(r),
            (None, None) => Owner::Plan(Id::new(0)),
        }
    }
    fn blank(doc: &Doc, _: &Options) -> Self {
        Section {
            plan_id: doc.plan(),
            report_id: doc.report(),
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
    const NEUTER: bool = true;
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
    fn owner(&self) -> Owner {
        Owner::Plan(self.plan_id)
    }
    fn blank(doc: &Doc, _: &Options) -> Self {
        let plan = doc.plan_id();
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

async fn load_doc(state: &AppState, user: &User, owner: Owner) -> WebResult<Doc> {
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
fn require_edit<T: Editable>(user: &User, doc: &Doc, item: &T) -> WebResult<()> {
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

async fn options(state: &AppState, user: &User) -> WebResult<Options> {
    let tenant = user.session.account.tenant_id;
    let mut conn = state.store.read().await?;
    Ok(Options {
        areas: org::process_areas(&mut conn, tenant).await?,
        factors: org::quality_factors(&mut conn, tenant).await?,
        units: org::units(&mut conn, tenant).await?,
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

pub(super) fn owner_param(q: &HashMap<String, String>) -> WebResult<Owner> {
    let id = |k: &str| q.get(k).and_then(|p| p.parse::<i64>().ok());
    match (id("plan"), id("berattelse")) {
        (Some(p), None) => Ok(Owner::Plan(Id::new(p))),
        (None, Some(r)) => Ok(Owner::Report(Id::new(r))),
        _ => Err(WebError::NotFound),
    }
}

/// An item's unit must lie within its document's scope.
fn check_unit<T: Editable>(user: &User, doc: &Doc, item: &T, form: &mut FormState) {
    if let Some(u) = item.placed_in()
        && !kvalitet_domain::access::Tree::is_within(&user.tree, u, doc.scope)
    {
        form.push("unit", "Välj en enhet inom den del av organisationen som dokumentet gäller.");
    }
}

pub async fn new_form<T: Editable>(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<EditPage> {
    let doc = load_doc(&state, &user, T::new_owner(&q, &user)?).await?;
    let o = Options { creating: true, ..options(&state, &user).await? };
    let blank = T::blank(&doc, &o);
    require_edit(&user, &doc, &blank)?;
    // A link may choose some of the values (a new unit under a given section).
    let mut values = blank.form_values();
    for f in T::fields(&o) {
        if let Some(v) = q.get(f.name) {
            values.insert(f.name.to_owned(), v.clone());
        }
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
    let o = Options { creating: true, ..options(&state, &user).await? };
    require_edit(&user, &doc, &T::blank(&doc, &o))?;
    let mut form = FormState::new(values);
    let item = T::blank(&doc, &o).apply(&mut form, &o);
    require_edit(&user, &doc, &item)?;
    check_unit(&user, &doc, &item, &mut form);
    let mut conn = state.store.read().await?;
    let matrix = plans::matrix(&mut conn, doc.tenant).await?;
    drop(conn);
    if let Err(v) = item.check(None, &o, &matrix) {
        form.add_validation(&v, |f| label::<T>(&o, f));
    }
    if form.has_errors() {
        let p = page::<T>(&user, &link_query(&q), &doc, &o, None, form, None);
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    let mut tx = state.store.write(&user.actor()).await?;
    let id = repo::insert(&mut tx, &item).await?;
    T::after_create(&mut tx, id, &q).await?;
    tx.commit().await?;
    Ok(Redirect::to(&T::return_to(&doc)).into_response())
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
    let doc = load_doc(&state, &user, current.owner()).await?;
    require_edit(&user, &doc, &current.item)?;
    let o = options(&state, &user).await?;
    Ok(page(&user, "", &doc, &o, Some(&current), FormState::new(current.form_values()), None))
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
    let o = options(&state, &user).await?;
    let mut form = FormState::new(values);
    let version = form.value("version").parse::<i64>().unwrap_or(0);
    let next = current.item.apply(&mut form, &o);
    require_edit(&user, &doc, &next)?;
    check_unit(&user, &doc, &next, &mut form);
    let mut conn = state.store.read().await?;
    let matrix = plans::matrix(&mut conn, doc.tenant).await?;
    drop(conn);
    if let Err(v) = next.check(Some(current.id), &o, &matrix) {
        form.add_validation(&v, |f| label::<T>(&o, f));
    }
    if form.has_errors() {
        let p = page(&user, "", &doc, &o, Some(&current), form, None);
        return Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    let mut tx = state.store.write(&user.actor()).await?;
    match repo::update(&mut tx, current.id, version, &next).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&T::return_to(&doc)).into_response())
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            // Show both: what is saved now beside each field the user changed, and the
            // user's values kept in the form, now based on the saved version.
            let now = item::<T>(&state, &id).await?;
            let p = page(&user, "", &doc, &o, Some(&now), form, Some(&now.item));
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
            Ok(Redirect::to(&T::return_to(&doc)).into_response())
        }
        Err(e) if e.is_still_referred_to() => {
            drop(tx);
            refused::<T>(&state, &user, &doc, &id, vec![("other", 0)]).await
        }
        Err(StoreError::Conflict { .. }) => {
            drop(tx);
            let o = options(&state, &user).await?;
            let now = item::<T>(&state, &id).await?;
            let p = page(&user, "", &doc, &o, Some(&now), FormState::new(now.form_values()), Some(&now.item));
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
    let o = options(state, user).await?;
    let now = item::<T>(state, id).await?;
    let mut p = page(user, "", doc, &o, Some(&now), FormState::new(now.form_values()), None);
    p.in_use = in_use;
    Ok((axum::http::StatusCode::CONFLICT, p).into_response())
}
