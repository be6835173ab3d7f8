//! roster-import on real FIT recordings, on GPX/TCX files of a route of known
//! length, and on hostile input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use roster_domain::Sport;
use roster_import::{
    EARTH_RADIUS_M, FileFormat, ImportError, MAX_FILE_BYTES, MAX_XML_DEPTH, detect, haversine_m, import,
};

fn read(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn code(bytes: &[u8], hint: Option<&str>) -> &'static str {
    import(bytes, hint).unwrap_err().code()
}

/// The records CSV of a FIT file: (timestamp, distance, lat/lon in degrees).
struct CsvRecord {
    distance_m: f64,
    position: (f64, f64),
}

fn csv_records(name: &str) -> Vec<CsvRecord> {
    let text = String::from_utf8(read(name)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (distance, lat, lon) = (col("distance"), col("position_lat"), col("position_long"));
    let semicircle = 180.0 / 2f64.powi(31);
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            CsvRecord {
                distance_m: cells[distance].parse().unwrap(),
                position: (
                    cells[lat].parse::<f64>().unwrap() * semicircle,
                    cells[lon].parse::<f64>().unwrap() * semicircle,
                ),
            }
        })
        .collect()
}

// ------------------------------------------------------------------ FIT

/// Tolerances: the session distance must equal the last record's distance in
/// the CSV within 1 cm; our haversine over the CSV positions must agree with
/// the device's distance within 3 % (short excerpts, GPS jitter at the start).
fn check_fit_against_csv(fit: &str, csv: &str, sport: Sport, start: &str, duration_s: i64) {
    let activity = import(&read(fit), Some(fit)).unwrap();
    let records = csv_records(csv);
    assert_eq!(activity.format, FileFormat::Fit);
    assert_eq!(activity.sport, sport);
    assert_eq!(activity.start_time, utc(start));
    assert_eq!(activity.duration_s, duration_s);
    assert_eq!(activity.point_count, records.len());
    let device = records.last().unwrap().distance_m;
    assert!((activity.distance_m - device).abs() < 0.01, "{} vs {device}", activity.distance_m);
    let ours: f64 = records.windows(2).map(|w| haversine_m(w[0].position, w[1].position)).sum();
    assert!((ours - device).abs() / device < 0.03, "haversine {ours} vs device {device}");
    assert!(activity.avg_hr.is_some());
}

#[test]
fn fit_bike_matches_its_records() {
    // CSV: 09:10:15 to 09:11:20 PDT, last distance 457.12 m.
    check_fit_against_csv(
        "fit/garmin-edge-820-bike.fit",
        "fit/garmin-edge-820-bike-records.csv",
        Sport::Bike,
        "2017-06-12T16:10:15Z",
        65,
    );
}

#[test]
fn fit_run_matches_its_records() {
    // CSV: 07:34:09 to 07:35:06 PDT, last distance 157.56 m.
    check_fit_against_csv(
        "fit/garmin-fenix-5-run.fit",
        "fit/garmin-fenix-5-run-records.csv",
        Sport::Run,
        "2017-06-11T14:34:09Z",
        57,
    );
}

#[test]
fn fit_long_run_reads_its_session() {
    let activity = import(&read("fit/activity-small-fenix2-run.fit"), None).unwrap();
    assert_eq!(activity.sport, Sport::Run);
    assert_eq!(activity.point_count, 2809);
    assert!((activity.distance_m - 9008.22).abs() < 0.01, "{}", activity.distance_m);
    assert!((2800..=2900).contains(&activity.duration_s), "{}", activity.duration_s);
    assert!(activity.elevation_gain_m.unwrap() > 0.0);
    assert!((100..=200).contains(&activity.avg_hr.unwrap()));
    assert_eq!(activity.title, None);
}

#[test]
fn broken_fit_files_are_malformed() {
    for name in ["fit/activity-settings-corruptheader.fit", "fit/activity-unexpected-eof.fit"] {
        let err = import(&read(name), None).unwrap_err();
        assert_eq!(err.code(), "malformed_file", "{name}: {err}");
        assert!(err.to_string().starts_with("malformed fit file"), "{err}");
    }
}

#[test]
fn truncated_fit_files_are_malformed_wherever_they_are_cut() {
    let bytes = read("fit/garmin-fenix-5-run.fit");
    for cut in (12..bytes.len()).step_by(97) {
        let err = import(&bytes[..cut], None).unwrap_err();
        assert_eq!(err.code(), "malformed_file", "cut at {cut}: {err}");
    }
    // Header only, or not even that.
    assert_eq!(code(&bytes[..12], None), "malformed_file");
    assert_eq!(code(&bytes[..8], Some("run.fit")), "malformed_file");
    assert_eq!(code(&bytes[..8], None), "unsupported_format");
}

// ------------------------------------------------------------------ GPX / TCX

/// The synthetic route: 450 steps of 0.0001° along a meridian (see testdata/make_xml.py).
fn route_length_m() -> f64 {
    EARTH_RADIUS_M * 0.045_f64.to_radians()
}

#[test]
fn gpx_route_has_its_known_length_duration_gain_and_heart_rate() {
    let activity = import(&read("route-5k.gpx"), Some("route-5k.gpx")).unwrap();
    assert_eq!(activity.format, FileFormat::Gpx);
    assert_eq!(activity.sport, Sport::Run);
    assert_eq!(activity.start_time, utc("2026-11-28T07:00:00Z"));
    assert_eq!(activity.duration_s, 1800);
    assert!((activity.distance_m - route_length_m()).abs() < 0.05, "{} vs {}", activity.distance_m, route_length_m());
    assert!((activity.elevation_gain_m.unwrap() - 50.0).abs() < 0.01);
    assert_eq!(activity.avg_hr, Some(150));
    assert_eq!(activity.title.as_deref(), Some("Morning run & hill"));
    assert_eq!(activity.point_count, 451);
}

#[test]
fn tcx_route_has_the_same_numbers() {
    let activity = import(&read("route-5k.tcx"), None).unwrap();
    assert_eq!(activity.format, FileFormat::Tcx);
    assert_eq!(activity.sport, Sport::Run);
    assert_eq!(activity.start_time, utc("2026-11-28T07:00:00Z"));
    assert_eq!(activity.duration_s, 1800);
    assert!((activity.distance_m - route_length_m()).abs() < 0.05);
    assert!((activity.elevation_gain_m.unwrap() - 50.0).abs() < 0.01);
    assert_eq!(activity.avg_hr, Some(150));
    assert_eq!(activity.title.as_deref(), Some("Tempo on the river path"));
    assert_eq!(activity.point_count, 451);
}

#[test]
fn tcx_without_positions_uses_the_device_distance() {
    let activity = import(&read("treadmill-3k.tcx"), Some("treadmill.tcx")).unwrap();
    assert_eq!((activity.distance_m, activity.duration_s, activity.point_count), (3000.0, 900, 31));
    assert_eq!(activity.elevation_gain_m, None);
    assert_eq!(activity.avg_hr, None);
}

fn gpx(body: &str) -> Vec<u8> {
    format!(r#"<?xml version="1.0"?><gpx version="1.1" creator="t"><trk><trkseg>{body}</trkseg></trk></gpx>"#)
        .into_bytes()
}

const PT: &str = r#"<trkpt lat="45.0" lon="6.0"><time>2026-11-28T07:00:00Z</time></trkpt>"#;

#[test]
fn gpx_segments_sport_names_and_zone_less_times() {
    let two_segments = String::from(
        r#"<?xml version="1.0"?><gpx><trk><type>Ride</type>
        <trkseg><trkpt lat="0" lon="0"><time>2026-01-01T00:00:00</time></trkpt><trkpt lat="0.01" lon="0"><time>2026-01-01T00:01:00</time></trkpt></trkseg>
        <trkseg><trkpt lat="1" lon="0"><time>2026-01-01T00:10:00.5</time></trkpt><trkpt lat="1.01" lon="0"><time>2026-01-01T00:11:00Z</time></trkpt></trkseg>
        </trk></gpx>"#,
    );
    let a = import(two_segments.as_bytes(), None).unwrap();
    assert_eq!(a.sport, Sport::Bike);
    assert!((a.distance_m - 2.0 * EARTH_RADIUS_M * 0.01_f64.to_radians()).abs() < 0.05, "segments are not joined");
    assert_eq!(a.duration_s, 660);
    assert_eq!((a.elevation_gain_m, a.avg_hr, a.title), (None, None, None));
    let untyped = import(&gpx(PT), None).unwrap();
    assert_eq!((untyped.sport, untyped.distance_m, untyped.duration_s), (Sport::Other, 0.0, 0));
}

// ------------------------------------------------------------------ hostile input

#[test]
fn empty_and_blank_files_are_empty_tracks() {
    assert_eq!(code(b"", None), "empty_track");
    assert_eq!(code(b"  \n\t ", Some("x.gpx")), "empty_track");
    assert_eq!(code(&gpx(""), None), "empty_track");
    let no_activity = br#"<TrainingCenterDatabase><Activities/></TrainingCenterDatabase>"#;
    assert_eq!(code(no_activity, None), "empty_track");
}

#[test]
fn garbage_is_unsupported_unless_the_name_claims_a_format() {
    assert_eq!(code(b"\x00\x01\x02 definitely not a track", None), "unsupported_format");
    assert_eq!(code(b"{\"type\": \"FeatureCollection\"}", Some("x.json")), "unsupported_format");
    assert_eq!(code(b"PK\x03\x04 zip", Some("run.gpx")), "malformed_file");
    assert_eq!(detect(b"hello", Some("notes.txt")), Err(ImportError::UnsupportedFormat(None)));
}

#[test]
fn a_wrong_xml_root_is_unsupported() {
    let kml = br#"<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>"#;
    let err = import(kml, Some("route.kml")).unwrap_err();
    assert_eq!(err.code(), "unsupported_format");
    assert!(err.to_string().contains("`kml`"), "{err}");
    assert_eq!(code(b"<html><body>hi</body></html>", None), "unsupported_format");
}

#[test]
fn truncated_xml_is_malformed_wherever_it_is_cut() {
    for name in ["route-5k.gpx", "route-5k.tcx"] {
        let bytes = read(name);
        for cut in [200, 1000, bytes.len() / 2, bytes.len() - 10] {
            let err = import(&bytes[..cut], Some(name)).unwrap_err();
            assert_eq!(err.code(), "malformed_file", "{name} cut at {cut}: {err}");
        }
    }
}

#[test]
fn entity_bombs_and_dtds_are_refused() {
    let laughs = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<gpx><trk><name>&lol3;</name><trkseg><trkpt lat="1" lon="1"><time>2026-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>"#;
    let err = import(laughs.as_bytes(), None).unwrap_err();
    assert_eq!(err.code(), "malformed_file");
    assert!(err.to_string().contains("DTD"), "{err}");
    // Without a DTD, an undeclared entity is an error, not an expansion.
    let undeclared = gpx(r#"<trkpt lat="1" lon="1"><ele>&lol9;</ele><time>2026-01-01T00:00:00Z</time></trkpt>"#);
    assert!(import(&undeclared, None).unwrap_err().to_string().contains("unknown entity"));
    // External entities never get a chance either.
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY x SYSTEM "file:///etc/passwd">]><gpx>&x;</gpx>"#;
    assert_eq!(code(xxe.as_bytes(), None), "malformed_file");
}

#[test]
fn deep_nesting_and_long_values_are_refused() {
    let deep = format!("<gpx>{}{}</gpx>", "<a>".repeat(MAX_XML_DEPTH + 10), "</a>".repeat(MAX_XML_DEPTH + 10));
    let err = import(deep.as_bytes(), None).unwrap_err();
    assert!(err.to_string().contains("nesting"), "{err}");
    let just_fits = format!("<gpx>{}{PT}{}</gpx>", "<a>".repeat(MAX_XML_DEPTH - 3), "</a>".repeat(MAX_XML_DEPTH - 3));
    assert_eq!(import(just_fits.as_bytes(), None).unwrap().point_count, 1, "depth {MAX_XML_DEPTH} is accepted");
    let long = gpx(&format!(r#"<trkpt lat="1" lon="1"><ele>{}</ele></trkpt>"#, "1".repeat(5000)));
    assert!(import(&long, None).unwrap_err().to_string().contains("longer than"));
}

#[test]
fn bad_values_are_malformed_not_panics() {
    for body in [
        r#"<trkpt lat="95" lon="6"><time>2026-01-01T00:00:00Z</time></trkpt>"#,
        r#"<trkpt lat="NaN" lon="6"><time>2026-01-01T00:00:00Z</time></trkpt>"#,
        r#"<trkpt lat="1e999" lon="6"><time>2026-01-01T00:00:00Z</time></trkpt>"#,
        r#"<trkpt lon="6"><time>2026-01-01T00:00:00Z</time></trkpt>"#,
        r#"<trkpt lat="1" lon="6"><time>yesterday</time></trkpt>"#,
        r#"<trkpt lat="1" lon="6"><ele>high</ele></trkpt>"#,
        r#"<trkpt lat="1" lon="6"><time>2026-01-01T00:00:00Z</time></trkpt><trkpt lat="1" lon="6"><time>2027-01-01T00:00:00Z</time></trkpt>"#,
    ] {
        assert_eq!(code(&gpx(body), None), "malformed_file", "{body}");
    }
    assert_eq!(code(&gpx(r#"<trkpt lat="1" lon="6"/>"#), None), "missing_timestamps");
    assert_eq!(code(b"<gpx><trk></gpx>", None), "malformed_file", "mismatched end tag");
    assert_eq!(code(b"<gpx></gpx><gpx></gpx>", None), "malformed_file", "two roots");
}

#[test]
fn oversize_files_are_refused_before_parsing() {
    let big = vec![b' '; MAX_FILE_BYTES + 1];
    let err = import(&big, Some("big.gpx")).unwrap_err();
    assert_eq!(err.code(), "file_too_large");
    assert_eq!(err, ImportError::FileTooLarge { size: MAX_FILE_BYTES + 1, max: MAX_FILE_BYTES });
}

#[test]
fn too_many_points_are_refused() {
    let body = r#"<trkpt lat="0" lon="0"/>"#.repeat(roster_import::MAX_POINTS + 1);
    let bytes = gpx(&body);
    assert!(bytes.len() < MAX_FILE_BYTES);
    assert_eq!(code(&bytes, None), "too_many_points");
}

#[test]
fn error_codes_are_stable() {
    let codes: Vec<&str> = [
        ImportError::UnsupportedFormat(None),
        ImportError::MalformedFile { format: "gpx", reason: "x".into() },
        ImportError::EmptyTrack,
        ImportError::MissingTimestamps,
        ImportError::FileTooLarge { size: 2, max: 1 },
        ImportError::TooManyPoints { max: 1 },
    ]
    .iter()
    .map(ImportError::code)
    .collect();
    assert_eq!(
        codes,
        [
            "unsupported_format",
            "malformed_file",
            "empty_track",
            "missing_timestamps",
            "file_too_large",
            "too_many_points"
        ]
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Arbitrary bytes never panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = import(&bytes, None);
    }

    /// A real FIT file with arbitrary bytes flipped never panics.
    #[test]
    fn corrupted_fit_never_panics(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = read("fit/garmin-edge-820-bike.fit");
        for (i, b) in flips {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        let _ = import(&bytes, None);
    }

    /// Arbitrary text inside GPX and TCX track points never panics.
    #[test]
    fn arbitrary_xml_content_never_panics(lat in ".{0,12}", value in ".{0,40}", tag in "[a-zA-Z:]{1,12}") {
        let body = format!(r#"<trkpt lat="{lat}" lon="6"><{tag}>{value}</{tag}><ele>{value}</ele><time>{value}</time></trkpt>"#);
        let _ = import(&gpx(&body), None);
        let tcx = format!(
            "<TrainingCenterDatabase><Activities><Activity Sport=\"{lat}\"><Lap><Track><Trackpoint><Time>{value}</Time>\
             <{tag}>{value}</{tag}><DistanceMeters>{value}</DistanceMeters></Trackpoint></Track></Lap></Activity>\
             </Activities></TrainingCenterDatabase>"
        );
        let _ = import(tcx.as_bytes(), None);
    }

    /// A real GPX file cut anywhere and with a byte flipped never panics.
    #[test]
    fn corrupted_gpx_never_panics(cut in 0usize..4000, at in 0usize..4000, b in any::<u8>()) {
        let mut bytes = read("route-5k.gpx");
        bytes.truncate(cut.max(1));
        let at = at % bytes.len();
        bytes[at] = b;
        let _ = import(&bytes, None);
    }
}
