//! The `copydesk` command. All work happens in the library; this file only
//! turns the CLI's result into an exit code: 0 clean, 1 findings, 2 error.

fn main() {
    let code = copydesk::cli::run(std::env::args_os());
    std::process::exit(code);
}
