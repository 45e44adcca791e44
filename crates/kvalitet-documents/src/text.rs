//! Text helpers shared by the document builders: prose as stored (paragraphs separated
//! by blank lines, list items starting with "- ", a footnote as a paragraph starting
//! with "Fotnot: ") turned into blocks, and Swedish number formatting (decimal comma, a
//! space between thousands, `78 %`).
//!
//! The same rules as `kvalitet-web`'s `text.rs` and `format.rs`; kept here as well so
//! this crate does not depend on the web crate.

use crate::model::{Block, Para};

/// The mark of a footnote in stored prose: a paragraph "Fotnot: …" is the footnote of
/// the paragraph (or list) before it.
const FOOTNOTE: &str = "Fotnot:";

/// Attaches a footnote to the last block: a paragraph gets it, a list's last item ends
/// in a paragraph that carries it; with nothing before it, it stays a note paragraph.
fn attach_footnote(out: &mut Vec<Block>, note: &str) {
    match out.last_mut() {
        Some(Block::Paragraph(p)) if p.footnote.is_none() => p.footnote = Some(note.to_owned()),
        _ => out.push(Block::Paragraph(Para::note(format!("{FOOTNOTE} {note}")))),
    }
}

/// Prose turned into paragraphs and lists.
pub fn prose(body: &str) -> Vec<Block> {
    let mut out = Vec::new();
    for chunk in body.split("\n\n") {
        if let Some(note) = chunk.trim().strip_prefix(FOOTNOTE) {
            attach_footnote(&mut out, &note.split_whitespace().collect::<Vec<_>>().join(" "));
            continue;
        }
        let mut para = String::new();
        let mut items: Vec<String> = Vec::new();
        for line in chunk.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(item) = line.strip_prefix("- ") {
                if !para.is_empty() {
                    out.push(Block::Paragraph(Para::new(std::mem::take(&mut para))));
                }
                items.push(item.to_owned());
            } else if !items.is_empty() && para.is_empty() && line.chars().next().is_some_and(char::is_lowercase) {
                // A list item's text continued on the next line.
                let last = items.last_mut().expect("not empty");
                last.push(' ');
                last.push_str(line);
            } else {
                if !items.is_empty() {
                    out.push(Block::List(std::mem::take(&mut items)));
                }
                if !para.is_empty() {
                    para.push(' ');
                }
                para.push_str(line);
            }
        }
        if !items.is_empty() {
            out.push(Block::List(items));
        }
        if !para.is_empty() {
            out.push(Block::Paragraph(Para::new(para)));
        }
    }
    out
}

/// Prose flattened into paragraphs for a table cell (list items become "• item").
pub fn cell_paras(body: &str) -> Vec<Para> {
    prose(body)
        .into_iter()
        .flat_map(|b| match b {
            Block::Paragraph(p) => vec![p],
            Block::List(items) => items.into_iter().map(|i| Para::new(format!("• {i}"))).collect(),
            _ => vec![],
        })
        .collect()
}

/// `1234.5` → `1 234,5` (no-break space); integral values without decimals.
pub fn number(v: f64) -> String {
    let rounded = (v * 10.0).round() / 10.0;
    let negative = rounded < 0.0;
    let abs = rounded.abs();
    let whole = abs.trunc() as u64;
    let tenth = ((abs - abs.trunc()) * 10.0).round() as u64;
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    let sign = if negative { "−" } else { "" };
    if tenth == 0 { format!("{sign}{grouped}") } else { format!("{sign}{grouped},{tenth}") }
}

/// A share 0..=1 as a percentage: `0.783` → `78 %`.
pub fn share_percent(v: f64) -> String {
    format!("{}\u{a0}%", number((v * 100.0).round()))
}

/// A value already in per cent: `77.0` → `77 %`.
pub fn percent(v: f64) -> String {
    format!("{}\u{a0}%", number(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_lists() {
        let b = prose("Första stycket\nfortsätter.\n\nInledning:\n- ett\n- två\nsom fortsätter\n\nSista.");
        assert_eq!(b.len(), 4);
        assert_eq!(b[0], Block::Paragraph(Para::new("Första stycket fortsätter.")));
        assert_eq!(b[2], Block::List(vec!["ett".into(), "två som fortsätter".into()]));
        assert_eq!(cell_paras("a\n- b")[1].text, "• b");
    }

    #[test]
    fn a_footnote_paragraph_belongs_to_the_paragraph_before_it() {
        let b = prose("Kompetensmenyn införs.\n\nFotnot: Kompetensmenyn är en\nutbildningsplattform\n\nSista.");
        assert_eq!(b.len(), 2);
        assert_eq!(
            b[0],
            Block::Paragraph(
                Para::new("Kompetensmenyn införs.").with_footnote("Kompetensmenyn är en utbildningsplattform")
            )
        );
        // Nothing to attach to: kept as a visible note, never lost.
        assert_eq!(prose("Fotnot: ensam")[0], Block::Paragraph(Para::note("Fotnot: ensam")));
    }

    #[test]
    fn swedish_numbers() {
        assert_eq!(number(1234.5), "1\u{a0}234,5");
        assert_eq!(number(-3.25), "−3,3");
        assert_eq!(percent(36.0), "36\u{a0}%");
        assert_eq!(share_percent(0.8077), "81\u{a0}%");
    }
}
