//! The seed's DQN on MountainCar from pixels (000), fixed and logged to TensorBoard.
//!
//! The Atari Q-network (`models::dqn`) reads a stack of the last 4 preprocessed frames
//! (grey, 84x84, area-averaged). Fixes over the seed: a replay buffer sampled uniformly in
//! minibatches (the seed trained on one sample), the TD target `r + gamma * max Q_target(s')`
//! with the environment's reward (the seed used an undefined one) and no bootstrap past the
//! flag, and a target network copied every `--target-every` train steps.
//!
//! Units: everything counts **actions** (agent steps). One action is repeated for
//! `--frame-skip 4` frames of the simulation; `--steps`, `--max-episode-steps`,
//! `--eps-decay`, episode lengths and returns are all in actions. The return is what the agent
//! learns from: -1 per action until the flag (each action's frame rewards summed, then clipped
//! to [-1, 1] as in the Atari DQN), so "return -150" is "150 actions"; gymnasium's own
//! per-frame return is `--frame-skip` times that.
//!
//! Defaults: episodes end at the flag or after `--max-episode-steps 1000` actions (the seed
//! lifts gymnasium's 200-frame limit for the same reason: random play rarely reaches the flag
//! in 200 frames), epsilon decays linearly from 1 to 0.01 over `--eps-decay 20000` actions, one
//! train step every `--train-every 4` actions (DQN's update frequency), Adam lr 1e-4, batch 32,
//! gamma 0.99, replay of 20000 transitions, training from 1000 transitions on, 50,000 actions
//! in all.
//!
//! Three standard improvements over the Nature DQN, for the greedy policy's sake (the seed's
//! shape is kept: pixels, 84x84x4 stacks, the Atari net, replay, a target network):
//! - **Double DQN** (`--double true`): the online net picks the next action, the target net
//!   values it. Plain DQN's `max` over noisy estimates overrates whichever action happens to
//!   look best; on MountainCar, where the three actions' values differ by little, that bias
//!   decides the greedy action and is what lets a greedy policy settle into rocking.
//! - **3-step returns** (`--n-step 3`, see `nstep.rs`): the flag's reward travels back three
//!   actions per update instead of one.
//! - **epsilon ends at 0.01**, not 0.05: MountainCar is deterministic, so a greedy policy that
//!   falls into a cycle repeats it until the time limit; at 5 % random actions the cycles
//!   break in training, the net never pays for them and never learns to avoid them. At 1 %
//!   training sees (nearly) the greedy policy's own trajectories.
//!
//! Every `--eval-every 10` episodes `--eval-episodes 5` evaluation episodes are played with
//! epsilon `--eval-epsilon 0` (fully greedy) from random starts and logged as
//! `eval/reached_flag` (the share that reached it), `eval/length`, `eval/return` and
//! `eval/max_position` (means). DQN's greedy policy is not stable from one evaluation to the
//! next (one run reached the flag in 3 of 3 at episodes 100 and 110 and in 0 of 3 at 120), so
//! the run keeps the snapshot of its best greedy evaluation (`--keep best`, the default; the
//! DQN papers likewise evaluate their best snapshot) in `q.safetensors`, and the last weights
//! in `q_last.safetensors`. After training both are played for 10 greedy episodes from random
//! starts of their own seed (not the ones that chose the snapshot) and the counts that
//! reached the flag are printed.
//!
//! Run: `cargo run --release --example dqn_mountaincar`. Measured on the project's 2-core
//! machine (seed 0, 50,000 actions, 518 episodes): 34 minutes, and fully greedy the flag in 10
//! of 10 final episodes with the last weights (mean 27 actions) and with the kept snapshot.
//! The run before these changes (plain DQN, 1-step targets, epsilon to 0.05 drawn twice per
//! action; seed 0, 50,000 actions, 212 episodes) reached the flag in every training episode
//! but one after the first 25, and in 4 of 5 evaluation episodes at epsilon 0.05, but fully
//! greedy in 4 of 21 during training and 0 of 5 at the end: the car rocked near its start.
//! Evaluation of saved weights: `... -- --eval runs/dqn_mountaincar/q.safetensors`
//! (`--eval-epsilon 0.05` to add random actions).
//!
//! Tags (run `<logdir>/dqn_mountaincar`): per episode `episode/return`, `episode/length` (both
//! in actions),
//! `episode/max_position`, `episode/epsilon`, `episode/reached_flag`; every `--log-every`
//! train steps `train/loss`, `train/mean_max_q`, histograms `q_values`, `weights/<param>`,
//! `grads/<param>`; every `--image-every` episodes, 8 actions in, images `state_stack` (the 4 frames) and
//! `conv1_feature_maps` (the 32 maps of layer `q.0`, captured by a forward hook).

mod nstep;
mod replay;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use crate::common::Keep;
use crate::mountain_car::{FrameStack, MountainCar, N_ACTIONS};
use candle_core::{DType, Device, Tensor, D};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use candle_tensorboard::grid::{make_grid, GridOptions};
use candle_tensorboard::models::dqn::dqn;
use candle_tensorboard::nn::{Module, Sequential};
use candle_tensorboard::SummaryWriter;
use clap::Parser;
use nstep::NStep;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use replay::Replay;

type BoxResult<T> = Result<T, Box<dyn std::error::Error>>;

#[derive(Parser, Debug)]
#[command(about = "DQN on MountainCar from pixels")]
pub struct Args {
    /// Total actions (agent steps) to take.
    #[arg(long, default_value_t = 50_000)]
    steps: usize,
    /// Root log directory; the run goes to `<logdir>/dqn_mountaincar`.
    #[arg(long, default_value = "runs")]
    logdir: PathBuf,
    /// Frames of the simulation each action is repeated for.
    #[arg(long, default_value_t = 4)]
    frame_skip: usize,
    /// Actions per episode before it is cut off.
    #[arg(long, default_value_t = 1000)]
    max_episode_steps: usize,
    /// Replay capacity (transitions).
    #[arg(long, default_value_t = 20_000)]
    replay: usize,
    /// Transitions collected before training starts.
    #[arg(long, default_value_t = 1000)]
    learn_start: usize,
    /// Actions between train steps (DQN's update frequency).
    #[arg(long, default_value_t = 4)]
    train_every: usize,
    /// Minibatch size.
    #[arg(long, default_value_t = 32)]
    batch: usize,
    /// Adam learning rate.
    #[arg(long, default_value_t = 1e-4)]
    lr: f64,
    /// Discount per action.
    #[arg(long, default_value_t = 0.99)]
    gamma: f64,
    /// Actions summed into each TD target before bootstrapping (n-step returns, 1 to 4).
    #[arg(long, default_value_t = 3)]
    n_step: usize,
    /// Double DQN: the online net chooses the next action, the target net values it.
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    double: bool,
    /// Epsilon decays linearly from --eps-start to --eps-end over this many actions.
    #[arg(long, default_value_t = 20_000)]
    eps_decay: usize,
    /// Epsilon at the first action.
    #[arg(long, default_value_t = 1.0)]
    eps_start: f64,
    /// Epsilon after --eps-decay actions.
    #[arg(long, default_value_t = 0.01)]
    eps_end: f64,
    /// Train steps between target-network copies.
    #[arg(long, default_value_t = 50)]
    target_every: usize,
    /// Train-step scalars and histograms every this many train steps.
    #[arg(long, default_value_t = 100)]
    log_every: usize,
    /// Evaluation episodes (logged as `eval/*`) every this many training episodes.
    #[arg(long, default_value_t = 10)]
    eval_every: usize,
    /// Evaluation episodes each time, from random starts.
    #[arg(long, default_value_t = 5)]
    eval_episodes: usize,
    /// Probability of a random action in evaluation episodes (0 = fully greedy).
    #[arg(long, default_value_t = 0.0)]
    eval_epsilon: f64,
    /// State and feature-map images every this many episodes.
    #[arg(long, default_value_t = 10)]
    image_every: usize,
    /// Weights file (default `<logdir>/dqn_mountaincar/q.safetensors`); loaded first if it exists
    /// and --resume is given.
    #[arg(long)]
    save: Option<PathBuf>,
    /// Continue from the weights at --save.
    #[arg(long)]
    resume: bool,
    /// Only play evaluation episodes with these weights and print their returns.
    #[arg(long)]
    eval: Option<PathBuf>,
    /// RNG seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Which weights the run keeps as its agent (saved to --save and evaluated at the end):
    /// `best`, the snapshot with the best greedy evaluation during training, or `last`.
    #[arg(long, value_enum, default_value_t = Keep::Best)]
    keep: Keep,
}

/// The weights of the best evaluation so far, with what made them best.
struct Snapshot {
    episode: usize,
    flags: usize,
    mean_len: f64,
    weights: Vec<(String, Tensor)>,
}

impl Snapshot {
    /// A copy of the online net's weights (the optimiser keeps changing them in place).
    fn take(vm: &VarMap, episode: usize, flags: usize, mean_len: f64) -> BoxResult<Self> {
        let data = vm.data().lock().map_err(|e| e.to_string())?;
        let weights = data
            .iter()
            .map(|(k, v)| Ok((k.clone(), v.as_tensor().copy()?)))
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(Snapshot {
            episode,
            flags,
            mean_len,
            weights,
        })
    }

    /// More flags, or as many in fewer actions.
    fn beats(&self, flags: usize, mean_len: f64) -> bool {
        flags > self.flags || (flags == self.flags && mean_len < self.mean_len)
    }
}

/// Huber loss (smooth L1 with delta 1), mean over the batch.
fn huber(d: &Tensor) -> candle_core::Result<Tensor> {
    let a = d.abs()?;
    let q = a.clamp(0f32, 1f32)?;
    ((q.sqr()? * 0.5)? + (a - q)?)?.mean_all()
}

/// Copies the online weights into the target network.
fn sync(target: &mut VarMap, online: &VarMap) -> BoxResult<()> {
    let data = online.data().lock().map_err(|e| e.to_string())?;
    target.set(data.iter().map(|(k, v)| (k.clone(), v.as_tensor().clone())))?;
    Ok(())
}

/// The action with the highest Q-value for the stacked frames.
fn greedy_action(q: &Sequential, stack: &FrameStack, dev: &Device) -> BoxResult<usize> {
    let qs = q.call(&stack.to_tensor(dev)?.unsqueeze(0)?)?;
    Ok(qs.argmax(D::Minus1)?.squeeze(0)?.to_scalar::<u32>()? as usize)
}

/// One evaluation episode: its return and length (in actions), furthest position and whether
/// it reached the flag.
struct Eval {
    ret: f64,
    len: usize,
    max_x: f64,
    flag: bool,
}

/// Plays one evaluation episode, acting at random with probability `--eval-epsilon` and
/// greedily otherwise.
///
/// The default epsilon is 0: MountainCar is deterministic, so a greedy policy that falls into
/// a cycle of states (the car rocking without gaining height) repeats it until the time
/// limit, and only a fully greedy evaluation shows whether the net learnt to climb (with
/// epsilon 0.05, as the Nature DQN evaluated, random actions break the cycles for it).
fn eval_episode(q: &Sequential, args: &Args, rng: &mut StdRng, dev: &Device) -> BoxResult<Eval> {
    let mut env =
        MountainCar::new().with_max_steps(args.max_episode_steps * args.frame_skip.max(1))?;
    env.reset(rng);
    let mut stack = FrameStack::new();
    stack.reset(env.observe())?;
    let (mut ret, mut len, mut max_x) = (0.0, 0, env.position());
    let mut flag = false;
    loop {
        let a = if rng.random::<f64>() < args.eval_epsilon {
            rng.random_range(0..N_ACTIONS)
        } else {
            greedy_action(q, &stack, dev)?
        };
        let mut done = false;
        let mut reward = 0.0;
        for _ in 0..args.frame_skip.max(1) {
            let s = env.step(a)?;
            reward += s.reward;
            max_x = f64::max(max_x, s.position);
            if s.done() {
                done = true;
                flag = s.terminated;
                break;
            }
        }
        // In actions, like training's return (see the module docs).
        ret += reward.clamp(-1.0, 1.0);
        len += 1;
        if done {
            return Ok(Eval {
                ret,
                len,
                max_x,
                flag,
            });
        }
        stack.push(env.observe())?;
    }
}

/// The example\'s entry point: parses the command line and runs it.
pub fn main() -> BoxResult<()> {
    candle_tensorboard::candle_gaps::keep_freed_buffers();
    run(Args::parse())
}

/// Runs the example with parsed arguments (the demo calls this too).
pub fn run(args: Args) -> BoxResult<()> {
    let dev = Device::Cpu;
    if [
        args.batch,
        args.log_every,
        args.image_every,
        args.target_every,
        args.train_every,
        args.eval_every,
        args.eval_episodes,
    ]
    .contains(&0)
    {
        return Err(
            "--batch, --log-every, --image-every, --target-every, --train-every, --eval-every and --eval-episodes must be at least 1"
                .into(),
        );
    }
    if !(1..=crate::mountain_car::STACK_SIZE).contains(&args.n_step) {
        return Err(format!(
            "--n-step {} must be 1 to {} (the next state is rebuilt from the stacked frames)",
            args.n_step,
            crate::mountain_car::STACK_SIZE
        )
        .into());
    }
    let skip = args.frame_skip.max(1);
    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut online_vm = VarMap::new();
    let q = dqn(
        N_ACTIONS,
        VarBuilder::from_varmap(&online_vm, DType::F32, &dev).pp("q"),
    )?;
    q.assign_names();
    let mut target_vm = VarMap::new();
    let q_target = dqn(
        N_ACTIONS,
        VarBuilder::from_varmap(&target_vm, DType::F32, &dev).pp("q"),
    )?;

    if let Some(file) = &args.eval {
        online_vm
            .load(file)
            .map_err(|e| format!("--eval {}: {e}", file.display()))?;
        final_evaluation(&q, &args, &dev)?;
        return Ok(());
    }

    let run_dir = args.logdir.join("dqn_mountaincar");
    let save_path = args
        .save
        .clone()
        .unwrap_or_else(|| run_dir.join("q.safetensors"));
    if args.resume {
        online_vm
            .load(&save_path)
            .map_err(|e| format!("--resume {}: {e}", save_path.display()))?;
    }
    sync(&mut target_vm, &online_vm)?;
    let writer = SummaryWriter::new(&run_dir)?;
    println!("writing to {}", run_dir.display());
    println!("view with: tensorboard --logdir {}", args.logdir.display());
    let mut opt = AdamW::new(
        online_vm.all_vars(),
        ParamsAdamW {
            lr: args.lr,
            weight_decay: 0.0,
            ..Default::default()
        },
    )?;
    let named_vars: Vec<(String, candle_core::Var)> = {
        let data = online_vm.data().lock().map_err(|e| e.to_string())?;
        let mut v: Vec<_> = data.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };

    // conv1's output, captured by a forward hook when `capture` is set.
    let capture = Arc::new(AtomicBool::new(false));
    let fmap: Arc<Mutex<Option<Tensor>>> = Arc::default();
    let _hook = q
        .get(0)
        .ok_or("dqn has no layer 0")?
        .node()
        .register_forward_hook({
            let (capture, fmap) = (capture.clone(), fmap.clone());
            move |_node, _input, output| {
                if capture.load(Ordering::Relaxed) {
                    if let Ok(mut slot) = fmap.lock() {
                        *slot = Some(output.detach());
                    }
                }
                Ok(None)
            }
        });

    let mut replay = Replay::new(args.replay);
    let mut env = MountainCar::new().with_max_steps(args.max_episode_steps * skip)?;
    let mut stack = FrameStack::new();
    env.reset(&mut rng);
    stack.reset(env.observe())?;
    let (mut episode, mut ep_return, mut ep_len, mut ep_max) =
        (0usize, 0.0f64, 0usize, env.position());
    let mut train_steps = 0usize;
    let mut first_success: Option<(usize, usize)> = None;
    let mut best: Option<Snapshot> = None;
    let bar = crate::common::progress(args.steps as u64);
    let mut nstep = NStep::new(args.n_step, args.gamma);
    let start = Instant::now();

    // Train from action `learn_start` on, every `train_every` actions, once the replay holds a
    // transition (n-step transitions are stored `n - 1` actions late, so a run of fewer than
    // `n` actions that never ends an episode does not train).
    let learn_start = args.learn_start.min(args.steps).max(1);
    for step in 0..args.steps {
        let frac = (step as f64 / args.eps_decay.max(1) as f64).min(1.0);
        let eps = args.eps_start + (args.eps_end - args.eps_start) * frac;
        let state = stack.to_vec();
        // Eight actions in, so that the four stacked frames differ and show the car moving
        // (a new episode's stack repeats its first frame).
        let image_step = episode.is_multiple_of(args.image_every) && ep_len == 8;
        // One draw decides exploring; the net still runs on image steps so that the hook
        // captures conv1's maps.
        let explore = rng.random::<f64>() < eps;
        let greedy = if image_step || !explore {
            capture.store(image_step, Ordering::Relaxed);
            let a = greedy_action(&q, &stack, &dev);
            capture.store(false, Ordering::Relaxed);
            Some(a?)
        } else {
            None
        };
        let action = match greedy {
            Some(a) if !explore => a,
            _ => rng.random_range(0..N_ACTIONS),
        };
        if image_step {
            let frames = stack.to_tensor(&dev)?.unsqueeze(1)?;
            let grid = make_grid(
                &frames,
                &GridOptions {
                    nrow: 4,
                    ..Default::default()
                },
            )?;
            writer.add_image("state_stack", &grid, episode)?;
            if let Some(maps) = fmap.lock().map_err(|e| e.to_string())?.take() {
                let maps = maps.squeeze(0)?.unsqueeze(1)?;
                let opts = GridOptions {
                    nrow: 8,
                    normalize: true,
                    scale_each: true,
                    ..Default::default()
                };
                writer.add_image("conv1_feature_maps", &make_grid(&maps, &opts)?, episode)?;
            }
        }

        let (mut reward, mut terminated, mut truncated) = (0.0, false, false);
        for _ in 0..skip {
            let s = env.step(action)?;
            reward += s.reward;
            ep_max = ep_max.max(s.position);
            terminated = s.terminated;
            truncated = s.truncated;
            if s.done() {
                break;
            }
        }
        let frame = env.observe();
        // Rewards clipped to [-1, 1] as in the Atari DQN: one action over 4 frames earns -4,
        // and clipping keeps the Q-values (about -1 / (1 - gamma)) in a range Adam's step
        // size suits. The return is counted in the same unit (actions).
        let reward = reward.clamp(-1.0, 1.0);
        for t in nstep.push(
            state,
            action,
            reward as f32,
            frame.clone(),
            terminated,
            truncated,
        ) {
            replay.push(&t.state, t.action, t.reward, &t.next_frames, t.discount)?;
        }
        ep_return += reward;
        ep_len += 1;

        if terminated || truncated {
            writer.add_scalar("episode/return", ep_return, episode)?;
            writer.add_scalar("episode/length", ep_len as f64, episode)?;
            writer.add_scalar("episode/max_position", ep_max, episode)?;
            writer.add_scalar("episode/epsilon", eps, episode)?;
            writer.add_scalar(
                "episode/reached_flag",
                if terminated { 1.0 } else { 0.0 },
                episode,
            )?;
            if terminated && first_success.is_none() {
                first_success = Some((episode, step));
            }
            bar.set_message(format!(
                "ep {episode}: {ep_len} actions, max x {ep_max:.2}, eps {eps:.2}"
            ));
            episode += 1;
            if episode.is_multiple_of(args.eval_every) {
                // A separate RNG: evaluating must not change the training run's randomness.
                let mut eval_rng = StdRng::seed_from_u64(args.seed ^ episode as u64);
                let mut evals = Vec::with_capacity(args.eval_episodes);
                for _ in 0..args.eval_episodes {
                    evals.push(eval_episode(&q, &args, &mut eval_rng, &dev)?);
                }
                let n = evals.len() as f64;
                let flags = evals.iter().filter(|e| e.flag).count();
                let mean = |f: fn(&Eval) -> f64| evals.iter().map(f).sum::<f64>() / n;
                let (ret, len) = (mean(|e| e.ret), mean(|e| e.len as f64));
                writer.add_scalar("eval/reached_flag", flags as f64 / n, episode)?;
                writer.add_scalar("eval/return", ret, episode)?;
                writer.add_scalar("eval/length", len, episode)?;
                writer.add_scalar("eval/max_position", mean(|e| e.max_x), episode)?;
                if flags > 0 && best.as_ref().is_none_or(|b| b.beats(flags, len)) {
                    best = Some(Snapshot::take(&online_vm, episode, flags, len)?);
                }
                bar.suspend(|| {
                    println!(
                        "episode {episode}: evaluation (epsilon {}): flag in {flags} of {}, mean {len:.0} actions (return {ret:.0})",
                        args.eval_epsilon,
                        evals.len()
                    )
                });
            }
            env.reset(&mut rng);
            stack.reset(env.observe())?;
            ep_return = 0.0;
            ep_len = 0;
            ep_max = env.position();
        } else {
            stack.push(frame)?;
        }

        if step + 1 >= learn_start
            && (step + 1 - learn_start).is_multiple_of(args.train_every)
            && !replay.is_empty()
        {
            let b = replay.sample(args.batch, &mut rng, &dev)?;
            let target_q = q_target.call(&b.next_states)?;
            let next_value = if args.double {
                let best = q.call(&b.next_states)?.argmax_keepdim(D::Minus1)?;
                target_q.gather(&best, 1)?.squeeze(1)?
            } else {
                target_q.max(D::Minus1)?
            }
            .detach();
            // discounts = gamma^k, 0 past the flag (see `nstep`).
            let target = (b.rewards + (next_value * b.discounts)?)?;
            let qs = q.call(&b.states)?;
            let chosen = qs.gather(&b.actions, 1)?.squeeze(1)?;
            let loss = huber(&(chosen - target)?)?;
            let grads = loss.backward()?;
            opt.step(&grads)?;
            if train_steps.is_multiple_of(args.log_every) {
                writer.add_scalar("train/loss", loss.to_scalar::<f32>()?, train_steps)?;
                let mean_max = qs.max(D::Minus1)?.mean_all()?.to_scalar::<f32>()?;
                writer.add_scalar("train/mean_max_q", mean_max, train_steps)?;
                writer.add_histogram("q_values", &qs, train_steps)?;
                for (name, var) in &named_vars {
                    writer.add_histogram(
                        &format!("weights/{name}"),
                        var.as_tensor(),
                        train_steps,
                    )?;
                    if let Some(g) = grads.get(var.as_tensor()) {
                        writer.add_histogram(&format!("grads/{name}"), g, train_steps)?;
                    }
                }
            }
            train_steps += 1;
            if train_steps.is_multiple_of(args.target_every) {
                sync(&mut target_vm, &online_vm)?;
            }
        }
        bar.inc(1);
    }
    bar.finish();
    writer.close()?;
    if let Some(parent) = save_path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let last_path = save_path.with_file_name(format!(
        "{}_last.safetensors",
        save_path
            .file_stem()
            .map_or("q".into(), |s| s.to_string_lossy())
    ));
    online_vm.save(&last_path)?;
    println!(
        "{} actions, {episode} episodes, {train_steps} train steps in {:.1}s; first flag: {}",
        args.steps,
        start.elapsed().as_secs_f64(),
        first_success.map_or("never".to_string(), |(e, s)| format!(
            "episode {e} (action {s})"
        )),
    );
    // An evaluation episode can take --max-episode-steps actions: skip them for smoke runs.
    let evaluate = args.steps >= args.learn_start;
    if evaluate {
        println!("the last weights ({}):", last_path.display());
        final_evaluation(&q, &args, &dev)?;
    }
    match (args.keep, best) {
        (Keep::Best, Some(b)) => {
            online_vm.set(b.weights.iter().map(|(k, v)| (k, v.clone())))?;
            online_vm.save(&save_path)?;
            println!(
                "kept the snapshot of episode {} (greedy evaluation: flag in {} of {}, mean {:.0} actions) in {}",
                b.episode,
                b.flags,
                args.eval_episodes,
                b.mean_len,
                save_path.display()
            );
            if evaluate {
                final_evaluation(&q, &args, &dev)?;
            }
        }
        (keep, _) => {
            online_vm.save(&save_path)?;
            if keep == Keep::Best {
                println!("no greedy evaluation reached the flag: kept the last weights");
            }
            println!("weights in {}", save_path.display());
        }
    }
    Ok(())
}

/// Episodes of the final evaluation, from random starts.
const FINAL_EPISODES: usize = 10;

/// Plays [`FINAL_EPISODES`] evaluation episodes (their own seed, so the figure is the same for
/// the same weights) and prints each and how many reached the flag.
fn final_evaluation(q: &Sequential, args: &Args, dev: &Device) -> BoxResult<()> {
    let mut rng = StdRng::seed_from_u64(args.seed ^ 0xe7a1);
    let mut flags = 0;
    for i in 0..FINAL_EPISODES {
        let e = eval_episode(q, args, &mut rng, dev)?;
        flags += usize::from(e.flag);
        println!(
            "evaluation episode {i} (epsilon {}): {} after {} actions (return {}), max position {:.3}",
            args.eval_epsilon,
            if e.flag { "flag" } else { "cut off" },
            e.len,
            e.ret,
            e.max_x
        );
    }
    println!(
        "evaluation (epsilon {}): the flag in {flags} of {FINAL_EPISODES} episodes",
        args.eval_epsilon
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_is_beaten_by_more_flags_or_as_many_in_fewer_actions() {
        let b = Snapshot {
            episode: 100,
            flags: 4,
            mean_len: 90.0,
            weights: Vec::new(),
        };
        assert!(b.beats(5, 400.0));
        assert!(b.beats(4, 60.0));
        assert!(!b.beats(4, 90.0), "a tie keeps the earlier snapshot");
        assert!(!b.beats(3, 30.0));
    }
}
