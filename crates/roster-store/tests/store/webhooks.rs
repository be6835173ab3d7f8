//! Webhooks over the store: the audit trail as the outbox (a rolled-back
//! change queues nothing, a committed one is fanned out once to the enabled
//! endpoints that want it), sealed secrets, claims and attempts.

use crate::plans::{athlete, event, now, org, plan};
use roster_domain::entities::{JoinExtras, PlanStart};
use roster_domain::joining::JoinMode;
use roster_domain::webhooks::{DeliveryAttempt, WebhookEndpoint, WebhookRepo, WebhookUrl};
use roster_domain::{GroupId, OrgId, WebhookId};
use roster_store::testing::TestDb;
use roster_store::{AttemptOutcome, FailingLimit, Store};

fn endpoint(store: &Store, org_id: OrgId, types: &[&str], enabled: bool) -> WebhookEndpoint {
    let e = WebhookEndpoint {
        endpoint_id: WebhookId::new(),
        org_id,
        url: WebhookUrl::parse("https://hooks.example.com/roster").unwrap(),
        event_types: types.iter().map(|t| (*t).to_owned()).collect(),
        description: String::new(),
        enabled,
        disabled_reason: None,
        created_at: now(),
        updated_at: now(),
    };
    let created = event(org_id, roster_domain::UserId::new(), "webhook.created");
    store.insert_webhook(&e, "whsec_c2VjcmV0", &created).unwrap();
    e
}

#[test]
fn a_rolled_back_change_queues_nothing_and_a_committed_one_is_fanned_out_once() {
    for db in TestDb::all() {
        let store = db.store().with_webhook_key([9; 32]);
        let (org_id, head) = org(&store);
        let all = endpoint(&store, org_id, &[], true);
        let only_activities = endpoint(&store, org_id, &["activity.created"], true);
        let off = endpoint(&store, org_id, &[], false);
        let p = plan(&store, org_id, head, 2);
        let a = athlete(&store, org_id); // member.added
        store.dispatch_webhook_events(now(), 100).unwrap();
        let before = store.deliveries(org_id, all.endpoint_id, None, 100).unwrap().len();
        assert_eq!(before, 1, "{:?}: member.added", db.backend);

        // The plan is assigned (plan.assigned is written), then the unknown
        // group refuses the whole transaction: nothing may be announced.
        let extras = JoinExtras {
            group_id: Some(GroupId::new()),
            training_plan: Some(PlanStart { plan_id: p.plan_id, start_date: None }),
        };
        assert!(store.run_join_effects(org_id, a, &extras, JoinMode::Strict, head, now()).is_err());
        assert_eq!(store.dispatch_webhook_events(now(), 100).unwrap(), 0, "{:?}", db.backend);

        let extras = JoinExtras { group_id: None, training_plan: extras.training_plan };
        store.run_join_effects(org_id, a, &extras, JoinMode::Strict, head, now()).unwrap();
        assert_eq!(store.dispatch_webhook_events(now(), 100).unwrap(), 1);
        assert_eq!(store.dispatch_webhook_events(now(), 100).unwrap(), 0, "fanned out once");
        let list = store.deliveries(org_id, all.endpoint_id, None, 100).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].event_type, "plan_assignment.created");
        assert!(store.deliveries(org_id, only_activities.endpoint_id, None, 100).unwrap().is_empty());
        assert!(store.deliveries(org_id, off.endpoint_id, None, 100).unwrap().is_empty());
    }
}

#[test]
fn claims_carry_the_opened_secret_and_are_not_made_twice() {
    for db in TestDb::all() {
        let store = db.store().with_webhook_key([9; 32]);
        let (org_id, _) = org(&store);
        let e = endpoint(&store, org_id, &[], true);
        athlete(&store, org_id);
        store.dispatch_webhook_events(now(), 100).unwrap();
        let lease = chrono::Duration::seconds(30);
        let work = store.claim_webhook_deliveries(now(), lease, 10).unwrap();
        assert_eq!(work.len(), 1);
        assert_eq!(work[0].secrets, ["whsec_c2VjcmV0"], "{:?}: opened with the key", db.backend);
        assert!(store.claim_webhook_deliveries(now(), lease, 10).unwrap().is_empty(), "leased");
        let attempt = DeliveryAttempt {
            attempted_at: now(),
            status_code: Some(200),
            latency_ms: 3,
            response_body: "ok".into(),
            error: None,
        };
        let failing = FailingLimit(chrono::Duration::days(5));
        store.record_webhook_attempt(&work[0], &attempt, AttemptOutcome::Delivered, failing).unwrap();
        let later = now() + chrono::Duration::minutes(5);
        assert!(store.claim_webhook_deliveries(later, lease, 10).unwrap().is_empty(), "delivered");
        let list = store.deliveries(org_id, e.endpoint_id, None, 10).unwrap();
        assert_eq!((list[0].attempts, list[0].log.len()), (1, 1));
        // Forgotten after the retention period.
        assert!(store.purge_webhook_log(now() + chrono::Duration::days(31)).unwrap() >= 2);
        assert!(store.deliveries(org_id, e.endpoint_id, None, 10).unwrap().is_empty());
    }
}
