//! PDF through typst, in-process: the model is written as typst markup (`markup.rs`:
//! every piece of user text as an escaped string literal, never as markup; table columns
//! wide enough for their longest words, `columns.rs`), typeset in a small `World` with
//! the bundled fonts and the logo, and exported as a tagged PDF/UA-1 document (checked by typst's
//! own validator) whose outline (bookmarks) comes from the headings, with the document's
//! title and language set.

mod columns;
mod markup;

use typst::WorldExt;
use typst::diag::Severity;
use typst_layout::PagedDocument;

use super::world::DocumentWorld;
use crate::DocumentError;
use crate::model::Document;

use markup::markup;

/// The whole document as a PDF file.
pub fn write(doc: &Document) -> Result<Vec<u8>, DocumentError> {
    let world = DocumentWorld::new(markup(doc), doc.furniture.logo.as_ref().map(|l| l.bytes.clone()));
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
    let pdf = paged.as_ref().map_err(Clone::clone).and_then(|paged| {
        // PDF/UA-1 where typst's validator accepts the document; should some content
        // ever fail it, a tagged PDF without the UA claim rather than no PDF at all.
        let ident = typst::foundations::Smart::Custom(doc.marked_title());
        let ua = typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::Ua_1]).unwrap_or_default();
        let options = typst_pdf::PdfOptions { ident: ident.clone(), standards: ua, ..Default::default() };
        typst_pdf::pdf(paged, &options)
            .or_else(|_| typst_pdf::pdf(paged, &typst_pdf::PdfOptions { ident, ..Default::default() }))
    });
    let pdf = pdf.map_err(|e| DocumentError::Pdf(errors(&e)));
    // typst memoises layout work in a process-wide cache; documents are made one at a
    // time and differ, so drop it rather than let a long-running server's memory grow.
    // Freeing the laid-out pages and the cache costs about a twentieth of the document's
    // time: done on another thread, once the caller has its PDF.
    std::thread::spawn(move || {
        drop(paged);
        typst::comemo::evict(0);
    });
    pdf
}
