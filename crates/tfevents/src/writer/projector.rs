//! [`SummaryWriter::add_embedding`]: the embedding projector's files, laid out as PyTorch lays
//! them out (see [`crate::summary::projector`]).

use std::fs;
use std::io::{self, Write as _};
use std::path::Path;
use std::sync::mpsc;

use super::{check_run_name, check_tag, SummaryWriter};
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
    /// does for a single writer. With a remote log directory (`s3://`, `memory://`, ... with
    /// the `remote` feature) these files are objects in that store: nothing is written to a
    /// local directory, and `projector_config.pbtxt` is read, extended and written back (two
    /// processes adding embeddings to the same remote run at the same moment can lose one
    /// block; give each process a run of its own). The files are written before this returns (PyTorch does the
    /// same), and every input is checked before the first file is created. `tensors.tsv` is
    /// written 1,024 points at a time, each batch formatted while the one before is written,
    /// so a large matrix never needs its whole text (about 20 bytes a value) in memory.
    ///
    /// Errors: [`Error::Closed`] after [`close`](Self::close) (nothing is written); a label
    /// count or image count that differs from the rows, a ragged metadata table, a sprite over
    /// [`MAX_SPRITE_BYTES`](crate::summary::projector::MAX_SPRITE_BYTES) ([`Error::TooLarge`],
    /// before any memory is asked for), a tag of `.` or `..` or with NUL ([`Error::UnsafePath`], see
    /// [`check_run_name`]), and an embedding with this tag
    /// and step already in the run (PyTorch overwrites
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
        self.ensure_open()?;
        check_tag(&options.tag)?;
        let in_tag = |e: Error| e.in_tag(&options.tag);
        let [rows, _] = mat.shape().map_err(in_tag)?;
        let metadata = options
            .metadata
            .as_ref()
            .map(|m| metadata_tsv(m, rows))
            .transpose()
            .map_err(in_tag)?;
        let sprite_img = options
            .label_images
            .as_ref()
            .map(|imgs| sprite(imgs, rows))
            .transpose()
            .map_err(in_tag)?;

        let subdir = embedding_subdir(&options.tag, options.step);
        // PyTorch encodes `/` and `\` in the tag, but `.`, `..`, NUL or an overlong tag would
        // still name the step directory, the log directory or nothing at all.
        check_run_name(&subdir).map_err(in_tag)?;
        let target = self.projector_target();
        target.claim(&subdir).map_err(|e| match e {
            Claim::Taken => in_tag(Error::invalid(
                "tag",
                format!(
                    "an embedding at step {} already exists in `{}`; give another step or tag",
                    options.step,
                    self.log_dir().display()
                ),
            )),
            Claim::Failed(e) => e,
        })?;
        let written = write_embedding_files(
            &target,
            &subdir,
            &mat,
            metadata.as_deref(),
            sprite_img.as_ref(),
        );
        if let Err(error) = written {
            // No config block names the directory yet: removing it lets the same step and tag
            // be logged again once the cause is fixed. Best effort: the error is the news.
            target.remove(&subdir);
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
        target.append_config(&block)
    }

    /// Where this run's projector files go: the log directory on disk, or its object store.
    fn projector_target(&self) -> Target<'_> {
        #[cfg(feature = "remote")]
        if let Some(remote) = &self.inner.remote {
            return Target::Remote(remote);
        }
        Target::Local(self.log_dir())
    }
}

/// Why [`Target::claim`] failed.
enum Claim {
    /// An embedding with this directory exists.
    Taken,
    Failed(Error),
}

/// Where an embedding's files go.
enum Target<'a> {
    /// The log directory on disk.
    Local(&'a Path),
    /// The log directory in an object store: every file goes there, none to a local
    /// directory named after the URL.
    #[cfg(feature = "remote")]
    Remote(&'a crate::remote::RemoteLogDir),
}

impl Target<'_> {
    /// Takes the directory `subdir` for a new embedding.
    fn claim(&self, subdir: &str) -> std::result::Result<(), Claim> {
        match self {
            Target::Local(log_dir) => {
                let dir = log_dir.join(subdir);
                if let Some(parent) = dir.parent() {
                    fs::create_dir_all(parent).map_err(|e| {
                        Claim::Failed(Error::io("cannot create embedding directory", parent, e))
                    })?;
                }
                // `create_dir`, not `create_dir_all`: an existing directory is an earlier
                // embedding.
                fs::create_dir(&dir).map_err(|e| {
                    if e.kind() == io::ErrorKind::AlreadyExists {
                        Claim::Taken
                    } else {
                        Claim::Failed(Error::io("cannot create embedding directory", &dir, e))
                    }
                })
            }
            #[cfg(feature = "remote")]
            Target::Remote(remote) => match remote.has_files_under(subdir) {
                Ok(true) => Err(Claim::Taken),
                Ok(false) => Ok(()),
                Err(e) => Err(Claim::Failed(e)),
            },
        }
    }

    fn write_file(&self, rel: &str, bytes: Vec<u8>) -> Result<()> {
        match self {
            Target::Local(log_dir) => {
                let path = log_dir.join(rel);
                fs::write(&path, bytes).map_err(|e| Error::io("cannot write", &path, e))
            }
            #[cfg(feature = "remote")]
            Target::Remote(remote) => remote.put_file(rel, bytes),
        }
    }

    /// Writes the file `rel` from `batches`, on the calling thread.
    fn write_batches(&self, rel: &str, batches: mpsc::Receiver<String>) -> Result<()> {
        match self {
            Target::Local(log_dir) => {
                let path = log_dir.join(rel);
                let mut file =
                    fs::File::create(&path).map_err(|e| Error::io("cannot create", &path, e))?;
                for batch in batches {
                    file.write_all(batch.as_bytes())
                        .map_err(|e| Error::io("cannot write", &path, e))?;
                }
                Ok(())
            }
            #[cfg(feature = "remote")]
            Target::Remote(remote) => remote.upload_batches(rel, batches),
        }
    }

    /// Removes the directory `subdir`, best effort.
    fn remove(&self, subdir: &str) {
        match self {
            Target::Local(log_dir) => {
                let _ = fs::remove_dir_all(log_dir.join(subdir));
            }
            #[cfg(feature = "remote")]
            Target::Remote(remote) => {
                let _ = remote.delete_under(subdir);
            }
        }
    }

    /// Adds `block` to the run's `projector_config.pbtxt`.
    fn append_config(&self, block: &str) -> Result<()> {
        const CONFIG: &str = "projector_config.pbtxt";
        match self {
            Target::Local(log_dir) => {
                // One append of the whole block: clones and other processes logging
                // embeddings to the same run add their blocks without rewriting each other's.
                let config = log_dir.join(CONFIG);
                fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&config)
                    .and_then(|mut f| f.write_all(block.as_bytes()))
                    .map_err(|e| Error::io("cannot append to", &config, e))
            }
            #[cfg(feature = "remote")]
            Target::Remote(remote) => remote.append_file(CONFIG, block),
        }
    }
}

/// Writes an embedding's files into `subdir`: `sprite.png` is encoded and written on a thread
/// of its own while `tensors.tsv` is formatted, the longest part, so that the two overlap.
fn write_embedding_files(
    target: &Target<'_>,
    subdir: &str,
    mat: &impl EmbeddingMatrix,
    metadata: Option<&str>,
    sprite_img: Option<&ImageU8>,
) -> Result<()> {
    let sprite_rel = format!("{subdir}/sprite.png");
    std::thread::scope(|scope| {
        let sprite = sprite_img
            .map(|img| {
                std::thread::Builder::new()
                    .name("sprite.png encoder".into())
                    .spawn_scoped(scope, || {
                        encode_png(img).and_then(|png| target.write_file(&sprite_rel, png))
                    })
                    .map_err(|e| Error::io("cannot start a thread to write", &sprite_rel, e))
            })
            .transpose()?;
        let tensors = write_tensors_tsv(mat, target, &format!("{subdir}/tensors.tsv"));
        let metadata = match metadata {
            Some(tsv) => target.write_file(&format!("{subdir}/metadata.tsv"), tsv.into()),
            None => Ok(()),
        };
        let sprite = match sprite {
            Some(encoder) => encoder.join().unwrap_or_else(|_| {
                Err(Error::io(
                    "cannot write",
                    &sprite_rel,
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

/// Writes `tensors.tsv` for `mat` to `rel`, a batch of rows at a time: a thread writes (or
/// uploads) each batch while the calling thread formats the next one.
fn write_tensors_tsv(mat: &impl EmbeddingMatrix, target: &Target<'_>, rel: &str) -> Result<()> {
    let [rows, _] = mat.shape()?;
    std::thread::scope(|scope| {
        // One batch waits while another is written: formatting runs at most one batch ahead.
        let (send, receive) = mpsc::sync_channel::<String>(1);
        let writer = std::thread::Builder::new()
            .name("tensors.tsv writer".into())
            .spawn_scoped(scope, move || target.write_batches(rel, receive))
            .map_err(|e| Error::io("cannot start a thread to write", rel, e))?;
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
        let written = writer.join().unwrap_or_else(|_| {
            Err(Error::io(
                "cannot write",
                rel,
                io::Error::other("the writing thread panicked"),
            ))
        });
        formatted.and(written)
    })
}
