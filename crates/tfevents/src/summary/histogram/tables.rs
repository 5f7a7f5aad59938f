//! The Tensorflow-bins lookup tables.
//!
//! A value's bit pattern selects a table entry; the entry covers a contiguous range of bit
//! patterns of one sign that holds at most one bucket boundary, so one comparison of the bits
//! with the entry's threshold picks the bucket (`lo` below the threshold, `hi` from it on).
//! Comparing bit patterns is comparing magnitudes within one sign, which is exact.

use std::sync::OnceLock;

use super::elem::Elem;
use super::numpy_bins::ext_index;
use super::stats::{stats, stats_with, Stats, Visit};
use super::tf_edges::tensorflow_edges;

/// Values with magnitude below `2^LOW_EXP` (all inside `(-1e-12, 1e-12)`) share the first group
/// of the `f64` table, values from `2^HIGH_EXP` (all beyond `±1e20`) and non-finite ones its last.
const LOW_EXP: i32 = -41;
const HIGH_EXP: i32 = 67;
/// Mantissa bits in an `f64` key: a group spans a ratio of at most 17/16 < 1.1, so one edge.
const F64_KEY_MANTISSA_BITS: u32 = 4;
/// `f64` groups per sign (1729 used) and the `f64` table's length.
const F64_SIGN_STRIDE: usize = 2048;
const F64_KEYS: usize = 2 * F64_SIGN_STRIDE;
/// The `f32` table is indexed by the top 16 bits (sign, exponent, 7 mantissa bits) directly.
const F32_KEYS: usize = 1 << 16;
/// The extended counters of the hot loop (1551 used for 1549 edges).
const EXT_CAP: usize = 2048;

#[derive(Clone, Copy)]
pub(super) struct Entry<B> {
    thr: B,
    lo: u16,
    hi: u16,
}

/// A bucket lookup by bit pattern.
pub(super) trait Lookup {
    type Bits: Copy;
    /// The extended bucket (see [`ext_index`]) of the value with these bits, below [`EXT_CAP`].
    fn bucket(&self, bits: Self::Bits) -> usize;
}

/// The `f32` table: entry `bits >> 16`.
pub(super) type F32Table = [Entry<u32>; F32_KEYS];

impl Lookup for F32Table {
    type Bits = u32;
    #[inline(always)]
    fn bucket(&self, bits: u32) -> usize {
        let e = self[(bits >> 16) as usize & (F32_KEYS - 1)];
        usize::from(if bits >= e.thr { e.hi } else { e.lo }) & (EXT_CAP - 1)
    }
}

/// The `f64` table: sign and clamped exponent groups.
pub(super) type F64Table = [Entry<u64>; F64_KEYS];

const F64_LOW_MAG: u64 = ((LOW_EXP + 1023) as u64) << 52;
const F64_HIGH_MAG: u64 = ((HIGH_EXP + 1023) as u64) << 52;
const F64_SHIFT: u32 = 52 - F64_KEY_MANTISSA_BITS;

impl Lookup for F64Table {
    type Bits = u64;
    #[inline(always)]
    fn bucket(&self, bits: u64) -> usize {
        let mag = bits & 0x7fff_ffff_ffff_ffff;
        let group = (mag.clamp(F64_LOW_MAG, F64_HIGH_MAG) - F64_LOW_MAG) >> F64_SHIFT;
        let key = group as usize | ((bits >> 63) as usize * F64_SIGN_STRIDE);
        let e = self[key & (F64_KEYS - 1)];
        usize::from(if bits >= e.thr { e.hi } else { e.lo }) & (EXT_CAP - 1)
    }
}

pub(super) fn f32_table() -> Option<&'static F32Table> {
    static TABLE: OnceLock<Option<Box<F32Table>>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let edges = tensorflow_edges();
            let value = |mag: u64| f64::from(f32::from_bits(mag as u32));
            let mut entries = Vec::with_capacity(F32_KEYS);
            for key in 0..F32_KEYS as u64 {
                let sign = key >> 15;
                let m_lo = (key & 0x7fff) << 16;
                let (thr, lo, hi) =
                    group_entry(edges, value, 0x7f80_0000, sign == 1, m_lo, m_lo | 0xffff)?;
                entries.push(Entry {
                    thr: u32::try_from(thr | (sign << 31)).ok()?,
                    lo,
                    hi,
                });
            }
            let entries = entries.into_boxed_slice().try_into().ok()?;
            Some(entries)
        })
        .as_deref()
}

pub(super) fn f64_table() -> Option<&'static F64Table> {
    static TABLE: OnceLock<Option<Box<F64Table>>> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let edges = tensorflow_edges();
            let groups = usize::try_from((F64_HIGH_MAG - F64_LOW_MAG) >> F64_SHIFT).ok()? + 1;
            if groups > F64_SIGN_STRIDE {
                return None;
            }
            let mut entries = Vec::with_capacity(F64_KEYS);
            for sign in [0u64, 1] {
                for g in 0..F64_SIGN_STRIDE {
                    if g >= groups {
                        entries.push(Entry {
                            thr: 0,
                            lo: 0,
                            hi: 0,
                        });
                        continue;
                    }
                    let g64 = g as u64;
                    // The first group also holds every smaller magnitude, the last every larger.
                    let m_lo = if g == 0 {
                        0
                    } else {
                        F64_LOW_MAG + (g64 << F64_SHIFT)
                    };
                    let m_hi = if g + 1 == groups {
                        0x7fff_ffff_ffff_ffff
                    } else {
                        F64_LOW_MAG + ((g64 + 1) << F64_SHIFT) - 1
                    };
                    let (thr, lo, hi) = group_entry(
                        edges,
                        f64::from_bits,
                        0x7ff0_0000_0000_0000,
                        sign == 1,
                        m_lo,
                        m_hi,
                    )?;
                    entries.push(Entry {
                        thr: thr | (sign << 63),
                        lo,
                        hi,
                    });
                }
            }
            let entries = entries.into_boxed_slice().try_into().ok()?;
            Some(entries)
        })
        .as_deref()
}

/// The entry for the magnitudes `m_lo..=m_hi` of one sign: the first magnitude of the group's
/// last bucket, and the buckets below and from it. `None` if the group holds more than one
/// bucket boundary (never for the Tensorflow edges; callers then search per value instead).
fn group_entry(
    edges: &[f64],
    value: impl Fn(u64) -> f64,
    inf: u64,
    negative: bool,
    m_lo: u64,
    m_hi: u64,
) -> Option<(u64, u16, u16)> {
    let nonfinite = edges.len() + 1;
    let bucket = |mag: u64| -> usize {
        if mag >= inf {
            return nonfinite;
        }
        let v = value(mag);
        ext_index(edges, if negative { -v } else { v })
    };
    let (a, z) = (bucket(m_lo), bucket(m_hi));
    let thr = if a == z {
        m_lo
    } else {
        let (mut below, mut at) = (m_lo, m_hi);
        while at - below > 1 {
            let mid = below + (at - below) / 2;
            if bucket(mid) == z {
                at = mid;
            } else {
                below = mid;
            }
        }
        if bucket(below) != a {
            return None;
        }
        at
    };
    if nonfinite >= EXT_CAP {
        return None;
    }
    Some((thr, u16::try_from(a).ok()?, u16::try_from(z).ok()?))
}

/// Counts `values` into `ext_counts` through `table`. Four sets of 32-bit counters let
/// consecutive values that land in the same bucket proceed without waiting on each other.
pub(super) fn count_with_table<T: Copy, L: Lookup>(
    values: &[T],
    table: &L,
    bits_of: impl Fn(T) -> L::Bits,
    ext_counts: &mut [u64],
) {
    // Flushed before any 32-bit counter can overflow.
    const CHUNK: usize = 1 << 30;
    let mut local = vec![[0u32; EXT_CAP]; 4];
    for chunk in values.chunks(CHUNK) {
        let [h0, h1, h2, h3] = local.as_mut_slice() else {
            return;
        };
        let mut quads = chunk.chunks_exact(4);
        for q in &mut quads {
            h0[table.bucket(bits_of(q[0]))] += 1;
            h1[table.bucket(bits_of(q[1]))] += 1;
            h2[table.bucket(bits_of(q[2]))] += 1;
            h3[table.bucket(bits_of(q[3]))] += 1;
        }
        for &x in quads.remainder() {
            h0[table.bucket(bits_of(x))] += 1;
        }
        for h in local.iter_mut() {
            for (total, c) in ext_counts.iter_mut().zip(h.iter_mut()) {
                *total += u64::from(*c);
                *c = 0;
            }
        }
    }
}

/// Counts values into four sets of 32-bit counters through a lookup table, so that
/// consecutive values landing in the same bucket do not wait on each other.
struct TableCounter<'a, L, F> {
    table: &'a L,
    bits_of: F,
    lanes: Vec<[u32; EXT_CAP]>,
}

impl<T: Copy, L: Lookup, F: Fn(T) -> L::Bits> Visit<T> for TableCounter<'_, L, F> {
    #[inline(always)]
    fn visit(&mut self, x: T) {
        if let Some(lane) = self.lanes.first_mut() {
            lane[self.table.bucket((self.bits_of)(x))] += 1;
        }
    }

    #[inline(always)]
    fn visit8(&mut self, c: &[T; 8]) {
        // Locals, so that the table's address is not reloaded after every counter store.
        let (table, bits_of) = (self.table, &self.bits_of);
        if let [h0, h1, h2, h3] = self.lanes.as_mut_slice() {
            for q in [&c[..4], &c[4..]] {
                if let [a, b, c, d] = *q {
                    h0[table.bucket(bits_of(a))] += 1;
                    h1[table.bucket(bits_of(b))] += 1;
                    h2[table.bucket(bits_of(c))] += 1;
                    h3[table.bucket(bits_of(d))] += 1;
                }
            }
        }
    }
}

/// Statistics and Tensorflow-bin counts in one pass when a table exists and the 32-bit
/// counters cannot overflow; two passes otherwise.
pub(super) fn stats_and_counts<T: Elem, L: Lookup>(
    values: &[T],
    table: Option<&L>,
    bits_of: impl Fn(T) -> L::Bits,
    count: impl Fn(&[T], &mut [u64]),
) -> (Stats, Vec<u64>) {
    let mut ext = vec![0u64; tensorflow_edges().len() + 2];
    match table {
        Some(table) if values.len() <= u32::MAX as usize => {
            let mut counter = TableCounter {
                table,
                bits_of,
                lanes: vec![[0u32; EXT_CAP]; 4],
            };
            let stats = stats_with(values, &mut counter);
            for lane in &counter.lanes {
                for (total, &c) in ext.iter_mut().zip(lane.iter()) {
                    *total += u64::from(c);
                }
            }
            (stats, ext)
        }
        _ => {
            let stats = stats(values);
            count(values, &mut ext);
            (stats, ext)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::numpy_bins::count_explicit;
    use super::super::tf_count::TensorflowCount;
    use super::*;

    type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

    fn counts_by_search(values: &[f64], edges: &[f64]) -> Vec<u64> {
        let mut ext = vec![0u64; edges.len() + 2];
        count_explicit(values, edges, &mut ext);
        ext
    }

    #[test]
    fn tables_build_for_tensorflow_edges() {
        assert!(f32_table().is_some());
        assert!(f64_table().is_some());
    }

    #[test]
    fn table_agrees_with_search_on_special_values() -> TestResult {
        let edges = tensorflow_edges();
        let mut vals: Vec<f64> = vec![
            0.0,
            -0.0,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            5e-324,
            -5e-324,
            1e-300,
            -1e-300,
            1e300,
            -1e300,
            f64::MAX,
            f64::MIN,
            1e20,
            -1e20,
        ];
        for &e in edges {
            vals.push(e);
            vals.push(-e);
            vals.push(f64::from_bits(e.to_bits() + 1));
            vals.push(f64::from_bits(e.to_bits().saturating_sub(1)));
        }
        let expected = counts_by_search(&vals, edges);
        let mut got = vec![0u64; edges.len() + 2];
        f64::count_tensorflow(&vals, &mut got);
        assert_eq!(got, expected);

        let vals32: Vec<f32> = vals
            .iter()
            .map(|&v| v as f32)
            .filter(|v| v.is_finite())
            .collect();
        let wide: Vec<f64> = vals32.iter().map(|&v| f64::from(v)).collect();
        let expected = counts_by_search(&wide, edges);
        let mut got = vec![0u64; edges.len() + 2];
        f32::count_tensorflow(&vals32, &mut got);
        assert_eq!(got, expected);
        Ok(())
    }

    /// Finite values spread over every scale of the Tensorflow edges, and values within a few
    /// ulps of an edge.
    fn interesting_f64() -> impl proptest::strategy::Strategy<Value = f64> {
        use proptest::prelude::*;
        prop_oneof![
            any::<f64>().prop_filter("finite", |v| v.is_finite()),
            (any::<bool>(), -16.0f64..24.0).prop_map(|(neg, e)| {
                let v = 10f64.powf(e);
                if neg {
                    -v
                } else {
                    v
                }
            }),
            (0usize..1549, -3i64..=3).prop_map(|(i, k)| {
                let e = tensorflow_edges()[i];
                f64::from_bits(e.to_bits().wrapping_add_signed(k))
            }),
            Just(0.0),
            Just(-0.0),
        ]
    }

    proptest::proptest! {
        #[test]
        fn f64_table_equals_binary_search(
            vals in proptest::collection::vec(interesting_f64(), 0..300)
        ) {
            let vals: Vec<f64> = vals.into_iter().filter(|v| v.is_finite()).collect();
            let edges = tensorflow_edges();
            let mut got = vec![0u64; edges.len() + 2];
            f64::count_tensorflow(&vals, &mut got);
            proptest::prop_assert_eq!(got, counts_by_search(&vals, edges));
        }

        #[test]
        fn f32_table_equals_binary_search(
            vals in proptest::collection::vec(interesting_f64(), 0..300),
            raw in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..300),
        ) {
            let vals: Vec<f32> = vals
                .into_iter()
                .map(|v| v as f32)
                .chain(raw.into_iter().map(f32::from_bits))
                .filter(|v| v.is_finite())
                .collect();
            let wide: Vec<f64> = vals.iter().map(|&v| f64::from(v)).collect();
            let edges = tensorflow_edges();
            let mut got = vec![0u64; edges.len() + 2];
            f32::count_tensorflow(&vals, &mut got);
            proptest::prop_assert_eq!(got, counts_by_search(&wide, edges));
        }
    }

    #[test]
    fn f32_table_exact_around_every_edge_and_group() {
        let edges = tensorflow_edges();
        let near = |c: u32, k: i32| f32::from_bits(c.wrapping_add_signed(k));
        // 64 ulps around every edge, and the ends of every table entry's range.
        let vals: Vec<f32> = edges
            .iter()
            .flat_map(|&e| (-64..=64).map(move |k| near((e as f32).to_bits(), k)))
            .chain((0..F32_KEYS as u32).flat_map(|key| [near(key << 16, 0), near(key << 16, -1)]))
            .filter(|v| v.is_finite())
            .collect();
        let wide: Vec<f64> = vals.iter().map(|&v| f64::from(v)).collect();
        let mut got = vec![0u64; edges.len() + 2];
        f32::count_tensorflow(&vals, &mut got);
        assert_eq!(got, counts_by_search(&wide, edges));
    }

    #[test]
    fn fused_pass_counts_like_separate_passes() {
        let edges = tensorflow_edges();
        for n in [1usize, 7, 8, 9, 127, 128, 129, 1000, 4099] {
            // A spread of magnitudes and signs: i * 1.37^i alternating in sign.
            let v64: Vec<f64> = (0..n)
                .map(|i| {
                    let x = (i as f64 - 20.0) * 1.37f64.powi((i % 97) as i32 - 60);
                    if i % 3 == 0 {
                        -x
                    } else {
                        x
                    }
                })
                .collect();
            let v32: Vec<f32> = v64.iter().map(|&x| x as f32).collect();
            let mut want = vec![0u64; edges.len() + 2];
            f64::count_tensorflow(&v64, &mut want);
            let (s, got) = f64::stats_and_tensorflow_counts(&v64);
            assert_eq!(got, want, "f64 n={n}");
            assert_eq!(s.sum.to_bits(), stats(&v64).sum.to_bits());
            let mut want = vec![0u64; edges.len() + 2];
            f32::count_tensorflow(&v32, &mut want);
            let (s, got) = f32::stats_and_tensorflow_counts(&v32);
            assert_eq!(got, want, "f32 n={n}");
            assert_eq!(s.sum_squares.to_bits(), stats(&v32).sum_squares.to_bits());
        }
    }

    #[test]
    fn table_puts_nonfinite_in_its_own_slot() {
        let edges = tensorflow_edges();
        let mut got = vec![0u64; edges.len() + 2];
        f32::count_tensorflow(&[f32::NAN, f32::INFINITY, -f32::INFINITY, 1.0], &mut got);
        assert_eq!(got[edges.len() + 1], 3);
        assert_eq!(got.iter().sum::<u64>(), 4);
    }
}
