//! Training plan use cases: the library and assignments.
