//! The `copydesk` command. All work happens in the library; this file only
//! turns the CLI's result into an exit code: 0 clean, 1 findings, 2 error.

/// mimalloc: per-thread free lists suit the per-document stages, which
/// allocate small vectors on every rayon worker at once.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    use_huge_pages();
    let code = copydesk::cli::run(std::env::args_os());
    std::process::exit(code);
}

/// Lets mimalloc back its arenas with huge pages where the kernel offers
/// them (transparent huge pages in `madvise` mode, the usual default). A scan
/// keeps hundreds of megabytes of per-document data, and touching each fresh
/// 4 KiB page costs a kernel fault: on a 195 MB corpus that was a third of
/// the document-level scan's time (`make bench` with and without).
fn use_huge_pages() {
    // SAFETY: sets one integer in mimalloc's option table; mimalloc reads it
    // whenever it next maps memory, and nothing else is running yet.
    unsafe { libmimalloc_sys::mi_option_set(libmimalloc_sys::mi_option_large_os_pages, 1) };
}
