//! The smallest typst `World` that typesets one generated source: the standard library,
//! the fonts bundled in typst-assets (Libertinus Serif, which has å, ä and ö), no files,
//! no packages, no clock. Library and fonts are built once per process.

use std::sync::LazyLock;

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    /// The one file id every document uses (file ids are interned for the whole
    /// process, so a fresh id per document would leak).
    main: FileId,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
        main: FileId::new(RootedPath::new(
            VirtualRoot::Project,
            VirtualPath::new("dokument.typ").expect("a valid virtual path"),
        )),
    }
});

/// One document's source in the shared environment.
pub struct DocumentWorld {
    source: Source,
}

impl DocumentWorld {
    pub fn new(text: String) -> DocumentWorld {
        DocumentWorld { source: Source::new(SHARED.main, text) }
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
        if id == SHARED.main { Ok(Bytes::from_string(self.source.clone())) } else { Err(FileError::AccessDenied) }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}
