//! The OpenAPI 3.1 document, generated from the handlers.

use crate::routes::{accounts, athlete, audit, coaches, groups, invitations, members, ops, organizations, plans};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

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

/// Every operation that reaches the database can be answered `503` while it
/// is out of service (see `ApiError::unavailable`); `/healthz` never is.
struct Unavailable;

impl Unavailable {
    fn add_to(doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, ResponseBuilder, Type, schema::ObjectBuilder};
        let response = ResponseBuilder::new()
            .description(
                "`database_unavailable` (PostgreSQL cannot be reached) or `storage_unavailable` (the SQLite file \
                 cannot be written): retry after `Retry-After` seconds.",
            )
            .content(
                crate::error::PROBLEM_JSON,
                ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
            )
            .header("Retry-After", HeaderBuilder::new().schema(ObjectBuilder::new().schema_type(Type::Integer)).build())
            .build();
        for (path, item) in &mut doc.paths.paths {
            if path == "/healthz" {
                continue;
            }
            let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
            for operation in operations.into_iter().flatten() {
                operation.responses.responses.entry("503".into()).or_insert_with(|| response.clone().into());
            }
        }
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
        crate::routes::sessions::Api::openapi(),
    ] {
        doc.merge(part);
    }
    Unavailable::add_to(&mut doc);
    doc
}
