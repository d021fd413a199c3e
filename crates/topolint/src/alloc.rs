//! The allocator: mimalloc, with a shrinking `realloc` that gives the memory back.
//!
//! mimalloc keeps a block in place when it is reallocated to at least half its size, so
//! `Vec::shrink_to_fit` and `String::shrink_to_fit` did nothing to a list that used half
//! of its room or more. The trees and the model shrink every list they keep to the end of
//! the run (a list grown by doubling is up to half unused): on the large corpus that slack
//! was about a sixth of the peak (docs/benchmarks.md). Here a shrink moves the contents to
//! a block of the smaller size whenever mimalloc has one (blocks up to 1 MiB); growing is
//! mimalloc's own.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};

use mimalloc::MiMalloc;

pub struct Allocator;

/// Hands the memory every thread has freed back to the system. mimalloc keeps a thread's
/// freed pages resident until that thread allocates again, and the loader's and linker's
/// threads drop the parse trees in bulk: on the large corpus 30-40 MiB stayed resident
/// after each such drop and added to the next step's peak. The linker calls this after it
/// drops the nginx trees and the compose trees, before the last stage and before the
/// rules (`LinkOptions::reclaim`), in runs large enough for it to pay off
/// ([`worth_reclaiming`]); a collection takes a few milliseconds.
pub fn reclaim() {
    // SAFETY: `mi_collect` may be called on any thread at any time.
    rayon::broadcast(|_| unsafe { libmimalloc_sys::mi_collect(true) });
    // SAFETY: as above, for the calling thread (not one of rayon's).
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// Whether [`reclaim`] pays off in a run over `ws`: only when its texts are many
/// megabytes. A collection hands pages back that a small run would soon fault in again,
/// and in a virtual machine a first touch costs a zeroing and a trap to the host: on
/// the 2,000 nginx files of the medium corpus (1.7 MB) the run's page faults went from
/// 1,090 to 430 without it, and the whole 10,000-file corpus (9.5 MB) ran faster with
/// the same peak. The 100,000-file corpus (95 MB) is where it lowers the peak.
pub fn worth_reclaiming(ws: &topolint_workspace::Workspace) -> bool {
    const RECLAIM_ABOVE: usize = 32 << 20;
    ws.sources.iter().map(|f| f.text.len()).sum::<usize>() > RECLAIM_ABOVE
}

/// Blocks larger than this shrink in place, as mimalloc does it: each has pages of its own,
/// and the part past the new size that was never written (the room of a list sized for an
/// upper bound) was never resident either; moving it would copy megabytes for nothing.
const IN_PLACE_ABOVE: usize = 1 << 20;

unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { MiMalloc.alloc(layout) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        unsafe { MiMalloc.alloc_zeroed(layout) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { MiMalloc.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > 0 && new_size < layout.size() && layout.size() <= IN_PLACE_ABOVE {
            // SAFETY: `ptr` is a live block of this allocator (GlobalAlloc's contract).
            let usable = unsafe { libmimalloc_sys::mi_usable_size(ptr.cast()) };
            // SAFETY: a pure function of its argument.
            let smaller_class = unsafe { libmimalloc_sys::mi_good_size(new_size) } < usable;
            if smaller_class {
                // SAFETY: `new_size` is non-zero and, with the block's alignment, was a
                // valid layout when the caller asked for it (GlobalAlloc's contract).
                let smaller =
                    unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
                let moved = unsafe { MiMalloc.alloc(smaller) };
                if !moved.is_null() {
                    // SAFETY: both blocks hold at least `new_size` bytes and are distinct.
                    unsafe {
                        std::ptr::copy_nonoverlapping(ptr, moved, new_size);
                        MiMalloc.dealloc(ptr, layout);
                    }
                }
                return moved;
            }
        }
        unsafe { MiMalloc.realloc(ptr, layout, new_size) }
    }
}

/// Ends the process with `code` at once, without the exit handlers: the caller has written
/// and flushed all its output. The handler that matters is mimalloc's: at exit it collects
/// every page of the main thread's heap and hands it back with `madvise`, work the kernel
/// does anyway when the process goes. With it, and with the run's trees and topology freed
/// on the way out, a run over the 2,000 nginx files of the medium corpus took 10-20 % longer
/// (docs/benchmarks.md); a check of an empty directory 1-2 ms longer.
pub fn exit(code: u8) -> ! {
    // SAFETY: `_exit` ends the process; nothing runs after it, so no invariant can break.
    // Standard output was flushed by the caller and standard error is unbuffered.
    unsafe { libc::_exit(i32::from(code)) }
}

#[cfg(test)]
mod tests {
    fn usable<T>(v: &[T]) -> usize {
        unsafe { libmimalloc_sys::mi_usable_size(v.as_ptr().cast()) }
    }

    /// This binary's tests run on this allocator: a list shrunk to 60 % of its room moves to
    /// a smaller block (plain mimalloc keeps the 4 KiB one), keeping its contents.
    #[test]
    fn shrinking_gives_memory_back() {
        let mut v: Vec<u32> = Vec::with_capacity(1024);
        v.extend(0..600);
        assert!(usable(&v) >= 4096);
        v.shrink_to_fit();
        assert!(usable(&v) < 3000, "{}", usable(&v));
        assert!(v.iter().copied().eq(0..600));
        let mut s = String::with_capacity(10_000);
        s.push_str(&"nginx ".repeat(1000));
        s.shrink_to_fit();
        assert!(usable(s.as_bytes()) < 7000);
        assert_eq!(s, "nginx ".repeat(1000));
        // Growing and small shrinks within one size stay mimalloc's.
        let mut w: Vec<u8> = Vec::with_capacity(100);
        w.extend(0..99);
        w.shrink_to_fit();
        w.extend(0..200);
        assert_eq!(w.len(), 299);
    }

    fn rss_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }

    /// Memory freed in bulk on the pool's threads goes back to the system on `reclaim`
    /// (mimalloc alone kept it resident), and the allocator works on afterwards.
    #[test]
    fn reclaim_gives_freed_pages_back() {
        use rayon::prelude::*;
        // 96 MiB in 16 KiB blocks, written so that every page is resident, then freed.
        let blocks: Vec<Vec<u8>> = (0..6144)
            .into_par_iter()
            .map(|i| vec![i as u8 | 1; 16 << 10])
            .collect();
        assert!(blocks.iter().all(|b| b[100] != 0));
        drop(blocks);
        let before = rss_kib();
        super::reclaim();
        let after = rss_kib();
        assert!(
            after + (48 << 10) < before,
            "RSS {before} KiB before reclaiming, {after} KiB after"
        );
        let again: Vec<Vec<u8>> = (0..64).map(|i| vec![i; 1 << 16]).collect();
        assert!(again.iter().enumerate().all(|(i, b)| b[1000] == i as u8));
    }
}
