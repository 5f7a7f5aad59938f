//! [`SummaryWriter::add_embedding`]: the embedding projector's files, laid out as PyTorch lays
//! them out (see [`crate::summary::projector`]).

use std::fs;
use std::io::Write as _;
use std::path::Path;

use super::{check_tag, SummaryWriter};
use crate::summary::image::encode_png;
use crate::summary::projector::{
    embedding_config_block, embedding_subdir, metadata_tsv, sprite, tensors_tsv, EmbeddingMatrix,
    EmbeddingOptions, LabelImages,
};
use crate::{Error, Result};

impl SummaryWriter {
    /// Logs an embedding for the PROJECTOR dashboard, as PyTorch's `add_embedding(mat,
    /// metadata, label_img, global_step, tag, metadata_header)`: `mat` is `[points,
    /// dimensions]` (a slice with its shape, or a 2-d candle `Tensor`).
    ///
    /// Writes `<log_dir>/<step:05>/<tag>/tensors.tsv`, `metadata.tsv` and `sprite.png` and
    /// appends the embedding to `<log_dir>/projector_config.pbtxt`, byte for byte as PyTorch
    /// does for a single writer. The files are written before this returns (PyTorch does the
    /// same), and every input is checked before the first file is created.
    ///
    /// Errors: a label count or image count that differs from the rows, a ragged metadata
    /// table, and an embedding with this tag and step already in the run (PyTorch overwrites
    /// it with a warning; this keeps what was logged, so pick another step or tag).
    ///
    /// ```no_run
    /// use tfevents::summary::projector::Metadata;
    /// use tfevents::summary::projector::EmbeddingOptions;
    /// # fn main() -> tfevents::Result<()> {
    /// let writer = tfevents::SummaryWriter::new("runs/embedding")?;
    /// let points = vec![0.1f32, 0.2, 0.3, 0.4, 0.5, 0.6];
    /// let opts = EmbeddingOptions::new().metadata(Metadata::column(["a", "b", "c"])).tag("toy");
    /// writer.add_embedding((&points[..], [3, 2]), opts)?;
    /// # Ok(()) }
    /// ```
    pub fn add_embedding(
        &self,
        mat: impl EmbeddingMatrix,
        options: EmbeddingOptions,
    ) -> Result<()> {
        check_tag(&options.tag)?;
        let [rows, _] = mat.shape()?;
        let metadata = options
            .metadata
            .as_ref()
            .map(|m| metadata_tsv(m, rows))
            .transpose()?;
        let sprite_img = options
            .label_images
            .as_ref()
            .map(|imgs| sprite(imgs, rows))
            .transpose()?;
        let tensors = tensors_tsv(&mat)?;
        let sprite_png = sprite_img.as_ref().map(encode_png).transpose()?;

        let subdir = embedding_subdir(&options.tag, options.step);
        let dir = self.log_dir().join(&subdir);
        if let Some(parent) = dir.parent() {
            fs::create_dir_all(parent)
                .map_err(|e| Error::io("cannot create embedding directory", parent, e))?;
        }
        // `create_dir`, not `create_dir_all`: an existing directory is an earlier embedding.
        fs::create_dir(&dir).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Error::invalid(
                    "tag",
                    format!(
                        "an embedding `{}` at step {} already exists in `{}`; give another step or tag",
                        options.tag,
                        options.step,
                        self.log_dir().display()
                    ),
                )
            } else {
                Error::io("cannot create embedding directory", &dir, e)
            }
        })?;
        write_file(&dir.join("tensors.tsv"), tensors.as_bytes())?;
        if let Some(tsv) = &metadata {
            write_file(&dir.join("metadata.tsv"), tsv.as_bytes())?;
        }
        if let Some(png) = &sprite_png {
            write_file(&dir.join("sprite.png"), png)?;
        }
        let [_, _, h, w] = options
            .label_images
            .as_ref()
            .map(LabelImages::shape)
            .unwrap_or_default();
        let block = embedding_config_block(
            &options.tag,
            options.step,
            metadata.is_some(),
            sprite_png.as_ref().map(|_| (w, h)),
        );
        // One append of the whole block: clones and other processes logging embeddings to the
        // same run add their blocks without rewriting each other's.
        let config = self.log_dir().join("projector_config.pbtxt");
        fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&config)
            .and_then(|mut f| f.write_all(block.as_bytes()))
            .map_err(|e| Error::io("cannot append to", &config, e))
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).map_err(|e| Error::io("cannot write", path, e))
}
