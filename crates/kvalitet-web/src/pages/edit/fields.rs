//! The fields forms are made of, and reading their values back.

use std::collections::HashMap;

use kvalitet_domain::access::AccountId;
use kvalitet_domain::org::{ProcessArea, QualityFactor};
use kvalitet_domain::risk::Risk;
use kvalitet_domain::{Code, Date, Id};
use kvalitet_store::{StoreError, repo};

use crate::forms::FormState;

use super::{Field, Kind, Options};

pub(in crate::pages) fn field(name: &'static str, label: &'static str, hint: &'static str, kind: Kind) -> Field {
    Field { name, label, hint, kind }
}

pub(in crate::pages) fn codes<T: Code>(label: impl Fn(T) -> &'static str) -> Kind {
    // An option starts with a capital letter ("Varje månad") whatever the label's case.
    Kind::Select(
        T::ALL.iter().map(|v| (v.code().to_owned(), kvalitet_domain::labels::capitalised(label(*v)))).collect(),
    )
}

pub(in crate::pages) fn optional(mut kind: Kind, none: &str) -> Kind {
    if let Kind::Select(options) = &mut kind {
        options.insert(0, (String::new(), none.to_owned()));
    }
    kind
}

/// Links a new item of `plan` to the risk its page was opened from (`?risk=`), if that
/// risk is of the same plan.
pub(in crate::pages) async fn link_to_risk(
    tx: &mut kvalitet_store::Tx,
    kind: kvalitet_store::links::LinkKind,
    item: i64,
    plan: kvalitet_domain::plan::PlanId,
    query: &HashMap<String, String>,
) -> Result<(), StoreError> {
    if let Some(risk) = query.get("risk").and_then(|r| r.parse::<i64>().ok())
        && repo::find::<Risk>(tx, Id::new(risk)).await?.is_some_and(|r| r.plan_id == plan)
    {
        kvalitet_store::links::link(tx, kind, item, risk).await?;
    }
    Ok(())
}

pub(in crate::pages) fn id_of<T>(f: &mut FormState, name: &str, allowed: &[Id<T>], message: &str) -> Option<Id<T>> {
    let raw = f.value(name).trim().to_owned();
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>().ok().map(Id::new).filter(|id| allowed.contains(id)) {
        Some(id) => Some(id),
        None => {
            f.push(name, message.to_owned());
            None
        }
    }
}

pub(in crate::pages) fn code_of<T: Code>(f: &mut FormState, name: &str, fallback: T) -> T {
    match T::from_code(f.value(name)) {
        Some(v) => v,
        None => {
            f.push(name, "Välj ett av alternativen.");
            fallback
        }
    }
}

pub(in crate::pages) fn text(f: &FormState, name: &str) -> String {
    f.value(name).trim().to_owned()
}

pub(in crate::pages) fn optional_date(f: &mut FormState, name: &str) -> Option<Date> {
    if f.value(name).trim().is_empty() { None } else { f.date(name, "datum") }
}

pub(in crate::pages) fn area_options(o: &Options) -> Kind {
    Kind::Select(o.areas.iter().map(|a| (a.id.to_string(), a.name.clone())).collect())
}

pub(in crate::pages) fn factor_options(o: &Options) -> Kind {
    optional(Kind::Select(o.factors.iter().map(|q| (q.id.to_string(), q.name.clone())).collect()), "Ingen")
}

pub(in crate::pages) fn area_of(f: &mut FormState, o: &Options, current: Id<ProcessArea>) -> Id<ProcessArea> {
    let ids: Vec<_> = o.areas.iter().map(|a| a.id).collect();
    id_of(f, "area", &ids, "Välj ett område i listan.").unwrap_or(current)
}

pub(in crate::pages) fn factor_of(f: &mut FormState, o: &Options) -> Option<Id<QualityFactor>> {
    let ids: Vec<_> = o.factors.iter().map(|q| q.id).collect();
    id_of(f, "quality_factor", &ids, "Välj en kvalitetsfaktor i listan.")
}

pub(in crate::pages) fn first_area(o: &Options) -> Id<ProcessArea> {
    o.areas.first().map_or(Id::new(0), |a| a.id)
}

/// The plan's risks to choose among ("Risker").
pub(in crate::pages) fn risk_choices(o: &Options) -> Kind {
    Kind::Choices(o.risks.iter().map(|r| (r.id.to_string(), r.title.clone())).collect())
}

/// "Ansvarig": the tenant's active accounts, by name, "Ingen vald" first.
pub(in crate::pages) fn people_options(o: &Options) -> Kind {
    let people =
        o.people.iter().filter(|p| p.active).map(|p| (p.id.to_string(), format!("{} ({})", p.shown(), p.email)));
    optional(Kind::Select(people.collect()), "Ingen vald")
}

/// The responsible person chosen in `responsible_account`: none, or an active account
/// of the tenant (anything else is an error beside the field, naming it).
pub(in crate::pages) fn responsible_of(f: &mut FormState, o: &Options) -> Option<AccountId> {
    let ids: Vec<AccountId> = o.people.iter().filter(|p| p.active).map(|p| p.id).collect();
    id_of(
        f,
        "responsible_account",
        &ids,
        "Ansvarig måste vara en person med ett aktivt konto i kommunen. Välj i listan.",
    )
}

/// The form's value of a responsible account.
pub(in crate::pages) fn account_value(account: Option<AccountId>) -> String {
    account.map(|a| a.to_string()).unwrap_or_default()
}
