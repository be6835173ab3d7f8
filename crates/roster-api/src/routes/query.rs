//! The query string as a typed value, like `web::Query`, but a bad value is
//! a `400` naming its parameter: `weeks=-1` is `invalid_parameter` for
//! `weeks`, where serde alone says only "invalid digit found in string".

use crate::error::ApiError;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::{Ready, ready};

/// The request's query parameters as `T`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    /// The parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

/// `query` as `T`; a refusal names the parameter at fault.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let parameters = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(parameters).map_err(|e| {
        let path = e.path().to_string();
        refusal((path != ".").then_some(path), &e.into_inner().to_string())
    })
}

/// The `400` for a query serde refused with `message`, naming the parameter
/// at `path` (when known) or the one serde names in backticks.
fn refusal(path: Option<String>, message: &str) -> ApiError {
    // An unknown or missing parameter is named by serde itself, in backticks.
    let named = message.split('`').nth(1).map(str::to_owned);
    if message.starts_with("unknown field") {
        let name = named.unwrap_or_else(|| "query".into());
        return ApiError::bad_request("unknown_parameter", &name, message);
    }
    let name = path.or(named).unwrap_or_else(|| "query".into());
    let why = if message.starts_with("missing field") { "is required" } else { "has a value of the wrong kind" };
    ApiError::bad_request("invalid_parameter", &name, format!("{name} {why} ({message})"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Weeks {
        weeks: Option<u32>,
        from: Option<chrono::NaiveDate>,
    }

    fn refusal(query: &str) -> (String, String) {
        let problem = serde_json::to_value(parse::<Weeks>(query).unwrap_err().problem()).unwrap();
        (problem["code"].as_str().unwrap().to_owned(), problem["errors"][0]["field"].as_str().unwrap().to_owned())
    }

    #[test]
    fn a_bad_value_names_its_parameter() {
        assert!(parse::<Weeks>("weeks=4&from=2026-01-05").is_ok());
        assert_eq!(refusal("weeks=-1"), ("invalid_parameter".into(), "weeks".into()));
        assert_eq!(refusal("from=2026-13-01"), ("invalid_parameter".into(), "from".into()));
        assert_eq!(refusal("wekks=4"), ("unknown_parameter".into(), "wekks".into()));
    }
}
