//! An indicator's comparison with Kolada (F13) in the follow-up and the quality report:
//! a table of the years with the own result, the municipality's, the nation's and the
//! comparison group's values, and the source under it ("Källa: Kolada (RKA), CC BY 4.0,
//! hämtat …", or "Exempeldata" for the demo's made-up values).

use super::{heading, table, value_in};
use crate::IndicatorComparison;
use crate::model::{Block, Cell, Para};

/// The table and the source note of one indicator's comparison.
pub fn blocks(c: &IndicatorComparison) -> Vec<Block> {
    let cmp = &c.comparison;
    let shown = |v: Option<f64>| v.map(|v| value_in(c.unit, v)).unwrap_or_else(|| "–".into());
    let mut header = vec!["År", "Eget resultat", "Kommunen i Kolada", "Riket"];
    if cmp.has_group {
        header.push(cmp.group_label.as_str());
    }
    let rows = cmp
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![
                Cell::text(r.year.to_string()),
                Cell::text(shown(r.own)),
                Cell::text(shown(r.municipality)),
                Cell::text(shown(r.nation)),
            ];
            if cmp.has_group {
                row.push(Cell::text(shown(r.group)));
            }
            row
        })
        .collect();
    let widths: &[u32] = if cmp.has_group { &[2, 3, 3, 3, 4] } else { &[2, 4, 4, 4] };
    let mut out = vec![table(format!("Jämförelse med Kolada – {}", c.name), &header, widths, rows)];
    out.extend(cmp.source_notes().into_iter().map(|n| Block::Paragraph(Para::note(n))));
    out
}

/// The quality report's chapter of comparisons, when there is any.
pub fn chapter(out: &mut Vec<Block>, comparisons: &[IndicatorComparison], level: u8) {
    if comparisons.is_empty() {
        return;
    }
    out.push(heading(level, "Jämförelser med andra kommuner"));
    out.push(Block::Paragraph(Para::new(
        "Indikatorer i årets kvalitetsplaner jämförda med kommunens, rikets och liknande kommuners värden i Kolada.",
    )));
    for c in comparisons {
        out.extend(blocks(c));
    }
}
