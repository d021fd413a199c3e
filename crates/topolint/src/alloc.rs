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
}
