//! A plan's self-inspections.

use std::collections::HashMap;

use kvalitet_domain::Code;
use kvalitet_domain::labels::Label;
use kvalitet_domain::self_inspection::{Frequency, Method, SelfInspection};
use kvalitet_store::links::LinkKind;

use crate::forms::FormState;

use super::fields::*;
use super::{Doc, Editable, Field, Kind, Options, Owner};

impl Editable for SelfInspection {
    const PATH: &'static str = "egenkontroller";
    const NOUN: &'static str = "egenkontroll";
    const RISKS: Option<LinkKind> = Some(LinkKind::SelfInspectionRisk);
    fn fields(o: &Options) -> Vec<Field> {
        vec![
            field("title", "Egenkontroll", "", Kind::Text),
            field("area", "Process eller område", "", area_options(o)),
            field("purpose", "Syfte med egenkontrollen", "", Kind::Area),
            field("method", "Metod", "", codes::<Method>(Label::label)),
            field("frequency", "Hur ofta", "", codes::<Frequency>(Label::label)),
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
            field("responsible_account", "Ansvarig", super::action::RESPONSIBLE_HINT, people_options(o)),
            field("responsible", "Ansvarig (om personen saknar konto)", "Roll eller namn", Kind::Text),
            field("is_new", "Ny kontroll i år", "", Kind::Check),
            field("keep_next_year", "Ligger kvar nästa år", "", Kind::Check),
            field("risks", "Risker", "De risker i planen som egenkontrollen följer upp.", risk_choices(o)),
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
            responsible: String::new(),
            responsible_account_id: None,
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
            ("responsible_account".into(), account_value(self.responsible_account_id)),
            ("responsible".into(), self.responsible.clone()),
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
            responsible: text(f, "responsible"),
            responsible_account_id: responsible_of(f, o),
            ..self.clone()
        }
    }
}
