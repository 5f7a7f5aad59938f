//! `min`, `max`, `sum` and `sum_squares` in one pass, summed in numpy's pairwise order so that
//! `sum` matches `ndarray.sum()` to the bit; an optional visitor sees every value on the way
//! (the Tensorflow-bin counter uses it to count in the same pass).

use super::elem::Elem;

/// What one pass over the values finds.
pub(super) struct Stats {
    pub(super) min: f64,
    pub(super) max: f64,
    pub(super) sum: f64,
    pub(super) sum_squares: f64,
    /// NaN and infinite values (counted only when the sums show there are some).
    pub(super) nonfinite: usize,
}

/// Running minimum and maximum, eight lanes wide so that the loops vectorise.
#[derive(Clone, Copy)]
struct MinMax {
    min: [f64; 8],
    max: [f64; 8],
}

impl MinMax {
    fn new() -> Self {
        MinMax {
            min: [f64::INFINITY; 8],
            max: [f64::NEG_INFINITY; 8],
        }
    }

    #[inline(always)]
    fn observe(&mut self, j: usize, v: f64) {
        // Comparisons, not f64::min, so that NaN is skipped cheaply (NaN is rejected later).
        self.min[j] = if v < self.min[j] { v } else { self.min[j] };
        self.max[j] = if v > self.max[j] { v } else { self.max[j] };
    }

    fn merge(&mut self, other: &MinMax) {
        for j in 0..8 {
            self.observe(j, other.min[j]);
            self.observe(j, other.max[j]);
        }
    }
}

/// Something that looks at every value during the statistics pass.
pub(super) trait Visit<T> {
    fn visit(&mut self, x: T);
    /// Eight consecutive values.
    #[inline(always)]
    fn visit8(&mut self, c: &[T; 8])
    where
        T: Copy,
    {
        for &x in c {
            self.visit(x);
        }
    }
}

pub(super) struct NoVisit;

impl<T> Visit<T> for NoVisit {
    #[inline(always)]
    fn visit(&mut self, _: T) {}
}

pub(super) fn stats<T: Elem>(values: &[T]) -> Stats {
    stats_with(values, &mut NoVisit)
}

pub(super) fn stats_with<T: Elem, V: Visit<T>>(values: &[T], visitor: &mut V) -> Stats {
    let mut mm = MinMax::new();
    let (sum, sum_squares) = pairwise(values, &mut mm, visitor);
    // A NaN or infinite value makes the sum of squares NaN or infinite, so finite sums prove
    // that every value is finite; only otherwise are the culprits counted.
    let nonfinite = if sum.is_finite() && sum_squares.is_finite() {
        0
    } else {
        values.iter().filter(|x| !x.to_f64().is_finite()).count()
    };
    Stats {
        min: mm.min.iter().copied().fold(f64::INFINITY, f64::min),
        max: mm.max.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        // numpy starts the reduction from the identity 0.0 (only visible for a sum of -0.0).
        sum: 0.0 + sum,
        sum_squares: 0.0 + sum_squares,
        nonfinite,
    }
}

/// numpy's leaf size for pairwise summation.
const PAIRWISE_BLOCK: usize = 128;

/// numpy's pairwise summation (`pairwise_sum` in `loops_utils.h`), of the values and of their
/// squares, tracking min and max on the way; with AVX2 where the CPU has it (the same
/// operations in the same order, so the same bits, only wider registers).
fn pairwise<T: Elem, V: Visit<T>>(a: &[T], mm: &mut MinMax, vis: &mut V) -> (f64, f64) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, as just checked.
            return unsafe { pairwise_avx2(a, mm, vis) };
        }
    }
    pairwise_baseline(a, mm, vis)
}

/// numpy's split: halves, the first a multiple of 8 long.
fn pairwise_split<T>(a: &[T]) -> (&[T], &[T]) {
    let mut n2 = a.len() / 2;
    n2 -= n2 % 8;
    a.split_at(n2)
}

fn pairwise_baseline<T: Elem, V: Visit<T>>(a: &[T], mm: &mut MinMax, vis: &mut V) -> (f64, f64) {
    if a.len() <= PAIRWISE_BLOCK {
        return pairwise_leaf(a, mm, vis);
    }
    let (left, right) = pairwise_split(a);
    let (s1, q1) = pairwise_baseline(left, mm, vis);
    let (s2, q2) = pairwise_baseline(right, mm, vis);
    (s1 + s2, q1 + q2)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn pairwise_avx2<T: Elem, V: Visit<T>>(a: &[T], mm: &mut MinMax, vis: &mut V) -> (f64, f64) {
    if a.len() <= PAIRWISE_BLOCK {
        return pairwise_leaf(a, mm, vis);
    }
    let (left, right) = pairwise_split(a);
    let (s1, q1) = pairwise_avx2(left, mm, vis);
    let (s2, q2) = pairwise_avx2(right, mm, vis);
    (s1 + s2, q1 + q2)
}

/// One leaf of [`pairwise`]: at most [`PAIRWISE_BLOCK`] values.
#[inline(always)]
fn pairwise_leaf<T: Elem, V: Visit<T>>(a: &[T], mm: &mut MinMax, vis: &mut V) -> (f64, f64) {
    let n = a.len();
    if n < 8 {
        let (mut s, mut q) = (0.0, 0.0);
        for &x in a {
            vis.visit(x);
            let v = x.to_f64();
            mm.observe(0, v);
            s += v;
            q += v * v;
        }
        (s, q)
    } else {
        let mut local = MinMax::new();
        let mut r = [0.0f64; 8];
        let mut q = [0.0f64; 8];
        let (head, rest) = a.split_at(8);
        for (j, &x) in head.iter().enumerate() {
            vis.visit(x);
            let v = x.to_f64();
            local.observe(j, v);
            r[j] = v;
            q[j] = v * v;
        }
        let mut chunks = rest.chunks_exact(8);
        for c in &mut chunks {
            // A fixed-size array lets the compiler drop the bounds checks and vectorise.
            let Ok(c) = <&[T; 8]>::try_from(c) else {
                continue;
            };
            vis.visit8(c);
            for j in 0..8 {
                let v = c[j].to_f64();
                local.observe(j, v);
                r[j] += v;
                q[j] += v * v;
            }
        }
        let mut s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        let mut sq = ((q[0] + q[1]) + (q[2] + q[3])) + ((q[4] + q[5]) + (q[6] + q[7]));
        for &x in chunks.remainder() {
            vis.visit(x);
            let v = x.to_f64();
            local.observe(0, v);
            s += v;
            sq += v * v;
        }
        mm.merge(&local);
        (s, sq)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_and_dispatched_statistics_agree_to_the_bit() {
        let v: Vec<f32> = (0..100_003)
            .map(|i| ((i as f32) * 0.7548).sin() * 1.1f32.powi(i % 40 - 20))
            .collect();
        let (mut a, mut b) = (MinMax::new(), MinMax::new());
        let (s1, q1) = pairwise(&v, &mut a, &mut NoVisit);
        let (s2, q2) = pairwise_baseline(&v, &mut b, &mut NoVisit);
        assert_eq!((s1.to_bits(), q1.to_bits()), (s2.to_bits(), q2.to_bits()));
        assert_eq!(a.min.map(f64::to_bits), b.min.map(f64::to_bits));
        assert_eq!(a.max.map(f64::to_bits), b.max.map(f64::to_bits));
    }

    #[test]
    fn pairwise_sum_of_small_arrays() {
        let mut mm = MinMax::new();
        let v: Vec<f64> = (1..=300).map(f64::from).collect();
        let (s, q) = pairwise(&v, &mut mm, &mut NoVisit);
        assert_eq!(mm.min.iter().copied().fold(f64::INFINITY, f64::min), 1.0);
        assert_eq!(
            mm.max.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            300.0
        );
        assert_eq!(s, 45150.0);
        assert_eq!(q, 300.0 * 301.0 * 601.0 / 6.0);
    }
}
