//! Uniform access to the rows of the three tables for the measure kinds.

use crate::data::{Case, CaseId, Contact, Intervention, NameId, TargetGroup};
use crate::day::Day;
use crate::definition::DateField;

/// Uniform access to the rows of the three tables.
pub(super) trait Row {
    fn date(&self, field: DateField) -> Option<Day>;
    fn unit(&self) -> NameId;
    fn case_id(&self) -> Option<&CaseId>;
    fn target_group(&self) -> Option<TargetGroup>;
    fn insats(&self) -> Option<NameId>;
}

impl Row for Case {
    fn date(&self, field: DateField) -> Option<Day> {
        match field {
            DateField::Aktualisering => self.aktualisering,
            DateField::Forhandsbedomning => self.forhandsbedomning,
            DateField::UtredningStart => self.utredning_start,
            DateField::UtredningSlut => self.utredning_slut,
            DateField::Forlangning => self.forlangning,
            _ => None,
        }
    }
    fn unit(&self) -> NameId {
        self.unit
    }
    fn case_id(&self) -> Option<&CaseId> {
        Some(&self.case_id)
    }
    fn target_group(&self) -> Option<TargetGroup> {
        Some(self.target_group)
    }
    fn insats(&self) -> Option<NameId> {
        None
    }
}

impl Row for Intervention {
    fn date(&self, field: DateField) -> Option<Day> {
        match field {
            DateField::Beslut => self.beslut,
            DateField::Verkstallighet => self.verkstallighet,
            DateField::Start => self.start,
            DateField::Slut => self.slut,
            DateField::PlaneradSlut => self.planerad_slut,
            DateField::Genomforandeplan => self.genomforandeplan,
            DateField::PlanUppfoljning => self.plan_uppfoljning,
            _ => None,
        }
    }
    fn unit(&self) -> NameId {
        self.unit
    }
    fn case_id(&self) -> Option<&CaseId> {
        Some(&self.case_id)
    }
    fn target_group(&self) -> Option<TargetGroup> {
        None
    }
    fn insats(&self) -> Option<NameId> {
        Some(self.insats)
    }
}

impl Row for Contact {
    fn date(&self, field: DateField) -> Option<Day> {
        match field {
            DateField::ForstaKontakt => self.forsta_kontakt,
            DateField::ForstaBesok => self.forsta_besok,
            _ => None,
        }
    }
    fn unit(&self) -> NameId {
        self.unit
    }
    fn case_id(&self) -> Option<&CaseId> {
        None
    }
    fn target_group(&self) -> Option<TargetGroup> {
        None
    }
    fn insats(&self) -> Option<NameId> {
        None
    }
}
