//! The JSON body extractor of every handler.

use crate::error::{ApiError, json_error};
use actix_web::error::JsonPayloadError;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use std::future::Future;
use std::pin::Pin;

/// A JSON object body, read as `web::Json` reads it (same `JsonConfig`:
/// limit, content type, problem answers) except that the body must be an
/// object: serde would read a struct from an array of its fields in order,
/// so `[null, null]` was every field of an all-optional body.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let raw = web::Json::<Box<RawValue>>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let raw = raw.await?.into_inner();
            if !raw.get().trim_start().starts_with('{') {
                let message = "The body must be a JSON object.";
                return Err(ApiError::bad_request("invalid_type", "body", message).into());
            }
            // Parsing the text again keeps serde's answers (duplicate keys, positions).
            serde_json::from_str(raw.get()).map(Json).map_err(|e| json_error(JsonPayloadError::Deserialize(e), &req))
        })
    }
}
