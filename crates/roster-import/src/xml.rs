//! GPX and TCX, streamed with quick-xml: a stack of element names (bounded
//! by [`MAX_XML_DEPTH`]), text collected only for the few elements that
//! matter (bounded by [`MAX_TEXT`]), no DTD, no custom entities.

use chrono::{DateTime, NaiveDateTime, Utc};
use quick_xml::Reader;
use quick_xml::events::{BytesRef, BytesStart, Event};

use crate::track::{Point, Track};
use crate::{FileFormat, ImportError, ImportedActivity, MAX_XML_DEPTH, sport_from_name};
use roster_domain::Sport;

/// The longest text kept from one element.
const MAX_TEXT: usize = 1024;
/// The longest element name kept on the stack (longer names are truncated).
const MAX_NAME: usize = 64;

fn reader(bytes: &[u8]) -> Reader<&[u8]> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = Reader::from_reader(bytes);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.expand_empty_elements = true;
    reader
}

/// The root element's local name; `Ok(None)` when the bytes do not start like XML.
pub(crate) fn root_element(bytes: &[u8]) -> Result<Option<String>, String> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'<') {
        return Ok(None);
    }
    let mut reader = reader(bytes);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => return Ok(Some(e.local_name().as_ref().chars().take(MAX_NAME).collect())),
            Ok(Event::DocType(_)) => return Err("a DTD (<!DOCTYPE>) is not accepted".into()),
            Ok(Event::Eof) => return Err("no root element".into()),
            Ok(Event::Text(t)) if t.xml10_content().trim().is_empty() => {}
            Ok(Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) | Event::End(_)) => {
                return Err("content before the root element".into());
            }
            Ok(_) => {}
            Err(e) => return Err(short(&e.to_string())),
        }
    }
}

fn short(s: &str) -> String {
    s.chars().take(200).collect()
}

/// What a dialect does with the elements.
trait Dialect {
    const FORMAT: FileFormat;
    /// An element opened (the stack includes it). `true` collects its text.
    fn open(&mut self, stack: &[String], e: &BytesStart<'_>) -> Result<bool, ImportError>;
    /// An element closed (the stack still includes it), with its text when collected.
    fn close(&mut self, stack: &[String], text: Option<&str>) -> Result<(), ImportError>;
}

fn walk<D: Dialect>(bytes: &[u8], dialect: &mut D) -> Result<(), ImportError> {
    let bad = |reason: String| ImportError::malformed(D::FORMAT, reason);
    let mut reader = reader(bytes);
    let mut stack: Vec<String> = Vec::new();
    let mut text: Option<String> = None;
    let mut seen_root = false;
    loop {
        let event = reader.read_event().map_err(|e| bad(short(&e.to_string())))?;
        match event {
            Event::Start(e) => {
                if seen_root && stack.is_empty() {
                    return Err(bad("more than one root element".into()));
                }
                seen_root = true;
                if stack.len() >= MAX_XML_DEPTH {
                    return Err(bad(format!("nesting deeper than {MAX_XML_DEPTH} elements")));
                }
                stack.push(e.local_name().as_ref().chars().take(MAX_NAME).collect());
                text = dialect.open(&stack, &e)?.then(String::new);
            }
            Event::End(_) => {
                dialect.close(&stack, text.as_deref())?;
                text = None;
                stack.pop();
            }
            Event::Text(t) => append(&mut text, &t.xml10_content(), D::FORMAT)?,
            Event::CData(t) => append(&mut text, &t.xml10_content(), D::FORMAT)?,
            Event::GeneralRef(r) => {
                let resolved =
                    resolve_ref(&r).ok_or_else(|| bad(format!("unknown entity `&{};`", short(&r.xml10_content()))))?;
                append(&mut text, resolved.encode_utf8(&mut [0; 4]), D::FORMAT)?;
            }
            Event::DocType(_) => return Err(bad("a DTD (<!DOCTYPE>) is not accepted".into())),
            Event::Eof => {
                return if stack.is_empty() { Ok(()) } else { Err(bad("the file ends inside an element".into())) };
            }
            Event::Empty(_) | Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
}

fn append(text: &mut Option<String>, more: &str, format: FileFormat) -> Result<(), ImportError> {
    if let Some(t) = text {
        if t.len() + more.len() > MAX_TEXT {
            return Err(ImportError::malformed(format, format!("a value is longer than {MAX_TEXT} bytes")));
        }
        t.push_str(more);
    }
    Ok(())
}

/// The five predefined entities and character references; nothing else.
fn resolve_ref(r: &BytesRef<'_>) -> Option<char> {
    if r.is_char_ref() {
        return r.resolve_char_ref().ok().flatten();
    }
    match r.xml10_content().as_ref() {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => None,
    }
}

fn attribute(e: &BytesStart<'_>, name: &str, format: FileFormat) -> Result<Option<String>, ImportError> {
    for attr in e.attributes() {
        let attr = attr.map_err(|err| ImportError::malformed(format, short(&err.to_string())))?;
        if attr.key.local_name().as_ref() == name {
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| ImportError::malformed(format, short(&err.to_string())))?;
            return Ok(Some(value.into_owned()));
        }
    }
    Ok(None)
}

fn number(text: Option<&str>, what: &str, format: FileFormat) -> Result<Option<f64>, ImportError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(Some(x)),
        _ => Err(ImportError::malformed(format, format!("{what} `{}` is not a number", short(text)))),
    }
}

fn time(text: Option<&str>, format: FileFormat) -> Result<Option<DateTime<Utc>>, ImportError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(t.with_timezone(&Utc)));
    }
    // Some writers leave the zone out; GPX and TCX times are UTC.
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .map(|t| Some(t.and_utc()))
        .map_err(|_| ImportError::malformed(format, format!("time `{}` is not an ISO 8601 time", short(text))))
}

fn heart_rate(text: Option<&str>, format: FileFormat) -> Result<Option<u16>, ImportError> {
    Ok(number(text, "heart rate", format)?.filter(|hr| (0.0..=1000.0).contains(hr)).map(|hr| hr.round() as u16))
}

fn title(text: Option<&str>) -> Option<String> {
    text.map(str::trim).filter(|t| !t.is_empty()).map(|t| t.chars().take(200).collect())
}

fn last_is(stack: &[String], names: &[&str]) -> bool {
    stack.len() >= names.len() && stack[stack.len() - names.len()..].iter().zip(names).all(|(a, b)| a == b)
}

// ---------------------------------------------------------------- GPX

#[derive(Default)]
struct Gpx {
    track: Track,
    point: Option<Point>,
    sport: Option<Sport>,
    track_name: Option<String>,
    metadata_name: Option<String>,
}

impl Dialect for Gpx {
    const FORMAT: FileFormat = FileFormat::Gpx;

    fn open(&mut self, stack: &[String], e: &BytesStart<'_>) -> Result<bool, ImportError> {
        let f = Self::FORMAT;
        if stack.len() == 1 && stack[0] != "gpx" {
            return Err(ImportError::malformed(f, "the root element is not `gpx`"));
        }
        match stack.last().map(String::as_str) {
            Some("trkseg") => self.track.break_segment(),
            Some("trkpt") => {
                let lat = number(attribute(e, "lat", f)?.as_deref(), "latitude", f)?;
                let lon = number(attribute(e, "lon", f)?.as_deref(), "longitude", f)?;
                let position = match (lat, lon) {
                    (Some(lat), Some(lon)) => Some((lat, lon)),
                    _ => return Err(ImportError::malformed(f, "a track point lacks lat or lon")),
                };
                self.point = Some(Point { position, ..Point::default() });
            }
            _ => {}
        }
        let in_point = self.point.is_some();
        Ok((in_point && matches!(stack.last().map(String::as_str), Some("ele" | "time" | "hr" | "heartrate")))
            || last_is(stack, &["trk", "name"])
            || last_is(stack, &["trk", "type"])
            || last_is(stack, &["metadata", "name"]))
    }

    fn close(&mut self, stack: &[String], text: Option<&str>) -> Result<(), ImportError> {
        let f = Self::FORMAT;
        if let Some(point) = self.point.as_mut() {
            match stack.last().map(String::as_str) {
                Some("trkpt") => {
                    let point = self.point.take().unwrap_or_default();
                    return self.track.push(point, f);
                }
                Some("ele") if last_is(stack, &["trkpt", "ele"]) => point.elevation_m = number(text, "elevation", f)?,
                Some("time") if last_is(stack, &["trkpt", "time"]) => point.time = time(text, f)?,
                Some("hr" | "heartrate") => point.heart_rate = heart_rate(text, f)?,
                _ => {}
            }
            return Ok(());
        }
        if last_is(stack, &["trk", "name"]) && self.track_name.is_none() {
            self.track_name = title(text);
        } else if last_is(stack, &["trk", "type"]) && self.sport.is_none() {
            self.sport = text.map(sport_from_name);
        } else if last_is(stack, &["metadata", "name"]) {
            self.metadata_name = title(text);
        }
        Ok(())
    }
}

pub(crate) fn gpx(bytes: &[u8]) -> Result<ImportedActivity, ImportError> {
    let mut gpx = Gpx::default();
    walk(bytes, &mut gpx)?;
    let title = gpx.track_name.or(gpx.metadata_name);
    gpx.track.finish(FileFormat::Gpx, gpx.sport.unwrap_or(Sport::Other), title)
}

// ---------------------------------------------------------------- TCX
//
// Only the first activity of a multi-activity file is read (the whole file
// must still be well-formed).

#[derive(Default)]
struct Tcx {
    track: Track,
    point: Option<Point>,
    lat: Option<f64>,
    lon: Option<f64>,
    sport: Option<Sport>,
    notes: Option<String>,
    activities_seen: usize,
}

impl Dialect for Tcx {
    const FORMAT: FileFormat = FileFormat::Tcx;

    fn open(&mut self, stack: &[String], e: &BytesStart<'_>) -> Result<bool, ImportError> {
        let f = Self::FORMAT;
        if stack.len() == 1 && stack[0] != "TrainingCenterDatabase" {
            return Err(ImportError::malformed(f, "the root element is not `TrainingCenterDatabase`"));
        }
        if last_is(stack, &["Activities", "Activity"]) {
            self.activities_seen += 1;
            if self.sport.is_none() {
                self.sport = attribute(e, "Sport", f)?.map(|s| sport_from_name(&s));
            }
        }
        if last_is(stack, &["Track", "Trackpoint"]) && self.activities_seen == 1 {
            self.point = Some(Point::default());
            self.lat = None;
            self.lon = None;
        }
        if self.point.is_some() {
            return Ok(matches!(
                stack.last().map(String::as_str),
                Some("Time" | "LatitudeDegrees" | "LongitudeDegrees" | "AltitudeMeters" | "DistanceMeters")
            ) || last_is(stack, &["HeartRateBpm", "Value"]));
        }
        Ok(last_is(stack, &["Activity", "Notes"]))
    }

    fn close(&mut self, stack: &[String], text: Option<&str>) -> Result<(), ImportError> {
        let f = Self::FORMAT;
        if let Some(point) = self.point.as_mut() {
            match stack.last().map(String::as_str) {
                Some("Trackpoint") => {
                    let mut point = self.point.take().unwrap_or_default();
                    point.position = match (self.lat, self.lon) {
                        (Some(lat), Some(lon)) => Some((lat, lon)),
                        (None, None) => None,
                        _ => return Err(ImportError::malformed(f, "a position lacks its latitude or longitude")),
                    };
                    return self.track.push(point, f);
                }
                Some("Time") => point.time = time(text, f)?,
                Some("LatitudeDegrees") => self.lat = number(text, "latitude", f)?,
                Some("LongitudeDegrees") => self.lon = number(text, "longitude", f)?,
                Some("AltitudeMeters") => point.elevation_m = number(text, "altitude", f)?,
                Some("DistanceMeters") => point.distance_m = number(text, "distance", f)?,
                Some("Value") if last_is(stack, &["HeartRateBpm", "Value"]) => {
                    point.heart_rate = heart_rate(text, f)?;
                }
                _ => {}
            }
            return Ok(());
        }
        if last_is(stack, &["Activity", "Notes"]) && self.notes.is_none() {
            self.notes = title(text);
        }
        Ok(())
    }
}

pub(crate) fn tcx(bytes: &[u8]) -> Result<ImportedActivity, ImportError> {
    let mut tcx = Tcx::default();
    walk(bytes, &mut tcx)?;
    if tcx.activities_seen == 0 {
        return Err(ImportError::EmptyTrack);
    }
    tcx.track.finish(FileFormat::Tcx, tcx.sport.unwrap_or(Sport::Other), tcx.notes)
}
