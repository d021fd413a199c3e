use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use crate::{LineCol, LineIndex, TextRange};

/// Index of a file in a [`SourceMap`]. Ids are assigned in sorted path order by the
/// workspace loader, so they are the same on every run and thread count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FileId(pub u32);

/// One file's text and its line index.
///
/// `text` always has the same byte length as the file on disk: bytes that are not valid
/// UTF-8 are replaced one-for-one by U+001A (SUBSTITUTE), so every offset still points at
/// the same byte of the original file.
#[derive(Clone, Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// The path as given or discovered (used to read includes, for example).
    pub path: PathBuf,
    /// The path shown to users: relative to the working directory when possible, `/` separated.
    pub display: String,
    pub text: Arc<str>,
    /// Built when first needed ([`SourceFile::line_index`]); a one-shot run drops it once
    /// the model's spans are made ([`SourceFile::release_line_index`]) and only the files
    /// with findings build it again.
    line_index: OnceLock<LineIndex>,
    /// Byte offset of the first byte that was not valid UTF-8, if any.
    pub first_invalid_utf8: Option<u32>,
}

/// The byte used in place of each byte that is not valid UTF-8.
pub const SUBSTITUTE: char = '\u{1a}';

impl SourceFile {
    pub fn new(id: FileId, path: PathBuf, display: String, text: Arc<str>) -> Self {
        Self {
            id,
            path,
            display,
            text,
            line_index: OnceLock::new(),
            first_invalid_utf8: None,
        }
    }

    /// Where each line starts; built on first use.
    pub fn line_index(&self) -> &LineIndex {
        self.line_index.get_or_init(|| LineIndex::new(&self.text))
    }

    /// Drops the line index; it is built again if asked for. On a large repository the
    /// indexes are megabytes that only the files with findings need after linking.
    pub fn release_line_index(&mut self) {
        self.line_index.take();
    }

    /// Decodes `bytes` as UTF-8, substituting each invalid byte with one U+001A byte so that
    /// offsets keep mapping to the original bytes.
    pub fn from_bytes(id: FileId, path: PathBuf, display: String, bytes: Vec<u8>) -> Self {
        let (text, first_invalid) = decode_preserving_offsets(bytes);
        let mut file = Self::new(id, path, display, text.into());
        file.first_invalid_utf8 = first_invalid;
        file
    }

    pub fn line_col(&self, offset: u32) -> LineCol {
        self.line_index().line_col(&self.text, offset)
    }

    /// The text of `range`, or "" when the range is out of bounds or not on char boundaries.
    pub fn slice(&self, range: TextRange) -> &str {
        self.text.get(range.as_usize()).unwrap_or("")
    }

    pub fn len(&self) -> u32 {
        u32::try_from(self.text.len()).unwrap_or(u32::MAX)
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Decodes bytes as UTF-8 with offset-preserving substitution; returns the text and the
/// offset of the first invalid byte.
pub fn decode_preserving_offsets(bytes: Vec<u8>) -> (String, Option<u32>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let bytes = e.into_bytes();
            let mut out = String::with_capacity(bytes.len());
            let mut first = None;
            let mut rest = &bytes[..];
            let mut consumed = 0usize;
            loop {
                match std::str::from_utf8(rest) {
                    Ok(s) => {
                        out.push_str(s);
                        break;
                    }
                    Err(err) => {
                        let valid = err.valid_up_to();
                        // SAFETY-free: `valid_up_to` guarantees this prefix is UTF-8.
                        out.push_str(std::str::from_utf8(&rest[..valid]).unwrap_or_default());
                        let bad = err.error_len().unwrap_or(rest.len() - valid);
                        first.get_or_insert(u32::try_from(consumed + valid).unwrap_or(u32::MAX));
                        for _ in 0..bad {
                            out.push(SUBSTITUTE);
                        }
                        consumed += valid + bad;
                        rest = &rest[valid + bad..];
                    }
                }
            }
            (out, first)
        }
    }
}

/// All files of one run, by [`FileId`].
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `additional` more files, exactly (a loader that knows how many it has).
    pub fn reserve_exact(&mut self, additional: usize) {
        self.files.reserve_exact(additional);
    }

    pub fn shrink_to_fit(&mut self) {
        self.files.shrink_to_fit();
    }

    /// Drops every file's line index ([`SourceFile::release_line_index`]).
    pub fn release_line_indexes(&mut self) {
        self.files
            .iter_mut()
            .for_each(SourceFile::release_line_index);
    }

    /// Adds a file and returns its id (ids are dense, in insertion order).
    pub fn add(&mut self, path: PathBuf, display: String, bytes: Vec<u8>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files
            .push(SourceFile::from_bytes(id, path, display, bytes));
        id
    }

    /// Adds a file built elsewhere (e.g. in parallel), giving it the next id.
    pub fn push(&mut self, mut file: SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        file.id = id;
        self.files.push(file);
        id
    }

    /// Adds an already decoded file.
    pub fn add_text(&mut self, path: PathBuf, display: String, text: Arc<str>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile::new(id, path, display, text));
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn get_mut(&mut self, id: FileId) -> Option<&mut SourceFile> {
        self.files.get_mut(id.0 as usize)
    }

    /// Panics on an id from another map: ids are only minted by `add`.
    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn find_by_path(&self, path: &Path) -> Option<FileId> {
        self.files.iter().find(|f| f.path == path).map(|f| f.id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_keeps_offsets() {
        let bytes = b"server_name caf\xe9;\nlisten 80;\n".to_vec();
        let len = bytes.len();
        let f = SourceFile::from_bytes(FileId(0), "a.conf".into(), "a.conf".into(), bytes);
        assert_eq!(f.text.len(), len);
        assert_eq!(f.first_invalid_utf8, Some(15));
        let listen = f.text.find("listen").unwrap();
        assert_eq!(listen, 18);
        assert_eq!(f.line_col(listen as u32).line, 2);
    }

    #[test]
    fn line_index_is_built_on_demand_and_again_after_release() {
        let mut f = SourceFile::new(
            FileId(3),
            "a.yaml".into(),
            "a.yaml".into(),
            Arc::from("a: 1\nb: 2\n\nc: 3\n"),
        );
        assert!(f.line_index.get().is_none(), "nothing built before use");
        let c = f.text.find('c').unwrap() as u32;
        let first = f.line_col(c);
        assert_eq!((first.line, first.column), (4, 1));
        assert!(f.line_index.get().is_some());
        f.release_line_index();
        assert!(f.line_index.get().is_none(), "released");
        assert_eq!(f.line_col(c), first);
        assert_eq!(f.line_index().line_of(c), 3);
        let mut map = SourceMap::new();
        map.push(f);
        map.release_line_indexes();
        assert!(map.files.iter().all(|f| f.line_index.get().is_none()));
    }

    #[test]
    fn truncated_multibyte_at_end() {
        let (text, first) = decode_preserving_offsets(b"ab\xe2\x82".to_vec());
        assert_eq!(text.len(), 4);
        assert_eq!(first, Some(2));
    }
}
