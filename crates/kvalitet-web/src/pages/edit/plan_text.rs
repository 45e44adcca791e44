//! A plan's (or report's) text sections and its focus areas.

use std::collections::HashMap;

use kvalitet_domain::labels::Label;
use kvalitet_domain::plan::{FocusArea, FocusAreaKind, Section, SectionKind};
use kvalitet_domain::{Code, Id};

use crate::forms::FormState;

use super::fields::*;
use super::{Doc, Editable, Field, Kind, Options, Owner};

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
            field("kind", "Slag", "", codes::<FocusAreaKind>(Label::label)),
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
