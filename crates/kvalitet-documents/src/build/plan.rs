//! Kvalitetsplan Y (seed 000, 001): title page, the plan's prose sections in order, focus
//! areas, risks and self-inspections in tables grouped by process area, the risk heat
//! map, and the quality indicators grouped by area.

use kvalitet_domain::Code;
use kvalitet_domain::bundle::PlanBundle;
use kvalitet_domain::plan::{FocusAreaKind, Section, SectionKind};

use super::{Levels, action_paras, adoption_line, heading, heat_map, table, value_in};
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
/// "Risker", "Egenkontroller" and "Kvalitetsindikatorer" sections before its tables):
/// shown under that chapter instead of on their own.
fn chapter_of(s: &Section) -> Option<Chapter> {
    if s.kind != SectionKind::Other {
        return None;
    }
    match s.heading.trim().to_lowercase().as_str() {
        "risker" | "egenkontroller" | "risker och egenkontroller" => Some(Chapter::Risks),
        "kvalitetsindikatorer" => Some(Chapter::Indicators),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chapter {
    Risks,
    Indicators,
}

fn focus_areas(out: &mut Vec<Block>, p: &PlanBundle, level: u8) {
    for kind in FocusAreaKind::ALL {
        let mut focus: Vec<_> = p.focus_areas.iter().filter(|f| f.kind == *kind).collect();
        if focus.is_empty() {
            continue;
        }
        focus.sort_by_key(|f| (f.sort_order, f.id));
        out.push(heading(level, labels::focus_kind_plural(*kind)));
        for f in focus {
            out.push(heading(level + 1, f.title.clone()));
            out.extend(prose(&f.body));
        }
    }
}

fn plan_part(out: &mut Vec<Block>, p: &PlanBundle, lv: Levels, part: usize) {
    // The follow-up's own prose belongs to the follow-up document, not to the plan.
    let mut sections: Vec<_> = p.sections.iter().filter(|s| s.kind != SectionKind::FollowUp).collect();
    sections.sort_by_key(|s| (s.sort_order, s.id));
    let intro = |chapter: Chapter| -> Vec<Block> {
        sections.iter().filter(|s| chapter_of(s) == Some(chapter)).flat_map(|s| prose(&s.body)).collect()
    };
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

    let groups = p.risk_groups(&p.index());
    if !groups.is_empty() {
        out.push(heading(lv.chapter(), "Risker och egenkontroller"));
        let text = intro(Chapter::Risks);
        if text.is_empty() {
            out.push(Block::Paragraph(Para::new(
                "Risker som verksamheten har identifierat, med risknivå och de åtgärder som ska minska dem, \
                 och de egenkontroller som ska visa att verksamheten lever upp till krav och mål. \
                 Tabellerna är ordnade efter process.",
            )));
        }
        out.extend(text);
        let status_heading = format!("Status {}", p.plan.year - 1);
        for g in &groups {
            out.push(heading(lv.sub(), g.area.name.clone()));
            if !g.risks.is_empty() {
                let rows = g
                    .risks
                    .iter()
                    .map(|r| {
                        let level = r.risk.level();
                        let zone = p.matrix.zone(level);
                        let mut level_paras =
                            vec![Para::strong(level.get().to_string()), Para::note(zone.label.clone())];
                        if let (Some(l), Some(c)) = (r.risk.likelihood, r.risk.consequence) {
                            level_paras.push(Para::note(format!("sannolikhet {l} × konsekvens {c}")));
                        }
                        let mut level_cell = Cell::paras(level_paras);
                        level_cell.shading = Some(zone.colour.clone());
                        vec![
                            Cell::text(r.risk.title.clone()),
                            level_cell,
                            Cell::paras(cell_paras(&r.risk.consequence_text)),
                            Cell::paras(r.actions.iter().flat_map(|a| action_paras(a, false)).collect()),
                        ]
                    })
                    .collect();
                out.push(table(
                    format!("Risker – {}", g.area.name),
                    &["Risk", "Risknivå", "Konsekvens", "Åtgärder"],
                    &[6, 2, 7, 7],
                    rows,
                ));
            }
            if !g.self_inspections.is_empty() {
                let rows = g
                    .self_inspections
                    .iter()
                    .map(|s| {
                        let si = &s.self_inspection.item;
                        let mut title = vec![Para::new(si.title.clone())];
                        title.push(Para::note(format!(
                            "{}, {}",
                            labels::method(si.method),
                            labels::frequency(si.frequency)
                        )));
                        if !si.target.is_empty() {
                            title.push(Para::note(format!("Mål: {}", si.target)));
                        }
                        let status = if si.is_new {
                            "Ny kontroll".to_owned()
                        } else {
                            si.previous_status.map(labels::traffic).unwrap_or("–").to_owned()
                        };
                        let mut actions: Vec<Para> = s.actions.iter().flat_map(|a| action_paras(a, false)).collect();
                        if !si.action_note.is_empty() {
                            actions.push(Para::note(si.action_note.clone()));
                        }
                        vec![
                            Cell::paras(title),
                            Cell::text(status),
                            Cell::paras(cell_paras(&si.purpose)),
                            Cell::paras(s.risks.iter().map(|r| Para::new(r.title.clone())).collect()),
                            Cell::paras(actions),
                        ]
                    })
                    .collect();
                out.push(table(
                    format!("Egenkontroller – {}", g.area.name),
                    &["Egenkontroll", status_heading.as_str(), "Syfte", "Kopplad till risk", "Åtgärder"],
                    &[6, 2, 6, 5, 6],
                    rows,
                ));
            }
        }
        let loose = p.loose_actions(&p.index());
        if !loose.is_empty() {
            out.push(heading(lv.sub(), "Övriga åtgärder"));
            let rows = loose.iter().map(|a| vec![Cell::paras(action_paras(a, false))]).collect();
            out.push(table("Åtgärder som inte hör till en viss risk eller egenkontroll", &["Åtgärd"], &[1], rows));
        }

        out.push(heading(lv.chapter(), "Riskkarta"));
        let risks: Vec<_> = p.risks.iter().collect();
        out.push(Block::Figure(heat_map::figure(&format!("riskkarta-{part}"), &risks, &p.matrix)));
    }

    let groups = p.indicator_groups(&p.index());
    if !groups.is_empty() {
        out.push(heading(lv.chapter(), "Kvalitetsindikatorer"));
        out.extend(intro(Chapter::Indicators));
        for g in &groups {
            out.push(heading(lv.sub(), g.area.name.clone()));
            let rows = g
                .indicators
                .iter()
                .map(|i| {
                    let ind = &i.indicator.item;
                    let mut name = vec![Para::new(ind.name.clone())];
                    name.push(Para::note(format!("Mäts som {}", labels::measure_unit(ind.unit))));
                    if !ind.note.is_empty() {
                        name.push(Para::note(ind.note.clone()));
                    }
                    let mut target: Vec<Para> =
                        ind.target_value.map(|t| Para::new(value_in(ind.unit, t))).into_iter().collect();
                    if ind.no_data {
                        target.push(Para::note("Inga tillgängliga data"));
                    }
                    vec![
                        Cell::paras(name),
                        Cell::text(i.quality_factor.map(|q| q.name.clone()).unwrap_or_default()),
                        Cell::paras(target),
                    ]
                })
                .collect();
            out.push(table(
                format!("Kvalitetsindikatorer – {}", g.area.name),
                &["Kvalitetsindikator", "Kvalitetsfaktor", "Målvärde"],
                &[5, 3, 2],
                rows,
            ));
        }
    }
}
