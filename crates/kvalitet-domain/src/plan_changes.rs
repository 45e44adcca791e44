//! What reading a workbook into a draft plan will do: the items it creates, the items it
//! changes (with the version that was read and each field before and after), and the
//! links of the items it holds. Worked out without I/O (`kvalitet_import::plan_workbook`),
//! shown as a preview, and applied in one transaction by the store (`plan_import`).

use crate::Id;
use crate::action::Action;
use crate::indicator::Indicator;
use crate::plan::PlanId;
use crate::risk::Risk;
use crate::self_inspection::SelfInspection;

/// One field of an item that changes, as the workbook writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The column's heading ("Status").
    pub field: &'static str,
    pub before: String,
    pub after: String,
}

/// What happens to one row's item.
#[derive(Debug, Clone, PartialEq)]
pub enum ChangeKind<T> {
    Create,
    /// The item as stored at `version` changes in `fields`.
    Update {
        id: Id<T>,
        version: i64,
        fields: Vec<FieldChange>,
    },
    /// The row says what the plan already holds.
    Unchanged {
        id: Id<T>,
    },
}

/// One row of a sheet: the item as it will be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Change<T> {
    /// The row's number in the workbook ("R3"), or its row when it has none ("rad 7").
    pub label: String,
    pub item: T,
    pub kind: ChangeKind<T>,
}

impl<T> Change<T> {
    pub fn id(&self) -> Option<Id<T>> {
        match &self.kind {
            ChangeKind::Create => None,
            ChangeKind::Update { id, .. } | ChangeKind::Unchanged { id } => Some(*id),
        }
    }
}

/// The links a plan's items have between them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanLink {
    /// A self-inspection's risks.
    SelfInspectionRisk,
    /// An action's risks.
    ActionRisk,
    /// An action's self-inspections.
    ActionSelfInspection,
    /// An indicator's risks.
    IndicatorRisk,
}

/// The links of one item as the workbook writes them, where they differ from the plan's
/// (or the item is new). `from` and `add` are positions in the changes' lists of their
/// kinds; `remove` the ids of items the item is linked to now and the workbook no longer
/// links. A link to an item the workbook does not hold is left as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkChange {
    pub link: PlanLink,
    pub from: usize,
    pub add: Vec<usize>,
    pub remove: Vec<i64>,
    /// The linked items' numbers before and after, for the preview.
    pub before: Vec<String>,
    pub after: Vec<String>,
}

/// Everything a workbook does to a plan. Rows are in the workbook's order.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanChanges {
    pub plan_id: PlanId,
    pub risks: Vec<Change<Risk>>,
    pub self_inspections: Vec<Change<SelfInspection>>,
    pub actions: Vec<Change<Action>>,
    pub indicators: Vec<Change<Indicator>>,
    pub links: Vec<LinkChange>,
    /// Items of the plan that the workbook does not hold: they stay as they are.
    pub untouched: usize,
}

/// How many items of one kind are created and changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: usize,
    pub changed: usize,
    pub unchanged: usize,
}

fn counts<T>(changes: &[Change<T>]) -> Counts {
    let mut c = Counts::default();
    for ch in changes {
        match ch.kind {
            ChangeKind::Create => c.created += 1,
            ChangeKind::Update { .. } => c.changed += 1,
            ChangeKind::Unchanged { .. } => c.unchanged += 1,
        }
    }
    c
}

impl PlanChanges {
    /// Per kind, in the sheets' order: risks, self-inspections, actions, indicators.
    pub fn counts(&self) -> [Counts; 4] {
        [counts(&self.risks), counts(&self.self_inspections), counts(&self.actions), counts(&self.indicators)]
    }

    /// Whether applying the changes would change nothing.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty() && self.counts().iter().all(|c| c.created == 0 && c.changed == 0)
    }
}
