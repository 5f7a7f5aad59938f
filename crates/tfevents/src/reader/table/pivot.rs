//! The wide form of the scalars, as tbparse's `pivot=True`: one row per run and step, one
//! column per tag.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{ArrowError, DataType, Schema, SchemaRef};

use super::collect::RunTables;
use super::columns::{field, nullable};

/// The columns before the tags' in the wide form.
pub const PIVOT_KEY_COLUMNS: [&str; 3] = ["run", "step", "wall_time"];

/// The column of `tag` in the wide form: the tag itself, or `"{tag} (scalar)"` for a tag
/// named like a key column (`step`, ...), so that no two columns share a name.
pub fn pivot_column_name(tag: &str) -> String {
    if PIVOT_KEY_COLUMNS.contains(&tag) {
        format!("{tag} (scalar)")
    } else {
        tag.to_string()
    }
}

/// The wide form's columns for `tags`: `run`, `step`, `wall_time` (the latest wall time of
/// the values at that step), then one nullable `f64` column per tag in the order given
/// (tbparse sorts them; so does [`RunTables::scalar_tags`]).
pub fn pivot_schema(tags: &[String]) -> SchemaRef {
    let mut fields = vec![
        field("run", DataType::Utf8),
        field("step", DataType::Int64),
        field("wall_time", DataType::Float64),
    ];
    fields.extend(
        tags.iter()
            .map(|tag| nullable(&pivot_column_name(tag), DataType::Float64)),
    );
    Arc::new(Schema::new(fields))
}

impl RunTables {
    /// The run's scalars in the wide form of [`pivot_schema`]`(tags)`: one row per step any
    /// of its scalar series has, sorted; a tag without a value at a step is null there, and
    /// where a tag has several values at one step (tbparse makes a list of them) the last
    /// one read is kept. The run's tags missing from `tags` are left out.
    pub fn pivot_batch(&self, tags: &[String]) -> Result<RecordBatch, ArrowError> {
        let mut steps: Vec<i64> = self
            .scalars
            .values()
            .flat_map(|points| points.iter().map(|p| p.step))
            .collect();
        steps.sort_unstable();
        steps.dedup();
        let row = |step: i64| steps.binary_search(&step).unwrap_or(0);
        let mut times = vec![f64::NEG_INFINITY; steps.len()];
        for points in self.scalars.values() {
            for p in points {
                if let Some(t) = times.get_mut(row(p.step)) {
                    *t = t.max(p.wall_time);
                }
            }
        }
        let mut columns: Vec<ArrayRef> = vec![
            Arc::new(StringArray::from_iter_values(std::iter::repeat_n(
                self.name.as_str(),
                steps.len(),
            ))),
            Arc::new(Int64Array::from(steps.clone())),
            Arc::new(Float64Array::from(times)),
        ];
        for tag in tags {
            let mut values: Vec<Option<f64>> = vec![None; steps.len()];
            for p in self.scalars.get(tag).into_iter().flatten() {
                if let Some(v) = values.get_mut(row(p.step)) {
                    *v = Some(p.value);
                }
            }
            columns.push(Arc::new(Float64Array::from(values)));
        }
        RecordBatch::try_new(pivot_schema(tags), columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{event, summary, Event, Summary};
    use crate::reader::table::TableKind;
    use arrow_array::Array;

    fn event(tag: &str, step: i64, wall_time: f64, v: f32) -> Event {
        Event {
            wall_time,
            step,
            what: Some(event::What::Summary(Summary {
                value: vec![summary::Value {
                    tag: tag.into(),
                    value: Some(summary::value::Value::SimpleValue(v)),
                    ..Default::default()
                }],
            })),
            source_metadata: None,
        }
    }

    #[test]
    fn one_row_per_step_with_nulls_and_the_last_duplicate() -> Result<(), ArrowError> {
        let run = RunTables::from_events(
            "r",
            &[TableKind::Scalars],
            [
                event("b", 2, 20.0, 2.0),
                event("a", 1, 10.0, 1.0),
                event("a", 2, 21.0, 3.0),
                event("a", 2, 22.0, 4.0),
            ],
        );
        let tags = vec!["a".to_string(), "b".to_string(), "step".to_string()];
        let batch = run.pivot_batch(&tags)?;
        assert_eq!(batch.num_rows(), 2);
        let names: Vec<&str> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(
            names,
            ["run", "step", "wall_time", "a", "b", "step (scalar)"]
        );
        let col = |i: usize| {
            batch
                .column(i)
                .as_any()
                .downcast_ref::<Float64Array>()
                .cloned()
                .ok_or_else(|| ArrowError::CastError(format!("column {i}")))
        };
        assert_eq!(col(2)?.values().as_ref(), [10.0, 22.0]);
        assert_eq!(col(3)?.values().as_ref(), [1.0, 4.0]);
        let b = col(4)?;
        assert!(b.is_null(0));
        assert_eq!(b.value(1), 2.0);
        assert_eq!(col(5)?.null_count(), 2);
        Ok(())
    }
}
