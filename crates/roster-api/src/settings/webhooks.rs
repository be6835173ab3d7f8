//! `webhooks.*`: delivering events to organizations' endpoints.

use serde::{Deserialize, Serialize};

/// `webhooks.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookSettings {
    /// The key (64 hex characters) that seals endpoint secrets at rest.
    /// Generated on first start and kept in the data folder unless set;
    /// every server of one deployment must share it.
    pub secret_key: Option<String>,
    /// Networks (CIDRs) an endpoint may resolve to although they are
    /// loopback, private, link-local or metadata addresses, e.g.
    /// `10.20.0.0/16` for an in-house receiver. A list, or one
    /// comma-separated string (`ROSTER__WEBHOOKS__ALLOW_NETWORKS`).
    #[serde(deserialize_with = "crate::client_addr::list_or_commas")]
    pub allow_networks: Vec<String>,
    /// Seconds to wait between failed attempts, in order; the delivery fails
    /// after the last. Each is jittered by up to 10 %.
    pub retry_schedule_s: Vec<u64>,
    /// Seconds an attempt may take before it counts as a timeout.
    pub timeout_s: u64,
    /// Hours of failures after which an endpoint is disabled and the head coach e-mailed.
    pub disable_after_failing_h: u64,
    /// Days attempts and settled deliveries are kept.
    pub log_retention_days: u32,
    /// How often the worker looks for events and due deliveries, in milliseconds.
    pub poll_interval_ms: u64,
    /// Deliveries sent at once by one server.
    pub concurrency: u32,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            secret_key: None,
            allow_networks: Vec::new(),
            retry_schedule_s: vec![5, 300, 1800, 7200, 18_000, 36_000, 36_000],
            timeout_s: 15,
            disable_after_failing_h: 120,
            log_retention_days: 30,
            poll_interval_ms: 250,
            concurrency: 16,
        }
    }
}

impl WebhookSettings {
    /// Checks what types alone cannot.
    pub fn validate(&self) -> Result<(), super::SettingsError> {
        let bad = |m: &str| Err(super::SettingsError(format!("webhooks.{m}")));
        if let Some(key) = &self.secret_key
            && crate::webhooks::parse_key(key).is_none()
        {
            return bad("secret_key: must be 64 hexadecimal characters");
        }
        crate::webhooks::AllowedNetworks::parse(&self.allow_networks)
            .map_err(|e| super::SettingsError(e.to_string()))?;
        if !(1..=120).contains(&self.timeout_s) {
            return bad("timeout_s: must be between 1 and 120");
        }
        if self.poll_interval_ms == 0 || self.concurrency == 0 || self.log_retention_days == 0 {
            return bad("poll_interval_ms, concurrency and log_retention_days: must be positive");
        }
        if self.disable_after_failing_h == 0 {
            return bad("disable_after_failing_h: must be positive");
        }
        Ok(())
    }
}
