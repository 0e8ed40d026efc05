//! infrabrief: a static site generator for explainers of AI infrastructure.
//!
//! Bird's-eye view (ARCHITECTURE.md has the codemap and the invariants): a build is a pipeline
//! of four stages, each a top-level module, run in order by [`pipeline::build`]:
//!
//! 1. [`load`] reads the site folder into raw structs with spans (the only reader of files);
//! 2. [`model`] validates them into typed values, collecting every [`diag::Diagnostic`];
//! 3. [`render`] turns the model into an in-memory [`render::Output`] (pure: no IO, no clock);
//! 4. [`output`] writes that output atomically (the only writer).
//!
//! [`cmd`] holds the thin subcommands that chain the stages, [`cli`] the clap types.

pub mod check;
pub mod cli;
pub mod cmd;
pub mod diag;
pub mod diff;
pub mod load;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod render;
