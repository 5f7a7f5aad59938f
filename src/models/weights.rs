//! Pretrained weights from disk: `.safetensors` files and PyTorch `.pth` state dicts.
//!
//! The models of this crate use torchvision's parameter names, so a state dict saved with
//! `torch.save(model.state_dict(), "alexnet.pth")` (or torchvision's own
//! `alexnet-owt-7be5be79.pth`) loads as it is.

use std::path::Path;

use candle_core::pickle::PthTensors;
use candle_core::{DType, Device};
use candle_nn::VarBuilder;

use crate::{Error, Result};

/// A `VarBuilder` over the weights in `path`, read as `f32` onto `device`.
///
/// `.safetensors` files are read whole; `.pth`, `.pt` and `.bin` files are PyTorch zip
/// checkpoints holding a state dict, either at the top level or under a `state_dict` key
/// (what training scripts often save). Tensors are read when a layer asks for them, so a
/// missing name or a wrong shape is reported by the model's constructor, naming the tensor.
///
/// ```no_run
/// # fn main() -> candle_tensorboard::Result<()> {
/// use candle_tensorboard::models::{load_pretrained, AlexNet};
/// let vb = load_pretrained("alexnet-owt-7be5be79.pth".as_ref(), &candle_core::Device::Cpu)?;
/// let net = AlexNet::new(1000, vb)?;
/// # Ok(()) }
/// ```
pub fn load_pretrained(path: &Path, device: &Device) -> Result<VarBuilder<'static>> {
    if !path.is_file() {
        return Err(Error::io(
            "cannot read weights from",
            path,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not a file; pass a .safetensors or PyTorch .pth state dict",
            ),
        ));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let unreadable = |e: candle_core::Error| {
        Error::invalid(
            "weights",
            format!("cannot read `{}` as {ext} weights: {e}", path.display()),
        )
    };
    match ext.as_str() {
        "safetensors" => {
            let tensors = candle_core::safetensors::load(path, device).map_err(unreadable)?;
            Ok(VarBuilder::from_tensors(tensors, DType::F32, device))
        }
        "pth" | "pt" | "bin" => {
            let mut pth = PthTensors::new(path, None).map_err(unreadable)?;
            if pth.tensor_infos().is_empty() {
                pth = PthTensors::new(path, Some("state_dict"))
                    .ok()
                    .filter(|nested| !nested.tensor_infos().is_empty())
                    .ok_or_else(|| {
                        Error::invalid(
                            "weights",
                            format!(
                                "`{}` holds no tensors at the top level or under `state_dict`; \
                                 save it with torch.save(model.state_dict(), path)",
                                path.display()
                            ),
                        )
                    })?;
            }
            Ok(VarBuilder::from_backend(
                Box::new(pth),
                DType::F32,
                device.clone(),
            ))
        }
        _ => Err(Error::Events(tfevents::Error::BadName {
            what: "weights file extension",
            name: ext.clone(),
            reason:
                "is not a weights format; use a .safetensors file or a PyTorch .pth/.pt state dict",
        })),
    }
}
