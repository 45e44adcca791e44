//! Uppföljning av kvalitetsplan Y (seed 004): per process area every risk with its
//! level and the follow-up of its actions, every self-inspection with its runs (date,
//! verdict, result, comment) and actions, each action with its follow-up entries and its
//! status in words; then the indicators with results, n and interval, and comments.

use super::{Levels, action_paras, heading, result_paras, table, value_in};
use crate::DocumentInput;
use crate::labels;
use crate::model::{Block, Cell, Document, Para};
use crate::text::{cell_paras, number, prose};
use kvalitet_domain::bundle::PlanBundle;
use kvalitet_domain::plan::SectionKind;

pub fn document(input: &DocumentInput, plans: &[PlanBundle]) -> Document {
    let mut blocks = Vec::new();
    let levels = Levels::for_parts(plans.len());
    if plans.is_empty() {
        blocks.push(Block::Paragraph(Para::new(format!(
            "Det finns ingen kvalitetsplan för {} inom {} att följa upp.",
            input.year, input.scope_name
        ))));
    }
    for p in plans {
        if plans.len() > 1 {
            blocks.push(heading(1, p.scope.name.clone()));
            blocks.push(Block::Paragraph(Para::note(format!("Uppföljning av {}", p.plan.title))));
        }
        part(&mut blocks, p, levels);
    }
    let mut title_lines = vec![input.scope_name.clone()];
    if let [one] = plans
        && let Some(on) = one.plan.followed_up_on
    {
        title_lines.push(format!("Uppföljd {on}"));
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

fn part(out: &mut Vec<Block>, p: &PlanBundle, lv: Levels) {
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
    let groups = p.risk_groups(&p.index());
    if !groups.is_empty() {
        out.push(heading(lv.chapter(), "Risker och egenkontroller"));
        out.extend(own.iter().filter(|s| is_chapter_intro(&s.heading)).flat_map(|s| prose(&s.body)));
        for g in &groups {
            out.push(heading(lv.sub(), g.area.name.clone()));
            if !g.risks.is_empty() {
                let rows = g
                    .risks
                    .iter()
                    .map(|r| {
                        let zone = p.matrix.zone(r.risk.level());
                        let mut level = Cell::paras(vec![
                            Para::strong(format!("Risknivå {}", r.risk.level().get())),
                            Para::note(zone.label.clone()),
                        ]);
                        level.shading = Some(zone.colour.clone());
                        let actions: Vec<Para> = if r.actions.is_empty() {
                            vec![Para::note("Inga åtgärder kopplade till risken.")]
                        } else {
                            r.actions.iter().flat_map(|a| action_paras(a, true)).collect()
                        };
                        vec![Cell::text(r.risk.title.clone()), level, Cell::paras(actions)]
                    })
                    .collect();
                out.push(table(
                    format!("Risker – {}", g.area.name),
                    &["Risk", "Risknivå", "Uppföljning av åtgärd"],
                    &[5, 2, 9],
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
                        if !s.risks.is_empty() {
                            let risks: Vec<&str> = s.risks.iter().map(|r| r.title.as_str()).collect();
                            title.push(Para::note(format!("Kopplad till risk: {}", risks.join("; "))));
                        }
                        if si.keep_next_year {
                            title.push(Para::note(format!("Egenkontrollen ligger kvar {}.", p.plan.year + 1)));
                        }
                        let mut runs = Vec::new();
                        if s.runs.is_empty() {
                            runs.push(Para::note("Ingen kontroll registrerad."));
                        }
                        for run in &s.runs {
                            let mut head = format!("{}: {}", run.run_on, labels::verdict(run.verdict));
                            if let Some(v) = run.result_value {
                                head.push_str(&format!(", resultat {}", number(v)));
                            }
                            if let Some(n) = run.sample_size {
                                head.push_str(&format!(" (underlag {})", number(n as f64)));
                            }
                            runs.push(Para::strong(head));
                            let reason = run.verdict_reason.trim();
                            if !reason.is_empty() && !run.comment.contains(reason) {
                                runs.push(Para::note(reason.to_owned()));
                            }
                            runs.extend(cell_paras(&run.comment));
                        }
                        let mut actions: Vec<Para> = s.actions.iter().flat_map(|a| action_paras(a, true)).collect();
                        if !si.action_note.is_empty() {
                            actions.push(Para::note(si.action_note.clone()));
                        }
                        vec![Cell::paras(title), Cell::paras(runs), Cell::paras(actions)]
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
        let loose = p.loose_actions(&p.index());
        if !loose.is_empty() {
            out.push(heading(lv.sub(), "Övriga åtgärder"));
            let rows = loose.iter().map(|a| vec![Cell::paras(action_paras(a, true))]).collect();
            out.push(table("Uppföljning av övriga åtgärder", &["Uppföljning av åtgärd"], &[1], rows));
        }
    }

    let groups = p.indicator_groups(&p.index());
    if !groups.is_empty() {
        out.push(heading(lv.chapter(), "Kvalitetsindikatorer"));
        for g in &groups {
            out.push(heading(lv.sub(), g.area.name.clone()));
            let rows = g
                .indicators
                .iter()
                .map(|i| {
                    let ind = &i.indicator.item;
                    let mut name = vec![Para::new(ind.name.clone())];
                    if let Some(q) = i.quality_factor {
                        name.push(Para::note(q.name.clone()));
                    }
                    let target = ind.target_value.map(|t| value_in(ind.unit, t)).unwrap_or_default();
                    let mut results: Vec<Para> = i.results.iter().flat_map(|r| result_paras(ind.unit, r)).collect();
                    if results.is_empty() || (ind.no_data && i.results.iter().all(|r| r.no_data)) {
                        if results.is_empty() {
                            results.push(Para::new("Inga tillgängliga data"));
                        }
                        if !ind.note.is_empty() {
                            results.push(Para::note(ind.note.clone()));
                        }
                    }
                    vec![Cell::paras(name), Cell::text(target), Cell::paras(results)]
                })
                .collect();
            out.push(table(
                format!("Kvalitetsindikatorer – {}", g.area.name),
                &["Kvalitetsindikator", "Målvärde", "Resultat och kommentar"],
                &[5, 2, 9],
                rows,
            ));
        }
    }
}
