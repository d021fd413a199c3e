//! Findings as plain data.
//!
//! Everything that topolint reports — parse errors, skip notes, rule findings — is a
//! [`Diagnostic`]: a rule id, a [`Severity`], a message, a primary [`Label`] and any number
//! of secondary labels that may sit in *other* files, an optional `help`, and an optional
//! [`Fix`]. Locations are byte ranges ([`TextRange`]) into a file known by [`FileId`];
//! [`LineIndex`] turns them into line:column for humans (Unicode scalar columns) and for the
//! LSP (UTF-16 code units).
//!
//! This crate knows nothing about rendering: the CLI renders with miette, the LSP converts to
//! LSP types, SARIF/JSON serialize. Keeping the data type ours lets the renderers change.

mod diagnostic;
mod line_index;
mod source;

pub use diagnostic::{
    sort_and_dedup, Applicability, Diagnostic, Edit, Fix, Label, RuleId, Severity,
};
pub use line_index::{LineCol, LineIndex};
pub use source::{decode_preserving_offsets, FileId, SourceFile, SourceMap, SUBSTITUTE};

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` into one file's text.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct TextRange {
    pub start: u32,
    pub end: u32,
}

impl TextRange {
    /// A range; `end` is clamped so that `start <= end` always holds.
    pub fn new(start: u32, end: u32) -> Self {
        Self {
            start,
            end: end.max(start),
        }
    }

    /// An empty range at `offset`.
    pub fn empty(offset: u32) -> Self {
        Self {
            start: offset,
            end: offset,
        }
    }

    /// Builds a range from `usize` offsets, saturating at `u32::MAX`.
    pub fn from_usize(start: usize, end: usize) -> Self {
        let c = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        Self::new(c(start), c(end))
    }

    pub fn len(self) -> u32 {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn contains(self, offset: u32) -> bool {
        self.start <= offset && offset < self.end
    }

    /// The smallest range covering both.
    pub fn cover(self, other: TextRange) -> TextRange {
        TextRange::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// This range as `usize` offsets for slicing.
    pub fn as_usize(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// This range clamped to a text of `len` bytes.
    pub fn clamp_to(self, len: usize) -> TextRange {
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        TextRange::new(self.start.min(len), self.end.min(len))
    }
}

impl From<std::ops::Range<usize>> for TextRange {
    fn from(r: std::ops::Range<usize>) -> Self {
        TextRange::from_usize(r.start, r.end)
    }
}
