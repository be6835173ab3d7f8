//! Store tests for groups.
