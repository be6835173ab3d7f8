//! The OpenAPI 3.1 document, generated from the handlers.

use crate::routes::{accounts, athlete, audit, coaches, groups, invitations, members, ops, organizations, plans};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

mod errors;
mod shapes;

/// The whole API.
#[derive(Debug, OpenApi)]
#[openapi(
    info(title = "roster", version = "1",
        description = "A self-hostable backend for coaching organizations. Errors are RFC 9457 problem details \
            (`application/problem+json`) with a stable `code`. Unknown JSON fields are refused (`400 unknown_field`). \
            Mutable resources carry `version` and an `ETag`; a stale `If-Match` is `412 version_mismatch`. \
            Organization PATCH: a field that is absent or `null` is left as it is."),
    paths(
        accounts::signup, accounts::login, accounts::me,
        organizations::create, organizations::get, organizations::patch,
        coaches::list, coaches::add, coaches::remove, coaches::transfer, coaches::lookup,
        audit::list,
        ops::healthz, ops::readyz,
    ),
    modifiers(&BearerAuth),
    tags((name = "accounts"), (name = "organizations"), (name = "coaches"), (name = "audit"), (name = "operations"))
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::builder().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

/// The whole document: the foundation's paths and each resource module's part.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    for part in [
        members::Api::openapi(),
        invitations::Api::openapi(),
        groups::Api::openapi(),
        plans::Api::openapi(),
        athlete::Api::openapi(),
        crate::routes::profile::Api::openapi(),
        crate::routes::calendar::Api::openapi(),
        crate::routes::attention::Api::openapi(),
        crate::routes::sessions::Api::openapi(),
        crate::routes::webhooks::Api::openapi(),
        crate::routes::privacy::Api::openapi(),
        crate::routes::roster_csv::Api::openapi(),
        crate::routes::api_keys::Api::openapi(),
    ] {
        doc.merge(part);
    }
    errors::CommonErrors.modify(&mut doc);
    shapes::Shapes.modify(&mut doc);
    doc
}
