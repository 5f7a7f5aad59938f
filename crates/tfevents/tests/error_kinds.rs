//! Every `SummaryWriter::add_*` method, given a bad input, returns an error that names its tag
//! (`Error::InTag`, with `(tag `…`)` in the message) and whose kind, seen through
//! `Error::kind`, is a structured variant a caller can match.
//!
//! Methods whose input is checked when it is built (a `Mesh`, `Boxes`, a raw histogram) are
//! given a bad input of theirs that the call itself checks, or, where a built input cannot be
//! wrong (`add_mesh`, `add_histogram_raw`, `add_text`), the builder's error is matched instead.

use tfevents::summary::custom_scalar::LAYOUT_TAG;
use tfevents::summary::histogram::{raw_histogram, Bins};
use tfevents::summary::hparams::{HParamValue, EXPERIMENT_TAG};
use tfevents::summary::mesh::Mesh;
use tfevents::summary::pr_curve::PrCurveData;
use tfevents::summary::projector::{EmbeddingOptions, Metadata};
use tfevents::{Error, SummaryWriter};

/// `$call` fails with an error naming `$tag` whose kind matches `$kind`.
macro_rules! assert_tagged {
    ($call:expr, $tag:expr, $kind:pat $(if $guard:expr)?) => {{
        let e = $call.expect_err("the bad input was accepted");
        assert_eq!(e.tag(), Some($tag), "{e:?}");
        let text = e.to_string();
        assert!(text.contains(&format!("(tag `{}`)", $tag)), "{text}");
        assert!(matches!(e, Error::InTag { .. }), "{e:?}");
        assert!(matches!(e.kind(), $kind $(if $guard)?), "{e:?}");
    }};
}

fn writer() -> (tempfile::TempDir, SummaryWriter) {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    (dir, w)
}

#[test]
fn scalars_and_tensors() {
    let (_dir, w) = writer();
    assert_tagged!(
        w.add_scalars("group", [("", 1.0)], 0),
        "group",
        Error::BadName { what: "tag", .. }
    );
    assert_tagged!(
        w.add_scalars("group", [("nul\0", 1.0)], 0),
        "group",
        Error::UnsafePath { .. }
    );
    assert_tagged!(
        w.add_tensor("t", &[1.0f32, 2.0], &[3], 0),
        "t",
        Error::ShapeMismatch {
            needs: 3,
            got: 2,
            ..
        }
    );
    #[cfg(feature = "candle")]
    {
        let t = candle_core::Tensor::new(&[1f32, 2.0], &candle_core::Device::Cpu).unwrap();
        assert_tagged!(
            w.add_scalar("loss", &t, 0),
            "loss",
            Error::BadShape { shape, .. } if shape == &[2]
        );
        assert_tagged!(
            w.add_scalar_with(
                "loss",
                &t,
                0,
                tfevents::summary::scalar::ScalarOptions::default()
            ),
            "loss",
            Error::BadShape { .. }
        );
    }
    w.close().unwrap();
}

#[test]
fn histograms() {
    let (_dir, w) = writer();
    assert_tagged!(
        w.add_histogram("weights", &[] as &[f32], 0),
        "weights",
        Error::Empty { .. }
    );
    assert_tagged!(
        w.add_histogram("weights", &[1.0f32, f32::NAN][..], 0),
        "weights",
        Error::NonFinite {
            count: 1,
            total: 2,
            ..
        }
    );
    assert_tagged!(
        w.add_histogram_with("weights", &[1.0f32][..], 0, &Bins::Count(0), None),
        "weights",
        Error::OutOfRange { value, .. } if *value == 0.0
    );
    // A raw histogram is checked when it is built; the call cannot refuse a built one.
    assert!(matches!(
        raw_histogram(0.0, 1.0, 1.0, 1.0, 1.0, &[1.0], &[]),
        Err(Error::LengthMismatch {
            got: 1,
            expected: 0,
            ..
        })
    ));
    w.close().unwrap();
}

#[test]
fn images_and_boxes() {
    let (_dir, w) = writer();
    let five_channels = [0.5f32; 5 * 2 * 2];
    assert_tagged!(
        w.add_image("img", (&five_channels[..], [5, 2, 2]), 0),
        "img",
        Error::BadShape { shape, .. } if shape == &[5, 2, 2]
    );
    assert_tagged!(
        w.add_image_with_format("img", (&five_channels[..], [5, 2, 2]), 0, "CHX"),
        "img",
        Error::BadDataFormat { format, .. } if format == "CHX"
    );
    assert_tagged!(
        w.add_images("batch", (&five_channels[..3], [1, 3, 2, 2]), 0),
        "batch",
        Error::ShapeMismatch {
            needs: 12,
            got: 3,
            ..
        }
    );
    assert_tagged!(
        w.add_images_with_format("batch", (&five_channels[..], [5, 2, 2]), 0, "HWC"),
        "batch",
        Error::BadDataFormat { .. }
    );
    assert_tagged!(
        w.add_image_with_format("nan", (&[f32::NAN; 4][..], [2, 2]), 0, "HW"),
        "nan",
        Error::NanPixels { count: 4, .. }
    );
    let boxes = tfevents::summary::boxes::Boxes::new(&[[0.0, 0.0, 1.0, 1.0]]).unwrap();
    assert_tagged!(
        w.add_image_with_boxes("det", (&five_channels[..], [5, 2, 2]), &boxes, 0, "CHW"),
        "det",
        Error::BadShape { .. }
    );
    w.close().unwrap();
}

#[cfg(feature = "figures")]
#[test]
fn figures() {
    use tfevents::summary::figure::from_fn;
    let (_dir, w) = writer();
    assert_tagged!(
        w.add_figure("fig", &from_fn(0, 100, |_| Ok(())), 0),
        "fig",
        Error::OutOfRange { value, .. } if *value == 0.0
    );
    assert_tagged!(
        w.add_figure("fig", &from_fn(10, 10, |_| Err("no data".into())), 0),
        "fig",
        Error::Encode {
            what: "the figure",
            ..
        }
    );
    w.close().unwrap();
}

#[cfg(feature = "video")]
#[test]
fn videos() {
    let (_dir, w) = writer();
    let v = [0u8; 2 * 3 * 4];
    assert_tagged!(
        w.add_video("clip", &v, [2, 3, 1, 2, 2], 0, 0.0),
        "clip",
        Error::BadNumber { what, .. } if what == "fps"
    );
    assert_tagged!(
        w.add_video("clip", &v, [2, 3, 2, 2, 2], 0, 4.0),
        "clip",
        Error::BadShape { .. }
    );
    assert_tagged!(
        w.add_video_dyn("clip", &v, &[2, 3, 4], 0, 4.0),
        "clip",
        Error::BadShape { shape, .. } if shape == &[2, 3, 4]
    );
    w.close().unwrap();
}

#[test]
fn audio() {
    let (_dir, w) = writer();
    assert_tagged!(
        w.add_audio("sound", &[] as &[f32], 0, 8000),
        "sound",
        Error::Empty { what } if what == "samples"
    );
    assert_tagged!(
        w.add_audio("sound", &[0.1f32, f32::NAN], 0, 8000),
        "sound",
        Error::BadNumber { what, .. } if what == "sample 1"
    );
    assert_tagged!(
        w.add_audio_channels("sound", &[0.1f32; 4], 0, 0, 8000),
        "sound",
        Error::OutOfRange { what, .. } if what == "num_channels"
    );
    w.close().unwrap();
}

#[test]
fn pr_curves() {
    let (_dir, w) = writer();
    assert_tagged!(
        w.add_pr_curve("pr", &[1u8, 0], &[0.5f32], 0),
        "pr",
        Error::LengthMismatch {
            got: 2,
            expected: 1,
            per: "prediction",
            ..
        }
    );
    assert_tagged!(
        w.add_pr_curve_with("pr", &[1u8], &[0.5f32], 0, 127, Some(&[-1.0])),
        "pr",
        Error::BadNumber { value, .. } if *value == -1.0
    );
    let raw = PrCurveData {
        true_positives: vec![1.0, 1.0],
        false_positives: vec![0.0],
        true_negatives: vec![0.0, 0.0],
        false_negatives: vec![0.0, 0.0],
        precision: vec![1.0, 1.0],
        recall: vec![1.0, 1.0],
    };
    assert_tagged!(
        w.add_pr_curve_raw("pr", &raw, 0),
        "pr",
        Error::LengthMismatch { what, .. } if what == "false_positives"
    );
    w.close().unwrap();
}

#[test]
fn text_and_meshes_are_checked_before_the_call() {
    let (_dir, w) = writer();
    // Any text is fine; only the tag can be wrong, and an empty tag is a `BadName`.
    assert!(matches!(
        w.add_text("", "x", 0),
        Err(Error::BadName { what: "tag", .. })
    ));
    // A mesh is checked when it is built: the call cannot refuse a built one.
    assert!(matches!(
        Mesh::new(&[0.0; 5], [1, 2]),
        Err(Error::ShapeMismatch { .. })
    ));
    let mesh = Mesh::new(&[0.0; 9], [1, 3]).unwrap();
    w.add_mesh("mesh", &mesh, 0).unwrap();
    assert!(matches!(
        w.add_mesh("", &mesh, 0),
        Err(Error::BadName { what: "tag", .. })
    ));
    w.close().unwrap();
}

#[test]
fn hparams_name_the_experiment_tag() {
    let (_dir, w) = writer();
    assert_tagged!(
        w.add_hparams(&[("lr", HParamValue::Number(f64::NAN))], &[("acc", 1.0)]),
        EXPERIMENT_TAG,
        Error::BadNumber { what, .. } if what == "hparam `lr`"
    );
    assert_tagged!(
        w.add_hparams(&[("lr", 0.1.into()), ("lr", 0.2.into())], &[("acc", 1.0)]),
        EXPERIMENT_TAG,
        Error::BadName { what: "hparam", name, .. } if name == "lr"
    );
    w.close().unwrap();
}

#[test]
fn embeddings_name_their_tag() {
    let (dir, w) = writer();
    let mat = [0.1f32, 0.2, 0.3, 0.4];
    assert_tagged!(
        w.add_embedding(
            (&mat[..], [2, 2]),
            EmbeddingOptions::new()
                .metadata(Metadata::column(["a"]))
                .tag("points")
        ),
        "points",
        Error::LengthMismatch {
            got: 1,
            expected: 2,
            ..
        }
    );
    assert_tagged!(
        w.add_embedding((&mat[..], [3, 2]), EmbeddingOptions::new().tag("points")),
        "points",
        Error::ShapeMismatch { .. }
    );
    assert!(!dir.path().join("00000").exists());
    w.close().unwrap();
}

#[test]
fn custom_scalars_name_the_layout_tag() {
    let (_dir, w) = writer();
    assert_tagged!(w.add_custom_scalars(&[]), LAYOUT_TAG, Error::Empty { .. });
    assert_tagged!(
        w.add_custom_scalars_multilinechart(Vec::<String>::new(), "c", "t"),
        LAYOUT_TAG,
        Error::Empty { what } if what.contains("chart `t`")
    );
    assert_tagged!(
        w.add_custom_scalars_marginchart(["v", "", "hi"], "c", "t"),
        LAYOUT_TAG,
        Error::Empty { .. }
    );
    w.close().unwrap();
}

#[test]
fn graphs_have_no_tag_but_a_structured_error() {
    let (_dir, w) = writer();
    let empty = tfevents::proto::graph::GraphDef::default();
    let e = w.add_graph_def(&empty).unwrap_err();
    // A graph is stored in `Event.graph_def`, not under a tag.
    assert_eq!(e.tag(), None);
    assert!(matches!(e, Error::Empty { .. }), "{e:?}");
    w.close().unwrap();
}

#[test]
fn input_errors_leave_the_writer_usable() {
    let (dir, w) = writer();
    assert!(w.add_histogram("h", &[] as &[f32], 0).is_err());
    w.add_scalar("ok", 1.0, 0).unwrap();
    w.close().unwrap();
    let runs = tfevents::reader::discover_runs(dir.path()).unwrap();
    let data = tfevents::reader::RunData::read(&runs[0]).unwrap();
    assert_eq!(data.scalars["ok"].len(), 1);
}
