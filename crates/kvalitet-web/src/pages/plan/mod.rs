//! The plan page: prose sections, focus areas, then risks, self-inspections and
//! indicators grouped by process area as the seed tables are, each with its actions and
//! what has been followed up. A large plan opens one process area at a time, the others
//! a link away (loaded into the page with htmx, a plain page load without it). Every
//! item has an element id (`risk-12`, `egenkontroll-3`, `atgard-7`, …) that the edit
//! forms return to.

mod large;

pub use large::{AreaLinkV, LARGE_PLAN};
use large::{area_window, chosen_part, show_part, show_window};

use askama::Template;
use askama_web::WebTemplate;
use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

use kvalitet_domain::Code;
use kvalitet_domain::access::Permission;
use kvalitet_domain::action::ActionFollowUp;
use kvalitet_domain::bundle::{ActionView, PlanBundle};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::{Id, Versioned};
use kvalitet_store::plan_part::{self, PlanOutline, PlanPart};
use kvalitet_store::plans;
use kvalitet_store::responsible::Names;
use kvalitet_store::{Column, Value, Where, repo};

use super::PageNav;
use super::follow_up::{ResultRow, value_in};
use crate::auth::{Nav, User};
use crate::error::WebResult;
use crate::format::number;
use crate::forms::FormState;
use crate::router::AppState;
use crate::text::{Block, blocks};

pub struct SectionV {
    pub anchor: String,
    pub edit: String,
    pub heading: String,
    pub blocks: Vec<Block>,
}

pub struct FollowUpV {
    pub date: String,
    pub status: &'static str,
    pub blocks: Vec<Block>,
}

pub struct ActionV {
    /// The element id, on the first place the action is shown (an action of both a risk
    /// and a self-inspection is shown under both).
    pub anchor: String,
    pub href: String,
    pub title: String,
    pub blocks: Vec<Block>,
    pub status: &'static str,
    pub withdrawn_reason: String,
    /// Who is responsible: the account's name, else the text.
    pub responsible: String,
    pub follow_ups: Vec<FollowUpV>,
}

pub struct RiskV {
    pub id: i64,
    pub href: String,
    pub anchor: String,
    pub title: String,
    pub level: u8,
    pub factors: String,
    pub zone: String,
    pub zone_label: String,
    pub needs_reassessment: bool,
    pub blocks: Vec<Block>,
    pub actions: Vec<ActionV>,
}

pub struct RunV {
    pub date: String,
    pub verdict: &'static str,
    pub result: String,
    pub reason: String,
    pub blocks: Vec<Block>,
}

pub struct SelfInspectionV {
    pub id: i64,
    pub anchor: String,
    pub unit_id: Option<i64>,
    pub href: String,
    pub title: String,
    pub is_new: bool,
    pub previous_status: &'static str,
    pub method: &'static str,
    pub frequency: &'static str,
    pub target: String,
    /// Who carries it out: the account's name, else the text.
    pub responsible: String,
    pub purpose: Vec<Block>,
    /// The risks it is linked to: on this page, or a link to where they are shown.
    pub risks: Vec<RiskLinkV>,
    pub action_note: String,
    pub actions: Vec<ActionV>,
    pub runs: Vec<RunV>,
}

pub struct RiskLinkV {
    pub anchor: String,
    pub href: String,
    pub title: String,
}

pub struct IndicatorV {
    pub anchor: String,
    pub href: String,
    pub name: String,
    pub factor: String,
    pub unit: &'static str,
    pub target: String,
    pub no_data: bool,
    pub note: String,
    pub results: Vec<ResultRow>,
}

pub struct GroupV<T> {
    pub area: String,
    pub items: Vec<T>,
}

pub struct AreaV {
    pub area: String,
    pub risks: Vec<RiskV>,
    pub self_inspections: Vec<SelfInspectionV>,
}

pub struct FocusV {
    pub anchor: String,
    pub edit: String,
    pub kind: &'static str,
    pub title: String,
    pub blocks: Vec<Block>,
}

/// The plan page's filters: by process area, quality factor, action status and unit.
#[derive(Default)]
pub struct Filters {
    pub area: String,
    pub factor: String,
    pub status: String,
    pub unit: String,
    pub areas: Vec<(String, String)>,
    pub factors: Vec<(String, String)>,
    pub statuses: Vec<&'static str>,
    pub units: Vec<(String, String)>,
}

impl Filters {
    pub fn active(&self) -> bool {
        !(self.area.is_empty() && self.factor.is_empty() && self.status.is_empty() && self.unit.is_empty())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "plan.html", blocks = ["posts"])]
pub struct PlanPage {
    pub nav: Nav,
    pub filters: Filters,
    /// A large plan, shown one process area at a time: the links to every area.
    pub area_links: Vec<AreaLinkV>,
    /// A large area, shown `AREA_PAGE` risks and self-inspections at a time: which
    /// ("Visar 1–20 av 88 risker och egenkontroller"), and the pages before and after.
    pub area_page: Option<PageNav>,
    pub href: String,
    pub id: i64,
    pub heat_map: String,
    pub version: i64,
    /// May adopt the draft or roll the adopted plan into next year.
    pub may_edit: bool,
    pub is_draft: bool,
    /// What to look at before adopting: risks still to be re-assessed, actions without
    /// anyone responsible.
    pub to_reassess: usize,
    pub without_owner: usize,
    /// Next year's plan of the same scope, if it exists.
    pub next_plan: String,
    pub form: crate::forms::FormState,
    pub title: String,
    pub scope: String,
    pub year: i64,
    pub state: &'static str,
    pub adopted_on: String,
    pub board_reference: String,
    /// "2025-02-12, SN-2025/14" once the plan is followed up.
    pub followed_up: String,
    pub sections: Vec<SectionV>,
    pub focus_areas: Vec<FocusV>,
    pub areas: Vec<AreaV>,
    pub loose_actions: Vec<ActionV>,
    pub indicator_groups: Vec<GroupV<IndicatorV>>,
    pub counts: (usize, usize, usize, usize),
}

fn action_v(a: &ActionView<'_>, names: &Names) -> ActionV {
    ActionV {
        anchor: anchor("atgard", a.action.id),
        href: format!("/atgarder/{}", a.action.id),
        title: a.action.title.clone(),
        blocks: blocks(&a.action.description),
        status: a.action.status.code(),
        withdrawn_reason: a.action.withdrawn_reason.clone().unwrap_or_default(),
        responsible: names.responsible(a.action.responsible_account_id, &a.action.responsible),
        follow_ups: a.follow_ups.iter().map(|f| follow_up_v(f)).collect(),
    }
}

fn follow_up_v(f: &ActionFollowUp) -> FollowUpV {
    FollowUpV {
        date: kvalitet_domain::shown_date(f.entry_on, f.undated),
        status: f.new_status.code(),
        blocks: blocks(&f.text),
    }
}

fn anchor<T>(prefix: &str, id: Id<T>) -> String {
    format!("{prefix}-{id}")
}

pub fn view(b: &PlanBundle, outline: &PlanOutline, names: &Names, nav: Nav) -> PlanPage {
    let action_v = |a: &ActionView<'_>| action_v(a, names);
    let ix = b.index();
    let areas = b
        .risk_groups(&ix)
        .into_iter()
        .map(|g| AreaV {
            area: g.area.name.clone(),
            risks: g
                .risks
                .iter()
                .map(|r| {
                    let zone = b.matrix.zone(r.risk.level());
                    RiskV {
                        id: r.risk.id.get(),
                        href: format!("/risker/{}", r.risk.id),
                        anchor: anchor("risk", r.risk.id),
                        title: r.risk.title.clone(),
                        level: r.risk.level().get(),
                        factors: match (r.risk.likelihood, r.risk.consequence) {
                            (Some(l), Some(c)) => format!("{l} × {c}"),
                            _ => String::new(),
                        },
                        zone: zone.code.clone(),
                        zone_label: zone.label.clone(),
                        needs_reassessment: r.risk.needs_reassessment,
                        blocks: blocks(&r.risk.consequence_text),
                        actions: r.actions.iter().map(&action_v).collect(),
                    }
                })
                .collect(),
            self_inspections: g
                .self_inspections
                .iter()
                .map(|s| {
                    let si = s.self_inspection;
                    SelfInspectionV {
                        id: si.id.get(),
                        anchor: anchor("egenkontroll", si.id),
                        unit_id: si.unit_id.map(|u| u.get()),
                        href: format!("/egenkontroller/{}", si.id),
                        title: si.title.clone(),
                        is_new: si.is_new,
                        previous_status: si.previous_status.map_or("", |p| p.code()),
                        method: si.method.code(),
                        frequency: si.frequency.code(),
                        target: si.target.clone(),
                        responsible: names.responsible(si.responsible_account_id, &si.responsible),
                        purpose: blocks(&si.purpose),
                        risks: s
                            .risks
                            .iter()
                            .map(|r| {
                                let anchor = anchor("risk", r.id);
                                RiskLinkV { href: format!("#{anchor}"), anchor, title: r.title.clone() }
                            })
                            .collect(),
                        action_note: si.action_note.clone(),
                        actions: s.actions.iter().map(&action_v).collect(),
                        runs: s
                            .runs
                            .iter()
                            .map(|r| RunV {
                                date: kvalitet_domain::shown_date(r.run_on, r.undated),
                                verdict: r.verdict.code(),
                                result: r.result_value.map(number).unwrap_or_default(),
                                // The reason is often the first sentence of the comment.
                                reason: if r.comment.contains(r.verdict_reason.trim()) {
                                    String::new()
                                } else {
                                    r.verdict_reason.clone()
                                },
                                blocks: blocks(&r.comment),
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();
    let indicator_groups = b
        .indicator_groups(&ix)
        .into_iter()
        .map(|g| GroupV {
            area: g.area.name.clone(),
            items: g
                .indicators
                .iter()
                .map(|i| {
                    let ind = i.indicator;
                    IndicatorV {
                        anchor: anchor("indikator", ind.id),
                        href: format!("/indikatorer/{}", ind.id),
                        name: ind.name.clone(),
                        factor: i.quality_factor.map(|q| q.name.clone()).unwrap_or_default(),
                        unit: ind.unit.code(),
                        target: ind.target_value.map(|t| value_in(ind.unit, t)).unwrap_or_default(),
                        no_data: ind.no_data,
                        note: ind.note.clone(),
                        results: i.results.iter().map(|r| ResultRow::of(ind.unit, r)).collect(),
                    }
                })
                .collect(),
        })
        .collect();
    let mut page = PlanPage {
        nav,
        filters: Filters::default(),
        area_links: vec![],
        area_page: None,
        href: format!("/planer/{}", b.plan.id),
        id: b.plan.id.get(),
        heat_map: format!("/planer/{}/riskkarta", b.plan.id),
        version: b.plan.version,
        may_edit: false,
        is_draft: !b.plan.is_adopted(),
        to_reassess: outline.to_reassess as usize,
        without_owner: outline.without_owner as usize,
        next_plan: String::new(),
        form: crate::forms::FormState::default(),
        title: b.plan.title.clone(),
        scope: b.scope.name.clone(),
        year: b.plan.year,
        state: b.plan.state.code(),
        adopted_on: b.plan.adopted_on.map(|d| d.to_string()).unwrap_or_default(),
        board_reference: b.plan.board_reference.clone().unwrap_or_default(),
        followed_up: b
            .plan
            .followed_up_on
            .map(|d| match &b.plan.follow_up_reference {
                Some(r) => format!("{d}, {r}"),
                None => d.to_string(),
            })
            .unwrap_or_default(),
        sections: b
            .sections
            .iter()
            .map(|s| SectionV {
                anchor: anchor("avsnitt", s.id),
                edit: format!("/avsnitt/{}/andra", s.id),
                heading: s.heading.clone(),
                blocks: blocks(&s.body),
            })
            .collect(),
        focus_areas: b
            .focus_areas
            .iter()
            .map(|f| FocusV {
                anchor: anchor("fokusomrade", f.id),
                edit: format!("/fokusomraden/{}/andra", f.id),
                kind: f.kind.code(),
                title: f.title.clone(),
                blocks: blocks(&f.body),
            })
            .collect(),
        areas,
        loose_actions: b.loose_actions(&ix).iter().map(action_v).collect(),
        indicator_groups,
        counts: (
            outline.risks as usize,
            outline.self_inspections as usize,
            outline.actions as usize,
            outline.indicators as usize,
        ),
    };
    unique_action_anchors(&mut page);
    page
}

/// An action is shown under each risk and self-inspection it follows up; only the first
/// place keeps its element id, so ids stay unique.
fn unique_action_anchors(page: &mut PlanPage) {
    let mut seen = std::collections::HashSet::new();
    let actions = page
        .areas
        .iter_mut()
        .flat_map(|a| {
            a.risks
                .iter_mut()
                .flat_map(|r| r.actions.iter_mut())
                .chain(a.self_inspections.iter_mut().flat_map(|s| s.actions.iter_mut()))
        })
        .chain(page.loose_actions.iter_mut());
    for a in actions {
        if !seen.insert(a.anchor.clone()) {
            a.anchor.clear();
        }
    }
}

/// A filter's value in `q`. Area and unit names are long ("Myndighetsutövning för
/// personer som utsatts för eller som utövar våld i nära relationer"); anything longer
/// than a name can be is ignored.
fn filter_value(q: &HashMap<String, String>, key: &str) -> String {
    q.get(key).filter(|v| v.len() <= 500).cloned().unwrap_or_default()
}

/// Applies the filters of `q` to the page; the filter choices come from the plan.
fn filter(page: &mut PlanPage, b: &PlanBundle, units: &[(String, String)], q: &HashMap<String, String>) {
    let get = |k: &str| filter_value(q, k);
    let f = Filters {
        area: get("omrade"),
        factor: get("faktor"),
        status: get("status"),
        unit: get("enhet"),
        areas: page
            .areas
            .iter()
            .map(|a| a.area.clone())
            .chain(page.indicator_groups.iter().map(|g| g.area.clone()))
            .map(|a| (a.clone(), a))
            .collect(),
        factors: b.quality_factors.iter().map(|q| (q.name.clone(), q.name.clone())).collect(),
        statuses: kvalitet_domain::action::ActionStatus::ALL.iter().map(|s| s.code()).collect(),
        units: units.to_vec(),
    };
    if !f.area.is_empty() {
        page.areas.retain(|a| a.area == f.area);
        page.indicator_groups.retain(|g| g.area == f.area);
    }
    if !f.factor.is_empty() {
        for g in &mut page.indicator_groups {
            g.items.retain(|i| i.factor == f.factor);
        }
        page.indicator_groups.retain(|g| !g.items.is_empty());
    }
    if !f.status.is_empty() {
        for a in &mut page.areas {
            for r in &mut a.risks {
                r.actions.retain(|x| x.status == f.status);
            }
            a.risks.retain(|r| !r.actions.is_empty());
            for s in &mut a.self_inspections {
                s.actions.retain(|x| x.status == f.status);
            }
            a.self_inspections.retain(|s| !s.actions.is_empty());
        }
        page.loose_actions.retain(|x| x.status == f.status);
    }
    if !f.unit.is_empty() {
        for a in &mut page.areas {
            a.self_inspections.retain(|s| s.unit_id.is_some_and(|u| u.to_string() == f.unit));
            a.risks.clear();
        }
    }
    page.areas.retain(|a| !a.risks.is_empty() || !a.self_inspections.is_empty());
    page.filters = f;
}

/// The plan page for a user: what they may see, and the annual-cycle controls where
/// they may edit the plan.
pub async fn page(state: &AppState, user: &User, id: Id<QualityPlan>, form: FormState) -> WebResult<PlanPage> {
    page_filtered(state, user, id, form, &HashMap::new()).await
}

pub async fn page_filtered(
    state: &AppState,
    user: &User,
    id: Id<QualityPlan>,
    form: FormState,
    q: &HashMap<String, String>,
) -> WebResult<PlanPage> {
    let mut conn = state.store.read().await?;
    let mut bundle = plans::load_head(&mut conn, id).await?;
    user.require_read_plan(&bundle.plan)?;
    // A large plan reads only the part it shows.
    let outline = plan_part::outline(&mut conn, id).await?;
    let part = if (outline.risks + outline.self_inspections) as usize > LARGE_PLAN {
        Some(chosen_part(&mut conn, &bundle, &outline, q).await?)
    } else {
        None
    };
    // Of a large area, only the page's risks and self-inspections.
    let window = match part {
        Some(PlanPart::Area(area)) => Some(area_window(&mut conn, id, area, q).await?),
        _ => None,
    };
    match (part, &window) {
        (Some(PlanPart::Area(area)), Some(w)) => {
            plan_part::fill_area_items(&mut conn, &mut bundle, area, &w.items).await?
        }
        (Some(part), _) => plan_part::fill_part(&mut conn, &mut bundle, part).await?,
        (None, _) => plans::fill_all(&mut conn, &mut bundle).await?,
    }
    let next: Vec<Versioned<QualityPlan>> = repo::list(
        &mut conn,
        Where::sql(
            "scope_id = $1 AND year = $2",
            vec![bundle.plan.scope_id.to_value(), Value::Int(bundle.plan.year + 1)],
        ),
    )
    .await?;
    // The filter's units: the plan's scope and what lies below it, from the tree in
    // memory; only their names read.
    let tenant = bundle.plan.tenant_id;
    let subtree = user.tree.subtree(bundle.plan.scope_id);
    let unit_names = kvalitet_store::org::names(&mut conn, tenant, subtree.iter().copied()).await?;
    let units: Vec<(String, String)> =
        subtree.iter().filter_map(|id| Some((id.to_string(), unit_names.get(id)?.clone()))).collect();
    let accounts = bundle.actions.iter().filter_map(|a| a.responsible_account_id);
    let accounts = accounts.chain(bundle.self_inspections.iter().filter_map(|s| s.responsible_account_id));
    let names = kvalitet_store::responsible::names_of(&mut conn, tenant, accounts).await?;
    let mut page = view(&bundle, &outline, &names, user.nav());
    match part {
        Some(part) => {
            let q = show_part(&mut page, &bundle, &outline, part, q);
            filter(&mut page, &bundle, &units, &q);
            if let Some(window) = &window {
                show_window(&mut page, window);
            }
        }
        None => filter(&mut page, &bundle, &units, q),
    }
    page.may_edit = user.may(Permission::EditPlan, bundle.plan.scope_id);
    page.next_plan = next.first().map(|p| format!("/planer/{}", p.id)).unwrap_or_default();
    if form.values.is_empty() {
        let mut form = form;
        form.values.insert("adopted_on".into(), super::deviations::today().to_string());
        page.form = form;
    } else {
        page.form = form;
    }
    Ok(page)
}

/// The plan page, or for htmx's request of the items (a filter changed, another process
/// area chosen) only the items: `#planens-poster`. History restores ask for the page.
pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> WebResult<Response> {
    let page = page_filtered(&state, &user, super::parse_id(&id)?, FormState::default(), &q).await?;
    let fragment = headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request");
    let mut res = if fragment {
        Html(page.as_posts().render().map_err(|e| crate::error::WebError::Internal(e.into()))?).into_response()
    } else {
        page.into_response()
    };
    res.headers_mut().insert(header::VARY, HeaderValue::from_static("HX-Request"));
    Ok(res)
}
