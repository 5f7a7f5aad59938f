//! The data provider's RPCs over the [`Store`]. Filters naming runs or tags that do not exist
//! match nothing (the contract of `RunTagFilter`); `ReadBlob` of an unknown blob is NOT_FOUND.

use std::collections::BTreeSet;

use tonic::Status;

use super::blob_key::BlobKey;
use super::ingest;
use super::proto::{
    BlobReference, BlobReferenceSequence, BlobSequenceData, BlobSequenceMetadata,
    GetExperimentRequest, GetExperimentResponse, ListBlobSequencesResponse, ListPluginsRequest,
    ListPluginsResponse, ListRequest, ListRunsRequest, ListRunsResponse, ListScalarsResponse,
    ListTensorsResponse, Plugin, ReadBlobRequest, ReadBlobResponse, ReadBlobSequencesResponse,
    ReadRequest, ReadScalarsResponse, ReadTensorsResponse, Run, RunEntry, RunTagFilter,
    RunsResponse, ScalarData, SeriesMetadata, TagEntry, TensorData,
};
use super::state::{read_run, Points, Series, Store};

/// Blobs go back in chunks of this size.
const BLOB_CHUNK: usize = 8 << 20;

/// `GetExperiment`.
pub fn get_experiment(
    store: &Store,
    _: GetExperimentRequest,
) -> Result<GetExperimentResponse, Status> {
    Ok(GetExperimentResponse {
        data_location: store.data_location.clone(),
        ..Default::default()
    })
}

/// `ListPlugins`: every plugin with a served series.
pub fn list_plugins(store: &Store, _: ListPluginsRequest) -> Result<ListPluginsResponse, Status> {
    let mut names = BTreeSet::new();
    for (name, run) in store.runs()?.iter() {
        let run = read_run(name, run)?;
        for series in run.series.values() {
            if !matches!(series.points, Points::Unserved) {
                names.insert(series.plugin().to_string());
            }
        }
    }
    Ok(ListPluginsResponse {
        plugins: names.into_iter().map(|name| Plugin { name }).collect(),
    })
}

/// `ListRuns`: runs with at least one event, oldest first.
pub fn list_runs(store: &Store, _: ListRunsRequest) -> Result<ListRunsResponse, Status> {
    let mut runs = Vec::new();
    for (name, run) in store.runs()?.iter() {
        if let Some(start_time) = read_run(name, run)?.start_time {
            runs.push(Run {
                name: name.clone(),
                start_time,
            });
        }
    }
    runs.sort_by(|a, b| a.start_time.total_cmp(&b.start_time));
    Ok(ListRunsResponse { runs })
}

/// `ListScalars`.
pub fn list_scalars(store: &Store, req: ListRequest) -> Result<ListScalarsResponse, Status> {
    let plugin = plugin_filter(&req.plugin_filter)?;
    collect(store, plugin, &req.run_tag_filter, |s| match &s.points {
        Points::Scalars(r) => series_metadata(s, r.points()),
        _ => None,
    })
}

/// `ListTensors`.
pub fn list_tensors(store: &Store, req: ListRequest) -> Result<ListTensorsResponse, Status> {
    let plugin = plugin_filter(&req.plugin_filter)?;
    collect(store, plugin, &req.run_tag_filter, |s| match &s.points {
        Points::Tensors(r) => series_metadata(s, r.points()),
        _ => None,
    })
}

/// `ListBlobSequences`.
pub fn list_blob_sequences(
    store: &Store,
    req: ListRequest,
) -> Result<ListBlobSequencesResponse, Status> {
    let plugin = plugin_filter(&req.plugin_filter)?;
    collect(store, plugin, &req.run_tag_filter, |s| match &s.points {
        Points::Blobs(r) => {
            let m = series_metadata(s, r.points())?;
            Some(BlobSequenceMetadata {
                max_step: m.max_step,
                max_wall_time: m.max_wall_time,
                max_length: r
                    .points()
                    .iter()
                    .map(|(_, (_, b))| b.len as i64)
                    .max()
                    .unwrap_or(0),
                summary_metadata: m.summary_metadata,
            })
        }
        _ => None,
    })
}

/// `ReadScalars`.
pub fn read_scalars(store: &Store, req: ReadRequest) -> Result<ReadScalarsResponse, Status> {
    let plugin = plugin_filter(&req.plugin_filter)?;
    let k = num_points(&req)?;
    collect(store, plugin, &req.run_tag_filter, |s| match &s.points {
        Points::Scalars(r) => {
            let picked = downsample(r.points(), k);
            Some(ScalarData {
                step: picked.iter().map(|p| p.0).collect(),
                wall_time: picked.iter().map(|p| p.1 .0).collect(),
                value: picked.iter().map(|p| p.1 .1).collect(),
            })
        }
        _ => None,
    })
}

/// `ReadTensors`.
pub fn read_tensors(store: &Store, req: ReadRequest) -> Result<ReadTensorsResponse, Status> {
    let plugin = plugin_filter(&req.plugin_filter)?;
    let k = num_points(&req)?;
    collect(store, plugin, &req.run_tag_filter, |s| match &s.points {
        Points::Tensors(r) => {
            let picked = downsample(r.points(), k);
            Some(TensorData {
                step: picked.iter().map(|p| p.0).collect(),
                wall_time: picked.iter().map(|p| p.1 .0).collect(),
                value: picked.iter().map(|p| p.1 .1.clone()).collect(),
            })
        }
        _ => None,
    })
}

/// `ReadBlobSequences`: blob keys, read with `ReadBlob`.
pub fn read_blob_sequences(
    store: &Store,
    req: ReadRequest,
) -> Result<ReadBlobSequencesResponse, Status> {
    let plugin = plugin_filter(&req.plugin_filter)?;
    let k = num_points(&req)?;
    let mut res = collect(store, plugin, &req.run_tag_filter, |s| match &s.points {
        Points::Blobs(r) => {
            let picked = downsample(r.points(), k);
            Some(BlobSequenceData {
                step: picked.iter().map(|p| p.0).collect(),
                wall_time: picked.iter().map(|p| p.1 .0).collect(),
                // Keys are filled in below, where the run and tag names are known.
                values: picked
                    .iter()
                    .map(|p| BlobReferenceSequence {
                        blob_refs: vec![BlobReference::default(); p.1 .1.len],
                    })
                    .collect(),
            })
        }
        _ => None,
    })?;
    for run in &mut res.runs {
        for tag in &mut run.tags {
            let Some(data) = &mut tag.value else { continue };
            for (step, seq) in data.step.iter().zip(&mut data.values) {
                for (index, blob) in seq.blob_refs.iter_mut().enumerate() {
                    blob.blob_key = BlobKey {
                        run: run.run_name.clone(),
                        tag: tag.tag_name.clone(),
                        step: *step,
                        index,
                    }
                    .to_string();
                }
            }
        }
    }
    Ok(res)
}

/// `ReadBlob`: the blob, read again from its event file, in chunks.
pub fn read_blob(store: &Store, req: ReadBlobRequest) -> Result<Vec<ReadBlobResponse>, Status> {
    let key: BlobKey = req.blob_key.parse().map_err(Status::not_found)?;
    let (point, metadata) = {
        let runs = store.runs()?;
        let run = runs
            .get(&key.run)
            .ok_or_else(|| Status::not_found(format!("no run `{}`", key.run)))?;
        let run = read_run(&key.run, run)?;
        let series = run.series.get(&key.tag).ok_or_else(|| {
            Status::not_found(format!("run `{}` has no tag `{}`", key.run, key.tag))
        })?;
        let Points::Blobs(r) = &series.points else {
            return Err(Status::not_found(format!(
                "tag `{}` of run `{}` holds no blobs",
                key.tag, key.run
            )));
        };
        let point = r
            .points()
            .iter()
            .find(|p| p.0 == key.step)
            .map(|p| p.1 .1.clone())
            .ok_or_else(|| {
                Status::not_found(format!(
                    "tag `{}` of run `{}` has no step {} (it may have been sampled out)",
                    key.tag, key.run, key.step
                ))
            })?;
        (point, series.metadata.clone())
    };
    let mut blobs = ingest::read_blobs(store.source.as_ref(), &point, &key.tag, &metadata)
        .map_err(Status::data_loss)?;
    if key.index >= blobs.len() {
        return Err(Status::not_found(format!(
            "step {} of tag `{}` of run `{}` has {} blobs, not {}",
            key.step,
            key.tag,
            key.run,
            blobs.len(),
            key.index + 1
        )));
    }
    let blob = blobs.swap_remove(key.index);
    if blob.is_empty() {
        return Ok(vec![ReadBlobResponse { data: blob }]);
    }
    Ok(blob
        .chunks(BLOB_CHUNK)
        .map(|c| ReadBlobResponse { data: c.to_vec() })
        .collect())
}

fn plugin_filter(filter: &Option<super::proto::PluginFilter>) -> Result<&str, Status> {
    match filter.as_ref().map(|f| f.plugin_name.as_str()) {
        Some(name) if !name.is_empty() => Ok(name),
        _ => Err(Status::invalid_argument(
            "a plugin_filter with a plugin name is required",
        )),
    }
}

fn num_points(req: &ReadRequest) -> Result<usize, Status> {
    let n = req
        .downsample
        .as_ref()
        .ok_or_else(|| Status::invalid_argument("downsample is required"))?
        .num_points;
    usize::try_from(n).map_err(|_| {
        Status::invalid_argument(format!("downsample.num_points must be >= 0, not {n}"))
    })
}

fn series_metadata<T>(s: &Series, points: &[(i64, (f64, T))]) -> Option<SeriesMetadata> {
    let last = points.last()?;
    Some(SeriesMetadata {
        max_step: last.0,
        max_wall_time: points
            .iter()
            .map(|p| p.1 .0)
            .fold(f64::NEG_INFINITY, f64::max),
        summary_metadata: Some(s.metadata.clone()),
    })
}

/// At most `k` points, evenly spread, the first and the last included.
fn downsample<T>(points: &[T], k: usize) -> Vec<&T> {
    let n = points.len();
    if k >= n {
        return points.iter().collect();
    }
    match k {
        0 => Vec::new(),
        1 => points.last().into_iter().collect(),
        _ => (0..k)
            .filter_map(|i| points.get(i * (n - 1) / (k - 1)))
            .collect(),
    }
}

/// Runs and tags passing the filter and `plugin`, with what `pick` makes of each series
/// (`None`: leave the tag out).
fn collect<T>(
    store: &Store,
    plugin: &str,
    filter: &Option<RunTagFilter>,
    mut pick: impl FnMut(&Series) -> Option<T>,
) -> Result<RunsResponse<T>, Status>
where
    T: super::proto::Payload,
{
    let wanted = |names: &Option<super::proto::NameFilter>, name: &str| {
        names
            .as_ref()
            .is_none_or(|f| f.names.iter().any(|n| n == name))
    };
    let (runs_filter, tags_filter) = match filter {
        Some(f) => (f.runs.clone(), f.tags.clone()),
        None => (None, None),
    };
    let mut res = RunsResponse { runs: Vec::new() };
    for (name, run) in store.runs()?.iter() {
        if !wanted(&runs_filter, name) {
            continue;
        }
        let run = read_run(name, run)?;
        let tags: Vec<TagEntry<T>> = run
            .series
            .iter()
            .filter(|(tag, s)| s.plugin() == plugin && wanted(&tags_filter, tag))
            .filter_map(|(tag, s)| {
                pick(s).map(|value| TagEntry {
                    tag_name: tag.clone(),
                    value: Some(value),
                })
            })
            .collect();
        if !tags.is_empty() {
            res.runs.push(RunEntry {
                run_name: name.clone(),
                tags,
            });
        }
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsample_keeps_ends_and_order() {
        let xs: Vec<u32> = (0..100).collect();
        let picked: Vec<u32> = downsample(&xs, 5).into_iter().copied().collect();
        assert_eq!(picked, [0, 24, 49, 74, 99]);
        assert_eq!(downsample(&xs, 1), [&99]);
        assert!(downsample(&xs, 0).is_empty());
        assert_eq!(downsample(&xs, 1000).len(), 100);
    }
}
