//! **My zones**: the athlete's heart-rate and pace zones as tables, and one
//! form that replaces them all, as the API's `PUT …/zones` does (a stale
//! form is refused with the input kept). The checks are the API's
//! (`Zones::parse`); this module reads `m:ss` paces and the form's rows
//! (a blank row is no zone) and words the API's messages for the form.

use crate::form::{Errors, Outcome};
use crate::view::{Chrome, Viewer, posted, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::athlete::zones::{MAX_ZONES, PACE};
use roster_domain::athlete::{HeartRateZone, PaceZone, StoredZones, ZoneSettings};
use roster_domain::error::FieldError;
use roster_domain::insights::format_pace;
use roster_domain::services::athlete;
use roster_domain::{Conflict, DomainError};

const CURRENT: &str = "/me/zones";
/// Blank rows the form offers at least.
const MIN_ROWS: usize = 5;

/// The two kinds of zone, as the form names them (`hr-2-min`) and as the API does.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    HeartRate,
    Pace,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::HeartRate => "hr",
            Kind::Pace => "pace",
        }
    }
}

/// One zone as typed.
#[derive(Debug, Clone, Default)]
struct RowForm {
    name: String,
    min: String,
    max: String,
}

impl RowForm {
    fn is_blank(&self) -> bool {
        [&self.name, &self.min, &self.max].iter().all(|t| t.trim().is_empty())
    }
}

/// The form as typed.
#[derive(Debug, Clone, Default)]
pub(in crate::pages) struct ZonesForm {
    version: i64,
    hr_max: String,
    hr_rest: String,
    hr: Vec<RowForm>,
    threshold: String,
    pace: Vec<RowForm>,
}

/// A zone row of the form, with its messages.
pub(in crate::pages) struct RowView {
    /// `hr-0`: the prefix of its fields' ids.
    id: String,
    number: usize,
    form: RowForm,
    name_error: Option<String>,
    min_error: Option<String>,
    max_error: Option<String>,
}

impl RowView {
    fn invalid(&self) -> bool {
        self.name_error.is_some() || self.min_error.is_some() || self.max_error.is_some()
    }
}

/// A stored zone in the tables.
pub(in crate::pages) struct Shown {
    name: String,
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "my_zones.html")]
struct ZonesPage {
    chrome: Chrome,
    hr_max: String,
    hr_rest: String,
    hr: Vec<Shown>,
    threshold: String,
    pace: Vec<Shown>,
    updated: String,
    form: ZonesForm,
    hr_rows: Vec<RowView>,
    pace_rows: Vec<RowView>,
    errors: Errors,
}

/// `m:ss` for seconds.
fn mss(seconds: i64) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}

fn opt(n: Option<i64>, show: fn(i64) -> String) -> String {
    n.map(show).unwrap_or_default()
}

impl ZonesForm {
    /// The stored zones, with blank rows to add more.
    fn of(stored: Option<&StoredZones>) -> Self {
        let settings = stored.map(|s| s.zones.settings().clone()).unwrap_or_default();
        let rows = |mut rows: Vec<RowForm>| {
            rows.resize((rows.len() + 2).clamp(MIN_ROWS, MAX_ZONES.max(rows.len())), RowForm::default());
            rows
        };
        let (hr, pace) = (&settings.heart_rate, &settings.pace);
        Self {
            version: stored.map_or(0, |s| s.version),
            hr_max: opt(hr.max_bpm, |n| n.to_string()),
            hr_rest: opt(hr.resting_bpm, |n| n.to_string()),
            hr: rows(
                hr.zones
                    .iter()
                    .map(|z| RowForm { name: z.name.clone(), min: z.min_bpm.to_string(), max: z.max_bpm.to_string() })
                    .collect(),
            ),
            threshold: opt(pace.threshold_s_per_km, mss),
            pace: rows(
                pace.zones
                    .iter()
                    .map(|z| RowForm { name: z.name.clone(), min: mss(z.min_s_per_km), max: mss(z.max_s_per_km) })
                    .collect(),
            ),
        }
    }

    /// The form as posted: its rows are those the page had (at most ten of each).
    fn read(fields: &[(String, String)]) -> (String, Self) {
        let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let rows = |kind: Kind| {
            (0..MAX_ZONES)
                .map_while(|i| {
                    let field = |f: &str| get(&format!("{}-{i}-{f}", kind.prefix()));
                    field("name").map(|name| RowForm {
                        name,
                        min: field("min").unwrap_or_default(),
                        max: field("max").unwrap_or_default(),
                    })
                })
                .collect()
        };
        let form = Self {
            version: get("version").and_then(|v| v.parse().ok()).unwrap_or(0),
            hr_max: get("hr_max").unwrap_or_default(),
            hr_rest: get("hr_rest").unwrap_or_default(),
            hr: rows(Kind::HeartRate),
            threshold: get("threshold").unwrap_or_default(),
            pace: rows(Kind::Pace),
        };
        (get("csrf").unwrap_or_default(), form)
    }

    /// The settings typed, and which form row each zone came from; what is
    /// not a number or a pace is told here, the rest by `Zones::parse`.
    fn settings(&self) -> Result<(ZoneSettings, [Vec<usize>; 2]), DomainError> {
        let mut errors = Vec::new();
        let mut bpm = |text: &str, field: String| -> Option<i64> {
            let n = text.trim().parse::<i64>().ok();
            if n.is_none() {
                errors.push(FieldError::new(field, "invalid_number", "enter a whole number of beats per minute"));
            }
            n
        };
        let hr_max = Some(&self.hr_max).filter(|t| !t.trim().is_empty()).map(|t| bpm(t, "hr_max".into()));
        let hr_rest = Some(&self.hr_rest).filter(|t| !t.trim().is_empty()).map(|t| bpm(t, "hr_rest".into()));
        let mut hr_rows = Vec::new();
        let mut hr_zones = Vec::new();
        for (i, row) in self.hr.iter().enumerate().filter(|(_, r)| !r.is_blank()) {
            let (min, max) = (bpm(&row.min, format!("hr-{i}-min")), bpm(&row.max, format!("hr-{i}-max")));
            hr_rows.push(i);
            hr_zones.push(HeartRateZone {
                name: row.name.clone(),
                min_bpm: min.unwrap_or(0),
                max_bpm: max.unwrap_or(0),
            });
        }
        let mut pace = |text: &str, field: String| -> Option<i64> {
            let n = parse_mss(text);
            if n.is_none() {
                errors.push(FieldError::new(field, "invalid_pace", "use minutes and seconds per km, e.g. 4:30"));
            }
            n
        };
        let threshold = Some(&self.threshold).filter(|t| !t.trim().is_empty()).map(|t| pace(t, "threshold".into()));
        let mut pace_rows = Vec::new();
        let mut pace_zones = Vec::new();
        for (i, row) in self.pace.iter().enumerate().filter(|(_, r)| !r.is_blank()) {
            let (min, max) = (pace(&row.min, format!("pace-{i}-min")), pace(&row.max, format!("pace-{i}-max")));
            pace_rows.push(i);
            pace_zones.push(PaceZone {
                name: row.name.clone(),
                min_s_per_km: min.unwrap_or(0),
                max_s_per_km: max.unwrap_or(0),
            });
        }
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        let mut settings = ZoneSettings::default();
        settings.heart_rate.max_bpm = hr_max.flatten();
        settings.heart_rate.resting_bpm = hr_rest.flatten();
        settings.heart_rate.zones = hr_zones;
        settings.pace.threshold_s_per_km = threshold.flatten();
        settings.pace.zones = pace_zones;
        Ok((settings, [hr_rows, pace_rows]))
    }

    /// Every field's name, for messages beside them.
    fn field_names(&self) -> Vec<String> {
        let mut names: Vec<String> = ["hr_max", "hr_rest", "threshold"].map(String::from).into();
        for (kind, rows) in [(Kind::HeartRate, &self.hr), (Kind::Pace, &self.pace)] {
            for i in 0..rows.len() {
                names.extend(["name", "min", "max"].map(|f| format!("{}-{i}-{f}", kind.prefix())));
            }
        }
        names
    }
}

/// `m:ss` (or `mm:ss`) as seconds.
fn parse_mss(text: &str) -> Option<i64> {
    let (m, s) = text.trim().split_once(':')?;
    let (m, s) = (m.trim().parse::<i64>().ok()?, s.trim().parse::<i64>().ok()?);
    (m >= 0 && (0..60).contains(&s) && s.to_string().len() <= 2).then_some(m * 60 + s)
}

/// An API field (`pace.zones[2].min_s_per_km`) as the form names it
/// (`pace-4-min`, the fifth row when rows 1 and 3 were blank).
fn form_field(field: &str, [hr_rows, pace_rows]: &[Vec<usize>; 2]) -> Option<(Kind, String)> {
    let fixed = match field {
        "heart_rate.max_bpm" => Some((Kind::HeartRate, "hr_max".to_owned())),
        "heart_rate.resting_bpm" => Some((Kind::HeartRate, "hr_rest".to_owned())),
        "pace.threshold_s_per_km" => Some((Kind::Pace, "threshold".to_owned())),
        _ => None,
    };
    if fixed.is_some() {
        return fixed;
    }
    let (kind, rows, rest) = if let Some(rest) = field.strip_prefix("heart_rate.zones[") {
        (Kind::HeartRate, hr_rows, rest)
    } else {
        (Kind::Pace, pace_rows, field.strip_prefix("pace.zones[")?)
    };
    let (index, part) = rest.split_once("].")?;
    let row = rows.get(index.parse::<usize>().ok()?)?;
    let part = if part == "name" {
        "name"
    } else if part.starts_with("min") {
        "min"
    } else {
        "max"
    };
    Some((kind, format!("{}-{row}-{part}", kind.prefix())))
}

/// The API's refusal of the zones in the form's words: its fields by the
/// form's names, paces as `m:ss`, "from" and "to" for min and max.
fn domain_errors(e: DomainError, rows: &[Vec<usize>; 2]) -> DomainError {
    let DomainError::Validation(list) = e else { return e };
    let reworded = list
        .into_iter()
        .map(|e| {
            let Some((kind, field)) = form_field(&e.field, rows) else { return e };
            let pace = kind == Kind::Pace;
            let message = match e.code.as_str() {
                "out_of_range" if e.message.contains("max_bpm") => "must be less than the maximum heart rate".into(),
                "out_of_range" if pace => format!(
                    "must be between {} and {}",
                    format_pace(*PACE.start() as f64),
                    format_pace(*PACE.end() as f64)
                ),
                "out_of_range" => format!("{} bpm", e.message),
                "inverted_zone" if pace => "the fast end must be a faster pace than the slow end".into(),
                "inverted_zone" => "the lower bound must be less than the upper bound".into(),
                "overlapping_zones" if pace => "must not be faster than the previous zone's slow end".into(),
                "overlapping_zones" => "must not be below the previous zone's upper bound".into(),
                "zones_out_of_order" if pace => "list the zones from the fastest to the slowest".into(),
                "zones_out_of_order" => "list the zones from the lowest to the highest".into(),
                _ => e.message,
            };
            FieldError { field, message, ..e }
        })
        .collect();
    DomainError::Validation(reworded)
}

fn views(kind: Kind, rows: &[RowForm], errors: &Errors) -> Vec<RowView> {
    rows.iter()
        .enumerate()
        .map(|(i, row)| {
            let id = format!("{}-{i}", kind.prefix());
            let error = |f: &str| errors.get(&format!("{id}-{f}")).map(str::to_owned);
            RowView {
                name_error: error("name"),
                min_error: error("min"),
                max_error: error("max"),
                number: i + 1,
                form: row.clone(),
                id,
            }
        })
        .collect()
}

fn zones_page(c: &Console, viewer: &Viewer, form: Option<ZonesForm>, errors: Errors) -> Result<ZonesPage, DomainError> {
    let me = viewer.user.user_id;
    let stored = athlete::zones(&c.cx(me), viewer.org_id()?, me)?;
    let settings = stored.as_ref().map(|s| s.zones.settings().clone()).unwrap_or_default();
    let form = form.unwrap_or_else(|| ZonesForm::of(stored.as_ref()));
    let (hr, pace) = (&settings.heart_rate, &settings.pace);
    Ok(ZonesPage {
        chrome: viewer.chrome(CURRENT),
        hr_max: opt(hr.max_bpm, |n| format!("{n} bpm")),
        hr_rest: opt(hr.resting_bpm, |n| format!("{n} bpm")),
        hr: hr
            .zones
            .iter()
            .map(|z| Shown {
                name: z.name.clone(),
                from: format!("{} bpm", z.min_bpm),
                to: format!("{} bpm", z.max_bpm),
            })
            .collect(),
        threshold: opt(pace.threshold_s_per_km, |s| format_pace(s as f64)),
        pace: pace
            .zones
            .iter()
            .map(|z| Shown {
                name: z.name.clone(),
                from: format_pace(z.min_s_per_km as f64),
                to: format_pace(z.max_s_per_km as f64),
            })
            .collect(),
        updated: stored.as_ref().map(|s| s.updated_at.format("%Y-%m-%d").to_string()).unwrap_or_default(),
        hr_rows: views(Kind::HeartRate, &form.hr, &errors),
        pace_rows: views(Kind::Pace, &form.pace, &errors),
        form,
        errors,
    })
}

pub(in crate::pages) async fn page(c: web::Data<Console>, req: HttpRequest) -> Result<HttpResponse, PageError> {
    let page = signed_in(&c, &req, |c, viewer| zones_page(c, &viewer, None, Errors::none())).await?;
    render(&page)
}

pub(in crate::pages) async fn save(
    c: web::Data<Console>,
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, PageError> {
    let (csrf, form) = ZonesForm::read(&form.into_inner());
    posted(&c, &req, csrf, move |c, viewer| {
        let me = viewer.user.user_id;
        let saved = form.settings().and_then(|(settings, rows)| {
            athlete::put_zones(&c.cx(me), viewer.org_id()?, me, settings, Some(form.version))
                .map_err(|e| domain_errors(e, &rows))
        });
        match saved {
            Ok(_) => Ok(Outcome::Redirect(CURRENT.into())),
            Err(DomainError::Conflict(Conflict::VersionMismatch)) => {
                // Saved meanwhile (another tab, or a coach): the tables show
                // theirs; this input is kept, with their version to save over.
                let version = athlete::zones(&c.cx(me), viewer.org_id()?, me)?.map_or(0, |z| z.version);
                let message = "Your zones were changed while you were editing them: the tables above show what is \
                               saved now. Your input is kept below; save again to replace them.";
                let form = ZonesForm { version, ..form };
                Ok(Outcome::Again(zones_page(c, &viewer, Some(form), Errors::one("", message))?))
            }
            Err(DomainError::Validation(list)) => {
                let names = form.field_names();
                let shown: Vec<&str> = names.iter().map(String::as_str).collect();
                let errors = Errors::for_fields(list, &shown);
                Ok(Outcome::Again(zones_page(c, &viewer, Some(form), errors)?))
            }
            Err(e) => Err(e),
        }
    })
    .await?
    .respond()
}

#[cfg(test)]
mod tests;
