//! Process-wide settings and readings for programs built on the library
//! (the `copydesk` binary, the benches and examples). The library's own
//! stages never call anything here: a library does not change how its host
//! process pages memory.

/// The allocator of the programs built on the library: jemalloc.
///
/// A scan holds every document's analysis while it frees what each stage
/// made of it, small vectors by the million on every worker. jemalloc
/// packs them tighter than mimalloc did: on synthetic news the default
/// scan's peak was a tenth to a fifth lower at about the same CPU time
/// (ARCHITECTURE.md).
#[cfg(not(target_env = "msvc"))]
pub use tikv_jemallocator::Jemalloc;

/// jemalloc's settings, read when it starts: a background thread gives
/// freed memory back to the system a second after it was freed, and at
/// once rather than in a second step, so that the next stage's allocations
/// reuse it instead of adding to the peak.
pub const JEMALLOC_CONF: &[u8; 60] = b"background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0\0";

/// Makes [`Jemalloc`] the program's global allocator, with
/// [`JEMALLOC_CONF`]: one line at the top of each binary. With MSVC,
/// where jemalloc does not build, it leaves the system allocator.
#[macro_export]
macro_rules! use_jemalloc {
    () => {
        #[cfg(not(target_env = "msvc"))]
        #[global_allocator]
        static GLOBAL: $crate::process::Jemalloc = $crate::process::Jemalloc;

        // The symbol jemalloc reads its settings from (its names carry
        // the `_rjem_` prefix, so they never meet the C library's).
        #[cfg(not(target_env = "msvc"))]
        #[allow(non_upper_case_globals)]
        #[unsafe(export_name = "_rjem_malloc_conf")]
        static malloc_conf: &[u8; 60] = $crate::process::JEMALLOC_CONF;
    };
}

/// Turns transparent huge pages off for this process (Linux; elsewhere it
/// does nothing).
///
/// A scan allocates a few hundred megabytes of per-document vectors spread
/// over the allocator's size classes. With transparent huge pages each first touch
/// of a 2 MiB region zeroes all of it, and under memory fragmentation the
/// kernel compacts memory synchronously before it grants one: on the 195 MB
/// synthetic corpus the document-level scan took 1.1-1.3 s with huge pages
/// and 0.85-0.95 s without (interleaved runs, 2 threads; ARCHITECTURE.md).
pub fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and changes a
    // flag of this process's address space; nothing is read or written
    // through a pointer.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// CPU seconds this process has used so far (user + system, all threads),
/// from `/proc/self/stat`; 0 where there is no such file. On a shared
/// machine, where other guests take cycles, work per CPU-second is steadier
/// than work per wall-clock second.
pub fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the
    // 12th and 13th of them, in clock ticks (100 per second on Linux).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}
