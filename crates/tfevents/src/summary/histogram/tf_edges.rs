//! The default (`"tensorflow"`) bin edges.

use std::sync::OnceLock;

/// The edges of [`Bins::Tensorflow`](super::Bins::Tensorflow), as tensorboardX's `SummaryWriter.default_bins`: starting at
/// `v = 1e-12` and multiplying by `1.1` (in `f64`, one multiplication at a time) while `v < 1e20`,
/// the negated values in reverse, then `0`, then the values. 1549 edges, computed once.
#[must_use]
pub fn tensorflow_edges() -> &'static [f64] {
    static EDGES: OnceLock<Vec<f64>> = OnceLock::new();
    EDGES.get_or_init(|| {
        let mut positive = Vec::new();
        let mut v = 1e-12_f64;
        while v < 1e20 {
            positive.push(v);
            v *= 1.1;
        }
        let mut edges = Vec::with_capacity(2 * positive.len() + 1);
        edges.extend(positive.iter().rev().map(|&p| -p));
        edges.push(0.0);
        edges.extend_from_slice(&positive);
        edges
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tensorflow_edges_shape() {
        let e = tensorflow_edges();
        assert_eq!(e.len(), 1549);
        assert_eq!(e[774], 0.0);
        assert_eq!(e[775], 1e-12);
        assert_eq!(e[773], -1e-12);
        assert_eq!(e[776], 1e-12 * 1.1);
        assert!(e[1548] < 1e20 && e[1548] * 1.1 >= 1e20);
        assert!(e.windows(2).all(|w| w[0] < w[1]));
        for i in 0..774 {
            assert_eq!(e[i], -e[1548 - i]);
        }
    }
}
