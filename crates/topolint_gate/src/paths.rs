use std::path::{Component, Path, PathBuf};

use topolint_diagnostics::FileId;
use topolint_workspace::Workspace;

/// Each file's path relative to the project root (the directory of `topolint.toml`, or the
/// working directory without one), `/`-separated. Per-path ignores match these paths and
/// fingerprints hash them, so a baseline does not depend on where topolint was started.
#[derive(Debug, Clone)]
pub struct ProjectPaths {
    /// Indexed by `FileId`; `None` for a file it was not built for
    /// ([`ProjectPaths::for_files`]).
    entries: Vec<Option<Box<Entry>>>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// `None` for files outside the root (and standard input without `--stdin-filename`).
    relative: Option<String>,
    /// The display path, used when `relative` is `None`.
    display: String,
    absolute: PathBuf,
}

impl ProjectPaths {
    /// Every file's paths. `base_dir` is the directory relative paths were given from (the
    /// working directory); `root` the project root (absolute, or relative to `base_dir`).
    pub fn new(ws: &Workspace, base_dir: &Path, root: &Path) -> Self {
        Self::for_files(ws, base_dir, root, ws.files.iter().map(|f| f.id))
    }

    /// The paths of `files` only (the files a run's findings and suppressions point at):
    /// on a large repository, three paths for each of 100,000 files were the largest
    /// allocation after linking. Other files have none (no relative, key or absolute path).
    pub fn for_files(
        ws: &Workspace,
        base_dir: &Path,
        root: &Path,
        files: impl IntoIterator<Item = FileId>,
    ) -> Self {
        let root = absolute(base_dir, root);
        let mut entries: Vec<Option<Box<Entry>>> = vec![None; ws.sources.len()];
        for file in files {
            let (Some(slot), Some(f)) = (entries.get_mut(file.0 as usize), ws.sources.get(file))
            else {
                continue;
            };
            if slot.is_some() {
                continue;
            }
            let abs = absolute(base_dir, &f.path);
            let relative = abs
                .strip_prefix(&root)
                .ok()
                .filter(|r| !r.as_os_str().is_empty())
                .map(slash_path);
            *slot = Some(Box::new(Entry {
                relative,
                display: f.display.clone(),
                absolute: abs,
            }));
        }
        Self { entries }
    }

    fn entry(&self, file: FileId) -> Option<&Entry> {
        self.entries.get(file.0 as usize)?.as_deref()
    }

    /// The path relative to the project root, if the file is under it.
    pub fn relative(&self, file: FileId) -> Option<&str> {
        self.entry(file)?.relative.as_deref()
    }

    /// The path that identifies the file in baselines and fingerprints: relative to the
    /// project root, else as displayed.
    pub fn key(&self, file: FileId) -> &str {
        match self.entry(file) {
            Some(Entry {
                relative: Some(r), ..
            }) => r,
            Some(e) => &e.display,
            None => "",
        }
    }

    /// The file's absolute, lexically normalized path.
    pub fn absolute(&self, file: FileId) -> Option<&Path> {
        self.entry(file).map(|e| e.absolute.as_path())
    }
}

/// `path` made absolute against `base` and normalized without touching the file system
/// (`.` dropped, `..` applied).
pub fn absolute(base: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn slash_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_for_some_files_only() {
        let mut fs = topolint_workspace::MemoryFs::new();
        for p in [
            "/w/repo/a/nginx.conf",
            "/w/repo/b/compose.yaml",
            "/w/other/nginx.conf",
        ] {
            fs.insert(p, b"events {}\n".to_vec());
        }
        fs.insert("/w/repo/b/compose.yaml", b"services: {}\n".to_vec());
        let ws = topolint_workspace::load(
            &[
                topolint_workspace::Input::Path("/w/repo".into()),
                topolint_workspace::Input::Path("/w/other/nginx.conf".into()),
            ],
            &topolint_workspace::LoadOptions {
                base_dir: Some("/w/repo".into()),
                ..Default::default()
            },
            &fs,
        )
        .unwrap();
        let id = |display: &str| {
            ws.sources
                .iter()
                .find(|f| f.display == display)
                .map(|f| f.id)
                .unwrap()
        };
        let (a, b, other) = (
            id("a/nginx.conf"),
            id("b/compose.yaml"),
            id("/w/other/nginx.conf"),
        );
        let all = ProjectPaths::new(&ws, Path::new("/w/repo"), Path::new("."));
        let some =
            ProjectPaths::for_files(&ws, Path::new("/w/repo"), Path::new("."), [b, other, b]);
        for paths in [&all, &some] {
            assert_eq!(paths.relative(b), Some("b/compose.yaml"));
            assert_eq!(paths.key(b), "b/compose.yaml");
            assert_eq!(paths.absolute(b), Some(Path::new("/w/repo/b/compose.yaml")));
            // Outside the root: keyed by the display path.
            assert_eq!(paths.relative(other), None);
            assert_eq!(paths.key(other), "/w/other/nginx.conf");
        }
        assert_eq!(all.key(a), "a/nginx.conf");
        assert_eq!(
            (some.relative(a), some.key(a), some.absolute(a)),
            (None, "", None)
        );
        assert_eq!(some.key(FileId(99)), "");
    }

    #[test]
    fn absolute_normalizes_lexically() {
        assert_eq!(
            absolute(
                Path::new("/work/repo"),
                Path::new("./deploy/../nginx/nginx.conf")
            ),
            PathBuf::from("/work/repo/nginx/nginx.conf")
        );
        assert_eq!(
            absolute(Path::new("/work/repo"), Path::new("/etc/nginx/nginx.conf")),
            PathBuf::from("/etc/nginx/nginx.conf")
        );
    }
}
