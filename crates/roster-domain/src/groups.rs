//! Groups of members inside an organization.
