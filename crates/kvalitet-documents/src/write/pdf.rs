//! PDF (not yet written).

use crate::DocumentError;
use crate::model::Document;

pub fn write(_doc: &Document) -> Result<Vec<u8>, DocumentError> {
    Err(DocumentError::Pdf("PDF är inte gjort ännu".into()))
}
