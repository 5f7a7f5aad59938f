//! The command-line tool's subcommands, one module each.

pub mod check;
pub mod export;
pub mod follow;
pub mod ls;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod reduce;
mod reduce_align;
mod reduce_stats;
mod run_source;

/// What a subcommand returns.
pub type CliResult = Result<std::process::ExitCode, Box<dyn std::error::Error>>;
