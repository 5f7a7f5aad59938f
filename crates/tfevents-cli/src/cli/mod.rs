//! The command-line tool's subcommands, one module each.

pub mod check;
pub mod export;
pub mod follow;
pub mod ls;

/// What a subcommand returns.
pub type CliResult = Result<std::process::ExitCode, Box<dyn std::error::Error>>;
