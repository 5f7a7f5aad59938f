//! MountainCar against gymnasium: trajectories replayed bit for bit (fixture from
//! tests/fixtures/make_mountain_car_fixture.py), the rendered frame and the preprocessing.

use candle_core::Device;
use tutorials::mountain_car::{
    preprocess_frame, FrameStack, MountainCar, FRAME_SIZE, SCREEN_HEIGHT, SCREEN_WIDTH,
};

/// Parses Python's `float.hex()` (`-0x1.8p-3`, `0x0.0p+0`) exactly.
fn parse_hex(s: &str) -> f64 {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let rest = rest.strip_prefix("0x").unwrap();
    let (mant, exp) = rest.split_once('p').unwrap();
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let digits = format!("{int}{frac}");
    let m = u64::from_str_radix(&digits, 16).unwrap();
    let e: i32 = exp.parse::<i32>().unwrap() - 4 * frac.len() as i32;
    let v = m as f64 * 2f64.powi(e);
    if neg {
        -v
    } else {
        v
    }
}

#[test]
fn hex_parser_reads_python_output() {
    assert_eq!(parse_hex("0x1.8000000000000p-1"), 0.75);
    assert_eq!(parse_hex("-0x1.0000000000000p+0"), -1.0);
    assert_eq!(parse_hex("0x0.0p+0"), 0.0);
    assert_eq!(parse_hex("-0x1.3333333333333p-3"), -0.15);
}

#[test]
fn trajectories_match_gymnasium_bit_for_bit() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/mountain_car.json"
    ))
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let episodes = json["episodes"].as_array().unwrap();
    assert_eq!(episodes.len(), 5);
    let (mut goals, mut wall_stops) = (0, 0);
    for ep in episodes {
        let start = ep["start"].as_array().unwrap();
        let mut env = MountainCar::new().with_max_steps(100_000).unwrap();
        env.reset_to(
            parse_hex(start[0].as_str().unwrap()),
            parse_hex(start[1].as_str().unwrap()),
        )
        .unwrap();
        let actions = ep["actions"].as_array().unwrap();
        let states = ep["states"].as_array().unwrap();
        let terminated = ep["terminated"].as_array().unwrap();
        for (i, a) in actions.iter().enumerate() {
            let step = env.step(a.as_u64().unwrap() as usize).unwrap();
            let want_p = parse_hex(states[i][0].as_str().unwrap());
            let want_v = parse_hex(states[i][1].as_str().unwrap());
            assert_eq!(
                step.position.to_bits(),
                want_p.to_bits(),
                "seed {} step {i}: position {} vs gymnasium {}",
                ep["seed"],
                step.position,
                want_p
            );
            assert_eq!(
                step.velocity.to_bits(),
                want_v.to_bits(),
                "seed {} step {i}",
                ep["seed"]
            );
            assert_eq!(step.terminated, terminated[i].as_bool().unwrap());
            assert_eq!(step.reward, -1.0);
            if step.position == -1.2 && step.velocity == 0.0 {
                wall_stops += 1;
            }
        }
        if env.position() >= 0.5 {
            goals += 1;
        }
    }
    // The fixture covers the flag and the left wall, not just the open slope.
    assert_eq!(goals, 2);
    assert!(wall_stops > 0);
}

#[test]
fn step_limit_truncates_and_bad_input_errs() {
    let mut env = MountainCar::new();
    env.reset_to(-0.5, 0.0).unwrap();
    for i in 1..=200 {
        let s = env.step(1).unwrap();
        assert_eq!(s.truncated, i == 200);
    }
    assert!(env.step(3).is_err());
    assert!(env.reset_to(0.7, 0.0).is_err());
    assert!(env.reset_to(0.0, 0.08).is_err());
    assert!(MountainCar::new().with_max_steps(0).is_err());
}

#[test]
fn reset_draws_start_in_gymnasium_range() {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut env = MountainCar::new();
    for _ in 0..100 {
        let (p, v) = env.reset(&mut rng);
        assert!((-0.6..-0.4).contains(&p));
        assert_eq!(v, 0.0);
    }
}

fn pixel(frame: &[u8], row: usize, col: usize) -> [u8; 3] {
    let at = (row * SCREEN_WIDTH + col) * 3;
    [frame[at], frame[at + 1], frame[at + 2]]
}

#[test]
fn frame_has_gymnasium_layout() {
    let mut env = MountainCar::new();
    env.reset_to(-0.5, 0.0).unwrap();
    let frame = env.render();
    assert_eq!(frame.len(), SCREEN_HEIGHT * SCREEN_WIDTH * 3);
    // Corner is background.
    assert_eq!(pixel(&frame, 0, 0), [255, 255, 255]);
    // Flag: x = int(1.7 * 600 / 1.8) = 566, pole from int(h(0.5) * scale) up 50 px; the yellow
    // triangle spans 25 px right of the pole near the top. h(0.5) = sin(1.5) * 0.45 + 0.55.
    let scale = 600.0 / 1.8;
    let flag_y1 = (((1.5f64).sin() * 0.45 + 0.55) * scale) as usize;
    let flag_y2 = flag_y1 + 50;
    let row_of = |y: usize| SCREEN_HEIGHT - 1 - y;
    assert_eq!(pixel(&frame, row_of(flag_y1 + 20), 566), [0, 0, 0]);
    assert_eq!(pixel(&frame, row_of(flag_y2 - 5), 572), [204, 204, 0]);
    // Hill curve: at x = -1.2 + 1.8 * 50 / 99 the polyline passes through h(x) * scale.
    let x = -1.2 + 1.8 * 50.0 / 99.0;
    let col = ((x + 1.2) * scale).round() as usize;
    let y = (((3.0 * x).sin() * 0.45 + 0.55) * scale).round() as usize;
    assert_eq!(pixel(&frame, row_of(y), col), [0, 0, 0]);
    // Car body centre: 10 px above the track at the car's position, rotated by cos(3 x).
    let p: f64 = -0.5;
    let a = (3.0 * p).cos();
    let (cx, cy) = (
        (p + 1.2) * scale - 10.0 * a.sin(),
        10.0 + ((3.0 * p).sin() * 0.45 + 0.55) * scale + 10.0 * a.cos(),
    );
    assert_eq!(pixel(&frame, row_of(cy as usize), cx as usize), [0, 0, 0]);
    // Wheels are grey.
    let wx = (p + 1.2) * scale + 10.0 * a.cos();
    let wy = 10.0 + ((3.0 * p).sin() * 0.45 + 0.55) * scale + 10.0 * a.sin();
    assert_eq!(
        pixel(&frame, row_of(wy as usize - 3), wx as usize),
        [128, 128, 128]
    );
}

#[test]
fn preprocessed_car_moves_with_position() {
    let mut env = MountainCar::new();
    env.reset_to(-1.0, 0.0).unwrap();
    let left = env.observe();
    env.reset_to(0.2, 0.0).unwrap();
    let right = env.observe();
    assert_eq!(left.len(), FRAME_SIZE * FRAME_SIZE);
    assert!(left.iter().all(|v| (0.0..=1.0).contains(v)));
    // Darkness-weighted mean column of the pixels that differ: the car.
    let centre = |f: &[f32], g: &[f32]| {
        let (mut sum, mut w) = (0.0, 0.0);
        for (i, (a, b)) in f.iter().zip(g).enumerate() {
            let d = (b - a).max(0.0);
            sum += d * (i % FRAME_SIZE) as f32;
            w += d;
        }
        sum / w
    };
    // Where `right` is brighter than `left`, the car was in `left`, and vice versa.
    let car_left = centre(&left, &right);
    let car_right = centre(&right, &left);
    // Columns: (x + 1.2) / 1.8 * 84 = 9.3 and 65.3.
    assert!((car_left - 9.3).abs() < 3.0, "{car_left}");
    assert!((car_right - 65.3).abs() < 3.0, "{car_right}");
}

#[test]
fn preprocess_averages_areas() {
    // All white -> 1, all black -> 0 (weights sum to one).
    let white = vec![255u8; SCREEN_HEIGHT * SCREEN_WIDTH * 3];
    assert!(preprocess_frame(&white)
        .iter()
        .all(|v| (v - 1.0).abs() < 1e-5));
    // Left half black: output column 41 covers source 292.86..300 (all black), column 42
    // covers 300..307.14 (all white).
    let mut half = white.clone();
    for r in 0..SCREEN_HEIGHT {
        for c in 0..300 {
            let at = (r * SCREEN_WIDTH + c) * 3;
            half[at..at + 3].copy_from_slice(&[0, 0, 0]);
        }
    }
    let f = preprocess_frame(&half);
    assert!(f[10 * 84 + 41].abs() < 1e-6);
    assert!((f[10 * 84 + 42] - 1.0).abs() < 1e-5);
    // A single black column 7 (inside output column 0 = source 0..7.14) -> 1 - 1/7.1428.
    let mut col = white;
    for r in 0..SCREEN_HEIGHT {
        let at = (r * SCREEN_WIDTH + 3) * 3;
        col[at..at + 3].copy_from_slice(&[0, 0, 0]);
    }
    let f = preprocess_frame(&col);
    assert!((f[0] - (1.0 - 84.0 / 600.0)).abs() < 1e-5, "{}", f[0]);
}

#[test]
fn frame_stack_repeats_first_frame_then_shifts() {
    let mut stack = FrameStack::new();
    assert!(stack.to_tensor(&Device::Cpu).is_err());
    assert!(stack.push(vec![0.0; 84 * 84]).is_err());
    assert!(stack.reset(vec![0.0; 10]).is_err());
    stack.reset(vec![1.0; 84 * 84]).unwrap();
    stack.push(vec![2.0; 84 * 84]).unwrap();
    let t = stack.to_tensor(&Device::Cpu).unwrap();
    assert_eq!(t.dims(), &[4, 84, 84]);
    let firsts: Vec<f32> = (0..4)
        .map(|k| {
            t.get(k)
                .unwrap()
                .get(0)
                .unwrap()
                .get(0)
                .unwrap()
                .to_scalar()
                .unwrap()
        })
        .collect();
    assert_eq!(firsts, vec![1.0, 1.0, 1.0, 2.0]);
}
