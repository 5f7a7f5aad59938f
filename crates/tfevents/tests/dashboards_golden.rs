//! Our hparams, PR-curve, custom-scalars and audio summaries are byte for byte what
//! tensorboardX (or PyTorch, for audio) writes for the same input; our video GIF decodes to
//! the frames tensorboardX tiles. Fixtures: golden/make_dashboards_golden.py.

use prost::Message;
use serde_json::Value;
use tfevents::proto::hparams::HParamsPluginData;
use tfevents::summary::audio::audio_summary;
use tfevents::summary::custom_scalar::{custom_scalars_summary, LayoutCategory};
use tfevents::summary::hparams::{hparams_summaries, HParamValue};
use tfevents::summary::pr_curve::{pr_curve_raw_summary, pr_curve_summary, PrCurveData};

fn golden() -> Value {
    let text = include_str!("golden/dashboards_golden.json");
    serde_json::from_str(text).expect("fixture is JSON")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn hparams_match_tensorboardx() {
    let g = &golden()["hparams"];
    let hparams: Vec<(String, HParamValue)> = g["hparams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|kv| {
            let name = kv[0].as_str().unwrap().to_string();
            let value = match &kv[1] {
                Value::Bool(b) => HParamValue::Bool(*b),
                Value::String(s) => HParamValue::String(s.clone()),
                n => HParamValue::Number(n.as_f64().unwrap()),
            };
            (name, value)
        })
        .collect();
    let metrics: Vec<&str> = g["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    let s = hparams_summaries(&hparams, &metrics, &[] as &[(&str, _)]).unwrap();
    assert_eq!(
        hex(&s.experiment.encode_to_vec()),
        g["experiment"].as_str().unwrap()
    );
    // Python writes the hparams map in hash order: compare the decoded messages.
    let content = |summary: &tfevents::proto::Summary| {
        let p = summary.value[0]
            .metadata
            .clone()
            .unwrap()
            .plugin_data
            .unwrap();
        HParamsPluginData::decode(&p.content[..]).unwrap()
    };
    let theirs =
        tfevents::proto::Summary::decode(&unhex(g["session_start"].as_str().unwrap())[..]).unwrap();
    assert_eq!(content(&s.session_start), content(&theirs));
    assert_eq!(s.session_start.value[0].tag, theirs.value[0].tag);
    let one = &golden()["hparams_one"];
    let s1 = hparams_summaries(
        &[("lr", HParamValue::Number(0.5))],
        &["m"],
        &[] as &[(&str, _)],
    )
    .unwrap();
    assert_eq!(
        hex(&s1.session_start.encode_to_vec()),
        one["session_start"].as_str().unwrap()
    );
    assert_eq!(
        hex(&s1.experiment.encode_to_vec()),
        one["experiment"].as_str().unwrap()
    );
    assert_eq!(
        hex(&s.session_end.encode_to_vec()),
        g["session_end"].as_str().unwrap()
    );
}

#[test]
fn pr_curve_f32_matches_tensorboardx() {
    let g = &golden()["pr_f32"];
    let labels: Vec<i64> = g["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect();
    let predictions: Vec<f32> = f64s(&g["predictions"]).iter().map(|&p| p as f32).collect();
    let n = g["num_thresholds"].as_u64().unwrap() as usize;
    let s = pr_curve_summary("pr/f32", &labels, &predictions, n, None).unwrap();
    assert_eq!(hex(&s.encode_to_vec()), g["summary"].as_str().unwrap());
}

#[test]
fn pr_curve_f64_weighted_matches_tensorboardx() {
    let g = &golden()["pr_f64_weighted"];
    let labels: Vec<i64> = g["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect();
    let predictions = f64s(&g["predictions"]);
    let weights = f64s(&g["weights"]);
    let n = g["num_thresholds"].as_u64().unwrap() as usize;
    let s = pr_curve_summary("pr/f64", &labels, &predictions, n, Some(&weights)).unwrap();
    assert_eq!(hex(&s.encode_to_vec()), g["summary"].as_str().unwrap());
}

#[test]
fn pr_curve_raw_matches_tensorboardx() {
    let g = &golden()["pr_raw"];
    let rows: Vec<Vec<f64>> = g["rows"].as_array().unwrap().iter().map(f64s).collect();
    let data = PrCurveData {
        true_positives: rows[0].clone(),
        false_positives: rows[1].clone(),
        true_negatives: rows[2].clone(),
        false_negatives: rows[3].clone(),
        precision: rows[4].clone(),
        recall: rows[5].clone(),
    };
    let s = pr_curve_raw_summary("pr/raw", &data).unwrap();
    assert_eq!(hex(&s.encode_to_vec()), g["summary"].as_str().unwrap());
}

#[test]
fn custom_scalars_match_tensorboardx() {
    let g = golden();
    let layout = [
        LayoutCategory::new("Training").multiline("losses", ["loss/train", "loss/test"]),
        LayoutCategory::new("Bands")
            .margin("accuracy", "acc/mean", "acc/low", "acc/high")
            .multiline("regex", ["lr/.*"]),
    ];
    let s = custom_scalars_summary(&layout).unwrap();
    assert_eq!(
        hex(&s.encode_to_vec()),
        g["custom_scalars"]["summary"].as_str().unwrap()
    );
    let s =
        custom_scalars_summary(&[LayoutCategory::new("default").multiline("untitled", ["a", "b"])])
            .unwrap();
    assert_eq!(
        hex(&s.encode_to_vec()),
        g["custom_multiline"]["summary"].as_str().unwrap()
    );
    let s = custom_scalars_summary(&[LayoutCategory::new("cat").margin("band", "v", "lo", "hi")])
        .unwrap();
    assert_eq!(
        hex(&s.encode_to_vec()),
        g["custom_margin"]["summary"].as_str().unwrap()
    );
}

#[test]
fn audio_matches_pytorch() {
    let g = golden();
    let mono = &g["audio_mono"];
    let samples: Vec<f32> = f64s(&mono["samples"]).iter().map(|&v| v as f32).collect();
    let s = audio_summary("audio/mono", &samples, 1, 8000).unwrap();
    assert_eq!(hex(&s.encode_to_vec()), mono["summary"].as_str().unwrap());
    let stereo = &g["audio_stereo"];
    let samples = f64s(&stereo["samples"]);
    let s = audio_summary("audio/stereo", &samples, 2, 22050).unwrap();
    assert_eq!(hex(&s.encode_to_vec()), stereo["summary"].as_str().unwrap());
}

#[cfg(feature = "video")]
#[test]
fn video_gif_decodes_to_tensorboardx_frames() {
    use tfevents::proto::summary::value::Value as V;
    use tfevents::summary::video::{tile_video, video_summary};
    let g = &golden()["video"];
    let values: Vec<f32> = f64s(&g["values"]).iter().map(|&v| v as f32).collect();
    let shape: Vec<usize> = g["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let fs: Vec<usize> = g["frames_shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let want: Vec<u8> = (0..g["frames"].as_str().unwrap().len() / 2)
        .map(|i| u8::from_str_radix(&g["frames"].as_str().unwrap()[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let tiled = tile_video(&values, &shape).unwrap();
    let s = video_summary("v", &tiled, 4.0).unwrap();
    let Some(V::Image(img)) = &s.value[0].value else {
        panic!("not an image")
    };
    assert_eq!(
        (img.height as usize, img.width as usize, img.colorspace),
        (fs[1], fs[2], 3)
    );
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(&img.encoded_image_string[..]).unwrap();
    let frame_len = fs[1] * fs[2] * fs[3];
    let mut frames = 0;
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        assert_eq!(frame.delay, 25);
        let rgb: Vec<u8> = frame
            .buffer
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        assert_eq!(
            rgb,
            want[frames * frame_len..(frames + 1) * frame_len],
            "frame {frames}"
        );
        frames += 1;
    }
    assert_eq!(frames, fs[0]);
}
