//! The hparams plugin: the three summaries behind one row of the HPARAMS table.
//!
//! A trial is a run holding a *session start* summary (its hparam values) and a *session end*
//! summary; the *experiment* summary names the table's columns (hparams with their types and
//! domains, and the scalar tags shown as metrics). The summaries carry no value, only plugin
//! data, exactly as PyTorch's `torch.utils.tensorboard.summary.hparams` writes them (format
//! version 0, session status `SUCCESS`).

use super::plugin_value::plugin_value;
use crate::plugin_names;
use std::collections::{BTreeMap, HashSet};

use crate::error::{Error, Result};
use crate::proto::hparams::{
    h_param_info::Domain, h_params_plugin_data::Data, value::Kind, Experiment, HParamDataType,
    HParamInfo, HParamsPluginData, Interval, ListValue, MetricInfo, MetricName, SessionEndInfo,
    SessionStartInfo, Status, Value,
};
use crate::proto::Summary;

/// Tag of the experiment summary.
pub const EXPERIMENT_TAG: &str = "_hparams_/experiment";
/// Tag of the session start summary.
pub const SESSION_START_INFO_TAG: &str = "_hparams_/session_start_info";
/// Tag of the session end summary.
pub const SESSION_END_INFO_TAG: &str = "_hparams_/session_end_info";

/// One hyperparameter's value: a number (floats and integers), a boolean or a string, the
/// three types the HPARAMS table knows.
#[derive(Clone, Debug, PartialEq)]
pub enum HParamValue {
    /// A number (integers are stored as `f64`, as PyTorch stores them).
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// A string.
    String(String),
}

macro_rules! number_from {
    ($($t:ty),*) => {$(
        impl From<$t> for HParamValue {
            fn from(v: $t) -> Self {
                HParamValue::Number(v as f64)
            }
        }
    )*};
}
number_from!(f32, f64, i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl From<bool> for HParamValue {
    fn from(v: bool) -> Self {
        HParamValue::Bool(v)
    }
}

impl From<&str> for HParamValue {
    fn from(v: &str) -> Self {
        HParamValue::String(v.to_string())
    }
}

impl From<String> for HParamValue {
    fn from(v: String) -> Self {
        HParamValue::String(v)
    }
}

impl HParamValue {
    fn data_type(&self) -> HParamDataType {
        match self {
            HParamValue::Number(_) => HParamDataType::DataTypeFloat64,
            HParamValue::Bool(_) => HParamDataType::DataTypeBool,
            HParamValue::String(_) => HParamDataType::DataTypeString,
        }
    }

    fn to_proto(&self) -> Value {
        let kind = match self {
            HParamValue::Number(v) => Kind::NumberValue(*v),
            HParamValue::Bool(v) => Kind::BoolValue(*v),
            HParamValue::String(v) => Kind::StringValue(v.clone()),
        };
        Value { kind: Some(kind) }
    }
}

/// The values an hparam may take, shown by the HPARAMS dashboard's filters. The trial's own
/// value must lie in it: a value outside is an error ([`Error::OutOfRange`] for an interval),
/// as the dashboard's filters would otherwise hide the trial.
#[derive(Clone, Debug, PartialEq)]
pub enum HParamDomain {
    /// A finite set (PyTorch's `hparam_domain_discrete`); every value of the same type as the
    /// hparam.
    Discrete(Vec<HParamValue>),
    /// The closed interval `[min, max]`, for a number hparam.
    Interval {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
}

/// The experiment, session start and session end summaries for one trial, in the order
/// PyTorch logs them.
#[derive(Clone, Debug, PartialEq)]
pub struct HParamsSummaries {
    /// Names the table's columns.
    pub experiment: Summary,
    /// This trial's values.
    pub session_start: Summary,
    /// Marks the trial finished (`STATUS_SUCCESS`).
    pub session_end: Summary,
}

fn plugin_summary(tag: &str, data: Data) -> Summary {
    let content = HParamsPluginData {
        version: 0,
        data: Some(data),
    };
    Summary {
        value: vec![plugin_value(
            tag,
            plugin_names::HPARAMS,
            prost::Message::encode_to_vec(&content),
            None,
        )],
    }
}

/// The error for a domain whose values are not of the type of the hparam's value.
fn domain_type_mismatch(name: &str, value: &HParamValue, domain: &str) -> Error {
    Error::invalid(
        "domains",
        format!(
            "the domain of hparam `{name}` {domain}, not of the type of its value {value:?}; \
             give a domain of values of that type"
        ),
    )
}

fn check_domain(name: &str, value: &HParamValue, domain: &HParamDomain) -> Result<Domain> {
    match domain {
        HParamDomain::Discrete(values) => {
            if values.is_empty() {
                return Err(Error::Empty {
                    what: format!("the discrete domain of hparam `{name}`"),
                });
            }
            if let Some(bad) = values.iter().find(|v| v.data_type() != value.data_type()) {
                return Err(domain_type_mismatch(name, value, &format!("holds {bad:?}")));
            }
            if !values.contains(value) {
                return Err(Error::invalid(
                    "hparams",
                    format!("hparam `{name}` is {value:?}, which its discrete domain {values:?} does not hold; log a value of the domain or add it to the domain"),
                ));
            }
            Ok(Domain::DomainDiscrete(ListValue {
                values: values.iter().map(HParamValue::to_proto).collect(),
            }))
        }
        HParamDomain::Interval { min, max } => {
            if !matches!(value, HParamValue::Number(_)) {
                return Err(domain_type_mismatch(
                    name,
                    value,
                    "is an interval of numbers",
                ));
            }
            if !(min.is_finite() && max.is_finite() && min <= max) {
                return Err(Error::BadNumber {
                    what: format!(
                        "the upper bound of the interval [{min}, {max}] of hparam `{name}`"
                    ),
                    value: *max,
                    must: "finite, as the lower bound, and at least the lower bound",
                });
            }
            if let HParamValue::Number(v) = value {
                if !(min..=max).contains(&v) {
                    return Err(Error::OutOfRange {
                        what: format!("hparam `{name}` (its declared interval domain)"),
                        value: *v,
                        min: *min,
                        max: *max,
                    });
                }
            }
            Ok(Domain::DomainInterval(Interval {
                min_value: *min,
                max_value: *max,
            }))
        }
    }
}

/// The table's columns, one per hparam with its domain checked, and the trial's values.
fn hparam_infos<K: AsRef<str>, D: AsRef<str>>(
    hparams: &[(K, HParamValue)],
    domains: &[(D, HParamDomain)],
) -> Result<(Vec<HParamInfo>, BTreeMap<String, Value>)> {
    let mut seen = HashSet::new();
    let mut infos = Vec::with_capacity(hparams.len());
    let mut values = BTreeMap::new();
    for (name, value) in hparams {
        let name = name.as_ref();
        let bad_name = |reason| Error::BadName {
            what: "hparam",
            name: name.to_string(),
            reason,
        };
        if name.is_empty() {
            return Err(bad_name(
                "is empty; give each hparam a name, its column's title",
            ));
        }
        if !seen.insert(name) {
            return Err(bad_name("is given twice; each name is one column"));
        }
        if let HParamValue::Number(v) = value {
            if !v.is_finite() {
                return Err(Error::BadNumber {
                    what: format!("hparam `{name}`"),
                    value: *v,
                    must: "finite: the HPARAMS dashboard's JSON cannot carry NaN or infinity",
                });
            }
        }
        let domain = match domains.iter().find(|(n, _)| n.as_ref() == name) {
            Some((_, d)) => Some(check_domain(name, value, d)?),
            None => None,
        };
        infos.push(HParamInfo {
            name: name.to_string(),
            r#type: value.data_type() as i32,
            domain,
            ..Default::default()
        });
        values.insert(name.to_string(), value.to_proto());
    }
    if let Some((name, _)) = domains.iter().find(|(n, _)| !seen.contains(n.as_ref())) {
        return Err(Error::BadName {
            what: "hparam of a domain",
            name: name.as_ref().to_string(),
            reason: "is not among the hparams; give domains for logged hparams only",
        });
    }
    Ok((infos, values))
}

/// The metrics the table shows, one per scalar tag.
fn metric_infos<M: AsRef<str>>(metrics: &[M]) -> Result<Vec<MetricInfo>> {
    metrics
        .iter()
        .map(|tag| {
            let tag = tag.as_ref();
            if tag.is_empty() {
                return Err(Error::BadName {
                    what: "metric tag",
                    name: String::new(),
                    reason: "is empty; name the scalar tag the table shows",
                });
            }
            Ok(MetricInfo {
                name: Some(MetricName {
                    group: String::new(),
                    tag: tag.to_string(),
                }),
                ..Default::default()
            })
        })
        .collect()
}

/// Builds the three hparams summaries for one trial: `hparams` in the order given (that is the
/// column order), `metrics` the scalar tags the table shows, `domains` optional domains by
/// hparam name.
///
/// Errors name the argument: an empty or repeated hparam name, a non-finite number value (the
/// dashboard's JSON cannot carry it), an empty metric tag, or a domain that names no hparam or
/// does not fit its value's type.
pub fn hparams_summaries<K: AsRef<str>, M: AsRef<str>, D: AsRef<str>>(
    hparams: &[(K, HParamValue)],
    metrics: &[M],
    domains: &[(D, HParamDomain)],
) -> Result<HParamsSummaries> {
    let (infos, values) = hparam_infos(hparams, domains)?;
    let metric_infos = metric_infos(metrics)?;
    let experiment = Experiment {
        hparam_infos: infos,
        metric_infos,
        ..Default::default()
    };
    Ok(HParamsSummaries {
        experiment: plugin_summary(EXPERIMENT_TAG, Data::Experiment(experiment)),
        session_start: plugin_summary(
            SESSION_START_INFO_TAG,
            Data::SessionStartInfo(SessionStartInfo {
                hparams: values,
                ..Default::default()
            }),
        ),
        session_end: plugin_summary(
            SESSION_END_INFO_TAG,
            Data::SessionEndInfo(SessionEndInfo {
                status: Status::StatusSuccess as i32,
                end_time_secs: 0.0,
            }),
        ),
    })
}
