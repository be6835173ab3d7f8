//! API tests for what the server accepts as input and how it answers
//! outside the happy path: text values, query strings, tokens of accounts
//! that are gone, e-mail normalization, who learns what about whom, and the
//! HTTP conventions (405, 429, 414, redirects), on both backends.

mod access;
mod contract;
mod query;
mod text;
mod tokens;
