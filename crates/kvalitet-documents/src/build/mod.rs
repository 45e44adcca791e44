//! Builders: the data of each board document turned into the intermediate model, in the
//! structure of the seed documents.

pub mod combined;
pub mod follow_up;
pub mod heat_map;
pub mod kolada;
pub mod plan;
pub mod report;
pub mod trend;

use kvalitet_domain::bundle::{ActionView, PlanBundle};
use kvalitet_domain::indicator::{IndicatorResult, MeasureUnit};
use kvalitet_domain::stats::Basis;

use crate::DocumentInput;
use crate::labels;
use crate::model::{Block, Cell, Para, Table};
use crate::text::{cell_paras, number, percent, share_percent};

/// Heading levels of one plan's or report's part: with one plan its chapters are level
/// 1; with several, each gets a level-1 heading of its own and its chapters move down.
#[derive(Debug, Clone, Copy)]
pub struct Levels(pub u8);

impl Levels {
    pub fn for_parts(parts: usize) -> Levels {
        Levels(if parts > 1 { 2 } else { 1 })
    }
    pub fn chapter(self) -> u8 {
        self.0
    }
    pub fn sub(self) -> u8 {
        self.0 + 1
    }
}

/// The rule on drafts, the same for every reader and every document: the plan (or
/// report) of the document's own scope is in it whatever its state, and if it is a draft
/// the whole document is marked "UTKAST" (heading and running header); drafts of units
/// below are left out, and only their number is said. Returns the marking and puts the
/// note on what was left out first in `blocks`.
pub fn draft_rule(input: &DocumentInput, blocks: &mut Vec<Block>, what: &str) -> Option<String> {
    if input.drafts_left_out > 0 {
        let n = input.drafts_left_out;
        let (count, decided) =
            if n == 1 { ("Ett utkast".to_owned(), "beslutat") } else { (format!("{n} utkast"), "beslutade") };
        blocks.insert(
            0,
            Block::Paragraph(Para::note(format!(
                "{count} till {what} för enheter inom {} är inte {decided} och ingår inte i dokumentet.",
                input.scope_name
            ))),
        );
    }
    input.draft.then(|| crate::model::DRAFT.to_owned())
}

/// The settings' furniture with the running footer's title: "Kvalitetsplan 2024
/// Individ- och familjeomsorg", as the seeds' footers.
pub fn furniture(input: &DocumentInput, title: &str) -> crate::model::Furniture {
    crate::model::Furniture { footer_title: format!("{title} {}", input.scope_name), ..input.furniture.clone() }
}

/// Under every risk table: the zone names and colours are the product's own.
pub const ZONE_NOTE: &str = "Risknivåns färg och zon (till exempel \u{201d}Hög risk\u{201d}) är beräknade av Kvalitet \
                             ur nämndens riskmatris.";

/// Above the heat map, which no seed has.
pub const HEAT_MAP_NOTE: &str = "Riskkartan är framställd av Kvalitet ur riskernas bedömningar; \
                                 samma uppgifter finns i tabellerna nedan.";

pub fn heading(level: u8, text: impl Into<String>) -> Block {
    Block::Heading { level, text: text.into() }
}

pub fn table(caption: impl Into<String>, header: &[&str], widths: &[u32], rows: Vec<Vec<Cell>>) -> Block {
    Block::Table(Table {
        caption: caption.into(),
        header: header.iter().map(|h| (*h).to_owned()).collect(),
        rows,
        row_headers: true,
        widths: widths.to_vec(),
    })
}

/// "Kvalitetsplan 2024 för Individ- och familjeomsorg, antagen av nämnden 2023-12-13 (SN-2023/112)"
pub fn adoption_line(p: &PlanBundle) -> Option<String> {
    let on = p.plan.adopted_on?;
    Some(match p.plan.board_reference.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => format!("Antagen av nämnden {on}, {r}"),
        None => format!("Antagen av nämnden {on}"),
    })
}

/// "Uppföljning 2022-03-04:", or "Uppföljning:" when only the year is known (the
/// seeds' own words; an undated record's stored day is never printed).
pub fn follow_up_head(on: kvalitet_domain::Date, undated: bool) -> String {
    if undated { "Uppföljning:".to_owned() } else { format!("Uppföljning {on}:") }
}

/// An action in a table cell: its title, what is to be done, who and when; with its
/// follow-ups, each entry's text and the status in words.
pub fn action_paras(a: &ActionView<'_>, with_follow_ups: bool) -> Vec<Para> {
    let act = &a.action.item;
    // The plans (seeds 000, 001) print the action's title alone in their "Åtgärder"
    // column; the follow-up (seed 004) prefixes it: "Åtgärd: …".
    let title = if with_follow_ups { format!("Åtgärd: {}", act.title) } else { act.title.clone() };
    let mut out = vec![Para::strong(title)];
    out.extend(cell_paras(&act.description));
    let mut who = Vec::new();
    if !act.responsible.is_empty() {
        who.push(format!("Ansvarig: {}", act.responsible));
    }
    if let Some(d) = act.due_on {
        who.push(format!("klar senast {d}"));
    }
    if !who.is_empty() {
        out.push(Para::note(who.join(", ")));
    }
    if with_follow_ups {
        for f in &a.follow_ups {
            out.push(Para::strong(follow_up_head(f.entry_on, f.undated)));
            out.extend(cell_paras(&f.text));
        }
        out.push(Para::note(format!("Status: {}", labels::action_status(act.status))));
        if let Some(r) = act.withdrawn_reason.as_deref().filter(|r| !r.trim().is_empty()) {
            out.push(Para::new(format!("Skäl till att åtgärden utgått: {r}")));
        }
    }
    out
}

pub fn value_in(unit: MeasureUnit, v: f64) -> String {
    match unit {
        MeasureUnit::Percent => percent(v),
        MeasureUnit::Days => format!("{} dagar", number(v)),
        MeasureUnit::Count | MeasureUnit::MeanScale => number(v),
    }
}

/// One yearly result of an indicator: value, basis and interval, national value, the
/// warning when the basis is thin, and the comment.
pub fn result_paras(unit: MeasureUnit, r: &IndicatorResult) -> Vec<Para> {
    let mut out = Vec::new();
    if r.no_data {
        out.push(Para::strong(format!("{}: Inga tillgängliga data", r.year)));
    } else {
        let value = r.value.map(|v| value_in(unit, v)).unwrap_or_else(|| "–".into());
        out.push(Para::strong(format!("{}: {value}", r.year)));
    }
    let share = r.share();
    if let Some(s) = share {
        out.push(Para::note(format!(
            "n = {}, 95 % konfidensintervall {}–{} (beräknat av Kvalitet)",
            number(s.denominator as f64),
            share_percent(s.ci_low),
            share_percent(s.ci_high)
        )));
    }
    if let Some(rate) = r.response_rate {
        out.push(Para::note(format!("Svarsfrekvens {}", percent(rate))));
    }
    if let Some(n) = r.national_value {
        out.push(Para::note(format!("Riket: {}", value_in(unit, n))));
    }
    if share.is_some_and(|s| s.basis() == Basis::TooThin) {
        out.push(Para::warning(labels::THIN_BASIS));
    }
    out.extend(cell_paras(&r.comment));
    out
}
