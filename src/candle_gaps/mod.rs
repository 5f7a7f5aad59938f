//! The candle operations this crate replaces, each with the candle behaviour it works around,
//! so that a workaround can be dropped once candle catches up.
//!
//! | here | candle 0.11 | what we do instead |
//! |---|---|---|
//! | [`conv2d`] | `Tensor::conv2d`'s backward always computes the input gradient with a direct `conv_transpose2d` loop, even for an input batch that needs none (the first layer's images) | im2col + gemm in both directions on the CPU; the input gradient is a gemm too, and skipped when nothing asks for it. Other devices call candle's `conv2d`. |
//! | [`pool2d`] ([`max_pool2d`], [`avg_pool2d`]) | `max_pool2d`/`avg_pool2d` cannot backpropagate when the stride differs from the kernel (AlexNet pools 3x3 with stride 2), and the max-pool gradient is split between tied maxima | PyTorch's semantics for any kernel, stride and padding: the gradient of a window goes to its first maximum; average pooling counts padding cells |
//! | [`keep_freed_buffers`] | every op's result (and every accumulated gradient) is a fresh buffer; glibc unmaps large ones on free, so each step page-faults its working set in again | raise glibc's mmap and trim thresholds once, at the start of `main` |
//! | [`adaptive_avg_pool2d`] | no adaptive pooling | PyTorch's window rule (`floor(i * in / out)` to `ceil((i + 1) * in / out)`) |

mod alloc;
mod conv;
mod pool;

pub use alloc::keep_freed_buffers;
pub use conv::conv2d;
pub use pool::{adaptive_avg_pool2d, avg_pool2d, max_pool2d, pool2d, PoolMode};
