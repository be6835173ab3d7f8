//! Races between real requests, many times over, on both backends: whatever
//! the interleaving, the data keeps its invariants and every loser gets a 4xx
//! with a stable code (never a 500).

use crate::invitations::{invite, invite_single, token_of};
use crate::support::{PASSWORD, Session, TestApp, apps, unique_email};
use reqwest::Method;
use serde_json::{Value, json};

/// How many times each race is run per backend.
const ROUNDS: usize = 30;

fn org_path(org_id: &str) -> String {
    format!("/api/v1/organizations/{org_id}")
}

/// The user ids of a roster page.
fn ids(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(|m| m["user_id"].as_str().unwrap().to_owned()).collect()
}

/// Asserts the invariant "an athlete's assigned coach is a live coach of the
/// same organization" for `athlete`, and that an unassigned athlete is on the
/// roster of the unassigned.
async fn assert_coach_is_live(app: &TestApp, head: &Session, org_id: &str, athlete: &str) {
    let org = org_path(org_id);
    let member = app.get(&format!("{org}/members/{athlete}"), &head.token).await;
    let coach = member.assert_status(200)["assigned_to_coach_id"].clone();
    let unassigned = app.get(&format!("{org}/members?assigned_to_coach_id=none&limit=200"), &head.token).await;
    let unassigned = ids(unassigned.assert_status(200));
    match coach {
        Value::Null => {
            assert!(unassigned.contains(&athlete.to_owned()), "{:?}: {athlete} missing from none", app.backend)
        }
        Value::String(coach) => {
            let coaches = app.get(&format!("{org}/coaches"), &head.token).await;
            let live = coaches.assert_status(200)["data"].as_array().unwrap().iter().any(|c| c["user_id"] == coach);
            assert!(live, "{:?}: {athlete} is assigned to {coach}, who is no coach here", app.backend);
            assert!(!unassigned.contains(&athlete.to_owned()));
        }
        other => panic!("unexpected assigned_to_coach_id {other}"),
    }
}

#[tokio::test]
async fn assigning_a_coach_while_the_coach_is_removed_never_leaves_the_athlete_with_them() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let org = org_path(&org_id);
        for _ in 0..ROUNDS {
            let coach = app.assistant_coach(&head, &org_id).await;
            let athlete = app.athlete(&org_id, None).await;
            let (assign_path, remove_path) =
                (format!("{org}/members/{}/coach", athlete.user_id), format!("{org}/coaches/{}", coach.user_id));
            let body = json!({"coach_id": coach.user_id});
            let (assign, remove) = tokio::join!(
                app.call(Method::PUT, &assign_path, Some(&head.token), Some(body)),
                app.delete(&remove_path, &head.token),
            );
            remove.assert_status(204);
            if assign.status != 200 {
                assign.assert_problem(422, "not_a_coach");
            }
            assert_coach_is_live(&app, &head, &org_id, &athlete.user_id).await;
        }
    }
}

#[tokio::test]
async fn an_assistant_adding_an_athlete_while_being_removed_never_keeps_them() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let org = org_path(&org_id);
        for _ in 0..ROUNDS {
            let coach = app.assistant_coach(&head, &org_id).await;
            let account = app.signup("added").await;
            let (add_path, remove_path) = (format!("{org}/members"), format!("{org}/coaches/{}", coach.user_id));
            let (add, remove) = tokio::join!(
                app.post(&add_path, &coach.token, json!({"user_id": account.user_id})),
                app.delete(&remove_path, &head.token),
            );
            remove.assert_status(204);
            match add.status {
                201 => assert_coach_is_live(&app, &head, &org_id, &account.user_id).await,
                // Removed first: the caller is no longer a member here.
                _ => add.assert_problem(404, "not_found"),
            }
        }
    }
}

#[tokio::test]
async fn accepting_an_assistants_invitation_while_they_are_removed_never_assigns_them() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        let org = org_path(&org_id);
        for _ in 0..ROUNDS {
            let coach = app.assistant_coach(&head, &org_id).await;
            let link = invite(&app, &coach, &org_id, json!({"kind": "multi_use"})).await;
            let account = app.signup("joiner").await;
            let accept_path = format!("/api/v1/invitations/{}/accept", token_of(&link));
            let remove_path = format!("{org}/coaches/{}", coach.user_id);
            let (accept, remove) =
                tokio::join!(app.post(&accept_path, &account.token, json!({})), app.delete(&remove_path, &head.token),);
            remove.assert_status(204);
            accept.assert_status(201);
            assert_coach_is_live(&app, &head, &org_id, &account.user_id).await;
        }
    }
}

/// The user ids of the organization's head coaches, as the coach list has them.
async fn head_coaches(app: &TestApp, token: &str, org_id: &str) -> Vec<String> {
    let coaches = app.get(&format!("{}/coaches", org_path(org_id)), token).await;
    coaches.assert_status(200)["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["role"] == "head_coach")
        .map(|c| c["user_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_head_coach_transfer_racing_the_removal_of_the_same_coach_answers_4xx() {
    for app in apps().await {
        for _ in 0..ROUNDS / 2 {
            let (head, org_id) = app.head_coach().await;
            let org = org_path(&org_id);
            let coach = app.assistant_coach(&head, &org_id).await;
            let (transfer_path, remove_path) =
                (format!("{org}/head-coach"), format!("{org}/coaches/{}", coach.user_id));
            let (transfer, remove) = tokio::join!(
                app.post(&transfer_path, &head.token, json!({"user_id": coach.user_id})),
                app.delete(&remove_path, &head.token),
            );
            match (transfer.status, remove.status) {
                (200, _) => {
                    // Handed over first: the new head coach cannot be removed,
                    // and the old one may no longer remove coaches.
                    if remove.status == 409 {
                        remove.assert_problem(409, "head_coach_required");
                    } else {
                        remove.assert_problem(403, "forbidden");
                    }
                    assert_eq!(head_coaches(&app, &coach.token, &org_id).await, [coach.user_id.as_str()]);
                }
                (_, 204) => {
                    transfer.assert_problem(422, "not_a_coach");
                    assert_eq!(head_coaches(&app, &head.token, &org_id).await, [head.user_id.as_str()]);
                }
                _ => panic!("{:?}: transfer {} / remove {}", app.backend, transfer.text, remove.text),
            }
        }
    }
}

#[tokio::test]
async fn two_concurrent_head_coach_transfers_have_one_winner() {
    for app in apps().await {
        for _ in 0..ROUNDS / 2 {
            let (head, org_id) = app.head_coach().await;
            let path = format!("{}/head-coach", org_path(&org_id));
            let a = app.assistant_coach(&head, &org_id).await;
            let b = app.assistant_coach(&head, &org_id).await;
            let (to_a, to_b) = tokio::join!(
                app.post(&path, &head.token, json!({"user_id": a.user_id})),
                app.post(&path, &head.token, json!({"user_id": b.user_id})),
            );
            let (winner, loser) = match (to_a.status, to_b.status) {
                (200, _) => (&a, &to_b),
                (_, 200) => (&b, &to_a),
                _ => panic!("{:?}: no transfer won: {} / {}", app.backend, to_a.text, to_b.text),
            };
            // The caller is no longer the head coach once the other one won.
            loser.assert_problem(403, "forbidden");
            assert_eq!(head_coaches(&app, &head.token, &org_id).await, [winner.user_id.as_str()]);
        }
    }
}

#[tokio::test]
async fn five_concurrent_removals_of_one_coach_have_one_winner_and_four_404() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        for _ in 0..ROUNDS / 2 {
            let coach = app.assistant_coach(&head, &org_id).await;
            let path = format!("{}/coaches/{}", org_path(&org_id), coach.user_id);
            let handles: Vec<_> = (0..5)
                .map(|_| {
                    let (client, url, token) = (app.client.clone(), format!("{}{path}", app.base), head.token.clone());
                    tokio::spawn(async move { client.delete(url).bearer_auth(token).send().await.unwrap() })
                })
                .collect();
            let mut removed = 0;
            for h in handles {
                let res = TestApp::read(h.await.unwrap()).await;
                if res.status == 204 {
                    removed += 1;
                } else {
                    res.assert_problem(404, "not_found");
                }
            }
            assert_eq!(removed, 1, "{:?}", app.backend);
        }
    }
}

#[tokio::test]
async fn twenty_anonymous_accepts_of_one_single_use_invitation_have_one_winner_and_19_410() {
    for app in apps().await {
        let (head, org_id) = app.head_coach().await;
        for _ in 0..3 {
            let email = unique_email("once");
            let issued = invite_single(&app, &head, &org_id, &email).await;
            let url = format!("{}/api/v1/invitations/{}/accept", app.base, token_of(&issued));
            let handles: Vec<_> = (0..20)
                .map(|_| {
                    let (client, url) = (app.client.clone(), url.clone());
                    tokio::spawn(
                        async move { client.post(&url).json(&json!({"password": PASSWORD})).send().await.unwrap() },
                    )
                })
                .collect();
            let mut wins = 0;
            for h in handles {
                let res = TestApp::read(h.await.unwrap()).await;
                if res.status == 201 {
                    wins += 1;
                } else {
                    res.assert_problem(410, "invitation_already_used");
                }
            }
            assert_eq!(wins, 1, "{:?}", app.backend);
        }
    }
}
