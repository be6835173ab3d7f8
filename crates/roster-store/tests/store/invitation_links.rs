//! What the store keeps of an invitation's token: its hash and the nonce it
//! was derived from, never the token; the current one is read back to show
//! the link again.

use crate::fixtures::{event, now, stored_user};
use crate::invitations::{link, links, mail, minted, org, single};
use diesel::prelude::*;
use roster_domain::InvitationId;
use roster_domain::invitation::{InvitationRepo, StoredToken};
use roster_store::testing::TestDb;

#[test]
fn the_nonce_is_kept_beside_the_hash_and_the_current_token_is_read_back() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Jo", None, Some("head@example.com"));
        let org_id = org(&store, head.user_id);
        let (multi, multi_token) = link(&store, org_id, head.user_id, None);
        let stored = store.current_token(org_id, multi.invitation_id).unwrap().expect("a current token");
        assert_eq!(stored.hash, multi_token.hash(), "{:?}", db.backend);
        assert_eq!(stored.recover(&links()), Some(multi_token.clone()), "the nonce read back derives the token");

        let (mut inv, first) = single(&store, org_id, head.user_id, "jo@example.com");
        assert_eq!(store.current_token(org_id, inv.invitation_id).unwrap().unwrap().recover(&links()), Some(first));
        inv.last_sent_at = Some(now());
        let (second, second_stored) = minted();
        store
            .resend_invitation(&inv, &second_stored, mail(&inv), &event(org_id, head.user_id, "invitation.resent"))
            .unwrap();
        let current = store.current_token(org_id, inv.invitation_id).unwrap().unwrap();
        assert_eq!(current, second_stored, "{:?}: the resent token is the current one", db.backend);
        assert_eq!(current.recover(&links()), Some(second));

        // Another organization's invitation, or an unknown one, has none here.
        let other = org(&store, stored_user(&store, "Kim", None, Some("kim@example.com")).user_id);
        assert_eq!(store.current_token(other, multi.invitation_id).unwrap(), None);
        assert_eq!(store.current_token(org_id, InvitationId::new()).unwrap(), None);
    }
}

#[test]
fn no_token_text_is_stored_and_a_row_without_nonce_reads_as_none() {
    for db in TestDb::all() {
        let store = db.store();
        let head = stored_user(&store, "Jo", None, Some("head@example.com"));
        let org_id = org(&store, head.user_id);
        let (inv, token) = link(&store, org_id, head.user_id, Some(3));
        let id = inv.invitation_id;
        let rows: Vec<(String, Option<String>)> = diesel::sql_query(format!(
            "SELECT token_hash, link_nonce FROM invitation_tokens WHERE invitation_id = '{id}'"
        ))
        .load::<TokenRow>(&mut *store.conn().unwrap())
        .unwrap()
        .into_iter()
        .map(|r| (r.token_hash, r.link_nonce))
        .collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, token.hash().as_str());
        let nonce = rows[0].1.clone().expect("the nonce is kept");
        assert!(!nonce.contains(token.as_str()) && rows[0].0 != token.as_str(), "the token itself is never stored");

        // A row from before nonces were kept.
        diesel::sql_query(format!("UPDATE invitation_tokens SET link_nonce = NULL WHERE invitation_id = '{id}'"))
            .execute(&mut *store.conn().unwrap())
            .unwrap();
        let old = store.current_token(org_id, inv.invitation_id).unwrap().unwrap();
        assert_eq!(old, StoredToken { hash: token.hash(), nonce: None }, "{:?}", db.backend);
        assert_eq!(old.recover(&links()), None, "its link cannot be shown");
        assert!(store.invitation_by_token(&token.hash()).unwrap().is_some(), "its link still works");
    }
}

#[derive(QueryableByName)]
struct TokenRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    token_hash: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    link_nonce: Option<String>,
}
