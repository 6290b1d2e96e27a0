//! Behind a TLS-terminating proxy the node speaks plain HTTP, but browsers
//! reach the console over HTTPS: when the links it hands out are https,
//! every console cookie is `Secure`, so it never travels in the clear.

use fundline_api::ApiConfig;

use crate::common::console::{Browser, Page};
use crate::common::spawn_app_with;

/// The `Set-Cookie` values of a page.
fn set_cookies(p: &Page) -> Vec<String> {
    p.headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_https_public_url_makes_every_console_cookie_secure() {
    let app = spawn_app_with(ApiConfig {
        public_url: "https://lender.example".into(),
        ..ApiConfig::default()
    })
    .await;
    let mut b = Browser::new(&app);
    let form = b.get("/console/login").await;
    let login = set_cookies(&form);
    assert!(
        login.iter().any(|c| c.starts_with("fl_console_login=")),
        "{login:?}"
    );
    let a = &app.tenant.analysis;
    let signed_in = b.login(&a.email, &a.password).await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.html);
    let session = set_cookies(&signed_in);
    assert!(
        session.iter().any(|c| c.starts_with("fl_console=")),
        "{session:?}"
    );
    let csrf = b.get("/console/customers").await.csrf();
    let out = b.post("/console/logout", &[("csrf", &csrf)]).await;
    let cleared = set_cookies(&out);
    assert!(
        cleared.iter().any(|c| c.contains("Max-Age=0")),
        "{cleared:?}"
    );
    for c in login.iter().chain(&session).chain(&cleared) {
        assert!(c.ends_with("; Secure"), "{c}");
        assert!(c.contains("HttpOnly; SameSite=Strict"), "{c}");
    }
}
