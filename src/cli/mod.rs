//! The command-line tool's subcommands, one module each.

pub mod check;
// Each example the demo includes brings its own copy of examples/common.
#[allow(clippy::duplicate_mod)]
pub mod demo;
pub mod export;
pub mod ls;

/// What a subcommand returns.
pub type CliResult = Result<std::process::ExitCode, Box<dyn std::error::Error>>;
