//! FIT, decoded message by message with fitparser's stream processor (so the
//! message count is capped as it goes), under `catch_unwind` as a guard.

use chrono::{DateTime, Utc};
use fitparser::de::{FitObject, FitStreamProcessor};
use fitparser::profile::MesgNum;
use fitparser::{FitDataRecord, Value};
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::track::{Point, Track, check_duration, round_cm};
use crate::{FileFormat, ImportError, ImportedActivity, MAX_POINTS, sport_from_name};
use roster_domain::Sport;

const F: FileFormat = FileFormat::Fit;

/// FIT stores positions in semicircles: 2^31 of them make 180 degrees.
const DEGREES_PER_SEMICIRCLE: f64 = 180.0 / 2_147_483_648.0;

/// What the session message says, when the file has one.
#[derive(Debug, Default)]
struct Session {
    sport: Option<String>,
    sub_sport: Option<String>,
    start_time: Option<DateTime<Utc>>,
    total_distance_m: Option<f64>,
    total_elapsed_s: Option<f64>,
    total_ascent_m: Option<f64>,
    avg_heart_rate: Option<u16>,
}

pub(crate) fn fit(bytes: &[u8]) -> Result<ImportedActivity, ImportError> {
    catch_unwind(AssertUnwindSafe(|| decode(bytes)))
        .unwrap_or_else(|_| Err(ImportError::malformed(F, "the FIT decoder gave up on this file")))
}

type FileSport = Option<(Option<String>, Option<String>)>;

fn decode(bytes: &[u8]) -> Result<ImportedActivity, ImportError> {
    let (track, session, file_sport) = read(bytes)?;
    finish(track, session.unwrap_or_default(), file_sport)
}

/// The records as a track, the first session, and the first `sport` message.
fn read(bytes: &[u8]) -> Result<(Track, Option<Session>, FileSport), ImportError> {
    check_length(bytes)?;
    let mut processor = FitStreamProcessor::new();
    let mut rest = bytes;
    let mut messages = 0usize;
    let mut track = Track::default();
    let mut session: Option<Session> = None;
    let mut file_sport: FileSport = None;
    while !rest.is_empty() {
        let (next, object) = processor.deserialize_next(rest).map_err(|e| ImportError::malformed(F, e.to_string()))?;
        if next.len() >= rest.len() {
            return Err(ImportError::malformed(F, "the decoder made no progress"));
        }
        rest = next;
        messages += 1;
        if messages > MAX_POINTS * 2 {
            return Err(ImportError::TooManyPoints { max: MAX_POINTS });
        }
        match object {
            FitObject::Crc(_) => processor.reset(),
            FitObject::Header(_) | FitObject::DefinitionMessage(_) => {}
            FitObject::DataMessage(message) => {
                let record = processor.decode_message(message).map_err(|e| ImportError::malformed(F, e.to_string()))?;
                match record.kind() {
                    MesgNum::Record => track.push(point(&record), F)?,
                    MesgNum::Session if session.is_none() => session = Some(read_session(&record)),
                    MesgNum::Sport if file_sport.is_none() => {
                        file_sport = Some((string(&record, "sport"), string(&record, "sub_sport")));
                    }
                    _ => {}
                }
            }
        }
    }
    Ok((track, session, file_sport))
}

/// The header says how long the data is: a shorter file was cut.
fn check_length(bytes: &[u8]) -> Result<(), ImportError> {
    let header_len = usize::from(*bytes.first().unwrap_or(&0));
    if bytes.len() < 12 || !(header_len == 12 || header_len == 14) {
        return Err(ImportError::malformed(F, "the header is not 12 or 14 bytes long"));
    }
    let data_len = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
    if bytes.len() < header_len.saturating_add(data_len).saturating_add(2) {
        return Err(ImportError::malformed(
            F,
            format!("the file is cut: the header announces {data_len} bytes of data"),
        ));
    }
    Ok(())
}

fn finish(track: Track, session: Session, file_sport: FileSport) -> Result<ImportedActivity, ImportError> {
    let (sport, sub_sport) = match (&session.sport, file_sport) {
        (Some(_), _) => (session.sport.clone(), session.sub_sport.clone()),
        (None, Some(s)) => s,
        (None, None) => (None, None),
    };
    let sport = fit_sport(sport.as_deref(), sub_sport.as_deref());
    if track.points() == 0 && session.total_distance_m.is_none() {
        return Err(ImportError::EmptyTrack);
    }
    let start_time = track.first_time().or(session.start_time).ok_or(ImportError::MissingTimestamps)?;
    let duration_s = track
        .duration_s()
        .filter(|d| *d > 0)
        .or_else(|| session.total_elapsed_s.map(|s| s.round() as i64))
        .unwrap_or(0);
    check_duration(F, duration_s)?;
    let distance_m = session.total_distance_m.or_else(|| track.distance_m()).unwrap_or(0.0);
    Ok(ImportedActivity {
        format: F,
        sport,
        start_time,
        distance_m: round_cm(distance_m),
        duration_s,
        elevation_gain_m: session.total_ascent_m.or_else(|| track.elevation_gain_m()).map(round_cm),
        avg_hr: session.avg_heart_rate.or_else(|| track.avg_hr()),
        title: None,
        point_count: track.points(),
    })
}

/// FIT's `sport` names are mostly GPX-like; `training` is strength only with that sub-sport.
fn fit_sport(sport: Option<&str>, sub_sport: Option<&str>) -> Sport {
    match (sport, sub_sport) {
        (Some("training"), Some("strength_training")) => Sport::Strength,
        (Some(s), _) => sport_from_name(s),
        (None, _) => Sport::Other,
    }
}

fn field<'a>(record: &'a FitDataRecord, name: &str) -> Option<&'a Value> {
    record.fields().iter().find(|f| f.name() == name).map(|f| f.value())
}

fn number(record: &FitDataRecord, name: &str) -> Option<f64> {
    let value = field(record, name)?;
    let x = match value {
        Value::Byte(v) | Value::UInt8(v) | Value::UInt8z(v) | Value::Enum(v) => f64::from(*v),
        Value::SInt8(v) => f64::from(*v),
        Value::SInt16(v) => f64::from(*v),
        Value::UInt16(v) | Value::UInt16z(v) => f64::from(*v),
        Value::SInt32(v) => f64::from(*v),
        Value::UInt32(v) | Value::UInt32z(v) => f64::from(*v),
        Value::SInt64(v) => *v as f64,
        Value::UInt64(v) | Value::UInt64z(v) => *v as f64,
        Value::Float32(v) => f64::from(*v),
        Value::Float64(v) => *v,
        _ => return None,
    };
    x.is_finite().then_some(x)
}

fn time(record: &FitDataRecord, name: &str) -> Option<DateTime<Utc>> {
    match field(record, name)? {
        Value::Timestamp(t) => Some(t.with_timezone(&Utc)),
        _ => None,
    }
}

fn string(record: &FitDataRecord, name: &str) -> Option<String> {
    match field(record, name)? {
        Value::String(s) => Some(s.chars().take(64).collect()),
        _ => None,
    }
}

fn point(record: &FitDataRecord) -> Point {
    let position = match (number(record, "position_lat"), number(record, "position_long")) {
        (Some(lat), Some(lon)) => {
            let (lat, lon) = (lat * DEGREES_PER_SEMICIRCLE, lon * DEGREES_PER_SEMICIRCLE);
            // Devices write out-of-range sentinels when they have no fix: skip the position.
            ((-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon)).then_some((lat, lon))
        }
        _ => None,
    };
    Point {
        position,
        time: time(record, "timestamp"),
        elevation_m: number(record, "enhanced_altitude").or_else(|| number(record, "altitude")),
        heart_rate: number(record, "heart_rate").filter(|hr| *hr > 0.0 && *hr < 300.0).map(|hr| hr as u16),
        distance_m: number(record, "distance"),
    }
}

fn read_session(record: &FitDataRecord) -> Session {
    Session {
        sport: string(record, "sport"),
        sub_sport: string(record, "sub_sport"),
        start_time: time(record, "start_time"),
        total_distance_m: number(record, "total_distance").filter(|d| *d >= 0.0),
        total_elapsed_s: number(record, "total_elapsed_time").filter(|d| *d >= 0.0),
        total_ascent_m: number(record, "total_ascent").filter(|d| *d >= 0.0),
        avg_heart_rate: number(record, "avg_heart_rate").filter(|hr| *hr > 0.0 && *hr < 300.0).map(|hr| hr as u16),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// On a real 9 km run, the haversine sum over the records agrees with the
    /// device's session distance within 1 % and the timestamps span the
    /// session's elapsed time within a minute.
    #[test]
    fn haversine_over_the_records_agrees_with_the_session() {
        let bytes = std::fs::read("testdata/fit/activity-small-fenix2-run.fit").unwrap();
        let (track, session, _) = read(&bytes).unwrap();
        let session = session.unwrap();
        let device = session.total_distance_m.unwrap();
        let ours = track.distance_m().unwrap();
        assert!((ours - device).abs() / device < 0.01, "haversine {ours} vs session {device}");
        let elapsed = session.total_elapsed_s.unwrap();
        assert!((track.duration_s().unwrap() as f64 - elapsed).abs() <= 60.0, "{:?} vs {elapsed}", track.duration_s());
        // This file's session carries no average heart rate: the records' mean is used.
        assert_eq!(session.avg_heart_rate, None);
        assert!((120..=180).contains(&track.avg_hr().unwrap()));
        assert!(track.elevation_gain_m().is_some());
    }

    #[test]
    fn strength_is_training_with_its_sub_sport() {
        assert_eq!(fit_sport(Some("training"), Some("strength_training")), Sport::Strength);
        assert_eq!(fit_sport(Some("training"), Some("generic")), Sport::Other);
        assert_eq!(fit_sport(Some("cycling"), Some("road")), Sport::Bike);
        assert_eq!(fit_sport(None, None), Sport::Other);
    }
}
