//! A real installation from an empty database, on both backends: `kvalitet setup` with
//! an org file, `user import` of many accounts, the administrator signing in to an
//! installation with no demo anywhere; and the refusals of bad files, which store nothing.

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{databases, kvalitet, run, with_stdin};
use crate::support::{self, Server};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

const PASSWORD: &str = "Tre-blåa-elefanter-dansar-tango\n";

fn setup(dir: &Path, db: [&str; 2], org: &Path) -> (std::process::Output, String, String) {
    with_stdin(
        kvalitet(dir).args(db).args([
            "setup",
            "--name",
            "Älvby kommun",
            "--org",
            org.to_str().unwrap(),
            "--admin",
            "it@alvby.se",
            "--admin-name",
            "Ingrid Tekniker",
            "--password-stdin",
        ]),
        PASSWORD,
    )
}

#[test]
fn a_municipality_is_set_up_from_its_org_file_and_imports_its_accounts_without_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    for (url, pg) in databases(dir.path()) {
        let db = ["--database-url", url.as_str()];
        let (out, stdout, stderr) = setup(dir.path(), db, &fixture("organisation.csv"));
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("9 enheter (3 sektioner)"), "{stdout}");
        // Once is enough: the same municipality again is refused, with the way to add another.
        let (out, _, stderr) = setup(dir.path(), db, &fixture("organisation.csv"));
        assert!(!out.status.success());
        assert!(stderr.contains("redan Älvby kommun") && stderr.contains("tenant add"), "{stderr}");

        // 600 accounts, most with one role, every tenth with two.
        let mut file = String::from("e-post;namn;roll;omfattning\n");
        let units =
            ["Mottagning barn", "Utredning barn och unga", "Beroendeenheten", "Stödboende Åsen", "Familjebehandling"];
        for i in 0..600 {
            let unit = units[i % units.len()];
            file.push_str(&format!("person{i}@alvby.se;Person {i};medarbetare;{unit}\n"));
            if i % 10 == 0 {
                file.push_str(&format!("person{i}@alvby.se;Person {i};chef;{unit}\n"));
            }
        }
        let accounts = dir.path().join("konton.csv");
        std::fs::write(&accounts, &file).unwrap();
        let started = Instant::now();
        let (out, stdout, stderr) =
            run(kvalitet(dir.path()).args(db).args(["user", "import", accounts.to_str().unwrap()]));
        let took = started.elapsed();
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("600 nya, 0 ändrade, 0 oförändrade"), "{stdout}");
        eprintln!(
            "user import of 600 accounts ({}): {:.2} s",
            if pg.is_some() { "PostgreSQL" } else { "SQLite" },
            took.as_secs_f64()
        );
        // Again: nothing changes. With one role taken away in the file: one changed.
        let (_, stdout, _) = run(kvalitet(dir.path()).args(db).args(["user", "import", accounts.to_str().unwrap()]));
        assert!(stdout.contains("0 nya, 0 ändrade, 600 oförändrade"), "{stdout}");
        std::fs::write(&accounts, file.replace("person0@alvby.se;Person 0;chef;Mottagning barn\n", "")).unwrap();
        let (_, stdout, _) = run(kvalitet(dir.path()).args(db).args(["user", "import", accounts.to_str().unwrap()]));
        assert!(stdout.contains("0 nya, 1 ändrade, 599 oförändrade"), "{stdout}");

        let (out, stdout, _) = run(kvalitet(dir.path()).args(db).args(["user", "list", "--format", "json"]));
        assert!(out.status.success());
        let list: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(list.as_array().unwrap().len(), 601);
        let person10 = list.as_array().unwrap().iter().find(|a| a["email"] == "person10@alvby.se").unwrap();
        assert_eq!(person10["roles"].as_array().unwrap().len(), 2, "several roles per person");

        // A deactivated account cannot sign in; the administrator can, and sees the accounts.
        assert!(run(kvalitet(dir.path()).args(db).args(["user", "deactivate", "person1@alvby.se"])).0.status.success());
        let (out, stdout, _) = run(kvalitet(dir.path()).args(db).args(["user", "reset-password", "person2@alvby.se"]));
        assert!(out.status.success());
        let otp =
            stdout.split("Engångslösenord för person2@alvby.se: ").nth(1).unwrap().lines().next().unwrap().to_owned();
        let mut server = Server::start(kvalitet(dir.path()), &["--database-url", &url, "--no-demo"]);
        let cookie = support::login(&server.addr, "it@alvby.se", PASSWORD.trim()).expect("the administrator signs in");
        let page = support::get(&server.addr, "/admin/konton?q=person42", &cookie);
        assert_eq!(page.status, 200);
        assert!(page.body.contains("person42@alvby.se") && page.body.contains("Älvby kommun"), "{}", page.body);
        let home = support::get(&server.addr, "/", &cookie).body;
        for demo in ["Huddinge", "Demodata", "exempel.se"] {
            assert!(!home.contains(demo) && !page.body.contains(demo), "{demo} shown in a real installation");
        }
        assert!(support::login(&server.addr, "person1@alvby.se", "vad-som-helst").is_err(), "deactivated");
        let person2 = support::login(&server.addr, "person2@alvby.se", &otp).expect("one-time password signs in");
        assert_eq!(support::get(&server.addr, "/", &person2).location(), "/konto/losenord");
        server.kill();
        if let Some(pg) = pg {
            tokio::runtime::Runtime::new().unwrap().block_on(pg.drop_db());
        }
    }
}

#[test]
fn a_bad_org_or_accounts_file_is_refused_whole_with_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases: &[(&str, &str, &[&str])] = &[
        ("saknad kolumn", "enhet;typ;namn\n1;forvaltning;A\n", &["kolumnen parent saknas"]),
        (
            "okänd typ och dubblett",
            "id;parent;kind;name\n1;;forvaltning;A\n2;1;avdelningen;B\n2;1;sektion;C\n",
            &[":3:kind: okänd typ \"avdelningen\"", ":4:id: id 2 används redan på rad 3"],
        ),
        (
            "okänd överordnad",
            "id;parent;kind;name\n1;;forvaltning;A\n2;9;sektion;B\n",
            &[":3:parent: överordnad 9 finns inte"],
        ),
        (
            "två toppar",
            "id;parent;kind;name\n1;;forvaltning;A\n2;;forvaltning;B\n",
            &[":3:parent: bara en enhet kan ligga överst"],
        ),
        (
            "cirkel",
            "id;parent;kind;name\n1;;forvaltning;A\n2;3;sektion;B\n3;2;enhet;C\n",
            &["ligger under sig själv", "kan inte ligga under en enhet"],
        ),
        (
            "fel nivå",
            "id;parent;kind;name\n1;;forvaltning;A\n2;1;enhet;B\n",
            &[":3:kind: en enhet kan inte ligga under en förvaltning"],
        ),
        (
            "platser",
            "id;parent;kind;name;capacity\n1;;forvaltning;A;\n2;1;sektion;B;tolv\n",
            &[":3:capacity: \"tolv\" är inte ett antal platser"],
        ),
        ("tomt namn", "id;parent;kind;name\n1;;forvaltning;\n", &[":2:name: värde saknas"]),
        ("tom fil", "", &["filen är tom"]),
    ];
    for (url, pg) in databases(dir.path()) {
        let db = ["--database-url", url.as_str()];
        for (what, text, expected) in cases {
            let file = dir.path().join("org.csv");
            std::fs::write(&file, text).unwrap();
            let (out, _, stderr) = setup(dir.path(), db, &file);
            assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
            for e in *expected {
                assert!(stderr.contains(e), "{what}: expected {e:?} in:\n{stderr}");
            }
            assert!(stderr.contains("inget har sparats"), "{what}: {stderr}");
        }
        // Nothing was stored by any of them: the real file then sets up.
        let (out, _, stderr) = setup(dir.path(), db, &fixture("organisation.csv"));
        assert!(out.status.success(), "{stderr}");

        let bad_accounts: &[(&str, &str, &str)] = &[
            (
                "roll",
                "email;name;role;scope\na@alvby.se;A;trollkarl;Beroendeenheten\n",
                ":2:role: okänd roll \"trollkarl\"",
            ),
            (
                "enhet",
                "email;name;role;scope\na@alvby.se;A;staff;Månbasen\n",
                ":2:scope: det finns ingen enhet som heter \"Månbasen\"",
            ),
            (
                "adress",
                "email;name;role;scope\ninte-en-adress;A;staff;Beroendeenheten\n",
                ":2:email: ange en e-postadress",
            ),
            (
                "två namn",
                "email;name;role;scope\na@alvby.se;A;staff;Beroendeenheten\na@alvby.se;B;manager;Beroendeenheten\n",
                ":3:name: a@alvby.se har namnet \"A\" på rad 2",
            ),
        ];
        for (what, text, expected) in bad_accounts {
            let file = dir.path().join("konton.csv");
            std::fs::write(&file, format!("{text}ok@alvby.se;Ok;staff;Beroendeenheten\n")).unwrap();
            let (out, _, stderr) = run(kvalitet(dir.path()).args(db).args(["user", "import", file.to_str().unwrap()]));
            assert_eq!(out.status.code(), Some(1), "{what}: {stderr}");
            assert!(stderr.contains(expected), "{what}: expected {expected:?} in:\n{stderr}");
        }
        let (_, stdout, _) = run(kvalitet(dir.path()).args(db).args(["user", "list"]));
        assert!(stdout.contains("1 konton") && !stdout.contains("ok@alvby.se"), "nothing stored: {stdout}");
        if let Some(pg) = pg {
            tokio::runtime::Runtime::new().unwrap().block_on(pg.drop_db());
        }
    }
}

#[test]
fn the_demo_is_marked_and_removed_whole_unless_it_holds_real_work() {
    let dir = tempfile::tempdir().unwrap();
    for (url, pg) in databases(dir.path()) {
        let db = ["--database-url", url.as_str()];
        assert!(run(kvalitet(dir.path()).args(db).args(["demo", "load"])).0.status.success());
        let mut server = Server::start(kvalitet(dir.path()), &["--database-url", &url, "--no-demo"]);
        let login_page = support::get(&server.addr, "/logga-in", "").body;
        assert!(login_page.contains("Demodata"), "the demo says so");
        let cookie = support::login(&server.addr, "admin@exempel.se", "demo-administrator").unwrap();
        assert!(support::get(&server.addr, "/", &cookie).body.contains("lägg inte in verkliga uppgifter"));
        server.kill();
        // A real municipality next to it, then the demo goes, with every row it had.
        let (out, _, stderr) = with_stdin(
            kvalitet(dir.path()).args(db).args([
                "tenant",
                "add",
                "--name",
                "Älvby kommun",
                "--org",
                fixture("organisation.csv").to_str().unwrap(),
                "--admin",
                "it@alvby.se",
                "--password-stdin",
            ]),
            PASSWORD,
        );
        assert!(out.status.success(), "{stderr}");
        let (out, stdout, stderr) = run(kvalitet(dir.path()).args(db).args(["demo", "remove"]));
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("Huddinge kommun är borttagen"), "{stdout}");
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = kvalitet_store::Store::connect(&url).await.unwrap();
            let mut conn = store.read().await.unwrap();
            let tenants = kvalitet_store::tenants::all(&mut conn).await.unwrap();
            assert_eq!(tenants.len(), 1);
            assert_eq!(tenants[0].name, "Älvby kommun");
            // Nothing of the demo is left in any table.
            for table in [
                "quality_plan",
                "quality_report",
                "risk",
                "deviation",
                "deviation_tally",
                "user_survey",
                "finding",
                "key_statistic",
            ] {
                let n: i64 = sqlx::Row::try_get(
                    &sqlx::query(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM {table}")))
                        .fetch_one(&mut *conn)
                        .await
                        .unwrap(),
                    "n",
                )
                .unwrap();
                assert_eq!(n, 0, "{table}");
            }
            let left = kvalitet_store::accounts::find_by_email(&mut conn, "admin@exempel.se").await.unwrap();
            assert!(left.is_none(), "the demo accounts are gone");
            drop(conn);
            store.close().await;
        });
        // Once gone, there is nothing to remove.
        let (out, _, stderr) = run(kvalitet(dir.path()).args(db).args(["demo", "remove"]));
        assert!(!out.status.success() && stderr.contains("ingen demokommun"), "{stderr}");
        if let Some(pg) = pg {
            rt.block_on(pg.drop_db());
        }
    }
}
