//! [`SummaryWriter::add_embedding`]: the embedding projector's files, laid out as PyTorch lays
//! them out (see [`crate::summary::projector`]).

use std::fs;
use std::io::{self, Write as _};
use std::path::Path;
use std::sync::mpsc;

use super::{check_tag, SummaryWriter};
use crate::summary::image::{encode_png, ImageU8};
use crate::summary::projector::{
    embedding_config_block, embedding_subdir, metadata_tsv, sprite, EmbeddingMatrix,
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
    /// same), and every input is checked before the first file is created. `tensors.tsv` is
    /// written 1,024 points at a time, each batch formatted while the one before is written,
    /// so a large matrix never needs its whole text (about 20 bytes a value) in memory.
    ///
    /// Errors: a label count or image count that differs from the rows, a ragged metadata
    /// table, and an embedding with this tag and step already in the run (PyTorch overwrites
    /// it with a warning; this keeps what was logged, so pick another step or tag). An error
    /// while the files are written (a full disk, a tensor that cannot be read) removes this
    /// embedding's directory, so the same step and tag can be logged again.
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
        let written = write_embedding_files(&dir, &mat, metadata.as_deref(), sprite_img.as_ref());
        if let Err(error) = written {
            // No config block names the directory yet: removing it lets the same step and tag
            // be logged again once the cause is fixed. Best effort: the error is the news.
            let _ = fs::remove_dir_all(&dir);
            return Err(error);
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
            sprite_img.as_ref().map(|_| (w, h)),
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

/// Writes an embedding's files into `dir`: `sprite.png` is encoded and written on a thread of
/// its own while `tensors.tsv` is formatted, the longest part, so that the two overlap.
fn write_embedding_files(
    dir: &Path,
    mat: &impl EmbeddingMatrix,
    metadata: Option<&str>,
    sprite_img: Option<&ImageU8>,
) -> Result<()> {
    let sprite_path = dir.join("sprite.png");
    std::thread::scope(|scope| {
        let sprite = sprite_img
            .map(|img| {
                std::thread::Builder::new()
                    .name("sprite.png encoder".into())
                    .spawn_scoped(scope, || {
                        encode_png(img).and_then(|png| write_file(&sprite_path, &png))
                    })
                    .map_err(|e| Error::io("cannot start a thread to write", &sprite_path, e))
            })
            .transpose()?;
        let tensors = write_tensors_tsv(mat, &dir.join("tensors.tsv"));
        let metadata = match metadata {
            Some(tsv) => write_file(&dir.join("metadata.tsv"), tsv.as_bytes()),
            None => Ok(()),
        };
        let sprite = match sprite {
            Some(encoder) => encoder.join().unwrap_or_else(|_| {
                Err(Error::io(
                    "cannot write",
                    &sprite_path,
                    io::Error::other("the encoding thread panicked"),
                ))
            }),
            None => Ok(()),
        };
        tensors.and(metadata).and(sprite)
    })
}

/// Points formatted while the ones before them are written: about 10 MB of text at 512
/// dimensions, so that `tensors.tsv` is never held whole in memory.
const ROWS_PER_BATCH: usize = 1024;

/// Writes `tensors.tsv` for `mat` to `path`, a batch of rows at a time: a thread writes each
/// batch while the calling thread formats the next one.
fn write_tensors_tsv(mat: &impl EmbeddingMatrix, path: &Path) -> Result<()> {
    let [rows, _] = mat.shape()?;
    let mut file = fs::File::create(path).map_err(|e| Error::io("cannot create", path, e))?;
    std::thread::scope(|scope| {
        // One batch waits while another is written: formatting runs at most one batch ahead.
        let (send, receive) = mpsc::sync_channel::<String>(1);
        let writer = std::thread::Builder::new()
            .name("tensors.tsv writer".into())
            .spawn_scoped(scope, move || -> io::Result<()> {
                for batch in receive {
                    file.write_all(batch.as_bytes())?;
                }
                Ok(())
            })
            .map_err(|e| Error::io("cannot start a thread to write", path, e))?;
        let mut formatted = Ok(());
        for start in (0..rows).step_by(ROWS_PER_BATCH) {
            let mut batch = String::new();
            formatted = mat.write_tsv_rows(start..(start + ROWS_PER_BATCH).min(rows), &mut batch);
            // A failed send means the writer stopped on an error, which `join` returns.
            if formatted.is_err() || send.send(batch).is_err() {
                break;
            }
        }
        drop(send);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writing thread panicked")))
            .map_err(|e| Error::io("cannot write", path, e));
        formatted.and(written)
    })
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    fs::write(path, bytes).map_err(|e| Error::io("cannot write", path, e))
}
