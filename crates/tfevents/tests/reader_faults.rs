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
