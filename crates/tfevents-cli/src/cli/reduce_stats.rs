//! Mean, standard deviation, minimum and maximum of one step's values across runs, computed
//! as numpy computes `np.mean`, `np.std` (ddof 0), `np.min` and `np.max` on a float64 array,
//! so that the reduced run matches a notebook's numbers bit for bit.
//!
//! Non-finite values follow numpy: a NaN makes every statistic NaN; an infinity makes the
//! mean that infinity (NaN when both signs are present) and the standard deviation NaN,
//! while the minimum and maximum take it as a value.

/// The four statistics of one step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stats {
    /// `np.mean`.
    pub mean: f64,
    /// `np.std`: the population standard deviation (ddof 0).
    pub std: f64,
    /// `np.min` (NaN if any value is NaN).
    pub min: f64,
    /// `np.max` (NaN if any value is NaN).
    pub max: f64,
}

/// The statistics of `values`; `None` for no values (numpy would warn and give NaN).
pub fn stats(values: &[f64]) -> Option<Stats> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mean = sum(values) / n as f64;
    let squares: Vec<f64> = values
        .iter()
        .map(|x| {
            let d = x - mean;
            d * d
        })
        .collect();
    let std = (sum(&squares) / n as f64).sqrt();
    Some(Stats {
        mean,
        std,
        min: extreme(values, f64::min),
        max: extreme(values, f64::max),
    })
}

/// `np.add.reduce` on a contiguous float64 array (checked against numpy on random arrays of
/// 1 to 600 values).
fn sum(values: &[f64]) -> f64 {
    pairwise_sum(values)
}

/// numpy's pairwise summation (`pairwise_sum_DOUBLE`): below 8 values a plain loop, up to
/// 128 eight interleaved accumulators, above that the two halves (cut at a multiple of 8).
fn pairwise_sum(a: &[f64]) -> f64 {
    const BLOCK: usize = 128;
    let n = a.len();
    if n < 8 {
        return a.iter().fold(0.0, |acc, x| acc + x);
    }
    if n <= BLOCK {
        let mut r = [0.0f64; 8];
        r.copy_from_slice(&a[..8]);
        let whole = n - n % 8;
        for chunk in a[8..whole].chunks_exact(8) {
            for (acc, x) in r.iter_mut().zip(chunk) {
                *acc += x;
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for x in &a[whole..] {
            res += x;
        }
        return res;
    }
    let mut half = n / 2;
    half -= half % 8;
    let (left, right) = a.split_at(half);
    pairwise_sum(left) + pairwise_sum(right)
}

/// `np.min` / `np.max`: NaN wins over every number (Rust's `f64::min` would skip it).
fn extreme(values: &[f64], pick: fn(f64, f64) -> f64) -> f64 {
    let mut out = f64::NAN;
    for (i, &x) in values.iter().enumerate() {
        if x.is_nan() {
            return f64::NAN;
        }
        out = if i == 0 { x } else { pick(out, x) };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(values: &[f64]) -> Stats {
        stats(values).unwrap_or(Stats {
            mean: -1.0,
            std: -1.0,
            min: -1.0,
            max: -1.0,
        })
    }

    #[test]
    fn plain_values() {
        let r = s(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(r.mean, 2.5);
        assert_eq!(r.std, 1.25f64.sqrt());
        assert_eq!((r.min, r.max), (1.0, 4.0));
    }

    #[test]
    fn no_values_no_stats() {
        assert_eq!(stats(&[]), None);
    }

    #[test]
    fn non_finite_values_as_numpy() {
        let nan = s(&[1.0, f64::NAN, 3.0]);
        assert!(nan.mean.is_nan() && nan.std.is_nan() && nan.min.is_nan() && nan.max.is_nan());
        let inf = s(&[1.0, f64::INFINITY]);
        assert_eq!(inf.mean, f64::INFINITY);
        assert!(inf.std.is_nan());
        assert_eq!((inf.min, inf.max), (1.0, f64::INFINITY));
        let both = s(&[f64::NEG_INFINITY, f64::INFINITY]);
        assert!(both.mean.is_nan());
        assert_eq!((both.min, both.max), (f64::NEG_INFINITY, f64::INFINITY));
    }

    #[test]
    fn pairwise_order_above_eight_values() {
        // A plain loop loses every 1 added to 1e16 (rounding to even); numpy's eight
        // accumulators add the ones together first: np.sum gives 1.0000000000000016e16.
        let mut values = vec![1e16];
        values.extend(std::iter::repeat_n(1.0, 16));
        assert_eq!(values.iter().fold(0.0, |a, x| a + x), 1e16);
        assert_eq!(sum(&values), 1.0000000000000016e16);
    }
}
