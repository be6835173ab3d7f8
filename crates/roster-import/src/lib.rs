//! # roster-import
//!
//! Reads an activity file — GPX, TCX or FIT, recognised by its content — into
//! one [`ImportedActivity`]: sport, start time, distance, duration, elevation
//! gain, average heart rate, title and the number of track points.
//!
//! * **Distance**: the haversine sum over consecutive positions (mean Earth
//!   radius [`EARTH_RADIUS_M`]); GPX track segments are not joined. Without
//!   positions, the device's cumulative distance (TCX `DistanceMeters`, FIT
//!   record `distance`). For FIT, the session's `total_distance` wins when the
//!   file has one (the device measured it, often with a wheel or foot pod).
//! * **Duration**: from the earliest to the latest point timestamp (elapsed
//!   time, pauses included); FIT falls back to the session's
//!   `total_elapsed_time` when records carry no time.
//! * **Elevation gain**: the sum of climbs with a hysteresis of
//!   [`ELEVATION_NOISE_M`]: a rise counts only once it is at least that much
//!   above the lowest point since the last counted rise, so GPS/barometer
//!   jitter below 3 m adds nothing while a real climb counts in full. FIT
//!   prefers the session's `total_ascent`.
//! * **Average heart rate**: the mean of the points' heart rates (FIT: the
//!   session's `avg_heart_rate` when present).
//!
//! Hostile input is a typed [`ImportError`] with a stable [`ImportError::code`],
//! never a panic: the file is capped at [`MAX_FILE_BYTES`], points at
//! [`MAX_POINTS`], XML nesting at [`MAX_XML_DEPTH`]; XML is streamed (no DOM)
//! and a DTD (`<!DOCTYPE …>`, where entity bombs live) is refused; the FIT
//! decoder runs under `catch_unwind` as a guard.
//!
//! ```
//! let gpx = br#"<?xml version="1.0"?>
//! <gpx version="1.1" creator="doc"><trk><name>Loop</name><type>running</type><trkseg>
//!   <trkpt lat="45.0" lon="6.0"><time>2026-11-28T07:00:00Z</time></trkpt>
//!   <trkpt lat="45.01" lon="6.0"><time>2026-11-28T07:05:00Z</time></trkpt>
//! </trkseg></trk></gpx>"#;
//! let activity = roster_import::import(gpx, Some("loop.gpx")).unwrap();
//! assert_eq!(activity.sport, roster_domain::Sport::Run);
//! assert_eq!(activity.duration_s, 300);
//! assert!((activity.distance_m - 1111.95).abs() < 0.01);
//! assert_eq!(roster_import::import(b"hello", None).unwrap_err().code(), "unsupported_format");
//! ```

#![warn(missing_docs)]

mod fit;
pub mod multipart;
mod track;
mod upload;
mod xml;

use chrono::{DateTime, Utc};
use roster_domain::Sport;

pub use track::{EARTH_RADIUS_M, ELEVATION_NOISE_M, haversine_m};
pub use upload::{MAX_TITLE_CHARS, activity_input, file_hash};

/// The largest file accepted: 20 MiB.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// The most track points (or FIT messages) read from one file.
pub const MAX_POINTS: usize = 500_000;
/// The deepest XML nesting accepted.
pub const MAX_XML_DEPTH: usize = 64;
/// The longest activity accepted, first to last timestamp: 30 days.
pub const MAX_DURATION_S: i64 = 30 * 24 * 3600;

/// The file formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    /// GPS Exchange Format (XML, root `gpx`).
    Gpx,
    /// Garmin Training Center XML (root `TrainingCenterDatabase`).
    Tcx,
    /// Garmin/ANT Flexible and Interoperable Data Transfer (binary, `.FIT` at offset 8).
    Fit,
}

impl FileFormat {
    /// `gpx`, `tcx` or `fit`.
    pub fn as_str(&self) -> &'static str {
        match self {
            FileFormat::Gpx => "gpx",
            FileFormat::Tcx => "tcx",
            FileFormat::Fit => "fit",
        }
    }

    /// The format a file name's extension claims, if any.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "gpx" => Some(FileFormat::Gpx),
            "tcx" => Some(FileFormat::Tcx),
            "fit" => Some(FileFormat::Fit),
            _ => None,
        }
    }
}

/// What an activity file says, condensed.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedActivity {
    /// The format it was read as.
    pub format: FileFormat,
    /// The sport the file names; [`Sport::Other`] when it names none or an unknown one.
    pub sport: Sport,
    /// The earliest timestamp.
    pub start_time: DateTime<Utc>,
    /// Distance in metres (see the crate docs for how).
    pub distance_m: f64,
    /// Elapsed seconds from the earliest to the latest timestamp.
    pub duration_s: i64,
    /// Elevation gain in metres, when the file has elevations.
    pub elevation_gain_m: Option<f64>,
    /// Average heart rate in bpm, when the file has heart rates.
    pub avg_hr: Option<u16>,
    /// The file's own name for the activity (GPX `trk/name` or `metadata/name`, TCX `Notes`).
    pub title: Option<String>,
    /// Track points read.
    pub point_count: usize,
}

/// Why a file could not be imported. [`ImportError::code`] is stable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ImportError {
    /// Not a GPX, TCX or FIT file.
    #[error("not a GPX, TCX or FIT file{}", .0.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    UnsupportedFormat(Option<String>),
    /// A GPX, TCX or FIT file that cannot be read.
    #[error("malformed {format} file: {reason}")]
    MalformedFile {
        /// `gpx`, `tcx` or `fit`.
        format: &'static str,
        /// What is wrong, in a few words.
        reason: String,
    },
    /// No track point (or no usable one).
    #[error("the file holds no track points")]
    EmptyTrack,
    /// Track points without any timestamp.
    #[error("the track has no timestamps")]
    MissingTimestamps,
    /// Over [`MAX_FILE_BYTES`].
    #[error("the file is {size} bytes; the limit is {max}")]
    FileTooLarge {
        /// The file's size.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// Over [`MAX_POINTS`].
    #[error("the file holds more than {max} track points")]
    TooManyPoints {
        /// The limit.
        max: usize,
    },
}

impl ImportError {
    /// The stable machine code: `unsupported_format`, `malformed_file`,
    /// `empty_track`, `missing_timestamps`, `file_too_large`, `too_many_points`.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::UnsupportedFormat(_) => "unsupported_format",
            ImportError::MalformedFile { .. } => "malformed_file",
            ImportError::EmptyTrack => "empty_track",
            ImportError::MissingTimestamps => "missing_timestamps",
            ImportError::FileTooLarge { .. } => "file_too_large",
            ImportError::TooManyPoints { .. } => "too_many_points",
        }
    }

    pub(crate) fn malformed(format: FileFormat, reason: impl Into<String>) -> Self {
        ImportError::MalformedFile { format: format.as_str(), reason: reason.into() }
    }
}

/// Recognises the format by content: `.FIT` at offset 8, else the root
/// element of an XML document (`gpx` or `TrainingCenterDatabase`). The name
/// hint only sharpens the error: a `.fit`/`.gpx`/`.tcx` file whose content is
/// not that format is `malformed_file`, any other unknown content is
/// `unsupported_format`.
pub fn detect(bytes: &[u8], file_name_hint: Option<&str>) -> Result<FileFormat, ImportError> {
    let claimed = file_name_hint.and_then(FileFormat::from_file_name);
    if bytes.len() >= 12 && &bytes[8..12] == b".FIT" {
        return Ok(FileFormat::Fit);
    }
    match xml::root_element(bytes) {
        Ok(Some(root)) => match root.as_str() {
            "gpx" => Ok(FileFormat::Gpx),
            "TrainingCenterDatabase" => Ok(FileFormat::Tcx),
            other => Err(ImportError::UnsupportedFormat(Some(format!(
                "XML root element `{}` is neither `gpx` nor `TrainingCenterDatabase`",
                other.chars().take(64).collect::<String>()
            )))),
        },
        Ok(None) => match claimed {
            Some(format) => Err(ImportError::malformed(format, "the content is not this format")),
            None => Err(ImportError::UnsupportedFormat(None)),
        },
        Err(reason) => {
            Err(ImportError::malformed(claimed.filter(|f| *f != FileFormat::Fit).unwrap_or(FileFormat::Gpx), reason))
        }
    }
}

/// Reads an activity file. See the crate docs for the arithmetic and the limits.
pub fn import(bytes: &[u8], file_name_hint: Option<&str>) -> Result<ImportedActivity, ImportError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ImportError::FileTooLarge { size: bytes.len(), max: MAX_FILE_BYTES });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::EmptyTrack);
    }
    match detect(bytes, file_name_hint)? {
        FileFormat::Gpx => xml::gpx(bytes),
        FileFormat::Tcx => xml::tcx(bytes),
        FileFormat::Fit => fit::fit(bytes),
    }
}

/// The sport a file's free-text type names (GPX `type`, TCX `Sport`, FIT `sport`).
pub fn sport_from_name(name: &str) -> Sport {
    let n = name.trim().to_ascii_lowercase().replace([' ', '-'], "_");
    match n.as_str() {
        "run" | "running" | "trail_running" | "trail_run" | "treadmill_running" | "street_running"
        | "track_running" | "virtual_run" => Sport::Run,
        "bike" | "biking" | "cycling" | "ride" | "road_biking" | "mountain_biking" | "gravel_cycling"
        | "virtual_ride" | "indoor_cycling" | "e_biking" => Sport::Bike,
        "swim" | "swimming" | "open_water_swimming" | "lap_swimming" | "pool_swimming" => Sport::Swim,
        "strength" | "strength_training" | "weight_training" | "weighttraining" => Sport::Strength,
        _ => Sport::Other,
    }
}
