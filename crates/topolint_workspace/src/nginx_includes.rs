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

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;

use topolint_diagnostics::{Diagnostic, FileId, Label, Severity, SourceFile, TextRange};

use crate::classify::FileKind;
use crate::fs::{FileSystem, ReadOutcome};
use crate::ids;
use crate::load::{
    display_path, index_by_path, nginx_parse_diagnostics, Content, LoadOptions, Workspace,
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

struct Resolver<'a> {
    fs: &'a dyn FileSystem,
    options: &'a LoadOptions,
    by_path: HashMap<PathBuf, FileId>,
    diagnostics: &'a mut Vec<Diagnostic>,
    edges: BTreeSet<IncludeEdge>,
    reached: BTreeSet<FileId>,
    /// Normalized directories includes may read from (empty: no restriction).
    allowed: &'a [PathBuf],
    /// File-system answers looked up ahead, in parallel: path or pattern -> files; the
    /// plain paths' answers first, the globs' second.
    looked_up: [HashMap<PathBuf, Option<Vec<PathBuf>>>; 2],
    /// Each loaded file's includes, by file id ([`patterns`]).
    patterns: Vec<Vec<IncludePattern>>,
}

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

    let mut r = Resolver {
        fs,
        options,
        by_path: index_by_path(ws),
        diagnostics,
        edges: BTreeSet::new(),
        reached: BTreeSet::new(),
        allowed,
        looked_up: Default::default(),
        patterns,
    };
    // The walk below is sequential (it may load the files it reaches); the file-system
    // lookups of the roots' own includes, most of its time, are made ahead on all cores.
    r.looked_up = {
        let r = &r;
        let ws = &*ws;
        let keys: Vec<(PathBuf, bool)> = roots
            .par_iter()
            .flat_map_iter(|&root| {
                let prefix = Prefix::Known(parent_dir(&ws.sources.file(root).path));
                include_patterns(ws, &r.patterns, root)
                    .into_iter()
                    .flat_map(|(pattern, _, _)| {
                        let glob = has_glob(&pattern);
                        r.places(&pattern, &prefix)
                            .into_iter()
                            .map(move |p| (p, glob))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        // Not deduplicated: roots rarely share a directory, and a place looked up twice
        // costs less than sorting paths (compared component by component).
        let found: Vec<(PathBuf, bool, Option<Vec<PathBuf>>)> = keys
            .into_par_iter()
            .map(|(path, glob)| {
                let found = lookup(fs, &path, glob);
                (path, glob, found)
            })
            .collect();
        let mut maps: [HashMap<PathBuf, Option<Vec<PathBuf>>>; 2] = Default::default();
        for (path, glob, found) in found {
            maps[usize::from(glob)].insert(path, found);
        }
        maps
    };
    for &root in &roots {
        let prefix = parent_dir(&ws.sources.file(root).path);
        let mut done = BTreeSet::new();
        let mut stack = vec![(root, TextRange::empty(0))];
        r.visit(ws, root, &Prefix::Known(prefix), &mut stack, &mut done);
    }
    // Snippets no root reached.
    let root_set: HashSet<FileId> = roots.iter().copied().collect();
    let orphans: Vec<FileId> = ws
        .files
        .iter()
        .filter(|f| {
            f.kind == Some(FileKind::Nginx)
                && !root_set.contains(&f.id)
                && !r.reached.contains(&f.id)
        })
        .map(|f| f.id)
        .collect();
    for id in orphans {
        if r.reached.contains(&id) {
            continue;
        }
        let mut done = BTreeSet::new();
        let mut stack = vec![(id, TextRange::empty(0))];
        let dir = parent_dir(&ws.sources.file(id).path);
        r.visit(ws, id, &Prefix::Search(dir), &mut stack, &mut done);
    }
    ws.includes = r.edges.into_iter().collect();
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
pub(crate) type IncludePattern = (String, TextRange, TextRange);

/// A configuration's `include` directives. The loader takes them right after the parse,
/// while the tree is still in the cache: walked again later, once per lookup ahead and
/// once per visit, the cold trees were a third of the include resolution's time.
pub(crate) fn patterns(config: &topolint_nginx::Config) -> Vec<IncludePattern> {
    config
        .includes()
        .into_iter()
        .filter_map(|d| {
            let arg = d.args.first()?;
            Some((arg.value.to_string(), arg.range, d.range))
        })
        .collect()
}

/// A file's `include` directives: from the loader's table, or from its tree for a file
/// loaded during the resolution.
fn include_patterns(
    ws: &Workspace,
    table: &[Vec<IncludePattern>],
    file: FileId,
) -> Vec<IncludePattern> {
    match table.get(file.0 as usize) {
        Some(found) => found.clone(),
        None => ws.file(file).nginx().map(patterns).unwrap_or_default(),
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
        &mut self,
        ws: &mut Workspace,
        file: FileId,
        prefix: &Prefix,
        stack: &mut Vec<(FileId, TextRange)>,
        done: &mut BTreeSet<FileId>,
    ) {
        if done.contains(&file) {
            return;
        }
        let includes = include_patterns(ws, &self.patterns, file);
        for (pattern, arg_range, directive_range) in includes {
            let targets = self.targets(file, &pattern, arg_range, prefix);
            for target_path in targets {
                let Some(target) = self.file_for(ws, &target_path) else {
                    continue;
                };
                self.edges.insert(IncludeEdge {
                    from: file,
                    range: directive_range,
                    to: target,
                });
                self.reached.insert(target);
                if let Some(pos) = stack.iter().position(|(f, _)| *f == target) {
                    self.report_cycle(ws, stack, pos, file, arg_range, target);
                    continue;
                }
                if stack.len() >= MAX_DEPTH {
                    self.diagnostics.push(Diagnostic::new(
                        ids::INCLUDE_CYCLE,
                        Severity::Error,
                        format!("includes nested more than {MAX_DEPTH} levels deep; not followed further"),
                        Label::new(file, arg_range, "this include"),
                    ));
                    continue;
                }
                stack.push((target, arg_range));
                self.visit(ws, target, prefix, stack, done);
                stack.pop();
            }
        }
        done.insert(file);
    }

    fn report_cycle(
        &mut self,
        ws: &Workspace,
        stack: &[(FileId, TextRange)],
        pos: usize,
        file: FileId,
        arg_range: TextRange,
        target: FileId,
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
        self.diagnostics.push(d);
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

    /// [`lookup`], answered from the lookups made ahead when it was one of them.
    fn look_up(&self, full: &Path, glob: bool) -> Option<Vec<PathBuf>> {
        match self.looked_up[usize::from(glob)].get(full) {
            Some(found) => found.clone(),
            None => lookup(self.fs, full, glob),
        }
    }

    /// The files an include pattern names; reports `include-not-found`.
    fn targets(
        &mut self,
        file: FileId,
        pattern: &str,
        arg_range: TextRange,
        prefix: &Prefix,
    ) -> Vec<PathBuf> {
        if pattern.is_empty() {
            return Vec::new();
        }
        let path = Path::new(pattern);
        let glob = has_glob(pattern);
        for place in self.places(pattern, prefix) {
            if let Some(found) = self.look_up(&place, glob) {
                return found;
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
                self.diagnostics.push(
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
        self.diagnostics.push(
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

    /// The id of an included file, loading and parsing it if it was not discovered.
    fn file_for(&mut self, ws: &mut Workspace, path: &Path) -> Option<FileId> {
        let path = normalize(path);
        if let Some(id) = self.by_path.get(&path) {
            let id = *id;
            // A discovered file that a root includes is nginx whatever its name said.
            if ws.file(id).kind != Some(FileKind::Nginx)
                && !matches!(ws.file(id).content, Content::Skipped(_))
            {
                return None;
            }
            return Some(id);
        }
        let display = display_path(&path, self.options.base_dir.as_deref());
        let (content, source, diags) = match self.fs.read_limited(&path, self.options.max_file_size)
        {
            Ok(ReadOutcome::Bytes(bytes)) => {
                let source = SourceFile::from_bytes(FileId(0), path.clone(), display, bytes);
                let config = topolint_nginx::parse(&source.text);
                let diags = nginx_parse_diagnostics(&config);
                (Content::Nginx(Box::new(config)), source, diags)
            }
            _ => return None,
        };
        let id = ws.push(source, Some(FileKind::Nginx), content, false, true);
        for mut d in diags {
            d.primary.file = id;
            for l in &mut d.secondary {
                l.file = id;
            }
            self.diagnostics.push(d);
        }
        self.by_path.insert(path, id);
        Some(id)
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
