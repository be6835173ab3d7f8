//! What a file asks of an API key besides `members:write`.
//!
//! A coach's role covers every row; a key's scopes are separate from one
//! another, so a row takes what its own route would: naming a group (a
//! non-empty `groups` cell) `groups:write`, inviting an e-mail without an
//! account `invitations:write`. The whole import is refused up front
//! (`insufficient_scope`, naming the scope), dry run or not, before anything
//! is written: a file is all or nothing, and an import that half ran because
//! of the key's scopes would be a surprise no row's error explains.

use super::row;
use crate::entities::User;
use crate::error::DomainError;
use crate::policy::{Action, Actor, Target, authorize};
use crate::role::Role;
use crate::roster_csv::import::{ImportMode, ImportRequest};
use crate::values::Email;
use row::RowInput;
use std::collections::HashMap;

/// The rows that read (their cells' errors are the row's own answer).
fn parsed(request: &ImportRequest) -> impl Iterator<Item = (Email, RowInput)> + '_ {
    request.table.rows.iter().filter_map(|r| row::parse(&request.table.columns, r).ok())
}

/// A key's file that names a group needs `groups:write`: decided on the file
/// alone, before anything is read.
pub(super) fn groups(actor: &Actor, request: &ImportRequest) -> Result<(), DomainError> {
    if actor.is_api_key() && parsed(request).any(|(_, input)| input.groups.is_some()) {
        authorize(actor, Action::ManageGroupMembers, Target::Organization)?;
    }
    Ok(())
}

/// A key's file with an e-mail that has no account (outside `update_only`)
/// invites it, and needs `invitations:write`: decided on the accounts read
/// up front, before anything is written.
pub(super) fn invitations(
    actor: &Actor,
    request: &ImportRequest,
    accounts: &HashMap<Email, User>,
) -> Result<(), DomainError> {
    if actor.is_api_key()
        && request.mode != ImportMode::UpdateOnly
        && parsed(request).any(|(email, _)| !accounts.contains_key(&email))
    {
        authorize(actor, Action::CreateInvitation, Target::Invitation(Role::Athlete))?;
    }
    Ok(())
}
