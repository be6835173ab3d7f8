//! A small `multipart/form-data` reader (RFC 7578) over a body already held
//! in memory (and capped by the caller). Only what an upload form needs:
//! each part's `name`, optional `filename` and bytes; nested multiparts and
//! transfer encodings are not supported.

/// The most parts read from one body.
pub const MAX_PARTS: usize = 16;
/// The longest header block of a part.
const MAX_PART_HEADERS: usize = 8 * 1024;

/// One part of the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part<'a> {
    /// The form field's name.
    pub name: String,
    /// The uploaded file's name, when the part is a file.
    pub file_name: Option<String>,
    /// The part's content.
    pub data: &'a [u8],
}

/// What `Content-Type` says about the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormType {
    /// `multipart/form-data` with this boundary.
    Multipart(String),
    /// `multipart/form-data` without a usable boundary.
    NoBoundary,
    /// Anything else (or nothing).
    Other,
}

/// Reads a `Content-Type` value.
pub fn form_type(content_type: Option<&str>) -> FormType {
    let Some(content_type) = content_type else { return FormType::Other };
    let (mime, params) = content_type.split_once(';').unwrap_or((content_type, ""));
    if !mime.trim().eq_ignore_ascii_case("multipart/form-data") {
        return FormType::Other;
    }
    match param(params, "boundary") {
        Some(b) if !b.is_empty() && b.len() <= 70 && b.is_ascii() => FormType::Multipart(b),
        _ => FormType::NoBoundary,
    }
}

/// The value of `key` in a `; key=value; key="quoted value"` list.
pub fn param(params: &str, key: &str) -> Option<String> {
    let mut rest = params;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ';' || c.is_whitespace());
        if rest.is_empty() {
            return None;
        }
        let name_end = rest.find(['=', ';']).unwrap_or(rest.len());
        let name = rest[..name_end].trim();
        rest = &rest[name_end..];
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            if let Some(quoted) = after.strip_prefix('"') {
                let mut chars = quoted.char_indices();
                let mut end = quoted.len();
                while let Some((i, c)) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some((_, escaped)) = chars.next() {
                                value.push(escaped);
                            }
                        }
                        '"' => {
                            end = i + 1;
                            break;
                        }
                        c => value.push(c),
                    }
                }
                rest = &quoted[end.min(quoted.len())..];
            } else {
                let end = after.find(';').unwrap_or(after.len());
                value = after[..end].trim().to_owned();
                rest = &after[end..];
            }
        }
        if name.eq_ignore_ascii_case(key) {
            return Some(value);
        }
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let first = *needle.first()?;
    let mut i = from;
    while i + needle.len() <= haystack.len() {
        let offset = haystack[i..haystack.len() - needle.len() + 1].iter().position(|b| *b == first)?;
        i += offset;
        if &haystack[i..i + needle.len()] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Splits `body` into its parts. The error says what is wrong, in a few words.
pub fn parse<'a>(body: &'a [u8], boundary: &str) -> Result<Vec<Part<'a>>, String> {
    let delimiter = format!("--{boundary}").into_bytes();
    let close = [b"\r\n".as_slice(), &delimiter].concat();
    let mut pos = if body.starts_with(&delimiter) {
        delimiter.len()
    } else {
        find(body, &close, 0).ok_or("the body does not hold the boundary")? + close.len()
    };
    let mut parts = Vec::new();
    loop {
        if body[pos..].starts_with(b"--") {
            return Ok(parts);
        }
        while body.get(pos).is_some_and(|b| *b == b' ' || *b == b'\t') {
            pos += 1;
        }
        if !body[pos..].starts_with(b"\r\n") {
            return Err("a boundary is not followed by a line break".into());
        }
        pos += 2;
        let (headers, content_start) = if body[pos..].starts_with(b"\r\n") {
            ("", pos + 2)
        } else {
            let end = find(body, b"\r\n\r\n", pos).ok_or("a part's headers do not end")?;
            if end - pos > MAX_PART_HEADERS {
                return Err("a part's headers are too long".into());
            }
            (std::str::from_utf8(&body[pos..end]).map_err(|_| "a part's headers are not UTF-8")?, end + 4)
        };
        let content_end = find(body, &close, content_start).ok_or("a part is not closed by the boundary")?;
        let disposition = headers
            .split("\r\n")
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-disposition"))
            .map(|(_, value)| value.trim())
            .ok_or("a part has no Content-Disposition")?;
        let (kind, params) = disposition.split_once(';').unwrap_or((disposition, ""));
        if !kind.trim().eq_ignore_ascii_case("form-data") {
            return Err("a part's Content-Disposition is not form-data".into());
        }
        let name = param(params, "name").ok_or("a part has no name")?;
        parts.push(Part { name, file_name: param(params, "filename"), data: &body[content_start..content_end] });
        if parts.len() > MAX_PARTS {
            return Err(format!("more than {MAX_PARTS} parts"));
        }
        pos = content_end + close.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_boundary_from_the_content_type() {
        assert_eq!(form_type(Some("multipart/form-data; boundary=abc")), FormType::Multipart("abc".into()));
        assert_eq!(form_type(Some("Multipart/Form-Data;boundary=\"a b\"")), FormType::Multipart("a b".into()));
        assert_eq!(form_type(Some("multipart/form-data")), FormType::NoBoundary);
        assert_eq!(form_type(Some("application/json")), FormType::Other);
        assert_eq!(form_type(None), FormType::Other);
    }

    #[test]
    fn splits_parts_with_names_and_file_names() {
        let body = b"preamble\r\n--XX\r\nContent-Disposition: form-data; name=\"sport\"\r\n\r\nbike\r\n\
            --XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a;b \\\"c\\\".gpx\"\r\n\
            Content-Type: application/gpx+xml\r\n\r\n<gpx>\r\n--X</gpx>\r\n--XX--\r\n";
        let parts = parse(body, "XX").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!((parts[0].name.as_str(), parts[0].data), ("sport", b"bike".as_slice()));
        assert_eq!(parts[1].file_name.as_deref(), Some("a;b \"c\".gpx"));
        assert_eq!(parts[1].data, b"<gpx>\r\n--X</gpx>");
    }

    #[test]
    fn refuses_broken_bodies() {
        assert!(parse(b"nothing here", "XX").is_err());
        assert!(parse(b"--XX\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nno end", "XX").is_err());
        assert!(parse(b"--XX\r\nX-Other: 1\r\n\r\nv\r\n--XX--", "XX").is_err());
        assert!(parse(b"--XXjunk", "XX").is_err());
        assert_eq!(parse(b"--XX--\r\n", "XX").unwrap(), Vec::new());
    }
}
