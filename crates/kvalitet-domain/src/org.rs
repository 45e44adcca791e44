//! The organisation: tenants (municipalities), the org tree (administration > section >
//! unit), target groups, process areas and the six quality factors.

use serde::{Deserialize, Serialize};

use crate::coded_enum;
use crate::id::{Id, Versioned};
use crate::risk::RiskMatrix;
use crate::validate::{Problem, Validate, ValidationErrors, limits};

/// A municipality (or a group of them) using the installation. Every record belongs to
/// exactly one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    pub name: String,
    pub slug: String,
    /// The municipality's brand colour for the interface, `#rrggbb`.
    pub brand_colour: String,
    pub risk_matrix: RiskMatrix,
    /// The demo municipality of the seed documents: its pages say so, and `kvalitet demo
    /// remove` takes it away.
    pub demo: bool,
}
pub type TenantId = Id<Tenant>;

coded_enum! {
    /// The level of a node in the org tree.
    pub enum OrgUnitKind {
        Administration = "administration",
        Section = "section",
        Unit = "unit",
    }
}

impl OrgUnitKind {
    /// The kind a child of this kind has, if any.
    pub fn child_kind(self) -> Option<OrgUnitKind> {
        match self {
            OrgUnitKind::Administration => Some(OrgUnitKind::Section),
            OrgUnitKind::Section => Some(OrgUnitKind::Unit),
            OrgUnitKind::Unit => None,
        }
    }
}

/// A node of the org tree: förvaltning/verksamhet, sektion or enhet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgUnit {
    pub tenant_id: TenantId,
    pub parent_id: Option<OrgUnitId>,
    pub kind: OrgUnitKind,
    pub name: String,
    /// Places, for residential units (stödboende, särskilt boende); used for occupancy.
    pub capacity: Option<i64>,
}
pub type OrgUnitId = Id<OrgUnit>;

impl Validate for OrgUnit {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("name", &self.name, limits::SHORT);
        if let Some(c) = self.capacity {
            e.range("capacity", c, 1, 10_000);
        }
        if self.parent_id.is_none() && self.kind != OrgUnitKind::Administration {
            e.push(
                "parent_id",
                Problem::NotAllowed("måste väljas: bara en förvaltning kan ligga överst i organisationen"),
            );
        }
        e.into_result()
    }
}

/// Checks that a child of kind `child` may be placed under a parent of kind `parent`.
pub fn may_nest(parent: OrgUnitKind, child: OrgUnitKind) -> bool {
    parent.child_kind() == Some(child)
}

/// Checks `unit` where it is placed in the tenant's tree (`units`; `id` is the unit's own
/// when it is already stored): the parent exists and is neither the unit nor below it,
/// the kind is the one just below the parent's, the units under it still fit its kind,
/// the tree keeps one top, and only units (not administrations or sections) have places.
pub fn check_placement(
    unit: &OrgUnit,
    id: Option<OrgUnitId>,
    units: &[Versioned<OrgUnit>],
) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::default();
    match unit.parent_id {
        Some(parent_id) => match units.iter().find(|u| u.id == parent_id) {
            None => e.push("parent_id", Problem::NotAllowed("finns inte i organisationen")),
            Some(_) if id.is_some_and(|id| is_within(units, parent_id, id)) => {
                e.push("parent_id", Problem::NotAllowed("kan inte vara den här enheten eller en enhet under den"))
            }
            Some(parent) if parent.kind == OrgUnitKind::Unit => e.push(
                "parent_id",
                Problem::NotAllowed("kan inte vara en enhet: enheter ligger lägst i organisationen"),
            ),
            Some(parent) if !may_nest(parent.kind, unit.kind) => e.push(
                "kind",
                Problem::NotAllowed(match parent.kind {
                    OrgUnitKind::Administration => "ska vara sektion när den ligger under en förvaltning",
                    _ => "ska vara enhet när den ligger under en sektion",
                }),
            ),
            Some(_) => {}
        },
        None => {
            if units.iter().any(|u| u.parent_id.is_none() && Some(u.id) != id) {
                e.push(
                    "parent_id",
                    Problem::NotAllowed("måste väljas: organisationen har redan en förvaltning överst"),
                );
            }
        }
    }
    if let Some(id) = id
        && units.iter().any(|u| u.parent_id == Some(id) && !may_nest(unit.kind, u.kind))
    {
        e.push("kind", Problem::NotAllowed("passar inte de delar som ligger under den; flytta dem först"));
    }
    if unit.capacity.is_some() && unit.kind != OrgUnitKind::Unit {
        e.push("capacity", Problem::NotAllowed("anges bara för enheter, inte för förvaltningar och sektioner"));
    }
    e.into_result()
}

/// Whether `unit` is `ancestor` or lies below it in `units`.
fn is_within(units: &[Versioned<OrgUnit>], unit: OrgUnitId, ancestor: OrgUnitId) -> bool {
    let mut next = Some(unit);
    for _ in 0..64 {
        match next {
            Some(u) if u == ancestor => return true,
            Some(u) => next = units.iter().find(|x| x.id == u).and_then(|x| x.parent_id),
            None => return false,
        }
    }
    false
}

/// A target group (målgrupp), e.g. "Barn och ungdomar i åldrarna 0 till 20 år …".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetGroup {
    pub tenant_id: TenantId,
    pub name: String,
}
pub type TargetGroupId = Id<TargetGroup>;

impl Validate for TargetGroup {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("name", &self.name, limits::TITLE);
        e.into_result()
    }
}

/// A process or area: the headings the seed tables are grouped under ("Myndighetsutövning
/// för barn och unga", "Stöd till vuxna", …). Indicator areas are process areas too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProcessArea {
    pub tenant_id: TenantId,
    pub name: String,
    pub sort_order: i64,
}
pub type ProcessAreaId = Id<ProcessArea>;

impl Validate for ProcessArea {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.text("name", &self.name, limits::TITLE);
        e.into_result()
    }
}

/// One of the six quality factors (kvalitetsfaktorer) of Swedish social services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityFactor {
    pub tenant_id: TenantId,
    /// 1 to 6, the order of seed 000's "Definition av kvalitet".
    pub number: i64,
    pub name: String,
    /// Another name the factor goes by in indicator tables ("Effektivt resursutnyttjande").
    pub alias: Option<String>,
    pub description: String,
}
pub type QualityFactorId = Id<QualityFactor>;

impl Validate for QualityFactor {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::default();
        e.range("number", self.number, 1, 6);
        e.text("name", &self.name, limits::TITLE);
        if let Some(alias) = &self.alias {
            e.optional_text("alias", alias, limits::TITLE);
        }
        e.optional_text("description", &self.description, limits::TEXT);
        e.into_result()
    }
}

impl QualityFactor {
    /// Whether `name` names this factor (by its name or its alias), ignoring case.
    pub fn is_named(&self, name: &str) -> bool {
        let name = name.trim().to_lowercase();
        self.name.to_lowercase() == name || self.alias.as_deref().is_some_and(|a| a.to_lowercase() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, parent: Option<i64>, kind: OrgUnitKind) -> Versioned<OrgUnit> {
        Versioned {
            id: Id::new(id),
            version: 1,
            item: OrgUnit {
                tenant_id: Id::new(1),
                parent_id: parent.map(Id::new),
                kind,
                name: format!("Del {id}"),
                capacity: None,
            },
        }
    }

    /// 1 = administration; 2 = section under it; 3 = unit under 2.
    fn tree() -> Vec<Versioned<OrgUnit>> {
        vec![
            unit(1, None, OrgUnitKind::Administration),
            unit(2, Some(1), OrgUnitKind::Section),
            unit(3, Some(2), OrgUnitKind::Unit),
        ]
    }

    fn fields(r: Result<(), ValidationErrors>) -> Vec<&'static str> {
        r.err().map(|e| e.errors.iter().map(|e| e.field).collect()).unwrap_or_default()
    }

    #[test]
    fn kinds_follow_the_levels_and_the_tree_stays_a_tree() {
        let t = tree();
        let new = |parent: Option<i64>, kind| OrgUnit { parent_id: parent.map(Id::new), kind, ..t[2].item.clone() };
        assert!(check_placement(&new(Some(2), OrgUnitKind::Unit), None, &t).is_ok());
        assert_eq!(fields(check_placement(&new(Some(2), OrgUnitKind::Section), None, &t)), ["kind"]);
        assert_eq!(fields(check_placement(&new(Some(3), OrgUnitKind::Unit), None, &t)), ["parent_id"]);
        assert_eq!(fields(check_placement(&new(Some(9), OrgUnitKind::Unit), None, &t)), ["parent_id"]);
        assert_eq!(fields(check_placement(&new(None, OrgUnitKind::Administration), None, &t)), ["parent_id"]);
        // The top may stay where it is; a section may not move below itself.
        assert!(check_placement(&t[0].item, Some(Id::new(1)), &t).is_ok());
        let moved = OrgUnit { parent_id: Some(Id::new(3)), ..t[1].item.clone() };
        assert_eq!(fields(check_placement(&moved, Some(Id::new(2)), &t)), ["parent_id"]);
        // A section with units under it cannot become a unit; only units have places.
        let demoted = OrgUnit { kind: OrgUnitKind::Unit, ..t[1].item.clone() };
        assert_eq!(fields(check_placement(&demoted, Some(Id::new(2)), &t)), ["kind", "kind"]);
        let placed = OrgUnit { capacity: Some(12), ..t[1].item.clone() };
        assert_eq!(fields(check_placement(&placed, Some(Id::new(2)), &t)), ["capacity"]);
        assert!(check_placement(&OrgUnit { capacity: Some(12), ..t[2].item.clone() }, Some(Id::new(3)), &t).is_ok());
    }
}
