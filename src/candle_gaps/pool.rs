//! Differentiable 2-D pooling for any kernel, stride and padding.
//!
//! candle's own `max_pool2d`/`avg_pool2d` cannot backpropagate when the stride differs from
//! the kernel (AlexNet pools 3x3 with stride 2), and its max-pool gradient is split between
//! tied maxima. These ops follow PyTorch: the gradient of a max-pool window goes to the
//! first maximum only (row-major order), and average pooling counts padding cells
//! (`count_include_pad = true`). They run on the CPU; tensors on other devices are moved
//! to the CPU and back (differentiably).

use std::ops::Range;

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp1, DType, Device, Layout, Shape, Tensor, WithDType};

use crate::{Error, Result};

/// The windows along one axis: for output position `i`, input cells `start[i]..end[i]`;
/// `div[i]` is the window size average pooling divides by.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Axis {
    start: Vec<usize>,
    end: Vec<usize>,
    div: Vec<usize>,
}

impl Axis {
    fn fixed(len: usize, k: usize, s: usize, p: usize, what: &'static str) -> Result<Self> {
        if k == 0 || s == 0 {
            return Err(Error::invalid(
                what,
                "kernel size and stride must be at least 1",
            ));
        }
        if 2 * p > k {
            return Err(Error::Events(tfevents::Error::OutOfRange {
                what: format!("{what} padding (at most half the kernel size {k}, as in PyTorch)"),
                value: p as f64,
                min: 0.0,
                max: k as f64 / 2.0,
            }));
        }
        if len + 2 * p < k {
            return Err(Error::invalid(
                what,
                format!("the input ({len} + 2 x padding {p}) is smaller than the kernel {k}; use a smaller kernel or a larger input"),
            ));
        }
        let out = (len + 2 * p - k) / s + 1;
        let mut a = Axis {
            start: Vec::with_capacity(out),
            end: Vec::with_capacity(out),
            div: Vec::with_capacity(out),
        };
        for i in 0..out {
            // Coordinates shifted by +p so they stay unsigned: padded cell q is input cell q - p.
            let lo = i * s;
            let hi = (lo + k).min(len + 2 * p);
            a.div.push(hi - lo);
            a.start.push(lo.saturating_sub(p).min(len));
            a.end.push(hi.saturating_sub(p).min(len));
        }
        Ok(a)
    }

    fn adaptive(len: usize, out: usize, what: &'static str) -> Result<Self> {
        if out == 0 || len == 0 {
            return Err(Error::invalid(
                what,
                format!("adaptive pooling needs a non-empty input and output, got input {len} and output {out}"),
            ));
        }
        let mut a = Axis {
            start: Vec::with_capacity(out),
            end: Vec::with_capacity(out),
            div: Vec::with_capacity(out),
        };
        for i in 0..out {
            let st = i * len / out;
            let en = ((i + 1) * len).div_ceil(out);
            a.start.push(st);
            a.end.push(en);
            a.div.push(en - st);
        }
        Ok(a)
    }

    fn len(&self) -> usize {
        self.start.len()
    }
}

/// What a pooling window keeps: its maximum or its average.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolMode {
    /// The window's maximum; its gradient goes to the first maximum (row-major order).
    Max,
    /// The window's mean, padding cells counted (`count_include_pad = true`).
    Avg,
}

impl PoolMode {
    /// The names errors give the input and the height and width settings.
    fn names(self) -> [&'static str; 3] {
        match self {
            PoolMode::Max => [
                "max_pool2d input",
                "max_pool2d kernel/stride/padding (height)",
                "max_pool2d kernel/stride/padding (width)",
            ],
            PoolMode::Avg => [
                "avg_pool2d input",
                "avg_pool2d kernel/stride/padding (height)",
                "avg_pool2d kernel/stride/padding (width)",
            ],
        }
    }
}

/// One (batch, channel) plane of a strided NCHW input.
struct Plane<'a, T> {
    data: &'a [T],
    /// Offset of the plane's first cell in `data`.
    base: usize,
    row_stride: usize,
    col_stride: usize,
    /// Index of the plane's first cell in the contiguous layout.
    flat: usize,
    width: usize,
}

impl<T: WithDType> Plane<'_, T> {
    fn at(&self, r: usize, q: usize) -> T {
        self.data[self.base + r * self.row_stride + q * self.col_stride]
    }

    /// The window's first maximum and its contiguous index; a NaN wins over numbers, as in
    /// PyTorch.
    fn max(&self, rows: Range<usize>, cols: Range<usize>) -> candle_core::Result<(T, usize)> {
        let mut best: Option<(T, usize)> = None;
        for r in rows {
            for q in cols.clone() {
                let v = self.at(r, q);
                let better = match best {
                    None => true,
                    // Strictly greater keeps the first maximum.
                    Some((b, _)) => v > b || (v.to_f64().is_nan() && !b.to_f64().is_nan()),
                };
                if better {
                    best = Some((v, self.flat + r * self.width + q));
                }
            }
        }
        best.ok_or_else(|| {
            candle_core::Error::Msg("max-pool window is empty (padding too large)".into())
        })
    }

    /// The sum of the window's cells.
    fn sum(&self, rows: Range<usize>, cols: Range<usize>) -> f64 {
        rows.flat_map(|r| cols.clone().map(move |q| (r, q)))
            .map(|(r, q)| self.at(r, q).to_f64())
            .sum()
    }
}

struct PoolOp {
    mode: PoolMode,
    rows: Axis,
    cols: Axis,
}

impl PoolOp {
    /// Output values and, for max pooling, the flat (contiguous NCHW) index of each maximum.
    fn run<T: WithDType>(
        &self,
        data: &[T],
        l: &Layout,
    ) -> candle_core::Result<(Vec<T>, Vec<usize>)> {
        let (n, c, h, w) = l.shape().dims4()?;
        let st = l.stride();
        let (oh, ow) = (self.rows.len(), self.cols.len());
        let mut out = Vec::with_capacity(n * c * oh * ow);
        let mut arg = Vec::with_capacity(if self.mode == PoolMode::Max {
            n * c * oh * ow
        } else {
            0
        });
        for ni in 0..n {
            for ci in 0..c {
                let plane = Plane {
                    data,
                    base: l.start_offset() + ni * st[0] + ci * st[1],
                    row_stride: st[2],
                    col_stride: st[3],
                    flat: (ni * c + ci) * h * w,
                    width: w,
                };
                for i in 0..oh {
                    for j in 0..ow {
                        let rows = self.rows.start[i]..self.rows.end[i];
                        let cols = self.cols.start[j]..self.cols.end[j];
                        match self.mode {
                            PoolMode::Max => {
                                let (v, idx) = plane.max(rows, cols)?;
                                out.push(v);
                                arg.push(idx);
                            }
                            PoolMode::Avg => {
                                let div = (self.rows.div[i] * self.cols.div[j]) as f64;
                                out.push(T::from_f64(plane.sum(rows, cols) / div));
                            }
                        }
                    }
                }
            }
        }
        Ok((out, arg))
    }

    fn backward<T: WithDType>(&self, arg: &Tensor, grad: &Tensor) -> candle_core::Result<Tensor> {
        let (n, c, h, w) = arg.dims4()?;
        let (oh, ow) = (self.rows.len(), self.cols.len());
        let g = grad.to_dtype(T::DTYPE)?.flatten_all()?.to_vec1::<T>()?;
        let mut gi = vec![T::zero(); n * c * h * w];
        match self.mode {
            PoolMode::Max => {
                let x = arg.flatten_all()?.to_vec1::<T>()?;
                let l = Layout::contiguous(arg.shape().clone());
                let (_, idx) = self.run(&x, &l)?;
                for (o, &i) in idx.iter().enumerate() {
                    gi[i] += g[o];
                }
            }
            PoolMode::Avg => {
                for p in 0..n * c {
                    for i in 0..oh {
                        for j in 0..ow {
                            let div = (self.rows.div[i] * self.cols.div[j]) as f64;
                            let v = T::from_f64(g[(p * oh + i) * ow + j].to_f64() / div);
                            for r in self.rows.start[i]..self.rows.end[i] {
                                for q in self.cols.start[j]..self.cols.end[j] {
                                    gi[(p * h + r) * w + q] += v;
                                }
                            }
                        }
                    }
                }
            }
        }
        Tensor::from_vec(gi, arg.shape(), arg.device())
    }

    fn fwd_t<T: WithDType>(
        &self,
        s: &CpuStorage,
        l: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (n, c, _, _) = l.shape().dims4()?;
        let (out, _) = self.run(s.as_slice::<T>()?, l)?;
        Ok((
            T::to_cpu_storage_owned(out),
            Shape::from((n, c, self.rows.len(), self.cols.len())),
        ))
    }
}

impl CustomOp1 for PoolOp {
    fn name(&self) -> &'static str {
        match self.mode {
            PoolMode::Max => "max-pool2d",
            PoolMode::Avg => "avg-pool2d",
        }
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        match s.dtype() {
            DType::F32 => self.fwd_t::<f32>(s, l),
            DType::F64 => self.fwd_t::<f64>(s, l),
            other => Err(candle_core::Error::Msg(format!(
                "pooling supports f32 and f64 tensors, got {other:?}; convert with `to_dtype(DType::F32)`"
            ))),
        }
    }

    fn bwd(
        &self,
        arg: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> candle_core::Result<Option<Tensor>> {
        let g = match arg.dtype() {
            DType::F64 => self.backward::<f64>(arg, grad)?,
            _ => self.backward::<f32>(arg, grad)?,
        };
        Ok(Some(g))
    }
}

fn apply(x: &Tensor, op: PoolOp) -> Result<Tensor> {
    if x.device().is_cpu() {
        Ok(x.apply_op1(op)?)
    } else {
        Ok(x.to_device(&Device::Cpu)?
            .apply_op1(op)?
            .to_device(x.device())?)
    }
}

fn dims(x: &Tensor, what: &'static str) -> Result<(usize, usize)> {
    match x.dims() {
        [_, _, h, w] => Ok((*h, *w)),
        d => Err(Error::Events(tfevents::Error::BadShape {
            what: what.to_string(),
            shape: d.to_vec(),
            expected:
                "give (batch, channels, height, width); add the batch dimension with `unsqueeze(0)`",
        })),
    }
}

/// Pooling of `mode` over `kernel` windows moved by `stride`, with `padding` cells on each
/// side (-inf for max pooling, zeros counted in the divisor for average pooling);
/// differentiable for any kernel and stride.
pub fn pool2d(
    x: &Tensor,
    mode: PoolMode,
    kernel: (usize, usize),
    stride: (usize, usize),
    padding: (usize, usize),
) -> Result<Tensor> {
    let [input, height, width] = mode.names();
    let (h, w) = dims(x, input)?;
    let op = PoolOp {
        mode,
        rows: Axis::fixed(h, kernel.0, stride.0, padding.0, height)?,
        cols: Axis::fixed(w, kernel.1, stride.1, padding.1, width)?,
    };
    apply(x, op)
}

/// Max pooling over `kernel` windows moved by `stride`, with `padding` cells (of -inf) on
/// each side; differentiable for any kernel and stride, the gradient going to the first
/// maximum of each window as in PyTorch.
pub fn max_pool2d(
    x: &Tensor,
    kernel: (usize, usize),
    stride: (usize, usize),
    padding: (usize, usize),
) -> Result<Tensor> {
    pool2d(x, PoolMode::Max, kernel, stride, padding)
}

/// Average pooling with zero padding counted in the divisor (PyTorch's default
/// `count_include_pad = true`); differentiable for any kernel and stride.
pub fn avg_pool2d(
    x: &Tensor,
    kernel: (usize, usize),
    stride: (usize, usize),
    padding: (usize, usize),
) -> Result<Tensor> {
    pool2d(x, PoolMode::Avg, kernel, stride, padding)
}

/// Adaptive average pooling to an `(out_h, out_w)` output, with PyTorch's windows
/// (`floor(i * H / out)` to `ceil((i + 1) * H / out)`).
pub fn adaptive_avg_pool2d(x: &Tensor, out: (usize, usize)) -> Result<Tensor> {
    let (h, w) = dims(x, "adaptive_avg_pool2d input")?;
    if (h, w) == out {
        return Ok(x.clone());
    }
    let op = PoolOp {
        mode: PoolMode::Avg,
        rows: Axis::adaptive(h, out.0, "adaptive_avg_pool2d output height")?,
        cols: Axis::adaptive(w, out.1, "adaptive_avg_pool2d output width")?,
    };
    apply(x, op)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gradcheck::gradcheck;

    type R = std::result::Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn axis_windows_match_pytorch() -> R {
        // AlexNet: 55 -> 27 with kernel 3 stride 2.
        assert_eq!(Axis::fixed(55, 3, 2, 0, "t")?.len(), 27);
        let a = Axis::fixed(5, 3, 2, 1, "t")?; // padded length 7 -> 3 windows
        assert_eq!(a.start, [0, 1, 3]);
        assert_eq!(a.end, [2, 4, 5]);
        assert_eq!(a.div, [3, 3, 3]);
        let a = Axis::adaptive(5, 3, "t")?;
        assert_eq!(a.start, [0, 1, 3]);
        assert_eq!(a.end, [2, 4, 5]);
        assert!(Axis::fixed(5, 3, 2, 2, "t").is_err());
        assert!(Axis::fixed(2, 3, 1, 0, "t").is_err());
        Ok(())
    }

    #[test]
    fn max_pool_values_and_first_max_gradient() -> R {
        let x = candle_core::Var::new(&[[[[1f32, 1.], [1., 1.]]]], &Device::Cpu)?;
        let y = max_pool2d(x.as_tensor(), (2, 2), (2, 2), (0, 0))?;
        assert_eq!(y.flatten_all()?.to_vec1::<f32>()?, [1.0]);
        let g = y.sum_all()?.backward()?;
        let gx = g
            .get(&x)
            .ok_or("no grad")?
            .flatten_all()?
            .to_vec1::<f32>()?;
        assert_eq!(gx, [1.0, 0.0, 0.0, 0.0]);
        Ok(())
    }

    #[test]
    fn overlapping_max_pool_hand_computed() -> R {
        // 1x1x3x4, kernel 2 stride 1 -> 2x3
        let v: Vec<f32> = vec![1., 5., 2., 0., 3., 4., 6., 1., 0., 2., 7., 8.];
        let x = candle_core::Var::from_tensor(&Tensor::from_vec(v, (1, 1, 3, 4), &Device::Cpu)?)?;
        let y = max_pool2d(x.as_tensor(), (2, 2), (1, 1), (0, 0))?;
        assert_eq!(y.flatten_all()?.to_vec1::<f32>()?, [5., 6., 6., 4., 7., 8.]);
        let g = y.sum_all()?.backward()?;
        let gx = g
            .get(&x)
            .ok_or("no grad")?
            .flatten_all()?
            .to_vec1::<f32>()?;
        assert_eq!(gx, [0., 1., 0., 0., 0., 1., 2., 0., 0., 0., 1., 1.]);
        Ok(())
    }

    #[test]
    fn strided_input_layout_is_honoured() -> R {
        let x = Tensor::arange(0f32, 16., &Device::Cpu)?.reshape((1, 1, 4, 4))?;
        let xt = x.transpose(2, 3)?; // non-contiguous
        let y = max_pool2d(&xt, (2, 2), (2, 2), (0, 0))?;
        let y2 = max_pool2d(&xt.contiguous()?, (2, 2), (2, 2), (0, 0))?;
        assert_eq!(
            y.flatten_all()?.to_vec1::<f32>()?,
            y2.flatten_all()?.to_vec1::<f32>()?
        );
        assert_eq!(y.flatten_all()?.to_vec1::<f32>()?, [5., 13., 7., 15.]);
        Ok(())
    }

    #[test]
    fn pools_pass_gradcheck() -> R {
        let x = Tensor::randn(0f64, 1., (2, 2, 6, 5), &Device::Cpu)?;
        let w = Tensor::randn(0f64, 1., (2, 2, 3, 3), &Device::Cpu)?;
        type Pool<'a> = &'a dyn Fn(&Tensor) -> Result<Tensor>;
        let pools: [Pool; 3] = [
            &|x| max_pool2d(x, (3, 3), (2, 2), (1, 1)),
            &|x| avg_pool2d(x, (3, 3), (2, 2), (1, 1)),
            &|x| adaptive_avg_pool2d(x, (3, 3)),
        ];
        let mut checks = Vec::new();
        for pool in pools {
            let loss = |xs: &[Tensor]| (pool(&xs[0])? * &w)?.sum_all();
            checks.push(gradcheck(loss, std::slice::from_ref(&x), 1e-6)?);
        }
        for c in checks {
            assert!(c.is_close(1e-6, 1e-5)?, "max diff {}", c.max_abs_diff);
        }
        Ok(())
    }

    #[test]
    fn avg_pool_counts_padding() -> R {
        let x = Tensor::ones((1, 1, 2, 2), DType::F32, &Device::Cpu)?;
        let y = avg_pool2d(&x, (2, 2), (1, 1), (1, 1))?;
        // corners see 1 of 4 cells, edges 2, the centre 4
        assert_eq!(
            y.flatten_all()?.to_vec1::<f32>()?,
            [0.25, 0.5, 0.25, 0.5, 1.0, 0.5, 0.25, 0.5, 0.25]
        );
        Ok(())
    }
}
