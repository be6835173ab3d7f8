//! Invitations, their atomic acceptance, and the mail outbox.
