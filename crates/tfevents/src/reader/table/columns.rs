//! Arrow column builders shared by the tables: the key columns every table starts with, and
//! list columns of numbers.

use std::sync::Arc;

use arrow_array::builder::{Float64Builder, ListBuilder};
use arrow_array::{ArrayRef, Float64Array, Int64Array, StringArray};
use arrow_schema::{DataType, Field};

use super::collect::{Series, Stamped};

/// A non-null column.
pub(super) fn field(name: &str, data_type: DataType) -> Field {
    Field::new(name, data_type, false)
}

/// A column that may hold nulls.
pub(super) fn nullable(name: &str, data_type: DataType) -> Field {
    Field::new(name, data_type, true)
}

/// The type of a list column of `item`s, as Arrow's list builders make it.
pub(super) fn list_of(item: DataType) -> DataType {
    DataType::List(Arc::new(Field::new_list_field(item, true)))
}

/// `run, tag, step, wall_time`: the columns every per-point table starts with.
pub(super) fn key_fields() -> Vec<Field> {
    vec![
        field("run", DataType::Utf8),
        field("tag", DataType::Utf8),
        field("step", DataType::Int64),
        field("wall_time", DataType::Float64),
    ]
}

/// The points of every tag of `series`, tag by tag, each tag's points by step; points at
/// one step keep the order they were read in.
pub(super) fn sorted_points<T>(series: &Series<T>) -> Vec<(&str, &Stamped<T>)> {
    let total = series.values().map(Vec::len).sum();
    let mut rows = Vec::with_capacity(total);
    for (tag, points) in series {
        let start = rows.len();
        rows.extend(points.iter().map(|p| (tag.as_str(), p)));
        if let Some(tail) = rows.get_mut(start..) {
            if !tail.is_sorted_by_key(|(_, p)| p.step) {
                tail.sort_by_key(|(_, p)| p.step);
            }
        }
    }
    rows
}

/// The key columns of `rows`: the run's name on every row, then tag, step and wall time.
pub(super) fn key_columns<T>(run: &str, rows: &[(&str, &Stamped<T>)]) -> Vec<ArrayRef> {
    let runs = StringArray::from_iter_values(std::iter::repeat_n(run, rows.len()));
    let tags = StringArray::from_iter_values(rows.iter().map(|(tag, _)| *tag));
    let steps: Int64Array = rows.iter().map(|(_, p)| p.step).collect::<Vec<_>>().into();
    let times: Float64Array = rows
        .iter()
        .map(|(_, p)| p.wall_time)
        .collect::<Vec<_>>()
        .into();
    vec![
        Arc::new(runs),
        Arc::new(tags),
        Arc::new(steps),
        Arc::new(times),
    ]
}

/// A non-null `f64` column of one number per row.
pub(super) fn f64_column<'a, T: 'a>(
    rows: &[(&str, &'a Stamped<T>)],
    f: impl Fn(&'a T) -> f64,
) -> ArrayRef {
    let values: Vec<f64> = rows.iter().map(|(_, p)| f(&p.value)).collect();
    Arc::new(Float64Array::from(values))
}

/// A non-null `i64` column of one number per row.
pub(super) fn i64_column<'a, T: 'a>(
    rows: &[(&str, &'a Stamped<T>)],
    f: impl Fn(&'a T) -> i64,
) -> ArrayRef {
    let values: Vec<i64> = rows.iter().map(|(_, p)| f(&p.value)).collect();
    Arc::new(Int64Array::from(values))
}

/// A list column of `f64`s, one list per row.
pub(super) fn f64_lists<'a, T: 'a>(
    rows: &[(&str, &'a Stamped<T>)],
    f: impl Fn(&'a T) -> &'a [f64],
) -> ArrayRef {
    let items = rows.iter().map(|(_, p)| f(&p.value).len()).sum();
    let mut builder = ListBuilder::with_capacity(Float64Builder::with_capacity(items), rows.len());
    for (_, p) in rows {
        builder.values().append_slice(f(&p.value));
        builder.append(true);
    }
    Arc::new(builder.finish())
}
