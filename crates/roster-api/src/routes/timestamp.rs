//! Timestamps in responses, written exactly as chrono's own `Serialize`
//! writes them (RFC 3339 with `Z`, fractional seconds in 3, 6 or 9 digits
//! only as far as they go) but as one string built without `fmt`: chrono's
//! impl writes through `collect_str`, and serde_json escapes each of the
//! dozen small pieces chrono's formatter hands it on its own, a cost every
//! member of a roster page paid three times (docs/performance.md). Years
//! outside 0–9999 and leap seconds take chrono's own path.

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::Serializer;

/// `#[serde(serialize_with = "timestamp::rfc3339")]`
pub fn rfc3339<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0; 30];
    match write(at, &mut buf) {
        Some(text) => serializer.serialize_str(text),
        None => serializer.serialize_str(&at.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
    }
}

/// [`rfc3339`] for an optional timestamp (`null` without one).
pub fn rfc3339_opt<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => rfc3339(at, serializer),
        None => serializer.serialize_none(),
    }
}

/// `at` as `YYYY-MM-DDTHH:MM:SS[.fff[fff[fff]]]Z` in `buf`; `None` for what
/// chrono writes otherwise (a year outside 0–9999, a leap second).
fn write<'b>(at: &DateTime<Utc>, buf: &'b mut [u8; 30]) -> Option<&'b str> {
    let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
    let nanos = at.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    let digits = |buf: &mut [u8], value: u32| {
        let mut value = value;
        for b in buf.iter_mut().rev() {
            *b = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    digits(&mut buf[0..4], year);
    digits(&mut buf[5..7], at.month());
    digits(&mut buf[8..10], at.day());
    digits(&mut buf[11..13], at.hour());
    digits(&mut buf[14..16], at.minute());
    digits(&mut buf[17..19], at.second());
    buf[4] = b'-';
    buf[7] = b'-';
    buf[10] = b'T';
    buf[13] = b':';
    buf[16] = b':';
    let mut end = 19;
    let (fraction, width) = match nanos {
        0 => (0, 0),
        n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
        n if n % 1_000 == 0 => (n / 1_000, 6),
        n => (n, 9),
    };
    if width > 0 {
        buf[end] = b'.';
        digits(&mut buf[end + 1..end + 1 + width], fraction);
        end += 1 + width;
    }
    buf[end] = b'Z';
    std::str::from_utf8(&buf[..=end]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Ours {
        #[serde(serialize_with = "rfc3339")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "rfc3339_opt")]
        maybe: Option<DateTime<Utc>>,
    }

    #[derive(Serialize)]
    struct Chronos {
        at: DateTime<Utc>,
        maybe: Option<DateTime<Utc>>,
    }

    fn same(at: DateTime<Utc>, maybe: Option<DateTime<Utc>>) {
        let ours = serde_json::to_string(&Ours { at, maybe }).unwrap();
        let chronos = serde_json::to_string(&Chronos { at, maybe }).unwrap();
        assert_eq!(ours, chronos);
    }

    #[test]
    fn writes_what_chrono_writes_at_every_precision() {
        for nanos in [0, 123_000_000, 123_456_000, 123_456_789, 100, 1_000, 999_999_999] {
            same(DateTime::from_timestamp(1_796_040_000, nanos).unwrap(), None);
        }
        // A leap second, which chrono writes as second 60, and years past
        // four digits: chrono's own path.
        same(DateTime::from_timestamp(1_796_039_999, 1_500_000_000).unwrap(), None);
        same(DateTime::from_timestamp(253_402_300_800, 5).unwrap(), None);
        same(DateTime::from_timestamp(-62_167_219_201, 0).unwrap(), None);
        assert_eq!(write(&DateTime::from_timestamp(-62_167_219_201, 0).unwrap(), &mut [0; 30]), None);
    }

    proptest! {
        #[test]
        fn writes_what_chrono_writes(
            secs in -62_167_219_200_i64..253_402_300_800,
            nanos in 0_u32..1_000_000_000,
            other in proptest::option::of(0_i64..4_102_444_800),
        ) {
            let at = DateTime::from_timestamp(secs, nanos).unwrap();
            same(at, other.and_then(|s| DateTime::from_timestamp(s, nanos / 1_000 * 1_000)));
        }
    }
}
