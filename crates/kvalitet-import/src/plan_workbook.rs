//! A quality plan as a workbook, the way municipalities keep their plans in Excel: one
//! sheet per item kind (Risker, Egenkontroller, Åtgärder, Indikatorer), Swedish headers,
//! each item numbered (R1, E1, Å1, I1) so the links between them are written as those
//! numbers ("R1; R3"), and the columns with a fixed set of values (process area, method,
//! frequency, status …) offering their values as a list (data validation from the sheet
//! Värden). Dates are dates; the heading row is frozen and filtered.

use std::collections::HashMap;

use rust_xlsxwriter::{DataValidation, ExcelDateTime, Format, Formula, Workbook, Worksheet, XlsxError};

use kvalitet_domain::access::AccountId;
use kvalitet_domain::action::ActionStatus;
use kvalitet_domain::bundle::PlanBundle;
use kvalitet_domain::indicator::{Direction, IndicatorSource, MeasureUnit};
use kvalitet_domain::labels::{Label, capitalised};
use kvalitet_domain::org::OrgUnitId;
use kvalitet_domain::self_inspection::{Frequency, Method};

/// The sheets, in order.
pub const SHEETS: [&str; 5] = ["Risker", "Egenkontroller", "Åtgärder", "Indikatorer", "Värden"];

/// Rows below the heading that offer the lists, so that rows added in Excel get them too.
const VALIDATED_ROWS: u32 = 1000;

/// One cell to write.
enum Value {
    Text(String),
    Number(Option<f64>),
    Date(Option<kvalitet_domain::Date>),
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn yes(b: bool) -> Value {
    text(if b { "Ja" } else { "Nej" })
}

/// A sheet: its headings, for each column the list of allowed values (the column of
/// Värden holding them), and its rows.
struct Sheet {
    name: &'static str,
    headings: Vec<&'static str>,
    lists: Vec<(usize, usize)>,
    rows: Vec<Vec<Value>>,
}

/// The columns of Värden: a heading and its values.
struct Lists(Vec<(&'static str, Vec<String>)>);

impl Lists {
    fn add(&mut self, heading: &'static str, values: Vec<String>) -> usize {
        self.0.push((heading, values));
        self.0.len() - 1
    }

    fn codes<T: Label>(&mut self, heading: &'static str) -> usize {
        self.add(heading, T::ALL.iter().map(|v| capitalised(v.label())).collect())
    }

    /// The list formula of column `i`: its values' cells on Värden.
    fn formula(&self, i: usize) -> String {
        let col = column_letter(i);
        format!("='Värden'!${col}$2:${col}${}", self.0[i].1.len().max(1) + 1)
    }
}

fn column_letter(i: usize) -> String {
    let mut n = i + 1;
    let mut s = String::new();
    while n > 0 {
        let r = (n - 1) % 26;
        s.insert(0, (b'A' + r as u8) as char);
        n = (n - 1) / 26;
    }
    s
}

/// The plan as a workbook; `unit_name` names the org units self-inspections are tied to,
/// `responsible` the person responsible for an action or self-inspection (an account's
/// name, else the text).
pub fn write(
    bundle: &PlanBundle,
    unit_name: impl Fn(OrgUnitId) -> String,
    responsible: impl Fn(Option<AccountId>, &str) -> String,
) -> Result<Vec<u8>, XlsxError> {
    let mut lists = Lists(Vec::new());
    let areas = lists.add("Processområde", bundle.process_areas.iter().map(|a| a.name.clone()).collect());
    let yes_no = lists.add("Ja/Nej", vec!["Ja".into(), "Nej".into()]);
    let methods = lists.codes::<Method>("Metod");
    let frequencies = lists.codes::<Frequency>("Frekvens");
    let statuses = lists.codes::<ActionStatus>("Status");
    let factors = lists.add("Kvalitetsfaktor", bundle.quality_factors.iter().map(|f| f.name.clone()).collect());
    let measure_units = lists.codes::<MeasureUnit>("Mäts som");
    let sources = lists.codes::<IndicatorSource>("Källa");
    let directions = lists.codes::<Direction>("Riktning");

    let area_name = |id| bundle.process_areas.iter().find(|a| a.id == id).map(|a| a.name.clone()).unwrap_or_default();
    let number = |prefix: &str, i: usize| format!("{prefix}{}", i + 1);
    let risk_no: HashMap<_, _> = bundle.risks.iter().enumerate().map(|(i, r)| (r.id, number("R", i))).collect();
    let si_no: HashMap<_, _> =
        bundle.self_inspections.iter().enumerate().map(|(i, s)| (s.id, number("E", i))).collect();
    let joined = |ids: Vec<&String>| ids.into_iter().cloned().collect::<Vec<_>>().join("; ");
    let l = &bundle.links;

    let risks = Sheet {
        name: "Risker",
        headings: vec![
            "Nr",
            "Processområde",
            "Risk",
            "Konsekvens",
            "Sannolikhet",
            "Konsekvensgrad",
            "Risknivå",
            "Ska omprövas",
        ],
        lists: vec![(1, areas), (7, yes_no)],
        rows: bundle
            .risks
            .iter()
            .map(|r| {
                vec![
                    text(&risk_no[&r.id]),
                    text(area_name(r.process_area_id)),
                    text(&r.title),
                    text(&r.consequence_text),
                    Value::Number(r.likelihood.map(|v| v as f64)),
                    Value::Number(r.consequence.map(|v| v as f64)),
                    Value::Number(Some(r.level as f64)),
                    yes(r.needs_reassessment),
                ]
            })
            .collect(),
    };
    let inspections = Sheet {
        name: "Egenkontroller",
        headings: vec![
            "Nr",
            "Processområde",
            "Egenkontroll",
            "Syfte",
            "Metod",
            "Frekvens",
            "Mål",
            "Ny",
            "Ansvarig",
            "Kopplad till enhet",
            "Kopplade risker",
            "Ligger kvar nästa år",
            "Om åtgärder",
        ],
        lists: vec![(1, areas), (4, methods), (5, frequencies), (7, yes_no), (11, yes_no)],
        rows: bundle
            .self_inspections
            .iter()
            .map(|s| {
                let linked = l.self_inspection_risk.iter().filter(|(a, _)| *a == s.id).map(|(_, r)| &risk_no[r]);
                vec![
                    text(&si_no[&s.id]),
                    text(area_name(s.process_area_id)),
                    text(&s.title),
                    text(&s.purpose),
                    text(capitalised(s.method.label())),
                    text(capitalised(s.frequency.label())),
                    text(&s.target),
                    yes(s.is_new),
                    text(responsible(s.responsible_account_id, &s.responsible)),
                    text(s.unit_id.map(&unit_name).unwrap_or_default()),
                    text(joined(linked.collect())),
                    yes(s.keep_next_year),
                    text(&s.action_note),
                ]
            })
            .collect(),
    };
    let actions = Sheet {
        name: "Åtgärder",
        headings: vec![
            "Nr",
            "Åtgärd",
            "Vad ska göras",
            "Ansvarig",
            "Klar senast",
            "Status",
            "Kopplade risker",
            "Kopplade egenkontroller",
        ],
        lists: vec![(5, statuses)],
        rows: bundle
            .actions
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let risks = l.action_risk.iter().filter(|(x, _)| *x == a.id).map(|(_, r)| &risk_no[r]);
                let sis = l.action_self_inspection.iter().filter(|(x, _)| *x == a.id).map(|(_, s)| &si_no[s]);
                vec![
                    text(number("Å", i)),
                    text(&a.title),
                    text(&a.description),
                    text(responsible(a.responsible_account_id, &a.responsible)),
                    Value::Date(a.due_on),
                    text(capitalised(a.status.label())),
                    text(joined(risks.collect())),
                    text(joined(sis.collect())),
                ]
            })
            .collect(),
    };
    let indicators = Sheet {
        name: "Indikatorer",
        headings: vec![
            "Nr",
            "Område",
            "Kvalitetsindikator",
            "Kvalitetsfaktor",
            "Mäts som",
            "Källa",
            "Målvärde",
            "Riktning",
            "Kopplade risker",
            "Anmärkning",
        ],
        lists: vec![(1, areas), (3, factors), (4, measure_units), (5, sources), (7, directions)],
        rows: bundle
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| {
                let factor = ind
                    .quality_factor_id
                    .and_then(|f| bundle.quality_factors.iter().find(|q| q.id == f))
                    .map(|q| q.name.clone())
                    .unwrap_or_default();
                let risks = l.indicator_risk.iter().filter(|(x, _)| *x == ind.id).map(|(_, r)| &risk_no[r]);
                vec![
                    text(number("I", i)),
                    text(area_name(ind.area_id)),
                    text(&ind.name),
                    text(factor),
                    text(capitalised(ind.unit.label())),
                    text(capitalised(ind.source.label())),
                    Value::Number(ind.target_value),
                    text(capitalised(ind.direction.label())),
                    text(joined(risks.collect())),
                    text(&ind.note),
                ]
            })
            .collect(),
    };

    let mut wb = Workbook::new();
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_title(&bundle.plan.title));
    for sheet in [&risks, &inspections, &actions, &indicators] {
        let ws = wb.add_worksheet();
        write_sheet(ws, sheet, &lists)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("Värden")?;
    let bold = Format::new().set_bold();
    for (col, (heading, values)) in lists.0.iter().enumerate() {
        let col = col as u16;
        ws.write_string_with_format(0, col, *heading, &bold)?;
        ws.set_column_width(col, 24)?;
        for (row, v) in values.iter().enumerate() {
            ws.write_string(row as u32 + 1, col, crate::neutralise(v))?;
        }
    }
    wb.save_to_buffer()
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet, lists: &Lists) -> Result<(), XlsxError> {
    ws.set_name(sheet.name)?;
    let bold = Format::new().set_bold().set_text_wrap();
    let wrap = Format::new().set_text_wrap().set_align(rust_xlsxwriter::FormatAlign::Top);
    let date = Format::new().set_num_format("yyyy-mm-dd").set_align(rust_xlsxwriter::FormatAlign::Top);
    for (col, h) in sheet.headings.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, *h, &bold)?;
        let widest = sheet
            .rows
            .iter()
            .map(|r| match &r[col] {
                Value::Text(t) => t.chars().count(),
                _ => 10,
            })
            .max()
            .unwrap_or(0);
        ws.set_column_width(col as u16, (widest.max(h.chars().count()) + 2).clamp(6, 50) as f64)?;
    }
    for (i, r) in sheet.rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, v) in r.iter().enumerate() {
            let col = col as u16;
            match v {
                Value::Text(t) if !t.is_empty() => {
                    ws.write_string_with_format(row, col, crate::neutralise(t), &wrap)?;
                }
                Value::Number(Some(n)) => {
                    ws.write_number_with_format(row, col, *n, &wrap)?;
                }
                Value::Date(Some(d)) => {
                    let d = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    ws.write_datetime_with_format(row, col, &d, &date)?;
                }
                _ => {}
            }
        }
    }
    for (col, list) in &sheet.lists {
        let validation = DataValidation::new()
            .allow_list_formula(Formula::new(lists.formula(*list)))
            .set_error_title("Värdet finns inte i listan")?
            .set_error_message("Välj ett av värdena i listan (de står på bladet Värden).")?;
        ws.add_data_validation(1, *col as u16, VALIDATED_ROWS, *col as u16, &validation)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, sheet.rows.len().max(1) as u32, sheet.headings.len() as u16 - 1)?;
    Ok(())
}
