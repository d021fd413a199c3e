use std::path::{Component, Path, PathBuf};

use topolint_diagnostics::FileId;
use topolint_workspace::Workspace;

/// Each file's path relative to the project root (the directory of `topolint.toml`, or the
/// working directory without one), `/`-separated. Per-path ignores match these paths and
/// fingerprints hash them, so a baseline does not depend on where topolint was started.
#[derive(Debug, Clone)]
pub struct ProjectPaths {
    /// Indexed by `FileId`; `None` for files outside the root (and standard input without
    /// `--stdin-filename`).
    relative: Vec<Option<String>>,
    /// The display path, used when `relative` is `None`.
    display: Vec<String>,
    absolute: Vec<PathBuf>,
}

impl ProjectPaths {
    /// `base_dir` is the directory relative paths were given from (the working directory);
    /// `root` the project root (absolute, or relative to `base_dir`).
    pub fn new(ws: &Workspace, base_dir: &Path, root: &Path) -> Self {
        use rayon::prelude::*;
        let root = absolute(base_dir, root);
        // Per file and independent: on all cores (10,000 files took ~5 ms in sequence).
        let files: Vec<_> = ws.sources.iter().collect();
        let per_file: Vec<(Option<String>, String, PathBuf)> = files
            .par_iter()
            .map(|f| {
                let abs = absolute(base_dir, &f.path);
                let relative = abs
                    .strip_prefix(&root)
                    .ok()
                    .filter(|r| !r.as_os_str().is_empty())
                    .map(slash_path);
                (relative, f.display.clone(), abs)
            })
            .collect();
        let mut relative = Vec::with_capacity(per_file.len());
        let mut display = Vec::with_capacity(per_file.len());
        let mut absolutes = Vec::with_capacity(per_file.len());
        for (r, d, a) in per_file {
            relative.push(r);
            display.push(d);
            absolutes.push(a);
        }
        Self {
            relative,
            display,
            absolute: absolutes,
        }
    }

    /// The path relative to the project root, if the file is under it.
    pub fn relative(&self, file: FileId) -> Option<&str> {
        self.relative.get(file.0 as usize)?.as_deref()
    }

    /// The path that identifies the file in baselines and fingerprints: relative to the
    /// project root, else as displayed.
    pub fn key(&self, file: FileId) -> &str {
        match self.relative(file) {
            Some(r) => r,
            None => self.display.get(file.0 as usize).map_or("", String::as_str),
        }
    }

    /// The file's absolute, lexically normalized path.
    pub fn absolute(&self, file: FileId) -> Option<&Path> {
        self.absolute.get(file.0 as usize).map(PathBuf::as_path)
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
