//! Training load arithmetic: weeks, weekly totals and load windows over activities.
