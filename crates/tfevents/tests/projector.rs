//! `add_embedding`: the projector's files on disk, appended configs, and bad input that leaves
//! the run as it was.

use std::fs;

use tfevents::summary::projector::{EmbeddingOptions, LabelImages, Metadata};
use tfevents::SummaryWriter;

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
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`metadata`") && err.contains("2 labels") && err.contains("3 rows"),
        "{err}"
    );
    let imgs = LabelImages::from_u8(&[0; 4 * 4], [4, 1, 2, 2]).unwrap();
    let err = w
        .add_embedding(
            (&mat[..], [3, 2]),
            EmbeddingOptions::new().label_images(imgs),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`label_img`") && err.contains("4 images"),
        "{err}"
    );
    let err = w
        .add_embedding((&mat[..], [2, 2]), EmbeddingOptions::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("`mat`"), "{err}");
    assert!(!dir.path().join("00000").exists());
    assert!(!dir.path().join("projector_config.pbtxt").exists());
    assert!(EmbeddingOptions::new().step(-1).is_err());
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
