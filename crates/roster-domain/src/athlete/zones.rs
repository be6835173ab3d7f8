//! Training zones: heart-rate zones (bpm) and pace zones (seconds per km).
//! Each zone's range must not be inverted; zones are listed in order and
//! must not overlap (a zone may start where the previous one ends).

use super::{in_range_i64, required_text};
use crate::error::{DomainError, FieldError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The most zones of each kind.
pub const MAX_ZONES: usize = 10;
/// The heart rates a zone or setting may name, bpm.
pub const BPM: std::ops::RangeInclusive<i64> = 20..=250;
/// The paces a zone or setting may name, s/km.
pub const PACE: std::ops::RangeInclusive<i64> = 60..=1800;

/// One heart-rate zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeartRateZone {
    /// 1–40 characters, e.g. `Z2 endurance`.
    pub name: String,
    /// Lower bound, bpm (20–250).
    pub min_bpm: i64,
    /// Upper bound, bpm (20–250), more than `min_bpm`.
    pub max_bpm: i64,
}

/// Heart-rate settings and zones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeartRateZones {
    /// Maximum heart rate, bpm.
    #[serde(default)]
    pub max_bpm: Option<i64>,
    /// Resting heart rate, bpm, less than `max_bpm`.
    #[serde(default)]
    pub resting_bpm: Option<i64>,
    /// Zones from the lowest to the highest, at most 10.
    #[serde(default)]
    pub zones: Vec<HeartRateZone>,
}

/// One pace zone; faster paces are smaller numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaceZone {
    /// 1–40 characters.
    pub name: String,
    /// The fast end, s/km (60–1800).
    pub min_s_per_km: i64,
    /// The slow end, s/km (60–1800), more than `min_s_per_km`.
    pub max_s_per_km: i64,
}

/// Pace settings and zones.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaceZones {
    /// Threshold pace, s/km.
    #[serde(default)]
    pub threshold_s_per_km: Option<i64>,
    /// Zones from the fastest to the slowest, at most 10.
    #[serde(default)]
    pub zones: Vec<PaceZone>,
}

/// An athlete's zones as sent and stored (not yet checked).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ZoneSettings {
    /// Heart rate.
    #[serde(default)]
    pub heart_rate: HeartRateZones,
    /// Pace.
    #[serde(default)]
    pub pace: PaceZones,
}

/// Zone settings that passed every check.
///
/// ```
/// use roster_domain::athlete::zones::{HeartRateZone, ZoneSettings, Zones};
/// let mut settings = ZoneSettings::default();
/// settings.heart_rate.zones = vec![
///     HeartRateZone { name: "Z1".into(), min_bpm: 100, max_bpm: 130 },
///     HeartRateZone { name: "Z2".into(), min_bpm: 125, max_bpm: 150 },
/// ];
/// let err = Zones::parse(settings).unwrap_err();
/// assert_eq!(err.code(), "overlapping_zones");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Zones(ZoneSettings);

/// Zones as stored, with their version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredZones {
    /// The zones.
    pub zones: Zones,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency version.
    pub version: i64,
}

impl Zones {
    /// Checks the settings, naming every bad field (`heart_rate.zones[2].min_bpm`).
    pub fn parse(mut settings: ZoneSettings) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let mut check = |field: String, r: Result<i64, crate::values::InvalidValue>| {
            if let Err(e) = r {
                errors.push(FieldError::from_invalid(field, e));
            }
        };
        let hr = &mut settings.heart_rate;
        if let Some(max) = hr.max_bpm {
            check("heart_rate.max_bpm".into(), in_range_i64(max, BPM));
        }
        if let Some(rest) = hr.resting_bpm {
            check("heart_rate.resting_bpm".into(), in_range_i64(rest, BPM));
            if hr.max_bpm.is_some_and(|max| rest >= max) {
                errors.push(FieldError::new("heart_rate.resting_bpm", "out_of_range", "must be less than max_bpm"));
            }
        }
        let ranges: Vec<_> = hr.zones.iter_mut().map(|z| (&mut z.name, z.min_bpm, z.max_bpm)).collect();
        check_zones("heart_rate", ("min_bpm", "max_bpm"), BPM, ranges, &mut errors);
        let pace = &mut settings.pace;
        if let Some(threshold) = pace.threshold_s_per_km
            && let Err(e) = in_range_i64(threshold, PACE)
        {
            errors.push(FieldError::from_invalid("pace.threshold_s_per_km", e));
        }
        let ranges: Vec<_> = pace.zones.iter_mut().map(|z| (&mut z.name, z.min_s_per_km, z.max_s_per_km)).collect();
        check_zones("pace", ("min_s_per_km", "max_s_per_km"), PACE, ranges, &mut errors);
        if errors.is_empty() { Ok(Self(settings)) } else { Err(DomainError::Validation(errors)) }
    }

    /// The settings inside.
    pub fn settings(&self) -> &ZoneSettings {
        &self.0
    }

    /// Whether any heart-rate zone is set.
    pub fn has_heart_rate(&self) -> bool {
        !self.0.heart_rate.zones.is_empty()
    }

    /// Whether any pace zone is set.
    pub fn has_pace(&self) -> bool {
        !self.0.pace.zones.is_empty()
    }
}

/// Checks one list of zones: names, bounds, not inverted, in order, not
/// overlapping. Names are trimmed in place.
fn check_zones(
    kind: &str,
    (min_name, max_name): (&str, &str),
    bounds: std::ops::RangeInclusive<i64>,
    zones: Vec<(&mut String, i64, i64)>,
    errors: &mut Vec<FieldError>,
) {
    if zones.len() > MAX_ZONES {
        errors.push(FieldError::new(format!("{kind}.zones"), "too_many_zones", format!("at most {MAX_ZONES} zones")));
        return;
    }
    let mut previous: Option<(i64, i64)> = None;
    for (i, (name, min, max)) in zones.into_iter().enumerate() {
        let field = |f: &str| format!("{kind}.zones[{i}].{f}");
        match required_text(name, 40) {
            Ok(trimmed) => *name = trimmed,
            Err(e) => errors.push(FieldError::from_invalid(field("name"), e)),
        }
        let mut ok = true;
        for (f, v) in [(min_name, min), (max_name, max)] {
            if let Err(e) = in_range_i64(v, bounds.clone()) {
                errors.push(FieldError::from_invalid(field(f), e));
                ok = false;
            }
        }
        if ok && min >= max {
            errors.push(FieldError::new(
                field(min_name),
                "inverted_zone",
                format!("{min_name} must be less than {max_name}"),
            ));
            ok = false;
        }
        if ok && let Some((prev_min, prev_max)) = previous {
            if min < prev_min {
                errors.push(FieldError::new(
                    field(min_name),
                    "zones_out_of_order",
                    "zones must be listed from the lowest to the highest",
                ));
            } else if min < prev_max {
                errors.push(FieldError::new(
                    field(min_name),
                    "overlapping_zones",
                    format!("must not be below the previous zone's {max_name} ({prev_max})"),
                ));
            }
        }
        if ok {
            previous = Some((min, max));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hr(zones: &[(i64, i64)]) -> ZoneSettings {
        let mut s = ZoneSettings::default();
        s.heart_rate.zones = zones
            .iter()
            .enumerate()
            .map(|(i, &(min_bpm, max_bpm))| HeartRateZone { name: format!(" Z{} ", i + 1), min_bpm, max_bpm })
            .collect();
        s
    }

    fn errors(r: Result<Zones, DomainError>) -> Vec<(String, String)> {
        match r {
            Err(DomainError::Validation(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected validation, got {other:?}"),
        }
    }

    #[test]
    fn contiguous_zones_are_fine_and_names_are_trimmed() {
        let zones = Zones::parse(hr(&[(100, 130), (130, 150), (150, 170)])).unwrap();
        assert_eq!(zones.settings().heart_rate.zones[0].name, "Z1");
        assert!(zones.has_heart_rate());
        assert!(!zones.has_pace());
    }

    #[test]
    fn inverted_overlapping_and_unordered_zones_are_named() {
        assert_eq!(
            errors(Zones::parse(hr(&[(100, 130), (140, 160), (150, 145)]))),
            [("heart_rate.zones[2].min_bpm".into(), "inverted_zone".into())]
        );
        assert_eq!(
            errors(Zones::parse(hr(&[(100, 130), (129, 160)]))),
            [("heart_rate.zones[1].min_bpm".into(), "overlapping_zones".into())]
        );
        assert_eq!(
            errors(Zones::parse(hr(&[(130, 150), (100, 120)]))),
            [("heart_rate.zones[1].min_bpm".into(), "zones_out_of_order".into())]
        );
        assert_eq!(
            errors(Zones::parse(hr(&[(10, 120)]))),
            [("heart_rate.zones[0].min_bpm".into(), "out_of_range".into())]
        );
    }

    #[test]
    fn pace_zones_and_settings_are_checked() {
        let mut s = ZoneSettings::default();
        s.heart_rate.max_bpm = Some(190);
        s.heart_rate.resting_bpm = Some(195);
        s.pace.threshold_s_per_km = Some(30);
        s.pace.zones = vec![
            PaceZone { name: "fast".into(), min_s_per_km: 200, max_s_per_km: 240 },
            PaceZone { name: "".into(), min_s_per_km: 230, max_s_per_km: 300 },
        ];
        assert_eq!(
            errors(Zones::parse(s)),
            [
                ("heart_rate.resting_bpm".into(), "out_of_range".into()),
                ("pace.threshold_s_per_km".into(), "out_of_range".into()),
                ("pace.zones[1].name".into(), "required".into()),
                ("pace.zones[1].min_s_per_km".into(), "overlapping_zones".into()),
            ]
        );
    }

    #[test]
    fn at_most_ten_zones() {
        let many: Vec<_> = (0..11).map(|i| (100 + i * 5, 104 + i * 5)).collect();
        assert_eq!(errors(Zones::parse(hr(&many))), [("heart_rate.zones".into(), "too_many_zones".into())]);
    }
}
