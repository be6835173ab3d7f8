//! API tests for athlete.
