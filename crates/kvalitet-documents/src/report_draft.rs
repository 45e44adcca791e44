//! The first draft of a year's Kvalitetsberättelse: the narrative sections of seed 002's
//! structure, pre-filled from what the year recorded in Kvalitet (the plans' focus areas,
//! the follow-up of their self-inspections and actions, the indicators' results and the
//! deviations registered), each part for the writer to change. Everything counted here
//! is said to be computed, and when; what the year did not record is said to be missing,
//! never guessed. Surveys, systematic follow-up, statistics and the deviation tallies
//! are not copied: the report draws them from the units' records as they stand.

use std::collections::BTreeMap;

use kvalitet_domain::Versioned;
use kvalitet_domain::action::ActionStatus;
use kvalitet_domain::bundle::PlanBundle;
use kvalitet_domain::deviation::{Deviation, DeviationKind};
use kvalitet_domain::plan::SectionKind;
use kvalitet_domain::self_inspection::Verdict;
use kvalitet_domain::{Code, Date};

use crate::labels;
use crate::text::number;

/// One pre-filled section of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftSection {
    pub kind: SectionKind,
    pub heading: String,
    pub body: String,
}

/// The draft's sections for `year`, from the plans of that year in the report's scope
/// and the deviations registered there that year, computed on `today`.
pub fn report_draft(
    year: i64,
    plans: &[PlanBundle],
    deviations: &[Versioned<Deviation>],
    today: Date,
) -> Vec<DraftSection> {
    let computed =
        format!("Beräknat av Kvalitet {today} ur det som registrerats för {year}; ändra och komplettera fritt.");
    let section = |kind, heading: &str, body: String| DraftSection { kind, heading: heading.to_owned(), body };
    vec![
        section(SectionKind::Introduction, "Inledning", String::new()),
        section(SectionKind::Priorities, "Fokusområden för kvalitetsarbetet under året", focus_areas(plans)),
        section(SectionKind::Narrative, "Uppföljning av kvalitetsplanerna", plan_follow_up(year, plans, &computed)),
        section(SectionKind::Narrative, "Kvalitetsindikatorer", indicators(year, plans, &computed)),
        section(
            SectionKind::Narrative,
            "Avvikelser, synpunkter och klagomål",
            deviation_counts(year, deviations, &computed),
        ),
        section(SectionKind::Narrative, "Förbättringsområden", String::new()),
    ]
}

/// Prefixes each plan's lines with its title when there are several plans.
fn per_plan(plans: &[PlanBundle], mut lines_of: impl FnMut(&PlanBundle) -> Vec<String>) -> Vec<String> {
    let mut out = Vec::new();
    for p in plans {
        let lines = lines_of(p);
        if lines.is_empty() {
            continue;
        }
        if plans.len() > 1 {
            out.push(format!("{}:", p.plan.title));
        }
        out.extend(lines);
    }
    out
}

fn focus_areas(plans: &[PlanBundle]) -> String {
    per_plan(plans, |p| {
        let mut focus: Vec<_> = p.focus_areas.iter().collect();
        focus.sort_by_key(|f| (f.sort_order, f.id));
        focus.iter().map(|f| format!("- {}", f.title)).collect()
    })
    .join("\n")
}

fn plan_follow_up(year: i64, plans: &[PlanBundle], computed: &str) -> String {
    if plans.is_empty() {
        return format!("Det finns ingen kvalitetsplan för {year} i Kvalitet att följa upp.");
    }
    let mut lines = vec![computed.to_owned()];
    for p in plans {
        let mut verdicts: BTreeMap<&str, usize> = BTreeMap::new();
        let mut not_run = 0;
        for si in &p.self_inspections {
            let last = p
                .runs
                .iter()
                .filter(|r| r.self_inspection_id == si.id && r.run_on.year() as i64 == year)
                .max_by_key(|r| (r.run_on, r.id));
            match last {
                Some(r) => *verdicts.entry(labels::verdict(r.verdict)).or_default() += 1,
                None => not_run += 1,
            }
        }
        let mut parts = vec![format!("{} egenkontroller", p.self_inspections.len())];
        for v in Verdict::ALL {
            if let Some(n) = verdicts.get(labels::verdict(*v)) {
                parts.push(format!("{n} med senaste resultat {}", labels::verdict(*v).to_lowercase()));
            }
        }
        if not_run > 0 {
            parts.push(format!("{not_run} utan genomförande registrerat under året"));
        }
        let mut actions: BTreeMap<&str, usize> = BTreeMap::new();
        for a in &p.actions {
            *actions.entry(labels::action_status(a.status)).or_default() += 1;
        }
        let action_text = if p.actions.is_empty() {
            "inga åtgärder".to_owned()
        } else {
            let each: Vec<String> = ActionStatus::ALL
                .iter()
                .filter_map(|s| {
                    actions
                        .get(labels::action_status(*s))
                        .map(|n| format!("{n} {}", labels::action_status(*s).to_lowercase()))
                })
                .collect();
            format!("{} åtgärder ({})", p.actions.len(), each.join(", "))
        };
        let followed = match (p.plan.followed_up_on, p.plan.follow_up_reference.as_deref()) {
            (Some(on), Some(r)) if !r.is_empty() => format!("Uppföljd {on} ({r})."),
            (Some(on), _) => format!("Uppföljd {on}."),
            (None, _) => "Ännu inte markerad som uppföljd.".to_owned(),
        };
        lines.push(format!("- {}: {}; {}. {followed}", p.plan.title, parts.join(", "), action_text));
    }
    lines.join("\n")
}

fn indicators(year: i64, plans: &[PlanBundle], computed: &str) -> String {
    let lines = per_plan(plans, |p| {
        let mut list: Vec<_> = p.indicators.iter().collect();
        list.sort_by_key(|i| (i.sort_order, i.id));
        list.iter()
            .map(|i| {
                let result = p.indicator_results.iter().find(|r| r.indicator_id == i.id && r.year == year);
                let unit = labels::measure_unit(i.unit);
                let value = match result {
                    None => format!("inget resultat registrerat för {year}"),
                    Some(r) if r.no_data => "inga tillgängliga data".to_owned(),
                    Some(r) => {
                        let v = r.value.map(|v| format!("{} {unit}", number(v)).trim().to_owned());
                        let fraction = r.numerator.zip(r.denominator).map(|(n, d)| format!("{n} av {d}"));
                        match (v, fraction) {
                            (Some(v), Some(f)) => format!("{v} ({f})"),
                            (Some(v), None) => v,
                            (None, Some(f)) => f,
                            (None, None) => "resultat utan värde".to_owned(),
                        }
                    }
                };
                let target = i
                    .target_value
                    .map(|t| format!(", målvärde {}", format!("{} {unit}", number(t)).trim()))
                    .unwrap_or_default();
                format!("- {}: {value}{target}", i.name)
            })
            .collect()
    });
    if lines.is_empty() {
        return format!("Inga kvalitetsindikatorer finns i årets planer för {year}.");
    }
    std::iter::once(computed.to_owned()).chain(lines).collect::<Vec<_>>().join("\n")
}

fn deviation_counts(year: i64, deviations: &[Versioned<Deviation>], computed: &str) -> String {
    let of_year: Vec<_> = deviations.iter().filter(|d| d.reported_on.year() as i64 == year).collect();
    if of_year.is_empty() {
        return format!("Inga avvikelser, lex Sarah-rapporter eller klagomål är registrerade i Kvalitet för {year}.");
    }
    let mut lines = vec![computed.to_owned()];
    for kind in DeviationKind::ALL {
        let n = of_year.iter().filter(|d| d.kind == *kind).count();
        if n > 0 {
            lines.push(format!("- {}: {n}", labels::deviation_kind(*kind)));
        }
    }
    let ivo = of_year.iter().filter(|d| d.reported_to_ivo_on.is_some()).count();
    if ivo > 0 {
        lines.push(format!("- varav anmälda till IVO: {ivo}"));
    }
    lines.join("\n")
}
