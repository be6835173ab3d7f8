//! The console's static files, embedded in the binary and served under
//! names that carry a hash of their content, so browsers may keep them for
//! a year: a new build that changes a file changes its name.

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// Its name in `static/`, e.g. `console.css`.
    pub name: &'static str,
    /// Its content type.
    pub content_type: &'static str,
    /// Its bytes.
    pub body: &'static str,
}

const ASSETS: [Asset; 2] = [
    Asset { name: "console.css", content_type: "text/css; charset=utf-8", body: include_str!("../static/console.css") },
    Asset {
        name: "console.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../static/console.js"),
    },
];

/// The URL path of `name` with its fingerprint, e.g. `/static/console.3f2a9c01.css`.
pub fn url(name: &str) -> &'static str {
    fingerprinted().iter().find(|(asset, _)| asset.name == name).map_or("", |(_, path)| path.as_str())
}

fn fingerprinted() -> &'static [(&'static Asset, String)] {
    static TABLE: OnceLock<Vec<(&'static Asset, String)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        ASSETS
            .iter()
            .map(|asset| {
                let digest = Sha256::digest(asset.body.as_bytes());
                let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
                let (stem, ext) = asset.name.rsplit_once('.').unwrap_or((asset.name, ""));
                (asset, format!("/static/{stem}.{hash}.{ext}"))
            })
            .collect()
    })
}

async fn serve(path: web::Path<String>) -> HttpResponse {
    let wanted = format!("/static/{}", path.into_inner());
    match fingerprinted().iter().find(|(_, p)| *p == wanted) {
        Some((asset, _)) => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, asset.content_type))
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .body(asset.body),
        None => crate::error::not_found_page(),
    }
}

pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/static/{name}").route(web::get().to(serve)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_content_hash() {
        let css = url("console.css");
        assert!(
            css.starts_with("/static/console.")
                && css.ends_with(".css")
                && css.len() == "/static/console.0123456789.css".len()
        );
        assert_eq!(url("missing.css"), "");
    }
}
