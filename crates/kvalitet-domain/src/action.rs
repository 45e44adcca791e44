//! Actions (åtgärder): what is done to lower a risk or fix a self-inspection's finding,
//! their statuses and dated follow-up entries.

use serde::{Deserialize, Serialize};

use crate::Date;
use crate::access::AccountId;
use crate::coded_enum;
use crate::id::Id;
use crate::plan::PlanId;
use crate::validate::{Problem, Validate, ValidationErrors, limits};

coded_enum! {
    /// An action's status.
    pub enum ActionStatus {
        Planned = "planned",
        Ongoing = "ongoing",
        Done = "done",
        /// Ongoing and carried into next year ("pågår och fortsätter under nästkommande år").
        CarriedOver = "carried_over",
        /// "Åtgärd har utgått": needs a reason.
        Withdrawn = "withdrawn",
    }
}

impl ActionStatus {
    /// Whether an action in this status goes on into next year's plan on rollover.
    pub fn carries_into_next_year(self) -> bool {
        matches!(self, ActionStatus::Planned | ActionStatus::Ongoing | ActionStatus::CarriedOver)
    }

    pub fn is_closed(self) -> bool {
        matches!(self, ActionStatus::Done | ActionStatus::Withdrawn)
    }

    /// Status changes a follow-up may make. A closed action may be reopened as ongoing
    /// (the work turned out not to be finished), but never back to planned.
    pub fn may_become(self, next: ActionStatus) -> bool {
        use ActionStatus::*;
        match (self, next) {
            (a, b) if a == b => true,
            (_, Planned) => false,
            _ => true,
        }
    }
}

/// An action in a plan, tied to risks and/or self-inspections through links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub plan_id: PlanId,
    pub title: String,
    /// "Vad ska göras?"
    pub description: String,
    /// Who is responsible, in words: a role, or a person without an account.
    pub responsible: String,
    /// The person responsible, when they have an account: the action is among their
    /// tasks ("Mina uppgifter"). Must be an active account of the plan's tenant when set.
    #[serde(default)]
    pub responsible_account_id: Option<AccountId>,
    pub due_on: Option<Date>,
    pub status: ActionStatus,
    pub withdrawn_reason: Option<String>,
    /// The same action in the previous year's plan, when carried over.
    pub previous_action_id: Option<ActionId>,
    pub sort_order: i64,
}
pub type ActionId = Id<Action>;

impl Validate for Action {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("title", &self.title, limits::TITLE);
        e.optional_text("description", &self.description, limits::TEXT);
        e.optional_text("responsible", &self.responsible, limits::SHORT);
        if let Some(reason) = &self.withdrawn_reason {
            e.optional_text("withdrawn_reason", reason, limits::TEXT);
        }
        if self.status == ActionStatus::Withdrawn
            && self.withdrawn_reason.as_deref().is_none_or(|r| r.trim().is_empty())
        {
            e.push("withdrawn_reason", Problem::Required);
        }
        e.into_result()
    }
}

/// A dated follow-up of an action ("Uppföljning: …"), possibly changing its status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionFollowUp {
    pub action_id: ActionId,
    pub entry_on: Date,
    /// Only the year of `entry_on` is known (see [`crate::shown_date`]).
    #[serde(default)]
    pub undated: bool,
    pub text: String,
    pub new_status: ActionStatus,
    pub recorded_by: String,
}
pub type ActionFollowUpId = Id<ActionFollowUp>;

impl Validate for ActionFollowUp {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("text", &self.text, limits::TEXT);
        e.into_result()
    }
}

impl Action {
    /// Applies a follow-up to the action: its status becomes the follow-up's.
    pub fn apply(&mut self, follow_up: &ActionFollowUp) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        if !self.status.may_become(follow_up.new_status) {
            e.push("new_status", Problem::NotAllowed("en påbörjad åtgärd kan inte bli planerad igen"));
        }
        if follow_up.new_status == ActionStatus::Withdrawn && self.withdrawn_reason.is_none() {
            self.withdrawn_reason = Some(follow_up.text.clone());
        }
        e.into_result()?;
        self.status = follow_up.new_status;
        Ok(())
    }
}
