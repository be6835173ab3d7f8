//! API tests for members.
