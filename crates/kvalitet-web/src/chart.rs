//! Accessible SVG charts written by hand: an indicator's yearly trend and the risk heat
//! map. Each chart has a title and description for screen readers, and the page shows
//! the same numbers in a table beside it.

use std::fmt::Write;

use crate::format::{number, plural};

/// Escapes text for SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A line chart of yearly values with an optional target line; `None` with fewer than
/// two points.
pub fn trend(title: &str, points: &[(i64, f64)], target: Option<f64>, unit_suffix: &str) -> Option<String> {
    if points.len() < 2 {
        return None;
    }
    let (w, h, left, right, top, bottom) = (560.0, 240.0, 56.0, 16.0, 16.0, 36.0);
    let max = points.iter().map(|p| p.1).chain(target).fold(0.0_f64, f64::max).max(1.0) * 1.1;
    let first = points[0].0;
    let span = (points[points.len() - 1].0 - first).max(1) as f64;
    let x = |year: i64| left + (year - first) as f64 / span * (w - left - right);
    let y = |v: f64| top + (1.0 - v / max) * (h - top - bottom);
    let desc = points.iter().map(|(yr, v)| format!("{yr}: {}{unit_suffix}", number(*v))).collect::<Vec<_>>().join(", ");
    let mut svg = format!(
        "<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"chart-title chart-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"chart-title\">{}</title><desc id=\"chart-desc\">{}</desc>",
        esc(title),
        esc(&desc)
    );
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"grid\"/><text x=\"{}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"end\">{}</text>",
            w - right,
            left - 6.0,
            y(v) + 4.0,
            number(v.round()),
            y = y(v)
        );
    }
    if let Some(t) = target {
        let _ = write!(
            svg,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" class=\"target\"/><text x=\"{}\" y=\"{:.1}\" class=\"axis\" text-anchor=\"end\">Mål</text>",
            w - right,
            w - right,
            y(t) - 4.0,
            y = y(t)
        );
    }
    let path: Vec<String> = points.iter().map(|(yr, v)| format!("{:.1},{:.1}", x(*yr), y(*v))).collect();
    let _ = write!(svg, "<polyline points=\"{}\" class=\"line\"/>", path.join(" "));
    for (yr, v) in points {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" class=\"dot\"/><text x=\"{:.1}\" y=\"{}\" class=\"axis\" text-anchor=\"middle\">{yr}</text>",
            x(*yr),
            y(*v),
            x(*yr),
            h - 12.0
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// One cell of the heat map: how many risks have this likelihood and consequence.
pub struct Cell {
    pub likelihood: u8,
    pub consequence: u8,
    pub count: usize,
    pub zone: String,
}

/// The risk matrix as an SVG grid: likelihood up the side, consequence along the
/// bottom, each cell coloured by its zone (through the theme's CSS classes) and labelled
/// with its count.
pub fn heat_map(title: &str, likelihood_steps: u8, consequence_steps: u8, cells: &[Cell]) -> String {
    let size = 72.0;
    let (left, bottom, top) = (92.0, 56.0, 8.0);
    let w = left + size * f64::from(consequence_steps) + 8.0;
    let h = top + size * f64::from(likelihood_steps) + bottom;
    let total: usize = cells.iter().map(|c| c.count).sum();
    let desc = cells
        .iter()
        .filter(|c| c.count > 0)
        .map(|c| {
            format!(
                "sannolikhet {} och konsekvens {}: {}",
                c.likelihood,
                c.consequence,
                plural(c.count, "risk", "risker")
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut svg = format!(
        "<svg class=\"heatmap\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-labelledby=\"map-title map-desc\" xmlns=\"http://www.w3.org/2000/svg\">\
         <title id=\"map-title\">{}</title><desc id=\"map-desc\">{} med bedömd sannolikhet och konsekvens. {}</desc>",
        esc(title),
        plural(total, "risk", "risker"),
        esc(&desc)
    );
    for c in cells {
        let x = left + size * f64::from(c.consequence - 1);
        let y = top + size * f64::from(likelihood_steps - c.likelihood);
        let zone: String = c.zone.chars().filter(|ch| ch.is_ascii_alphanumeric() || *ch == '_').collect();
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{size}\" height=\"{size}\" class=\"cell zone-{zone}\"/>\
             <text x=\"{}\" y=\"{}\" class=\"count\" text-anchor=\"middle\">{}</text>\
             <text x=\"{}\" y=\"{}\" class=\"level\" text-anchor=\"end\">{}</text>",
            x + size / 2.0,
            y + size / 2.0 + 8.0,
            if c.count == 0 { String::new() } else { c.count.to_string() },
            x + size - 5.0,
            y + 14.0,
            u16::from(c.likelihood) * u16::from(c.consequence)
        );
    }
    for l in 1..=likelihood_steps {
        let y = top + size * f64::from(likelihood_steps - l) + size / 2.0 + 4.0;
        let _ = write!(svg, "<text x=\"{}\" y=\"{y}\" class=\"axis\" text-anchor=\"end\">{l}</text>", left - 10.0);
    }
    for c in 1..=consequence_steps {
        let x = left + size * f64::from(c - 1) + size / 2.0;
        let _ =
            write!(svg, "<text x=\"{x}\" y=\"{}\" class=\"axis\" text-anchor=\"middle\">{c}</text>", h - bottom + 20.0);
    }
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" class=\"axis-title\" text-anchor=\"middle\">Konsekvens</text>\
         <text x=\"16\" y=\"{}\" class=\"axis-title\" text-anchor=\"middle\" transform=\"rotate(-90 16 {})\">Sannolikhet</text></svg>",
        left + size * f64::from(consequence_steps) / 2.0,
        h - 10.0,
        top + size * f64::from(likelihood_steps) / 2.0,
        top + size * f64::from(likelihood_steps) / 2.0
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trend_has_a_text_alternative_and_one_dot_per_year() {
        let svg =
            trend("Andel <inom> 60 dagar", &[(2021, 40.0), (2022, 45.0), (2023, 52.5)], Some(50.0), " %").unwrap();
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("<title id=\"chart-title\">Andel &lt;inom&gt; 60 dagar</title>"));
        assert!(svg.contains("2023: 52,5 %"));
        assert_eq!(svg.matches("<circle").count(), 3);
        assert!(svg.contains("class=\"target\""));
        assert!(trend("x", &[(2022, 1.0)], None, "").is_none());
    }
}
