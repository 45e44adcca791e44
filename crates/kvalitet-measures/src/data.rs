//! The parsed export: cases, interventions and contacts, with person ids pseudonymised.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::pseudo::PersonKey;

/// A case id as exported (case ids are not personal data and are kept).
pub type CaseId = Arc<str>;

/// Index of a name in a [`Names`] table.
pub type NameId = u32;

/// Whom a case is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TargetGroup {
    Barn,
    Vuxen,
}

/// The outcome of a pre-assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreAssessmentDecision {
    /// An investigation is opened (`inled`).
    Inled,
    /// No investigation (`ej_inled`).
    EjInled,
}

/// One row of `arenden`. Dates that have not happened are `None`.
#[derive(Debug, Clone)]
pub struct Case {
    pub case_id: CaseId,
    pub person: PersonKey,
    pub unit: NameId,
    pub target_group: TargetGroup,
    pub aktualisering: Option<Date>,
    pub forhandsbedomning: Option<Date>,
    pub forhandsbedomning_beslut: Option<PreAssessmentDecision>,
    pub utredning_start: Option<Date>,
    pub utredning_slut: Option<Date>,
    pub forlangning: Option<Date>,
}

/// One row of `insatser`.
#[derive(Debug, Clone)]
pub struct Intervention {
    pub case_id: CaseId,
    pub person: PersonKey,
    pub unit: NameId,
    /// The intervention's name (`FBI`, `Balder`, or a residential unit), in [`Dataset::insatser_names`].
    pub insats: NameId,
    pub beslut: Option<Date>,
    pub verkstallighet: Option<Date>,
    pub start: Option<Date>,
    pub slut: Option<Date>,
    pub planerad_slut: Option<Date>,
    pub genomforandeplan: Option<Date>,
    pub plan_uppfoljning: Option<Date>,
}

/// One row of `kontakter`.
#[derive(Debug, Clone)]
pub struct Contact {
    pub unit: NameId,
    pub forsta_kontakt: Option<Date>,
    pub forsta_besok: Option<Date>,
}

/// Interned names (units, intervention names): each distinct name stored once.
#[derive(Debug, Clone, Default)]
pub struct Names {
    names: Vec<String>,
    index: HashMap<String, NameId>,
}

impl Names {
    /// The id of `name`, adding it when new.
    pub fn intern(&mut self, name: &str) -> NameId {
        if let Some(id) = self.index.get(name) {
            return *id;
        }
        let id = NameId::try_from(self.names.len()).expect("fewer than 4 billion names");
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), id);
        id
    }

    pub fn name(&self, id: NameId) -> &str {
        &self.names[id as usize]
    }

    pub fn get(&self, name: &str) -> Option<NameId> {
        self.index.get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// A whole parsed export. A table is `None` when its file was not given.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Unit names of all three tables.
    pub units: Names,
    /// Names in `insatser.insats`.
    pub insatser_names: Names,
    pub arenden: Option<Vec<Case>>,
    pub insatser: Option<Vec<Intervention>>,
    pub kontakter: Option<Vec<Contact>>,
}
