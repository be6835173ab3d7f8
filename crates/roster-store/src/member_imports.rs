//! Committed CSV imports (`ImportRepo`) and the transaction an import runs
//! its rows in (`UnitOfWork`).

use crate::error::{StoreError, parse};
use crate::rows::{from_db, insert_event, to_db};
use crate::schema::member_imports;
use crate::{DbConn, Store};
use diesel::connection::{Connection, TransactionManager};
use diesel::prelude::*;
use roster_domain::entities::AuditEvent;
use roster_domain::ports::UnitOfWork;
use roster_domain::roster_csv::import::{ImportRepo, StoredImport};
use roster_domain::{DomainError, FieldError, ImportId, OrgId, RepoError, UserId};

type Transactions = <DbConn as Connection>::TransactionManager;

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = member_imports)]
struct ImportRow {
    import_id: String,
    org_id: String,
    actor_user_id: String,
    idempotency_key: Option<String>,
    fingerprint: String,
    report: String,
    created_at: chrono::NaiveDateTime,
}

impl ImportRow {
    fn new(import: &StoredImport) -> Result<Self, StoreError> {
        Ok(Self {
            import_id: import.import_id.to_string(),
            org_id: import.org_id.to_string(),
            actor_user_id: import.actor_user_id.to_string(),
            idempotency_key: import.idempotency_key.clone(),
            fingerprint: import.fingerprint.clone(),
            report: serde_json::to_string(&import.report).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            created_at: to_db(import.created_at),
        })
    }

    fn into_import(self) -> Result<StoredImport, StoreError> {
        Ok(StoredImport {
            import_id: parse("member_imports.import_id", self.import_id.parse())?,
            org_id: parse("member_imports.org_id", self.org_id.parse())?,
            actor_user_id: parse("member_imports.actor_user_id", self.actor_user_id.parse())?,
            idempotency_key: self.idempotency_key,
            fingerprint: self.fingerprint,
            report: parse("member_imports.report", serde_json::from_str(&self.report))?,
            created_at: from_db(self.created_at),
        })
    }
}

fn key_reused() -> StoreError {
    DomainError::Validation(vec![FieldError::new(
        "Idempotency-Key",
        "idempotency_key_reused",
        "another import with this Idempotency-Key ran meanwhile",
    )])
    .into()
}

impl ImportRepo for Store {
    fn import_by_key(&self, org_id: OrgId, actor: UserId, key: &str) -> Result<Option<StoredImport>, RepoError> {
        self.with(|conn| {
            member_imports::table
                .filter(member_imports::org_id.eq(org_id.to_string()))
                .filter(member_imports::actor_user_id.eq(actor.to_string()))
                .filter(member_imports::idempotency_key.eq(key))
                .select(ImportRow::as_select())
                .first::<ImportRow>(conn)
                .optional()?
                .map(ImportRow::into_import)
                .transpose()
        })
    }

    fn stored_import(&self, org_id: OrgId, import_id: ImportId) -> Result<Option<StoredImport>, RepoError> {
        self.with(|conn| {
            member_imports::table
                .filter(member_imports::org_id.eq(org_id.to_string()))
                .filter(member_imports::import_id.eq(import_id.to_string()))
                .select(ImportRow::as_select())
                .first::<ImportRow>(conn)
                .optional()?
                .map(ImportRow::into_import)
                .transpose()
        })
    }

    fn save_import(&self, import: &StoredImport, event: &AuditEvent) -> Result<(), RepoError> {
        let row = ImportRow::new(import)?;
        self.tx(|conn| {
            match diesel::insert_into(member_imports::table).values(&row).execute(conn) {
                Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
                    return Err(key_reused());
                }
                other => other?,
            };
            insert_event(conn, event)
        })
    }
}

impl UnitOfWork for Store {
    fn atomically<T>(&self, f: impl FnOnce() -> Result<(T, bool), DomainError>) -> Result<T, DomainError> {
        // Every repository call inside `f` runs on the pinned connection, so
        // their own transactions nest in this one as savepoints.
        self.pinned(|| {
            self.with(|conn| {
                let outermost = Transactions::transaction_manager_status_mut(conn).transaction_depth()?.is_none();
                Transactions::begin_transaction(conn)?;
                if outermost {
                    crate::dialect::take_write_lock(conn)?;
                }
                Ok(())
            })?;
            let out = f();
            let end = match &out {
                Ok((_, true)) => self.with(|conn| Ok(Transactions::commit_transaction(conn)?)),
                _ => self.with(|conn| Ok(Transactions::rollback_transaction(conn)?)),
            };
            let (value, _) = out?;
            end?;
            Ok(value)
        })
    }
}
