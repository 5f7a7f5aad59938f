//! Many ranks at once: 8 processes (this test binary, re-run as children with torchrun's
//! variables) log into one log directory at the same moment.

use std::path::Path;
use std::process::Command;

use tfevents::reader::{discover_runs, RunData};
use tfevents::{Error, RankLayout, RankWriter, SummaryWriter};

const WORLD: usize = 8;
const STEPS: i64 = 2000;

/// Set in the children: where to log and with which layout.
const CHILD_DIR: &str = "TFEVENTS_RANKS_CHILD_DIR";
const CHILD_LAYOUT: &str = "TFEVENTS_RANKS_CHILD_LAYOUT";

/// The children's body. Run by the parent tests below; without their variables it has nothing
/// to do and returns at once.
#[test]
fn child_rank() -> tfevents::Result<()> {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return Ok(());
    };
    let layout = match std::env::var(CHILD_LAYOUT).as_deref() {
        Ok("zero") => RankLayout::RankZeroOnly,
        Ok("shared") => {
            // Every rank writes its own file into the very same directory.
            let writer = SummaryWriter::new(&dir)?;
            let rank: i64 = std::env::var("RANK")
                .ok()
                .and_then(|r| r.parse().ok())
                .unwrap_or(-1);
            for step in 0..STEPS {
                writer.add_scalar(&format!("rank{rank}/loss"), step as f64, step)?;
            }
            return writer.close();
        }
        _ => RankLayout::RunPerRank,
    };
    let builder = if dir.contains("://") {
        #[cfg(feature = "remote")]
        {
            SummaryWriter::builder().log_dir_url(dir.clone())
        }
        #[cfg(not(feature = "remote"))]
        {
            return Err(Error::invalid("dir", "a URL needs the remote feature"));
        }
    } else {
        SummaryWriter::builder().log_dir(&dir)
    };
    let writer = RankWriter::from_env(builder.flush_secs(0.05), layout)?;
    let rank = writer.info().rank as f64;
    for step in 0..STEPS {
        writer.add_scalar("loss", rank * 1000.0 + step as f64, step)?;
        if step % 500 == 0 {
            writer.flush()?;
        }
    }
    writer.close()
}

/// Starts the 8 children at once and waits for all of them.
fn run_children(dir: &str, layout: &str) -> tfevents::Result<()> {
    let exe = std::env::current_exe().map_err(|e| Error::io("current_exe", ".", e))?;
    let mut children = Vec::new();
    for rank in 0..WORLD {
        let child = Command::new(&exe)
            .args(["--exact", "child_rank", "--test-threads=1", "--nocapture"])
            .env(CHILD_DIR, dir)
            .env(CHILD_LAYOUT, layout)
            .env("RANK", rank.to_string())
            .env("LOCAL_RANK", rank.to_string())
            .env("WORLD_SIZE", WORLD.to_string())
            .spawn()
            .map_err(|e| Error::io("cannot start a rank", &exe, e))?;
        children.push(child);
    }
    for (rank, mut child) in children.into_iter().enumerate() {
        let status = child.wait().map_err(|e| Error::io("wait", &exe, e))?;
        assert!(status.success(), "rank {rank} failed: {status}");
    }
    Ok(())
}

fn loss_of(data: &RunData) -> Vec<(i64, f64)> {
    data.scalars["loss"]
        .iter()
        .map(|p| (p.step, p.value))
        .collect()
}

fn check_run_per_rank(runs: &[(String, RunData)]) {
    let names: Vec<&str> = runs.iter().map(|(n, _)| n.as_str()).collect();
    let want: Vec<String> = (0..WORLD).map(|r| format!("rank_{r}")).collect();
    assert_eq!(names, want);
    for (rank, (_, data)) in runs.iter().enumerate() {
        let want: Vec<(i64, f64)> = (0..STEPS)
            .map(|s| (s, rank as f64 * 1000.0 + s as f64))
            .collect();
        assert_eq!(loss_of(data), want, "rank {rank}");
    }
}

fn read_local(dir: &Path) -> tfevents::Result<Vec<(String, RunData)>> {
    discover_runs(dir)?
        .into_iter()
        .map(|run| Ok((run.name.clone(), RunData::read(&run)?)))
        .collect()
}

#[test]
fn eight_ranks_one_run_each() -> tfevents::Result<()> {
    let tmp = tempfile::tempdir().map_err(|e| Error::io("tempdir", "/tmp", e))?;
    let dir = tmp.path().to_string_lossy().into_owned();
    run_children(&dir, "per-rank")?;
    check_run_per_rank(&read_local(tmp.path())?);
    Ok(())
}

#[test]
fn eight_ranks_rank_zero_only() -> tfevents::Result<()> {
    let tmp = tempfile::tempdir().map_err(|e| Error::io("tempdir", "/tmp", e))?;
    let dir = tmp.path().to_string_lossy().into_owned();
    run_children(&dir, "zero")?;
    let runs = read_local(tmp.path())?;
    assert_eq!(runs.len(), 1);
    let want: Vec<(i64, f64)> = (0..STEPS).map(|s| (s, s as f64)).collect();
    assert_eq!(loss_of(&runs[0].1), want, "only rank 0's values");
    assert_eq!(discover_runs(tmp.path())?[0].files.len(), 1);
    Ok(())
}

#[test]
fn eight_ranks_into_one_directory_never_collide() -> tfevents::Result<()> {
    let tmp = tempfile::tempdir().map_err(|e| Error::io("tempdir", "/tmp", e))?;
    let dir = tmp.path().to_string_lossy().into_owned();
    run_children(&dir, "shared")?;
    let runs = discover_runs(tmp.path())?;
    assert_eq!(runs.len(), 1);
    assert_eq!(
        runs[0].files.len(),
        WORLD,
        "one file per process: {:?}",
        runs[0].files
    );
    let data = RunData::read(&runs[0])?;
    for rank in 0..WORLD {
        assert_eq!(
            data.scalars[&format!("rank{rank}/loss")].len(),
            STEPS as usize
        );
    }
    Ok(())
}

#[cfg(feature = "remote")]
#[test]
fn eight_ranks_into_s3() -> tfevents::Result<()> {
    let Ok(endpoint) = std::env::var("TFEVENTS_S3_ENDPOINT") else {
        eprintln!("SKIPPED eight_ranks_into_s3: TFEVENTS_S3_ENDPOINT is not set; run `eval \"$(tools/start-s3.sh)\"` first");
        return Ok(());
    };
    let bucket = std::env::var("TFEVENTS_S3_BUCKET").unwrap_or_else(|_| "tfevents-test".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    // TFEVENTS_RANKS_S3_PREFIX lets tools/ci-remote.sh hand the run to TensorBoard afterwards.
    let prefix =
        std::env::var("TFEVENTS_RANKS_S3_PREFIX").unwrap_or_else(|_| format!("ranks-{nanos}"));
    let url = format!("s3://{bucket}/{prefix}");
    eprintln!("eight_ranks_into_s3: {url} via {endpoint}");
    run_children(&url, "per-rank")?;
    let dir = tfevents::remote::RemoteLogDir::open(&url)?;
    let runs = dir
        .discover_runs()?
        .into_iter()
        .map(|run| Ok((run.name.clone(), dir.read_run(&run)?)))
        .collect::<tfevents::Result<Vec<_>>>()?;
    check_run_per_rank(&runs);
    Ok(())
}
