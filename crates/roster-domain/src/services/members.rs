//! Roster use cases: add, list, read, update, assign a coach, remove.
