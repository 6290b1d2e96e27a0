//! How the process's allocator treats large blocks.
//!
//! glibc's malloc raises its mmap threshold each time a large block is
//! freed (up to 32 MiB), so after the first argon2id verification (19 MiB)
//! every later one is carved from the heap, and the heap fragments: freed
//! 19 MiB holes are split by small allocations and the next hash extends the
//! heap again. Measured with `tests/api/login_flood.rs`: 300 parallel logins for
//! unknown emails, 4 hashes at a time, still took the server from 40 MiB to
//! 572 MiB (985 MiB with one arena). A fixed threshold turns that dynamic
//! adjustment off: blocks of 1 MiB and more are mapped on their own and
//! returned to the system when freed, so peak memory follows the blocks
//! live at once (116 MiB in the same flood).

/// Blocks at least this large get their own mapping.
pub const MMAP_THRESHOLD_BYTES: i32 = 1024 * 1024;

/// Fixes glibc's mmap threshold (a no-op with other C libraries).
pub fn fix_large_allocations() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called once at the
    // start of main, before any thread is spawned.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
    }
}

/// Returns the heap's free memory to the system (glibc `malloc_trim`; a
/// no-op elsewhere). Called after a statement upload or a report build: the
/// many small blocks of its rows and transactions are freed, but without a
/// trim they stay in the process's arenas and its resident memory stays at
/// the high-water mark of the largest build. Measured with
/// `tests/api/uploads.rs`.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it is
    // thread-safe (it takes each arena's lock).
    unsafe {
        libc::malloc_trim(0);
    }
}
