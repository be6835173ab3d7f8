//! One pooled connection per use case: [`crate::Store::pinned`] marks the
//! current thread, the first repository call checks a connection out, and
//! later calls on the same thread reuse it until the use case ends.
//!
//! Use cases run synchronously on one blocking thread, so a thread-local is
//! exactly the scope of one use case. A connection is only pinned inside
//! `pinned`; everywhere else each call takes its own from the pool.

use crate::conn::{DbConn, DbPool, PooledConn};
use crate::error::StoreError;
use std::cell::RefCell;

enum Slot {
    /// Not inside `pinned`.
    Off,
    /// Inside `pinned`, no connection taken yet.
    Waiting,
    /// Inside `pinned`, holding this connection.
    Held(Box<PooledConn>),
}

thread_local! {
    static SLOT: RefCell<Slot> = const { RefCell::new(Slot::Off) };
}

/// Clears the slot when `run` ends, also on a panic.
struct Unpin;

impl Drop for Unpin {
    fn drop(&mut self) {
        // Dropping the held connection returns it to its pool.
        let _ = SLOT.try_with(|slot| slot.replace(Slot::Off));
    }
}

/// Runs `f` with the thread's repository calls sharing one connection of `pool`.
pub(crate) fn run<T>(f: impl FnOnce() -> T) -> T {
    let nested = SLOT.with(|slot| {
        let mut slot = slot.borrow_mut();
        if matches!(*slot, Slot::Off) {
            *slot = Slot::Waiting;
            false
        } else {
            true
        }
    });
    if nested {
        return f();
    }
    let _unpin = Unpin;
    f()
}

/// Runs `f` on the pinned connection when there is one (taking it from
/// `pool` at the first call), else on a connection of its own.
pub(crate) fn with_conn<T>(
    pool: &DbPool,
    f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    SLOT.with(|slot| {
        // Busy: a call made while another holds the pinned connection.
        let Ok(mut guard) = slot.try_borrow_mut() else { return own(pool, f) };
        match &mut *guard {
            Slot::Off => {
                drop(guard);
                own(pool, f)
            }
            Slot::Waiting => {
                let mut conn = Box::new(pool.get()?);
                let out = f(&mut conn);
                *guard = Slot::Held(conn);
                out
            }
            Slot::Held(conn) => f(conn),
        }
    })
}

fn own<T>(pool: &DbPool, f: impl FnOnce(&mut DbConn) -> Result<T, StoreError>) -> Result<T, StoreError> {
    let mut conn = pool.get()?;
    f(&mut conn)
}
