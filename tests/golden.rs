//! Golden event files written by tensorboardX (`tests/golden/make_golden.py`): our reader reads
//! them, and our writer produces the same records byte for byte, wall times aside.

use std::path::Path;

use candle_tensorboard::reader::{discover_runs, EventFileReader, RunData};
use candle_tensorboard::SummaryWriter;
use prost::Message;
use serde_json::Value;

const GOLDEN: &str = "tests/golden/tbx";

fn golden_records() -> Value {
    serde_json::from_str(&std::fs::read_to_string("tests/golden/records.json").unwrap()).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn raw_records(path: &Path) -> Vec<Vec<u8>> {
    let mut reader = EventFileReader::open(path).unwrap();
    let mut out = Vec::new();
    while let Some(record) = reader.next_record() {
        out.push(record.unwrap());
    }
    out
}

#[test]
fn reader_reads_every_golden_record_and_reencodes_it_identically() {
    let records = golden_records();
    for (file, expected) in records.as_object().unwrap() {
        let raw = raw_records(&Path::new(GOLDEN).join(file));
        let expected = expected.as_array().unwrap();
        assert_eq!(raw.len(), expected.len(), "{file}");
        for (got, want) in raw.iter().zip(expected) {
            assert_eq!(hex(got), want["hex"].as_str().unwrap(), "{file}");
            let event = candle_tensorboard::proto::Event::decode(got.as_slice()).unwrap();
            // Our message definitions keep every field: re-encoding gives the same bytes.
            assert_eq!(
                hex(&event.encode_to_vec()),
                want["hex"].as_str().unwrap(),
                "{file}"
            );
        }
    }
}

#[test]
fn golden_values_read_back_as_tensorboardx_wrote_them() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/golden/expected.json").unwrap())
            .unwrap();
    let runs = discover_runs(GOLDEN).unwrap();
    let names: Vec<_> = runs.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, [".", "data/group/a", "data/group/b"]);
    for s in expected["scalars"].as_array().unwrap() {
        let run = runs.iter().find(|r| r.name == s["run"]).unwrap();
        let data = RunData::read(run).unwrap();
        let step = s["step"].as_i64().unwrap();
        let point = data.scalars[s["tag"].as_str().unwrap()]
            .iter()
            .find(|p| p.step == step)
            .unwrap();
        let want = s
            .get("stored_value")
            .unwrap_or(&s["value"])
            .as_f64()
            .unwrap();
        assert_eq!(point.value, want);
        assert_eq!(point.wall_time, s["wall_time"].as_f64().unwrap());
    }
    let data = RunData::read(&runs[0]).unwrap();
    assert_eq!(data.texts["note/text_summary"][0].text, "hello **world**");
    for h in expected["histograms"].as_array().unwrap() {
        let series = &data.histograms[h["tag"].as_str().unwrap()];
        let point = series
            .iter()
            .find(|p| p.step == h["step"].as_i64().unwrap())
            .unwrap();
        let limits: Vec<f64> = h["bucket_limit"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(point.histogram.bucket_limit, limits);
    }
}

/// Writes with our SummaryWriter what make_golden.py wrote with tensorboardX, and compares the
/// records of the main file byte for byte (the file_version record's wall time aside).
#[test]
fn writer_produces_tensorboardx_records_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let t0 = 1_700_000_000.0;
    for (step, v) in [0.5, 0.25, 0.125, 0.0625].iter().enumerate() {
        w.with_wall_time(t0 + step as f64)
            .add_scalar("loss", *v, step as i64)
            .unwrap();
    }
    w.with_wall_time(t0 + 0.25)
        .add_scalar("lr", 0.1, 0)
        .unwrap();
    w.with_wall_time(t0 + 30.0)
        .add_text("note", "hello **world**", 0)
        .unwrap();
    w.close().unwrap();
    let ours = raw_records(w.file_path());
    let golden = golden_records();
    let golden: Vec<&str> = golden["events.out.tfevents.golden"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["hex"].as_str().unwrap())
        .collect();
    // Records 1..=5 are the scalars; 11 is the text (6..=10 histograms, 12 the image).
    for (ours_idx, golden_idx) in [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 11)] {
        assert_eq!(
            hex(&ours[ours_idx]),
            golden[golden_idx],
            "record {golden_idx}"
        );
    }
    // The header differs only in its wall time.
    let mut header = candle_tensorboard::proto::Event::decode(ours[0].as_slice()).unwrap();
    header.wall_time = 1_699_999_999.5;
    assert_eq!(hex(&header.encode_to_vec()), golden[0]);
}

#[test]
fn add_scalars_records_match_tensorboardx_in_pytorch_layout() {
    // tensorboardX puts sub-runs at <main_tag>/<tag>; PyTorch (and we) at
    // <main_tag with / as _>_<tag>. The records inside are the same.
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.with_wall_time(1_700_000_010.0)
        .add_scalars("data/group", &[("a", 1.0), ("b", 2.0)], 0)
        .unwrap();
    w.close().unwrap();
    let golden = golden_records();
    for sub in ["a", "b"] {
        let run = discover_runs(dir.path().join(format!("data_group_{sub}"))).unwrap();
        let ours = raw_records(&run[0].files[0]);
        let want = golden[format!("data/group/{sub}/events.out.tfevents.golden")][1]["hex"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(hex(&ours[1]), want);
    }
}
