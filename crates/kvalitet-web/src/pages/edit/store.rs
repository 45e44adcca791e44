//! Storing what a form describes: the checks every new or changed item passes (its own
//! validation, the risk matrix, its unit within the document's scope, the plan's risks
//! it links to, the right to edit) and the versioned write with its links. The pages and
//! the JSON API (`api/writes.rs`) both store through here, so both refuse the same things
//! with the same Swedish messages, each under the form's field name.

use std::collections::HashMap;

use kvalitet_domain::{Id, ValidationErrors, Versioned};
use kvalitet_store::links;
use kvalitet_store::{Actor, StoreError, plans, repo};

use crate::auth::User;
use crate::error::WebResult;
use crate::forms::FormState;
use crate::router::AppState;

use super::{Doc, Editable, Options, require_edit};

/// Who stores: the signed-in user (or the API token the user stands for) and the actor
/// the audit log names.
pub struct Editor<'a> {
    pub state: &'a AppState,
    pub user: &'a User,
    pub actor: &'a Actor,
}

/// What became of a change.
pub enum Stored {
    Saved,
    /// The form holds the problems.
    Invalid,
    /// Someone changed the item since the version read; nothing was stored.
    Conflict,
}

/// The item `form` describes on top of `base`, checked; the problems are in the form.
/// Refused outright (`Forbidden`) when the result is something the user may not edit.
async fn checked<T: Editable>(
    state: &AppState,
    user: &User,
    doc: &Doc,
    o: &Options,
    base: &T,
    id: Option<Id<T>>,
    form: &mut FormState,
) -> WebResult<(T, Vec<i64>)> {
    let item = base.apply(form, o);
    let risks = chosen_risks::<T>(form, o);
    require_edit(user, doc, &item)?;
    check_unit(user, doc, &item, form);
    let mut conn = state.store.read().await?;
    let matrix = plans::matrix(&mut conn, doc.tenant).await?;
    drop(conn);
    if let Err(v) = item.check(id, o, &matrix) {
        add_validation::<T>(form, o, &v);
    }
    Ok((item, risks))
}

/// Stores a new item of `doc` as `form` describes it, with its links and what else it
/// needs (`Editable::after_create`, given the page's `query`); `None` when the form holds
/// problems, and then nothing is stored.
pub async fn store_new<T: Editable>(
    editor: &Editor<'_>,
    doc: &Doc,
    o: &Options,
    form: &mut FormState,
    query: &HashMap<String, String>,
) -> WebResult<Option<Id<T>>> {
    let Editor { state, user, actor } = *editor;
    let blank = T::blank(doc, o);
    require_edit(user, doc, &blank)?;
    let (item, risks) = checked(state, user, doc, o, &blank, None, form).await?;
    if form.has_errors() {
        return Ok(None);
    }
    let mut tx = state.store.write(actor).await?;
    let id = repo::insert(&mut tx, &item).await?;
    if let Some(kind) = T::RISKS {
        links::set(&mut tx, kind, id.get(), &risks).await?;
    }
    T::after_create(&mut tx, id, query).await?;
    tx.commit().await?;
    Ok(Some(id))
}

/// Stores `current` changed as `form` describes, if `version` is still the stored one.
pub async fn store_change<T: Editable>(
    editor: &Editor<'_>,
    doc: &Doc,
    o: &Options,
    current: &Versioned<T>,
    version: i64,
    form: &mut FormState,
) -> WebResult<Stored> {
    let Editor { state, user, actor } = *editor;
    require_edit(user, doc, &current.item)?;
    let (next, risks) = checked(state, user, doc, o, &current.item, Some(current.id), form).await?;
    if form.has_errors() {
        return Ok(Stored::Invalid);
    }
    let mut tx = state.store.write(actor).await?;
    match repo::update(&mut tx, current.id, version, &next).await {
        Ok(_) => {
            if let Some(kind) = T::RISKS {
                links::set(&mut tx, kind, current.id.get(), &risks).await?;
            }
            tx.commit().await?;
            Ok(Stored::Saved)
        }
        Err(StoreError::Conflict { .. }) => Ok(Stored::Conflict),
        Err(e) => Err(e.into()),
    }
}

/// The form's values for the item's links: `risks_{id}=1` for each linked risk.
pub async fn link_values<T: Editable>(
    state: &AppState,
    id: Id<T>,
    values: &mut HashMap<String, String>,
) -> WebResult<()> {
    if let Some(kind) = T::RISKS {
        let mut conn = state.store.read().await?;
        for risk in links::linked_from(&mut conn, kind, id.get()).await? {
            values.insert(format!("risks_{risk}"), "1".to_owned());
        }
    }
    Ok(())
}

/// The form's field a record field is entered in (`process_area_id` in `area`).
fn form_field(record_field: &str) -> &str {
    match record_field {
        "process_area_id" | "area_id" => "area",
        "quality_factor_id" => "quality_factor",
        "unit_id" => "unit",
        other => other,
    }
}

/// The item's own validation problems, each beside the form's field it is entered in.
fn add_validation<T: Editable>(form: &mut FormState, o: &Options, errors: &ValidationErrors) {
    let fields = T::fields(o);
    for e in &errors.errors {
        let name = form_field(e.field);
        let label = fields.iter().find(|f| f.name == name).map_or("Fältet", |f| f.label);
        form.push(name, format!("{label} {}.", e.problem));
    }
}

/// The risks chosen in the form's "Risker", each one of the plan's; anything else is an
/// error beside the field.
fn chosen_risks<T: Editable>(form: &mut FormState, o: &Options) -> Vec<i64> {
    if T::RISKS.is_none() {
        return vec![];
    }
    let mut chosen = Vec::new();
    let mut foreign = false;
    for (key, value) in &form.values {
        let Some(id) = key.strip_prefix("risks_") else { continue };
        if value != "1" {
            continue;
        }
        match id.parse::<i64>() {
            Ok(id) if o.risks.iter().any(|r| r.id.get() == id) => chosen.push(id),
            _ => foreign = true,
        }
    }
    if foreign {
        form.push("risks", "Välj bland planens risker.");
    }
    chosen.sort_unstable();
    chosen
}
/// An item's unit must lie within its document's scope.
fn check_unit<T: Editable>(user: &User, doc: &Doc, item: &T, form: &mut FormState) {
    if let Some(u) = item.placed_in()
        && !kvalitet_domain::access::Tree::is_within(&user.tree, u, doc.scope)
    {
        form.push("unit", "Välj en enhet inom den del av organisationen som dokumentet gäller.");
    }
}
