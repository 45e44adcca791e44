//! Kvalitetsberättelse 2022 (seed 002) from the demo data, held against the seed: every
//! heading of the seed once, in the seed's order and nesting; the seed's two tables row
//! by row; the seed's figures in order; lists right after the sentence that introduces
//! them; the seed's footnotes as footnotes; no date the demo file does not hold as the
//! seed's (lines marked "not in the seed" do not count); no internal note of the demo.

use std::io::Read;

use kvalitet_documents::model::{Block, Document};
use kvalitet_documents::{DocumentKind, Format, document, load_input, render};

use super::{demo, generate, norm, pos, strip_tags, unescape_xml};

/// The seed's headings in order, with their level (1: chapter).
const HEADINGS: [(u8, &str); 40] = [
    (1, "Inledning"),
    (1, "Kvalitet i verksamheten"),
    (2, "Kunskapsbaserad verksamhet"),
    (2, "Hög delaktighet"),
    (2, "Hög säkerhet, trygghet och gott bemötande"),
    (2, "God tillgänglighet och insatser inom rimlig tid"),
    (2, "Helhetssyn och samordning"),
    (2, "Resurser används där de kommer målgruppen till störst nytta"),
    (1, "Fokusområden för kvalitetsarbetet under året"),
    (2, "Målbild för medborgare"),
    (2, "Målbild för medarbetare"),
    (2, "Förebyggande verksamhet"),
    (2, "Mottagningsfunktion"),
    (2, "Myndighetsutövning"),
    (2, "Insatser"),
    (1, "Underlag för bedömning av kvalitet"),
    (2, "Verksamhetens förutsättningar"),
    (2, "Statistik och kvalitetsregister"),
    (3, "Förebyggande"),
    (3, "Myndighetsutövning - utredningar"),
    (2, "Resultat från öppna jämförelser"),
    (2, "Brukarundersökningar"),
    (3, "Myndighetsutövning för vuxna inom socialpsykiatrin"),
    (3, "Myndighetsutövning för vuxna med beroende"),
    (3, "IPS"),
    (3, "Boendestöd"),
    (3, "Nattpatrull (boendestöd natt)"),
    (3, "Boenden"),
    (3, "Sysselsättning"),
    (2, "Systematisk uppföljning"),
    (2, "Avvikelser, synpunkter och klagomål"),
    (3, "Rapporterade avvikelser"),
    (2, "Revisioner och granskningar"),
    (3, "Uppföljning av arbetet med avhoppare"),
    (3, "Uppföljning av arbetet med samutredningar"),
    (1, "Bedömning av kvalitet"),
    (2, "Förebyggande verksamhet"),
    (2, "Myndighetsutövning för vuxna"),
    (2, "Utförande verksamhet"),
    (1, "Förbättringsområden"),
];

/// The seed's headings, then the chapter of comparisons with Kolada (F13), which the
/// seed does not have: the demo's example values for the year's indicators add it.
fn seed_headings() -> Vec<(u8, String)> {
    let mut all: Vec<(u8, String)> = HEADINGS.iter().map(|(l, t)| (*l, (*t).to_owned())).collect();
    all.push((1, "Jämförelser med andra kommuner".to_owned()));
    all
}

/// The seed's figures (and the sentences the seed's data must not lose), in the seed's
/// order, each with enough words around it to be found only at its place.
const FIGURES: &[&str] = &[
    "fokusområden för 2022 har varit",
    "personer över 20 år som har beroendeproblematik",
    "personer över 18 år med psykiska funktionsnedsättningar",
    "vilken förflyttning verksamheten ska ha genomfört fram till 2026",
    "implementerat SU Kvinnofrid 2.0 för systematisk uppföljning",
    "under 2022 implementerat arbetskonceptet FRAMÅT. Under året deltog 38 unga vuxna i insatsen",
    "18–25-åringar",
    "från 3–4 placeringar per år till 10–13 placeringar per år. Sedan 2016",
    "presenterades i slutet av 2021",
    "115 unika individer (varav 68 kvinnor och 47 män)",
    "428 samtal vilket är 42 samtal fler än 2021. Väntetiden har som mest varit 12 dagar",
    "avslutade inom 90 dagar respektive 60 dagar",
    "den genomsnittliga utredningstiden 63 dagar",
    "från 74 procent 2021 till 80 procent 2022",
    "avslutat 70 procent av sina utredningar inom 90 dagar",
    "Den genomsnittliga utredningstiden är 72 dagar",
    "från 40 procent 2021 till 45 procent och enheter mot våld i nära relationer från 43 procent till 50 procent",
    "totalt 14 personer svarade",
    "ingick i urvalet var 73. Totalt lämnades 26 svar vilket ger en svarsfrekvens på 36 procent",
    "81 procent har svarat",
    "var svarsfrekvensen 50 procent",
    "Boendestöd hade en svarsfrekvens på 43 procent",
    "99 procent upplever att boendestödjarna bryr sig om dem och 95 procent trivs",
    "Nattpatrullen hade en svarsfrekvens på 32 procent",
    "relativt högt – 67 procent. 12 av 18 boende har svarat",
    "Fleming var svarsfrekvensen på 54 procent",
    "Aktivitetshuset var svarsfrekvensen på 76 procent",
    "90 stycken självskattningar",
    "78 procent anser att deras situation har förbättrats, 88 procent är nöjda med hjälpen de fått och 96 procent",
    "det 61 procent som anser",
    "83 procent svarar att stödet",
    "77 procent svarar att det skett en positiv förändring",
    // The two sentences of the seed's "Rapporterade avvikelser" on counts, each at its
    // place around the cases.
    "På beroendeenheten har fyra stycken interna avvikelser och en Lex Sarah rapporterats under året. \
     Lex Sarah-rapporten gällde en LVM-anmälan",
    "när medarbetare slutar. Övriga klagomål kunde ej hänvisas till brister i organisationen och hanterades \
     i samtal med den klagande. Vuxensektionen har ett lågt antal rapporterade avvikelser",
    "Under 2023 kommer verksamheten följa upp detta",
    // The seed's two tables, row by row.
    "Lex Sarah 1 1",
    "Intern avvikelse 4 1",
    "Synpunkter och klagomål 5 3",
    "Allvarligt missförhållande – –",
    "Risk för allvarligt missförhållande – –",
    "Missförhållande 1 –",
    "Risk för missförhållande – –",
    "Ej missförhållande – 1",
    "under perioden 2015–2021",
    "under 2015-2021 beviljat insatser särskilt inriktade mot vuxna som vill bryta sin kriminella bana för totalt 18 personer",
    "Arbetet har följts upp under 2022",
    "Under 2023 planerar verksamheten",
    "placerades inom samma nämnd 2021",
    "Fokus för 2023 kommer fortsatt vara",
    "SOU 2020:47",
];

/// Internal notes of the demo file that are not the seed's text.
const INTERNAL: [&str; 4] =
    ["Härlett ur källan", "Registrerade utanför Kvalitet", "beskrivs som egen händelse", "Fotnot:"];

fn demo_file() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../demo/002-kvalitetsberattelse-2022-vuxna.toml").to_owned();
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Every YYYY-MM-DD in `text`.
fn dates(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    (0..b.len().saturating_sub(9))
        .filter(|&i| {
            (i == 0 || !digit(i - 1))
                && (0..4).all(|k| digit(i + k))
                && b[i + 4] == b'-'
                && digit(i + 5)
                && digit(i + 6)
                && b[i + 7] == b'-'
                && digit(i + 8)
                && digit(i + 9)
                && !digit(i + 10)
        })
        .map(|i| text[i..i + 10].to_owned())
        .collect()
}

/// The dates the demo file holds as the seed's: those on lines not marked "not in the
/// seed".
fn seed_dates() -> Vec<String> {
    demo_file().lines().filter(|l| !l.contains("not in the seed")).flat_map(dates).collect()
}

fn model_headings(doc: &Document) -> Vec<(u8, String)> {
    doc.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, text } => Some((*level, text.clone())),
            _ => None,
        })
        .collect()
}

/// The headings of the HTML body (after the table of contents), the title's h1 left out;
/// levels back to the model's (the body's levels start at h2).
fn html_headings(html: &str) -> Vec<(u8, String)> {
    let main = &html[html.find("<main>").expect("<main>")..];
    let mut out = Vec::new();
    let mut rest = main;
    while let Some(at) = rest.find("<h") {
        rest = &rest[at + 2..];
        let Some(level) = rest.chars().next().and_then(|c| c.to_digit(10)) else { continue };
        let start = rest.find('>').unwrap() + 1;
        let end = rest.find("</h").unwrap();
        out.push((level as u8 - 1, norm(&unescape_xml(&rest[start..end]))));
        rest = &rest[end..];
    }
    out
}

/// The paragraphs of a DOCX body set in a heading style, with the style's level.
fn docx_headings(bytes: &[u8]) -> Vec<(u8, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    xml.split("</w:p>")
        .filter_map(|p| {
            let at = p.find("<w:pStyle w:val=\"Heading")? + "<w:pStyle w:val=\"Heading".len();
            let level = p[at..].chars().next()?.to_digit(10)? as u8;
            Some((level, norm(&strip_tags(p))))
        })
        .collect()
}

#[tokio::test]
async fn seed_002_headings_lists_and_footnotes_in_the_model() {
    let db = demo().await;
    let input = load_input(&db.store, DocumentKind::Report, 2022, None).await.unwrap();
    let doc = document(DocumentKind::Report, &input).unwrap();
    assert_eq!(model_headings(&doc), seed_headings(), "the seed's headings, each once, in order");

    // A sentence that ends in a colon introduces the list right after it (the quality
    // factors excepted: their headings follow).
    for (i, b) in doc.blocks.iter().enumerate() {
        if let Block::Paragraph(p) = b
            && p.text.ends_with(':')
        {
            let next = &doc.blocks[i + 1];
            if p.text.ends_with("följande kvalitetsfaktorer:") {
                assert_eq!(next, &Block::Heading { level: 2, text: "Kunskapsbaserad verksamhet".into() });
            } else {
                assert!(matches!(next, Block::List(_)), "{:?} is followed by {next:?}", p.text);
            }
        }
    }
    let intro = doc
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Paragraph(p) if p.text.ends_with("prioriteras under 2023 är följande:")))
        .expect("the improvement areas' sentence");
    let Block::List(items) = &doc.blocks[intro + 1] else { panic!("no list after the improvement areas' sentence") };
    assert_eq!(items.len(), 9);
    assert!(items[0].text.starts_with("Nå fler tidigt") && items[8].text.ends_with("kommunicerad kompetensplan."));

    // The seed's three footnotes, each on the paragraph with its mark.
    let notes: Vec<(&str, &str)> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Paragraph(p) => p.footnote.as_deref().map(|n| (p.text.as_str(), n)),
            _ => None,
        })
        .collect();
    let expected = [
        ("individuellt anpassad MI,", "Motiverande samtal erbjuds som individuell stödinsats"),
        ("SU Kvinnofrid 2.0 för systematisk uppföljning", "SU Kvinnofrid 2.0 är ett SKR-projekt"),
        ("på svenska översatt till gruppvåldsintervention.", "GVI, gruppvåldsintervention. En strategi"),
    ];
    assert_eq!(notes.len(), expected.len(), "{notes:?}");
    for ((text, note), (in_text, starts)) in notes.iter().zip(expected) {
        assert!(text.contains(in_text) && note.starts_with(starts), "{text:?} with footnote {note:?}");
        assert!(!text.contains("[^"), "{text:?}");
    }
    let plain = doc.plain_text();
    assert!(plain.contains("skr.se/skr/integrationsocialomsorg"), "the footnote's link");
}

#[tokio::test]
async fn seed_002_headings_tables_figures_and_dates_in_every_format() {
    let db = demo().await;
    let input = load_input(&db.store, DocumentKind::Report, 2022, None).await.unwrap();
    let headings = seed_headings();
    let allowed = seed_dates();

    let html = String::from_utf8(render(DocumentKind::Report, Format::Html, &input).unwrap()).unwrap();
    // The HTML ends with its footnotes under a heading of their own ("Fotnoter").
    let mut html_heads = html_headings(&html);
    assert_eq!(html_heads.pop(), Some((1, "Fotnoter".to_owned())), "the footnotes' section");
    assert_eq!(html_heads, headings, "HTML headings");
    let chapters: Vec<&str> = headings.iter().filter(|(l, _)| *l == 1).map(|(_, t)| t.as_str()).collect();
    let toc = &html[html.find("<nav").expect("a table of contents")..html.find("</nav>").unwrap()];
    let toc: Vec<String> =
        toc.split("<li>").skip(1).map(|li| norm(&unescape_xml(&strip_tags(li)))).filter(|t| !t.is_empty()).collect();
    assert_eq!(toc, chapters, "HTML table of contents: each chapter once");
    let docx = render(DocumentKind::Report, Format::Docx, &input).unwrap();
    assert_eq!(docx_headings(&docx), headings, "DOCX headings");
    let pdf = render(DocumentKind::Report, Format::Pdf, &input).unwrap();
    let outline: Vec<(u8, String)> = pdf_outline(&pdf).into_iter().filter(|(_, t)| t != "Innehåll").collect();
    assert_eq!(outline, headings, "PDF bookmarks");

    for g in generate(DocumentKind::Report, &input) {
        // After the table of contents: the body's first heading and sentence.
        let body = pos(&g, "Inledning Kvalitetsberättelsen redovisar", 0);
        let mut cursor = body;
        for (_, h) in &headings {
            cursor = pos(&g, h, cursor);
        }
        let mut cursor = body;
        for f in FIGURES {
            cursor = pos(&g, f, cursor) + 1;
        }
        // The improvement areas right after their sentence (a list mark may stand
        // between).
        let at = pos(&g, "prioriteras under 2023 är följande:", body) + "prioriteras under 2023 är följande:".len();
        let next = g.text[at..].trim_start().trim_start_matches(['•', '–', '-']).trim_start();
        assert!(next.starts_with("Nå fler tidigt"), "{:?}: after the sentence: {:.80}", g.format, next);

        for d in dates(&g.text) {
            assert!(
                allowed.contains(&d),
                "{:?}: the date {d} is not the seed's (demo/002 holds it only as invented)",
                g.format
            );
        }
        for note in INTERNAL {
            assert!(!g.text.contains(note), "{:?}: the demo's internal note {note:?} is printed", g.format);
        }
    }
}

/// The PDF's bookmarks (outline) in order, with their depth (1: top).
fn pdf_outline(bytes: &[u8]) -> Vec<(u8, String)> {
    fn title(o: &lopdf::Object) -> String {
        let b = o.as_str().expect("a title string");
        if let Some(utf16) = b.strip_prefix(&[0xfe, 0xff]) {
            let units: Vec<u16> = utf16.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
            String::from_utf16_lossy(&units)
        } else {
            String::from_utf8_lossy(b).into_owned()
        }
    }
    fn walk(pdf: &lopdf::Document, first: Option<lopdf::ObjectId>, depth: u8, out: &mut Vec<(u8, String)>) {
        let mut next = first;
        while let Some(id) = next {
            let item = pdf.get_dictionary(id).expect("an outline item");
            out.push((depth, norm(&title(item.get(b"Title").expect("Title")))));
            walk(pdf, item.get(b"First").and_then(lopdf::Object::as_reference).ok(), depth + 1, out);
            next = item.get(b"Next").and_then(lopdf::Object::as_reference).ok();
        }
    }
    let pdf = lopdf::Document::load_mem(bytes).unwrap();
    let outlines = pdf.catalog().unwrap().get(b"Outlines").unwrap().as_reference().unwrap();
    let first = pdf.get_dictionary(outlines).unwrap().get(b"First").and_then(lopdf::Object::as_reference).ok();
    let mut out = Vec::new();
    walk(&pdf, first, 1, &mut out);
    out
}
