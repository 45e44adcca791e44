//! What makes the pages work on a phone and over a large plan: after saving, the user
//! returns to the saved item's place with a confirmation that no link can forge; a large
//! plan opens one process area at a time, the htmx request answering with the items
//! only; counts in Swedish singular and plural.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use kvalitet_domain::Code;
use kvalitet_domain::action::ActionStatus;
use kvalitet_store::testing::on_each_backend;

use crate::editing::{option_value, version};
use crate::{QUALITY, Response, TestApp};

/// The confirmation a page shows, if any.
fn confirmation(body: &str) -> Option<&str> {
    let at = body.find("<p class=\"saved-message\" role=\"status\">")?;
    body[at..].split('>').nth(1)?.split('<').next()
}

/// The id in a location's `#{prefix}-{id}`.
fn anchored(location: &str, prefix: &str) -> i64 {
    let fragment = location.split_once('#').unwrap_or_else(|| panic!("no fragment in {location}")).1;
    fragment.strip_prefix(&format!("{prefix}-")).unwrap_or_else(|| panic!("{location}")).parse().unwrap()
}

/// A draft of next year's plan made from the demo's 2022 plan for adults (13 risks, 19
/// self-inspections): its path.
async fn draft(qd: &TestApp, csrf: &str) -> String {
    let plan2022 = qd.plan_id("Kvalitetsplan 2022 för vuxna").await;
    qd.post(&format!("/planer/{plan2022}/nasta-ar"), &[("csrf", csrf)]).await.location().to_owned()
}

async fn add_risk(qd: &TestApp, csrf: &str, plan: &str, area: &str, title: &str) -> Response {
    let plan = plan.rsplit('/').next().unwrap();
    let res = qd
        .post(
            &format!("/risker/ny?plan={plan}"),
            &[("csrf", csrf), ("title", title), ("area", area), ("level", "6"), ("origin", "deviation")],
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    res
}

#[tokio::test]
async fn saving_returns_to_the_item_with_a_confirmation() {
    on_each_backend(|store, _| async move {
        let mut qd = TestApp::with_demo(store.clone()).await;
        qd.login(QUALITY).await;
        let csrf = qd.csrf().await;
        let plan = draft(&qd, &csrf).await;
        let plan_id = plan.rsplit('/').next().unwrap().to_owned();
        let area = option_value(
            &qd.get(&format!("/risker/ny?plan={plan_id}")).await.body,
            "Myndighetsutövning för personer med beroendeproblematik",
        );

        // A new risk: back on the plan at the risk, "Risken är sparad."
        let res = add_risk(&qd, &csrf, &plan, &area, "Klienter väntar länge på första besök").await;
        let risk = anchored(res.location(), "risk");
        assert_eq!(res.location(), format!("{plan}?sparat=risk&visa=risk-{risk}#risk-{risk}"));
        let page = qd.get(res.location().split('#').next().unwrap()).await.body;
        assert_eq!(confirmation(&page), Some("Risken är sparad."));
        assert!(page.contains(&format!("id=\"risk-{risk}\"")));

        // An action added from the risk, then changed: "Åtgärden är sparad." at the action.
        let res = qd
            .post(
                &format!("/atgarder/ny?plan={plan_id}&risk={risk}"),
                &[("csrf", &csrf), ("title", "Fasta tider för nybesök"), ("status", "planned")],
            )
            .await;
        let action = anchored(res.location(), "atgard");
        let page = qd.get(res.location().split('#').next().unwrap()).await.body;
        assert_eq!(confirmation(&page), Some("Åtgärden är sparad."));
        assert_eq!(page.matches(&format!("id=\"atgard-{action}\"")).count(), 1, "one element with the id");
        let form = qd.get(&format!("/atgarder/{action}/andra")).await.body;
        let res = qd
            .post(
                &format!("/atgarder/{action}/andra"),
                &[
                    ("csrf", &csrf),
                    ("version", &version(&form)),
                    ("title", "Fasta tider för alla nybesök"),
                    ("status", "ongoing"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert!(res.location().ends_with(&format!("?sparat=atgard&visa=atgard-{action}#atgard-{action}")));

        // A self-inspection and an indicator land at their own elements too.
        let res = qd
            .post(
                &format!("/egenkontroller/ny?plan={plan_id}"),
                &[
                    ("csrf", &csrf),
                    ("title", "Väntetid till första besök"),
                    ("area", &area),
                    ("method", "sample_check"),
                    ("frequency", "yearly"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let si = anchored(res.location(), "egenkontroll");
        let page = qd.get(res.location().split('#').next().unwrap()).await.body;
        assert_eq!(confirmation(&page), Some("Egenkontrollen är sparad."));
        assert!(page.contains(&format!("id=\"egenkontroll-{si}\"")));
        let indicator = page
            .split("href=\"/indikatorer/")
            .filter_map(|s| s.split('"').next())
            .find(|s| s.chars().all(|c| c.is_ascii_digit()))
            .unwrap()
            .to_owned();
        assert!(page.contains(&format!("<tr id=\"indikator-{indicator}\">")));

        // Removed: back at the list the risk was in, "Risken är borttagen."
        let res = add_risk(&qd, &csrf, &plan, &area, "En risk som tas bort").await;
        let gone = anchored(res.location(), "risk");
        let form = qd.get(&format!("/risker/{gone}/andra")).await.body;
        let res = qd.post(&format!("/risker/{gone}/ta-bort"), &[("csrf", &csrf), ("version", &version(&form))]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(res.location(), format!("{plan}?borttagen=risk#risker"));
        let page = qd.get(res.location().split('#').next().unwrap()).await.body;
        assert_eq!(confirmation(&page), Some("Risken är borttagen."));

        // An action's follow-up returns to its list of follow-ups with its own sentence.
        let page = qd.get(&format!("/atgarder/{action}")).await.body;
        let res = qd
            .post(
                &format!("/atgarder/{action}/uppfoljning"),
                &[
                    ("csrf", &csrf),
                    ("version", &version(&page)),
                    ("entry_on", "2023-06-30"),
                    ("text", "Tiderna är införda."),
                    ("new_status", "done"),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        assert_eq!(res.location(), format!("/atgarder/{action}?sparat=uppfoljning#uppfoljningar"));
        assert_eq!(
            confirmation(&qd.get(&format!("/atgarder/{action}?sparat=uppfoljning")).await.body),
            Some("Uppföljningen är sparad.")
        );

        // Only known codes show anything, and only their own sentences.
        for query in
            ["sparat=1", "sparat=Allt+%C3%A4r+raderat", "sparat=%3Cscript%3E", "borttagen=genomforande", "sparat="]
        {
            let page = qd.get(&format!("{plan}?{query}")).await;
            assert_eq!(page.status, StatusCode::OK);
            assert_eq!(confirmation(&page.body), None, "{query}");
            assert!(!page.body.contains("Allt är raderat") && !page.body.contains("<script>"));
        }
    })
    .await;
}

/// A GET as htmx sends it for a swap.
async fn htmx_get(app: &TestApp, path: &str) -> Response {
    let req = Request::get(path)
        .header(header::COOKIE, app.cookie.as_deref().unwrap())
        .header("hx-request", "true")
        .header("hx-target", "planens-poster");
    app.send(req.body(Body::empty()).unwrap()).await
}

/// The count before `noun` in a plan's "Innehåll" ("13 risker, 19 egenkontroller, …").
fn count_of(body: &str, noun: &str) -> usize {
    let content = body.split("<dt>Innehåll</dt><dd>").nth(1).unwrap().split("</dd>").next().unwrap();
    let at = content.find(noun).unwrap_or_else(|| panic!("{noun} in {content}"));
    content[..at].rsplit([' ', ',']).next().unwrap().parse().unwrap()
}

/// The process areas whose risks and self-inspections a plan page shows.
fn shown_areas(body: &str) -> Vec<String> {
    body.split("<section class=\"area\" aria-labelledby=\"area-")
        .skip(1)
        .map(|s| s.split("</h3>").next().unwrap().rsplit('>').next().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_large_plan_opens_by_process_area() {
    on_each_backend(|store, _| async move {
        let mut qd = TestApp::with_demo(store.clone()).await;
        qd.login(QUALITY).await;
        let csrf = qd.csrf().await;
        let plan = draft(&qd, &csrf).await;
        let plan_id = plan.rsplit('/').next().unwrap().to_owned();

        // 32 risks and self-inspections: the whole plan, as before.
        let small = qd.get(&plan).await.body;
        assert!(!small.contains("class=\"area-pages\""));
        let all = shown_areas(&small);
        assert!(all.len() > 2, "{all:?}");

        // More risks in the last area, up to 41 items, and the plan opens at its first area.
        let items = count_of(&small, " risk") + count_of(&small, " egenkontroll");
        assert!(items <= 40, "{items}");
        let last = all.last().unwrap().clone();
        let area = option_value(&qd.get(&format!("/risker/ny?plan={plan_id}")).await.body, &last);
        let mut location = String::new();
        for n in 1..=(41 - items) {
            location =
                add_risk(&qd, &csrf, &plan, &area, &format!("Tillagd risk nummer {n}")).await.location().to_owned();
        }
        let large = qd.get(&plan).await;
        assert_eq!(large.status, StatusCode::OK);
        assert!(large.body.contains("class=\"area-pages\""));
        assert!(large.body.contains("Planen har många poster och visas ett område i taget."));
        assert_eq!(shown_areas(&large.body), vec![all[0].clone()]);
        assert!(!large.body.contains("Tillagd risk nummer 1<"));
        // Links to every area with its count; the current one marked.
        for name in &all {
            assert!(large.body.contains(&format!(">{name}</a> <span class=\"count\">(")), "a link to {name}");
        }
        assert!(large.body.contains("aria-current=\"page\">"));
        let href = |name: &str| {
            let at = large.body.find(&format!(">{name}</a>")).unwrap();
            let start = large.body[..at].rfind("href=\"").unwrap() + 6;
            large.body[start..].split('"').next().unwrap().replace("&amp;", "&")
        };
        let to_last = href(&last);
        assert!(to_last.starts_with(&format!("{plan}?omrade=")), "{to_last}");
        assert!(large.body.contains(&format!(">{last}</a> <span class=\"count\">(")));

        // The follow-up entries of the shown area's actions are there (read for those
        // only), and no other area's.
        let actions: Vec<kvalitet_domain::Versioned<kvalitet_domain::action::Action>> = {
            let mut conn = store.read().await.unwrap();
            let plan_no: i64 = plan_id.parse().unwrap();
            kvalitet_store::repo::list(
                &mut conn,
                kvalitet_store::Where::sql("plan_id = $1", vec![kvalitet_store::Value::Int(plan_no)]),
            )
            .await
            .unwrap()
        };
        let mut tx = store.write(&kvalitet_store::Actor::system("test")).await.unwrap();
        for a in &actions {
            let entry = kvalitet_domain::action::ActionFollowUp {
                action_id: a.id,
                entry_on: kvalitet_domain::Date::constant(2025, 3, 1),
                undated: false,
                text: format!("Uppföljning av åtgärd {}.", a.id),
                new_status: a.status,
                recorded_by: "test".to_owned(),
            };
            kvalitet_store::repo::insert(&mut tx, &entry).await.unwrap();
        }
        tx.commit().await.unwrap();
        let first = qd.get(&plan).await.body;
        let (mut on, mut off) = (0, 0);
        for a in &actions {
            let shown = first.contains(&format!("href=\"/atgarder/{}\"", a.id));
            assert_eq!(first.contains(&format!("Uppföljning av åtgärd {}.", a.id)), shown, "action {}", a.id);
            if shown { on += 1 } else { off += 1 }
        }
        assert!(on > 0 && off > 0, "{on} actions shown, {off} not");

        // Without the script, the link is a page load of that area.
        let page = qd.get(&to_last).await.body;
        assert_eq!(shown_areas(&page), vec![last.clone()]);
        assert!(page.contains("Tillagd risk nummer 1<"));
        assert!(page.contains("<html"));

        // htmx's request is answered with the items only.
        let fragment = htmx_get(&qd, &to_last).await;
        assert_eq!(fragment.status, StatusCode::OK);
        assert_eq!(fragment.headers.get(header::VARY).unwrap(), "HX-Request");
        assert!(fragment.body.trim_start().starts_with("<div id=\"planens-poster\">"), "{}", fragment.body);
        assert!(!fragment.body.contains("<html") && !fragment.body.contains("Huvudmeny"));
        assert_eq!(shown_areas(&fragment.body), vec![last.clone()]);
        assert!(fragment.body.contains("Tillagd risk nummer 1<"));
        // A history restore asks for the whole page.
        let req = Request::get(&to_last)
            .header(header::COOKIE, qd.cookie.as_deref().unwrap())
            .header("hx-request", "true")
            .header("hx-history-restore-request", "true");
        assert!(qd.send(req.body(Body::empty()).unwrap()).await.body.contains("<html"));

        // Back from saving a risk of the last area, the plan opens at that area.
        let risk = anchored(&location, "risk");
        let back = qd.get(location.split('#').next().unwrap()).await.body;
        assert_eq!(shown_areas(&back), vec![last.clone()]);
        assert!(back.contains(&format!("id=\"risk-{risk}\"")));
        assert_eq!(confirmation(&back), Some("Risken är sparad."));

        // A small plan stays whole.
        let other = qd.plan_id("Kvalitetsplan 2022 för vuxna").await;
        assert!(!qd.get(&format!("/planer/{other}")).await.body.contains("class=\"area-pages\""));
    })
    .await;
}

#[tokio::test]
async fn counts_are_in_the_singular_for_one() {
    on_each_backend(|store, _| async move {
        let mut qd = TestApp::with_demo(store.clone()).await;
        qd.login(QUALITY).await;
        let csrf = qd.csrf().await;
        let mut conn = store.read().await.unwrap();
        let units: Vec<kvalitet_domain::Versioned<kvalitet_domain::org::OrgUnit>> =
            kvalitet_store::repo::list(&mut conn, kvalitet_store::Where::all()).await.unwrap();
        drop(conn);
        let vuxen = units.iter().find(|u| u.name == "Vuxensektionen").unwrap().id.get().to_string();
        let res = qd.post("/planer/ny", &[("csrf", &csrf), ("scope", &vuxen), ("year", "2027")]).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let plan = res.location().to_owned();
        let plan_id = plan.rsplit('/').next().unwrap().to_owned();
        let area = option_value(
            &qd.get(&format!("/risker/ny?plan={plan_id}")).await.body,
            "Myndighetsutövning för personer med beroendeproblematik",
        );
        add_risk(&qd, &csrf, &plan, &area, "En enda risk").await;
        let page = qd.get(&plan).await.body;
        assert!(page.contains("1 risk, 0 egenkontroller, 0 åtgärder, 0 indikatorer"), "{page}");
        let res = qd
            .post(
                &format!("/atgarder/ny?plan={plan_id}"),
                &[("csrf", &csrf), ("title", "En enda åtgärd"), ("status", "planned")],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let page = qd.get(&plan).await.body;
        assert!(page.contains("1 risk, 0 egenkontroller, 1 åtgärd, 0 indikatorer"), "{page}");
        assert!(page.contains("1 åtgärd saknar ansvarig."), "{page}");
        // The risk map's description counts the same way.
        let map = qd.get(&format!("{plan}/riskkarta")).await.body;
        assert!(!map.contains(" 1 risker"), "{map}");
    })
    .await;
}

/// The element ids of the risks and self-inspections a plan page shows.
fn shown_items(body: &str) -> Vec<String> {
    body.split("<article class=\"card ")
        .skip(1)
        .map(|s| s.split("id=\"").nth(1).unwrap().split('"').next().unwrap().to_owned())
        .collect()
}

/// The link of a pager's `rel` ("next", "prev"), if any.
fn pager_link(body: &str, rel: &str) -> Option<String> {
    let at = body.find(&format!("rel=\"{rel}\""))?;
    let start = body[..at].rfind("href=\"").unwrap() + 6;
    Some(body[start..].split('"').next().unwrap().replace("&#38;", "&").replace("&amp;", "&"))
}

#[tokio::test]
async fn a_large_area_is_shown_a_page_at_a_time() {
    on_each_backend(|store, _| async move {
        let mut qd = TestApp::with_demo(store.clone()).await;
        qd.login(QUALITY).await;
        let csrf = qd.csrf().await;
        let plan = draft(&qd, &csrf).await;
        let plan_id = plan.rsplit('/').next().unwrap().to_owned();
        let name = "Myndighetsutövning för personer med beroendeproblematik";
        let area = option_value(&qd.get(&format!("/risker/ny?plan={plan_id}")).await.body, name);
        let mut last = String::new();
        for n in 1..=45 {
            last = add_risk(&qd, &csrf, &plan, &area, &format!("Sidrisk {n}")).await.location().to_owned();
        }
        let last = anchored(&last, "risk");
        let first = qd.get(&format!("{plan}?omrade={}", name.replace(' ', "+"))).await.body;
        let shown = first.split("<p class=\"muted\">Visar 1–20 av ").nth(1).expect("the page's place");
        let total: usize = shown.split(' ').next().unwrap().parse().unwrap();
        assert!(total >= 45, "{total}");
        assert!(first.contains(&format!("Sida 1 av {}", total.div_ceil(20))));
        assert!(pager_link(&first, "prev").is_none());

        // Page by page, every risk and self-inspection of the area once, 20 at most a page.
        let (mut seen, mut body, mut pages) = (Vec::new(), first, 1);
        let mut elsewhere = Vec::new();
        loop {
            let items = shown_items(&body);
            assert!(!items.is_empty() && items.len() <= 20, "{}", items.len());
            // A self-inspection's link to a risk of its area on another page goes there.
            let to_page = format!("href=\"{plan}?visa=risk-");
            for link in body.split(to_page.as_str()).skip(1) {
                let risk = link.split('#').next().unwrap().to_owned();
                assert!(!items.contains(&format!("risk-{risk}")), "risk {risk} is on this page");
                elsewhere.push(risk);
            }
            seen.extend(items);
            let Some(next) = pager_link(&body, "next") else { break };
            assert!(next.starts_with(&format!("{plan}?omrade=")) && next.contains(&format!("sida={}", pages + 1)));
            body = qd.get(&next).await.body;
            pages += 1;
            assert!(pager_link(&body, "prev").is_some(), "{next}");
        }
        assert_eq!(pages, total.div_ceil(20));
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!((seen.len(), unique.len()), (total, total), "each item on one page");
        assert!(seen.contains(&format!("risk-{last}")));
        assert!(!elsewhere.is_empty(), "the area's self-inspections name its risks on the first page");
        for risk in &elsewhere {
            let there = qd.get(&format!("{plan}?visa=risk-{risk}")).await.body;
            assert!(shown_items(&there).contains(&format!("risk-{risk}")), "risk {risk}");
        }
        // A status filter lists what it keeps: of the risks added, the one given a planned
        // action.
        let status = ActionStatus::Planned.code();
        let res = qd
            .post(
                &format!("/atgarder/ny?plan={plan_id}&risk={last}"),
                &[("csrf", csrf.as_str()), ("title", "Planerad sidåtgärd"), ("status", status)],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let filtered = qd.get(&format!("{plan}?omrade={}&status={status}", name.replace(' ', "+"))).await.body;
        assert_eq!(filtered.matches("Sidrisk").count(), 1, "only the risk with a planned action");
        assert!(shown_items(&filtered).contains(&format!("risk-{last}")));

        // Back from the last risk added, the page that shows it; a page beyond the last
        // is the first.
        let back = qd.get(&format!("{plan}?visa=risk-{last}")).await.body;
        assert!(back.contains(&format!("id=\"risk-{last}\"")));
        assert!(back.contains(&format!("Sida {} av {}", pages, pages)), "the last page");
        let beyond = qd.get(&format!("{plan}?omrade={}&sida=99", name.replace(' ', "+"))).await.body;
        assert!(beyond.contains(&format!("Sida 1 av {pages}")));
    })
    .await;
}
