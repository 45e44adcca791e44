//! Deviations, lex Sarah reports and complaints: the list of a year with its counts (only
//! of units the user may see; every record shown is logged as read) in `list`, the same
//! as a workbook in `export`, registration by any staff member for their own unit in
//! `new`, the record's page in `show`, its handling in `handle` and the change of its
//! kind in `reclassify`.

mod export;
mod handle;
mod list;
mod new;
mod reclassify;
mod show;

pub use export::{download, download_csv};
pub use handle::handle;
pub use list::list;
pub use list::log_reads;
pub(crate) use new::{complaint_choice, occurred_on, registrable_units};
pub use new::{create, new_form};
pub use reclassify::reclassify;
pub use show::show;

use kvalitet_domain::deviation::DeviationKind;
use kvalitet_domain::org::OrgUnit;
use kvalitet_domain::{Code, Date, Versioned};

/// Today in Sweden (as the server is to see it: see `crate::clock`).
pub fn today() -> Date {
    crate::clock::today()
}

fn unit_name(units: &[Versioned<OrgUnit>], id: kvalitet_domain::org::OrgUnitId) -> String {
    units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default()
}

pub(crate) fn kinds() -> Vec<&'static str> {
    DeviationKind::ALL.iter().map(|k| k.code()).collect()
}
