//! Store tests for athlete.
