//! Training plans and plan assignments.
