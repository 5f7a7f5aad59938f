//! Runs as tables: Arrow [`RecordBatch`]es with tbparse's table shapes (feature `arrow`), so
//! a Rust user goes straight to Polars or DataFusion, and `tfevents export --format parquet`
//! writes them as Parquet.
//!
//! A run is read once into a [`RunTables`] (every kind the caller asked for, in memory for
//! that run only), which then gives one batch per [`TableKind`]:
//!
//! | kind | columns |
//! | --- | --- |
//! | `scalars` | run, tag, step, wall_time, value |
//! | `tensors` | run, tag, step, wall_time, plugin, dtype, shape, value, string_value |
//! | `histograms` | run, tag, step, wall_time, min, max, num, sum, sum_squares, limits, counts |
//! | `images` | run, tag, step, wall_time, width, height, colorspace, value (the encoded image) |
//! | `audio` | run, tag, step, wall_time, content_type, length_frames, sample_rate, num_channels, value (the encoded audio) |
//! | `text` | run, tag, step, wall_time, value |
//! | `hparams` | run, kind, tag, value, value_string, value_bool, step, wall_time, status |
//! | `pr_curves` | run, tag, step, wall_time, num_thresholds, thresholds, true_positives, false_positives, true_negatives, false_negatives, precision, recall |
//!
//! The names follow tbparse's `SummaryReader` (with `extra_columns` asking for every column
//! it has): `tag`, `step`, `value`, `wall_time`, histograms' `limits` and `counts` list
//! columns and `min`/`max`/`num`/`sum`/`sum_squares`, images' `width`/`height`, audio's
//! `content_type`/`length_frames`/`sample_rate`. `run` is the run's name as
//! [`discover_runs`](super::discover_runs) gives it (tbparse's `dir_name`, but `.` for the log
//! directory itself where tbparse writes an empty string). Rows are sorted by run, tag and
//! step (stable: values at one step keep their file order), as tbparse sorts them.
//!
//! Where the shapes differ from tbparse, on purpose:
//! - images and audio hold the *encoded* bytes (PNG or GIF, WAV) in `value`: tbparse decodes
//!   them with TensorFlow, which a Parquet file cannot hold any better than the bytes, and
//!   the bytes keep the file self-contained (no folder of loose files beside it);
//!   `PIL.Image.open(io.BytesIO(value))` gives tbparse's pixels back.
//! - scalars and histograms written TF2-style (tensors of the `scalars` and `histograms`
//!   plugins) are in `scalars` and `histograms`, as TensorBoard's dashboards show them;
//!   tbparse leaves them in `tensors`.
//! - `hparams` holds each trial's hyperparameters *and* its metrics (the last value of each
//!   metric tag the experiment names, with its step) and the trial's status; tbparse reads
//!   only the hyperparameters. `pr_curves` (which tbparse lacks) splits each curve's `[6, N]`
//!   tensor into named list columns; the raw tensor is also in `tensors`, as in tbparse.
//! - a `SessionLog START` at step `s` drops the run's earlier points with a step `>= s`
//!   across all of the run's files, as TensorBoard does; tbparse applies it per file.
//!
//! Non-finite values are kept as they are (NaN, +inf, -inf in the float columns).
//!
//! ```no_run
//! use tfevents::reader::table::{RunTables, TableKind};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! for run in tfevents::reader::discover_runs("runs")? {
//!     let tables = RunTables::read(&run, &TableKind::ALL);
//!     let scalars = tables.batch(TableKind::Scalars)?;
//!     println!("{}: {} scalar rows", run.name, scalars.num_rows());
//! }
//! # Ok(())
//! # }
//! ```
//!
//! [`RecordBatch`]: arrow_array::RecordBatch

mod batch;
mod collect;
mod columns;
mod hparams;
mod kind;
mod pivot;

pub use collect::RunTables;
pub use kind::{TableKind, UnknownTableKind};
pub use pivot::{pivot_column_name, pivot_schema, PIVOT_KEY_COLUMNS};

pub use arrow_array::RecordBatch;
pub use arrow_schema::{ArrowError, SchemaRef};
