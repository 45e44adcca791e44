//! The risk heat map figure: an SVG matrix of how many risks lie in each
//! likelihood × consequence cell, bars of risks per risk level (the seeds record only
//! levels), a text alternative, and the same numbers as two tables.

use std::fmt::Write;

use kvalitet_domain::Versioned;
use kvalitet_domain::risk::{Risk, RiskLevel, RiskMatrix};

use crate::model::{Cell, Figure, Table};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The figure for `risks` on `matrix`; `id` makes the SVG's element ids unique in a file.
pub fn figure(id: &str, risks: &[&Versioned<Risk>], matrix: &RiskMatrix) -> Figure {
    let (ls, cs) = (matrix.likelihood_steps, matrix.consequence_steps);
    let mut cells = vec![vec![0usize; usize::from(cs)]; usize::from(ls)];
    let mut placed = 0;
    for r in risks {
        if let (Some(l), Some(c)) = (r.likelihood, r.consequence)
            && (1..=i64::from(ls)).contains(&l)
            && (1..=i64::from(cs)).contains(&c)
        {
            cells[(l - 1) as usize][(c - 1) as usize] += 1;
            placed += 1;
        }
    }
    let levels: Vec<(u8, usize)> = matrix
        .possible_levels()
        .into_iter()
        .map(|lv| (lv, risks.iter().filter(|r| r.level().get() == lv).count()))
        .collect();
    let total = risks.len();
    let colour = |level: u8| matrix.zone(RiskLevel::from_stored(level.into())).colour.clone();
    let zone_label = |level: u8| matrix.zone(RiskLevel::from_stored(level.into())).label.clone();

    let per_level = levels
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(lv, n)| format!("risknivå {lv} ({}): {n}", zone_label(*lv).to_lowercase()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut description = format!("{total} risker. Antal risker per risknivå: {per_level}.");
    if placed == total {
        description.push_str(" Alla risker är bedömda med sannolikhet och konsekvens och visas i rutnätet.");
    } else {
        let _ = write!(
            description,
            " {placed} av {total} risker är bedömda med sannolikhet och konsekvens var för sig och visas i rutnätet; \
             de övriga har bara en risknivå och visas i staplarna per risknivå."
        );
    }
    for (l, row) in cells.iter().enumerate() {
        for (c, n) in row.iter().enumerate() {
            if *n > 0 {
                let _ = write!(description, " Sannolikhet {} och konsekvens {}: {n}.", l + 1, c + 1);
            }
        }
    }
    let title = "Riskkarta: planens risker efter sannolikhet, konsekvens och risknivå".to_owned();

    // SVG: matrix on the left, bars per level on the right. Colours inline, so the same
    // file works in HTML and in the PDF.
    let size = 56.0;
    let (left, top) = (70.0, 16.0);
    let grid_w = size * f64::from(cs);
    let grid_h = size * f64::from(ls);
    let bars_x = left + grid_w + 90.0;
    let bar_h = 16.0;
    let bar_gap = 6.0;
    let max_count = levels.iter().map(|l| l.1).max().unwrap_or(0).max(1) as f64;
    let bar_w = 180.0;
    let bars_h = levels.len() as f64 * (bar_h + bar_gap);
    let w = bars_x + 50.0 + bar_w + 30.0;
    let h = top + grid_h.max(bars_h) + 56.0;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        esc(&title),
        esc(&description)
    );
    for l in 1..=ls {
        for c in 1..=cs {
            let x = left + size * f64::from(c - 1);
            let y = top + size * f64::from(ls - l);
            let n = cells[usize::from(l - 1)][usize::from(c - 1)];
            let _ = write!(
                svg,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{size}\" height=\"{size}\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"2\"/>\
                 <text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"#333333\" text-anchor=\"end\">{}</text>",
                esc(&colour(l * c)),
                x + size - 4.0,
                y + 12.0,
                l * c
            );
            if n > 0 {
                let _ = write!(
                    svg,
                    "<text x=\"{}\" y=\"{}\" font-size=\"20\" font-weight=\"bold\" fill=\"#000000\" text-anchor=\"middle\">{n}</text>",
                    x + size / 2.0,
                    y + size / 2.0 + 8.0
                );
            }
        }
    }
    for l in 1..=ls {
        let y = top + size * f64::from(ls - l) + size / 2.0 + 4.0;
        let _ = write!(svg, "<text x=\"{}\" y=\"{y}\" font-size=\"12\" text-anchor=\"end\">{l}</text>", left - 8.0);
    }
    for c in 1..=cs {
        let x = left + size * f64::from(c - 1) + size / 2.0;
        let _ = write!(
            svg,
            "<text x=\"{x}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">{c}</text>",
            top + grid_h + 18.0
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\">Konsekvens</text>\
         <text x=\"14\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {})\">Sannolikhet</text>",
        left + grid_w / 2.0,
        top + grid_h + 38.0,
        top + grid_h / 2.0,
        top + grid_h / 2.0
    );
    let _ = write!(
        svg,
        "<text x=\"{bars_x}\" y=\"{}\" font-size=\"12\">Antal risker per risknivå</text>",
        top + bars_h + 24.0
    );
    for (i, (lv, n)) in levels.iter().enumerate() {
        let y = top + i as f64 * (bar_h + bar_gap);
        let len = *n as f64 / max_count * bar_w;
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"12\" text-anchor=\"end\">{lv}</text>",
            bars_x + 20.0,
            y + 12.0
        );
        // No bar for a level without risks: a rect of zero width is invalid SVG (usvg
        // warns and skips it).
        if *n > 0 {
            let _ = write!(
                svg,
                "<rect x=\"{}\" y=\"{y}\" width=\"{len:.1}\" height=\"{bar_h}\" fill=\"{}\" stroke=\"#555555\" stroke-width=\"0.5\"/>",
                bars_x + 28.0,
                esc(&colour(*lv))
            );
        }
        let _ = write!(svg, "<text x=\"{:.1}\" y=\"{}\" font-size=\"12\">{n}</text>", bars_x + 32.0 + len, y + 12.0);
    }
    svg.push_str("</svg>");

    let matrix_table = Table {
        caption: "Antal risker per sannolikhet och konsekvens".into(),
        header: std::iter::once("Sannolikhet".to_owned()).chain((1..=cs).map(|c| format!("Konsekvens {c}"))).collect(),
        rows: (1..=ls)
            .rev()
            .map(|l| {
                std::iter::once(Cell::text(l.to_string()))
                    .chain((1..=cs).map(|c| Cell {
                        paras: Cell::text(cells[usize::from(l - 1)][usize::from(c - 1)].to_string()).paras,
                        shading: Some(colour(l * c)),
                    }))
                    .collect()
            })
            .collect(),
        row_headers: true,
        widths: std::iter::once(2).chain((1..=cs).map(|_| 2)).collect(),
    };
    let level_table = Table {
        caption: "Antal risker per risknivå".into(),
        header: vec!["Risknivå".into(), "Bedömning".into(), "Antal risker".into()],
        rows: levels
            .iter()
            .map(|(lv, n)| {
                vec![
                    Cell { paras: Cell::text(lv.to_string()).paras, shading: Some(colour(*lv)) },
                    Cell::text(zone_label(*lv)),
                    Cell::text(n.to_string()),
                ]
            })
            .collect(),
        row_headers: true,
        widths: vec![1, 2, 1],
    };
    Figure { title, description, svg, tables: vec![matrix_table, level_table] }
}
