//! The `roster` binary.

#[actix_web::main]
async fn main() {
    if let Err(e) = roster_api::cli::main().await {
        // One line that names what is wrong (settings errors name the setting).
        eprintln!("roster: {e:#}");
        std::process::exit(1);
    }
}
