//! A plan's risks: the first level is entered once, as the first assessment.

use std::collections::HashMap;

use kvalitet_domain::labels::Label;
use kvalitet_domain::risk::{Risk, RiskOrigin};
use kvalitet_domain::{Code, Id, ValidationErrors};
use kvalitet_store::{StoreError, repo};

use crate::forms::FormState;

use super::fields::*;
use super::{Doc, Editable, Field, Kind, Options, Owner};

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
        fields.push(field("origin", "Var risken upptäcktes", "", codes::<RiskOrigin>(Label::label)));
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
