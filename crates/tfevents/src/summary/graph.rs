//! The GRAPHS dashboard: a TensorFlow `GraphDef` built by hand, checked before it is logged.
//!
//! Unlike the other dashboards, a graph is not a summary: it goes in `Event.graph_def`, the
//! serialised `GraphDef` (PyTorch's `add_graph` writes the same field). The dashboard folds
//! nodes by the `/`-separated scopes of their names, labels edges with the shapes in each
//! source node's `_output_shapes` attribute, and shows the other attributes on click.

use std::collections::{BTreeMap, HashSet};

use crate::proto::graph::{attr_value, AttrValue, GraphDef, NodeDef, VersionDef};
use crate::proto::TensorShapeProto;
use crate::{Error, Result};

/// The largest serialised graph, in bytes (2^31 - 1): protobuf refuses larger messages, so
/// TensorBoard could not read it. `add_graph_def` checks the encoded size before encoding.
pub const MAX_GRAPH_BYTES: usize = i32::MAX as usize;

/// The graph producer version PyTorch writes.
pub const PRODUCER: i32 = 22;

/// A node named `name` running `op`, fed by `inputs`.
pub fn node<I: Into<String>>(name: &str, op: &str, inputs: impl IntoIterator<Item = I>) -> NodeDef {
    NodeDef {
        name: name.to_string(),
        op: op.to_string(),
        input: inputs.into_iter().map(Into::into).collect(),
        device: String::new(),
        attr: BTreeMap::new(),
    }
}

/// The `_output_shapes` attribute: one shape per output of the node. A size over `i64::MAX`
/// (which no real tensor has) makes [`check_graph`], and so [`graph_def`] and
/// `add_graph_def`, an [`Error::OutOfRange`].
pub fn output_shapes<'a>(shapes: impl IntoIterator<Item = &'a [usize]>) -> AttrValue {
    let shape = shapes
        .into_iter()
        .map(|dims| {
            // A size over i64::MAX is kept as i64::MIN, which no shape holds, so that
            // `check_graph` refuses it rather than the dashboard showing -1 ("unknown").
            let dims: Vec<i64> = dims
                .iter()
                .map(|&d| i64::try_from(d).unwrap_or(i64::MIN))
                .collect();
            TensorShapeProto::from_dims(&dims)
        })
        .collect();
    AttrValue {
        value: Some(attr_value::Value::List(attr_value::ListValue {
            shape,
            ..Default::default()
        })),
    }
}

/// A string attribute.
pub fn string_attr(value: &str) -> AttrValue {
    AttrValue {
        value: Some(attr_value::Value::S(value.as_bytes().to_vec())),
    }
}

/// A `GraphDef` of `nodes` with PyTorch's version stamp, after [`check_graph`].
pub fn graph_def(nodes: Vec<NodeDef>) -> Result<GraphDef> {
    let graph = GraphDef {
        node: nodes,
        versions: Some(VersionDef {
            producer: PRODUCER,
            ..Default::default()
        }),
    };
    check_graph(&graph)?;
    Ok(graph)
}

/// Checks what the dashboard needs: at least one node, names non-empty, unique and free of
/// empty scopes (`a//b`, a trailing `/`), every input naming a node of the graph, and
/// `_output_shapes` sizes of -1 (unknown) or more.
pub fn check_graph(graph: &GraphDef) -> Result<()> {
    if graph.node.is_empty() {
        return Err(Error::Empty {
            what: "the graph's node list".to_string(),
        });
    }
    let mut names = HashSet::with_capacity(graph.node.len());
    for n in &graph.node {
        if n.name.is_empty() || n.name.split('/').any(str::is_empty) {
            return Err(Error::BadName {
                what: "graph node",
                name: n.name.clone(),
                reason: "is empty or has an empty scope; use names like \"features/0\"",
            });
        }
        if !names.insert(n.name.as_str()) {
            return Err(Error::BadName {
                what: "graph node",
                name: n.name.clone(),
                reason: "is the name of two nodes; node names must be unique",
            });
        }
    }
    for n in &graph.node {
        check_output_shapes(n)?;
        for input in &n.input {
            // `^a` is a control edge from `a`, `a:1` the second output of `a`.
            let source = input.strip_prefix('^').unwrap_or(input);
            let source = match source.rsplit_once(':') {
                Some((base, port)) if port.bytes().all(|b| b.is_ascii_digit()) => base,
                _ => source,
            };
            if !names.contains(source) {
                return Err(Error::BadName {
                    what: "graph node input",
                    name: input.clone(),
                    reason: "names no node of the graph; add that node or fix the input's name",
                });
            }
        }
    }
    Ok(())
}

/// Refuses an `_output_shapes` size below -1 (-1 is TensorFlow's "unknown"): a size that did
/// not fit an `i64` (see [`output_shapes`]), or a negative one set by hand.
fn check_output_shapes(n: &NodeDef) -> Result<()> {
    let Some(AttrValue {
        value: Some(attr_value::Value::List(list)),
    }) = n.attr.get("_output_shapes")
    else {
        return Ok(());
    };
    for shape in &list.shape {
        if let Some(dim) = shape.dim.iter().find(|d| d.size < -1) {
            return Err(Error::OutOfRange {
                what: format!(
                    "an output size of node {:?} (sizes over i64::MAX do not fit the graph)",
                    n.name
                ),
                value: dim.size as f64,
                min: -1.0,
                max: i64::MAX as f64,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checked_graph_keeps_its_nodes_and_attributes() {
        let mut conv = node("features/0", "Conv2d", ["input", "features/0/weight"]);
        conv.attr.insert(
            "_output_shapes".into(),
            output_shapes([&[1usize, 64, 55, 55][..]]),
        );
        let g = graph_def(vec![
            node("input", "IO Node", Vec::<String>::new()),
            node("features/0/weight", "Parameter", Vec::<String>::new()),
            conv,
        ])
        .unwrap();
        assert_eq!(g.versions.as_ref().unwrap().producer, 22);
        let Some(attr_value::Value::List(l)) = &g.node[2].attr["_output_shapes"].value else {
            panic!("a list")
        };
        assert_eq!(l.shape[0].dim.len(), 4);
    }

    #[test]
    fn bad_graphs_are_errors() {
        let none: Vec<String> = Vec::new();
        assert!(matches!(graph_def(vec![]), Err(Error::Empty { .. })));
        let dup = graph_def(vec![
            node("a", "X", none.clone()),
            node("a", "Y", none.clone()),
        ]);
        let dup = dup.unwrap_err();
        assert!(matches!(&dup, Error::BadName { name, .. } if name == "a"));
        assert!(dup.to_string().contains("two nodes"));
        let dangling = graph_def(vec![node("a", "X", ["b"])])
            .unwrap_err()
            .to_string();
        assert!(dangling.contains("names no node"), "{dangling}");
        assert!(graph_def(vec![node("a//b", "X", none.clone())]).is_err());
        assert!(graph_def(vec![node("a", "X", none), node("b", "Y", ["a:1", "^a"])]).is_ok());
    }

    #[test]
    fn sizes_over_i64_max_are_refused_not_stored_as_unknown() {
        let mut fc = node("fc", "Linear", Vec::<String>::new());
        fc.attr.insert(
            "_output_shapes".into(),
            output_shapes([&[1, usize::MAX][..]]),
        );
        assert!(matches!(
            graph_def(vec![fc]),
            Err(Error::OutOfRange { min, .. }) if min == -1.0
        ));
        let mut ok = node("fc", "Linear", Vec::<String>::new());
        ok.attr
            .insert("_output_shapes".into(), output_shapes([&[1, 10][..]]));
        assert!(graph_def(vec![ok]).is_ok());
    }
}
