//! The analysis of deviations through HTTP: the list's year filter and voided reports,
//! the counts (total rows, quarters, categories, lex Sarah, complaints), the workbook
//! export, the municipality's settings and the event analysis with its actions.

use axum::http::{StatusCode, header};

use kvalitet_domain::deviation::{
    CategoryDimension, Complainant, ComplaintChannel, Deviation, DeviationCategory, DeviationKind, DeviationStatus,
    EventAnalysis, LexSarahCategory,
};
use kvalitet_domain::org::OrgUnit;
use kvalitet_domain::plan::QualityPlan;
use kvalitet_domain::risk::Risk;
use kvalitet_domain::{Date, Id, Versioned};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Column, LinkKind, Store, Where, deviations, links, plans, repo};

use crate::{ADMIN, MANAGER, QUALITY, READER, STAFF, TestApp};

fn this_year() -> i16 {
    jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap()).date().year()
}

async fn unit(store: &Store, name: &str) -> Versioned<OrgUnit> {
    let mut conn = store.read().await.unwrap();
    let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
    units.into_iter().find(|u| u.name == name).unwrap()
}

/// Stores a report directly, as if registered and handled; returns its id.
async fn report(
    store: &Store,
    unit_name: &str,
    kind: DeviationKind,
    on: Date,
    title: &str,
    change: impl FnOnce(&mut Deviation),
) -> i64 {
    let u = unit(store, unit_name).await;
    let mut d =
        Deviation::registered(u.tenant_id, u.id, kind, on, on, title.into(), "Beskrivning.".into(), "Test".into());
    change(&mut d);
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let id = plans::create(&mut tx, &d).await.unwrap().get();
    tx.commit().await.unwrap();
    id
}

/// The cells of the row labelled `label` in the first table after `caption`.
fn cells(body: &str, caption: &str, label: &str) -> Vec<String> {
    let table = &body[body.find(caption).unwrap_or_else(|| panic!("no table {caption}"))..];
    let table = &table[..table.find("</table>").unwrap()];
    let row = &table
        [table.find(&format!("<th scope=\"row\">{label}")).unwrap_or_else(|| panic!("no row {label} in {table}"))..];
    let row = &row[..row.find("</tr>").unwrap()];
    row.split("<td class=\"num\">").skip(1).map(|c| c.split('<').next().unwrap().to_owned()).collect()
}

/// The reports of the usual test: three this year and one last year in Beroendeenheten
/// (one of this year's voided), a complaint this year in Socialpsykiatrienheten.
struct Reports {
    first: i64,
    lex_sarah: i64,
    complaint: i64,
    year: i16,
}

async fn reports(store: &Store) -> Reports {
    let year = this_year();
    let first = report(
        store,
        "Beroendeenheten",
        DeviationKind::Internal,
        Date::constant(year, 1, 15),
        "Årets avvikelse",
        |_| {},
    )
    .await;
    let lex_sarah = report(
        store,
        "Beroendeenheten",
        DeviationKind::LexSarah,
        Date::constant(year, 5, 20),
        "Årets lex Sarah",
        |d| {
            d.status = DeviationStatus::Assessed;
            d.lex_sarah_category = Some(LexSarahCategory::Impropriety);
        },
    )
    .await;
    report(
        store,
        "Beroendeenheten",
        DeviationKind::Internal,
        Date::constant(year - 1, 11, 2),
        "Fjolårets avvikelse",
        |_| {},
    )
    .await;
    report(store, "Beroendeenheten", DeviationKind::Internal, Date::constant(year, 2, 1), "Makulerad händelse", |d| {
        d.voided_on = Some(Date::constant(year, 2, 2));
        d.void_reason = "Registrerad två gånger".into();
    })
    .await;
    let complaint = report(
        store,
        "Socialpsykiatrienheten",
        DeviationKind::Complaint,
        Date::constant(year, 8, 10),
        "Svar dröjde",
        |d| {
            d.complainant = Some(Complainant::Relative);
            d.channel = Some(ComplaintChannel::Phone);
            d.answered_on = Some(Date::constant(year, 8, 14));
        },
    )
    .await;
    Reports { first, lex_sarah, complaint, year }
}

async fn signed_in(store: &Store, who: (&str, &str)) -> TestApp {
    let mut app = TestApp::on(store.clone());
    app.login(who).await;
    app
}

#[tokio::test]
async fn the_year_filters_the_list_and_the_counts_add_up() {
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        let r = reports(&store).await;
        let (year, last) = (r.year, r.year - 1);
        let manager = signed_in(&store, MANAGER).await;
        for page in [manager.get("/avvikelser").await, manager.get(&format!("/avvikelser?ar={year}")).await] {
            assert_eq!(page.status, StatusCode::OK);
            assert!(page.body.contains("Årets avvikelse"));
            assert!(page.body.contains("Årets lex Sarah"));
            assert!(!page.body.contains("Fjolårets avvikelse"), "last year's report is not in this year's list");
            assert!(!page.body.contains("Makulerad händelse"), "voided reports are left out");
            assert!(!page.body.contains("Svar dröjde"), "another unit's report");
            assert!(page.body.contains(&format!("<option value=\"{year}\" selected>{year}</option>")));
        }
        let page = manager.get(&format!("/avvikelser?ar={last}")).await.body;
        assert!(page.contains("Fjolårets avvikelse"));
        assert!(!page.contains("Årets avvikelse"));
        // Voided reports apart, marked.
        let page = manager.get(&format!("/avvikelser?ar={year}&makulerade=1")).await.body;
        let voided = &page[page.find("Makulerade ärenden").expect("the voided reports' table")..];
        assert!(voided.contains("Makulerad händelse") && voided.contains("<span class=\"badge\">Makulerad</span>"));
        // A year that is not one is refused with a Swedish message, and this year shown.
        let page = manager.get("/avvikelser?ar=tjugo").await.body;
        assert!(page.contains("År: ange ett årtal mellan 2000 och 2100."), "{page}");
        assert!(page.contains("Årets avvikelse"));
        // Narrowed by kind.
        let page = manager.get(&format!("/avvikelser?ar={year}&slag=lex_sarah")).await.body;
        assert!(page.contains("Årets lex Sarah") && !page.contains(">Årets avvikelse<"));

        // Per unit and kind (lex Sarah, internal, complaint, HSL; this year, last year):
        // the voided report is not counted, a year with nothing is "–", the total sums.
        let admin = signed_in(&store, ADMIN).await;
        let page = admin.get(&format!("/avvikelser?ar={year}")).await.body;
        let caption = format!("Antal per enhet och slag, {year} jämfört med {last}");
        assert_eq!(cells(&page, &caption, "Beroendeenheten"), ["1", "0", "1", "1", "0", "0", "0", "0"]);
        assert_eq!(cells(&page, &caption, "Socialpsykiatrienheten"), ["0", "–", "0", "–", "1", "–", "0", "–"]);
        assert_eq!(cells(&page, &caption, "Totalt"), ["1", "0", "1", "1", "1", "0", "0", "0"]);
        // Per quarter.
        let caption = format!("Antal per enhet och kvartal {year}");
        assert_eq!(cells(&page, &caption, "Beroendeenheten"), ["1", "1", "0", "0", "2"]);
        assert_eq!(cells(&page, &caption, "Socialpsykiatrienheten"), ["0", "0", "1", "0", "1"]);
        assert_eq!(cells(&page, &caption, "Totalt"), ["1", "1", "1", "0", "3"]);
        // Lex Sarah's decided assessments.
        let caption =
            format!("Lex Sarah – beslutade bedömningar av utredda missförhållanden, {year} jämfört med {last}");
        assert_eq!(cells(&page, &caption, "Missförhållande"), ["1", "0"]);
        assert_eq!(cells(&page, &caption, "Allvarligt missförhållande"), ["0", "0"]);
        // The complaints.
        assert!(page.contains("1 registrerad i Kvalitet, varav 1 besvarad. Mediantid till svar: 4 dagar."), "{page}");
        assert_eq!(cells(&page, "Vem lämnade synpunkten", "Anhörig eller närstående"), ["1"]);
        assert_eq!(cells(&page, "Hur den kom in", "Telefon"), ["1"]);
        // The manager's counts cover only their unit.
        let page = manager.get(&format!("/avvikelser?ar={year}")).await.body;
        let caption = format!("Antal per enhet och slag, {year} jämfört med {last}");
        assert_eq!(cells(&page, &caption, "Totalt"), ["1", "0", "1", "1", "0", "0", "0", "0"]);

        // Seed 002's years: records and tallies together; a year with neither is "–".
        let page = admin.get("/avvikelser?ar=2022").await.body;
        let caption = "Lex Sarah – beslutade bedömningar av utredda missförhållanden, 2022 jämfört med 2021";
        assert_eq!(cells(&page, caption, "Missförhållande"), ["1", "0"]);
        assert_eq!(cells(&page, caption, "Ej missförhållande"), ["0", "1"]);
        let page = admin.get("/avvikelser?ar=2020").await.body;
        let caption = "Lex Sarah – beslutade bedömningar av utredda missförhållanden, 2020 jämfört med 2019";
        assert_eq!(cells(&page, caption, "Missförhållande"), ["–", "–"]);
        assert!(page.contains("Uppgift saknas: inga ärenden och inga sammanställda siffror för 2020."));
        let _ = (r.first, r.lex_sarah, r.complaint);
    })
    .await;
}

async fn category(store: &Store, dimension: CategoryDimension, name: &str, active: bool) -> i64 {
    let u = unit(store, "Beroendeenheten").await;
    let c = DeviationCategory { tenant_id: u.tenant_id, dimension, name: name.into(), active, sort_order: 1 };
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let id = plans::create(&mut tx, &c).await.unwrap().get();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn counts_per_category_have_a_row_for_reports_without_one() {
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        let year = this_year();
        let medicine = category(&store, CategoryDimension::Type, "Läkemedel", true).await;
        category(&store, CategoryDimension::Type, "Fall", true).await;
        category(&store, CategoryDimension::Type, "Gammal kategori", false).await;
        for (title, on, cat) in [
            ("Fel dos", Date::constant(year, 3, 1), Some(medicine)),
            ("Fel dos igen", Date::constant(year, 4, 1), Some(medicine)),
            ("Utan kategori", Date::constant(year, 4, 2), None),
            ("Fjolårets dos", Date::constant(year - 1, 4, 1), Some(medicine)),
        ] {
            report(&store, "Beroendeenheten", DeviationKind::Internal, on, title, |d| {
                d.type_category_id = cat.map(Id::new);
            })
            .await;
        }
        report(&store, "Beroendeenheten", DeviationKind::Internal, Date::constant(year, 4, 3), "Makulerad dos", |d| {
            d.type_category_id = Some(Id::new(medicine));
            d.voided_on = Some(Date::constant(year, 4, 4));
            d.void_reason = "Fel".into();
        })
        .await;
        let admin = signed_in(&store, ADMIN).await;
        let page = admin.get(&format!("/avvikelser?ar={year}")).await.body;
        let caption = format!("Antal per Typ, {year} jämfört med {}", year - 1);
        assert_eq!(cells(&page, &caption, "Läkemedel"), ["2", "1"]);
        assert_eq!(cells(&page, &caption, "Fall"), ["0", "0"]);
        assert_eq!(cells(&page, &caption, "Ingen kategori"), ["1", "0"]);
        assert!(!page.contains("Gammal kategori"), "an inactive category without reports is left out");
        assert!(!page.contains("Antal per Orsak"), "a dimension without categories has no table");
    })
    .await;
}

/// A GET whose body is kept as bytes.
async fn reads_of(store: &Store, id: i64) -> i64 {
    let mut conn = store.read().await.unwrap();
    let row = sqlx::query("SELECT COUNT(*) AS n FROM audit_read WHERE table_name = 'deviation' AND record_id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    sqlx::Row::try_get::<i64, _>(&row, "n").unwrap()
}

#[tokio::test]
async fn the_list_downloads_as_a_workbook_of_permitted_units_with_formulas_neutralised() {
    use calamine::{Data, Reader, Xlsx};
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        let r = reports(&store).await;
        let year = r.year;
        let formula = report(
            &store,
            "Beroendeenheten",
            DeviationKind::Hsl,
            Date::constant(year, 6, 1),
            "=HYPERLINK(\"http://x\")",
            |_| {},
        )
        .await;
        let manager = signed_in(&store, MANAGER).await;
        assert_eq!(reads_of(&store, r.first).await, 0);
        let (status, headers, bytes) = TestApp::download(&manager, &format!("/avvikelser.xlsx?ar={year}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert_eq!(
            headers[header::CONTENT_DISPOSITION],
            format!("attachment; filename=\"avvikelser-{year}.xlsx\"").as_str()
        );
        let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(wb.sheet_names(), ["Avvikelser", "Sammanställning"]);
        let sheet = wb.worksheet_range("Avvikelser").unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(rows[0][0], "Referensnummer");
        assert_eq!(rows[0][10], "Avslutad");
        let titles: Vec<&str> = rows[1..].iter().map(|r| r[6].as_str()).collect();
        assert_eq!(titles.len(), 3, "{titles:?}");
        assert!(titles.contains(&"Årets avvikelse") && titles.contains(&"Årets lex Sarah"));
        assert!(titles.contains(&"'=HYPERLINK(\"http://x\")"), "a formula is neutralised: {titles:?}");
        assert!(!titles.contains(&"Svar dröjde"), "another unit's report is not exported");
        let lex = rows.iter().find(|r| r[6] == "Årets lex Sarah").unwrap();
        assert_eq!(lex[0], format!("{year}-{:05}", r.lex_sarah));
        assert_eq!(
            (lex[1].as_str(), lex[2].as_str(), lex[8].as_str()),
            ("Beroendeenheten", "Lex Sarah", "Missförhållande")
        );
        let summary = wb.worksheet_range("Sammanställning").unwrap();
        let total = summary.rows().find(|r| r[0] == "Totalt").expect("a total row");
        assert_eq!(total[1].to_string(), "1");
        // Every exported report is logged as read; nothing else is.
        assert_eq!(reads_of(&store, r.first).await, 1);
        assert_eq!(reads_of(&store, formula).await, 1);
        assert_eq!(reads_of(&store, r.complaint).await, 0);

        // The same reports as CSV.
        let (status, _, bytes) = TestApp::download(&manager, &format!("/avvikelser.csv?ar={year}")).await;
        assert_eq!(status, StatusCode::OK);
        let csv = String::from_utf8(bytes).unwrap();
        assert!(csv.starts_with("\u{feff}Referensnummer;Enhet;Slag;Status;Inträffade;Rapporterad;Rubrik;"), "{csv}");
        assert_eq!(csv.lines().count(), 4, "a heading and three reports: {csv}");
        assert!(csv.contains("Årets lex Sarah") && csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
        assert!(!csv.contains("Svar dröjde"), "another unit's report is not exported");

        for who in [STAFF, READER] {
            let app = signed_in(&store, who).await;
            assert_eq!(TestApp::download(&app, "/avvikelser.xlsx").await.0, StatusCode::FORBIDDEN);
            assert_eq!(TestApp::download(&app, "/avvikelser.csv").await.0, StatusCode::FORBIDDEN);
        }
    })
    .await;
}

fn field_value<'a>(body: &'a str, name: &str) -> &'a str {
    let marker = format!("name=\"{name}\" value=\"");
    body.split(&marker).nth(1).unwrap_or_else(|| panic!("no field {name}")).split('"').next().unwrap()
}

#[tokio::test]
async fn the_settings_keep_the_ivo_deadline_and_the_categories() {
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        let admin = signed_in(&store, ADMIN).await;
        let csrf = admin.csrf().await;
        let page = admin.get("/admin/avvikelser").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(field_value(&page.body, "ivo_deadline_days"), "14");
        assert!(admin.get("/organisation").await.body.contains("href=\"/admin/avvikelser\""));
        let version = field_value(&page.body, "version").to_owned();
        for bad in ["0", "366", "två veckor"] {
            let res = admin
                .post("/admin/avvikelser", &[("csrf", &csrf), ("version", &version), ("ivo_deadline_days", bad)])
                .await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert!(res.body.contains("Tid för anmälan till IVO: ange ett helt antal dagar mellan 1 och 365."));
        }
        let res = admin
            .post("/admin/avvikelser", &[("csrf", &csrf), ("version", &version), ("ivo_deadline_days", "10")])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let tenant = unit(&store, "Beroendeenheten").await.tenant_id;
        let mut conn = store.read().await.unwrap();
        assert_eq!(deviations::settings(&mut conn, tenant).await.unwrap().ivo_deadline_days, 10);
        drop(conn);
        // The same old version again is a conflict.
        let res = admin
            .post("/admin/avvikelser", &[("csrf", &csrf), ("version", &version), ("ivo_deadline_days", "20")])
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);

        // Categories: added, a duplicate refused, deactivated, removed only when unused.
        let add = |name: &'static str| {
            let csrf = csrf.clone();
            let admin = &admin;
            async move {
                admin
                    .post("/admin/avvikelser/kategorier", &[("csrf", &csrf), ("dimension", "type"), ("ny-type", name)])
                    .await
            }
        };
        assert_eq!(add("Läkemedel").await.status, StatusCode::SEE_OTHER);
        assert_eq!(add("Fall").await.status, StatusCode::SEE_OTHER);
        let dup = add(" läkemedel ").await;
        assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            dup.body.contains("Kategorins namn: det finns redan en kategori som heter ”läkemedel”."),
            "{}",
            dup.body
        );
        let empty = add("").await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.body.contains("Kategorins namn"));
        let mut conn = store.read().await.unwrap();
        let all = deviations::categories(&mut conn, tenant).await.unwrap();
        drop(conn);
        assert_eq!(all.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Läkemedel", "Fall"]);
        let (medicine, fall) = (&all[0], &all[1]);
        let path = |id: Id<DeviationCategory>| format!("/admin/avvikelser/kategorier/{id}");
        let v = medicine.version.to_string();
        let res = admin.post(&path(medicine.id), &[("csrf", &csrf), ("version", &v), ("atgard", "inaktivera")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        // Renamed to another category's name: refused; renamed and reordered: saved.
        let name_field = format!("namn-{}", fall.id);
        let order_field = format!("ordning-{}", fall.id);
        let v = fall.version.to_string();
        let res = admin
            .post(
                &path(fall.id),
                &[
                    ("csrf", &csrf),
                    ("version", &v),
                    ("atgard", "spara"),
                    (&name_field, "Läkemedel"),
                    (&order_field, "0"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        let res = admin
            .post(
                &path(fall.id),
                &[
                    ("csrf", &csrf),
                    ("version", &v),
                    ("atgard", "spara"),
                    (&name_field, "Fallolycka"),
                    (&order_field, "0"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let mut conn = store.read().await.unwrap();
        let all = deviations::categories(&mut conn, tenant).await.unwrap();
        drop(conn);
        assert_eq!(
            all.iter().map(|c| (c.name.as_str(), c.active)).collect::<Vec<_>>(),
            [("Fallolycka", true), ("Läkemedel", false)]
        );
        // In use: not removed.
        report(&store, "Beroendeenheten", DeviationKind::Internal, Date::constant(2025, 1, 1), "Fallet", |d| {
            d.type_category_id = Some(all[0].id);
        })
        .await;
        let v = all[0].version.to_string();
        let res = admin.post(&path(all[0].id), &[("csrf", &csrf), ("version", &v), ("atgard", "ta-bort")]).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Kategorin används i rapporter och kan inte tas bort."));
        let v = all[1].version.to_string();
        let res = admin.post(&path(all[1].id), &[("csrf", &csrf), ("version", &v), ("atgard", "ta-bort")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let mut conn = store.read().await.unwrap();
        assert_eq!(deviations::categories(&mut conn, tenant).await.unwrap().len(), 1);
        drop(conn);

        // Only the administrator of the whole tree.
        for who in [MANAGER, QUALITY, STAFF, READER] {
            let app = signed_in(&store, who).await;
            assert_eq!(app.get("/admin/avvikelser").await.status, StatusCode::FORBIDDEN, "{}", who.0);
            let csrf = app.csrf().await;
            let res =
                app.post("/admin/avvikelser", &[("csrf", &csrf), ("version", "2"), ("ivo_deadline_days", "3")]).await;
            assert_eq!(res.status, StatusCode::FORBIDDEN);
        }
    })
    .await;
}

#[tokio::test]
async fn an_event_analysis_is_stored_and_its_actions_are_a_plans_linked_to_the_case() {
    on_each_backend(|store, _| async move {
        let _demo = TestApp::with_demo(store.clone()).await;
        let r = reports(&store).await;
        let href = format!("/avvikelser/{}/handelseanalys", r.lex_sarah);
        let admin = signed_in(&store, ADMIN).await;
        let csrf = admin.csrf().await;
        let page = admin.get(&href).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Ingen analys är sparad ännu."));
        let analysis = [
            ("csrf", csrf.as_str()),
            ("vad", "analys"),
            ("version", "0"),
            ("course_of_events", "Anmälan kom in en fredag och lades i fel fack."),
            ("causes", "Ingen rutin för post som kommer in sent."),
            ("conclusions", "Posten ska ses över varje dag."),
            ("analysed_by", "Kvalitetsutvecklaren"),
            ("analysed_on", "2026-02-30"),
        ];
        let res = admin.post(&href, &analysis).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("ÅÅÅÅ-MM-DD"));
        let mut fixed = analysis.to_vec();
        fixed[7].1 = "2026-03-02";
        let res = admin.post(&href, &fixed).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let mut conn = store.read().await.unwrap();
        let stored: Vec<Versioned<EventAnalysis>> =
            repo::list(&mut conn, Where::sql("deviation_id = $1", vec![Id::<Deviation>::new(r.lex_sarah).to_value()]))
                .await
                .unwrap();
        drop(conn);
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].causes, "Ingen rutin för post som kommer in sent.");
        assert_eq!(stored[0].analysed_on, Some(Date::constant(2026, 3, 2)));
        // Saved again on the version first read: a conflict, nothing overwritten.
        assert_eq!(admin.post(&href, &fixed).await.status, StatusCode::CONFLICT);
        let mut again = fixed.clone();
        again[2].1 = "1";
        again[5].1 = "Posten ses över varje morgon.";
        assert_eq!(admin.post(&href, &again).await.status, StatusCode::SEE_OTHER);

        // An action in the plan covering the unit, tied to one of its risks.
        let plan_id = admin.plan_id("Kvalitetsplan 2024 Individ- och familjeomsorg").await.to_string();
        let mut conn = store.read().await.unwrap();
        let plan = repo::get::<QualityPlan>(&mut conn, Id::new(plan_id.parse().unwrap())).await.unwrap();
        let risks: Vec<Versioned<Risk>> =
            repo::list(&mut conn, Where::sql("plan_id = $1", vec![plan.id.to_value()])).await.unwrap();
        let others: Vec<Versioned<Risk>> =
            repo::list(&mut conn, Where::sql("plan_id <> $1", vec![plan.id.to_value()])).await.unwrap();
        drop(conn);
        let risk = risks[0].id.get().to_string();
        let other_risk = others[0].id.get().to_string();
        let action = |risk: &str| {
            vec![
                ("csrf".to_owned(), csrf.clone()),
                ("vad".to_owned(), "atgard".to_owned()),
                ("action_title".to_owned(), "Daglig genomgång av inkommen post".to_owned()),
                ("action_description".to_owned(), "Varje morgon går en handläggare igenom posten.".to_owned()),
                ("action_responsible".to_owned(), "Enhetschefen".to_owned()),
                ("action_due_on".to_owned(), "2026-12-31".to_owned()),
                ("action_plan".to_owned(), plan_id.clone()),
                ("action_risk".to_owned(), risk.to_owned()),
            ]
        };
        let post = |fields: Vec<(String, String)>| {
            let admin = &admin;
            let href = href.clone();
            async move {
                let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                admin.post(&href, &pairs).await
            }
        };
        let res = post(action(&other_risk)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "a risk of another plan");
        assert!(res.body.contains("Risk: välj en risk i den valda planen, eller ingen."));
        let mut untitled = action("");
        untitled[2].1 = String::new();
        assert_eq!(post(untitled).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        let res = post(action(&risk)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let mut conn = store.read().await.unwrap();
        let linked = links::linked_from(&mut conn, LinkKind::DeviationAction, r.lex_sarah).await.unwrap();
        assert_eq!(linked.len(), 1);
        let created = repo::get::<kvalitet_domain::action::Action>(&mut conn, Id::new(linked[0])).await.unwrap();
        assert_eq!(
            (created.plan_id, created.title.as_str(), created.responsible.as_str()),
            (plan.id, "Daglig genomgång av inkommen post", "Enhetschefen")
        );
        assert_eq!(links::linked_from(&mut conn, LinkKind::ActionRisk, linked[0]).await.unwrap(), [risks[0].id.get()]);
        drop(conn);
        let page = admin.get(&href).await.body;
        assert!(page.contains(&format!("<a href=\"/atgarder/{}\">Daglig genomgång av inkommen post</a>", linked[0])));
        assert!(page.contains("Posten ses över varje morgon."));

        // The unit's manager handles the case but edits no plan: told so, nothing stored.
        let manager = signed_in(&store, MANAGER).await;
        let page = manager.get(&href).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("Det finns ingen kvalitetsplan för enheten som du får ändra i"));
        let mcsrf = manager.csrf().await;
        let res = manager
            .post(
                &href,
                &[
                    ("csrf", &mcsrf),
                    ("vad", "atgard"),
                    ("action_title", "Egen"),
                    ("action_responsible", "Chef"),
                    ("action_plan", &plan_id),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        let mut conn = store.read().await.unwrap();
        assert_eq!(links::linked_from(&mut conn, LinkKind::DeviationAction, r.lex_sarah).await.unwrap().len(), 1);
        drop(conn);
        // Another unit's case, and those who do not handle cases: refused.
        let other = format!("/avvikelser/{}/handelseanalys", r.complaint);
        assert_eq!(manager.get(&other).await.status, StatusCode::FORBIDDEN);
        for who in [STAFF, READER] {
            let app = signed_in(&store, who).await;
            assert_eq!(app.get(&href).await.status, StatusCode::FORBIDDEN);
            let csrf = app.csrf().await;
            assert_eq!(
                app.post(&href, &[("csrf", &csrf), ("vad", "analys"), ("version", "0")]).await.status,
                StatusCode::FORBIDDEN
            );
        }
        let _ = r.first;
    })
    .await;
}
