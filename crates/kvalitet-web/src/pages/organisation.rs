//! The organisation for its administrators: the org tree as a nested list, one part of
//! it with what refers to it, and the lists of target groups, process areas and quality
//! factors. Creating, editing and removing go through the generic forms (`edit_org.rs`).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};

use kvalitet_domain::access::Permission;
use kvalitet_domain::org::{OrgUnit, OrgUnitId, OrgUnitKind, ProcessArea, QualityFactor, TargetGroup};
use kvalitet_domain::{Code, Versioned};
use kvalitet_store::org;

use crate::auth::{Nav, OrgTree, User};
use crate::error::{WebError, WebResult};
use crate::router::AppState;

/// The top of the tree, where the organisation's permission is asked.
pub fn top(tree: &OrgTree) -> WebResult<OrgUnitId> {
    tree.top().ok_or(WebError::NotFound)
}

/// The one check of these pages: may the user manage the whole organisation?
fn require(user: &User) -> WebResult<()> {
    user.require(Permission::ManageOrganisation, top(&user.tree)?)
}

/// One part of the tree in the nested list, in tree order.
pub struct Node {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub capacity: Option<i64>,
    /// The kind of a part under it (its code), if it may have any.
    pub child_kind: &'static str,
    pub has_children: bool,
    /// How many levels of the list end before this part.
    pub close: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "organisation.html")]
pub struct TreePage {
    pub nav: Nav,
    pub nodes: Vec<Node>,
    /// How many levels of the list end after the last part.
    pub close: usize,
}

/// The tree in depth-first order with each part's depth; children in the order they were
/// created.
fn walk(units: &[Versioned<OrgUnit>]) -> Vec<(&Versioned<OrgUnit>, usize)> {
    let mut out = Vec::new();
    let mut stack: Vec<(&Versioned<OrgUnit>, usize)> =
        units.iter().filter(|u| u.parent_id.is_none()).rev().map(|u| (u, 0)).collect();
    while let Some((u, depth)) = stack.pop() {
        if out.iter().any(|(o, _): &(&Versioned<OrgUnit>, usize)| o.id == u.id) || depth > 32 {
            continue;
        }
        out.push((u, depth));
        stack.extend(units.iter().filter(|c| c.parent_id == Some(u.id)).rev().map(|c| (c, depth + 1)));
    }
    out
}

fn nodes(units: &[Versioned<OrgUnit>]) -> (Vec<Node>, usize) {
    let order = walk(units);
    let mut nodes: Vec<Node> = Vec::with_capacity(order.len());
    let mut previous: Option<(usize, bool)> = None;
    for (u, depth) in order {
        let has_children = units.iter().any(|c| c.parent_id == Some(u.id));
        let close = match previous {
            Some((d, false)) => d.saturating_sub(depth),
            _ => 0,
        };
        nodes.push(Node {
            id: u.id.get(),
            name: u.name.clone(),
            kind: u.kind.code(),
            capacity: u.capacity,
            child_kind: u.kind.child_kind().map_or("", |k| k.code()),
            has_children,
            close,
        });
        previous = Some((depth, has_children));
    }
    (nodes, previous.map_or(0, |(d, _)| d))
}

pub async fn tree(State(state): State<AppState>, user: User) -> WebResult<TreePage> {
    require(&user)?;
    let mut conn = state.store.read().await?;
    let units = org::units(&mut conn, user.session.account.tenant_id).await?;
    let (nodes, close) = nodes(&units);
    Ok(TreePage { nav: user.nav(), nodes, close })
}

pub struct Link {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "org_unit.html")]
pub struct UnitPage {
    pub nav: Nav,
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub capacity: Option<i64>,
    pub child_kind: &'static str,
    /// The parts above it, from the top.
    pub path: Vec<Link>,
    pub children: Vec<Link>,
    /// What refers to it, per referring table.
    pub in_use: Vec<(&'static str, i64)>,
}

pub async fn unit(State(state): State<AppState>, user: User, Path(id): Path<String>) -> WebResult<UnitPage> {
    require(&user)?;
    let id = super::parse_id::<OrgUnit>(&id)?;
    let mut conn = state.store.read().await?;
    let units = org::units(&mut conn, user.session.account.tenant_id).await?;
    let unit = units.iter().find(|u| u.id == id).ok_or(WebError::NotFound)?;
    let link = |u: &Versioned<OrgUnit>| Link { id: u.id.get(), name: u.name.clone(), kind: u.kind.code() };
    let mut path: Vec<Link> = org::path(&units, id).into_iter().map(link).collect();
    path.pop();
    Ok(UnitPage {
        nav: user.nav(),
        id: id.get(),
        name: unit.name.clone(),
        kind: unit.kind.code(),
        capacity: unit.capacity,
        child_kind: unit.kind.child_kind().map_or("", |k: OrgUnitKind| k.code()),
        path,
        children: units.iter().filter(|u| u.parent_id == Some(id)).map(link).collect(),
        in_use: org::references(&mut conn, id).await?,
    })
}

/// A row of the lists of target groups, process areas and quality factors.
pub struct Row {
    pub id: i64,
    pub name: String,
    /// The sort order, or the factor's number.
    pub number: i64,
    pub alias: String,
    pub description: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "org_list.html")]
pub struct ListPage {
    pub nav: Nav,
    /// Which list: `malgrupper`, `processomraden` or `kvalitetsfaktorer`.
    pub kind: &'static str,
    pub rows: Vec<Row>,
}

fn row(id: i64, name: &str, number: i64) -> Row {
    Row { id, name: name.to_owned(), number, alias: String::new(), description: String::new() }
}

pub async fn target_groups(State(state): State<AppState>, user: User) -> WebResult<ListPage> {
    require(&user)?;
    let mut conn = state.store.read().await?;
    let groups: Vec<Versioned<TargetGroup>> = org::target_groups(&mut conn, user.session.account.tenant_id).await?;
    let rows = groups.iter().map(|g| row(g.id.get(), &g.name, 0)).collect();
    Ok(ListPage { nav: user.nav(), kind: "malgrupper", rows })
}

pub async fn process_areas(State(state): State<AppState>, user: User) -> WebResult<ListPage> {
    require(&user)?;
    let mut conn = state.store.read().await?;
    let areas: Vec<Versioned<ProcessArea>> = org::process_areas(&mut conn, user.session.account.tenant_id).await?;
    let rows = areas.iter().map(|a| row(a.id.get(), &a.name, a.sort_order)).collect();
    Ok(ListPage { nav: user.nav(), kind: "processomraden", rows })
}

pub async fn quality_factors(State(state): State<AppState>, user: User) -> WebResult<ListPage> {
    require(&user)?;
    let mut conn = state.store.read().await?;
    let factors: Vec<Versioned<QualityFactor>> =
        org::quality_factors(&mut conn, user.session.account.tenant_id).await?;
    let rows = factors
        .iter()
        .map(|q| Row {
            alias: q.alias.clone().unwrap_or_default(),
            description: q.description.clone(),
            ..row(q.id.get(), &q.name, q.number)
        })
        .collect();
    Ok(ListPage { nav: user.nav(), kind: "kvalitetsfaktorer", rows })
}
