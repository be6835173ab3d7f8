//! Store tests for members.
