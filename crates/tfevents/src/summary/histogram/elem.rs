//! The number types the histogram code is compiled for.

/// A number type the histogram code is compiled for.
pub(super) trait Elem: Copy {
    /// The value as numpy's `astype(float)` gives it.
    fn to_f64(self) -> f64;
}

impl Elem for f32 {
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
}

macro_rules! impl_elem {
    ($($t:ty),*) => {$(
        impl Elem for $t {
            #[allow(clippy::cast_lossless, clippy::cast_precision_loss)]
            fn to_f64(self) -> f64 {
                self as f64
            }
        }
    )*};
}

impl_elem!(f64, i8, i16, i32, i64, u8, u16, u32, u64);
