//! The IDX reader on files the test writes itself, and on the bundled subset.

use std::io::Write;

use tutorials::mnist::{encode_idx, Mnist};

#[test]
fn reads_raw_and_gz_idx_written_here() {
    let dir = tempfile::tempdir().unwrap();
    // Two 2x3 images with known bytes.
    let pixels = [0u8, 51, 102, 153, 204, 255, 255, 0, 0, 0, 0, 255];
    let (img, lbl) = encode_idx(2, 2, 3, &pixels, &[7, 1]);
    let raw_img = dir.path().join("raw-images");
    let raw_lbl = dir.path().join("raw-labels");
    std::fs::write(&raw_img, &img).unwrap();
    std::fs::write(&raw_lbl, &lbl).unwrap();
    let m = Mnist::load(&raw_img, &raw_lbl).unwrap();
    assert_eq!((m.len(), m.rows, m.cols), (2, 2, 3));
    assert_eq!(m.labels, vec![7, 1]);
    assert_eq!(m.image(0).unwrap(), &[0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
    assert_eq!(m.image(1).unwrap(), &[1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    assert!(m.image(2).is_none());

    // The same through gzip, found by load_dir's file names.
    for (name, bytes) in [
        ("train-images-idx3-ubyte.gz", &img),
        ("train-labels-idx1-ubyte.gz", &lbl),
    ] {
        let f = std::fs::File::create(dir.path().join(name)).unwrap();
        let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::default());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap();
    }
    let g = Mnist::load_dir(dir.path(), true).unwrap();
    assert_eq!(g, m);
    let s = g.slice(1, 10);
    assert_eq!(s.labels, vec![1]);
}

#[test]
fn bad_magic_and_truncation_are_errors() {
    let pixels = [1u8; 8];
    let (img, lbl) = encode_idx(2, 2, 2, &pixels, &[3, 4]);
    // Swapped files: wrong magic each way.
    let e = Mnist::from_idx(&lbl, &img).unwrap_err().to_string();
    assert!(e.contains("magic"), "{e}");
    // Image data one byte short.
    let e = Mnist::from_idx(&img[..img.len() - 1], &lbl)
        .unwrap_err()
        .to_string();
    assert!(e.contains("truncated"), "{e}");
    // Header cut short.
    assert!(Mnist::from_idx(&img[..10], &lbl).is_err());
    // Labels short.
    assert!(Mnist::from_idx(&img, &lbl[..9]).is_err());
    // Count mismatch.
    let (_, lbl3) = encode_idx(3, 2, 2, &[0; 12], &[0, 1, 2]);
    assert!(Mnist::from_idx(&img, &lbl3).is_err());
    // Missing directory.
    assert!(Mnist::load_dir("/nonexistent/mnist", true).is_err());
}

#[test]
fn bundled_subset() {
    let m = Mnist::bundled().unwrap();
    assert_eq!((m.len(), m.rows, m.cols), (10_000, 28, 28));
    assert!(m.labels.iter().all(|&l| l <= 9));
    for d in 0..10u8 {
        let c = m.labels.iter().filter(|&&l| l == d).count();
        assert!(c > 850, "digit {d} appears {c} times");
    }
    // The first labels of MNIST's 10k test file.
    assert_eq!(&m.labels[..5], &[9, 3, 7, 0, 9]);
    assert!(m.images.iter().all(|&p| (0.0..=1.0).contains(&p)));
    let max = m.images.iter().cloned().fold(0f32, f32::max);
    assert_eq!(max, 1.0);
}

/// The demo's HPARAMS trials are real training: each learns far past chance (10%) on the
/// held-out digits, logs one loss per step, and its loss falls.
#[test]
fn hparams_trials_learn_the_bundled_digits() {
    use candle_core::Device;
    use tfevents::reader::{discover_runs, RunData};
    use tutorials::hparams_sweep::{run, split, OptimizerKind, Trial};

    let digits = Mnist::bundled().unwrap();
    let data = split(&digits, &Device::Cpu).unwrap();
    for (lr, optimizer, hidden_layer) in [
        (0.1, OptimizerKind::Sgd, true),
        (0.01, OptimizerKind::Adam, false),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let writer = tfevents::SummaryWriter::new(dir.path()).unwrap();
        let trial = Trial {
            lr,
            optimizer,
            batch_size: 64,
            hidden_layer,
        };
        let outcome = run(trial, &data, 100, &writer).unwrap();
        writer.close().unwrap();
        assert!(outcome.accuracy > 0.6, "{trial:?}: {outcome:?}");
        let runs = discover_runs(dir.path()).unwrap();
        let losses = &RunData::read(&runs[0]).unwrap().scalars["train/loss"];
        assert_eq!(losses.len(), 100);
        assert!(
            outcome.final_loss < losses[0].value * 0.7,
            "{trial:?}: {outcome:?}, first loss {}",
            losses[0].value
        );
    }
}
