//! The document's styles: real heading styles (Heading1..4 with outline levels, so
//! Word's and LibreOffice's table of contents and navigation pane work), the table of
//! contents' entry styles, captions, table text, notes, warnings and footnotes.

use docx_rs::{
    Docx, LineSpacing, RunFonts, RunProperty, Style, StyleType, Tab, TabLeaderType, TabValueType, VertAlignType,
};

use super::TEXT_WIDTH;

/// The size of table text in half-points (9.5 pt); the column widths are estimated at it.
pub const TABLE_TEXT_SIZE: usize = 19;

pub fn add(docx: Docx) -> Docx {
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
    // An entry of the table of contents: indented by level, the page number at the
    // right margin after a dotted leader (as Word writes its entries when it updates).
    let toc = |level: usize| {
        let mut s = Style::new(format!("TOC{level}"), StyleType::Paragraph)
            .name(format!("toc {level}"))
            .based_on("Normal")
            .next("Normal")
            .indent(Some(((level - 1) * 240) as i32), None, None, None)
            .line_spacing(LineSpacing::new().after(60));
        s.paragraph_property = std::mem::take(&mut s.paragraph_property)
            .add_tab(Tab::new().val(TabValueType::Right).leader(TabLeaderType::Dot).pos(TEXT_WIDTH));
        if level == 1 { s.bold() } else { s }
    };
    let mut footnote_reference = Style::new("FootnoteReference", StyleType::Character).name("footnote reference");
    footnote_reference.run_property = RunProperty::new().vert_align(VertAlignType::SuperScript);
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
        // "Innehåll": looks like a chapter heading but has no outline level, so it is
        // not an entry of the table of contents it heads.
        .add_style(
            Style::new("TOCHeading", StyleType::Paragraph)
                .name("TOC Heading")
                .based_on("Normal")
                .next("Normal")
                .size(36)
                .bold()
                .color("1F3A4D")
                .line_spacing(LineSpacing::new().after(240)),
        )
        .add_style(toc(1))
        .add_style(toc(2))
        .add_style(
            Style::new("Caption", StyleType::Paragraph)
                .name("caption")
                .based_on("Normal")
                .q_format(true)
                .bold()
                .line_spacing(LineSpacing::new().before(200).after(80)),
        )
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
        .add_style(
            Style::new("TableText", StyleType::Paragraph)
                .name("Tabelltext")
                .based_on("Normal")
                .size(TABLE_TEXT_SIZE)
                .line_spacing(LineSpacing::new().before(20).after(20)),
        )
        .add_style(Style::new("TableHeading", StyleType::Paragraph).name("Tabellrubrik").based_on("TableText").bold())
        .add_style(Style::new("TableGrid", StyleType::Table).name("Table Grid"))
        .add_style(Style::new("CoverLine", StyleType::Paragraph).name("Försättsblad").based_on("Normal").size(28))
        .add_style(
            Style::new("FootnoteText", StyleType::Paragraph)
                .name("footnote text")
                .based_on("Normal")
                .size(18)
                .line_spacing(LineSpacing::new().after(0)),
        )
        .add_style(footnote_reference)
        .add_style(
            Style::new("Footer", StyleType::Paragraph).name("footer").based_on("Normal").size(18).color("555555"),
        )
        .add_style(
            Style::new("Header", StyleType::Paragraph).name("header").based_on("Normal").size(18).color("555555"),
        )
}
