//! The sports roster knows, shared by training plans and activities.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A sport. The wire names are `run`, `bike`, `swim`, `strength` and `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Sport {
    /// Running.
    Run,
    /// Cycling.
    Bike,
    /// Swimming.
    Swim,
    /// Strength training.
    Strength,
    /// Anything else.
    Other,
}

impl Sport {
    /// Every sport, in wire order.
    pub const ALL: [Sport; 5] = [Sport::Run, Sport::Bike, Sport::Swim, Sport::Strength, Sport::Other];

    /// The wire (and database) name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Sport::Run => "run",
            Sport::Bike => "bike",
            Sport::Swim => "swim",
            Sport::Strength => "strength",
            Sport::Other => "other",
        }
    }
}

impl fmt::Display for Sport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a sport.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sport `{0}`; expected run, bike, swim, strength or other")]
pub struct UnknownSport(pub String);

impl FromStr for Sport {
    type Err = UnknownSport;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Sport::ALL.into_iter().find(|sport| sport.as_str() == s).ok_or_else(|| UnknownSport(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sports_round_trip_through_their_names() {
        for sport in Sport::ALL {
            assert_eq!(sport.as_str().parse::<Sport>(), Ok(sport));
            assert_eq!(serde_json::to_string(&sport).ok(), Some(format!("\"{sport}\"")));
        }
        assert!("running".parse::<Sport>().is_err());
    }
}
