//! The dashboard methods of part 1 (hparams, PR curves, custom scalars, audio, video, scalars
//! in full): what they write, and bad input as a clear error that loses nothing logged.

use std::collections::{BTreeMap, HashMap};

use prost::Message;
use tfevents::proto::hparams::{h_params_plugin_data::Data, HParamsPluginData};
use tfevents::proto::{event, summary::value::Value as V, DataType, Event};
use tfevents::reader::EventFileReader;
use tfevents::summary::hparams::{HParamDomain, HParamValue};
use tfevents::summary::pr_curve::{compute_curve, PrCurveData};
use tfevents::summary::scalar::ScalarOptions;
use tfevents::writer::{HParamsOptions, HParamsRun};
use tfevents::{Error, SummaryWriter};

fn events(path: &std::path::Path) -> Vec<Event> {
    EventFileReader::open(path)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

fn values(path: &std::path::Path) -> Vec<(i64, tfevents::proto::summary::Value)> {
    events(path)
        .into_iter()
        .filter_map(|e| match e.what {
            Some(event::What::Summary(s)) => Some((e.step, s.value.into_iter().next().unwrap())),
            _ => None,
        })
        .collect()
}

/// What an input error is about: the argument's name or the `what` of a structured variant.
fn subject(e: &Error) -> String {
    match e.kind() {
        Error::InvalidArgument { name, .. } => name.to_string(),
        Error::LengthMismatch { what, .. }
        | Error::OutOfRange { what, .. }
        | Error::BadNumber { what, .. }
        | Error::BadShape { what, .. }
        | Error::Empty { what } => what.clone(),
        Error::BadName { what, name, .. } => format!("{what} {name}"),
        Error::ShapeMismatch { .. } => "shape".to_string(),
        other => panic!("not an input error: {other:?}"),
    }
}

/// `r` is an input error of an `add_*` call: it names the call's tag, is about `arg` and its
/// message holds `words`.
fn assert_invalid<T: std::fmt::Debug>(r: tfevents::Result<T>, arg: &str, words: &str) {
    let e = r.expect_err("the bad input was accepted");
    assert!(e.tag().is_some(), "no tag in {e:?}");
    let about = subject(&e);
    assert!(about.contains(arg), "{e:?} is about `{about}`, not `{arg}`");
    let text = e.to_string();
    assert!(text.contains(words), "`{text}` lacks `{words}`");
}

/// Logs a scalar, runs `bad` (which must fail), logs another, and checks both scalars are on
/// disk: a rejected call loses nothing.
fn nothing_lost(bad: impl FnOnce(&SummaryWriter)) {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.add_scalar("before", 1.0, 0).unwrap();
    bad(&w);
    w.add_scalar("after", 2.0, 1).unwrap();
    w.close().unwrap();
    let tags: Vec<String> = values(w.file_path())
        .into_iter()
        .map(|(_, v)| v.tag)
        .collect();
    assert_eq!(tags, ["before", "after"]);
}

fn plugin_data(v: &tfevents::proto::summary::Value) -> (&str, &[u8]) {
    let p = v.metadata.as_ref().unwrap().plugin_data.as_ref().unwrap();
    (p.plugin_name.as_str(), &p.content)
}

#[test]
fn hparams_in_the_same_run_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.add_hparams(
        &[("lr", 0.1.into()), ("layers", 3.into())],
        &[("hparam/acc", 0.75)],
    )
    .unwrap();
    w.close().unwrap();
    let vals = values(w.file_path());
    let tags: Vec<&str> = vals.iter().map(|(_, v)| v.tag.as_str()).collect();
    assert_eq!(
        tags,
        [
            "_hparams_/experiment",
            "_hparams_/session_start_info",
            "_hparams_/session_end_info",
            "hparam/acc"
        ]
    );
    let (plugin, content) = plugin_data(&vals[1].1);
    assert_eq!(plugin, "hparams");
    let Some(Data::SessionStartInfo(ssi)) = HParamsPluginData::decode(content).unwrap().data else {
        panic!("not a session start")
    };
    assert_eq!(ssi.hparams.len(), 2);
    assert_eq!(vals[3].1.value, Some(V::SimpleValue(0.75)));
    // No sub-run directory.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn hparams_pytorch_layout_and_domains() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let options = HParamsOptions {
        run: HParamsRun::SubRun(Some("trial0".into())),
        domains: vec![
            (
                "lr".into(),
                HParamDomain::Interval {
                    min: 1e-4,
                    max: 1.0,
                },
            ),
            (
                "opt".into(),
                HParamDomain::Discrete(vec!["adam".into(), "sgd".into()]),
            ),
        ],
        global_step: 7,
        skip_metric_values: false,
    };
    w.add_hparams_with(
        &[("lr", 0.1.into()), ("opt", "sgd".into())],
        &[("m", 1.5)],
        &options,
    )
    .unwrap();
    w.close().unwrap();
    let sub = dir.path().join("trial0");
    let file = std::fs::read_dir(&sub)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let vals = values(&file);
    assert_eq!(vals.len(), 4);
    assert!(vals.iter().all(|(step, _)| *step == 7));
    let Some(Data::Experiment(exp)) = HParamsPluginData::decode(plugin_data(&vals[0].1).1)
        .unwrap()
        .data
    else {
        panic!("not an experiment")
    };
    assert_eq!(exp.hparam_infos.len(), 2);
    assert!(exp.hparam_infos.iter().all(|h| h.domain.is_some()));
    assert_eq!(exp.metric_infos[0].name.as_ref().unwrap().tag, "m");
    // The main run holds only the file header.
    assert!(values(w.file_path()).is_empty());
}

#[test]
fn hparams_bad_input() {
    nothing_lost(|w| {
        assert_invalid(
            w.add_hparams(&[("lr", 0.1.into()), ("lr", 0.2.into())], &[("m", 1.0)]),
            "hparam",
            "twice",
        );
        assert_invalid(
            w.add_hparams(&[("lr", f64::NAN.into())], &[("m", 1.0)]),
            "hparam `lr`",
            "finite",
        );
        assert_invalid(
            w.add_hparams(&[("lr", 0.1.into())], &[("", 1.0)]),
            "tag",
            "empty",
        );
        let domains = |d| HParamsOptions {
            domains: vec![d],
            ..Default::default()
        };
        assert_invalid(
            w.add_hparams_with(
                &[("lr", 0.1.into())],
                &[("m", 1.0)],
                &domains(("nope".into(), HParamDomain::Interval { min: 0.0, max: 1.0 })),
            ),
            "domain",
            "nope",
        );
        assert_invalid(
            w.add_hparams_with(
                &[("opt", "adam".into())],
                &[("m", 1.0)],
                &domains(("opt".into(), HParamDomain::Interval { min: 0.0, max: 1.0 })),
            ),
            "domains",
            "not of the type",
        );
        assert_invalid(
            w.add_hparams_with(
                &[("lr", 0.1.into())],
                &[("m", 1.0)],
                &domains((
                    "lr".into(),
                    HParamDomain::Discrete(vec![HParamValue::Bool(true)]),
                )),
            ),
            "domains",
            "type",
        );
    });
}

#[test]
fn hparams_metric_naming_no_logged_tag_is_accepted() {
    // PyTorch allows it; the docs of add_hparams_with warn that the column stays empty.
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    let options = HParamsOptions {
        skip_metric_values: true,
        ..Default::default()
    };
    w.add_hparams_with(&[("lr", 0.1.into())], &[("never/logged", 0.0)], &options)
        .unwrap();
    w.close().unwrap();
    assert_eq!(values(w.file_path()).len(), 3);
}

#[test]
fn pr_curve_counts_by_hand() {
    // 3 thresholds: buckets floor(p * 2) = 0, 1, 2.
    let d = compute_curve(&[1u8, 0, 1, 0], &[0.9f64, 0.6, 0.2, 1.0], 3, None).unwrap();
    assert_eq!(d.true_positives, [2.0, 1.0, 0.0]);
    assert_eq!(d.false_positives, [2.0, 2.0, 1.0]);
    assert_eq!(d.true_negatives, [0.0, 0.0, 1.0]);
    assert_eq!(d.false_negatives, [0.0, 1.0, 2.0]);
    assert_eq!(d.precision, [0.5, 1.0 / 3.0, 0.0]);
    assert_eq!(d.recall, [1.0, 0.5, 0.0]);
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.add_pr_curve("pr", &[true, false], &[0.7f32, 0.1], 4)
        .unwrap();
    w.add_pr_curve_raw("raw", &d, 5).unwrap();
    w.close().unwrap();
    let vals = values(w.file_path());
    let Some(V::Tensor(t)) = &vals[0].1.value else {
        panic!()
    };
    assert_eq!(t.dtype, DataType::DtFloat as i32);
    assert_eq!(t.float_val.len(), 6 * 127);
    assert_eq!(plugin_data(&vals[0].1).0, "pr_curves");
    let Some(V::Tensor(t)) = &vals[1].1.value else {
        panic!()
    };
    assert_eq!(t.float_val.len(), 18);
}

#[test]
fn pr_curve_bad_input() {
    nothing_lost(|w| {
        assert_invalid(
            w.add_pr_curve("pr", &[0u8, 2], &[0.1f32, 0.2], 0),
            "labels",
            "entry 1",
        );
        assert_invalid(
            w.add_pr_curve("pr", &[0.5f64], &[0.1f32], 0),
            "labels",
            "entry 0",
        );
        assert_invalid(
            w.add_pr_curve("pr", &[0u8, 1], &[0.1f32, 1.5], 0),
            "predictions",
            "entry 1",
        );
        assert_invalid(
            w.add_pr_curve("pr", &[0u8, 1], &[-0.1f32, 0.5], 0),
            "predictions",
            "entry 0",
        );
        assert_invalid(
            w.add_pr_curve("pr", &[0u8], &[f32::NAN], 0),
            "predictions",
            "NaN",
        );
        assert_invalid(
            w.add_pr_curve("pr", &[0u8], &[f64::INFINITY], 0),
            "predictions",
            "outside",
        );
        assert_invalid(
            w.add_pr_curve("pr", &[0u8, 1], &[0.1f32], 0),
            "labels",
            "2 entries",
        );
        assert_invalid(
            w.add_pr_curve_with("pr", &[0u8], &[0.1f32], 0, 127, Some(&[1.0, 2.0])),
            "weights",
            "2 entries",
        );
        assert_invalid(
            w.add_pr_curve_with("pr", &[0u8], &[0.1f32], 0, 127, Some(&[-1.0])),
            "weight 0",
            ">= 0",
        );
        assert_invalid(
            w.add_pr_curve_with("pr", &[0u8], &[0.1f32], 0, 1, None),
            "num_thresholds",
            "outside [2,",
        );
        let mut d = PrCurveData {
            true_positives: vec![1.0, 0.0],
            ..Default::default()
        };
        assert_invalid(
            w.add_pr_curve_raw("pr", &d, 0),
            "false_positives",
            "0 entries",
        );
        d = PrCurveData {
            true_positives: vec![1.0],
            false_positives: vec![1.0],
            true_negatives: vec![1.0],
            false_negatives: vec![1.0],
            precision: vec![1.0],
            recall: vec![1.0],
        };
        assert_invalid(w.add_pr_curve_raw("pr", &d, 0), "thresholds", "outside [2,");
    });
}

#[test]
fn custom_scalars_forms_and_bad_input() {
    use tfevents::proto::custom_scalar::{chart::Content, Layout};
    use tfevents::summary::custom_scalar::LayoutCategory;
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.add_custom_scalars_multilinechart(["a", "b"], "default", "untitled")
        .unwrap();
    w.add_custom_scalars_marginchart(["v", "lo", "hi"], "cat", "band")
        .unwrap();
    assert_invalid(w.add_custom_scalars(&[]), "categories", "is empty");
    assert_invalid(
        w.add_custom_scalars(&[LayoutCategory::new("empty")]),
        "the charts of category `empty`",
        "is empty",
    );
    assert_invalid(
        w.add_custom_scalars_multilinechart(Vec::<String>::new(), "c", "t"),
        "the tags of chart `t` of category `c`",
        "is empty",
    );
    assert_invalid(
        w.add_custom_scalars_marginchart(["v", "", "hi"], "c", "t"),
        "a tag of chart `t` of category `c`",
        "is empty",
    );
    w.close().unwrap();
    let vals = values(w.file_path());
    assert_eq!(vals.len(), 2);
    let Some(V::Tensor(t)) = &vals[1].1.value else {
        panic!()
    };
    let layout = Layout::decode(&t.string_val[0][..]).unwrap();
    assert_eq!(layout.category[0].title, "cat");
    assert!(matches!(
        layout.category[0].chart[0].content,
        Some(Content::Margin(_))
    ));
}

fn decode_wav(bytes: &[u8]) -> (u16, u32, Vec<i16>) {
    assert_eq!(&bytes[..4], b"RIFF");
    assert_eq!(&bytes[8..16], b"WAVEfmt ");
    let channels = u16::from_le_bytes([bytes[22], bytes[23]]);
    let rate = u32::from_le_bytes(bytes[24..28].try_into().unwrap());
    assert_eq!(&bytes[36..40], b"data");
    let len = u32::from_le_bytes(bytes[40..44].try_into().unwrap()) as usize;
    let pcm = bytes[44..44 + len]
        .chunks_exact(2)
        .map(|c| i16::from_le_bytes([c[0], c[1]]))
        .collect();
    (channels, rate, pcm)
}

#[test]
fn audio_decodes_back_clipped() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.add_audio("mono", &[0.0f32, 0.5, -0.5, 2.0, -7.0], 0, 16_000)
        .unwrap();
    w.add_audio_channels("stereo", &[0.25f64, -0.25, 1.0, -1.0], 2, 1, 44_100)
        .unwrap();
    w.close().unwrap();
    let vals = values(w.file_path());
    let Some(V::Audio(a)) = &vals[0].1.value else {
        panic!()
    };
    assert_eq!(
        (a.num_channels, a.length_frames, a.sample_rate),
        (1, 5, 16_000.0)
    );
    assert_eq!(
        decode_wav(&a.encoded_audio_string),
        (1, 16_000, vec![0, 16383, -16383, 32767, -32767])
    );
    let Some(V::Audio(a)) = &vals[1].1.value else {
        panic!()
    };
    assert_eq!((a.num_channels, a.length_frames), (2, 2));
    assert_eq!(
        decode_wav(&a.encoded_audio_string),
        (2, 44_100, vec![8191, -8191, 32767, -32767])
    );
}

#[test]
fn audio_bad_input() {
    nothing_lost(|w| {
        assert_invalid(
            w.add_audio("a", &[0.1f32, f32::NAN], 0, 8000),
            "sample 1",
            "sample 1 is NaN",
        );
        assert_invalid(w.add_audio("a", &[] as &[f32], 0, 8000), "samples", "empty");
        assert_invalid(w.add_audio("a", &[0.1f32], 0, 0), "sample_rate", "is 0");
        assert_invalid(
            w.add_audio_channels("a", &[0.1f32; 3], 2, 0, 8000),
            "samples",
            "multiple",
        );
        assert_invalid(
            w.add_audio_channels("a", &[0.1f32; 3], 0, 0, 8000),
            "num_channels",
            "is 0",
        );
    });
}

#[cfg(feature = "video")]
#[test]
fn video_frames_and_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    // Two grey videos of 3 frames, 2x2: tiled side by side (1 row, 2 columns).
    let v: Vec<u8> = (0..2 * 3 * 4).map(|i| (i * 10) as u8).collect();
    w.add_video("clip", &v, [2, 3, 1, 2, 2], 0, 10.0).unwrap();
    assert_invalid(
        w.add_video_dyn("clip", &v, &[2, 3, 2, 2], 0, 4.0),
        "video",
        "[2, 3, 2, 2]; give (N, T, C, H, W)",
    );
    assert_invalid(
        w.add_video("clip", &v, [2, 3, 2, 2, 2], 0, 4.0),
        "video",
        "[2, 3, 2, 2, 2]; give",
    );
    assert_invalid(
        w.add_video("clip", &v[1..], [2, 3, 1, 2, 2], 0, 4.0),
        "shape",
        "the data holds 23",
    );
    assert_invalid(
        w.add_video("clip", &[f32::NAN; 4], [1, 1, 1, 2, 2], 0, 4.0),
        "video",
        "NaN",
    );
    assert_invalid(
        w.add_video("clip", &v, [2, 3, 1, 2, 2], 0, 0.0),
        "fps",
        "is 0",
    );
    w.close().unwrap();
    let vals = values(w.file_path());
    assert_eq!(vals.len(), 1);
    let Some(V::Image(img)) = &vals[0].1.value else {
        panic!()
    };
    assert_eq!((img.width, img.height), (4, 2));
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(&img.encoded_image_string[..]).unwrap();
    let mut frames = Vec::new();
    while let Some(f) = decoder.read_next_frame().unwrap() {
        assert_eq!(f.delay, 10);
        frames.push(f.buffer.chunks_exact(4).map(|p| p[0]).collect::<Vec<u8>>());
    }
    assert_eq!(frames.len(), 3);
    // Frame 1: video 0's frame 1 (values 40..=70) left, video 1's frame 1 (160..=190) right.
    assert_eq!(frames[1], [40, 50, 160, 170, 60, 70, 180, 190]);
}

#[test]
fn scalars_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    w.add_scalar("i64", 3i64, 0).unwrap();
    w.add_scalar("u64", 4u64, 0).unwrap();
    w.add_scalar("usize", 5usize, 0).unwrap();
    w.add_scalar("f32", 0.5f32, 0).unwrap();
    let opts = ScalarOptions {
        new_style: true,
        double_precision: false,
    };
    w.add_scalar_with("new", 0.1f64, 0, opts).unwrap();
    let opts = ScalarOptions {
        new_style: true,
        double_precision: true,
    };
    w.add_scalar_with("double", 0.1f64, 0, opts).unwrap();
    w.add_tensor("t", &[1i64, 2, 3, 4, 5, 6], &[2, 3], 0)
        .unwrap();
    assert_invalid(
        w.add_tensor("t", &[1.0f32, 2.0], &[3], 0),
        "shape",
        "needs 3 values but the data holds 2",
    );
    let map: HashMap<&str, f64> = [("a", 1.0)].into_iter().collect();
    w.add_scalars("grp", &map, 0).unwrap();
    let bmap: BTreeMap<String, i32> = [("b".to_string(), 2)].into_iter().collect();
    w.add_scalars("grp", bmap, 0).unwrap();
    w.add_scalars("grp", vec![("c", 3u8)], 0).unwrap();
    let pairs: &[(&str, f64)] = &[("d", 4.0)];
    w.add_scalars("grp", pairs, 0).unwrap();
    w.close().unwrap();
    let vals = values(w.file_path());
    assert_eq!(vals[0].1.value, Some(V::SimpleValue(3.0)));
    assert_eq!(vals[2].1.value, Some(V::SimpleValue(5.0)));
    let Some(V::Tensor(t)) = &vals[4].1.value else {
        panic!()
    };
    assert_eq!(
        (t.dtype, t.float_val.as_slice()),
        (DataType::DtFloat as i32, &[0.1f32][..])
    );
    assert!(t.tensor_shape.is_none());
    assert_eq!(plugin_data(&vals[4].1).0, "scalars");
    let Some(V::Tensor(t)) = &vals[5].1.value else {
        panic!()
    };
    assert_eq!(
        (t.dtype, t.double_val.as_slice()),
        (DataType::DtDouble as i32, &[0.1f64][..])
    );
    let Some(V::Tensor(t)) = &vals[6].1.value else {
        panic!()
    };
    assert_eq!((t.dtype, t.int64_val.len()), (DataType::DtInt64 as i32, 6));
    assert_eq!(plugin_data(&vals[6].1).0, "tensor");
    for sub in ["grp_a", "grp_b", "grp_c", "grp_d"] {
        assert!(dir.path().join(sub).is_dir(), "{sub}");
    }
}

#[test]
fn reader_sees_new_style_scalars_as_scalars() {
    use tfevents::reader::{discover_runs, RunData};
    let dir = tempfile::tempdir().unwrap();
    let w = SummaryWriter::new(dir.path()).unwrap();
    for (step, double_precision) in [(0, false), (1, true)] {
        let options = ScalarOptions {
            new_style: true,
            double_precision,
        };
        w.add_scalar_with("ns", 0.1, step, options).unwrap();
    }
    w.add_tensor("t", &[1.0f32], &[1], 0).unwrap();
    w.close().unwrap();
    let runs = discover_runs(dir.path()).unwrap();
    let data = RunData::read(&runs[0]).unwrap();
    let values: Vec<f64> = data.scalars["ns"].iter().map(|p| p.value).collect();
    assert_eq!(values, [0.1f32 as f64, 0.1]);
    assert!(!data.scalars.contains_key("t"));
}
