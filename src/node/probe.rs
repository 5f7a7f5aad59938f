//! [`Probe`]: the identity op through which hooks see a gradient during `backward()`.
//!
//! candle keeps only the gradients of variables; intermediate gradients are dropped as soon
//! as they are used. A probe is an identity op inserted into the graph whose backward pass
//! calls a closure with the gradient flowing through it, and passes on either that gradient
//! or the one the closure returns.

use std::sync::Arc;

use candle_core::backend::{BackendDevice, BackendStorage};
use candle_core::{CpuStorage, CudaStorage, CustomOp1, Layout, MetalStorage, Shape, Tensor};

use crate::Result;

type GradFn = dyn Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync;

/// The identity op that calls a closure with its output's gradient during backward.
pub(crate) struct Probe {
    f: Arc<GradFn>,
}

impl Probe {
    pub(crate) fn new(
        f: impl Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync + 'static,
    ) -> Self {
        Self { f: Arc::new(f) }
    }
}

/// One copy of the input, honouring its layout, on whatever backend it lives.
fn copy_storage<S>(s: &S, l: &Layout) -> candle_core::Result<(S, Shape)>
where
    S: BackendStorage,
    S::Device: BackendDevice<Storage = S>,
{
    let dev = s.device();
    // SAFETY: `copy_strided_src` below writes every element of `dst`: `dst` has exactly
    // `l.shape().elem_count()` elements and the copy walks all of them from offset 0, so no
    // uninitialised value is ever read.
    let mut dst = unsafe { dev.alloc_uninit(l.shape(), s.dtype())? };
    s.copy_strided_src(&mut dst, 0, l)?;
    Ok((dst, l.shape().clone()))
}

impl CustomOp1 for Probe {
    fn name(&self) -> &'static str {
        "grad-hook"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        copy_storage(s, l)
    }

    fn cuda_fwd(&self, s: &CudaStorage, l: &Layout) -> candle_core::Result<(CudaStorage, Shape)> {
        copy_storage(s, l)
    }

    fn metal_fwd(
        &self,
        s: &MetalStorage,
        l: &Layout,
    ) -> candle_core::Result<(MetalStorage, Shape)> {
        copy_storage(s, l)
    }

    fn bwd(
        &self,
        _arg: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<Option<Tensor>> {
        match (self.f)(grad)? {
            Some(new) => {
                check_same_shape("grad", &new, grad)?;
                Ok(Some(new))
            }
            None => Ok(Some(grad.clone())),
        }
    }
}

/// A hook's replacement gradient must have the shape of the gradient it replaces.
pub(crate) fn check_same_shape(what: &'static str, new: &Tensor, old: &Tensor) -> Result<()> {
    if new.dims() != old.dims() {
        return Err(crate::Error::Events(tfevents::Error::BadShape {
            what: format!(
                "the {what} a hook returned for a tensor of shape {:?}",
                old.dims()
            ),
            shape: new.dims().to_vec(),
            expected: "give a tensor of the same shape, or None to keep the gradient",
        }));
    }
    Ok(())
}
