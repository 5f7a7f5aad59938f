//! Any bytes as the payload of a correctly framed record, so that they reach protobuf decoding
//! and the run loader (scalars, histograms, images, texts, TF2 tensors) instead of stopping at
//! the checksum.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tfevents::reader::{EventFileReader, RunData};
use tfevents::record::append_record;

fuzz_target!(|payload: &[u8]| {
    let mut bytes = Vec::new();
    append_record(&mut bytes, payload);
    append_record(&mut bytes, payload);
    let events: Vec<_> = EventFileReader::from_reader(bytes.as_slice(), "fuzz")
        .filter_map(Result::ok)
        .collect();
    let data = RunData::from_events(events);
    assert!(data.events <= 2);
});
