//! The smallest typst `World` that typesets one generated source: the standard library
//! (with typst's accessibility extras, for row header cells), the fonts bundled in
//! typst-assets (Libertinus Serif, which has å, ä and ö), one file (the municipality's
//! logo, when there is one), no packages, no clock. Library and fonts are built once per
//! process.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Feature, Library, LibraryExt, World};

pub(super) struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    /// The file ids every document uses (file ids are interned for the whole process,
    /// so a fresh id per document would leak): the source and the logo.
    main: FileId,
    logo: FileId,
}

/// The path the source gives for the logo (see [`DocumentWorld::new`]).
pub const LOGO_PATH: &str = "logo";

fn file_id(path: &str) -> FileId {
    FileId::new(RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).expect("a valid virtual path")))
}

pub(super) static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
    // `pdf.header-cell(scope: "row")` is one of typst's accessibility extras.
    let library = Library::builder().with_features([Feature::A11yExtras].into_iter().collect()).build();
    Shared {
        library: LazyHash::new(library),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
        main: file_id("dokument.typ"),
        logo: file_id(LOGO_PATH),
    }
});

impl Shared {
    /// The font of `family` (lower case) closest to `variant`.
    pub fn font(&self, family: &str, variant: typst::text::FontVariant) -> Option<&Font> {
        self.fonts.get(self.book.select(family, variant)?)
    }
}

/// One document's source and logo in the shared environment.
pub struct DocumentWorld {
    source: Source,
    logo: Option<Bytes>,
}

impl DocumentWorld {
    /// The world of one source; `logo` is served as the file [`LOGO_PATH`].
    pub fn new(text: String, logo: Option<Vec<u8>>) -> DocumentWorld {
        DocumentWorld { source: Source::new(SHARED.main, text), logo: logo.map(Bytes::new) }
    }

    /// The line of the source around `range`, for error messages.
    pub fn line_at(&self, range: std::ops::Range<usize>) -> String {
        let text = self.source.text();
        let start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
        let end = text[range.end..].find('\n').map_or(text.len(), |i| range.end + i);
        text[start..end].chars().take(200).collect()
    }
}

impl World for DocumentWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        SHARED.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == SHARED.main { Ok(self.source.clone()) } else { Err(FileError::AccessDenied) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        match &self.logo {
            _ if id == SHARED.main => Ok(Bytes::from_string(self.source.clone())),
            Some(logo) if id == SHARED.logo => Ok(logo.clone()),
            _ => Err(FileError::AccessDenied),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
