//! The access matrix: every route of the application, with every role, on a resource in
//! the role's part of the org tree and on one outside it, and anonymously. A route
//! without an entry here fails the test.

use std::collections::HashMap;

use axum::http::StatusCode;

use kvalitet_domain::Id;
use kvalitet_domain::Versioned;
use kvalitet_domain::deviation::{Deviation, DeviationKind, DeviationStatus};
use kvalitet_domain::org::OrgUnit;
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Where, plans, repo};

use crate::{ADMIN, MANAGER, QUALITY, READER, STAFF, TestApp};

/// Whether a request gets through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allow,
    Deny,
}
use Expect::{Allow as A, Deny as D};

/// Per route: [admin in, admin out, quality developer in, out, manager in, out, staff in,
/// out, reader in, out], then anonymous. The demo accounts' scopes: the administrator
/// and the reader cover the whole IFO, the quality developer Vuxensektionen, the manager
/// and the staff member Beroendeenheten. "In" resources belong to Beroendeenheten or the
/// plan and report that cover it; "out" resources to Barn- och ungdomssektionen, except
/// for the administrator and the reader, whose out-of-scope accounts are re-scoped to
/// Barn- och ungdomssektionen below.
fn matrix() -> HashMap<(&'static str, String), ([Expect; 10], Expect)> {
    let fixed: HashMap<(&'static str, &'static str), ([Expect; 10], Expect)> = HashMap::from([
        (("GET", "/"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/planer/{id}"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("GET", "/planer/{id}/arbetsbok.xlsx"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("GET", "/planer/{id}/arbetsbok"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("POST", "/planer/{id}/arbetsbok"), ([A, D, A, D, D, D, D, D, D, D], D)),
        (("GET", "/planer/ny"), ([A, A, A, A, D, D, D, D, D, D], D)),
        (("POST", "/planer/ny"), ([A, A, A, A, D, D, D, D, D, D], D)),
        (("GET", "/berattelser/ny"), ([A, A, A, A, D, D, D, D, D, D], D)),
        (("POST", "/berattelser/ny"), ([A, A, A, A, D, D, D, D, D, D], D)),
        (("GET", "/berattelser/{id}"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("POST", "/berattelser/{id}/overlamnad"), ([A, D, A, D, D, D, D, D, D, D], D)),
        (("GET", "/logga-in"), ([A, A, A, A, A, A, A, A, A, A], A)),
        (("POST", "/logga-in"), ([A, A, A, A, A, A, A, A, A, A], A)),
        (("GET", "/logga-in/kommunkonto"), ([A, A, A, A, A, A, A, A, A, A], A)),
        (("GET", "/logga-in/oidc"), ([A, A, A, A, A, A, A, A, A, A], A)),
        (("POST", "/logga-ut"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/konto/losenord"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("POST", "/konto/losenord"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/konto/aviseringar"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("POST", "/konto/aviseringar"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/planer/{id}/riskkarta"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("GET", "/planer/{id}/dokument"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("GET", "/api/v1/dokument"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("GET", "/api/v1/openapi.json"), ([A, A, A, A, A, A, A, A, A, A], A)),
        (("GET", "/api/v1/dokumentation"), ([A, A, A, A, A, A, A, A, A, A], A)),
        (("GET", "/api/v1/planer"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/api/v1/planer/{id}"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("GET", "/api/v1/atgarder/{id}"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("GET", "/api/v1/avsnitt/{id}"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("GET", "/api/v1/fokusomraden/{id}"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("POST", "/api/v1/atgarder/{id}/uppfoljningar"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/api/v1/risker/{id}"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("POST", "/api/v1/risker/{id}/bedomningar"), ([A, D, A, D, D, D, D, D, D, D], D)),
        (("GET", "/api/v1/egenkontroller/{id}"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("POST", "/api/v1/egenkontroller/{id}/genomforanden"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/api/v1/indikatorer/{id}"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("POST", "/api/v1/indikatorer/{id}/resultat"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/api/v1/avvikelser"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("POST", "/api/v1/avvikelser"), ([A, D, A, D, A, D, A, D, D, D], D)),
        (("GET", "/api/v1/avvikelser/{id}"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("POST", "/planer/{id}/anta"), ([A, D, A, D, D, D, D, D, D, D], D)),
        (("POST", "/planer/{id}/nasta-ar"), ([A, D, A, D, D, D, D, D, D, D], D)),
        (("POST", "/planer/{id}/uppfoljd"), ([A, D, A, D, D, D, D, D, D, D], D)),
        (("GET", "/risker/{id}"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("POST", "/risker/{id}/bedomning"), ([A, D, A, D, D, D, D, D, D, D], D)),
        (("POST", "/risker/{id}/kopplingar"), ([A, D, A, D, D, D, D, D, D, D], D)),
        (("GET", "/egenkontroller/{id}"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("POST", "/egenkontroller/{id}/genomforanden"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/genomforanden/{id}/rattelse"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("POST", "/genomforanden/{id}/rattelse"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/indikatorresultat/{id}/rattelse"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("POST", "/indikatorresultat/{id}/rattelse"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/atgardsuppfoljningar/{id}/rattelse"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("POST", "/atgardsuppfoljningar/{id}/rattelse"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/riskbedomningar/{id}/rattelse"), ([A, D, A, D, D, D, D, D, D, D], D)),
        (("POST", "/riskbedomningar/{id}/rattelse"), ([A, D, A, D, D, D, D, D, D, D], D)),
        (("GET", "/atgarder/{id}"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("POST", "/atgarder/{id}/uppfoljning"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/indikatorer/{id}"), ([A, D, A, D, A, D, A, D, A, D], D)),
        (("POST", "/indikatorer/{id}/resultat"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/avvikelser"), ([A, A, A, A, A, A, A, A, D, D], D)),
        (("GET", "/avvikelser/ny"), ([A, A, A, A, A, A, A, A, D, D], D)),
        (("POST", "/avvikelser/ny"), ([A, D, A, D, A, D, A, D, D, D], D)),
        (("GET", "/avvikelser/{id}"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("POST", "/avvikelser/{id}/handlaggning"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("POST", "/avvikelser/{id}/slag"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/matt"), ([A, A, A, A, A, A, D, D, D, D], D)),
        (("GET", "/matt/resultat/{id}"), ([A, D, A, D, A, D, D, D, D, D], D)),
        // Case data is imported and tied to the plan by whoever may import for the whole tree.
        (("GET", "/matt/inlasning"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("POST", "/matt/inlasning"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("GET", "/matt/inlasning/{id}"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("GET", "/matt/kopplingar"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("POST", "/matt/kopplingar"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("POST", "/matt/kopplingar/{id}/ta-bort"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("GET", "/admin/logg"), ([A, A, D, D, D, D, D, D, D, D], D)),
        (("GET", "/admin/loggkontroll"), ([A, A, D, D, D, D, D, D, D, D], D)),
        (("POST", "/admin/loggkontroll"), ([A, A, D, D, D, D, D, D, D, D], D)),
        (("GET", "/static/style.css"), ([A, A, A, A, A, A, A, A, A, A], A)),
        (("GET", "/static/theme.css"), ([A, A, A, A, A, A, A, A, A, A], A)),
        (("GET", "/static/htmx.js"), ([A, A, A, A, A, A, A, A, A, A], A)),
        (("GET", "/healthz"), ([A, A, A, A, A, A, A, A, A, A], A)),
        (("GET", "/readyz"), ([A, A, A, A, A, A, A, A, A, A], A)),
        // One's own reports: the list for whoever may register; a report only for the
        // person who reported it (the "in" deviation is the staff member's), others get 404.
        (("GET", "/mina-rapporter"), ([A, A, A, A, A, A, A, A, D, D], D)),
        (("GET", "/mina-rapporter/{id}"), ([D, D, D, D, D, D, A, D, D, D], D)),
        (("POST", "/mina-rapporter/{id}/komplettering"), ([D, D, D, D, D, D, A, D, D, D], D)),
        // One's own tasks: every signed-in person has the page (it lists only what they
        // are named responsible for in the plans they may read).
        (("GET", "/mina-uppgifter"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/avvikelser/{id}/makulera"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("POST", "/avvikelser/{id}/makulera"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("POST", "/avvikelser/{id}/makulera/hav"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/avvikelser/{id}/ivo-anmalan.docx"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/avvikelser/{id}/ivo-anmalan.pdf"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/avvikelser.xlsx"), ([A, A, A, A, A, A, D, D, D, D], D)),
        (("GET", "/avvikelser.csv"), ([A, A, A, A, A, A, D, D, D, D], D)),
        (("GET", "/atgarder"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/atgarder.xlsx"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/atgarder.csv"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/risker"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/risker.xlsx"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/risker.csv"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/egenkontroller"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/egenkontroller.xlsx"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/egenkontroller.csv"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/indikatorer"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/indikatorer.xlsx"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/indikatorer.csv"), ([A, A, A, A, A, A, A, A, A, A], D)),
        (("GET", "/avvikelser/{id}/handelseanalys"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("POST", "/avvikelser/{id}/handelseanalys"), ([A, D, A, D, A, D, D, D, D, D], D)),
        (("GET", "/admin/avvikelser"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("GET", "/admin/kolada"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("POST", "/admin/kolada"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("POST", "/admin/avvikelser"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("POST", "/admin/avvikelser/kategorier"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("POST", "/admin/avvikelser/kategorier/{id}"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("GET", "/admin/dokument"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("POST", "/admin/dokument"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("GET", "/admin/dokument/logotyp"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("POST", "/admin/dokument/logotyp/ta-bort"), ([A, D, D, D, D, D, D, D, D, D], D)),
        (("POST", "/planer/{id}/dokument"), ([A, D, A, D, D, D, D, D, D, D], D)),
        // Search: every signed-in person; what each finds is decided per hit (tests/web/search.rs).
        (("GET", "/sok"), ([A, A, A, A, A, A, A, A, A, A], D)),
    ]);
    let mut all: HashMap<(&'static str, String), ([Expect; 10], Expect)> =
        fixed.into_iter().map(|((m, p), e)| ((m, p.to_owned()), e)).collect();
    // Creating, editing and removing a plan's items needs EditPlan on the plan's scope.
    for kind in EDITABLE {
        for (method, suffix) in [
            ("GET", "/ny"),
            ("POST", "/ny"),
            ("GET", "/{id}/andra"),
            ("POST", "/{id}/andra"),
            ("POST", "/{id}/ta-bort"),
        ] {
            all.insert((method, format!("/{kind}{suffix}")), ([A, D, A, D, D, D, D, D, D, D], D));
        }
    }
    // The API creates and changes them through the same forms, with the same rule.
    for kind in EDITABLE {
        all.insert(("POST", format!("/api/v1/planer/{{id}}/{kind}")), ([A, D, A, D, D, D, D, D, D, D], D));
        all.insert(("PUT", format!("/api/v1/{kind}/{{id}}")), ([A, D, A, D, D, D, D, D, D, D], D));
    }
    // The report's items: the in-scope report is submitted, so nothing is removed from it.
    for kind in REPORT_EDITABLE {
        for (method, suffix) in [("GET", "/ny"), ("POST", "/ny"), ("GET", "/{id}/andra"), ("POST", "/{id}/andra")] {
            all.insert((method, format!("/{kind}{suffix}")), ([A, D, A, D, D, D, D, D, D, D], D));
        }
        all.insert(("POST", format!("/{kind}/{{id}}/ta-bort")), ([D, D, D, D, D, D, D, D, D, D], D));
    }
    // Accounts: administrators, within their part of the tree (the "in" account is a
    // staff member of Beroendeenheten, outside the Barn-scoped administrator's part).
    for (method, path) in [("GET", "/admin/konton"), ("GET", "/admin/konton/ny"), ("POST", "/admin/konton/ny")] {
        all.insert((method, path.to_owned()), ([A, A, D, D, D, D, D, D, D, D], D));
    }
    for (method, path) in [
        ("GET", "/admin/konton/{id}"),
        ("POST", "/admin/konton/{id}/namn"),
        ("POST", "/admin/konton/{id}/roller"),
        ("POST", "/admin/konton/{id}/roller/{role}/ta-bort"),
        ("POST", "/admin/konton/{id}/inaktivera"),
        ("POST", "/admin/konton/{id}/aktivera"),
        ("POST", "/admin/konton/{id}/las-upp"),
        ("POST", "/admin/konton/{id}/engangslosenord"),
        ("POST", "/admin/konton/{id}/avsluta-inloggningar"),
    ] {
        all.insert((method, path.to_owned()), ([A, D, D, D, D, D, D, D, D, D], D));
    }
    // The organisation is managed by the administrator of the whole tree only; an
    // administrator of one section does not change the organisation around it.
    let organisation = ([A, D, D, D, D, D, D, D, D, D], D);
    for path in [
        "/organisation",
        "/organisation/enheter/{id}",
        "/organisation/malgrupper",
        "/organisation/processomraden",
        "/organisation/kvalitetsfaktorer",
    ] {
        all.insert(("GET", path.to_owned()), organisation);
    }
    for kind in ORGANISATION_EDITABLE {
        for (method, suffix) in [("GET", "/{id}/andra"), ("POST", "/{id}/andra")] {
            all.insert((method, format!("/{kind}{suffix}")), organisation);
        }
        if kind != "organisation/kvalitetsfaktorer" {
            for (method, suffix) in [("GET", "/ny"), ("POST", "/ny"), ("POST", "/{id}/ta-bort")] {
                all.insert((method, format!("/{kind}{suffix}")), organisation);
            }
        }
    }
    all
}

/// The organisation's record types with generic pages (the quality factors are only
/// edited, never created or removed).
const ORGANISATION_EDITABLE: [&str; 4] = [
    "organisation/enheter",
    "organisation/malgrupper",
    "organisation/processomraden",
    "organisation/kvalitetsfaktorer",
];

/// The report item types with generic pages.
const REPORT_EDITABLE: [&str; 7] = [
    "brukarundersokningar",
    "resultat",
    "nyckeltal",
    "systematiska-uppfoljningar",
    "granskningar",
    "bedomningar",
    "forbattringsomraden",
];

/// The plan item types with generic create, edit and remove pages.
const EDITABLE: [&str; 6] = ["risker", "atgarder", "egenkontroller", "indikatorer", "avsnitt", "fokusomraden"];

/// The concrete resources the paths are filled with.
struct Fixture {
    /// Accounts made for the matrix (staff in Beroendeenheten and in Barnenheten), and
    /// one role of each.
    account_in: i64,
    account_out: i64,
    account_role_in: i64,
    account_role_out: i64,
    /// A self-inspection run of `si_in` and one of `si_out`.
    run_in: i64,
    run_out: i64,
    /// Recorded things of the in and out plans' items, for their corrections: an
    /// indicator's result, an action's follow-up, a risk's assessment.
    recorded: HashMap<&'static str, (i64, i64)>,
    plan_in: i64,
    plan_out: i64,
    si_in: i64,
    si_out: i64,
    risk_in: i64,
    risk_out: i64,
    result_in: i64,
    result_out: i64,
    scope_in: i64,
    scope_out: i64,
    /// A draft plan in scope (next year's, rolled over) and its items, for editing.
    draft: i64,
    draft_items: HashMap<&'static str, (i64, i64)>,
    /// A section and a focus area of the in and out plans (`avsnitt`, `fokusomraden`).
    texts: HashMap<&'static str, (i64, i64)>,
    report_items: HashMap<&'static str, (i64, i64)>,
    action_in: i64,
    action_out: i64,
    indicator_in: i64,
    indicator_out: i64,
    report_in: i64,
    report_out: i64,
    deviation_in: i64,
    deviation_out: i64,
    unit_in: i64,
    unit_out: i64,
    /// A target group, a process area and a quality factor (the organisation's, so the
    /// same in and out of scope).
    target_group: i64,
    process_area: i64,
    quality_factor: i64,
    /// A deviation category (the organisation's, so the same in and out of scope).
    category: i64,
    /// A case-data import job and a measure link (the tenant's).
    import_job: i64,
    measure_link: i64,
}

async fn fixture(app: &TestApp) -> Fixture {
    let store = &app.store;
    let mut conn = store.read().await.unwrap();
    let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
    let unit = |name: &str| units.iter().find(|u| u.name == name).unwrap().id;
    let reports: Vec<Versioned<QualityReport>> = repo::list(&mut conn, Where::all()).await.unwrap();
    let deviations: Vec<Versioned<Deviation>> = repo::list(&mut conn, Where::all()).await.unwrap();
    drop(conn);
    let report_in = reports[0].id.get();
    let deviation_in = deviations.iter().find(|d| d.unit_id == unit("Beroendeenheten")).unwrap().id.get();
    // Resources outside the manager's, staff member's and quality developer's scope.
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let report_out = plans::create(
        &mut tx,
        &QualityReport {
            scope_id: unit("Barn- och ungdomssektionen"),
            title: "Kvalitetsberättelse 2022 Barn och unga".into(),
            state: ReportState::Submitted,
            ..reports[0].item.clone()
        },
    )
    .await
    .unwrap()
    .get();
    let deviation_out = plans::create(
        &mut tx,
        &Deviation {
            unit_id: unit("Barnenheten"),
            kind: DeviationKind::Internal,
            status: DeviationStatus::Registered,
            lex_sarah_category: None,
            title: "Utanför".into(),
            ..deviations[0].item.clone()
        },
    )
    .await
    .unwrap()
    .get();
    // The in-scope deviation was reported by the demo's staff member ("Mina rapporter").
    let staff = sqlx::query("SELECT id FROM account WHERE email = 'medarbetare@exempel.se'")
        .fetch_one(&mut *tx)
        .await
        .map(|r| sqlx::Row::get::<i64, _>(&r, 0))
        .unwrap();
    kvalitet_store::mail::remember_reporter(&mut tx, Id::new(deviation_in), Id::new(staff)).await.unwrap();
    tx.commit().await.unwrap();
    app.import_case_data().await;
    let plan_in = app.plan_id("Kvalitetsplan 2022 för vuxna").await;
    let plan_out = app.plan_id("Kvalitetsplan 2022 Barn och unga 0-20 år").await;
    let mut conn = store.read().await.unwrap();
    let first = |table: &'static str, plan: i64| {
        let sql = format!("SELECT MIN(id) AS id FROM {table} WHERE plan_id = {plan}");
        async move { sql }
    };
    let mut ids = Vec::new();
    for table in ["self_inspection", "action", "indicator", "risk"] {
        for plan in [plan_in, plan_out] {
            let sql = first(table, plan).await;
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await.unwrap();
            ids.push(sqlx::Row::try_get::<i64, _>(&row, "id").unwrap());
        }
    }
    let result = |measure: &'static str, unit: i64| {
        format!("SELECT id FROM measure_result WHERE measure = '{measure}' AND unit_id = {unit} AND month IS NULL")
    };
    let mut results = Vec::new();
    for (measure, unit_name) in [("vuxenutredning_60d", "Beroendeenheten"), ("forhandsbedomning_14d", "Barnenheten")] {
        let sql = result(measure, unit(unit_name).get());
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await.unwrap();
        results.push(sqlx::Row::try_get::<i64, _>(&row, "id").unwrap());
    }
    drop(conn);
    // Next year's draft of the in-scope plan, and a focus area in it and in the
    // out-of-scope plan (the seeds' plans have none).
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let draft = plans::roll_over_plan(&mut tx, Id::new(plan_in), kvalitet_domain::Date::constant(2022, 12, 1))
        .await
        .unwrap()
        .get();
    for plan in [draft, plan_in, plan_out] {
        let focus = kvalitet_domain::plan::FocusArea {
            plan_id: Id::new(plan),
            kind: kvalitet_domain::plan::FocusAreaKind::Special,
            title: "Fokus".into(),
            body: String::new(),
            quality_factor_id: None,
            sort_order: 1,
        };
        plans::create(&mut tx, &focus).await.unwrap();
    }
    // The in-scope plan's prose is the follow-up's (seed 004), not carried: one of its own.
    for plan in [plan_in, plan_out] {
        let section = kvalitet_domain::plan::Section {
            plan_id: Some(Id::new(plan)),
            report_id: None,
            kind: kvalitet_domain::plan::SectionKind::Other,
            heading: "Text".into(),
            body: String::new(),
            sort_order: 0,
        };
        plans::create(&mut tx, &section).await.unwrap();
    }
    let section = kvalitet_domain::plan::Section {
        plan_id: Some(Id::new(draft)),
        report_id: None,
        kind: kvalitet_domain::plan::SectionKind::Introduction,
        heading: "Inledning".into(),
        body: String::new(),
        sort_order: 1,
    };
    plans::create(&mut tx, &section).await.unwrap();
    tx.commit().await.unwrap();
    let mut conn = store.read().await.unwrap();
    let mut draft_items = HashMap::new();
    for (kind, table) in [
        ("risker", "risk"),
        ("atgarder", "action"),
        ("egenkontroller", "self_inspection"),
        ("indikatorer", "indicator"),
        ("avsnitt", "section"),
        ("fokusomraden", "focus_area"),
    ] {
        let mut pair = [0i64; 2];
        for (i, plan) in [draft, plan_out].into_iter().enumerate() {
            let sql = format!("SELECT MIN(id) AS id FROM {table} WHERE plan_id = {plan}");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await.unwrap();
            pair[i] = sqlx::Row::try_get::<i64, _>(&row, "id").unwrap();
        }
        draft_items.insert(kind, (pair[0], pair[1]));
    }
    let mut texts = HashMap::new();
    for (kind, table) in [("avsnitt", "section"), ("fokusomraden", "focus_area")] {
        let mut pair = [0i64; 2];
        for (i, plan) in [plan_in, plan_out].into_iter().enumerate() {
            let sql = format!("SELECT MIN(id) AS id FROM {table} WHERE plan_id = {plan}");
            let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await.unwrap();
            pair[i] = sqlx::Row::try_get::<i64, _>(&row, "id").unwrap();
        }
        texts.insert(kind, (pair[0], pair[1]));
    }
    drop(conn);
    // One of each report item outside the in-scope report: Barnenheten's, in 2022.
    let barnenheten = unit("Barnenheten");
    let tenant = units[0].tenant_id;
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    use kvalitet_domain::report::*;
    let survey = plans::create(
        &mut tx,
        &UserSurvey {
            tenant_id: tenant,
            unit_id: barnenheten,
            year: 2022,
            name: "Barn".into(),
            instrument: String::new(),
            sample_size: None,
            answers: None,
            response_rate: None,
            summary: String::new(),
            sort_order: 1,
        },
    )
    .await
    .unwrap()
    .get();
    let finding = plans::create(
        &mut tx,
        &Finding {
            survey_id: Some(Id::new(survey)),
            follow_up_id: None,
            label: "Nöjd".into(),
            value: 80.0,
            basis: Some(10),
            national_value: None,
            sort_order: 1,
        },
    )
    .await
    .unwrap()
    .get();
    let stat = plans::create(
        &mut tx,
        &KeyStatistic {
            tenant_id: tenant,
            unit_id: barnenheten,
            year: 2022,
            label: "Barn".into(),
            value: 1.0,
            unit: String::new(),
            comment: String::new(),
            sort_order: 1,
        },
    )
    .await
    .unwrap()
    .get();
    let sfu = plans::create(
        &mut tx,
        &SystematicFollowUp {
            tenant_id: tenant,
            unit_id: barnenheten,
            year: 2022,
            instrument: "UBÅT".into(),
            measurements: None,
            summary: String::new(),
            sort_order: 1,
        },
    )
    .await
    .unwrap()
    .get();
    let review = plans::create(
        &mut tx,
        &Review {
            tenant_id: tenant,
            unit_id: barnenheten,
            year: 2022,
            kind: ReviewKind::Internal,
            title: "Barn".into(),
            body: String::new(),
            sort_order: 1,
        },
    )
    .await
    .unwrap()
    .get();
    let assessment = plans::create(
        &mut tx,
        &QualityAssessment { report_id: Id::new(report_out), area: String::new(), body: "Bra.".into(), sort_order: 1 },
    )
    .await
    .unwrap()
    .get();
    let improvement = plans::create(
        &mut tx,
        &ImprovementArea {
            report_id: Id::new(report_out),
            text: "Mer.".into(),
            quality_factor_id: None,
            sort_order: 1,
        },
    )
    .await
    .unwrap()
    .get();
    tx.commit().await.unwrap();
    let mut conn = store.read().await.unwrap();
    let mut report_items = HashMap::new();
    for (kind, table, out) in [
        ("brukarundersokningar", "user_survey", survey),
        ("resultat", "finding", finding),
        ("nyckeltal", "key_statistic", stat),
        ("systematiska-uppfoljningar", "systematic_follow_up", sfu),
        ("granskningar", "review", review),
        ("bedomningar", "quality_assessment", assessment),
        ("forbattringsomraden", "improvement_area", improvement),
    ] {
        let sql = format!("SELECT MIN(id) AS id FROM {table}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *conn).await.unwrap();
        report_items.insert(kind, (sqlx::Row::try_get::<i64, _>(&row, "id").unwrap(), out));
    }
    drop(conn);
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let mut targets = Vec::new();
    for (email, scope) in [("matris-in@exempel.se", "Beroendeenheten"), ("matris-ut@exempel.se", "Barnenheten")] {
        let account = kvalitet_domain::access::Account::new(units[0].tenant_id, email, email);
        let id = kvalitet_store::accounts::create_account(
            &mut tx,
            &account,
            String::new(),
            &[(kvalitet_domain::access::Role::Staff, unit(scope))],
        )
        .await
        .unwrap();
        let role = kvalitet_store::accounts::role_assignments(&mut tx, id).await.unwrap()[0].id.get();
        targets.push((id.get(), role));
    }
    let mut runs = Vec::new();
    for si in [ids[0], ids[1]] {
        let si_item =
            repo::get::<kvalitet_domain::self_inspection::SelfInspection>(&mut tx, Id::new(si)).await.unwrap();
        let plan = repo::get::<kvalitet_domain::plan::QualityPlan>(&mut tx, si_item.plan_id).await.unwrap();
        let run = kvalitet_domain::self_inspection::SelfInspectionRun {
            self_inspection_id: Id::new(si),
            run_on: kvalitet_domain::Date::new(plan.year as i16, 3, 31).unwrap(),
            undated: false,
            result_value: None,
            sample_size: Some(5),
            verdict: kvalitet_domain::self_inspection::Verdict::Approved,
            verdict_reason: String::new(),
            comment: String::new(),
            recorded_by: "Matris".into(),
        };
        runs.push(repo::insert(&mut tx, &run).await.unwrap().get());
    }
    let mut recorded = HashMap::new();
    let mut pair = Vec::new();
    for indicator in [ids[4], ids[5]] {
        let result = kvalitet_domain::indicator::IndicatorResult {
            indicator_id: Id::new(indicator),
            year: 2000,
            value: None,
            numerator: None,
            denominator: None,
            answers: None,
            response_rate: None,
            national_value: None,
            comment: String::new(),
            no_data: true,
        };
        pair.push(repo::insert(&mut tx, &result).await.unwrap().get());
    }
    recorded.insert("indikatorresultat", (pair[0], pair[1]));
    let mut pair = Vec::new();
    for action in [ids[2], ids[3]] {
        let follow_up = kvalitet_domain::action::ActionFollowUp {
            action_id: Id::new(action),
            entry_on: kvalitet_domain::Date::new(2022, 6, 30).unwrap(),
            undated: false,
            text: "Matris".into(),
            new_status: kvalitet_domain::action::ActionStatus::Ongoing,
            recorded_by: "Matris".into(),
        };
        pair.push(repo::insert(&mut tx, &follow_up).await.unwrap().get());
    }
    recorded.insert("atgardsuppfoljningar", (pair[0], pair[1]));
    let mut pair = Vec::new();
    for risk in [ids[6], ids[7]] {
        let sql = format!("SELECT MIN(id) AS id FROM risk_assessment WHERE risk_id = {risk}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(&mut *tx).await.unwrap();
        pair.push(sqlx::Row::try_get::<i64, _>(&row, "id").unwrap());
    }
    recorded.insert("riskbedomningar", (pair[0], pair[1]));
    tx.commit().await.unwrap();
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let category = kvalitet_domain::deviation::DeviationCategory {
        tenant_id: units[0].tenant_id,
        dimension: kvalitet_domain::deviation::CategoryDimension::Type,
        name: "Matris".into(),
        active: true,
        sort_order: 1,
    };
    let category = plans::create(&mut tx, &category).await.unwrap().get();
    // The municipality's logo, for its preview.
    let top = units.iter().find(|u| u.parent_id.is_none()).unwrap().id;
    let logo = kvalitet_store::document_settings::Logo {
        format: kvalitet_store::document_settings::LogoFormat::Svg,
        bytes: br#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"/>"#.to_vec(),
        alt: "Logotyp".into(),
    };
    let settings = kvalitet_store::document_settings::UnitSettings {
        tenant_id: units[0].tenant_id,
        unit_id: top,
        board: String::new(),
        logo: Some(logo),
    };
    kvalitet_store::document_settings::save_unit_settings(&mut tx, &settings, 0).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let job = kvalitet_store::case_import_jobs::NewJob {
        tenant: units[0].tenant_id,
        account: Id::new(admin_account(store).await),
        files: "arenden.csv",
        bytes: 10,
        from: kvalitet_domain::Date::constant(2024, 1, 1),
        to: kvalitet_domain::Date::constant(2024, 3, 31),
    };
    let import_job = kvalitet_store::case_import_jobs::start(&mut tx, &job).await.unwrap();
    let link = kvalitet_domain::measure::MeasureLink {
        tenant_id: units[0].tenant_id,
        measure: "forhandsbedomning_14d".into(),
        self_inspection_id: Some(Id::new(ids[0])),
        indicator_id: None,
        approve_at: Some(90.0),
    };
    let measure_link = kvalitet_store::case_data::link(&mut tx, &link).await.unwrap().get();
    tx.commit().await.unwrap();
    Fixture {
        import_job,
        measure_link,
        category,
        run_in: runs[0],
        run_out: runs[1],
        recorded,
        account_in: targets[0].0,
        account_out: targets[1].0,
        account_role_in: targets[0].1,
        account_role_out: targets[1].1,
        scope_in: unit("Vuxensektionen").get(),
        scope_out: unit("Barn- och ungdomssektionen").get(),
        report_items,
        draft,
        draft_items,
        texts,
        result_in: results[0],
        result_out: results[1],
        plan_in,
        plan_out,
        si_in: ids[0],
        si_out: ids[1],
        action_in: ids[2],
        action_out: ids[3],
        indicator_in: ids[4],
        indicator_out: ids[5],
        risk_in: ids[6],
        risk_out: ids[7],
        report_in,
        report_out,
        deviation_in,
        deviation_out,
        unit_in: unit("Beroendeenheten").get(),
        unit_out: unit("Barnenheten").get(),
        target_group: first_of::<kvalitet_domain::org::TargetGroup>(store).await,
        process_area: first_of::<kvalitet_domain::org::ProcessArea>(store).await,
        quality_factor: first_of::<kvalitet_domain::org::QualityFactor>(store).await,
    }
}

async fn admin_account(store: &kvalitet_store::Store) -> i64 {
    let mut conn = store.read().await.unwrap();
    sqlx::query("SELECT id FROM account WHERE email = 'admin@exempel.se'")
        .fetch_one(&mut *conn)
        .await
        .map(|r| sqlx::Row::get::<i64, _>(&r, 0))
        .unwrap()
}

async fn first_of<T: kvalitet_store::Record>(store: &kvalitet_store::Store) -> i64 {
    let mut conn = store.read().await.unwrap();
    let all: Vec<Versioned<T>> = repo::list(&mut conn, Where::all()).await.unwrap();
    all[0].id.get()
}

/// One request on `path`, in or out of scope; the outcome as allow or deny.
async fn attempt(app: &TestApp, f: &Fixture, method: &str, path: &str, inside: bool, csrf: &str) -> (Expect, String) {
    let pick = |a: i64, b: i64| if inside { a } else { b }.to_string();
    let editable = EDITABLE.iter().find(|k| {
        path.starts_with(&format!("/{k}/"))
            && (path.ends_with("/ny") || path.ends_with("/andra") || path.ends_with("/ta-bort"))
    });
    let report_editable = REPORT_EDITABLE.iter().find(|k| path.starts_with(&format!("/{k}/")));
    let url = match path {
        _ if path.starts_with("/admin/konton/{id}") => path
            .replace("{id}", &pick(f.account_in, f.account_out))
            .replace("{role}", &pick(f.account_role_in, f.account_role_out)),
        _ if path.starts_with("/organisation/") => {
            let id = match path.split('/').nth(2) {
                Some("enheter") => pick(f.unit_in, f.unit_out),
                Some("malgrupper") => f.target_group.to_string(),
                Some("processomraden") => f.process_area.to_string(),
                _ => f.quality_factor.to_string(),
            };
            path.replace("{id}", &id)
        }
        _ if report_editable.is_some() => {
            let kind = report_editable.unwrap();
            let (i, o) = f.report_items[kind];
            if path.ends_with("/ny") && *kind == "resultat" {
                let (survey_in, survey_out) = f.report_items["brukarundersokningar"];
                format!("/resultat/ny?undersokning={}", pick(survey_in, survey_out))
            } else if path.ends_with("/ny") {
                format!("/{kind}/ny?berattelse={}", pick(f.report_in, f.report_out))
            } else {
                path.replace("{id}", &pick(i, o))
            }
        }
        _ if editable.is_some() => {
            let kind = editable.unwrap();
            let (i, o) = f.draft_items[kind];
            if path.ends_with("/ny") {
                format!("/{kind}/ny?plan={}", pick(f.draft, f.plan_out))
            } else {
                path.replace("{id}", &pick(i, o))
            }
        }
        "/planer/{id}" => format!("/planer/{}", pick(f.plan_in, f.plan_out)),
        "/berattelser/{id}" => format!("/berattelser/{}", pick(f.report_in, f.report_out)),
        "/berattelser/{id}/overlamnad" => format!("/berattelser/{}/overlamnad", pick(f.report_in, f.report_out)),
        "/avvikelser/{id}" => format!("/avvikelser/{}", pick(f.deviation_in, f.deviation_out)),
        "/avvikelser/{id}/handelseanalys" => {
            format!("/avvikelser/{}/handelseanalys", pick(f.deviation_in, f.deviation_out))
        }
        "/admin/avvikelser/kategorier/{id}" => format!("/admin/avvikelser/kategorier/{}", f.category),
        "/avvikelser/{id}/handlaggning" => {
            format!("/avvikelser/{}/handlaggning", pick(f.deviation_in, f.deviation_out))
        }
        "/avvikelser/{id}/slag" => format!("/avvikelser/{}/slag", pick(f.deviation_in, f.deviation_out)),
        "/planer/{id}/dokument" => format!("/planer/{}/dokument", pick(f.plan_in, f.plan_out)),
        "/planer/{id}/arbetsbok.xlsx" => format!("/planer/{}/arbetsbok.xlsx", pick(f.plan_in, f.plan_out)),
        "/api/v1/dokument" => {
            format!("/api/v1/dokument?typ=plan&ar=2022&format=html&omfattning={}", pick(f.scope_in, f.scope_out))
        }
        "/planer/{id}/riskkarta" => format!("/planer/{}/riskkarta", pick(f.plan_in, f.plan_out)),
        "/planer/{id}/anta" => format!("/planer/{}/anta", pick(f.plan_in, f.plan_out)),
        "/planer/{id}/arbetsbok" => format!("/planer/{}/arbetsbok", pick(f.plan_in, f.plan_out)),
        "/planer/{id}/nasta-ar" => format!("/planer/{}/nasta-ar", pick(f.plan_in, f.plan_out)),
        "/planer/{id}/uppfoljd" => format!("/planer/{}/uppfoljd", pick(f.plan_in, f.plan_out)),
        "/matt/resultat/{id}" => format!("/matt/resultat/{}", pick(f.result_in, f.result_out)),
        "/matt/inlasning/{id}" => format!("/matt/inlasning/{}", f.import_job),
        "/matt/kopplingar/{id}/ta-bort" => format!("/matt/kopplingar/{}/ta-bort", f.measure_link),
        "/risker/{id}" => format!("/risker/{}", pick(f.risk_in, f.risk_out)),
        "/risker/{id}/bedomning" => format!("/risker/{}/bedomning", pick(f.risk_in, f.risk_out)),
        "/risker/{id}/kopplingar" => format!("/risker/{}/kopplingar", pick(f.risk_in, f.risk_out)),
        "/egenkontroller/{id}" => format!("/egenkontroller/{}", pick(f.si_in, f.si_out)),
        "/egenkontroller/{id}/genomforanden" => format!("/egenkontroller/{}/genomforanden", pick(f.si_in, f.si_out)),
        "/genomforanden/{id}/rattelse" => format!("/genomforanden/{}/rattelse", pick(f.run_in, f.run_out)),
        "/indikatorresultat/{id}/rattelse"
        | "/atgardsuppfoljningar/{id}/rattelse"
        | "/riskbedomningar/{id}/rattelse" => {
            let kind = path.split('/').nth(1).unwrap();
            let (i, o) = f.recorded[kind];
            path.replace("{id}", &pick(i, o))
        }
        "/atgarder/{id}" => format!("/atgarder/{}", pick(f.action_in, f.action_out)),
        _ if path.starts_with("/api/v1/planer/{id}") => path.replace("{id}", &pick(f.plan_in, f.plan_out)),
        "/api/v1/avsnitt/{id}" | "/api/v1/fokusomraden/{id}" => {
            let (i, o) = f.texts[path.split('/').nth(3).unwrap()];
            path.replace("{id}", &pick(i, o))
        }
        "/api/v1/atgarder/{id}" | "/api/v1/atgarder/{id}/uppfoljningar" => {
            path.replace("{id}", &pick(f.action_in, f.action_out))
        }
        "/api/v1/risker/{id}" | "/api/v1/risker/{id}/bedomningar" => path.replace("{id}", &pick(f.risk_in, f.risk_out)),
        "/api/v1/egenkontroller/{id}" | "/api/v1/egenkontroller/{id}/genomforanden" => {
            path.replace("{id}", &pick(f.si_in, f.si_out))
        }
        "/api/v1/indikatorer/{id}" | "/api/v1/indikatorer/{id}/resultat" => {
            path.replace("{id}", &pick(f.indicator_in, f.indicator_out))
        }
        "/api/v1/avvikelser/{id}" => path.replace("{id}", &pick(f.deviation_in, f.deviation_out)),
        "/atgarder/{id}/uppfoljning" => format!("/atgarder/{}/uppfoljning", pick(f.action_in, f.action_out)),
        "/indikatorer/{id}" => format!("/indikatorer/{}", pick(f.indicator_in, f.indicator_out)),
        "/indikatorer/{id}/resultat" => format!("/indikatorer/{}/resultat", pick(f.indicator_in, f.indicator_out)),
        "/mina-rapporter/{id}"
        | "/mina-rapporter/{id}/komplettering"
        | "/avvikelser/{id}/makulera"
        | "/avvikelser/{id}/makulera/hav"
        | "/avvikelser/{id}/ivo-anmalan.docx"
        | "/avvikelser/{id}/ivo-anmalan.pdf" => path.replace("{id}", &pick(f.deviation_in, f.deviation_out)),
        other => other.to_owned(),
    };
    let unit = pick(f.unit_in, f.unit_out);
    let res = match (method, path) {
        ("GET", _) => app.get(&url).await,
        ("POST", "/logga-in") => {
            app.post(&url, &[("email", "ingen@exempel.se"), ("password", "fel-lösenord-123")]).await
        }
        ("POST", "/konto/losenord") => {
            app.post(&url, &[("csrf", csrf), ("current", "fel"), ("password", "kort")]).await
        }
        ("POST", "/avvikelser/ny") => {
            let form = [
                ("csrf", csrf),
                ("kind", "internal"),
                ("unit", &unit),
                ("occurred_on", "2024-01-15"),
                ("title", "Matris"),
            ];
            app.post(&url, &form).await
        }
        ("POST", "/admin/loggkontroll") => app.post(&url, &[("csrf", csrf), ("outcome", "no_remarks")]).await,
        ("POST", "/api/v1/avvikelser") => {
            let json =
                format!(r#"{{"kind": "internal", "unit_id": {unit}, "occurred_on": "2024-01-15", "title": "Matris"}}"#);
            app.send_json(method, &url, csrf, &json).await
        }
        // The API's writes: JSON, the session's CSRF token in its header.
        ("POST" | "PUT", _) if path.starts_with("/api/v1/") => app.send_json(method, &url, csrf, "{}").await,
        ("POST", _) => app.post(&url, &[("csrf", csrf)]).await,
        other => panic!("no request for {other:?}"),
    };
    let signed_out_redirect = res.status == StatusCode::SEE_OTHER && res.location().starts_with("/logga-in?nasta");
    let outcome = match res.status {
        StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => D,
        // Someone else's report in "Mina rapporter" does not exist for the user.
        StatusCode::NOT_FOUND if path.starts_with("/mina-rapporter/") => D,
        // The API answers a record outside the caller's reach as not found.
        StatusCode::NOT_FOUND if path.starts_with("/api/v1/") => D,
        _ if signed_out_redirect => D,
        s if s.is_success()
            || s.is_redirection()
            || s == StatusCode::UNPROCESSABLE_ENTITY
            || s == StatusCode::CONFLICT =>
        {
            A
        }
        s => panic!("{method} {url}: unexpected status {s}: {}", res.body),
    };
    (outcome, format!("{method} {url} -> {}", res.status))
}

#[tokio::test]
async fn every_route_with_every_role_in_and_out_of_scope() {
    on_each_backend(|store, _| async move {
        let base = TestApp::with_demo(store.clone()).await;
        let f = fixture(&base).await;
        let matrix = matrix();
        let routes = kvalitet_web::route_table();
        for route in &routes {
            assert!(matrix.contains_key(route), "route {route:?} has no entry in the access matrix");
        }
        let routes: Vec<(&str, String)> = routes;
        assert_eq!(routes.len(), matrix.len(), "the matrix names routes that do not exist");

        // Out-of-scope variants of the administrator and the reader, whose demo accounts
        // cover the whole tree.
        let mut conn = store.read().await.unwrap();
        let units: Vec<Versioned<OrgUnit>> = repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        let barn = units.iter().find(|u| u.name == "Barn- och ungdomssektionen").unwrap().id;
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        for (email, role) in [
            ("admin-barn@exempel.se", kvalitet_domain::access::Role::Administrator),
            ("namnd-barn@exempel.se", kvalitet_domain::access::Role::Reader),
        ] {
            let hash = kvalitet_store::accounts::hash_password("ett-långt-lösenord");
            let account = kvalitet_domain::access::Account::new(units[0].tenant_id, email, email);
            kvalitet_store::accounts::create_account(&mut tx, &account, hash, &[(role, barn)]).await.unwrap();
        }
        tx.commit().await.unwrap();

        // The administrator's and reader's "out" requests go through their Barn-scoped
        // twins on "in" resources (which lie outside Barn).
        let columns: [((&str, &str), bool, bool); 10] = [
            (ADMIN, true, true),
            (("admin-barn@exempel.se", "ett-långt-lösenord"), true, false),
            (QUALITY, true, true),
            (QUALITY, false, false),
            (MANAGER, true, true),
            (MANAGER, false, false),
            (STAFF, true, true),
            (STAFF, false, false),
            (READER, true, true),
            (("namnd-barn@exempel.se", "ett-långt-lösenord"), true, false),
        ]
        .map(|(account, inside, _)| (account, inside, true));
        let mut failures = Vec::new();
        let mut checked = 0;
        for (col, (account, inside, _)) in columns.iter().enumerate() {
            let mut app = TestApp::on(store.clone());
            app.login(*account).await;
            let csrf = app.csrf().await;
            // Logging out ends the session, so it goes last.
            let mut ordered = routes.clone();
            ordered.sort_by_key(|r| r.0 == "POST" && r.1 == "/logga-ut");
            for route in &ordered {
                let (expected, _) = matrix[route];
                let (got, what) = attempt(&app, &f, route.0, &route.1, *inside, &csrf).await;
                checked += 1;
                if got != expected[col] {
                    failures.push(format!(
                        "{} ({}): expected {:?}, got {:?}: {what}",
                        account.0,
                        if *inside { "in" } else { "out" },
                        expected[col],
                        got
                    ));
                }
            }
        }
        let anonymous = TestApp::on(store.clone());
        for route in &routes {
            let (_, expected) = matrix[route];
            let (got, what) = attempt(&anonymous, &f, route.0, &route.1, true, "").await;
            checked += 1;
            if got != expected {
                failures.push(format!("anonymous: expected {expected:?}, got {got:?}: {what}"));
            }
        }
        assert!(failures.is_empty(), "{} of {checked} checks failed:\n{}", failures.len(), failures.join("\n"));
    })
    .await;
}
