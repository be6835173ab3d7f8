//! Invitations: single-use e-mail invitations and multi-use links, and the rules for redeeming them.
