//! A report that cannot be read yet: the console shows where its request
//! stands (link sent, consent, data shared, analysis) and refreshes itself
//! while the request can still move (an expired one:
//! `console::an_expired_requests_report_page_gives_the_apis_reason_and_stops_refreshing`).

use std::time::Duration;

use crate::common::console::{assert_page_headers, Browser, Page};
use crate::common::staff::Staff;
use crate::common::{self, spawn_app};

/// The steps of the progress list, as (state, label) pairs read from the page.
fn steps(p: &Page) -> Vec<(String, String)> {
    let list = p
        .html
        .split("<ol class=\"steps\">")
        .nth(1)
        .expect("a step list");
    let list = &list[..list.find("</ol>").unwrap()];
    list.split("<span class=\"vh\">")
        .skip(1)
        .map(|item| {
            let (state, rest) = item.split_once(": </span>").unwrap();
            let label = rest.split(['<', '\n']).next().unwrap().trim();
            (state.to_string(), label.to_string())
        })
        .collect()
}

/// The steps' states, in order ("Done", "Now", "To come").
pub(crate) fn states(p: &Page) -> Vec<String> {
    steps(p).into_iter().map(|(s, _)| s).collect()
}

#[tokio::test]
async fn a_building_report_shows_each_step_and_the_one_it_is_at() {
    let app = spawn_app().await;
    let api = Staff::admin(&app).await;
    let (_, report_id) = api.customer_with_request(4).await;
    let admin = &app.tenant.analysis;
    let mut b = Browser::new(&app);
    b.login(&admin.email, &admin.password).await;
    let path = format!("/console/reports/{report_id}");

    let p = b.get(&path).await;
    assert_eq!(p.status, 200, "{}", p.html);
    assert_page_headers(&p);
    assert_eq!(
        steps(&p),
        [
            ("Done", "Link sent to the customer"),
            ("Now", "Customer agreed to share bank data"),
            ("To come", "Bank data shared"),
            ("To come", "Report built"),
        ]
        .map(|(s, l)| (s.to_string(), l.to_string()))
    );
    assert!(p.html.contains("<progress max=\"4\" value=\"1\""));
    assert!(p.html.contains("1 of 4 steps done"));
    assert!(p.html.contains("aria-current=\"step\">"));
    assert!(p
        .html
        .contains("<meta http-equiv=\"refresh\" content=\"5\">"));

    // The customer agrees: the step is done, with its time.
    let link = app.link_for(&report_id).await;
    assert_eq!(common::sharing::consent(&link).await, 200);
    let p = b.get(&path).await;
    assert_eq!(states(&p), ["Done", "Done", "Now", "To come"]);
    assert!(p.html.contains("2 of 4 steps done"));
    assert!(
        p.html.contains(" UTC</span>"),
        "the consent's time: {}",
        p.html
    );

    // The statement is shared and analysed: the report itself shows.
    let story = common::ofx::statement(chrono::Utc::now().date_naive());
    let (status, body) =
        common::sharing::upload(&link, vec![("march.ofx".into(), story.text.into_bytes())]).await;
    assert!(status < 300, "{status} {body}");
    common::sharing::report_built(&link, Duration::from_secs(60)).await;
    let p = b.get(&path).await;
    assert!(!p.html.contains("<ol class=\"steps\">"), "{}", p.html);
    assert!(p.html.contains("Headline"));
}
