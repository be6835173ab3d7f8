//! `roster check`: recomputes every copy of the read model
//! (`docs/read-model.md`) from the source tables and reports where a stored
//! copy disagrees; with `repair`, rewrites those copies in the same
//! transaction as it finds them.
//!
//! The trigger-kept mirrors are compared in SQL (one statement each, the
//! same on both backends); the keys the store computes in Rust (sort and
//! search text, the label list) are recomputed with the store's own
//! functions, a chunk of memberships at a time; stored profile statuses that
//! claim to be current are recomputed with the page's own batch read.

use crate::conn::{DbConn, write_tx};
use crate::error::{StoreError, parse};
use crate::members::profile_status::{CHUNK, StatusContext, statuses};
use crate::members::status_cache::{Cached, acknowledgements, orders, settings_key};
use crate::members::{labels_text, search_text, sort_name};
use crate::rows::to_db;
use crate::schema::{member_labels, member_statuses, memberships, users};
use crate::{Store, members::roster_sql::LiveAthlete};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use roster_domain::attention::AttentionThresholds;
use roster_domain::member::ProfileStatus;
use roster_domain::{OrgId, UserId};
use std::collections::BTreeMap;

/// One copy of derived data and how far it drifted from its sources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The copy, as `docs/read-model.md` names it.
    pub copy: &'static str,
    /// Rows whose copy disagrees with the source tables.
    pub rows: u64,
    /// A few of them (their keys), to start looking from.
    pub examples: Vec<String>,
}

/// What a check found, one line per copy (clean ones with 0 rows).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Every copy checked.
    pub copies: Vec<Drift>,
}

impl CheckReport {
    /// Rows that drifted, over every copy.
    pub fn drifted_rows(&self) -> u64 {
        self.copies.iter().map(|d| d.rows).sum()
    }
}

/// A stored status that claims to be current: account, membership, status
/// JSON and cache, its order keys (attention, compliance, queue) and data
/// version.
type StoredRow = (String, String, (Option<String>, Option<String>), (i32, i32, i32), i64);

/// How many example keys a drift line keeps.
const EXAMPLES: usize = 5;

/// The mirrors kept by triggers: each with the SQL that finds its drifted
/// rows (as `key`) and the statements that rewrite them from the sources.
struct TriggerCopy {
    copy: &'static str,
    drifted: &'static str,
    repair: &'static [&'static str],
}

/// A label row disagrees with its membership.
const LABEL_DRIFT: &str = "EXISTS (SELECT 1 FROM memberships m WHERE m.membership_id = member_labels.membership_id \
     AND (m.user_id <> member_labels.user_id OR m.sort_name <> member_labels.sort_name \
     OR m.status <> member_labels.status \
     OR m.assigned_to_coach_id IS DISTINCT FROM member_labels.assigned_to_coach_id \
     OR CASE WHEN m.removed_at IS NULL THEN m.role ELSE '' END <> member_labels.role))";

/// A group row disagrees with its member's live membership.
const GROUP_DRIFT_LIVE: &str = "EXISTS (SELECT 1 FROM memberships m WHERE m.org_id = org_group_members.org_id \
     AND m.user_id = org_group_members.user_id AND m.removed_at IS NULL \
     AND (m.membership_id <> org_group_members.membership_id OR m.sort_name <> org_group_members.sort_name \
     OR m.status <> org_group_members.status OR m.role <> org_group_members.role))";

/// A live membership's last activity is not its account's latest activity
/// start (an ended membership keeps the value it had).
const LAST_ACTIVITY_DRIFT: &str = "memberships.removed_at IS NULL AND memberships.last_activity_at IS DISTINCT FROM \
     (SELECT MAX(a.start_time) FROM activities a WHERE a.user_id = memberships.user_id)";

/// A status row disagrees with its membership (the keys `sort=attention`
/// and the staleness check read).
const STATUS_DRIFT: &str = "EXISTS (SELECT 1 FROM memberships m WHERE m.membership_id = member_statuses.membership_id \
     AND (m.user_id <> member_statuses.user_id OR m.sort_name <> member_statuses.sort_name \
     OR CASE WHEN m.removed_at IS NULL THEN m.role ELSE '' END <> member_statuses.role))";

/// A group row of someone with no live membership still claims a role.
const GROUP_DRIFT_ENDED: &str = "org_group_members.role <> '' AND NOT EXISTS (SELECT 1 FROM memberships m \
     WHERE m.org_id = org_group_members.org_id AND m.user_id = org_group_members.user_id AND m.removed_at IS NULL)";

/// An organization's live athletes, counted from the source.
const LIVE_ATHLETES: &str = "(SELECT COUNT(*) FROM memberships m WHERE m.org_id = {ORG}.org_id \
     AND m.role = 'athlete' AND m.removed_at IS NULL)";

const TRIGGER_COPIES: &[TriggerCopy] = &[
    TriggerCopy {
        copy: "member_labels (membership columns)",
        drifted: "SELECT membership_id || ' ' || label AS key FROM member_labels WHERE {LABEL}",
        repair: &["UPDATE member_labels SET (user_id, sort_name, status, assigned_to_coach_id, role) = \
             (SELECT m.user_id, m.sort_name, m.status, m.assigned_to_coach_id, \
             CASE WHEN m.removed_at IS NULL THEN m.role ELSE '' END \
             FROM memberships m WHERE m.membership_id = member_labels.membership_id) WHERE {LABEL}"],
    },
    TriggerCopy {
        copy: "org_group_members (membership columns)",
        drifted: "SELECT group_id || ' ' || user_id AS key FROM org_group_members WHERE {GROUP_LIVE} OR {GROUP_ENDED}",
        repair: &[
            "UPDATE org_group_members SET (membership_id, sort_name, status, role) = \
             (SELECT m.membership_id, m.sort_name, m.status, m.role FROM memberships m \
             WHERE m.org_id = org_group_members.org_id AND m.user_id = org_group_members.user_id \
             AND m.removed_at IS NULL) WHERE {GROUP_LIVE}",
            "UPDATE org_group_members SET role = '' WHERE {GROUP_ENDED}",
        ],
    },
    TriggerCopy {
        copy: "memberships.last_activity_at",
        drifted: "SELECT membership_id AS key FROM memberships WHERE {LAST_ACTIVITY}",
        repair: &["UPDATE memberships SET last_activity_at = \
             (SELECT MAX(a.start_time) FROM activities a WHERE a.user_id = memberships.user_id) WHERE {LAST_ACTIVITY}"],
    },
    TriggerCopy {
        copy: "member_statuses (one row per membership)",
        drifted: "SELECT membership_id AS key FROM memberships m WHERE NOT EXISTS \
             (SELECT 1 FROM member_statuses s WHERE s.membership_id = m.membership_id)",
        repair: &["INSERT INTO member_statuses (membership_id, org_id, user_id, sort_name, role) \
             SELECT membership_id, org_id, user_id, sort_name, CASE WHEN removed_at IS NULL THEN role ELSE '' END \
             FROM memberships m \
             WHERE NOT EXISTS (SELECT 1 FROM member_statuses s WHERE s.membership_id = m.membership_id)"],
    },
    TriggerCopy {
        copy: "member_statuses (membership columns)",
        drifted: "SELECT membership_id AS key FROM member_statuses WHERE {STATUS}",
        repair: &["UPDATE member_statuses SET (user_id, sort_name, role) = \
             (SELECT m.user_id, m.sort_name, CASE WHEN m.removed_at IS NULL THEN m.role ELSE '' END \
             FROM memberships m WHERE m.membership_id = member_statuses.membership_id) WHERE {STATUS}"],
    },
    TriggerCopy {
        copy: "org_athlete_counts",
        // A missing row reads as 0, as the roster's count reads it.
        drifted: "SELECT o.org_id AS key FROM organizations o WHERE COALESCE((SELECT c.athletes \
             FROM org_athlete_counts c WHERE c.org_id = o.org_id), 0) <> {LIVE_ATHLETES:o}",
        repair: &[
            "INSERT INTO org_athlete_counts (org_id, athletes) SELECT o.org_id, 0 FROM organizations o \
             WHERE NOT EXISTS (SELECT 1 FROM org_athlete_counts c WHERE c.org_id = o.org_id)",
            "UPDATE org_athlete_counts SET athletes = {LIVE_ATHLETES:org_athlete_counts} \
             WHERE athletes <> {LIVE_ATHLETES:org_athlete_counts}",
        ],
    },
];

fn expand(sql: &str) -> String {
    sql.replace("{LABEL}", LABEL_DRIFT)
        .replace("{GROUP_LIVE}", GROUP_DRIFT_LIVE)
        .replace("{GROUP_ENDED}", GROUP_DRIFT_ENDED)
        .replace("{LAST_ACTIVITY}", LAST_ACTIVITY_DRIFT)
        .replace("{STATUS}", STATUS_DRIFT)
        .replace("{LIVE_ATHLETES:o}", &LIVE_ATHLETES.replace("{ORG}", "o"))
        .replace("{LIVE_ATHLETES:org_athlete_counts}", &LIVE_ATHLETES.replace("{ORG}", "org_athlete_counts"))
}

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = diesel::sql_types::Text)]
    key: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Drift of one trigger-kept copy, repaired when asked.
fn check_trigger_copy(conn: &mut DbConn, copy: &TriggerCopy, repair: bool) -> Result<Drift, StoreError> {
    let drifted = expand(copy.drifted);
    let Count { n } = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM ({drifted}) d")).get_result(conn)?;
    let examples = diesel::sql_query(format!("{drifted} ORDER BY key LIMIT {EXAMPLES}")).load::<Key>(conn)?;
    if repair && n > 0 {
        for statement in copy.repair {
            diesel::sql_query(expand(statement)).execute(conn)?;
        }
    }
    Ok(Drift {
        copy: copy.copy,
        rows: u64::try_from(n).unwrap_or_default(),
        examples: examples.into_iter().map(|k| k.key).collect(),
    })
}

/// A membership with what its Rust-computed keys are made from.
type KeyRow = (String, Option<String>, String, String, String, String, Option<String>, String);

/// `memberships.sort_name`, `search_text` and `labels_text` against the
/// account, the display name and the label rows, a chunk at a time.
fn check_membership_keys(conn: &mut DbConn, repair: bool) -> Result<[Drift; 3], StoreError> {
    let mut drifts = ["memberships.sort_name", "memberships.search_text", "memberships.labels_text"]
        .map(|copy| Drift { copy, rows: 0, examples: Vec::new() });
    let mut after = String::new();
    loop {
        let rows: Vec<KeyRow> = memberships::table
            .inner_join(users::table)
            .filter(memberships::membership_id.gt(&after))
            .order(memberships::membership_id.asc())
            .limit(1_000)
            .select((
                memberships::membership_id,
                memberships::display_name,
                memberships::sort_name,
                memberships::search_text,
                memberships::labels_text,
                users::first_name,
                users::last_name,
                users::email,
            ))
            .load(conn)?;
        let Some(last) = rows.last() else { break };
        let ids: Vec<&String> = rows.iter().map(|r| &r.0).collect();
        let mut labels: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let label_rows: Vec<(String, String)> = member_labels::table
            .filter(member_labels::membership_id.eq_any(&ids))
            .select((member_labels::membership_id, member_labels::label))
            .load(conn)?;
        for (id, label) in label_rows {
            labels.entry(id).or_default().push(label);
        }
        for (id, display, sort, search, stored_labels, first, last_name, email) in &rows {
            let mut mine = labels.remove(id).unwrap_or_default();
            mine.sort();
            let expected = [
                sort_name(display.as_deref(), first, last_name.as_deref()),
                search_text(first, last_name.as_deref(), display.as_deref(), email),
                labels_text(mine.iter().map(String::as_str)),
            ];
            let stored = [sort, search, stored_labels];
            let mut wrong = false;
            for ((drift, want), have) in drifts.iter_mut().zip(&expected).zip(stored) {
                if want != have {
                    wrong = true;
                    drift.rows += 1;
                    if drift.examples.len() < EXAMPLES {
                        drift.examples.push(id.clone());
                    }
                }
            }
            if repair && wrong {
                let [sort, search, labels] = expected;
                diesel::update(memberships::table.find(id))
                    .set((
                        memberships::sort_name.eq(sort),
                        memberships::search_text.eq(search),
                        memberships::labels_text.eq(labels),
                    ))
                    .execute(conn)?;
            }
        }
        after = last.0.clone();
    }
    Ok(drifts)
}

/// Stored statuses that claim to be current, recomputed: one that differs
/// (or whose attention, compliance or queue order does) is drift, and
/// repairing marks it stale so that the next reader computes it again.
fn check_statuses(
    conn: &mut DbConn,
    now: DateTime<Utc>,
    thresholds: &AttentionThresholds,
    repair: bool,
) -> Result<Drift, StoreError> {
    let mut drift = Drift { copy: "member_statuses (stored statuses)", rows: 0, examples: Vec::new() };
    let key = settings_key(thresholds);
    let ctx = StatusContext { now, thresholds, known_labels: None };
    let orgs: Vec<String> = member_statuses::table
        .filter(member_statuses::cached_version.is_not_null())
        .select(member_statuses::org_id)
        .distinct()
        .load(conn)?;
    for org in orgs {
        let org_id: OrgId = parse("member_statuses.org_id", org.parse())?;
        let current: Vec<StoredRow> = member_statuses::table
            .inner_join(memberships::table)
            .filter(member_statuses::org_id.eq(&org))
            .filter(memberships::org_id.eq(&org))
            .filter(LiveAthlete)
            .filter(member_statuses::cached_version.nullable().eq(member_statuses::version.nullable()))
            .filter(member_statuses::valid_until.gt(to_db(now)))
            .filter(member_statuses::settings_key.eq(&key))
            .select((
                memberships::user_id,
                member_statuses::membership_id,
                (member_statuses::status_json, member_statuses::cache),
                (member_statuses::attention_order, member_statuses::compliance_order, member_statuses::queue_order),
                member_statuses::version,
            ))
            .load(conn)?;
        for chunk in current.chunks(CHUNK) {
            let users: Vec<UserId> =
                chunk.iter().map(|row| parse("memberships.user_id", row.0.parse())).collect::<Result<_, _>>()?;
            let computed = statuses(conn, org_id, &users, &ctx)?;
            let memberships: Vec<&str> = chunk.iter().map(|row| row.1.as_str()).collect();
            let acks = acknowledgements(conn, &memberships)?;
            let mut stale = Vec::new();
            for (user, (_, membership_id, (status, cache), (attention, compliance, queue), version)) in
                users.iter().zip(chunk)
            {
                let status: Option<ProfileStatus> = status.as_deref().and_then(|c| serde_json::from_str(c).ok());
                let stored: Option<Cached> = cache.as_deref().and_then(|c| serde_json::from_str(c).ok());
                let agrees = match (status, stored, computed.get(user)) {
                    (Some(status), Some(stored), Some(fresh)) => {
                        let mine = acks.get(membership_id).map(Vec::as_slice).unwrap_or_default();
                        let want = orders(fresh, mine, *version);
                        status == fresh.status
                            && stored.attention == fresh.summary
                            && stored.acknowledged == want.acknowledged
                            && (*attention, *compliance, *queue) == (want.attention, want.compliance, want.queue)
                    }
                    _ => false,
                };
                if !agrees {
                    drift.rows += 1;
                    if drift.examples.len() < EXAMPLES {
                        drift.examples.push(membership_id.clone());
                    }
                    stale.push(membership_id.clone());
                }
            }
            if repair && !stale.is_empty() {
                diesel::update(member_statuses::table.filter(member_statuses::membership_id.eq_any(&stale)))
                    .set(member_statuses::cached_version.eq(None::<i64>))
                    .execute(conn)?;
            }
        }
    }
    Ok(drift)
}

/// Runs `f` in a read-only transaction that sees one snapshot, so that a
/// check beside a running server compares sources and copies of the same
/// moment (SQLite's read transaction is a snapshot in WAL mode).
fn snapshot<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
    conn.transaction(|conn| {
        crate::dialect::begin_snapshot(conn)?;
        f(conn)
    })
}

impl Store {
    /// Recomputes every copy of the read model from the source tables and
    /// reports the drift; with `repair`, rewrites the drifted copies (one
    /// transaction, so a repair is whole or not at all).
    pub fn check_read_model(
        &self,
        now: DateTime<Utc>,
        thresholds: &AttentionThresholds,
        repair: bool,
    ) -> Result<CheckReport, StoreError> {
        let check = |conn: &mut DbConn| {
            // The Rust-computed keys first: a repaired sort name reaches the
            // label and group rows through their triggers.
            let mut copies = check_membership_keys(conn, repair)?.to_vec();
            for copy in TRIGGER_COPIES {
                copies.push(check_trigger_copy(conn, copy, repair)?);
            }
            copies.push(check_statuses(conn, now, thresholds, repair)?);
            Ok(CheckReport { copies })
        };
        self.on_conn(|conn| if repair { write_tx(conn, check) } else { snapshot(conn, check) })
    }
}
