//! The demo's runs for the PROJECTOR, MESH and GRAPHS dashboards: an embedding of real MNIST
//! digits with their labels and a sprite of the digits, a coloured mesh, and the module
//! graphs of AlexNet and of the DQN, and digits with bounding boxes.

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_tensorboard::graph::AddGraph;
use candle_tensorboard::models::{dqn, AlexNet};
use candle_tensorboard::summary::boxes::Boxes;
use candle_tensorboard::summary::figure::{BarChart, ConfusionMatrix, LineChart};
use candle_tensorboard::summary::mesh::Mesh;
use candle_tensorboard::summary::projector::{EmbeddingOptions, LabelImages, Metadata};
use candle_tensorboard::SummaryWriter;

use crate::mnist::Mnist;
use crate::nearest_centroid::NearestCentroid;

/// How many bundled digits the embedding shows.
const POINTS: usize = 500;

/// Entry point of `examples/dashboards2.rs`: writes the runs under the first argument
/// (default `runs`).
pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let logdir = std::env::args().nth(1).unwrap_or_else(|| "runs".into());
    part2(Path::new(&logdir))
}

/// Writes the runs `dashboards2` (embedding, mesh), `graph_alexnet` and `graph_dqn` under
/// `logdir`.
pub fn part2(logdir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let writer = SummaryWriter::new(logdir.join("dashboards2"))?;
    let digits = Mnist::bundled()?.slice(0, POINTS);
    let n = digits.len();
    let side = digits.rows;
    // The raw pixels are the embedding: the projector's PCA and t-SNE already part the digits.
    let metadata = Metadata::table(
        ["label", "index"],
        digits
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| [l.to_string(), i.to_string()]),
    );
    let images = LabelImages::from_f32(&digits.images, [n, 1, side, digits.cols])?;
    writer.add_embedding(
        (&digits.images[..], [n, digits.image_size()]),
        EmbeddingOptions::new()
            .metadata(metadata)
            .label_images(images)
            .tag("mnist/pixels"),
    )?;
    writer.add_mesh("octahedron", &octahedron()?, 0)?;
    // Four digits side by side, each in its box, coloured from torchvision's palette.
    // Four times the pixels, so the labels (12 px text) do not hide the digits.
    let zoom = 4;
    let (strip, width) = digit_strip(&digits, 4, zoom);
    let side = side * zoom;
    let boxes: Vec<[f32; 4]> = (0..4)
        .map(|i| {
            [
                (i * side) as f32 + 1.0,
                1.0,
                ((i + 1) * side) as f32 - 2.0,
                side as f32 - 2.0,
            ]
        })
        .collect();
    let labels = digits.labels[..4].iter().map(|l| format!("digit {l}"));
    let boxes = Boxes::new(&boxes)?.labels(labels)?.width(2)?;
    writer.add_image_with_boxes("digits/boxed", (&strip[..], [side, width]), &boxes, 0, "HW")?;
    log_figures(&writer)?;
    writer.close()?;

    let device = Device::Cpu;
    let alexnet = AlexNet::new(10, VarBuilder::zeros(DType::F32, &device))?;
    let graphs = SummaryWriter::new(logdir.join("graph_alexnet"))?;
    graphs.add_graph(
        &alexnet,
        &Tensor::zeros((1, 3, 224, 224), DType::F32, &device)?,
    )?;
    graphs.close()?;
    let net = dqn(3, VarBuilder::zeros(DType::F32, &device))?;
    let graphs = SummaryWriter::new(logdir.join("graph_dqn"))?;
    graphs.add_graph(&net, &Tensor::zeros((1, 4, 84, 84), DType::F32, &device)?)?;
    graphs.close()?;
    Ok(())
}

/// Figures of a nearest-centroid digit classifier (trained on the first 9,000 bundled
/// digits, scored on the last 1,000): its confusion matrix, its accuracy per class, and its
/// test accuracy as the training set grows.
fn log_figures(writer: &SummaryWriter) -> Result<(), Box<dyn std::error::Error>> {
    let digits = Mnist::bundled()?;
    let size = digits.image_size();
    let n_test = (digits.len() / 10).max(1);
    let n_train = digits.len() - n_test;
    let test_images = &digits.images[n_train * size..];
    let truth: Vec<usize> = digits.labels[n_train..]
        .iter()
        .map(|&l| usize::from(l))
        .collect();
    let score = |model: &NearestCentroid| -> Vec<usize> {
        test_images
            .chunks_exact(size)
            .map(|img| model.predict(img))
            .collect()
    };
    let mut curve = Vec::new();
    for n in [10, 30, 100, 300, 1000, 3000, n_train] {
        let predicted = score(&NearestCentroid::fit(&digits, n.min(n_train), 10));
        let right = predicted.iter().zip(&truth).filter(|(p, t)| p == t).count();
        curve.push((n as f64, right as f64 / n_test as f64));
    }
    let predicted = score(&NearestCentroid::fit(&digits, n_train, 10));
    let names: Vec<String> = (0..10).map(|d| d.to_string()).collect();
    let cm = ConfusionMatrix::from_predictions(&truth, &predicted, 10)?
        .class_names(names.iter().cloned())?
        .title(format!("nearest centroid on {n_test} held-out digits"));
    writer.add_figure("figures/confusion_matrix", &cm, 0)?;
    writer.add_figure(
        "figures/confusion_matrix_normalized",
        &cm.clone().normalize(true),
        0,
    )?;
    let recall: Vec<f64> = (0..10)
        .map(|c| {
            let row: u64 = (0..10).filter_map(|p| cm.count(c, p)).sum();
            cm.count(c, c).unwrap_or(0) as f64 / row.max(1) as f64
        })
        .collect();
    let bars = BarChart::new("accuracy per digit", names, &recall)?.y_desc("recall");
    writer.add_figure("figures/accuracy_per_digit", &bars, 0)?;
    let line = LineChart::new("test accuracy against training digits")
        .axes("training digits", "accuracy")
        .series("nearest centroid", curve)?;
    writer.add_figure("figures/learning_curve", &line, 0)?;
    Ok(())
}

/// The first `k` digits side by side, each pixel repeated `zoom` times each way, as one grey image
/// (returns the pixels and the width).
fn digit_strip(digits: &Mnist, k: usize, zoom: usize) -> (Vec<f32>, usize) {
    let (h, w) = (digits.rows, digits.cols);
    let width = k * w * zoom;
    let mut strip = vec![0f32; h * zoom * width];
    for i in 0..k {
        if let Some(img) = digits.image(i) {
            for y in 0..h * zoom {
                for x in 0..w * zoom {
                    strip[y * width + i * w * zoom + x] = img[(y / zoom) * w + x / zoom];
                }
            }
        }
    }
    (strip, width)
}

/// A regular octahedron with one colour per vertex.
fn octahedron() -> candle_tensorboard::Result<Mesh> {
    let v = [
        1., 0., 0., -1., 0., 0., 0., 1., 0., 0., -1., 0., 0., 0., 1., 0., 0., -1.,
    ];
    let faces = [
        0, 2, 4, 2, 1, 4, 1, 3, 4, 3, 0, 4, 2, 0, 5, 1, 2, 5, 3, 1, 5, 0, 3, 5,
    ];
    let colors = [
        230, 60, 60, 60, 230, 60, 60, 60, 230, 230, 230, 60, 60, 230, 230, 230, 60, 230,
    ];
    Ok(Mesh::new(&v, [1, 6])?
        .faces(&faces, 8)?
        .colors(&colors)?
        .config_json(r#"{"material": {"cls": "MeshStandardMaterial"}}"#)?)
}
