//! Reservoir sampling of one time series, as TensorBoard keeps at most N points per tag: a
//! uniform sample of everything offered, always including the latest point, in step order.

/// A uniform sample of at most `capacity` points, the latest always kept.
#[derive(Debug)]
pub struct Reservoir<T> {
    points: Vec<(i64, T)>,
    capacity: Option<usize>,
    seen: u64,
    rng: SplitMix64,
}

impl<T> Reservoir<T> {
    /// A reservoir of `capacity` points (`None`: keep everything).
    pub fn new(capacity: Option<usize>) -> Self {
        Reservoir {
            points: Vec::new(),
            capacity,
            seen: 0,
            rng: SplitMix64(0),
        }
    }

    /// Offers a point. A step not above the latest one means the writer restarted from an
    /// earlier checkpoint: the points from that step on are dropped first, as TensorBoard
    /// does, so the series shows the new timeline.
    pub fn offer(&mut self, step: i64, value: T) {
        if self.points.last().is_some_and(|(last, _)| step <= *last) {
            self.points.retain(|(s, _)| *s < step);
            self.seen = self.points.len() as u64;
        }
        self.seen += 1;
        match self.capacity {
            Some(0) => {}
            Some(capacity) if self.points.len() >= capacity => {
                // Keep the new point with probability capacity / seen, evicting a uniformly
                // chosen old one; otherwise it still replaces the newest, so the latest
                // point is always shown.
                let r = self.rng.below(self.seen);
                if let Ok(r) = usize::try_from(r) {
                    if r < capacity && r < self.points.len() {
                        self.points.remove(r);
                        self.points.push((step, value));
                        return;
                    }
                }
                if let Some(last) = self.points.last_mut() {
                    *last = (step, value);
                }
            }
            _ => self.points.push((step, value)),
        }
    }

    /// The kept points, in the order offered (step order).
    pub fn points(&self) -> &[(i64, T)] {
        &self.points
    }
}

/// A tiny deterministic generator: sampling the same file twice gives the same sample.
#[derive(Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n > 0`); the modulo bias is far below what sampling can show.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_everything_below_capacity() {
        let mut r = Reservoir::new(Some(10));
        for s in 0..10 {
            r.offer(s, s);
        }
        let steps: Vec<i64> = r.points().iter().map(|p| p.0).collect();
        assert_eq!(steps, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn bounded_sorted_and_keeps_the_latest() {
        let mut r = Reservoir::new(Some(100));
        for s in 0..100_000 {
            r.offer(s, ());
        }
        let steps: Vec<i64> = r.points().iter().map(|p| p.0).collect();
        assert_eq!(steps.len(), 100);
        assert_eq!(steps.last(), Some(&99_999));
        assert!(steps.windows(2).all(|w| w[0] < w[1]));
        // A uniform sample: some points from each half.
        assert!(steps.iter().any(|&s| s < 50_000));
        assert!(steps.iter().any(|&s| (50_000..99_999).contains(&s)));
    }

    #[test]
    fn unbounded_and_zero() {
        let mut all = Reservoir::new(None);
        let mut none = Reservoir::new(Some(0));
        for s in 0..5000 {
            all.offer(s, ());
            none.offer(s, ());
        }
        assert_eq!(all.points().len(), 5000);
        assert!(none.points().is_empty());
    }

    #[test]
    fn a_step_going_back_drops_the_later_points() {
        let mut r = Reservoir::new(None);
        for s in [1, 2, 3, 4, 2, 3] {
            r.offer(s, s * 10);
        }
        assert_eq!(r.points(), &[(1, 10), (2, 20), (3, 30)]);
    }
}
