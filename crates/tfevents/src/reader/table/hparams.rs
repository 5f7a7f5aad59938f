//! A run's hparams session: the hyperparameters of its `session_start_info`, the metric tags
//! of its `experiment` and the status of its `session_end_info`.

use std::collections::BTreeMap;

use prost::Message;

use crate::proto::hparams::{
    h_params_plugin_data::Data, value::Kind, HParamsPluginData, MetricName, Status, Value,
};

/// What the hparams summaries of one run say. As TensorBoard keeps a tag's first metadata,
/// the first summary of each of the three kinds counts.
#[derive(Clone, Debug, Default)]
pub(super) struct Session {
    /// The trial's hyperparameters, by name; `None` without a `session_start_info`.
    pub hparams: Option<BTreeMap<String, Value>>,
    /// The metrics the experiment names.
    pub metrics: Option<Vec<MetricName>>,
    /// The trial's `Status`, from its `session_end_info`.
    pub status: Option<i32>,
}

impl Session {
    /// Takes in one hparams summary's plugin content; content that is not an
    /// `HParamsPluginData` is skipped, as TensorBoard's hparams plugin skips it.
    pub fn add(&mut self, content: &[u8]) {
        let Ok(data) = HParamsPluginData::decode(content) else {
            return;
        };
        match data.data {
            Some(Data::Experiment(experiment)) if self.metrics.is_none() => {
                let names = experiment
                    .metric_infos
                    .into_iter()
                    .filter_map(|m| m.name)
                    .collect();
                self.metrics = Some(names);
            }
            Some(Data::SessionStartInfo(start)) if self.hparams.is_none() => {
                self.hparams = Some(start.hparams);
            }
            Some(Data::SessionEndInfo(end)) if self.status.is_none() => {
                self.status = Some(end.status);
            }
            _ => {}
        }
    }

    /// The status's name as `api.proto` spells it (`STATUS_SUCCESS`, ...).
    pub fn status_name(&self) -> Option<&'static str> {
        let status = Status::try_from(self.status?).unwrap_or(Status::StatusUnknown);
        Some(match status {
            Status::StatusUnknown => "STATUS_UNKNOWN",
            Status::StatusSuccess => "STATUS_SUCCESS",
            Status::StatusFailure => "STATUS_FAILURE",
            Status::StatusRunning => "STATUS_RUNNING",
        })
    }
}

/// One hyperparameter's value in the table's three value columns.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct Cell {
    pub number: Option<f64>,
    pub string: Option<String>,
    pub boolean: Option<bool>,
}

impl Cell {
    pub fn of(value: &Value) -> Cell {
        match &value.kind {
            Some(Kind::NumberValue(x)) => Cell {
                number: Some(*x),
                ..Cell::default()
            },
            Some(Kind::StringValue(s)) => Cell {
                string: Some(s.clone()),
                ..Cell::default()
            },
            Some(Kind::BoolValue(b)) => Cell {
                boolean: Some(*b),
                ..Cell::default()
            },
            Some(Kind::ListValue(list)) => Cell {
                string: Some(list_text(&list.values)),
                ..Cell::default()
            },
            Some(Kind::NullValue(_)) | None => Cell::default(),
        }
    }
}

/// A list hyperparameter as text, `[1, "a", true]`: the table has no list column for the
/// rare list values.
fn list_text(values: &[Value]) -> String {
    let items: Vec<String> = values
        .iter()
        .map(|v| match &v.kind {
            Some(Kind::NumberValue(x)) => x.to_string(),
            Some(Kind::StringValue(s)) => format!("{s:?}"),
            Some(Kind::BoolValue(b)) => b.to_string(),
            Some(Kind::ListValue(list)) => list_text(&list.values),
            Some(Kind::NullValue(_)) | None => "null".into(),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::hparams::{
        Experiment, ListValue, MetricInfo, SessionEndInfo, SessionStartInfo,
    };

    fn content(data: Data) -> Vec<u8> {
        HParamsPluginData {
            version: 0,
            data: Some(data),
        }
        .encode_to_vec()
    }

    fn number(x: f64) -> Value {
        Value {
            kind: Some(Kind::NumberValue(x)),
        }
    }

    #[test]
    fn first_summary_of_each_kind_counts() {
        let mut s = Session::default();
        let start = |lr| {
            content(Data::SessionStartInfo(SessionStartInfo {
                hparams: BTreeMap::from([("lr".to_string(), number(lr))]),
                ..Default::default()
            }))
        };
        s.add(&start(0.1));
        s.add(&start(0.2));
        s.add(&content(Data::Experiment(Experiment {
            metric_infos: vec![MetricInfo {
                name: Some(MetricName {
                    group: String::new(),
                    tag: "acc".into(),
                }),
                ..Default::default()
            }],
            ..Default::default()
        })));
        s.add(&content(Data::SessionEndInfo(SessionEndInfo {
            status: Status::StatusFailure as i32,
            end_time_secs: 0.0,
        })));
        s.add(b"\xff not a message");
        let hparams = s.hparams.as_ref().map(|h| Cell::of(&h["lr"]));
        assert_eq!(hparams.and_then(|c| c.number), Some(0.1));
        assert_eq!(s.metrics.as_ref().map(Vec::len), Some(1));
        assert_eq!(s.status_name(), Some("STATUS_FAILURE"));
    }

    #[test]
    fn list_values_read_as_text() {
        let list = Value {
            kind: Some(Kind::ListValue(ListValue {
                values: vec![
                    number(1.0),
                    Value {
                        kind: Some(Kind::StringValue("a".into())),
                    },
                ],
            })),
        };
        assert_eq!(Cell::of(&list).string.as_deref(), Some("[1, \"a\"]"));
    }
}
