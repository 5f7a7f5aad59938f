//! `tfevents serve`'s flags: those TensorBoard passes when it starts a data server itself
//! (`--logdir=`, `--reload=`, `--samples-per-plugin=`, `--port=0`, `--port-file=`,
//! `--die-after-stdin`, `--error-file=`, `--verbose`), plus `--host`.

use std::path::PathBuf;
use std::time::Duration;

use super::sampling::SamplesPerPlugin;

/// Serve a log directory to TensorBoard as its data provider (gRPC).
///
/// Either run it and point TensorBoard at it:
///   tfevents serve LOGDIR --port 6806 & tensorboard --grpc_data_provider localhost:6806
/// or let TensorBoard start it:
///   TENSORBOARD_DATA_SERVER_BINARY=$(which tfevents) tensorboard --logdir LOGDIR --load_fast=true
#[derive(clap::Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ServeArgs {
    /// The log directory: a path, or a URL (`s3://`, `gs://`, `az://`, `file://`).
    #[arg(
        required_unless_present = "logdir_flag",
        conflicts_with = "logdir_flag"
    )]
    pub logdir: Option<String>,
    /// The log directory (the form TensorBoard passes).
    #[arg(long = "logdir", id = "logdir_flag", value_name = "LOGDIR")]
    pub logdir_flag: Option<String>,
    /// Address to listen on.
    #[arg(long, default_value = "localhost")]
    pub host: String,
    /// Port to listen on; 0 picks a free one (see --port-file).
    #[arg(long, default_value_t = 6806)]
    pub port: u16,
    /// Seconds between reloads of the log directory (new events, files and runs), or `once`.
    #[arg(long, default_value = "5", value_name = "SECS|once")]
    pub reload: Reload,
    /// Points kept per series, by plugin: `scalars=5000,images=all`. Defaults: 1000 scalars,
    /// 500 histograms, 10 images or audio clips, 100 other tensors.
    #[arg(long, default_value = "", value_name = "PLUGIN=N,...")]
    pub samples_per_plugin: SamplesPerPlugin,
    /// Write the port listened on to this file, followed by a newline.
    #[arg(long, value_name = "FILE")]
    pub port_file: Option<PathBuf>,
    /// Write a startup error (bad log directory, port in use) to this file.
    #[arg(long, value_name = "FILE")]
    pub error_file: Option<PathBuf>,
    /// Exit when standard input closes (TensorBoard holds it open while it runs).
    #[arg(long)]
    pub die_after_stdin: bool,
    /// Say more on standard error (repeat for more).
    #[arg(long, short, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

impl ServeArgs {
    /// The log directory, however it was given.
    pub fn logdir(&self) -> Option<&String> {
        self.logdir.as_ref().or(self.logdir_flag.as_ref())
    }
}

/// When to read the log directory again.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reload {
    /// Read it once, at startup.
    Once,
    /// Read it again after each pause.
    Every(Duration),
}

impl std::str::FromStr for Reload {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "once" {
            return Ok(Reload::Once);
        }
        match s.parse::<f64>() {
            Ok(secs) if secs > 0.0 && secs.is_finite() => {
                Ok(Reload::Every(Duration::from_secs_f64(secs)))
            }
            _ => Err(format!(
                "`{s}` is not a number of seconds above 0 nor `once`"
            )),
        }
    }
}

/// Arguments as TensorBoard gives them when it starts the binary named by
/// `TENSORBOARD_DATA_SERVER_BINARY`, with no subcommand (`tfevents --logdir=... --port=0 ...`),
/// become `tfevents serve --logdir=...`; any other command line is left as is.
pub fn as_data_server(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let spawned_by_tensorboard = args
        .get(1)
        .and_then(|a| a.to_str())
        .is_some_and(|a| a == "--logdir" || a.starts_with("--logdir="));
    if !spawned_by_tensorboard {
        return args;
    }
    let mut out = Vec::with_capacity(args.len() + 1);
    let mut rest = args.into_iter();
    out.extend(rest.next());
    out.push("serve".into());
    out.extend(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reload_values() {
        assert_eq!("once".parse::<Reload>(), Ok(Reload::Once));
        assert_eq!(
            "5".parse::<Reload>(),
            Ok(Reload::Every(Duration::from_secs(5)))
        );
        for bad in ["0", "-1", "5s", "", "inf"] {
            assert!(bad.parse::<Reload>().is_err(), "{bad}");
        }
    }

    #[test]
    fn tensorboard_command_lines_become_serve() {
        let tb = ["tfevents", "--logdir=/x", "--port=0"]
            .map(Into::into)
            .to_vec();
        let got = as_data_server(tb);
        assert_eq!(got.get(1).and_then(|a| a.to_str()), Some("serve"));
        assert_eq!(got.len(), 4);
        let ls: Vec<std::ffi::OsString> = ["tfevents", "ls", "--logdir"].map(Into::into).to_vec();
        assert_eq!(as_data_server(ls.clone()), ls);
    }
}
