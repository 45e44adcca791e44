//! The PDF's layout, read back from the files: no word of a table runs across a column
//! line (word boxes from `pdftotext -bbox`, column lines from the page content), the
//! cover (logo with its text alternative, the board's facts only where known, no page
//! number), the running footer "N | title", footnotes at the foot of their page, and row
//! headers in the tagged PDF. Page images of Kvalitetsplan 2024 are written to
//! `target/test-artifacts/documents/` for a person to look at.

use kvalitet_documents::model::{Block, Document, Furniture, Logo, LogoFormat, Para};
use kvalitet_documents::{DocumentInput, DocumentKind, Format, document, load_input, render_model};
use lopdf::content::Content as PageContent;
use lopdf::{Object, ObjectId};

use super::{demo, have, norm};

/// Every board document of the demo data.
const DOCUMENTS: [(DocumentKind, i64); 4] = [
    (DocumentKind::Plan, 2024),
    (DocumentKind::Plan, 2022),
    (DocumentKind::FollowUp, 2022),
    (DocumentKind::Report, 2022),
];

fn pdf(doc: &Document) -> Vec<u8> {
    render_model(doc, Format::Pdf).unwrap_or_else(|e| panic!("{}: {e}", doc.title))
}

/// The text of each page, whitespace squeezed.
fn pages(pdf: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(pdf).expect("PDF text").iter().map(|p| norm(p)).collect()
}

/// Whether pdftotext and pdftoppm can be used: where they are installed, and always in
/// CI (which installs them).
fn poppler() -> bool {
    let there = have("pdftotext", "-v");
    if std::env::var_os("KVALITET_REQUIRE_OFFICE_TOOLS").is_some() {
        assert!(there, "CI requires pdftotext (poppler-utils)");
    }
    there
}

/// A word as pdftotext sees it: its page (from 1), box in pt from the top left, text.
#[derive(Debug)]
struct Word {
    page: usize,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
}

fn attr(tag: &str, name: &str) -> f64 {
    let at = tag.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("{name} in {tag}")) + name.len() + 3;
    tag[at..tag[at..].find('"').map(|e| at + e).unwrap()].parse().unwrap()
}

fn words(pdf: &[u8], dir: &std::path::Path, stem: &str) -> Vec<Word> {
    let file = dir.join(format!("{stem}.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftotext").arg("-bbox").arg(&file).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext -bbox: {}", String::from_utf8_lossy(&out.stderr));
    let html = String::from_utf8_lossy(&out.stdout);
    let mut page = 0;
    let mut found = Vec::new();
    for line in html.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page += 1;
        } else if let Some(rest) = line.strip_prefix("<word ") {
            let (tag, text) = rest.split_once('>').unwrap();
            let text = text.trim_end_matches("</word>").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
            let tag = format!(" {tag}");
            let (x0, y0, x1, y1) = (attr(&tag, "xMin"), attr(&tag, "yMin"), attr(&tag, "xMax"), attr(&tag, "yMax"));
            found.push(Word { page, x0, y0, x1, y1, text });
        }
    }
    found
}

/// A vertical stroked line on a page (from 1), in pt from the top left.
#[derive(Debug)]
struct Rule {
    page: usize,
    x: f64,
    y0: f64,
    y1: f64,
}

type Matrix = [f64; 6];

fn concat(m: &Matrix, ctm: &Matrix) -> Matrix {
    [
        m[0] * ctm[0] + m[1] * ctm[2],
        m[0] * ctm[1] + m[1] * ctm[3],
        m[2] * ctm[0] + m[3] * ctm[2],
        m[2] * ctm[1] + m[3] * ctm[3],
        m[4] * ctm[0] + m[5] * ctm[2] + ctm[4],
        m[4] * ctm[1] + m[5] * ctm[3] + ctm[5],
    ]
}

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

fn num(o: &Object) -> f64 {
    f64::from(o.as_float().unwrap_or_else(|_| panic!("a number: {o:?}")))
}

/// The vertical lines stroked on each page: the path operators followed under the
/// current transformation matrix, form XObjects included.
fn rules(pdf: &[u8]) -> Vec<Rule> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    let mut found = Vec::new();
    for (page, id) in doc.get_pages() {
        let media = doc.get_dictionary(id).unwrap().get(b"MediaBox").unwrap().as_array().unwrap().clone();
        let height = num(&media[3]);
        let content = doc.get_page_content(id).unwrap();
        let resources = doc.get_dictionary(id).unwrap().get(b"Resources").ok().cloned();
        let mut segments = Vec::new();
        walk(&doc, &content, resources.as_ref(), [1.0, 0.0, 0.0, 1.0, 0.0, 0.0], &mut segments, 0);
        for ((x0, y0), (x1, y1)) in segments {
            if (x0 - x1).abs() < 0.01 && (y0 - y1).abs() > 1.0 {
                found.push(Rule { page: page as usize, x: x0, y0: height - y0.max(y1), y1: height - y0.min(y1) });
            }
        }
    }
    found
}

fn resolve<'a>(doc: &'a lopdf::Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap(),
        o => o,
    }
}

type Segment = ((f64, f64), (f64, f64));

fn walk(
    doc: &lopdf::Document,
    content: &[u8],
    resources: Option<&Object>,
    start: Matrix,
    out: &mut Vec<Segment>,
    depth: usize,
) {
    assert!(depth < 8, "form XObjects nested too deep");
    let ops = PageContent::decode(content).unwrap().operations;
    let (mut ctm, mut stack) = (start, Vec::new());
    let (mut path, mut at): (Vec<Segment>, (f64, f64)) = (Vec::new(), (0.0, 0.0));
    for op in ops {
        let o = &op.operands;
        match op.operator.as_str() {
            "q" => stack.push(ctm),
            "Q" => ctm = stack.pop().unwrap_or(start),
            "cm" => {
                let m: Vec<f64> = o.iter().map(num).collect();
                ctm = concat(&[m[0], m[1], m[2], m[3], m[4], m[5]], &ctm);
            }
            "m" => at = apply(&ctm, num(&o[0]), num(&o[1])),
            "l" => {
                let to = apply(&ctm, num(&o[0]), num(&o[1]));
                path.push((at, to));
                at = to;
            }
            "re" => {
                let (x, y, w, h) = (num(&o[0]), num(&o[1]), num(&o[2]), num(&o[3]));
                let c = [(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)].map(|(x, y)| apply(&ctm, x, y));
                path.extend(c.windows(2).map(|p| (p[0], p[1])));
            }
            "S" | "s" | "B" | "B*" | "b" | "b*" => out.append(&mut path),
            "f" | "F" | "f*" | "n" => path.clear(),
            "Do" => {
                let name = o[0].as_name().unwrap();
                let xobjects = resources
                    .map(|r| resolve(doc, r))
                    .and_then(|r| r.as_dict().ok())
                    .and_then(|r| r.get(b"XObject").ok())
                    .map(|x| resolve(doc, x))
                    .and_then(|x| x.as_dict().ok());
                let Some(stream) =
                    xobjects.and_then(|x| x.get(name).ok()).map(|s| resolve(doc, s)).and_then(|s| s.as_stream().ok())
                else {
                    continue;
                };
                if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form".as_slice()) {
                    continue;
                }
                let m = match stream.dict.get(b"Matrix").and_then(Object::as_array) {
                    Ok(a) => {
                        let m: Vec<f64> = a.iter().map(num).collect();
                        concat(&[m[0], m[1], m[2], m[3], m[4], m[5]], &ctm)
                    }
                    Err(_) => ctm,
                };
                let content = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
                walk(doc, &content, stream.dict.get(b"Resources").ok(), m, out, depth + 1);
            }
            _ => {}
        }
    }
}

/// The words of a table cell that run across a column line: a word whose box reaches
/// more than half a point past a vertical line beside it on both sides.
fn crossings(words: &[Word], rules: &[Rule]) -> Vec<String> {
    let mut out = Vec::new();
    for w in words {
        let mid = (w.y0 + w.y1) / 2.0;
        for r in rules.iter().filter(|r| r.page == w.page && r.y0 < mid && mid < r.y1) {
            if w.x0 < r.x - 0.5 && w.x1 > r.x + 0.5 {
                out.push(format!(
                    "page {}: {:?} ({:.1}–{:.1}) across the line at {:.1}",
                    w.page, w.text, w.x0, w.x1, r.x
                ));
            }
        }
    }
    out
}

#[tokio::test]
async fn no_word_of_a_table_runs_across_a_column_line() {
    if !poppler() {
        eprintln!("SKIPPED: pdftotext is not installed");
        return;
    }
    let db = demo().await;
    let dir = std::env::temp_dir().join(format!("kvalitet-pdf-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (kind, year) in DOCUMENTS {
        let input = load_input(&db.store, kind, year, None).await.unwrap();
        let doc = document(kind, &input).unwrap();
        let bytes = pdf(&doc);
        let stem = kind.file_stem(year);
        let (words, rules) = (words(&bytes, &dir, &stem), rules(&bytes));
        assert!(rules.len() > 20, "{stem}: the table's column lines are found ({})", rules.len());
        assert!(words.len() > 500, "{stem}: the words are read ({})", words.len());
        let bad = crossings(&words, &rules);
        assert!(bad.is_empty(), "{stem}: words across column lines:\n{}", bad.join("\n"));
        if (kind, year) == (DocumentKind::Plan, 2024) {
            // The words that ran into the next column before: in the narrow status
            // column of the self-inspections.
            assert!(words.iter().any(|w| w.text == "underlaget"), "{stem}: \"underlaget\" in a table");
            page_images(&bytes, &dir, &stem);
        }
        if kind == DocumentKind::Report {
            assert!(words.iter().any(|w| w.text == "Svarsfrekvens"), "{stem}: the survey table's header");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    db.drop_db().await;
}

/// Page images at 50 dpi in `target/test-artifacts/documents/`, for a person to look at.
fn page_images(pdf: &[u8], dir: &std::path::Path, stem: &str) {
    if !have("pdftoppm", "-v") {
        return;
    }
    let artifacts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/test-artifacts/documents");
    std::fs::create_dir_all(&artifacts).unwrap();
    let file = dir.join(format!("{stem}-pages.pdf"));
    std::fs::write(&file, pdf).unwrap();
    let out = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "50"])
        .arg(&file)
        .arg(artifacts.join(stem))
        .output()
        .unwrap();
    assert!(out.status.success(), "pdftoppm: {}", String::from_utf8_lossy(&out.stderr));
}

/// A PNG of `w` × `h` RGB pixels, stored without compression.
fn png(w: u32, h: u32, pixel: impl Fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut c = !0u32;
        for b in bytes {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            }
        }
        !c
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    let pixel = &pixel;
    let raw: Vec<u8> = (0..h).flat_map(|y| std::iter::once(0).chain((0..w).flat_map(move |x| pixel(x, y)))).collect();
    let len = u16::try_from(raw.len()).expect("a small image");
    let (mut a, mut b) = (1u32, 0u32);
    for x in &raw {
        a = (a + u32::from(*x)) % 65521;
        b = (b + a) % 65521;
    }
    let mut zlib = vec![0x78, 0x01, 0x01];
    zlib.extend(len.to_le_bytes());
    zlib.extend((!len).to_le_bytes());
    zlib.extend(&raw);
    zlib.extend(((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A string of the PDF: UTF-16 with its byte order mark, or PDFDocEncoding (Latin-1
/// for the letters used here).
fn pdf_string(bytes: &[u8]) -> String {
    match bytes.strip_prefix(&[0xfe, 0xff]) {
        Some(utf16) => {
            String::from_utf16_lossy(&utf16.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect::<Vec<_>>())
        }
        None => bytes.iter().map(|b| char::from(*b)).collect(),
    }
}

/// Every value of `key` in the PDF's dictionaries (the structure tree included).
fn values(pdf: &lopdf::Document, key: &[u8]) -> Vec<Object> {
    let dicts = pdf.objects.values().flat_map(|o| match o {
        Object::Dictionary(d) => vec![d],
        Object::Stream(s) => vec![&s.dict],
        Object::Array(a) => a.iter().filter_map(|o| o.as_dict().ok()).collect(),
        _ => vec![],
    });
    let mut found = Vec::new();
    for d in dicts {
        for (k, v) in d.iter() {
            if k == key {
                found.push(v.clone());
            }
            // Attribute dictionaries are often written inline, one level down.
            if let Ok(inner) = v.as_dict()
                && let Ok(v) = inner.get(key)
            {
                found.push(v.clone());
            }
            if let Ok(items) = v.as_array() {
                for inner in items.iter().filter_map(|o| o.as_dict().ok()) {
                    if let Ok(v) = inner.get(key) {
                        found.push(v.clone());
                    }
                }
            }
        }
    }
    found
}

fn metadata(pdf: &lopdf::Document) -> String {
    let id: ObjectId = pdf.catalog().unwrap().get(b"Metadata").unwrap().as_reference().unwrap();
    let stream = pdf.get_object(id).unwrap().as_stream().unwrap();
    String::from_utf8_lossy(&stream.decompressed_content().unwrap_or_else(|_| stream.content.clone())).into_owned()
}

async fn plan_2024() -> (kvalitet_store::testing::TestDb, DocumentInput) {
    let db = demo().await;
    let input = load_input(&db.store, DocumentKind::Plan, 2024, None).await.unwrap();
    (db, input)
}

#[tokio::test]
async fn the_cover_has_the_logo_and_the_known_facts_and_no_page_number() {
    let (db, mut input) = plan_2024().await;
    let footer = "Kvalitetsplan 2024 Individ- och familjeomsorg";

    // Nothing known: no logo, no facts, no invented labels.
    input.furniture = Furniture::default();
    let bare = document(DocumentKind::Plan, &input).unwrap();
    assert_eq!(bare.furniture.footer_title, footer, "the builder sets the footer's title");
    let text = pages(&pdf(&bare));
    for label in ["Diarienummer", "Sammanträdesdatum", "Status:", "Socialnämnden"] {
        assert!(!text[0].contains(label), "{label} on a cover that knows none: {}", text[0]);
    }
    // No page number on the cover; "N | title" at the foot of every other page.
    assert!(!text[0].split(' ').any(|w| w == "1"), "a page number on the cover: {}", text[0]);
    assert!(!text[0].contains(&format!("| {footer}")), "{}", text[0]);
    for (i, page) in text.iter().enumerate().skip(1) {
        assert!(page.contains(&format!("{} | {footer}", i + 1)), "page {}: {page}", i + 1);
    }

    // All known, with a PNG logo and then an SVG logo.
    let logos = [
        (LogoFormat::Png, png(24, 8, |x, _| if x < 12 { [31, 95, 139] } else { [255, 204, 0] })),
        (
            LogoFormat::Svg,
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 120 40\" width=\"120\" height=\"40\">\
              <rect width=\"120\" height=\"40\" fill=\"#1f5f8b\"/><circle cx=\"20\" cy=\"20\" r=\"12\" fill=\"#ffcc00\"/></svg>"
                .to_vec(),
        ),
    ];
    for (format, bytes) in logos {
        input.furniture = Furniture {
            logo: Some(Logo { format, bytes, alt: "Huddinge kommuns logotyp".into() }),
            board: Some("Socialnämnden".into()),
            reference: Some("SN-2023/112".into()),
            meeting_on: Some("2023-12-13".into()),
            status: Some("Antagen av socialnämnden".into()),
            ..Furniture::default()
        };
        let doc = document(DocumentKind::Plan, &input).unwrap();
        let bytes = pdf(&doc);
        let text = pages(&bytes);
        let cover = &text[0];
        for fact in [
            "Socialnämnden",
            "Diarienummer: SN-2023/112",
            "Sammanträdesdatum: 2023-12-13",
            "Status: Antagen av socialnämnden",
        ] {
            assert!(cover.contains(fact), "{format:?}: {fact} on the cover: {cover}");
        }
        assert!(cover.find("Kvalitetsplan 2024") < cover.find("Diarienummer"), "the facts under the title");
        let parsed = lopdf::Document::load_mem(&bytes).unwrap();
        let alts: Vec<String> =
            values(&parsed, b"Alt").iter().filter_map(|o| o.as_str().ok()).map(pdf_string).collect();
        assert!(alts.iter().any(|a| a == "Huddinge kommuns logotyp"), "{format:?}: the logo's alt text: {alts:?}");
        assert!(metadata(&parsed).contains("pdfuaid:part"), "{format:?}: still PDF/UA-1 with the logo");
        if format == LogoFormat::Png {
            let images =
                values(&parsed, b"Subtype").iter().filter(|s| s.as_name().ok() == Some(b"Image".as_slice())).count();
            assert!(images >= 1, "the PNG logo is an image in the file");
        }
    }
    db.drop_db().await;
}

#[tokio::test]
async fn a_draft_has_its_marking_in_the_header_of_the_cover_too() {
    let (db, mut input) = plan_2024().await;
    let adopted = pages(&pdf(&document(DocumentKind::Plan, &input).unwrap()));
    assert!(!adopted[0].contains("UTKAST"));
    input.draft = true;
    let draft = pages(&pdf(&document(DocumentKind::Plan, &input).unwrap()));
    for (i, page) in draft.iter().enumerate() {
        assert!(page.contains("UTKAST – Huddinge kommun"), "page {}: {page}", i + 1);
    }
    db.drop_db().await;
}

#[tokio::test]
async fn a_footnote_stands_at_the_foot_of_its_page_as_written() {
    let (db, input) = plan_2024().await;
    let mut doc = document(DocumentKind::Plan, &input).unwrap();
    let note = "Källa: Socialstyrelsen, \"Öppna jämförelser\" #set [x] *fet* <b>";
    let at = doc.blocks.iter().position(|b| matches!(b, Block::Paragraph(_))).unwrap();
    doc.blocks.insert(at + 1, Block::Paragraph(Para::new("Ett stycke med en fotnot.").with_footnote(note)));
    let text = pages(&pdf(&doc));
    let page = text.iter().find(|p| p.contains("Ett stycke med en fotnot.")).expect("the paragraph");
    let (body, note_at) = (page.find("Ett stycke med en fotnot.").unwrap(), page.find(&norm(note)));
    assert!(note_at.is_some_and(|n| n > body), "the footnote, as written, after its paragraph: {page}");
    db.drop_db().await;
}

#[tokio::test]
async fn the_first_cell_of_each_row_is_a_row_header_in_the_tagged_pdf() {
    let (db, input) = plan_2024().await;
    let doc = document(DocumentKind::Plan, &input).unwrap();
    let tables = doc.blocks.iter().flat_map(|b| match b {
        Block::Table(t) => vec![t],
        Block::Figure(f) => f.tables.iter().collect(),
        _ => vec![],
    });
    let rows: usize = tables.filter(|t| t.row_headers).map(|t| t.rows.len()).sum();
    assert!(rows > 20);
    let parsed = lopdf::Document::load_mem(&pdf(&doc)).unwrap();
    let scopes = values(&parsed, b"Scope");
    let row_scopes = scopes.iter().filter(|s| s.as_name().ok() == Some(b"Row".as_slice())).count();
    assert!(row_scopes >= rows, "{row_scopes} row headers for {rows} rows");
    assert!(metadata(&parsed).contains("pdfuaid:part"), "still PDF/UA-1");
    db.drop_db().await;
}

/// A table's caption is never left alone at the foot of a page with the table on the
/// next: on the page that shows "Tabell N: caption", the table's first heading follows it.
#[tokio::test]
async fn a_table_caption_stays_on_the_page_of_its_table() {
    let db = demo().await;
    for (kind, year) in DOCUMENTS {
        let input = load_input(&db.store, kind, year, None).await.unwrap();
        let doc = document(kind, &input).unwrap();
        let stem = kind.file_stem(year);
        let text = pages(&pdf(&doc));
        let tables = doc.blocks.iter().flat_map(|b| match b {
            Block::Table(t) => vec![t],
            Block::Figure(f) => f.tables.iter().collect(),
            _ => vec![],
        });
        for t in tables.filter(|t| !t.header.is_empty()) {
            // "Tabell N: caption", whatever N is.
            let caption = format!(": {}", norm(&t.caption));
            let found = text.iter().enumerate().find_map(|(i, p)| {
                p.match_indices(&caption)
                    .find(|(at, _)| p[..*at].trim_end_matches(|c: char| c.is_ascii_digit()).ends_with("Tabell "))
                    .map(|(at, _)| (i, at))
            });
            let Some((page, at)) = found else { panic!("{stem}: no caption «Tabell N{caption}»") };
            let after = &text[page][at + caption.len()..];
            assert!(
                after.contains(&norm(&t.header[0])),
                "{stem}: «{}» ends page {} without its table: «{after}»",
                t.caption,
                page + 1
            );
        }
    }
    db.drop_db().await;
}

/// A chapter that holds a table or a figure starts on a new page, in the PDF, the DOCX
/// (`w:pageBreakBefore` on its heading) and the printed HTML; prose chapters run on.
#[tokio::test]
async fn a_chapter_with_tables_starts_a_new_page_and_prose_runs_on() {
    let db = demo().await;
    for (kind, year) in DOCUMENTS {
        let input = load_input(&db.store, kind, year, None).await.unwrap();
        let doc = document(kind, &input).unwrap();
        let stem = kind.file_stem(year);
        let chapters: Vec<(&str, bool)> = doc
            .blocks
            .iter()
            .zip(doc.new_pages())
            .filter_map(|(b, new)| match b {
                Block::Heading { level: 1, text } => Some((text.as_str(), new)),
                _ => None,
            })
            .collect();
        let starting = chapters.iter().filter(|(_, new)| *new).count();
        assert!(starting >= 1, "{stem}: {chapters:?}");

        // PDF: the page's text, after the running header, begins with the heading.
        let header = norm(&doc.running_header());
        let tops: Vec<String> = pages(&pdf(&doc))
            .into_iter()
            .map(|p| p.strip_prefix(&header).map_or(p.clone(), |rest| rest.trim_start().to_owned()))
            .collect();
        for (text, _) in chapters.iter().filter(|(_, new)| *new) {
            let at_top = tops.iter().skip(2).any(|p| p.starts_with(&norm(text)));
            assert!(at_top, "{stem}: «{text}» does not begin a page");
        }

        // DOCX: the heading's paragraph has the break; HTML: the print class.
        let docx = render_model(&doc, Format::Docx).unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml).unwrap();
        let html = String::from_utf8(render_model(&doc, Format::Html).unwrap()).unwrap();
        // The first chapter follows the contents on a page of its own in any case.
        for (text, new) in chapters.iter().skip(1) {
            let escaped = text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
            // The heading's own paragraph (the table of contents names it too).
            let paragraph = xml
                .split("</w:p>")
                .find(|p| p.contains("w:val=\"Heading1\"") && p.contains(&format!(">{escaped}<")))
                .unwrap_or_else(|| panic!("{stem}: «{text}» as a heading in the DOCX"));
            assert_eq!(paragraph.contains("<w:pageBreakBefore"), *new, "{stem}: «{text}» in the DOCX");
            let h2 = html.find(&format!(">{escaped}</h2>")).unwrap_or_else(|| panic!("{stem}: «{text}» in the HTML"));
            let tag = &html[html[..h2].rfind("<h2").unwrap()..h2];
            assert_eq!(tag.contains("class=\"new-page\""), *new, "{stem}: «{text}» in the HTML: {tag}");
        }
    }
    // Seed 000's "Inledning" and its first section share a page; its risks do not.
    let input = load_input(&db.store, DocumentKind::Plan, 2024, None).await.unwrap();
    let text = pages(&pdf(&document(DocumentKind::Plan, &input).unwrap()));
    let page_of = |needle: &str| text.iter().position(|p| p.contains(needle)).unwrap();
    assert_eq!(page_of("Inledning Syfte med kvalitetsarbete"), page_of("Socialtjänsten är en komplex verksamhet"));
    db.drop_db().await;
}
