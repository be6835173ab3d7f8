//! The roster as a spreadsheet: the columns of the CSV export and import,
//! and the formula neutralisation the two share.
//!
//! A spreadsheet program runs a cell that starts with `=`, `+`, `-`, `@`, a
//! tab or a carriage return as a formula (CSV injection). The export puts a
//! `'` before such a cell, and before a cell that itself starts with `'`, so
//! that the import can undo exactly that: one leading `'` comes off when what
//! follows would have been neutralised. Every label starts with `@`, so a
//! labels cell always travels neutralised and comes back the same.
//!
//! ```
//! use roster_domain::roster_csv::{neutralise, restore};
//!
//! assert_eq!(neutralise("@marathon;@track"), "'@marathon;@track");
//! assert_eq!(restore("'@marathon;@track"), "@marathon;@track");
//! assert_eq!(restore("'plain"), "'plain");
//! ```

pub mod file;
pub mod import;

/// The export's columns, in order (`private_notes` last, coaches only).
pub const COLUMNS: [&str; 11] = [
    "email",
    "first_name",
    "last_name",
    "display_name",
    "member_level",
    "labels",
    "status",
    "assigned_coach_email",
    "groups",
    "joined_at",
    "private_notes",
];

/// Separates the labels, and the group names, inside one cell.
pub const LIST_SEPARATOR: char = ';';

fn runs_as_formula(first: char) -> bool {
    matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r')
}

fn needs_quote(cell: &str) -> bool {
    cell.chars().next().is_some_and(|c| runs_as_formula(c) || c == '\'')
}

/// The cell as written to the file: `'` first when a spreadsheet would run it
/// (or when it starts with `'`, so that [`restore`] is exact).
pub fn neutralise(cell: &str) -> String {
    if needs_quote(cell) { format!("'{cell}") } else { cell.to_owned() }
}

/// The value a cell of the file holds: [`neutralise`] undone.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_quote(rest) => rest,
        _ => cell,
    }
}

/// The items of a list cell (labels, group names), trimmed, empty ones dropped.
pub fn split_list(cell: &str) -> Vec<&str> {
    cell.split(LIST_SEPARATOR).map(str::trim).filter(|item| !item.is_empty()).collect()
}

/// A list cell from its items.
pub fn join_list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let mut cell = String::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            cell.push(LIST_SEPARATOR);
        }
        cell.push_str(item.as_ref());
    }
    cell
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn formula_starts_are_neutralised() {
        for cell in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "'quoted"] {
            assert_eq!(neutralise(cell), format!("'{cell}"));
        }
        assert_eq!(neutralise("plain"), "plain");
        assert_eq!(neutralise(""), "");
    }

    #[test]
    fn a_quote_that_neutralised_nothing_stays() {
        assert_eq!(restore("'abc"), "'abc");
        assert_eq!(restore("''abc"), "'abc");
        assert_eq!(restore("'"), "'");
    }

    #[test]
    fn lists_split_and_join() {
        assert_eq!(split_list(" @a ;; @b;"), ["@a", "@b"]);
        assert_eq!(join_list(["@a", "@b"]), "@a;@b");
        assert!(split_list("").is_empty());
    }

    proptest! {
        #[test]
        fn restore_undoes_neutralise(cell in ".*") {
            let written = neutralise(&cell);
            prop_assert_eq!(restore(&written), cell.as_str());
        }

        #[test]
        fn a_neutralised_cell_never_runs(cell in ".*") {
            let written = neutralise(&cell);
            prop_assert!(written.chars().next().is_none_or(|c| !runs_as_formula(c)));
        }
    }
}
