//! Attention signals: pure functions that say which athletes need a look.
