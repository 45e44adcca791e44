//! Kvalitetsberättelse Y (seed 002): the narrative sections, key statistics, user
//! surveys with response rates and the small-sample caveat, systematic follow-up,
//! deviations, lex Sarah and complaints year against year, reviews, the assessment of
//! quality per area, and improvement areas.

use kvalitet_domain::Code;
use kvalitet_domain::bundle::ReportBundle;
use kvalitet_domain::deviation::{DeviationKind, LexSarahCategory};
use kvalitet_domain::report::Finding;
use kvalitet_domain::stats::{Basis, MIN_BASIS};

use super::{Levels, heading, table};
use crate::DocumentInput;
use crate::labels;
use crate::model::{Block, Cell, Document, Para};
use crate::text::{cell_paras, number, percent, prose, share_percent};

pub fn document(input: &DocumentInput, reports: &[ReportBundle]) -> Document {
    let mut blocks = Vec::new();
    let levels = Levels::for_parts(reports.len());
    if reports.is_empty() {
        blocks.push(Block::Paragraph(Para::new(format!(
            "Det finns ingen kvalitetsberättelse för {} inom {}.",
            input.year, input.scope_name
        ))));
    }
    for r in reports {
        if reports.len() > 1 {
            blocks.push(heading(1, r.scope.name.clone()));
            blocks.push(Block::Paragraph(Para::note(r.report.title.clone())));
        }
        part(&mut blocks, r, levels);
    }
    let mut title_lines = vec![input.scope_name.clone()];
    if let [one] = reports {
        if one.report.title != format!("Kvalitetsberättelse {}", input.year) {
            title_lines.push(one.report.title.clone());
        }
        if let Some(on) = one.report.submitted_on {
            title_lines.push(format!("Överlämnad till nämnden {on}"));
        }
    }
    let marking = super::draft_rule(input, &mut blocks, "kvalitetsberättelser");
    let title = format!("Kvalitetsberättelse {}", input.year);
    Document {
        marking,
        furniture: super::furniture(input, &title),
        title,
        municipality: input.municipality.clone(),
        title_lines,
        blocks,
    }
}

fn few(answers: Option<i64>) -> bool {
    answers.is_some_and(|a| (a as u64) < MIN_BASIS)
}

fn findings_table(caption: String, first: &str, findings: &[&Finding]) -> Block {
    let rows = findings
        .iter()
        .map(|f| {
            let share = f.share();
            let mut interval =
                share.map(|s| format!("{}–{}", share_percent(s.ci_low), share_percent(s.ci_high))).unwrap_or_default();
            if share.is_some_and(|s| s.basis() == Basis::TooThin) {
                interval.push_str(" *");
            }
            vec![
                Cell::text(f.label.clone()),
                Cell::text(percent(f.value)),
                Cell::text(f.basis.map(|b| number(b as f64)).unwrap_or_default()),
                Cell::text(interval),
                Cell::text(f.national_value.map(percent).unwrap_or_default()),
            ]
        })
        .collect();
    table(caption, &[first, "Andel", "n", "95 % konfidensintervall", "Riket"], &[5, 1, 1, 2, 1], rows)
}

fn part(out: &mut Vec<Block>, b: &ReportBundle, lv: Levels) {
    let year = b.report.year;
    let mut sections: Vec<_> = b.sections.iter().collect();
    sections.sort_by_key(|s| (s.sort_order, s.id));
    for s in sections {
        out.push(heading(lv.chapter(), s.heading.clone()));
        out.extend(prose(&s.body));
    }

    if !b.statistics.is_empty() {
        out.push(heading(lv.chapter(), "Statistik"));
        let mut stats: Vec<_> = b.statistics.iter().collect();
        stats.sort_by_key(|s| (s.sort_order, s.id));
        let rows = stats
            .iter()
            .map(|s| {
                vec![
                    Cell::text(s.label.clone()),
                    Cell::text(b.unit_name(s.unit_id).to_owned()),
                    Cell::text(s.year.to_string()),
                    Cell::text(if s.unit == "%" {
                        percent(s.value)
                    } else {
                        format!("{} {}", number(s.value), s.unit).trim().to_owned()
                    }),
                    Cell::paras(cell_paras(&s.comment)),
                ]
            })
            .collect();
        out.push(table(
            "Nyckeltal per enhet och år",
            &["Nyckeltal", "Enhet", "År", "Värde", "Kommentar"],
            &[4, 3, 1, 2, 4],
            rows,
        ));
    }

    let any_thin = b.findings.iter().any(|f| f.share().is_some_and(|s| s.basis() == Basis::TooThin));
    if !b.surveys.is_empty() {
        out.push(heading(lv.chapter(), "Brukarundersökningar"));
        let mut surveys: Vec<_> = b.surveys.iter().collect();
        surveys.sort_by_key(|s| (s.sort_order, s.id));
        let rows = surveys
            .iter()
            .map(|s| {
                vec![
                    Cell::text(s.name.clone()),
                    Cell::text(b.unit_name(s.unit_id).to_owned()),
                    Cell::text(s.sample_size.map(|v| number(v as f64)).unwrap_or_default()),
                    Cell::text(s.answers.map(|v| number(v as f64)).unwrap_or_default()),
                    Cell::text(s.response_rate().map(|r| percent(r.round())).unwrap_or_default()),
                ]
            })
            .collect();
        out.push(table(
            format!("Brukarundersökningar {year}: tillfrågade, svar och svarsfrekvens"),
            &["Undersökning", "Enhet", "Tillfrågade", "Svar", "Svarsfrekvens"],
            &[4, 3, 1, 1, 1],
            rows,
        ));
        for s in surveys {
            out.push(heading(lv.sub(), s.name.clone()));
            let mut facts = vec![b.unit_name(s.unit_id).to_owned()];
            if !s.instrument.is_empty() {
                facts.push(s.instrument.clone());
            }
            if let Some(r) = s.response_rate() {
                facts.push(format!("svarsfrekvens {}", percent(r.round())));
            }
            if let Some(a) = s.answers {
                facts.push(format!("{} svar", number(a as f64)));
            }
            out.push(Block::Paragraph(Para::note(facts.join(", "))));
            if few(s.answers) {
                out.push(Block::Paragraph(Para::warning(labels::FEW_ANSWERS)));
            }
            out.extend(prose(&s.summary));
            let findings: Vec<&Finding> =
                b.findings.iter().filter(|f| f.survey_id == Some(s.id)).map(|f| &f.item).collect();
            if !findings.is_empty() {
                out.push(findings_table(format!("Resultat: {}", s.name), "Fråga", &findings));
            }
        }
    }

    if !b.follow_ups.is_empty() {
        out.push(heading(lv.chapter(), "Systematisk uppföljning"));
        let mut fus: Vec<_> = b.follow_ups.iter().collect();
        fus.sort_by_key(|s| (s.sort_order, s.id));
        for f in fus {
            out.push(heading(lv.sub(), format!("{}, {}", f.instrument, b.unit_name(f.unit_id))));
            if let Some(m) = f.measurements {
                out.push(Block::Paragraph(Para::note(format!("Antal mätningar: {}", number(m as f64)))));
            }
            if few(f.measurements) {
                out.push(Block::Paragraph(Para::warning(labels::THIN_BASIS)));
            }
            out.extend(prose(&f.summary));
            let findings: Vec<&Finding> =
                b.findings.iter().filter(|x| x.follow_up_id == Some(f.id)).map(|x| &x.item).collect();
            if !findings.is_empty() {
                out.push(findings_table(format!("Resultat: {}", f.instrument), "Mått", &findings));
            }
        }
    }
    if any_thin {
        out.push(Block::Paragraph(Para::note(
            "* Underlaget är för litet för att dra säkra slutsatser: resultatet kan vara slumpen.",
        )));
    }

    out.push(heading(lv.chapter(), "Avvikelser, synpunkter och klagomål"));
    let (y, py) = (year.to_string(), (year - 1).to_string());
    let rows = [DeviationKind::LexSarah, DeviationKind::Internal, DeviationKind::Complaint, DeviationKind::Hsl]
        .into_iter()
        .map(|k| (k, b.deviation_counts(k)))
        .filter(|(k, (a, c))| *k != DeviationKind::Hsl || *a + *c > 0)
        .map(|(k, (a, c))| {
            vec![Cell::text(labels::deviation_kind(k)), Cell::text(a.to_string()), Cell::text(c.to_string())]
        })
        .collect();
    out.push(table(
        format!("Rapporterade ärenden per slag, {year} jämfört med {}", year - 1),
        &["Slag", y.as_str(), py.as_str()],
        &[4, 1, 1],
        rows,
    ));
    let dash = |n: i64| if n == 0 { "–".to_owned() } else { n.to_string() };
    let rows = LexSarahCategory::ALL
        .iter()
        .map(|c| {
            let (a, p) = b.lex_sarah_counts(*c);
            vec![Cell::text(labels::lex_sarah(*c)), Cell::text(dash(a)), Cell::text(dash(p))]
        })
        .collect();
    out.push(table(
        format!("Lex Sarah: bedömningar av utredda missförhållanden, {year} jämfört med {}", year - 1),
        &["Bedömning", y.as_str(), py.as_str()],
        &[4, 1, 1],
        rows,
    ));
    let mut cases: Vec<_> = b.deviations.iter().filter(|d| i64::from(d.reported_on.year()) == year).collect();
    cases.sort_by_key(|d| (d.kind.code(), d.reported_on, d.id));
    for d in cases {
        out.push(heading(lv.sub(), format!("{}: {}", labels::deviation_kind(d.kind), d.title)));
        let mut facts = vec![b.unit_name(d.unit_id).to_owned(), format!("rapporterad {}", d.reported_on)];
        if let Some(c) = d.lex_sarah_category {
            facts.push(format!("bedömning: {}", labels::lex_sarah(c).to_lowercase()));
        }
        if let Some(on) = d.reported_to_ivo_on {
            facts.push(format!("anmäld till IVO {on}"));
        }
        out.push(Block::Paragraph(Para::note(facts.join(", "))));
        out.extend(prose(&d.description));
        if !d.investigation.trim().is_empty() {
            out.push(Block::Paragraph(Para::strong("Utredning")));
            out.extend(prose(&d.investigation));
        }
        if !d.measures_taken.trim().is_empty() {
            out.push(Block::Paragraph(Para::strong("Åtgärder för att det inte ska hända igen")));
            out.extend(prose(&d.measures_taken));
        }
    }

    if !b.reviews.is_empty() {
        out.push(heading(lv.chapter(), "Revisioner och granskningar"));
        let mut reviews: Vec<_> = b.reviews.iter().collect();
        reviews.sort_by_key(|r| (r.sort_order, r.id));
        for r in reviews {
            out.push(heading(lv.sub(), r.title.clone()));
            out.push(Block::Paragraph(Para::note(format!(
                "{}, {}",
                labels::review_kind(r.kind),
                b.unit_name(r.unit_id)
            ))));
            out.extend(prose(&r.body));
        }
    }

    if !b.assessments.is_empty() {
        out.push(heading(lv.chapter(), "Bedömning av kvalitet"));
        let mut a: Vec<_> = b.assessments.iter().collect();
        a.sort_by_key(|x| (x.sort_order, x.id));
        for x in a {
            if !x.area.is_empty() {
                out.push(heading(lv.sub(), x.area.clone()));
            }
            out.extend(prose(&x.body));
        }
    }

    if !b.improvement_areas.is_empty() {
        out.push(heading(lv.chapter(), format!("Förbättringsområden {}", year + 1)));
        let mut items: Vec<_> = b.improvement_areas.iter().collect();
        items.sort_by_key(|x| (x.sort_order, x.id));
        out.push(Block::List(items.iter().map(|i| i.text.clone()).collect()));
    }
}
