//! The roster CSV as bytes: the writer the export and the import's result
//! share, and the reader that turns an uploaded file into an
//! [`ImportTable`]. Pure (bytes in, bytes out), so the API and the console
//! read and write the same files.

use super::import::{ImportMode, ImportReport, ImportRow, ImportTable, MAX_ROWS};
use super::{neutralise, restore};
use std::io;

/// What spreadsheet programs look for to read a file as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes rows as RFC 4180 CSV (CRLF line ends, quotes where needed).
pub fn write_rows<I, R, S>(rows: I) -> io::Result<Vec<u8>>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator<Item = S>,
    S: AsRef<[u8]>,
{
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    for row in rows {
        writer.write_record(row).map_err(io::Error::other)?;
    }
    writer.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// A file that cannot be read as a table: a stable code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError {
    /// `unsupported_encoding`, `empty_file`, `ragged_row`, `malformed_csv` or `too_many_rows`.
    pub code: &'static str,
    /// What is wrong, for people.
    pub message: String,
}

fn unreadable(code: &'static str, message: impl Into<String>) -> TableError {
    TableError { code, message: message.into() }
}

/// Reads the file as a table: UTF-8 (a byte-order mark is dropped), a header
/// row, every row as long as the header, CRLF or LF, quoted cells with
/// quotes and line breaks inside. Cells come back with the export's formula
/// neutralisation undone.
pub fn read_table(bytes: &[u8]) -> Result<ImportTable, TableError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(unreadable("unsupported_encoding", "The file is UTF-16; save it as CSV UTF-8."));
    }
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(unreadable("empty_file", "The file is empty; it needs a header row and at least one row."));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
        unreadable("unsupported_encoding", format!("Line {line} is not UTF-8; save the file as CSV UTF-8."))
    })?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(false).from_reader(text.as_bytes());
    let mut table = ImportTable::default();
    let mut lines = LineCounter::default();
    for record in reader.records() {
        let record = record.map_err(|e| match e.kind() {
            csv::ErrorKind::UnequalLengths { pos, expected_len, len } => unreadable(
                "ragged_row",
                format!(
                    "Line {} has {len} cells; the header has {expected_len}.",
                    pos.as_ref().map_or(0, |p| lines.line_at(text, p.byte()))
                ),
            ),
            _ => unreadable("malformed_csv", format!("The file is not CSV: {e}")),
        })?;
        if table.columns.is_empty() {
            table.columns = record.iter().map(|c| c.trim().to_lowercase()).collect();
            continue;
        }
        if table.rows.len() == MAX_ROWS {
            return Err(unreadable("too_many_rows", format!("The file has more than {MAX_ROWS} rows.")));
        }
        let line = record.position().map_or(0, |p| lines.line_at(text, p.byte()));
        table.rows.push(ImportRow { line, cells: record.iter().map(|c| restore(c).to_owned()).collect() });
    }
    if table.rows.is_empty() {
        return Err(unreadable("empty_file", "The file has a header row but no rows."));
    }
    Ok(table)
}

/// The line a record of the file starts on. The csv crate's own line
/// numbers lag by one after a CRLF line end (its position is the `\n`'s,
/// counted only when the next record is read), and exports end lines in
/// CRLF; counting the line breaks before the record's first byte is exact. Rows come in order, so
/// the count goes on from the last row.
#[derive(Debug, Default)]
struct LineCounter {
    byte: usize,
    breaks: u64,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, byte: u64) -> u64 {
        let mut byte = usize::try_from(byte).unwrap_or(usize::MAX).min(text.len());
        // After a CRLF the position is the `\n`'s, not the record's first byte.
        if text.as_bytes().get(byte) == Some(&b'\n') {
            byte += 1;
        }
        if byte < self.byte {
            *self = Self::default();
        }
        self.breaks += text.as_bytes()[self.byte..byte].iter().filter(|b| **b == b'\n').count() as u64;
        self.byte = byte;
        self.breaks + 1
    }
}

/// An import's report as CSV: `line, email, outcome, user_id,
/// invitation_id, errors`, each row with its outcome (cells neutralised).
pub fn report_csv(report: &ImportReport) -> io::Result<Vec<u8>> {
    let header = ["line", "email", "outcome", "user_id", "invitation_id", "errors"].map(str::to_owned);
    let rows = report.rows.iter().map(|row| {
        let errors: Vec<String> = row
            .errors
            .iter()
            .map(|e| format!("{}: {} ({})", e.column.as_deref().unwrap_or("row"), e.code, e.message))
            .collect();
        [
            row.line.to_string(),
            row.email.clone(),
            row.outcome.as_str().to_owned(),
            row.user_id.map(|u| u.to_string()).unwrap_or_default(),
            row.invitation_id.map(|i| i.to_string()).unwrap_or_default(),
            errors.join("; "),
        ]
        .map(|cell| neutralise(&cell))
    });
    write_rows(std::iter::once(header).chain(rows))
}

/// The digest of an import request ([`super::import::ImportRequest::fingerprint`]):
/// the file and the options, so that an `Idempotency-Key` sent again with
/// another file or other options is told apart.
pub fn fingerprint(file: &[u8], mode: ImportMode, skip_invalid: bool) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    let mut hasher = Sha256::new();
    hasher.update(file);
    hasher.update(format!("\n{mode:?} {skip_invalid}").as_bytes());
    hasher.finalize().iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_table_reads_back_with_quotes_line_breaks_and_neutralised_cells() {
        let rows = vec![vec!["email".to_owned(), "labels".to_owned()], vec!["a@b.c".to_owned(), neutralise("@x;@y")]];
        let mut bytes = BOM.to_vec();
        bytes.extend(write_rows(&rows).unwrap_or_default());
        bytes.extend(b"\"q@b.c\",\"say \"\"hi\"\"\nthere\"\r\n");
        let table = read_table(&bytes).unwrap_or_default();
        assert_eq!(table.columns, ["email", "labels"]);
        assert_eq!(table.rows[0].cells, ["a@b.c", "@x;@y"]);
        assert_eq!(table.rows[1].cells, ["q@b.c", "say \"hi\"\nthere"]);
    }

    #[test]
    fn unreadable_files_name_their_problem() {
        let code = |bytes: &[u8]| read_table(bytes).map(drop).unwrap_err().code;
        assert_eq!(code(b"\xFF\xFEe\0"), "unsupported_encoding");
        assert_eq!(code(b"email\n\xC3\x28\n"), "unsupported_encoding");
        assert_eq!(code(BOM), "empty_file");
        assert_eq!(code(b"email\n"), "empty_file");
        assert_eq!(code(b"email,labels\na@b.c\n"), "ragged_row");
    }

    #[test]
    fn lines_are_counted_the_same_after_lf_and_crlf() {
        for end in ["\n", "\r\n"] {
            let file = ["email,notes", "a@b.c,\"two\nlines\"", "c@d.e,x", "f@g.h"].join(end);
            let ragged = read_table(file.as_bytes()).map(drop).unwrap_err();
            assert_eq!(ragged.message, "Line 5 has 1 cells; the header has 2.", "{end:?}");
            let table = read_table(file.rsplit_once(end).map_or("", |(head, _)| head).as_bytes()).unwrap_or_default();
            assert_eq!(table.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [2, 4], "{end:?}");
        }
    }

    #[test]
    fn the_fingerprint_tells_files_and_options_apart() {
        let a = fingerprint(b"email\na@b.c\n", ImportMode::Upsert, false);
        assert_eq!(a.len(), 64);
        assert_eq!(a, fingerprint(b"email\na@b.c\n", ImportMode::Upsert, false));
        assert_ne!(a, fingerprint(b"email\na@b.c\n", ImportMode::Upsert, true));
        assert_ne!(a, fingerprint(b"email\nb@b.c\n", ImportMode::Upsert, false));
    }
}
