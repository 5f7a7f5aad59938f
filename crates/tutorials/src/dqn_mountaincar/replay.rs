//! Uniform experience replay of n-step transitions. A transition keeps its 4-frame state and
//! only the `k` frames the next state does not share with it (the state `k` actions later is
//! the state's last `4 - k` frames plus those; `k` is the n of n-step returns, or fewer at an
//! episode's end), all as bytes: 49 KB per 3-step transition instead of 226 KB as f32.

use crate::mountain_car::{FRAME_SIZE, STACK_SIZE};
use candle_core::{Device, Tensor};
use rand::Rng;

const FRAME: usize = FRAME_SIZE * FRAME_SIZE;

struct Transition {
    state: Vec<u8>,
    /// The `k` newest frames of the state `k` actions later, oldest first.
    next_frames: Vec<u8>,
    action: u32,
    /// The discounted sum of the `k` rewards.
    reward: f32,
    /// `gamma^k`, or 0 when the episode terminated within the `k` actions (no bootstrap).
    discount: f32,
}

/// A ring buffer of transitions, sampled uniformly.
pub struct Replay {
    items: Vec<Transition>,
    capacity: usize,
    next: usize,
}

/// A minibatch as tensors: states and next states `(B, 4, 84, 84)` in `[0, 1]`, actions
/// `(B, 1)` u32, n-step rewards `(B,)`, and the discounts `(B,)` of the next states' values
/// (`gamma^k`, 0 where the episode terminated).
pub struct Batch {
    pub states: Tensor,
    pub next_states: Tensor,
    pub actions: Tensor,
    pub rewards: Tensor,
    pub discounts: Tensor,
}

fn to_bytes(v: &[f32]) -> Vec<u8> {
    v.iter()
        .map(|x| (x.clamp(0.0, 1.0) * 255.0).round() as u8)
        .collect()
}

impl Replay {
    pub fn new(capacity: usize) -> Self {
        Self {
            items: Vec::with_capacity(capacity.min(4096)),
            capacity: capacity.max(1),
            next: 0,
        }
    }

    /// Stores `(state, action, n-step reward, the next state's new frames, discount)`:
    /// `next_frames` holds `k` frames (1 to 4, concatenated, oldest first), the ones seen after
    /// each of the `k` actions.
    pub fn push(
        &mut self,
        state: &[f32],
        action: usize,
        reward: f32,
        next_frames: &[f32],
        discount: f32,
    ) -> Result<(), String> {
        let k = next_frames.len() / FRAME;
        if state.len() != STACK_SIZE * FRAME
            || k == 0
            || k > STACK_SIZE
            || next_frames.len() != k * FRAME
        {
            return Err(format!(
                "replay: a state of {} values and {} next-frame values; expected {} and 1 to {STACK_SIZE} frames of {FRAME}",
                state.len(),
                next_frames.len(),
                STACK_SIZE * FRAME
            ));
        }
        let t = Transition {
            state: to_bytes(state),
            next_frames: to_bytes(next_frames),
            action: action as u32,
            reward,
            discount,
        };
        if self.items.len() < self.capacity {
            self.items.push(t);
        } else {
            self.items[self.next] = t;
        }
        self.next = (self.next + 1) % self.capacity;
        Ok(())
    }

    /// `true` while no transition is stored (n-step transitions arrive `n - 1` actions late).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// `n` transitions drawn uniformly with replacement (an error when none are held).
    pub fn sample<R: Rng>(
        &self,
        n: usize,
        rng: &mut R,
        dev: &Device,
    ) -> candle_core::Result<Batch> {
        if self.items.is_empty() {
            return Err(candle_core::Error::Msg(
                "replay: sampled before any transition was stored".into(),
            ));
        }
        let mut s = Vec::with_capacity(n * STACK_SIZE * FRAME);
        let mut s2 = Vec::with_capacity(n * STACK_SIZE * FRAME);
        let (mut a, mut r, mut disc) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let t = &self.items[rng.random_range(0..self.items.len())];
            s.extend(t.state.iter().map(|&b| b as f32 / 255.0));
            s2.extend(
                t.state[t.next_frames.len()..]
                    .iter()
                    .map(|&b| b as f32 / 255.0),
            );
            s2.extend(t.next_frames.iter().map(|&b| b as f32 / 255.0));
            a.push(t.action);
            r.push(t.reward);
            disc.push(t.discount);
        }
        let shape = (n, STACK_SIZE, FRAME_SIZE, FRAME_SIZE);
        Ok(Batch {
            states: Tensor::from_vec(s, shape, dev)?,
            next_states: Tensor::from_vec(s2, shape, dev)?,
            actions: Tensor::from_vec(a, (n, 1), dev)?,
            rewards: Tensor::from_vec(r, n, dev)?,
            discounts: Tensor::from_vec(disc, n, dev)?,
        })
    }
}
