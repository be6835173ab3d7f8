//! Store tests for plans.
