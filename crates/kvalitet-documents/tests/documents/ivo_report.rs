//! The prefilled report of a lex Sarah case to IVO, from the demo's lex Sarah case with
//! part of its investigation recorded, read back from the DOCX (word/document.xml) and
//! the PDF (text extracted): every recorded fact is there, every question the data does
//! not answer is marked "Fylls i av verksamheten", computed values say so, the draft
//! marking is at the top and in the page header, and nothing names a person.

use std::io::Read;

use kvalitet_documents::Format;
use kvalitet_documents::ivo_report::{self, Answer, IvoReport, MARKING, TO_FILL};
use kvalitet_domain::deviation::{Deviation, DeviationKind, LexSarahCategory};
use kvalitet_domain::org::OrgUnit;
use kvalitet_domain::{Date, Versioned};
use kvalitet_store::links::{self, LinkKind};
use kvalitet_store::{Actor, Store, Where, repo};

use super::{demo, norm, text_of};

/// The demo's lex Sarah case of Beroendeenheten, with part of its investigation recorded
/// and someone's name as the reporter.
async fn investigated_case(store: &Store) -> Versioned<Deviation> {
    let mut conn = store.read().await.unwrap();
    let all: Vec<Versioned<Deviation>> = repo::list(&mut conn, Where::all()).await.unwrap();
    drop(conn);
    let case = all.into_iter().find(|d| d.kind == DeviationKind::LexSarah).expect("the demo's lex Sarah case");
    // The demo's case gives only its year; this one's days are known.
    let next = Deviation {
        occurred_on: Date::constant(2022, 12, 20),
        reported_on: Date::constant(2022, 12, 31),
        undated: false,
        lex_sarah_category: Some(LexSarahCategory::Serious),
        investigation_started_on: Some(Date::constant(2022, 12, 31)),
        investigator: "Utredare Ulla Utredningsson".into(),
        causes: "Rutinen för inkommande anmälningar var okänd för nyanställda.".into(),
        person_informed: Some(true),
        person_informed_on: Some(Date::constant(2023, 1, 5)),
        decided_on: None,
        decided_by: String::new(),
        reported_by: "Rapportör Rut Rapportsson".into(),
        ..case.item.clone()
    };
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    repo::update(&mut tx, case.id, case.version, &next).await.unwrap();
    tx.commit().await.unwrap();
    let mut conn = store.read().await.unwrap();
    repo::get::<Deviation>(&mut conn, case.id).await.unwrap()
}

async fn report_of(store: &Store, case: Versioned<Deviation>) -> IvoReport {
    let mut conn = store.read().await.unwrap();
    let facts = ivo_report::load::facts(&mut conn, case).await.unwrap();
    IvoReport::new(&facts, Date::constant(2023, 1, 9))
}

#[tokio::test]
async fn the_ivo_report_has_the_recorded_facts_and_marks_what_is_missing_in_docx_and_pdf() {
    let db = demo().await;
    let case = investigated_case(&db.store).await;
    let report = report_of(&db.store, case.clone()).await;
    assert_eq!(report.file_name(Format::Pdf), format!("ivo-anmalan-{}.pdf", case.reference(case.id)));
    let to_fill = report.questions().filter(|q| q.answer.is_to_fill()).count();
    assert!(to_fill >= 10, "the provider's details, the signature and more are left to fill ({to_fill})");

    for format in [Format::Docx, Format::Pdf] {
        let bytes = report.render(format).unwrap_or_else(|e| panic!("{format:?}: {e}"));
        // (The PDF's text is compared without a space after a hyphen; see `text_of`.)
        let text = text_of(format, &bytes).replace("- ", "-");
        for fact in [
            "Anmälan enligt lex Sarah",
            MARKING,
            "Huddinge kommun",
            "Beroendeenheten",
            "Individ- och familjeomsorg, Vuxensektionen",
            &format!("Ärende {} i Kvalitet", case.reference(case.id)),
            "Underlaget är hämtat ur Kvalitet 2023-01-09",
            "Allvarligt missförhållande",
            "LVM-anmälan bedömdes och hanterades inte inom tre veckor",
            "Lex Sarah-rapporten gällde en LVM-anmälan som inte bedömdes och hanterades på tre veckor.",
            "Utredningen bedömde att händelsen var ett missförhållande.",
            "Rutinen för inkommande anmälningar var okänd för nyanställda.",
            "Utredare Ulla Utredningsson",
            "Ja, 2023-01-05",
            "rutiner för inkommande anmälningar har gåtts igenom",
            // Reported 2022-12-31, 14 days by default, and said to be computed.
            "2023-01-14 Beräknat av Kvalitet: 14 dagar efter att rapporten togs emot 2022-12-31",
            "Kvalitet har inga uppgifter om enskilda",
        ] {
            assert!(text.contains(&norm(fact).replace("- ", "-")), "{format:?}: {fact:?} missing in:\n{text}");
        }
        // A marked box for every missing answer, and the explanation of the mark.
        assert_eq!(text.matches(TO_FILL).count(), to_fill + 1, "{format:?}: a box for every missing answer");
        // The decision and the IVO report are not recorded: left to fill, not guessed.
        for question in ["Beslut om bedömningen, datum och av vem", "Anmälan gjord", "IVO:s diarienummer"] {
            assert!(text.contains(&format!("{question} {TO_FILL}")), "{format:?}: {question} not left to fill");
        }
        assert!(!text.contains("Rapportsson"), "{format:?}: the reporter's name is not in the report");
    }

    // The draft marking in every page header.
    let docx = report.render(Format::Docx).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut header = String::new();
    zip.by_name("word/header1.xml").unwrap().read_to_string(&mut header).unwrap();
    assert!(header.contains(MARKING), "{header}");
    let pdf_text = text_of(Format::Pdf, &report.render(Format::Pdf).unwrap());
    let headers = pdf_text.matches(&format!("{MARKING} – Huddinge kommun")).count();
    assert!(headers >= 2, "the running header on the pages after the first ({headers})");
    db.drop_db().await;
}

#[tokio::test]
async fn the_ivo_report_lists_the_actions_decided_and_warns_of_an_assessment_that_is_not_serious() {
    let db = demo().await;
    let mut conn = db.store.read().await.unwrap();
    let all: Vec<Versioned<Deviation>> = repo::list(&mut conn, Where::all()).await.unwrap();
    let actions: Vec<Versioned<kvalitet_domain::action::Action>> = repo::list(&mut conn, Where::all()).await.unwrap();
    let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
    drop(conn);
    let case = all.into_iter().find(|d| d.kind == DeviationKind::LexSarah).unwrap();
    assert_eq!(case.lex_sarah_category, Some(LexSarahCategory::Impropriety), "the demo's assessment");
    let action = &actions[0];
    let mut tx = db.store.write(&Actor::system("test")).await.unwrap();
    links::link(&mut tx, LinkKind::DeviationAction, case.id.get(), action.id.get()).await.unwrap();
    tx.commit().await.unwrap();

    let report = report_of(&db.store, case.clone()).await;
    let planned = &report.questions().find(|q| q.label == "Åtgärder som har beslutats eller planeras").unwrap().answer;
    assert!(matches!(planned, Answer::Recorded(t) if t.contains(action.title.trim())), "{planned:?}");
    let unit = units.iter().find(|u| u.id == case.unit_id).unwrap();
    assert_eq!(report.unit, unit.name);
    let text = text_of(Format::Docx, &report.render(Format::Docx).unwrap());
    assert!(text.contains(&norm(action.title.trim())), "the action decided for the case");
    assert!(text.contains("Missförhållande (bedömningen i Kvalitet)"));
    assert!(
        text.contains(
            "Till IVO anmäls allvarliga missförhållanden och påtagliga risker för allvarliga missförhållanden"
        ),
        "the warning"
    );
    db.drop_db().await;
}

#[tokio::test]
async fn libreoffice_opens_the_ivo_report_and_pdftotext_reads_it() {
    // As the board documents' test: where the tools are installed (required in CI).
    let (lo, poppler) = (super::have("libreoffice", "--version"), super::have("pdftotext", "-v"));
    if std::env::var_os("KVALITET_REQUIRE_OFFICE_TOOLS").is_some() {
        assert!(lo && poppler, "CI requires libreoffice ({lo}) and pdftotext ({poppler})");
    }
    if !lo && !poppler {
        eprintln!("SKIPPED: neither libreoffice nor pdftotext is installed");
        return;
    }
    let db = demo().await;
    let case = investigated_case(&db.store).await;
    let report = report_of(&db.store, case).await;
    let dir = std::env::temp_dir().join(format!("kvalitet-ivo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    if lo {
        let docx = dir.join(report.file_name(Format::Docx));
        std::fs::write(&docx, report.render(Format::Docx).unwrap()).unwrap();
        let out = std::process::Command::new("libreoffice")
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(dir.join("lo"))
            .arg(&docx)
            .env("HOME", &dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let converted = dir.join("lo").join(report.file_name(Format::Pdf));
        assert!(converted.exists(), "LibreOffice wrote no PDF of the IVO report");
    }
    if poppler {
        let pdf = dir.join(report.file_name(Format::Pdf));
        std::fs::write(&pdf, report.render(Format::Pdf).unwrap()).unwrap();
        let out = std::process::Command::new("pdftotext").arg(&pdf).arg("-").output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let text = norm(&String::from_utf8_lossy(&out.stdout));
        assert!(text.contains(TO_FILL) && text.contains("Utredare Ulla Utredningsson"), "{text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
    db.drop_db().await;
}

#[tokio::test]
async fn the_ivo_report_pdf_is_tagged_with_language_title_and_bookmarks() {
    let db = demo().await;
    let case = investigated_case(&db.store).await;
    let report = report_of(&db.store, case).await;
    let pdf = lopdf::Document::load_mem(&report.render(Format::Pdf).unwrap()).unwrap();
    let catalog = pdf.catalog().unwrap();
    assert!(catalog.has(b"StructTreeRoot"), "tagged PDF");
    assert!(catalog.has(b"Outlines"), "bookmarks");
    let lang = catalog.get(b"Lang").unwrap().as_str().unwrap();
    assert!(String::from_utf8_lossy(lang).starts_with("sv"));
    // DOCX: real headings, a repeating header row on every table, title and language.
    let docx = report.render(Format::Docx).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml").unwrap().read_to_string(&mut xml).unwrap();
    assert!(xml.contains("<w:pStyle w:val=\"Heading1\" />"));
    let tables = xml.matches("<w:tbl>").count();
    assert_eq!(tables, report.parts.len(), "one table per part of the form");
    assert_eq!(xml.matches("<w:tblHeader />").count(), tables);
    let mut core = String::new();
    zip.by_name("docProps/core.xml").unwrap().read_to_string(&mut core).unwrap();
    assert!(core.contains("<dc:language>sv-SE</dc:language>"), "{core}");
    assert!(core.contains("Anmälan enligt lex Sarah"), "{core}");
    db.drop_db().await;
}
