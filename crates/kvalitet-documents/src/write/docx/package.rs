//! What docx-rs 0.4 has no builder for, completed in its generated XML before packing.
//! Each completion finds an exact piece of docx-rs's output and fails loudly (a
//! `DocumentError`) when it is not there, so a docx-rs update cannot drop one silently:
//!
//! - header rows repeat on every page (`w:tblHeader`): docx-rs marks only them
//!   `cantSplit`;
//! - each picture's text alternative (`wp:docPr descr`) and a unique id;
//! - the footnotes' own number mark (`w:footnoteRef`) and Word's separator footnotes;
//! - `w:updateFields`, so Word fills the table of contents and page numbers on opening;
//! - Swedish (`w:lang sv-SE`) in the default run properties;
//! - the title, creator (the municipality) and language in the core properties.

use docx_rs::XMLDocx;

use super::err;
use crate::DocumentError;
use crate::model::Document;
use crate::write::html::esc;

fn text(part: &mut Vec<u8>) -> Result<String, DocumentError> {
    String::from_utf8(std::mem::take(part)).map_err(err)
}

/// `xml` with `new` put in place of the one `old` there must be.
fn replace_once(xml: &str, old: &str, new: &str, what: &str) -> Result<String, DocumentError> {
    match xml.matches(old).count() {
        1 => Ok(xml.replacen(old, new, 1)),
        n => Err(DocumentError::Docx(format!("{what}: {n} förekomster av {old} i stället för en"))),
    }
}

/// Every picture's `wp:docPr`, in document order, given its id, a name and `alts`.
fn describe_pictures(document: &str, alts: &[String]) -> Result<String, DocumentError> {
    const DOC_PR: &str = "<wp:docPr id=\"1\" name=\"Figure\" />";
    let parts: Vec<&str> = document.split(DOC_PR).collect();
    if parts.len() != alts.len() + 1 {
        return Err(DocumentError::Docx(format!("{} bilder men {} alternativtexter", parts.len() - 1, alts.len())));
    }
    let mut out = String::with_capacity(document.len() + alts.iter().map(|a| a.len() + 40).sum::<usize>());
    out.push_str(parts[0]);
    for (i, (alt, rest)) in alts.iter().zip(&parts[1..]).enumerate() {
        out.push_str(&format!("<wp:docPr id=\"{}\" name=\"Bild {}\" descr=\"{}\" />", i + 1, i + 1, esc(alt)));
        out.push_str(rest);
    }
    Ok(out)
}

/// The number mark at the start of every footnote's text, and the separators Word
/// expects (ids -1 and 0, named in the settings).
fn complete_footnotes(footnotes: &str) -> Result<String, DocumentError> {
    const MARK: &str = "<w:r><w:rPr><w:rStyle w:val=\"FootnoteReference\" /></w:rPr><w:footnoteRef /></w:r>";
    const SEPARATORS: &str = "<w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator /></w:r></w:p>\
        </w:footnote><w:footnote w:type=\"continuationSeparator\" w:id=\"0\"><w:p><w:r>\
        <w:continuationSeparator /></w:r></w:p></w:footnote>";
    let mut pieces = footnotes.split("<w:footnote w:id=");
    let mut out = pieces.next().unwrap_or_default().to_owned();
    let open = out.rfind("<w:footnotes").and_then(|at| out[at..].find('>').map(|end| at + end + 1));
    let Some(open) = open else { return Err(DocumentError::Docx("fotnoterna saknar <w:footnotes>".into())) };
    out.insert_str(open, SEPARATORS);
    for piece in pieces {
        let at = piece.find("</w:pPr>").ok_or_else(|| DocumentError::Docx("en fotnot utan stycke".into()))?;
        let at = at + "</w:pPr>".len();
        out.push_str("<w:footnote w:id=");
        out.push_str(&piece[..at]);
        out.push_str(MARK);
        out.push_str(&piece[at..]);
    }
    Ok(out)
}

/// Completes the generated package of `doc` (see the module comment).
pub fn complete(xml: &mut XMLDocx, doc: &Document, alts: &[String]) -> Result<(), DocumentError> {
    let document = text(&mut xml.document)?.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />");
    xml.document = describe_pictures(&document, alts)?.into_bytes();

    let footnotes = text(&mut xml.footnotes)?;
    let has_footnotes = footnotes.contains("<w:footnote w:id=");
    xml.footnotes = if has_footnotes { complete_footnotes(&footnotes)? } else { footnotes }.into_bytes();

    let mut settings = String::from("<w:updateFields w:val=\"true\" />");
    if has_footnotes {
        settings.push_str("<w:footnotePr><w:footnote w:id=\"-1\" /><w:footnote w:id=\"0\" /></w:footnotePr>");
    }
    settings.push_str("<w:compat>");
    xml.settings = replace_once(&text(&mut xml.settings)?, "<w:compat>", &settings, "inställningarna")?.into_bytes();

    xml.styles = replace_once(
        &text(&mut xml.styles)?,
        "</w:rPr></w:rPrDefault>",
        "<w:lang w:val=\"sv-SE\" w:eastAsia=\"sv-SE\" w:bidi=\"ar-SA\" /></w:rPr></w:rPrDefault>",
        "formatmallarna",
    )?
    .into_bytes();

    let creator = esc(&doc.municipality);
    let core = text(&mut xml.doc_props.core)?;
    let core = replace_once(
        &core,
        "<dc:creator>unknown</dc:creator>",
        &format!("<dc:creator>{creator}</dc:creator>"),
        "egenskaperna",
    )?;
    let core = replace_once(
        &core,
        "<cp:lastModifiedBy>unknown</cp:lastModifiedBy>",
        &format!("<cp:lastModifiedBy>{creator}</cp:lastModifiedBy>"),
        "egenskaperna",
    )?;
    let title = esc(&format!("{} – {}", doc.marked_title(), doc.municipality));
    xml.doc_props.core = replace_once(
        &core,
        "</cp:coreProperties>",
        &format!("<dc:title>{title}</dc:title><dc:language>sv-SE</dc:language></cp:coreProperties>"),
        "egenskaperna",
    )?
    .into_bytes();
    Ok(())
}
