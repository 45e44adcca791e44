//! "Mina uppgifter" on both backends: the responsible person of an action and of a
//! self-inspection chosen in the edit forms among the municipality's active accounts
//! (anyone else refused, nothing stored), each person's tasks across the plans they may
//! read with past-due actions first, the start page's link and agenda, the pages naming
//! the person, and a roll-over and a copy carrying the choice on.

use axum::http::StatusCode;

use kvalitet_domain::access::{Account, AccountId};
use kvalitet_domain::action::Action;
use kvalitet_domain::self_inspection::SelfInspection;
use kvalitet_domain::{Id, Versioned};
use kvalitet_store::testing::on_each_backend;
use kvalitet_store::{Actor, Store, Where, accounts, repo};

use crate::accounts::unit_id;
use crate::editing::{option_value, version};
use crate::{ADMIN, MANAGER, STAFF, TestApp};

const PLAN: &str = "Kvalitetsplan 2024 Individ- och familjeomsorg";
const REFUSED: &str = "Ansvarig måste vara en person med ett aktivt konto i kommunen. Välj i listan.";

fn today() -> String {
    jiff::Zoned::now().with_time_zone(jiff::tz::TimeZone::get("Europe/Stockholm").unwrap()).date().to_string()
}

/// The demo's administrator, signed in, with the form token and the id of [`PLAN`].
async fn signed_in_admin(store: &Store) -> (TestApp, String, i64) {
    let mut admin = TestApp::with_demo(store.clone()).await;
    admin.login(ADMIN).await;
    let csrf = admin.csrf().await;
    let plan = admin.plan_id(PLAN).await;
    (admin, csrf, plan)
}

/// The newest `T` with `title` (a copy is newer than what it was copied from).
async fn newest<T: kvalitet_store::Record + Titled>(store: &Store, title: &str) -> Versioned<T> {
    let mut conn = store.read().await.unwrap();
    let all: Vec<Versioned<T>> = repo::list(&mut conn, Where::all()).await.unwrap();
    all.into_iter().filter(|x| x.title() == title).max_by_key(|x| x.id).unwrap_or_else(|| panic!("no {title}"))
}

trait Titled {
    fn title(&self) -> &str;
}

impl Titled for Action {
    fn title(&self) -> &str {
        &self.title
    }
}

impl Titled for SelfInspection {
    fn title(&self) -> &str {
        &self.title
    }
}

/// An account that cannot be made responsible: deactivated in the demo municipality, or
/// active in another one.
async fn unchoosable(store: &Store) -> (AccountId, AccountId) {
    let mut tx = store.write(&Actor::system("test")).await.unwrap();
    let demo = kvalitet_store::org::first_tenant(&mut tx).await.unwrap().unwrap().id;
    let gone = Account::new(demo, "slutat@exempel.se", "Siv Slutat");
    let gone = accounts::create_account(&mut tx, &gone, String::new(), &[]).await.unwrap();
    accounts::set_active(&mut tx, gone, false).await.unwrap();
    let (other, _) = crate::another_tenant(&mut tx, "Älvby kommun").await;
    let foreign = Account::new(other, "chef@alvby.se", "Älvbys chef");
    let foreign = accounts::create_account(&mut tx, &foreign, String::new(), &[]).await.unwrap();
    tx.commit().await.unwrap();
    (gone, foreign)
}

/// The edit form's fields of an action, with `responsible_account` set to `who`.
fn action_form<'a>(csrf: &'a str, v: &'a str, a: &'a Action, due: &'a str, who: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("version", v),
        ("title", a.title.as_str()),
        ("description", a.description.as_str()),
        ("responsible_account", who),
        ("responsible", a.responsible.as_str()),
        ("due_on", due),
        ("status", "ongoing"),
    ]
}

#[tokio::test]
async fn the_responsible_person_sees_their_tasks_and_no_one_else_does() {
    on_each_backend(|store, _| async move {
        let (admin, csrf, plan) = signed_in_admin(&store).await;
        let (gone, foreign) = unchoosable(&store).await;

        // The form offers "Ingen vald" first, then the active accounts; the text stays
        // for people without one.
        let form = admin.get(&format!("/atgarder/ny?plan={plan}")).await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(
            form.body.contains("<label for=\"responsible_account\">Ansvarig</label>")
                && form.body.contains("name=\"responsible_account\" aria-describedby=\"responsible_account-hint\"><option value=\"\" selected>Ingen vald</option>"),
            "{}",
            form.body
        );
        assert!(form.body.contains("<label for=\"responsible\">Ansvarig (om personen saknar konto)</label>"));
        assert!(!form.body.contains("Siv Slutat") && !form.body.contains("Älvbys chef"), "only active accounts of the municipality");
        let staff = option_value(&form.body, "Sam Medarbetare (medarbetare@exempel.se)");

        // Two actions for the staff member: one past its date, one not yet due.
        for (title, due) in [("Rutin för överlämning", "2024-06-30"), ("Utbildning i MI", "2199-12-31")] {
            let res = admin
                .post(
                    &format!("/atgarder/ny?plan={plan}"),
                    &[
                        ("csrf", &csrf),
                        ("title", title),
                        ("responsible_account", &staff),
                        ("due_on", due),
                        ("status", "ongoing"),
                    ],
                )
                .await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        }
        let past = newest::<Action>(&store, "Rutin för överlämning").await;
        assert_eq!(past.responsible_account_id.map(|a| a.to_string()), Some(staff.clone()));

        // A deactivated account, another municipality's or no account at all is refused
        // beside the field, and nothing is stored.
        let v = past.version.to_string();
        for who in [gone.to_string(), foreign.to_string(), "999999".to_owned(), "Sam".to_owned()] {
            let fields = action_form(&csrf, &v, &past.item, "2024-06-30", &who);
            let res = admin.post(&format!("/atgarder/{}/andra", past.id), &fields).await;
            assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{who}");
            assert!(res.body.contains(&format!("<a href=\"#responsible_account\">{REFUSED}</a>")), "{}", res.body);
            assert_eq!(newest::<Action>(&store, "Rutin för överlämning").await.version, past.version, "nothing stored");
        }

        // A self-inspection made without anyone responsible, then given to the staff
        // member through its edit form.
        let form = admin.get(&format!("/egenkontroller/ny?plan={plan}")).await.body;
        let area = form.split("name=\"area\"").nth(1).unwrap().split("<option value=\"").nth(1).unwrap();
        let area = area.split('"').next().unwrap().to_owned();
        let created = admin
            .post(
                &format!("/egenkontroller/ny?plan={plan}"),
                &[
                    ("csrf", &csrf),
                    ("title", "Journalgranskning av samordnade planer"),
                    ("area", &area),
                    ("method", "sample_check"),
                    ("frequency", "yearly"),
                    ("keep_next_year", "1"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let si = newest::<SelfInspection>(&store, "Journalgranskning av samordnade planer").await;
        assert_eq!(si.responsible_account_id, None);
        let edit = admin.get(&format!("/egenkontroller/{}/andra", si.id)).await.body;
        let v = version(&edit);
        let mut fields = vec![
            ("csrf", csrf.as_str()),
            ("version", v.as_str()),
            ("title", "Journalgranskning av samordnade planer"),
            ("area", area.as_str()),
            ("method", "sample_check"),
            ("frequency", "yearly"),
            ("keep_next_year", "1"),
            ("responsible", "Teamledare"),
        ];
        let gone = gone.to_string();
        let refused = [fields.clone(), vec![("responsible_account", gone.as_str())]].concat();
        let res = admin.post(&format!("/egenkontroller/{}/andra", si.id), &refused).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.body.contains(REFUSED));
        assert_eq!(newest::<SelfInspection>(&store, &si.title).await.version, si.version, "nothing stored");
        fields.push(("responsible_account", staff.as_str()));
        let res = admin.post(&format!("/egenkontroller/{}/andra", si.id), &fields).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let saved = newest::<SelfInspection>(&store, &si.title).await;
        assert_eq!((saved.responsible.as_str(), saved.responsible_account_id), ("Teamledare", past.responsible_account_id));
        let edit = admin.get(&format!("/egenkontroller/{}/andra", si.id)).await.body;
        assert!(edit.contains(&format!("<option value=\"{staff}\" selected>Sam Medarbetare")), "the form shows the choice");

        // The staff member's tasks: past due first and marked, counted in Swedish.
        let mut me = TestApp::on(store.clone());
        me.login(STAFF).await;
        let page = me.get("/mina-uppgifter").await;
        assert_eq!(page.status, StatusCode::OK);
        let body = page.body;
        assert!(body.contains("<a href=\"/mina-uppgifter\">Mina uppgifter</a>"), "in the menu");
        assert!(body.contains("Du är ansvarig för 2 åtgärder som inte är klara, varav 1 försenad."), "{body}");
        assert!(body.contains("Du är ansvarig för 1 egenkontroll med kontroller att genomföra."), "{body}");
        let first = body.find("Rutin för överlämning").unwrap();
        assert!(first < body.find("Utbildning i MI").unwrap(), "past due first");
        assert_eq!(body.matches("<span class=\"badge overdue\">försenad</span>").count(), 1);
        assert!(body.contains(&format!("<a href=\"/atgarder/{}\">Rutin för överlämning</a>", past.id)));
        assert!(body.contains("Klar senast 2024-06-30 · <a href=\"/planer/"));
        assert!(body.contains(&format!("{PLAN}</a> · Individ- och familjeomsorg")), "plan and unit");
        assert!(body.contains(&format!("<a href=\"/egenkontroller/{}\">Journalgranskning av samordnade planer</a>", si.id)));
        assert!(body.contains("1 kontroll saknas sedan 2024-12-31"), "{body}");

        // The start page links there with the counts, and its agenda holds what is due.
        let home = me.get("/").await.body;
        assert!(
            home.contains("Du är ansvarig för 2 åtgärder och 1 egenkontroll: se <a href=\"/mina-uppgifter\">Mina uppgifter</a>."),
            "{home}"
        );
        assert!(home.contains("Åtgärd efter sista datum") && home.contains("Rutin för överlämning"));
        assert!(home.contains("Egenkontroll att genomföra") && home.contains("Journalgranskning av samordnade planer"));
        assert!(!home.contains("Utbildning i MI"), "not yet due");

        // The pages name the person.
        let action_page = me.get(&format!("/atgarder/{}", past.id)).await.body;
        assert!(action_page.contains("<dt>Ansvarig</dt><dd>Sam Medarbetare</dd>"));
        let si_page = me.get(&format!("/egenkontroller/{}", si.id)).await.body;
        assert!(si_page.contains("<dt>Ansvarig</dt><dd>Sam Medarbetare</dd>"), "the account's name before the text");
        let plan_page = me.get(&format!("/planer/{plan}")).await.body;
        assert!(plan_page.contains("<p class=\"muted\">Ansvarig: Sam Medarbetare</p>"));
        // So does the board's document of the plan.
        let ifo = unit_id(&store, "Individ- och familjeomsorg").await;
        let doc = admin.get(&format!("/api/v1/dokument?typ=plan&ar=2024&format=html&omfattning={ifo}")).await;
        assert_eq!(doc.status, StatusCode::OK);
        assert!(doc.body.contains("Ansvarig: Sam Medarbetare, klar senast 2024-06-30"), "{}", doc.body);

        // Someone else has none of it.
        let mut other = TestApp::on(store.clone());
        other.login(MANAGER).await;
        let theirs = other.get("/mina-uppgifter").await.body;
        assert!(theirs.contains("Du har inga uppgifter just nu"), "{theirs}");
        assert!(!theirs.contains("Rutin för överlämning") && !theirs.contains("Journalgranskning"));
        let home = other.get("/").await.body;
        assert!(!home.contains("Du är ansvarig för"), "their agenda is their roles' only");

        // A done action is gone from the list.
        let page = admin.get(&format!("/atgarder/{}", past.id)).await.body;
        let v = version(&page);
        let today = today();
        let res = admin
            .post(
                &format!("/atgarder/{}/uppfoljning", past.id),
                &[("csrf", &csrf), ("version", &v), ("entry_on", &today), ("text", "Rutinen är klar."), ("new_status", "done")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let body = me.get("/mina-uppgifter").await.body;
        assert!(body.contains("Du är ansvarig för 1 åtgärd som inte är klar."), "{body}");
        assert!(!body.contains("Rutin för överlämning") && !body.contains("försenad"));
        assert!(me.get("/").await.body.contains("Du är ansvarig för 1 åtgärd och 1 egenkontroll"));
    })
    .await;
}

#[tokio::test]
async fn a_roll_over_and_a_copy_keep_the_responsible_people_who_still_have_an_account() {
    on_each_backend(|store, _| async move {
        let (admin, csrf, plan) = signed_in_admin(&store).await;
        let form = admin.get(&format!("/atgarder/ny?plan={plan}")).await.body;
        let staff = option_value(&form, "Sam Medarbetare (medarbetare@exempel.se)");
        let manager = option_value(&form, "Maja Enhetschef (chef@exempel.se)");
        for (title, who) in [("Gemensam rutin", &staff), ("Chefens åtgärd", &manager)] {
            let res = admin
                .post(
                    &format!("/atgarder/ny?plan={plan}"),
                    &[("csrf", &csrf), ("title", title), ("responsible_account", who), ("status", "ongoing")],
                )
                .await;
            assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        }
        // A self-inspection kept next year, the staff member's.
        let mut conn = store.read().await.unwrap();
        let sis: Vec<Versioned<SelfInspection>> = repo::list(&mut conn, Where::all()).await.unwrap();
        drop(conn);
        let si = sis.iter().find(|s| s.plan_id.get() == plan && s.keep_next_year).expect("one kept next year");
        let given = SelfInspection { responsible_account_id: Some(Id::new(staff.parse().unwrap())), ..si.item.clone() };
        let mut tx = store.write(&Actor::system("test")).await.unwrap();
        repo::update(&mut tx, si.id, si.version, &given).await.unwrap();
        // The manager leaves before next year's plan is made.
        accounts::set_active(&mut tx, Id::new(manager.parse().unwrap()), false).await.unwrap();
        tx.commit().await.unwrap();
        let next = admin.post(&format!("/planer/{plan}/nasta-ar"), &[("csrf", &csrf)]).await;
        assert_eq!(next.status, StatusCode::SEE_OTHER, "{}", next.body);
        let kept = newest::<Action>(&store, "Gemensam rutin").await;
        assert_ne!(kept.plan_id.get(), plan, "next year's copy");
        assert_eq!(kept.responsible_account_id.map(|a| a.to_string()), Some(staff));
        let left = newest::<Action>(&store, "Chefens åtgärd").await;
        assert_ne!(left.plan_id.get(), plan);
        assert_eq!(left.responsible_account_id, None, "a deactivated account is not carried on");
        let copy = newest::<SelfInspection>(&store, &si.title).await;
        assert_ne!(copy.plan_id.get(), plan);
        assert_eq!(copy.responsible_account_id, given.responsible_account_id);
        let page = admin.get(&format!("/atgarder/{}", kept.id)).await.body;
        assert!(page.contains("<dt>Ansvarig</dt><dd>Sam Medarbetare</dd>"));
        // A unit's plan copied from it keeps them too.
        let unit = unit_id(&store, "Beroendeenheten").await.to_string();
        let res = admin
            .post("/planer/ny", &[("csrf", &csrf), ("scope", &unit), ("year", "2025"), ("from", &plan.to_string())])
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let copied = newest::<SelfInspection>(&store, &si.title).await;
        assert!(copied.id > copy.id && copied.plan_id != copy.plan_id, "the copy's own");
        assert_eq!(copied.responsible_account_id, given.responsible_account_id);
    })
    .await;
}
