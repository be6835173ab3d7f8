//! **Audit log** (the head coach's): the club's events newest first,
//! filtered by action and actor (a GET form: the URL holds the filters, so
//! Back works), 50 a page by the use case's `before` cursor.

use super::athletes::{Choice, person_name};
use crate::view::{Chrome, render, signed_in};
use crate::{Console, PageError};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use roster_domain::entities::AuditFilter;
use roster_domain::services::{api_keys, audit, coaches};
use roster_domain::{EventId, UserId};
use serde::Deserialize;
use std::collections::BTreeSet;

const PAGE_SIZE: u32 = 50;

/// The filters and the page, as the URL holds them.
#[derive(Debug, Default, Clone, Deserialize)]
pub(super) struct AuditQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    before: String,
}

pub(super) struct Row {
    when: String,
    action: String,
    actor: String,
    /// The actor's id, to filter by them.
    actor_id: String,
    about: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<Row>,
    action: String,
    /// The actions seen in the latest events, for the action field's suggestions.
    actions: Vec<String>,
    actor: String,
    actor_choices: Vec<Choice>,
    no_errors: crate::form::Errors,
    filtered: bool,
    next: Option<String>,
}

/// `key=value&` pairs of the filters set, for links that keep them.
fn query_of(action: &str, actor: &str) -> String {
    let mut out = String::new();
    for (key, value) in [("action", action), ("actor", actor)] {
        if !value.is_empty() {
            out.push_str(&format!("{key}={}&", crate::error::encode(value)));
        }
    }
    out
}

pub(super) async fn page(
    c: web::Data<Console>,
    req: HttpRequest,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, PageError> {
    let q = q.into_inner();
    let page = signed_in(&c, &req, move |c, v| {
        let (me, org_id) = (v.user.user_id, v.org_id()?);
        let action = q.action.trim().to_owned();
        let actor_id = q.actor.parse::<UserId>().ok();
        let filter = AuditFilter {
            action: Some(action.clone()).filter(|a| !a.is_empty()),
            actor_id,
            subject_user_id: None,
            before: q.before.parse::<EventId>().ok(),
            limit: PAGE_SIZE,
        };
        let (events, more) = audit::list(&c.cx(me), org_id, &filter)?;
        let latest = AuditFilter { limit: 200, ..AuditFilter::default() };
        let (recent, _) = audit::list(&c.cx(me), org_id, &latest)?;
        let actions: BTreeSet<String> = recent.into_iter().map(|e| e.action).collect();
        let people = coaches::list(&c.cx(me), org_id)?;
        let keys = api_keys::list(&c.cx(me), org_id)?;
        let mut named: Vec<(UserId, String)> = vec![(roster_domain::attention::roster_itself(), "roster".into())];
        named.extend(people.iter().map(|p| (p.user_id, person_name(&p.first_name, p.last_name.as_deref()))));
        named.extend(keys.iter().map(|k| (UserId::from_uuid(k.key_id.as_uuid()), format!("API key “{}”", k.name))));
        let who =
            |id: UserId| named.iter().find(|(n, _)| *n == id).map_or_else(|| id.to_string(), |(_, name)| name.clone());
        let rows = events
            .iter()
            .map(|e| Row {
                when: e.created_at.format("%Y-%m-%d %H:%M").to_string(),
                action: e.action.clone(),
                actor: who(e.actor_user_id),
                actor_id: e.actor_user_id.to_string(),
                about: e.subject_user_id.map(who).unwrap_or_default(),
            })
            .collect();
        let actor = actor_id.map(|a| a.to_string()).unwrap_or_default();
        let mut actor_choices = vec![Choice { value: String::new(), label: "Anyone".into() }];
        actor_choices.extend(named.iter().map(|(id, name)| Choice { value: id.to_string(), label: name.clone() }));
        if let Some(id) = actor_id.filter(|id| !named.iter().any(|(n, _)| n == id)) {
            actor_choices.push(Choice { value: id.to_string(), label: format!("Someone else ({id})") });
        }
        let next = more
            .then(|| events.last())
            .flatten()
            .map(|last| format!("/audit?{}before={}", query_of(&action, &actor), last.event_id));
        Ok(AuditPage {
            chrome: v.chrome("/audit"),
            rows,
            filtered: !action.is_empty() || actor_id.is_some(),
            action,
            actions: actions.into_iter().collect(),
            actor,
            actor_choices,
            no_errors: crate::form::Errors::none(),
            next,
        })
    })
    .await?;
    render(&page)
}
