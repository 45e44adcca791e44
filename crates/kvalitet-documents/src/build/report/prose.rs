//! The report's prose: `text::prose` plus the two things seed 002's texts need.
//!
//! - A sub-heading inside a section: a paragraph whose first line stands alone (no end
//!   punctuation, starts with a capital) and is followed by a line that starts with a
//!   capital or a list item, as the seed's quality factors ("Kunskapsbaserad
//!   verksamhet") and the statistics' parts ("Förebyggande") are stored.
//! - Footnotes (`crate::text`'s rule), taken out of the whole body before it is split
//!   into sub-headed parts, so a mark finds its note wherever it stands.

use crate::model::Block;
use crate::text::{attach, prose, take_notes};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Para;

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
        assert_eq!(b[5], crate::text::list(vec!["ett".into(), "två".into()]));
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
        // A mark in a list item: that item's footnote, not the introducing sentence's.
        assert_eq!(b[1], Block::Paragraph(Para::new("Metoder:")));
        assert_eq!(b[2], Block::List(vec![Para::new("GVI").with_footnote("Gruppvåld.")]));
        assert_eq!(b[3], Block::Paragraph(Para::new("Utan märke.")));
        assert_eq!(b.len(), 4);
    }
}
