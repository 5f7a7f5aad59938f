//! Seed 004's layers, by hand on plain `f64` arrays: each has `forward` and `backward`, and
//! `backward` takes the derivative of the loss with respect to the layer's output.

/// A layer's `backward` was called before its `forward`: it has no cached input to
/// differentiate against. Call `forward` on the same batch first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackwardBeforeForward(pub &'static str);

impl std::fmt::Display for BackwardBeforeForward {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}::backward called before forward: run forward on the batch first",
            self.0
        )
    }
}

impl std::error::Error for BackwardBeforeForward {}

/// A row-major matrix: `rows` samples (or input units) by `cols` features.
#[derive(Debug, Clone, PartialEq)]
pub struct Mat {
    pub rows: usize,
    pub cols: usize,
    pub data: Vec<f64>,
}

impl Mat {
    pub fn zeros(rows: usize, cols: usize) -> Self {
        Mat {
            rows,
            cols,
            data: vec![0.0; rows * cols],
        }
    }

    pub fn from_vec(rows: usize, cols: usize, data: Vec<f64>) -> Self {
        assert_eq!(data.len(), rows * cols, "Mat::from_vec: wrong length");
        Mat { rows, cols, data }
    }

    pub fn row(&self, r: usize) -> &[f64] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// `self (n x k) * b (k x m)`, skipping zero entries of `self` (MNIST pixels are mostly 0).
    pub fn matmul(&self, b: &Mat) -> Mat {
        assert_eq!(self.cols, b.rows, "matmul: inner sizes differ");
        let mut out = Mat::zeros(self.rows, b.cols);
        for n in 0..self.rows {
            let o = &mut out.data[n * b.cols..(n + 1) * b.cols];
            for (k, &a) in self.row(n).iter().enumerate() {
                if a != 0.0 {
                    for (oj, bj) in o.iter_mut().zip(b.row(k)) {
                        *oj += a * bj;
                    }
                }
            }
        }
        out
    }

    /// `self^T (k x n) * b (n x m)` without building the transpose.
    pub fn t_matmul(&self, b: &Mat) -> Mat {
        assert_eq!(self.rows, b.rows, "t_matmul: sample counts differ");
        let mut out = Mat::zeros(self.cols, b.cols);
        for n in 0..self.rows {
            for (k, &a) in self.row(n).iter().enumerate() {
                if a != 0.0 {
                    let o = &mut out.data[k * b.cols..(k + 1) * b.cols];
                    for (oj, bj) in o.iter_mut().zip(b.row(n)) {
                        *oj += a * bj;
                    }
                }
            }
        }
        out
    }

    /// `self (n x m) * b^T (m x k)`.
    pub fn matmul_t(&self, b: &Mat) -> Mat {
        assert_eq!(self.cols, b.cols, "matmul_t: inner sizes differ");
        let mut out = Mat::zeros(self.rows, b.rows);
        for n in 0..self.rows {
            for k in 0..b.rows {
                out.data[n * b.rows + k] =
                    self.row(n).iter().zip(b.row(k)).map(|(x, y)| x * y).sum();
            }
        }
        out
    }
}

/// `out = x * y`.
#[derive(Default)]
pub struct MulLayer {
    x: f64,
    y: f64,
}

impl MulLayer {
    pub fn forward(&mut self, x: f64, y: f64) -> f64 {
        self.x = x;
        self.y = y;
        x * y
    }

    /// `(dx, dy)`: the upstream derivative times the other input.
    pub fn backward(&self, dout: f64) -> (f64, f64) {
        (dout * self.y, dout * self.x)
    }
}

/// `out = x + y`.
#[derive(Default)]
pub struct AddLayer;

impl AddLayer {
    pub fn forward(&mut self, x: f64, y: f64) -> f64 {
        x + y
    }

    /// Addition passes the derivative through unchanged to both inputs.
    pub fn backward(&self, dout: f64) -> (f64, f64) {
        (dout, dout)
    }
}

/// `max(0, x)` element-wise; remembers where the input was <= 0.
#[derive(Default)]
pub struct Relu {
    mask: Vec<bool>,
}

impl Relu {
    pub fn forward(&mut self, x: &Mat) -> Mat {
        self.mask = x.data.iter().map(|&v| v <= 0.0).collect();
        let data = x
            .data
            .iter()
            .map(|&v| if v <= 0.0 { 0.0 } else { v })
            .collect();
        Mat::from_vec(x.rows, x.cols, data)
    }

    pub fn backward(&self, dout: &Mat) -> Mat {
        let data = dout
            .data
            .iter()
            .zip(&self.mask)
            .map(|(&d, &m)| if m { 0.0 } else { d })
            .collect();
        Mat::from_vec(dout.rows, dout.cols, data)
    }
}

/// `1 / (1 + exp(-x))`; the derivative is `y (1 - y)` from the stored output.
#[derive(Default)]
pub struct Sigmoid {
    out: Vec<f64>,
}

impl Sigmoid {
    pub fn forward(&mut self, x: &Mat) -> Mat {
        self.out = x.data.iter().map(|&v| 1.0 / (1.0 + (-v).exp())).collect();
        Mat::from_vec(x.rows, x.cols, self.out.clone())
    }

    pub fn backward(&self, dout: &Mat) -> Mat {
        let data = dout
            .data
            .iter()
            .zip(&self.out)
            .map(|(&d, &y)| d * (1.0 - y) * y)
            .collect();
        Mat::from_vec(dout.rows, dout.cols, data)
    }
}

/// `x W + b`, with `W` of `in x out` as in the seed (not PyTorch's `out x in`).
pub struct Affine {
    pub w: Mat,
    pub b: Vec<f64>,
    x: Option<Mat>,
    pub dw: Mat,
    pub db: Vec<f64>,
}

impl Affine {
    pub fn new(w: Mat, b: Vec<f64>) -> Self {
        let (r, c) = (w.rows, w.cols);
        Affine {
            w,
            b,
            x: None,
            dw: Mat::zeros(r, c),
            db: vec![0.0; c],
        }
    }

    pub fn forward(&mut self, x: &Mat) -> Mat {
        let mut out = x.matmul(&self.w);
        for r in 0..out.rows {
            for (o, b) in out.data[r * out.cols..(r + 1) * out.cols]
                .iter_mut()
                .zip(&self.b)
            {
                *o += b;
            }
        }
        self.x = Some(x.clone());
        out
    }

    /// Stores `dW = x^T dout`, `db = sum over the batch of dout`; returns `dx = dout W^T`.
    /// Fails if no `forward` came first (there is no input to differentiate against).
    pub fn backward(&mut self, dout: &Mat) -> Result<Mat, BackwardBeforeForward> {
        let x = self.x.as_ref().ok_or(BackwardBeforeForward("Affine"))?;
        self.dw = x.t_matmul(dout);
        self.db = vec![0.0; dout.cols];
        for r in 0..dout.rows {
            for (d, v) in self.db.iter_mut().zip(dout.row(r)) {
                *d += v;
            }
        }
        Ok(dout.matmul_t(&self.w))
    }
}

/// Softmax followed by the mean cross-entropy against one-hot (here: index) labels.
#[derive(Default)]
pub struct SoftmaxWithLoss {
    y: Option<Mat>,
    t: Vec<usize>,
}

impl SoftmaxWithLoss {
    /// Mean over the batch of `-log softmax(x)[t]`. Computed as `logsumexp(x) - x[t]`, so it is
    /// exactly the function whose derivative `backward` returns (the seed's `log(y + 1e-7)`
    /// makes the numerical gradient of b2 differ from backprop by about 1e-7).
    pub fn forward(&mut self, x: &Mat, t: &[usize]) -> f64 {
        let mut y = Mat::zeros(x.rows, x.cols);
        let mut loss = 0.0;
        for r in 0..x.rows {
            let row = x.row(r);
            let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let s: f64 = row.iter().map(|v| (v - m).exp()).sum();
            for (c, v) in row.iter().enumerate() {
                y.data[r * x.cols + c] = (v - m).exp() / s;
            }
            loss += m + s.ln() - row[t[r]];
        }
        self.y = Some(y);
        self.t = t.to_vec();
        loss / x.rows as f64
    }

    /// `(softmax - onehot) / batch`. Fails if no `forward` came first.
    pub fn backward(&self) -> Result<Mat, BackwardBeforeForward> {
        let mut d = self
            .y
            .clone()
            .ok_or(BackwardBeforeForward("SoftmaxWithLoss"))?;
        let n = d.rows as f64;
        for (r, &t) in self.t.iter().enumerate() {
            d.data[r * d.cols + t] -= 1.0;
        }
        for v in &mut d.data {
            *v /= n;
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backward_before_forward_is_an_error_naming_the_layer() {
        let mut affine = Affine::new(Mat::zeros(2, 3), vec![0.0; 3]);
        let err = affine.backward(&Mat::zeros(1, 3)).unwrap_err();
        assert_eq!(err, BackwardBeforeForward("Affine"));
        assert!(err.to_string().contains("run forward"), "{err}");

        let last = SoftmaxWithLoss::default();
        assert_eq!(
            last.backward().unwrap_err(),
            BackwardBeforeForward("SoftmaxWithLoss")
        );
    }

    #[test]
    fn backward_after_forward_gives_the_gradients() {
        let mut affine = Affine::new(Mat::from_vec(2, 1, vec![2.0, 3.0]), vec![1.0]);
        let x = Mat::from_vec(1, 2, vec![1.0, 1.0]);
        assert_eq!(affine.forward(&x).data, vec![6.0]);
        let dx = affine.backward(&Mat::from_vec(1, 1, vec![1.0])).unwrap();
        assert_eq!(dx.data, vec![2.0, 3.0]);
        assert_eq!(affine.dw.data, vec![1.0, 1.0]);
        assert_eq!(affine.db, vec![1.0]);
    }
}
