//! The reader against damaged files: never a panic, never an allocation beyond the file,
//! every good record before the damage recovered.

use proptest::prelude::*;
use tfevents::error::CorruptKind;
use tfevents::reader::EventFileReader;
use tfevents::record::{append_record, ReadOutcome, RecordReader};
use tfevents::{Error, SummaryWriter};

/// A real event file with a header and `n` scalars; returns its bytes and record offsets.
fn sample_file(n: i64) -> (Vec<u8>, Vec<usize>) {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    for step in 0..n {
        w.add_scalar("loss", step as f64, step).unwrap();
    }
    w.close().unwrap();
    let bytes = std::fs::read(w.file_path()).unwrap();
    let mut offsets = vec![0];
    let mut records = RecordReader::new(bytes.as_slice());
    loop {
        match records.next_record().unwrap() {
            ReadOutcome::Record(_) => offsets.push(records.offset() as usize),
            ReadOutcome::Pending { have: 0 } => break,
            other => panic!("{other:?}"),
        }
    }
    (bytes, offsets)
}

fn read_all(bytes: &[u8]) -> (Vec<i64>, Option<Error>, Option<u64>) {
    let tmp = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(tmp.path(), bytes).unwrap();
    let mut reader = EventFileReader::open(tmp.path()).unwrap();
    let mut steps = Vec::new();
    let mut error = None;
    for event in reader.by_ref() {
        match event {
            Ok(e) => steps.push(e.step),
            Err(e) => error = Some(e),
        }
    }
    (steps, error, reader.torn_tail())
}

#[test]
fn intact_file_reads_fully() {
    let (bytes, _) = sample_file(5);
    let (steps, err, torn) = read_all(&bytes);
    assert_eq!(steps, [0, 0, 1, 2, 3, 4]);
    assert!(err.is_none() && torn.is_none());
}

#[test]
fn crc_flip_in_data_is_an_error_after_the_good_records() {
    let (mut bytes, offsets) = sample_file(5);
    // Flip a byte in the data of the 4th record (header + steps 0, 1 before it).
    bytes[offsets[3] + 14] ^= 0x40;
    let (steps, err, _) = read_all(&bytes);
    assert_eq!(steps, [0, 0, 1]);
    match err {
        Some(Error::Corrupt { offset, kind, .. }) => {
            assert_eq!(offset as usize, offsets[3]);
            assert!(
                matches!(kind, CorruptKind::DataChecksum { got, want } if got != want),
                "{kind:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn crc_flip_in_length_is_an_error() {
    let (mut bytes, offsets) = sample_file(3);
    bytes[offsets[2]] ^= 1;
    let (steps, err, _) = read_all(&bytes);
    assert_eq!(steps, [0, 0]);
    assert!(matches!(
        err,
        Some(Error::Corrupt {
            kind: CorruptKind::LengthChecksum { .. },
            ..
        })
    ));
}

#[test]
fn truncated_header_and_body_are_a_clean_torn_tail() {
    let (bytes, offsets) = sample_file(3);
    let last = offsets[offsets.len() - 2];
    for cut in [last + 1, last + 11, last + 12, last + 20, bytes.len() - 1] {
        let (steps, err, torn) = read_all(&bytes[..cut]);
        assert_eq!(steps, [0, 0, 1], "cut at {cut}");
        assert!(err.is_none(), "cut at {cut}: {err:?}");
        assert_eq!(torn, Some((cut - last) as u64));
    }
}

#[test]
fn huge_length_field_never_allocates_it() {
    let mut bytes = Vec::new();
    // A record claiming 2^62 bytes, with a valid length CRC, then nothing.
    let len = (1u64 << 62).to_le_bytes();
    bytes.extend_from_slice(&len);
    bytes.extend_from_slice(&tfevents::record::masked_crc32c(&len).to_le_bytes());
    bytes.extend_from_slice(&[0u8; 100]);
    let (steps, err, torn) = read_all(&bytes);
    assert!(steps.is_empty() && err.is_none());
    assert_eq!(torn, Some(112));
}

#[test]
fn empty_file_and_zero_bytes() {
    let (steps, err, torn) = read_all(&[]);
    assert!(steps.is_empty() && err.is_none() && torn.is_none());
    let (steps, err, _) = read_all(&[0u8; 64]);
    assert!(steps.is_empty());
    assert!(matches!(err, Some(Error::Corrupt { .. })), "{err:?}");
}

#[test]
fn valid_framing_of_a_non_event_is_an_error() {
    let mut bytes = Vec::new();
    append_record(&mut bytes, &[0xff, 0xff, 0xff]);
    let (steps, err, _) = read_all(&bytes);
    assert!(steps.is_empty());
    assert!(matches!(
        err,
        Some(Error::Corrupt {
            kind: CorruptKind::NotAnEvent(_),
            ..
        })
    ));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_garbage_never_panics(garbage in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let (_, _, _) = read_all(&garbage);
    }

    #[test]
    fn any_prefix_of_a_good_file_gives_its_complete_records(cut_frac in 0.0f64..1.0) {
        let (bytes, offsets) = sample_file(20);
        let cut = (bytes.len() as f64 * cut_frac) as usize;
        let (steps, err, torn) = read_all(&bytes[..cut]);
        prop_assert!(err.is_none());
        let complete = offsets.iter().filter(|&&o| o <= cut).count() - 1;
        prop_assert_eq!(steps.len(), complete);
        prop_assert_eq!(torn.is_some(), !offsets.contains(&cut));
    }

    #[test]
    fn a_flipped_bit_never_passes_silently(pos_frac in 0.0f64..1.0, bit in 0u8..8) {
        let (mut bytes, _) = sample_file(10);
        let pos = ((bytes.len() as f64 * pos_frac) as usize).min(bytes.len() - 1);
        bytes[pos] ^= 1 << bit;
        let (steps, err, torn) = read_all(&bytes);
        // Either the damage is detected, or (a flipped length bit) the tail looks torn.
        prop_assert!(err.is_some() || torn.is_some(), "flip at {} undetected: {:?}", pos, steps);
    }
}

mod keeps_what_is_readable {
    use std::io::Write;

    use tfevents::proto::summary::value::Value as Kind;
    use tfevents::proto::summary_metadata::PluginData;
    use tfevents::proto::{summary, tensor_shape_proto, Summary, SummaryMetadata, TensorProto};
    use tfevents::proto::{Event, TensorShapeProto};
    use tfevents::reader::{discover_runs, EventFileReader, RunData, RunReader};
    use tfevents::record::append_record;
    use tfevents::{Error, SummaryWriter};

    use super::sample_file;

    #[test]
    fn a_damaged_file_ends_there_and_the_rest_of_the_run_still_loads() {
        let dir = tempfile::tempdir().unwrap();
        let (mut bad, offsets) = sample_file(200);
        // Damage the data of the record of step 149 (header first, then steps 0..).
        bad[offsets[150] + 14] ^= 0x10;
        std::fs::write(dir.path().join("events.out.tfevents.1.a"), &bad).unwrap();
        let (good, _) = sample_file(10);
        std::fs::write(dir.path().join("events.out.tfevents.2.b"), &good).unwrap();
        let runs = discover_runs(dir.path()).unwrap();
        let data = RunData::read(&runs[0]).unwrap();
        // 149 points of the damaged file, then the 10 of the good one.
        assert_eq!(data.scalars["loss"].len(), 149 + 10);
        assert_eq!(data.damaged.len(), 1);
        let damaged = &data.damaged[0];
        assert!(damaged.path.ends_with("events.out.tfevents.1.a"));
        match &*damaged.error {
            Error::Corrupt { offset, .. } => assert_eq!(*offset as usize, offsets[150]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_truncated_tail_is_resumed_when_the_file_grows() {
        let (bytes, offsets) = sample_file(20);
        let cut = offsets[10] + 7;
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), &bytes[..cut]).unwrap();
        let mut reader = EventFileReader::open(tmp.path()).unwrap();
        let first: Vec<i64> = reader.by_ref().map(|e| e.unwrap().step).collect();
        assert_eq!(first.len(), 10);
        assert_eq!(reader.torn_tail(), Some(7));
        // The writer goes on: the rest of the record and the others arrive.
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(tmp.path())
            .unwrap();
        file.write_all(&bytes[cut..]).unwrap();
        let rest: Vec<i64> = reader.by_ref().map(|e| e.unwrap().step).collect();
        assert_eq!(rest, (9..20).collect::<Vec<_>>());
        assert_eq!(reader.torn_tail(), None);
    }

    #[test]
    fn run_reader_follows_a_live_writer() {
        let dir = tempfile::tempdir().unwrap();
        let w = SummaryWriter::new(dir.path()).unwrap();
        w.add_scalar("x", 1.0, 0).unwrap();
        w.flush().unwrap();
        let mut follow = RunReader::new(discover_runs(dir.path()).unwrap().remove(0));
        assert_eq!(follow.poll(), 2);
        assert_eq!(follow.poll(), 0);
        for step in 1..50 {
            w.add_scalar("x", step as f64, step).unwrap();
        }
        w.flush().unwrap();
        assert_eq!(follow.poll(), 49);
        assert_eq!(follow.data().scalars["x"].len(), 50);
        w.close().unwrap();
    }

    fn tf2_value(
        tag: &str,
        plugin: &str,
        dtype: i32,
        dims: &[i64],
        content: Vec<u8>,
    ) -> summary::Value {
        summary::Value {
            tag: tag.into(),
            metadata: Some(SummaryMetadata {
                plugin_data: Some(PluginData {
                    plugin_name: plugin.into(),
                    content: Vec::new(),
                }),
                ..Default::default()
            }),
            value: Some(Kind::Tensor(TensorProto {
                dtype,
                tensor_shape: Some(TensorShapeProto {
                    dim: dims
                        .iter()
                        .map(|&size| tensor_shape_proto::Dim {
                            size,
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                }),
                tensor_content: content,
                ..Default::default()
            })),
            ..Default::default()
        }
    }

    #[test]
    fn tf2_tensor_scalars_and_histograms_read_as_scalars_and_histograms() {
        let dir = tempfile::tempdir().unwrap();
        let w = SummaryWriter::new(dir.path()).unwrap();
        for step in 0..3i64 {
            let loss = tf2_value(
                "epoch_loss",
                "scalars",
                1,
                &[],
                (0.5f32 * step as f32).to_le_bytes().to_vec(),
            );
            // Two buckets: [0, 1) holding 2, [1, 3) holding 6, as float64.
            let rows: Vec<u8> = [0.0f64, 1.0, 2.0, 1.0, 3.0, 6.0]
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect();
            let hist = tf2_value("dense/kernel_0", "histograms", 2, &[2, 3], rows);
            w.add_summary(
                Summary {
                    value: vec![loss, hist],
                },
                step,
            )
            .unwrap();
        }
        // A scalar in the typed field instead of tensor_content, as older TF2 versions write.
        let mut typed = tf2_value("typed", "scalars", 2, &[], Vec::new());
        if let Some(Kind::Tensor(t)) = &mut typed.value {
            t.double_val = vec![7.25];
        }
        w.add_summary(Summary { value: vec![typed] }, 0).unwrap();
        w.close().unwrap();
        let data = RunData::read(&discover_runs(dir.path()).unwrap()[0]).unwrap();
        let loss: Vec<f64> = data.scalars["epoch_loss"].iter().map(|p| p.value).collect();
        assert_eq!(loss, [0.0, 0.5, 1.0]);
        assert_eq!(data.scalars["typed"][0].value, 7.25);
        let h = &data.histograms["dense/kernel_0"][2].histogram;
        assert_eq!((h.min, h.max, h.num), (0.0, 3.0, 8.0));
        assert_eq!(h.bucket_limit, [1.0, 3.0]);
        assert_eq!(h.bucket, [2.0, 6.0]);
        assert_eq!(h.sum, 0.5 * 2.0 + 2.0 * 6.0);
        assert!(data.other_tensors.is_empty());
    }

    /// xorshift64*: a fixed, dependency-free stream of mutations.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    /// The payloads of a file with every kind of event our writer makes.
    fn payloads() -> Vec<Vec<u8>> {
        let dir = tempfile::tempdir().unwrap();
        let w = SummaryWriter::builder()
            .log_dir(dir.path())
            .purge_step(0)
            .build()
            .unwrap();
        w.add_scalar("loss", 0.5, 1).unwrap();
        w.add_text("note", "hello", 1).unwrap();
        w.add_histogram("h", &[1.0f32, 2.0, 2.5, 9.0][..], 1)
            .unwrap();
        let img = tfevents::summary::image::ImageU8::new(2, 3, 3, vec![7; 18]).unwrap();
        w.add_summary(
            tfevents::summary::image::image_summary("img", &img).unwrap(),
            1,
        )
        .unwrap();
        w.close().unwrap();
        EventFileReader::open(w.file_path())
            .unwrap()
            .map(|e| prost::Message::encode_to_vec(&e.unwrap()))
            .collect()
    }

    /// Mutates payloads and frames them again with correct CRCs, so that every mutation
    /// reaches protobuf decoding and the run loader instead of stopping at the checksum.
    #[test]
    fn mutated_payloads_with_recomputed_crcs_never_panic() {
        let base = payloads();
        assert!(base.len() >= 6);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.out.tfevents.mutant");
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut decoded, mut rejected) = (0usize, 0usize);
        for _ in 0..1500 {
            let mut records = base.clone();
            let victim = rng.below(records.len());
            let data = &mut records[victim];
            for _ in 0..1 + rng.below(4) {
                match rng.below(4) {
                    0 if !data.is_empty() => {
                        let i = rng.below(data.len());
                        data[i] ^= 1 << rng.below(8);
                    }
                    1 if !data.is_empty() => {
                        let i = rng.below(data.len());
                        data[i] = rng.next() as u8;
                    }
                    2 => {
                        let i = rng.below(data.len() + 1);
                        data.insert(i, rng.next() as u8);
                    }
                    _ if !data.is_empty() => {
                        let i = rng.below(data.len());
                        data.remove(i);
                    }
                    _ => {}
                }
            }
            let mut bytes = Vec::new();
            for r in &records {
                append_record(&mut bytes, r);
            }
            std::fs::write(&path, &bytes).unwrap();
            let runs = discover_runs(dir.path()).unwrap();
            let data = RunData::read(&runs[0]).unwrap();
            // Every record before the mutated one loads.
            assert!(data.events >= victim, "{} < {victim}", data.events);
            match data.damaged.first().map(|d| &*d.error) {
                None => decoded += 1,
                Some(Error::Corrupt { .. }) => rejected += 1,
                Some(other) => panic!("{other:?}"),
            }
            let _: Vec<Result<Event, _>> =
                EventFileReader::from_reader(bytes.as_slice(), "m").collect();
        }
        // Both paths were exercised.
        assert!(
            decoded > 100 && rejected > 10,
            "{decoded} decoded, {rejected} rejected"
        );
    }
}
