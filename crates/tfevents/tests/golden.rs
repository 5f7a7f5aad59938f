//! Golden event files written by tensorboardX (`tests/golden/make_golden.py`): our reader reads
//! them, and our writer produces the same records byte for byte, wall times aside.

use std::path::Path;

use prost::Message;
use serde_json::Value;
use tfevents::reader::{discover_runs, EventFileReader, RunData};
use tfevents::SummaryWriter;

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
            let event = tfevents::proto::Event::decode(got.as_slice()).unwrap();
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
    let mut header = tfevents::proto::Event::decode(ours[0].as_slice()).unwrap();
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
        .add_scalars("data/group", [("a", 1.0), ("b", 2.0)], 0)
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

/// Histograms logged through `add_histogram_with` equal tensorboardX's records: buckets,
/// limits, min, max, num and sum to the bit; `sum_squares` to 1e-12 relative (numpy computes it
/// with BLAS, whose summation order depends on the CPU).
#[test]
fn histograms_match_tensorboardx_records() {
    use tfevents::proto::{event, summary};
    use tfevents::summary::histogram::Bins;
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/golden/expected.json").unwrap())
            .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    for h in expected["histograms"].as_array().unwrap() {
        let input: Vec<f64> = h["input"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let bins: Bins = match &h["bins"] {
            Value::String(s) => s.parse().unwrap(),
            Value::Number(n) => Bins::Count(n.as_u64().unwrap() as usize),
            other => panic!("{other}"),
        };
        let w = w.with_wall_time(h["wall_time"].as_f64().unwrap());
        let tag = h["tag"].as_str().unwrap();
        let step = h["step"].as_i64().unwrap();
        match h["input_dtype"].as_str().unwrap() {
            "float32" => {
                let v: Vec<f32> = input.iter().map(|&x| x as f32).collect();
                w.add_histogram_with(tag, &v[..], step, &bins, None)
                    .unwrap()
            }
            "int32" => {
                let v: Vec<i32> = input.iter().map(|&x| x as i32).collect();
                w.add_histogram_with(tag, &v[..], step, &bins, None)
                    .unwrap()
            }
            _ => w
                .add_histogram_with(tag, &input[..], step, &bins, None)
                .unwrap(),
        }
    }
    w.close().unwrap();
    let ours = raw_records(w.file_path());
    let golden = golden_records();
    let golden = golden["events.out.tfevents.golden"].as_array().unwrap();
    for i in 0..5 {
        let want_hex = golden[6 + i]["hex"].as_str().unwrap();
        if hex(&ours[1 + i]) == want_hex {
            continue;
        }
        let histo = |bytes: &[u8]| {
            let e = tfevents::proto::Event::decode(bytes).unwrap();
            let Some(event::What::Summary(s)) = e.what else {
                panic!()
            };
            let Some(summary::value::Value::Histo(h)) = s.value[0].value.clone() else {
                panic!()
            };
            (e.step, e.wall_time, s.value[0].tag.clone(), h)
        };
        let want_bytes: Vec<u8> = (0..want_hex.len())
            .step_by(2)
            .map(|k| u8::from_str_radix(&want_hex[k..k + 2], 16).unwrap())
            .collect();
        let (s1, t1, tag1, mut a) = histo(&ours[1 + i]);
        let (s2, t2, tag2, mut b) = histo(&want_bytes);
        assert_eq!((s1, t1, &tag1), (s2, t2, &tag2));
        let rel = ((a.sum_squares - b.sum_squares) / b.sum_squares).abs();
        assert!(
            rel < 1e-12,
            "{tag1}: sum_squares {} vs {}",
            a.sum_squares,
            b.sum_squares
        );
        a.sum_squares = 0.0;
        b.sum_squares = 0.0;
        assert_eq!(a, b, "{tag1}");
    }
}
