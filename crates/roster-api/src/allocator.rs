//! The server's allocator settings. The `roster` binary allocates with
//! mimalloc, which gives freed memory back to the system; by default it
//! commits each arena up front and holds freed memory for a second, and a
//! server that then goes quiet never calls back into the allocator to let it
//! go. Here arenas are committed on demand (`.cargo/config.toml`), freed
//! memory is purged at once during start-up, and 10 ms after it is freed
//! once the server is up ([`settle`]): purging at once for good made every
//! login fault Argon2's buffer in again, and a delay from the start left
//! start-up's garbage on the workers (figures in `docs/performance.md`).

/// mimalloc's `mi_option_arena_eager_commit` (mimalloc 3's `mi_option_e`).
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
/// mimalloc's `mi_option_purge_delay`, in milliseconds.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Purges freed memory at once and commits arenas on demand, unless the
/// environment sets the option (`MIMALLOC_PURGE_DELAY`,
/// `MIMALLOC_ARENA_EAGER_COMMIT`, which mimalloc reads itself). Call it first
/// thing in `main`.
pub fn tune() {
    set_unless_in_env(PURGE_DELAY, "MIMALLOC_PURGE_DELAY", 0);
    set_unless_in_env(ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT", 0);
}

/// Once start-up is over: gives back what the calling thread and the arenas
/// hold free, and from now on purges freed memory after 10 ms, so that a
/// busy server reuses it (a login's Argon2 buffer) instead of faulting it in
/// again, and an idle one still lets it go.
pub fn settle() {
    release_free_memory();
    set_unless_in_env(PURGE_DELAY, "MIMALLOC_PURGE_DELAY", 10);
}

fn set_unless_in_env(option: libmimalloc_sys::mi_option_t, name: &str, value: std::ffi::c_long) {
    if std::env::var_os(name).is_none() {
        set(option, value);
    }
}

#[allow(unsafe_code)]
fn release_free_memory() {
    // SAFETY: `mi_collect` only frees memory no allocation uses.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

#[allow(unsafe_code)]
fn set(option: libmimalloc_sys::mi_option_t, value: std::ffi::c_long) {
    // SAFETY: `mi_option_set` stores a number in mimalloc's option table,
    // which mimalloc reads atomically; both options are ones it documents as
    // settable at any time, and `option` is one of the constants above.
    unsafe { libmimalloc_sys::mi_option_set(option, value) }
}

#[cfg(test)]
#[allow(unsafe_code)]
fn get(option: libmimalloc_sys::mi_option_t) -> std::ffi::c_long {
    // SAFETY: reads a number from mimalloc's option table.
    unsafe { libmimalloc_sys::mi_option_get(option) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers name the options meant: the purge delay reads its
    /// documented default until `tune` sets it, and arenas are committed on
    /// demand by the build's default (`.cargo/config.toml`), unless the
    /// environment set either.
    #[test]
    fn the_option_numbers_are_mimallocs_and_the_build_default_holds() {
        if std::env::var_os("MIMALLOC_ARENA_EAGER_COMMIT").is_none() {
            assert_eq!(get(ARENA_EAGER_COMMIT), 0);
        }
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            assert_eq!(get(PURGE_DELAY), 1000);
            tune();
            assert_eq!(get(PURGE_DELAY), 0);
            settle();
            assert_eq!(get(PURGE_DELAY), 10);
        }
    }
}
