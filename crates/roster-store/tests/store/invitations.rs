//! Store tests for invitations.
