//! Sessions, refresh tokens and password resets: secrets only as hashes,
//! conditional rotations and completions, revocations that spare one session.

use crate::fixtures::{PASSWORD_HASH, event, now, user};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use roster_domain::Role;
use roster_domain::entities::Membership;
use roster_domain::ports::OrganizationRepo;
use roster_domain::session::{PasswordReset, PasswordResetRepo, SecretToken, Session, SessionRepo};
use roster_domain::{SessionId, UserId};
use roster_store::Store;
use roster_store::testing::TestDb;

fn session(store: &Store, user_id: UserId, refresh: &str) -> SessionId {
    let t = now();
    let s = Session { session_id: SessionId::new(), user_id, created_at: t, expires_at: t + Duration::days(30) };
    store.insert_session(&s, Some(SecretToken::from_link(refresh).hash())).unwrap();
    s.session_id
}

/// Every text value of the table, to prove a secret is not among them.
fn texts(store: &Store, sql: &str) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Text {
        #[diesel(sql_type = diesel::sql_types::Text)]
        v: String,
    }
    let rows: Vec<Text> = diesel::sql_query(sql).load(&mut *store.conn().unwrap()).unwrap();
    rows.into_iter().map(|t| t.v).collect()
}

#[test]
fn refresh_tokens_are_kept_as_hashes_and_rotate_once() {
    for db in TestDb::all() {
        let store = db.store();
        let u = user(&store);
        let sid = session(&store, u, "first-secret");
        assert!(!texts(&store, "SELECT token_hash AS v FROM refresh_tokens").contains(&"first-secret".to_owned()));
        let (old, new) = (SecretToken::from_link("first-secret").hash(), SecretToken::from_link("second").hash());
        let record = store.refresh_token(&old).unwrap().unwrap();
        assert_eq!((record.session_id, record.user_id, record.rotated, record.session_revoked), (sid, u, false, false));
        let later = now() + Duration::days(30);
        assert!(store.rotate_refresh(sid, &old, &new, now(), later).unwrap());
        assert!(!store.rotate_refresh(sid, &old, &SecretToken::from_link("third").hash(), now(), later).unwrap());
        assert!(store.refresh_token(&old).unwrap().unwrap().rotated);
        assert!(!store.refresh_token(&new).unwrap().unwrap().rotated);
        assert!(store.refresh_token(&SecretToken::from_link("third").hash()).unwrap().is_none());
    }
}

#[test]
fn a_revoked_or_expired_session_takes_no_rotation_and_is_not_live() {
    for db in TestDb::all() {
        let store = db.store();
        let u = user(&store);
        let sid = session(&store, u, "r");
        assert!(store.session_is_live(sid, u).unwrap());
        assert!(!store.session_is_live(sid, UserId::new()).unwrap(), "another account's id never matches");
        store.revoke_session(sid, now()).unwrap();
        assert!(!store.session_is_live(sid, u).unwrap());
        let (old, new) = (SecretToken::from_link("r").hash(), SecretToken::from_link("r2").hash());
        assert!(!store.rotate_refresh(sid, &old, &new, now(), now() + Duration::days(1)).unwrap());
        assert!(store.refresh_token(&new).unwrap().is_none());

        let expired = session(&store, u, "e");
        let past = now() + Duration::days(31);
        let (old, new) = (SecretToken::from_link("e").hash(), SecretToken::from_link("e2").hash());
        assert!(!store.rotate_refresh(expired, &old, &new, past, past + Duration::days(1)).unwrap());
    }
}

#[test]
fn a_password_change_revokes_every_session_but_the_one_kept() {
    for db in TestDb::all() {
        let store = db.store();
        let (u, bystander) = (user(&store), user(&store));
        let (keep, other, theirs) = (session(&store, u, "k"), session(&store, u, "o"), session(&store, bystander, "b"));
        store.set_password(u, "$argon2id$new", Some(keep), now()).unwrap();
        assert_eq!(store.password_hash(u).unwrap().as_deref(), Some("$argon2id$new"));
        assert!(store.session_is_live(keep, u).unwrap());
        assert!(!store.session_is_live(other, u).unwrap());
        assert!(store.session_is_live(theirs, bystander).unwrap());
        assert_eq!(store.revoke_sessions_of(u, None, now()).unwrap(), 1);
        assert!(!store.session_is_live(keep, u).unwrap());
    }
}

fn reset(store: &Store, user_id: Option<UserId>, token: &str, created_at: DateTime<Utc>) {
    let r = PasswordReset {
        token_hash: SecretToken::from_link(token).hash(),
        user_id,
        created_at,
        expires_at: created_at + Duration::minutes(30),
        used_at: None,
    };
    store.insert_reset(&r, None).unwrap();
}

#[test]
fn a_reset_completes_once_before_it_expires_and_uses_up_the_accounts_other_resets() {
    for db in TestDb::all() {
        let store = db.store();
        let u = user(&store);
        let sid = session(&store, u, "s");
        let t = now();
        reset(&store, Some(u), "one", t);
        reset(&store, Some(u), "two", t);
        reset(&store, None, "nobody", t);
        assert!(!texts(&store, "SELECT token_hash AS v FROM password_resets").contains(&"one".to_owned()));
        let one = SecretToken::from_link("one").hash();
        // Past its 30 minutes, by the clock the caller passes.
        assert!(!store.complete_reset(&one, u, "$argon2id$late", t + Duration::minutes(31)).unwrap());
        assert_eq!(store.password_hash(u).unwrap().as_deref(), Some(PASSWORD_HASH));
        assert!(!store.complete_reset(&one, UserId::new(), "$argon2id$x", t).unwrap(), "only for its own account");
        assert!(store.complete_reset(&one, u, "$argon2id$new", t + Duration::minutes(1)).unwrap());
        assert_eq!(store.password_hash(u).unwrap().as_deref(), Some("$argon2id$new"));
        assert!(!store.session_is_live(sid, u).unwrap());
        assert!(store.reset_by_hash(&one).unwrap().unwrap().used_at.is_some());
        let two = SecretToken::from_link("two").hash();
        assert!(store.reset_by_hash(&two).unwrap().unwrap().used_at.is_some());
        assert!(!store.complete_reset(&two, u, "$argon2id$again", t + Duration::minutes(2)).unwrap());
        assert_eq!(store.reset_by_hash(&SecretToken::from_link("nobody").hash()).unwrap().unwrap().user_id, None);
    }
}

#[test]
fn a_reset_request_drops_requests_that_expired_a_day_ago() {
    for db in TestDb::all() {
        let store = db.store();
        let u = user(&store);
        let t = now();
        reset(&store, Some(u), "old", t - Duration::days(3));
        reset(&store, Some(u), "recent", t - Duration::hours(2));
        reset(&store, Some(u), "new", t);
        assert!(store.reset_by_hash(&SecretToken::from_link("old").hash()).unwrap().is_none());
        assert!(store.reset_by_hash(&SecretToken::from_link("recent").hash()).unwrap().is_some());
    }
}

#[test]
fn a_new_session_drops_sessions_dead_for_a_day_with_their_tokens() {
    for db in TestDb::all() {
        let store = db.store();
        let u = user(&store);
        let t = now();
        let started = |refresh: &str, created_at: DateTime<Utc>, expires_at: DateTime<Utc>| {
            let s = Session { session_id: SessionId::new(), user_id: u, created_at, expires_at };
            store.insert_session(&s, Some(SecretToken::from_link(refresh).hash())).unwrap();
            s.session_id
        };
        started("expired", t - Duration::days(40), t - Duration::days(2));
        let revoked_long_ago = started("revoked", t - Duration::days(5), t + Duration::days(20));
        store.revoke_session(revoked_long_ago, t - Duration::days(2)).unwrap();
        let revoked_lately = started("lately", t - Duration::days(5), t + Duration::days(20));
        store.revoke_session(revoked_lately, t - Duration::hours(1)).unwrap();
        let live = started("live", t - Duration::days(5), t + Duration::days(20));
        started("new", t, t + Duration::days(30));
        let found = |refresh: &str| store.refresh_token(&SecretToken::from_link(refresh).hash()).unwrap();
        assert!(found("expired").is_none() && found("revoked").is_none());
        assert!(found("lately").is_some_and(|r| r.session_revoked));
        assert!(found("live").is_some() && store.session_is_live(live, u).unwrap());
    }
}

#[test]
fn a_cookie_session_is_read_with_its_account_and_live_memberships_in_one_lookup() {
    for db in TestDb::all() {
        let store = db.store();
        let u = user(&store);
        let sid = session(&store, u, "cookie-secret");
        let hash = SecretToken::from_link("cookie-secret").hash();
        let found = store.cookie_session(&hash).unwrap().unwrap();
        assert_eq!(found.record, store.refresh_token(&hash).unwrap().unwrap(), "{:?}", db.backend);
        assert_eq!((found.record.session_id, found.user.user_id), (sid, u));
        assert!(found.memberships.is_empty(), "{:?}", db.backend);

        // Memberships oldest first, with their organizations' names; a
        // removed one is left out.
        let (left, _) = crate::plans::org(&store);
        let gone = Membership::start(left, u, Role::Athlete, now() - Duration::days(2));
        store.add_membership(&gone, &event(left, u, "member.added")).unwrap();
        diesel::sql_query(format!("UPDATE memberships SET removed_at = joined_at WHERE org_id = '{left}'"))
            .execute(&mut *store.conn().unwrap())
            .unwrap();
        let (athlete_of, _) = crate::plans::org(&store);
        let m = Membership::start(athlete_of, u, Role::Athlete, now() - Duration::days(1));
        store.add_membership(&m, &event(athlete_of, u, "member.added")).unwrap();
        let headed = crate::invitations::org(&store, u);
        let found = store.cookie_session(&hash).unwrap().unwrap();
        let names: Vec<_> =
            found.memberships.iter().map(|m| (m.membership.org_id, m.membership.role, m.org_name.as_str())).collect();
        assert_eq!(
            names,
            [(athlete_of, Role::Athlete, "Riverside"), (headed, Role::HeadCoach, "Riverside Runners")],
            "{:?}",
            db.backend
        );

        store.revoke_session(sid, now()).unwrap();
        assert!(store.cookie_session(&hash).unwrap().unwrap().record.session_revoked);
        assert!(store.cookie_session(&SecretToken::from_link("unknown").hash()).unwrap().is_none());
    }
}
