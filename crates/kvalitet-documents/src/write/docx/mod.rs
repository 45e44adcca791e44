//! DOCX through docx-rs, on par with the PDF: a cover page from the furniture (logo,
//! municipality, title and marking, the board, diarienummer, meeting date, status: each
//! only when known) without page number or running header; a table of contents field
//! ("Innehåll", levels 1–2) that Word fills on opening and that already lists the
//! chapters; real heading styles; the running header (municipality, and the marking on
//! every page of a draft) and footer ("N | <footer title>" with a PAGE field); numbered
//! table captions (SEQ fields); tables that fit the page with columns computed from the
//! content and header rows that repeat; figures as pictures (SVG rendered with resvg)
//! with their text alternative; real footnotes; Swedish as the language throughout.
//!
//! Where docx-rs 0.4 has no builder (repeating header rows, a picture's text
//! alternative, footnote marks and separators, updateFields, the default language, the
//! creator and title), `package` completes the generated XML before it is packed.

mod package;
mod picture;
mod styles;
mod table;

use std::collections::HashMap;
use std::io::Cursor;

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, FieldCharType, Footer, Footnote, Header, Hyperlink,
    HyperlinkType, IndentLevel, InstrText, InstrToC, Level, LevelJc, LevelText, NumberFormat, Numbering, NumberingId,
    PageMargin, Paragraph, Run, SpecialIndentType, Start, Table,
};

use crate::DocumentError;
use crate::model::{Block, Document, LogoFormat, Para, ParaStyle};

const BULLETS: usize = 7;
/// A4 in twentieths of a point, and its margins: 2 cm at the sides.
const PAGE: (u32, u32) = (11906, 16838);
const MARGIN: usize = 1134;
/// The text width: A4 less two margins of 2 cm.
pub(crate) const TEXT_WIDTH: usize = PAGE.0 as usize - 2 * MARGIN;
/// The headings listed in the table of contents.
const TOC_LEVELS: u8 = 2;

fn run(text: &str) -> Run {
    Run::new().add_text(text)
}

fn err(e: impl std::fmt::Display) -> DocumentError {
    DocumentError::Docx(e.to_string())
}

enum Child {
    P(Box<Paragraph>),
    T(Box<Table>),
}

/// The body as it is written, with the numbers the captions and bookmarks take and
/// the pictures' text alternatives in the order they appear.
#[derive(Default)]
struct Writer {
    body: Vec<Child>,
    numbers: HashMap<String, usize>,
    bookmarks: usize,
    /// The text alternative of each picture, in document order.
    alts: Vec<String>,
    /// The next paragraph starts a new page.
    break_before: bool,
}

impl Writer {
    fn next_number(&mut self, label: &str) -> usize {
        let n = self.numbers.entry(label.to_owned()).or_default();
        *n += 1;
        *n
    }

    fn push(&mut self, mut p: Paragraph) {
        if std::mem::take(&mut self.break_before) {
            p = p.page_break_before(true);
        }
        self.body.push(Child::P(Box::new(p)));
    }

    /// A paragraph with its text and, if it has one, the mark of its footnote.
    fn para(&mut self, p: &Para) -> Paragraph {
        let r = run(&p.text);
        let mut out = match p.style {
            ParaStyle::Normal => Paragraph::new().add_run(r),
            ParaStyle::Strong => Paragraph::new().add_run(r.bold()),
            ParaStyle::Note => Paragraph::new().style("Note").add_run(r),
            ParaStyle::Warning => Paragraph::new().style("Warning").add_run(r),
        };
        if let Some(note) = &p.footnote {
            let mut footnote = Footnote::new();
            footnote.add_content(Paragraph::new().style("FootnoteText").add_run(run(&format!(" {note}"))));
            out = out.add_run(Run::new().add_footnote_reference(footnote));
        }
        out
    }

    fn picture(&mut self, picture: picture::Picture, alt: &str) -> Paragraph {
        self.alts.push(alt.to_owned());
        Paragraph::new().keep_next(true).add_run(Run::new().add_image(picture.pic()))
    }

    /// The cover page: every line from the furniture only when it is known.
    fn cover(&mut self, doc: &Document) -> Result<(), DocumentError> {
        let f = &doc.furniture;
        if let Some(logo) = &f.logo {
            // At most 6 × 2.5 cm.
            let (w, h) = (3402, 1417);
            let picture = match logo.format {
                LogoFormat::Png => picture::from_png(&logo.bytes, w, h),
                LogoFormat::Svg => std::str::from_utf8(&logo.bytes)
                    .map_err(|_| "logotypen är inte en SVG-bild i UTF-8".to_owned())
                    .and_then(|svg| picture::from_svg(svg, w, h, true)),
            }
            .map_err(DocumentError::Docx)?;
            let p = self.picture(picture, &logo.alt);
            self.push(p);
        }
        let municipality = Paragraph::new().line_spacing(docx_rs::LineSpacing::new().before(600));
        self.push(municipality.add_run(run(&doc.municipality).size(28).bold()));
        let mut title = Paragraph::new()
            .line_spacing(docx_rs::LineSpacing::new().before(1800).after(240))
            .style("Title")
            .add_run(run(&doc.title));
        if let Some(m) = &doc.marking {
            // The marking is part of the heading: a second line of the title.
            title = title.add_run(Run::new().add_break(BreakType::TextWrapping)).add_run(run(m).bold().color("A4000F"));
        }
        self.push(title);
        for l in &doc.title_lines {
            self.push(Paragraph::new().style("CoverLine").add_run(run(l)));
        }
        let facts = [
            f.board.clone(),
            f.reference.as_ref().map(|r| format!("Diarienummer: {r}")),
            f.meeting_on.as_ref().map(|d| format!("Sammanträdesdatum: {d}")),
            f.status.as_ref().map(|s| format!("Status: {s}")),
        ];
        let mut first = true;
        for fact in facts.into_iter().flatten().filter(|l| !l.trim().is_empty()) {
            let mut p = Paragraph::new().style("CoverLine");
            if std::mem::take(&mut first) {
                p = p.line_spacing(docx_rs::LineSpacing::new().before(1200));
            }
            self.push(p.add_run(run(&fact)));
        }
        self.break_before = true;
        Ok(())
    }

    /// "Innehåll" and the table of contents field over headings of levels 1–2, its
    /// result already listing them (linked to bookmarks on the headings) so that it
    /// is not empty before it is updated; the page numbers come with the update (Word
    /// updates on opening, see `package`), none is guessed.
    fn contents(&mut self, doc: &Document) {
        self.push(Paragraph::new().style("TOCHeading").add_run(run("Innehåll")));
        let entries: Vec<(u8, &str)> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, text } if *level <= TOC_LEVELS => Some((*level, text.as_str())),
                _ => None,
            })
            .collect();
        let begin = Run::new()
            .add_field_char(FieldCharType::Begin, true)
            .add_instr_text(InstrText::TOC(InstrToC::new().heading_styles_range(1, TOC_LEVELS as usize).hyperlink()))
            .add_field_char(FieldCharType::Separate, false);
        let end = Run::new().add_field_char(FieldCharType::End, false);
        if entries.is_empty() {
            self.push(Paragraph::new().style("TOC1").add_run(begin.clone()).add_run(end.clone()));
        }
        let last = entries.len().saturating_sub(1);
        for (i, (level, text)) in entries.into_iter().enumerate() {
            let mut p = Paragraph::new().style(&format!("TOC{level}"));
            if i == 0 {
                p = p.add_run(begin.clone());
            }
            p = p.add_hyperlink(Hyperlink::new(bookmark(i + 1), HyperlinkType::Anchor).add_run(run(text)));
            if i == last {
                p = p.add_run(end.clone());
            }
            self.push(p);
        }
        self.break_before = true;
    }

    fn heading(&mut self, level: u8, text: &str) {
        let style = format!("Heading{}", level.clamp(1, 4));
        let mut p = Paragraph::new().style(&style).keep_next(true);
        if level <= TOC_LEVELS {
            self.bookmarks += 1;
            let id = self.bookmarks;
            p = p.add_bookmark_start(id, bookmark(id)).add_run(run(text)).add_bookmark_end(id);
        } else {
            p = p.add_run(run(text));
        }
        self.push(p);
    }

    fn table(&mut self, t: &crate::model::Table) {
        let (caption, table) = self.table_parts(t);
        self.push(caption);
        self.body.push(Child::T(Box::new(table)));
        self.push(Paragraph::new());
    }

    fn blocks(&mut self, doc: &Document) -> Result<(), DocumentError> {
        for (b, new_page) in doc.blocks.iter().zip(doc.new_pages()) {
            // A chapter with tables starts on a new page, as in the PDF.
            self.break_before |= new_page;
            match b {
                Block::Heading { level, text } => self.heading(*level, text),
                Block::Paragraph(p) => {
                    let p = self.para(p);
                    self.push(p);
                }
                Block::List(items) => {
                    for i in items {
                        let p = self.para(i).numbering(NumberingId::new(BULLETS), IndentLevel::new(0));
                        self.push(p);
                    }
                }
                Block::Table(t) => self.table(t),
                Block::Figure(f) => {
                    let picture =
                        picture::from_svg(&f.svg, TEXT_WIDTH as u32, 9000, false).map_err(DocumentError::Docx)?;
                    let caption = self.figure_caption(&f.title);
                    self.push(caption);
                    let p = self.picture(picture, &f.description);
                    self.push(p);
                    self.push(Paragraph::new().add_run(run(&f.description)));
                    for t in &f.tables {
                        self.table(t);
                    }
                }
            }
        }
        Ok(())
    }
}

/// The bookmark of the n-th heading in the table of contents.
fn bookmark(n: usize) -> String {
    format!("_Toc{n}")
}

/// The running header (the municipality, with the marking of a draft) and footer
/// ("N | <footer title>"); on the cover only the marking of a draft.
fn furniture(docx: Docx, doc: &Document) -> Docx {
    let header = |text: &str| {
        Header::new().add_paragraph(Paragraph::new().style("Header").align(AlignmentType::Right).add_run(run(text)))
    };
    let page = Run::new()
        .add_field_char(FieldCharType::Begin, false)
        .add_instr_text(InstrText::PAGE(docx_rs::InstrPAGE::new()))
        .add_field_char(FieldCharType::End, false);
    let mut footer = Paragraph::new().style("Footer").add_run(page);
    if !doc.furniture.footer_title.trim().is_empty() {
        footer = footer.add_run(run(&format!(" | {}", doc.furniture.footer_title)));
    }
    let cover_header = match doc.marking {
        Some(_) => header(&doc.running_header()),
        None => Header::new().add_paragraph(Paragraph::new().style("Header")),
    };
    docx.header(header(&doc.running_header()))
        .first_header(cover_header)
        .footer(Footer::new().add_paragraph(footer))
        .first_footer(Footer::new().add_paragraph(Paragraph::new().style("Footer")))
        .title_pg()
}

/// The whole document as a DOCX file.
pub fn write(doc: &Document) -> Result<Vec<u8>, DocumentError> {
    let mut w = Writer::default();
    w.cover(doc)?;
    w.contents(doc);
    w.blocks(doc)?;

    let now = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut docx = styles::add(Docx::new())
        .page_size(PAGE.0, PAGE.1)
        .page_margin(
            PageMargin::new().top(1134).bottom(1134).left(MARGIN as i32).right(MARGIN as i32).header(567).footer(567),
        )
        .created_at(&now)
        .updated_at(&now)
        .add_abstract_numbering(
            AbstractNumbering::new(BULLETS).add_level(
                Level::new(0, Start::new(1), NumberFormat::new("bullet"), LevelText::new("•"), LevelJc::new("left"))
                    .indent(Some(720), Some(SpecialIndentType::Hanging(360)), None, None),
            ),
        )
        .add_numbering(Numbering::new(BULLETS, BULLETS));
    docx = furniture(docx, doc);
    for child in w.body {
        docx = match child {
            Child::P(p) => docx.add_paragraph(*p),
            Child::T(t) => docx.add_table(*t),
        };
    }
    let mut xml = docx.build();
    package::complete(&mut xml, doc, &w.alts)?;
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(err)?;
    Ok(out.into_inner())
}
