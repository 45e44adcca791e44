//! Checking an uploaded logo before it is stored, so that every document can show it and
//! no file can carry anything but a picture: a PNG by its signature, its header and a
//! full decode (at most 1 MB and 4 000 pixels a side); an SVG read as XML and refused if
//! it holds scripts, event handlers, animation, foreign content or references to
//! anything outside itself, then read by usvg (what the PDF writer reads it with) for
//! its size.

use kvalitet_store::document_settings::{LogoFormat, MAX_LOGO_BYTES};

use crate::format::number;

/// The largest width or height of a PNG logo, in pixels.
pub const MAX_SIDE: u32 = 4000;

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Elements a logo may not have: scripts, content of another kind, and animation (which
/// can change a reference after the checks).
const REFUSED: &[&str] = &[
    "script",
    "foreignObject",
    "iframe",
    "embed",
    "object",
    "audio",
    "video",
    "canvas",
    "handler",
    "listener",
    "animate",
    "animateMotion",
    "animateTransform",
    "animateColor",
    "set",
    "discard",
];

/// Checks `bytes`: the logo's format, or the Swedish message for the logo's field.
pub fn check(bytes: &[u8]) -> Result<LogoFormat, String> {
    if bytes.is_empty() {
        return Err("Logotyp: filen är tom. Välj en PNG- eller SVG-fil.".into());
    }
    if bytes.len() > MAX_LOGO_BYTES {
        return Err("Logotyp: filen är större än 1 MB. Spara en mindre bild och försök igen.".into());
    }
    if bytes.starts_with(PNG_SIGNATURE) {
        return check_png(bytes);
    }
    let text = bytes.strip_prefix("\u{feff}".as_bytes()).unwrap_or(bytes);
    if text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<') {
        return check_svg(bytes);
    }
    Err("Logotyp: filen är varken en PNG- eller en SVG-bild. Välj en logotyp i något av de formaten.".into())
}

fn check_png(bytes: &[u8]) -> Result<LogoFormat, String> {
    let broken = || "Logotyp: PNG-filen är skadad eller ofullständig och kan inte läsas.".to_owned();
    let decoder = png::Decoder::new_with_limits(std::io::Cursor::new(bytes), png::Limits { bytes: 128 << 20 });
    let mut reader = decoder.read_info().map_err(|_| broken())?;
    let (width, height) = reader.info().size();
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        let (w, h, max) = (number(f64::from(width)), number(f64::from(height)), number(f64::from(MAX_SIDE)));
        return Err(format!(
            "Logotyp: bilden är {w} × {h} bildpunkter; den får vara högst {max} bildpunkter åt varje håll."
        ));
    }
    // Decoded whole, so that a file cut off or damaged inside is found now, not when a
    // document is made.
    let mut frame = vec![0; reader.output_buffer_size().ok_or_else(broken)?];
    reader.next_frame(&mut frame).map_err(|_| broken())?;
    Ok(LogoFormat::Png)
}

fn refuse(what: &str) -> String {
    format!(
        "Logotyp: SVG-filen {what}, vilket inte är tillåtet i en logotyp. Spara bilden som vanlig SVG utan sådant innehåll."
    )
}

/// Whether a reference stays inside the file: a fragment (`#id`) or an embedded PNG or
/// JPEG picture.
fn is_internal(reference: &str) -> bool {
    let r = reference.trim();
    r.starts_with('#') || r.starts_with("data:image/png;base64,") || r.starts_with("data:image/jpeg;base64,")
}

/// The references of a style text (`url(…)`, `@import`) that leave the file.
fn style_leaves_file(style: &str) -> bool {
    let lower = style.to_ascii_lowercase();
    if lower.contains("@import") {
        return true;
    }
    lower.match_indices("url(").any(|(at, _)| {
        let inner = style[at + 4..].trim_start().trim_start_matches(['"', '\'']);
        !is_internal(inner)
    })
}

fn check_svg(bytes: &[u8]) -> Result<LogoFormat, String> {
    let unreadable = || "Logotyp: SVG-filen är inte korrekt XML och kan inte läsas.".to_owned();
    let text = std::str::from_utf8(bytes).map_err(|_| unreadable())?;
    let options = roxmltree::ParsingOptions { allow_dtd: true, nodes_limit: 200_000, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|_| unreadable())?;
    let root = doc.root_element();
    if root.tag_name().name() != "svg" || root.tag_name().namespace() != Some(SVG_NS) {
        return Err("Logotyp: filen är inte en SVG-bild (den yttersta taggen är inte <svg>).".into());
    }
    for node in doc.descendants() {
        if node.is_pi() {
            return Err(refuse("innehåller en bearbetningsinstruktion (<?…?>)"));
        }
        if !node.is_element() {
            continue;
        }
        let name = node.tag_name().name();
        let in_metadata = node.ancestors().any(|a| a.is_element() && a.tag_name().name() == "metadata");
        if node.tag_name().namespace() != Some(SVG_NS) && !in_metadata {
            return Err(refuse(&format!("innehåller främmande innehåll (<{name}>)")));
        }
        if name == "script" {
            return Err(refuse("innehåller skript (<script>)"));
        }
        if REFUSED.contains(&name) {
            return Err(refuse(&format!("innehåller <{name}>")));
        }
        if name == "style" && node.text().is_some_and(style_leaves_file) {
            return Err(refuse("hänvisar till något utanför filen i sin stil (url(…) eller @import)"));
        }
        for attr in node.attributes() {
            let attr_name = attr.name();
            if attr_name.to_ascii_lowercase().starts_with("on") {
                return Err(refuse(&format!("innehåller en händelsehanterare ({attr_name})")));
            }
            if attr_name == "href" && !is_internal(attr.value()) {
                return Err(refuse(&format!("hänvisar till något utanför filen ({})", short(attr.value()))));
            }
            if attr.value().to_ascii_lowercase().contains("url(") && style_leaves_file(attr.value()) {
                return Err(refuse(&format!("hänvisar till något utanför filen ({})", short(attr.value()))));
            }
        }
    }
    // What the PDF writer reads it with must read it, with a size.
    let tree = usvg::Tree::from_data(bytes, &usvg::Options::default()).map_err(|_| unreadable())?;
    let size = tree.size();
    if !(size.width() > 0.0 && size.height() > 0.0) {
        return Err("Logotyp: SVG-filen saknar storlek (width och height eller viewBox).".into());
    }
    Ok(LogoFormat::Svg)
}

/// A reference as shown in a message: at most 60 characters.
fn short(reference: &str) -> String {
    let r = reference.trim();
    if r.chars().count() > 60 { format!("{}…", r.chars().take(60).collect::<String>()) } else { r.to_owned() }
}
