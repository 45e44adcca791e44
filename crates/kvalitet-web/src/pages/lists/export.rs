//! A list, whole, with its filters and sorting, as a workbook (`.xlsx`: Swedish headers,
//! dates as dates, numbers as numbers, an autofilter and a frozen header row) or as CSV
//! (semicolons, decimal commas and a byte order mark, as Swedish Excel reads it). Text
//! cells that a spreadsheet could run as a formula are neutralised in both.

use axum::response::Response;
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook, Worksheet, XlsxError};

use super::{Cell, ListKind, Table};
use crate::error::{WebError, WebResult};
use crate::spreadsheet::{CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, attachment, neutralise};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

pub fn response(kind: ListKind, format: Format, table: &Table) -> WebResult<Response> {
    let failed = |e: String| WebError::Internal(anyhow::anyhow!("{} export: {e}", kind.path()));
    Ok(match format {
        Format::Xlsx => attachment(
            XLSX_MEDIA_TYPE,
            &format!("{}.xlsx", kind.path()),
            to_xlsx(kind, table).map_err(|e| failed(e.to_string()))?,
        ),
        Format::Csv => attachment(
            CSV_MEDIA_TYPE,
            &format!("{}.csv", kind.path()),
            to_csv(table).map_err(|e| failed(e.to_string()))?,
        ),
    })
}

fn to_xlsx(kind: ListKind, table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(kind.title())?;
    write_table(ws, table)?;
    wb.save_to_buffer()
}

/// A table on a sheet: a bold heading row, frozen, with an autofilter; columns as wide as
/// their text (at most 60 characters).
pub fn write_table(ws: &mut Worksheet, table: &Table) -> Result<(), XlsxError> {
    let bold = CellFormat::new().set_bold();
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    for (col, c) in table.columns.iter().enumerate() {
        ws.write_string_with_format(0, col as u16, c.heading, &bold)?;
        let widest = table.rows.iter().map(|r| r.cells[col].shown().chars().count()).max().unwrap_or(0);
        ws.set_column_width(col as u16, (widest.max(c.heading.chars().count()) + 2).min(60) as f64)?;
    }
    for (i, r) in table.rows.iter().enumerate() {
        let row = i as u32 + 1;
        for (col, cell) in r.cells.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Date(Some(d), shown) if shown == &d.to_string() => {
                    let d = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    ws.write_datetime_with_format(row, col, &d, &date)?;
                }
                Cell::Number(Some(n), _) => {
                    ws.write_number(row, col, *n)?;
                }
                c if !c.shown().is_empty() => {
                    ws.write_string(row, col, neutralise(c.shown()))?;
                }
                _ => {}
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    let last_col = table.columns.len().saturating_sub(1) as u16;
    ws.autofilter(0, 0, table.rows.len() as u32, last_col)?;
    Ok(())
}

/// A table as CSV for Swedish Excel.
pub fn to_csv(table: &Table) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::WriterBuilder::new().delimiter(b';').from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(table.columns.iter().map(|c| c.heading))?;
    for r in &table.rows {
        out.write_record(r.cells.iter().map(|c| match c {
            Cell::Number(Some(n), _) => n.to_string().replace('.', ","),
            Cell::Date(Some(d), shown) if shown == &d.to_string() => d.to_string(),
            c => neutralise(c.shown()),
        }))?;
    }
    out.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
