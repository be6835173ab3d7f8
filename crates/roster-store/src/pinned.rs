//! One pooled connection per use case: [`crate::Store::pinned`] marks the
//! current thread, the first repository call checks a connection out, and
//! later calls on the same thread reuse it until the use case ends.
//!
//! Use cases run synchronously on one blocking thread, so a thread-local is
//! exactly the scope of one use case. A connection is only pinned inside
//! `pinned`, and only for the store that pinned it (a [`PinKey`]): another
//! store used on the same thread, and every call outside `pinned`, takes its
//! own connection from its own pool.

use crate::conn::DbConn;
use crate::error::StoreError;
use crate::pool::{DbPool, PooledConn};
use std::cell::RefCell;

/// Which store (and so which pool) a pinned connection belongs to: the
/// address of an allocation every clone of one `Store` shares.
pub(crate) type PinKey = usize;

enum Slot {
    /// Not inside `pinned`.
    Off,
    /// Inside `pinned` for this store, no connection taken yet.
    Waiting(PinKey),
    /// Inside `pinned` for this store, holding this connection of its pool.
    Held(PinKey, Box<PooledConn>),
}

thread_local! {
    static SLOT: RefCell<Slot> = const { RefCell::new(Slot::Off) };
}

/// Clears the slot when `run` ends, also on a panic.
struct ClearOnExit;

impl Drop for ClearOnExit {
    fn drop(&mut self) {
        // Dropping the held connection returns it to its pool.
        let _ = SLOT.try_with(|slot| slot.replace(Slot::Off));
    }
}

/// Runs `f` with the thread's repository calls on the store `key` sharing
/// one connection of its pool.
pub(crate) fn run<T>(key: PinKey, f: impl FnOnce() -> T) -> T {
    let nested = SLOT.with(|slot| {
        let mut slot = slot.borrow_mut();
        if matches!(*slot, Slot::Off) {
            *slot = Slot::Waiting(key);
            false
        } else {
            true
        }
    });
    if nested {
        return f();
    }
    let _clear = ClearOnExit;
    f()
}

/// Runs `f` on the pinned connection when the store `key` has one (taking it
/// from `pool` at the first call), else on a connection of its own.
pub(crate) fn with_conn<T>(
    key: PinKey,
    pool: &DbPool,
    f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    SLOT.with(|slot| {
        // Busy: a call made while another holds the pinned connection.
        let Ok(mut guard) = slot.try_borrow_mut() else { return own(pool, f) };
        match &mut *guard {
            Slot::Waiting(pinned) if *pinned == key => {
                let mut conn = Box::new(PooledConn::get(pool)?);
                let out = conn.run(f);
                *guard = Slot::Held(key, conn);
                out
            }
            Slot::Held(pinned, conn) if *pinned == key => conn.run(f),
            // Not pinned, or pinned for another store.
            _ => {
                drop(guard);
                own(pool, f)
            }
        }
    })
}

fn own<T>(pool: &DbPool, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
    PooledConn::get(pool)?.run(f)
}
