//! Writing a plan as a workbook: each sheet from its table of columns, the links as
//! the linked items' numbers, the hidden id column, and the lists on Värden.

use std::collections::HashMap;

use rust_xlsxwriter::{DataValidation, ExcelDateTime, Format, Formula, Workbook, Worksheet, XlsxError};

use kvalitet_domain::Versioned;
use kvalitet_domain::bundle::PlanBundle;

use super::columns::{self, SheetSpec};
use super::{Context, Directory, ID_HEADING, Value};

/// Rows below the heading that offer the lists, so that rows added in Excel get them too.
const VALIDATED_ROWS: u32 = 1000;

/// A sheet to write: its headings, for each column the list of allowed values (the column
/// of Värden holding them), its rows, and which column is the hidden id.
struct Sheet {
    name: &'static str,
    headings: Vec<&'static str>,
    lists: Vec<(usize, usize)>,
    rows: Vec<Vec<Value>>,
}

/// The columns of Värden: a heading and its values; a list used by several columns once.
#[derive(Default)]
struct Lists(Vec<(&'static str, Vec<String>)>);

impl Lists {
    fn add(&mut self, (heading, values): (&'static str, Vec<String>)) -> usize {
        if let Some(i) = self.0.iter().position(|(h, _)| *h == heading) {
            return i;
        }
        self.0.push((heading, values));
        self.0.len() - 1
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

/// The numbers the workbook gives a plan's items (R1, E1, Å1, I1), by raw id per sheet.
pub(crate) struct Numbers(HashMap<(&'static str, i64), String>);

impl Numbers {
    pub fn of(bundle: &PlanBundle) -> Numbers {
        fn add<T>(map: &mut HashMap<(&'static str, i64), String>, spec: SheetSpec<T>, items: &[Versioned<T>]) {
            for (i, item) in items.iter().enumerate() {
                map.insert((spec.name, item.id.get()), format!("{}{}", spec.prefix, i + 1));
            }
        }
        let mut map = HashMap::new();
        add(&mut map, columns::risks(), &bundle.risks);
        add(&mut map, columns::self_inspections(), &bundle.self_inspections);
        add(&mut map, columns::actions(), &bundle.actions);
        add(&mut map, columns::indicators(), &bundle.indicators);
        Numbers(map)
    }

    pub fn get(&self, sheet: &'static str, id: i64) -> String {
        self.0.get(&(sheet, id)).cloned().unwrap_or_default()
    }
}

/// The plan as a workbook; `directory` names the org units self-inspections are tied to
/// and the people responsible.
pub fn write(bundle: &PlanBundle, directory: &Directory) -> Result<Vec<u8>, XlsxError> {
    let c = Context { bundle, directory };
    let numbers = Numbers::of(bundle);
    let mut lists = Lists::default();
    let sheets = [
        sheet(&columns::risks(), &bundle.risks, &c, &numbers, &mut lists),
        sheet(&columns::self_inspections(), &bundle.self_inspections, &c, &numbers, &mut lists),
        sheet(&columns::actions(), &bundle.actions, &c, &numbers, &mut lists),
        sheet(&columns::indicators(), &bundle.indicators, &c, &numbers, &mut lists),
    ];

    let mut wb = Workbook::new();
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_title(&bundle.plan.title));
    for sheet in &sheets {
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

/// One sheet's rows: the number, the columns, the links, the id and version.
fn sheet<T>(spec: &SheetSpec<T>, items: &[Versioned<T>], c: &Context, numbers: &Numbers, lists: &mut Lists) -> Sheet {
    let mut headings = vec!["Nr"];
    let mut list_cols = Vec::new();
    for col in &spec.cols {
        if let Some(list) = col.list {
            list_cols.push((headings.len(), lists.add(list(c))));
        }
        headings.push(col.heading);
    }
    headings.extend(spec.links.iter().map(|l| l.heading));
    headings.push(ID_HEADING);
    let rows = items
        .iter()
        .map(|item| {
            let mut row = vec![Value::Text(numbers.get(spec.name, item.id.get()))];
            row.extend(spec.cols.iter().map(|col| (col.show)(&item.item, c)));
            for l in spec.links {
                let target = columns::target_sheet(l.link);
                let linked: Vec<String> = super::changes::linked(c.bundle, l.link, item.id.get())
                    .into_iter()
                    .map(|t| numbers.get(target, t))
                    .collect();
                row.push(Value::Text(linked.join("; ")));
            }
            row.push(Value::Text(format!("{}:{}", item.id, item.version)));
            row
        })
        .collect();
    Sheet { name: spec.name, headings, lists: list_cols, rows }
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
    // The id and version are for reading the workbook back; nobody needs to see them.
    ws.set_column_hidden(sheet.headings.len() as u16 - 1)?;
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, sheet.rows.len().max(1) as u32, sheet.headings.len() as u16 - 1)?;
    Ok(())
}
