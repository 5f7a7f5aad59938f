//! Any matrix shape, values, tag, metadata (a column or a table, ragged or not) and label
//! images (any `[N, C, H, W]`, from bytes or floats) through `SummaryWriter::add_embedding`:
//! a clear `Err`, or the projector's files inside the run and a config block that names them,
//! never a panic, an embedding directory outside the log directory or an allocation the shapes alone ask for.
#![no_main]

use std::cell::RefCell;
use std::path::PathBuf;

use libfuzzer_sys::arbitrary::{Result as ArbResult, Unstructured};
use libfuzzer_sys::fuzz_target;
use tfevents::summary::projector::{embedding_subdir, EmbeddingOptions, LabelImages, Metadata};
use tfevents::SummaryWriter;

/// One writer for many inputs; its directory is emptied every `RESET_EVERY` inputs so that a
/// long run does not fill the disk.
struct Sandbox {
    root: PathBuf,
    writer: Option<SummaryWriter>,
    calls: u64,
}

const RESET_EVERY: u64 = 200;

impl Sandbox {
    fn writer(&mut self) -> &SummaryWriter {
        if self.calls % RESET_EVERY == 0 {
            if let Some(w) = self.writer.take() {
                let _ = w.close();
            }
            let _ = std::fs::remove_dir_all(&self.root);
        }
        self.calls += 1;
        let root = self.root.clone();
        self.writer.get_or_insert_with(|| {
            SummaryWriter::new(&root).expect("the fuzz run's own directory can be created")
        })
    }
}

thread_local! {
    static SANDBOX: RefCell<Sandbox> = RefCell::new(Sandbox {
        root: std::env::temp_dir().join(format!("tfevents-fuzz-embedding-{}", std::process::id())),
        writer: None,
        calls: 0,
    });
}

struct Input {
    values: Vec<f32>,
    shape: [usize; 2],
    tag: String,
    metadata: Option<Metadata>,
    images: Option<Result<LabelImages, tfevents::Error>>,
}

fn label(u: &mut Unstructured<'_>) -> ArbResult<String> {
    let len = u.int_in_range(0..=6)?;
    let bytes = u.bytes(len)?;
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

fn decode(u: &mut Unstructured<'_>) -> ArbResult<Input> {
    let shape = [u.int_in_range(0..=40usize)?, u.int_in_range(0..=12usize)?];
    // Usually the values the shape needs, sometimes a few more or fewer.
    let needed = shape[0] * shape[1];
    let count = match u.int_in_range(0..=7)? {
        0 => needed.saturating_sub(1),
        1 => needed + 1,
        _ => needed,
    };
    let mut values = Vec::with_capacity(count);
    for _ in 0..count {
        values.push(f32::from_bits(u.arbitrary::<u32>()?));
    }
    let tag_len = u.int_in_range(0..=12)?;
    let tag = String::from_utf8_lossy(u.bytes(tag_len)?).into_owned();
    let metadata = match u.int_in_range(0..=2)? {
        0 => None,
        1 => {
            let n = u.int_in_range(0..=42)?;
            let labels = (0..n).map(|_| label(u)).collect::<ArbResult<Vec<_>>>()?;
            Some(Metadata::column(labels))
        }
        _ => {
            let columns = u.int_in_range(0..=3)?;
            let header = (0..columns).map(|_| label(u)).collect::<ArbResult<Vec<_>>>()?;
            let n = u.int_in_range(0..=42)?;
            let mut rows = Vec::with_capacity(n);
            for _ in 0..n {
                // Sometimes ragged.
                let width = if u.ratio(1, 8)? { u.int_in_range(0..=4)? } else { columns };
                rows.push((0..width).map(|_| label(u)).collect::<ArbResult<Vec<_>>>()?);
            }
            Some(Metadata::table(header, rows))
        }
    };
    let images = if u.ratio(1, 2)? {
        // Any shape up to 2^16 per side (so products overflow 32 bits), filled from a small
        // pool of bytes: the data only matches the shape when the shape is small.
        let dims = [
            u.int_in_range(0..=48usize)?,
            u.int_in_range(0..=4usize)?,
            if u.ratio(1, 16)? { u.arbitrary::<u16>()? as usize } else { u.int_in_range(0..=9usize)? },
            if u.ratio(1, 16)? { u.arbitrary::<u16>()? as usize } else { u.int_in_range(0..=9usize)? },
        ];
        let len = dims.iter().try_fold(1usize, |a, &d| a.checked_mul(d)).filter(|&n| n <= 1 << 16);
        let pool_len = u.int_in_range(0..=64)?;
        let pool = u.bytes(pool_len)?.to_vec();
        let data: Vec<u8> = match len {
            Some(n) if !pool.is_empty() => pool.iter().copied().cycle().take(n).collect(),
            _ => pool,
        };
        Some(if u.ratio(1, 2)? {
            LabelImages::from_u8(&data, dims)
        } else {
            let floats: Vec<f32> = data.iter().map(|&b| f32::from(b) / 255.0).collect();
            LabelImages::from_f32(&floats, dims)
        })
    } else {
        None
    };
    Ok(Input { values, shape, tag, metadata, images })
}

fuzz_target!(|bytes: &[u8]| {
    let mut u = Unstructured::new(bytes);
    let Ok(input) = decode(&mut u) else {
        return;
    };
    SANDBOX.with(|sandbox| {
        let mut sandbox = sandbox.borrow_mut();
        let step = sandbox.calls as i64;
        let root = sandbox.root.clone();
        let writer = sandbox.writer();
        let mut options = EmbeddingOptions::new().tag(input.tag.clone());
        options = match options.step(step) {
            Ok(o) => o,
            Err(_) => return,
        };
        if let Some(metadata) = input.metadata {
            options = options.metadata(metadata);
        }
        match input.images {
            Some(Ok(images)) => options = options.label_images(images),
            Some(Err(_)) | None => {}
        }
        let logged = writer.add_embedding((&input.values[..], input.shape), options);
        if logged.is_ok() {
            let config = std::fs::read_to_string(root.join("projector_config.pbtxt"))
                .expect("a logged embedding is in the projector config");
            assert!(config.contains(&format!(":{step:05}\"")), "{config}");
            // The embedding's directory, named from the tag, must resolve below the log
            // directory (a `..` or absolute tag would not) and hold its tensors.
            let dir = root.join(embedding_subdir(&input.tag, step));
            let resolved = dir.canonicalize().expect("the embedding's directory exists");
            let base = root.canonicalize().expect("the log directory exists");
            assert!(resolved.starts_with(&base), "{resolved:?} is outside {base:?}");
            assert!(resolved.join("tensors.tsv").is_file());
        }
    });
});
