//! The quality report's items in the generic forms of `edit/`: user surveys, key
//! statistics, systematic follow-ups and reviews (each of a unit in the report's scope and
//! its year), the result lines (findings) of a survey or a systematic follow-up, and the
//! assessment of quality and improvement areas.

use std::collections::HashMap;

use kvalitet_domain::Code;
use kvalitet_domain::Id;
use kvalitet_domain::org::OrgUnitId;
use kvalitet_domain::report::{
    Finding, ImprovementArea, KeyStatistic, QualityAssessment, Review, ReviewKind, SystematicFollowUp, UserSurvey,
};

use crate::auth::User;
use crate::error::{WebError, WebResult};
use crate::forms::FormState;

use super::edit::{
    Doc, Editable, Field, Kind, Options, Owner, code_of, codes, factor_of, factor_options, field, id_of, text,
};

fn unit_options(o: &Options) -> Kind {
    Kind::Select(o.units.iter().map(|u| (u.id.to_string(), u.name.clone())).collect())
}

fn unit_of(f: &mut FormState, o: &Options, current: OrgUnitId) -> OrgUnitId {
    let ids: Vec<_> = o.units.iter().map(|u| u.id).collect();
    id_of(f, "unit", &ids, "Välj en enhet i listan.").unwrap_or(current)
}

fn opt_count(f: &mut FormState, name: &str) -> Option<i64> {
    f.count(name)
}

fn show<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string().replace('.', ",")).unwrap_or_default()
}

impl Editable for UserSurvey {
    const PATH: &'static str = "brukarundersokningar";
    const NOUN: &'static str = "brukarundersökning";
    fn fields(o: &Options) -> Vec<Field> {
        vec![
            field("name", "Vad undersökningen gäller", "Till exempel Boendestöd", Kind::Text),
            field("unit", "Enhet", "", unit_options(o)),
            field("instrument", "Undersökning", "Till exempel SKR:s brukarundersökning", Kind::Text),
            field("sample_size", "Antal tillfrågade", "", Kind::Number),
            field("answers", "Antal svar", "", Kind::Number),
            field("response_rate", "Svarsfrekvens i procent", "Bara om antalen inte är kända", Kind::Number),
            field("summary", "Resultat i ord", "", Kind::Area),
        ]
    }
    fn owner(&self) -> Owner {
        Owner::UnitYear(self.unit_id, self.year)
    }
    fn unit(&self) -> Option<OrgUnitId> {
        Some(self.unit_id)
    }
    fn blank(doc: &Doc, _: &Options) -> Self {
        UserSurvey {
            tenant_id: doc.tenant,
            unit_id: doc.scope,
            year: doc.year,
            name: String::new(),
            instrument: String::new(),
            sample_size: None,
            answers: None,
            response_rate: None,
            summary: String::new(),
            sort_order: 1000,
        }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("name".into(), self.name.clone()),
            ("unit".into(), self.unit_id.to_string()),
            ("instrument".into(), self.instrument.clone()),
            ("sample_size".into(), show(self.sample_size)),
            ("answers".into(), show(self.answers)),
            ("response_rate".into(), show(self.response_rate)),
            ("summary".into(), self.summary.clone()),
        ])
    }
    fn apply(&self, f: &mut FormState, o: &Options) -> Self {
        UserSurvey {
            name: text(f, "name"),
            unit_id: unit_of(f, o, self.unit_id),
            instrument: text(f, "instrument"),
            sample_size: opt_count(f, "sample_size"),
            answers: opt_count(f, "answers"),
            response_rate: f.number("response_rate"),
            summary: text(f, "summary"),
            ..self.clone()
        }
    }
}

/// A result line of a survey (`?undersokning=ID`) or a systematic follow-up
/// (`?uppfoljning=ID`): the share answering positively, its basis and the national figure.
impl Editable for Finding {
    const PATH: &'static str = "resultat";
    const NOUN: &'static str = "resultat";
    const NEUTER: bool = true;
    fn fields(_: &Options) -> Vec<Field> {
        vec![
            field("label", "Fråga eller mått", "Till exempel Förbättrad situation", Kind::Text),
            field("value", "Andel i procent", "Till exempel 78,5", Kind::Number),
            field("basis", "Antal svar (n)", "Ger konfidensintervallet; lämna tomt om det inte är känt", Kind::Number),
            field("national_value", "Riket i procent", "Om det finns en jämförelse", Kind::Number),
        ]
    }
    fn new_owner(q: &HashMap<String, String>, _: &User) -> WebResult<Owner> {
        let id = |k: &str| q.get(k).and_then(|p| p.parse::<i64>().ok());
        match (id("undersokning"), id("uppfoljning")) {
            (Some(s), None) => Ok(Owner::Survey(Id::new(s))),
            (None, Some(f)) => Ok(Owner::FollowUp(Id::new(f))),
            _ => Err(WebError::NotFound),
        }
    }
    fn owner(&self) -> Owner {
        match (self.survey_id, self.follow_up_id) {
            (Some(s), _) => Owner::Survey(s),
            (None, Some(f)) => Owner::FollowUp(f),
            (None, None) => Owner::Survey(Id::new(0)),
        }
    }
    fn blank(doc: &Doc, _: &Options) -> Self {
        let (survey_id, follow_up_id) = match doc.owner {
            Owner::FollowUp(f) => (None, Some(f)),
            Owner::Survey(s) => (Some(s), None),
            _ => (None, None),
        };
        Finding {
            survey_id,
            follow_up_id,
            label: String::new(),
            value: 0.0,
            basis: None,
            national_value: None,
            sort_order: 1000,
        }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("label".into(), self.label.clone()),
            ("value".into(), show(Some(self.value))),
            ("basis".into(), show(self.basis)),
            ("national_value".into(), show(self.national_value)),
        ])
    }
    fn apply(&self, f: &mut FormState, _: &Options) -> Self {
        let value = match f.number("value") {
            Some(v) => v,
            None => {
                if f.error("value").is_empty() {
                    f.push("value", "Ange andelen i procent, till exempel 78,5.");
                }
                self.value
            }
        };
        Finding {
            label: text(f, "label"),
            value,
            basis: opt_count(f, "basis"),
            national_value: f.number("national_value"),
            ..self.clone()
        }
    }
}

impl Editable for KeyStatistic {
    const PATH: &'static str = "nyckeltal";
    const NOUN: &'static str = "nyckeltal";
    const NEUTER: bool = true;
    fn fields(o: &Options) -> Vec<Field> {
        vec![
            field("label", "Nyckeltal", "Till exempel Unika individer som fått stöd", Kind::Text),
            field("unit", "Enhet", "", unit_options(o)),
            field("year", "År", "", Kind::Number),
            field("value", "Värde", "", Kind::Number),
            field("measure", "Vad som räknas", "Till exempel individer, samtal, dagar eller %", Kind::Text),
            field("comment", "Kommentar", "", Kind::Area),
        ]
    }
    fn owner(&self) -> Owner {
        Owner::UnitYear(self.unit_id, self.year)
    }
    fn unit(&self) -> Option<OrgUnitId> {
        Some(self.unit_id)
    }
    fn blank(doc: &Doc, _: &Options) -> Self {
        KeyStatistic {
            tenant_id: doc.tenant,
            unit_id: doc.scope,
            year: doc.year,
            label: String::new(),
            value: 0.0,
            unit: String::new(),
            comment: String::new(),
            sort_order: 1000,
        }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("label".into(), self.label.clone()),
            ("unit".into(), self.unit_id.to_string()),
            ("year".into(), self.year.to_string()),
            ("value".into(), show(Some(self.value))),
            ("measure".into(), self.unit.clone()),
            ("comment".into(), self.comment.clone()),
        ])
    }
    fn apply(&self, f: &mut FormState, o: &Options) -> Self {
        let value = f.number("value");
        if value.is_none() && f.error("value").is_empty() {
            f.push("value", "Ange värdet.");
        }
        KeyStatistic {
            label: text(f, "label"),
            unit_id: unit_of(f, o, self.unit_id),
            year: f.count("year").unwrap_or(self.year),
            value: value.unwrap_or(self.value),
            unit: text(f, "measure"),
            comment: text(f, "comment"),
            ..self.clone()
        }
    }
}

impl Editable for SystematicFollowUp {
    const PATH: &'static str = "systematiska-uppfoljningar";
    const NOUN: &'static str = "systematisk uppföljning";
    fn fields(o: &Options) -> Vec<Field> {
        vec![
            field("instrument", "Instrument", "Till exempel UBÅT, ASI eller SU Kvinnofrid", Kind::Text),
            field("unit", "Enhet", "", unit_options(o)),
            field("measurements", "Antal mätningar", "", Kind::Number),
            field("summary", "Resultat på gruppnivå", "", Kind::Area),
        ]
    }
    fn owner(&self) -> Owner {
        Owner::UnitYear(self.unit_id, self.year)
    }
    fn unit(&self) -> Option<OrgUnitId> {
        Some(self.unit_id)
    }
    fn blank(doc: &Doc, _: &Options) -> Self {
        SystematicFollowUp {
            tenant_id: doc.tenant,
            unit_id: doc.scope,
            year: doc.year,
            instrument: String::new(),
            measurements: None,
            summary: String::new(),
            sort_order: 1000,
        }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("instrument".into(), self.instrument.clone()),
            ("unit".into(), self.unit_id.to_string()),
            ("measurements".into(), show(self.measurements)),
            ("summary".into(), self.summary.clone()),
        ])
    }
    fn apply(&self, f: &mut FormState, o: &Options) -> Self {
        SystematicFollowUp {
            instrument: text(f, "instrument"),
            unit_id: unit_of(f, o, self.unit_id),
            measurements: opt_count(f, "measurements"),
            summary: text(f, "summary"),
            ..self.clone()
        }
    }
}

impl Editable for Review {
    const PATH: &'static str = "granskningar";
    const NOUN: &'static str = "granskning";
    fn fields(o: &Options) -> Vec<Field> {
        vec![
            field("title", "Rubrik", "", Kind::Text),
            field("unit", "Enhet", "", unit_options(o)),
            field(
                "kind",
                "Slag",
                "",
                codes::<ReviewKind>(|k| match k {
                    ReviewKind::Internal => "Intern granskning",
                    ReviewKind::External => "Extern granskning",
                }),
            ),
            field("body", "Vad granskningen visade", "", Kind::Area),
        ]
    }
    fn owner(&self) -> Owner {
        Owner::UnitYear(self.unit_id, self.year)
    }
    fn unit(&self) -> Option<OrgUnitId> {
        Some(self.unit_id)
    }
    fn blank(doc: &Doc, _: &Options) -> Self {
        Review {
            tenant_id: doc.tenant,
            unit_id: doc.scope,
            year: doc.year,
            kind: ReviewKind::Internal,
            title: String::new(),
            body: String::new(),
            sort_order: 1000,
        }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("title".into(), self.title.clone()),
            ("unit".into(), self.unit_id.to_string()),
            ("kind".into(), self.kind.code().into()),
            ("body".into(), self.body.clone()),
        ])
    }
    fn apply(&self, f: &mut FormState, o: &Options) -> Self {
        Review {
            title: text(f, "title"),
            unit_id: unit_of(f, o, self.unit_id),
            kind: code_of(f, "kind", self.kind),
            body: text(f, "body"),
            ..self.clone()
        }
    }
}

impl Editable for QualityAssessment {
    const PATH: &'static str = "bedomningar";
    const NOUN: &'static str = "bedömning av kvalitet";
    fn fields(_: &Options) -> Vec<Field> {
        vec![
            field("area", "Område", "Lämna tomt för den samlade bedömningen", Kind::Text),
            field("body", "Bedömning", "", Kind::Area),
        ]
    }
    fn owner(&self) -> Owner {
        Owner::Report(self.report_id)
    }
    fn blank(doc: &Doc, _: &Options) -> Self {
        QualityAssessment { report_id: doc.report_id(), area: String::new(), body: String::new(), sort_order: 1000 }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([("area".into(), self.area.clone()), ("body".into(), self.body.clone())])
    }
    fn apply(&self, f: &mut FormState, _: &Options) -> Self {
        QualityAssessment { area: text(f, "area"), body: text(f, "body"), ..self.clone() }
    }
}

impl Editable for ImprovementArea {
    const PATH: &'static str = "forbattringsomraden";
    const NOUN: &'static str = "förbättringsområde";
    const NEUTER: bool = true;
    fn fields(o: &Options) -> Vec<Field> {
        vec![
            field("text", "Förbättringsområde", "", Kind::Area),
            field("quality_factor", "Kvalitetsfaktor", "", factor_options(o)),
        ]
    }
    fn owner(&self) -> Owner {
        Owner::Report(self.report_id)
    }
    fn blank(doc: &Doc, _: &Options) -> Self {
        ImprovementArea { report_id: doc.report_id(), text: String::new(), quality_factor_id: None, sort_order: 1000 }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("text".into(), self.text.clone()),
            ("quality_factor".into(), self.quality_factor_id.map(|q| q.to_string()).unwrap_or_default()),
        ])
    }
    fn apply(&self, f: &mut FormState, o: &Options) -> Self {
        ImprovementArea { text: text(f, "text"), quality_factor_id: factor_of(f, o), ..self.clone() }
    }
}
