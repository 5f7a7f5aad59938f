//! A burn `Config` (any `serde::Serialize` value) as the HPARAMS table's columns.

use serde_json::Value;
use tfevents::summary::hparams::HParamValue;

use crate::error::{Error, Result};

/// Flattens `config`'s JSON form into hparams: nested objects give dotted names
/// (`optimizer.momentum`), numbers stay numbers, booleans booleans, strings strings. What
/// the table cannot hold as a number becomes its JSON text: arrays, `null` (a `None`
/// option), and non-finite numbers (JSON has none; serde writes them as `null`).
pub fn config_hparams<C: burn_core::serde::Serialize + ?Sized>(
    config: &C,
) -> Result<Vec<(String, HParamValue)>> {
    let value = serde_json::to_value(config).map_err(|e| Error::Config(e.to_string()))?;
    let map = match value {
        Value::Object(map) => map,
        other => {
            return Err(Error::Config(format!(
                "it serializes to `{other}`, not an object"
            )))
        }
    };
    let mut out = Vec::new();
    for (key, value) in map {
        flatten(key, value, &mut out);
    }
    Ok(out)
}

fn flatten(name: String, value: Value, out: &mut Vec<(String, HParamValue)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, value) in map {
                flatten(format!("{name}.{key}"), value, out);
            }
        }
        Value::Bool(b) => out.push((name, HParamValue::Bool(b))),
        Value::String(s) => out.push((name, HParamValue::String(s))),
        Value::Number(n) => match n.as_f64() {
            Some(v) if v.is_finite() => out.push((name, HParamValue::Number(v))),
            _ => out.push((name, HParamValue::String(n.to_string()))),
        },
        other => out.push((name, HParamValue::String(other.to_string()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Optimizer {
        momentum: f64,
        nesterov: bool,
    }

    #[derive(serde::Serialize)]
    struct Config {
        lr: f64,
        batch_size: usize,
        name: String,
        optimizer: Optimizer,
        layers: Vec<usize>,
        seed: Option<u64>,
        clip: f64,
    }

    #[test]
    fn nested_configs_flatten_to_dotted_names_of_the_tables_types() {
        let config = Config {
            lr: 0.01,
            batch_size: 64,
            name: "mlp".into(),
            optimizer: Optimizer {
                momentum: 0.9,
                nesterov: true,
            },
            layers: vec![128, 10],
            seed: None,
            clip: f64::INFINITY,
        };
        let hparams = config_hparams(&config).unwrap_or_default();
        let get = |name: &str| {
            hparams
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(get("lr"), Some(HParamValue::Number(0.01)));
        assert_eq!(get("batch_size"), Some(HParamValue::Number(64.0)));
        assert_eq!(get("name"), Some(HParamValue::String("mlp".into())));
        assert_eq!(get("optimizer.momentum"), Some(HParamValue::Number(0.9)));
        assert_eq!(get("optimizer.nesterov"), Some(HParamValue::Bool(true)));
        assert_eq!(get("layers"), Some(HParamValue::String("[128,10]".into())));
        assert_eq!(get("seed"), Some(HParamValue::String("null".into())));
        // serde_json writes a non-finite float as null: the table gets text, not an error.
        assert_eq!(get("clip"), Some(HParamValue::String("null".into())));
    }

    #[test]
    fn a_config_that_is_not_an_object_is_an_error_that_says_so() {
        let err = config_hparams(&[1, 2])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("not an object"), "{err}");
    }
}
