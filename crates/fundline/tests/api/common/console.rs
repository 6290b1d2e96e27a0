//! A browser for the lender's console pages (no cookie jar of its own:
//! each answer's status, `Location` and `Set-Cookie` are seen), signed in
//! through the sign-in form, and the checks every console page passes.

use std::collections::BTreeMap;

use super::staff::{envelope_ok, Staff};

/// A browser without a cookie jar: redirects are not followed, so each
/// answer's status, `Location` and `Set-Cookie` are seen.
pub struct Browser {
    pub base: String,
    pub http: reqwest::Client,
    /// Cookies by name, as the server set them.
    pub cookies: BTreeMap<String, String>,
}

pub struct Page {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub html: String,
}

impl Page {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    /// The value of the first `name="csrf"` input.
    pub fn csrf(&self) -> String {
        let at = self
            .html
            .find("name=\"csrf\" value=\"")
            .expect("a CSRF field")
            + 19;
        self.html[at..].split('"').next().unwrap().to_string()
    }
}

impl Browser {
    pub fn new(app: &super::TestApp) -> Browser {
        Browser {
            base: app.base.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
        }
    }

    /// The answer to `req`, sent with the cookies kept so far; the
    /// cookies it sets are kept.
    pub async fn send(&mut self, req: reqwest::RequestBuilder) -> reqwest::Response {
        let jar: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let req = if jar.is_empty() {
            req
        } else {
            req.header("cookie", jar.join("; "))
        };
        let r = req.send().await.unwrap();
        // A rotated session comes back in a new cookie, as a browser keeps it.
        for set in r.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.into(), value.into());
            }
        }
        r
    }

    pub async fn answer(&mut self, req: reqwest::RequestBuilder) -> Page {
        let r = self.send(req).await;
        Page {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            html: r.text().await.unwrap(),
        }
    }

    /// GET `path`, the answer as it came (a file, not a page).
    pub async fn download(&mut self, path: &str) -> reqwest::Response {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.base));
        self.answer(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.answer(req).await
    }

    /// The sign-in form, filled in and sent.
    pub async fn login(&mut self, email: &str, password: &str) -> Page {
        let form = self.get("/console/login").await;
        let csrf = form.csrf();
        self.post(
            "/console/login",
            &[("email", email), ("password", password), ("csrf", &csrf)],
        )
        .await
    }

    /// A browser signed in as `email`, which must succeed.
    pub async fn signed_in(app: &super::TestApp, email: &str, password: &str) -> Browser {
        let mut b = Browser::new(app);
        let p = b.login(email, password).await;
        assert_eq!(p.status, 303, "sign-in of {email}: {}", p.html);
        b
    }

    /// A browser signed in as the tenant's admin.
    pub async fn admin(app: &super::TestApp) -> Browser {
        let a = &app.tenant.analysis;
        Browser::signed_in(app, &a.email, &a.password).await
    }

    /// A browser signed in as Ann Lyst (see [`make_analyst`]).
    pub async fn analyst(app: &super::TestApp) -> Browser {
        Browser::signed_in(app, "ann@lender.example", "analyst-pass-1").await
    }

    /// A browser signed in as another tenant's admin.
    pub async fn stranger(app: &super::TestApp) -> Browser {
        let other = app.other_tenant().await;
        Browser::signed_in(app, &other.analysis.email, &other.analysis.password).await
    }

    pub fn session(&self) -> Option<&String> {
        self.cookies.get("fl_console")
    }
}

pub fn assert_page_headers(p: &Page) {
    let csp = p.header("content-security-policy");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(csp.contains("style-src 'nonce-"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    assert!(p.html.contains(&format!("<style nonce=\"{nonce}\">")));
    assert_eq!(p.header("cache-control"), "no-store");
    assert_eq!(p.header("x-content-type-options"), "nosniff");
    assert_eq!(p.header("referrer-policy"), "no-referrer");
    assert!(p.header("content-type").starts_with("text/html"));
    assert!(!p.html.contains("https://"), "no external requests");
    let body = p.html.find("<body>").expect("a body");
    assert!(!p.html[..body].contains("<th"), "no table cells in <head>");
    assert_eq!(p.html.matches("<main").count(), 1, "one main landmark");
}

/// Ann Lyst, an analyst of the tenant (ann@lender.example,
/// analyst-pass-1), made through the API.
pub async fn make_analyst(api: &Staff) {
    let made = api
        .post(
            "/api/v1/user",
            &serde_json::json!({"firstName": "Ann", "lastName": "Lyst", "jobTitle": "Underwriter",
                "email": "ann@lender.example", "phone": "9251990831",
                "password": "analyst-pass-1", "isActive": true}),
        )
        .await;
    envelope_ok(&made, "User created successfully");
}

/// The PDF's text as poppler reads it (its layout mode: a table's row on
/// one line), spaces and line breaks collapsed;
/// None when this machine has no `pdftotext` (a failure when
/// FUNDLINE_REQUIRE_BROWSER is set, as `.ci/run` does).
pub fn pdf_text(pdf: &[u8]) -> Option<String> {
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), pdf).unwrap();
    let out = match std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(file.path())
        .arg("-")
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            assert!(
                std::env::var("FUNDLINE_REQUIRE_BROWSER").is_err(),
                "pdftotext is required (apt-get install poppler-utils): {e}"
            );
            eprintln!("skipping the PDF text checks: no pdftotext (.ci/run installs it)");
            return None;
        }
    };
    assert!(out.status.success(), "pdftotext: {out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// An amount of the API's JSON as the console shows it: to the cent.
pub fn to_the_cent(v: &serde_json::Value) -> String {
    let d: rust_decimal::Decimal = v.to_string().parse().unwrap_or_else(|_| panic!("{v}"));
    format!("{:.2}", d.round_dp(2))
}

/// The financial report's active income stream (of `likelyEmployerResults`):
/// the one whose employer and monthly income the report page shows.
pub fn active_stream(report: &serde_json::Value) -> &serde_json::Value {
    report["likelyEmployerResults"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["active"] == true))
        .unwrap_or_else(|| panic!("no active income stream: {report}"))
}
