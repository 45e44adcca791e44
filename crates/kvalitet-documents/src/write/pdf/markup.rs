//! The typst source of a document: page furniture (cover, running header and footer),
//! then the blocks. Every piece of user text is an escaped string literal, never markup.

use std::fmt::Write;

use super::columns::{self, INSET, NOTE_SIZE, TABLE_TEXT, TEXT_WIDTH, Track};
use crate::model::{Block, Cell, Document, Figure, LogoFormat, Para, ParaStyle, Table};
use crate::write::world::LOGO_PATH;

/// The shading of a table's header row.
const HEADER_FILL: &str = "rgb(\"#e8eef3\")";

/// `text` as a typst string literal.
pub fn lit(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `text` placed in markup: an embedded string expression, ended with `;` so nothing
/// after it is read as part of the expression.
fn txt(text: &str) -> String {
    format!("#{};", lit(text))
}

/// A colour from the data as a typst `rgb(..)`, or `None` when it is not `#rrggbb`.
fn colour(c: &str) -> Option<String> {
    let hex = c.strip_prefix('#')?;
    (hex.len() == 6 && hex.chars().all(|ch| ch.is_ascii_hexdigit())).then(|| format!("rgb(\"#{hex}\")"))
}

fn para(p: &Para) -> String {
    let body = match p.style {
        ParaStyle::Normal => txt(&p.text),
        ParaStyle::Strong => format!("#strong[{}]", txt(&p.text)),
        ParaStyle::Note => format!("#text(size: {NOTE_SIZE}em, fill: luma(60))[{}]", txt(&p.text)),
        ParaStyle::Warning => format!(
            "#block(stroke: (left: 2.5pt + rgb(\"#b35900\")), inset: (left: 6pt, y: 2pt))[#strong[{}]]",
            txt(&p.text)
        ),
    };
    match &p.footnote {
        Some(note) => format!("{body}#footnote[{}]", txt(note)),
        None => body,
    }
}

fn cell(c: &Cell, row_header: bool) -> String {
    let body = c.paras.iter().map(para).collect::<Vec<_>>().join("\n\n");
    let cell = match c.shading.as_deref().and_then(colour) {
        Some(fill) => format!("table.cell(fill: {fill})[{body}]"),
        None => format!("[{body}]"),
    };
    // A row header in the tagged PDF (`<TH Scope=Row>`), as `<th scope="row">` in HTML.
    if row_header { format!("pdf.header-cell(scope: \"row\", {cell})") } else { cell }
}

fn table(out: &mut String, t: &Table) {
    let (tracks, hyphenate) = columns::layout(t);
    let columns = tracks
        .iter()
        .map(|c| match c {
            Track::Fr(w) => format!("{w}fr"),
            Track::Pt(w) => format!("{w}pt"),
        })
        .collect::<Vec<_>>()
        .join(", ");
    // Where even the longest words do not fit side by side, they break at Swedish
    // syllables rather than run into the next column.
    let hyphenate = if hyphenate { "#show table: set text(hyphenate: true)\n" } else { "" };
    let _ = write!(
        out,
        "#[{hyphenate}#figure(kind: table, caption: figure.caption(position: top)[{}], table(columns: ({columns},), \
         table.header(",
        txt(&t.caption)
    );
    // The header row's shading and weight on its own cells: a `fill` function or a
    // `table.cell.where(y: 0)` show rule would be evaluated for every cell of the table.
    for h in &t.header {
        let _ = write!(out, "table.cell(fill: {HEADER_FILL}, text(weight: \"bold\")[{}]), ", txt(h));
    }
    out.push_str("),\n");
    for row in &t.rows {
        for (i, c) in row.iter().enumerate() {
            out.push_str(&cell(c, t.row_headers && i == 0));
            out.push_str(", ");
        }
        out.push('\n');
    }
    out.push_str("))]\n\n");
}

/// The width a figure's SVG is set at: its own width at 0.75 pt a pixel (as a browser
/// prints it), at most the text's width.
fn figure_width(svg: &str) -> String {
    let head = &svg[..svg.find('>').unwrap_or(svg.len())];
    let natural = head
        .split_once(" width=\"")
        .and_then(|(_, rest)| rest.split('"').next())
        .and_then(|w| w.parse::<f64>().ok())
        .filter(|w| w.is_finite() && *w > 0.0);
    match natural {
        Some(w) if w * 0.75 < TEXT_WIDTH => format!("{:.1}pt", w * 0.75),
        _ => "100%".to_owned(),
    }
}

fn figure(out: &mut String, f: &Figure) {
    let _ = writeln!(
        out,
        "#figure(image(bytes({}), format: \"svg\", alt: {}, width: {}), caption: [{}])\n",
        lit(&f.svg),
        lit(&f.description),
        figure_width(&f.svg),
        txt(&f.title)
    );
    let _ = writeln!(out, "{}\n", para(&Para::note(f.description.clone())));
    for t in &f.tables {
        table(out, t);
    }
}

/// The page setup: running header (the municipality, with the marking when there is one,
/// on every page but an unmarked cover) and footer ("N | title", not on the cover).
fn preamble(out: &mut String, doc: &Document) {
    let footer = match doc.furniture.footer_title.trim() {
        "" => "str(n)".to_owned(),
        title => format!("str(n) + \" | \" + {}", lit(title)),
    };
    let _ = write!(
        out,
        "#set document(title: {title}, author: {municipality})\n\
         #set text(lang: \"sv\", region: \"SE\", font: \"Libertinus Serif\", size: 10.5pt, hyphenate: false)\n\
         #set par(justify: false, leading: 0.6em, spacing: 0.9em)\n\
         #set page(paper: \"a4\", margin: (x: 2cm, top: 2.6cm, bottom: 2.2cm), numbering: \"1\", \
           header: context {{ if {marked} or counter(page).get().first() > 1 {{ \
             align(right, text(size: 8pt, fill: luma(80), {header})) }} }}, \
           footer: context {{ let n = counter(page).get().first(); if n > 1 {{ \
             text(size: 8.5pt, fill: luma(60), {footer}) }} }})\n\
         #set heading(numbering: none)\n\
         #show heading.where(level: 1): set text(size: 17pt)\n\
         #show heading.where(level: 2): set text(size: 14pt)\n\
         #show heading.where(level: 3): set text(size: 12pt)\n\
         #show heading: set block(above: 1.6em, below: 0.8em)\n\
         #show figure: set block(breakable: true)\n\
         #show figure.where(kind: table): set figure.caption(position: top)\n\
         #show figure.caption: set text(weight: \"bold\")\n\
         #show figure.caption.where(position: top): it => block(sticky: true, it)\n\
         #set table(stroke: 0.5pt + luma(140), inset: {INSET}pt, align: left)\n\
         #show table: set text(size: {TABLE_TEXT}pt)\n",
        title = lit(&format!("{} – {}", doc.marked_title(), doc.municipality)),
        municipality = lit(&doc.municipality),
        marked = doc.marking.is_some(),
        header = lit(&doc.running_header()),
    );
}

/// The cover: logo, municipality, title, marking and title lines; at the foot the board,
/// the reference, the meeting date and the status, each only where known.
fn cover(out: &mut String, doc: &Document) {
    let f = &doc.furniture;
    if let Some(logo) = &f.logo {
        let format = match logo.format {
            LogoFormat::Svg => "svg",
            LogoFormat::Png => "png",
        };
        let _ = writeln!(
            out,
            "#box(image({}, format: \"{format}\", alt: {}, height: 2.2cm))\n\n#v(0.6cm)\n",
            lit(LOGO_PATH),
            lit(&logo.alt)
        );
    }
    let _ = writeln!(out, "#text(size: 14pt, weight: \"bold\")[{}]\n", txt(&doc.municipality));
    let _ = writeln!(out, "#v(5cm)\n#text(size: 28pt, weight: \"bold\")[{}]\n", txt(&doc.title));
    if let Some(m) = &doc.marking {
        let _ = writeln!(out, "#text(size: 20pt, weight: \"bold\", fill: rgb(\"#a4000f\"))[{}]\n", txt(m));
    }
    for l in &doc.title_lines {
        let _ = writeln!(out, "#text(size: 13pt)[{}]\n", txt(l));
    }
    let known = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let facts: Vec<String> = [
        known(&f.board),
        known(&f.reference).map(|r| format!("Diarienummer: {r}")),
        known(&f.meeting_on).map(|d| format!("Sammanträdesdatum: {d}")),
        known(&f.status).map(|s| format!("Status: {s}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !facts.is_empty() {
        out.push_str("#v(1fr)\n#text(size: 11pt)[");
        for (i, fact) in facts.iter().enumerate() {
            let _ = write!(out, "{}{}", if i > 0 { " \\\n" } else { "" }, txt(fact));
        }
        out.push_str("]\n\n");
    }
    out.push_str("#pagebreak()\n#outline(title: \"Innehåll\", depth: 2)\n#pagebreak()\n\n");
}

/// The typst source of a document.
pub fn markup(doc: &Document) -> String {
    let mut out = String::with_capacity(128 * 1024);
    preamble(&mut out, doc);
    cover(&mut out, doc);
    for (b, new_page) in doc.blocks.iter().zip(doc.new_pages()) {
        // A chapter with tables on a new page (`Document::new_pages`); the break also
        // ends typst's page run, and runs are laid out in parallel.
        if new_page {
            out.push_str("#pagebreak(weak: true)\n");
        }
        match b {
            Block::Heading { level, text } => {
                let _ = writeln!(out, "#heading(level: {level})[{}]\n", txt(text));
            }
            Block::Paragraph(p) => {
                let _ = writeln!(out, "{}\n", para(p));
            }
            Block::List(items) => {
                out.push_str("#list(");
                for i in items {
                    let _ = write!(out, "[{}], ", para(i));
                }
                out.push_str(")\n\n");
            }
            Block::Table(t) => table(&mut out, t),
            Block::Figure(f) => figure(&mut out, f),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_a_string_literal() {
        assert_eq!(lit("a \"b\" \\ #c\n\u{7}"), "\"a \\\"b\\\" \\\\ #c\\n\"");
        let p = Para::new("#set *x*").with_footnote("]#panic()[");
        assert_eq!(para(&p), "#\"#set *x*\";#footnote[#\"]#panic()[\";]");
    }

    #[test]
    fn a_figure_is_set_at_its_own_width_or_the_text_width() {
        assert_eq!(figure_width("<svg xmlns=\"x\" viewBox=\"0 0 400 230\" width=\"400\" height=\"230\">"), "300.0pt");
        assert_eq!(figure_width("<svg viewBox=\"0 0 700 300\" width=\"700\">"), "100%");
        assert_eq!(figure_width("<svg viewBox=\"0 0 700 300\"><rect width=\"5\"/>"), "100%");
    }
}
