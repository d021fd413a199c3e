//! nginx `include`, resolved the way nginx resolves it.
//!
//! * A relative path is relative to the *prefix*: the directory of the main configuration
//!   (`nginx -c`), not of the including file. Main configurations ("roots") are files named
//!   `nginx.conf` or with a top-level `http`/`events` block.
//! * A pattern with `*`, `?` or `[` is a glob; matches are sorted and a leading `.` must be
//!   matched literally (glob(3)); a glob that matches nothing is fine, as in nginx.
//! * A plain path that does not exist is `include-not-found` at the include line.
//! * Absolute paths name the server's file system: `/etc/nginx/X` is looked up as `X` under
//!   the prefix (that is where the config tree is mounted); other absolute paths are used if
//!   they exist and are otherwise unknown, never an error.
//! * Snippets not reached from any root (a `conf.d/default.conf` mounted into the image's
//!   own `nginx.conf`) have no known prefix: their includes are looked up from their own
//!   directory and its ancestors within the linted tree, first match wins.
//! * Includes are followed only inside the linted paths (the directories given on the command
//!   line, a file argument's directory): `include ../../../../etc/*;` that leaves them is a
//!   located `file-skipped` note and the file system outside is never touched; an absolute
//!   server path outside them is unknown, as above. To follow includes into another
//!   directory, lint it too (`topolint check deploy/ shared-snippets/`).
//! * Cycles are reported once, at the include that closes the cycle, with the chain as
//!   evidence.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use topolint_diagnostics::{Diagnostic, FileId, Label, Severity, SourceFile, TextRange};

use crate::classify::FileKind;
use crate::fs::{FileSystem, ReadOutcome};
use crate::ids;
use crate::load::{
    display_path, index_by_path, nginx_parse_diagnostics, relabel, Content, LoadOptions, Workspace,
};

/// One resolved include: `from`'s directive at `range` pulled in `to`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IncludeEdge {
    pub from: FileId,
    pub range: TextRange,
    pub to: FileId,
}

/// Deeper include chains are cut (nginx has no limit, but no real config needs this).
const MAX_DEPTH: usize = 64;

/// What every visit reads: the same for all roots.
struct Resolver<'a> {
    fs: &'a dyn FileSystem,
    options: &'a LoadOptions,
    /// Normalized directories includes may read from (empty: no restriction).
    allowed: &'a [PathBuf],
    /// Each loaded file's includes, by file id ([`patterns`]).
    patterns: Vec<Vec<IncludePattern>>,
}

/// What visits find, in the order they find it.
#[derive(Default)]
struct Found {
    edges: Vec<IncludeEdge>,
    reached: Vec<FileId>,
    diagnostics: Vec<Diagnostic>,
    /// The file system's answers: (path or pattern, glob?) -> files.
    looked_up: HashMap<(PathBuf, bool), Option<Vec<PathBuf>>>,
}

/// Where visits take the files they reach from.
enum Files<'w> {
    /// The files loaded so far, read-only (the roots' parallel pass): a file that would
    /// have to be loaded stops the visit with [`Missing`].
    Loaded {
        ws: &'w Workspace,
        by_path: &'w HashMap<PathBuf, FileId>,
    },
    /// Loading the files that are missing (one visit at a time, in root order).
    Loading {
        ws: &'w mut Workspace,
        by_path: &'w mut HashMap<PathBuf, FileId>,
    },
}

impl Files<'_> {
    fn ws(&self) -> &Workspace {
        match self {
            Files::Loaded { ws, .. } => ws,
            Files::Loading { ws, .. } => ws,
        }
    }
}

/// A visit of the parallel pass reached a file that is not loaded.
struct Missing;

pub(crate) fn resolve(
    ws: &mut Workspace,
    diagnostics: &mut Vec<Diagnostic>,
    options: &LoadOptions,
    fs: &dyn FileSystem,
    allowed: &[PathBuf],
    patterns: Vec<Vec<IncludePattern>>,
) {
    let roots: Vec<FileId> = ws
        .files
        .iter()
        .filter(|f| f.kind == Some(FileKind::Nginx))
        .filter(|f| {
            let named = ws
                .sources
                .file(f.id)
                .path
                .file_name()
                .is_some_and(|n| n == "nginx.conf");
            named
                || f.nginx().is_some_and(|c| {
                    c.directives
                        .iter()
                        .any(|d| d.name == "http" || d.name == "events")
                })
        })
        .map(|f| f.id)
        .collect();
    ws.nginx_roots = roots.clone();

    let r = Resolver {
        fs,
        options,
        allowed,
        patterns,
    };
    let mut by_path = index_by_path(ws);
    let mut edges: BTreeSet<IncludeEdge> = BTreeSet::new();
    let mut reached: BTreeSet<FileId> = BTreeSet::new();
    let visit =
        |r: &Resolver<'_>, files: &mut Files<'_>, id: FileId, prefix: Prefix, found: &mut Found| {
            let mut done = BTreeSet::new();
            let mut stack = vec![(id, TextRange::empty(0))];
            r.visit(files, id, &prefix, &mut stack, &mut done, found)
        };
    // Each root's visit, with its file-system lookups, on all cores over the files loaded
    // so far; then, in root order, each root's findings, or its visit again, loading what
    // it reaches, when it reached a file that was not loaded (its lookups are kept): the
    // outcome is the one visiting the roots one after the other gives.
    let first: Vec<Result<Found, Found>> = {
        let (ws, by_path, r) = (&*ws, &by_path, &r);
        roots
            .par_iter()
            .map(|&root| {
                let mut files = Files::Loaded { ws, by_path };
                let mut found = Found::default();
                let prefix = Prefix::Known(parent_dir(&ws.sources.file(root).path));
                match visit(r, &mut files, root, prefix, &mut found) {
                    Ok(()) => Ok(found),
                    Err(Missing) => Err(found),
                }
            })
            .collect()
    };
    for (&root, first) in roots.iter().zip(first) {
        let found = match first {
            Ok(found) => found,
            Err(partial) => {
                let mut found = Found {
                    looked_up: partial.looked_up,
                    ..Found::default()
                };
                let prefix = Prefix::Known(parent_dir(&ws.sources.file(root).path));
                let mut files = Files::Loading {
                    ws: &mut *ws,
                    by_path: &mut by_path,
                };
                let loaded = visit(&r, &mut files, root, prefix, &mut found);
                debug_assert!(loaded.is_ok(), "a visit that loads never misses");
                found
            }
        };
        edges.extend(found.edges);
        reached.extend(found.reached);
        diagnostics.extend(found.diagnostics);
    }
    // Snippets no root reached.
    let root_set: HashSet<FileId> = roots.iter().copied().collect();
    let orphans: Vec<FileId> = ws
        .files
        .iter()
        .filter(|f| {
            f.kind == Some(FileKind::Nginx) && !root_set.contains(&f.id) && !reached.contains(&f.id)
        })
        .map(|f| f.id)
        .collect();
    for id in orphans {
        if reached.contains(&id) {
            continue;
        }
        let mut found = Found::default();
        let dir = parent_dir(&ws.sources.file(id).path);
        let mut files = Files::Loading {
            ws: &mut *ws,
            by_path: &mut by_path,
        };
        let loaded = visit(&r, &mut files, id, Prefix::Search(dir), &mut found);
        debug_assert!(loaded.is_ok(), "a visit that loads never misses");
        edges.extend(found.edges);
        reached.extend(found.reached);
        diagnostics.extend(found.diagnostics);
    }
    ws.includes = edges.into_iter().collect();
}

enum Prefix {
    /// The main configuration's directory.
    Known(PathBuf),
    /// Unknown: search from this directory upwards.
    Search(PathBuf),
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn has_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// One `include` directive: (pattern, argument range, directive range).
pub(crate) type IncludePattern = (topolint_nginx::Word, TextRange, TextRange);

/// A configuration's `include` directives. The loader takes them right after the parse,
/// while the tree is still in the cache: walked again later, once per lookup ahead and
/// once per visit, the cold trees were a third of the include resolution's time.
pub(crate) fn patterns(config: &topolint_nginx::Config) -> Vec<IncludePattern> {
    config
        .includes()
        .into_iter()
        .filter_map(|d| {
            let arg = d.args.first()?;
            Some((arg.value.clone(), arg.range, d.range))
        })
        .collect()
}

/// A file's `include` directives: from the loader's table, or from its tree for a file
/// loaded during the resolution; none once its tree is gone (a load hook let it go), as
/// before the table existed.
fn include_patterns<'t>(
    ws: &Workspace,
    table: &'t [Vec<IncludePattern>],
    file: FileId,
) -> Cow<'t, [IncludePattern]> {
    let Some(config) = ws.file(file).nginx() else {
        return Cow::Borrowed(&[]);
    };
    match table.get(file.0 as usize) {
        Some(found) => Cow::Borrowed(found),
        None => Cow::Owned(patterns(config)),
    }
}

/// The files at `full`: the matches of a glob (none is `None`, as for a missing file), or
/// the file itself.
fn lookup(fs: &dyn FileSystem, full: &Path, glob: bool) -> Option<Vec<PathBuf>> {
    if glob {
        let found = fs.glob(full);
        (!found.is_empty()).then_some(found)
    } else if fs.is_file(full) {
        Some(vec![normalize(full)])
    } else {
        None
    }
}

impl Resolver<'_> {
    fn visit(
        &self,
        files: &mut Files<'_>,
        file: FileId,
        prefix: &Prefix,
        stack: &mut Vec<(FileId, TextRange)>,
        done: &mut BTreeSet<FileId>,
        found: &mut Found,
    ) -> Result<(), Missing> {
        if done.contains(&file) {
            return Ok(());
        }
        let includes = include_patterns(files.ws(), &self.patterns, file);
        for &(ref pattern, arg_range, directive_range) in includes.iter() {
            let targets = self.targets(file, pattern, arg_range, prefix, found);
            for target_path in targets {
                let Some(target) = self.file_for(files, &target_path, found)? else {
                    continue;
                };
                found.edges.push(IncludeEdge {
                    from: file,
                    range: directive_range,
                    to: target,
                });
                found.reached.push(target);
                if let Some(pos) = stack.iter().position(|(f, _)| *f == target) {
                    self.report_cycle(files.ws(), stack, pos, file, arg_range, target, found);
                    continue;
                }
                if stack.len() >= MAX_DEPTH {
                    found.diagnostics.push(Diagnostic::new(
                        ids::INCLUDE_CYCLE,
                        Severity::Error,
                        format!("includes nested more than {MAX_DEPTH} levels deep; not followed further"),
                        Label::new(file, arg_range, "this include"),
                    ));
                    continue;
                }
                stack.push((target, arg_range));
                self.visit(files, target, prefix, stack, done, found)?;
                stack.pop();
            }
        }
        done.insert(file);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn report_cycle(
        &self,
        ws: &Workspace,
        stack: &[(FileId, TextRange)],
        pos: usize,
        file: FileId,
        arg_range: TextRange,
        target: FileId,
        found: &mut Found,
    ) {
        let name = |id: FileId| format!("`{}`", ws.sources.file(id).display);
        let mut chain: Vec<String> = stack[pos..].iter().map(|(f, _)| name(*f)).collect();
        chain.push(name(target));
        let mut d = Diagnostic::new(
            ids::INCLUDE_CYCLE,
            Severity::Error,
            format!("include cycle: {}", chain.join(" includes ")),
            Label::new(file, arg_range, format!("includes {} again", name(target))),
        )
        .with_help("nginx would include these files forever and refuse to start: remove one of the includes in the cycle");
        // Evidence: the other includes of the chain (skip the root's placeholder).
        for (f, range) in stack[pos + 1..].iter() {
            let including = stack
                .iter()
                .position(|(x, _)| x == f)
                .and_then(|i| i.checked_sub(1))
                .map(|i| stack[i].0);
            if let Some(inc) = including {
                d = d.with_secondary(Label::new(inc, *range, format!("includes {}", name(*f))));
            }
        }
        found.diagnostics.push(d);
    }

    /// Where an include pattern is looked for, in order: the first place with a match wins.
    /// Empty for an empty pattern and for a relative one that leads outside the linted
    /// paths.
    fn places(&self, pattern: &str, prefix: &Prefix) -> Vec<PathBuf> {
        if pattern.is_empty() {
            return Vec::new();
        }
        let path = Path::new(pattern);
        let bases = || match prefix {
            Prefix::Known(p) => vec![p.clone()],
            Prefix::Search(d) => self.search_dirs(d),
        };
        if path.is_absolute() {
            // `/etc/nginx/X` -> X under the prefix; other absolute paths as they are, when
            // inside the linted paths.
            let mut out = Vec::new();
            if let Ok(rest) = path.strip_prefix("/etc/nginx") {
                out.extend(bases().into_iter().map(|d| d.join(rest)));
            }
            if self.inside(path) {
                out.push(path.to_path_buf());
            }
            return out;
        }
        let bases = bases();
        match bases.first() {
            Some(base) if !self.inside(&base.join(path)) => Vec::new(),
            _ => bases.iter().map(|b| b.join(path)).collect(),
        }
    }

    /// [`lookup`], made once per place and kind.
    fn look_up(&self, full: &Path, glob: bool, found: &mut Found) -> Option<Vec<PathBuf>> {
        found
            .looked_up
            .entry((full.to_path_buf(), glob))
            .or_insert_with(|| lookup(self.fs, full, glob))
            .clone()
    }

    /// The files an include pattern names; reports `include-not-found`.
    fn targets(
        &self,
        file: FileId,
        pattern: &str,
        arg_range: TextRange,
        prefix: &Prefix,
        found: &mut Found,
    ) -> Vec<PathBuf> {
        if pattern.is_empty() {
            return Vec::new();
        }
        let path = Path::new(pattern);
        let glob = has_glob(pattern);
        for place in self.places(pattern, prefix) {
            if let Some(files) = self.look_up(&place, glob, found) {
                return files;
            }
        }
        if path.is_absolute() {
            // A server path that is in neither place is unknown, not an error.
            return Vec::new();
        }
        let bases = match prefix {
            Prefix::Known(p) => vec![p.clone()],
            Prefix::Search(d) => self.search_dirs(d),
        };
        if let Some(base) = bases.first() {
            let full = normalize(&base.join(path));
            if !self.inside(&full) {
                found.diagnostics.push(
                    Diagnostic::new(
                        ids::FILE_SKIPPED,
                        Severity::Info,
                        format!(
                            "include `{pattern}` leads outside the linted paths (to `{}`); not followed",
                            full.display()
                        ),
                        Label::new(file, arg_range, "outside the linted paths"),
                    )
                    .with_help("topolint reads only the paths it was given; to check this include too, add its directory to the command line"),
                );
                return Vec::new();
            }
        }
        if glob {
            return Vec::new();
        }
        let base_list: Vec<String> = bases
            .iter()
            .map(|b| format!("`{}`", display_path(b, self.options.base_dir.as_deref())))
            .collect();
        let help = match prefix {
            Prefix::Known(_) => format!(
                "nginx resolves a relative include from the directory of the main configuration ({}); create the file or fix the path, or nginx refuses to start with \"open() ... failed (2: No such file or directory)\"",
                base_list.join(", ")
            ),
            Prefix::Search(_) => format!(
                "no main configuration includes this file, so it was looked up from {}; create the file or fix the path, or nginx refuses to start with \"open() ... failed (2: No such file or directory)\"",
                base_list.join(", ")
            ),
        };
        found.diagnostics.push(
            Diagnostic::new(
                ids::INCLUDE_NOT_FOUND,
                Severity::Error,
                format!("included file `{pattern}` does not exist"),
                Label::new(file, arg_range, "no such file"),
            )
            .with_help(help),
        );
        Vec::new()
    }

    /// Whether `path` (normalized here) lies under one of the linted paths.
    fn inside(&self, path: &Path) -> bool {
        if self.allowed.is_empty() {
            return true;
        }
        let path = normalize(path);
        self.allowed.iter().any(|root| {
            if root == Path::new(".") {
                path.is_relative() && !path.starts_with("..")
            } else {
                path.starts_with(root)
            }
        })
    }

    /// [`search_dirs`] restricted to the linted paths.
    fn search_dirs(&self, dir: &Path) -> Vec<PathBuf> {
        let mut dirs = search_dirs(dir);
        dirs.retain(|d| self.inside(d));
        if dirs.is_empty() {
            dirs.push(dir.to_path_buf());
        }
        dirs
    }

    /// The id of an included file, loading and parsing it if it was not discovered;
    /// [`Missing`] when it would have to be loaded and `files` is read-only.
    fn file_for(
        &self,
        files: &mut Files<'_>,
        path: &Path,
        found: &mut Found,
    ) -> Result<Option<FileId>, Missing> {
        let path = normalize(path);
        let known = match files {
            Files::Loaded { by_path, .. } => by_path.get(&path),
            Files::Loading { by_path, .. } => by_path.get(&path),
        };
        if let Some(&id) = known {
            let ws = files.ws();
            // A discovered file that a root includes is nginx whatever its name said.
            if ws.file(id).kind != Some(FileKind::Nginx)
                && !matches!(ws.file(id).content, Content::Skipped(_))
            {
                return Ok(None);
            }
            return Ok(Some(id));
        }
        let Files::Loading { ws, by_path } = files else {
            return Err(Missing);
        };
        let display = display_path(&path, self.options.base_dir.as_deref());
        let (content, source, diags) = match self.fs.read_limited(&path, self.options.max_file_size)
        {
            Ok(ReadOutcome::Bytes(bytes)) => {
                let source = SourceFile::from_bytes(FileId(0), path.clone(), display, bytes);
                let config = topolint_nginx::parse_indexed(&source.text, source.line_index());
                let diags = nginx_parse_diagnostics(&config);
                (Content::Nginx(Box::new(config)), source, diags)
            }
            _ => return Ok(None),
        };
        let id = ws.push(source, Some(FileKind::Nginx), content, false, true);
        for mut d in diags {
            relabel(&mut d, id);
            found.diagnostics.push(d);
        }
        by_path.insert(path, id);
        Ok(Some(id))
    }
}

/// A snippet's directory and its ancestors, but not above the linted tree's top.
fn search_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut cur = Some(dir.to_path_buf());
    while let Some(d) = cur {
        out.push(d.clone());
        if out.len() >= 6 {
            break;
        }
        cur = d
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf);
    }
    out
}

/// Removes `.` components and folds `dir/..` so the same file has one path.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    // Most paths (every one a walk of a normalized directory finds) are already normal.
    if crate::load::plain_path(path) {
        return path.to_path_buf();
    }
    fold_components(path)
}

/// [`normalize`], component by component.
fn fold_components(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                // `..` above the start stays (`../..` is not `.`); `/..` is `/`.
                let above = out.as_os_str().is_empty()
                    || out.components().next_back() == Some(Component::ParentDir);
                if above {
                    out.push("..");
                } else if out.parent().is_some() {
                    out.pop();
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut for paths that are already normal gives what folding their
    /// components gives, and odd paths are still folded.
    #[test]
    fn normalize_folds_as_components_do() {
        for (path, normal) in [
            ("a/b/c.conf", "a/b/c.conf"),
            ("/etc/nginx/nginx.conf", "/etc/nginx/nginx.conf"),
            ("a", "a"),
            ("./a/b", "a/b"),
            ("a/./b", "a/b"),
            ("a//b/", "a/b"),
            ("a/../b", "b"),
            ("../a", "../a"),
            ("/..", "/"),
            ("", "."),
            (".", "."),
            ("a/..", "."),
        ] {
            assert_eq!(normalize(Path::new(path)), PathBuf::from(normal), "{path}");
            assert_eq!(
                normalize(Path::new(path)),
                fold_components(Path::new(path)),
                "{path}"
            );
        }
    }
}
