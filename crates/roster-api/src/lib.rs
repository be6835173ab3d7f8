//! # roster-api
//!
//! The HTTP API of roster (actix-web) and the `roster` binary. Handlers are
//! thin: they extract and parse, run a `roster-domain` use case on the
//! blocking pool against `roster-store`, and map the result. The OpenAPI
//! document, generated from the handlers, is the reference; the repository's
//! `docs/api.md` gives the conventions every operation follows.

pub mod allocator;
pub mod auth;
pub mod cli;
pub mod client_addr;
pub mod conventions;
pub mod error;
pub mod insights_llm;
pub mod mail;
pub mod openapi;
pub mod refresher;
pub mod retention;
pub mod routes;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod throttle;
pub mod webhooks;

pub use settings::Settings;
pub use startup::Application;
