//! Kvalitetsplan Y (seed 000, 001): title page, the plan's prose sections in order, focus
//! areas, risks and self-inspections in tables grouped by process area, the risk heat
//! map, and the quality indicators grouped by area.

use kvalitet_domain::bundle::{ActionView, AreaGroup, PlanBundle, RiskView, SelfInspectionView};
use kvalitet_domain::plan::{FocusAreaKind, Section, SectionKind, TableLayout};
use kvalitet_domain::self_inspection::{Frequency, Method};
use kvalitet_domain::{Code, Versioned};

use super::{Levels, action_paras, adoption_line, combined, heading, heat_map, table, value_in};
use crate::DocumentInput;
use crate::labels;
use crate::model::{Block, Cell, Document, Para};
use crate::text::{cell_paras, prose};

pub fn document(input: &DocumentInput, plans: &[PlanBundle]) -> Document {
    let mut blocks = Vec::new();
    let levels = Levels::for_parts(plans.len());
    if plans.is_empty() {
        blocks.push(Block::Paragraph(Para::new(format!(
            "Det finns ingen kvalitetsplan för {} inom {}.",
            input.year, input.scope_name
        ))));
    }
    for (i, p) in plans.iter().enumerate() {
        if plans.len() > 1 {
            blocks.push(heading(1, p.scope.name.clone()));
            let mut line = p.plan.title.clone();
            if let Some(a) = adoption_line(p) {
                line = format!("{line}. {a}.");
            }
            blocks.push(Block::Paragraph(Para::note(line)));
        }
        plan_part(&mut blocks, p, levels, i + 1);
    }
    let mut title_lines = vec![input.scope_name.clone()];
    match plans {
        [one] => title_lines.extend(adoption_line(one)),
        [] | [_, _, ..] => {
            if plans.len() > 1 {
                let names: Vec<&str> = plans.iter().map(|p| p.scope.name.as_str()).collect();
                title_lines.push(format!("Omfattar planerna för {}", names.join(", ")));
            }
        }
    }
    let marking = super::draft_rule(input, &mut blocks, "kvalitetsplaner");
    let title = format!("Kvalitetsplan {}", input.year);
    Document {
        marking,
        furniture: super::furniture(input, &title),
        title,
        municipality: input.municipality.clone(),
        title_lines,
        blocks,
    }
}

/// Plan sections whose text introduces one of the generated chapters (seed 000 has
/// "Risker", "Egenkontroller" and "Kvalitetsindikatorer" sections before its tables,
/// seed 001 "Risker och egenkontroller"): shown under that chapter instead of on their own.
fn chapter_of(s: &Section) -> Option<Chapter> {
    if s.kind != SectionKind::Other {
        return None;
    }
    match s.heading.trim().to_lowercase().as_str() {
        "risker" | "risker och egenkontroller" => Some(Chapter::Risks),
        "egenkontroller" => Some(Chapter::SelfInspections),
        "kvalitetsindikatorer" => Some(Chapter::Indicators),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chapter {
    Risks,
    SelfInspections,
    Indicators,
}

fn focus_areas(out: &mut Vec<Block>, p: &PlanBundle, level: u8) {
    for kind in FocusAreaKind::ALL {
        let mut focus: Vec<_> = p.focus_areas.iter().filter(|f| f.kind == *kind).collect();
        if focus.is_empty() {
            continue;
        }
        focus.sort_by_key(|f| (f.sort_order, f.id));
        out.push(heading(level, labels::focus_kind_plural(*kind, p.plan.year)));
        for f in focus {
            out.push(heading(level + 1, f.title.clone()));
            out.extend(prose(&f.body));
        }
    }
}

/// A chapter's introduction: the plan's own section text, or `fallback` when it has none.
fn intro(sections: &[&Versioned<Section>], chapter: Chapter, fallback: &str) -> Vec<Block> {
    let text: Vec<Block> =
        sections.iter().filter(|s| chapter_of(s) == Some(chapter)).flat_map(|s| prose(&s.body)).collect();
    if text.is_empty() && !fallback.is_empty() { vec![Block::Paragraph(Para::new(fallback))] } else { text }
}

fn plan_part(out: &mut Vec<Block>, p: &PlanBundle, lv: Levels, part: usize) {
    // The follow-up's own prose belongs to the follow-up document, not to the plan.
    let mut sections: Vec<_> = p.sections.iter().filter(|s| s.kind != SectionKind::FollowUp).collect();
    sections.sort_by_key(|s| (s.sort_order, s.id));
    // Focus areas go under the plan's priorities section, as in seed 000; without one,
    // they get a chapter of their own after the prose.
    let mut focus_placed = p.focus_areas.is_empty();
    for s in sections.iter().filter(|s| chapter_of(s).is_none()) {
        out.push(heading(lv.chapter(), s.heading.clone()));
        out.extend(prose(&s.body));
        if s.kind == SectionKind::Priorities && !focus_placed {
            focus_areas(out, p, lv.sub());
            focus_placed = true;
        }
    }
    if !focus_placed {
        out.push(heading(lv.chapter(), "Fokusområden"));
        focus_areas(out, p, lv.sub());
    }

    let ix = p.index();
    let groups = p.risk_groups(&ix);
    if !groups.is_empty() {
        match p.plan.table_layout {
            TableLayout::Separate => separate_chapters(out, p, &groups, &sections, lv),
            TableLayout::Combined => combined_chapter(out, p, &groups, &sections, lv),
        }
        let loose = p.loose_actions(&ix);
        if !loose.is_empty() {
            out.push(heading(lv.sub(), "Övriga åtgärder"));
            let rows = loose.iter().map(|a| vec![Cell::paras(action_paras(a, false))]).collect();
            out.push(table("Åtgärder som inte hör till en viss risk eller egenkontroll", &["Åtgärd"], &[1], rows));
        }
        if !p.risks.is_empty() {
            out.push(heading(lv.sub(), "Riskkarta"));
            out.push(Block::Paragraph(Para::note(super::HEAT_MAP_NOTE)));
            let risks: Vec<_> = p.risks.iter().collect();
            out.push(Block::Figure(heat_map::figure(&format!("riskkarta-{part}"), &risks, &p.matrix)));
        }
    }
    indicators(out, p, &sections, lv);
}

/// The risk's cell: its title, "Risknivå N" shaded by the matrix's zone, and what the
/// risk may lead to (seed 000).
fn risk_cell(p: &PlanBundle, r: &RiskView<'_>) -> Cell {
    let level = r.risk.level();
    let zone = p.matrix.zone(level);
    let mut paras = vec![Para::new(r.risk.title.clone()), Para::strong(format!("Risknivå {}", level.get()))];
    paras.push(Para::note(zone.label.clone()));
    if let (Some(l), Some(c)) = (r.risk.likelihood, r.risk.consequence) {
        paras.push(Para::note(format!("sannolikhet {l} × konsekvens {c}")));
    }
    paras.extend(cell_paras(&r.risk.consequence_text));
    let mut cell = Cell::paras(paras);
    cell.shading = Some(zone.colour.clone());
    cell
}

/// The self-inspection's cell: title, how and how often where stated, last year's
/// status, target; in seed 000's separate table also its purpose and the risks it is
/// tied to.
fn self_inspection_cell(p: &PlanBundle, s: &SelfInspectionView<'_>, separate: bool) -> Cell {
    let si = &s.self_inspection.item;
    let mut paras = vec![Para::strong(si.title.clone())];
    let how: Vec<&str> = [
        (si.method != Method::NotStated).then(|| labels::method(si.method)),
        (si.frequency != Frequency::NotStated).then(|| labels::frequency(si.frequency)),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !how.is_empty() {
        paras.push(Para::note(how.join(", ")));
    }
    let status_year = p.plan.year - 1;
    if si.is_new {
        paras.push(Para::note("Ny kontroll"));
    } else if let Some(t) = si.previous_status {
        paras.push(Para::note(format!("Status {status_year}: {}", labels::traffic(t))));
    }
    // The combined table has a column of its own for the purpose (seed 001).
    if separate && !si.purpose.is_empty() {
        paras.push(Para::strong("Syfte med egenkontrollen:"));
        paras.extend(cell_paras(&si.purpose));
    }
    if !si.target.is_empty() {
        paras.push(Para::note(format!("Mål: {}", si.target)));
    }
    // In the combined table the row's risk stands beside it (seed 001).
    if separate && !s.risks.is_empty() {
        paras.push(Para::strong("Kopplad till risk:"));
        paras.extend(s.risks.iter().map(|r| Para::new(r.title.clone())));
    }
    Cell::paras(paras)
}

fn actions_cell(s: Option<&SelfInspectionView<'_>>, actions: &[&ActionView<'_>]) -> Cell {
    let mut paras: Vec<Para> = actions.iter().flat_map(|a| action_paras(a, false)).collect();
    if let Some(s) = s
        && !s.self_inspection.action_note.is_empty()
    {
        paras.push(Para::note(s.self_inspection.action_note.clone()));
    }
    Cell::paras(paras)
}

/// Seed 000: a chapter "Risker" with one table of risks and their actions (by area only
/// where the risks lie in several), then a chapter "Egenkontroller" with a table per area.
fn separate_chapters(
    out: &mut Vec<Block>,
    p: &PlanBundle,
    groups: &[AreaGroup<'_>],
    sections: &[&Versioned<Section>],
    lv: Levels,
) {
    let risk_areas = groups.iter().filter(|g| !g.risks.is_empty()).count();
    if risk_areas > 0 {
        out.push(heading(lv.chapter(), "Risker"));
        out.extend(intro(
            sections,
            Chapter::Risks,
            "Risker som verksamheten har identifierat, med risknivå och de åtgärder som ska minska dem.",
        ));
        out.push(Block::Paragraph(Para::note(super::ZONE_NOTE)));
        for g in groups.iter().filter(|g| !g.risks.is_empty()) {
            if risk_areas > 1 {
                out.push(heading(lv.sub(), g.area.name.clone()));
            }
            let rows = g
                .risks
                .iter()
                .map(|r| vec![risk_cell(p, r), actions_cell(None, &r.actions.iter().collect::<Vec<_>>())])
                .collect();
            out.push(table(format!("Risker – {}", g.area.name), &["Risk", "Åtgärder"], &[1, 1], rows));
        }
    }
    if groups.iter().any(|g| !g.self_inspections.is_empty()) {
        out.push(heading(lv.chapter(), "Egenkontroller"));
        out.extend(intro(sections, Chapter::SelfInspections, ""));
        for g in groups.iter().filter(|g| !g.self_inspections.is_empty()) {
            out.push(heading(lv.sub(), g.area.name.clone()));
            let rows = g
                .self_inspections
                .iter()
                .map(|s| {
                    vec![self_inspection_cell(p, s, true), actions_cell(Some(s), &s.actions.iter().collect::<Vec<_>>())]
                })
                .collect();
            out.push(table(format!("Egenkontroller – {}", g.area.name), &["Egenkontroll", "Åtgärder"], &[1, 1], rows));
        }
    }
}

/// Seed 001: a chapter "Risker och egenkontroller" with one table per area, each risk
/// followed by its self-inspections, their purpose and the actions.
fn combined_chapter(
    out: &mut Vec<Block>,
    p: &PlanBundle,
    groups: &[AreaGroup<'_>],
    sections: &[&Versioned<Section>],
    lv: Levels,
) {
    out.push(heading(lv.chapter(), "Risker och egenkontroller"));
    out.extend(intro(
        sections,
        Chapter::Risks,
        "Risker som verksamheten har identifierat, med risknivå, de egenkontroller som ska visa att \
         verksamheten lever upp till krav och mål och de åtgärder som planeras.",
    ));
    out.extend(intro(sections, Chapter::SelfInspections, ""));
    out.push(Block::Paragraph(Para::note(super::ZONE_NOTE)));
    for g in groups {
        out.push(heading(lv.sub(), g.area.name.clone()));
        let rows = combined::rows(g)
            .into_iter()
            .map(|row| {
                vec![
                    row.risk.map(|r| risk_cell(p, r)).unwrap_or_default(),
                    row.self_inspection.map(|s| self_inspection_cell(p, s, false)).unwrap_or_default(),
                    Cell::paras(
                        row.self_inspection.map(|s| cell_paras(&s.self_inspection.purpose)).unwrap_or_default(),
                    ),
                    actions_cell(row.self_inspection, &row.actions),
                ]
            })
            .collect();
        out.push(table(
            format!("Risker och egenkontroller – {}", g.area.name),
            &["Risk", "Egenkontroll", "Syfte med egenkontrollen", "Åtgärder – Vad ska göras?"],
            &[4, 4, 5, 5],
            rows,
        ));
    }
}

fn indicators(out: &mut Vec<Block>, p: &PlanBundle, sections: &[&Versioned<Section>], lv: Levels) {
    let ix = p.index();
    let groups = p.indicator_groups(&ix);
    if groups.is_empty() {
        return;
    }
    out.push(heading(lv.chapter(), "Kvalitetsindikatorer"));
    out.extend(intro(sections, Chapter::Indicators, ""));
    // The columns the plan has data for: seed 000 names a quality factor beside most
    // indicators and no targets, seed 001 neither.
    let all = || groups.iter().flat_map(|g| g.indicators.iter());
    let factors = all().any(|i| i.quality_factor.is_some());
    let targets = all().any(|i| i.indicator.target_value.is_some());
    let mut header = vec!["Kvalitetsindikator"];
    let mut widths = vec![5];
    if factors {
        header.push("Kvalitetsfaktor");
        widths.push(3);
    }
    if targets {
        header.push("Målvärde");
        widths.push(2);
    }
    for g in &groups {
        out.push(heading(lv.sub(), g.area.name.clone()));
        let rows = g
            .indicators
            .iter()
            .map(|i| {
                let ind = &i.indicator.item;
                let mut name = vec![Para::new(ind.name.clone())];
                if !ind.note.is_empty() {
                    name.push(Para::note(ind.note.clone()));
                }
                if ind.no_data {
                    name.push(Para::note("Inga tillgängliga data"));
                }
                let mut row = vec![Cell::paras(name)];
                if factors {
                    row.push(Cell::text(i.quality_factor.map(|q| q.name.clone()).unwrap_or_default()));
                }
                if targets {
                    row.push(Cell::text(ind.target_value.map(|t| value_in(ind.unit, t)).unwrap_or_default()));
                }
                row
            })
            .collect();
        out.push(table(format!("Kvalitetsindikatorer – {}", g.area.name), &header, &widths, rows));
    }
}
