//! n-step returns: turns the stream of (state, action, reward, frame) into replay transitions
//! whose reward is the discounted sum of the next `n` rewards and whose bootstrap state is the
//! one `n` actions later.
//!
//! Why: MountainCar pays -1 per action until the flag, and a 1-step TD target moves the news
//! of the flag back one action per update; the car needs about a hundred actions to climb, so
//! with 3-step targets the value of reaching the flag reaches the start three times as fast.
//! The targets are slightly off-policy (the n actions were chosen with exploration), which at
//! small n and small epsilon is the usual, accepted bias (Rainbow uses n = 3).

use std::collections::VecDeque;

/// A finished transition, ready for the replay buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    /// The stacked frames the action was chosen from.
    pub state: Vec<f32>,
    /// The action.
    pub action: usize,
    /// `sum_{j<k} gamma^j r_j` over the `k` actions it spans.
    pub reward: f32,
    /// The `k` frames seen after each of those actions, concatenated, oldest first.
    pub next_frames: Vec<f32>,
    /// `gamma^k`, or 0 when the episode terminated (the flag: nothing to bootstrap).
    pub discount: f32,
}

/// The last `n` actions of the current episode, waiting for their n-step return.
pub struct NStep {
    n: usize,
    gamma: f64,
    pending: VecDeque<(Vec<f32>, usize, f32)>,
    frames: VecDeque<Vec<f32>>,
}

impl NStep {
    /// Accumulates `n`-step returns with discount `gamma` (`n` at least 1).
    pub fn new(n: usize, gamma: f64) -> Self {
        NStep {
            n: n.max(1),
            gamma,
            pending: VecDeque::new(),
            frames: VecDeque::new(),
        }
    }

    /// The transition of the oldest pending action, spanning all `k` pending ones.
    fn pop(&mut self, terminated: bool) -> Option<Ready> {
        let k = self.pending.len();
        let (state, action, _) = self.pending.front()?.clone();
        let mut reward = 0f64;
        for (j, (_, _, r)) in self.pending.iter().enumerate() {
            reward += self.gamma.powi(j as i32) * f64::from(*r);
        }
        let next_frames: Vec<f32> = self
            .frames
            .iter()
            .skip(self.frames.len().saturating_sub(k))
            .flatten()
            .copied()
            .collect();
        self.pending.pop_front();
        Some(Ready {
            state,
            action,
            reward: reward as f32,
            next_frames,
            discount: if terminated {
                0.0
            } else {
                self.gamma.powi(k as i32) as f32
            },
        })
    }

    /// Records one action: the state it was chosen from, the action, its (clipped) reward, the
    /// frame seen after it, and whether the episode terminated (the flag) or was cut off.
    /// Returns the transitions this completes: one once `n` actions are pending, all pending
    /// ones when the episode ends.
    pub fn push(
        &mut self,
        state: Vec<f32>,
        action: usize,
        reward: f32,
        frame_after: Vec<f32>,
        terminated: bool,
        truncated: bool,
    ) -> Vec<Ready> {
        self.pending.push_back((state, action, reward));
        self.frames.push_back(frame_after);
        while self.frames.len() > self.n {
            self.frames.pop_front();
        }
        let mut out = Vec::new();
        if terminated || truncated {
            while let Some(t) = self.pop(terminated) {
                out.push(t);
            }
            self.frames.clear();
        } else if self.pending.len() == self.n {
            out.extend(self.pop(false));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(v: f32) -> Vec<f32> {
        vec![v; 2]
    }

    #[test]
    fn three_step_returns_and_their_next_frames() {
        let mut acc = NStep::new(3, 0.5);
        assert!(acc
            .push(frame(0.0), 0, -1.0, frame(1.0), false, false)
            .is_empty());
        assert!(acc
            .push(frame(1.0), 1, -1.0, frame(2.0), false, false)
            .is_empty());
        let r = acc.push(frame(2.0), 2, -1.0, frame(3.0), false, false);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].state, frame(0.0));
        assert_eq!(r[0].action, 0);
        assert_eq!(r[0].reward, -1.75); // -1 - 0.5 - 0.25
        assert_eq!(
            r[0].next_frames,
            [frame(1.0), frame(2.0), frame(3.0)].concat()
        );
        assert_eq!(r[0].discount, 0.125);
        // The flag: the three pending actions flush, none bootstraps.
        let r = acc.push(frame(3.0), 0, 1.0, frame(4.0), true, false);
        let got: Vec<(usize, f32, usize, f32)> = r
            .iter()
            .map(|t| (t.action, t.reward, t.next_frames.len() / 2, t.discount))
            .collect();
        assert_eq!(
            got,
            vec![
                (1, -1.0 - 0.5 + 0.25, 3, 0.0),
                (2, -1.0 + 0.5, 2, 0.0),
                (0, 1.0, 1, 0.0)
            ]
        );
        assert_eq!(r[2].next_frames, frame(4.0));
    }

    #[test]
    fn a_cut_off_episode_still_bootstraps_from_fewer_steps() {
        let mut acc = NStep::new(3, 0.5);
        assert!(acc
            .push(frame(0.0), 0, -1.0, frame(1.0), false, false)
            .is_empty());
        let r = acc.push(frame(1.0), 1, -1.0, frame(2.0), false, true);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].reward, r[0].discount), (-1.5, 0.25));
        assert_eq!(r[0].next_frames, [frame(1.0), frame(2.0)].concat());
        assert_eq!((r[1].reward, r[1].discount), (-1.0, 0.5));
        // A new episode starts clean.
        assert!(acc
            .push(frame(9.0), 2, -1.0, frame(8.0), false, false)
            .is_empty());
    }

    #[test]
    fn one_step_is_the_plain_td_transition() {
        let mut acc = NStep::new(1, 0.99);
        let r = acc.push(frame(0.0), 2, -1.0, frame(1.0), false, false);
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].reward, r[0].discount), (-1.0, 0.99));
        assert_eq!(r[0].next_frames, frame(1.0));
    }
}
