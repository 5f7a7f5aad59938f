//! Many processes of one job (torchrun, `torch.distributed`): who is who, and the two layouts
//! users want, one run per rank or rank 0 alone.

use std::path::PathBuf;

use super::{check_run_name, default_log_dir, run_dir, SummaryWriter, SummaryWriterBuilder};
use crate::error::{Error, Result};
use crate::proto::Summary;
use crate::summary::histogram::HistogramValues;

/// This process's place in the job, as torchrun sets it in `RANK`, `LOCAL_RANK` and
/// `WORLD_SIZE`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankInfo {
    /// Global rank, `0..world_size`.
    pub rank: usize,
    /// Rank on this host.
    pub local_rank: usize,
    /// Number of processes in the job.
    pub world_size: usize,
}

impl RankInfo {
    /// Reads `RANK`, `LOCAL_RANK` and `WORLD_SIZE`. None of them set means a single process
    /// (rank 0 of 1); a value that is not a number, or a rank outside the world, is an `Err`.
    pub fn from_env() -> Result<Self> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`from_env`](Self::from_env), with the variables looked up by `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let read = |name: &'static str, default: usize| -> Result<usize> {
            match var(name) {
                None => Ok(default),
                Some(text) => text.trim().parse().map_err(|_| {
                    Error::invalid(
                        name,
                        format!("`{text}` is not a non-negative integer (torchrun sets it)"),
                    )
                }),
            }
        };
        let rank = read("RANK", 0)?;
        let local_rank = read("LOCAL_RANK", rank)?;
        let world_size = read("WORLD_SIZE", 1)?;
        RankInfo {
            rank,
            local_rank,
            world_size,
        }
        .check()
    }

    /// `self` if the rank is inside the world: `world_size > 0` and `rank < world_size`.
    fn check(self) -> Result<Self> {
        let RankInfo {
            rank, world_size, ..
        } = self;
        if world_size == 0 {
            return Err(Error::BadNumber {
                what: "WORLD_SIZE".to_string(),
                value: 0.0,
                must: "at least 1; set it as torchrun does",
            });
        }
        if rank >= world_size {
            return Err(Error::OutOfRange {
                what: format!("RANK (below WORLD_SIZE {world_size}; set both as torchrun does)"),
                value: rank as f64,
                min: 0.0,
                max: (world_size - 1) as f64,
            });
        }
        Ok(self)
    }
}

/// How the ranks of a job share a log directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RankLayout {
    /// Every rank writes its own run `<log_dir>/rank_<n>`: TensorBoard overlays them.
    RunPerRank,
    /// Rank 0 writes `<log_dir>`; every other rank's calls return `Ok(())` at once.
    RankZeroOnly,
}

/// A [`SummaryWriter`] for one rank of a distributed job; on ranks that do not log (with
/// [`RankLayout::RankZeroOnly`]) every call is a no-op that costs a branch.
///
/// ```no_run
/// use tfevents::{RankLayout, RankWriter, SummaryWriter};
/// # fn main() -> tfevents::Result<()> {
/// let writer = RankWriter::from_env(
///     SummaryWriter::builder().log_dir("runs/ddp"),
///     RankLayout::RunPerRank,
/// )?;
/// writer.add_scalar("loss", 0.25, 1)?;
/// // Anything else SummaryWriter does, on the ranks that log:
/// writer.with_writer(|w| w.add_text("note", "rank-local text", 1))?;
/// writer.close()?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct RankWriter {
    writer: Option<SummaryWriter>,
    info: RankInfo,
    layout: RankLayout,
}

fn rank_dir_name(rank: usize) -> String {
    format!("rank_{rank}")
}

impl RankWriter {
    /// Reads the rank from the environment ([`RankInfo::from_env`]) and builds this rank's
    /// writer from `builder` with `layout`.
    pub fn from_env(builder: SummaryWriterBuilder, layout: RankLayout) -> Result<Self> {
        Self::new(builder, layout, RankInfo::from_env()?)
    }

    /// Builds the writer of rank `info.rank`. With [`RankLayout::RunPerRank`] and more than
    /// one rank the builder must name the log directory: the default one holds the host name
    /// and the time, which differ between ranks.
    ///
    /// Errors, as [`RankInfo::from_env`] does, if `info.world_size` is 0 or `info.rank` is not
    /// below it.
    pub fn new(builder: SummaryWriterBuilder, layout: RankLayout, info: RankInfo) -> Result<Self> {
        let info = info.check()?;
        let writer = match layout {
            RankLayout::RankZeroOnly if info.rank != 0 => None,
            RankLayout::RankZeroOnly => Some(builder.build()?),
            RankLayout::RunPerRank => Some(per_rank(builder, info)?.build()?),
        };
        Ok(RankWriter {
            writer,
            info,
            layout,
        })
    }

    /// This process's rank.
    pub fn info(&self) -> RankInfo {
        self.info
    }

    /// The layout it was built with.
    pub fn layout(&self) -> RankLayout {
        self.layout
    }

    /// The writer, on ranks that log.
    pub fn writer(&self) -> Option<&SummaryWriter> {
        self.writer.as_ref()
    }

    /// Whether this rank writes anything.
    pub fn is_active(&self) -> bool {
        self.writer.is_some()
    }

    /// Runs `f` on ranks that log; `Ok(())` elsewhere (and `f`, with the work of building its
    /// arguments inside it, never runs there).
    pub fn with_writer(&self, f: impl FnOnce(&SummaryWriter) -> Result<()>) -> Result<()> {
        match &self.writer {
            Some(writer) => f(writer),
            None => Ok(()),
        }
    }

    /// [`SummaryWriter::add_scalar`] on ranks that log.
    pub fn add_scalar<V: crate::summary::scalar::ScalarValue, S: TryInto<i64>>(
        &self,
        tag: &str,
        value: V,
        step: S,
    ) -> Result<()> {
        self.with_writer(|w| w.add_scalar(tag, value, step))
    }

    /// [`SummaryWriter::add_scalars`] on ranks that log.
    pub fn add_scalars<P: crate::writer::ScalarPair, S: TryInto<i64>>(
        &self,
        main_tag: &str,
        scalars: impl IntoIterator<Item = P>,
        step: S,
    ) -> Result<()> {
        self.with_writer(|w| w.add_scalars(main_tag, scalars, step))
    }

    /// [`SummaryWriter::add_text`] on ranks that log.
    pub fn add_text<S: TryInto<i64>>(&self, tag: &str, text: &str, step: S) -> Result<()> {
        self.with_writer(|w| w.add_text(tag, text, step))
    }

    /// [`SummaryWriter::add_histogram`] on ranks that log.
    pub fn add_histogram<V: HistogramValues + ?Sized, S: TryInto<i64>>(
        &self,
        tag: &str,
        values: &V,
        step: S,
    ) -> Result<()> {
        self.with_writer(|w| w.add_histogram(tag, values, step))
    }

    /// [`SummaryWriter::add_summary`] on ranks that log.
    pub fn add_summary<S: TryInto<i64>>(&self, summary: Summary, step: S) -> Result<()> {
        self.with_writer(|w| w.add_summary(summary, step))
    }

    /// [`SummaryWriter::flush`] on ranks that log.
    pub fn flush(&self) -> Result<()> {
        self.with_writer(|w| w.flush())
    }

    /// [`SummaryWriter::close`] on ranks that log.
    pub fn close(&self) -> Result<()> {
        self.with_writer(|w| w.close())
    }
}

/// `builder` with its log directory moved to `<log_dir>/rank_<n>`.
fn per_rank(mut builder: SummaryWriterBuilder, info: RankInfo) -> Result<SummaryWriterBuilder> {
    let sub = rank_dir_name(info.rank);
    check_run_name(&sub)?;
    #[cfg(feature = "remote")]
    {
        use crate::remote::BuilderTarget;
        match std::mem::take(&mut builder.remote) {
            BuilderTarget::None => {}
            BuilderTarget::Url(url) => {
                builder.remote = BuilderTarget::Url(format!("{}/{sub}", url.trim_end_matches('/')));
                return Ok(builder);
            }
            BuilderTarget::Dir(dir) => {
                builder.remote = BuilderTarget::Dir(dir.join(&sub)?);
                return Ok(builder);
            }
        }
    }
    let base: PathBuf =
        match builder.log_dir.take() {
            Some(dir) => dir,
            None if info.world_size > 1 => return Err(Error::invalid(
                "log_dir",
                "is required with RankLayout::RunPerRank: the default directory name holds the \
                 host name and the time, which differ between ranks; pass the same log_dir on \
                 every rank",
            )),
            None => default_log_dir(&builder.comment),
        };
    builder.log_dir = Some(run_dir(&base, &sub)?);
    Ok(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn reads_torchrun_variables() {
        let info = RankInfo::from_vars(vars(&[
            ("RANK", "5"),
            ("LOCAL_RANK", "1"),
            ("WORLD_SIZE", "8"),
        ]));
        assert_eq!(
            info.ok(),
            Some(RankInfo {
                rank: 5,
                local_rank: 1,
                world_size: 8
            })
        );
        let single = RankInfo::from_vars(vars(&[]));
        assert_eq!(single.ok().map(|i| (i.rank, i.world_size)), Some((0, 1)));
    }

    #[test]
    fn rejects_bad_ranks() {
        let outside = RankInfo::from_vars(vars(&[("RANK", "8"), ("WORLD_SIZE", "8")]));
        assert!(matches!(
            outside,
            Err(Error::OutOfRange { value, max, .. }) if value == 8.0 && max == 7.0
        ));
        let garbage = RankInfo::from_vars(vars(&[("RANK", "x")]));
        assert!(matches!(
            garbage,
            Err(Error::InvalidArgument { name: "RANK", .. })
        ));
    }

    #[test]
    fn run_per_rank_needs_a_shared_log_dir() {
        let info = RankInfo {
            rank: 1,
            local_rank: 1,
            world_size: 2,
        };
        let missing = RankWriter::new(SummaryWriter::builder(), RankLayout::RunPerRank, info);
        assert!(matches!(
            missing,
            Err(Error::InvalidArgument {
                name: "log_dir",
                ..
            })
        ));
    }

    #[test]
    fn new_rejects_ranks_outside_the_world_as_from_env_does() {
        for (rank, world_size) in [(5, 4), (4, 4), (0, 0)] {
            let info = RankInfo {
                rank,
                local_rank: 0,
                world_size,
            };
            for layout in [RankLayout::RunPerRank, RankLayout::RankZeroOnly] {
                let built = RankWriter::new(SummaryWriter::builder(), layout, info);
                assert!(
                    matches!(
                        &built,
                        Err(Error::OutOfRange { what, .. }) if what.starts_with("RANK")
                    ) || matches!(&built, Err(Error::BadNumber { what, .. }) if what == "WORLD_SIZE"),
                    "rank {rank} of {world_size} with {layout:?}: {built:?}"
                );
            }
        }
    }
}
