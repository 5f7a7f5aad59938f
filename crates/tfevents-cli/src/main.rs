//! `tfevents`: list, export and check TensorBoard log directories.

mod cli;
#[cfg(feature = "serve")]
mod serve;

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
    /// List runs, tags, kinds, counts and step ranges. A damaged file is listed up to the
    /// damage and noted.
    Ls {
        /// The log directory: a path, or a URL (file://, and s3://, gs://, az:// with the
        /// `remote` feature).
        logdir: String,
        #[command(flatten)]
        follow: FollowArgs,
    },
    /// Export every run's data. A damaged file contributes its records before the damage,
    /// with a warning on standard error.
    Export {
        /// The log directory: a path, or a URL (file://, and s3://, gs://, az:// with the
        /// `remote` feature).
        logdir: String,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        #[command(flatten)]
        follow: FollowArgs,
    },
    /// Verify every record of every event file; exit status 1 on corruption.
    Check {
        /// The log directory: a path, or a URL (file://, and s3://, gs://, az:// with the
        /// `remote` feature).
        logdir: String,
    },
    /// Serve a log directory to TensorBoard as its data provider (gRPC): stock TensorBoard's
    /// UI on it through `--grpc_data_provider` or `TENSORBOARD_DATA_SERVER_BINARY`.
    #[cfg(feature = "serve")]
    Serve(serve::ServeArgs),
}

/// Export formats.
#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// One JSON document (see tools/EXPORT_SCHEMA.md).
    Json,
    /// `run,tag,step,wall_time,value` rows for the scalars.
    Csv,
}

/// `--follow` and its options, shared by `ls` and `export`.
#[derive(clap::Args)]
struct FollowArgs {
    /// Keep reading what the runs' writers append: `ls` lists again when anything changed,
    /// `export` prints the new scalar rows (CSV only: a JSON document cannot grow).
    #[arg(long)]
    follow: bool,
    /// Seconds between two reads with --follow.
    #[arg(long, default_value_t = 2.0, requires = "follow")]
    interval: f64,
    /// With --follow: stop after this many reads (default: until interrupted).
    #[arg(long, requires = "follow")]
    polls: Option<u64>,
}

impl FollowArgs {
    fn options(&self) -> Result<Option<cli::follow::Follow>, Box<dyn std::error::Error>> {
        if !self.follow {
            return Ok(None);
        }
        Ok(Some(cli::follow::Follow::new(self.interval, self.polls)?))
    }
}

fn main() -> ExitCode {
    // TensorBoard starts the data server with flags only (`tfevents --logdir=... --port=0`).
    #[cfg(feature = "serve")]
    let args = Args::parse_from(serve::as_data_server(std::env::args_os().collect()));
    #[cfg(not(feature = "serve"))]
    let args = Args::parse();
    let result = match args.command {
        Command::Ls { logdir, follow } => match follow.options() {
            Ok(follow) => cli::ls::run(&logdir, follow),
            Err(e) => Err(e),
        },
        Command::Export {
            logdir,
            format,
            output,
            follow,
        } => match follow.options() {
            Ok(Some(_)) if matches!(format, Format::Json) => Err(
                "--follow streams rows, which JSON cannot: use --format csv with --follow".into(),
            ),
            Ok(Some(follow)) => cli::export::follow_csv(&logdir, output.as_deref(), &follow),
            Ok(None) => {
                cli::export::run(&logdir, matches!(format, Format::Json), output.as_deref())
            }
            Err(e) => Err(e),
        },
        Command::Check { logdir } => cli::check::run(&logdir),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(args),
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
