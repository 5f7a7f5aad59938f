//! Allocator tuning for CPU training loops.

/// Keeps glibc's allocator from returning every large tensor buffer to the kernel.
///
/// candle allocates a fresh buffer for every op's result. glibc serves large requests with
/// `mmap` and unmaps them on free, so each training step page-faults its working set in
/// again: on the DQN example that is a third of the step's time, spent in the kernel. This
/// raises glibc's mmap and trim thresholds so that freed buffers stay in the heap and are
/// reused. Call it once at the start of `main`; it changes nothing on other platforms and
/// returns whether the settings took.
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
