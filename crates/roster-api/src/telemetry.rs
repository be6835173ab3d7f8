//! Logging: JSON lines in production, readable text in a terminal. Every line
//! written while serving a request carries its request id (tracing-actix-web).

use crate::settings::Settings;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls do nothing.
pub fn init(settings: &Settings) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.log.level));
    let json = match settings.log.format.as_deref() {
        Some(f) => f == "json",
        None => std::env::var("ROSTER_ENV").is_ok_and(|e| e == "production"),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json { builder.json().flatten_event(true).try_init() } else { builder.try_init() };
}
