//! Insights: short, data-backed sentences about an athlete's training.
