//! Gathering a lex Sarah case's facts for its report to IVO through the store: the
//! municipality, the unit and the units above it, the place category, the actions decided
//! for the case, its event analysis and the municipality's IVO deadline.

use sqlx::AnyConnection;

use kvalitet_domain::action::Action;
use kvalitet_domain::deviation::{Deviation, DeviationCategory, EventAnalysis};
use kvalitet_domain::org::Tenant;
use kvalitet_domain::{Id, Versioned};
use kvalitet_store::links::{self, LinkKind};
use kvalitet_store::{Column, Where, deviations, org, repo};

use super::IvoFacts;
use crate::DocumentError;

/// The facts of `deviation` (already read, and already checked to be the caller's to
/// read) for its report to IVO.
pub async fn facts(conn: &mut AnyConnection, deviation: Versioned<Deviation>) -> Result<IvoFacts, DocumentError> {
    let d = &deviation.item;
    let municipality = repo::get::<Tenant>(conn, d.tenant_id).await?.item.name;
    let units = org::units(conn, d.tenant_id).await?;
    // From the unit up to the top of the tree, then turned round.
    let mut unit_path = Vec::new();
    let mut next = Some(d.unit_id);
    while let Some(id) = next {
        let Some(u) = units.iter().find(|u| u.id == id) else { break };
        unit_path.push(u.name.clone());
        next = u.parent_id;
        if unit_path.len() > 64 {
            break;
        }
    }
    unit_path.reverse();
    let place = match d.place_category_id {
        Some(c) => repo::find::<DeviationCategory>(conn, c).await?.map(|c| c.item.name),
        None => None,
    };
    let mut action_ids: Vec<i64> = d.action_id.map(|a| a.get()).into_iter().collect();
    for a in links::linked_from(conn, LinkKind::DeviationAction, deviation.id.get()).await? {
        if !action_ids.contains(&a) {
            action_ids.push(a);
        }
    }
    let mut actions = Vec::with_capacity(action_ids.len());
    for a in action_ids {
        if let Some(action) = repo::find::<Action>(conn, Id::new(a)).await? {
            actions.push(action);
        }
    }
    let event_analysis =
        repo::list::<EventAnalysis>(conn, Where::sql("deviation_id = $1", vec![deviation.id.to_value()]))
            .await?
            .into_iter()
            .next()
            .map(|a| a.item);
    let ivo_deadline_days = deviations::settings(conn, d.tenant_id).await?.item.ivo_deadline_days;
    Ok(IvoFacts { municipality, unit_path, deviation, place, actions, event_analysis, ivo_deadline_days })
}
