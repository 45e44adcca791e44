//! Writing results as JSON, CSV or an aligned Swedish table.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::result::{MeasureResult, ValueType};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// An array of objects, full precision, shares as fractions 0..1.
    Json,
    /// One row per result, comma-separated, full precision with a decimal point.
    Csv,
    /// An aligned table for people: Swedish headings, per cent with one decimal, decimal comma.
    #[default]
    Table,
}

/// Writes `results` in `format`.
pub fn write_results(results: &[MeasureResult], format: Format, out: &mut dyn Write) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, results)?;
            writeln!(out)?;
        }
        Format::Csv => write_csv(results, out)?,
        Format::Table => write_table(results, out)?,
    }
    Ok(())
}

const CSV_COLUMNS: [&str; 16] = [
    "measure",
    "name",
    "value_type",
    "unit",
    "month",
    "group",
    "numerator",
    "denominator",
    "value",
    "ci_low",
    "ci_high",
    "over_limit_with_extension",
    "mean",
    "median",
    "max",
    "outside_count",
];

fn write_csv(results: &[MeasureResult], out: &mut dyn Write) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_COLUMNS)?;
    for r in results {
        let opt = |v: Option<String>| v.unwrap_or_default();
        let value_type = serde_json::to_value(r.value_type)?.as_str().unwrap_or_default().to_owned();
        let text = |v: Option<&String>| v.map_or_else(String::new, |v| neutralise_formula(v));
        w.write_record([
            text(Some(&r.measure)),
            text(Some(&r.name)),
            value_type,
            text(r.unit.as_ref()),
            text(r.month.as_ref()),
            text(r.group.as_ref()),
            opt(r.numerator.map(|v| v.to_string())),
            opt(r.denominator.map(|v| v.to_string())),
            opt(r.value.map(|v| v.to_string())),
            opt(r.ci_low.map(|v| v.to_string())),
            opt(r.ci_high.map(|v| v.to_string())),
            opt(r.over_limit_with_extension.map(|v| v.to_string())),
            opt(r.mean.map(|v| v.to_string())),
            opt(r.median.map(|v| v.to_string())),
            opt(r.max.map(|v| v.to_string())),
            r.outside_count.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// A text cell as a spreadsheet will not run it: one starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return gets a leading `'` (OWASP's advice against CSV injection).
/// Unit and intervention names come from the imported files, so they may start so.
pub fn neutralise_formula(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

fn write_table(results: &[MeasureResult], out: &mut dyn Write) -> anyhow::Result<()> {
    let head = ["Mått", "Enhet", "Månad", "Grupp", "Antal", "Underlag", "Värde", "95 % KI", "Övrigt"];
    let mut rows: Vec<[String; 9]> = vec![head.map(str::to_owned)];
    for r in results {
        rows.push([
            r.name.clone(),
            r.unit.clone().unwrap_or_else(|| "Alla".into()),
            r.month.clone().unwrap_or_else(|| "Perioden".into()),
            r.group.clone().unwrap_or_default(),
            r.numerator.map(crate::error::thousands).unwrap_or_default(),
            r.denominator.map(crate::error::thousands).unwrap_or_default(),
            shown_value(r),
            match (r.ci_low, r.ci_high) {
                (Some(l), Some(h)) => format!("{}–{}", percent(l), percent(h)),
                _ => String::new(),
            },
            extras(r),
        ]);
    }
    let mut widths = [0usize; 9];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    // Numbers right-aligned, text left-aligned.
    let right = [false, false, false, false, true, true, true, true, false];
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let pad = " ".repeat(widths[i] - cell.chars().count());
            if i > 0 {
                line.push_str("  ");
            }
            if right[i] {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&pad);
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn shown_value(r: &MeasureResult) -> String {
    let Some(v) = r.value else {
        return "–".into();
    };
    match r.value_type {
        ValueType::Share | ValueType::Occupancy => percent(v),
        ValueType::Count => crate::error::thousands(v as u64),
        ValueType::Days => format!("{} dagar", decimal(v)),
    }
}

fn extras(r: &MeasureResult) -> String {
    let mut parts = Vec::new();
    if let Some(n) = r.over_limit_with_extension {
        parts.push(format!("{n} över gränsen med förlängningsbeslut"));
    }
    if let Some(m) = r.mean {
        parts.push(format!("medel {} dagar", decimal(m)));
    }
    if let Some(m) = r.median {
        parts.push(format!("median {} dagar", decimal(m)));
    }
    if let Some(m) = r.max {
        parts.push(format!("max {m} dagar"));
    }
    parts.join(", ")
}

/// `0.78333` as `78,3 %`.
pub fn percent(fraction: f64) -> String {
    format!("{} %", decimal(fraction * 100.0))
}

/// One decimal with a decimal comma: `12.25` as `12,3`.
pub fn decimal(v: f64) -> String {
    // Round half away from zero (as people do), not half to even.
    format!("{:.1}", (v * 10.0).round() / 10.0).replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(neutralise_formula("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        for lead in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise_formula(lead), format!("'{lead}"));
        }
        assert_eq!(neutralise_formula("Enhet A"), "Enhet A");
    }

    #[test]
    fn swedish_number_forms() {
        assert_eq!(percent(0.783333), "78,3 %");
        assert_eq!(percent(1.0), "100,0 %");
        assert_eq!(decimal(12.25), "12,3");
        assert_eq!(decimal(11.25), "11,3");
        assert_eq!(decimal(3.0), "3,0");
    }
}
