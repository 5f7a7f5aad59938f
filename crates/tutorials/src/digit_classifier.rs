//! What a GAN's samples are: a small MNIST classifier and a census of the digits it sees.
//!
//! A GAN's losses do not say whether the generator draws every digit or only a few (mode
//! collapse). The MNIST analogue of the Inception Score answers that: classify a large batch of
//! generated digits with a net trained on real ones, then count which classes come out
//! ([`Census::covered`], [`Census::largest_share`]), how sure the classifier is
//! ([`Census::mean_confidence`]: high when the samples look like clear digits), and
//! `exp(E[KL(p(y|x) || p(y))])` ([`Census::score`]: 1 for one blob, 10 for ten clear,
//! equally frequent digits).

use candle_core::{DType, Device, Tensor, D};
use candle_nn::{linear, Linear, Module, Optimizer, ParamsAdamW, VarBuilder, VarMap};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::mnist::Mnist;

/// Number of digit classes.
pub const CLASSES: usize = 10;
/// A class counts as covered when it gets at least this share of the samples (a fifth of the
/// tenth each class would get if all were drawn equally often).
pub const COVERED_SHARE: f64 = 0.02;
/// Hidden units of the classifier.
const HIDDEN: usize = 256;

/// A 784 -> 256 (ReLU) -> 10 classifier on pixels in `[0, 1]` (the GAN's range).
pub struct DigitClassifier {
    l1: Linear,
    l2: Linear,
}

/// The classifier and how well it did on the digits held out from its training.
pub struct Trained {
    /// The trained net.
    pub classifier: DigitClassifier,
    /// Share of the held-out digits it labels correctly.
    pub test_accuracy: f64,
    /// How many digits it was tested on.
    pub test_len: usize,
}

impl DigitClassifier {
    /// Trains on all but the last `test_len` digits of `data` (Adam, lr 1e-3, batch 100,
    /// `epochs` passes) and measures accuracy on those last digits.
    pub fn train(
        data: &Mnist,
        test_len: usize,
        epochs: usize,
        seed: u64,
        dev: &Device,
    ) -> Result<Trained, Box<dyn std::error::Error>> {
        let size = data.image_size();
        if size != 784 {
            return Err(format!("the classifier takes 28x28 digits, got {size} pixels").into());
        }
        if test_len >= data.len() {
            return Err(format!(
                "{} digits leave none to train on after holding out {test_len}",
                data.len()
            )
            .into());
        }
        let train = data.slice(0, data.len() - test_len);
        let test = data.slice(data.len() - test_len, data.len());
        let vars = VarMap::new();
        let vb = VarBuilder::from_varmap(&vars, DType::F32, dev);
        let net = DigitClassifier {
            l1: linear(784, HIDDEN, vb.pp("l1"))?,
            l2: linear(HIDDEN, CLASSES, vb.pp("l2"))?,
        };
        let mut opt = candle_nn::AdamW::new(
            vars.all_vars(),
            ParamsAdamW {
                lr: 1e-3,
                weight_decay: 0.0,
                ..Default::default()
            },
        )?;
        let (x_all, y_all) = train.to_tensors(dev)?;
        let mut order: Vec<u32> = (0..train.len() as u32).collect();
        let mut rng = StdRng::seed_from_u64(seed);
        for _ in 0..epochs {
            order.shuffle(&mut rng);
            for chunk in order.chunks(100) {
                let idx = Tensor::new(chunk, dev)?;
                let logits = net.logits(&x_all.index_select(&idx, 0)?)?;
                let loss = candle_nn::loss::cross_entropy(&logits, &y_all.index_select(&idx, 0)?)?;
                opt.backward_step(&loss)?;
            }
        }
        let (x_test, _) = test.to_tensors(dev)?;
        let pred = net.logits(&x_test)?.argmax(D::Minus1)?.to_vec1::<u32>()?;
        let hits = pred
            .iter()
            .zip(&test.labels)
            .filter(|(p, l)| **p == u32::from(**l))
            .count();
        Ok(Trained {
            classifier: net,
            test_accuracy: hits as f64 / test.len().max(1) as f64,
            test_len: test.len(),
        })
    }

    /// Class logits of a `(n, 784)` batch.
    pub fn logits(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.l2.forward(&self.l1.forward(x)?.relu()?)
    }

    /// Class probabilities of a `(n, 784)` batch, one row of 10 per image.
    pub fn probabilities(&self, x: &Tensor) -> candle_core::Result<Vec<Vec<f32>>> {
        candle_nn::ops::softmax(&self.logits(x)?, D::Minus1)?.to_vec2::<f32>()
    }

    /// The census of a `(n, 784)` batch (the generator's samples).
    pub fn census(&self, x: &Tensor) -> Result<Census, Box<dyn std::error::Error>> {
        Ok(Census::from_probabilities(&self.probabilities(x)?)?)
    }
}

/// What the classifier made of a batch of samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Census {
    /// How many samples fell in each class (by the classifier's most likely label).
    pub counts: [usize; CLASSES],
    /// Mean over samples of the probability of the chosen class.
    pub mean_confidence: f64,
    /// `exp(mean KL(p(y|x) || p(y)))`, the Inception Score with this classifier: 1 to 10.
    pub score: f64,
}

impl Census {
    /// Builds the census from per-sample class probabilities (each row sums to 1).
    pub fn from_probabilities(probs: &[Vec<f32>]) -> Result<Census, String> {
        if probs.is_empty() {
            return Err("a census needs at least one sample".into());
        }
        let mut counts = [0usize; CLASSES];
        let mut marginal = [0f64; CLASSES];
        let mut confidence = 0f64;
        for (i, row) in probs.iter().enumerate() {
            if row.len() != CLASSES {
                return Err(format!(
                    "sample {i} has {} class probabilities, expected {CLASSES}",
                    row.len()
                ));
            }
            let (best, p) = row
                .iter()
                .enumerate()
                .fold(
                    (0, f32::NEG_INFINITY),
                    |acc, (c, &p)| {
                        if p > acc.1 {
                            (c, p)
                        } else {
                            acc
                        }
                    },
                );
            counts[best] += 1;
            confidence += f64::from(p);
            for (m, &p) in marginal.iter_mut().zip(row) {
                *m += f64::from(p);
            }
        }
        let n = probs.len() as f64;
        marginal.iter_mut().for_each(|m| *m /= n);
        // Terms with p = 0 contribute 0 (the limit of p log p).
        let kl: f64 = probs
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&marginal)
                    .filter(|(&p, &m)| p > 0.0 && m > 0.0)
                    .map(|(&p, &m)| f64::from(p) * (f64::from(p) / m).ln())
                    .sum::<f64>()
            })
            .sum::<f64>()
            / n;
        Ok(Census {
            counts,
            mean_confidence: confidence / n,
            score: kl.exp(),
        })
    }

    /// Number of samples counted.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    /// Classes that got at least [`COVERED_SHARE`] of the samples.
    pub fn covered(&self) -> usize {
        let total = self.total().max(1) as f64;
        self.counts
            .iter()
            .filter(|&&c| c as f64 / total >= COVERED_SHARE)
            .count()
    }

    /// The share of the samples in the most frequent class (0.1 when all are equal).
    pub fn largest_share(&self) -> f64 {
        let max = self.counts.iter().copied().max().unwrap_or(0);
        max as f64 / self.total().max(1) as f64
    }

    /// `0:12% 1:9% ...`: the share of each class, for printouts.
    pub fn shares(&self) -> String {
        let total = self.total().max(1) as f64;
        self.counts
            .iter()
            .enumerate()
            .map(|(d, &c)| format!("{d}:{:.0}%", 100.0 * c as f64 / total))
            .collect::<Vec<_>>()
            .join(" ")
    }
}
