//! Invitation use cases: create, list, resend, revoke, preview, accept.
