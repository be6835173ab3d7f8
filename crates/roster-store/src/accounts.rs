//! `AccountRepo` over the store.

use crate::Store;
use crate::rows::{MembershipRow, UserRow};
use crate::schema::{memberships, organizations, users};
use diesel::prelude::*;
use roster_domain::entities::{NamedMembership, User, UserCredentials};
use roster_domain::ports::AccountRepo;
use roster_domain::values::Email;
use roster_domain::{RepoError, UserId};

impl AccountRepo for Store {
    fn insert_user(&self, user: &User, password_hash: &str) -> Result<(), RepoError> {
        self.tx(|conn| {
            diesel::insert_into(users::table).values(UserRow::new(user, password_hash)).execute(conn)?;
            Ok(())
        })
    }

    fn user_by_email(&self, email: &Email) -> Result<Option<UserCredentials>, RepoError> {
        self.with(|conn| {
            let row: Option<UserRow> = users::table
                .filter(users::email.eq(email.as_str()))
                .select(UserRow::as_select())
                .first(conn)
                .optional()?;
            row.map(|r| {
                let password_hash = r.password_hash.clone();
                Ok(UserCredentials { user: r.into_user()?, password_hash })
            })
            .transpose()
        })
    }

    fn users_by_emails(&self, emails: &[Email]) -> Result<Vec<User>, RepoError> {
        // Bounded batches keep each statement under SQLite's bind limit.
        const BATCH: usize = 500;
        self.with(|conn| {
            let mut found = Vec::with_capacity(emails.len());
            for batch in emails.chunks(BATCH) {
                let wanted: Vec<&str> = batch.iter().map(Email::as_str).collect();
                let rows: Vec<UserRow> =
                    users::table.filter(users::email.eq_any(&wanted)).select(UserRow::as_select()).load(conn)?;
                for row in rows {
                    found.push(row.into_user()?);
                }
            }
            Ok(found)
        })
    }

    fn user_by_id(&self, user_id: UserId) -> Result<Option<User>, RepoError> {
        self.with(|conn| {
            let row: Option<UserRow> =
                users::table.find(user_id.to_string()).select(UserRow::as_select()).first(conn).optional()?;
            row.map(UserRow::into_user).transpose()
        })
    }

    fn memberships_of(&self, user_id: UserId) -> Result<Vec<NamedMembership>, RepoError> {
        self.with(|conn| {
            let rows: Vec<(MembershipRow, String)> = memberships::table
                .inner_join(organizations::table)
                .filter(memberships::user_id.eq(user_id.to_string()))
                .filter(memberships::removed_at.is_null())
                .order(memberships::joined_at.asc())
                .select((MembershipRow::as_select(), organizations::name))
                .load(conn)?;
            rows.into_iter()
                .map(|(row, org_name)| Ok(NamedMembership { membership: row.into_membership()?, org_name }))
                .collect()
        })
    }
}
