//! Synthetic data at scale, for benchmarks: organizations with a head coach,
//! assistant coaches and athletes with realistic names, e-mails, levels,
//! labels, statuses and coach assignments. Rows go in with multi-row inserts,
//! one transaction per organization. Seeding is an operator's bulk load: it
//! writes no audit events.

use crate::Store;
use crate::conn::{DbConn, write_tx};
use crate::dialect::insert_batches;
use crate::error::StoreError;
use crate::members::{labels_text, search_text, sort_name};
use crate::rows::to_db;
use crate::schema::{member_labels, memberships, organizations, users};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use diesel::prelude::*;
use roster_domain::{MembershipId, OrgId, UserId};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// Organizations of `athletes_per_org` athletes.
    pub orgs: u32,
    /// Athletes in each of those.
    pub athletes_per_org: u32,
    /// Athletes of one more, bigger organization (0: none).
    pub big_org: u32,
    /// Assistant coaches per organization (besides the head coach).
    pub assistants_per_org: u32,
    /// The Argon2id hash every seeded account gets (one password for all).
    pub password_hash: String,
    /// Makes runs repeatable; also keeps e-mails of separate runs apart.
    pub seed: u64,
}

/// One seeded organization.
#[derive(Debug, Clone)]
pub struct SeededOrg {
    /// Its id.
    pub org_id: OrgId,
    /// The head coach's login.
    pub head_coach_email: String,
    /// The head coach.
    pub head_coach_id: UserId,
    /// Its assistant coaches.
    pub assistant_ids: Vec<UserId>,
    /// How many athletes.
    pub athletes: u32,
}

/// What was generated.
#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    /// The regular organizations.
    pub orgs: Vec<SeededOrg>,
    /// The big one, if asked for.
    pub big_org: Option<SeededOrg>,
    /// Athletes in all.
    pub athletes: u64,
}

/// A small deterministic generator (xorshift64*): no dependency, repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }
    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const FIRST: &[&str] = &[
    "Maya", "Tom", "Aisha", "Jon", "Eva", "Liam", "Noah", "Olivia", "Emma", "Ava", "Sofia", "Lucas", "Mateo", "Amara",
    "Kenji", "Yuki", "Priya", "Arjun", "Fatima", "Omar", "Lena", "Jonas", "Elif", "Mehmet", "Chloe", "Hugo", "Ines",
    "Marco", "Giulia", "Sven", "Astrid", "Nia", "Kwame", "Zoe", "Leo", "Mila", "Ivan", "Olga", "Diego", "Lucia", "Sam",
    "Alex", "Jamie", "Robin", "Kai", "Rosa", "Pablo", "Hana", "Tariq", "Wei",
];
const LAST: &[&str] = &[
    "Chen",
    "Becker",
    "Khan",
    "Silva",
    "Novak",
    "Smith",
    "Garcia",
    "Muller",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Nakamura",
    "Patel",
    "Okafor",
    "Moreno",
    "Jensen",
    "Larsen",
    "Ivanova",
    "Yilmaz",
    "Haddad",
    "Nguyen",
    "Kim",
    "Park",
    "Lopez",
    "Martin",
    "Bernard",
    "Fischer",
    "Weber",
    "Costa",
    "Santos",
    "Oliveira",
    "Andersen",
    "Berg",
    "Lindqvist",
    "Murphy",
    "Kelly",
    "O'Brien",
    "Walsh",
    "Schmidt",
    "Wagner",
];
const NICKNAMES: &[&str] = &["Speedy", "Rocket", "Flash", "Turtle", "Hill Goat", "Metronome", "Diesel", "Sprinter"];
const LEVELS: &[&str] = &["beginner", "intermediate", "advanced", "elite"];
/// Labels with the share (percent) of athletes who carry each.
const LABELS: &[(&str, u64)] =
    &[("@marathon", 20), ("@trail", 12), ("@track", 10), ("@injury-watch", 5), ("@ultra", 3), ("@new", 8)];
const BATCH: usize = 500;

#[derive(Insertable)]
#[diesel(table_name = users, treat_none_as_default_value = false)]
struct NewUser {
    user_id: String,
    email: String,
    password_hash: String,
    first_name: String,
    last_name: Option<String>,
    email_verified: bool,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = memberships, treat_none_as_default_value = false)]
struct NewMembership {
    membership_id: String,
    org_id: String,
    user_id: String,
    role: String,
    status: String,
    display_name: Option<String>,
    member_level: Option<String>,
    private_notes: Option<String>,
    assigned_to_coach_id: Option<String>,
    joined_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
    removed_at: Option<chrono::NaiveDateTime>,
    version: i64,
    sort_name: String,
    search_text: String,
    labels_text: String,
}

#[derive(Insertable)]
#[diesel(table_name = member_labels)]
struct NewLabel {
    membership_id: String,
    org_id: String,
    label: String,
}

struct OrgPlan<'a> {
    index: u32,
    athletes: u32,
    opts: &'a SeedOptions,
    now: DateTime<Utc>,
}

fn seed_org(conn: &mut DbConn, plan: &OrgPlan<'_>, rng: &mut Rng) -> Result<SeededOrg, StoreError> {
    let OrgPlan { index, athletes, opts, now } = *plan;
    let t = to_db(now);
    let org_id = OrgId::new();
    let org = org_id.to_string();
    diesel::insert_into(organizations::table)
        .values((
            organizations::org_id.eq(&org),
            organizations::name.eq(format!("Seed Club {index}")),
            organizations::description.eq("Synthetic data from `roster seed`."),
            organizations::timezone.eq("Europe/London"),
            organizations::created_at.eq(t),
            organizations::updated_at.eq(t),
            organizations::version.eq(1_i64),
        ))
        .execute(conn)?;
    let tag = opts.seed;
    let mut users_rows = Vec::new();
    let mut member_rows = Vec::new();
    let mut label_rows = Vec::new();
    let person = |users_rows: &mut Vec<NewUser>, rng: &mut Rng, email: String| {
        let (first, last) = (FIRST[rng.below(FIRST.len())], LAST[rng.below(LAST.len())]);
        let user_id = UserId::new();
        users_rows.push(NewUser {
            user_id: user_id.to_string(),
            email: email.clone(),
            password_hash: opts.password_hash.clone(),
            first_name: first.to_owned(),
            last_name: Some(last.to_owned()),
            email_verified: true,
            created_at: t,
            updated_at: t,
        });
        (user_id, first, last, email)
    };
    let membership = |user: &(UserId, &str, &str, String), role: &str, joined: DateTime<Utc>| NewMembership {
        membership_id: MembershipId::new().to_string(),
        org_id: org.clone(),
        user_id: user.0.to_string(),
        role: role.to_owned(),
        status: "active".to_owned(),
        display_name: None,
        member_level: None,
        private_notes: None,
        assigned_to_coach_id: None,
        joined_at: to_db(joined),
        updated_at: to_db(joined),
        removed_at: None,
        version: 1,
        sort_name: sort_name(None, user.1, Some(user.2)),
        search_text: search_text(user.1, Some(user.2), None, &user.3),
        labels_text: String::new(),
    };
    let head_email = format!("head.{index}.{tag}@seed.example");
    let head = person(&mut users_rows, rng, head_email.clone());
    member_rows.push(membership(&head, "head_coach", now - Duration::days(1200)));
    let mut coaches = vec![head.0];
    for c in 0..opts.assistants_per_org {
        let coach = person(&mut users_rows, rng, format!("coach.{index}.{c}.{tag}@seed.example"));
        member_rows.push(membership(&coach, "assistant_coach", now - Duration::days(1100)));
        coaches.push(coach.0);
    }
    for a in 0..athletes {
        let seq = format!("{index}.{a}.{tag}");
        let first = FIRST[rng.below(FIRST.len())].to_lowercase();
        let last = LAST[rng.below(LAST.len())].to_lowercase().replace('\'', "");
        let athlete = person(&mut users_rows, rng, format!("{first}.{last}.{seq}@seed.example"));
        let joined =
            (now - Duration::seconds(i64::try_from(rng.below(3 * 365 * 86_400)).unwrap_or(0))).trunc_subsecs(6);
        let mut m = membership(&athlete, "athlete", joined);
        m.status = match rng.below(100) {
            0..=84 => "active",
            85..=94 => "inactive",
            _ => "suspended",
        }
        .to_owned();
        if rng.chance(70) {
            m.member_level = Some(LEVELS[rng.below(LEVELS.len())].to_owned());
        }
        if rng.chance(10) {
            let nick = NICKNAMES[rng.below(NICKNAMES.len())];
            m.display_name = Some(nick.to_owned());
            m.sort_name = sort_name(Some(nick), athlete.1, Some(athlete.2));
            m.search_text = search_text(athlete.1, Some(athlete.2), Some(nick), &athlete.3);
        }
        if rng.chance(15) {
            m.private_notes = Some("Prefers morning sessions.".to_owned());
        }
        if rng.chance(85) {
            m.assigned_to_coach_id = Some(coaches[rng.below(coaches.len())].to_string());
        }
        let mut mine = Vec::new();
        for (label, share) in LABELS {
            if rng.chance(*share) {
                mine.push(*label);
                label_rows.push(NewLabel {
                    membership_id: m.membership_id.clone(),
                    org_id: org.clone(),
                    label: (*label).to_owned(),
                });
            }
        }
        mine.sort_unstable();
        m.labels_text = labels_text(mine);
        member_rows.push(m);
    }
    insert_batches!(&mut *conn, users::table, users_rows, BATCH);
    insert_batches!(&mut *conn, memberships::table, member_rows, BATCH);
    insert_batches!(&mut *conn, member_labels::table, label_rows, BATCH);
    Ok(SeededOrg {
        org_id,
        head_coach_email: head_email,
        head_coach_id: head.0,
        assistant_ids: coaches[1..].to_vec(),
        athletes,
    })
}

impl Store {
    /// Generates the organizations of `opts`, one transaction each.
    pub fn seed(&self, opts: &SeedOptions) -> Result<SeedReport, StoreError> {
        let mut conn = self.conn()?;
        let mut rng = Rng(opts.seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let now = Utc::now().trunc_subsecs(6);
        let mut report = SeedReport::default();
        if opts.big_org > 0 {
            let plan = OrgPlan { index: 0, athletes: opts.big_org, opts, now };
            let org = write_tx(&mut conn, |c| seed_org(c, &plan, &mut rng))?;
            report.athletes += u64::from(org.athletes);
            report.big_org = Some(org);
        }
        for index in 1..=opts.orgs {
            let plan = OrgPlan { index, athletes: opts.athletes_per_org, opts, now };
            let org = write_tx(&mut conn, |c| seed_org(c, &plan, &mut rng))?;
            report.athletes += u64::from(org.athletes);
            report.orgs.push(org);
        }
        // Statistics for what is seeded next; [`Store::compact`] vacuums at
        // the end.
        diesel::connection::SimpleConnection::batch_execute(&mut *conn, "ANALYZE")?;
        Ok(report)
    }

    /// Compacts the database after a seed and refreshes the planner's
    /// statistics: `VACUUM ANALYZE` on PostgreSQL (the visibility map makes
    /// counts index-only scans); on SQLite `VACUUM` writes each table and
    /// index in order, where the seed's batches had interleaved them page by
    /// page, and a memory-mapped read then maps the pages it needs instead of
    /// the neighbours of every page it touches, and `ANALYZE` then gathers
    /// the statistics of what the seed wrote after [`Store::seed`]. Run it
    /// after the stored statuses are computed (`roster seed` does): the
    /// statistics then show them current, as a running server keeps them, and
    /// the rows land inside the memory map instead of past its end.
    pub fn compact(&self) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let sql = crate::dialect::vacuum_sql(&conn);
        diesel::connection::SimpleConnection::batch_execute(&mut *conn, sql)?;
        Ok(())
    }
}

mod athlete_data;
mod plans;
pub use athlete_data::{SeededAthleteData, SeededSessions};
pub use plans::{PlannedSession, SeededPlans};
