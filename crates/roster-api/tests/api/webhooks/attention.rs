//! `attention.raised` over the wire: a change that raises an athlete's
//! attention signal reaches a receiver that asked for it, signed, naming
//! roster itself as the actor.

use super::receiver::{Receiver, verified};
use super::{create_hook, quick_apps};
use serde_json::{Value, json};

#[tokio::test]
async fn a_raised_attention_signal_reaches_the_receiver() {
    for app in quick_apps().await {
        let (head, org_id) = app.head_coach().await;
        let receiver = Receiver::start(&[]).await;
        let only_attention = json!({"url": receiver.url(), "event_types": ["attention.raised"]});
        let (_, secret) = create_hook(&app, &head, &org_id, only_attention).await;
        let athlete = app.athlete(&org_id, None).await;
        let roster = format!("/api/v1/organizations/{org_id}/members?include_profile_status=true");
        // The first computation of the athlete's status is the baseline.
        app.get(&roster, &head.token).await.assert_status(200);

        let member = format!("/api/v1/organizations/{org_id}/members/{}", athlete.user_id);
        app.patch(&member, &head.token, json!({"labels": ["@injury-watch"]})).await.assert_status(200);
        app.get(&roster, &head.token).await.assert_status(200);

        let hits = receiver.wait_for(1).await;
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert!(verified(&hits[0], &secret), "the independent verifier accepts {:?}", hits[0]);
        let event = hits[0].json();
        assert_eq!(event["type"], "attention.raised");
        assert_eq!(event["data"]["user_id"], athlete.user_id.as_str());
        assert_eq!(event["data"]["actor_user_id"], "00000000-0000-0000-0000-000000000000");
        let raised: Vec<&Value> = event["data"]["changes"]["raised"].as_array().unwrap().iter().collect();
        assert_eq!(raised.len(), 1, "{event}");
        assert_eq!(raised[0]["code"], "injury_watch");
        assert_eq!(raised[0]["severity"], "warning");

        // The audit trail has it too, under roster's nil id.
        let audit = format!("/api/v1/organizations/{org_id}/audit-events?action=attention.raised");
        let log = app.get(&audit, &head.token).await;
        let data = log.assert_status(200)["data"].as_array().unwrap().clone();
        assert_eq!(data.len(), 1, "{data:?}");
    }
}
