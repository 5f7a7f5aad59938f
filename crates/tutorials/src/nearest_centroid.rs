//! The simplest digit classifier there is, for the demo's figures: each class is the mean of
//! its training digits, and a digit is the class whose mean is nearest. On the bundled MNIST
//! it is right about four times in five, wrong in the ways people expect (4 for 9, 5 for 3),
//! which is what a confusion matrix is for.

use crate::mnist::Mnist;

/// Class means of `train`, `classes x image_size`.
pub struct NearestCentroid {
    means: Vec<Vec<f32>>,
}

impl NearestCentroid {
    /// Means of the first `n_train` digits of `digits` (classes with no digit get a zero mean).
    #[must_use]
    pub fn fit(digits: &Mnist, n_train: usize, classes: usize) -> Self {
        let size = digits.image_size();
        let mut sums = vec![vec![0f32; size]; classes];
        let mut counts = vec![0usize; classes];
        for (img, &label) in digits
            .images
            .chunks_exact(size)
            .zip(&digits.labels)
            .take(n_train)
        {
            let label = usize::from(label);
            if let Some(sum) = sums.get_mut(label) {
                sum.iter_mut().zip(img).for_each(|(s, p)| *s += p);
                counts[label] += 1;
            }
        }
        for (sum, count) in sums.iter_mut().zip(counts) {
            let scale = 1.0 / count.max(1) as f32;
            sum.iter_mut().for_each(|s| *s *= scale);
        }
        NearestCentroid { means: sums }
    }

    /// The class whose mean is nearest to `image` (squared Euclidean distance).
    #[must_use]
    pub fn predict(&self, image: &[f32]) -> usize {
        let distance =
            |mean: &[f32]| -> f32 { mean.iter().zip(image).map(|(m, p)| (m - p) * (m - p)).sum() };
        self.means
            .iter()
            .enumerate()
            .map(|(class, mean)| (class, distance(mean)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(0, |(class, _)| class)
    }
}
