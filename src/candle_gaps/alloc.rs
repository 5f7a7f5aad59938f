//! glibc's allocator against candle's fresh buffer per op.

/// Keeps glibc's allocator from returning every large tensor buffer to the kernel.
///
/// candle allocates a fresh buffer for every op's result (and, in `backward()`, a zeroed one
/// for every gradient it accumulates). glibc serves large requests with `mmap` and unmaps them
/// on free, so each training step page-faults its working set in again: on the DQN example
/// that is a third of the step's time, spent in the kernel, and it is most of what backward
/// hooks cost (each hooked tensor adds a copy and a gradient buffer). This raises glibc's mmap
/// and trim thresholds so that freed buffers stay in the heap and are reused.
///
/// Call it once at the start of `main`, before the first tensor is made. It changes nothing
/// on other platforms or C libraries and returns whether the settings took. Memory freed by the
/// process is then kept for reuse rather than handed back to the system, so the resident size
/// stays at the peak of the run.
///
/// ```
/// candle_tensorboard::candle_gaps::keep_freed_buffers();
/// ```
pub fn keep_freed_buffers() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // 32 MiB is the largest mmap threshold glibc accepts on 64-bit systems.
        const MMAP_THRESHOLD: libc::c_int = 32 << 20;
        const TRIM_THRESHOLD: libc::c_int = 1 << 30;
        // SAFETY: mallopt only changes allocator parameters; it is thread-safe in glibc and
        // does not touch memory already handed out.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                && libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}
