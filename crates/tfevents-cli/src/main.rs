//! `tfevents`: list, export and check TensorBoard log directories.

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// TensorBoard log directories from the command line: list, export, verify.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List runs, tags, kinds, counts and step ranges.
    Ls {
        /// The log directory.
        logdir: PathBuf,
    },
    /// Export every run's data.
    Export {
        /// The log directory.
        logdir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Verify every record of every event file; exit status 1 on corruption.
    Check {
        /// The log directory.
        logdir: PathBuf,
    },
}

/// Export formats.
#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// One JSON document (see tools/EXPORT_SCHEMA.md).
    Json,
    /// `run,tag,step,wall_time,value` rows for the scalars.
    Csv,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::Ls { logdir } => cli::ls::run(&logdir),
        Command::Export {
            logdir,
            format,
            output,
        } => cli::export::run(&logdir, matches!(format, Format::Json), output.as_deref()),
        Command::Check { logdir } => cli::check::run(&logdir),
    };
    match result {
        Ok(code) => code,
        // `ls DIR | head` closing the pipe is not an error.
        Err(e)
            if e.downcast_ref::<std::io::Error>().map(|io| io.kind())
                == Some(std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
