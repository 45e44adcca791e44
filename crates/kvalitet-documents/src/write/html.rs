//! One self-contained, accessible HTML file: `lang="sv"`, headings in order (the title
//! is the only `h1`), tables with `<caption>` and `<th scope>`, charts as inline SVG with
//! `role="img"`, `<title>` and `<desc>` beside their data tables, an inline stylesheet
//! that also prints well, and no scripts. The title page carries the furniture (logo as
//! an `<img>` data URL, board, reference, meeting date, status); footnotes are numbered
//! links to a list at the end.

use std::fmt::Write;

use base64::Engine;

use crate::model::{Block, Cell, Document, Furniture, LogoFormat, Para, ParaStyle, Table};

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',sans-serif;line-height:1.5;color:#1b1b1b;max-width:60rem;margin:0 auto;padding:1rem 1.5rem 4rem}\
header.title-page{border-bottom:4px solid #005a8c;margin-bottom:2rem;padding:2rem 0}\
header.title-page .marking{display:inline-block;margin-top:.5rem;padding:.1rem .5rem;border:3px solid #a4000f;color:#a4000f;font-size:1.4rem}\
header.title-page .municipality{font-size:1.1rem;font-weight:600;color:#005a8c;margin:0}\
h1{font-size:2.2rem;margin:.5rem 0}h2{font-size:1.6rem;margin-top:2.5rem;border-bottom:1px solid #ccc}\
h3{font-size:1.3rem;margin-top:2rem}h4{font-size:1.1rem}h5{font-size:1rem}\
nav.toc ol{columns:2;padding-left:1.2rem}\
table{border-collapse:collapse;width:100%;margin:1rem 0 2rem;font-size:.92rem}\
caption{text-align:left;font-weight:600;padding:.3rem 0}\
th,td{border:1px solid #999;padding:.35rem .5rem;vertical-align:top;text-align:left}\
thead th{background:#e8eef3}tbody th{font-weight:normal}\
td p,th p{margin:0 0 .35rem}.note{color:#444;font-size:.9em}.strong{font-weight:600}\
.warning{border-left:4px solid #b35900;padding-left:.5rem;font-weight:600}\
figure{margin:1.5rem 0}figure svg{max-width:100%;height:auto}figcaption{font-weight:600}\
header.title-page img.logo{max-height:5rem;max-width:16rem;display:block;margin-bottom:1rem}\
section.footnotes{border-top:1px solid #999;margin-top:3rem;font-size:.9em}\
@media print{body{max-width:none;padding:0}.new-page{break-before:page}h2,h3{break-after:avoid}tr{break-inside:avoid}thead{display:table-header-group}nav.toc{display:none}}";

/// The footnotes met so far, numbered from 1 in reading order.
type Notes = Vec<String>;

fn para(out: &mut String, notes: &mut Notes, p: &Para) {
    let class = match p.style {
        ParaStyle::Normal => "",
        ParaStyle::Strong => " class=\"strong\"",
        ParaStyle::Note => " class=\"note\"",
        ParaStyle::Warning => " class=\"warning\"",
    };
    let _ = write!(out, "<p{class}>");
    inline(out, notes, p);
    out.push_str("</p>");
}

/// A paragraph's text and its footnote's mark, without the paragraph around them.
fn inline(out: &mut String, notes: &mut Notes, p: &Para) {
    out.push_str(&esc(&p.text));
    if let Some(note) = &p.footnote {
        notes.push(note.clone());
        let n = notes.len();
        let _ =
            write!(out, "<sup><a href=\"#fotnot-{n}\" id=\"fotnotref-{n}\" aria-label=\"Fotnot {n}\">{n}</a></sup>");
    }
}

fn cell(out: &mut String, notes: &mut Notes, tag: &str, scope: &str, c: &Cell) {
    let style = c.shading.as_deref().map(|s| format!(" style=\"background:{}\"", esc(s))).unwrap_or_default();
    let _ = write!(out, "<{tag}{scope}{style}>");
    for p in &c.paras {
        para(out, notes, p);
    }
    let _ = write!(out, "</{tag}>");
}

/// The title page's furniture: logo first, then the lines that are known.
fn furniture(out: &mut String, f: &Furniture) {
    for (label, value) in [
        ("", &f.board),
        ("Diarienummer: ", &f.reference),
        ("Sammanträdesdatum: ", &f.meeting_on),
        ("Status: ", &f.status),
    ] {
        if let Some(v) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            let _ = write!(out, "<p>{label}{}</p>", esc(v));
        }
    }
}

fn logo(f: &Furniture) -> String {
    let Some(logo) = &f.logo else { return String::new() };
    let media = match logo.format {
        LogoFormat::Svg => "image/svg+xml",
        LogoFormat::Png => "image/png",
    };
    // As an <img>, an SVG is a picture: no script in it runs.
    format!(
        "<img class=\"logo\" src=\"data:{media};base64,{}\" alt=\"{}\">",
        base64::engine::general_purpose::STANDARD.encode(&logo.bytes),
        esc(&logo.alt)
    )
}

fn table(out: &mut String, notes: &mut Notes, t: &Table) {
    let _ = write!(out, "<table><caption>{}</caption><thead><tr>", esc(&t.caption));
    for h in &t.header {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        out.push_str("<tr>");
        for (i, c) in row.iter().enumerate() {
            if i == 0 && t.row_headers {
                cell(out, notes, "th", " scope=\"row\"", c);
            } else {
                cell(out, notes, "td", "", c);
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>\n");
}

/// The whole document as one HTML file.
pub fn write(doc: &Document) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"sv\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{} – {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&doc.marked_title()),
        esc(&doc.municipality)
    );
    let marking =
        doc.marking.as_deref().map(|m| format!("<br><span class=\"marking\">{}</span>", esc(m))).unwrap_or_default();
    let _ = write!(
        out,
        "<header class=\"title-page\">{}<p class=\"municipality\">{}</p><h1>{}{marking}</h1>",
        logo(&doc.furniture),
        esc(&doc.municipality),
        esc(&doc.title)
    );
    for l in &doc.title_lines {
        let _ = write!(out, "<p>{}</p>", esc(l));
    }
    furniture(&mut out, &doc.furniture);
    out.push_str("</header>\n");

    let chapters: Vec<&str> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level: 1, text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    if chapters.len() > 1 {
        out.push_str("<nav class=\"toc\" aria-labelledby=\"innehall\"><h2 id=\"innehall\">Innehåll</h2><ol>");
        for (i, c) in chapters.iter().enumerate() {
            let _ = write!(out, "<li><a href=\"#kapitel-{}\">{}</a></li>", i + 1, esc(c));
        }
        out.push_str("</ol></nav>\n");
    }

    out.push_str("<main>\n");
    let mut notes = Notes::new();
    let mut chapter = 0;
    for (b, new_page) in doc.blocks.iter().zip(doc.new_pages()) {
        match b {
            Block::Heading { level, text } => {
                // The title is the h1; the document's levels start at h2.
                let h = (level + 1).min(6);
                if *level == 1 {
                    chapter += 1;
                    // Printed, a chapter with tables starts on a new page, as in the PDF.
                    let class = if new_page { " class=\"new-page\"" } else { "" };
                    let _ = writeln!(out, "<h{h} id=\"kapitel-{chapter}\"{class}>{}</h{h}>", esc(text));
                } else {
                    let _ = writeln!(out, "<h{h}>{}</h{h}>", esc(text));
                }
            }
            Block::Paragraph(p) => {
                para(&mut out, &mut notes, p);
                out.push('\n');
            }
            Block::List(items) => {
                out.push_str("<ul>");
                for i in items {
                    out.push_str("<li>");
                    inline(&mut out, &mut notes, i);
                    out.push_str("</li>");
                }
                out.push_str("</ul>\n");
            }
            Block::Table(t) => table(&mut out, &mut notes, t),
            Block::Figure(f) => {
                let _ = write!(out, "<figure><figcaption>{}</figcaption>{}", esc(&f.title), f.svg);
                let _ = write!(out, "<p class=\"note\">{}</p>", esc(&f.description));
                for t in &f.tables {
                    table(&mut out, &mut notes, t);
                }
                out.push_str("</figure>\n");
            }
        }
    }
    if !notes.is_empty() {
        out.push_str("<section class=\"footnotes\" aria-labelledby=\"fotnoter\"><h2 id=\"fotnoter\">Fotnoter</h2><ol>");
        for (i, n) in notes.iter().enumerate() {
            let n_ = i + 1;
            let _ = write!(
                out,
                "<li id=\"fotnot-{n_}\">{} <a href=\"#fotnotref-{n_}\" aria-label=\"Tillbaka till texten\">↩</a></li>",
                esc(n)
            );
        }
        out.push_str("</ol></section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}
