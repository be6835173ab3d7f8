//! Members from a CSV file: each row matched on e-mail, then created (an
//! account added, or an invitation sent), updated or left unchanged through
//! the same use cases a single request runs (`members::add`,
//! `members::update`, `members::assign_coach`, `groups::add_member`,
//! `invitations::create`), so their rules and audit events apply as they are.
//!
//! Each row runs in a savepoint of one transaction: a refused row leaves no
//! trace; the whole import is kept only when it is a real run and every row
//! passed (or `skip_invalid`), and a dry run is rolled back, outbox included.

mod create;
pub mod row;
mod scopes;

use super::groups as group_svc;
use super::members::{self, MemberPatch};
use super::roster_export::{RosterLookups, RosterStore, all_groups};
use crate::clock::Clock;
use crate::context::Context;
use crate::entities::{AuditEvent, User};
use crate::error::{Conflict, DomainError, FieldError};
use crate::ids::{GroupId, ImportId, InvitationId, OrgId, UserId};
use crate::invitation::InvitationLinks;
use crate::invitation::ports::InvitationRepo;
use crate::member::MemberView;
use crate::policy::{Action, Actor, Target, authorize};
use crate::ports::{AccountRepo, UnitOfWork};
use crate::roster_csv::import::{
    ImportMode, ImportRepo, ImportReport, ImportRequest, ImportRow, ImportTotals, RowError, RowOutcome, RowReport,
    StoredImport,
};
use crate::values::Email;
use row::RowInput;
use serde_json::json;
use std::collections::{BTreeSet, HashMap};

/// Everything an import reads and writes.
pub trait ImportStore: RosterStore + AccountRepo + InvitationRepo + ImportRepo + UnitOfWork {}
impl<T: RosterStore + AccountRepo + InvitationRepo + ImportRepo + UnitOfWork> ImportStore for T {}

/// A row that passed: what it did and to whom.
struct Applied {
    outcome: RowOutcome,
    user_id: Option<UserId>,
    invitation_id: Option<InvitationId>,
}

impl Applied {
    fn member(outcome: RowOutcome, user_id: UserId) -> Self {
        Self { outcome, user_id: Some(user_id), invitation_id: None }
    }
}

fn field(column: &str, code: &str, message: impl Into<String>) -> DomainError {
    DomainError::Validation(vec![FieldError::new(column, code, message)])
}

struct Importer<'a, S, T, C> {
    store: &'a S,
    tokens: &'a T,
    clock: &'a C,
    actor: Actor,
    org_id: OrgId,
    public_base_url: &'a str,
    lookups: RosterLookups,
    /// The groups each member is in now.
    member_groups: HashMap<UserId, BTreeSet<GroupId>>,
    /// The accounts the file's e-mails name, read once.
    accounts: HashMap<Email, User>,
    /// Those accounts' live memberships here, read once.
    members: HashMap<UserId, MemberView>,
    /// Nothing is kept.
    dry_run: bool,
}

/// Runs an import (coaches, or an API key with `members:write` and what the
/// file's rows take besides: see `scopes`). A repeat of a committed
/// import's `Idempotency-Key` (by the same account or key) answers its
/// report again; the key with another file or other options is
/// `idempotency_key_reused`.
pub fn import(
    cx: &Context<'_, impl ImportStore>,
    tokens: &impl InvitationLinks,
    org_id: OrgId,
    request: ImportRequest,
    public_base_url: &str,
) -> Result<ImportReport, DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    let actor = Actor::resolve(store, org_id, caller)?;
    authorize(&actor, Action::ImportRoster, Target::Organization)?;
    row::check_columns(&request.table.columns)?;
    scopes::groups(&actor, &request)?;
    let key = request.idempotency_key.clone().filter(|_| !request.dry_run);
    let actor_id = actor.user_id();
    if let Some(key) = key.as_deref()
        && let Some(done) = store.import_by_key(org_id, actor_id, key)?
    {
        return kept_report(done, &request);
    }
    let (accounts, members) = read_accounts(store, org_id, &request)?;
    scopes::invitations(&actor, &request, &accounts)?;
    let mut member_groups: HashMap<UserId, BTreeSet<GroupId>> = HashMap::new();
    for view in all_groups(store, org_id)? {
        for m in store.group_members(org_id, view.group.group_id)? {
            member_groups.entry(m.user_id).or_default().insert(view.group.group_id);
        }
    }
    let importer = Importer {
        store,
        tokens,
        clock,
        actor,
        org_id,
        public_base_url,
        lookups: RosterLookups::load(store, org_id)?,
        member_groups,
        accounts,
        members,
        dry_run: request.dry_run,
    };
    let outcome = store.atomically(|| {
        let mut totals = ImportTotals::default();
        let mut rows = Vec::with_capacity(request.table.rows.len());
        let mut seen = HashMap::new();
        for row in &request.table.rows {
            let report = importer.row(&request.table.columns, row, request.mode, &mut seen)?;
            totals.count(report.outcome);
            rows.push(report);
        }
        let keep = !request.dry_run && (totals.error == 0 || request.skip_invalid);
        let mut report = ImportReport {
            import_id: None,
            mode: request.mode,
            dry_run: request.dry_run,
            committed: keep,
            totals,
            rows,
        };
        if keep {
            importer.save(&mut report, &request)?;
        }
        Ok((report, keep))
    });
    // The same key sent twice at once: the one that lost ran its rows
    // against the winner's (and failed, or met its key on saving). It
    // answers the kept import, as a repeat after the fact does.
    let lost = match &outcome {
        Ok(report) => !report.committed && !request.dry_run,
        Err(DomainError::Validation(errors)) => errors.iter().any(|e| e.code == "idempotency_key_reused"),
        Err(_) => false,
    };
    if lost
        && let Some(key) = key.as_deref()
        && let Some(done) = store.import_by_key(org_id, actor_id, key)?
    {
        return kept_report(done, &request);
    }
    outcome
}

/// The report of the import kept under the request's key, or
/// `idempotency_key_reused` when that import had another file or options.
fn kept_report(done: StoredImport, request: &ImportRequest) -> Result<ImportReport, DomainError> {
    if done.fingerprint == request.fingerprint {
        return Ok(done.report);
    }
    Err(field(
        "Idempotency-Key",
        "idempotency_key_reused",
        "this Idempotency-Key was used for another file or other options",
    ))
}

/// The accounts the file's e-mails name, and their memberships here: two
/// queries for the whole file instead of two a row. A row whose e-mail does
/// not parse is refused later, with its cell's error.
#[allow(clippy::type_complexity)]
fn read_accounts(
    store: &impl ImportStore,
    org_id: OrgId,
    request: &ImportRequest,
) -> Result<(HashMap<Email, User>, HashMap<UserId, MemberView>), DomainError> {
    let columns = &request.table.columns;
    let Some(at) = columns.iter().position(|c| c == "email") else { return Ok(Default::default()) };
    let emails: Vec<Email> =
        request.table.rows.iter().filter_map(|r| r.cells.get(at)).filter_map(|c| Email::parse(c.trim()).ok()).collect();
    let accounts: HashMap<Email, User> =
        store.users_by_emails(&emails)?.into_iter().map(|u| (u.email.clone(), u)).collect();
    let ids: Vec<UserId> = accounts.values().map(|u| u.user_id).collect();
    let members = store.members(org_id, &ids)?.into_iter().map(|v| (v.membership.user_id, v)).collect();
    Ok((accounts, members))
}

/// A committed import's report (coaches, or a key with `members:write`),
/// for its download.
pub fn stored_report(
    cx: &Context<'_, impl ImportRepo + crate::ports::OrganizationRepo>,
    org_id: OrgId,
    import_id: ImportId,
) -> Result<ImportReport, DomainError> {
    let (store, caller) = (cx.store, cx.caller.clone());
    authorize(&Actor::resolve(store, org_id, caller)?, Action::ImportRoster, Target::Organization)?;
    Ok(store.stored_import(org_id, import_id)?.ok_or(DomainError::NotFound("import"))?.report)
}

/// A row decided without the use cases' reads (see `Importer::shortcut`).
enum Shortcut {
    /// The member stays exactly as they are.
    Unchanged(UserId),
    /// Only the member's own attributes change: one use case, one write
    /// (none in a dry run, whose answer is `update` whatever it would write).
    AttributesOnly(UserId),
}

/// The attributes a row sets (its empty cells leave them as they are).
fn patch(input: &RowInput) -> MemberPatch {
    MemberPatch {
        display_name: input.display_name.clone().map(Some),
        member_level: input.member_level.clone().map(Some),
        labels: input.labels.clone(),
        private_notes: input.private_notes.clone().map(Some),
        status: input.status,
    }
}

impl<S: ImportStore, T: InvitationLinks, C: Clock> Importer<'_, S, T, C> {
    fn row(
        &self,
        columns: &[String],
        row: &ImportRow,
        mode: ImportMode,
        seen: &mut HashMap<Email, u64>,
    ) -> Result<RowReport, DomainError> {
        let email_cell = columns.iter().position(|c| c == "email").and_then(|i| row.cells.get(i));
        let mut report = RowReport {
            line: row.line,
            email: email_cell.map(|e| e.trim().to_owned()).unwrap_or_default(),
            outcome: RowOutcome::Error,
            user_id: None,
            invitation_id: None,
            errors: Vec::new(),
        };
        let (email, input) = match row::parse(columns, row) {
            Ok(parsed) => parsed,
            Err(errors) => {
                report.errors = errors;
                return Ok(report);
            }
        };
        if let Some(first) = seen.get(&email) {
            let message = format!("the e-mail is also on line {first}; each member is on one line");
            report.errors = vec![RowError::new(Some("email"), "duplicate_email", message)];
            return Ok(report);
        }
        seen.insert(email.clone(), row.line);
        let applied = match self.shortcut(&email, &input, mode) {
            Some(Shortcut::Unchanged(user_id)) => Ok(Applied::member(RowOutcome::Unchanged, user_id)),
            // A dry run keeps nothing: the answer is known without writing.
            Some(Shortcut::AttributesOnly(user_id)) if self.dry_run => Ok(Applied::member(RowOutcome::Update, user_id)),
            // One use case writes, in its own transaction: no savepoint around it.
            Some(Shortcut::AttributesOnly(_)) => match self.apply(&email, &input, mode) {
                Ok(applied) => Ok(applied),
                Err(e) if e.is_outage() => return Err(e),
                Err(e) => Err(RowError::from_domain(&e)),
            },
            None => self.store.atomically(|| match self.apply(&email, &input, mode) {
                Ok(applied) => Ok((Ok(applied), true)),
                Err(e) if e.is_outage() => Err(e),
                Err(e) => Ok((Err(RowError::from_domain(&e)), false)),
            })?,
        };
        match applied {
            Ok(applied) => {
                report.outcome = applied.outcome;
                report.user_id = applied.user_id;
                report.invitation_id = applied.invitation_id;
            }
            Err(errors) => report.errors = errors,
        }
        Ok(report)
    }

    /// For a member whom the caller may edit and whose coach and groups the
    /// row leaves as they are, decided on what was read up front and without
    /// a query: `Unchanged` when the attributes stay too, else
    /// `AttributesOnly`. `None` sends the row through the use cases in a
    /// savepoint (they also give any refusal its error).
    fn shortcut(&self, email: &Email, input: &RowInput, mode: ImportMode) -> Option<Shortcut> {
        if matches!(mode, ImportMode::CreateOnly) {
            return None;
        }
        let view = self.members.get(&self.accounts.get(email)?.user_id)?;
        let m = &view.membership;
        let coach = match &input.coach_email {
            Some(e) => Some(self.lookups.coach(e.as_str())?),
            None => None,
        };
        let groups = match &input.groups {
            Some(names) => Some(names.iter().map(|n| self.lookups.group(n)).collect::<Option<BTreeSet<_>>>()?),
            None => None,
        };
        authorize(&self.actor, Action::UpdateMember, Target::Member(m)).ok()?;
        let no_groups = BTreeSet::new();
        let groups_now = self.member_groups.get(&m.user_id).unwrap_or(&no_groups);
        let same_coach_and_groups =
            coach.is_none_or(|c| m.assigned_to_coach_id == Some(c)) && groups.is_none_or(|g| &g == groups_now);
        if !same_coach_and_groups {
            return None;
        }
        Some(if members::apply_patch(&mut m.clone(), patch(input)).is_empty() {
            Shortcut::Unchanged(m.user_id)
        } else {
            Shortcut::AttributesOnly(m.user_id)
        })
    }

    fn apply(&self, email: &Email, input: &RowInput, mode: ImportMode) -> Result<Applied, DomainError> {
        let coach = match &input.coach_email {
            Some(e) => Some(self.lookups.coach(e.as_str()).ok_or_else(|| {
                field("assigned_coach_email", "not_a_coach", "no coach of the organization has this e-mail")
            })?),
            None => None,
        };
        let groups = match &input.groups {
            Some(names) => Some(
                names
                    .iter()
                    .map(|name| {
                        self.lookups.group(name).ok_or_else(|| {
                            field("groups", "unknown_group", format!("the organization has no group `{name}`"))
                        })
                    })
                    .collect::<Result<BTreeSet<_>, _>>()?,
            ),
            None => None,
        };
        let account = self.accounts.get(email).cloned();
        let member = account.as_ref().and_then(|user| self.members.get(&user.user_id)).cloned();
        match (member, account, mode) {
            (Some(_), _, ImportMode::CreateOnly) => Err(Conflict::AlreadyMember.into()),
            (Some(view), _, _) => self.update(view, input, coach, groups),
            (None, _, ImportMode::UpdateOnly) => Err(field("email", "not_a_member", "no member has this e-mail")),
            (None, Some(user), _) => self.add(user, input, coach, groups),
            (None, None, _) => self.invite(email, input, groups),
        }
    }

    fn update(
        &self,
        view: MemberView,
        input: &RowInput,
        coach: Option<UserId>,
        groups: Option<BTreeSet<GroupId>>,
    ) -> Result<Applied, DomainError> {
        let user_id = view.membership.user_id;
        let (store, clock, caller, org_id) = (self.store, self.clock, self.actor.caller(), self.org_id);
        // The member as read up front; if someone changed them since, read again.
        let make = |_: &crate::entities::Membership| Ok(patch(input));
        let mut changed = members::update_read_earlier(&self.actor, store, clock, view.clone(), make)?;
        if let Some(coach) = coach
            && view.membership.assigned_to_coach_id != Some(coach)
        {
            members::assign_coach(
                &Context::new(store, caller.clone()).with_clock(clock),
                org_id,
                user_id,
                Some(coach),
            )?;
            changed = true;
        }
        if let Some(wanted) = groups {
            changed |= self.set_groups(user_id, &wanted)?;
        }
        Ok(Applied::member(if changed { RowOutcome::Update } else { RowOutcome::Unchanged }, user_id))
    }

    /// Puts the member in exactly `wanted`; whether anything changed.
    fn set_groups(&self, user_id: UserId, wanted: &BTreeSet<GroupId>) -> Result<bool, DomainError> {
        let (store, clock, caller, org_id) = (self.store, self.clock, self.actor.caller(), self.org_id);
        let now = self.member_groups.get(&user_id).cloned().unwrap_or_default();
        for &group in wanted.difference(&now) {
            group_svc::add_member(&Context::new(store, caller.clone()).with_clock(clock), org_id, group, user_id)?;
        }
        for &group in now.difference(wanted) {
            group_svc::remove_member(&Context::new(store, caller.clone()).with_clock(clock), org_id, group, user_id)?;
        }
        Ok(wanted != &now)
    }

    fn save(&self, report: &mut ImportReport, request: &ImportRequest) -> Result<(), DomainError> {
        let import_id = ImportId::new();
        report.import_id = Some(import_id);
        let now = self.clock.now();
        let event = AuditEvent::new(
            self.org_id,
            self.actor.user_id(),
            "members.imported",
            None,
            json!({"import_id": import_id, "mode": report.mode, "skip_invalid": request.skip_invalid,
                   "totals": report.totals}),
            now,
        );
        let stored = StoredImport {
            import_id,
            org_id: self.org_id,
            actor_user_id: self.actor.user_id(),
            idempotency_key: request.idempotency_key.clone(),
            fingerprint: request.fingerprint.clone(),
            report: report.clone(),
            created_at: now,
        };
        self.store.save_import(&stored, &event)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
