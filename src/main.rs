use std::process::ExitCode;

/// Rendering allocates and frees many small objects (AST nodes, values,
/// strings); mimalloc makes that markedly cheaper than glibc malloc.
/// `--cfg rudder_sysalloc` builds with the system allocator instead, for
/// heap profilers that hook malloc (heaptrack, massif); they preload a
/// library, so link dynamically too (`RUDDER_LINK_DYNAMIC=1`, see
/// layout/link.py).
#[cfg(not(rudder_sysalloc))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(not(rudder_sysalloc))]
mod allocator_options {
    /// mimalloc's `mi_option_purge_delay` and `mi_option_arena_purge_mult`
    /// (indexes in `mi_option_e` of the bundled mimalloc v3 header).
    const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;
    const MI_OPTION_ARENA_PURGE_MULT: std::ffi::c_int = 24;

    extern "C" {
        fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
    }

    /// Return freed memory to the OS after 1 ms instead of mimalloc's
    /// default 10 ms: rendering frees large buffers (archive, sources,
    /// output) while the peak is still ahead, and the delay made peak RSS
    /// ~30% higher than glibc's on kube-prometheus-stack --include-crds for
    /// no measurable speed.
    ///
    /// Pages a thread gives back to the arena are purged after 1 ms too
    /// (the arena delay is the purge delay times this multiplier, 10 by
    /// default): the parsing and head-parsing threads free their pages
    /// while the main thread's peak is still ahead. The default cost ~1 MiB
    /// of peak RSS on argo-cd; purging at once (0) cost 2-4 ms of CPU per
    /// run in `madvise` and its TLB shootdowns, for 0.1-0.7 MiB less peak
    /// than 1 ms (25 interleaved runs, session 17).
    pub fn tune() {
        // SAFETY: mi_option_set only stores an option value; it is safe to
        // call at any time from any thread.
        unsafe {
            mi_option_set(MI_OPTION_PURGE_DELAY, 1);
            mi_option_set(MI_OPTION_ARENA_PURGE_MULT, 1);
        }
    }
}

#[cfg(rudder_sysalloc)]
mod allocator_options {
    pub fn tune() {}
}

/// Stack for the thread that runs the CLI: template recursion (`include`
/// up to Helm's 1000 levels, nested `tpl`) needs far more than the 8 MiB
/// main thread. Only touched pages are committed.
const CLI_STACK_BYTES: usize = 1 << 30;

fn main() -> ExitCode {
    allocator_options::tune();
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

/// `memcpy`, `memmove` and `memset` for musl builds (see there).
#[cfg(any(target_env = "musl", test))]
mod musl_memory;
