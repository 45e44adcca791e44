//! The Swedish names of the domain's codes, from the one table in
//! `kvalitet_domain::labels` that the web interface uses as well.

use kvalitet_domain::action::ActionStatus;
use kvalitet_domain::deviation::{DeviationKind, LexSarahCategory};
use kvalitet_domain::indicator::MeasureUnit;
use kvalitet_domain::labels::{Label, capitalised};
use kvalitet_domain::plan::FocusAreaKind;
use kvalitet_domain::self_inspection::{Frequency, Method, TrafficLight, Verdict};

pub use kvalitet_domain::labels::{FEW_ANSWERS, THIN_BASIS};

pub fn action_status(s: ActionStatus) -> &'static str {
    s.label()
}

pub fn verdict(v: Verdict) -> &'static str {
    v.label()
}

/// Last year's status as a document prints it: "Grön", "Uppgift saknas i underlaget".
pub fn traffic(t: TrafficLight) -> String {
    capitalised(t.label())
}

pub fn method(m: Method) -> &'static str {
    m.label()
}

pub fn frequency(f: Frequency) -> &'static str {
    f.label()
}

pub fn focus_kind_plural(k: FocusAreaKind, year: i64) -> String {
    k.heading(year)
}

pub fn deviation_kind(k: DeviationKind) -> &'static str {
    k.label()
}

pub fn lex_sarah(c: LexSarahCategory) -> &'static str {
    c.label()
}

pub fn measure_unit(u: MeasureUnit) -> &'static str {
    u.label()
}
