//! Training plans and their assignment to athletes with a start date.
