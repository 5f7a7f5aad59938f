//! Uniform experience replay. A transition keeps its 4-frame state and only the newest
//! frame of the next state (the next state is the last three frames plus that one), all as
//! bytes: 35 KB per transition instead of 226 KB as f32.

use crate::mountain_car::{FRAME_SIZE, STACK_SIZE};
use candle_core::{Device, Tensor};
use rand::Rng;

const FRAME: usize = FRAME_SIZE * FRAME_SIZE;

struct Transition {
    state: Vec<u8>,
    next_frame: Vec<u8>,
    action: u32,
    reward: f32,
    terminated: bool,
}

/// A ring buffer of transitions, sampled uniformly.
pub struct Replay {
    items: Vec<Transition>,
    capacity: usize,
    next: usize,
}

/// A minibatch as tensors: states and next states `(B, 4, 84, 84)` in `[0, 1]`, actions
/// `(B, 1)` u32, rewards `(B,)`, and `not_done` `(B,)` (0 where the episode terminated).
pub struct Batch {
    pub states: Tensor,
    pub next_states: Tensor,
    pub actions: Tensor,
    pub rewards: Tensor,
    pub not_done: Tensor,
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

    /// Stores `(state, action, reward, next state's newest frame, terminated)`.
    pub fn push(
        &mut self,
        state: &[f32],
        action: usize,
        reward: f32,
        next_frame: &[f32],
        terminated: bool,
    ) {
        let t = Transition {
            state: to_bytes(state),
            next_frame: to_bytes(next_frame),
            action: action as u32,
            reward,
            terminated,
        };
        if self.items.len() < self.capacity {
            self.items.push(t);
        } else {
            self.items[self.next] = t;
        }
        self.next = (self.next + 1) % self.capacity;
    }

    /// `n` transitions drawn uniformly with replacement.
    pub fn sample<R: Rng>(
        &self,
        n: usize,
        rng: &mut R,
        dev: &Device,
    ) -> candle_core::Result<Batch> {
        let mut s = Vec::with_capacity(n * STACK_SIZE * FRAME);
        let mut s2 = Vec::with_capacity(n * STACK_SIZE * FRAME);
        let (mut a, mut r, mut nd) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..n {
            let t = &self.items[rng.random_range(0..self.items.len())];
            s.extend(t.state.iter().map(|&b| b as f32 / 255.0));
            s2.extend(t.state[FRAME..].iter().map(|&b| b as f32 / 255.0));
            s2.extend(t.next_frame.iter().map(|&b| b as f32 / 255.0));
            a.push(t.action);
            r.push(t.reward);
            nd.push(if t.terminated { 0f32 } else { 1.0 });
        }
        let shape = (n, STACK_SIZE, FRAME_SIZE, FRAME_SIZE);
        Ok(Batch {
            states: Tensor::from_vec(s, shape, dev)?,
            next_states: Tensor::from_vec(s2, shape, dev)?,
            actions: Tensor::from_vec(a, (n, 1), dev)?,
            rewards: Tensor::from_vec(r, n, dev)?,
            not_done: Tensor::from_vec(nd, n, dev)?,
        })
    }
}
