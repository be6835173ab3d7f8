//! `Store::pinned`: one connection per use case, and only for the store that pinned it.

use chrono::Utc;
use roster_domain::UserId;
use roster_domain::entities::User;
use roster_domain::ports::AccountRepo;
use roster_domain::values::{Email, PersonName};
use roster_store::testing::TestDb;

fn user(first: &str) -> User {
    User {
        user_id: UserId::new(),
        email: Email::parse(&format!("{}@example.com", first.to_lowercase())).unwrap(),
        first_name: PersonName::parse(first).unwrap(),
        last_name: None,
        email_verified: false,
        created_at: Utc::now(),
    }
}

#[test]
fn a_store_used_inside_another_stores_pin_reads_its_own_database() {
    let (a, b) = (TestDb::sqlite(), TestDb::sqlite());
    let (store_a, store_b) = (a.store(), b.store());
    let (ada, bo) = (user("Ada"), user("Bo"));
    store_a.insert_user(&ada, "$argon2id$fake").unwrap();
    store_b.insert_user(&bo, "$argon2id$fake").unwrap();
    store_a.pinned(|| {
        // Takes and pins a connection of store_a ...
        assert!(store_a.user_by_id(ada.user_id).unwrap().is_some());
        // ... which store_b must not borrow.
        assert!(store_b.user_by_id(bo.user_id).unwrap().is_some());
        assert!(store_b.user_by_id(ada.user_id).unwrap().is_none());
        // The pinned connection keeps serving store_a.
        assert!(store_a.user_by_id(bo.user_id).unwrap().is_none());
    });
}
