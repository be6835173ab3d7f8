use crate::support::{PASSWORD, apps, unique_email};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn signup_login_and_me() {
    for app in apps().await {
        let email = unique_email("ada");
        let res = app
            .call(Method::POST, "/api/v1/auth/signup", None, Some(json!({"email": format!("  {}  ", email.to_uppercase()), "password": PASSWORD, "first_name": "Ada"})))
            .await;
        let body = res.assert_status(201);
        assert_eq!(body["user"]["email"], email, "trimmed and lower-cased");
        assert_eq!(body["token_type"], "Bearer");
        assert_eq!(body["user"]["email_verified"], false);
        assert!(body["expires_at"].is_string());

        let res = app
            .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": PASSWORD})))
            .await;
        let token = res.assert_status(200)["access_token"].as_str().unwrap().to_owned();
        let me = app.get("/api/v1/auth/me", &token).await;
        assert_eq!(me.assert_status(200)["user"]["email"], email);
        assert_eq!(me.body["memberships"], json!([]));
    }
}

#[tokio::test]
async fn signup_with_taken_email_is_409_email_taken() {
    for app in apps().await {
        let first = app.signup("dup").await;
        let res = app
            .call(
                Method::POST,
                "/api/v1/auth/signup",
                None,
                Some(json!({"email": first.email.to_uppercase(), "password": PASSWORD, "first_name": "X"})),
            )
            .await;
        res.assert_problem(409, "email_taken");
    }
}

#[tokio::test]
async fn weak_password_and_bad_email_are_422_naming_the_fields() {
    for app in apps().await {
        let res = app
            .call(
                Method::POST,
                "/api/v1/auth/signup",
                None,
                Some(json!({"email": unique_email("w"), "password": "password", "first_name": "X"})),
            )
            .await;
        res.assert_problem(422, "weak_password");
        assert_eq!(res.body["errors"][0]["field"], "password");

        let res = app
            .call(
                Method::POST,
                "/api/v1/auth/signup",
                None,
                Some(json!({"email": "nope", "password": "short", "first_name": ""})),
            )
            .await;
        res.assert_problem(422, "invalid_email");
        let fields: Vec<_> =
            res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["email", "password", "first_name"]);
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_401() {
    for app in apps().await {
        let user = app.signup("login").await;
        let wrong = app
            .call(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": user.email, "password": "Wrong1234"})))
            .await;
        wrong.assert_problem(401, "invalid_credentials");
        let unknown = app
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(json!({"email": unique_email("ghost"), "password": PASSWORD})),
            )
            .await;
        unknown.assert_problem(401, "invalid_credentials");
        assert_eq!(wrong.body["detail"], unknown.body["detail"]);
    }
}

#[tokio::test]
async fn missing_malformed_expired_and_tampered_tokens_are_401() {
    use jsonwebtoken::{EncodingKey, Header, encode};
    for app in apps().await {
        let user = app.signup("tok").await;
        app.call(Method::GET, "/api/v1/auth/me", None, None).await.assert_problem(401, "unauthenticated");
        app.get("/api/v1/auth/me", "not-a-jwt").await.assert_problem(401, "unauthenticated");
        let res = app
            .client
            .get(format!("{}/api/v1/auth/me", app.base))
            .header("authorization", "Basic abc")
            .send()
            .await
            .unwrap();
        crate::support::TestApp::read(res).await.assert_problem(401, "unauthenticated");

        let mut tampered = user.token.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        app.get("/api/v1/auth/me", &tampered).await.assert_problem(401, "unauthenticated");

        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let payload: serde_json::Value =
            serde_json::from_slice(&b64.decode(user.token.split('.').nth(1).unwrap()).unwrap()).unwrap();
        let sid = payload["sid"].as_str().expect("the access token names its session").to_owned();
        let claims = |exp: i64, iss: &str, aud: &str| json!({"sub": user.user_id, "sid": sid, "iss": iss, "aud": aud, "iat": 0, "exp": exp});
        let sign = |claims: serde_json::Value, secret: &[u8]| {
            encode(&Header::default(), &claims, &EncodingKey::from_secret(secret)).unwrap()
        };
        let secret = crate::support::JWT_SECRET.as_bytes();
        let now = chrono::Utc::now().timestamp();
        let expired = sign(claims(now - 3600, "roster", "roster-api"), secret);
        app.get("/api/v1/auth/me", &expired).await.assert_problem(401, "unauthenticated");
        let wrong_issuer = sign(claims(now + 600, "evil", "roster-api"), secret);
        app.get("/api/v1/auth/me", &wrong_issuer).await.assert_problem(401, "unauthenticated");
        let wrong_audience = sign(claims(now + 600, "roster", "other"), secret);
        app.get("/api/v1/auth/me", &wrong_audience).await.assert_problem(401, "unauthenticated");
        let wrong_key = sign(claims(now + 600, "roster", "roster-api"), b"another-secret-another-secret-0123456");
        app.get("/api/v1/auth/me", &wrong_key).await.assert_problem(401, "unauthenticated");
        let good = sign(claims(now + 600, "roster", "roster-api"), secret);
        app.get("/api/v1/auth/me", &good).await.assert_status(200);
        // Well signed, but naming no session: it could never be revoked.
        let sessionless = sign(
            json!({"sub": user.user_id, "iss": "roster", "aud": "roster-api", "iat": 0, "exp": now + 600}),
            secret,
        );
        app.get("/api/v1/auth/me", &sessionless).await.assert_problem(401, "unauthenticated");
        let unknown_session = sign(
            json!({"sub": user.user_id, "sid": roster_domain::SessionId::new(), "iss": "roster", "aud": "roster-api",
                "iat": 0, "exp": now + 600}),
            secret,
        );
        app.get("/api/v1/auth/me", &unknown_session).await.assert_problem(401, "unauthenticated");

        let none = format!(
            "{}.{}.",
            b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
            b64.encode(claims(now + 600, "roster", "roster-api").to_string())
        );
        app.get("/api/v1/auth/me", &none).await.assert_problem(401, "unauthenticated");
    }
}

#[tokio::test]
async fn me_lists_memberships() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let me = app.get("/api/v1/auth/me", &head.token).await;
        let m = &me.assert_status(200)["memberships"][0];
        assert_eq!(m["org_id"], org_id.as_str());
        assert_eq!(m["role"], "head_coach");
        assert_eq!(m["status"], "active");
        assert_eq!(m["org_name"], "Riverside Runners");
    }
}
