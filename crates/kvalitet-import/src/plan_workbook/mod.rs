//! A quality plan as a workbook, the way municipalities keep their plans in Excel, and
//! back: one sheet per item kind (Risker, Egenkontroller, Åtgärder, Indikatorer), Swedish
//! headers, each item numbered (R1, E1, Å1, I1) so the links between them are written as
//! those numbers ("R1; R3"), the columns with a fixed set of values (process area, method,
//! frequency, status …) offering their values as a list (data validation from the sheet
//! Värden), dates as dates, and a hidden last column "Kvalitet-id" with each item's id and
//! the version that was written.
//!
//! Reading such a workbook into a draft plan (`changes`) makes a `PlanChanges`: rows
//! whose id is an item of the plan change that item (refused if someone has changed it
//! since the workbook was written), other rows are new items. Every cell is checked, every
//! problem is named as `file[sheet]:row:column`, and nothing is stored on any problem.
//!
//! One table per sheet (`columns.rs`) says each column's heading, how an item shows in it
//! and how a cell is read into an item; the writer, the reader and the preview of what
//! changes all go by it.

mod changes;
mod columns;
mod read;
mod write;

pub use changes::changes;
pub use read::{Workbook, read};
pub use write::write;

use kvalitet_domain::access::AccountId;
use kvalitet_domain::bundle::PlanBundle;
use kvalitet_domain::org::OrgUnitId;

/// The sheets, in order.
pub const SHEETS: [&str; 5] = ["Risker", "Egenkontroller", "Åtgärder", "Indikatorer", "Värden"];

/// The heading of the hidden column with each item's id and version ("12:3").
pub const ID_HEADING: &str = "Kvalitet-id";

/// A person of the municipality, for the responsible columns.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: AccountId,
    /// The name the pages show (the e-mail address when the account has no name).
    pub name: String,
    pub active: bool,
}

/// What the names in a workbook refer to besides the plan: the municipality's org units
/// and people.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub units: Vec<(OrgUnitId, String)>,
    pub people: Vec<Person>,
}

impl Directory {
    fn unit_name(&self, id: OrgUnitId) -> String {
        self.units.iter().find(|(u, _)| *u == id).map(|(_, n)| n.clone()).unwrap_or_default()
    }

    /// Who is responsible, as the pages show it: the account's name, else the text.
    fn responsible(&self, account: Option<AccountId>, text: &str) -> String {
        account
            .and_then(|a| self.people.iter().find(|p| p.id == a))
            .map(|p| p.name.clone())
            .unwrap_or_else(|| text.trim().to_owned())
    }
}

/// Everything a sheet's columns read and show names through.
pub(crate) struct Context<'a> {
    pub bundle: &'a PlanBundle,
    pub directory: &'a Directory,
}

/// One cell as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    Number(Option<f64>),
    Date(Option<kvalitet_domain::Date>),
}

impl Value {
    /// The cell as text, the way the reader sees a cell of the workbook.
    pub fn shown(&self) -> String {
        match self {
            Value::Text(t) => t.trim().to_owned(),
            Value::Number(Some(n)) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Value::Number(Some(n)) => n.to_string(),
            Value::Date(Some(d)) => d.to_string(),
            Value::Number(None) | Value::Date(None) => String::new(),
        }
    }
}
