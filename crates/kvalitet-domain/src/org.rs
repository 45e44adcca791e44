//! The organisation: tenants (municipalities), the org tree (administration > section >
//! unit), target groups, process areas and the six quality factors.

use serde::{Deserialize, Serialize};

use crate::coded_enum;
use crate::id::Id;
use crate::risk::RiskMatrix;
use crate::validate::{Validate, ValidationErrors, limits};

/// A municipality (or a group of them) using the installation. Every record belongs to
/// exactly one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tenant {
    pub name: String,
    pub slug: String,
    /// The municipality's brand colour for the interface, `#rrggbb`.
    pub brand_colour: String,
    pub risk_matrix: RiskMatrix,
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
            e.push("parent_id", crate::Problem::NotAllowed("bara en förvaltning kan ligga överst i organisationen"));
        }
        e.into_result()
    }
}

/// Checks that a child of kind `child` may be placed under a parent of kind `parent`.
pub fn may_nest(parent: OrgUnitKind, child: OrgUnitKind) -> bool {
    parent.child_kind() == Some(child)
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
