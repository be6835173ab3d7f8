//! A cookie-keeping client that follows no redirects: each answer is checked
//! as the browser receives it.

use crate::support::TestApp;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};
use std::collections::BTreeMap;

pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (a download is not text).
    pub bytes: Vec<u8>,
}

impl Page {
    pub fn location(&self) -> &str {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    /// The value of the first hidden `csrf` field.
    pub fn csrf(&self) -> String {
        field_value(&self.body, "csrf").expect("the page has a form with a CSRF token")
    }

    #[track_caller]
    pub fn assert(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "{}", self.body);
        self
    }

    #[track_caller]
    pub fn assert_redirect(&self, to: &str) {
        assert_eq!((self.status, self.location()), (303, to), "{}", self.body);
    }
}

/// The `value` of the input named `name`.
pub fn field_value(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let rest = &html[at..];
    let value = rest.find("value=\"")? + 7;
    let end = rest[value..].find('"')?;
    Some(rest[value..value + end].to_owned())
}

pub struct Browser<'a> {
    pub app: &'a TestApp,
    client: reqwest::Client,
    pub cookies: BTreeMap<String, String>,
    pub set_cookies: Vec<String>,
}

impl<'a> Browser<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Self { app, client, cookies: BTreeMap::new(), set_cookies: Vec::new() }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let cookie: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let req = req.header("accept", "text/html").header("cookie", cookie.join("; "));
        let res = req.send().await.expect("the server answers");
        for value in res.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap().to_owned();
            let (pair, _) = text.split_once(';').unwrap_or((&text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            if value.is_empty() {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_owned(), value.to_owned());
            }
            self.set_cookies.push(text);
        }
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap().to_vec();
        Page { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
    }

    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.client.get(format!("{}{path}", self.app.base));
        self.send(req).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.client.post(format!("{}{path}", self.app.base)).form(form);
        self.send(req).await
    }

    /// Gets `page`, then posts `form` to `action` with the page's CSRF token.
    pub async fn submit(&mut self, page: &str, action: &str, form: &[(&str, &str)]) -> Page {
        let csrf = self.get(page).await.assert(200).csrf();
        let mut fields = vec![("csrf", csrf.as_str())];
        fields.extend_from_slice(form);
        self.post(action, &fields).await
    }

    /// Creates an account through **Create account** and is signed in.
    pub async fn create_account(&mut self, first_name: &str, email: &str) {
        let form = [
            ("first_name", first_name),
            ("last_name", "Tester"),
            ("email", email),
            ("password", crate::support::PASSWORD),
        ];
        self.submit("/create-account", "/create-account", &form).await.assert_redirect("/");
    }

    /// Signs in through **Sign in**.
    pub async fn sign_in(&mut self, email: &str) {
        let form = [("email", email), ("password", crate::support::PASSWORD), ("next", "/")];
        self.submit("/sign-in", "/sign-in", &form).await.assert_redirect("/");
    }

    /// A new head coach of a new club, signed in.
    pub async fn head_coach(app: &'a TestApp) -> (Self, String) {
        let mut b = Self::new(app);
        let email = crate::support::unique_email("head");
        b.create_account("Hana", &email).await;
        b.submit("/club/new", "/club/new", &[("name", "Riverside Runners"), ("description", ""), ("timezone", "UTC")])
            .await
            .assert_redirect("/athletes");
        (b, email)
    }
}

impl Browser<'_> {
    /// Posts a `multipart/form-data` body of text fields and one file.
    pub async fn upload(&mut self, path: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> Page {
        let boundary = "roster-test-boundary-7d1f";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n", file.0)
                .as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let req = self
            .client
            .post(format!("{}{path}", self.app.base))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(body);
        self.send(req).await
    }
}
