//! Our histograms against tensorboardX's `make_histogram`, from fixtures written by
//! `tests/fixtures/make_histogram_fixtures.py` (inputs are regenerated here from the same
//! splitmix64 stream, so only the expected outputs are stored).

use serde_json::Value;
use tfevents::proto::HistogramProto;
use tfevents::summary::histogram::{make_histogram, tensorflow_edges, Bins};

const FIXTURES: &str = include_str!("fixtures/histograms.json");

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

fn splitmix64(seed: u64, count: usize) -> Vec<u64> {
    (1..=count as u64)
        .map(|i| {
            let mut z = seed.wrapping_add(i.wrapping_mul(GOLDEN));
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        })
        .collect()
}

fn uniform01(seed: u64, count: usize) -> Vec<f64> {
    splitmix64(seed, count)
        .into_iter()
        .map(|z| (z >> 11) as f64 * 2f64.powi(-53))
        .collect()
}

fn bits(v: &Value) -> f64 {
    f64::from_bits(v.as_u64().expect("bit pattern"))
}

fn f(v: &Value) -> f64 {
    v.as_f64().expect("number")
}

/// The values before the cast to the input dtype (floats), or the integers.
enum Raw {
    Float(Vec<f64>),
    Int(Vec<i64>),
}

fn generate(spec: &Value) -> Raw {
    let n = spec["n"].as_u64().unwrap_or(0) as usize;
    let seed = spec["seed"].as_u64().unwrap_or(0);
    match spec["gen"].as_str().expect("gen") {
        "normal" => {
            let u = uniform01(seed, 12 * n);
            let (scale, offset) = (f(&spec["scale"]), f(&spec["offset"]));
            Raw::Float(
                u.chunks_exact(12)
                    .map(|c| {
                        let mut s = c[0];
                        for &x in &c[1..] {
                            s += x;
                        }
                        (s - 6.0) * scale + offset
                    })
                    .collect(),
            )
        }
        "uniform" => {
            let (lo, hi) = (f(&spec["lo"]), f(&spec["hi"]));
            let width = hi - lo;
            Raw::Float(
                uniform01(seed, n)
                    .into_iter()
                    .map(|u| u * width + lo)
                    .collect(),
            )
        }
        "int" => {
            let (lo, hi) = (spec["lo"].as_i64().unwrap(), spec["hi"].as_i64().unwrap());
            let span = (hi - lo + 1) as u64;
            Raw::Int(
                splitmix64(seed, n)
                    .into_iter()
                    .map(|z| lo + (z % span) as i64)
                    .collect(),
            )
        }
        "literal" => Raw::Float(spec["bits"].as_array().unwrap().iter().map(bits).collect()),
        other => panic!("unknown generator {other}"),
    }
}

fn run_case(case: &Value) -> HistogramProto {
    let spec = &case["input"];
    let bins = match &case["bins"] {
        Value::String(s) => s.parse::<Bins>().unwrap(),
        Value::Object(o) if o.contains_key("count") => {
            Bins::Count(o["count"].as_u64().unwrap() as usize)
        }
        Value::Object(o) => Bins::Edges(
            o["edges_bits"]
                .as_array()
                .unwrap()
                .iter()
                .map(bits)
                .collect(),
        ),
        other => panic!("bad bins {other}"),
    };
    let max_bins = case["max_bins"].as_u64().map(|m| m as usize);
    let raw = generate(spec);
    let result = match (spec["dtype"].as_str().unwrap(), raw) {
        ("f32", Raw::Float(v)) => {
            let v: Vec<f32> = v.iter().map(|&x| x as f32).collect();
            make_histogram(&v, &bins, max_bins)
        }
        ("f64", Raw::Float(v)) => make_histogram(&v, &bins, max_bins),
        ("i64", Raw::Int(v)) => make_histogram(&v, &bins, max_bins),
        ("i32", Raw::Int(v)) => {
            let v: Vec<i32> = v.iter().map(|&x| x as i32).collect();
            make_histogram(&v, &bins, max_bins)
        }
        ("u8", Raw::Int(v)) => {
            let v: Vec<u8> = v.iter().map(|&x| x as u8).collect();
            make_histogram(&v, &bins, max_bins)
        }
        (d, _) => panic!("unsupported dtype {d}"),
    };
    result.unwrap_or_else(|e| panic!("{}: {e}", case["name"]))
}

fn fixtures() -> Value {
    serde_json::from_str(FIXTURES).expect("fixture JSON")
}

#[test]
fn tensorflow_edges_equal_tensorboardx_default_bins() {
    let doc = fixtures();
    let expected: Vec<f64> = doc["default_bins_bits"]
        .as_array()
        .unwrap()
        .iter()
        .map(bits)
        .collect();
    let ours = tensorflow_edges();
    assert_eq!(ours.len(), expected.len());
    for (i, (a, b)) in ours.iter().zip(&expected).enumerate() {
        assert_eq!(a.to_bits(), b.to_bits(), "edge {i}: {a:e} vs {b:e}");
    }
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    a.to_bits() == b.to_bits() || (a - b).abs() <= rel * a.abs().max(b.abs())
}

#[test]
fn histograms_equal_tensorboardx() {
    let doc = fixtures();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 15);
    let mut sum_exact = 0;
    let mut sum_squares_exact = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let exp = &case["expected"];
        let h = run_case(case);
        let limits: Vec<f64> = exp["bucket_limit_bits"]
            .as_array()
            .unwrap()
            .iter()
            .map(bits)
            .collect();
        let counts: Vec<f64> = exp["bucket"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap() as f64)
            .collect();
        assert_eq!(h.bucket.len(), counts.len(), "{name}: bucket count");
        assert_eq!(h.bucket, counts, "{name}: buckets");
        let ours_bits: Vec<u64> = h.bucket_limit.iter().map(|x| x.to_bits()).collect();
        let exp_bits: Vec<u64> = limits.iter().map(|x| x.to_bits()).collect();
        assert_eq!(ours_bits, exp_bits, "{name}: bucket limits");
        assert_eq!(h.min, bits(&exp["min_bits"]), "{name}: min");
        assert_eq!(h.max, bits(&exp["max_bits"]), "{name}: max");
        assert_eq!(h.num, exp["num"].as_u64().unwrap() as f64, "{name}: num");
        let (sum, sum_sq) = (bits(&exp["sum_bits"]), bits(&exp["sum_squares_bits"]));
        assert!(close(h.sum, sum, 1e-12), "{name}: sum {} vs {}", h.sum, sum);
        assert!(
            close(h.sum_squares, sum_sq, 1e-12),
            "{name}: sum_squares {} vs {}",
            h.sum_squares,
            sum_sq
        );
        sum_exact += usize::from(h.sum.to_bits() == sum.to_bits());
        sum_squares_exact += usize::from(h.sum_squares.to_bits() == sum_sq.to_bits());
    }
    // numpy's pairwise summation is reproduced exactly; BLAS's dot for sum_squares is not.
    assert_eq!(sum_exact, cases.len(), "sums equal to the bit");
    eprintln!(
        "{} cases; sum bit-exact in {sum_exact}, sum_squares bit-exact in {sum_squares_exact}",
        cases.len()
    );
}
