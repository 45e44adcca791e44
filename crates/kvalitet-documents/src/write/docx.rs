//! DOCX through docx-rs: real heading styles (Heading1..4 with outline levels, so Word's
//! and LibreOffice's table of contents and navigation pane work), a title page, the
//! municipality's name in the page header, tables whose header row repeats on every
//! page, bulleted lists, and figures as their data tables with the text alternative.
//!
//! docx-rs 0.4 has no builder for a repeating header row (`w:tblHeader`), so header rows
//! are marked `cantSplit` (which only they get) and the mark is completed in the
//! generated XML before packing.

use std::io::Cursor;

use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, Header, IndentLevel, Level, LevelJc, LevelText, LineSpacing,
    NumberFormat, Numbering, NumberingId, Paragraph, Run, RunFonts, Shading, SpecialIndentType, Start, Style,
    StyleType, Table, TableCell, TableLayoutType, TableRow, WidthType,
};

use crate::DocumentError;
use crate::model::{self, Block, Document, Para, ParaStyle};

const BULLETS: usize = 7;
/// Text width of an A4 page with 2 cm margins, in twentieths of a point.
const TEXT_WIDTH: usize = 11906 - 2 * 1134;

fn run(text: &str) -> Run {
    Run::new().add_text(text)
}

fn para(p: &Para) -> Paragraph {
    let r = run(&p.text);
    match p.style {
        ParaStyle::Normal => Paragraph::new().add_run(r),
        ParaStyle::Strong => Paragraph::new().add_run(r.bold()),
        ParaStyle::Note => Paragraph::new().style("Note").add_run(r),
        ParaStyle::Warning => Paragraph::new().style("Warning").add_run(r),
    }
}

fn hex(colour: &str) -> String {
    colour.trim_start_matches('#').to_ascii_uppercase()
}

fn table(t: &model::Table) -> (Paragraph, Table) {
    let total: u32 = t.widths.iter().sum::<u32>().max(1);
    let grid: Vec<usize> = if t.widths.len() == t.header.len() {
        t.widths.iter().map(|w| TEXT_WIDTH * *w as usize / total as usize).collect()
    } else {
        vec![TEXT_WIDTH / t.header.len().max(1); t.header.len()]
    };
    let header = TableRow::new(
        t.header
            .iter()
            .zip(&grid)
            .map(|(h, w)| {
                TableCell::new()
                    .width(*w, WidthType::Dxa)
                    .shading(Shading::new().fill("E8EEF3"))
                    .add_paragraph(Paragraph::new().style("TableHeading").add_run(run(h).bold()))
            })
            .collect(),
    )
    .cant_split();
    let mut rows = vec![header];
    for r in &t.rows {
        let cells = r
            .iter()
            .zip(&grid)
            .map(|(c, w)| {
                let mut cell = TableCell::new().width(*w, WidthType::Dxa);
                if let Some(s) = &c.shading {
                    cell = cell.shading(Shading::new().fill(hex(s)));
                }
                if c.paras.is_empty() {
                    cell = cell.add_paragraph(Paragraph::new());
                }
                for p in &c.paras {
                    cell = cell.add_paragraph(para(p).style(match p.style {
                        ParaStyle::Note => "Note",
                        ParaStyle::Warning => "Warning",
                        _ => "TableText",
                    }));
                }
                cell
            })
            .collect();
        rows.push(TableRow::new(cells));
    }
    let caption = Paragraph::new().style("Caption").keep_next(true).add_run(run(&t.caption));
    let table = Table::new(rows)
        .set_grid(grid)
        .layout(TableLayoutType::Fixed)
        .width(TEXT_WIDTH, WidthType::Dxa)
        .style("TableGrid");
    (caption, table)
}

fn styles(docx: Docx) -> Docx {
    let heading = |id: &str, name: &str, level: usize, size: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .outline_lvl(level)
            .size(size)
            .bold()
            .color("1F3A4D")
    };
    // Docx::new() already has a "Normal" style; the default font and size set it.
    docx.default_size(22)
        .default_fonts(RunFonts::new().ascii("Calibri").hi_ansi("Calibri").cs("Calibri"))
        .add_style(
            Style::new("Title", StyleType::Paragraph).name("Title").based_on("Normal").q_format(true).size(56).bold(),
        )
        .add_style(heading("Heading1", "heading 1", 0, 36).line_spacing(LineSpacing::new().before(480).after(120)))
        .add_style(heading("Heading2", "heading 2", 1, 30).line_spacing(LineSpacing::new().before(360).after(120)))
        .add_style(heading("Heading3", "heading 3", 2, 26).line_spacing(LineSpacing::new().before(240).after(80)))
        .add_style(heading("Heading4", "heading 4", 3, 23).line_spacing(LineSpacing::new().before(200).after(60)))
        .add_style(Style::new("Caption", StyleType::Paragraph).name("caption").based_on("Normal").q_format(true).bold())
        .add_style(
            Style::new("Note", StyleType::Paragraph)
                .name("Kommentar i tabell")
                .based_on("Normal")
                .size(18)
                .color("444444"),
        )
        .add_style(
            Style::new("Warning", StyleType::Paragraph).name("Varning").based_on("Normal").bold().color("8A4500"),
        )
        .add_style(Style::new("TableText", StyleType::Paragraph).name("Tabelltext").based_on("Normal").size(19))
        .add_style(Style::new("TableHeading", StyleType::Paragraph).name("Tabellrubrik").based_on("TableText").bold())
        .add_style(Style::new("TableGrid", StyleType::Table).name("Table Grid"))
}

/// The whole document as a DOCX file.
pub fn write(doc: &Document) -> Result<Vec<u8>, DocumentError> {
    let mut docx = styles(Docx::new())
        .page_size(11906, 16838)
        .add_abstract_numbering(
            AbstractNumbering::new(BULLETS).add_level(
                Level::new(0, Start::new(1), NumberFormat::new("bullet"), LevelText::new("•"), LevelJc::new("left"))
                    .indent(Some(720), Some(SpecialIndentType::Hanging(360)), None, None),
            ),
        )
        .add_numbering(Numbering::new(BULLETS, BULLETS))
        .header(Header::new().add_paragraph(
            Paragraph::new().align(AlignmentType::Right).add_run(run(&doc.running_header()).size(18).color("555555")),
        ));

    let mut title =
        Paragraph::new().line_spacing(LineSpacing::new().before(2400)).style("Title").add_run(run(&doc.title));
    if let Some(m) = &doc.marking {
        // The marking is part of the heading: a second line of the title.
        title = title.add_run(Run::new().add_break(BreakType::TextWrapping)).add_run(run(m).bold().color("A4000F"));
    }
    docx = docx.add_paragraph(Paragraph::new().add_run(run(&doc.municipality).size(28).bold())).add_paragraph(title);
    for l in &doc.title_lines {
        docx = docx.add_paragraph(Paragraph::new().add_run(run(l).size(28)));
    }
    docx = docx.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));

    for b in &doc.blocks {
        match b {
            Block::Heading { level, text } => {
                let style = format!("Heading{}", level.clamp(&1, &4));
                docx = docx.add_paragraph(Paragraph::new().style(&style).keep_next(true).add_run(run(text)));
            }
            Block::Paragraph(p) => docx = docx.add_paragraph(para(p)),
            Block::List(items) => {
                for i in items {
                    docx = docx.add_paragraph(
                        Paragraph::new().numbering(NumberingId::new(BULLETS), IndentLevel::new(0)).add_run(run(i)),
                    );
                }
            }
            Block::Table(t) => {
                let (caption, t) = table(t);
                docx = docx.add_paragraph(caption).add_table(t).add_paragraph(Paragraph::new());
            }
            Block::Figure(f) => {
                docx = docx
                    .add_paragraph(Paragraph::new().style("Caption").add_run(run(&f.title)))
                    .add_paragraph(Paragraph::new().add_run(run(&f.description)));
                for t in &f.tables {
                    let (caption, t) = table(t);
                    docx = docx.add_paragraph(caption).add_table(t).add_paragraph(Paragraph::new());
                }
            }
        }
    }

    let mut xml = docx.build();
    // Header rows repeat on every page (see the module comment).
    let document =
        String::from_utf8(std::mem::take(&mut xml.document)).map_err(|e| DocumentError::Docx(e.to_string()))?;
    xml.document = document.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />").into_bytes();
    // Title and language in the file's properties.
    let core =
        String::from_utf8(std::mem::take(&mut xml.doc_props.core)).map_err(|e| DocumentError::Docx(e.to_string()))?;
    xml.doc_props.core = core
        .replace(
            "</cp:coreProperties>",
            &format!(
                "<dc:title>{}</dc:title><dc:language>sv-SE</dc:language></cp:coreProperties>",
                super::html::esc(&format!("{} – {}", doc.marked_title(), doc.municipality))
            ),
        )
        .into_bytes();
    let mut out = Cursor::new(Vec::new());
    xml.pack(&mut out).map_err(|e| DocumentError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}
