//! The report's prose: `text::prose` plus the two things seed 002's texts need.
//!
//! - A sub-heading inside a section: a paragraph whose first line stands alone (no end
//!   punctuation, starts with a capital) and is followed by a line that starts with a
//!   capital or a list item, as the seed's quality factors ("Kunskapsbaserad
//!   verksamhet") and the statistics' parts ("Förebyggande") are stored.
//! - Footnotes: a mark `[^1]` in the text and its text on a line of its own,
//!   `[^1]: Motiverande samtal erbjuds …`. The mark is taken out and the note becomes
//!   the paragraph's footnote (a mark in a list item: the footnote of the paragraph that
//!   introduces the list). A note whose mark is nowhere is kept as a paragraph.

use crate::model::{Block, Para};
use crate::text::prose;

use super::super::heading;

/// A section's body: paragraphs, lists, sub-headings at `sub_level` (at most 4) and
/// footnotes.
pub fn section(body: &str, sub_level: u8) -> Vec<Block> {
    let (body, notes) = take_notes(body);
    let mut out = Vec::new();
    for chunk in body.split("\n\n") {
        let lines: Vec<&str> = chunk.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        match lines.as_slice() {
            [first, second, ..] if is_heading(first, second) => {
                out.push(heading(sub_level.min(4), *first));
                out.extend(prose(&lines[1..].join("\n")));
            }
            _ => out.extend(prose(chunk)),
        }
    }
    attach(out, notes)
}

/// Prose without sub-headings (summaries, descriptions), with footnotes.
pub fn text(body: &str) -> Vec<Block> {
    let (body, notes) = take_notes(body);
    attach(prose(&body), notes)
}

fn is_heading(first: &str, second: &str) -> bool {
    let capital = |s: &str| s.chars().next().is_some_and(|c| c.is_uppercase());
    !first.starts_with("- ")
        && first.chars().count() <= 100
        && capital(first)
        && !first.ends_with(['.', ':', ';', ',', '!', '?', '…'])
        && (capital(second) || second.starts_with("- "))
}

/// A footnote's text, from a line `[^id]: text`.
struct Note {
    mark: String,
    text: String,
    used: bool,
}

/// The body without its footnote lines, and the notes.
fn take_notes(body: &str) -> (String, Vec<Note>) {
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

fn attach(mut blocks: Vec<Block>, mut notes: Vec<Note>) -> Vec<Block> {
    if notes.is_empty() {
        return blocks;
    }
    let mut last_para = None;
    for i in 0..blocks.len() {
        match &mut blocks[i] {
            Block::Paragraph(p) => {
                let texts = take_marks(&mut p.text, &mut notes);
                add_footnote(p, texts);
                last_para = Some(i);
            }
            Block::List(items) => {
                let texts: Vec<String> = items.iter_mut().flat_map(|t| take_marks(t, &mut notes)).collect();
                match last_para.map(|j| &mut blocks[j]) {
                    Some(Block::Paragraph(p)) => add_footnote(p, texts),
                    _ => blocks.extend(texts.into_iter().map(|t| Block::Paragraph(Para::new(t)))),
                }
            }
            _ => {}
        }
    }
    blocks.extend(notes.into_iter().filter(|n| !n.used).map(|n| Block::Paragraph(Para::new(n.text))));
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading_texts(blocks: &[Block]) -> Vec<&str> {
        blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_line_of_its_own_before_a_paragraph_is_a_sub_heading() {
        let b = section(
            "Socialtjänsten ska arbeta utifrån följande:\n\nHög delaktighet\nVerksamheter ska bedrivas.\n\n\
             Första stycket\nfortsätter här.\n\nMålbild\n- ett\n- två",
            2,
        );
        assert_eq!(heading_texts(&b), ["Hög delaktighet", "Målbild"]);
        assert_eq!(b[2], Block::Paragraph(Para::new("Verksamheter ska bedrivas.")));
        assert_eq!(b[3], Block::Paragraph(Para::new("Första stycket fortsätter här.")));
        assert_eq!(b[5], Block::List(vec!["ett".into(), "två".into()]));
        assert!(heading_texts(&section("Inledning:\n- ett", 2)).is_empty());
    }

    #[test]
    fn footnote_marks_become_footnotes_of_their_paragraph() {
        let b = text(
            "Anpassad MI[^1], och SU[^2] här.\n\nMetoder:\n- GVI[^3]\n\n[^1]: Motiverande samtal.\n\
             [^2]: SKR-projekt.\n[^3]: Gruppvåld.\n[^9]: Utan märke.",
        );
        assert_eq!(
            b[0],
            Block::Paragraph(Para::new("Anpassad MI, och SU här.").with_footnote("Motiverande samtal. SKR-projekt."))
        );
        assert_eq!(b[1], Block::Paragraph(Para::new("Metoder:").with_footnote("Gruppvåld.")));
        assert_eq!(b[2], Block::List(vec!["GVI".into()]));
        assert_eq!(b[3], Block::Paragraph(Para::new("Utan märke.")));
        assert_eq!(b.len(), 4);
    }
}
