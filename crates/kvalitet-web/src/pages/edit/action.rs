//! A plan's actions, linked to the risk or self-inspection they were added from.

use std::collections::HashMap;

use kvalitet_domain::action::{Action, ActionStatus};
use kvalitet_domain::labels::Label;
use kvalitet_domain::self_inspection::SelfInspection;
use kvalitet_domain::{Code, Id};
use kvalitet_store::{StoreError, repo};

use crate::forms::FormState;

use super::fields::*;
use super::{Doc, Editable, Field, Kind, Options, Owner};

/// The hint of "Ansvarig", the account chosen.
pub(super) const RESPONSIBLE_HINT: &str = "Den som väljs här ser uppgiften under Mina uppgifter.";

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
    fn fields(o: &Options) -> Vec<Field> {
        vec![
            field("title", "Åtgärd", "", Kind::Text),
            field("description", "Vad ska göras?", "", Kind::Area),
            field("responsible_account", "Ansvarig", RESPONSIBLE_HINT, people_options(o)),
            field("responsible", "Ansvarig (om personen saknar konto)", "Roll eller namn", Kind::Text),
            field("due_on", "Klar senast", "ÅÅÅÅ-MM-DD, om det finns ett datum", Kind::Date),
            field(
                "status",
                "Status",
                "Ändras annars genom uppföljning. Utgått kräver ett skäl.",
                codes::<ActionStatus>(Label::label),
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
            responsible_account_id: None,
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
            ("responsible_account".into(), account_value(self.responsible_account_id)),
            ("responsible".into(), self.responsible.clone()),
            ("due_on".into(), self.due_on.map(|d| d.to_string()).unwrap_or_default()),
            ("status".into(), self.status.code().into()),
            ("withdrawn_reason".into(), self.withdrawn_reason.clone().unwrap_or_default()),
        ])
    }
    fn apply(&self, f: &mut FormState, o: &Options) -> Self {
        let reason = text(f, "withdrawn_reason");
        Action {
            title: text(f, "title"),
            description: text(f, "description"),
            responsible: text(f, "responsible"),
            responsible_account_id: responsible_of(f, o),
            due_on: optional_date(f, "due_on"),
            status: code_of(f, "status", self.status),
            withdrawn_reason: (!reason.is_empty()).then_some(reason),
            ..self.clone()
        }
    }
}
