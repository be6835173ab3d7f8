//! The `roster` command line: `serve` (the default), `migrate`, `token`,
//! `demo`, `seed`, `check`, `backup`.

use crate::auth::{Argon2Hasher, TokenKeys};
use crate::settings::Settings;
use crate::startup::Application;
use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use roster_domain::entities::User;
use roster_domain::entities::{AuditEvent, Membership};
use roster_domain::ports::{AccountRepo, OrganizationRepo};
use roster_domain::services::accounts::{self, NewAccount, SignupInput};
use roster_domain::services::{coaches, organizations};
use roster_domain::values::{Description, Email, OrgName, Timezone};
use roster_domain::{Clock, DomainError, Role, SystemClock};
use roster_store::Store;

/// A line on standard output. A reader that went away (`roster seed | head`)
/// ends the command with the write's `BrokenPipe`, which `main` treats as
/// done, where `println!` would panic.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)?
    }};
}

/// roster: a self-hostable backend for coaching organizations.
#[derive(Debug, Parser)]
#[command(name = "roster", version, about)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print an access token for an account (for operators); it lives `auth.token_ttl_s` in a session
    /// of its own that `POST /auth/logout-all` and a password change revoke.
    Token {
        /// The account's e-mail.
        #[arg(long)]
        email: String,
    },
    /// Create a demo club with a head coach, an assistant coach and athletes, and print their logins.
    Demo,
    /// Generate a synthetic database at scale (for benchmarks) and print a big organization's id and logins.
    Seed(SeedArgs),
    /// Recompute every derived copy (docs/read-model.md) from the source tables and report drift (exit 1).
    Check {
        /// Rewrite the copies that drifted (in one transaction); exit 0 once none is left.
        #[arg(long)]
        repair: bool,
    },
    /// Copy the SQLite database to a new file while the server runs (on
    /// PostgreSQL: print the pg_dump command to use instead).
    Backup {
        /// The file to write; it must not exist.
        path: std::path::PathBuf,
    },
}

/// `roster seed` options.
#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// Organizations of `--athletes-per-org` athletes.
    #[arg(long, default_value_t = 100)]
    pub orgs: u32,
    /// Athletes in each of those organizations.
    #[arg(long, default_value_t = 1000)]
    pub athletes_per_org: u32,
    /// Athletes of one more, big organization (0: none).
    #[arg(long, default_value_t = 10_000)]
    pub big_org: u32,
    /// Assistant coaches per organization, besides the head coach.
    #[arg(long, default_value_t = 3)]
    pub assistants_per_org: u32,
    /// Random seed (default: the current time, so repeated runs add new accounts).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Weeks of activity history for the athletes of the big organization and
    /// of the first regular one (which also get race goals, zones,
    /// integrations, groups, plans and assignments); 0: none of that.
    #[arg(long, default_value_t = 12)]
    pub activity_weeks: u32,
}

fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let url = settings.database_url()?;
    Store::open_with(&url, settings.database.pool_size.unwrap_or(2), settings.database.connect_timeout())
        .context("database")
}

/// Runs the command line.
pub async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load()?;
    crate::telemetry::init(&settings);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let bind = settings.server.bind;
            let app = Application::build(settings)?;
            tracing::info!(%bind, port = app.port(), "roster is listening");
            // Once the workers have built their apps, start-up is over.
            actix_web::rt::spawn(async {
                actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
                crate::allocator::settle();
            });
            app.run_until_stopped().await?;
            tracing::info!("roster stopped");
        }
        Command::Migrate => {
            let url = settings.database_url()?;
            let pool = roster_store::connect_with(&url, 1, settings.database.connect_timeout())?;
            let ran = roster_store::run_migrations(&mut *pool.get()?)?;
            out!("applied {ran} migration(s)");
        }
        Command::Token { email } => {
            let store = open_store(&settings)?;
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("--email: {e}"))?;
            let user = store.user_by_email(&email)?.context("no account has that e-mail")?.user;
            let secret = crate::startup::jwt_secret_for(&settings)?;
            let keys = TokenKeys::new(&secret, settings.auth.token_ttl_s);
            // A session of its own, without a refresh token: signing the
            // account out everywhere (or a password change) revokes it too.
            let now = SystemClock.now();
            let session = roster_domain::services::sessions::start_unrefreshable(
                &store,
                &SystemClock,
                user.user_id,
                keys.expiry(now),
            )?;
            let (token, expires_at) = keys.issue(user.user_id, session, now).map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!("# expires {expires_at}");
            out!("{token}");
        }
        Command::Demo => demo(&settings)?,
        Command::Seed(args) => seed(&settings, &args)?,
        Command::Check { repair } => {
            if !check(&settings, repair)? {
                std::process::exit(1);
            }
        }
        Command::Backup { path } => backup(&settings, &path)?,
    }
    Ok(())
}

/// `roster backup PATH`. On PostgreSQL no backup is made: the `pg_dump`
/// command goes to stdout and the exit status says nothing was copied, so a
/// backup script cannot mistake it for a backup.
fn backup(settings: &Settings, path: &std::path::Path) -> anyhow::Result<()> {
    use roster_store::backup::BackupError;
    let url = settings.database_url()?;
    let started = std::time::Instant::now();
    match roster_store::backup::backup(&url, path) {
        Ok(bytes) => {
            eprintln!(
                "backed up to {} ({bytes} bytes, integrity ok) in {:.1} s",
                path.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Err(BackupError::UsePgDump(command)) => {
            out!("{command}");
            bail!(
                "no backup made: PostgreSQL databases are backed up with pg_dump (the command is above; the password, if any, comes from ~/.pgpass or PGPASSWORD)"
            )
        }
        Err(e) => bail!("backup: {e}"),
    }
}

const DEMO_PASSWORD: &str = "DemoPass123";

fn demo_account(store: &Store, hasher: &Argon2Hasher, email: &str, first: &str, last: &str) -> anyhow::Result<User> {
    let new =
        NewAccount::parse(&SignupInput { email, password: DEMO_PASSWORD, first_name: first, last_name: Some(last) })?;
    match accounts::signup(store, hasher, &SystemClock, new, true) {
        Ok(user) => Ok(user),
        Err(DomainError::Conflict(_)) => {
            Ok(store.user_by_email(&Email::parse(email)?)?.context("account vanished")?.user)
        }
        Err(e) => Err(e.into()),
    }
}

/// Creates (or finds) the demo club and prints its logins.
fn demo(settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings)?;
    let hasher = Argon2Hasher::new().map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    let head = demo_account(&store, &hasher, "head.coach@demo.roster.dev", "Hana", "Okafor")?;
    let assistant = demo_account(&store, &hasher, "assistant@demo.roster.dev", "Luis", "Moreno")?;
    let org_id = match store.headed_by(head.user_id)? {
        Some(org_id) => org_id,
        None => {
            let new = organizations::NewOrganization {
                name: OrgName::parse("Riverside Running Club")?,
                description: Description::parse("Demo club created by `roster demo`.")?,
                timezone: Timezone::parse("Europe/London")?,
            };
            let org_id = organizations::create(&store, &SystemClock, head.user_id, new)?.org.org_id;
            coaches::add(
                &roster_domain::Context::new(&store, head.user_id).with_clock(&SystemClock),
                org_id,
                &coaches::AccountRef::Id(assistant.user_id),
                &settings.public_base_url,
            )?;
            org_id
        }
    };
    let athletes = [
        ("maya", "Maya", "Chen"),
        ("tom", "Tom", "Becker"),
        ("aisha", "Aisha", "Khan"),
        ("jon", "Jon", "Silva"),
        ("eva", "Eva", "Novak"),
    ];
    for (i, (handle, first, last)) in athletes.iter().enumerate() {
        let athlete = demo_account(&store, &hasher, &format!("{handle}@demo.roster.dev"), first, last)?;
        if store.live_membership(org_id, athlete.user_id)?.is_some() {
            continue;
        }
        let now = SystemClock.now();
        let mut membership = Membership::start(org_id, athlete.user_id, Role::Athlete, now);
        membership.assigned_to_coach_id = Some(if i % 2 == 0 { assistant.user_id } else { head.user_id });
        let event =
            AuditEvent::new(org_id, head.user_id, "member.added", Some(athlete.user_id), serde_json::json!({}), now);
        if let Err(e) = store.add_membership(&membership, &event) {
            bail!("adding demo athlete {handle}: {e}");
        }
    }
    out!("Demo club ready: Riverside Running Club (org_id {org_id})");
    out!(
        "Console: {}/   API: {}/api/v1   docs: {}/docs/",
        settings.public_base_url,
        settings.public_base_url,
        settings.public_base_url
    );
    out!("Every demo login uses the password {DEMO_PASSWORD}:");
    out!("  head coach       head.coach@demo.roster.dev");
    out!("  assistant coach  assistant@demo.roster.dev");
    for (handle, _, _) in athletes {
        out!("  athlete          {handle}@demo.roster.dev");
    }
    Ok(())
}

/// Prints each derived copy's drift; with `repair`, repairs it and checks
/// again. True when nothing is (left) drifted.
fn check(settings: &Settings, repair: bool) -> anyhow::Result<bool> {
    let store = open_store(settings)?;
    let thresholds = settings.attention_thresholds();
    let report = store.check_read_model(SystemClock.now(), &thresholds, repair)?;
    for drift in &report.copies {
        let state = match (drift.rows, repair) {
            (0, _) => "ok".to_owned(),
            (n, false) => format!("DRIFT in {n} row(s), e.g. {}", drift.examples.join(", ")),
            (n, true) => format!("repaired {n} row(s), e.g. {}", drift.examples.join(", ")),
        };
        out!("{:<45} {state}", drift.copy);
    }
    if !repair {
        return Ok(report.drifted_rows() == 0);
    }
    let left = store.check_read_model(SystemClock.now(), &thresholds, false)?.drifted_rows();
    if left > 0 {
        out!("{left} row(s) still drift after the repair");
    }
    Ok(left == 0)
}

/// The password of every seeded account.
pub const SEED_PASSWORD: &str = "SeedPass123";

/// Generates synthetic organizations and prints what a benchmark needs as `key=value` lines.
fn seed(settings: &Settings, args: &SeedArgs) -> anyhow::Result<()> {
    use roster_domain::ports::PasswordHasher as _;
    let store = open_store(settings)?;
    let hasher = Argon2Hasher::new().map_err(|e| anyhow::anyhow!("argon2: {e}"))?;
    let password_hash = hasher.hash(&roster_domain::values::Password::parse(SEED_PASSWORD)?)?;
    let seed = args.seed.unwrap_or_else(|| u64::try_from(SystemClock.now().timestamp_micros()).unwrap_or(1));
    let opts = roster_store::seed::SeedOptions {
        orgs: args.orgs,
        athletes_per_org: args.athletes_per_org,
        big_org: args.big_org,
        assistants_per_org: args.assistants_per_org,
        password_hash,
        seed,
    };
    let started = std::time::Instant::now();
    let report = store.seed(&opts)?;
    eprintln!(
        "seeded {} organizations and {} athletes in {:.1} s (password of every account: {SEED_PASSWORD})",
        report.orgs.len() + usize::from(report.big_org.is_some()),
        report.athletes,
        started.elapsed().as_secs_f64()
    );
    let print = |prefix: &str, org: &roster_store::seed::SeededOrg| -> std::io::Result<()> {
        out!("{prefix}_org_id={}", org.org_id);
        out!("{prefix}_athletes={}", org.athletes);
        out!("{prefix}_head_coach_email={}", org.head_coach_email);
        if let Some(coach) = org.assistant_ids.first() {
            out!("{prefix}_coach_id={coach}");
        }
        Ok(())
    };
    if let Some(big) = &report.big_org {
        print("big", big)?;
    }
    if let Some(first) = report.orgs.first() {
        print("small", first)?;
    }
    if args.activity_weeks > 0 {
        let now = SystemClock.now();
        let orgs = report.big_org.iter().map(|o| ("big", o)).chain(report.orgs.first().map(|o| ("small", o)));
        for (prefix, org) in orgs {
            let started = std::time::Instant::now();
            let data = store.seed_athlete_data(org.org_id, args.activity_weeks, seed, now)?;
            let plans = store.seed_plans_and_groups(org.org_id, org.head_coach_id, &data.athlete_ids, 10, 6, now)?;
            let sessions = store.seed_workout_activities(org.org_id, &plans.past_sessions, seed, now)?;
            eprintln!(
                "{prefix} organization: {} activities over {} weeks, {} race goals, {} zones, {} integrations, \
                 {} plan assignments in {:.1} s; of {} past planned sessions, runs of 80 % or more on {}, \
                 50-79 % on {}, none or less on {}",
                data.activities + sessions.runs,
                args.activity_weeks,
                data.race_goals,
                data.zones,
                data.integrations,
                plans.assignments,
                started.elapsed().as_secs_f64(),
                plans.past_sessions.len(),
                sessions.full,
                sessions.part,
                sessions.none,
            );
            if let Some(athlete) = data.athlete_ids.first() {
                out!("{prefix}_athlete_id={athlete}");
            }
        }
    }
    // A running server keeps every status current (its refresher); the
    // seed leaves them so too, before the statistics and the compaction,
    // so that a benchmark starts from that steady state.
    let started = std::time::Instant::now();
    let orgs = store.refresh_stale_statuses(SystemClock.now(), &settings.attention_thresholds())?;
    eprintln!("computed the stored statuses of {orgs} organizations in {:.1} s", started.elapsed().as_secs_f64());
    let started = std::time::Instant::now();
    store.compact()?;
    eprintln!("compacted the database in {:.1} s", started.elapsed().as_secs_f64());
    out!("password={SEED_PASSWORD}");
    Ok(())
}
