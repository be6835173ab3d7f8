use super::*;

#[test]
fn defaults_are_valid() {
    Settings::default().validate(false).unwrap();
}

#[test]
fn production_requires_a_jwt_secret() {
    let err = Settings::default().validate(true).unwrap_err();
    assert!(err.to_string().contains("auth.jwt_secret"));
}

#[test]
fn bad_database_url_is_named() {
    let mut s = Settings::default();
    s.database.url = "mysql://x".into();
    assert!(s.validate(false).unwrap_err().to_string().contains("database.url"));
}

#[test]
fn bad_mail_settings_are_named() {
    let mut s = Settings::default();
    s.mail.smtp.tls = Some("ssl".into());
    assert!(s.validate(false).unwrap_err().to_string().contains("mail.smtp.tls"));
    let mut s = Settings::default();
    s.mail.from = "not an address".into();
    assert!(s.validate(false).unwrap_err().to_string().contains("mail.from"));
}

#[test]
#[allow(clippy::result_large_err)] // figment's Jail API returns its own large error
fn env_overrides_use_double_underscores_and_errors_name_the_setting() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("ROSTER__SERVER__BIND", "0.0.0.0:9000");
        jail.set_env("ROSTER__RATE_LIMIT__ENABLED", "false");
        let s = Settings::load().map_err(|e| e.to_string())?;
        assert_eq!(s.server.bind.port(), 9000);
        assert!(!s.rate_limit.enabled);
        jail.set_env("ROSTER__AUTH__TOKEN_TTL_S", "soon");
        let err = Settings::load().unwrap_err().to_string();
        assert!(err.contains("auth.token_ttl_s"), "{err}");
        Ok(())
    });
}

#[test]
fn insights_are_off_by_default_and_need_a_model_with_a_url() {
    let s = Settings::default();
    assert_eq!((s.insights.base_url.as_deref(), s.insights.timeout_ms), (None, 3000));
    let mut s = Settings::default();
    s.insights.base_url = Some("http://127.0.0.1:1/v1".into());
    assert!(s.validate(false).unwrap_err().to_string().contains("insights.model"));
    s.insights.model = Some("m".into());
    s.validate(false).unwrap();
    s.insights.base_url = Some("ftp://x".into());
    assert!(s.validate(false).unwrap_err().to_string().contains("insights.base_url"));
    s.insights.base_url = None;
    s.insights.timeout_ms = 0;
    assert!(s.validate(false).unwrap_err().to_string().contains("insights.timeout_ms"));
}

#[test]
fn attention_defaults_are_the_domain_defaults_and_bad_ones_are_named() {
    assert_eq!(AttentionSettings::default().thresholds(), roster_domain::attention::AttentionThresholds::default());
    let mut s = Settings::default();
    s.attention.load_spike_urgent_ratio = 1.2;
    assert!(s.validate(false).unwrap_err().to_string().contains("attention.load_spike_urgent_ratio"));
}

#[test]
#[allow(clippy::result_large_err)] // figment's Jail API returns its own large error
fn insights_and_attention_follow_the_environment() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("ROSTER__INSIGHTS__BASE_URL", "http://127.0.0.1:9/v1");
        jail.set_env("ROSTER__INSIGHTS__MODEL", "small");
        jail.set_env("ROSTER__INSIGHTS__API_KEY", "k");
        jail.set_env("ROSTER__ATTENTION__LOAD_SPIKE_WARNING_RATIO", "1.3");
        jail.set_env("ROSTER__ATTENTION__NO_RECENT_ACTIVITY_WARNING_DAYS", "5");
        let s = Settings::load().map_err(|e| e.to_string())?;
        assert_eq!(s.insights.model.as_deref(), Some("small"));
        assert_eq!(s.insights.api_key.as_deref(), Some("k"));
        let t = s.attention.thresholds();
        assert_eq!((t.load_spike_warning_ratio, t.no_recent_activity_warning_days), (1.3, 5));
        assert_eq!(t.no_recent_activity_urgent_days, 14);
        jail.set_env("ROSTER__ATTENTION__RACE_SOON_DAYS", "soon");
        let err = Settings::load().unwrap_err().to_string();
        assert!(err.contains("attention.race_soon_days"), "{err}");
        Ok(())
    });
}

#[test]
fn the_shipped_config_file_parses_with_the_new_sections() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../config/default.toml");
    let s: Settings =
        Figment::from(Serialized::defaults(Settings::default())).merge(Toml::file(path)).extract().unwrap();
    s.validate(false).unwrap();
    assert_eq!(s.attention.thresholds(), roster_domain::attention::AttentionThresholds::default());
    assert!(s.insights.base_url.is_none());
    assert_eq!((s.retention.removed_member_days, s.retention.sweep_interval_s), (None, 3600));
}

#[test]
#[allow(clippy::result_large_err)] // figment's Jail API returns its own large error
fn retention_is_off_by_default_and_read_from_the_environment() {
    assert_eq!(Settings::default().retention.removed_member_days, None);
    figment::Jail::expect_with(|jail| {
        jail.set_env("ROSTER__RETENTION__REMOVED_MEMBER_DAYS", "30");
        let s = Settings::load().map_err(|e| e.to_string())?;
        assert_eq!(s.retention.removed_member_days, Some(30));
        jail.set_env("ROSTER__RETENTION__REMOVED_MEMBER_DAYS", "-1");
        let err = Settings::load().unwrap_err().to_string();
        assert!(err.contains("retention.removed_member_days"), "{err}");
        Ok(())
    });
}

#[test]
#[allow(clippy::result_large_err)] // figment's Jail API returns its own large error
fn the_database_connect_timeout_follows_the_environment_and_is_bounded() {
    assert_eq!(Settings::default().database.connect_timeout(), std::time::Duration::from_secs(1));
    figment::Jail::expect_with(|jail| {
        jail.set_env("ROSTER__DATABASE__CONNECT_TIMEOUT_S", "3");
        assert_eq!(Settings::load().map_err(|e| e.to_string())?.database.connect_timeout_s, 3);
        jail.set_env("ROSTER__DATABASE__CONNECT_TIMEOUT_S", "0");
        let err = Settings::load().unwrap_err().to_string();
        assert!(err.contains("database.connect_timeout_s"), "{err}");
        Ok(())
    });
}

#[test]
#[allow(clippy::result_large_err)] // figment's Jail API returns its own large error
fn trusted_proxies_come_from_a_comma_separated_variable_and_bad_ones_are_named() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("ROSTER__SERVER__TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1");
        jail.set_env("ROSTER__SERVER__FORWARDED_HEADER", "forwarded");
        let s = Settings::load().map_err(|e| e.to_string())?;
        assert_eq!(s.server.trusted_proxies, ["10.0.0.0/8", "127.0.0.1"]);
        assert_eq!(s.server.forwarded_header, crate::client_addr::ForwardedHeader::Forwarded);
        jail.set_env("ROSTER__SERVER__TRUSTED_PROXIES", "10.0.0.0/8,everyone");
        let err = Settings::load().unwrap_err().to_string();
        assert!(err.contains("server.trusted_proxies: `everyone`"), "{err}");
        Ok(())
    });
}

#[test]
fn bad_login_slowdown_settings_are_named() {
    let mut s = Settings::default();
    s.rate_limit.login_failures_per_account = 0;
    assert!(s.validate(false).unwrap_err().to_string().contains("rate_limit.login_failures_per_account"));
    let mut s = Settings::default();
    s.rate_limit.login_first_delay_ms = 5000;
    s.rate_limit.login_max_delay_s = 1;
    assert!(s.validate(false).unwrap_err().to_string().contains("rate_limit.login_max_delay_s"));
}

#[test]
fn session_lifetimes_default_to_15_minutes_30_days_and_30_minutes_and_must_be_positive() {
    let s = Settings::default();
    assert_eq!((s.auth.token_ttl_s, s.auth.refresh_ttl_s, s.auth.password_reset_ttl_s), (900, 2_592_000, 1800));
    let mut s = Settings::default();
    s.auth.refresh_ttl_s = 0;
    assert!(s.validate(false).unwrap_err().to_string().contains("auth.refresh_ttl_s"));
    let mut s = Settings::default();
    s.auth.password_reset_ttl_s = 0;
    assert!(s.validate(false).unwrap_err().to_string().contains("auth.password_reset_ttl_s"));
}

#[test]
#[allow(clippy::result_large_err)] // figment's Jail API returns its own large error
fn session_lifetimes_are_read_from_the_environment() {
    figment::Jail::expect_with(|jail| {
        jail.set_env("ROSTER__AUTH__REFRESH_TTL_S", "60");
        jail.set_env("ROSTER__AUTH__PASSWORD_RESET_TTL_S", "120");
        let s = Settings::load().map_err(|e| e.to_string())?;
        assert_eq!((s.auth.refresh_ttl_s, s.auth.password_reset_ttl_s), (60, 120));
        Ok(())
    });
}
