//! gymnasium's `MountainCar-v0` in Rust: dynamics, the 600x400 RGB frame, and the seed's
//! preprocessing (grey, scaled to `[0, 1]`, 84x84, stacks of 4 frames).
//!
//! The dynamics use the same float64 operations in the same order as gymnasium 1.x
//! (`velocity += (action - 1) * force + cos(3 * position) * (-gravity)`, clip the speed,
//! `position += velocity`, clip the position, stop at the left wall), so a trajectory replayed
//! from the same start state and actions is identical to the last bit. Only the start state
//! differs in how it is drawn: gymnasium uses numpy's PCG64, this uses any [`rand::Rng`]; use
//! [`MountainCar::reset_to`] to start from a recorded state.

use std::collections::VecDeque;

use candle_core::{Device, Tensor};
use rand::Rng;

use candle_tensorboard::{Error, Result};

/// Leftmost position (the wall).
pub const MIN_POSITION: f64 = -1.2;
/// Rightmost position.
pub const MAX_POSITION: f64 = 0.6;
/// Largest absolute velocity.
pub const MAX_SPEED: f64 = 0.07;
/// Position of the flag; reaching it with `velocity >= GOAL_VELOCITY` ends the episode.
pub const GOAL_POSITION: f64 = 0.5;
/// Smallest velocity that counts at the goal.
pub const GOAL_VELOCITY: f64 = 0.0;
/// Acceleration of a push (actions 0 and 2).
pub const FORCE: f64 = 0.001;
/// Gravity factor of the `cos(3 x)` slope term.
pub const GRAVITY: f64 = 0.0025;
/// Width of a rendered frame in pixels.
pub const SCREEN_WIDTH: usize = 600;
/// Height of a rendered frame in pixels.
pub const SCREEN_HEIGHT: usize = 400;
/// Side of a preprocessed frame.
pub const FRAME_SIZE: usize = 84;
/// Frames in a [`FrameStack`].
pub const STACK_SIZE: usize = 4;
/// Number of discrete actions: 0 push left, 1 no push, 2 push right.
pub const N_ACTIONS: usize = 3;
/// gymnasium's `max_episode_steps` for `MountainCar-v0`.
pub const DEFAULT_MAX_STEPS: usize = 200;

/// What one [`MountainCar::step`] returns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    /// Position after the step.
    pub position: f64,
    /// Velocity after the step.
    pub velocity: f64,
    /// Always -1.
    pub reward: f64,
    /// The car reached the flag.
    pub terminated: bool,
    /// The step limit was reached (gymnasium's `TimeLimit`; may be set together with
    /// `terminated`).
    pub truncated: bool,
}

impl Step {
    /// `terminated || truncated`: the episode is over.
    pub fn done(&self) -> bool {
        self.terminated || self.truncated
    }
}

/// The MountainCar environment with a step limit.
#[derive(Debug, Clone)]
pub struct MountainCar {
    position: f64,
    velocity: f64,
    elapsed: usize,
    max_steps: usize,
}

impl Default for MountainCar {
    fn default() -> Self {
        Self::new()
    }
}

impl MountainCar {
    /// A car at -0.5 at rest, with gymnasium's step limit of 200. Call [`MountainCar::reset`]
    /// to start an episode at a random position.
    pub fn new() -> Self {
        Self {
            position: -0.5,
            velocity: 0.0,
            elapsed: 0,
            max_steps: DEFAULT_MAX_STEPS,
        }
    }

    /// Sets the step limit after which `truncated` is reported. The seed raises it (to
    /// 100000) because 200 random steps rarely reach the flag.
    pub fn with_max_steps(mut self, max_steps: usize) -> Result<Self> {
        if max_steps == 0 {
            return Err(Error::invalid(
                "max_steps",
                "must be at least 1 (gymnasium's default is 200)",
            ));
        }
        self.max_steps = max_steps;
        Ok(self)
    }

    /// The step limit.
    pub fn max_steps(&self) -> usize {
        self.max_steps
    }

    /// Steps taken since the last reset.
    pub fn elapsed_steps(&self) -> usize {
        self.elapsed
    }

    /// Current position.
    pub fn position(&self) -> f64 {
        self.position
    }

    /// Current velocity.
    pub fn velocity(&self) -> f64 {
        self.velocity
    }

    /// Starts an episode at a position drawn uniformly from `[-0.6, -0.4)`, at rest, as
    /// gymnasium does. Returns `(position, velocity)`.
    pub fn reset<R: Rng + ?Sized>(&mut self, rng: &mut R) -> (f64, f64) {
        let position = rng.random_range(-0.6..-0.4);
        self.position = position;
        self.velocity = 0.0;
        self.elapsed = 0;
        (self.position, self.velocity)
    }

    /// Starts an episode from a given state (for example one recorded from gymnasium).
    pub fn reset_to(&mut self, position: f64, velocity: f64) -> Result<()> {
        if !(MIN_POSITION..=MAX_POSITION).contains(&position) {
            return Err(Error::invalid(
                "position",
                format!("{position} is outside [{MIN_POSITION}, {MAX_POSITION}]"),
            ));
        }
        if !(-MAX_SPEED..=MAX_SPEED).contains(&velocity) {
            return Err(Error::invalid(
                "velocity",
                format!("{velocity} is outside [-{MAX_SPEED}, {MAX_SPEED}]"),
            ));
        }
        self.position = position;
        self.velocity = velocity;
        self.elapsed = 0;
        Ok(())
    }

    /// Applies `action` (0 push left, 1 no push, 2 push right) for one time step.
    pub fn step(&mut self, action: usize) -> Result<Step> {
        if action >= N_ACTIONS {
            return Err(Error::invalid(
                "action",
                format!("{action} is not one of 0 (left), 1 (none), 2 (right)"),
            ));
        }
        // The grouping matters for bit equality: numpy evaluates the whole right-hand side
        // of `velocity += ...` before adding it.
        let push = (action as f64 - 1.0) * FORCE;
        let mut velocity = self.velocity + (push + (3.0 * self.position).cos() * (-GRAVITY));
        velocity = velocity.clamp(-MAX_SPEED, MAX_SPEED);
        let mut position = self.position + velocity;
        position = position.clamp(MIN_POSITION, MAX_POSITION);
        if position == MIN_POSITION && velocity < 0.0 {
            velocity = 0.0;
        }
        self.position = position;
        self.velocity = velocity;
        self.elapsed += 1;
        Ok(Step {
            position,
            velocity,
            reward: -1.0,
            terminated: position >= GOAL_POSITION && velocity >= GOAL_VELOCITY,
            truncated: self.elapsed >= self.max_steps,
        })
    }

    /// Renders the current state as gymnasium's `rgb_array`: `SCREEN_HEIGHT x SCREEN_WIDTH x 3`
    /// bytes, row-major, top row first. White background, the hill as a black polyline of 100
    /// points, the car as a black rectangle tilted by `cos(3 x)` radians with two grey wheels,
    /// and the flag pole with a yellow flag at the goal. Shapes are rasterized without
    /// anti-aliasing, so pixels differ slightly from pygame's; positions and sizes match.
    pub fn render(&self) -> Vec<u8> {
        let mut canvas = Canvas::new(SCREEN_WIDTH, SCREEN_HEIGHT);
        let scale = SCREEN_WIDTH as f64 / (MAX_POSITION - MIN_POSITION);
        let height = |x: f64| (3.0 * x).sin() * 0.45 + 0.55;

        let hill: Vec<(f64, f64)> = (0..100)
            .map(|i| {
                let x = MIN_POSITION + (MAX_POSITION - MIN_POSITION) * i as f64 / 99.0;
                ((x - MIN_POSITION) * scale, height(x) * scale)
            })
            .collect();
        for pair in hill.windows(2) {
            canvas.line(pair[0], pair[1], BLACK);
        }

        let (car_w, car_h, clearance) = (40.0, 20.0, 10.0);
        let angle = (3.0 * self.position).cos();
        let (sin, cos) = angle.sin_cos();
        let origin_x = (self.position - MIN_POSITION) * scale;
        let origin_y = clearance + height(self.position) * scale;
        let place =
            |(x, y): (f64, f64)| (x * cos - y * sin + origin_x, x * sin + y * cos + origin_y);
        let (l, r, t, b) = (-car_w / 2.0, car_w / 2.0, car_h, 0.0);
        let body: Vec<(f64, f64)> = [(l, b), (l, t), (r, t), (r, b)]
            .into_iter()
            .map(place)
            .collect();
        canvas.polygon(&body, BLACK);

        let wheel_radius = (car_h / 2.5).trunc();
        for offset in [car_w / 4.0, -car_w / 4.0] {
            let (x, y) = place((offset, 0.0));
            canvas.disc(x.trunc(), y.trunc(), wheel_radius, GREY);
        }

        let flag_x = ((GOAL_POSITION - MIN_POSITION) * scale).trunc();
        let flag_y1 = (height(GOAL_POSITION) * scale).trunc();
        let flag_y2 = flag_y1 + 50.0;
        canvas.line((flag_x, flag_y1), (flag_x, flag_y2), BLACK);
        canvas.polygon(
            &[
                (flag_x, flag_y2),
                (flag_x, flag_y2 - 10.0),
                (flag_x + 25.0, flag_y2 - 5.0),
            ],
            YELLOW,
        );
        canvas.into_rgb()
    }

    /// The current frame preprocessed as the seed does: see [`preprocess_frame`].
    pub fn observe(&self) -> Vec<f32> {
        preprocess_frame(&self.render())
    }
}

const BLACK: [u8; 3] = [0, 0, 0];
const GREY: [u8; 3] = [128, 128, 128];
const YELLOW: [u8; 3] = [204, 204, 0];

/// An RGB surface with pygame's coordinates: `y` grows upwards (gymnasium flips the surface
/// before returning it).
struct Canvas {
    width: usize,
    height: usize,
    data: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Self {
        Self {
            width,
            height,
            data: vec![255; width * height * 3],
        }
    }

    fn put(&mut self, x: i64, y: i64, color: [u8; 3]) {
        if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
            return;
        }
        let row = self.height - 1 - y as usize;
        let at = (row * self.width + x as usize) * 3;
        if let Some(px) = self.data.get_mut(at..at + 3) {
            px.copy_from_slice(&color);
        }
    }

    /// A one-pixel line through the pixels nearest to the segment (DDA).
    fn line(&mut self, a: (f64, f64), b: (f64, f64), color: [u8; 3]) {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let n = dx.abs().max(dy.abs()).ceil().max(1.0) as usize;
        for i in 0..=n {
            let t = i as f64 / n as f64;
            let x = (a.0 + dx * t).round() as i64;
            let y = (a.1 + dy * t).round() as i64;
            self.put(x, y, color);
        }
    }

    /// Fills the pixels whose centres lie inside the polygon (even-odd rule), then draws
    /// its outline so thin shapes stay visible.
    fn polygon(&mut self, points: &[(f64, f64)], color: [u8; 3]) {
        if points.len() < 3 {
            return;
        }
        let lo = points.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let hi = points.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
        let (y0, y1) = (
            lo.floor().max(0.0) as i64,
            hi.ceil().min(self.height as f64) as i64,
        );
        let mut xs = Vec::with_capacity(points.len());
        for y in y0..y1 {
            let cy = y as f64 + 0.5;
            xs.clear();
            for i in 0..points.len() {
                let p = points[i];
                let q = points[(i + 1) % points.len()];
                if (p.1 <= cy) != (q.1 <= cy) {
                    xs.push(p.0 + (cy - p.1) / (q.1 - p.1) * (q.0 - p.0));
                }
            }
            xs.sort_by(f64::total_cmp);
            for span in xs.chunks_exact(2) {
                let start = (span[0] - 0.5).ceil() as i64;
                let end = (span[1] - 0.5).floor() as i64;
                for x in start..=end {
                    self.put(x, y, color);
                }
            }
        }
        for i in 0..points.len() {
            self.line(points[i], points[(i + 1) % points.len()], color);
        }
    }

    fn disc(&mut self, cx: f64, cy: f64, radius: f64, color: [u8; 3]) {
        let r = radius as i64;
        let (cx, cy) = (cx as i64, cy as i64);
        for dy in -r..=r {
            for dx in -r..=r {
                if dx * dx + dy * dy <= r * r {
                    self.put(cx + dx, cy + dy, color);
                }
            }
        }
    }

    fn into_rgb(self) -> Vec<u8> {
        self.data
    }
}

/// Turns a `SCREEN_HEIGHT x SCREEN_WIDTH x 3` RGB frame into the seed's network input: grey
/// with skimage's `rgb2gray` weights (0.2125 R + 0.7154 G + 0.0721 B), scaled to `[0, 1]`,
/// and resized to 84x84 by area averaging (each output pixel is the mean of the source area it
/// covers, with fractional weights at the edges; like OpenCV's `INTER_AREA`). The seed's
/// `rgb2gray(frame) / 255` divides by 255 twice (skimage already returns `[0, 1]`); this scales
/// once. The result is row-major, 84 * 84 values.
pub fn preprocess_frame(rgb: &[u8]) -> Vec<f32> {
    let grey: Vec<f32> = rgb
        .chunks_exact(3)
        .map(|p| (0.2125 * p[0] as f32 + 0.7154 * p[1] as f32 + 0.0721 * p[2] as f32) / 255.0)
        .collect();
    resize_area(&grey, SCREEN_HEIGHT, SCREEN_WIDTH, FRAME_SIZE, FRAME_SIZE)
}

/// For each output index, the source indices it covers with their weights (summing to 1).
fn area_weights(src: usize, dst: usize) -> Vec<Vec<(usize, f32)>> {
    let scale = src as f64 / dst as f64;
    (0..dst)
        .map(|i| {
            let (a, b) = (i as f64 * scale, (i + 1) as f64 * scale);
            let mut w = Vec::new();
            let mut j = a.floor() as usize;
            while (j as f64) < b && j < src {
                let overlap = (b.min(j as f64 + 1.0) - a.max(j as f64)) / scale;
                if overlap > 0.0 {
                    w.push((j, overlap as f32));
                }
                j += 1;
            }
            w
        })
        .collect()
}

/// Separable area-averaging resize of a single-channel `h x w` image.
fn resize_area(src: &[f32], h: usize, w: usize, out_h: usize, out_w: usize) -> Vec<f32> {
    let wx = area_weights(w, out_w);
    let wy = area_weights(h, out_h);
    let mut rows = vec![0f32; h * out_w];
    for y in 0..h {
        let line = src.get(y * w..(y + 1) * w).unwrap_or(&[]);
        for (ox, weights) in wx.iter().enumerate() {
            rows[y * out_w + ox] = weights
                .iter()
                .map(|&(j, c)| line.get(j).copied().unwrap_or(0.0) * c)
                .sum();
        }
    }
    let mut out = vec![0f32; out_h * out_w];
    for (oy, weights) in wy.iter().enumerate() {
        for ox in 0..out_w {
            out[oy * out_w + ox] = weights.iter().map(|&(j, c)| rows[j * out_w + ox] * c).sum();
        }
    }
    out
}

/// The last [`STACK_SIZE`] preprocessed frames, oldest first, as in the seed's
/// `stack_frames`: a new episode fills the stack with its first frame.
#[derive(Debug, Clone, Default)]
pub struct FrameStack {
    frames: VecDeque<Vec<f32>>,
}

impl FrameStack {
    /// An empty stack; call [`FrameStack::reset`] with the first frame of an episode.
    pub fn new() -> Self {
        Self::default()
    }

    fn check(frame: &[f32]) -> Result<()> {
        if frame.len() != FRAME_SIZE * FRAME_SIZE {
            return Err(Error::invalid(
                "frame",
                format!(
                    "has {} values; expected {FRAME_SIZE}x{FRAME_SIZE} = {} (use preprocess_frame)",
                    frame.len(),
                    FRAME_SIZE * FRAME_SIZE
                ),
            ));
        }
        Ok(())
    }

    /// Starts a new episode: the stack holds `frame` four times.
    pub fn reset(&mut self, frame: Vec<f32>) -> Result<()> {
        Self::check(&frame)?;
        self.frames.clear();
        for _ in 1..STACK_SIZE {
            self.frames.push_back(frame.clone());
        }
        self.frames.push_back(frame);
        Ok(())
    }

    /// Appends `frame`, dropping the oldest.
    pub fn push(&mut self, frame: Vec<f32>) -> Result<()> {
        Self::check(&frame)?;
        if self.frames.len() != STACK_SIZE {
            return Err(Error::invalid(
                "FrameStack",
                "push before reset: call reset with the episode's first frame",
            ));
        }
        self.frames.pop_front();
        self.frames.push_back(frame);
        Ok(())
    }

    /// The stack as `4 * 84 * 84` values, oldest frame first (channel-first layout).
    pub fn to_vec(&self) -> Vec<f32> {
        self.frames.iter().flatten().copied().collect()
    }

    /// The stack as a `(4, 84, 84)` f32 tensor.
    pub fn to_tensor(&self, device: &Device) -> Result<Tensor> {
        if self.frames.len() != STACK_SIZE {
            return Err(Error::invalid(
                "FrameStack",
                "empty: call reset with the episode's first frame",
            ));
        }
        Ok(Tensor::from_vec(
            self.to_vec(),
            (STACK_SIZE, FRAME_SIZE, FRAME_SIZE),
            device,
        )?)
    }
}
