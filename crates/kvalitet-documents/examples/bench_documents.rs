//! Times every document in every format on the demo data and on a scope ten times its
//! size (every plan and report item replicated ×10), reporting the median of N runs and
//! the process's peak resident memory, and each PDF's number of pages; with `--write DIR`
//! it also writes the files.
//!
//! `cargo run --release -p kvalitet-documents --example bench_documents -- [--runs N] [--write DIR]
//! [--kind plan|follow-up|report] [--format docx|html|pdf] [--trace FILE]`
//!
//! `--trace FILE` records typst's own timing scopes (compile passes, page runs, layout of
//! each element, PDF export) of the last run of each PDF as a Chrome trace (one file per
//! document and scale, `FILE` with `-plan-x10.json` etc. appended);
//! `bench/documents/trace_summary.py` sums it up.

use std::time::{Duration, Instant};

use kvalitet_documents::{Content, DocumentInput, DocumentKind, Format, load_input, render};
use kvalitet_domain::bundle::{PlanBundle, ReportBundle};
use kvalitet_domain::{Id, Versioned};
use kvalitet_store::testing::TestDb;

fn shift<T>(id: Id<T>, k: i64) -> Id<T> {
    Id::new(id.get() + k * 1_000_000)
}

fn copies<T: Clone>(items: &[Versioned<T>], times: i64, edit: impl Fn(&mut Versioned<T>, i64)) -> Vec<Versioned<T>> {
    (0..times)
        .flat_map(|k| {
            items
                .iter()
                .map(move |v| {
                    let mut v = v.clone();
                    v.id = shift(v.id, k);
                    v
                })
                .map(move |v| (v, k))
        })
        .map(|(mut v, k)| {
            edit(&mut v, k);
            v
        })
        .collect()
}

/// The plan with every risk, self-inspection, action, run, follow-up and indicator ×`n`.
fn plan_times(p: &PlanBundle, n: i64) -> PlanBundle {
    let mut b = p.clone();
    let tag = |s: &mut String, k: i64| {
        if k > 0 {
            s.push_str(&format!(" (kopia {k})"));
        }
    };
    b.risks = copies(&p.risks, n, |v, k| tag(&mut v.item.title, k));
    b.self_inspections = copies(&p.self_inspections, n, |v, k| tag(&mut v.item.title, k));
    b.actions = copies(&p.actions, n, |v, k| tag(&mut v.item.title, k));
    b.indicators = copies(&p.indicators, n, |v, k| tag(&mut v.item.name, k));
    b.runs = copies(&p.runs, n, |v, k| v.item.self_inspection_id = shift(v.item.self_inspection_id, k));
    b.action_follow_ups = copies(&p.action_follow_ups, n, |v, k| v.item.action_id = shift(v.item.action_id, k));
    b.indicator_results = copies(&p.indicator_results, n, |v, k| v.item.indicator_id = shift(v.item.indicator_id, k));
    let l = &p.links;
    b.links.action_risk = pairs(&l.action_risk, n);
    b.links.action_self_inspection = pairs(&l.action_self_inspection, n);
    b.links.self_inspection_risk = pairs(&l.self_inspection_risk, n);
    b.links.indicator_risk = pairs(&l.indicator_risk, n);
    b
}

fn pairs<A, B>(v: &[(Id<A>, Id<B>)], n: i64) -> Vec<(Id<A>, Id<B>)> {
    (0..n).flat_map(|k| v.iter().map(move |(a, b)| (shift(*a, k), shift(*b, k)))).collect()
}

fn report_times(r: &ReportBundle, n: i64) -> ReportBundle {
    let mut b = r.clone();
    b.statistics = copies(&r.statistics, n, |_, _| {});
    b.surveys = copies(&r.surveys, n, |_, _| {});
    b.follow_ups = copies(&r.follow_ups, n, |_, _| {});
    b.findings = copies(&r.findings, n, |v, k| {
        v.item.survey_id = v.item.survey_id.map(|s| shift(s, k));
        v.item.follow_up_id = v.item.follow_up_id.map(|s| shift(s, k));
    });
    b.deviations = copies(&r.deviations, n, |_, _| {});
    b.reviews = copies(&r.reviews, n, |_, _| {});
    b.assessments = copies(&r.assessments, n, |_, _| {});
    b.improvement_areas = copies(&r.improvement_areas, n, |_, _| {});
    b.sections = copies(&r.sections, n, |_, _| {});
    b
}

fn times(input: &DocumentInput, n: i64) -> DocumentInput {
    let mut out = input.clone();
    out.content = match &input.content {
        Content::Plans(p) => Content::Plans(p.iter().map(|b| plan_times(b, n)).collect()),
        Content::Reports(r) => Content::Reports(r.iter().map(|b| report_times(b, n)).collect()),
    };
    out
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let runs: usize = arg("--runs").map_or(Ok(11), |r| r.parse())?;
    let write_dir = arg("--write");
    // `--kind plan --format pdf`: only those (e.g. under a profiler).
    let only_kind = arg("--kind").map(|k| DocumentKind::from_code(&k).ok_or_else(|| anyhow::anyhow!("--kind {k}")));
    let only_kind = only_kind.transpose()?;
    let only_format =
        arg("--format").map(|f| Format::from_extension(&f).ok_or_else(|| anyhow::anyhow!("--format {f}")));
    let only_format = only_format.transpose()?;
    let trace = arg("--trace");

    let db = TestDb::sqlite().await;
    kvalitet_demo::load(&db.store).await?;
    let cases = [(DocumentKind::Plan, 2024), (DocumentKind::FollowUp, 2022), (DocumentKind::Report, 2022)];
    println!(
        "{:<12} {:<6} {:>6} {:>12} {:>12} {:>10} {:>6}",
        "document", "format", "scale", "median ms", "min ms", "size KiB", "pages"
    );
    for (kind, year) in cases.into_iter().filter(|(k, _)| only_kind.is_none_or(|o| o == *k)) {
        let base = load_input(&db.store, kind, year, None).await?;
        for (scale, input) in [(1, base.clone()), (10, times(&base, 10))] {
            for format in Format::ALL.into_iter().filter(|f| only_format.is_none_or(|o| o == *f)) {
                let mut samples: Vec<Duration> = Vec::with_capacity(runs);
                let mut bytes = Vec::new();
                // One warm-up run (fonts and library are built once per process).
                render(kind, format, &input)?;
                for run in 0..runs {
                    let traced = trace.is_some() && format == Format::Pdf && run + 1 == runs;
                    if traced {
                        typst_timing::clear();
                        typst_timing::enable();
                    }
                    let t = Instant::now();
                    bytes = render(kind, format, &input)?;
                    samples.push(t.elapsed());
                    if let (true, Some(file)) = (traced, &trace) {
                        typst_timing::disable();
                        let out = std::fs::File::create(format!("{file}-{}-x{scale}.json", kind.code()))?;
                        typst_timing::export_json(std::io::BufWriter::new(out), |_| (String::new(), 0))
                            .map_err(anyhow::Error::msg)?;
                    }
                }
                samples.sort();
                let ms = |d: Duration| d.as_secs_f64() * 1000.0;
                let pages = match format {
                    Format::Pdf => lopdf::Document::load_mem(&bytes)?.get_pages().len().to_string(),
                    _ => String::new(),
                };
                println!(
                    "{:<12} {:<6} {:>5}x {:>12.1} {:>12.1} {:>10} {:>6}",
                    kind.code(),
                    format.extension(),
                    scale,
                    ms(samples[samples.len() / 2]),
                    ms(samples[0]),
                    bytes.len() / 1024,
                    pages
                );
                if let Some(dir) = &write_dir {
                    std::fs::create_dir_all(dir)?;
                    let name = format!("{dir}/{}-x{scale}.{}", kind.file_stem(year), format.extension());
                    std::fs::write(name, &bytes)?;
                }
            }
        }
    }
    if let Some(kib) = peak_rss_kib() {
        println!("peak RSS: {} MiB", kib / 1024);
    }
    Ok(())
}
