//! The integration suite: one test binary (faster to link than one per file), one module per
//! area. Fixture sites live in `tests/fixtures/`; see `invalid.rs` for how snapshots update.

mod build;
mod charts;
mod commands;
mod common;
mod corpus;
mod crash;
mod diff;
mod hostile;
mod invalid;
mod properties;
mod server;
mod tidy;
mod workflow;
