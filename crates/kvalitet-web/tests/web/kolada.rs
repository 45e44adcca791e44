//! Comparisons with Kolada (F13) through HTTP: the administrator's settings page
//! (validated, versioned, refused to others), the indicator's key figure in its edit
//! form, and the comparison table on the indicator's page with its source note, the
//! demo's made-up values marked "Exempeldata", and nothing where nothing is stored.

use axum::http::StatusCode;

use kvalitet_store::testing::on_each_backend;

use crate::editing::{option_value, version};
use crate::{ADMIN, QUALITY, TestApp};

async fn indicator_id(app: &TestApp, name_start: &str) -> i64 {
    let mut conn = app.store.read().await.unwrap();
    let row = sqlx::query("SELECT id FROM indicator WHERE name LIKE $1 ORDER BY id")
        .bind(format!("{name_start}%"))
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    sqlx::Row::try_get::<i64, _>(&row, "id").unwrap()
}

#[tokio::test]
async fn the_administrator_sets_the_municipality_and_the_group_and_errors_name_the_field() {
    on_each_backend(|store, _| async move {
        let mut admin = TestApp::with_demo(store.clone()).await;
        admin.login(ADMIN).await;
        let page = admin.get("/admin/kolada").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("value=\"0126\"") && page.body.contains("Liknande kommuner IFO (exempel)"));
        assert!(
            page.body.contains(
                "<th scope=\"row\" data-label=\"Nyckeltal\">U41461</th><td data-label=\"Källa\">Exempeldata</td>"
            ),
            "{}",
            page.body
        );
        let csrf = admin.csrf().await;
        let v = version(&page.body);
        assert_eq!(v, "1", "the demo set them");

        let res = admin
            .post(
                "/admin/kolada",
                &[("csrf", &csrf), ("version", &v), ("municipality", "12a"), ("group_id", "X1"), ("group_name", "")],
            )
            .await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            res.body.contains(
                "href=\"#municipality\">Kommunens kod i Kolada ska vara kommunkoden, fyra siffror, till exempel 0126."
            ),
            "{}",
            res.body
        );
        assert!(res.body.contains("Jämförelsegruppens id ska vara G följt av siffror, till exempel G124025."));
        assert!(res.body.contains("value=\"12a\""), "what was typed stays");

        let res = admin
            .post(
                "/admin/kolada",
                &[
                    ("csrf", &csrf),
                    ("version", &v),
                    ("municipality", "0126"),
                    ("group_id", "g124025"),
                    ("group_name", "Storstadsnära kommuner"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = admin.get("/admin/kolada?sparat=1").await.body;
        assert!(page.contains("value=\"G124025\"") && page.contains("Ändringen är sparad."));
        // The same version again: someone else's save is not overwritten.
        let res = admin
            .post(
                "/admin/kolada",
                &[("csrf", &csrf), ("version", &v), ("municipality", "0127"), ("group_id", ""), ("group_name", "")],
            )
            .await;
        assert_eq!(res.status, StatusCode::CONFLICT);
        let mut quality = TestApp::on(store.clone());
        quality.login(QUALITY).await;
        assert_eq!(quality.get("/admin/kolada").await.status, StatusCode::FORBIDDEN);
        let res = quality
            .post(
                "/admin/kolada",
                &[
                    ("csrf", &quality.csrf().await),
                    ("version", "2"),
                    ("municipality", "0180"),
                    ("group_id", ""),
                    ("group_name", ""),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN);
        assert!(admin.get("/admin/kolada").await.body.contains("value=\"G124025\""), "unchanged by the refused posts");
    })
    .await;
}

#[tokio::test]
async fn the_indicator_page_compares_with_kolada_and_marks_example_data() {
    on_each_backend(|store, _| async move {
        let mut quality = TestApp::with_demo(store.clone()).await;
        quality.login(QUALITY).await;
        let violence = indicator_id(&quality, "Brukarbedömning våld i nära relationer").await;
        let page = quality.get(&format!("/indikatorer/{violence}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let body = page.body;
        assert!(body.contains("<dt>Nyckeltal i Kolada</dt><dd>U41461</dd>"), "{body}");
        let table =
            body.split("Jämförelse med Kolada</h2>").nth(1).expect("the comparison").split("</table>").next().unwrap();
        assert!(table.contains("Liknande kommuner IFO (exempel)"), "{table}");
        // 2022: own 77 %, the municipality 77 %, the nation 63 %, the group 68 %.
        let row =
            table.split("<th scope=\"row\" data-label=\"År\">2022</th>").nth(1).unwrap().split("</tr>").next().unwrap();
        let cells: Vec<&str> = row.split("class=\"num\">").skip(1).map(|c| c.split('<').next().unwrap()).collect();
        assert_eq!(cells, ["77\u{a0}%", "77\u{a0}%", "63\u{a0}%", "68\u{a0}%"], "{row}");
        let row = table.split("data-label=\"År\">2021</th>").nth(1).unwrap().split("</tr>").next().unwrap();
        assert!(row.contains("data-label=\"Eget resultat\" class=\"num\">–</td>"), "no own result for 2021: {row}");
        assert!(body.contains("Exempeldata: värdena i jämförelsen är påhittade"), "the demo's values are marked");
        assert!(!body.contains("hämtat 20"), "example data claims no fetch");

        // An indicator without a key figure has no comparison.
        let other = indicator_id(&quality, "Avhoppare från kriminell bana").await;
        let body = quality.get(&format!("/indikatorer/{other}")).await.body;
        assert!(!body.contains("Jämförelse med Kolada") && !body.contains("Nyckeltal i Kolada"));
    })
    .await;
}

#[tokio::test]
async fn an_indicators_key_figure_is_edited_in_its_form_and_checked() {
    on_each_backend(|store, _| async move {
        let mut quality = TestApp::with_demo(store.clone()).await;
        quality.login(QUALITY).await;
        let id = indicator_id(&quality, "Avhoppare från kriminell bana").await;
        let edit = quality.get(&format!("/indikatorer/{id}/andra")).await.body;
        assert!(edit.contains("<label for=\"kolada_kpi\">Nyckeltal i Kolada</label>"), "{edit}");
        let csrf = quality.csrf().await;
        let area = option_value(&edit, "Stöd till vuxna");
        let post = |kpi: &'static str, v: String| {
            let (csrf, area) = (csrf.clone(), area.clone());
            let q = &quality;
            async move {
                q.post(
                    &format!("/indikatorer/{id}/andra"),
                    &[
                        ("csrf", &csrf),
                        ("version", &v),
                        ("name", "Avhoppare från kriminell bana som vid avslutad insats inte återfallit i kriminalitet, andel (%)"),
                        ("area", &area),
                        ("unit", "percent"),
                        ("source", "own_study"),
                        ("direction", "higher_is_better"),
                        ("kolada_kpi", kpi),
                    ],
                )
                .await
            }
        };
        let res = post("U2146", version(&edit)).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains("Nyckeltal i Kolada ska vara en stor bokstav och fem siffror, till exempel U21468."), "{}", res.body);
        let res = post("u21468", version(&edit)).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = quality.get(&format!("/indikatorer/{id}")).await.body;
        assert!(page.contains("<dd>U21468</dd>"), "stored in capitals");
        assert!(!page.contains("Jämförelse med Kolada"), "no values stored for it: no comparison, nothing invented");
    })
    .await;
}
