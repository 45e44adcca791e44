//! The list of a year as a workbook (`/avvikelser.xlsx`): the sheet "Avvikelser", one row
//! per report the list shows, and "Sammanställning", the year's counts. Same filters and
//! permission as the list; every exported report is logged as read. A text cell that a
//! spreadsheet could take for a formula gets a leading `'`.
//!
//! A workbook has no template, so the Swedish names of the codes are here, the same words
//! as `templates/labels.html` and `deviation_labels.html`.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::Response;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use kvalitet_domain::Code;
use kvalitet_domain::deviation::{
    CategoryDimension, Complainant, ComplaintChannel, ComplaintOutcome, DeviationKind, DeviationStatus,
    LexSarahCategory,
};
use kvalitet_domain::labels::Label;

use super::list::{Count, Filters, Summary, load, log_reads, summary};
use super::unit_name;
use crate::auth::User;
use crate::error::{WebError, WebResult};
use crate::pages::lists::export::{to_csv, write_table};
use crate::pages::lists::{Cell, Column, Row, Table};
use crate::router::AppState;
use crate::spreadsheet::{CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, attachment, neutralise};

fn kind(k: DeviationKind) -> &'static str {
    k.label()
}

fn status(s: DeviationStatus) -> &'static str {
    s.label()
}

fn lex_sarah(c: LexSarahCategory) -> &'static str {
    c.label()
}

fn dimension(d: CategoryDimension) -> &'static str {
    d.label()
}

/// An optional code's label; an empty code is "Ej angivet".
fn optional<T: Label>(code: &str) -> &'static str {
    T::from_code(code).map_or("Ej angivet", Label::label)
}

fn complainant(code: &str) -> &'static str {
    optional::<Complainant>(code)
}

fn channel(code: &str) -> &'static str {
    optional::<ComplaintChannel>(code)
}

fn outcome(code: &str) -> &'static str {
    optional::<ComplaintOutcome>(code)
}

/// Writes rows of text and counts from the top of a sheet, a bold heading row first.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    row: u32,
    bold: Format,
}

impl Sheet<'_> {
    fn text(&mut self, col: u16, text: &str) -> Result<(), XlsxError> {
        if !text.is_empty() {
            self.ws.write_string(self.row, col, neutralise(text))?;
        }
        Ok(())
    }

    fn heading(&mut self, cells: &[&str]) -> Result<(), XlsxError> {
        for (i, c) in cells.iter().enumerate() {
            self.ws.write_string_with_format(self.row, i as u16, neutralise(c), &self.bold)?;
        }
        self.row += 1;
        Ok(())
    }

    fn count(&mut self, col: u16, n: Count) -> Result<(), XlsxError> {
        match n.0 {
            Some(n) => self.ws.write_number(self.row, col, n as f64).map(|_| ()),
            None => self.ws.write_string(self.row, col, "–").map(|_| ()),
        }
    }

    /// A row: a label, then counts.
    fn counts(&mut self, label: &str, counts: &[Count]) -> Result<(), XlsxError> {
        self.text(0, label)?;
        for (i, n) in counts.iter().enumerate() {
            self.count(i as u16 + 1, *n)?;
        }
        self.row += 1;
        Ok(())
    }

    fn gap(&mut self) {
        self.row += 1;
    }
}

fn write_summary(ws: &mut Worksheet, s: &Summary) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    ws.set_column_width(0, 40)?;
    let (year, last) = (s.year.to_string(), (s.year - 1).to_string());
    let mut sh = Sheet { ws, row: 0, bold };
    sh.heading(&[&format!("Antal per enhet och slag, {year} jämfört med {last}")])?;
    let mut head = vec!["Enhet".to_owned()];
    for k in DeviationKind::ALL {
        head.push(format!("{} {year}", kind(*k)));
        head.push(format!("{} {last}", kind(*k)));
    }
    sh.heading(&head.iter().map(String::as_str).collect::<Vec<_>>())?;
    let flat = |v: &[(Count, Count)]| v.iter().flat_map(|(a, b)| [*a, *b]).collect::<Vec<_>>();
    for u in &s.by_unit {
        sh.counts(&u.unit, &flat(&u.counts))?;
    }
    sh.counts("Totalt", &flat(&s.total))?;
    sh.gap();
    sh.heading(&[&format!("Antal per enhet och kvartal {year}")])?;
    sh.heading(&["Enhet", "Kvartal 1", "Kvartal 2", "Kvartal 3", "Kvartal 4", "Hela året"])?;
    for q in &s.quarters {
        let mut v = q.quarters.to_vec();
        v.push(q.year);
        sh.counts(&q.unit, &v)?;
    }
    let mut v = s.quarter_total.to_vec();
    v.push(s.quarter_year_total);
    sh.counts("Totalt", &v)?;
    for t in &s.categories {
        let dim = CategoryDimension::from_code(t.dimension).map_or("", dimension);
        sh.gap();
        sh.heading(&[&format!("Antal per {dim}, {year} jämfört med {last}")])?;
        sh.heading(&[dim, &year, &last])?;
        for r in &t.rows {
            let label = match (r.code, r.inactive) {
                ("none", _) => "Ingen kategori".to_owned(),
                (_, true) => format!("{} (inaktiv)", r.label),
                _ => r.label.clone(),
            };
            sh.counts(&label, &[r.this, r.last])?;
        }
    }
    sh.gap();
    sh.heading(&[&format!("Lex Sarah – beslutade bedömningar, {year} jämfört med {last}")])?;
    sh.heading(&["Bedömning", &year, &last])?;
    for r in &s.lex_sarah {
        sh.counts(LexSarahCategory::from_code(r.code).map_or("", lex_sarah), &[r.this, r.last])?;
    }
    sh.gap();
    sh.heading(&[&format!("Synpunkter och klagomål {year}")])?;
    match &s.complaints {
        None => {
            sh.text(0, "Uppgift saknas")?;
        }
        Some(c) => {
            sh.counts("Registrerade i Kvalitet", &[Count(Some(c.registered))])?;
            sh.counts("Sammanställda utanför Kvalitet", &[Count(Some(c.tallied))])?;
            sh.counts("Besvarade", &[Count(Some(c.answered))])?;
            sh.text(0, "Mediantid till svar, dagar")?;
            sh.text(1, &c.median_days)?;
            sh.gap();
            for (title, values, label) in [
                ("Lämnad av", &c.by_complainant, complainant as fn(&str) -> &'static str),
                ("Kanal", &c.by_channel, channel),
                ("Utfall", &c.by_outcome, outcome),
            ] {
                sh.gap();
                sh.heading(&[title, "Antal"])?;
                for (code, n) in values.iter() {
                    sh.counts(label(code), &[Count(Some(*n))])?;
                }
            }
        }
    }
    Ok(())
}

/// The year's reports the list's filters show, as a table (what the page lists, with the
/// columns a spreadsheet wants); every report in it is logged as read.
async fn reports(state: &AppState, user: &User, q: &HashMap<String, String>) -> WebResult<(Filters, Table, Summary)> {
    user.require_somewhere(kvalitet_domain::access::Permission::ViewDeviations)?;
    let filters = Filters::parse(q);
    let mut conn = state.store.read().await?;
    let loaded = load(&mut conn, user, filters.year).await?;
    let kept = kvalitet_store::deviations::listed(&mut conn, &filters.list_query(user, false)).await?;
    drop(conn);
    let counts = summary(&loaded, user, filters.year);
    let day = |d: kvalitet_domain::Date, undated: bool| Cell::Date(Some(d), kvalitet_domain::shown_date(d, undated));
    let rows = kept
        .iter()
        .map(|d| Row {
            cells: vec![
                Cell::text(d.reference(d.id)),
                Cell::text(unit_name(&loaded.units, d.unit_id)),
                Cell::text(kind(d.kind)),
                Cell::text(status(d.status)),
                day(d.occurred_on, d.undated),
                day(d.reported_on, d.undated),
                Cell::text(d.title.clone()),
                Cell::text(loaded.categories_of(d, dimension)),
                Cell::text(d.lex_sarah_category.map_or("", lex_sarah)),
                Cell::date(d.reported_to_ivo_on),
                Cell::date(d.closed_on),
            ],
            flag: None,
        })
        .collect();
    log_reads(state, user, kept.iter().map(|d| d.id.get())).await?;
    Ok((filters, Table::all(&COLUMNS, rows), counts))
}

const COLUMNS: [Column; 11] = [
    Column { key: "nummer", heading: "Referensnummer" },
    Column { key: "enhet", heading: "Enhet" },
    Column { key: "slag", heading: "Slag" },
    Column { key: "status", heading: "Status" },
    Column { key: "intraffade", heading: "Inträffade" },
    Column { key: "rapporterad", heading: "Rapporterad" },
    Column { key: "rubrik", heading: "Rubrik" },
    Column { key: "kategorier", heading: "Kategorier" },
    Column { key: "bedomning", heading: "Bedömning" },
    Column { key: "ivo", heading: "Anmäld till IVO" },
    Column { key: "avslutad", heading: "Avslutad" },
];

/// `GET /avvikelser.xlsx?ar=ÅÅÅÅ` (and the list's other filters): the reports and the
/// year's counts.
pub async fn download(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let (filters, table, counts) = reports(&state, &user, &q).await?;
    let mut wb = Workbook::new();
    let bytes = (|| -> Result<Vec<u8>, XlsxError> {
        let ws = wb.add_worksheet();
        ws.set_name("Avvikelser")?;
        write_table(ws, &table)?;
        let ws = wb.add_worksheet();
        ws.set_name("Sammanställning")?;
        write_summary(ws, &counts)?;
        wb.save_to_buffer()
    })()
    .map_err(|e| WebError::Internal(anyhow::anyhow!("workbook: {e}")))?;
    Ok(attachment(XLSX_MEDIA_TYPE, &format!("avvikelser-{}.xlsx", filters.year), bytes))
}

/// `GET /avvikelser.csv?ar=ÅÅÅÅ`: the reports of the list, as CSV.
pub async fn download_csv(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> WebResult<Response> {
    let (filters, table, _) = reports(&state, &user, &q).await?;
    let bytes = to_csv(&table).map_err(|e| WebError::Internal(anyhow::anyhow!("csv: {e}")))?;
    Ok(attachment(CSV_MEDIA_TYPE, &format!("avvikelser-{}.csv", filters.year), bytes))
}
