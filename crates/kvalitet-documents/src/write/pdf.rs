//! PDF through typst, in-process: the model is written as typst markup (every piece of
//! user text as an escaped string literal, never as markup), typeset in a small `World`
//! with the bundled fonts, and exported as a tagged PDF/UA-1 document (checked by typst's
//! own validator) whose outline (bookmarks) comes from the headings, with the document's
//! title and language set.

use std::fmt::Write;

use typst::WorldExt;
use typst::diag::Severity;
use typst_layout::PagedDocument;

use super::world::DocumentWorld;
use crate::DocumentError;
use crate::model::{Block, Cell, Document, Para, ParaStyle, Table};

/// `text` as a typst string literal.
fn lit(text: &str) -> String {
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
    match p.style {
        ParaStyle::Normal => txt(&p.text),
        ParaStyle::Strong => format!("#strong[{}]", txt(&p.text)),
        ParaStyle::Note => format!("#text(size: 0.88em, fill: luma(60))[{}]", txt(&p.text)),
        ParaStyle::Warning => format!(
            "#block(stroke: (left: 2.5pt + rgb(\"#b35900\")), inset: (left: 6pt, y: 2pt))[#strong[{}]]",
            txt(&p.text)
        ),
    }
}

fn cell(c: &Cell) -> String {
    let body = c.paras.iter().map(para).collect::<Vec<_>>().join("\n\n");
    match c.shading.as_deref().and_then(colour) {
        Some(fill) => format!("table.cell(fill: {fill})[{body}]"),
        None => format!("[{body}]"),
    }
}

fn table(out: &mut String, t: &Table) {
    let columns = if t.widths.len() == t.header.len() {
        t.widths.iter().map(|w| format!("{w}fr")).collect::<Vec<_>>().join(", ")
    } else {
        vec!["1fr"; t.header.len()].join(", ")
    };
    let _ = write!(
        out,
        "#figure(kind: table, caption: figure.caption(position: top)[{}], table(columns: ({columns},), \
         table.header(",
        txt(&t.caption)
    );
    for h in &t.header {
        let _ = write!(out, "[{}], ", txt(h));
    }
    out.push_str("),\n");
    for row in &t.rows {
        for c in row {
            out.push_str(&cell(c));
            out.push_str(", ");
        }
        out.push('\n');
    }
    out.push_str("))\n\n");
}

/// The typst source of a document.
pub fn markup(doc: &Document) -> String {
    let mut out = String::with_capacity(128 * 1024);
    let _ = write!(
        out,
        "#set document(title: {title}, author: {municipality})\n\
         #set text(lang: \"sv\", region: \"SE\", font: \"Libertinus Serif\", size: 10.5pt, hyphenate: false)\n\
         #set par(justify: false, leading: 0.6em, spacing: 0.9em)\n\
         #set page(paper: \"a4\", margin: (x: 2cm, top: 2.6cm, bottom: 2.2cm), numbering: \"1\", \
           header: context {{ if counter(page).get().first() > 1 {{ align(right, text(size: 8pt, fill: luma(80), {header})) }} }})\n\
         #set heading(numbering: none)\n\
         #show heading.where(level: 1): set text(size: 17pt)\n\
         #show heading.where(level: 2): set text(size: 14pt)\n\
         #show heading.where(level: 3): set text(size: 12pt)\n\
         #show heading: set block(above: 1.6em, below: 0.8em)\n\
         #show figure: set block(breakable: true)\n\
         #show figure.where(kind: table): set figure.caption(position: top)\n\
         #show figure.caption: set text(weight: \"bold\")\n\
         #set table(stroke: 0.5pt + luma(140), inset: 4pt, align: left)\n\
         #show table: set text(size: 9pt)\n\
         #show table.cell.where(y: 0): set text(weight: \"bold\")\n\
         #set table(fill: (x, y) => if y == 0 {{ rgb(\"#e8eef3\") }})\n",
        title = lit(&format!("{} – {}", doc.marked_title(), doc.municipality)),
        municipality = lit(&doc.municipality),
        header = lit(&doc.running_header()),
    );
    // Title page, then the table of contents.
    let _ = writeln!(out, "#text(size: 14pt, weight: \"bold\")[{}]\n", txt(&doc.municipality));
    let _ = writeln!(out, "#v(6cm)\n#text(size: 28pt, weight: \"bold\")[{}]\n", txt(&doc.title));
    if let Some(m) = &doc.marking {
        let _ = writeln!(out, "#text(size: 20pt, weight: \"bold\", fill: rgb(\"#a4000f\"))[{}]\n", txt(m));
    }
    for l in &doc.title_lines {
        let _ = writeln!(out, "#text(size: 13pt)[{}]\n", txt(l));
    }
    out.push_str("#pagebreak()\n#outline(title: \"Innehåll\", depth: 2)\n#pagebreak()\n\n");

    for b in &doc.blocks {
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
                    let _ = write!(out, "[{}], ", txt(i));
                }
                out.push_str(")\n\n");
            }
            Block::Table(t) => table(&mut out, t),
            Block::Figure(f) => {
                let _ = writeln!(
                    out,
                    "#figure(image(bytes({}), format: \"svg\", alt: {}, width: 100%), caption: [{}])\n",
                    lit(&f.svg),
                    lit(&f.description),
                    txt(&f.title)
                );
                let _ = writeln!(out, "{}\n", para(&Para::note(f.description.clone())));
                for t in &f.tables {
                    table(&mut out, t);
                }
            }
        }
    }
    out
}

/// The whole document as a PDF file.
pub fn write(doc: &Document) -> Result<Vec<u8>, DocumentError> {
    let world = DocumentWorld::new(markup(doc));
    let errors = |diags: &[typst::diag::SourceDiagnostic]| {
        diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                let at = world.range(d.span).map(|r| world.line_at(r)).unwrap_or_default();
                format!("{} (vid: {at})", d.message)
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let paged: Result<PagedDocument, _> = typst::compile(&world).output;
    let pdf = paged.and_then(|paged| {
        // PDF/UA-1 where typst's validator accepts the document; should some content
        // ever fail it, a tagged PDF without the UA claim rather than no PDF at all.
        let ident = typst::foundations::Smart::Custom(doc.marked_title());
        let ua = typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::Ua_1]).unwrap_or_default();
        let options = typst_pdf::PdfOptions { ident: ident.clone(), standards: ua, ..Default::default() };
        typst_pdf::pdf(&paged, &options)
            .or_else(|_| typst_pdf::pdf(&paged, &typst_pdf::PdfOptions { ident, ..Default::default() }))
    });
    // typst memoises layout work in a process-wide cache; documents are made one at a
    // time and differ, so drop it rather than let a long-running server's memory grow.
    typst::comemo::evict(0);
    pdf.map_err(|e| DocumentError::Pdf(errors(&e)))
}
