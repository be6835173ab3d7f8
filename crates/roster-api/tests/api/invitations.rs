//! API tests for invitations.
