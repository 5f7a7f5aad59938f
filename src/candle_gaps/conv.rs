//! 2-D convolution as im2col + matrix product, so that its backward pass is two matrix
//! products as well.
//!
//! candle's CPU `conv2d` already runs forward as im2col + gemm, but its backward pass always
//! computes the input gradient with a direct `conv_transpose2d` loop, even for the first
//! layer, whose input (an image batch) needs no gradient. On the DQN net that loop is half of
//! a training step. Here the input gradient is a gemm plus a col2im scatter, and for an input
//! that needs no gradient candle never calls it.
//!
//! Only what this path handles well takes it (f32 on the CPU, one group, dilation 1);
//! everything else goes to candle's `conv2d`.

use candle_core::{CpuStorage, CustomOp1, DType, Device, Layout, Shape, Tensor};
use candle_nn::Conv2dConfig;

/// The geometry of one convolution's patches.
#[derive(Debug, Clone, Copy)]
struct Patches {
    batch: usize,
    channels: usize,
    height: usize,
    width: usize,
    kernel_h: usize,
    kernel_w: usize,
    stride: usize,
    padding: usize,
    out_h: usize,
    out_w: usize,
}

impl Patches {
    fn rows(&self) -> usize {
        self.batch * self.out_h * self.out_w
    }

    fn cols(&self) -> usize {
        self.channels * self.kernel_h * self.kernel_w
    }

    /// Visits every run of patch cells that are consecutive in both the patches and the
    /// input, as `(patch index, input index, length)`: one run per kernel row, clipped to
    /// the image. Cells in the padding are in no run (they are zero in the patches and get
    /// no gradient).
    fn for_each_run(&self, mut f: impl FnMut(usize, usize, usize)) {
        let (kh, kw, s, p) = (self.kernel_h, self.kernel_w, self.stride, self.padding);
        let cols = self.cols();
        // For output column ox: the kernel columns kx_lo..kx_hi that land inside the image.
        let x_runs: Vec<(usize, usize)> = (0..self.out_w)
            .map(|ox| {
                let lo = p.saturating_sub(ox * s).min(kw);
                let hi = (self.width + p).saturating_sub(ox * s).min(kw).max(lo);
                (lo, hi)
            })
            .collect();
        for b in 0..self.batch {
            for oy in 0..self.out_h {
                for (ox, &(kx_lo, kx_hi)) in x_runs.iter().enumerate() {
                    if kx_lo == kx_hi {
                        continue;
                    }
                    let row = ((b * self.out_h + oy) * self.out_w + ox) * cols;
                    let x0 = ox * s + kx_lo - p;
                    for c in 0..self.channels {
                        let plane = (b * self.channels + c) * self.height;
                        for ky in 0..kh {
                            let Some(y) = (oy * s + ky).checked_sub(p) else {
                                continue;
                            };
                            if y >= self.height {
                                continue;
                            }
                            let col = row + (c * kh + ky) * kw + kx_lo;
                            f(col, (plane + y) * self.width + x0, kx_hi - kx_lo);
                        }
                    }
                }
            }
        }
    }
}

/// `(N, C, H, W)` -> `(N * OH * OW, C * KH * KW)`: one row per output pixel.
struct Im2Col(Patches);

impl CustomOp1 for Im2Col {
    fn name(&self) -> &'static str {
        "im2col"
    }

    fn cpu_fwd(
        &self,
        storage: &CpuStorage,
        layout: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let input = match (storage, layout.contiguous_offsets()) {
            (CpuStorage::F32(v), Some((start, end))) => &v[start..end],
            _ => candle_core::bail!("im2col takes a contiguous f32 tensor"),
        };
        let p = self.0;
        let mut out = vec![0f32; p.rows() * p.cols()];
        p.for_each_run(|o, i, n| out[o..o + n].copy_from_slice(&input[i..i + n]));
        Ok((CpuStorage::F32(out), Shape::from((p.rows(), p.cols()))))
    }

    fn bwd(
        &self,
        _arg: &Tensor,
        _res: &Tensor,
        grad_res: &Tensor,
    ) -> candle_core::Result<Option<Tensor>> {
        let p = self.0;
        let grad = grad_res
            .to_dtype(DType::F32)?
            .flatten_all()?
            .to_vec1::<f32>()?;
        let mut input_grad = vec![0f32; p.batch * p.channels * p.height * p.width];
        p.for_each_run(|o, i, n| {
            for (dst, src) in input_grad[i..i + n].iter_mut().zip(&grad[o..o + n]) {
                *dst += src;
            }
        });
        let shape = (p.batch, p.channels, p.height, p.width);
        Tensor::from_vec(input_grad, shape, grad_res.device()).map(Some)
    }
}

/// Whether [`conv2d`] computes this convolution itself.
fn takes_gemm_path(x: &Tensor, weight: &Tensor, cfg: &Conv2dConfig) -> bool {
    matches!(x.device(), Device::Cpu)
        && x.dtype() == DType::F32
        && weight.dtype() == DType::F32
        && cfg.groups <= 1
        && cfg.dilation <= 1
        && cfg.stride >= 1
}

/// A convolution of `x` `(N, C, H, W)` with `weight` `(O, C, KH, KW)` and an optional bias,
/// with the same results as `candle_nn::Conv2d` (up to float rounding) and a faster
/// backward pass on the CPU.
pub fn conv2d(
    x: &Tensor,
    weight: &Tensor,
    bias: Option<&Tensor>,
    cfg: &Conv2dConfig,
) -> candle_core::Result<Tensor> {
    let (n, c, h, w) = x.dims4()?;
    let (o, wc, kh, kw) = weight.dims4()?;
    if !takes_gemm_path(x, weight, cfg)
        || wc != c
        || h + 2 * cfg.padding < kh
        || w + 2 * cfg.padding < kw
    {
        // candle reports shape errors itself, with its own wording.
        let conv = candle_nn::Conv2d::new(weight.clone(), bias.cloned(), *cfg);
        return candle_nn::Module::forward(&conv, x);
    }
    let patches = Patches {
        batch: n,
        channels: c,
        height: h,
        width: w,
        kernel_h: kh,
        kernel_w: kw,
        stride: cfg.stride,
        padding: cfg.padding,
        out_h: (h + 2 * cfg.padding - kh) / cfg.stride + 1,
        out_w: (w + 2 * cfg.padding - kw) / cfg.stride + 1,
    };
    let cols = x.contiguous()?.apply_op1(Im2Col(patches))?;
    let kernel = weight.reshape((o, c * kh * kw))?;
    let out = cols.matmul(&kernel.t()?)?;
    let out = out
        .reshape((n, patches.out_h, patches.out_w, o))?
        .permute((0, 3, 1, 2))?;
    match bias {
        Some(b) => out.broadcast_add(&b.reshape((1, o, 1, 1))?),
        None => out.contiguous(),
    }
}
