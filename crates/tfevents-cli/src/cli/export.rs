//! `export`: every run's data as JSON (schema in tools/EXPORT_SCHEMA.md) or scalars as CSV.

use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use serde_json::{json, Map, Value};
use tfevents::reader::logdir::{self, read_run, LogDirReader, RunFiles};
use tfevents::reader::{DamagedFile, ImagePoint, RunData};

use super::follow::{poll_loop, Follow};
use super::CliResult;

/// JSON has no NaN or infinity: NaN becomes `null`, infinities the strings `"inf"`/`"-inf"`.
fn number(x: f64) -> Value {
    if x.is_nan() {
        Value::Null
    } else if x.is_infinite() {
        Value::String(if x > 0.0 { "inf" } else { "-inf" }.into())
    } else {
        json!(x)
    }
}

fn numbers(xs: &[f64]) -> Value {
    Value::Array(xs.iter().map(|&x| number(x)).collect())
}

/// The PNG's pixels as a decoder gives them (8-bit RGB or RGBA, row-major), for comparing
/// with what TensorBoard's side decodes.
fn pixels_crc32(png_bytes: &[u8]) -> Result<u32, Box<dyn std::error::Error>> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info()?;
    let size = reader
        .output_buffer_size()
        .ok_or("PNG too large to decode")?;
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf)?;
    Ok(crc32fast::hash(&buf[..info.buffer_size()]))
}

fn image_json(p: &ImagePoint) -> Result<Value, Box<dyn std::error::Error>> {
    // add_video's animated GIFs: no PNG pixels to compare; the HTTP check decodes the frames.
    if p.encoded.starts_with(b"GIF8") {
        return Ok(json!({
            "step": p.step, "wall_time": p.wall_time, "width": p.width, "height": p.height,
            "colorspace": p.colorspace, "png_crc32": crc32fast::hash(&p.encoded),
            "pixels_crc32": null, "format": "gif",
        }));
    }
    Ok(json!({
        "step": p.step, "wall_time": p.wall_time, "width": p.width, "height": p.height,
        "colorspace": p.colorspace, "png_crc32": crc32fast::hash(&p.encoded),
        "pixels_crc32": pixels_crc32(&p.encoded)?,
    }))
}

fn run_json(name: &str, data: &RunData) -> Result<Value, Box<dyn std::error::Error>> {
    let mut scalars = Map::new();
    for (tag, series) in &data.scalars {
        let points = series
            .iter()
            .map(|p| json!([p.step, p.wall_time, number(p.value)]))
            .collect();
        scalars.insert(tag.clone(), Value::Array(points));
    }
    let mut histograms = Map::new();
    for (tag, series) in &data.histograms {
        let points = series
            .iter()
            .map(|p| {
                let h = &p.histogram;
                json!({
                    "step": p.step, "wall_time": p.wall_time, "min": number(h.min),
                    "max": number(h.max), "num": number(h.num), "sum": number(h.sum),
                    "sum_squares": number(h.sum_squares),
                    "bucket_limit": numbers(&h.bucket_limit), "bucket": numbers(&h.bucket),
                })
            })
            .collect();
        histograms.insert(tag.clone(), Value::Array(points));
    }
    let mut images = Map::new();
    for (tag, series) in &data.images {
        let points = series
            .iter()
            .map(image_json)
            .collect::<Result<Vec<_>, _>>()?;
        images.insert(tag.clone(), Value::Array(points));
    }
    let mut texts = Map::new();
    for (tag, series) in &data.texts {
        let points = series
            .iter()
            .map(|p| json!({"step": p.step, "wall_time": p.wall_time, "text": p.text}))
            .collect();
        texts.insert(tag.clone(), Value::Array(points));
    }
    Ok(json!({
        "run": name, "scalars": scalars, "histograms": histograms, "images": images,
        "texts": texts,
    }))
}

/// Writes the export of every run under `logdir` (a path or URL).
pub fn run(logdir: &str, as_json: bool, output: Option<&Path>) -> CliResult {
    let dir = logdir::open(logdir)?;
    let runs = dir.discover()?;
    let mut out: Box<dyn Write> = match output {
        Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(path)?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let read = |run: &RunFiles| {
        let data = read_run(dir.as_ref(), run);
        warn_damaged(&data);
        data
    };
    if as_json {
        let mut all = Vec::new();
        for run in &runs {
            all.push(run_json(&run.name, &read(run))?);
        }
        serde_json::to_writer(&mut out, &json!({ "runs": all }))?;
        writeln!(out)?;
    } else {
        writeln!(out, "{CSV_HEADER}")?;
        for run in &runs {
            for (tag, series) in &read(run).scalars {
                for p in series {
                    write_csv_row(&mut out, &run.name, tag, p)?;
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

const CSV_HEADER: &str = "run,tag,step,wall_time,value";

fn write_csv_row(
    out: &mut impl Write,
    run: &str,
    tag: &str,
    p: &tfevents::reader::ScalarPoint,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{},{},{},{},{}",
        csv(run),
        csv(tag),
        p.step,
        p.wall_time,
        p.value
    )
}

/// `export --follow`: the scalars as CSV rows, then every `interval` the rows appended since,
/// as `tail -f` does for a log, so a plotting script or a spreadsheet can follow a live run.
///
/// Rows are printed once, in the order they were read: when a restarted run discards the
/// steps after its restart point (as TensorBoard does), rows already printed stay printed.
/// A file damaged while followed ends with a warning; the other files go on being read.
pub fn follow_csv(logdir: &str, output: Option<&Path>, follow: &Follow) -> CliResult {
    let mut reader = LogDirReader::open(logdir)?;
    let mut out: Box<dyn Write> = match output {
        Some(path) => Box::new(std::fs::File::create(path)?),
        None => Box::new(std::io::stdout().lock()),
    };
    writeln!(out, "{CSV_HEADER}")?;
    // Rows already printed, per run and tag.
    let mut printed: BTreeMap<(String, String), usize> = BTreeMap::new();
    // Warnings already given, so that each problem is told once.
    let mut warned: HashSet<String> = HashSet::new();
    poll_loop(Some(follow), |_| {
        reader.poll()?;
        for run in reader.runs() {
            let data = run.data();
            for d in &data.damaged {
                let warning = damage_warning(d);
                if !warned.contains(&warning) {
                    eprintln!("{warning}");
                    warned.insert(warning);
                }
            }
            for (tag, series) in &data.scalars {
                let done = printed
                    .entry((run.name().to_string(), tag.clone()))
                    .or_insert(0);
                for p in series.iter().skip(*done) {
                    write_csv_row(&mut out, run.name(), tag, p)?;
                }
                *done = series.len();
            }
        }
        out.flush()?;
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn damage_warning(damaged: &DamagedFile) -> String {
    format!(
        "warning: {}: {} (its records before the damage are exported)",
        damaged.path.display(),
        damaged.error
    )
}

/// A damaged file does not stop the export: its earlier records are in it, and this says so.
fn warn_damaged(data: &RunData) {
    for damaged in &data.damaged {
        eprintln!("{}", damage_warning(damaged));
    }
}
fn csv(field: &str) -> String {
    if field.contains([',', '"', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}
