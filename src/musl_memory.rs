//! `memcpy`, `memmove` and `memset` for the static musl build.
//!
//! musl's x86_64 `memcpy` aligns the destination with a byte loop and then
//! copies with `rep movsq`: fine for big blocks, slow for the short and
//! medium copies Rust code makes by the million (vectors growing, strings
//! pushed, tokens moved). On kube-prometheus-stack it was ~6 ms of CPU a
//! run, against ~1.6 ms for glibc's `memcpy`. These use `rep movsb` and
//! `rep stosb`, which CPUs with fast short string moves (FSRM, as on these
//! machines) run fast at any length; elsewhere short copies cost more but
//! stay correct. `memmove` (forward copies go to `memcpy`) and `memset`
//! are replaced with them so that all three take the same path; only
//! `memcpy` was measured on its own. The linker takes these instead of
//! musl's, which live in their own archive members.
//!
//! They are written in assembly because the compiler turns a copying loop
//! back into a call to `memcpy`, which here would be the function itself.
//!
//! The default build links glibc (see layout/link.py), whose own versions
//! are fast; the module is compiled for musl builds, and for the tests
//! below on any target.

use std::arch::asm;
use std::ffi::c_void;

/// # Safety
/// The C contract: `dst` and `src` valid for `n` bytes, not overlapping.
#[cfg_attr(target_env = "musl", no_mangle)]
pub unsafe extern "C" fn memcpy(dst: *mut c_void, src: *const c_void, n: usize) -> *mut c_void {
    // SAFETY: the caller's contract; `rep movsb` copies `n` bytes forward.
    unsafe {
        asm!(
            "rep movsb",
            inout("rcx") n => _,
            inout("rdi") dst => _,
            inout("rsi") src => _,
            options(nostack, preserves_flags)
        );
    }
    dst
}

/// # Safety
/// The C contract: `dst` and `src` valid for `n` bytes; they may overlap.
#[cfg_attr(target_env = "musl", no_mangle)]
pub unsafe extern "C" fn memmove(dst: *mut c_void, src: *const c_void, n: usize) -> *mut c_void {
    let (d, s) = (dst as usize, src as usize);
    if d.wrapping_sub(s) >= n {
        // The destination starts before the source or past its end: a
        // forward copy never overwrites bytes it has still to read.
        // SAFETY: as for `memcpy`, in the order that is safe here.
        return unsafe { memcpy(dst, src, n) };
    }
    // The destination overlaps the end of the source: copy backwards, eight
    // bytes at a time from the end, then the bytes left at the start.
    // SAFETY: the caller's contract; every access is within the `n` bytes
    // of `src` and `dst`, and each word is read before it is overwritten.
    unsafe {
        let tail = n % 8;
        asm!(
            "2:",
            "test {w}, {w}",
            "jz 3f",
            "dec {w}",
            "mov {t}, qword ptr [{sw} + {w}*8]",
            "mov qword ptr [{dw} + {w}*8], {t}",
            "jmp 2b",
            "3:",
            "test {tail}, {tail}",
            "jz 4f",
            "dec {tail}",
            "movzx {t:e}, byte ptr [{s} + {tail}]",
            "mov byte ptr [{d} + {tail}], {t:l}",
            "jmp 3b",
            "4:",
            w = inout(reg) n / 8 => _,
            tail = inout(reg) tail => _,
            sw = in(reg) s + tail,
            dw = in(reg) d + tail,
            s = in(reg) s,
            d = in(reg) d,
            t = out(reg) _,
            options(nostack)
        );
    }
    dst
}

/// # Safety
/// The C contract: `dst` valid for `n` bytes.
#[cfg_attr(target_env = "musl", no_mangle)]
pub unsafe extern "C" fn memset(dst: *mut c_void, byte: i32, n: usize) -> *mut c_void {
    // SAFETY: the caller's contract; `rep stosb` stores `n` bytes forward.
    unsafe {
        asm!(
            "rep stosb",
            inout("rcx") n => _,
            inout("rdi") dst => _,
            in("al") byte as u8,
            options(nostack, preserves_flags)
        );
    }
    dst
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every length and overlap within a small buffer, against a copy made
    /// through the standard library (which calls the C library's functions).
    #[test]
    fn copies_match_the_standard_library() {
        let base: Vec<u8> = (0..96u8)
            .map(|b| b.wrapping_mul(37).wrapping_add(11))
            .collect();
        for n in 0..40 {
            for src in 0..24 {
                for dst in 0..24 {
                    let mut ours = base.clone();
                    let mut std_copy = base.clone();
                    std_copy.copy_within(src..src + n, dst);
                    // SAFETY: both ranges lie within the 96-byte buffer.
                    unsafe {
                        let p = ours.as_mut_ptr();
                        memmove(p.add(dst).cast(), p.add(src).cast(), n);
                    }
                    assert_eq!(ours, std_copy, "memmove n={n} src={src} dst={dst}");
                    if src + n <= dst || dst + n <= src {
                        let mut ours = base.clone();
                        // SAFETY: disjoint ranges within the buffer.
                        unsafe {
                            let p = ours.as_mut_ptr();
                            memcpy(p.add(dst).cast(), p.add(src).cast(), n);
                        }
                        assert_eq!(ours, std_copy, "memcpy n={n} src={src} dst={dst}");
                    }
                }
            }
        }
    }

    #[test]
    fn sets_exactly_the_bytes_asked_for() {
        for n in 0..40 {
            for at in 0..8 {
                let mut buf = vec![0u8; 56];
                // SAFETY: `at + n` is within the buffer.
                let ret = unsafe { memset(buf.as_mut_ptr().add(at).cast(), 0x1ab, n) };
                assert_eq!(ret, buf[at..].as_ptr() as *mut c_void);
                for (i, b) in buf.iter().enumerate() {
                    let want = if (at..at + n).contains(&i) { 0xab } else { 0 };
                    assert_eq!(*b, want, "n={n} at={at} i={i}");
                }
            }
        }
    }
}
