//! The organisation's records in the generic forms of `edit/`: the parts of the org
//! tree (placed by the domain's rules), target groups, process areas and the texts of the
//! six quality factors. They are the tenant's, managed by its administrators; one that
//! anything still refers to is not removed.

use std::collections::HashMap;

use kvalitet_domain::labels::Label;
use kvalitet_domain::org::{self as domain, OrgUnit, OrgUnitKind, ProcessArea, QualityFactor, TargetGroup};
use kvalitet_domain::{Code, Id, Validate, ValidationErrors};
use kvalitet_store::{StoreError, org};

use crate::auth::User;
use crate::error::WebResult;
use crate::forms::FormState;

use super::edit::{Doc, Editable, Field, Kind, Options, Owner, code_of, codes, field, id_of, optional, text};

fn organisation(user: &User) -> WebResult<Owner> {
    Ok(Owner::Organisation(user.session.account.tenant_id))
}

/// Both checks' problems together, so every field shows its own.
fn both(a: Result<(), ValidationErrors>, b: Result<(), ValidationErrors>) -> Result<(), ValidationErrors> {
    let mut e = a.err().unwrap_or_default();
    e.errors.extend(b.err().unwrap_or_default().errors);
    e.into_result()
}

impl Editable for OrgUnit {
    const PATH: &'static str = "organisation/enheter";
    const NOUN: &'static str = "del av organisationen";
    fn fields(o: &Options) -> Vec<Field> {
        // Only administrations and sections have parts under them.
        let parents = o
            .units
            .iter()
            .filter(|u| u.kind != OrgUnitKind::Unit)
            .map(|u| {
                let kind = if u.kind == OrgUnitKind::Administration { "förvaltning" } else { "sektion" };
                (u.id.to_string(), format!("{} ({kind})", u.name))
            })
            .collect();
        vec![
            field("name", "Namn", "Till exempel Beroendeenheten", Kind::Text),
            field(
                "kind",
                "Nivå",
                "En förvaltning delas i sektioner och en sektion i enheter.",
                codes::<OrgUnitKind>(Label::label),
            ),
            field(
                "parent_id",
                "Ligger under",
                "",
                optional(Kind::Select(parents), "Ingenting: överst i organisationen"),
            ),
            field(
                "capacity",
                "Antal platser",
                "Bara för boenden: platserna som beläggningen räknas mot. Lämna tomt annars.",
                Kind::Number,
            ),
        ]
    }
    fn new_owner(_: &HashMap<String, String>, user: &User) -> WebResult<Owner> {
        organisation(user)
    }
    fn return_to(_: &Doc) -> String {
        "/organisation".to_owned()
    }
    fn owner(&self) -> Owner {
        Owner::Organisation(self.tenant_id)
    }
    fn blank(doc: &Doc, _: &Options) -> Self {
        OrgUnit {
            tenant_id: doc.tenant,
            parent_id: Some(doc.scope),
            kind: OrgUnitKind::Section,
            name: String::new(),
            capacity: None,
        }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("name".into(), self.name.clone()),
            ("kind".into(), self.kind.code().into()),
            ("parent_id".into(), self.parent_id.map(|p| p.to_string()).unwrap_or_default()),
            ("capacity".into(), self.capacity.map(|c| c.to_string()).unwrap_or_default()),
        ])
    }
    fn apply(&self, f: &mut FormState, o: &Options) -> Self {
        let ids: Vec<_> = o.units.iter().map(|u| u.id).collect();
        OrgUnit {
            name: text(f, "name"),
            kind: code_of(f, "kind", self.kind),
            parent_id: id_of(f, "parent_id", &ids, "Välj en förvaltning eller sektion i listan."),
            capacity: f.count("capacity"),
            ..self.clone()
        }
    }
    fn check(
        &self,
        id: Option<Id<Self>>,
        o: &Options,
        _: &kvalitet_domain::risk::RiskMatrix,
    ) -> Result<(), ValidationErrors> {
        both(self.validate(), domain::check_placement(self, id, &o.units))
    }
    async fn in_use(conn: &mut sqlx::AnyConnection, id: Id<Self>) -> Result<Vec<(&'static str, i64)>, StoreError> {
        org::references(conn, id).await
    }
}

impl Editable for TargetGroup {
    const PATH: &'static str = "organisation/malgrupper";
    const NOUN: &'static str = "målgrupp";
    fn fields(_: &Options) -> Vec<Field> {
        vec![field(
            "name",
            "Målgrupp",
            "Till exempel Barn och ungdomar 0–20 år i behov av skydd eller stöd",
            Kind::Text,
        )]
    }
    fn new_owner(_: &HashMap<String, String>, user: &User) -> WebResult<Owner> {
        organisation(user)
    }
    fn return_to(_: &Doc) -> String {
        "/organisation/malgrupper".to_owned()
    }
    fn owner(&self) -> Owner {
        Owner::Organisation(self.tenant_id)
    }
    fn blank(doc: &Doc, _: &Options) -> Self {
        TargetGroup { tenant_id: doc.tenant, name: String::new() }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([("name".into(), self.name.clone())])
    }
    fn apply(&self, f: &mut FormState, _: &Options) -> Self {
        TargetGroup { name: text(f, "name"), ..self.clone() }
    }
    async fn in_use(conn: &mut sqlx::AnyConnection, id: Id<Self>) -> Result<Vec<(&'static str, i64)>, StoreError> {
        org::references(conn, id).await
    }
}

impl Editable for ProcessArea {
    const PATH: &'static str = "organisation/processomraden";
    const NOUN: &'static str = "processområde";
    const NEUTER: bool = true;
    fn fields(_: &Options) -> Vec<Field> {
        vec![
            field(
                "name",
                "Process eller område",
                "Rubriken som risker, egenkontroller och indikatorer grupperas under",
                Kind::Text,
            ),
            field("sort_order", "Ordning", "Ett heltal; lägre tal visas först", Kind::Number),
        ]
    }
    fn new_owner(_: &HashMap<String, String>, user: &User) -> WebResult<Owner> {
        organisation(user)
    }
    fn return_to(_: &Doc) -> String {
        "/organisation/processomraden".to_owned()
    }
    fn owner(&self) -> Owner {
        Owner::Organisation(self.tenant_id)
    }
    fn blank(doc: &Doc, o: &Options) -> Self {
        let last = o.areas.iter().map(|a| a.sort_order).max().unwrap_or(0);
        ProcessArea { tenant_id: doc.tenant, name: String::new(), sort_order: last + 10 }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([("name".into(), self.name.clone()), ("sort_order".into(), self.sort_order.to_string())])
    }
    fn apply(&self, f: &mut FormState, _: &Options) -> Self {
        let sort_order = f.count("sort_order");
        if sort_order.is_none() && f.error("sort_order").is_empty() {
            f.push("sort_order", "Ange ordningen som ett heltal, till exempel 10.");
        }
        ProcessArea { name: text(f, "name"), sort_order: sort_order.unwrap_or(self.sort_order), ..self.clone() }
    }
    async fn in_use(conn: &mut sqlx::AnyConnection, id: Id<Self>) -> Result<Vec<(&'static str, i64)>, StoreError> {
        org::references(conn, id).await
    }
}

impl Editable for QualityFactor {
    const PATH: &'static str = "organisation/kvalitetsfaktorer";
    const NOUN: &'static str = "kvalitetsfaktor";
    const FIXED: bool = true;
    fn fields(_: &Options) -> Vec<Field> {
        vec![
            field("name", "Kvalitetsfaktor", "", Kind::Text),
            field(
                "alias",
                "Annat namn",
                "Om faktorn kallas något annat i indikatortabeller, till exempel Effektivt resursutnyttjande",
                Kind::Text,
            ),
            field("description", "Beskrivning", "Vad faktorn betyder i verksamheten", Kind::Area),
        ]
    }
    fn new_owner(_: &HashMap<String, String>, user: &User) -> WebResult<Owner> {
        organisation(user)
    }
    fn return_to(_: &Doc) -> String {
        "/organisation/kvalitetsfaktorer".to_owned()
    }
    fn owner(&self) -> Owner {
        Owner::Organisation(self.tenant_id)
    }
    /// Never used: the six factors are not created through the forms.
    fn blank(doc: &Doc, _: &Options) -> Self {
        QualityFactor { tenant_id: doc.tenant, number: 1, name: String::new(), alias: None, description: String::new() }
    }
    fn form_values(&self) -> HashMap<String, String> {
        HashMap::from([
            ("name".into(), self.name.clone()),
            ("alias".into(), self.alias.clone().unwrap_or_default()),
            ("description".into(), self.description.clone()),
        ])
    }
    fn apply(&self, f: &mut FormState, _: &Options) -> Self {
        let alias = text(f, "alias");
        QualityFactor {
            name: text(f, "name"),
            alias: (!alias.is_empty()).then_some(alias),
            description: text(f, "description"),
            ..self.clone()
        }
    }
}
