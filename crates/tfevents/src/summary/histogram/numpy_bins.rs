//! numpy's bins: counting against explicit edges, equal-width bins with numpy's own index
//! arithmetic, and the `"auto"`, `"fd"` and `"sturges"` bin-width rules.

use std::borrow::Cow;

use super::elem::Elem;
use super::stats::Stats;
use super::{increasing, Bins, MAX_BIN_COUNT};
use crate::{Error, Result};

/// The bucket of `v` among `edges` (at least 2, increasing) in the extended layout:
/// 0 below the first edge, `i + 1` for bin `i`, `edges.len()` above the last edge. As numpy,
/// bin `i` holds `edges[i] <= v < edges[i + 1]` and the last bin also holds the last edge.
pub(super) fn ext_index(edges: &[f64], v: f64) -> usize {
    match edges.last() {
        Some(&last) if v == last => edges.len() - 1,
        _ => edges.partition_point(|&e| e <= v),
    }
}

pub(super) fn count_explicit<T: Elem>(values: &[T], edges: &[f64], ext_counts: &mut [u64]) {
    for &x in values {
        if let Some(c) = ext_counts.get_mut(ext_index(edges, x.to_f64())) {
            *c += 1;
        }
    }
}

pub(super) fn uniform<T: Elem>(
    values: &[T],
    stats: &Stats,
    n: usize,
) -> Result<(Cow<'static, [f64]>, Vec<u64>)> {
    let (first, last) = outer_edges(stats);
    let edges = linspace(first, last, n)?;
    let mut ext = vec![0u64; n + 3];
    let denom = last - first;
    let numer = n as f64;
    for &x in values {
        let v = x.to_f64();
        if !(first..=last).contains(&v) {
            continue;
        }
        // numpy's index arithmetic, then its one-step corrections against the real edges.
        let f = ((v - first) / denom) * numer;
        let mut i = (f as usize).min(n - 1);
        if edges.get(i).is_some_and(|&e| v < e) {
            i = i.saturating_sub(1);
        } else if i != n - 1 && edges.get(i + 1).is_some_and(|&e| v >= e) {
            i += 1;
        }
        if let Some(c) = ext.get_mut(i + 1) {
            *c += 1;
        }
    }
    Ok((Cow::Owned(edges), ext))
}

/// numpy's `_get_outer_edges` without a range: min and max, widened by 0.5 when equal.
fn outer_edges(stats: &Stats) -> (f64, f64) {
    if stats.min == stats.max {
        (stats.min - 0.5, stats.max + 0.5)
    } else {
        (stats.min, stats.max)
    }
}

/// `numpy.linspace(first, last, n + 1)`, rejecting edges that are not strictly increasing
/// (numpy's "Too many bins for data range").
fn linspace(first: f64, last: f64, n: usize) -> Result<Vec<f64>> {
    let delta = last - first;
    if !delta.is_finite() {
        return Err(Error::invalid(
            "values",
            format!(
                "span [{first}, {last}], wider than an f64 can hold; equal-width bins cannot be \
                 computed, use Bins::Tensorflow or explicit edges"
            ),
        ));
    }
    let div = n as f64;
    let step = delta / div;
    let mut edges: Vec<f64> = if step == 0.0 {
        // numpy's path for subnormal steps (gh-5437).
        (0..=n).map(|i| (i as f64 / div) * delta + first).collect()
    } else {
        (0..=n).map(|i| i as f64 * step + first).collect()
    };
    if let Some(e) = edges.last_mut() {
        *e = last;
    }
    if edges.windows(2).any(|w| !increasing(w)) {
        return Err(Error::invalid(
            "bins",
            format!(
                "too many bins for the data range: {n} bins between {first} and {last} are not all \
                 of non-zero width"
            ),
        ));
    }
    Ok(edges)
}

/// The bin count numpy's `"auto"`, `"fd"` or `"sturges"` rule gives.
pub(super) fn bin_count_from_rule<T: Elem>(
    values: &[T],
    stats: &Stats,
    bins: &Bins,
) -> Result<usize> {
    let n = values.len() as f64;
    let ptp = stats.max - stats.min;
    let sturges = || ptp / (n.log2() + 1.0);
    let fd = || {
        let mut buf: Vec<f64> = values.iter().map(|x| x.to_f64()).collect();
        let iqr = percentile_linear(&mut buf, 0.75) - percentile_linear(&mut buf, 0.25);
        2.0 * iqr * n.powf(-1.0 / 3.0)
    };
    let width = match bins {
        Bins::Sturges => sturges(),
        Bins::Fd => fd(),
        _ => {
            let sqrt_half = ptp / n.sqrt() / 2.0;
            let fd = fd();
            // Python's max(a, b) and min(a, b) keep `a` on ties.
            let fd_corrected = if sqrt_half > fd { sqrt_half } else { fd };
            let s = sturges();
            if s < fd_corrected {
                s
            } else {
                fd_corrected
            }
        }
    };
    if width == 0.0 {
        return Ok(1);
    }
    let (first, last) = outer_edges(stats);
    let count = ((last - first) / width).ceil();
    if !(1.0..=MAX_BIN_COUNT as f64).contains(&count) {
        return Err(Error::OutOfRange {
            what: format!(
                "the bins the {bins:?} rule asks for (range {first}..{last}, width {width}; \
                 use Bins::Count or Bins::Tensorflow)"
            ),
            value: count,
            min: 1.0,
            max: MAX_BIN_COUNT as f64,
        });
    }
    Ok(count as usize)
}

/// numpy's `percentile(a, 100 * q)` with the default `linear` method; `buf` is reordered.
fn percentile_linear(buf: &mut [f64], q: f64) -> f64 {
    let n = buf.len();
    if n == 0 {
        return f64::NAN;
    }
    let virtual_index = (n - 1) as f64 * q;
    let (prev, next, gamma) = if virtual_index >= (n - 1) as f64 {
        (n - 1, n - 1, 0.0)
    } else {
        let prev = virtual_index.floor();
        (prev as usize, prev as usize + 1, virtual_index - prev)
    };
    let (_, &mut a, right) = buf.select_nth_unstable_by(prev, f64::total_cmp);
    let b = if next == prev {
        a
    } else {
        right.iter().copied().fold(f64::INFINITY, f64::min)
    };
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_matches_numpy_by_hand() {
        // numpy.percentile([1, 2, 3, 4], [25, 75]) == [1.75, 3.25]
        let mut b = vec![4.0, 1.0, 3.0, 2.0];
        assert_eq!(percentile_linear(&mut b, 0.25), 1.75);
        assert_eq!(percentile_linear(&mut b, 0.75), 3.25);
        let mut one = vec![5.0];
        assert_eq!(percentile_linear(&mut one, 0.75), 5.0);
    }
}
