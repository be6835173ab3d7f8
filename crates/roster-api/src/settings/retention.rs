//! `retention.*`: how long the organization-only attributes of a removed
//! member are kept.

use serde::{Deserialize, Serialize};

/// `retention.*`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettings {
    /// Days after a membership ends before its display name, member level,
    /// labels and private notes are erased by the background worker. Unset
    /// (the default): kept.
    #[serde(default)]
    pub removed_member_days: Option<u32>,
    /// Seconds between two sweeps.
    #[serde(default = "default_sweep_interval_s")]
    pub sweep_interval_s: u64,
}

fn default_sweep_interval_s() -> u64 {
    3600
}

impl Default for RetentionSettings {
    fn default() -> Self {
        Self { removed_member_days: None, sweep_interval_s: default_sweep_interval_s() }
    }
}
