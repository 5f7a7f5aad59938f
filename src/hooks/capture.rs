//! Capturing the outputs of chosen layers in one call (the "hook every conv and keep its
//! feature maps" recipe as an API).

use std::sync::{Arc, Mutex};

use candle_core::Tensor;

use super::{HookGuard, HookHandle};
use crate::nn::Module;
use crate::{Error, Result};

type Slots = Arc<Mutex<Vec<(String, Vec<Tensor>)>>>;

/// The outputs of the layers picked by [`capture`], kept while it lives; dropping it removes
/// the hooks.
///
/// ```
/// use candle_core::{DType, Device, Tensor};
/// use candle_tensorboard::hooks::capture;
/// use candle_tensorboard::models::AlexNet;
/// use candle_tensorboard::nn::Module;
/// let net = AlexNet::small(1, 10, candle_nn::VarBuilder::zeros(DType::F32, &Device::Cpu))?;
/// let maps = capture(&net, &["features.0", "features.3"])?;
/// net.call(&Tensor::zeros((2, 1, 28, 28), DType::F32, &Device::Cpu)?)?;
/// let got = maps.take();
/// assert_eq!(got[0].0, "features.0");
/// assert_eq!(got[0].1.dims(), [2, 32, 28, 28]);
/// assert_eq!(got[1].1.dims(), [2, 64, 14, 14]);
/// assert!(capture(&net, &["features.99"]).is_err()); // the error lists the layer names
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Capture {
    slots: Slots,
    _guard: HookGuard,
}

/// Registers a forward hook on each layer of `model` named in `names` (full dotted names as
/// `named_modules` gives them) that keeps its outputs. An unknown name is an error listing
/// the names there are.
pub fn capture(model: &dyn Module, names: &[&str]) -> Result<Capture> {
    let modules = model.named_modules();
    for n in names {
        if !modules.iter().any(|(m, _)| m == n) {
            // Free-form: the message lists the model's layers, which a fixed reason cannot.
            let all: Vec<&str> = modules.iter().map(|(m, _)| m.as_str()).collect();
            return Err(Error::invalid(
                "names",
                format!("the model has no layer named `{n}`; its layers are {all:?}"),
            ));
        }
    }
    // Slots in tree order, whatever the order of `names`.
    let picked: Vec<(String, &dyn Module)> = modules
        .into_iter()
        .filter(|(m, _)| names.contains(&m.as_str()))
        .collect();
    let slots: Slots = Arc::new(Mutex::new(
        picked
            .iter()
            .map(|(n, _)| (n.clone(), Vec::new()))
            .collect(),
    ));
    let mut handle = HookHandle::empty();
    for (i, (_, m)) in picked.iter().enumerate() {
        let s = slots.clone();
        handle = handle.merge(m.node().register_forward_hook(move |_, _, out| {
            let mut g = s.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(slot) = g.get_mut(i) {
                slot.1.push(out.clone());
            }
            Ok(None)
        }));
    }
    Ok(Capture {
        slots,
        _guard: handle.guard(),
    })
}

impl Capture {
    /// The latest output of each picked layer that ran, in tree order, and forgets them all.
    pub fn take(&self) -> Vec<(String, Tensor)> {
        let mut g = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        g.iter_mut()
            .filter_map(|(n, v)| {
                let last = v.pop();
                v.clear();
                last.map(|t| (n.clone(), t))
            })
            .collect()
    }

    /// Every output of each picked layer since the last `take`/`take_all` (a layer called
    /// twice has two), in tree order, and forgets them.
    pub fn take_all(&self) -> Vec<(String, Vec<Tensor>)> {
        let mut g = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        g.iter_mut()
            .map(|(n, v)| (n.clone(), std::mem::take(v)))
            .collect()
    }
}
