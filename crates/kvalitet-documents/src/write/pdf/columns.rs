//! Table column widths for the PDF: the model's relative widths, each column widened
//! where needed so that its longest word fits (typst does not break a word that is too
//! long for its column: it runs into the next one). Words are measured with the font the
//! table is set in; only where even that cannot fit on the page does the table fall back
//! to Swedish hyphenation.

use std::sync::LazyLock;

use typst::layout::Abs;
use typst::text::{FontInstance, FontStretch, FontStyle, FontVariant, FontVariations, FontWeight};

use super::super::world::SHARED;
use crate::model::{Para, ParaStyle, Table};

/// The width of the text area: A4 less two margins of 2 cm, in pt.
pub const TEXT_WIDTH: f64 = 595.276 - 2.0 * 56.693;
/// The size of the text in tables, in pt (`#show table: set text(size: …)`).
pub const TABLE_TEXT: f64 = 9.0;
/// A cell's inset on each side, in pt (`#set table(inset: …)`).
pub const INSET: f64 = 4.0;
/// The relative size of a note (`ParaStyle::Note`).
pub const NOTE_SIZE: f64 = 0.88;
/// What a warning's left rule and inset add to its text, in pt.
pub const WARNING_INDENT: f64 = 2.5 + 6.0;
/// Rounding and kerning the sum of advances does not see.
const SLACK: f64 = 1.0;

/// Advances in em of the characters up to U+024F (Latin), regular and bold, read once.
struct Advances {
    regular: Vec<f64>,
    bold: Vec<f64>,
    regular_font: Option<FontInstance>,
    bold_font: Option<FontInstance>,
}

const TABLE_CHARS: u32 = 0x250;
/// The advance assumed for a character the font lacks (set in a fallback font).
const UNKNOWN: f64 = 1.0;

fn instance(weight: FontWeight) -> Option<FontInstance> {
    let variant = FontVariant::new(FontStyle::Normal, weight, FontStretch::NORMAL);
    let font = SHARED.font("libertinus serif", variant)?.clone();
    Some(font.instantiate(variant, Abs::pt(TABLE_TEXT), &FontVariations::default()))
}

fn advance(font: Option<&FontInstance>, c: char) -> f64 {
    font.and_then(|f| {
        let glyph = f.ttf().glyph_index(c)?;
        f.x_advance(glyph.0)
    })
    .map_or(UNKNOWN, |em| em.get())
}

static ADVANCES: LazyLock<Advances> = LazyLock::new(|| {
    let (regular_font, bold_font) = (instance(FontWeight::REGULAR), instance(FontWeight::BOLD));
    let table = |font: Option<&FontInstance>| {
        (0..TABLE_CHARS).map(|c| char::from_u32(c).map_or(UNKNOWN, |c| advance(font, c))).collect()
    };
    Advances { regular: table(regular_font.as_ref()), bold: table(bold_font.as_ref()), regular_font, bold_font }
});

/// The width in em of `word` set regular or bold.
fn width_em(word: &str, bold: bool) -> f64 {
    let a = &*ADVANCES;
    let (table, font) = if bold { (&a.bold, a.bold_font.as_ref()) } else { (&a.regular, a.regular_font.as_ref()) };
    word.chars().map(|c| table.get(c as usize).copied().unwrap_or_else(|| advance(font, c))).sum()
}

/// The pieces of `text` a line may not break inside: split at spaces (not at no-break
/// spaces) and after hyphens.
fn unbreakable(text: &str) -> impl Iterator<Item = &str> {
    text.split([' ', '\n', '\t']).flat_map(|w| w.split_inclusive('-')).filter(|w| !w.is_empty())
}

/// The widest unbreakable piece of `text` in pt, at `size` pt.
fn widest(text: &str, bold: bool, size: f64) -> f64 {
    unbreakable(text).map(|w| width_em(w, bold)).fold(0.0, f64::max) * size
}

/// The width a paragraph in a cell needs at least, in pt, without the cell's inset.
pub fn para_min(p: &Para) -> f64 {
    let text = match p.style {
        ParaStyle::Normal => widest(&p.text, false, TABLE_TEXT),
        ParaStyle::Strong => widest(&p.text, true, TABLE_TEXT),
        ParaStyle::Note => widest(&p.text, false, TABLE_TEXT * NOTE_SIZE),
        ParaStyle::Warning => widest(&p.text, true, TABLE_TEXT) + WARNING_INDENT,
    };
    // A footnote's mark follows the text: a superscript number.
    text + if p.footnote.is_some() { 0.6 * TABLE_TEXT } else { 0.0 }
}

/// One column track.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Track {
    /// A share of what the fixed columns leave.
    Fr(u32),
    /// A width in pt.
    Pt(f64),
}

/// The columns of `t`, and whether its cells must hyphenate because even the widest
/// words side by side do not fit on the page.
pub fn layout(t: &Table) -> (Vec<Track>, bool) {
    let n = t.header.len();
    let hints: Vec<u32> =
        if t.widths.len() == n && t.widths.iter().all(|w| *w > 0) { t.widths.clone() } else { vec![1; n] };
    let mut need: Vec<f64> = t.header.iter().map(|h| widest(h, true, TABLE_TEXT)).collect();
    for row in &t.rows {
        for (i, cell) in row.iter().enumerate().take(n) {
            for p in &cell.paras {
                need[i] = need[i].max(para_min(p));
            }
        }
    }
    let need: Vec<f64> = need.into_iter().map(|w| w + 2.0 * INSET + SLACK).collect();
    distribute(&hints, &need, TEXT_WIDTH)
}

/// Fixes every column whose share of `width` is below its `need` at that need, until
/// the shares of the others suffice; `hyphenate` when the needs exceed the width.
fn distribute(hints: &[u32], need: &[f64], width: f64) -> (Vec<Track>, bool) {
    if need.iter().sum::<f64>() > width {
        return (hints.iter().map(|h| Track::Fr(*h)).collect(), true);
    }
    let mut fixed = vec![false; hints.len()];
    loop {
        let rest = width - (0..hints.len()).filter(|&i| fixed[i]).map(|i| need[i]).sum::<f64>();
        let parts: u32 = (0..hints.len()).filter(|&i| !fixed[i]).map(|i| hints[i]).sum();
        let short: Vec<usize> = (0..hints.len())
            .filter(|&i| !fixed[i] && rest * f64::from(hints[i]) / f64::from(parts.max(1)) < need[i])
            .collect();
        if short.is_empty() {
            break;
        }
        for i in short {
            fixed[i] = true;
        }
    }
    let tracks = (0..hints.len())
        .map(|i| if fixed[i] { Track::Pt((need[i] * 10.0).ceil() / 10.0) } else { Track::Fr(hints[i]) });
    (tracks.collect(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bold_word_is_wider_and_a_longer_word_is_wider() {
        let (regular, bold) = (width_em("Svarsfrekvens", false), width_em("Svarsfrekvens", true));
        assert!(regular > 4.0 && regular < 8.0, "{regular}");
        assert!(bold > regular);
        assert!(width_em("underlaget", false) > width_em("under", false));
        assert_eq!(
            unbreakable("HSL-avvikelser 62,5\u{a0}% i år").collect::<Vec<_>>(),
            ["HSL-", "avvikelser", "62,5\u{a0}%", "i", "år"]
        );
    }

    #[test]
    fn narrow_columns_are_widened_to_their_longest_word_and_the_rest_share_what_is_left() {
        // 4:3:1:1:1 of 480 pt gives the last three 48 pt each; they need 60.
        let (tracks, hyphenate) = distribute(&[4, 3, 1, 1, 1], &[30.0, 30.0, 60.0, 40.0, 60.0], 480.0);
        assert!(!hyphenate);
        assert_eq!(tracks, [Track::Fr(4), Track::Fr(3), Track::Pt(60.0), Track::Fr(1), Track::Pt(60.0)]);
        // The column left at 1 fr: (480 − 120) / 8 = 45 ≥ 40.
        let (wide, _) = distribute(&[1, 1], &[10.0, 10.0], 480.0);
        assert_eq!(wide, [Track::Fr(1), Track::Fr(1)]);
        let (_, hyphenate) = distribute(&[1, 1], &[300.0, 300.0], 480.0);
        assert!(hyphenate, "too wide to fit side by side");
    }
}
