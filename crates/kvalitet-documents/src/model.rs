//! The intermediate document model every format is written from: headings, paragraphs,
//! lists, tables with header rows and figures with a text alternative and data tables.
//! The three writers read only this, so DOCX, HTML and PDF cannot drift apart.

/// A whole document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// "Kvalitetsplan 2024": the title page's big line and the file's title metadata.
    pub title: String,
    /// The municipality's name, on the title page and in every page header.
    pub municipality: String,
    /// Further lines on the title page (scope, adoption).
    pub title_lines: Vec<String>,
    /// What state the document shows, when a reader must not take it for the board's
    /// version: "UTKAST" for a plan or report not yet decided, "Aktuell version – ändrad
    /// efter antagandet" for today's data of an adopted plan. Part of the heading (the
    /// title) and of the running header on every page.
    pub marking: Option<String>,
    /// The cover's and the pages' furniture: logo, the board's name, the decision's
    /// reference and meeting date, and the running footer's title.
    pub furniture: Furniture,
    pub blocks: Vec<Block>,
}

/// What surrounds the text: set per municipality (logo, board) and per document
/// (diarienummer, meeting date, status) in the settings; every field may be unknown and
/// is then left out (never invented).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Furniture {
    /// The municipality's logo, on the cover.
    pub logo: Option<Logo>,
    /// The board's name, e.g. "Socialnämnden".
    pub board: Option<String>,
    /// The board's reference of the decision (diarienummer), e.g. "SN-2023/112".
    pub reference: Option<String>,
    /// The date of the board meeting the document goes to (or went to).
    pub meeting_on: Option<String>,
    /// The document's status in words, e.g. "Antagen av socialnämnden".
    pub status: Option<String>,
    /// The title in the running footer "N | <footer_title>", e.g. "Kvalitetsplan 2024
    /// Individ- och familjeomsorg" (seed 000's footer).
    pub footer_title: String,
}

/// A logo: the file's bytes as uploaded (SVG or PNG) and its text alternative.
#[derive(Debug, Clone, PartialEq)]
pub struct Logo {
    pub format: LogoFormat,
    pub bytes: Vec<u8>,
    /// "Älvby kommuns logotyp".
    pub alt: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoFormat {
    Svg,
    Png,
}

/// The marking of a plan or report that the board has not decided on yet.
pub const DRAFT: &str = "UTKAST";

impl Document {
    /// The page header's text: the municipality, and the marking if any.
    pub fn running_header(&self) -> String {
        match &self.marking {
            Some(m) => format!("{m} – {}", self.municipality),
            None => self.municipality.clone(),
        }
    }

    /// The title with its marking, for file metadata: "Kvalitetsplan 2024 (UTKAST)".
    pub fn marked_title(&self) -> String {
        match &self.marking {
            Some(m) => format!("{} ({m})", self.title),
            None => self.title.clone(),
        }
    }
}

/// One block of the body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A heading, level 1 (chapter) to 4.
    Heading {
        level: u8,
        text: String,
    },
    Paragraph(Para),
    /// A bulleted list; each item a paragraph, which may carry its own footnote.
    List(Vec<Para>),
    Table(Table),
    Figure(Figure),
}

/// How a paragraph is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParaStyle {
    Normal,
    /// A bold line, e.g. an action's title inside a table cell.
    Strong,
    /// A quieter remark (dates, notes).
    Note,
    /// A warning a reader must not miss (a basis too thin to conclude from).
    Warning,
}

/// A paragraph of plain text, with an optional footnote whose mark follows the text
/// (a real footnote in DOCX and PDF, a numbered note in HTML).
#[derive(Debug, Clone, PartialEq)]
pub struct Para {
    pub text: String,
    pub style: ParaStyle,
    pub footnote: Option<String>,
}

impl Para {
    fn styled(text: impl Into<String>, style: ParaStyle) -> Para {
        Para { text: text.into(), style, footnote: None }
    }
    pub fn new(text: impl Into<String>) -> Para {
        Para::styled(text, ParaStyle::Normal)
    }
    pub fn strong(text: impl Into<String>) -> Para {
        Para::styled(text, ParaStyle::Strong)
    }
    pub fn note(text: impl Into<String>) -> Para {
        Para::styled(text, ParaStyle::Note)
    }
    pub fn warning(text: impl Into<String>) -> Para {
        Para::styled(text, ParaStyle::Warning)
    }
    /// The same paragraph with a footnote.
    pub fn with_footnote(mut self, note: impl Into<String>) -> Para {
        self.footnote = Some(note.into());
        self
    }
}

/// A data table. The header row repeats on every page; when `row_headers` is set the
/// first cell of each row names the row (`<th scope="row">`).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    pub row_headers: bool,
    /// Relative column widths, one per column.
    pub widths: Vec<u32>,
}

/// One table cell: paragraphs, and an optional background colour (`#rrggbb`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub paras: Vec<Para>,
    pub shading: Option<String>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        let text = text.into();
        Cell { paras: if text.is_empty() { vec![] } else { vec![Para::new(text)] }, shading: None }
    }
    pub fn paras(paras: Vec<Para>) -> Cell {
        Cell { paras, shading: None }
    }
    /// The cell's text, paragraphs joined by a space.
    pub fn plain(&self) -> String {
        self.paras.iter().map(|p| p.text.as_str()).collect::<Vec<_>>().join(" ")
    }
}

/// A chart: the SVG for formats that show pictures, its text alternative, and the
/// same numbers as tables for every format.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub title: String,
    pub description: String,
    /// A self-contained SVG (colours inline, no CSS classes), with `<title>`/`<desc>`.
    pub svg: String,
    pub tables: Vec<Table>,
}

impl Document {
    /// For each block, whether it starts a new page: a chapter (a level-1 heading) that
    /// holds a table or a figure, so its tables begin at the top of a page; prose
    /// chapters run on, as in the seeds. In the PDF the break also ends typst's page run,
    /// and runs are laid out in parallel: a long document's table chapters are typeset
    /// side by side (figures in BENCHMARKS.md, "Chapters with tables on pages of their own").
    pub fn new_pages(&self) -> Vec<bool> {
        let chapter = |b: &Block| matches!(b, Block::Heading { level: 1, .. });
        self.blocks
            .iter()
            .enumerate()
            .map(|(i, b)| {
                chapter(b)
                    && self.blocks[i + 1..]
                        .iter()
                        .take_while(|b| !chapter(b))
                        .any(|b| matches!(b, Block::Table(_) | Block::Figure(_)))
            })
            .collect()
    }

    /// Every piece of text a reader sees, in reading order (for tests and search).
    pub fn plain_text(&self) -> String {
        let mut out = vec![self.municipality.clone(), self.title.clone()];
        out.extend(self.marking.iter().cloned());
        out.extend(self.title_lines.iter().cloned());
        for b in &self.blocks {
            match b {
                Block::Heading { text, .. } => out.push(text.clone()),
                Block::Paragraph(p) => {
                    out.push(p.text.clone());
                    out.extend(p.footnote.iter().cloned());
                }
                Block::List(items) => {
                    for p in items {
                        out.push(p.text.clone());
                        out.extend(p.footnote.iter().cloned());
                    }
                }
                Block::Table(t) => table_text(t, &mut out),
                Block::Figure(f) => {
                    out.push(f.title.clone());
                    out.push(f.description.clone());
                    for t in &f.tables {
                        table_text(t, &mut out);
                    }
                }
            }
        }
        out.join("\n")
    }
}

fn table_text(t: &Table, out: &mut Vec<String>) {
    out.push(t.caption.clone());
    out.extend(t.header.iter().cloned());
    for row in &t.rows {
        out.extend(row.iter().map(Cell::plain));
    }
}
