use std::process::ExitCode;

/// Rendering allocates and frees many small objects (AST nodes, values,
/// strings); mimalloc makes that markedly cheaper than glibc malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Stack for the thread that runs the CLI: template recursion (`include`
/// up to Helm's 1000 levels, nested `tpl`) needs far more than the 8 MiB
/// main thread. Only touched pages are committed.
const CLI_STACK_BYTES: usize = 1 << 30;

fn main() -> ExitCode {
    match std::thread::Builder::new()
        .name("rudder".to_string())
        .stack_size(CLI_STACK_BYTES)
        .spawn(rudder_cli::run)
    {
        Ok(handle) => handle.join().unwrap_or(ExitCode::FAILURE),
        // Could not create the thread (e.g. a tight ulimit): run inline.
        Err(_) => rudder_cli::run(),
    }
}

#[path = "cli/mod.rs"]
mod rudder_cli;
