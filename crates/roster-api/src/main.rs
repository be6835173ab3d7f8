//! The `roster` binary.

// mimalloc gives freed memory back to the system: with glibc's malloc each
// blocking thread kept an arena holding Argon2's buffers after a login burst.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Before the runtime starts its threads.
    roster_api::allocator::tune();
    let result = actix_web::rt::System::new().block_on(roster_api::cli::main());
    if let Err(e) = result {
        // The output's reader stopped reading (`roster seed | head`): done.
        let stopped = |c: &(dyn std::error::Error + 'static)| {
            c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
        };
        if e.chain().any(stopped) {
            return;
        }
        // One line that names what is wrong (settings errors name the setting).
        eprintln!("roster: {e:#}");
        std::process::exit(1);
    }
}
