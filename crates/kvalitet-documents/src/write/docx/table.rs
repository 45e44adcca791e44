//! Tables: numbered captions ("Tabell N: …" with a SEQ field), header rows that repeat
//! on every page, and column widths that fit the text width and are computed from the
//! content, so that no word ("Risknivå", a year) is broken inside a column.

use docx_rs::{
    FieldCharType, InstrText, Paragraph, Run, Shading, Table, TableCell, TableCellMargins, TableLayoutType, TableRow,
    WidthType,
};

use super::styles::TABLE_TEXT_SIZE;
use super::{TEXT_WIDTH, Writer, run};
use crate::model::{self, Cell, ParaStyle};

/// The cell margin on each side, in twips (Word's default).
pub const CELL_MARGIN: usize = 108;
/// A character's width in em, estimated on the wide side: Calibri's are narrower, but
/// where Calibri is missing (LibreOffice without Carlito) a wider sans takes its place.
const EM_PER_CHAR: f64 = 0.55;
/// Bold text is this much wider.
const BOLD: f64 = 1.08;

/// The width of `text` set in the table font, in twips.
fn text_width(text: &str, bold: bool) -> f64 {
    let em = f64::from(TABLE_TEXT_SIZE as u32) * 10.0; // half-points → twips
    text.chars().count() as f64 * EM_PER_CHAR * em * if bold { BOLD } else { 1.0 }
}

/// What a column needs: the width of its longest word (below which a word would break)
/// and of its longest line unbroken (above which it is wasted), with the cell margins.
#[derive(Debug, Clone, Copy, Default)]
struct Need {
    word: f64,
    line: f64,
}

impl Need {
    fn add(&mut self, text: &str, bold: bool) {
        let pad = 2.0 * CELL_MARGIN as f64;
        for w in text.split_whitespace() {
            self.word = self.word.max(text_width(w, bold) + pad);
        }
        self.line = self.line.max(text_width(text.trim(), bold) + pad);
    }
}

fn needs(t: &model::Table) -> Vec<Need> {
    let mut needs = vec![Need::default(); t.header.len()];
    for (need, h) in needs.iter_mut().zip(&t.header) {
        need.add(h, true);
    }
    for row in &t.rows {
        for (need, cell) in needs.iter_mut().zip(row) {
            for p in &cell.paras {
                need.add(&p.text, p.style == ParaStyle::Strong);
            }
        }
    }
    needs
}

/// Column widths in twips that add up to the text width: each at least its longest
/// word, the model's relative widths as the wish, no column wider than its content
/// needs while another still wraps.
pub fn column_widths(t: &model::Table) -> Vec<usize> {
    let n = t.header.len().max(1);
    let needs = needs(t);
    let total = TEXT_WIDTH as f64;
    let min: Vec<f64> = needs.iter().map(|n| n.word).collect();
    let sum_min: f64 = min.iter().sum();
    let widths: Vec<f64> = if needs.is_empty() {
        vec![total]
    } else if sum_min >= total {
        // The words do not fit side by side at all: shrink them alike.
        min.iter().map(|m| m * total / sum_min).collect()
    } else {
        let hint_sum: u32 = t.widths.iter().sum();
        let hint: Vec<f64> = if t.widths.len() == n && hint_sum > 0 {
            t.widths.iter().map(|w| total * f64::from(*w) / f64::from(hint_sum)).collect()
        } else {
            vec![total / n as f64; n]
        };
        let mut w: Vec<f64> = (0..n).map(|c| hint[c].min(needs[c].line).max(min[c])).collect();
        let sum: f64 = w.iter().sum();
        if sum > total {
            // Take the excess from the columns above their minimum, in proportion.
            let slack: f64 = w.iter().zip(&min).map(|(x, m)| x - m).sum();
            for (x, m) in w.iter_mut().zip(&min) {
                *x -= (sum - total) * (*x - m) / slack;
            }
        } else {
            // Give the room first to the columns that still wrap, then to all alike.
            let mut room = total - sum;
            let want: Vec<f64> = w.iter().zip(&needs).map(|(x, need)| (need.line - x).max(0.0)).collect();
            let want_sum: f64 = want.iter().sum();
            if want_sum > 0.0 {
                let share = room.min(want_sum);
                for (x, want) in w.iter_mut().zip(&want) {
                    *x += share * want / want_sum;
                }
                room -= share;
            }
            let sum: f64 = w.iter().sum();
            for x in &mut w {
                *x += room * *x / sum;
            }
        }
        w
    };
    let mut out: Vec<usize> = widths.iter().map(|w| w.floor() as usize).collect();
    // What rounding left goes to the widest column.
    let rest = TEXT_WIDTH.saturating_sub(out.iter().sum());
    if let Some(widest) = (0..out.len()).max_by_key(|&c| out[c]) {
        out[widest] += rest;
    }
    out
}

impl Writer {
    /// "Tabell N: <caption>", the number a SEQ field (updated by Word, and already
    /// right as written).
    fn caption(&mut self, label: &str, text: &str) -> Paragraph {
        let n = self.next_number(label);
        Paragraph::new()
            .style("Caption")
            .keep_next(true)
            .add_run(run(&format!("{label} ")))
            .add_run(
                Run::new()
                    .add_field_char(FieldCharType::Begin, false)
                    .add_instr_text(InstrText::Unsupported(format!("SEQ {label} \\* ARABIC")))
                    .add_field_char(FieldCharType::Separate, false)
                    .add_text(n.to_string())
                    .add_field_char(FieldCharType::End, false),
            )
            .add_run(run(&format!(": {text}")))
    }

    /// A figure's caption: "Figur N: <title>".
    pub fn figure_caption(&mut self, title: &str) -> Paragraph {
        self.caption("Figur", title)
    }

    fn cell(&mut self, c: &Cell, width: usize) -> TableCell {
        let mut cell = TableCell::new().width(width, WidthType::Dxa);
        if let Some(s) = &c.shading {
            cell = cell.shading(Shading::new().fill(s.trim_start_matches('#').to_ascii_uppercase()));
        }
        if c.paras.is_empty() {
            cell = cell.add_paragraph(Paragraph::new().style("TableText"));
        }
        for p in &c.paras {
            let style = match p.style {
                ParaStyle::Note => "Note",
                ParaStyle::Warning => "Warning",
                _ => "TableText",
            };
            cell = cell.add_paragraph(self.para(p).style(style));
        }
        cell
    }

    /// The caption and the table; an empty paragraph follows it in the body.
    pub fn table_parts(&mut self, t: &model::Table) -> (Paragraph, Table) {
        let grid = column_widths(t);
        let header = TableRow::new(
            t.header
                .iter()
                .zip(&grid)
                .map(|(h, w)| {
                    TableCell::new()
                        .width(*w, WidthType::Dxa)
                        .shading(Shading::new().fill("E8EEF3"))
                        .add_paragraph(Paragraph::new().style("TableHeading").keep_next(true).add_run(run(h).bold()))
                })
                .collect(),
        )
        // Only header rows are cantSplit; the package marks them as repeating.
        .cant_split();
        let mut rows = vec![header];
        for r in &t.rows {
            let cells = r.iter().zip(&grid).map(|(c, w)| self.cell(c, *w)).collect();
            rows.push(TableRow::new(cells));
        }
        let caption = self.caption("Tabell", &t.caption);
        let table = Table::new(rows)
            .set_grid(grid)
            .layout(TableLayoutType::Fixed)
            .width(TEXT_WIDTH, WidthType::Dxa)
            .margins(TableCellMargins::new().margin(0, CELL_MARGIN, 0, CELL_MARGIN))
            .style("TableGrid");
        (caption, table)
    }
}
