//! The roster: member attributes, the filtered and paged roster query, profile status.
