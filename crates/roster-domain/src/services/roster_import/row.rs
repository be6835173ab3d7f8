//! One row of an import file, read into values (every cell's error at once).

use crate::error::{DomainError, FieldError};
use crate::member::{DisplayName, Labels, MemberLevel, PrivateNotes};
use crate::role::MembershipStatus;
use crate::roster_csv::import::{ImportRow, RowError};
use crate::roster_csv::{COLUMNS, split_list};
use crate::values::{Email, InvalidValue, PersonName};

/// Columns that are exported but never change anything: the account's last
/// name is the account's own, the join time is history.
const READ_ONLY: [&str; 2] = ["last_name", "joined_at"];

/// A row's values besides its e-mail; `None` where the column is absent or
/// the cell empty (which leaves the field as it is).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowInput {
    /// For an invitation (an e-mail without an account); never changes an account.
    pub first_name: Option<PersonName>,
    /// Nickname.
    pub display_name: Option<DisplayName>,
    /// Tier.
    pub member_level: Option<MemberLevel>,
    /// The whole set.
    pub labels: Option<Labels>,
    /// Standing.
    pub status: Option<MembershipStatus>,
    /// The coach, by e-mail.
    pub coach_email: Option<Email>,
    /// Every group the member is in, by name.
    pub groups: Option<Vec<String>>,
    /// Coaches' notes.
    pub private_notes: Option<PrivateNotes>,
}

/// Refuses a header with a column the import does not know, a column twice,
/// or no `email`.
pub fn check_columns(columns: &[String]) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    for (i, column) in columns.iter().enumerate() {
        if !COLUMNS.contains(&column.as_str()) {
            let known = COLUMNS.join(", ");
            errors.push(FieldError::new(
                column.as_str(),
                "unknown_column",
                format!("unknown column `{column}`; the columns are {known}"),
            ));
        } else if columns[..i].contains(column) {
            errors.push(FieldError::new(column.as_str(), "duplicate_column", format!("column `{column}` twice")));
        }
    }
    if !columns.iter().any(|c| c == "email") {
        errors.push(FieldError::new("email", "missing_column", "the file needs an `email` column"));
    }
    if errors.is_empty() { Ok(()) } else { Err(DomainError::Validation(errors)) }
}

fn value<T>(errors: &mut Vec<RowError>, column: &str, parsed: Result<T, InvalidValue>) -> Option<T> {
    parsed.map_err(|e| errors.push(RowError::new(Some(column), e.code, e.message))).ok()
}

/// Reads `row` under `columns` (already checked): its e-mail and values.
pub fn parse(columns: &[String], row: &ImportRow) -> Result<(Email, RowInput), Vec<RowError>> {
    let mut errors = Vec::new();
    let mut email = None;
    let mut input = RowInput::default();
    for (column, cell) in columns.iter().zip(&row.cells) {
        let cell = cell.trim();
        let column = column.as_str();
        if column == "email" {
            if cell.is_empty() {
                errors.push(RowError::new(Some("email"), "missing_email", "every row needs an e-mail"));
            } else {
                email = value(&mut errors, column, Email::parse(cell));
            }
            continue;
        }
        if cell.is_empty() || READ_ONLY.contains(&column) {
            continue;
        }
        match column {
            "first_name" => input.first_name = value(&mut errors, column, PersonName::parse(cell)),
            "display_name" => input.display_name = value(&mut errors, column, DisplayName::parse(cell)),
            "member_level" => input.member_level = value(&mut errors, column, MemberLevel::parse(cell)),
            "labels" => input.labels = value(&mut errors, column, Labels::parse(split_list(cell))),
            "status" => {
                let status = cell
                    .parse::<MembershipStatus>()
                    .map_err(|_| InvalidValue::new("invalid_status", "status is active, inactive or suspended"));
                input.status = value(&mut errors, column, status);
            }
            "assigned_coach_email" => input.coach_email = value(&mut errors, column, Email::parse(cell)),
            "groups" => input.groups = Some(split_list(cell).into_iter().map(str::to_owned).collect()),
            "private_notes" => input.private_notes = value(&mut errors, column, PrivateNotes::parse(cell)),
            _ => {}
        }
    }
    match email {
        Some(email) if errors.is_empty() => Ok((email, input)),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(names: &[&str]) -> Vec<String> {
        names.iter().map(|c| (*c).to_owned()).collect()
    }

    fn codes(e: DomainError) -> Vec<(String, String)> {
        match e {
            DomainError::Validation(errors) => errors.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_header_needs_email_and_known_columns_once() {
        assert!(check_columns(&columns(&["labels", "email"])).is_ok());
        let refused = check_columns(&columns(&["nickname", "labels", "labels"])).unwrap_err();
        assert_eq!(
            codes(refused),
            [
                ("nickname".into(), "unknown_column".into()),
                ("labels".into(), "duplicate_column".into()),
                ("email".into(), "missing_column".into())
            ]
        );
    }

    #[test]
    fn empty_cells_and_read_only_columns_leave_fields() {
        let cols = columns(&["email", "last_name", "joined_at", "labels", "display_name", "groups"]);
        let row = ImportRow {
            line: 2,
            cells: ["  Ana@Example.COM ", "Silva", "2026-01-01", "@b; @A", "", "Squad;; Track "]
                .map(str::to_owned)
                .to_vec(),
        };
        let (email, input) = parse(&cols, &row).unwrap();
        assert_eq!(email.as_str(), "ana@example.com");
        assert_eq!(input.labels.unwrap().to_strings(), ["@a", "@b"]);
        assert_eq!(input.display_name, None);
        assert_eq!(input.groups.unwrap(), ["Squad", "Track"]);
    }

    #[test]
    fn every_bad_cell_is_reported_on_its_column() {
        let cols = columns(&["email", "labels", "status", "assigned_coach_email"]);
        let row = ImportRow { line: 3, cells: ["", "marathon", "gone", "nobody"].map(str::to_owned).to_vec() };
        let errors = parse(&cols, &row).unwrap_err();
        let found: Vec<_> = errors.iter().map(|e| (e.column.as_deref(), e.code.as_str())).collect();
        assert_eq!(
            found,
            [
                (Some("email"), "missing_email"),
                (Some("labels"), "invalid_label"),
                (Some("status"), "invalid_status"),
                (Some("assigned_coach_email"), "invalid_email")
            ]
        );
    }
}
