//! Group use cases.
