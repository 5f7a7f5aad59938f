//! Small reinforcement-learning environments for the examples, written without Python.
//!
//! [`mountain_car`] follows gymnasium's `MountainCar-v0` step for step (same float64
//! arithmetic, so trajectories match bit for bit) and renders its 600x400 frame without pygame.

pub mod mountain_car;

pub use mountain_car::{FrameStack, MountainCar};
