use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use topolint_diagnostics::{
    sort_and_dedup, Diagnostic, FileId, Label, Severity, SourceFile, SourceMap, TextRange,
};

use crate::classify::{self, FileKind, NameHint};
use crate::compose::{self, ComposeProject};
use crate::fs::{FileSystem, ReadOutcome, WalkEntry, WalkOptions};
use crate::ids;
use crate::nginx_includes::{self, normalize, IncludeEdge};

/// What to lint.
#[derive(Debug, Clone)]
pub enum Input {
    /// A file or a directory to walk.
    Path(PathBuf),
    /// Text from standard input; `filename` (from `--stdin-filename`) decides its kind and
    /// how it is shown, else the content does.
    Stdin {
        filename: Option<PathBuf>,
        bytes: Vec<u8>,
    },
}

#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Files larger than this are skipped with a note.
    pub max_file_size: u64,
    pub walk: WalkOptions,
    /// Paths are shown relative to this directory when they are under it.
    pub base_dir: Option<PathBuf>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            max_file_size: crate::DEFAULT_MAX_FILE_SIZE,
            walk: WalkOptions::default(),
            base_dir: None,
        }
    }
}

/// A usage error: the input cannot be loaded at all (exit code 2), as opposed to findings.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("path `{0}` does not exist")]
    NotFound(PathBuf),
}

/// Why a file was not parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    TooLarge {
        size: u64,
        limit: u64,
    },
    Binary,
    Unreadable(String),
    Walk(String),
    HelmTemplate,
    /// Named explicitly but none of the kinds topolint lints.
    UnknownKind,
}

/// A parsed file.
#[derive(Debug)]
pub enum Content {
    /// Boxed, like [`Content::Yaml`]: a tree's header is a dozen vectors, and every file,
    /// released or skipped, has a [`LoadedFile`] to the end of the run.
    Nginx(Box<topolint_nginx::Config>),
    Yaml(Box<topolint_yaml::YamlFile>),
    /// Kept as text for later rules (Dockerfiles).
    Text,
    Skipped(SkipReason),
    /// Parsed, and its tree dropped once nothing of the run reads it any more
    /// ([`Workspace::release_trees`]); the text stays in `sources`.
    Released,
}

#[derive(Debug)]
pub struct LoadedFile {
    pub id: FileId,
    /// `None` for files that were only skipped (unreadable, too large, walk errors).
    pub kind: Option<FileKind>,
    pub content: Content,
    /// Named on the command line (or stdin) rather than found by walking.
    pub explicit: bool,
    /// Reached only through an nginx `include`, not discovered on its own.
    pub included_only: bool,
}

impl LoadedFile {
    pub fn nginx(&self) -> Option<&topolint_nginx::Config> {
        match &self.content {
            Content::Nginx(c) => Some(c.as_ref()),
            _ => None,
        }
    }

    pub fn yaml(&self) -> Option<&topolint_yaml::YamlFile> {
        match &self.content {
            Content::Yaml(y) => Some(y.as_ref()),
            _ => None,
        }
    }
}

/// Everything loaded for one run.
#[derive(Debug, Default)]
pub struct Workspace {
    pub sources: SourceMap,
    /// One entry per file, indexed by `FileId`.
    pub files: Vec<LoadedFile>,
    /// Input-level findings, sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Resolved nginx includes: which directive pulled in which file.
    pub includes: Vec<IncludeEdge>,
    /// nginx main configurations (files with `http`/`events` or named `nginx.conf`).
    pub nginx_roots: Vec<FileId>,
    /// Compose files grouped with their overrides.
    pub compose_projects: Vec<ComposeProject>,
}

impl Workspace {
    pub fn file(&self, id: FileId) -> &LoadedFile {
        &self.files[id.0 as usize]
    }

    /// Drops the YAML and nginx trees of every file `keep` does not want, leaving
    /// [`Content::Released`] (the kind and the text stay). A one-shot run calls it between
    /// the linker's stages once it has read what it needs from the trees (suppression
    /// comments and annotations first): on a large repository the trees are a quarter of
    /// the peak memory. The language server never does (it re-links after every edit).
    pub fn release_trees(&mut self, keep: impl Fn(&LoadedFile) -> bool + Sync) {
        use rayon::prelude::*;
        self.files.par_iter_mut().for_each(|f| {
            if matches!(f.content, Content::Nginx(_) | Content::Yaml(_)) && !keep(f) {
                f.content = Content::Released;
            }
        });
    }

    /// Takes the YAML and nginx trees of the files `take` selects out of the workspace, in
    /// file order, leaving [`Content::Released`]. For a one-shot run that drops each tree as
    /// soon as it has been read.
    pub fn take_contents(&mut self, take: impl Fn(&LoadedFile) -> bool) -> Vec<(FileId, Content)> {
        self.files
            .iter_mut()
            .filter(|f| matches!(f.content, Content::Nginx(_) | Content::Yaml(_)) && take(f))
            .map(|f| (f.id, std::mem::replace(&mut f.content, Content::Released)))
            .collect()
    }

    /// Number of parsed files of each kind.
    pub fn count_by_kind(&self) -> BTreeMap<FileKind, usize> {
        let mut out = BTreeMap::new();
        for f in &self.files {
            if let (Some(kind), false) = (f.kind, matches!(f.content, Content::Skipped(_))) {
                *out.entry(kind).or_insert(0) += 1;
            }
        }
        out
    }

    pub fn skipped_count(&self) -> usize {
        self.files
            .iter()
            .filter(|f| matches!(f.content, Content::Skipped(_)))
            .count()
    }

    /// Sorts findings into the stable output order (display path, then position).
    pub fn sort_diagnostics(sources: &SourceMap, diags: &mut Vec<Diagnostic>) {
        let mut order: Vec<(&str, u32)> = sources
            .iter()
            .map(|f| (f.display.as_str(), f.id.0))
            .collect();
        order.sort();
        let mut rank = vec![0u32; sources.len()];
        for (i, (_, id)) in order.iter().enumerate() {
            rank[*id as usize] = i as u32;
        }
        sort_and_dedup(diags, |id| {
            rank.get(id.0 as usize).copied().unwrap_or(u32::MAX)
        });
    }

    pub(crate) fn push(
        &mut self,
        mut source: SourceFile,
        kind: Option<FileKind>,
        content: Content,
        explicit: bool,
        included_only: bool,
    ) -> FileId {
        let id = FileId(self.files.len() as u32);
        source.id = id;
        let pushed = self.sources.push(source);
        debug_assert_eq!(pushed, id);
        self.files.push(LoadedFile {
            id,
            kind,
            content,
            explicit,
            included_only,
        });
        id
    }
}

struct Candidate {
    path: PathBuf,
    explicit: bool,
    stdin: Option<Vec<u8>>,
    walk_error: Option<String>,
}

/// The result of processing one candidate, before ids are assigned.
struct Processed {
    path: PathBuf,
    text: SourceFile,
    kind: Option<FileKind>,
    content: Content,
    explicit: bool,
    /// Findings on this file, with `FileId(0)` as a placeholder for it.
    diagnostics: Vec<Diagnostic>,
    helm_chart: Option<PathBuf>,
    /// An nginx file's includes ([`nginx_includes::patterns`]).
    includes: Vec<nginx_includes::IncludePattern>,
}

/// Work done on each file as soon as it is parsed, while the rest of the repository is
/// still being parsed: with it a one-shot run lowers each Kubernetes manifest and drops its
/// tree straight away, so that the trees of a large repository never all live at once.
///
/// Files are parsed a batch at a time in the sorted order of the paths; a batch's files get
/// their final ids, then the hook sees each of them (in parallel, on the loader's threads)
/// before the next batch is parsed. Files reached only through an nginx `include` come
/// last, after the include walk.
pub trait LoadHook: Sync {
    /// What the hook makes of a run of consecutive files.
    type Output: Send + Default;
    /// One file, just parsed, with its id and text. Returns whether the workspace keeps the
    /// file's tree: `false` leaves [`Content::Released`].
    fn file(&self, file: &LoadedFile, source: &SourceFile, out: &mut Self::Output) -> bool;
    /// Appends `next`, the output of the files that follow those of `into`.
    fn append(&self, into: &mut Self::Output, next: Self::Output);
}

/// No hook: every tree is kept.
impl LoadHook for () {
    type Output = ();
    fn file(&self, _: &LoadedFile, _: &SourceFile, _: &mut ()) -> bool {
        true
    }
    fn append(&self, _: &mut (), _: ()) {}
}

/// Two hooks, each seeing every file; a tree is kept unless one of them lets it go.
impl<A: LoadHook, B: LoadHook> LoadHook for (A, B) {
    type Output = (A::Output, B::Output);
    fn file(&self, file: &LoadedFile, source: &SourceFile, out: &mut Self::Output) -> bool {
        let a = self.0.file(file, source, &mut out.0);
        let b = self.1.file(file, source, &mut out.1);
        a && b
    }
    fn append(&self, into: &mut Self::Output, next: Self::Output) {
        self.0.append(&mut into.0, next.0);
        self.1.append(&mut into.1, next.1);
    }
}

/// Files parsed per batch of [`load_with`]: enough that the loader's threads rarely wait
/// at a batch's end, few enough that one batch's trees are a small part of a run.
/// (The crate's own tests use batches of three, so that every test crosses batches.)
const BATCH: usize = if cfg!(test) { 3 } else { 2048 };

/// Finds, reads, classifies and parses everything under `inputs`.
pub fn load(
    inputs: &[Input],
    options: &LoadOptions,
    fs: &dyn FileSystem,
) -> Result<Workspace, LoadError> {
    load_with(inputs, options, fs, &()).map(|(ws, ())| ws)
}

/// [`load`], with `hook` run on each file as soon as it is parsed ([`LoadHook`]).
pub fn load_with<H: LoadHook>(
    inputs: &[Input],
    options: &LoadOptions,
    fs: &dyn FileSystem,
    hook: &H,
) -> Result<(Workspace, H::Output), LoadError> {
    let options = &LoadOptions {
        base_dir: options.base_dir.as_deref().map(normalize),
        ..options.clone()
    };
    let steps = discover_and_read(inputs, options, fs)?;

    let mut ws = Workspace::default();
    let mut output = H::Output::default();
    let mut diagnostics = Vec::new();
    let mut helm_charts: BTreeMap<PathBuf, (FileId, usize)> = BTreeMap::new();
    let mut patterns = Vec::with_capacity(steps.len());
    // At most one entry per file read; the untouched rest of the lists costs nothing, and
    // they are shrunk at the end.
    ws.files.reserve_exact(steps.len());
    ws.sources.reserve_exact(steps.len());
    let mut steps = steps.into_iter();
    loop {
        let batch: Vec<Step> = steps.by_ref().take(BATCH).collect();
        if batch.is_empty() {
            break;
        }
        // Mapped, not filtered: an indexed iterator collects straight into one list of the
        // batch's size.
        let parsed: Vec<Option<Processed>> =
            batch.into_par_iter().map(|step| step.finish(fs)).collect();
        let first = ws.files.len();
        for p in parsed.into_iter().flatten() {
            let id = ws.push(p.text, p.kind, p.content, p.explicit, false);
            for mut d in p.diagnostics {
                relabel(&mut d, id);
                diagnostics.push(d);
            }
            debug_assert_eq!(patterns.len(), id.0 as usize);
            patterns.push(p.includes);
            if let Some(chart) = p.helm_chart {
                helm_charts.entry(chart).or_insert((id, 0)).1 += 1;
            }
        }
        run_hook(&mut ws, first, hook, &mut output);
    }
    ws.files.shrink_to_fit();
    ws.sources.shrink_to_fit();
    for (chart, (first, count)) in helm_charts {
        let name = chart
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("chart")
            .to_string();
        diagnostics.push(
            Diagnostic::new(
                ids::HELM_TEMPLATE_SKIPPED,
                Severity::Info,
                format!("skipped {count} Helm template file(s) of chart `{name}`: they are not YAML until rendered"),
                Label::new(first, TextRange::empty(0), "Go template syntax (`{{ ... }}`) here"),
            )
            .with_help(format!(
                "lint the rendered manifests instead: `helm template {} | topolint check -`",
                display_path(&chart, options.base_dir.as_deref())
            )),
        );
    }

    // Includes are followed only inside what was asked to be linted (the input directories,
    // a file input's directory; the working directory for stdin).
    let allowed: Vec<PathBuf> = inputs
        .iter()
        .map(|input| match input {
            Input::Path(p) if fs.is_dir(p) => normalize(p),
            Input::Path(p) => normalize(p.parent().unwrap_or(Path::new("."))),
            Input::Stdin { .. } => PathBuf::from("."),
        })
        .collect();
    let walked = ws.files.len();
    nginx_includes::resolve(&mut ws, &mut diagnostics, options, fs, &allowed, patterns);
    run_hook(&mut ws, walked, hook, &mut output);
    ws.compose_projects = compose::group(&ws);

    Workspace::sort_diagnostics(&ws.sources, &mut diagnostics);
    ws.diagnostics = diagnostics;
    Ok((ws, output))
}

/// Runs `hook` on the files from `first` on, in parallel, and appends its output in file
/// order; drops the trees it lets go, and their files' line indexes.
fn run_hook<H: LoadHook>(ws: &mut Workspace, first: usize, hook: &H, output: &mut H::Output) {
    let sources = &ws.sources;
    let seen: Vec<(H::Output, Vec<bool>)> = ws.files[first..]
        .par_chunks(64)
        .map(|files| {
            let mut out = H::Output::default();
            let keep = files
                .iter()
                .map(|f| hook.file(f, sources.file(f.id), &mut out))
                .collect();
            (out, keep)
        })
        .collect();
    for ((out, keep), files) in seen.into_iter().zip(ws.files[first..].chunks_mut(64)) {
        hook.append(output, out);
        for (f, keep) in files.iter_mut().zip(keep) {
            if !keep && matches!(f.content, Content::Nginx(_) | Content::Yaml(_)) {
                f.content = Content::Released;
                // Whatever the hook made of the tree is done; the line index it may have
                // built is made again if a finding needs it.
                if let Some(source) = ws.sources.get_mut(f.id) {
                    source.release_line_index();
                }
            }
        }
    }
}

/// Points every label and edit of a per-file finding at `id`.
pub(crate) fn relabel(d: &mut Diagnostic, id: FileId) {
    d.primary.file = id;
    for l in &mut d.secondary {
        l.file = id;
    }
    if let Some(fix) = &mut d.fix {
        for e in &mut fix.edits {
            e.file = id;
        }
    }
}

/// Finds the files under `inputs` and reads each as soon as it is found: the walk of a large
/// tree overlaps the reading. The result is in the order of a sorted discovery (by path,
/// then stdin), whatever order the walker's threads found the files in, ready to be parsed.
///
/// Precedence, as one sorted map of candidates would give it: an explicit file argument
/// wins over the same path found by a walk; a walk error for a path wins over both.
fn discover_and_read(
    inputs: &[Input],
    options: &LoadOptions,
    fs: &dyn FileSystem,
) -> Result<Vec<Step>, LoadError> {
    use std::sync::{Mutex, PoisonError};
    let mut explicit: BTreeMap<PathBuf, Candidate> = BTreeMap::new();
    let mut stdin = Vec::new();
    let mut dirs = Vec::new();
    for input in inputs {
        match input {
            Input::Stdin { filename, bytes } => stdin.push(Candidate {
                path: filename.clone().unwrap_or_else(|| PathBuf::from("<stdin>")),
                explicit: true,
                stdin: Some(bytes.clone()),
                walk_error: None,
            }),
            Input::Path(path) if fs.is_file(path) => {
                let path = normalize(path);
                explicit.insert(
                    path.clone(),
                    Candidate {
                        path,
                        explicit: true,
                        stdin: None,
                        walk_error: None,
                    },
                );
            }
            Input::Path(path) if fs.is_dir(path) => dirs.push(path),
            Input::Path(path) => return Err(LoadError::NotFound(path.clone())),
        }
    }

    // Walked files, read on the walker's threads; a path found twice (overlapping inputs)
    // or given explicitly is read once. They are parsed after the walk, on all cores:
    // reading every text first keeps the texts, which live to the end of the run, apart
    // from the trees, which the linker drops. Read and parsed in turn, each text shared
    // allocator pages with trees, and once the trees were gone those pages stayed
    // resident, part-used (280 MB of the RSS at the end of a run over 100,000 files;
    // docs/benchmarks.md).
    // Only overlapping inputs, or a file system whose walk may give a path twice (an
    // editor's open documents over the disk), need the set.
    let dedupe = dirs.len() > 1 || !explicit.is_empty() || !fs.walk_finds_each_path_once();
    let claimed: Mutex<HashSet<PathBuf>> = Mutex::new(explicit.keys().cloned().collect());
    // Whether every path found is plain ([`plain_path`]): they then sort by their bytes.
    let plain = std::sync::atomic::AtomicBool::new(true);
    let walked: Mutex<Vec<Step>> = Mutex::new(Vec::new());
    let errors: Mutex<Vec<(PathBuf, String)>> = Mutex::new(Vec::new());
    for dir in dirs {
        fs.walk_each(dir, options.walk, &|entry| match entry {
            WalkEntry::File(p) => {
                let p = normalize(&p);
                if dedupe
                    && !claimed
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .insert(p.clone())
                {
                    return;
                }
                if !plain_path(&p) {
                    plain.store(false, std::sync::atomic::Ordering::Relaxed);
                }
                let c = Candidate {
                    path: p,
                    explicit: false,
                    stdin: None,
                    walk_error: None,
                };
                if let Some(step) = read(c, options, fs) {
                    walked
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(step);
                }
            }
            WalkEntry::Error { path, message } => errors
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push((path, message)),
        });
    }
    // One error per path: the last one in (path, message) order, which is the one a map
    // filled from the sorted walk would have kept.
    let errors: BTreeMap<PathBuf, String> = {
        let mut errors = errors.into_inner().unwrap_or_else(PoisonError::into_inner);
        errors.sort();
        errors.into_iter().collect()
    };

    let mut walked = walked.into_inner().unwrap_or_else(PoisonError::into_inner);
    walked.retain(|step| !errors.contains_key(step.path()));
    explicit.retain(|p, _| !errors.contains_key(p));
    let rest: Vec<Candidate> = explicit
        .into_values()
        .chain(errors.into_iter().map(|(path, message)| Candidate {
            path,
            explicit: false,
            stdin: None,
            walk_error: Some(message),
        }))
        .collect();
    let rest: Vec<Option<Step>> = rest.into_par_iter().map(|c| read(c, options, fs)).collect();
    // Each path is here once (claimed, explicit and errors are disjoint).
    if plain.into_inner() && rest.iter().flatten().all(|s| plain_path(s.path())) {
        walked.extend(rest.into_iter().flatten());
        walked.par_sort_unstable_by(|a, b| plain_order(a.path(), b.path()));
    } else {
        walked.extend(rest.into_iter().flatten());
        walked.par_sort_unstable_by(|a, b| a.path().cmp(b.path()));
    }
    walked.extend(stdin.into_iter().filter_map(|c| read(c, options, fs)));
    Ok(walked)
}

/// A path whose order as [`Path`]s is the order of its bytes with `/` lowest
/// ([`plain_order`]): its components (after a leading `/`) joined by single `/`, none of
/// them empty, `.` or `..` (what the walk of a normalized directory gives).
pub(crate) fn plain_path(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        let bytes = bytes.strip_prefix(b"/").unwrap_or(bytes);
        !bytes.is_empty()
            && bytes
                .split(|&b| b == b'/')
                .all(|c| !c.is_empty() && c != b"." && c != b"..")
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// `a.cmp(b)` for two [`plain_path`]s without splitting them into components (sorting
/// the paths of a large tree component by component was 2 % of a run): at the first byte
/// where they differ, a `/` (the end of a component) sorts before any other byte, and a
/// path that is a prefix of the other sorts first.
fn plain_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (x, y) = (a.as_os_str().as_bytes(), b.as_os_str().as_bytes());
        let key = |c: u8| if c == b'/' { 0 } else { c };
        match x.iter().zip(y).position(|(p, q)| p != q) {
            Some(i) => key(x[i]).cmp(&key(y[i])),
            None => x.len().cmp(&y.len()),
        }
    }
    #[cfg(not(unix))]
    {
        a.cmp(b)
    }
}

/// Shows `path` relative to `base` when under it, with `/` separators.
pub(crate) fn display_path(path: &Path, base: Option<&Path>) -> String {
    let rel = base.and_then(|b| path.strip_prefix(b).ok()).unwrap_or(path);
    let rel = rel.strip_prefix(".").unwrap_or(rel);
    if rel.as_os_str().is_empty() {
        // The base directory itself (an nginx.conf at the root of the linted tree).
        return ".".to_string();
    }
    let s = rel.to_string_lossy();
    if std::path::MAIN_SEPARATOR == '/' {
        s.into_owned()
    } else {
        s.replace(std::path::MAIN_SEPARATOR, "/")
    }
}

fn skipped(
    path: PathBuf,
    options: &LoadOptions,
    kind: Option<FileKind>,
    reason: SkipReason,
    explicit: bool,
) -> Processed {
    let display = display_path(&path, options.base_dir.as_deref());
    let message = match &reason {
        SkipReason::TooLarge { size, limit } => format!(
            "skipped: the file is {}, over the {} limit",
            human_size(*size),
            human_size(*limit)
        ),
        SkipReason::Binary => {
            "skipped: binary content (a NUL byte) in a file named like a configuration".into()
        }
        SkipReason::Unreadable(e) => format!("skipped: cannot read the file: {e}"),
        SkipReason::Walk(e) => format!("skipped: {e}"),
        SkipReason::HelmTemplate => "skipped: Helm template".into(),
        SkipReason::UnknownKind => "skipped: not a kind of file topolint lints".into(),
    };
    let help = match &reason {
        SkipReason::TooLarge { .. } => {
            Some("raise the limit with `--max-file-size` if this file must be linted")
        }
        _ => None,
    };
    let mut d = Diagnostic::new(
        ids::FILE_SKIPPED,
        Severity::Info,
        message,
        Label::new(FileId(0), TextRange::empty(0), ""),
    );
    if let Some(h) = help {
        d = d.with_help(h);
    }
    Processed {
        text: SourceFile::new(FileId(0), path.clone(), display, Arc::from("")),
        path,
        kind,
        content: Content::Skipped(reason),
        explicit,
        diagnostics: vec![d],
        helm_chart: None,
        includes: Vec::new(),
    }
}

fn human_size(bytes: u64) -> String {
    const MIB: f64 = 1024.0 * 1024.0;
    if bytes >= 1024 * 1024 {
        format!("{:.1} MiB", bytes as f64 / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// A candidate read and decoded, to be parsed.
struct ReadFile {
    path: PathBuf,
    explicit: bool,
    hint: NameHint,
    source: SourceFile,
}

/// What reading a candidate gave: a file to parse, or already its outcome (skipped,
/// unreadable, binary).
enum Step {
    Read(ReadFile),
    Done(Processed),
}

impl Step {
    fn path(&self) -> &Path {
        match self {
            Step::Read(r) => &r.path,
            Step::Done(p) => &p.path,
        }
    }

    fn finish(self, fs: &dyn FileSystem) -> Option<Processed> {
        match self {
            Step::Read(read) => parse(read, fs),
            Step::Done(done) => Some(done),
        }
    }
}

/// Reads and decodes a candidate; `None` when it is not a file topolint lints.
fn read(c: Candidate, options: &LoadOptions, fs: &dyn FileSystem) -> Option<Step> {
    if let Some(message) = c.walk_error {
        return Some(Step::Done(skipped(
            c.path,
            options,
            None,
            SkipReason::Walk(message),
            c.explicit,
        )));
    }
    let hint = if c.stdin.is_some() && c.path == Path::new("<stdin>") {
        NameHint::Unknown
    } else {
        classify::name_hint(&c.path)
    };
    if hint == NameHint::Unknown && !c.explicit {
        return None;
    }
    let bytes = match c.stdin {
        Some(b) if b.len() as u64 > options.max_file_size => {
            return Some(Step::Done(skipped(
                c.path,
                options,
                None,
                SkipReason::TooLarge {
                    size: b.len() as u64,
                    limit: options.max_file_size,
                },
                true,
            )))
        }
        Some(b) => b,
        None => match fs.read_limited(&c.path, options.max_file_size) {
            Ok(ReadOutcome::Bytes(b)) => b,
            Ok(ReadOutcome::TooLarge(size)) => {
                return Some(Step::Done(skipped(
                    c.path,
                    options,
                    None,
                    SkipReason::TooLarge {
                        size,
                        limit: options.max_file_size,
                    },
                    c.explicit,
                )))
            }
            Err(e) => {
                return Some(Step::Done(skipped(
                    c.path,
                    options,
                    None,
                    SkipReason::Unreadable(e.to_string()),
                    c.explicit,
                )))
            }
        },
    };
    if classify::looks_binary(&bytes) {
        let nginx_named = matches!(hint, NameHint::NginxStrong | NameHint::NginxWeak);
        if nginx_named || c.explicit || hint == NameHint::Compose {
            return Some(Step::Done(skipped(
                c.path,
                options,
                None,
                SkipReason::Binary,
                c.explicit,
            )));
        }
        return None;
    }
    let display = display_path(&c.path, options.base_dir.as_deref());
    let source = SourceFile::from_bytes(FileId(0), c.path.clone(), display, bytes);
    Some(Step::Read(ReadFile {
        path: c.path,
        explicit: c.explicit,
        hint,
        source,
    }))
}

/// Parses a file that was read and tells its kind; `None` when it is not one topolint
/// lints after all (a `*.conf` that is not nginx).
fn parse(read: ReadFile, fs: &dyn FileSystem) -> Option<Processed> {
    let ReadFile {
        path,
        explicit,
        hint,
        source,
    } = read;

    let done = |source: SourceFile, kind, content, diagnostics, helm_chart| {
        Some(Processed {
            path: path.clone(),
            text: source,
            kind: Some(kind),
            content,
            explicit,
            diagnostics,
            helm_chart,
            includes: Vec::new(),
        })
    };

    match hint {
        NameHint::Dockerfile => done(
            source,
            FileKind::Dockerfile,
            Content::Text,
            Vec::new(),
            None,
        ),
        NameHint::NginxStrong | NameHint::NginxWeak => {
            let config = topolint_nginx::parse_indexed(&source.text, source.line_index());
            // A weak name (`*.conf`) must look like nginx, unless the file was named.
            if hint == NameHint::NginxWeak && !classify::looks_like_nginx(&config) && !explicit {
                return None;
            }
            let diags = nginx_parse_diagnostics(&config);
            let includes = nginx_includes::patterns(&config);
            done(
                source,
                FileKind::Nginx,
                Content::Nginx(Box::new(config)),
                diags,
                None,
            )
            .map(|p| Processed { includes, ..p })
        }
        NameHint::Compose | NameHint::Yaml => {
            if let Some(chart) = helm_chart_of(&path, &source.text, fs) {
                return done(
                    source,
                    FileKind::HelmTemplate,
                    Content::Skipped(SkipReason::HelmTemplate),
                    Vec::new(),
                    Some(chart),
                );
            }
            let yaml = topolint_yaml::parse_shared(&source.text);
            match classify::classify_yaml(hint, &source.text, &yaml) {
                Some(kind) => {
                    let diags = yaml_diagnostics(&source, &yaml);
                    done(source, kind, Content::Yaml(Box::new(yaml)), diags, None)
                }
                None if explicit => Some(unknown_kind(path.clone(), source)),
                None => None,
            }
        }
        NameHint::Unknown => {
            // Explicit file or stdin with no telling name: let the content decide.
            let yaml = topolint_yaml::parse_shared(&source.text);
            if let Some(kind) = classify::classify_yaml(hint, &source.text, &yaml) {
                let diags = yaml_diagnostics(&source, &yaml);
                return done(source, kind, Content::Yaml(Box::new(yaml)), diags, None);
            }
            let config = topolint_nginx::parse_indexed(&source.text, source.line_index());
            if classify::looks_like_nginx(&config) {
                let diags = nginx_parse_diagnostics(&config);
                let includes = nginx_includes::patterns(&config);
                return done(
                    source,
                    FileKind::Nginx,
                    Content::Nginx(Box::new(config)),
                    diags,
                    None,
                )
                .map(|p| Processed { includes, ..p });
            }
            Some(unknown_kind(path.clone(), source))
        }
    }
}

/// A file named on the command line that is none of the kinds topolint lints.
fn unknown_kind(path: PathBuf, source: SourceFile) -> Processed {
    let d = Diagnostic::new(
        ids::FILE_SKIPPED,
        Severity::Info,
        "skipped: not an nginx configuration, compose file or Kubernetes manifest",
        Label::new(FileId(0), TextRange::empty(0), ""),
    )
    .with_help("name the file after its kind (`nginx.conf`, `compose.yaml`, `*.yaml` with `apiVersion` and `kind`) or pass `--stdin-filename`");
    Processed {
        path,
        text: source,
        kind: None,
        content: Content::Skipped(SkipReason::UnknownKind),
        explicit: true,
        diagnostics: vec![d],
        helm_chart: None,
        includes: Vec::new(),
    }
}

/// A YAML file in a chart's `templates/` directory that uses Go templates.
fn helm_chart_of(path: &Path, text: &str, fs: &dyn FileSystem) -> Option<PathBuf> {
    if !text.contains("{{") {
        return None;
    }
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d.file_name().is_some_and(|n| n == "templates") {
            let chart = d.parent()?;
            if fs.is_file(&chart.join("Chart.yaml")) || fs.is_file(&chart.join("Chart.yml")) {
                return Some(chart.to_path_buf());
            }
        }
        dir = d.parent();
    }
    None
}

pub(crate) fn nginx_parse_diagnostics(config: &topolint_nginx::Config) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = config
        .errors
        .iter()
        .map(|e| {
            let d = Diagnostic::new(
                ids::PARSE_ERROR,
                Severity::Error,
                e.message.clone(),
                Label::new(FileId(0), e.range, ""),
            );
            match &e.help {
                Some(h) => d.with_help(h.clone()),
                None => d,
            }
        })
        .collect();
    for p in topolint_nginx::check::check(config) {
        let (id, label) = match p.kind {
            topolint_nginx::check::ProblemKind::UnknownDirective { .. } => {
                (ids::UNKNOWN_DIRECTIVE, "not an nginx directive")
            }
            topolint_nginx::check::ProblemKind::InvalidArguments => (
                ids::INVALID_DIRECTIVE_ARGUMENTS,
                "wrong number of arguments",
            ),
        };
        out.push(
            Diagnostic::new(
                id,
                Severity::Error,
                p.message,
                Label::new(FileId(0), p.range, label),
            )
            .with_help(p.help),
        );
    }
    out
}

fn yaml_diagnostics(source: &SourceFile, yaml: &topolint_yaml::YamlFile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(offset) = source.first_invalid_utf8 {
        out.push(
            Diagnostic::new(
                ids::PARSE_ERROR,
                Severity::Error,
                "the file is not valid UTF-8: YAML must be Unicode text",
                Label::new(
                    FileId(0),
                    TextRange::new(offset, offset + 1),
                    "this byte is not UTF-8",
                ),
            )
            .with_help("save the file as UTF-8"),
        );
    }
    for e in &yaml.errors {
        out.push(Diagnostic::new(
            ids::PARSE_ERROR,
            Severity::Error,
            e.message.clone(),
            Label::new(FileId(0), e.range, ""),
        ));
    }
    for dup in &yaml.duplicate_keys {
        out.push(
            Diagnostic::new(
                ids::DUPLICATE_KEY,
                Severity::Warning,
                format!("duplicate key `{}`", dup.key),
                Label::new(FileId(0), dup.duplicate, "defined again here"),
            )
            .with_secondary(Label::new(FileId(0), dup.first, "first defined here"))
            .with_help("remove one of the two: Kubernetes rejects the object or keeps only one value, and docker compose refuses the file (\"mapping key already defined\")"),
        );
    }
    out
}

/// Files seen so far, by path, for include resolution.
pub(crate) fn index_by_path(ws: &Workspace) -> HashMap<PathBuf, FileId> {
    let mut index = HashMap::with_capacity(ws.sources.len());
    index.extend(ws.sources.iter().map(|f| (f.path.clone(), f.id)));
    index
}

// Every file has a `LoadedFile` to the end of the run, whatever its content: keep it small.
const _: () = assert!(std::mem::size_of::<LoadedFile>() <= 40);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryFs;
    use std::sync::Mutex;

    /// Plain paths sort by their bytes exactly as `Path`s sort by components, on names
    /// built from the bytes where the two orders could part: `/`, `.`, `-`, digits,
    /// letters, bytes above ASCII, prefixes of each other.
    #[test]
    fn plain_paths_sort_as_paths_do() {
        let names = [
            "a", "a.b", "a-b", "a0", "ab", "b", ".a", "-", "é", "a/b", "..a", "a.", "A",
        ];
        let mut paths: Vec<PathBuf> = Vec::new();
        for root in ["", "/", "/r/", "r/"] {
            for x in names {
                paths.push(PathBuf::from(format!("{root}{x}")));
                for y in names {
                    paths.push(PathBuf::from(format!("{root}{x}/{y}")));
                }
            }
        }
        paths.retain(|p| plain_path(p));
        assert!(paths.len() > 500, "{}", paths.len());
        for a in &paths {
            for b in &paths {
                assert_eq!(
                    plain_order(a, b),
                    a.cmp(b),
                    "{} vs {}",
                    a.display(),
                    b.display()
                );
            }
        }
        for odd in ["", "a//b", "a/", "./a", "a/./b", "a/../b", "../a", "//a"] {
            assert!(!plain_path(Path::new(odd)), "{odd}");
        }
    }

    /// A walked tree, explicit files inside it and a second, overlapping input: each file
    /// once, in path order (the byte order of plain paths, `Path` order otherwise).
    #[test]
    fn found_files_are_in_path_order_once() {
        let mut fs = MemoryFs::new();
        for root in ["r", "../q"] {
            for p in [
                "a.b/nginx.conf",
                "a/nginx.conf",
                "a-b/nginx.conf",
                "a/b/nginx.conf",
            ] {
                fs.insert(format!("{root}/{p}"), "events {}\n");
            }
        }
        let order = |inputs: &[&str]| -> Vec<String> {
            let inputs: Vec<Input> = inputs
                .iter()
                .map(|p| Input::Path(PathBuf::from(p)))
                .collect();
            let ws = load(&inputs, &LoadOptions::default(), &fs).unwrap();
            ws.files
                .iter()
                .map(|f| ws.sources.file(f.id).path.display().to_string())
                .collect()
        };
        // `a` before `a-b` before `a.b` (components), though `/` is above `-` and `.`.
        let expected = |root: &str| -> Vec<String> {
            [
                "a/b/nginx.conf",
                "a/nginx.conf",
                "a-b/nginx.conf",
                "a.b/nginx.conf",
            ]
            .iter()
            .map(|p| format!("{root}/{p}"))
            .collect()
        };
        assert_eq!(order(&["r"]), expected("r"));
        assert_eq!(order(&["r", "r/a"]), expected("r"));
        assert_eq!(order(&["r/a/nginx.conf", "r"]), expected("r"));
        // `..` is not plain: the paths sort as `Path`s.
        assert_eq!(order(&["../q"]), expected("../q"));

        // A file system that may give a path twice in one walk: still loaded once.
        let mut twice = MemoryFs::new();
        twice.insert("r/a.conf", "events {}\n");
        twice.insert("r/./a.conf", "events {}\n");
        let ws = load(&[Input::Path("r".into())], &LoadOptions::default(), &twice).unwrap();
        assert_eq!(ws.files.len(), 1);
    }

    /// Records every file it sees (id, shown path, whether its tree is there) and lets
    /// the YAML trees go.
    #[derive(Default)]
    struct Recorder {
        calls: Mutex<usize>,
    }

    impl LoadHook for Recorder {
        type Output = Vec<(u32, String, bool)>;
        fn file(&self, file: &LoadedFile, source: &SourceFile, out: &mut Self::Output) -> bool {
            *self.calls.lock().unwrap() += 1;
            let tree = matches!(file.content, Content::Nginx(_) | Content::Yaml(_));
            out.push((file.id.0, source.display.clone(), tree));
            file.yaml().is_none()
        }
        fn append(&self, into: &mut Self::Output, mut next: Self::Output) {
            into.append(&mut next);
        }
    }

    /// Lets every tree go.
    struct DropTrees;

    impl LoadHook for DropTrees {
        type Output = ();
        fn file(&self, _: &LoadedFile, _: &SourceFile, _: &mut ()) -> bool {
            false
        }
        fn append(&self, _: &mut (), _: ()) {}
    }

    /// The includes are read at parse time, but a file whose tree the hook let go is not
    /// followed: it has no includes, as when they were read from the tree.
    #[test]
    fn a_file_whose_tree_the_hook_dropped_has_no_includes() {
        let mut fs = MemoryFs::new();
        fs.insert(
            "/p/nginx.conf",
            b"events {}\nhttp {\n  include conf.d/*.conf;\n  include missing.conf;\n}\n".to_vec(),
        );
        fs.insert("/p/conf.d/a.conf", b"server { listen 80; }\n".to_vec());
        let options = LoadOptions {
            base_dir: Some(PathBuf::from("/p")),
            ..LoadOptions::default()
        };
        let inputs = [Input::Path(PathBuf::from("/p"))];
        let kept = load(&inputs, &options, &fs).unwrap();
        assert_eq!(kept.includes.len(), 1);
        assert!(kept
            .diagnostics
            .iter()
            .any(|d| d.rule == ids::INCLUDE_NOT_FOUND));
        let (dropped, ()) = load_with(&inputs, &options, &fs, &DropTrees).unwrap();
        assert!(dropped.includes.is_empty());
        assert!(!dropped
            .diagnostics
            .iter()
            .any(|d| d.rule == ids::INCLUDE_NOT_FOUND));
    }

    #[test]
    fn the_hook_sees_every_file_once_in_id_order_with_its_tree() {
        let mut fs = MemoryFs::new();
        let mut files =
            vec![
            (
                "/p/nginx.conf".to_string(),
                "events {}\nhttp {\n  include extra/proxy.params;\n  server { listen 80; }\n}\n"
                    .to_string(),
            ),
            // Reached only through the include, added after the walked files.
            (
                "/p/extra/proxy.params".to_string(),
                "proxy_set_header Host $host;\n".to_string(),
            ),
            ("/p/notes.yaml".to_string(), "just: some yaml\n".to_string()),
            ("/p/broken.conf".to_string(), "not nginx at all\n".to_string()),
        ];
        for i in 0..10 {
            files.push((
                format!("/p/k8s/svc-{i}.yaml"),
                format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: s{i}\n"),
            ));
            files.push((
                format!("/p/stack-{i}/compose.yaml"),
                "services:\n  web:\n    image: nginx\n".to_string(),
            ));
        }
        for (path, text) in &files {
            fs.insert(path.as_str(), text.as_bytes().to_vec());
        }
        let options = LoadOptions {
            base_dir: Some(PathBuf::from("/p")),
            ..LoadOptions::default()
        };
        let inputs = [Input::Path(PathBuf::from("/p"))];
        let plain = load(&inputs, &options, &fs).unwrap();
        let hook = Recorder::default();
        let (ws, seen) = load_with(&inputs, &options, &fs, &hook).unwrap();

        // Every file, once, in id order, with its tree; the include-only file last.
        assert_eq!(*hook.calls.lock().unwrap(), ws.files.len());
        let ids: Vec<u32> = seen.iter().map(|s| s.0).collect();
        assert_eq!(ids, (0..ws.files.len() as u32).collect::<Vec<_>>());
        for (id, display, tree) in &seen {
            assert_eq!(display, &ws.sources.file(FileId(*id)).display);
            assert!(tree, "{display} had no tree");
        }
        assert_eq!(seen.last().unwrap().1, "extra/proxy.params");
        assert!(ws.files.last().unwrap().included_only);
        // The same workspace as without a hook, but for the trees the hook let go.
        let shown = |ws: &Workspace| -> Vec<(String, Option<FileKind>)> {
            ws.files
                .iter()
                .map(|f| (ws.sources.file(f.id).display.clone(), f.kind))
                .collect()
        };
        assert_eq!(shown(&ws), shown(&plain));
        assert_eq!(ws.diagnostics, plain.diagnostics);
        assert_eq!(ws.includes.len(), plain.includes.len());
        assert_eq!(ws.compose_projects.len(), 10);
        for f in &ws.files {
            match plain.file(f.id).content {
                Content::Yaml(_) => assert!(matches!(f.content, Content::Released)),
                Content::Nginx(_) => assert!(matches!(f.content, Content::Nginx(_))),
                _ => {}
            }
        }
    }
}
