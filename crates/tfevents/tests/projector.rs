//! `add_embedding`: the projector's files on disk, appended configs, and bad input that leaves
//! the run as it was.

use std::fs;

use tfevents::reader::{discover_runs, RunData};
use tfevents::summary::projector::{
    tensors_tsv, EmbeddingMatrix, EmbeddingOptions, LabelImages, Metadata,
};
use tfevents::{Error, SummaryWriter};

fn points(rows: usize, cols: usize) -> Vec<f32> {
    (0..rows * cols).map(|i| i as f32 * 0.25 - 1.0).collect()
}

#[test]
fn files_are_laid_out_as_pytorch_lays_them_out() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let mat = points(4, 3);
    let imgs = LabelImages::from_f32(&[1.0; 4 * 2 * 3], [4, 1, 2, 3]).unwrap();
    w.add_embedding(
        (&mat[..], [4, 3]),
        EmbeddingOptions::new()
            .metadata(Metadata::column(["a", "b", "c", "d"]))
            .label_images(imgs)
            .step(7)
            .unwrap()
            .tag("feat/x"),
    )
    .unwrap();
    let table = Metadata::table(
        ["digit", "set"],
        (0..4).map(|i| [i.to_string(), "t".into()]),
    );
    w.add_embedding((&mat[..], [4, 3]), EmbeddingOptions::new().metadata(table))
        .unwrap();
    w.close().unwrap();

    let sub = dir.path().join("00007/feat%2fx");
    assert_eq!(
        fs::read_to_string(sub.join("tensors.tsv")).unwrap(),
        "-1.0\t-0.75\t-0.5\n-0.25\t0.0\t0.25\n0.5\t0.75\t1.0\n1.25\t1.5\t1.75\n"
    );
    assert_eq!(
        fs::read_to_string(sub.join("metadata.tsv")).unwrap(),
        "a\nb\nc\nd\n"
    );
    let png = fs::read(sub.join("sprite.png")).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let info = decoder.read_info().unwrap();
    // 2 per row of 3x2 images: 6 wide, 2 rows of 2 = 4 high, made square: 6x6.
    assert_eq!((info.info().width, info.info().height), (6, 6));
    assert_eq!(
        fs::read_to_string(dir.path().join("00000/default/metadata.tsv")).unwrap(),
        "digit\tset\n0\tt\n1\tt\n2\tt\n3\tt\n"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("projector_config.pbtxt")).unwrap(),
        "embeddings {\n  tensor_name: \"feat/x:00007\"\n  metadata_path: \"00007/feat%2fx/metadata.tsv\"\n  sprite {\n    image_path: \"00007/feat%2fx/sprite.png\"\n    single_image_dim: 3\n    single_image_dim: 2\n  }\n  tensor_path: \"00007/feat%2fx/tensors.tsv\"\n}\n\
         embeddings {\n  tensor_name: \"default:00000\"\n  metadata_path: \"00000/default/metadata.tsv\"\n  tensor_path: \"00000/default/tensors.tsv\"\n}\n"
    );
}

#[test]
fn bad_input_is_an_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let mat = points(3, 2);
    let err = w
        .add_embedding(
            (&mat[..], [3, 2]),
            EmbeddingOptions::new().metadata(Metadata::column(["a", "b"])),
        )
        .unwrap_err();
    assert_eq!(err.tag(), Some("default"), "{err}");
    assert!(
        matches!(err.kind(), Error::LengthMismatch { what, got: 2, expected: 3, .. } if what == "metadata"),
        "{err}"
    );
    let imgs = LabelImages::from_u8(&[0; 4 * 4], [4, 1, 2, 2]).unwrap();
    let err = w
        .add_embedding(
            (&mat[..], [3, 2]),
            EmbeddingOptions::new().label_images(imgs),
        )
        .unwrap_err();
    assert!(
        matches!(err.kind(), Error::LengthMismatch { what, got: 4, expected: 3, .. } if what == "label_img"),
        "{err}"
    );
    let err = w
        .add_embedding((&mat[..], [2, 2]), EmbeddingOptions::new())
        .unwrap_err();
    assert!(
        matches!(
            err.kind(),
            Error::ShapeMismatch {
                needs: 4,
                got: 6,
                ..
            }
        ),
        "{err}"
    );
    assert!(!dir.path().join("00000").exists());
    assert!(!dir.path().join("projector_config.pbtxt").exists());
    assert!(matches!(
        EmbeddingOptions::new().step(-1),
        Err(Error::BadNumber { .. })
    ));
}

#[test]
fn the_same_tag_and_step_twice_keeps_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let mat = points(2, 2);
    w.add_embedding((&mat[..], [2, 2]), EmbeddingOptions::new())
        .unwrap();
    let other = [9.0f32; 4];
    let err = w
        .add_embedding((&other[..], [2, 2]), EmbeddingOptions::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        fs::read_to_string(dir.path().join("00000/default/tensors.tsv")).unwrap(),
        "-1.0\t-0.75\n-0.5\t-0.25\n"
    );
    let config = fs::read_to_string(dir.path().join("projector_config.pbtxt")).unwrap();
    assert_eq!(config.matches("embeddings {").count(), 1);
}

/// More points than one batch of the batched writer (1,024): the file is the whole
/// `tensors_tsv` text, in order.
#[test]
fn a_matrix_of_several_batches_is_written_whole_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let (rows, cols) = (2 * 1024 + 7, 3);
    let mat = points(rows, cols);
    w.add_embedding((&mat[..], [rows, cols]), EmbeddingOptions::new())
        .unwrap();
    let written = fs::read_to_string(dir.path().join("00000/default/tensors.tsv")).unwrap();
    assert_eq!(written, tensors_tsv(&(&mat[..], [rows, cols])).unwrap());
    assert_eq!(written.lines().count(), rows);
}

/// A matrix of the caller's own type: the batched writer asks it for each range of rows
/// once, in order.
struct Counting {
    rows: usize,
    asked: std::cell::RefCell<Vec<std::ops::Range<usize>>>,
}

impl EmbeddingMatrix for Counting {
    fn shape(&self) -> tfevents::Result<[usize; 2]> {
        Ok([self.rows, 1])
    }
    fn write_tsv_rows(
        &self,
        rows: std::ops::Range<usize>,
        out: &mut String,
    ) -> tfevents::Result<()> {
        self.asked.borrow_mut().push(rows.clone());
        for i in rows {
            out.push_str(&format!("{i}.0\n"));
        }
        Ok(())
    }
}

#[test]
fn a_matrix_of_the_callers_own_type_is_asked_for_each_batch_once() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let mat = Counting {
        rows: 3000,
        asked: Default::default(),
    };
    w.add_embedding(&mat, EmbeddingOptions::new()).unwrap();
    assert_eq!(*mat.asked.borrow(), vec![0..1024, 1024..2048, 2048..3000]);
    let written = fs::read_to_string(dir.path().join("00000/default/tensors.tsv")).unwrap();
    let mut whole = String::new();
    mat.write_tsv(&mut whole).unwrap();
    assert_eq!(written, whole);
    assert!(written.starts_with("0.0\n1.0\n") && written.ends_with("2999.0\n"));
}

/// Fails while its second batch is formatted (a device error, say).
struct FailsPastFirstBatch;

impl EmbeddingMatrix for FailsPastFirstBatch {
    fn shape(&self) -> tfevents::Result<[usize; 2]> {
        Ok([2000, 1])
    }
    fn write_tsv_rows(
        &self,
        rows: std::ops::Range<usize>,
        out: &mut String,
    ) -> tfevents::Result<()> {
        if rows.start > 0 {
            return Err(tfevents::Error::invalid("mat", "the device is gone"));
        }
        for _ in rows {
            out.push_str("1.0\n");
        }
        Ok(())
    }
}

#[test]
fn an_embedding_that_fails_midway_leaves_the_run_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.add_scalar("loss", 0.5, 1).unwrap();
    let mat = points(2, 2);
    w.add_embedding((&mat[..], [2, 2]), EmbeddingOptions::new().tag("kept"))
        .unwrap();
    // With label images, so that the sprite is being written on its own thread meanwhile.
    let images = LabelImages::from_u8(&[128; 2000 * 4], [2000, 1, 2, 2]).unwrap();
    let err = w
        .add_embedding(
            FailsPastFirstBatch,
            EmbeddingOptions::new().label_images(images),
        )
        .unwrap_err()
        .to_string();
    assert!(err.contains("the device is gone"), "{err}");
    // The half-written embedding is gone, so the same step and tag can be logged again.
    assert!(!dir.path().join("00000/default").exists());
    w.add_embedding((&mat[..], [2, 2]), EmbeddingOptions::new())
        .unwrap();
    let config = fs::read_to_string(dir.path().join("projector_config.pbtxt")).unwrap();
    assert_eq!(config.matches("embeddings {").count(), 2);
    assert!(dir.path().join("00000/kept/tensors.tsv").exists());
    w.close().unwrap();
    let runs = discover_runs(dir.path()).unwrap();
    let data = RunData::read(&runs[0]).unwrap();
    assert_eq!(data.scalars["loss"].len(), 1);
}

/// After `close()`, `add_embedding` is `Err(Closed)`, as every other `add_*` call, and writes
/// nothing.
#[test]
fn add_embedding_after_close_is_closed_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.close().unwrap();
    let mat = points(2, 2);
    let err = w
        .add_embedding((&mat[..], [2, 2]), EmbeddingOptions::new())
        .unwrap_err();
    assert!(matches!(err, tfevents::Error::Closed), "{err:?}");
    assert!(!dir.path().join("00000").exists());
    assert!(!dir.path().join("projector_config.pbtxt").exists());
}

/// Two 1x50000 label images ask for a 100000x100000 sprite (30 GB): refused with the size and
/// the limit before any memory is asked for, and nothing is written.
#[test]
fn a_sprite_over_the_limit_is_refused_before_allocating() {
    use tfevents::summary::projector::MAX_SPRITE_BYTES;
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let images = LabelImages::from_u8(&[9; 2 * 50_000], [2, 1, 1, 50_000]).unwrap();
    let mat = points(2, 2);
    let err = w
        .add_embedding(
            (&mat[..], [2, 2]),
            EmbeddingOptions::new().label_images(images),
        )
        .unwrap_err();
    assert_eq!(err.tag(), Some("default"));
    match err.kind() {
        tfevents::Error::TooLarge { bytes, limit, .. } => {
            assert_eq!(*bytes, 100_000u128 * 100_000 * 3);
            assert_eq!(*limit, MAX_SPRITE_BYTES);
        }
        other => panic!("{other:?}"),
    }
    let text = err.to_string();
    assert!(
        text.contains("30000000000") && text.contains(&MAX_SPRITE_BYTES.to_string()),
        "{text}"
    );
    assert!(!dir.path().join("00000").exists());
}

/// Tags that would name the step directory or the log directory itself are refused; `/` and
/// `\` stay percent-encoded inside one directory name.
#[test]
fn tags_that_leave_the_embedding_directory_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let mat = points(2, 2);
    for tag in [".", "..", "a\0b"] {
        let err = w
            .add_embedding((&mat[..], [2, 2]), EmbeddingOptions::new().tag(tag))
            .unwrap_err();
        assert!(
            matches!(err.kind(), tfevents::Error::UnsafePath { .. }),
            "{tag:?}: {err:?}"
        );
    }
    assert!(!dir.path().join("projector_config.pbtxt").exists());
    w.add_embedding((&mat[..], [2, 2]), EmbeddingOptions::new().tag("../x"))
        .unwrap();
    assert!(dir.path().join("00000/..%2fx/tensors.tsv").exists());
}
