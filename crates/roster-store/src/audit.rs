//! `AuditRepo` over the store.

use crate::Store;
use crate::rows::AuditEventRow;
use crate::schema::audit_events;
use diesel::prelude::*;
use roster_domain::entities::{AuditEvent, AuditFilter};
use roster_domain::ports::AuditRepo;
use roster_domain::{OrgId, RepoError};

impl AuditRepo for Store {
    fn record_event(&self, event: &AuditEvent) -> Result<(), RepoError> {
        self.tx(|conn| crate::rows::insert_event(conn, event))
    }

    fn audit_events(&self, org_id: OrgId, filter: &AuditFilter) -> Result<Vec<AuditEvent>, RepoError> {
        self.with(|conn| {
            let mut query = audit_events::table
                .filter(audit_events::org_id.eq(org_id.to_string()))
                .select(AuditEventRow::as_select())
                .order(audit_events::event_id.desc())
                .limit(i64::from(filter.limit) + 1)
                .into_boxed();
            if let Some(actor) = filter.actor_id {
                query = query.filter(audit_events::actor_user_id.eq(actor.to_string()));
            }
            if let Some(subject) = filter.subject_user_id {
                query = query.filter(audit_events::subject_user_id.eq(subject.to_string()));
            }
            if let Some(action) = &filter.action {
                query = query.filter(audit_events::action.eq(action.clone()));
            }
            if let Some(before) = filter.before {
                query = query.filter(audit_events::event_id.lt(before.to_string()));
            }
            query.load::<AuditEventRow>(conn)?.into_iter().map(AuditEventRow::into_event).collect()
        })
    }
}
