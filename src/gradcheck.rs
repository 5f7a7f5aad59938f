//! Central-difference gradient checks.

use candle_core::{DType, Tensor, Var};

use crate::{Error, Result};

/// The outcome of [`gradcheck`]: analytic (backprop) and numerical gradients side by side.
#[derive(Debug, Clone)]
pub struct GradCheck {
    /// Gradients from `backward()`, one per input (f64; zeros where the loss ignores an input).
    pub analytic: Vec<Tensor>,
    /// Central-difference gradients, one per input (f64).
    pub numeric: Vec<Tensor>,
    /// Largest `|analytic - numeric|` over all elements.
    pub max_abs_diff: f64,
    /// Mean `|analytic - numeric|` over all elements (the figure the seed prints).
    pub mean_abs_diff: f64,
}

impl GradCheck {
    /// Whether every element satisfies `|a - n| <= atol + rtol * |n|`.
    pub fn is_close(&self, atol: f64, rtol: f64) -> Result<bool> {
        for (a, n) in self.analytic.iter().zip(&self.numeric) {
            let a = a.flatten_all()?.to_vec1::<f64>()?;
            let n = n.flatten_all()?.to_vec1::<f64>()?;
            if a.iter()
                .zip(&n)
                .any(|(a, n)| (a - n).abs() > atol + rtol * n.abs())
            {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn scalar(t: &Tensor) -> Result<f64> {
    if t.elem_count() != 1 {
        return Err(Error::Events(tfevents::Error::BadShape {
            what: "the loss `f` returned".into(),
            shape: t.dims().to_vec(),
            expected: "give a single-element loss; reduce it, e.g. with `.sum_all()`",
        }));
    }
    Ok(t.to_dtype(DType::F64)?.flatten_all()?.to_vec1::<f64>()?[0])
}

/// Numerical gradients of the scalar `f(inputs)` with respect to each input, by central
/// differences `(f(x + eps) - f(x - eps)) / 2 eps`, computed in f64.
pub fn numerical_grad<F>(f: F, inputs: &[Tensor], eps: f64) -> Result<Vec<Tensor>>
where
    F: Fn(&[Tensor]) -> candle_core::Result<Tensor>,
{
    if !(eps.is_finite() && eps > 0.0) {
        return Err(Error::Events(tfevents::Error::BadNumber {
            what: "eps".into(),
            value: eps,
            must: "finite and > 0 (1e-6 suits f64)",
        }));
    }
    let mut xs: Vec<Tensor> = inputs
        .iter()
        .map(|t| t.to_dtype(DType::F64)?.detach().contiguous())
        .collect::<candle_core::Result<_>>()?;
    let mut out = Vec::with_capacity(xs.len());
    for i in 0..xs.len() {
        let shape = xs[i].shape().clone();
        let device = xs[i].device().clone();
        let base = xs[i].flatten_all()?.to_vec1::<f64>()?;
        let mut grad = vec![0f64; base.len()];
        for j in 0..base.len() {
            let mut v = base.clone();
            v[j] = base[j] + eps;
            xs[i] = Tensor::from_vec(v.clone(), &shape, &device)?;
            let plus = scalar(&f(&xs)?)?;
            v[j] = base[j] - eps;
            xs[i] = Tensor::from_vec(v, &shape, &device)?;
            let minus = scalar(&f(&xs)?)?;
            grad[j] = (plus - minus) / (2.0 * eps);
        }
        xs[i] = Tensor::from_vec(base, &shape, &device)?;
        out.push(Tensor::from_vec(grad, &shape, &device)?);
    }
    Ok(out)
}

/// Compares backprop gradients of the scalar `f(inputs)` with central differences.
///
/// The inputs are converted to f64 `Var`s; `f` must build the loss from the tensors it is
/// given (so backward hooks inside `f` see real gradients).
///
/// ```
/// use candle_core::{Device, Tensor};
/// use candle_tensorboard::hooks::gradcheck;
/// let x = Tensor::new(&[0.5f64, -1.0, 2.0], &Device::Cpu)?;
/// let check = gradcheck(|xs| (xs[0].sqr()? * 3.0)?.sum_all(), &[x], 1e-6)?;
/// assert!(check.is_close(1e-6, 1e-6)?); // d/dx 3x^2 = 6x
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn gradcheck<F>(f: F, inputs: &[Tensor], eps: f64) -> Result<GradCheck>
where
    F: Fn(&[Tensor]) -> candle_core::Result<Tensor>,
{
    let vars: Vec<Var> = inputs
        .iter()
        .map(|t| Var::from_tensor(&t.to_dtype(DType::F64)?))
        .collect::<candle_core::Result<_>>()?;
    let ts: Vec<Tensor> = vars.iter().map(|v| v.as_tensor().clone()).collect();
    let loss = f(&ts)?;
    scalar(&loss)?;
    let grads = loss.backward()?;
    let analytic: Vec<Tensor> = ts
        .iter()
        .map(|t| match grads.get(t) {
            Some(g) => g.to_dtype(DType::F64),
            None => t.zeros_like(),
        })
        .collect::<candle_core::Result<_>>()?;
    let numeric = numerical_grad(&f, inputs, eps)?;
    let (mut max, mut sum, mut n) = (0f64, 0f64, 0usize);
    for (a, b) in analytic.iter().zip(&numeric) {
        let d = (a - b)?.abs()?.flatten_all()?.to_vec1::<f64>()?;
        for v in d {
            max = max.max(v);
            sum += v;
            n += 1;
        }
    }
    Ok(GradCheck {
        analytic,
        numeric,
        max_abs_diff: max,
        mean_abs_diff: if n == 0 { 0.0 } else { sum / n as f64 },
    })
}
