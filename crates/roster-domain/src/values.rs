//! Value types that parse, not validate: once a value exists it is valid, and
//! neither the store nor the API checks it again.

use serde::{Serialize, Serializer};
use std::fmt;

mod timezone;
pub use timezone::Timezone;

/// Why a piece of input is not a valid value: a stable `code` and a sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InvalidValue {
    /// Stable snake_case machine code, e.g. `invalid_email`.
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
}

impl InvalidValue {
    /// A refusal with `code` and `message`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// `as_str`, `into_inner`, `Display` and `Serialize` for a text value type
/// wrapping a `String` (the value types here and in [`crate::member`]).
macro_rules! string_value {
    ($name:ident) => {
        impl $name {
            /// The value as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
            /// The value as an owned string.
            pub fn into_inner(self) -> String {
                self.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }
    };
}
pub(crate) use string_value;

/// Whether a text value is one line (a name, a title) or may run over
/// several (a description, notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// No control character at all: a tab or a line break is refused too.
    One,
    /// Line feeds and tabs are kept; a CR LF pair becomes a line feed.
    Many,
}

/// The one rule every text value of the API passes before its own checks:
/// trimmed, and no control characters (Unicode `Cc`: C0, DEL, C1), except the
/// line feeds and tabs of multi-line text. A lone carriage return is refused
/// (it is no line break on its own), and so are the Unicode line and
/// paragraph separators (U+2028, U+2029) in one-line text, which they would
/// break. PostgreSQL cannot store NUL in text, and
/// the rest garble every screen and log they reach, so neither backend ever
/// sees one.
///
/// ```
/// use roster_domain::values::{Lines, clean_text};
/// assert_eq!(clean_text(" Easy run ", Lines::One).unwrap(), "Easy run");
/// assert_eq!(clean_text("a\tb", Lines::One).unwrap_err().code, "invalid_text");
/// assert_eq!(clean_text("one\r\n\ttwo\n", Lines::Many).unwrap(), "one\n\ttwo");
/// assert_eq!(clean_text("a\u{0}b", Lines::Many).unwrap_err().code, "invalid_text");
/// assert_eq!(clean_text("a\u{2028}b", Lines::One).unwrap_err().code, "invalid_text");
/// assert_eq!(clean_text("a\u{85}b", Lines::One).unwrap_err().code, "invalid_text");
/// ```
pub fn clean_text(input: &str, lines: Lines) -> Result<String, InvalidValue> {
    let trimmed = input.trim();
    let text = match lines {
        Lines::Many if trimmed.contains('\r') => trimmed.replace("\r\n", "\n"),
        _ => trimmed.to_owned(),
    };
    let allowed = |c: char| lines == Lines::Many && (c == '\n' || c == '\t');
    let breaks_line = |c: char| lines == Lines::One && matches!(c, '\u{2028}' | '\u{2029}');
    if text.chars().any(|c| (c.is_control() && !allowed(c)) || breaks_line(c)) {
        let message = match lines {
            Lines::One => "must be one line without control characters",
            Lines::Many => "must not contain control characters other than line breaks and tabs",
        };
        return Err(InvalidValue::new("invalid_text", message));
    }
    Ok(text)
}

/// Trims `input`, refuses control characters and checks its length in characters.
pub(crate) fn bounded_text(input: &str, what: &str, code: &'static str, max: usize) -> Result<String, InvalidValue> {
    let trimmed = clean_text(input, Lines::One)?;
    let len = trimmed.chars().count();
    if len == 0 {
        return Err(InvalidValue::new(code, format!("{what} must not be empty")));
    }
    if len > max {
        return Err(InvalidValue::new(code, format!("{what} must be at most {max} characters")));
    }
    Ok(trimmed)
}

/// An e-mail address, trimmed, lower-cased and in Unicode NFC, so that one
/// address typed on two keyboards (`é` composed, or `e` and a combining
/// accent) is one account.
///
/// ```
/// use roster_domain::values::Email;
/// assert_eq!(Email::parse(" A@B.io ").unwrap().as_str(), "a@b.io");
/// assert_eq!(Email::parse("Jose\u{301}@b.io").unwrap().as_str(), "jos\u{e9}@b.io");
/// assert_eq!(Email::parse("a@b").unwrap_err().code, "invalid_email");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);
string_value!(Email);

impl Email {
    /// Parses an address: one `@`, a non-empty local part, a dotted domain, at most 254 chars.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        use unicode_normalization::UnicodeNormalization;
        let value: String = clean_text(input, Lines::One)?.to_lowercase().nfc().collect();
        let invalid = || InvalidValue::new("invalid_email", "must be an e-mail address like name@example.com");
        if value.len() > 254 || value.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let (local, domain) = value.split_once('@').ok_or_else(invalid)?;
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && domain.split('.').all(|part| !part.is_empty() && part.chars().all(|c| c.is_alphanumeric() || c == '-'));
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(value))
    }

    /// A hint that shows the first letter and the domain: `j•••@example.com`.
    pub fn hint(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}•••@{domain}")
    }
}

/// A password that meets the policy: 8–128 characters with an upper-case
/// letter, a lower-case letter and a digit. Never serialized.
///
/// ```
/// use roster_domain::values::Password;
/// assert!(Password::parse("Correct1horse").is_ok());
/// assert_eq!(Password::parse("short1A").unwrap_err().code, "weak_password");
/// assert_eq!(Password::parse("alllowercase1").unwrap_err().code, "weak_password");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    /// Parses a password against the policy.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let len = input.chars().count();
        let weak = |why: &str| InvalidValue::new("weak_password", format!("password {why}"));
        if len < 8 {
            return Err(weak("must be at least 8 characters"));
        }
        if len > 128 {
            return Err(weak("must be at most 128 characters"));
        }
        if !input.chars().any(char::is_uppercase) {
            return Err(weak("needs an upper-case letter"));
        }
        if !input.chars().any(char::is_lowercase) {
            return Err(weak("needs a lower-case letter"));
        }
        if !input.chars().any(|c| c.is_ascii_digit()) {
            return Err(weak("needs a digit"));
        }
        Ok(Self(input.to_owned()))
    }

    /// The secret itself, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// A first or last name: 1–100 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);
string_value!(PersonName);

impl PersonName {
    /// Parses a name.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        bounded_text(input, "name", "invalid_name", 100).map(Self)
    }
}

/// An organization's name: 1–120 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgName(String);
string_value!(OrgName);

impl OrgName {
    /// Parses an organization name.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        bounded_text(input, "name", "invalid_name", 120).map(Self)
    }
}

/// A free-text description: up to 2 000 characters (may be empty).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Description(String);
string_value!(Description);

impl Description {
    /// Parses a description; surrounding whitespace is trimmed, line breaks
    /// and tabs are kept.
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let text = clean_text(input, Lines::Many)?;
        if text.chars().count() > 2000 {
            return Err(InvalidValue::new("too_long", "description must be at most 2000 characters"));
        }
        Ok(Self(text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn email_is_trimmed_and_lower_cased() {
        assert_eq!(Email::parse("  Jo@Example.COM\n").map(Email::into_inner), Ok("jo@example.com".into()));
    }

    #[test]
    fn email_refuses_malformed_addresses() {
        for bad in ["", "@", "a@", "@b.c", "a@b", "a b@c.d", "a@b@c.d", "a@.com", "a@b..com"] {
            assert_eq!(Email::parse(bad).map_err(|e| e.code), Err("invalid_email"), "{bad}");
        }
    }

    #[test]
    fn email_is_compared_in_nfc() {
        let composed = Email::parse("ren\u{e9}e@caf\u{e9}.fr").unwrap();
        assert_eq!(Email::parse("rene\u{301}e@cafe\u{301}.fr").unwrap(), composed);
        assert_eq!(Email::parse("RENE\u{301}E@CAF\u{c9}.FR").unwrap(), composed);
        assert_eq!(Email::parse("a\u{0}b@c.de").unwrap_err().code, "invalid_text");
    }

    #[test]
    fn email_hint_masks_the_local_part() {
        assert_eq!(Email::parse("jane@example.com").map(|e| e.hint()), Ok("j•••@example.com".into()));
    }

    #[test]
    fn password_policy_boundaries() {
        assert!(Password::parse("Abcdefg1").is_ok());
        assert!(Password::parse("Abcdef1").is_err());
        assert!(Password::parse(&format!("Ab1{}", "x".repeat(125))).is_ok());
        assert!(Password::parse(&format!("Ab1{}", "x".repeat(126))).is_err());
        assert!(Password::parse("ABCDEFG1").is_err());
        assert!(Password::parse("Abcdefgh").is_err());
    }

    #[test]
    fn password_debug_hides_the_secret() {
        let p = Password::parse("Secret123").ok();
        assert!(!format!("{p:?}").contains("Secret"));
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("  Ada ").map(PersonName::into_inner), Ok("Ada".into()));
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"x".repeat(101)).is_err());
        assert!(OrgName::parse(&"x".repeat(120)).is_ok());
        assert!(OrgName::parse("a\u{0}b").is_err());
    }

    #[test]
    fn timezone_accepts_iana_names_only() {
        assert!(Timezone::parse("America/New_York").is_ok());
        assert!(Timezone::parse("EST5").is_err());
        assert!(Timezone::parse("").is_err());
    }

    proptest! {
        #[test]
        fn parsed_email_is_lower_case_and_reparses_to_itself(local in "[A-Za-z0-9._+-]{1,20}", domain in "[A-Za-z0-9-]{1,20}", tld in "[a-z]{2,6}") {
            let email = Email::parse(&format!(" {local}@{domain}.{tld} ")).unwrap();
            prop_assert_eq!(email.as_str(), email.as_str().to_lowercase());
            prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email.clone());
        }

        #[test]
        fn an_address_and_its_decomposed_form_are_one_email(
            local in "[a-zA-Z\u{c0}-\u{17f}]{1,12}",
            domain in "[a-z\u{e0}-\u{ff}]{1,12}",
        ) {
            use unicode_normalization::UnicodeNormalization;
            let address = format!("{local}@{domain}.org");
            let decomposed: String = address.nfd().collect();
            let parsed = Email::parse(&address);
            prop_assert_eq!(Email::parse(&decomposed), parsed.clone());
            if let Ok(email) = parsed {
                prop_assert!(unicode_normalization::is_nfc(email.as_str()));
                prop_assert_eq!(Email::parse(email.as_str()).unwrap(), email.clone());
            }
        }

        #[test]
        fn control_characters_never_pass_and_line_breaks_only_in_many(s in "\\PC{0,20}[\\x00-\\x1f\\x7f-\\u{9f}]\\PC{0,20}") {
            let one = clean_text(&s, Lines::One);
            prop_assert!(one.is_err() || !one.as_ref().unwrap().chars().any(char::is_control));
            if let Ok(text) = clean_text(&s, Lines::Many) {
                prop_assert!(text.chars().all(|c| !c.is_control() || c == '\n' || c == '\t'));
            }
        }

        #[test]
        fn password_accepted_iff_policy_holds(p in "\\PC{0,140}") {
            let n = p.chars().count();
            let ok = (8..=128).contains(&n)
                && p.chars().any(char::is_uppercase)
                && p.chars().any(char::is_lowercase)
                && p.chars().any(|c| c.is_ascii_digit());
            prop_assert_eq!(Password::parse(&p).is_ok(), ok);
        }

        #[test]
        fn org_name_never_panics_and_is_trimmed(s in "\\PC{0,200}") {
            if let Ok(name) = OrgName::parse(&s) {
                prop_assert_eq!(name.as_str(), name.as_str().trim());
                prop_assert!(!name.as_str().is_empty());
            }
        }
    }
}
