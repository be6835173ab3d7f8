//! The public side of an invitation: what its link shows before joining,
//! and accepting it, signed in or while signing up.

use super::*;

/// What the public preview shows.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The invitation.
    pub invitation: Invitation,
    /// Its status now (a replaced token reads as `revoked`).
    pub status: InvitationStatus,
    /// The organization's name.
    pub org_name: String,
}

/// Who accepts.
#[derive(Debug, Clone)]
pub enum Acceptor {
    /// A signed-in account.
    SignedIn(UserId),
    /// Someone signing up while accepting.
    SignUp {
        /// Required for multi-use links; for single use, must match if given.
        email: Option<Email>,
        /// The new account's password.
        password: Password,
        /// First name; single use defaults to the invitation's.
        first_name: Option<PersonName>,
        /// Last name.
        last_name: Option<PersonName>,
    },
}

/// The outcome of accepting.
#[derive(Debug, Clone)]
pub struct Accepted {
    /// The new membership.
    pub membership: Membership,
    /// The account that joined.
    pub user: User,
    /// Whether the account was created now.
    pub new_account: bool,
    /// The organization joined.
    pub organization: OrganizationView,
}

/// The invitation behind a token, for the public preview and the join page.
pub fn preview(
    store: &(impl OrganizationRepo + InvitationRepo),
    clock: &impl Clock,
    token: &InvitationToken,
) -> Result<Preview, DomainError> {
    let (orgs, invites) = (store, store);
    let (invitation, replaced) = invites.invitation_by_token(&token.hash())?.ok_or(DomainError::InvitationNotFound)?;
    let org = orgs.organization(invitation.org_id)?.ok_or(DomainError::InvitationNotFound)?;
    let status = if replaced { InvitationStatus::Revoked } else { invitation.status_at(clock.now()) };
    Ok(Preview { invitation, status, org_name: org.org.name.into_inner() })
}

/// Accepts an invitation, signed in or while signing up. Every check here is
/// repeated where it matters inside the store's transaction, so concurrent
/// accepts never use a link more than allowed.
pub fn accept(
    store: &(impl OrganizationRepo + AccountRepo + InvitationRepo),
    hasher: &impl PasswordHasher,
    clock: &impl Clock,
    token: &InvitationToken,
    acceptor: Acceptor,
) -> Result<Accepted, DomainError> {
    let (orgs, accounts, invites) = (store, store, store);
    let (inv, replaced) = invites.invitation_by_token(&token.hash())?.ok_or(DomainError::InvitationNotFound)?;
    if replaced {
        return Err(crate::InvitationGone::Revoked.into());
    }
    let now = clock.now();
    inv.redeem(now)?;
    let (user, new_account) = match acceptor {
        Acceptor::SignedIn(user_id) => {
            let user = accounts.user_by_id(user_id)?.ok_or(DomainError::Unauthenticated)?;
            check_email(&inv, &user.email)?;
            let memberships: Vec<_> = accounts.memberships_of(user_id)?.iter().map(NamedMembership::summary).collect();
            check_joinable(inv.org_id, inv.role, &memberships)?;
            (user, None)
        }
        Acceptor::SignUp { email, password, first_name, last_name } => {
            let email = match (&inv.kind, &inv.email, email) {
                (InvitationKind::SingleUse, Some(invited), given) => {
                    if given.is_some_and(|g| g != *invited) {
                        return Err(DomainError::InvitationEmailMismatch);
                    }
                    invited.clone()
                }
                (_, _, Some(given)) => given,
                (_, _, None) => return Err(required("email")),
            };
            let first_name = first_name.or_else(|| inv.first_name.clone()).ok_or_else(|| required("first_name"))?;
            if accounts.user_by_email(&email)?.is_some() {
                // A concurrent accept of this very link may have just made
                // the account: then what became of the link is the answer.
                let (current, _) =
                    invites.invitation_by_token(&token.hash())?.ok_or(DomainError::InvitationNotFound)?;
                current.redeem(now)?;
                return Err(Conflict::EmailTaken.into());
            }
            let password_hash = hasher.hash(&password)?;
            let user = User {
                user_id: UserId::new(),
                email,
                first_name,
                last_name,
                // A single-use invitation's link proves the address.
                email_verified: inv.kind == InvitationKind::SingleUse,
                created_at: now,
            };
            (user.clone(), Some(NewAccountRecord { user, password_hash }))
        }
    };
    let inviter_role = orgs.live_membership(inv.org_id, inv.created_by)?.map(|m| m.role);
    let mut membership = Membership::start(inv.org_id, user.user_id, inv.role, now);
    membership.assigned_to_coach_id = assigned_coach(&inv, inviter_role);
    let events = vec![
        AuditEvent::new(
            inv.org_id,
            user.user_id,
            "invitation.accepted",
            Some(user.user_id),
            json!({"invitation_id": {"old": null, "new": inv.invitation_id}, "kind": {"old": null, "new": inv.kind.as_str()}}),
            now,
        ),
        AuditEvent::new(
            inv.org_id,
            user.user_id,
            "member.added",
            Some(user.user_id),
            json!({
                "role": {"old": null, "new": inv.role.as_str()},
                "assigned_to_coach_id": {"old": null, "new": membership.assigned_to_coach_id},
                "invitation_id": {"old": null, "new": inv.invitation_id},
            }),
            now,
        ),
    ];
    let acceptance = Acceptance {
        invitation_id: inv.invitation_id,
        new_account: new_account.clone(),
        membership,
        extras: inv.extras(),
        events,
        now,
    };
    let membership = invites.accept_invitation(&acceptance)?;
    let organization = orgs.organization(inv.org_id)?.ok_or(DomainError::NotFound("organization"))?;
    Ok(Accepted { membership, user, new_account: new_account.is_some(), organization })
}

fn required(field: &str) -> DomainError {
    DomainError::Validation(vec![FieldError::new(field, "required", format!("{field} is required here"))])
}
