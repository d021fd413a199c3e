//! The file-system boundary. Everything below the CLI and the LSP reads files through
//! [`FileSystem`], so the LSP can overlay open documents and tests can run on an in-memory
//! tree ([`MemoryFs`]).

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What one read gave.
#[derive(Debug)]
pub enum ReadOutcome {
    Bytes(Vec<u8>),
    /// The file is larger than the limit; it was not read. Carries the size seen.
    TooLarge(u64),
}

/// One entry produced by a directory walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WalkEntry {
    File(PathBuf),
    /// Something that could not be walked: a symlink loop, a permission error, ...
    Error {
        path: PathBuf,
        message: String,
    },
}

/// How to walk directories.
#[derive(Debug, Clone, Copy, Default)]
pub struct WalkOptions {
    /// Ignore `.gitignore`, `.ignore` and git's exclude files.
    pub no_ignore: bool,
}

/// Directories never entered, whatever the ignore files say.
pub const ALWAYS_SKIPPED_DIRS: &[&str] = &[".git", ".hg", ".svn", "node_modules"];

pub trait FileSystem: Send + Sync {
    /// Reads at most `limit` bytes; a larger file is reported as [`ReadOutcome::TooLarge`]
    /// without being read whole.
    fn read_limited(&self, path: &Path, limit: u64) -> io::Result<ReadOutcome>;
    fn is_file(&self, path: &Path) -> bool;
    fn is_dir(&self, path: &Path) -> bool;
    /// Files matching a glob pattern (`*`, `?`, `[...]`), sorted, with a leading `.` only
    /// matched literally — as nginx's `glob(3)` does.
    fn glob(&self, pattern: &Path) -> Vec<PathBuf>;
    /// Every file under `root`, sorted by path.
    fn walk(&self, root: &Path, options: WalkOptions) -> Vec<WalkEntry>;
    /// Calls `each` for every entry [`FileSystem::walk`] gives, from any thread and in no
    /// particular order, possibly while the walk is still going (the loader reads and parses
    /// files as they are found). By default, after [`FileSystem::walk`], in parallel.
    fn walk_each(&self, root: &Path, options: WalkOptions, each: &(dyn Fn(WalkEntry) + Sync)) {
        use rayon::prelude::*;
        self.walk(root, options).into_par_iter().for_each(each);
    }
    /// Whether one walk gives each path at most once, so that the loader need not drop
    /// duplicates (a set of every path found). Only [`RealFs`] promises it: the in-memory
    /// file system keeps paths as given (`r/a` and `r/./a`), and an overlay's open document
    /// can be deleted from the disk between the base walk and the overlay's own check.
    fn walk_finds_each_path_once(&self) -> bool {
        false
    }
}

/// The real file system. Walks with the `ignore` crate (respects `.gitignore` unless told
/// not to, follows symlinks and reports loops instead of entering them).
#[derive(Debug, Default, Clone, Copy)]
pub struct RealFs;

impl FileSystem for RealFs {
    fn read_limited(&self, path: &Path, limit: u64) -> io::Result<ReadOutcome> {
        let file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(io::Error::other("is a directory"));
        }
        if meta.is_file() && meta.len() > limit {
            return Ok(ReadOutcome::TooLarge(meta.len()));
        }
        // A regular file is read as it was when its size was taken: exactly that many
        // bytes, in one `read` (a file that grows meanwhile is read as if a moment
        // earlier; one that shrinks ends at its end). Other files report no useful size
        // (special files say 0): read one byte more than the limit at most.
        let cap = if meta.is_file() && meta.len() > 0 {
            meta.len()
        } else {
            limit.saturating_add(1)
        };
        let mut bytes = Vec::with_capacity(meta.len().min(limit) as usize);
        file.take(cap).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > limit {
            return Ok(ReadOutcome::TooLarge(meta.len().max(bytes.len() as u64)));
        }
        Ok(ReadOutcome::Bytes(bytes))
    }

    fn is_file(&self, path: &Path) -> bool {
        path.is_file()
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }

    fn glob(&self, pattern: &Path) -> Vec<PathBuf> {
        let Some(pattern) = pattern.to_str() else {
            return Vec::new();
        };
        let options = glob::MatchOptions {
            case_sensitive: true,
            require_literal_separator: true,
            require_literal_leading_dot: true,
        };
        // The usual include (`conf.d/*.conf`) has wildcards in the file name only: list that
        // one directory and match the names with the same pattern semantics. `glob_with`
        // checks every literal component of the path on the way, a dozen `stat`s per
        // include, which was a visible share of an nginx-heavy run.
        let path = Path::new(pattern);
        if let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str()))
        {
            let dir_text = dir.to_string_lossy();
            if !dir_text.contains(['*', '?', '[']) && !dir.as_os_str().is_empty() {
                let Ok(name_pattern) = glob::Pattern::new(name) else {
                    return Vec::new();
                };
                let Ok(entries) = std::fs::read_dir(dir) else {
                    return Vec::new();
                };
                let mut out: Vec<PathBuf> = entries
                    .filter_map(Result::ok)
                    .filter(|e| {
                        e.file_name()
                            .to_str()
                            .is_some_and(|n| name_pattern.matches_with(n, options))
                    })
                    // The entry's type comes with the listing: only a link needs a `stat`.
                    .filter(|e| match e.file_type() {
                        Ok(t) if t.is_symlink() => e.path().is_file(),
                        Ok(t) => t.is_file(),
                        Err(_) => false,
                    })
                    .map(|e| e.path())
                    .collect();
                out.sort();
                return out;
            }
        }
        let Ok(paths) = glob::glob_with(pattern, options) else {
            return Vec::new();
        };
        let mut out: Vec<PathBuf> = paths
            .filter_map(Result::ok)
            .filter(|p| p.is_file())
            .collect();
        out.sort();
        out
    }

    fn walk(&self, root: &Path, options: WalkOptions) -> Vec<WalkEntry> {
        let found = std::sync::Mutex::new(Vec::new());
        self.walk_each(root, options, &|item| {
            found
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(item);
        });
        let mut out = found
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        out.sort_by(|a, b| {
            entry_path(a)
                .cmp(entry_path(b))
                .then_with(|| entry_message(a).cmp(entry_message(b)))
        });
        out
    }

    /// Each path is its directory's path joined with one name from one listing, and a
    /// symbolic link loop is an error, not a second visit.
    fn walk_finds_each_path_once(&self) -> bool {
        true
    }

    fn walk_each(&self, root: &Path, options: WalkOptions, each: &(dyn Fn(WalkEntry) + Sync)) {
        let respect = !options.no_ignore;
        let mut builder = ignore::WalkBuilder::new(root);
        builder
            .hidden(false)
            .follow_links(true)
            .ignore(respect)
            .git_ignore(respect)
            .git_global(respect)
            .git_exclude(respect)
            .parents(respect)
            .require_git(false)
            // One thread budget for the whole run: as many walkers as rayon has workers
            // (`RAYON_NUM_THREADS=1` makes the whole run sequential).
            .threads(walker_threads())
            .filter_entry(|e| {
                !(e.file_type().is_some_and(|t| t.is_dir())
                    && ALWAYS_SKIPPED_DIRS.iter().any(|d| e.file_name() == *d))
            });
        // The parallel walker: discovery is one of the few sequential-looking stages of a
        // run (a directory per stack); `each` runs on the walker's threads, so the loader's
        // reading and parsing overlaps the walk.
        builder.build_parallel().run(|| {
            Box::new(move |entry| {
                let item = match entry {
                    Ok(e) => e
                        .file_type()
                        .is_some_and(|t| t.is_file())
                        .then(|| WalkEntry::File(e.into_path())),
                    Err(err) => Some(walk_error(root, &err)),
                };
                if let Some(item) = item {
                    each(item);
                }
                ignore::WalkState::Continue
            })
        });
    }
}

fn entry_message(e: &WalkEntry) -> &str {
    match e {
        WalkEntry::File(_) => "",
        WalkEntry::Error { message, .. } => message,
    }
}

fn entry_path(e: &WalkEntry) -> &Path {
    match e {
        WalkEntry::File(p) | WalkEntry::Error { path: p, .. } => p,
    }
}

fn walk_error(root: &Path, err: &ignore::Error) -> WalkEntry {
    fn find(err: &ignore::Error) -> Option<(PathBuf, String)> {
        match err {
            ignore::Error::Loop { ancestor, child } => Some((
                child.clone(),
                format!(
                    "symbolic link loop: `{}` points back to `{}`; not followed",
                    child.display(),
                    ancestor.display()
                ),
            )),
            ignore::Error::WithPath { path, err } => {
                find(err).or_else(|| Some((path.clone(), err.to_string())))
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                find(err)
            }
            ignore::Error::Partial(errs) => errs.first().and_then(find),
            _ => None,
        }
    }
    let (path, message) = find(err).unwrap_or_else(|| (root.to_path_buf(), err.to_string()));
    WalkEntry::Error { path, message }
}

/// An in-memory file system for tests and for editor overlays. Paths are used as given;
/// directories exist implicitly as prefixes of file paths.
#[derive(Debug, Default, Clone)]
pub struct MemoryFs {
    files: BTreeMap<PathBuf, Vec<u8>>,
}

impl MemoryFs {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn insert(&mut self, path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) {
        self.files.insert(path.into(), bytes.into());
    }
}

impl FileSystem for MemoryFs {
    fn read_limited(&self, path: &Path, limit: u64) -> io::Result<ReadOutcome> {
        let bytes = self
            .files
            .get(path)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no such file"))?;
        if bytes.len() as u64 > limit {
            return Ok(ReadOutcome::TooLarge(bytes.len() as u64));
        }
        Ok(ReadOutcome::Bytes(bytes.clone()))
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.files.keys().any(|p| p.starts_with(path) && p != path)
    }

    fn glob(&self, pattern: &Path) -> Vec<PathBuf> {
        let Some(pattern) = pattern.to_str() else {
            return Vec::new();
        };
        let Ok(glob) = globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
        else {
            return Vec::new();
        };
        let matcher = glob.compile_matcher();
        self.files
            .keys()
            .filter(|p| matcher.is_match(p))
            .filter(|p| {
                // a leading dot must be matched literally, as glob(3) does
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                let pat_name = Path::new(pattern).file_name().and_then(|n| n.to_str());
                !name.starts_with('.') || pat_name.is_some_and(|n| n.starts_with('.'))
            })
            .cloned()
            .collect()
    }

    fn walk(&self, root: &Path, _options: WalkOptions) -> Vec<WalkEntry> {
        self.files
            .keys()
            .filter(|p| p.starts_with(root))
            .filter(|p| {
                !p.components()
                    .any(|c| ALWAYS_SKIPPED_DIRS.iter().any(|d| c.as_os_str() == *d))
            })
            .map(|p| WalkEntry::File(p.clone()))
            .collect()
    }
}

/// Open documents (absolute path -> text) over a base file system: the language server's
/// view of the files. A document that does not exist on disk yet (a new, unsaved file) is
/// walked like a file on disk (outside [`ALWAYS_SKIPPED_DIRS`]).
pub struct OverlayFs<'a> {
    base: &'a dyn FileSystem,
    docs: &'a BTreeMap<PathBuf, Arc<str>>,
}

impl<'a> OverlayFs<'a> {
    pub fn new(base: &'a dyn FileSystem, docs: &'a BTreeMap<PathBuf, Arc<str>>) -> Self {
        Self { base, docs }
    }
}

impl FileSystem for OverlayFs<'_> {
    fn read_limited(&self, path: &Path, limit: u64) -> io::Result<ReadOutcome> {
        match self.docs.get(path) {
            Some(text) if text.len() as u64 > limit => Ok(ReadOutcome::TooLarge(text.len() as u64)),
            Some(text) => Ok(ReadOutcome::Bytes(text.as_bytes().to_vec())),
            None => self.base.read_limited(path, limit),
        }
    }

    fn is_file(&self, path: &Path) -> bool {
        self.docs.contains_key(path) || self.base.is_file(path)
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.base.is_dir(path)
            || self
                .docs
                .keys()
                .any(|p| p.starts_with(path) && p.as_path() != path)
    }

    fn glob(&self, pattern: &Path) -> Vec<PathBuf> {
        let mut out = self.base.glob(pattern);
        let unsaved: Vec<&PathBuf> = self.docs.keys().filter(|p| !self.base.is_file(p)).collect();
        if !unsaved.is_empty() {
            if let Some(matcher) = pattern.to_str().and_then(|p| {
                globset::GlobBuilder::new(p)
                    .literal_separator(true)
                    .build()
                    .ok()
                    .map(|g| g.compile_matcher())
            }) {
                out.extend(unsaved.into_iter().filter(|p| matcher.is_match(p)).cloned());
                out.sort();
                out.dedup();
            }
        }
        out
    }

    fn walk(&self, root: &Path, options: WalkOptions) -> Vec<WalkEntry> {
        let mut out = self.base.walk(root, options);
        let unsaved: Vec<&PathBuf> = self
            .docs
            .keys()
            .filter(|p| p.starts_with(root) && !in_skipped_dir(p) && !self.base.is_file(p))
            .collect();
        if !unsaved.is_empty() {
            out.extend(unsaved.into_iter().map(|p| WalkEntry::File(p.clone())));
            out.sort_by(|a, b| entry_path(a).cmp(entry_path(b)));
        }
        out
    }
}

fn in_skipped_dir(path: &Path) -> bool {
    path.components()
        .any(|c| ALWAYS_SKIPPED_DIRS.iter().any(|d| c.as_os_str() == *d))
}

/// As many walker threads as rayon has workers, without starting rayon's pool: started
/// before the walk, its idle workers competed with the walker's threads for the cores
/// (the nginx part of the medium corpus 4-7 % slower). Inside a pool (the language
/// server's, a test's), that pool's size; otherwise rayon-core's own rule
/// (`ThreadPoolBuilder::get_num_threads`, capped by `max_num_threads`): `RAYON_NUM_THREADS`
/// when it is a positive number, the available parallelism when it is 0, else the
/// deprecated `RAYON_RS_NUM_CPUS` when positive, else the available parallelism.
fn walker_threads() -> usize {
    if rayon::current_thread_index().is_some() {
        return rayon::current_num_threads();
    }
    let var = |name: &str| -> Option<usize> { std::env::var(name).ok()?.parse().ok() };
    let default = || std::thread::available_parallelism().map_or(1, |n| n.get());
    let n = match var("RAYON_NUM_THREADS") {
        Some(0) => default(),
        Some(n) => n,
        // rayon still reads its deprecated name when the current one is unset or invalid
        None => var("RAYON_RS_NUM_CPUS")
            .filter(|&n| n > 0)
            .unwrap_or_else(default),
    };
    n.min(rayon::max_num_threads())
}

#[cfg(test)]
mod overlay_tests {
    use super::*;

    /// The walker's thread count follows rayon's rule without starting its pool, and a
    /// pool's size inside one.
    #[test]
    fn walker_threads_are_rayons() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        assert_eq!(pool.install(walker_threads), 3);
        assert_eq!(walker_threads(), rayon::current_num_threads());
    }

    #[test]
    fn open_documents_shadow_the_disk_and_unsaved_ones_are_walked() {
        let mut disk = MemoryFs::new();
        disk.insert("/p/compose.yaml", "services: {}\n");
        disk.insert("/p/node_modules/x.yaml", "a: 1\n");
        let mut docs = BTreeMap::new();
        docs.insert(
            PathBuf::from("/p/compose.yaml"),
            Arc::from("services: {a: {}}\n"),
        );
        docs.insert(PathBuf::from("/p/nginx/new.conf"), Arc::from("events {}\n"));
        docs.insert(PathBuf::from("/p/node_modules/y.conf"), Arc::from("x;\n"));
        docs.insert(PathBuf::from("/elsewhere/z.conf"), Arc::from("x;\n"));
        let fs = OverlayFs::new(&disk, &docs);

        match fs.read_limited(Path::new("/p/compose.yaml"), 1000).unwrap() {
            ReadOutcome::Bytes(b) => assert_eq!(b, b"services: {a: {}}\n"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            fs.read_limited(Path::new("/p/compose.yaml"), 3).unwrap(),
            ReadOutcome::TooLarge(18)
        ));
        assert!(fs.is_file(Path::new("/p/nginx/new.conf")));
        assert!(fs.is_dir(Path::new("/p/nginx")));
        let walked: Vec<PathBuf> = fs
            .walk(Path::new("/p"), WalkOptions::default())
            .into_iter()
            .map(|e| entry_path(&e).to_path_buf())
            .collect();
        assert_eq!(
            walked,
            [
                PathBuf::from("/p/compose.yaml"),
                PathBuf::from("/p/nginx/new.conf")
            ]
        );
        assert_eq!(
            fs.glob(Path::new("/p/nginx/*.conf")),
            [PathBuf::from("/p/nginx/new.conf")]
        );
    }
}
