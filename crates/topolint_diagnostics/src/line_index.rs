use serde::Serialize;

/// Line starts of one text, for O(log n) offset -> line:column.
///
/// Built once per file (never per token: scanning from the start of the input for every
/// position makes a parser quadratic).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset at which each line starts; `line_starts[0] == 0`.
    line_starts: Vec<u32>,
    len: u32,
}

/// A position: `line` and `column` are 1-based; `column` counts Unicode scalar values,
/// `utf16_column` (0-based, as the LSP wants it) counts UTF-16 code units.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
    pub utf16_column: u32,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        // memchr's vectorised search: every file's index is built once at load, and a
        // byte loop was a visible share of loading small files.
        // Counted first, so that the list is allocated once at its size: it lives to the
        // end of the run, and grown by doubling it kept up to half of itself unused.
        let lines = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let mut line_starts = Vec::with_capacity(lines + 1);
        line_starts.push(0u32);
        line_starts.extend(
            memchr::memchr_iter(b'\n', text.as_bytes())
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        Self {
            line_starts,
            len: u32::try_from(text.len()).unwrap_or(u32::MAX),
        }
    }

    /// Number of lines (a text without a trailing newline still counts its last line).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 0-based line containing byte `offset` (offsets past the end map to the last line).
    pub fn line_of(&self, offset: u32) -> usize {
        let offset = offset.min(self.len);
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Byte offset of the start of 0-based `line`, if it exists.
    pub fn line_start(&self, line: usize) -> Option<u32> {
        self.line_starts.get(line).copied()
    }

    /// Byte range of 0-based `line`, without its line terminator.
    pub fn line_range(&self, line: usize, text: &str) -> Option<std::ops::Range<usize>> {
        let start = *self.line_starts.get(line)? as usize;
        let mut end = self
            .line_starts
            .get(line + 1)
            .map_or(text.len(), |e| *e as usize);
        let bytes = text.as_bytes();
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Some(start..end)
    }

    /// Line and columns of byte `offset` in `text` (the text this index was built from).
    /// An offset inside a multi-byte character counts as that character.
    pub fn line_col(&self, text: &str, offset: u32) -> LineCol {
        let offset = offset.min(self.len) as usize;
        let line = self.line_of(offset as u32);
        let start = self.line_starts[line] as usize;
        let mut column = 1u32;
        let mut utf16 = 0u32;
        if let Some(prefix) = text.get(start..offset.min(text.len())) {
            for ch in prefix.chars() {
                column += 1;
                utf16 += ch.len_utf16() as u32;
            }
        } else {
            // `offset` is not on a char boundary: count the chars that start before it.
            let slice = text.get(start..).unwrap_or("");
            for (i, ch) in slice.char_indices() {
                if start + i >= offset {
                    break;
                }
                column += 1;
                utf16 += ch.len_utf16() as u32;
            }
            column -= 1;
        }
        LineCol {
            line: line as u32 + 1,
            column,
            utf16_column: utf16,
        }
    }

    /// Byte offset of a 0-based `line` and UTF-16 `character` (an LSP position). A character
    /// past the end of the line maps to the end of the line.
    pub fn offset_of_utf16(&self, text: &str, line: u32, character: u32) -> u32 {
        let Some(range) = self.line_range(line as usize, text) else {
            return self.len;
        };
        let mut units = 0u32;
        for (i, ch) in text[range.clone()].char_indices() {
            if units >= character {
                return (range.start + i) as u32;
            }
            units += ch.len_utf16() as u32;
        }
        range.end as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_positions() {
        let text = "ab\ncd\n\nef";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(
            idx.line_col(text, 0),
            LineCol {
                line: 1,
                column: 1,
                utf16_column: 0
            }
        );
        assert_eq!(
            idx.line_col(text, 4),
            LineCol {
                line: 2,
                column: 2,
                utf16_column: 1
            }
        );
        assert_eq!(
            idx.line_col(text, 6),
            LineCol {
                line: 3,
                column: 1,
                utf16_column: 0
            }
        );
        assert_eq!(
            idx.line_col(text, 8),
            LineCol {
                line: 4,
                column: 2,
                utf16_column: 1
            }
        );
        // past the end clamps
        assert_eq!(idx.line_col(text, 999).line, 4);
    }

    #[test]
    fn non_ascii_columns_count_chars_and_utf16_units() {
        // "é" is 2 bytes / 1 UTF-16 unit; "😀" is 4 bytes / 2 UTF-16 units.
        let text = "x: é😀 backend:3000\n";
        let idx = LineIndex::new(text);
        let off = text.find("backend").unwrap() as u32;
        let lc = idx.line_col(text, off);
        assert_eq!(lc.line, 1);
        assert_eq!(lc.column, 7); // x : space é 😀 space -> 6 chars before
        assert_eq!(lc.utf16_column, 7); // 1+1+1+1+2+1
        assert_eq!(idx.offset_of_utf16(text, 0, 7), off);
    }

    #[test]
    fn crlf_line_ranges_exclude_terminator() {
        let text = "a;\r\nbb;\r\n";
        let idx = LineIndex::new(text);
        assert_eq!(&text[idx.line_range(1, text).unwrap()], "bb;");
    }

    #[test]
    fn offset_inside_multibyte_char() {
        let text = "é";
        let idx = LineIndex::new(text);
        let lc = idx.line_col(text, 1);
        assert_eq!(lc.column, 1);
    }
}
