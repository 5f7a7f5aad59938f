//! candle tensors as image inputs (the `candle` feature): any dtype, any device, any layout
//! the [`DataFormat`] names; only the viewed elements are copied to the host, once.

use candle_core::{CpuStorage, DType, Device, Storage, Tensor};

use super::convert::{same_byte, tb_byte, ImageInput, PixelRule, PixelValue, Plan};
use super::format::DataFormat;
use super::image_u8::ImageU8;
use crate::{Error, Result};

impl PixelValue for half::bf16 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self.to_f64()
    }
}

impl PixelValue for half::f16 {
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self.to_f64()
    }
}

/// `torchvision.utils.save_image`'s rule: `* 255 + 0.5`, clamp, truncate (round half up).
#[inline(always)]
fn save_byte<T: PixelValue>(v: T) -> (u8, bool) {
    let v = v.to_f64() as f32 * 255.0 + 0.5;
    (v.clamp(0.0, 255.0) as u8, v.is_nan())
}

/// Converts a tensor (on any device) to 8-bit HWC pixels read as `format`, scaling values by
/// `rule`: [`PixelRule::TensorBoard`] is what `add_image` does, [`PixelRule::SaveImage`] what
/// torchvision's `save_image` does.
pub fn convert_tensor_with(
    tensor: &Tensor,
    format: DataFormat,
    rule: PixelRule,
) -> Result<ImageU8> {
    // Decide from the shape first: a bad or huge shape fails before any copy.
    Plan::new(tensor.dims(), tensor.stride(), format)?;
    let host = if tensor.device().is_cpu() {
        tensor.clone()
    } else {
        // Only the viewed elements cross to the host.
        tensor.contiguous()?.to_device(&Device::Cpu)?
    };
    let dtype = host.dtype();
    let (storage, layout) = host.storage_and_layout();
    let plan = Plan::new(layout.dims(), layout.stride(), format)?;
    let start = layout.start_offset();
    let cpu = match &*storage {
        Storage::Cpu(cpu) => cpu,
        _ => return Err(Error::invalid(
            "img_tensor",
            "the tensor did not reach host memory; copy it with `to_device(&Device::Cpu)` first",
        )),
    };
    macro_rules! go {
        ($v:expr) => {
            match rule {
                PixelRule::TensorBoard => plan.run($v, start, tb_byte),
                PixelRule::SaveImage => plan.run($v, start, save_byte),
            }
        };
    }
    match cpu {
        CpuStorage::U8(v) => plan.run(v, start, same_byte),
        CpuStorage::U32(v) => go!(v),
        CpuStorage::I16(v) => go!(v),
        CpuStorage::I32(v) => go!(v),
        CpuStorage::I64(v) => go!(v),
        CpuStorage::BF16(v) => go!(v),
        CpuStorage::F16(v) => go!(v),
        CpuStorage::F32(v) => go!(v),
        CpuStorage::F64(v) => go!(v),
        _ => {
            drop(storage);
            // Exotic 8-bit and smaller floats: widen once, then convert.
            let wide = host.to_dtype(DType::F32).map_err(|e| {
                Error::invalid(
                    "img_tensor",
                    format!("dtype {dtype:?} cannot be read as pixels ({e}); convert the tensor to f32 first"),
                )
            })?;
            convert_tensor_with(&wide, format, rule)
        }
    }
}

impl ImageInput for Tensor {
    fn to_image_u8(&self, format: DataFormat) -> Result<ImageU8> {
        convert_tensor_with(self, format, PixelRule::TensorBoard)
    }
}
