//! An indicator's trend figure: a line chart of its yearly values (with its target as a
//! dashed line), a description in words and the same numbers as a table. Only where at
//! least two years have values; the chart is the product's own addition and says so.

use std::fmt::Write;

use kvalitet_domain::indicator::{IndicatorResult, MeasureUnit};

use super::value_in;
use crate::model::{Cell, Figure, Table};
use crate::text::{number, share_percent};

/// How the chart and its table are labelled as computed.
pub const COMPUTED: &str = "Diagrammet är framställt av Kvalitet ur resultaten i tabellen.";

const LINE: &str = "#1f5f8b";
const TARGET: &str = "#a14800";
const GRID: &str = "#d0d7de";
const INK: &str = "#1b1b1b";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The y axis: lowest and highest value shown and the step between grid lines.
fn scale(unit: MeasureUnit, values: impl Iterator<Item = f64>) -> (f64, f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    match unit {
        MeasureUnit::MeanScale if lo >= 1.0 && hi <= 5.0 => (1.0, 5.0, 1.0),
        MeasureUnit::Percent if lo >= 0.0 && hi <= 100.0 => {
            let top = ((hi / 20.0).ceil() * 20.0).clamp(20.0, 100.0);
            (0.0, top, if top > 40.0 { 20.0 } else { 10.0 })
        }
        _ => {
            let bottom = lo.min(0.0);
            let span = (hi - bottom).max(1.0);
            // A "nice" step (1, 2 or 5 times a power of ten) giving about four intervals.
            let raw = span / 4.0;
            let pow = 10f64.powf(raw.log10().floor());
            let step = [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * pow).find(|s| *s >= raw).unwrap_or(10.0 * pow);
            let (lo, hi) = ((bottom / step).floor() * step, (hi / step).ceil() * step);
            (lo, if hi > lo { hi } else { lo + step }, step)
        }
    }
}

fn axis_label(unit: MeasureUnit, v: f64) -> String {
    match unit {
        MeasureUnit::Percent => format!("{}\u{a0}%", number(v)),
        _ => number(v),
    }
}

fn axis_title(unit: MeasureUnit) -> &'static str {
    match unit {
        MeasureUnit::Percent => "Andel (%)",
        MeasureUnit::Count => "Antal",
        MeasureUnit::MeanScale => "Medelvärde (1–5)",
        MeasureUnit::Days => "Dagar",
    }
}

/// The figure for one indicator's `results`, or `None` when fewer than two years have a
/// value. `id` makes the SVG's element ids unique in a file.
pub fn figure(
    id: &str,
    name: &str,
    unit: MeasureUnit,
    results: &[IndicatorResult],
    target: Option<f64>,
) -> Option<Figure> {
    let mut rows: Vec<&IndicatorResult> = results.iter().collect();
    rows.sort_by_key(|r| r.year);
    let points: Vec<(i64, f64)> =
        rows.iter().filter(|r| !r.no_data).filter_map(|r| Some((r.year, r.value.filter(|v| v.is_finite())?))).collect();
    let (first, last) = (points.first()?.0, points.last()?.0);
    if first == last {
        return None;
    }

    let title = format!("Utveckling över tid: {name}");
    let values = points.iter().map(|(y, v)| format!("{y}: {}", value_in(unit, *v))).collect::<Vec<_>>().join(", ");
    let mut description = format!("{name}, {first}–{last}. {values}.");
    if let Some(t) = target {
        let _ = write!(description, " Målvärde: {}.", value_in(unit, t));
    }
    let _ = write!(description, " {COMPUTED}");

    let svg = svg(id, &title, &description, unit, &points, target);

    let with_share = rows.iter().any(|r| r.share().is_some());
    let mut header = vec!["År".to_owned(), "Värde".to_owned()];
    if with_share {
        header.extend(["n".to_owned(), "95 % konfidensintervall".to_owned()]);
    }
    let table_rows = rows
        .iter()
        .map(|r| {
            let value = match r.value {
                _ if r.no_data => "Inga tillgängliga data".to_owned(),
                Some(v) => value_in(unit, v),
                None => "–".to_owned(),
            };
            let mut row = vec![Cell::text(r.year.to_string()), Cell::text(value)];
            if with_share {
                let share = r.share();
                row.push(Cell::text(share.map(|s| number(s.denominator as f64)).unwrap_or_default()));
                row.push(Cell::text(
                    share
                        .map(|s| format!("{}–{}", share_percent(s.ci_low), share_percent(s.ci_high)))
                        .unwrap_or_default(),
                ));
            }
            row
        })
        .collect();
    let table = Table {
        caption: format!("{name}: resultat per år"),
        widths: if with_share { vec![1, 2, 1, 2] } else { vec![1, 2] },
        header,
        rows: table_rows,
        row_headers: true,
    };
    Some(Figure { title, description, svg, tables: vec![table] })
}

/// The chart: 400 × 230 user units, text 13 units high, so that it stays readable when
/// a phone shows it 360 pixels wide.
fn svg(
    id: &str,
    title: &str,
    description: &str,
    unit: MeasureUnit,
    points: &[(i64, f64)],
    target: Option<f64>,
) -> String {
    let (w, h) = (400.0, 230.0);
    let (left, right, top, bottom) = (58.0, 20.0, 22.0, 56.0);
    let (plot_w, plot_h) = (w - left - right, h - top - bottom);
    let (lo, hi, step) = scale(unit, points.iter().map(|p| p.1).chain(target));
    let (first, last) = (points[0].0, points[points.len() - 1].0);
    let x = |year: i64| left + 16.0 + (year - first) as f64 / (last - first) as f64 * (plot_w - 32.0);
    let y = |v: f64| top + plot_h - (v - lo) / (hi - lo) * plot_h;

    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" font-family=\"sans-serif\" font-size=\"13\" fill=\"{INK}\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        esc(title),
        esc(description)
    );
    // Grid lines with their values.
    let mut v = lo;
    while v <= hi + step / 1000.0 {
        let gy = y(v);
        let _ = write!(
            s,
            "<line x1=\"{left}\" y1=\"{gy:.1}\" x2=\"{}\" y2=\"{gy:.1}\" stroke=\"{GRID}\" stroke-width=\"1\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            w - right,
            left - 6.0,
            gy + 4.5,
            esc(&axis_label(unit, v))
        );
        v += step;
    }
    let _ = write!(
        s,
        "<text x=\"4\" y=\"12\" font-size=\"12\">{}</text>\
         <line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1\"/>",
        axis_title(unit),
        top + plot_h,
        w - right,
        top + plot_h
    );
    // The years with a value on the x axis, as many as fit side by side.
    let mut labelled = f64::NEG_INFINITY;
    for (year, _) in points {
        if x(*year) - labelled >= 38.0 {
            labelled = x(*year);
            let _ = write!(
                s,
                "<text x=\"{labelled:.1}\" y=\"{}\" text-anchor=\"middle\">{year}</text>",
                top + plot_h + 17.0
            );
        }
    }
    if let Some(t) = target {
        let ty = y(t);
        let _ = write!(
            s,
            "<line x1=\"{left}\" y1=\"{ty:.1}\" x2=\"{}\" y2=\"{ty:.1}\" stroke=\"{TARGET}\" stroke-width=\"2\" \
             stroke-dasharray=\"7 4\"/>",
            w - right
        );
    }
    let path = points.iter().map(|(yr, v)| format!("{:.1},{:.1}", x(*yr), y(*v))).collect::<Vec<_>>().join(" ");
    let _ = write!(s, "<polyline points=\"{path}\" fill=\"none\" stroke=\"{LINE}\" stroke-width=\"2.5\"/>");
    for (yr, v) in points {
        let (px, py) = (x(*yr), y(*v));
        // The value above its point, or below it when the point is near the top.
        let label_y = if py - top < 16.0 { py + 19.0 } else { py - 9.0 };
        let _ = write!(
            s,
            "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"4\" fill=\"{LINE}\"/>\
             <text x=\"{px:.1}\" y=\"{label_y:.1}\" text-anchor=\"middle\" font-weight=\"bold\">{}</text>",
            esc(&value_in(unit, *v))
        );
    }
    // Legend under the axis: the line, and the target's dashes.
    let ly = h - 12.0;
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{LINE}\" stroke-width=\"2.5\"/>\
         <text x=\"{}\" y=\"{ly}\">Resultat</text>",
        ly - 4.5,
        left + 24.0,
        ly - 4.5,
        left + 30.0
    );
    if let Some(t) = target {
        let lx = left + 120.0;
        let _ = write!(
            s,
            "<line x1=\"{lx}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{TARGET}\" stroke-width=\"2\" stroke-dasharray=\"7 4\"/>\
             <text x=\"{}\" y=\"{ly}\">Målvärde {}</text>",
            ly - 4.5,
            lx + 24.0,
            ly - 4.5,
            lx + 30.0,
            esc(&value_in(unit, t))
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use kvalitet_domain::Id;

    fn result(year: i64, value: Option<f64>, n: Option<(i64, i64)>) -> IndicatorResult {
        IndicatorResult {
            indicator_id: Id::new(1),
            year,
            value,
            numerator: n.map(|n| n.0),
            denominator: n.map(|n| n.1),
            answers: None,
            response_rate: None,
            national_value: None,
            comment: String::new(),
            no_data: value.is_none(),
        }
    }

    #[test]
    fn one_year_with_a_value_gives_no_figure() {
        let results = [result(2022, Some(71.0), None), result(2023, None, None)];
        assert!(figure("t", "Andel nöjda", MeasureUnit::Percent, &results, Some(80.0)).is_none());
        assert!(figure("t", "Andel nöjda", MeasureUnit::Percent, &[], None).is_none());
    }

    #[test]
    fn two_years_give_a_chart_a_description_and_a_table_marked_as_computed() {
        let results = [
            result(2023, Some(75.0), Some((30, 40))),
            result(2021, Some(62.5), Some((25, 40))),
            result(2022, None, None),
        ];
        let f = figure("trend-1", "Andel nöjda <brukare>", MeasureUnit::Percent, &results, Some(80.0)).unwrap();
        assert_eq!(f.title, "Utveckling över tid: Andel nöjda <brukare>");
        assert_eq!(
            f.description,
            format!(
                "Andel nöjda <brukare>, 2021–2023. 2021: 62,5\u{a0}%, 2023: 75\u{a0}%. Målvärde: 80\u{a0}%. {COMPUTED}"
            )
        );
        // The SVG: self-contained, labelled, the user's text escaped, the target dashed.
        let svg = &f.svg;
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.ends_with("</svg>"));
        assert!(
            svg.contains("role=\"img\"")
                && svg.contains("<title id=\"trend-1-title\">Utveckling över tid: Andel nöjda &lt;brukare&gt;</title>")
        );
        assert!(svg.contains("<desc id=\"trend-1-desc\">") && svg.contains(COMPUTED));
        assert!(!svg.contains("class="), "colours inline");
        assert_eq!(svg.matches("<circle").count(), 2, "one point per year with a value");
        assert!(svg.contains("stroke-dasharray") && svg.contains("Målvärde 80\u{a0}%"));
        assert!(svg.contains(">2021</text>") && svg.contains(">2023</text>") && !svg.contains(">2022</text>"));
        // Every year in the table, oldest first, with n and interval where known.
        let t = &f.tables[0];
        assert_eq!(t.header, ["År", "Värde", "n", "95 % konfidensintervall"]);
        assert!(t.row_headers);
        let rows: Vec<Vec<String>> = t.rows.iter().map(|r| r.iter().map(Cell::plain).collect()).collect();
        // Wilson interval of 25 of 40: 47,0 %–75,8 %.
        assert_eq!(rows[0], ["2021", "62,5\u{a0}%", "40", "47\u{a0}%–76\u{a0}%"]);
        assert_eq!(rows[1], ["2022", "Inga tillgängliga data", "", ""]);
        assert_eq!(rows[2][..3], ["2023", "75\u{a0}%", "40"]);
    }

    #[test]
    fn the_scale_holds_every_value_and_the_target() {
        assert_eq!(scale(MeasureUnit::Percent, [36.0, 81.0].into_iter()), (0.0, 100.0, 20.0));
        assert_eq!(scale(MeasureUnit::MeanScale, [3.2, 4.1].into_iter()), (1.0, 5.0, 1.0));
        let (lo, hi, step) = scale(MeasureUnit::Days, [12.0, 47.0, 30.0].into_iter());
        assert!(lo == 0.0 && hi >= 47.0 && step > 0.0 && ((hi - lo) / step) <= 6.0, "{lo} {hi} {step}");
        let (lo, hi, _) = scale(MeasureUnit::Count, [-3.0, 5.0].into_iter());
        assert!(lo <= -3.0 && hi >= 5.0);
    }
}
