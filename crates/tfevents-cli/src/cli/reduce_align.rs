//! Lining up one tag's series from several runs on common steps.

use tfevents::reader::ScalarPoint;

/// How `reduce` lines up steps that differ between runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Align {
    /// A step is reduced only where every run has a value at exactly that step; the other
    /// steps are left out (and counted in a note).
    #[default]
    Exact,
    /// Every step any run logged within the range all runs cover (from the latest first
    /// step to the earliest last step) is reduced, each run giving its value at its nearest
    /// logged step (the earlier one on a tie).
    Nearest,
}

/// One reduced step: the runs' values in run order and the mean of their wall times.
#[derive(Clone, Debug, PartialEq)]
pub struct AlignedStep {
    /// The step.
    pub step: i64,
    /// The mean wall time of the points used.
    pub wall_time: f64,
    /// One value per run.
    pub values: Vec<f64>,
}

/// The series lined up, and how many distinct steps were left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Aligned {
    /// The steps reduced, ascending.
    pub steps: Vec<AlignedStep>,
    /// Steps some run logged that are not in `steps`.
    pub dropped: usize,
}

/// A series sorted by step with one point per step: where a step was logged more than once
/// (a restart without purge), the last point read counts, as the pivoted table keeps it.
fn by_step(series: &[ScalarPoint]) -> Vec<&ScalarPoint> {
    let mut points: Vec<&ScalarPoint> = series.iter().collect();
    points.sort_by_key(|p| p.step); // stable: equal steps keep their read order
    let mut out: Vec<&ScalarPoint> = Vec::with_capacity(points.len());
    for p in points {
        match out.last_mut() {
            Some(last) if last.step == p.step => *last = p,
            _ => out.push(p),
        }
    }
    out
}

/// Lines up `series` (one per run, all of one tag) as `align` says.
pub fn align(series: &[&[ScalarPoint]], align: Align) -> Aligned {
    let runs: Vec<Vec<&ScalarPoint>> = series.iter().map(|s| by_step(s)).collect();
    let mut all_steps: Vec<i64> = runs.iter().flatten().map(|p| p.step).collect();
    all_steps.sort_unstable();
    all_steps.dedup();
    let steps: Vec<AlignedStep> = match align {
        Align::Exact => all_steps
            .iter()
            .filter_map(|&step| {
                let points: Option<Vec<&ScalarPoint>> = runs
                    .iter()
                    .map(|run| {
                        run.binary_search_by_key(&step, |p| p.step)
                            .ok()
                            .and_then(|i| run.get(i).copied())
                    })
                    .collect();
                points.map(|points| aligned(step, &points))
            })
            .collect(),
        Align::Nearest => {
            let lo = runs.iter().filter_map(|r| r.first()).map(|p| p.step).max();
            let hi = runs.iter().filter_map(|r| r.last()).map(|p| p.step).min();
            match (lo, hi) {
                (Some(lo), Some(hi)) if lo <= hi && runs.iter().all(|r| !r.is_empty()) => all_steps
                    .iter()
                    .filter(|&&s| (lo..=hi).contains(&s))
                    .map(|&step| {
                        let points: Vec<&ScalarPoint> =
                            runs.iter().filter_map(|run| nearest(run, step)).collect();
                        aligned(step, &points)
                    })
                    .collect(),
                _ => Vec::new(),
            }
        }
    };
    Aligned {
        dropped: all_steps.len() - steps.len(),
        steps,
    }
}

/// The point of `run` (sorted by step, not empty) nearest to `step`, the earlier on a tie.
fn nearest<'a>(run: &[&'a ScalarPoint], step: i64) -> Option<&'a ScalarPoint> {
    let i = run.partition_point(|p| p.step < step);
    let after = run.get(i).copied();
    let before = i.checked_sub(1).and_then(|j| run.get(j)).copied();
    match (before, after) {
        (Some(b), Some(a)) => {
            let db = step.abs_diff(b.step);
            let da = a.step.abs_diff(step);
            Some(if da < db { a } else { b })
        }
        (b, a) => b.or(a),
    }
}

fn aligned(step: i64, points: &[&ScalarPoint]) -> AlignedStep {
    let wall_time = points.iter().map(|p| p.wall_time).sum::<f64>() / points.len().max(1) as f64;
    AlignedStep {
        step,
        wall_time,
        values: points.iter().map(|p| p.value).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(points: &[(i64, f64)]) -> Vec<ScalarPoint> {
        points
            .iter()
            .map(|&(step, value)| ScalarPoint {
                step,
                wall_time: step as f64,
                value,
            })
            .collect()
    }

    fn steps(a: &Aligned) -> Vec<(i64, Vec<f64>)> {
        a.steps.iter().map(|s| (s.step, s.values.clone())).collect()
    }

    #[test]
    fn exact_keeps_the_steps_every_run_has() {
        let a = series(&[(0, 1.0), (10, 2.0), (20, 3.0)]);
        let b = series(&[(0, 5.0), (20, 7.0), (30, 8.0)]);
        let out = align(&[&a, &b], Align::Exact);
        assert_eq!(steps(&out), [(0, vec![1.0, 5.0]), (20, vec![3.0, 7.0])]);
        assert_eq!(out.dropped, 2);
    }

    #[test]
    fn a_step_logged_twice_counts_once_with_its_last_value() {
        let a = series(&[(0, 1.0), (0, 9.0)]);
        let out = align(&[&a, &a], Align::Exact);
        assert_eq!(steps(&out), [(0, vec![9.0, 9.0])]);
    }

    #[test]
    fn nearest_within_the_common_range() {
        let a = series(&[(0, 1.0), (10, 2.0), (20, 3.0), (30, 4.0)]);
        let b = series(&[(1, 5.0), (14, 6.0), (26, 7.0)]);
        let out = align(&[&a, &b], Align::Nearest);
        // Range 1..=26; b's 14 is nearer 10 than 20; a's 20 has b's 26 (6 away) over 14 (6
        // away): the tie goes to the earlier step.
        assert_eq!(
            steps(&out),
            [
                (1, vec![1.0, 5.0]),
                (10, vec![2.0, 6.0]),
                (14, vec![2.0, 6.0]),
                (20, vec![3.0, 6.0]),
                (26, vec![4.0, 7.0]),
            ]
        );
        assert_eq!(out.dropped, 2); // 0 and 30
    }

    #[test]
    fn nearest_with_disjoint_ranges_has_no_steps() {
        let a = series(&[(0, 1.0)]);
        let b = series(&[(5, 1.0)]);
        assert!(align(&[&a, &b], Align::Nearest).steps.is_empty());
    }
}
