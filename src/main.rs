//! The `copydesk` command. All work happens in the library; this file only
//! turns the CLI's result into an exit code: 0 clean, 1 findings, 2 error.

/// mimalloc: per-thread free lists suit the per-document stages, which
/// allocate small vectors on every rayon worker at once.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    copydesk::process::disable_transparent_huge_pages();
    let code = copydesk::cli::run(std::env::args_os());
    std::process::exit(code);
}
