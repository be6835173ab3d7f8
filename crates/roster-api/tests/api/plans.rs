//! API tests for plans.
