//! The **Weekly distance** chart: twelve bars drawn on the server as SVG,
//! with the same numbers in a table for screen readers.

use roster_domain::athlete::weekly::WeekTotal;

/// One bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The week's Monday, e.g. `2026-11-30`.
    pub week: String,
    /// `Nov 30`.
    pub short: String,
    /// Kilometres, one decimal.
    pub km: String,
    /// Left edge and height in the SVG's units.
    pub x: u32,
    pub y: u32,
    pub height: u32,
}

/// The chart's drawing height; bars scale to the longest week.
pub const HEIGHT: u32 = 120;
const BAR_STEP: u32 = 40;

/// The bars of `weeks` (oldest first).
pub fn bars(weeks: &[WeekTotal]) -> Vec<Bar> {
    let longest = weeks.iter().map(|w| w.totals.distance_m).fold(0.0_f64, f64::max);
    weeks
        .iter()
        .zip(0u32..)
        .map(|(w, i)| {
            let share = if longest > 0.0 { w.totals.distance_m / longest } else { 0.0 };
            // A share in 0..=1 of a small height: the cast cannot truncate.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let height = (share * f64::from(HEIGHT)).round() as u32;
            Bar {
                week: w.week_start.to_string(),
                short: w.week_start.format("%b %-d").to_string(),
                km: format!("{:.1}", w.totals.distance_m / 1000.0),
                x: i * BAR_STEP + 4,
                y: HEIGHT - height,
                height,
            }
        })
        .collect()
}

/// The SVG's width for `n` bars.
pub fn width(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(12) * BAR_STEP
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use roster_domain::athlete::weekly::BucketTotal;

    #[test]
    fn bars_scale_to_the_longest_week() {
        let week = |d: u32, m: f64| WeekTotal {
            week_start: NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default(),
            totals: BucketTotal { distance_m: m, duration_s: 0, activity_count: 0 },
        };
        let bars = bars(&[week(23, 5000.0), week(30, 10000.0)]);
        assert_eq!((bars[0].height, bars[1].height), (HEIGHT / 2, HEIGHT));
        assert_eq!(bars[1].km, "10.0");
        assert_eq!(bars[0].short, "Nov 23");
        assert_eq!(width(12), 480);
    }
}
