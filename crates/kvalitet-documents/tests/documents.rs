//! The board documents generated from the demo data, checked from the generated files'
//! own text: DOCX (word/document.xml), HTML (tags stripped) and PDF (text extracted).
//! Every risk, level, self-inspection and indicator of a plan is there under its
//! process-area heading; the follow-up has every recorded text; the report has the
//! seed's table figures; user text with markup characters comes out as written.

use std::io::Read;

use kvalitet_documents::{Content, DocumentInput, DocumentKind, Format, load_input, render};
use kvalitet_domain::Versioned;
use kvalitet_domain::bundle::PlanBundle;
use kvalitet_domain::org::OrgUnit;
use kvalitet_domain::plan::SectionKind;
use kvalitet_store::testing::TestDb;
use kvalitet_store::{Store, Where, repo};

/// The formats checked.
const FORMATS: [Format; 3] = [Format::Docx, Format::Html, Format::Pdf];

async fn demo() -> TestDb {
    let db = TestDb::sqlite().await;
    kvalitet_demo::load(&db.store).await.expect("load the demo data");
    db
}

async fn unit(store: &Store, name: &str) -> Versioned<OrgUnit> {
    let mut conn = store.read().await.unwrap();
    let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
    units.into_iter().find(|u| u.name == name).unwrap_or_else(|| panic!("no unit {name}"))
}

/// Whitespace (including no-break spaces) squeezed to single spaces.
fn norm(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c == '\u{a0}').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// Tags replaced by spaces, entities decoded.
fn strip_tags(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len());
    let mut in_tag = false;
    for c in xml.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape_xml(&out)
}

/// The text a reader sees in a generated file.
fn text_of(format: Format, bytes: &[u8]) -> String {
    match format {
        Format::Docx => {
            let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("DOCX is a zip");
            let mut xml = String::new();
            zip.by_name("word/document.xml").expect("word/document.xml").read_to_string(&mut xml).unwrap();
            // Footnotes are read after the body, as a reader meets them at the page's foot.
            if let Ok(mut notes) = zip.by_name("word/footnotes.xml") {
                notes.read_to_string(&mut xml).unwrap();
            }
            norm(&strip_tags(&xml))
        }
        Format::Html => {
            let html = std::str::from_utf8(bytes).expect("UTF-8");
            let body = &html[html.find("<body>").expect("a body")..];
            norm(&strip_tags(body))
        }
        Format::Pdf => {
            let text = pdf_extract::extract_text_from_mem(bytes).expect("PDF text");
            // The PDF is set without hyphenation, so a line that ends in a hyphen ends in
            // a real one ("HSL-avvikelser"): join it to the next line without a space.
            // In a narrow column a word may also be hyphenated in Swedish, and a line may
            // end after a hyphen followed by a space ("hälso- och"): the PDF's text is
            // compared without the space after a hyphen (see `pos`).
            norm(&text.replace("-\n", "-")).replace("- ", "-")
        }
    }
}

struct Generated {
    format: Format,
    text: String,
}

fn generate(kind: DocumentKind, input: &DocumentInput) -> Vec<Generated> {
    FORMATS
        .iter()
        .map(|&format| {
            let bytes = render(kind, format, input).unwrap_or_else(|e| panic!("{kind:?} as {format:?}: {e}"));
            assert!(bytes.len() > 1000, "{kind:?} as {format:?} is {} bytes", bytes.len());
            Generated { format, text: text_of(format, &bytes) }
        })
        .collect()
}

fn pos(g: &Generated, needle: &str, from: usize) -> usize {
    let needle = if g.format == Format::Pdf { norm(needle).replace("- ", "-") } else { norm(needle) };
    let found = g.text[from..].find(&needle).map(|p| from + p);
    let found =
        found.or_else(|| (g.format == Format::Pdf).then(|| across_page_break(&g.text, &needle, from)).flatten());
    found.unwrap_or_else(|| panic!("{:?}: {needle:?} not found after byte {from}", g.format))
}

/// Where `needle` stands in a PDF's text with one page break inside it: the page number,
/// the running header and a repeated table header (at most 20 words) between two of its
/// words. Returns the byte position of its first word.
fn across_page_break(text: &str, needle: &str, from: usize) -> Option<usize> {
    // The page's footnotes, its footer and header and a repeated table header.
    const FURNITURE: usize = 80;
    let words: Vec<&str> = needle.split(' ').collect();
    let hay: Vec<(usize, &str)> = text[from..]
        .split(' ')
        .scan(from, |at, w| {
            let start = *at;
            *at += w.len() + 1;
            Some((start, w))
        })
        .collect();
    (0..hay.len()).filter(|&i| hay[i].1 == words[0]).find_map(|start| {
        let (mut h, mut gap_used) = (start + 1, false);
        for w in &words[1..] {
            if hay.get(h).is_some_and(|(_, x)| x == w) {
                h += 1;
            } else if !gap_used {
                gap_used = true;
                h = (h + 1..(h + 1 + FURNITURE).min(hay.len())).find(|&k| hay[k].1 == *w)? + 1;
            } else {
                return None;
            }
        }
        Some(hay[start].0)
    })
}

fn plans(input: &DocumentInput) -> &[PlanBundle] {
    match &input.content {
        Content::Plans(p) => p,
        Content::Reports(_) => panic!("expected plans"),
    }
}

/// Every risk (with its level and zone), self-inspection and indicator of `plan` is in
/// `g`, after `from`: risks after the risk chapter's heading ("Risker" or "Risker och
/// egenkontroller"), each self-inspection after its process-area heading, each
/// indicator after its area's heading, areas in order. Returns where the plan's items end.
fn check_plan(g: &Generated, plan: &PlanBundle, from: usize) -> usize {
    let start = pos(g, "Risker", from);
    let mut end = start;
    let mut cursor = start;
    for group in plan.risk_groups(&plan.index()) {
        for r in &group.risks {
            let zone = plan.matrix.zone(r.risk.level());
            // Title, level and zone in this order (a PDF page may break inside the cell).
            cursor = pos(g, &r.risk.title, cursor);
            cursor = pos(g, &format!("Risknivå {}", r.risk.level().get()), cursor);
            cursor = pos(g, &zone.label, cursor);
            end = end.max(cursor);
        }
    }
    let mut cursor = start;
    for group in plan.risk_groups(&plan.index()).iter().filter(|g| !g.self_inspections.is_empty()) {
        cursor = pos(g, &group.area.name, cursor);
        for s in &group.self_inspections {
            cursor = pos(g, &s.self_inspection.title, cursor);
            end = end.max(cursor);
        }
    }
    let mut cursor = pos(g, "Kvalitetsindikatorer", end);
    for group in plan.indicator_groups(&plan.index()) {
        let heading = pos(g, &group.area.name, cursor);
        let mut end = heading;
        for i in &group.indicators {
            end = end.max(pos(g, &i.indicator.name, heading));
        }
        cursor = end;
    }
    cursor
}

#[tokio::test]
async fn kvalitetsplan_2024_has_every_item_under_its_area_in_every_format() {
    let db = demo().await;
    let input = load_input(&db.store, DocumentKind::Plan, 2024, None).await.unwrap();
    assert_eq!(input.municipality, "Huddinge kommun");
    assert_eq!(input.scope_name, "Individ- och familjeomsorg");
    let plan = &plans(&input)[0];
    assert_eq!(plans(&input).len(), 1);
    assert!(plan.risks.len() >= 5 && plan.self_inspections.len() >= 12 && plan.indicators.len() >= 22);
    for g in generate(DocumentKind::Plan, &input) {
        let title = pos(&g, "Huddinge kommun Kvalitetsplan 2024 Individ- och familjeomsorg", 0);
        // The prose sections in order (those of kind "other" introduce the tables and
        // stand under the table chapters), every line of their text present.
        let mut cursor = title;
        for s in plan.sections.iter().filter(|s| s.kind != SectionKind::Other) {
            cursor = pos(&g, &s.heading, cursor);
        }
        for s in &plan.sections {
            for line in s.body.lines().map(|l| l.trim().trim_start_matches("- ")).filter(|l| !l.is_empty()) {
                pos(&g, line, title);
            }
        }
        for f in &plan.focus_areas {
            pos(&g, &f.title, title);
        }
        check_plan(&g, plan, cursor);
        pos(&g, "Antal risker per risknivå", 0);
        for h in ["Risk", "Risknivå", "Åtgärder", "Egenkontroll", "Status 2023", "Syfte", "Kopplad till risk"] {
            pos(&g, h, 0);
        }
        // Seed 000 prints no targets: no column for them.
        pos(&g, "Kvalitetsindikator Kvalitetsfaktor", 0);
        if plan.indicators.iter().any(|i| i.no_data) {
            pos(&g, "Inga tillgängliga data", 0);
        }
    }
}

#[tokio::test]
async fn kvalitetsplan_2022_at_the_top_holds_both_sections_plans() {
    let db = demo().await;
    let input = load_input(&db.store, DocumentKind::Plan, 2022, None).await.unwrap();
    let scopes: Vec<&str> = plans(&input).iter().map(|p| p.scope.name.as_str()).collect();
    assert_eq!(scopes, ["Barn- och ungdomssektionen", "Vuxensektionen"]);
    for g in generate(DocumentKind::Plan, &input) {
        // Each plan's part starts with its scope's heading and the plan's title, and its
        // items are checked within the part (the two plans share some risks' titles).
        let all = plans(&input);
        let starts: Vec<usize> =
            all.iter().map(|p| pos(&g, &format!("{} {}", p.scope.name, p.plan.title), 0)).collect();
        for (i, p) in all.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(g.text.len());
            let part = Generated { format: g.format, text: g.text[..end].to_owned() };
            check_plan(&part, p, starts[i]);
        }
    }
}

#[tokio::test]
async fn uppfoljning_2022_vuxna_has_every_run_and_action_follow_up_text() {
    let db = demo().await;
    let vuxna = unit(&db.store, "Vuxensektionen").await;
    let input = load_input(&db.store, DocumentKind::FollowUp, 2022, Some(vuxna.id)).await.unwrap();
    assert_eq!(plans(&input).len(), 1);
    let plan = &plans(&input)[0];
    assert!(!plan.runs.is_empty() && !plan.action_follow_ups.is_empty());
    let lines = |text: &str| -> Vec<String> {
        // A footnote "[^1]: …" is printed at the page's foot, its mark "[^1]" as a number.
        text.lines()
            .map(|l| {
                let l = l.trim().trim_start_matches("- ");
                let l = l.strip_prefix("[^1]: ").unwrap_or(l);
                l.replace("[^1]", "")
            })
            .filter(|l| !l.is_empty())
            .collect()
    };
    for g in generate(DocumentKind::FollowUp, &input) {
        pos(&g, "Uppföljning av kvalitetsplan 2022 Vuxensektionen", 0);
        for run in &plan.runs {
            for l in lines(&run.comment) {
                pos(&g, &l, 0);
            }
        }
        for f in &plan.action_follow_ups {
            for l in lines(&f.text) {
                pos(&g, &l, 0);
            }
        }
        for a in &plan.actions {
            pos(&g, &format!("Åtgärd: {}", a.title), 0);
        }
        check_plan(&g, plan, 0);
        pos(&g, "Status: Klar", 0);
        // The follow-up's own prose (seed 004's introduction) is printed here …
        pos(&g, "Uppföljning av kvalitetsplan 2022 för vuxna", 0);
        pos(&g, "För egenkontroller som visar på ett tillfredsställande resultat planeras inga åtgärder", 0);
    }
    // … and not in the plan itself.
    let plan_input = load_input(&db.store, DocumentKind::Plan, 2022, Some(vuxna.id)).await.unwrap();
    for g in generate(DocumentKind::Plan, &plan_input) {
        assert!(!g.text.contains("För egenkontroller som visar på ett tillfredsställande resultat"), "{:?}", g.format);
    }
}

#[tokio::test]
async fn kvalitetsberattelse_2022_has_the_seed_tables_rates_and_improvement_areas() {
    let db = demo().await;
    let input = load_input(&db.store, DocumentKind::Report, 2022, None).await.unwrap();
    let Content::Reports(reports) = &input.content else { panic!("expected reports") };
    let report = &reports[0];
    for g in generate(DocumentKind::Report, &input) {
        let table = pos(&g, "Slag 2022 2021", 0);
        pos(&g, "Lex Sarah 1 1", table);
        pos(&g, "Intern avvikelse 4 1", table);
        pos(&g, "Synpunkter och klagomål 5 3", table);
        pos(&g, "36 %", 0);
        pos(&g, "Svarsfrekvens", 0);
        pos(&g, "Få har svarat", 0);
        let areas = pos(&g, "Förbättringsområden", 0);
        for i in &report.improvement_areas {
            pos(&g, &i.text, areas);
        }
        for s in &report.sections {
            pos(&g, &s.heading, 0);
        }
    }
}

#[tokio::test]
async fn markup_characters_in_user_text_come_out_as_written() {
    let db = demo().await;
    let mut input = load_input(&db.store, DocumentKind::Plan, 2024, None).await.unwrap();
    let nasty = r#"<script>alert("x")</script> & #set * $x$ \ _a_ @ref [l] // `c` = - + ~ 'q' {b} <b>fet</b>"#;
    let Content::Plans(plans) = &mut input.content else { panic!() };
    plans[0].risks[0].item.title = nasty.to_owned();
    plans[0].sections[0].item.heading = format!("Rubrik {nasty}");
    for format in FORMATS {
        let bytes = render(DocumentKind::Plan, format, &input).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        if format == Format::Html {
            let html = String::from_utf8(bytes.clone()).unwrap();
            assert!(!html.contains("<script"), "unescaped <script> in HTML");
            assert!(!html.contains("<b>fet"), "unescaped tag in HTML");
        }
        let g = Generated { format, text: text_of(format, &bytes) };
        pos(&g, nasty, 0);
        pos(&g, &format!("Rubrik {nasty}"), 0);
    }
}

#[tokio::test]
async fn markup_in_follow_up_and_report_text_is_escaped_in_html() {
    let db = demo().await;
    let script = "<script>alert(1)</script>";
    let img = "\"><img src=x onerror=alert(1)>";
    let nasty = format!("{script} {img}");
    let vuxna = unit(&db.store, "Vuxensektionen").await;
    let mut follow_up = load_input(&db.store, DocumentKind::FollowUp, 2022, Some(vuxna.id)).await.unwrap();
    let Content::Plans(plans) = &mut follow_up.content else { panic!() };
    plans[0].risks[0].item.title = nasty.clone();
    plans[0].action_follow_ups[0].item.text = nasty.clone();
    plans[0].runs[0].item.comment = nasty.clone();
    let mut report = load_input(&db.store, DocumentKind::Report, 2022, None).await.unwrap();
    let Content::Reports(reports) = &mut report.content else { panic!() };
    reports[0].improvement_areas[0].item.text = nasty.clone();
    reports[0].reviews[0].item.title = nasty.clone();
    for (kind, input) in [(DocumentKind::FollowUp, &follow_up), (DocumentKind::Report, &report)] {
        let html = String::from_utf8(render(kind, Format::Html, input).unwrap()).unwrap();
        assert!(!html.contains("<script") && !html.contains("<img src=x"), "{kind:?}: unescaped markup");
        assert!(html.contains("&lt;script&gt;") || html.contains("&#60;script&#62;"), "{kind:?}: the text is shown");
        let g = Generated { format: Format::Html, text: text_of(Format::Html, html.as_bytes()) };
        pos(&g, &nasty, 0);
    }
}

#[tokio::test]
async fn asking_for_the_wrong_data_or_a_year_without_plans_is_an_error() {
    let db = demo().await;
    let input = load_input(&db.store, DocumentKind::Report, 2022, None).await.unwrap();
    assert!(render(DocumentKind::Plan, Format::Html, &input).is_err());
    assert!(load_input(&db.store, DocumentKind::Plan, 1999, None).await.is_err());
}

/// Heading levels of an HTML file in order.
fn html_heading_levels(html: &str) -> Vec<u8> {
    html.match_indices("<h").filter_map(|(i, _)| html[i + 2..].chars().next()?.to_digit(10).map(|d| d as u8)).collect()
}

#[tokio::test]
async fn every_format_has_its_accessible_structure() {
    let db = demo().await;
    for (kind, year) in [(DocumentKind::Plan, 2024), (DocumentKind::FollowUp, 2022), (DocumentKind::Report, 2022)] {
        let input = load_input(&db.store, kind, year, None).await.unwrap();

        // HTML: language, one h1, no skipped heading levels, captions and header cells
        // on every table, charts with a text alternative, no scripts.
        let html = String::from_utf8(render(kind, Format::Html, &input).unwrap()).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"sv\">"), "{kind:?}");
        assert!(!html.contains("<script"), "{kind:?}");
        let levels = html_heading_levels(&html);
        assert_eq!(levels.iter().filter(|l| **l == 1).count(), 1, "{kind:?}: one h1");
        for w in levels.windows(2) {
            assert!(w[1] <= w[0] + 1, "{kind:?}: heading level skipped: {levels:?}");
        }
        let tables = html.matches("<table>").count();
        assert!(tables > 0);
        assert_eq!(html.matches("<table><caption>").count(), tables, "{kind:?}: a caption on every table");
        assert_eq!(html.matches("<thead><tr><th scope=\"col\">").count(), tables, "{kind:?}: header rows");
        for svg in html.match_indices("<svg").map(|(i, _)| &html[i..]) {
            assert!(svg.contains("role=\"img\"") && svg.contains("<title id=") && svg.contains("<desc id="));
        }

        // DOCX: heading styles, every table's first row repeats on each page, the
        // municipality in the page header, title and language in the properties.
        let docx = render(kind, Format::Docx, &input).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut part = |name: &str| {
            let mut s = String::new();
            zip.by_name(name).unwrap_or_else(|_| panic!("{name}")).read_to_string(&mut s).unwrap();
            s
        };
        let xml = part("word/document.xml");
        assert!(xml.contains("<w:pStyle w:val=\"Heading1\" />"), "{kind:?}");
        assert_eq!(xml.matches("<w:tblHeader />").count(), xml.matches("<w:tbl>").count(), "{kind:?}");
        assert!(part("word/header1.xml").contains("Huddinge kommun"));
        let core = part("docProps/core.xml");
        assert!(core.contains("<dc:language>sv-SE</dc:language>") && core.contains("<dc:title>"), "{core}");
        assert!(part("word/styles.xml").contains("<w:outlineLvl w:val=\"0\" />"));

        // PDF: tagged, with language, title, and an outline (bookmarks) from the headings.
        let pdf = lopdf::Document::load_mem(&render(kind, Format::Pdf, &input).unwrap()).unwrap();
        let catalog = pdf.catalog().unwrap();
        assert!(catalog.has(b"StructTreeRoot"), "{kind:?}: tagged PDF");
        assert!(catalog.has(b"Outlines"), "{kind:?}: bookmarks");
        let lang = catalog.get(b"Lang").unwrap().as_str().unwrap();
        assert!(String::from_utf8_lossy(lang).starts_with("sv"), "{kind:?}");
    }
}

/// Whether a program can be started here (`flag` asks for its version: pdftotext knows
/// only `-v`).
fn have(program: &str, flag: &str) -> bool {
    std::process::Command::new(program).arg(flag).output().is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn libreoffice_opens_every_docx_and_pdftotext_reads_every_pdf() {
    // Where the tools are installed (Debian's libreoffice-writer-nogui and poppler-utils,
    // which `.ci/run` installs and then requires); elsewhere the test says so and checks
    // nothing.
    let (lo, poppler) = (have("libreoffice", "--version"), have("pdftotext", "-v"));
    if std::env::var_os("KVALITET_REQUIRE_OFFICE_TOOLS").is_some() {
        assert!(lo && poppler, "CI requires libreoffice ({lo}) and pdftotext ({poppler})");
    }
    if !lo && !poppler {
        eprintln!("SKIPPED: neither libreoffice nor pdftotext is installed");
        return;
    }
    let db = demo().await;
    let dir = std::env::temp_dir().join(format!("kvalitet-docs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (kind, year) in [
        (DocumentKind::Plan, 2024),
        (DocumentKind::Plan, 2022),
        (DocumentKind::FollowUp, 2022),
        (DocumentKind::Report, 2022),
    ] {
        let input = kvalitet_documents::load_input(&db.store, kind, year, None).await.unwrap();
        let stem = kind.file_stem(year);
        if lo {
            let docx = dir.join(format!("{stem}.docx"));
            std::fs::write(&docx, render(kind, Format::Docx, &input).unwrap()).unwrap();
            let out = std::process::Command::new("libreoffice")
                .args(["--headless", "--convert-to", "pdf", "--outdir"])
                .arg(dir.join("lo"))
                .arg(&docx)
                .env("HOME", &dir)
                .output()
                .unwrap();
            assert!(out.status.success(), "{stem}.docx: {}", String::from_utf8_lossy(&out.stderr));
            assert!(dir.join("lo").join(format!("{stem}.pdf")).exists(), "LibreOffice wrote no PDF for {stem}.docx");
        }
        if poppler {
            let pdf = dir.join(format!("{stem}.pdf"));
            std::fs::write(&pdf, render(kind, Format::Pdf, &input).unwrap()).unwrap();
            let out = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
            assert!(out.status.success(), "pdftotext {stem}.pdf: {}", String::from_utf8_lossy(&out.stderr));
            let text = norm(&String::from_utf8_lossy(&out.stdout));
            assert!(text.contains(&input.scope_name), "{stem}.pdf reads back without its scope");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    db.drop_db().await;
}

#[tokio::test]
async fn a_draft_is_marked_utkast_in_its_heading_and_running_header() {
    let db = demo().await;
    let mut input = load_input(&db.store, DocumentKind::Plan, 2024, None).await.unwrap();
    assert!(!input.draft, "the demo's 2024 plan is adopted");
    let adopted = render(DocumentKind::Plan, Format::Html, &input).unwrap();
    assert!(!String::from_utf8(adopted).unwrap().contains("UTKAST"), "an adopted plan is not marked");
    input.draft = true;
    for format in FORMATS {
        let bytes = render(DocumentKind::Plan, format, &input).unwrap();
        let g = Generated { format, text: text_of(format, &bytes) };
        // In the heading, right after the title.
        pos(&g, "Huddinge kommun Kvalitetsplan 2024 UTKAST Individ- och familjeomsorg", 0);
        match format {
            Format::Html => {
                let html = String::from_utf8(bytes).unwrap();
                assert!(html.contains("<h1>Kvalitetsplan 2024<br><span class=\"marking\">UTKAST</span></h1>"));
                assert!(html.contains("<title>Kvalitetsplan 2024 (UTKAST) – Huddinge kommun</title>"));
            }
            Format::Docx => {
                let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
                let names: Vec<String> =
                    (0..zip.len()).map(|i| zip.by_index(i).unwrap().name().unwrap().into_owned()).collect();
                let headers: Vec<String> = names.into_iter().filter(|n| n.starts_with("word/header")).collect();
                assert!(!headers.is_empty(), "a page header");
                for h in headers {
                    let mut xml = String::new();
                    zip.by_name(&h).unwrap().read_to_string(&mut xml).unwrap();
                    assert!(norm(&strip_tags(&xml)).contains("UTKAST – Huddinge kommun"), "{h}: {xml}");
                }
            }
            Format::Pdf => {
                // The running header on every page after the title page.
                let pages = g.text.matches("UTKAST – Huddinge kommun").count();
                assert!(pages >= 3, "the running header on every page ({pages})");
            }
        }
    }
}

#[path = "documents/docx_layout.rs"]
mod docx_layout;
#[path = "documents/ivo_report.rs"]
mod ivo_report;
#[path = "documents/kolada.rs"]
mod kolada;
#[path = "documents/pdf_layout.rs"]
mod pdf_layout;
#[path = "documents/seed_002.rs"]
mod seed_002;
#[path = "documents/seed_plans.rs"]
mod seed_plans;
