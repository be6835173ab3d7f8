//! API tests for groups.
