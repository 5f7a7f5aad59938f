//! The torchinfo-style summary table.

use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor};

use super::{Module, Node};
use crate::Result;

struct Row {
    name: String,
    kind: String,
    depth: usize,
    shape: Option<Vec<usize>>,
    params: usize,
}

type Rows = Arc<Mutex<Vec<Row>>>;

pub(super) fn summary(
    root: &Arc<Node>,
    modules: &[(String, &dyn Module)],
    params: &[(String, Tensor)],
    input_shape: &[usize],
    call: &dyn Fn(&Tensor) -> candle_core::Result<Tensor>,
) -> Result<String> {
    if input_shape.is_empty() || input_shape.contains(&0) {
        return Err(crate::Error::invalid(
            "input_shape",
            format!("must be a non-empty shape without zero dimensions (batch included), got {input_shape:?}"),
        ));
    }
    let (dtype, device) = match params.first() {
        Some((_, t)) => (t.dtype(), t.device().clone()),
        None => (DType::F32, Device::Cpu),
    };
    let rows: Rows = Arc::new(Mutex::new(Vec::new()));
    let mut handles = Vec::new();
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
        let depth = if name.is_empty() {
            0
        } else {
            name.matches('.').count() + 1
        };
        let open: Arc<Mutex<Vec<usize>>> = Arc::new(Mutex::new(Vec::new()));
        let (r, o, n) = (rows.clone(), open.clone(), name.clone());
        handles.push(node.register_forward_pre_hook(move |m, _| {
            let mut rows = r.lock().unwrap_or_else(|e| e.into_inner());
            o.lock().unwrap_or_else(|e| e.into_inner()).push(rows.len());
            rows.push(Row {
                name: if n.is_empty() {
                    "(root)".into()
                } else {
                    n.clone()
                },
                kind: m.kind().to_string(),
                depth,
                shape: None,
                params: count,
            });
            Ok(None)
        }));
        let (r, o) = (rows.clone(), open);
        handles.push(node.register_forward_hook(move |_, _, out| {
            if let Some(i) = o.lock().unwrap_or_else(|e| e.into_inner()).pop() {
                if let Some(row) = r.lock().unwrap_or_else(|e| e.into_inner()).get_mut(i) {
                    row.shape = Some(out.dims().to_vec());
                }
            }
            Ok(None)
        }));
    }
    let x = Tensor::zeros(input_shape, dtype, &device)?;
    let result = call(&x);
    for h in &handles {
        h.remove();
    }
    result?;
    let rows = rows.lock().unwrap_or_else(|e| e.into_inner());
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
    let head = ["Layer (type)", "Output Shape", "Param #"];
    let mut w = head.map(str::len);
    for c in &cells {
        for (wi, ci) in w.iter_mut().zip(c) {
            *wi = (*wi).max(ci.len());
        }
    }
    let width = w[0] + w[1] + w[2] + 6;
    let mut s = String::new();
    let line = |s: &mut String, c: &[String; 3]| {
        s.push_str(&format!(
            "{:<a$}   {:<b$}   {:>c$}\n",
            c[0],
            c[1],
            c[2],
            a = w[0],
            b = w[1],
            c = w[2]
        ))
    };
    s.push_str(&"=".repeat(width));
    s.push('\n');
    line(&mut s, &head.map(String::from));
    s.push_str(&"=".repeat(width));
    s.push('\n');
    for c in &cells {
        line(&mut s, c);
    }
    s.push_str(&"=".repeat(width));
    s.push('\n');
    s.push_str(&format!("Total params: {}\n", group(total)));
    s.push_str(&format!("Trainable params: {}\n", group(trainable)));
    s.push_str(&format!(
        "Non-trainable params: {}\n",
        group(total - trainable)
    ));
    s.push_str(&format!("Input shape: {input_shape:?}\n"));
    Ok(s)
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
