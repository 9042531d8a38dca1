//! The `copydesk` command. All work happens in the library; this file only
//! turns the CLI's result into an exit code: 0 clean, 1 findings, 2 error.

copydesk::use_jemalloc!();

fn main() {
    copydesk::process::disable_transparent_huge_pages();
    let code = copydesk::cli::run(std::env::args_os());
    std::process::exit(code);
}
