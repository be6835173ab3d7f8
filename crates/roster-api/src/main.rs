//! The `roster` binary.

// mimalloc gives freed memory back to the system: with glibc's malloc each
// blocking thread kept an arena holding Argon2's buffers after a login burst.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() {
    if let Err(e) = roster_api::cli::main().await {
        // One line that names what is wrong (settings errors name the setting).
        eprintln!("roster: {e:#}");
        std::process::exit(1);
    }
}
