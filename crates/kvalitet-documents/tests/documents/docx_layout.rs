//! The DOCX on par with the PDF: a cover from the furniture (only what is known), a
//! table of contents, the running header and a footer with page numbers, numbered
//! captions, tables that fit the page, figures as pictures with their text
//! alternative, real footnotes and the file's properties. Checked in the package's own
//! XML and, where LibreOffice is installed (required in CI), in the PDF it makes of it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use kvalitet_documents::model::{Block, Cell, Document, Figure, Furniture, Logo, LogoFormat, Para, Table};
use kvalitet_documents::{DocumentKind, Format, load_input, render, render_model};

use super::{demo, have, norm, strip_tags, unit};

/// The text width of A4 with 2 cm margins, in twentieths of a point.
const TEXT_WIDTH: usize = 11906 - 2 * 1134;

/// A 4 × 2 pixel PNG.
const PNG: [u8; 73] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 4, 0, 0, 0, 2, 8, 2, 0, 0, 0, 240, 202, 234,
    52, 0, 0, 0, 16, 73, 68, 65, 84, 120, 156, 99, 144, 183, 242, 133, 35, 6, 100, 14, 0, 66, 26, 5, 49, 232, 149, 185,
    144, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// The parts of a DOCX package.
struct Package(zip::ZipArchive<std::io::Cursor<Vec<u8>>>);

impl Package {
    fn new(bytes: Vec<u8>) -> Package {
        Package(zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("DOCX is a zip"))
    }
    fn names(&self) -> Vec<String> {
        self.0.file_names().map(|n| n.unwrap().into_owned()).collect()
    }
    fn bytes(&mut self, name: &str) -> Vec<u8> {
        let mut out = Vec::new();
        self.0.by_name(name).unwrap_or_else(|_| panic!("no {name}")).read_to_end(&mut out).unwrap();
        out
    }
    fn part(&mut self, name: &str) -> String {
        String::from_utf8(self.bytes(name)).unwrap()
    }
    /// The pictures in word/media.
    fn media(&mut self) -> Vec<Vec<u8>> {
        let names: Vec<String> =
            self.names().into_iter().filter(|n| n.starts_with("word/media/") && !n.ends_with('/')).collect();
        names.iter().map(|n| self.bytes(n)).collect()
    }
}

fn furniture_of(footer_title: &str) -> Furniture {
    Furniture { footer_title: footer_title.into(), ..Furniture::default() }
}

/// A small document: two chapters, a footnote in the text and one in a table cell, a
/// table whose relative widths would squeeze "Risknivå".
fn sample(furniture: Furniture) -> Document {
    Document {
        title: "Kvalitetsplan 2030".into(),
        municipality: "Älvby kommun".into(),
        title_lines: vec!["Individ- och familjeomsorg".into()],
        marking: None,
        furniture,
        blocks: vec![
            Block::Heading { level: 1, text: "Inledning".into() },
            Block::Paragraph(Para::new("Planen bygger på riskanalysen.").with_footnote("Analysen gjordes i oktober.")),
            Block::Heading { level: 2, text: "Risker".into() },
            Block::Heading { level: 3, text: "Utredning".into() },
            Block::Table(Table {
                caption: "Risker och risknivåer".into(),
                header: vec!["Risk".into(), "Risknivå".into()],
                rows: vec![vec![
                    Cell::text("Fel i journalen"),
                    Cell::paras(vec![Para::new("12").with_footnote("Sannolikhet 3 gånger konsekvens 4.")]),
                ]],
                row_headers: true,
                widths: vec![19, 1],
            }),
        ],
    }
}

/// The reader's text of word/document.xml before the table of contents: the cover.
fn cover_text(document_xml: &str) -> String {
    let text = norm(&strip_tags(document_xml));
    text[..text.find("Innehåll").expect("a table of contents")].to_owned()
}

#[test]
fn the_cover_shows_the_furniture_that_is_known_and_nothing_else() {
    let full = Furniture {
        logo: Some(Logo { format: LogoFormat::Png, bytes: PNG.to_vec(), alt: "Älvby kommuns logotyp".into() }),
        board: Some("Socialnämnden".into()),
        reference: Some("SN-2029/7".into()),
        meeting_on: Some("2029-12-12".into()),
        status: Some("Förslag till socialnämnden".into()),
        footer_title: "Kvalitetsplan 2030 Individ- och familjeomsorg".into(),
    };
    let mut docx = Package::new(render_model(&sample(full.clone()), Format::Docx).unwrap());
    let xml = docx.part("word/document.xml");
    let cover = cover_text(&xml);
    assert!(
        cover.contains(
            "Älvby kommun Kvalitetsplan 2030 Individ- och familjeomsorg Socialnämnden Diarienummer: SN-2029/7 \
             Sammanträdesdatum: 2029-12-12 Status: Förslag till socialnämnden"
        ),
        "{cover}"
    );
    // The logo as uploaded, first on the cover, with its text alternative.
    assert_eq!(docx.media(), vec![PNG.to_vec()]);
    let logo = xml.find("descr=\"Älvby kommuns logotyp\"").expect("the logo's text alternative");
    assert!(logo < xml.find("Innehåll").unwrap());
    assert_eq!(xml.matches("<wp:docPr ").count(), 1);

    // Without them, none of their labels.
    let mut bare = Package::new(render_model(&sample(furniture_of("Kvalitetsplan 2030")), Format::Docx).unwrap());
    let xml = bare.part("word/document.xml");
    let cover = cover_text(&xml);
    assert_eq!(cover, "Älvby kommun Kvalitetsplan 2030 Individ- och familjeomsorg ", "nothing invented");
    for label in ["Socialnämnden", "Diarienummer", "Sammanträdesdatum", "Status"] {
        assert!(!xml.contains(label), "{label} without a value");
    }
    assert!(bare.media().is_empty() && !xml.contains("<wp:docPr"), "no logo");

    // An SVG logo is rendered to a PNG.
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#1f3a4d"/></svg>"##;
    let logo = Logo { format: LogoFormat::Svg, bytes: svg.as_bytes().to_vec(), alt: "Logotyp".into() };
    let with_svg = Furniture { logo: Some(logo), ..full };
    let media = Package::new(render_model(&sample(with_svg), Format::Docx).unwrap()).media();
    assert_eq!(media.len(), 1);
    assert!(media[0].starts_with(&PNG[..8]), "a PNG");
}

#[test]
fn the_cover_has_no_page_number_and_the_other_pages_a_footer_and_header() {
    let mut doc = sample(furniture_of("Kvalitetsplan 2030 Individ- och familjeomsorg"));
    for marking in [None, Some("UTKAST")] {
        doc.marking = marking.map(str::to_owned);
        let mut docx = Package::new(render_model(&doc, Format::Docx).unwrap());
        let xml = docx.part("word/document.xml");
        assert!(xml.contains("<w:titlePg />"), "a title page of its own");
        let parts: Vec<String> = docx.names();
        let footers: Vec<String> =
            parts.iter().filter(|n| n.starts_with("word/footer")).map(|n| docx.part(n)).collect();
        let headers: Vec<String> =
            parts.iter().filter(|n| n.starts_with("word/header")).map(|n| docx.part(n)).collect();
        assert_eq!((footers.len(), headers.len()), (2, 2), "the pages' and the cover's");
        // One footer with the page number and the title, the cover's empty.
        let texts: Vec<String> = footers.iter().map(|f| norm(&strip_tags(f))).collect();
        assert!(texts.contains(&"PAGE | Kvalitetsplan 2030 Individ- och familjeomsorg".to_owned()), "{texts:?}");
        assert!(texts.contains(&String::new()), "{texts:?}");
        // The running header; on the cover only a draft's marking.
        let texts: Vec<String> = headers.iter().map(|h| norm(&strip_tags(h))).collect();
        match marking {
            None => assert_eq!(texts, ["Älvby kommun", ""]),
            Some(_) => assert_eq!(texts, ["UTKAST – Älvby kommun", "UTKAST – Älvby kommun"]),
        }
    }
}

#[test]
fn contents_captions_footnotes_widths_and_properties() {
    let mut docx = Package::new(render_model(&sample(furniture_of("Kvalitetsplan 2030")), Format::Docx).unwrap());
    let xml = docx.part("word/document.xml");
    // The table of contents: a TOC field over levels 1–2, already listing them, each
    // linked to a bookmark on its heading; level 3 is not listed.
    assert!(xml.contains("TOC \\o &quot;1-2&quot; \\h"), "the TOC field");
    let text = norm(&strip_tags(&xml));
    let contents = &text[text.find("Innehåll").unwrap()..text.find("Planen bygger").unwrap()];
    assert!(contents.contains("Inledning") && contents.contains("Risker"), "{contents}");
    assert_eq!(contents.matches("Inledning").count(), 2, "entry and heading: {contents}");
    assert!(!contents[..contents.rfind("Inledning").unwrap()].contains("Utredning"), "{contents}");
    for n in [1, 2] {
        assert!(xml.contains(&format!("w:anchor=\"_Toc{n}\"")) && xml.contains(&format!("w:name=\"_Toc{n}\"")));
    }
    assert!(docx.part("word/settings.xml").contains("<w:updateFields w:val=\"true\" />"));

    // A numbered caption: "Tabell 1: …" with a SEQ field.
    assert!(text.contains("Tabell SEQ Tabell \\* ARABIC 1 : Risker och risknivåer"), "{text}");

    // Footnotes in the text and in a table cell, with their number marks.
    assert_eq!(xml.matches("<w:footnoteReference ").count(), 2);
    let table = &xml[xml.find("<w:tbl>").unwrap()..];
    assert_eq!(table.matches("<w:footnoteReference ").count(), 1, "the cell's footnote");
    let footnotes = docx.part("word/footnotes.xml");
    let notes = norm(&strip_tags(&footnotes));
    assert!(notes.contains("Analysen gjordes i oktober.") && notes.contains("Sannolikhet 3 gånger konsekvens 4."));
    assert_eq!(footnotes.matches("<w:footnoteRef />").count(), 2);
    assert!(footnotes.contains("w:type=\"separator\""));

    // "Risknivå" keeps a column wide enough though the model's widths give it 1/20.
    let (grid, rows) = &tables(&xml)[0];
    assert_eq!(grid.iter().sum::<usize>(), TEXT_WIDTH);
    assert!(grid[1] as f64 >= word_estimate("Risknivå"), "{grid:?}");
    assert_eq!(rows[0], ["Risk", "Risknivå"]);

    // Swedish, the title, the municipality as creator and the time of generation.
    assert!(docx.part("word/styles.xml").contains("<w:lang w:val=\"sv-SE\""));
    let core = docx.part("docProps/core.xml");
    assert!(core.contains("<dc:creator>Älvby kommun</dc:creator>"), "{core}");
    assert!(core.contains("<dc:title>Kvalitetsplan 2030 – Älvby kommun</dc:title>"), "{core}");
    let created = core.split("<dcterms:created xsi:type=\"dcterms:W3CDTF\">").nth(1).unwrap();
    let created = &created[..created.find('<').unwrap()];
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let year = 1970 + now / 31_556_952;
    assert!(created.len() == 20 && created.ends_with('Z'), "W3CDTF: {created}");
    assert!(created.starts_with(&year.to_string()), "generated now: {created}");
}

/// The estimated width of a word at the table's 9.5 pt in twips, on the narrow side
/// (half an em and a little a character, and the cell's margins of 108 on each side):
/// a column narrower than this breaks the word.
fn word_estimate(word: &str) -> f64 {
    word.chars().count() as f64 * 0.55 * 190.0 + 216.0
}

/// Every table of word/document.xml: its grid and its rows of cell texts.
fn tables(xml: &str) -> Vec<(Vec<usize>, Vec<Vec<String>>)> {
    xml.split("<w:tbl>")
        .skip(1)
        .map(|t| {
            let t = &t[..t.find("</w:tbl>").expect("a table's end")];
            let grid = t
                .split("<w:gridCol w:w=\"")
                .skip(1)
                .map(|g| g[..g.find('"').unwrap()].parse::<usize>().unwrap())
                .collect();
            let rows = t
                .split("<w:tr>")
                .skip(1)
                .map(|r| r.split("<w:tc>").skip(1).map(|c| norm(&strip_tags(c))).collect())
                .collect();
            (grid, rows)
        })
        .collect()
}

/// Every table's grid fits the text width and no column is narrower than its longest
/// word.
fn check_widths(name: &str, xml: &str) {
    let tables = tables(xml);
    assert!(!tables.is_empty(), "{name}: tables");
    for (grid, rows) in tables {
        assert!(grid.iter().sum::<usize>() <= TEXT_WIDTH, "{name}: {grid:?} wider than the page");
        for row in &rows {
            assert_eq!(row.len(), grid.len(), "{name}: {row:?}");
            for (cell, width) in row.iter().zip(&grid) {
                for word in cell.split(' ') {
                    // (Within a twip: the writer rounds the estimate down to whole twips.)
                    assert!(
                        *width as f64 + 1.0 >= word_estimate(word),
                        "{name}: {word:?} breaks in a column of {width}"
                    );
                }
            }
        }
    }
}

/// Collects what usvg and resvg log at warning level or above.
struct Warnings(Mutex<Vec<String>>);

impl log::Log for Warnings {
    fn enabled(&self, m: &log::Metadata) -> bool {
        m.level() <= log::Level::Warn && (m.target().starts_with("usvg") || m.target().starts_with("resvg"))
    }
    fn log(&self, r: &log::Record) {
        if self.enabled(r.metadata()) {
            self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(format!(
                "{}: {}",
                r.target(),
                r.args()
            ));
        }
    }
    fn flush(&self) {}
}

static WARNINGS: Warnings = Warnings(Mutex::new(Vec::new()));

#[tokio::test]
async fn figures_are_pictures_with_their_text_alternative_and_resvg_warns_of_nothing() {
    log::set_logger(&WARNINGS).expect("the only logger of the tests");
    log::set_max_level(log::LevelFilter::Warn);
    let db = demo().await;
    let input = load_input(&db.store, DocumentKind::Plan, 2024, None).await.unwrap();
    let model = kvalitet_documents::document(DocumentKind::Plan, &input).unwrap();
    let figures: Vec<&Figure> =
        model.blocks.iter().filter_map(|b| if let Block::Figure(f) = b { Some(f) } else { None }).collect();
    assert!(!figures.is_empty(), "the plan has its heat map");
    let mut docx = Package::new(render(DocumentKind::Plan, Format::Docx, &input).unwrap());
    let xml = docx.part("word/document.xml");
    let text = norm(&strip_tags(&xml));
    for (i, f) in figures.iter().enumerate() {
        let descr = f.description.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;");
        assert!(xml.contains(&format!("descr=\"{descr}\"")), "figure {i}: its text alternative");
        assert!(text.contains(&format!("Figur SEQ Figur \\* ARABIC {} : {}", i + 1, f.title)), "figure {i}");
    }
    let media = docx.media();
    assert_eq!(media.len(), figures.len() + usize::from(model.furniture.logo.is_some()));
    assert!(media.iter().all(|m| m.starts_with(&PNG[..8]) && m.len() > 2000), "rendered PNGs");
    assert_eq!(*WARNINGS.0.lock().unwrap(), Vec::<String>::new(), "usvg and resvg warn of nothing");

    // The capture works: an SVG usvg must warn about is noticed.
    let mut bad = sample(furniture_of(""));
    bad.blocks.push(Block::Figure(Figure {
        title: "Trasig".into(),
        description: "En rektangel med negativ bredd".into(),
        svg: r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="-5" height="5"/></svg>"#
            .into(),
        tables: vec![],
    }));
    render_model(&bad, Format::Docx).unwrap();
    assert!(!WARNINGS.0.lock().unwrap().is_empty(), "a warning is captured");
    db.drop_db().await;
}

/// Where the test writes page images for a person to look at.
fn artifacts() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("test-artifacts/documents")
}

#[tokio::test]
async fn libreoffice_lays_out_every_docx_with_contents_page_numbers_and_fitting_tables() {
    let (lo, poppler) = (have("libreoffice", "--version"), have("pdftotext", "-v"));
    if std::env::var_os("KVALITET_REQUIRE_OFFICE_TOOLS").is_some() {
        assert!(lo && poppler, "CI requires libreoffice ({lo}) and pdftotext ({poppler})");
    }
    if !(lo && poppler) {
        eprintln!("SKIPPED: libreoffice and pdftotext are needed");
        return;
    }
    let db = demo().await;
    let vuxna = unit(&db.store, "Vuxensektionen").await.id;
    let dir = std::env::temp_dir().join(format!("kvalitet-docx-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut documents = Vec::new();
    let mut widths = Vec::new();
    for (kind, year, scope) in [
        (DocumentKind::Plan, 2024, None),
        (DocumentKind::Plan, 2022, None),
        (DocumentKind::FollowUp, 2022, Some(vuxna)),
        (DocumentKind::Report, 2022, None),
    ] {
        let input = load_input(&db.store, kind, year, scope).await.unwrap();
        let model = kvalitet_documents::document(kind, &input).unwrap();
        let bytes = render(kind, Format::Docx, &input).unwrap();
        widths.push((kind.file_stem(year), Package::new(bytes.clone()).part("word/document.xml")));
        let path = dir.join(format!("{}.docx", kind.file_stem(year)));
        std::fs::write(&path, bytes).unwrap();
        documents.push((kind.file_stem(year), model, path));
    }
    let out = std::process::Command::new("libreoffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.join("lo"))
        .args(documents.iter().map(|d| &d.2))
        .env("HOME", &dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    for (stem, model, _) in &documents {
        let pdf = dir.join("lo").join(format!("{stem}.pdf"));
        let out = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
        assert!(out.status.success(), "pdftotext {stem}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        let pages: Vec<String> = text.split('\u{c}').map(norm).filter(|p| !p.is_empty()).collect();
        assert!(pages.len() > 3, "{stem}: {} pages", pages.len());
        // The cover: the title, no page number, no footer.
        assert!(pages[0].contains(&model.title), "{stem}: {}", pages[0]);
        assert!(!pages[0].contains('|'), "{stem}: a page number on the cover: {}", pages[0]);
        // Every other page: "N | <footer title>".
        let title = &model.furniture.footer_title;
        assert!(!title.is_empty(), "{stem}: a footer title");
        for (i, page) in pages.iter().enumerate().skip(1) {
            assert!(
                page.contains(&format!("{} | {title}", i + 1)),
                "{stem}: page {} without its footer: {page}",
                i + 1
            );
        }
        // "Innehåll" lists the chapters (levels 1–2) in order before the body has them.
        let all = pages.join(" ");
        let mut at = all.find("Innehåll").unwrap_or_else(|| panic!("{stem}: no table of contents"));
        let listed: Vec<&str> = model
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading { level, text } if *level <= 2 => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert!(listed.len() >= 3, "{stem}: chapters");
        for h in &listed {
            at += all[at..].find(&norm(h)).unwrap_or_else(|| panic!("{stem}: {h:?} not in the contents")) + h.len();
        }
        assert!(all[at..].contains(&norm(listed[0])), "{stem}: the body after the contents");
    }

    // Page images of the plan for a person to look at.
    let images = artifacts();
    std::fs::create_dir_all(&images).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "50"])
        .arg(dir.join("lo/kvalitetsplan-2024.pdf"))
        .arg(images.join("kvalitetsplan-2024-docx"))
        .status();
    assert!(status.is_ok_and(|s| s.success()), "pdftoppm wrote the page images");
    for (stem, xml) in &widths {
        check_widths(stem, xml);
    }
    let _ = std::fs::remove_dir_all(&dir);
    db.drop_db().await;
}
