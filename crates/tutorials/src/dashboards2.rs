//! The demo's runs for the PROJECTOR, MESH and GRAPHS dashboards: an embedding of real MNIST
//! digits with their labels and a sprite of the digits, a coloured mesh, and the module
//! graphs of AlexNet and of the DQN.

use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_tensorboard::graph::AddGraph;
use candle_tensorboard::models::{dqn, AlexNet};
use candle_tensorboard::summary::mesh::Mesh;
use candle_tensorboard::summary::projector::{EmbeddingOptions, LabelImages, Metadata};
use candle_tensorboard::SummaryWriter;

use crate::mnist::Mnist;

/// How many bundled digits the embedding shows.
const POINTS: usize = 500;

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
