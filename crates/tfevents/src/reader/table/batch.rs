//! Each table's schema, and one run's rows of it as a `RecordBatch`.

use std::sync::Arc;

use arrow_array::builder::{BinaryBuilder, Float64Builder, Int64Builder, ListBuilder};
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{ArrowError, DataType, Schema, SchemaRef};

use super::collect::{RunTables, Stamped};
use super::columns::{
    f64_column, f64_lists, field, i64_column, key_columns, key_fields, list_of, nullable,
    sorted_points,
};
use super::hparams::Cell;
use super::kind::TableKind;

/// The suffix PyTorch and tensorboardX add to text tags, which tbparse strips.
const TEXT_SUFFIX: &str = "/text_summary";

/// A PR curve's six rows, as the table's columns name them.
const PR_ROWS: [&str; 6] = [
    "true_positives",
    "false_positives",
    "true_negatives",
    "false_negatives",
    "precision",
    "recall",
];

impl TableKind {
    /// The table's columns (see the [module docs](super) for what each holds).
    pub fn schema(self) -> SchemaRef {
        let mut fields = match self {
            TableKind::Hparams => vec![field("run", DataType::Utf8)],
            _ => key_fields(),
        };
        let f64s = || list_of(DataType::Float64);
        match self {
            TableKind::Scalars => fields.push(field("value", DataType::Float64)),
            TableKind::Tensors => fields.extend([
                field("plugin", DataType::Utf8),
                field("dtype", DataType::Utf8),
                field("shape", list_of(DataType::Int64)),
                nullable("value", f64s()),
                nullable("string_value", list_of(DataType::Binary)),
            ]),
            TableKind::Histograms => fields.extend([
                field("min", DataType::Float64),
                field("max", DataType::Float64),
                field("num", DataType::Float64),
                field("sum", DataType::Float64),
                field("sum_squares", DataType::Float64),
                field("limits", f64s()),
                field("counts", f64s()),
            ]),
            TableKind::Images => fields.extend([
                field("width", DataType::Int64),
                field("height", DataType::Int64),
                field("colorspace", DataType::Int64),
                field("value", DataType::Binary),
            ]),
            TableKind::Audio => fields.extend([
                field("content_type", DataType::Utf8),
                field("length_frames", DataType::Int64),
                field("sample_rate", DataType::Float64),
                field("num_channels", DataType::Int64),
                field("value", DataType::Binary),
            ]),
            TableKind::Text => fields.push(field("value", DataType::Utf8)),
            TableKind::Hparams => fields.extend([
                field("kind", DataType::Utf8),
                field("tag", DataType::Utf8),
                nullable("value", DataType::Float64),
                nullable("value_string", DataType::Utf8),
                nullable("value_bool", DataType::Boolean),
                nullable("step", DataType::Int64),
                nullable("wall_time", DataType::Float64),
                nullable("status", DataType::Utf8),
            ]),
            TableKind::PrCurves => {
                fields.push(field("num_thresholds", DataType::Int64));
                fields.push(field("thresholds", f64s()));
                fields.extend(PR_ROWS.iter().map(|name| field(name, f64s())));
            }
        }
        Arc::new(Schema::new(fields))
    }
}

impl RunTables {
    /// The run's rows of table `kind` (no rows when `kind` was not asked for when reading).
    pub fn batch(&self, kind: TableKind) -> Result<RecordBatch, ArrowError> {
        let columns = match kind {
            TableKind::Scalars => self.scalars_columns(),
            TableKind::Tensors => self.tensors_columns(),
            TableKind::Histograms => self.histograms_columns(),
            TableKind::Images => self.images_columns(),
            TableKind::Audio => self.audio_columns(),
            TableKind::Text => self.text_columns(),
            TableKind::Hparams => self.hparams_columns(),
            TableKind::PrCurves => self.pr_curves_columns(),
        };
        RecordBatch::try_new(kind.schema(), columns)
    }

    fn scalars_columns(&self) -> Vec<ArrayRef> {
        let rows = sorted_points(&self.scalars);
        let mut columns = key_columns(&self.name, &rows);
        columns.push(f64_column(&rows, |v| *v));
        columns
    }

    fn tensors_columns(&self) -> Vec<ArrayRef> {
        let rows = sorted_points(&self.tensors);
        let mut columns = key_columns(&self.name, &rows);
        let plugins = StringArray::from_iter_values(rows.iter().map(|(_, p)| &p.value.plugin));
        let dtypes =
            StringArray::from_iter_values(rows.iter().map(|(_, p)| dtype_name(p.value.dtype)));
        let mut shapes = ListBuilder::new(Int64Builder::new());
        let mut strings = ListBuilder::new(BinaryBuilder::new());
        for (_, p) in &rows {
            shapes.values().append_slice(&p.value.shape);
            shapes.append(true);
            match &p.value.strings {
                Some(list) => {
                    for s in list {
                        strings.values().append_value(s);
                    }
                    strings.append(true);
                }
                None => strings.append(false),
            }
        }
        let mut numbers = ListBuilder::new(Float64Builder::new());
        for (_, p) in &rows {
            match &p.value.numbers {
                Some(values) => {
                    numbers.values().append_slice(values);
                    numbers.append(true);
                }
                None => numbers.append(false),
            }
        }
        columns.extend([
            Arc::new(plugins) as ArrayRef,
            Arc::new(dtypes),
            Arc::new(shapes.finish()),
            Arc::new(numbers.finish()),
            Arc::new(strings.finish()),
        ]);
        columns
    }

    fn histograms_columns(&self) -> Vec<ArrayRef> {
        let rows = sorted_points(&self.histograms);
        let mut columns = key_columns(&self.name, &rows);
        columns.extend([
            f64_column(&rows, |h| h.min),
            f64_column(&rows, |h| h.max),
            f64_column(&rows, |h| h.num),
            f64_column(&rows, |h| h.sum),
            f64_column(&rows, |h| h.sum_squares),
            f64_lists(&rows, |h| &h.bucket_limit),
            f64_lists(&rows, |h| &h.bucket),
        ]);
        columns
    }

    fn images_columns(&self) -> Vec<ArrayRef> {
        let rows = sorted_points(&self.images);
        let mut columns = key_columns(&self.name, &rows);
        let encoded = BinaryArray::from_iter_values(rows.iter().map(|(_, p)| &p.value.encoded));
        columns.extend([
            i64_column(&rows, |i| i.width),
            i64_column(&rows, |i| i.height),
            i64_column(&rows, |i| i.colorspace),
            Arc::new(encoded) as ArrayRef,
        ]);
        columns
    }

    fn audio_columns(&self) -> Vec<ArrayRef> {
        let rows = sorted_points(&self.audio);
        let mut columns = key_columns(&self.name, &rows);
        let types = StringArray::from_iter_values(rows.iter().map(|(_, p)| &p.value.content_type));
        let encoded = BinaryArray::from_iter_values(rows.iter().map(|(_, p)| &p.value.encoded));
        columns.extend([
            Arc::new(types) as ArrayRef,
            i64_column(&rows, |a| a.length_frames),
            f64_column(&rows, |a| a.sample_rate),
            i64_column(&rows, |a| a.num_channels),
            Arc::new(encoded),
        ]);
        columns
    }

    fn text_columns(&self) -> Vec<ArrayRef> {
        let rows = sorted_points(&self.text);
        // tbparse names a PyTorch text tag `note/text_summary` as `note`.
        let renamed: Vec<(&str, &Stamped<String>)> = rows
            .iter()
            .map(|(tag, p)| (tag.strip_suffix(TEXT_SUFFIX).unwrap_or(tag), *p))
            .collect();
        let mut columns = key_columns(&self.name, &renamed);
        let texts = StringArray::from_iter_values(rows.iter().map(|(_, p)| &p.value));
        columns.push(Arc::new(texts));
        columns
    }

    fn pr_curves_columns(&self) -> Vec<ArrayRef> {
        let rows = sorted_points(&self.pr_curves);
        let mut columns = key_columns(&self.name, &rows);
        columns.push(i64_column(&rows, |c| {
            i64::try_from(c.thresholds).unwrap_or(i64::MAX)
        }));
        let mut builder = ListBuilder::new(Float64Builder::new());
        for (_, p) in &rows {
            builder
                .values()
                .append_slice(&thresholds(p.value.thresholds));
            builder.append(true);
        }
        columns.push(Arc::new(builder.finish()));
        for (i, _) in PR_ROWS.iter().enumerate() {
            columns.push(f64_lists(&rows, |c| c.row(i)));
        }
        columns
    }

    fn hparams_columns(&self) -> Vec<ArrayRef> {
        let session = &self.session;
        let Some(hparams) = &session.hparams else {
            return empty_hparams();
        };
        let mut kinds = Vec::new();
        let mut tags = Vec::new();
        let mut cells = Vec::new();
        let mut steps = Vec::new();
        let mut times = Vec::new();
        for (name, value) in hparams {
            kinds.push("hparam");
            tags.push(name.as_str());
            cells.push(Cell::of(value));
            steps.push(None);
            times.push(None);
        }
        let mut metrics: Vec<&str> = session
            .metrics
            .iter()
            .flatten()
            .map(|m| m.tag.as_str())
            .collect();
        metrics.sort_unstable();
        metrics.dedup();
        for tag in metrics {
            let last = self.scalars.get(tag).and_then(|points| points.last());
            kinds.push("metric");
            tags.push(tag);
            cells.push(Cell {
                number: last.map(|p| p.value),
                ..Cell::default()
            });
            steps.push(last.map(|p| p.step));
            times.push(last.map(|p| p.wall_time));
        }
        let n = kinds.len();
        vec![
            Arc::new(StringArray::from_iter_values(std::iter::repeat_n(
                self.name.as_str(),
                n,
            ))),
            Arc::new(StringArray::from(kinds)),
            Arc::new(StringArray::from(tags)),
            Arc::new(Float64Array::from_iter(cells.iter().map(|c| c.number))),
            Arc::new(StringArray::from_iter(
                cells.iter().map(|c| c.string.as_deref()),
            )),
            Arc::new(BooleanArray::from_iter(cells.iter().map(|c| c.boolean))),
            Arc::new(Int64Array::from(steps)),
            Arc::new(Float64Array::from(times)),
            Arc::new(StringArray::from(vec![session.status_name(); n])),
        ]
    }
}

fn empty_hparams() -> Vec<ArrayRef> {
    TableKind::Hparams
        .schema()
        .fields()
        .iter()
        .map(|f| arrow_array::new_empty_array(f.data_type()))
        .collect()
}

/// A curve's thresholds, `i / (n - 1)`, as TensorBoard's PR-curves plugin computes them.
fn thresholds(n: usize) -> Vec<f64> {
    let last = n.saturating_sub(1).max(1) as f64;
    (0..n).map(|i| i as f64 / last).collect()
}

/// A TensorFlow dtype's numpy name (`DT_STRING` as `string`).
fn dtype_name(dtype: i32) -> &'static str {
    match dtype {
        1 => "float32",
        2 => "float64",
        3 => "int32",
        4 => "uint8",
        5 => "int16",
        6 => "int8",
        7 => "string",
        8 => "complex64",
        9 => "int64",
        10 => "bool",
        11 => "qint8",
        12 => "quint8",
        13 => "qint32",
        14 => "bfloat16",
        15 => "qint16",
        16 => "quint16",
        17 => "uint16",
        18 => "complex128",
        19 => "float16",
        20 => "resource",
        21 => "variant",
        22 => "uint32",
        23 => "uint64",
        _ => "invalid",
    }
}
