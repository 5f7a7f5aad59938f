//! `tfevents export --format parquet`: every table read back with the parquet crate, the wide
//! form, `--kinds`, and bad input.
#![cfg(feature = "parquet")]

use std::fs::File;
use std::path::Path;
use std::process::{Command, Output};

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::RecordBatch;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use tfevents::reader::EventFileReader;
use tfevents::SummaryWriter;

fn tfevents(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tfevents"))
        .args(args)
        .output()
        .unwrap()
}

fn export(logdir: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "export",
        logdir.to_str().unwrap(),
        "--format",
        "parquet",
        "-o",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    tfevents(&args)
}

/// `DIR/<table>.parquet`, small enough here to come back as one batch.
fn table(dir: &Path, name: &str) -> RecordBatch {
    let file = File::open(dir.join(format!("{name}.parquet"))).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .unwrap()
        .build()
        .unwrap();
    let mut batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
    assert_eq!(batches.len(), 1, "{name}: one batch expected");
    batches.remove(0)
}

fn strings(batch: &RecordBatch, column: &str) -> Vec<String> {
    batch
        .column_by_name(column)
        .unwrap()
        .as_string::<i32>()
        .iter()
        .map(|s| s.unwrap_or("<null>").to_string())
        .collect()
}

fn f64s(batch: &RecordBatch, column: &str) -> Vec<Option<f64>> {
    batch
        .column_by_name(column)
        .unwrap()
        .as_primitive::<Float64Type>()
        .iter()
        .collect()
}

fn i64s(batch: &RecordBatch, column: &str) -> Vec<Option<i64>> {
    batch
        .column_by_name(column)
        .unwrap()
        .as_primitive::<Int64Type>()
        .iter()
        .collect()
}

fn f64_list(batch: &RecordBatch, column: &str, row: usize) -> Vec<f64> {
    let list = batch.column_by_name(column).unwrap().as_list::<i32>();
    list.value(row)
        .as_primitive::<Float64Type>()
        .values()
        .to_vec()
}

/// Two runs with every kind of summary: `a` holds all of them, `b` scalars only.
fn every_kind(dir: &Path) {
    let a = SummaryWriter::new(dir.join("a")).unwrap();
    for step in [2i64, 0, 1] {
        a.add_scalar("loss", 1.0 / (step as f64 + 1.0), step)
            .unwrap();
    }
    a.add_scalar("odd", f64::NAN, 0).unwrap();
    a.add_scalar("odd", f64::INFINITY, 1).unwrap();
    a.add_scalar("odd", f64::NEG_INFINITY, 2).unwrap();
    a.add_histogram("w", &[0.5f32, 1.5, 1.5, 2.5][..], 3)
        .unwrap();
    let pixels = [200u8; 3 * 4 * 5];
    a.add_image("img", (&pixels[..], [3usize, 4, 5]), 4)
        .unwrap();
    a.add_audio("wave", &[0.0f32, 0.5, -0.5, 0.25], 5, 8000)
        .unwrap();
    a.add_text("note", "hello *world*", 6).unwrap();
    a.add_pr_curve_with(
        "pr",
        &[true, false, true, false],
        &[0.9f32, 0.8, 0.3, 0.1],
        7,
        3,
        None,
    )
    .unwrap();
    a.add_hparams(
        &[
            ("lr", 0.1.into()),
            ("opt", "adam".into()),
            ("bn", true.into()),
        ],
        &[("hp/acc", 0.75)],
    )
    .unwrap();
    a.close().unwrap();
    let b = SummaryWriter::new(dir.join("b")).unwrap();
    b.add_scalar("loss", 7.0, 1).unwrap();
    b.add_scalar("acc", 0.25, 3).unwrap();
    b.close().unwrap();
}

#[test]
fn every_table_reads_back() {
    let logs = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    every_kind(logs.path());
    let result = export(logs.path(), out.path(), &[]);
    assert!(result.status.success(), "{result:?}");

    let scalars = table(out.path(), "scalars");
    assert_eq!(
        strings(&scalars, "run"),
        ["a", "a", "a", "a", "a", "a", "a", "b", "b"]
    );
    // Sorted by tag, then step (logged 2, 0, 1).
    assert_eq!(
        strings(&scalars, "tag"),
        ["hp/acc", "loss", "loss", "loss", "odd", "odd", "odd", "acc", "loss"]
    );
    assert_eq!(
        i64s(&scalars, "step"),
        [0, 0, 1, 2, 0, 1, 2, 3, 1].map(Some)
    );
    let values = f64s(&scalars, "value");
    assert_eq!(
        values[1..4],
        [Some(1.0), Some(0.5), Some((1.0f32 / 3.0) as f64)]
    );
    assert!(values[4].unwrap().is_nan());
    assert_eq!(values[5..7], [Some(f64::INFINITY), Some(f64::NEG_INFINITY)]);
    assert!(f64s(&scalars, "wall_time").iter().all(|t| t.unwrap() > 1e9));

    let h = table(out.path(), "histograms");
    assert_eq!(strings(&h, "tag"), ["w"]);
    assert_eq!(f64s(&h, "min"), [Some(0.5)]);
    assert_eq!(f64s(&h, "max"), [Some(2.5)]);
    assert_eq!(f64s(&h, "num"), [Some(4.0)]);
    assert_eq!(f64s(&h, "sum"), [Some(6.0)]);
    assert_eq!(f64s(&h, "sum_squares"), [Some(0.25 + 2.25 * 2.0 + 6.25)]);
    let counts = f64_list(&h, "counts", 0);
    assert_eq!(counts.iter().sum::<f64>(), 4.0);
    assert_eq!(counts.len(), f64_list(&h, "limits", 0).len());

    let img = table(out.path(), "images");
    assert_eq!(
        (i64s(&img, "width"), i64s(&img, "height")),
        (vec![Some(5)], vec![Some(4)])
    );
    assert_eq!(i64s(&img, "colorspace"), [Some(3)]);
    let png = img
        .column_by_name("value")
        .unwrap()
        .as_binary::<i32>()
        .value(0);
    assert!(png.starts_with(b"\x89PNG"));

    let audio = table(out.path(), "audio");
    assert_eq!(strings(&audio, "content_type"), ["audio/wav"]);
    assert_eq!(i64s(&audio, "length_frames"), [Some(4)]);
    assert_eq!(f64s(&audio, "sample_rate"), [Some(8000.0)]);
    let wav = audio
        .column_by_name("value")
        .unwrap()
        .as_binary::<i32>()
        .value(0);
    assert!(wav.starts_with(b"RIFF"));

    let text = table(out.path(), "text");
    assert_eq!(strings(&text, "tag"), ["note"]);
    assert_eq!(strings(&text, "value"), ["hello *world*"]);

    let pr = table(out.path(), "pr_curves");
    assert_eq!(i64s(&pr, "num_thresholds"), [Some(3)]);
    assert_eq!(f64_list(&pr, "thresholds", 0), [0.0, 0.5, 1.0]);
    // Threshold 0: everything is predicted positive.
    assert_eq!(f64_list(&pr, "true_positives", 0)[0], 2.0);
    assert_eq!(f64_list(&pr, "false_positives", 0)[0], 2.0);
    assert_eq!(f64_list(&pr, "recall", 0)[0], 1.0);
    // The raw [6, 3] tensor is in `tensors` too, as tbparse has it.
    let tensors = table(out.path(), "tensors");
    let pr_rows: Vec<usize> = strings(&tensors, "tag")
        .iter()
        .enumerate()
        .filter(|(_, t)| *t == "pr")
        .map(|(i, _)| i)
        .collect();
    assert_eq!(pr_rows.len(), 1);
    assert_eq!(strings(&tensors, "plugin")[pr_rows[0]], "pr_curves");
    assert_eq!(f64_list(&tensors, "value", pr_rows[0]).len(), 18);

    let hp = table(out.path(), "hparams");
    assert_eq!(
        strings(&hp, "kind"),
        ["hparam", "hparam", "hparam", "metric"]
    );
    assert_eq!(strings(&hp, "tag"), ["bn", "lr", "opt", "hp/acc"]);
    assert_eq!(f64s(&hp, "value"), [None, Some(0.1), None, Some(0.75)]);
    assert_eq!(
        strings(&hp, "value_string"),
        ["<null>", "<null>", "adam", "<null>"]
    );
    let bools: Vec<Option<bool>> = hp
        .column_by_name("value_bool")
        .unwrap()
        .as_boolean()
        .iter()
        .collect();
    assert_eq!(bools, [Some(true), None, None, None]);
    assert_eq!(strings(&hp, "status"), ["STATUS_SUCCESS"; 4]);
}

#[test]
fn pivot_gives_one_column_per_tag() {
    let logs = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    every_kind(logs.path());
    let result = export(logs.path(), out.path(), &["--pivot", "--kinds", "scalars"]);
    assert!(result.status.success(), "{result:?}");
    let wide = table(out.path(), "scalars");
    let names: Vec<&str> = wide
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    assert_eq!(
        names,
        ["run", "step", "wall_time", "acc", "hp/acc", "loss", "odd"]
    );
    assert_eq!(strings(&wide, "run"), ["a", "a", "a", "b", "b"]);
    assert_eq!(i64s(&wide, "step"), [0, 1, 2, 1, 3].map(Some));
    assert_eq!(
        f64s(&wide, "loss"),
        [
            Some(1.0),
            Some(0.5),
            Some((1.0f32 / 3.0) as f64),
            Some(7.0),
            None
        ]
    );
    assert_eq!(f64s(&wide, "acc"), [None, None, None, None, Some(0.25)]);
    // --kinds scalars: no other table.
    assert!(!out.path().join("histograms.parquet").exists());
}

#[test]
fn kinds_pick_the_tables() {
    let logs = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    every_kind(logs.path());
    let result = export(logs.path(), out.path(), &["--kinds", "histograms,text"]);
    assert!(result.status.success(), "{result:?}");
    let mut files: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["histograms.parquet", "text.parquet"]);
    let bad = export(logs.path(), out.path(), &["--kinds", "scalar"]);
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("unknown table `scalar`"), "{stderr}");
}

#[test]
fn kinds_without_parquet_is_an_error() {
    let logs = tempfile::tempdir().unwrap();
    every_kind(logs.path());
    let out = tfevents(&["export", logs.path().to_str().unwrap(), "--pivot"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("add --format parquet"));
}

#[test]
fn empty_logdir_is_a_clear_error() {
    let logs = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let result = export(logs.path(), &out.path().join("tables"), &[]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("no runs under"), "{stderr}");
    assert!(!out.path().join("tables").exists());
}

#[test]
fn output_must_be_given_and_writable() {
    let logs = tempfile::tempdir().unwrap();
    every_kind(logs.path());
    let missing = tfevents(&[
        "export",
        logs.path().to_str().unwrap(),
        "--format",
        "parquet",
    ]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("-o DIR"));
    // A path under a regular file cannot be a directory, whoever runs the test.
    let file = tempfile::NamedTempFile::new().unwrap();
    let result = export(logs.path(), &file.path().join("tables"), &[]);
    assert_eq!(result.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("cannot create the output directory"),
        "{stderr}"
    );
}

#[test]
fn damaged_file_is_exported_up_to_the_damage() {
    let logs = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(logs.path().join("bad")).unwrap();
    for step in 0..50 {
        w.add_scalar("loss", step as f64, step).unwrap();
    }
    w.close().unwrap();
    let mut reader = EventFileReader::open(w.file_path()).unwrap();
    for _ in 0..31 {
        reader.next().unwrap().unwrap(); // the header and steps 0..30
    }
    let offset = reader.offset() as usize;
    let mut bytes = std::fs::read(w.file_path()).unwrap();
    bytes[offset + 14] ^= 0x20;
    std::fs::write(w.file_path(), bytes).unwrap();

    let result = export(logs.path(), out.path(), &["--kinds", "scalars"]);
    assert_eq!(result.status.code(), Some(3), "{result:?}");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(
        stderr.contains("warning:") && stderr.contains("checksum"),
        "{stderr}"
    );
    let scalars = table(out.path(), "scalars");
    assert_eq!(
        i64s(&scalars, "step"),
        (0..30).map(Some).collect::<Vec<_>>()
    );
}
