//! File-system views the lint jobs load through (over `topolint_workspace::OverlayFs`, the
//! open documents over the disk).

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use topolint_workspace::{FileSystem, ReadOutcome, WalkEntry, WalkOptions};

/// Records which files a walk found, so that a later edit can tell whether a file takes
/// part in the workspace at all (it may be ignored by `.gitignore`).
pub(crate) struct Recording<'a> {
    pub inner: &'a dyn FileSystem,
    pub walked: Mutex<BTreeSet<PathBuf>>,
}

impl FileSystem for Recording<'_> {
    fn read_limited(&self, path: &Path, limit: u64) -> io::Result<ReadOutcome> {
        self.inner.read_limited(path, limit)
    }
    fn is_file(&self, path: &Path) -> bool {
        self.inner.is_file(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.inner.is_dir(path)
    }
    fn glob(&self, pattern: &Path) -> Vec<PathBuf> {
        self.inner.glob(pattern)
    }
    fn walk(&self, root: &Path, options: WalkOptions) -> Vec<WalkEntry> {
        let out = self.inner.walk(root, options);
        if let Ok(mut walked) = self.walked.lock() {
            walked.extend(out.iter().filter_map(|e| match e {
                WalkEntry::File(p) => Some(p.clone()),
                WalkEntry::Error { .. } => None,
            }));
        }
        out
    }
}

/// A view in which walking any root finds one file only: loading the root through it
/// processes that file exactly as a full walk would (same classification of walked files),
/// without reading or parsing the others.
pub(crate) struct OnlyFile<'a> {
    pub inner: &'a dyn FileSystem,
    pub only: &'a Path,
}

impl FileSystem for OnlyFile<'_> {
    fn read_limited(&self, path: &Path, limit: u64) -> io::Result<ReadOutcome> {
        self.inner.read_limited(path, limit)
    }
    fn is_file(&self, path: &Path) -> bool {
        self.inner.is_file(path)
    }
    fn is_dir(&self, path: &Path) -> bool {
        self.inner.is_dir(path)
    }
    fn glob(&self, pattern: &Path) -> Vec<PathBuf> {
        self.inner.glob(pattern)
    }
    fn walk(&self, root: &Path, _options: WalkOptions) -> Vec<WalkEntry> {
        if self.only.starts_with(root) {
            vec![WalkEntry::File(self.only.to_path_buf())]
        } else {
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use topolint_workspace::MemoryFs;

    #[test]
    fn only_file_walks_one_file() {
        let mut disk = MemoryFs::new();
        disk.insert("/p/a.conf", "x;");
        disk.insert("/p/b.conf", "y;");
        let only = Path::new("/p/b.conf");
        let fs = OnlyFile { inner: &disk, only };
        assert_eq!(
            fs.walk(Path::new("/p"), WalkOptions::default()),
            [WalkEntry::File(only.to_path_buf())]
        );
        assert!(fs.walk(Path::new("/q"), WalkOptions::default()).is_empty());
        assert!(fs.is_file(Path::new("/p/a.conf")));
    }
}
