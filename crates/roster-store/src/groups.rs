//! Groups and group memberships.
