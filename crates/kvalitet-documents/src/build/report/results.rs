//! The report's measured results, each after the text that introduces it (seed 002):
//! the key statistics' table under "Statistik och kvalitetsregister", the user surveys
//! (an overview table, then each survey under its name) and the systematic follow-ups
//! (their text, then their results).

use kvalitet_domain::bundle::ReportBundle;
use kvalitet_domain::report::Finding;
use kvalitet_domain::stats::{Basis, MIN_BASIS};

use super::super::{heading, table};
use super::prose;
use crate::labels;
use crate::model::{Block, Cell, Para};
use crate::text::{cell_paras, number, percent, share_percent};

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

/// The key statistics as one table.
pub fn statistics(out: &mut Vec<Block>, b: &ReportBundle) {
    if b.statistics.is_empty() {
        return;
    }
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

/// The surveys: the overview table, then each survey's text under its name (surveys
/// in a row with the same name share one heading, as seed 002's "Sysselsättning").
pub fn surveys(out: &mut Vec<Block>, b: &ReportBundle, level: u8) {
    if b.surveys.is_empty() {
        return;
    }
    let year = b.report.year;
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
    let mut previous: Option<&str> = None;
    for s in surveys {
        if previous != Some(s.name.as_str()) {
            out.push(heading(level, s.name.clone()));
        }
        previous = Some(s.name.as_str());
        if few(s.answers) {
            out.push(Block::Paragraph(Para::warning(labels::FEW_ANSWERS)));
        }
        out.extend(prose::text(&s.summary));
        let findings: Vec<&Finding> =
            b.findings.iter().filter(|f| f.survey_id == Some(s.id)).map(|f| &f.item).collect();
        if !findings.is_empty() {
            let unit = b.unit_name(s.unit_id);
            out.push(findings_table(format!("Resultat: {}, {unit}", s.name), "Fråga", &findings));
        }
    }
    thin_note(out, b, |f| f.survey_id.is_some());
}

/// The systematic follow-ups: each one's text, then its results.
pub fn follow_ups(out: &mut Vec<Block>, b: &ReportBundle) {
    let mut fus: Vec<_> = b.follow_ups.iter().collect();
    fus.sort_by_key(|s| (s.sort_order, s.id));
    for f in fus {
        if few(f.measurements) {
            out.push(Block::Paragraph(Para::warning(labels::THIN_BASIS)));
        }
        out.extend(prose::text(&f.summary));
        let findings: Vec<&Finding> =
            b.findings.iter().filter(|x| x.follow_up_id == Some(f.id)).map(|x| &x.item).collect();
        if !findings.is_empty() {
            let mut caption = format!("Resultat: {}, {}", f.instrument, b.unit_name(f.unit_id));
            if let Some(m) = f.measurements {
                caption.push_str(&format!(" ({} mätningar)", number(m as f64)));
            }
            out.push(findings_table(caption, "Mått", &findings));
        }
    }
    thin_note(out, b, |f| f.follow_up_id.is_some());
}

/// The note on results marked "*", after the tables of the findings `of`, when any is.
fn thin_note(out: &mut Vec<Block>, b: &ReportBundle, of: impl Fn(&Finding) -> bool) {
    if b.findings.iter().any(|f| of(f) && f.share().is_some_and(|s| s.basis() == Basis::TooThin)) {
        out.push(Block::Paragraph(Para::note(
            "* Underlaget är för litet för att dra säkra slutsatser: resultatet kan vara slumpen.",
        )));
    }
}
