//! Process-wide settings and readings for programs built on the library
//! (the `copydesk` binary, the benches and examples). The library's own
//! stages never call anything here: a library does not change how its host
//! process pages memory.

/// Turns transparent huge pages off for this process (Linux; elsewhere it
/// does nothing).
///
/// A scan allocates a few hundred megabytes of per-document vectors spread
/// over mimalloc's size classes. With transparent huge pages each first touch
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
