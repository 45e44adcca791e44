//! Uppföljning av kvalitetsplan Y (seed 004): the follow-up's own prose, then per
//! process area the risks with their level, the follow-up of each self-inspection and of
//! each action ("Uppföljning: …", with the day only where it is known) and each action's
//! status in words; then the indicators with their results and comments.
//!
//! A plan whose documents use the combined layout (seeds 001 and 004) gets one table per
//! area, each risk followed by its self-inspections and actions; a plan with separate
//! tables (seed 000) gets a risk table and a self-inspection table per area.

use kvalitet_domain::bundle::{AreaGroup, PlanBundle, RiskView, SelfInspectionView};
use kvalitet_domain::plan::{SectionKind, TableLayout};
use kvalitet_domain::self_inspection::Verdict;

use super::{Levels, action_paras, combined, follow_up_head, heading, result_paras, table, trend, value_in};
use crate::labels;
use crate::model::{Block, Cell, Document, Para};
use crate::text::{cell_paras, number, prose};
use crate::{DocumentInput, IndicatorComparison};

pub fn document(input: &DocumentInput, plans: &[PlanBundle]) -> Document {
    let mut blocks = Vec::new();
    let levels = Levels::for_parts(plans.len());
    if plans.is_empty() {
        blocks.push(Block::Paragraph(Para::new(format!(
            "Det finns ingen uppföljd kvalitetsplan för {} inom {}.",
            input.year, input.scope_name
        ))));
    }
    for p in plans {
        if plans.len() > 1 {
            blocks.push(heading(1, p.scope.name.clone()));
            blocks.push(Block::Paragraph(Para::note(format!("Uppföljning av {}", lower_first(&p.plan.title)))));
        }
        part(&mut blocks, p, levels, &input.kolada);
    }
    let mut title_lines = vec![input.scope_name.clone()];
    if let [one] = plans {
        title_lines.push(format!("Uppföljning av {}", lower_first(&one.plan.title)));
        if let Some(on) = one.plan.followed_up_on {
            title_lines.push(format!("Uppföljd {on}"));
        }
    }
    let marking = super::draft_rule(input, &mut blocks, "kvalitetsplaner");
    let title = format!("Uppföljning av kvalitetsplan {}", input.year);
    Document {
        marking,
        furniture: super::furniture(input, &title),
        title,
        municipality: input.municipality.clone(),
        title_lines,
        blocks,
    }
}

/// "Kvalitetsplan 2022 för vuxna" → "kvalitetsplan 2022 för vuxna", inside a sentence.
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

fn part(out: &mut Vec<Block>, p: &PlanBundle, lv: Levels, kolada: &[IndicatorComparison]) {
    // The follow-up's own prose where the plan has it; otherwise a neutral sentence on
    // what the tables show.
    let mut own: Vec<_> = p.sections.iter().filter(|s| s.kind == SectionKind::FollowUp).collect();
    own.sort_by_key(|s| (s.sort_order, s.id));
    if own.is_empty() {
        out.push(Block::Paragraph(Para::new(
            "Här redovisas risker som verksamheten har identifierat i arbetet med målgrupperna och de \
             egenkontroller som genomförts för att säkerställa att verksamheten lever upp till krav och mål, \
             med de åtgärder som genomförts under året och deras status.",
        )));
    }
    // A section headed as the tables' chapter introduces them (seed 004's legend).
    let is_chapter_intro = |h: &str| h.trim().eq_ignore_ascii_case("risker och egenkontroller");
    for s in own.iter().filter(|s| !is_chapter_intro(&s.heading)) {
        out.push(heading(lv.chapter(), s.heading.clone()));
        out.extend(prose(&s.body));
    }
    let ix = p.index();
    let groups = p.risk_groups(&ix);
    if !groups.is_empty() {
        out.push(heading(lv.chapter(), "Risker och egenkontroller"));
        out.extend(own.iter().filter(|s| is_chapter_intro(&s.heading)).flat_map(|s| prose(&s.body)));
        if groups.iter().any(|g| !g.risks.is_empty()) {
            out.push(Block::Paragraph(Para::note(super::ZONE_NOTE)));
        }
        for g in &groups {
            out.push(heading(lv.sub(), g.area.name.clone()));
            match p.plan.table_layout {
                TableLayout::Combined => out.push(combined_table(p, g)),
                TableLayout::Separate => separate_tables(out, p, g),
            }
        }
        let loose = p.loose_actions(&ix);
        if !loose.is_empty() {
            out.push(heading(lv.sub(), "Övriga åtgärder"));
            let rows = loose.iter().map(|a| vec![Cell::paras(action_paras(a, true))]).collect();
            out.push(table("Uppföljning av övriga åtgärder", &["Uppföljning av åtgärd"], &[1], rows));
        }
    }
    indicators(out, p, lv, kolada);
}

/// The risk's cell: its title and level ("Risknivå 9", as the seeds), shaded by the
/// zone of the board's matrix.
fn risk_cell(p: &PlanBundle, r: &RiskView<'_>) -> Cell {
    let zone = p.matrix.zone(r.risk.level());
    let mut cell = Cell::paras(vec![
        Para::new(r.risk.title.clone()),
        Para::strong(format!("Risknivå {}", r.risk.level().get())),
        Para::note(zone.label.clone()),
    ]);
    cell.shading = Some(zone.colour.clone());
    cell
}

/// The follow-up of a self-inspection: each run's text, with the verdict, result and
/// sample only where they were recorded.
fn run_paras(s: &SelfInspectionView<'_>) -> Vec<Para> {
    let mut out = Vec::new();
    if s.runs.is_empty() {
        out.push(Para::note("Ingen uppföljning registrerad."));
    }
    for run in &s.runs {
        out.push(Para::strong(follow_up_head(run.run_on, run.undated)));
        let mut facts = Vec::new();
        if run.verdict != Verdict::NotStated {
            facts.push(format!("Bedömning: {}", labels::verdict(run.verdict)));
        }
        if let Some(v) = run.result_value {
            facts.push(format!("resultat {}", number(v)));
        }
        if let Some(n) = run.sample_size {
            facts.push(format!("underlag {}", number(n as f64)));
        }
        if !facts.is_empty() {
            out.push(Para::new(facts.join(", ")));
        }
        let reason = run.verdict_reason.trim();
        if !reason.is_empty() && !run.comment.contains(reason) {
            out.push(Para::note(reason.to_owned()));
        }
        out.extend(cell_paras(&run.comment));
    }
    out
}

fn self_inspection_paras(s: &SelfInspectionView<'_>) -> Vec<Para> {
    let mut out = vec![Para::strong(format!("Egenkontroll: {}", s.self_inspection.title))];
    out.extend(run_paras(s));
    out
}

/// Seeds 001 and 004: one table per area, each risk followed by its self-inspections
/// and the actions beside them.
fn combined_table(p: &PlanBundle, g: &AreaGroup<'_>) -> Block {
    let rows = combined::rows(g)
        .into_iter()
        .map(|row| {
            let mut actions: Vec<Para> = row.actions.iter().flat_map(|a| action_paras(a, true)).collect();
            if let Some(s) = row.self_inspection
                && !s.self_inspection.action_note.is_empty()
            {
                actions.push(Para::note(s.self_inspection.action_note.clone()));
            }
            vec![
                row.risk.map(|r| risk_cell(p, r)).unwrap_or_default(),
                Cell::paras(row.self_inspection.map(self_inspection_paras).unwrap_or_default()),
                Cell::paras(actions),
            ]
        })
        .collect();
    table(
        format!("Uppföljning – {}", g.area.name),
        &["Risk", "Uppföljning av egenkontroll", "Uppföljning av åtgärd"],
        &[4, 6, 6],
        rows,
    )
}

/// Seed 000's layout: a table of risks and a table of self-inspections.
fn separate_tables(out: &mut Vec<Block>, p: &PlanBundle, g: &AreaGroup<'_>) {
    if !g.risks.is_empty() {
        let rows = g
            .risks
            .iter()
            .map(|r| {
                let actions: Vec<Para> = if r.actions.is_empty() {
                    vec![Para::note("Inga åtgärder kopplade till risken.")]
                } else {
                    r.actions.iter().flat_map(|a| action_paras(a, true)).collect()
                };
                vec![risk_cell(p, r), Cell::paras(actions)]
            })
            .collect();
        out.push(table(format!("Risker – {}", g.area.name), &["Risk", "Uppföljning av åtgärd"], &[5, 9], rows));
    }
    if !g.self_inspections.is_empty() {
        let rows = g
            .self_inspections
            .iter()
            .map(|s| {
                let mut title = vec![Para::new(s.self_inspection.title.clone())];
                if !s.risks.is_empty() {
                    let risks: Vec<&str> = s.risks.iter().map(|r| r.title.as_str()).collect();
                    title.push(Para::note(format!("Kopplad till risk: {}", risks.join("; "))));
                }
                let mut actions: Vec<Para> = s.actions.iter().flat_map(|a| action_paras(a, true)).collect();
                if !s.self_inspection.action_note.is_empty() {
                    actions.push(Para::note(s.self_inspection.action_note.clone()));
                }
                vec![Cell::paras(title), Cell::paras(run_paras(s)), Cell::paras(actions)]
            })
            .collect();
        out.push(table(
            format!("Egenkontroller – {}", g.area.name),
            &["Egenkontroll", "Uppföljning av egenkontroll", "Uppföljning av åtgärd"],
            &[3, 4, 4],
            rows,
        ));
    }
}

/// Seed 004: "Kvalitetsindikator | Kommentar"; the results the data holds (value, basis
/// and interval, national value) before the comment.
fn indicators(out: &mut Vec<Block>, p: &PlanBundle, lv: Levels, kolada: &[IndicatorComparison]) {
    let ix = p.index();
    let groups = p.indicator_groups(&ix);
    if groups.is_empty() {
        return;
    }
    out.push(heading(lv.chapter(), "Kvalitetsindikatorer"));
    let one_area = groups.len() == 1;
    for g in &groups {
        if !one_area {
            out.push(heading(lv.sub(), g.area.name.clone()));
        }
        let rows = g
            .indicators
            .iter()
            .map(|i| {
                let ind = &i.indicator.item;
                let mut name = vec![Para::new(ind.name.clone())];
                if let Some(q) = i.quality_factor {
                    name.push(Para::note(q.name.clone()));
                }
                if let Some(t) = ind.target_value {
                    name.push(Para::note(format!("Målvärde {}", value_in(ind.unit, t))));
                }
                let mut results: Vec<Para> = i.results.iter().flat_map(|r| result_paras(ind.unit, r)).collect();
                if results.is_empty() {
                    results.push(Para::note("Inget resultat registrerat."));
                }
                if ind.no_data && !ind.note.is_empty() {
                    results.push(Para::note(ind.note.clone()));
                }
                vec![Cell::paras(name), Cell::paras(results)]
            })
            .collect();
        out.push(table(
            format!("Kvalitetsindikatorer – {}", g.area.name),
            &["Kvalitetsindikator", "Kommentar"],
            &[5, 11],
            rows,
        ));
        // F13: beside the results, the comparison with Kolada where values are stored.
        for i in &g.indicators {
            if let Some(c) = kolada.iter().find(|c| c.indicator_id == i.indicator.id) {
                out.extend(super::kolada::blocks(c));
            }
        }
        // F10: the trend of each indicator with at least two years of values (the
        // product's own chart, said so in its caption), with its data as a table.
        for (n, i) in g.indicators.iter().enumerate() {
            let ind = &i.indicator.item;
            let results: Vec<_> = i.results.iter().map(|r| r.item.clone()).collect();
            if let Some(f) = trend::figure(
                &format!("trend-{}-{n}", i.indicator.id.get()),
                &ind.name,
                ind.unit,
                &results,
                ind.target_value,
            ) {
                out.push(Block::Figure(f));
            }
        }
    }
}
