//! From an uploaded file to the activity the use case stores, the same for
//! the API's import and the console's **Upload activity**.

use crate::ImportedActivity;
use roster_domain::athlete::{ActivityInput, ActivitySource};

/// The longest title kept from a file or a form.
pub const MAX_TITLE_CHARS: usize = 200;

/// The SHA-256 of a file, in hex: the activity's `external_id`, so the same
/// file uploaded twice is one activity.
pub fn file_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// `text` on one line: every run of whitespace and control characters is one space.
fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// The activity to store for `imported`, whose file hashed to `hash`;
/// `sport` and `title` sent with the file override the file's own.
pub fn activity_input(
    imported: ImportedActivity,
    hash: String,
    sport: Option<String>,
    title: Option<String>,
) -> ActivityInput {
    // A title sent in the form is the client's text and must pass the text
    // rule as it is; one read from the file is the device's, whose line
    // breaks and tabs become spaces rather than refusing the whole file.
    let from_file = || imported.title.as_deref().map(one_line);
    let title = title.or_else(from_file).map(|t| t.chars().take(MAX_TITLE_CHARS).collect::<String>());
    ActivityInput {
        sport: sport.unwrap_or_else(|| imported.sport.as_str().to_owned()),
        start_time: imported.start_time,
        distance_m: (imported.distance_m * 100.0).round() / 100.0,
        duration_s: imported.duration_s,
        elevation_gain_m: imported.elevation_gain_m.map(|e| (e * 10.0).round() / 10.0),
        avg_hr: imported.avg_hr.map(i64::from),
        title,
        source: ActivitySource::Manual.as_str().to_owned(),
        external_id: Some(hash),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_title_from_a_file_is_made_one_line() {
        assert_eq!(super::one_line(" Morning\r\n\tRun\u{0}in  the park "), "Morning Run in the park");
    }
}
