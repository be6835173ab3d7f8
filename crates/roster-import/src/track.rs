//! Streaming track arithmetic: points go in one at a time, nothing is kept
//! but running totals, so memory does not grow with the file.

use chrono::{DateTime, Utc};

use crate::{FileFormat, ImportError, ImportedActivity, MAX_DURATION_S, MAX_POINTS};
use roster_domain::Sport;

/// The mean Earth radius (IUGG), in metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The elevation hysteresis: rises smaller than this (metres) are noise.
pub const ELEVATION_NOISE_M: f64 = 3.0;

/// Great-circle distance in metres between two `(lat, lon)` points in degrees.
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// One track point as read from a file; every field may be missing.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Point {
    pub position: Option<(f64, f64)>,
    pub time: Option<DateTime<Utc>>,
    pub elevation_m: Option<f64>,
    pub heart_rate: Option<u16>,
    /// The device's cumulative distance, in metres.
    pub distance_m: Option<f64>,
}

/// Elevation gain with hysteresis (see [`ELEVATION_NOISE_M`]).
///
/// Two states. *Not climbing*: the reference follows the lowest point; a
/// rise of at least the threshold above it confirms a climb and counts in
/// full. *Climbing*: every new high counts; a drop of at least the threshold
/// below the high ends the climb. Jitter smaller than the threshold therefore
/// adds nothing, and a real climb counts to its top.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ElevationGain {
    reference: Option<f64>,
    climbing: bool,
    gain: f64,
}

impl ElevationGain {
    pub fn push(&mut self, elevation: f64) {
        let Some(r) = self.reference else {
            self.reference = Some(elevation);
            return;
        };
        if self.climbing {
            if elevation > r {
                self.gain += elevation - r;
                self.reference = Some(elevation);
            } else if elevation <= r - ELEVATION_NOISE_M {
                self.climbing = false;
                self.reference = Some(elevation);
            }
        } else if elevation >= r + ELEVATION_NOISE_M {
            self.gain += elevation - r;
            self.reference = Some(elevation);
            self.climbing = true;
        } else if elevation < r {
            self.reference = Some(elevation);
        }
    }

    pub fn total(&self) -> Option<f64> {
        self.reference.map(|_| self.gain)
    }
}

/// Running totals over a track.
#[derive(Debug, Default)]
pub(crate) struct Track {
    points: usize,
    distance_m: f64,
    last_position: Option<(f64, f64)>,
    positions: usize,
    device_distance_max: Option<f64>,
    first_time: Option<DateTime<Utc>>,
    last_time: Option<DateTime<Utc>>,
    elevation: ElevationGain,
    hr_sum: u64,
    hr_count: u64,
}

/// Plausible elevations in metres (deeper than the Dead Sea shore to higher than Everest, with margin).
const ELEVATION_RANGE: std::ops::RangeInclusive<f64> = -1000.0..=10_000.0;

impl Track {
    /// Adds a point. `format` names the file in errors.
    pub fn push(&mut self, p: Point, format: FileFormat) -> Result<(), ImportError> {
        self.points += 1;
        if self.points > MAX_POINTS {
            return Err(ImportError::TooManyPoints { max: MAX_POINTS });
        }
        if let Some((lat, lon)) = p.position {
            if !(lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon))
            {
                return Err(ImportError::malformed(format, format!("position ({lat}, {lon}) is out of range")));
            }
            if let Some(last) = self.last_position {
                self.distance_m += haversine_m(last, (lat, lon));
            }
            self.last_position = Some((lat, lon));
            self.positions += 1;
        }
        if let Some(t) = p.time {
            self.first_time = Some(self.first_time.map_or(t, |f| f.min(t)));
            self.last_time = Some(self.last_time.map_or(t, |l| l.max(t)));
        }
        if let Some(e) = p.elevation_m.filter(|e| ELEVATION_RANGE.contains(e)) {
            self.elevation.push(e);
        }
        if let Some(hr) = p.heart_rate.filter(|hr| (1..=300).contains(hr)) {
            self.hr_sum += u64::from(hr);
            self.hr_count += 1;
        }
        if let Some(d) = p.distance_m.filter(|d| d.is_finite() && *d >= 0.0) {
            self.device_distance_max = Some(self.device_distance_max.map_or(d, |m| m.max(d)));
        }
        Ok(())
    }

    /// Starts a new segment: the next position is not joined to the last one.
    pub fn break_segment(&mut self) {
        self.last_position = None;
    }

    pub fn points(&self) -> usize {
        self.points
    }

    pub fn first_time(&self) -> Option<DateTime<Utc>> {
        self.first_time
    }

    /// The haversine sum when there are at least two positions, else the device's distance.
    pub fn distance_m(&self) -> Option<f64> {
        if self.positions >= 2 { Some(self.distance_m) } else { self.device_distance_max }
    }

    pub fn elevation_gain_m(&self) -> Option<f64> {
        self.elevation.total()
    }

    pub fn avg_hr(&self) -> Option<u16> {
        (self.hr_count > 0)
            .then(|| u16::try_from((self.hr_sum + self.hr_count / 2) / self.hr_count).unwrap_or(u16::MAX))
    }

    pub fn duration_s(&self) -> Option<i64> {
        Some((self.last_time? - self.first_time?).num_seconds())
    }

    /// The activity, checking there is a usable track.
    pub fn finish(
        &self,
        format: FileFormat,
        sport: Sport,
        title: Option<String>,
    ) -> Result<ImportedActivity, ImportError> {
        if self.points == 0 {
            return Err(ImportError::EmptyTrack);
        }
        let start_time = self.first_time.ok_or(ImportError::MissingTimestamps)?;
        let duration_s = self.duration_s().unwrap_or(0);
        check_duration(format, duration_s)?;
        Ok(ImportedActivity {
            format,
            sport,
            start_time,
            distance_m: round_cm(self.distance_m().unwrap_or(0.0)),
            duration_s,
            elevation_gain_m: self.elevation_gain_m().map(round_cm),
            avg_hr: self.avg_hr(),
            title,
            point_count: self.points,
        })
    }
}

pub(crate) fn check_duration(format: FileFormat, duration_s: i64) -> Result<(), ImportError> {
    if duration_s > MAX_DURATION_S {
        return Err(ImportError::malformed(format, "the timestamps span more than 30 days"));
    }
    Ok(())
}

/// Rounds to the centimetre.
pub(crate) fn round_cm(m: f64) -> f64 {
    (m * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_along_a_meridian_is_radius_times_angle() {
        let d = haversine_m((45.0, 6.0), (45.01, 6.0));
        assert!((d - EARTH_RADIUS_M * 0.01_f64.to_radians()).abs() < 1e-6, "{d}");
        assert_eq!(haversine_m((10.0, 10.0), (10.0, 10.0)), 0.0);
        // Antipodes: half the circumference, no NaN from rounding.
        let half = haversine_m((0.0, 0.0), (0.0, 180.0));
        assert!((half - EARTH_RADIUS_M * std::f64::consts::PI).abs() < 1e-6);
    }

    #[test]
    fn elevation_gain_ignores_jitter_below_3_m_and_counts_real_climbs_in_full() {
        let gain = |xs: &[f64]| {
            let mut g = ElevationGain::default();
            xs.iter().for_each(|x| g.push(*x));
            g.total()
        };
        assert_eq!(gain(&[]), None);
        assert_eq!(gain(&[100.0]), Some(0.0));
        assert_eq!(gain(&[100.0, 102.9, 100.5, 102.9, 100.0]), Some(0.0), "jitter under the threshold");
        assert_eq!(gain(&[100.0, 103.0]), Some(3.0), "exactly the threshold counts");
        assert_eq!(gain(&[100.0, 101.0, 102.0, 110.0, 105.0, 115.0]), Some(20.0));
        assert_eq!(gain(&[100.0, 90.0, 92.0, 95.0]), Some(5.0), "climbs count from the lowest point");
        assert_eq!(
            gain(&[100.0, 104.0, 105.0, 104.0, 105.5, 103.0, 106.0]),
            Some(6.0),
            "plateau jitter adds only new highs"
        );
        let ramp: Vec<f64> = (0..=225).map(|i| 100.0 + 50.0 * f64::from(i) / 225.0).collect();
        assert!((gain(&ramp).unwrap() - 50.0).abs() < 1e-9, "a slow climb counts to its top");
    }

    #[test]
    fn average_heart_rate_rounds_to_the_nearest_beat() {
        let mut t = Track::default();
        for hr in [140, 141] {
            t.push(Point { heart_rate: Some(hr), ..Point::default() }, FileFormat::Gpx).unwrap();
        }
        assert_eq!(t.avg_hr(), Some(141));
        t.push(Point { heart_rate: Some(0), ..Point::default() }, FileFormat::Gpx).unwrap();
        assert_eq!(t.avg_hr(), Some(141), "0 means no reading");
    }

    #[test]
    fn segments_are_not_joined() {
        let mut t = Track::default();
        let at = |lat| Point { position: Some((lat, 0.0)), ..Point::default() };
        t.push(at(0.0), FileFormat::Gpx).unwrap();
        t.push(at(0.01), FileFormat::Gpx).unwrap();
        t.break_segment();
        t.push(at(1.0), FileFormat::Gpx).unwrap();
        t.push(at(1.01), FileFormat::Gpx).unwrap();
        let expected = 2.0 * EARTH_RADIUS_M * 0.01_f64.to_radians();
        assert!((t.distance_m().unwrap() - expected).abs() < 1e-6);
    }
}
