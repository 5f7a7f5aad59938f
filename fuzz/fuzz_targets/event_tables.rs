//! Any events (length-delimited `Event` messages, so every field and summary kind is reached)
//! through the Parquet exporter's tables (`tfevents::reader::table`, what `tfevents export
//! --format parquet` writes): every table and the pivoted scalars build as Arrow batches or
//! give an `Err`, never a panic, and a table holds no more rows than there were events.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prost::Message;
use tfevents::proto::Event;
use tfevents::reader::table::{RunTables, TableKind};

fuzz_target!(|input: &[u8]| {
    let mut rest = input;
    let mut events = Vec::new();
    while !rest.is_empty() && events.len() < 256 {
        match Event::decode_length_delimited(&mut rest) {
            Ok(event) => events.push(event),
            Err(_) => break,
        }
    }
    let count = events.len();
    let tables = RunTables::from_events("fuzz", &TableKind::ALL, events);
    // A summary holds several values, each a row: bound rows by the values the input can hold.
    let most = input.len().max(count);
    for kind in TableKind::ALL {
        if let Ok(batch) = tables.batch(kind) {
            assert!(batch.num_rows() <= most, "{kind:?}: {} rows", batch.num_rows());
        }
    }
    let tags: Vec<String> = tables.scalar_tags().map(str::to_string).collect();
    if let Ok(batch) = tables.pivot_batch(&tags) {
        assert!(batch.num_rows() <= most);
    }
});
