//! Any bytes as an event file: the reader must end cleanly (torn tail) or with one `Corrupt`,
//! never panic, and reading a file that grows in pieces (a live run, resumed after each torn
//! tail) must give exactly what reading it whole gives.
#![no_main]

use std::cell::Cell;
use std::io::Read;
use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use prost::Message;
use tfevents::reader::EventFileReader;

/// Hands out at most `chunk` bytes per read, and nothing past `limit` until it is raised.
struct Growing<'a> {
    data: &'a [u8],
    pos: usize,
    limit: Rc<Cell<usize>>,
    chunk: usize,
}

impl Read for Growing<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let end = self
            .limit
            .get()
            .min(self.pos + self.chunk)
            .min(self.pos + buf.len());
        let n = end.saturating_sub(self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Events as their bytes: a NaN wall time must still compare equal to itself.
fn outcome(event: tfevents::Result<tfevents::proto::Event>) -> Result<Vec<u8>, String> {
    event.map(|e| e.encode_to_vec()).map_err(|e| e.to_string())
}

fuzz_target!(|input: &[u8]| {
    let Some((&chunk, data)) = input.split_first() else {
        return;
    };
    let whole: Vec<_> = EventFileReader::from_reader(data, "f")
        .map(outcome)
        .collect();
    let limit = Rc::new(Cell::new(0));
    let src = Growing {
        data,
        pos: 0,
        limit: Rc::clone(&limit),
        chunk: chunk as usize + 1,
    };
    let mut reader = EventFileReader::from_reader(src, "f");
    let mut pieces = Vec::new();
    // The file grows in eight steps; after each, read what is there.
    for step in 1..=8 {
        limit.set(data.len() * step / 8);
        pieces.extend(reader.by_ref().map(outcome));
    }
    assert_eq!(whole, pieces);
});
