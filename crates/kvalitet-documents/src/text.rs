//! Text helpers shared by the document builders: prose as stored (paragraphs separated
//! by blank lines, list items starting with "- ", footnotes) turned into blocks, and
//! Swedish number formatting (decimal comma, a space between thousands, `78 %`).
//!
//! Footnotes: a mark `[^1]` in the text and the note on a line of its own,
//! `[^1]: Motiverande samtal erbjuds …`. The mark is taken out and the note becomes the
//! footnote of the paragraph or list item that holds the mark. A note whose mark is
//! nowhere is kept as a paragraph.
//!
//! The same rules as `kvalitet-web`'s `text.rs` and `format.rs`; kept here as well so
//! this crate does not depend on the web crate.

use crate::model::{Block, Para};

/// Prose turned into paragraphs and lists, with its footnotes.
pub fn prose(body: &str) -> Vec<Block> {
    let (body, notes) = take_notes(body);
    attach(paragraphs(&body), notes)
}

fn paragraphs(body: &str) -> Vec<Block> {
    let mut out = Vec::new();
    for chunk in body.split("\n\n") {
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
                    out.push(list(std::mem::take(&mut items)));
                }
                if !para.is_empty() {
                    para.push(' ');
                }
                para.push_str(line);
            }
        }
        if !items.is_empty() {
            out.push(list(items));
        }
        if !para.is_empty() {
            out.push(Block::Paragraph(Para::new(para)));
        }
    }
    out
}

/// A list of plain items.
pub fn list(items: Vec<String>) -> Block {
    Block::List(items.into_iter().map(Para::new).collect())
}

/// A footnote's text, from a line `[^id]: text`.
pub(crate) struct Note {
    mark: String,
    text: String,
    used: bool,
}

/// The body without its footnote lines, and the notes.
pub(crate) fn take_notes(body: &str) -> (String, Vec<Note>) {
    let mut notes = Vec::new();
    let mut kept = Vec::new();
    for line in body.lines() {
        let note = line.trim().strip_prefix("[^").and_then(|rest| rest.split_once("]:")).and_then(|(id, text)| {
            let ok = !id.is_empty() && !id.contains([']', ' ']) && !text.trim().is_empty();
            ok.then(|| Note { mark: format!("[^{id}]"), text: text.trim().to_owned(), used: false })
        });
        match note {
            Some(n) => notes.push(n),
            None => kept.push(line),
        }
    }
    (kept.join("\n"), notes)
}

/// Takes the marks of `notes` out of `text`; returns the notes' texts in the order of
/// their marks.
fn take_marks(text: &mut String, notes: &mut [Note]) -> Vec<String> {
    let mut found: Vec<(usize, String)> = Vec::new();
    for n in notes.iter_mut() {
        if let Some(at) = text.find(&n.mark) {
            found.push((at, n.text.clone()));
            *text = text.replace(&n.mark, "");
            n.used = true;
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, t)| t).collect()
}

fn add_footnote(p: &mut Para, texts: Vec<String>) {
    if texts.is_empty() {
        return;
    }
    let mut all: Vec<String> = p.footnote.take().into_iter().collect();
    all.extend(texts);
    p.footnote = Some(all.join(" "));
}

pub(crate) fn attach(mut blocks: Vec<Block>, mut notes: Vec<Note>) -> Vec<Block> {
    if notes.is_empty() {
        return blocks;
    }
    for block in &mut blocks {
        let paras = match block {
            Block::Paragraph(p) => std::slice::from_mut(p),
            Block::List(items) => items.as_mut_slice(),
            _ => continue,
        };
        for p in paras {
            let texts = take_marks(&mut p.text, &mut notes);
            add_footnote(p, texts);
        }
    }
    blocks.extend(notes.into_iter().filter(|n| !n.used).map(|n| Block::Paragraph(Para::new(n.text))));
    blocks
}

/// Prose flattened into paragraphs for a table cell (list items become "• item").
pub fn cell_paras(body: &str) -> Vec<Para> {
    prose(body)
        .into_iter()
        .flat_map(|b| match b {
            Block::Paragraph(p) => vec![p],
            Block::List(items) => items.into_iter().map(|i| Para { text: format!("• {}", i.text), ..i }).collect(),
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
        assert_eq!(b[2], list(vec!["ett".into(), "två som fortsätter".into()]));
        assert_eq!(cell_paras("a\n- b")[1].text, "• b");
    }

    #[test]
    fn a_footnote_mark_makes_its_note_the_paragraphs_footnote() {
        let b = prose("Kompetensmenyn[^1] införs.\n\nSista.\n[^1]: Kompetensmenyn är en utbildningsplattform");
        assert_eq!(b.len(), 2);
        assert_eq!(
            b[0],
            Block::Paragraph(
                Para::new("Kompetensmenyn införs.").with_footnote("Kompetensmenyn är en utbildningsplattform")
            )
        );
        // A mark in a list item makes the note that item's footnote.
        let b = prose("Följande:\n- ett[^a]\n- två\n[^a]: om ett");
        assert_eq!(b[0], Block::Paragraph(Para::new("Följande:")));
        assert_eq!(b[1], Block::List(vec![Para::new("ett").with_footnote("om ett"), Para::new("två")]));
        // A note without its mark is kept as a paragraph, never lost.
        assert_eq!(prose("Text.\n[^2]: ensam")[1], Block::Paragraph(Para::new("ensam")));
    }

    #[test]
    fn swedish_numbers() {
        assert_eq!(number(1234.5), "1\u{a0}234,5");
        assert_eq!(number(-3.25), "−3,3");
        assert_eq!(percent(36.0), "36\u{a0}%");
        assert_eq!(share_percent(0.8077), "81\u{a0}%");
    }
}
