//! `kvalitet kolada fetch` against a local server answering in Kolada's documented
//! format (two pages linked by `next_page`, a null value, a malformed answer), and
//! `kvalitet kolada import` of a saved answer, on both backends.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use super::{databases, kvalitet, run};

/// A local "Kolada": answers each request with the next of `bodies` (status 200, JSON),
/// `{base}` in a body replaced by the server's address; remembers the paths asked.
fn kolada_server(bodies: Vec<String>) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let (seen, shown) = (asked.clone(), base.clone());
    std::thread::spawn(move || {
        for (stream, body) in listener.incoming().zip(bodies) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            seen.lock().unwrap().push(line.split_whitespace().nth(1).unwrap_or_default().to_owned());
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                    break;
                }
            }
            let body = body.replace("{base}", &shown);
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(response.as_bytes()).unwrap();
        }
    });
    (base, asked)
}

fn entry(area: &str, year: i64, total: &str) -> String {
    format!(
        r#"{{"kpi": "U21468", "municipality": "{area}", "period": {year},
            "values": [{{"count": 1, "gender": "T", "status": "", "value": {total}}},
                       {{"count": 1, "gender": "K", "status": "", "value": null}}]}}"#
    )
}

/// `(area, year, gender, value, source)` of the stored values of U21468, in order.
fn stored(url: &str) -> Vec<(String, i64, String, Option<f64>, String)> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = kvalitet_store::Store::connect(url).await.unwrap();
        let mut conn = store.read().await.unwrap();
        let rows = sqlx::query(
            "SELECT area, year, gender, value, source FROM kolada_value WHERE kpi = 'U21468' \
             ORDER BY area, year, gender",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        let out = rows
            .iter()
            .map(|r| {
                use sqlx::Row;
                let value: Option<f64> = r.try_get("value").ok().flatten();
                (r.get("area"), r.get("year"), r.get("gender"), value, r.get("source"))
            })
            .collect();
        drop(conn);
        store.close().await;
        out
    })
}

#[test]
fn fetch_follows_the_pages_stores_the_three_areas_and_a_malformed_answer_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for (url, _pg) in databases(dir.path()) {
        let db = ["--database-url", url.as_str()];
        assert!(run(kvalitet(dir.path()).args(db).args(["demo", "load"])).0.status.success());
        let first = format!(
            r#"{{"values": [{}, {}], "count": 2, "next_page": "{{base}}/v2/data/kpi/U21468/municipality/0126,0000,G100001/year/2022?page=2"}}"#,
            entry("0126", 2022, "81.5"),
            entry("0000", 2022, "63.2")
        );
        let second = format!(r#"{{"values": [{}], "count": 1}}"#, entry("G100001", 2022, "70"));
        let group = r#"{"values": [{"id": "G100001", "title": "Storstadsnära kommuner",
            "members": [{"id": "0126", "title": "Huddinge"}, {"id": "0127", "title": "Botkyrka"}]}], "count": 1}"#;
        let (base, asked) = kolada_server(vec![first, second, group.into()]);
        let (out, stdout, stderr) = run(kvalitet(dir.path()).args(db).args([
            "kolada",
            "fetch",
            "--kpi",
            "u21468",
            "--years",
            "2022",
            "--base-url",
            &base,
            "--group",
            "G100001",
        ]));
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("6 värden (2 sidor)") && stdout.contains("Kolada (RKA), CC BY 4.0"), "{stdout}");
        assert_eq!(
            *asked.lock().unwrap(),
            [
                "/v2/data/kpi/U21468/municipality/0126,0000,G100001/year/2022",
                "/v2/data/kpi/U21468/municipality/0126,0000,G100001/year/2022?page=2",
                "/v2/municipality_groups/G100001"
            ]
        );
        assert!(stdout.contains("Jämförelsegrupp G100001: Storstadsnära kommuner (2 kommuner)."), "{stdout}");
        assert_eq!(group_name(&url), "Liknande kommuner IFO (exempel)", "not the settings' group: its name kept");
        let fetched: Vec<_> = stored(&url).into_iter().filter(|v| v.4 == "fetched").collect();
        assert_eq!(fetched.len(), 6, "{fetched:?}");
        assert!(fetched.contains(&("0126".into(), 2022, "T".into(), Some(81.5), "fetched".into())));
        assert!(fetched.contains(&("0000".into(), 2022, "K".into(), None, "fetched".into())), "null stays unknown");

        // A malformed page two: the whole fetch is refused and nothing changes.
        let before = stored(&url);
        let first =
            format!(r#"{{"values": [{}], "count": 1, "next_page": "{{base}}/v2/next"}}"#, entry("0126", 2023, "90"));
        let (base, _) = kolada_server(vec![first, r#"{"values": [{"kpi": "U21468"}]}"#.into()]);
        let (out, _, stderr) = run(kvalitet(dir.path()).args(db).args([
            "kolada",
            "fetch",
            "--kpi",
            "U21468",
            "--years",
            "2023",
            "--base-url",
            &base,
        ]));
        assert!(!out.status.success());
        assert!(stderr.contains("svaret följer inte Koladas format") && stderr.contains("/v2/next"), "{stderr}");
        assert_eq!(stored(&url), before, "nothing of a refused fetch is stored");

        // Wrong flags are named.
        let (out, _, stderr) =
            run(kvalitet(dir.path()).args(db).args(["kolada", "fetch", "--kpi", "21468", "--years", "2022"]));
        assert!(
            !out.status.success() && stderr.contains("--kpi: \"21468\" ska vara en stor bokstav och fem siffror"),
            "{stderr}"
        );
        let (out, _, stderr) =
            run(kvalitet(dir.path()).args(db).args(["kolada", "fetch", "--kpi", "U21468", "--years", "22"]));
        assert!(!out.status.success() && stderr.contains("--years: \"22\""), "{stderr}");
    }
}

/// The settings' comparison group's name.
fn group_name(url: &str) -> String {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = kvalitet_store::Store::connect(url).await.unwrap();
        let mut conn = store.read().await.unwrap();
        let name: String =
            sqlx::query_scalar("SELECT group_name FROM kolada_settings").fetch_one(&mut *conn).await.unwrap();
        drop(conn);
        store.close().await;
        name
    })
}

#[test]
fn groups_are_listed_and_the_settings_group_gets_its_name_from_kolada() {
    let dir = tempfile::tempdir().unwrap();
    for (url, _pg) in databases(dir.path()) {
        let db = ["--database-url", url.as_str()];
        assert!(run(kvalitet(dir.path()).args(db).args(["demo", "load"])).0.status.success());
        let listed = r#"{"values": [
            {"id": "G124025", "title": "Liknande kommuner IFO, Huddinge", "members": [{"id": "0126", "title": "Huddinge"}]},
            {"id": "G33821", "title": "Liknande kommuner IFO, Botkyrka", "members": []}], "count": 2}"#;
        let (base, asked) = kolada_server(vec![listed.into()]);
        let (out, stdout, stderr) =
            run(kvalitet(dir.path()).args(["kolada", "groups", "--title", "liknande kommuner", "--base-url", &base]));
        assert!(out.status.success(), "{stderr}");
        assert_eq!(*asked.lock().unwrap(), ["/v2/municipality_groups?title=liknande+kommuner"]);
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(
            lines,
            [
                "G33821\tLiknande kommuner IFO, Botkyrka\t0 kommuner",
                "G124025\tLiknande kommuner IFO, Huddinge\t1 kommuner"
            ]
        );

        // A fetch for the settings' group names it as Kolada does, in the same transaction.
        let data = format!(r#"{{"values": [{}], "count": 1}}"#, entry("G99999", 2022, "70"));
        let group =
            r#"{"values": [{"id": "G99999", "title": "Liknande kommuner IFO, Huddinge", "members": []}], "count": 1}"#;
        let (base, _) = kolada_server(vec![data, group.into()]);
        let fetch = ["kolada", "fetch", "--kpi", "U21468", "--years", "2022", "--base-url", &base];
        let (out, stdout, stderr) = run(kvalitet(dir.path()).args(db).args(fetch));
        assert!(out.status.success(), "{stderr}");
        assert!(
            stdout.contains("Gruppens namn i inställningarna är nu \"Liknande kommuner IFO, Huddinge\""),
            "{stdout}"
        );
        assert_eq!(group_name(&url), "Liknande kommuner IFO, Huddinge");

        // A group answer that is not Kolada's: the values are stored, the name kept, said.
        let data = format!(r#"{{"values": [{}], "count": 1}}"#, entry("G99999", 2023, "71"));
        let (base, _) = kolada_server(vec![data, r#"{"values": [{"id": "0126", "title": "x"}]}"#.into()]);
        let fetch = ["kolada", "fetch", "--kpi", "U21468", "--years", "2023", "--base-url", &base];
        let (out, _, stderr) = run(kvalitet(dir.path()).args(db).args(fetch));
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains("Obs! Gruppens namn kunde inte hämtas"), "{stderr}");
        assert!(stored(&url).iter().any(|v| v.0 == "G99999" && v.1 == 2023), "the values stored");
        assert_eq!(group_name(&url), "Liknande kommuner IFO, Huddinge");
    }
}

#[test]
fn import_reads_a_saved_answer_and_replaces_the_same_keys() {
    let dir = tempfile::tempdir().unwrap();
    for (url, _pg) in databases(dir.path()) {
        let db = ["--database-url", url.as_str()];
        assert!(run(kvalitet(dir.path()).args(db).args(["demo", "load"])).0.status.success());
        let file = dir.path().join("kolada-svar.json");
        std::fs::write(&file, format!(r#"{{"values": [{}], "count": 1}}"#, entry("0000", 2021, "60"))).unwrap();
        let (out, stdout, stderr) = run(kvalitet(dir.path()).args(db).args(["kolada", "import"]).arg(&file));
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("2 värden"), "{stdout}");
        std::fs::write(&file, format!(r#"{{"values": [{}], "count": 1}}"#, entry("0000", 2021, "61.5"))).unwrap();
        assert!(run(kvalitet(dir.path()).args(db).args(["kolada", "import"]).arg(&file)).0.status.success());
        let nation: Vec<_> = stored(&url).into_iter().filter(|v| v.0 == "0000" && v.1 == 2021 && v.2 == "T").collect();
        assert_eq!(nation, [("0000".into(), 2021, "T".into(), Some(61.5), "imported".into())]);

        std::fs::write(&file, "{\"values\": [], \"count\": 3}").unwrap();
        let (out, _, stderr) = run(kvalitet(dir.path()).args(db).args(["kolada", "import"]).arg(&file));
        assert!(
            !out.status.success() && stderr.contains("kolada-svar.json") && stderr.contains("\"count\" är 3"),
            "{stderr}"
        );
    }
}
