//! A plan's quality indicators.

use std::collections::HashMap;

use kvalitet_domain::Code;
use kvalitet_domain::indicator::{Direction, Indicator, IndicatorSource, MeasureUnit};
use kvalitet_domain::labels::Label;
use kvalitet_store::links::LinkKind;

use crate::forms::FormState;

use super::fields::*;
use super::{Doc, Editable, Field, Kind, Options, Owner};

impl Editable for Indicator {
    const PATH: &'static str = "indikatorer";
    const NOUN: &'static str = "kvalitetsindikator";
    const RISKS: Option<LinkKind> = Some(LinkKind::IndicatorRisk);
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
            field("source", "Källa", "", codes::<IndicatorSource>(Label::label)),
            field("target_value", "Målvärde", "I samma enhet som indikatorn, till exempel 85", Kind::Number),
            field("direction", "Riktning", "", codes::<Direction>(Label::label)),
            field("no_data", "Inga tillgängliga data", "", Kind::Check),
            field("note", "Anmärkning", "", Kind::Text),
            field(
                "kolada_kpi",
                "Nyckeltal i Kolada",
                "Nyckeltalets id i Kolada, till exempel U21468, för jämförelse med riket och liknande kommuner. Lämna tomt om indikatorn inte jämförs.",
                Kind::Text,
            ),
            field("risks", "Risker", "De risker i planen som indikatorn följer upp.", risk_choices(o)),
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
            kolada_kpi: None,
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
            ("kolada_kpi".into(), self.kolada_kpi.clone().unwrap_or_default()),
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
            kolada_kpi: Some(text(f, "kolada_kpi").trim().to_uppercase()).filter(|k| !k.is_empty()),
            ..self.clone()
        }
    }
}
