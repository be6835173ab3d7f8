//! The server's allocator settings. The `roster` binary allocates with
//! mimalloc, which gives freed memory back to the system; its defaults hold
//! on to it for a second after the last free and commit each arena up front,
//! and a server that then goes quiet never calls back into the allocator to
//! let it go. Measured on this project's seed (`/proc/PID/status`, SQLite, the
//! filtered roster page under `wrk -c16`): anonymous memory after the load
//! 45 MiB with the defaults, 20 MiB with immediate purging and arenas
//! committed on demand, at the same throughput (2 014 / 2 021 req/s).

/// mimalloc's `mi_option_arena_eager_commit` (mimalloc 3's `mi_option_e`).
const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
/// mimalloc's `mi_option_purge_delay`, in milliseconds.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Purges freed memory at once and commits arenas on demand, unless the
/// environment sets the option (`MIMALLOC_PURGE_DELAY`,
/// `MIMALLOC_ARENA_EAGER_COMMIT`, which mimalloc reads itself). Call it first
/// thing in `main`.
pub fn tune() {
    for (option, name, value) in
        [(PURGE_DELAY, "MIMALLOC_PURGE_DELAY", 0), (ARENA_EAGER_COMMIT, "MIMALLOC_ARENA_EAGER_COMMIT", 0)]
    {
        if std::env::var_os(name).is_none() {
            set(option, value);
        }
    }
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
fn get(option: libmimalloc_sys::mi_option_t) -> i64 {
    // SAFETY: reads a number from mimalloc's option table.
    i64::from(unsafe { libmimalloc_sys::mi_option_get(option) })
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
        }
    }
}
