//! The roster as CSV: who may download it, the names it shows for coaches
//! and groups, and each member's row. The HTTP layer streams the pages.

use super::members::{self, MemberAccess};
use crate::context::Context;
use crate::error::DomainError;
use crate::groups::{GroupRepo, GroupView};
use crate::ids::{GroupId, OrgId, UserId};
use crate::member::{MemberRepo, MemberView, RosterPage, RosterQuery};
use crate::policy::{Action, Actor, Target, authorize};
use crate::ports::OrganizationRepo;
use crate::roster_csv::file::write_rows;
use crate::roster_csv::{COLUMNS, join_list, neutralise};
use std::collections::HashMap;

/// What the export and the import read: the roster, coaches and groups.
pub trait RosterStore: OrganizationRepo + MemberRepo + GroupRepo {}
impl<T: OrganizationRepo + MemberRepo + GroupRepo> RosterStore for T {}

/// The organization's coaches and groups by id and by name, read once per
/// export or import.
#[derive(Debug, Clone, Default)]
pub struct RosterLookups {
    coach_emails: HashMap<UserId, String>,
    coaches_by_email: HashMap<String, UserId>,
    group_names: HashMap<GroupId, String>,
    groups_by_name: HashMap<String, GroupId>,
}

/// Every group of the organization (the groups port pages them).
pub fn all_groups(groups: &impl GroupRepo, org_id: OrgId) -> Result<Vec<GroupView>, DomainError> {
    const PAGE: u32 = 200;
    let mut all = Vec::new();
    let mut after = None;
    loop {
        let mut page = groups.groups(org_id, after, PAGE)?;
        let more = page.len() > PAGE as usize;
        page.truncate(PAGE as usize);
        after = page.last().map(|g| g.group.group_id);
        all.extend(page);
        if !more {
            return Ok(all);
        }
    }
}

impl RosterLookups {
    /// Reads the coaches and groups of `org_id`.
    pub fn load(store: &impl RosterStore, org_id: OrgId) -> Result<Self, DomainError> {
        let mut lookups = Self::default();
        for coach in store.coaches(org_id)? {
            lookups.coaches_by_email.insert(coach.email.to_lowercase(), coach.user_id);
            lookups.coach_emails.insert(coach.user_id, coach.email);
        }
        for view in all_groups(store, org_id)? {
            let (id, name) = (view.group.group_id, view.group.name.as_str().to_owned());
            lookups.groups_by_name.insert(name.to_lowercase(), id);
            lookups.group_names.insert(id, name);
        }
        Ok(lookups)
    }

    /// The coach with this (normalised) e-mail.
    pub fn coach(&self, email: &str) -> Option<UserId> {
        self.coaches_by_email.get(email).copied()
    }

    /// The group with this name, ignoring case.
    pub fn group(&self, name: &str) -> Option<GroupId> {
        self.groups_by_name.get(&name.to_lowercase()).copied()
    }

    /// One member's row, cells neutralised (see [`crate::roster_csv`]);
    /// without `private_notes` unless `with_notes`.
    pub fn row(&self, view: &MemberView, group_ids: &[GroupId], with_notes: bool) -> Vec<String> {
        let m = &view.membership;
        let text = |v: Option<&str>| v.unwrap_or_default().to_owned();
        let mut groups: Vec<&str> =
            group_ids.iter().filter_map(|g| self.group_names.get(g)).map(String::as_str).collect();
        groups.sort_by_key(|name| name.to_lowercase());
        let mut cells = vec![
            view.email.clone(),
            view.first_name.clone(),
            text(view.last_name.as_deref()),
            text(m.display_name.as_ref().map(|d| d.as_str())),
            text(m.member_level.as_ref().map(|l| l.as_str())),
            join_list(m.labels.as_slice().iter().map(|l| l.as_str())),
            m.status.as_str().to_owned(),
            text(m.assigned_to_coach_id.and_then(|c| self.coach_emails.get(&c)).map(String::as_str)),
            join_list(groups),
            m.joined_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ];
        if with_notes {
            cells.push(text(m.private_notes.as_ref().map(|n| n.as_str())));
        }
        cells.iter().map(|c| neutralise(c)).collect()
    }
}

/// The export's header (coaches see `private_notes`).
pub fn header(with_notes: bool) -> &'static [&'static str] {
    if with_notes { &COLUMNS } else { &COLUMNS[..COLUMNS.len() - 1] }
}

/// One page of the export as CSV rows (no header): what the API and the
/// console stream. Takes the page's group ids as it goes.
pub fn page_csv(lookups: &RosterLookups, with_notes: bool, page: &mut RosterPage) -> std::io::Result<Vec<u8>> {
    let rows = page.members.iter().map(|view| {
        let groups = page.group_ids.remove(&view.membership.user_id).unwrap_or_default();
        lookups.row(view, &groups, with_notes)
    });
    write_rows(rows)
}

/// Starts an export (coaches, an API key with `members:read`): the lookups
/// its rows need, and whether the caller sees private notes (a key does, as
/// it reads members as a coach does).
pub fn start(cx: &Context<'_, impl RosterStore>, org_id: OrgId) -> Result<(RosterLookups, bool), DomainError> {
    let (store, caller) = (cx.store, cx.caller.clone());
    let actor = Actor::resolve(store, org_id, caller)?;
    authorize(&actor, Action::ExportRoster, Target::Organization)?;
    Ok((RosterLookups::load(store, org_id)?, MemberAccess::of(&actor) == MemberAccess::Coach))
}

/// One page of the export: the roster list's page, with its filters and its
/// rules (an assistant coach filters by no coach but themselves).
pub fn page(cx: &Context<'_, impl RosterStore>, org_id: OrgId, query: RosterQuery) -> Result<RosterPage, DomainError> {
    let (store, clock, caller) = (cx.store, &cx.clock, cx.caller.clone());
    authorize(&Actor::resolve(store, org_id, caller.clone())?, Action::ExportRoster, Target::Organization)?;
    members::list(&Context::new(store, caller).with_clock(clock), org_id, query)
}
