//! A large plan's page (more than `LARGE_PLAN` risks and self-inspections): one part at
//! a time, the other parts as links with their counts, and a large area 20 items a page,
//! chosen and read by the database (`kvalitet_store::plan_part`).

use std::collections::HashMap;

use kvalitet_domain::bundle::PlanBundle;
use kvalitet_domain::org::{ProcessArea, ProcessAreaId};
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::{Id, Versioned};
use kvalitet_store::plan_part::{self, AreaFilter, PlanItem, PlanOutline, PlanPart};

use super::{PlanPage, filter_value};
use crate::error::WebResult;
use crate::format::plural;
use crate::pages::PageNav;

/// A link to one process area of a large plan, with how many items it has.
pub struct AreaLinkV {
    pub name: String,
    /// Its value of `omrade`.
    pub value: String,
    pub href: String,
    pub count: String,
    pub current: bool,
}

/// More risks and self-inspections than this and the plan page opens one process area
/// at a time.
pub const LARGE_PLAN: usize = 40;

/// The risks and self-inspections a large plan's page shows of its area at a time.
pub const AREA_PAGE: usize = 20;

/// The value of `omrade` that shows a large plan's actions tied to no risk or
/// self-inspection (no process area is named so: names are words).
const OTHER_ACTIONS: &str = "-";

/// The process areas of a large plan that hold anything, in the page's order: those
/// with risks or self-inspections in display order, then those with indicators only;
/// with how many items each holds.
fn outline_areas<'a>(b: &'a PlanBundle, outline: &PlanOutline) -> Vec<(&'a Versioned<ProcessArea>, i64)> {
    let mut areas: Vec<_> =
        b.process_areas.iter().filter_map(|a| Some((a, *outline.areas.iter().find(|c| c.area == a.id)?))).collect();
    areas.sort_by_key(|(a, c)| (c.items == 0, a.sort_order, a.id));
    areas.into_iter().map(|(a, c)| (a, c.items + c.indicators)).collect()
}

/// The element id a page returns to (`visa`) as the plan item it names.
fn item_of_anchor(anchor: &str) -> Option<PlanItem> {
    let (prefix, id) = anchor.rsplit_once('-')?;
    let id: i64 = id.parse().ok().filter(|i| *i > 0)?;
    Some(match prefix {
        "risk" => PlanItem::Risk(Id::new(id)),
        "egenkontroll" => PlanItem::SelfInspection(Id::new(id)),
        "indikator" => PlanItem::Indicator(Id::new(id)),
        "atgard" => PlanItem::Action(Id::new(id)),
        _ => return None,
    })
}

/// The part a large plan opens at: the process area asked for (`omrade`, or the actions
/// tied to nothing), else the one showing the item the user returns to (`visa`), else
/// the first.
pub(super) async fn chosen_part(
    conn: &mut sqlx::AnyConnection,
    b: &PlanBundle,
    outline: &PlanOutline,
    q: &HashMap<String, String>,
) -> WebResult<PlanPart> {
    let areas = outline_areas(b, outline);
    let asked = q.get("omrade").map(String::as_str).unwrap_or_default();
    if asked == OTHER_ACTIONS {
        return Ok(PlanPart::LooseActions);
    }
    if let Some((a, _)) = areas.iter().find(|(a, _)| a.name == asked) {
        return Ok(PlanPart::Area(a.id));
    }
    if let Some(item) = q.get("visa").and_then(|v| item_of_anchor(v))
        && let Some(part) = plan_part::part_of(conn, b.plan.id, item).await?
    {
        return Ok(part);
    }
    Ok(areas.first().map_or(PlanPart::LooseActions, |(a, _)| PlanPart::Area(a.id)))
}

/// A large plan shows one part: the others become links with their counts, the actions
/// tied to nothing last. Returns the query the filters then apply, with the area chosen.
pub(super) fn show_part(
    page: &mut PlanPage,
    b: &PlanBundle,
    outline: &PlanOutline,
    part: PlanPart,
    q: &HashMap<String, String>,
) -> HashMap<String, String> {
    let link = |value: &str| {
        let value = percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC);
        format!("{}?omrade={value}", page.href)
    };
    let mut links: Vec<AreaLinkV> = outline_areas(b, outline)
        .into_iter()
        .map(|(area, count)| AreaLinkV {
            name: area.name.clone(),
            value: area.name.clone(),
            href: link(&area.name),
            count: plural(count as usize, "post", "poster"),
            current: part == PlanPart::Area(area.id),
        })
        .collect();
    if outline.loose_actions > 0 {
        links.push(AreaLinkV {
            name: "Övriga åtgärder".to_owned(),
            value: OTHER_ACTIONS.to_owned(),
            href: link(OTHER_ACTIONS),
            count: plural(outline.loose_actions as usize, "åtgärd", "åtgärder"),
            current: part == PlanPart::LooseActions,
        });
    }
    page.area_links = links;
    let mut q = q.clone();
    let area = match part {
        PlanPart::Area(a) => b.area(a).map(|a| a.name.clone()).unwrap_or_default(),
        PlanPart::LooseActions => {
            page.areas.clear();
            page.indicator_groups.clear();
            String::new()
        }
    };
    if !area.is_empty() {
        page.loose_actions.clear();
    }
    q.insert("omrade".to_owned(), area);
    q
}

/// The risks and self-inspections of a large plan's area that one page shows: all when
/// the area has at most `AREA_PAGE` (after the filters), else a page of them.
pub(super) struct AreaWindow {
    /// The page's items, in display order.
    pub(super) items: Vec<PlanItem>,
    /// Its number, from 1, and the number of pages.
    number: usize,
    pages: usize,
    /// The place of its first item in the area, from 0, and how many the area lists.
    start: usize,
    total: usize,
}

/// The page of a large plan's area asked for (`sida`), else the one holding the item
/// the user returns to (`visa`), else the first; counted and ordered by the database
/// with the status and unit filters applied, so that only the page's items are read.
pub(super) async fn area_window(
    conn: &mut sqlx::AnyConnection,
    plan: Id<QualityPlan>,
    area: ProcessAreaId,
    q: &HashMap<String, String>,
) -> WebResult<AreaWindow> {
    let (status, unit) = (filter_value(q, "status"), filter_value(q, "enhet"));
    let filter = AreaFilter {
        status: (!status.is_empty()).then_some(status),
        // A unit that is not a number is no unit's: it lists nothing, as the page's filter.
        unit: (!unit.is_empty()).then(|| unit.parse().unwrap_or(-1)),
    };
    let all = plan_part::area_items(conn, plan, area, &filter).await?;
    let total = all.len();
    let pages = total.div_ceil(AREA_PAGE).max(1);
    let place = match q.get("visa").and_then(|v| item_of_anchor(v)) {
        Some(PlanItem::Action(action)) => {
            let showing = plan_part::items_of_action(conn, action).await?;
            all.iter().position(|i| showing.contains(i))
        }
        Some(item) => all.iter().position(|i| *i == item),
        None => None,
    };
    let asked = q.get("sida").and_then(|n| n.parse::<usize>().ok()).filter(|n| (1..=pages).contains(n));
    let number = asked.or(place.map(|i| i / AREA_PAGE + 1)).unwrap_or(1);
    let start = (number - 1) * AREA_PAGE;
    let items = all[start.min(total)..(start + AREA_PAGE).min(total)].to_vec();
    Ok(AreaWindow { items, number, pages, start, total })
}

/// Shows the window's items of the area (not the risks of other pages that its
/// self-inspections name, which are read to name them) and, when the area has more
/// than one page, where the page is and the links on. A self-inspection's link to a risk
/// not on the page goes to the page that shows it.
pub(super) fn show_window(page: &mut PlanPage, window: &AreaWindow) {
    let href = page.href.clone();
    let Some(area) = page.areas.first_mut() else { return };
    area.risks.retain(|r| window.items.contains(&PlanItem::Risk(Id::new(r.id))));
    if window.total > AREA_PAGE {
        let (n, end) = (window.number, (window.start + AREA_PAGE).min(window.total));
        let f = &page.filters;
        let link = |n: usize| {
            let mut pairs = vec![("omrade", f.area.clone())];
            for (k, v) in [("faktor", &f.factor), ("status", &f.status), ("enhet", &f.unit)] {
                if !v.is_empty() {
                    pairs.push((k, v.clone()));
                }
            }
            pairs.push(("sida", n.to_string()));
            format!("{href}?{}", crate::pages::lists::query_string(&pairs))
        };
        page.area_page = Some(PageNav {
            shown: format!("Visar {}–{end} av {} risker och egenkontroller i området.", window.start + 1, window.total),
            page_of: format!("Sida {n} av {}", window.pages),
            previous: if n > 1 { link(n - 1) } else { String::new() },
            next: if n < window.pages { link(n + 1) } else { String::new() },
        });
    }
    let on_page: std::collections::HashSet<String> = area.risks.iter().map(|r| r.anchor.clone()).collect();
    for s in &mut area.self_inspections {
        for r in s.risks.iter_mut().filter(|r| !on_page.contains(&r.anchor)) {
            r.href = format!("{href}?visa={a}#{a}", a = r.anchor);
        }
    }
}
