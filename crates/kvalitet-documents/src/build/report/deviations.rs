//! "Avvikelser, synpunkter och klagomål" as in seed 002: under "Rapporterade
//! avvikelser" one paragraph per unit telling its cases and its counts, the chapter's
//! own text, then the two tables (cases per kind, lex Sarah assessments; the report's
//! year against the year before).

use kvalitet_domain::Code;
use kvalitet_domain::bundle::ReportBundle;
use kvalitet_domain::deviation::{Deviation, DeviationKind, LexSarahCategory};
use kvalitet_domain::org::OrgUnitId;
use kvalitet_domain::plan::Section;

use super::super::{heading, table};
use super::prose;
use crate::labels;
use crate::model::{Block, Cell, Para};

/// The heading of the cases' paragraphs (seed 002's sub-heading).
const REPORTED: &str = "Rapporterade avvikelser";

/// The year a case counts in (the year it was reported).
fn counted_year(d: &Deviation) -> i64 {
    i64::from(d.reported_on.year())
}

/// The case's dates for the reader, when the data holds them: the only place a
/// deviation's date is printed. A date the data does not know is left out.
fn known_dates(d: &Deviation) -> Option<String> {
    // A case taken over with only its year (seed 002) has no day to tell.
    let mut facts: Vec<String> = (!d.undated).then(|| format!("rapporterad {}", d.reported_on)).into_iter().collect();
    if let Some(on) = d.reported_to_ivo_on {
        facts.push(format!("anmäld till IVO {on}"));
    }
    (!facts.is_empty()).then(|| format!("{}: {}.", labels::deviation_kind(d.kind), facts.join(", ")))
}

/// One case told as the seed tells it: what happened, what the investigation found and
/// what was done, in one run of text.
fn case_text(d: &Deviation) -> String {
    let parts: Vec<&str> = [&d.description, &d.investigation, &d.measures_taken]
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    let separator = if parts.iter().any(|p| p.contains('\n')) { "\n\n" } else { " " };
    parts.join(separator)
}

/// A unit's texts for the report's year, in the order of seed 002: first the notes of
/// counts of a kind the unit has no case of (they introduce the unit), then for each
/// kind its cases and after them the note of the rest of that kind's count ("Övriga
/// klagomål …").
fn unit_texts(b: &ReportBundle, unit: OrgUnitId, cases: &[&Deviation]) -> (Vec<String>, Vec<String>) {
    let year = b.report.year;
    let kinds = [DeviationKind::LexSarah, DeviationKind::Internal, DeviationKind::Complaint, DeviationKind::Hsl];
    let tally_notes = |kind: DeviationKind| -> Vec<String> {
        b.tallies
            .iter()
            .filter(|t| t.unit_id == unit && t.year == year && t.kind == kind && !t.note.trim().is_empty())
            .map(|t| t.note.trim().to_owned())
            .collect()
    };
    let has_case = |kind: DeviationKind| cases.iter().any(|d| d.kind == kind);
    let mut texts: Vec<String> = kinds.iter().filter(|k| !has_case(**k)).flat_map(|k| tally_notes(*k)).collect();
    let mut dates = Vec::new();
    for kind in kinds.into_iter().filter(|k| has_case(*k)) {
        for d in cases.iter().filter(|d| d.kind == kind) {
            texts.push(case_text(d));
            dates.extend(known_dates(d));
        }
        texts.extend(tally_notes(kind));
    }
    (texts, dates)
}

pub fn chapter(out: &mut Vec<Block>, b: &ReportBundle, title: &str, intro: &[&Section], level: u8) {
    let year = b.report.year;
    out.push(heading(level, title));
    out.push(heading((level + 1).min(4), REPORTED));
    let mut cases: Vec<&Deviation> =
        b.deviations.iter().map(|d| &d.item).filter(|d| !d.is_voided() && counted_year(d) == year).collect();
    cases.sort_by_key(|d| (d.kind.code(), d.reported_on));
    // The scope's units in tree order; any other unit (not expected) after them.
    let mut units: Vec<OrgUnitId> = b.units.iter().map(|u| u.id).collect();
    for u in cases.iter().map(|d| d.unit_id).chain(b.tallies.iter().map(|t| t.unit_id)) {
        if !units.contains(&u) {
            units.push(u);
        }
    }
    for unit in units {
        let own: Vec<&Deviation> = cases.iter().copied().filter(|d| d.unit_id == unit).collect();
        let (texts, dates) = unit_texts(b, unit, &own);
        if texts.iter().any(|t| t.contains('\n')) {
            out.extend(prose::text(&texts.join("\n\n")));
        } else if !texts.is_empty() {
            out.extend(prose::text(&texts.join(" ")));
        }
        out.extend(dates.into_iter().map(|d| Block::Paragraph(Para::note(d))));
    }
    for s in intro {
        out.extend(prose::section(&s.body, (level + 2).min(4)));
    }
    tables(out, b);
}

fn tables(out: &mut Vec<Block>, b: &ReportBundle) {
    let year = b.report.year;
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
        format!("Lex Sarah – beslutade bedömningar av utredda missförhållanden, {year} jämfört med {}", year - 1),
        &["Bedömning", y.as_str(), py.as_str()],
        &[4, 1, 1],
        rows,
    ));
}
