//! Organization-only member attributes: display name, member level, labels, private notes (the roster issue).
