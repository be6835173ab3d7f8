//! Use cases: load, decide with the rules, ask the store to commit atomically.
//! Each takes its ports and a [`Clock`](crate::Clock) as arguments, resolves
//! its caller into a [`policy::Actor`](crate::policy::Actor) and asks
//! [`policy::authorize`](crate::policy::authorize) before it reads or writes.

pub mod accounts;
pub mod api_keys;
pub mod athlete;
pub mod attention;
pub mod audit;
pub mod bulk;
pub mod calendar;
pub mod coaches;
pub mod groups;
pub mod invitations;
pub mod members;
pub mod organizations;
pub mod password_reset;
pub mod plans;
pub mod privacy;
pub mod profile;
pub mod roster_export;
pub mod roster_import;
pub mod sessions;
pub mod webhooks;

use crate::error::{Conflict, DomainError};

/// How many times a write without a version is tried against writes racing it.
const LATEST_WINS_TRIES: usize = 32;

/// Runs `attempt` (a read, then a write conditional on the version read)
/// again while another write slips in between, when the client named no
/// version (`expected` is `None`): a write without `If-Match` applies to
/// the latest version, and never loses a race with `version_mismatch`. With
/// a version, the first answer stands.
pub(crate) fn latest_wins<T>(
    expected: Option<i64>,
    mut attempt: impl FnMut() -> Result<T, DomainError>,
) -> Result<T, DomainError> {
    let mut tries = 1;
    loop {
        match attempt() {
            Err(DomainError::Conflict(Conflict::VersionMismatch))
                if expected.is_none() && tries < LATEST_WINS_TRIES =>
            {
                tries += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod latest_wins_tests {
    use super::*;

    #[test]
    fn a_write_without_a_version_is_tried_again_and_one_with_a_version_is_not() {
        let mut lost = 3;
        let answer = latest_wins(None, || {
            if lost > 0 {
                lost -= 1;
                Err(Conflict::VersionMismatch.into())
            } else {
                Ok("written")
            }
        });
        assert_eq!(answer.unwrap(), "written");
        let mut tries = 0;
        let refused: Result<(), _> = latest_wins(Some(4), || {
            tries += 1;
            Err(Conflict::VersionMismatch.into())
        });
        assert!(matches!(refused, Err(DomainError::Conflict(Conflict::VersionMismatch))) && tries == 1);
        let mut tries = 0;
        let gave_up: Result<(), _> = latest_wins(None, || {
            tries += 1;
            Err(Conflict::VersionMismatch.into())
        });
        assert!(gave_up.is_err() && tries == LATEST_WINS_TRIES);
        let mut tries = 0;
        let other: Result<(), _> = latest_wins(None, || {
            tries += 1;
            Err(DomainError::NotFound("member"))
        });
        assert!(matches!(other, Err(DomainError::NotFound(_))) && tries == 1);
    }
}
