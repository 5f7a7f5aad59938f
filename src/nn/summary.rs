//! The torchinfo-style summary table.

use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor};

use super::{Module, Node};
use crate::node::HookHandle;
use crate::Result;

struct Row {
    name: String,
    kind: String,
    depth: usize,
    shape: Option<Vec<usize>>,
    params: usize,
}

type Rows = Arc<Mutex<Vec<Row>>>;

/// The table for `modules` (with their `params`) under `root`, from `call` on zeros of
/// `input_shape`.
pub(super) fn summary(
    root: &Arc<Node>,
    modules: &[(String, &dyn Module)],
    params: &[(String, Tensor)],
    input_shape: &[usize],
    call: &dyn Fn(&Tensor) -> candle_core::Result<Tensor>,
) -> Result<String> {
    if input_shape.is_empty() || input_shape.contains(&0) {
        return Err(crate::Error::Events(tfevents::Error::BadShape {
            what: "input_shape".into(),
            shape: input_shape.to_vec(),
            expected: "give a non-empty shape without zero dimensions, batch included",
        }));
    }
    let rows = record_rows(root, modules, params, input_shape, call)?;
    Ok(render(&rows, params, input_shape))
}

/// One row per module call, in call order, from one forward pass on zeros (in the dtype and
/// on the device of the first parameter) with a pair of recording hooks on every node.
fn record_rows(
    root: &Arc<Node>,
    modules: &[(String, &dyn Module)],
    params: &[(String, Tensor)],
    input_shape: &[usize],
    call: &dyn Fn(&Tensor) -> candle_core::Result<Tensor>,
) -> Result<Vec<Row>> {
    let (dtype, device) = match params.first() {
        Some((_, t)) => (t.dtype(), t.device().clone()),
        None => (DType::F32, Device::Cpu),
    };
    let rows: Rows = Arc::new(Mutex::new(Vec::new()));
    let mut handles = HookHandle::empty();
    let mut targets: Vec<(String, &Node)> = vec![(String::new(), root.as_ref())];
    targets.extend(modules.iter().map(|(n, m)| (n.clone(), m.node().as_ref())));
    for (name, node) in targets {
        // Subtree parameter count: a container shows what it holds, like torchinfo.
        let prefix = format!("{name}.");
        let count: usize = params
            .iter()
            .filter(|(p, _)| name.is_empty() || p.starts_with(&prefix))
            .map(|(_, t)| t.elem_count())
            .sum();
        handles = handles.merge(record(node, name, count, &rows));
    }
    let x = Tensor::zeros(input_shape, dtype, &device)?;
    let result = call(&x);
    handles.remove();
    result?;
    let rows = std::mem::take(&mut *rows.lock().unwrap_or_else(|e| e.into_inner()));
    Ok(rows)
}

/// Hooks on `node` (named `name`, holding `params` parameters) that open a row when a call
/// starts and fill in its output shape when it ends.
fn record(node: &Node, name: String, params: usize, rows: &Rows) -> HookHandle {
    let depth = if name.is_empty() {
        0
    } else {
        name.matches('.').count() + 1
    };
    let name = if name.is_empty() {
        "(root)".to_string()
    } else {
        name
    };
    // The rows of this node's calls still running (a module may call itself).
    let open: Arc<Mutex<Vec<usize>>> = Arc::new(Mutex::new(Vec::new()));
    let (r, o) = (rows.clone(), open.clone());
    let start = node.register_forward_pre_hook(move |m, _| {
        let mut rows = r.lock().unwrap_or_else(|e| e.into_inner());
        o.lock().unwrap_or_else(|e| e.into_inner()).push(rows.len());
        rows.push(Row {
            name: name.clone(),
            kind: m.kind().to_string(),
            depth,
            shape: None,
            params,
        });
        Ok(None)
    });
    let r = rows.clone();
    let end = node.register_forward_hook(move |_, _, out| {
        if let Some(i) = open.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            if let Some(row) = r.lock().unwrap_or_else(|e| e.into_inner()).get_mut(i) {
                row.shape = Some(out.dims().to_vec());
            }
        }
        Ok(None)
    });
    start.merge(end)
}

/// The table: a line per row, columns as wide as their widest cell, then the totals.
fn render(rows: &[Row], params: &[(String, Tensor)], input_shape: &[usize]) -> String {
    let total: usize = params.iter().map(|(_, t)| t.elem_count()).sum();
    let trainable: usize = params
        .iter()
        .filter(|(_, t)| t.is_variable())
        .map(|(_, t)| t.elem_count())
        .sum();
    let cells: Vec<[String; 3]> = rows
        .iter()
        .map(|r| {
            [
                format!("{}{} ({})", "  ".repeat(r.depth), r.name, r.kind),
                r.shape.as_ref().map_or("--".into(), |s| format!("{s:?}")),
                group(r.params),
            ]
        })
        .collect();
    let head = ["Layer (type)", "Output Shape", "Param #"].map(String::from);
    let mut w = [0; 3];
    for c in std::iter::once(&head).chain(&cells) {
        for (wi, ci) in w.iter_mut().zip(c) {
            *wi = (*wi).max(ci.len());
        }
    }
    let rule = "=".repeat(w.iter().sum::<usize>() + 6) + "\n";
    let line = |c: &[String; 3]| {
        let [a, b, n] = c;
        format!("{a:<0$}   {b:<1$}   {n:>2$}\n", w[0], w[1], w[2])
    };
    let mut s = rule.clone() + &line(&head) + &rule;
    for c in &cells {
        s += &line(c);
    }
    s += &rule;
    s += &format!("Total params: {}\n", group(total));
    s += &format!("Trainable params: {}\n", group(trainable));
    s += &format!("Non-trainable params: {}\n", group(total - trainable));
    s += &format!("Input shape: {input_shape:?}\n");
    s
}

/// `1685667` -> `"1,685,667"`.
fn group(n: usize) -> String {
    let d = n.to_string();
    let mut out = String::new();
    for (i, ch) in d.chars().enumerate() {
        if i > 0 && (d.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn groups_thousands() {
        assert_eq!(super::group(1_685_667), "1,685,667");
        assert_eq!(super::group(999), "999");
        assert_eq!(super::group(0), "0");
    }
}
