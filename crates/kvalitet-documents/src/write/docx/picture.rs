//! Pictures: an SVG (a figure, a logo) rendered to PNG in-process with resvg, using the
//! fonts bundled in typst-assets (so a chart's text is set the same on every machine,
//! as in the PDF), and a PNG's own pixel size read from its header.

use std::sync::{Arc, LazyLock};

use docx_rs::Pic;
use resvg::{tiny_skia, usvg};

/// English Metric Units per twentieth of a point.
const EMU_PER_TWIP: u64 = 635;
/// Twentieths of a point per CSS pixel (1 px = 0.75 pt).
const TWIPS_PER_PX: f32 = 15.0;
/// The resolution a rendered SVG gets at its printed size: sharp on paper and screen.
const DPI: f32 = 200.0;

/// A picture ready for the document: PNG bytes and the size it is printed at.
pub struct Picture {
    pub png: Vec<u8>,
    pub width_px: u32,
    pub height_px: u32,
    /// The printed size in twentieths of a point.
    pub width: u32,
    pub height: u32,
}

impl Picture {
    /// The inline picture for a run; its text alternative is set in the package (see
    /// `package::describe_pictures`).
    pub fn pic(self) -> Pic {
        let emu = |twips: u32| u32::try_from(u64::from(twips) * EMU_PER_TWIP).unwrap_or(u32::MAX);
        Pic::new_with_dimensions(self.png, self.width_px, self.height_px).size(emu(self.width), emu(self.height))
    }
}

/// The bundled fonts, once per process. "sans-serif" (what the charts ask for) and
/// "serif" both resolve to Libertinus Serif, the PDF's font: the only text face bundled.
static FONTS: LazyLock<Arc<usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut db = usvg::fontdb::Database::new();
    for data in typst_assets::fonts() {
        db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(data)));
    }
    db.set_sans_serif_family("Libertinus Serif");
    db.set_serif_family("Libertinus Serif");
    Arc::new(db)
});

/// The printed size of `width` × `height` (any unit) scaled down to fit `max_width` ×
/// `max_height` twips, never up beyond `natural_width` twips.
fn fit(width: f32, height: f32, natural_width: f32, max_width: u32, max_height: u32) -> (u32, u32) {
    let scale = (natural_width / width).min(max_width as f32 / width).min(max_height as f32 / height);
    ((width * scale).round().max(1.0) as u32, (height * scale).round().max(1.0) as u32)
}

/// `svg` rendered as a PNG on white, printed to fit `max_width` × `max_height` twips: at
/// its own size (CSS pixels) or smaller, or as large as fits when `grow` (a logo).
pub fn from_svg(svg: &str, max_width: u32, max_height: u32, grow: bool) -> Result<Picture, String> {
    let options = usvg::Options { fontdb: FONTS.clone(), languages: vec!["sv".into()], ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| format!("SVG-bilden kunde inte läsas: {e}"))?;
    let size = tree.size();
    let natural = if grow { f32::MAX } else { size.width() * TWIPS_PER_PX };
    let (width, height) = fit(size.width(), size.height(), natural, max_width, max_height);
    // Pixels for the printed size at DPI (1 inch = 1440 twips).
    let scale = width as f32 / 1440.0 * DPI / size.width();
    let (width_px, height_px) = ((size.width() * scale).ceil() as u32, (size.height() * scale).ceil() as u32);
    let mut pixmap = tiny_skia::Pixmap::new(width_px, height_px).ok_or("SVG-bilden har ingen storlek")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    let png = pixmap.encode_png().map_err(|e| format!("PNG-bilden kunde inte skrivas: {e}"))?;
    Ok(Picture { png, width_px, height_px, width, height })
}

/// The width and height of a PNG in pixels, from its header, if it is a PNG.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: [u8; 8] = [137, 80, 78, 71, 13, 10, 26, 10];
    if png.len() < 24 || png[..8] != SIGNATURE || &png[12..16] != b"IHDR" {
        return None;
    }
    let word = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
    let (w, h) = (word(16), word(20));
    (w > 0 && h > 0).then_some((w, h))
}

/// A PNG as uploaded, printed to fit `max_width` × `max_height` twips (as large as fits:
/// a PNG's resolution says nothing reliable about its intended size).
pub fn from_png(png: &[u8], max_width: u32, max_height: u32) -> Result<Picture, String> {
    let (width_px, height_px) = png_size(png).ok_or("logotypen är inte en PNG-bild")?;
    let (w, h) = (width_px as f32, height_px as f32);
    let (width, height) = fit(w, h, f32::MAX, max_width, max_height);
    Ok(Picture { png: png.to_vec(), width_px, height_px, width, height })
}
