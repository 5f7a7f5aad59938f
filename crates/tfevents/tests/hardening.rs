//! Issue 24's promises for the newer `add_*` methods: names that become paths never leave
//! the log directory, every call after `close()` is `Err(Closed)` and writes nothing, and the
//! bad inputs of hparams, ranks, tensors, meshes, boxes and audio are `Err`s naming what was
//! wrong.

use std::path::{Path, PathBuf};

use tfevents::summary::boxes::Boxes;
use tfevents::summary::custom_scalar::LayoutCategory;
use tfevents::summary::graph::{graph_def, node};
use tfevents::summary::histogram::raw_histogram;
use tfevents::summary::hparams::{HParamDomain, HParamValue};
use tfevents::summary::mesh::Mesh;
use tfevents::summary::pr_curve::PrCurveData;
use tfevents::writer::{HParamsOptions, HParamsRun};
use tfevents::{Error, RankInfo, RankLayout, RankWriter, SummaryWriter};

/// Every file and directory below `dir`, sorted.
fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = walkdir(dir);
    paths.sort();
    paths
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            out.push(path.clone());
            if path.is_dir() {
                out.extend(walkdir(&path));
            }
        }
    }
    out
}

/// The names a hostile or careless caller might give a sub-run.
fn traversal_corpus() -> Vec<String> {
    vec![
        "..".into(),
        "../x".into(),
        "../../escape".into(),
        "/abs".into(),
        "/tmp/hp_escape".into(),
        "a/../../b".into(),
        "a/..".into(),
        "./x".into(),
        "a//b".into(),
        "trailing/".into(),
        "nul\0".into(),
        "back\\slash".into(),
        "..\\..\\x".into(),
        "C:\\x".into(),
        "C:x".into(),
        "x".repeat(256),
        ["y"; 600].join("/"),
    ]
}

#[test]
fn hparams_sub_runs_stay_in_the_log_directory() {
    let root = tempfile::tempdir().unwrap();
    let log_dir = root.path().join("run");
    let w = SummaryWriter::new(&log_dir).unwrap();
    let before = tree(root.path());
    for name in traversal_corpus() {
        let options = HParamsOptions {
            run: HParamsRun::SubRun(Some(name.clone())),
            ..Default::default()
        };
        let result =
            w.add_hparams_with(&[("lr", HParamValue::Number(0.1))], &[("m", 1.0)], &options);
        assert!(
            matches!(result, Err(Error::UnsafePath { name: ref n, .. }) if *n == name),
            "{name:?}: {result:?}"
        );
    }
    assert_eq!(
        tree(root.path()),
        before,
        "a refused name created something"
    );
    // Nested and Unicode names are fine, and land below the log directory.
    for name in ["sweep/trial_3", "学习率=0.1"] {
        let options = HParamsOptions {
            run: HParamsRun::SubRun(Some(name.into())),
            ..Default::default()
        };
        w.add_hparams_with(&[("lr", HParamValue::Number(0.1))], &[("m", 1.0)], &options)
            .unwrap();
        assert!(log_dir.join(name).is_dir(), "{name}");
    }
    w.close().unwrap();
}

#[test]
fn add_scalars_checks_every_name_before_writing_any() {
    let root = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(root.path()).unwrap();
    let before = tree(root.path());
    let long = "t".repeat(300);
    for bad in ["nul\0", long.as_str(), ""] {
        let result = w.add_scalars("loss", [("good", 1.0), (bad, 2.0), ("also_good", 3.0)], 0);
        assert!(result.is_err(), "{bad:?} was accepted");
        assert_eq!(tree(root.path()), before, "{bad:?}: a sub-run was written");
    }
    // A main tag that reads as a drive on Windows.
    let drive = w.add_scalars("C:", [("x", 1.0)], 0).unwrap_err();
    assert_eq!(drive.tag(), Some("C:"));
    assert!(
        matches!(drive.kind(), Error::UnsafePath { .. }),
        "{drive:?}"
    );
    // Separators still become `_`, as before: the sub-run stays a single directory.
    w.add_scalars("a/..", [("../x", 1.0)], 0).unwrap();
    assert!(root.path().join("a_.._.._x").is_dir());
    w.close().unwrap();
}

#[test]
fn unsafe_filename_suffixes_are_refused_before_anything_is_created() {
    let root = tempfile::tempdir().unwrap();
    for suffix in [
        "/../x",
        "a/b",
        "a\\b",
        "nul\0",
        "C:",
        "s".repeat(256).as_str(),
    ] {
        let built = SummaryWriter::builder()
            .log_dir(root.path().join("run"))
            .filename_suffix(suffix)
            .build();
        assert!(
            matches!(built, Err(Error::UnsafePath { .. })),
            "{suffix:?}: {built:?}"
        );
    }
    assert_eq!(tree(root.path()), Vec::<PathBuf>::new());
    SummaryWriter::builder()
        .log_dir(root.path().join("run"))
        .filename_suffix(".gpu0")
        .build()
        .unwrap()
        .close()
        .unwrap();
}

#[test]
fn every_add_call_after_close_is_closed_and_writes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(root.path()).unwrap();
    w.add_scalar("x", 1.0, 0).unwrap();
    let clone = w.clone();
    w.close().unwrap();
    let before = tree(root.path());
    let size = std::fs::metadata(w.file_path()).unwrap().len();
    let img = [0.5f32; 3 * 4 * 4];
    let boxes = Boxes::new(&[[0.0, 0.0, 2.0, 2.0]]).unwrap();
    let mesh = Mesh::new(&[0.0, 0.0, 0.0], [1, 1]).unwrap();
    let hist = raw_histogram(0.0, 1.0, 1.0, 0.5, 0.25, &[1.0], &[1.0]).unwrap();
    let pr = PrCurveData {
        true_positives: vec![1.0; 2],
        false_positives: vec![0.0; 2],
        true_negatives: vec![1.0; 2],
        false_negatives: vec![0.0; 2],
        precision: vec![1.0; 2],
        recall: vec![1.0; 2],
    };
    let graph = graph_def(vec![node("a", "Op", Vec::<String>::new())]).unwrap();
    let sub_run = HParamsOptions {
        run: HParamsRun::SubRun(Some("late".into())),
        ..Default::default()
    };
    // Calls with bad input too: closed is reported before the input is looked at.
    let calls: Vec<(&str, tfevents::Result<()>)> = vec![
        ("add_scalar", clone.add_scalar("x", 2.0, 1)),
        ("add_scalar bad tag", clone.add_scalar("", 2.0, 1)),
        ("add_scalars", clone.add_scalars("g", [("a", 1.0)], 1)),
        (
            "add_scalars bad name",
            clone.add_scalars("g", [("nul\0", 1.0)], 1),
        ),
        ("add_text", clone.add_text("t", "x", 1)),
        ("add_histogram", clone.add_histogram("h", &[1.0f64][..], 1)),
        (
            "add_histogram empty",
            clone.add_histogram("h", &[] as &[f64], 1),
        ),
        ("add_histogram_raw", clone.add_histogram_raw("h", hist, 1)),
        ("add_tensor", clone.add_tensor("t", &[1.0f32], &[1], 1)),
        ("add_image", clone.add_image("i", (&img[..], [3, 4, 4]), 1)),
        (
            "add_images",
            clone.add_images("i", (&img[..], [1, 3, 4, 4]), 1),
        ),
        (
            "add_image_with_boxes",
            clone.add_image_with_boxes("b", (&img[..], [3, 4, 4]), &boxes, 1, "CHW"),
        ),
        ("add_audio", clone.add_audio("a", &[0.0f32; 8], 1, 8000)),
        ("add_mesh", clone.add_mesh("m", &mesh, 1)),
        (
            "add_pr_curve",
            clone.add_pr_curve("p", &[1u8, 0], &[0.9f32, 0.1], 1),
        ),
        ("add_pr_curve_raw", clone.add_pr_curve_raw("p", &pr, 1)),
        (
            "add_custom_scalars",
            clone.add_custom_scalars(&[LayoutCategory::new("c").multiline("t", ["x"])]),
        ),
        ("add_graph_def", clone.add_graph_def(&graph)),
        (
            "add_hparams",
            clone.add_hparams(&[("lr", HParamValue::Number(0.1))], &[("m", 1.0)]),
        ),
        (
            "add_hparams_with sub-run",
            clone.add_hparams_with(&[("lr", HParamValue::Number(0.1))], &[("m", 1.0)], &sub_run),
        ),
        ("add_summary", clone.add_summary(Default::default(), 1)),
    ];
    for (name, result) in calls {
        assert!(matches!(result, Err(Error::Closed)), "{name}: {result:?}");
    }
    #[cfg(feature = "video")]
    assert!(matches!(
        clone.add_video("v", &[0u8; 3], [1, 1, 3, 1, 1], 1, 4.0),
        Err(Error::Closed)
    ));
    #[cfg(feature = "figures")]
    {
        let chart = tfevents::summary::figure::BarChart::new("b", ["a"], &[1.0]).unwrap();
        assert!(matches!(
            clone.add_figure("f", &chart, 1),
            Err(Error::Closed)
        ));
    }
    assert_eq!(
        tree(root.path()),
        before,
        "a call after close created a file"
    );
    assert_eq!(std::fs::metadata(w.file_path()).unwrap().len(), size);
}

#[test]
fn hparam_values_must_lie_in_their_declared_domains() {
    let root = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(root.path()).unwrap();
    let with = |domain: HParamDomain| HParamsOptions {
        domains: vec![("p".into(), domain)],
        ..Default::default()
    };
    let outside = w.add_hparams_with(
        &[("p", HParamValue::Number(2.0))],
        &[("m", 1.0)],
        &with(HParamDomain::Interval { min: 0.0, max: 1.0 }),
    );
    assert!(
        matches!(outside.as_ref().map_err(Error::kind), Err(Error::OutOfRange { value, min, max, .. }) if *value == 2.0 && *min == 0.0 && *max == 1.0),
        "{outside:?}"
    );
    let not_listed = w.add_hparams_with(
        &[("p", HParamValue::from("rmsprop"))],
        &[("m", 1.0)],
        &with(HParamDomain::Discrete(vec!["adam".into(), "sgd".into()])),
    );
    assert!(
        matches!(not_listed.as_ref().map_err(Error::kind), Err(Error::InvalidArgument { name: "hparams", reason }) if reason.contains("rmsprop")),
        "{not_listed:?}"
    );
    // The bounds themselves are in the interval; listed values are accepted.
    for v in [0.0, 1.0] {
        w.add_hparams_with(
            &[("p", HParamValue::Number(v))],
            &[("m", 1.0)],
            &with(HParamDomain::Interval { min: 0.0, max: 1.0 }),
        )
        .unwrap();
    }
    w.add_hparams_with(
        &[("p", HParamValue::from("sgd"))],
        &[("m", 1.0)],
        &with(HParamDomain::Discrete(vec!["adam".into(), "sgd".into()])),
    )
    .unwrap();
    w.close().unwrap();
}

#[test]
fn rank_writer_new_refuses_ranks_outside_the_world() {
    let root = tempfile::tempdir().unwrap();
    for (rank, world_size) in [(5, 4), (0, 0)] {
        let built = RankWriter::new(
            SummaryWriter::builder().log_dir(root.path()),
            RankLayout::RunPerRank,
            RankInfo {
                rank,
                local_rank: 0,
                world_size,
            },
        );
        assert!(
            matches!(&built, Err(Error::OutOfRange { what, .. }) if what.starts_with("RANK"))
                || matches!(&built, Err(Error::BadNumber { what, .. }) if what == "WORLD_SIZE"),
            "rank {rank} of {world_size}"
        );
    }
    assert_eq!(tree(root.path()), Vec::<PathBuf>::new());
}

#[test]
fn tensor_shapes_that_do_not_fit_an_i64_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(root.path()).unwrap();
    let result = w.add_tensor("t", &[] as &[f32], &[0, usize::MAX], 0);
    assert!(
        matches!(
            result.as_ref().map_err(Error::kind),
            Err(Error::OutOfRange { .. })
        ),
        "{result:?}"
    );
    w.add_tensor("t", &[] as &[f32], &[0, 3], 0).unwrap();
    w.close().unwrap();
}
