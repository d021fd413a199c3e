//! The lint jobs: load (or update) the workspace, link, run the rules and the gate, and
//! convert the findings for the client. Runs on the worker thread only.
//!
//! The engine keeps the loaded [`Workspace`] between jobs. A change to one document
//! re-parses that document alone and puts it in place of the old one (same [`FileId`]) when
//! nothing else can depend on its text: the file keeps its kind, it has no nginx `include`
//! and stays a main configuration or not, it is not a Helm template or a skipped file.
//! Anything else (a new or deleted file, an edited include, `topolint.toml`) loads the
//! workspace again. Linking and the rules always run over the whole workspace: findings
//! are cross-file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lsp_types as lsp;
use topolint_config::{Config, ConfigError};
use topolint_diagnostics::{Diagnostic, FileId, Label, Severity, SourceFile, SourceMap};
use topolint_gate::Gate;
use topolint_model::Topology;
use topolint_workspace::{
    Content, FileKind, FileSystem, Input, LoadOptions, LoadedFile, NameHint, OverlayFs, RealFs,
    Workspace,
};

use crate::convert;
use crate::overlay::{OnlyFile, Recording};
use crate::repair::{repair_yaml, Repaired};

/// What the server asks the worker to do.
pub(crate) struct Job {
    /// The server's document revision this job sees; its result is stale once the revision
    /// moved on.
    pub revision: u64,
    pub setup: Arc<Setup>,
    /// Open documents.
    pub overlay: Arc<BTreeMap<PathBuf, Arc<str>>>,
    /// Paths whose text changed since the previous job.
    pub changed: BTreeSet<PathBuf>,
    /// Load everything again (files created or deleted, configuration changed).
    pub reload: bool,
}

/// What does not change during a session.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    /// Workspace folders, absolute. Empty: only open documents are linted.
    pub roots: Vec<PathBuf>,
    /// Paths are shown relative to this directory (the first folder).
    pub base_dir: PathBuf,
    /// `initializationOptions.configPath`, absolute; else `topolint.toml` is searched
    /// upwards from the first folder.
    pub config_path: Option<PathBuf>,
}

/// One finished job.
pub(crate) struct Analysis {
    pub revision: u64,
    pub sources: SourceMap,
    pub index: HashMap<PathBuf, FileId>,
    pub topology: Topology,
    /// After the gate (selection, severities, suppressions), sorted.
    pub findings: Vec<Diagnostic>,
    /// The findings as LSP diagnostics, by file (files without findings are absent).
    pub published: BTreeMap<PathBuf, Vec<lsp::Diagnostic>>,
    /// The whole workspace was loaded (rather than one document re-parsed).
    pub full_load: bool,
    /// `[[plugins]]` of topolint.toml, whose rules the editor does not run.
    pub plugins_not_run: usize,
    pub timings: Timings,
}

/// Where a job's time went.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Timings {
    /// Reading and parsing (the changed documents, or everything on a reload).
    pub load: Duration,
    /// Linking the topology and running the rules.
    pub lint: Duration,
    /// Selection, severities and suppressions.
    pub gate: Duration,
    /// Conversion to LSP diagnostics.
    pub convert: Duration,
    pub total: Duration,
}

impl std::fmt::Display for Timings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        write!(
            f,
            "in {:.1} ms (load {:.1}, link + rules {:.1}, gate {:.1}, convert {:.1})",
            ms(self.total),
            ms(self.load),
            ms(self.lint),
            ms(self.gate),
            ms(self.convert)
        )
    }
}

impl Analysis {
    pub(crate) fn file_id(&self, path: &Path) -> Option<FileId> {
        self.index.get(path).copied()
    }
}

/// The configuration in force, and the error that made it fall back to the defaults.
struct Settings {
    config: Config,
    error: Option<ConfigError>,
}

#[derive(Default)]
pub(crate) struct Engine {
    ws: Option<Workspace>,
    /// Every file the last full walk found (so an edit to an ignored file is told apart).
    walked: BTreeSet<PathBuf>,
    settings: Option<Settings>,
    /// Open YAML documents and their repair (see [`crate::repair`]), by the text they were
    /// computed for.
    repairs: HashMap<PathBuf, (Arc<str>, Option<Arc<Repaired>>)>,
}

/// The open documents as the loader reads them: half-typed YAML repaired.
struct Prepared {
    overlay: BTreeMap<PathBuf, Arc<str>>,
    /// Repaired documents: their real text and the repair.
    repaired: BTreeMap<PathBuf, (Arc<str>, Arc<Repaired>)>,
}

/// How one changed document was taken in.
#[derive(Debug, PartialEq, Eq)]
enum Splice {
    Applied,
    /// The file takes no part in the workspace (ignored, outside the folders, not a
    /// configuration) before and after.
    Unaffected,
    NeedsReload,
}

/// Every rule id, as `topolint check` knows them (the gate's own are documented there too).
fn known_rules() -> Vec<&'static str> {
    topolint_rules::REGISTRY.iter().map(|r| r.id).collect()
}

impl Engine {
    /// Forgets everything (after a panic: the cached workspace may be half updated).
    pub(crate) fn reset(&mut self) {
        *self = Engine::default();
    }

    pub(crate) fn run(&mut self, job: &Job) -> Analysis {
        let started = Instant::now();
        let prepared = self.prepare(&job.overlay);
        let fs = OverlayFs::new(&RealFs, &prepared.overlay);
        let options = LoadOptions {
            base_dir: Some(job.setup.base_dir.clone()),
            ..LoadOptions::default()
        };
        let mut reload = job.reload || self.ws.is_none() || self.settings.is_none();
        if !reload {
            for path in &job.changed {
                match self.splice(path, &job.setup, &options, &fs) {
                    Splice::NeedsReload => {
                        reload = true;
                        break;
                    }
                    Splice::Applied => {
                        if let Some(ws) = self.ws.as_mut() {
                            restore(ws, &prepared.repaired, Some(path));
                        }
                    }
                    Splice::Unaffected => {}
                }
            }
        }
        if reload {
            self.settings = Some(resolve_config(&job.setup, &fs));
            self.load(&job.setup, &options, &fs, &job.overlay);
            if let Some(ws) = self.ws.as_mut() {
                restore(ws, &prepared.repaired, None);
            }
        }
        let ws = self.ws.get_or_insert_with(Workspace::default);
        let settings = self.settings.get_or_insert_with(|| Settings {
            config: Config::defaults(job.setup.base_dir.clone()),
            error: None,
        });
        let mut timings = Timings {
            load: started.elapsed(),
            ..Timings::default()
        };
        let mark = Instant::now();

        // The same run as `topolint check`: facts from topolint.toml reach the linker, and the
        // gate below applies selection and suppressions, so the editor shows what CI reports.
        let mut link = topolint_linter::link_options(&settings.config.facts, &job.setup.base_dir);
        // Every edit links again: parsed ConfigMap-embedded configurations are reused.
        link.memoize_embedded = true;
        let lint_options = topolint_linter::LintOptions {
            link,
            ..topolint_linter::LintOptions::default()
        };
        let outcome = topolint_linter::run(ws, &lint_options);
        timings.lint = mark.elapsed();
        let mark = Instant::now();
        // With plugins, suppressions of rule ids the editor does not know are not reported.
        let known = if settings.config.plugins.is_empty() {
            known_rules()
        } else {
            Vec::new()
        };
        let gate = Gate {
            config: &settings.config,
            base_dir: &job.setup.base_dir,
            known_rules: &known,
        };
        let gated = gate.apply(ws, outcome.findings, None);
        timings.gate = mark.elapsed();
        let mark = Instant::now();

        let mut published: BTreeMap<PathBuf, Vec<lsp::Diagnostic>> = BTreeMap::new();
        for d in &gated.findings {
            if let Some((path, lsp)) = convert::diagnostic(d, &ws.sources) {
                published.entry(path).or_default().push(lsp);
            }
        }
        if let Some(e) = &settings.error {
            let (path, lsp) = config_diagnostic(e);
            published.entry(path).or_default().push(lsp);
        }

        let index = ws.sources.iter().map(|f| (f.path.clone(), f.id)).collect();
        let sources = ws.sources.clone();
        timings.convert = mark.elapsed();
        timings.total = started.elapsed();
        Analysis {
            revision: job.revision,
            index,
            sources,
            topology: outcome.topology,
            findings: gated.findings,
            published,
            full_load: reload,
            plugins_not_run: settings.config.plugins.len(),
            timings,
        }
    }

    /// Repairs the open YAML documents that do not parse (cached per text).
    fn prepare(&mut self, overlay: &BTreeMap<PathBuf, Arc<str>>) -> Prepared {
        self.repairs.retain(|p, _| overlay.contains_key(p));
        let mut out = Prepared {
            overlay: overlay.clone(),
            repaired: BTreeMap::new(),
        };
        for (path, text) in overlay {
            if !matches!(
                topolint_workspace::classify::name_hint(path),
                NameHint::Compose | NameHint::Yaml
            ) {
                continue;
            }
            let repair = match self.repairs.get(path) {
                Some((seen, repair)) if Arc::ptr_eq(seen, text) => repair.clone(),
                _ => {
                    let repair = repair_yaml(text).map(Arc::new);
                    self.repairs
                        .insert(path.clone(), (text.clone(), repair.clone()));
                    repair
                }
            };
            if let Some(r) = repair {
                out.overlay.insert(path.clone(), Arc::from(r.text.as_str()));
                out.repaired.insert(path.clone(), (text.clone(), r));
            }
        }
        out
    }

    fn load(
        &mut self,
        setup: &Setup,
        options: &LoadOptions,
        fs: &OverlayFs<'_>,
        overlay: &BTreeMap<PathBuf, Arc<str>>,
    ) {
        let recording = Recording {
            inner: fs,
            walked: Mutex::default(),
        };
        let inputs: Vec<Input> = if setup.roots.is_empty() {
            // No folder: the open documents are the workspace.
            overlay.keys().map(|p| Input::Path(p.clone())).collect()
        } else {
            setup
                .roots
                .iter()
                .filter(|r| fs.is_dir(r))
                .map(|r| Input::Path(r.clone()))
                .collect()
        };
        // A folder that vanished is skipped above; nothing else makes `load` fail.
        let ws = topolint_workspace::load(&inputs, options, &recording).unwrap_or_default();
        self.walked = recording.walked.into_inner().unwrap_or_default();
        if setup.roots.is_empty() {
            self.walked.extend(overlay.keys().cloned());
        }
        self.ws = Some(ws);
    }

    /// Takes in the new text of one file, if that can be done without a reload.
    fn splice(
        &mut self,
        path: &Path,
        setup: &Setup,
        options: &LoadOptions,
        fs: &OverlayFs<'_>,
    ) -> Splice {
        let Some(ws) = self.ws.as_mut() else {
            return Splice::NeedsReload;
        };
        let id = ws.sources.find_by_path(path);
        if path
            .file_name()
            .is_some_and(|n| n == topolint_config::FILE_NAME)
        {
            return Splice::NeedsReload;
        }
        if !self.walked.contains(path) {
            // Reached only through an include, or not part of the workspace at all.
            return if id.is_some() {
                Splice::NeedsReload
            } else {
                Splice::Unaffected
            };
        }
        let input = if setup.roots.is_empty() {
            Input::Path(path.to_path_buf())
        } else {
            match setup.roots.iter().find(|r| path.starts_with(r)) {
                Some(root) => Input::Path(root.clone()),
                None => return Splice::Unaffected,
            }
        };
        let only = OnlyFile {
            inner: fs,
            only: path,
        };
        let Ok(single) = topolint_workspace::load(&[input], options, &only) else {
            return Splice::NeedsReload;
        };
        if single.files.len() > 1 {
            return Splice::NeedsReload;
        }
        let Workspace {
            sources: new_sources,
            files: new_files,
            diagnostics: new_diagnostics,
            ..
        } = single;
        let new = new_files.into_iter().next();
        let (id, new) = match (id, new) {
            (None, None) => return Splice::Unaffected,
            (Some(id), Some(new)) => (id, new),
            _ => return Splice::NeedsReload,
        };
        let old = ws.file(id);
        if !same_shape(old, &new, path) {
            return Splice::NeedsReload;
        }
        let Some(new_source) = new_sources.get(FileId(0)) else {
            return Splice::NeedsReload;
        };

        let mut sources = SourceMap::new();
        for f in ws.sources.iter() {
            if f.id == id {
                sources.push(new_source.clone());
            } else {
                sources.push(f.clone());
            }
        }
        ws.sources = sources;
        let slot = &mut ws.files[id.0 as usize];
        slot.content = new.content;
        ws.diagnostics.retain(|d| d.primary.file != id);
        ws.diagnostics
            .extend(new_diagnostics.into_iter().map(|mut d| {
                relabel(&mut d, id);
                d
            }));
        Workspace::sort_diagnostics(&ws.sources, &mut ws.diagnostics);
        Splice::Applied
    }
}

/// Puts the real text of repaired documents back in place of the repaired one (same length
/// and lines, so every span stays valid) and reports their parse errors. `only`: just that
/// file (after a splice).
fn restore(
    ws: &mut Workspace,
    repaired: &BTreeMap<PathBuf, (Arc<str>, Arc<Repaired>)>,
    only: Option<&Path>,
) {
    let targets: Vec<(FileId, &Arc<str>, &Repaired)> = repaired
        .iter()
        .filter(|(p, _)| only.is_none_or(|o| o == p.as_path()))
        .filter_map(|(p, (text, r))| ws.sources.find_by_path(p).map(|id| (id, text, r.as_ref())))
        .collect();
    if targets.is_empty() {
        return;
    }
    let mut sources = SourceMap::new();
    for f in ws.sources.iter() {
        match targets.iter().find(|(id, _, _)| *id == f.id) {
            Some((_, text, _)) => {
                sources.push(SourceFile::new(
                    f.id,
                    f.path.clone(),
                    f.display.clone(),
                    Arc::clone(text),
                ));
            }
            None => {
                sources.push(f.clone());
            }
        }
    }
    ws.sources = sources;
    for (id, _, r) in &targets {
        for (range, message) in &r.errors {
            ws.diagnostics.push(Diagnostic::new(
                topolint_workspace::ids::PARSE_ERROR,
                Severity::Error,
                message.clone(),
                Label::new(*id, *range, ""),
            ));
        }
    }
    Workspace::sort_diagnostics(&ws.sources, &mut ws.diagnostics);
}

/// Whether `new` can take `old`'s place without changing anything but its own findings and
/// model entities: same kind, parsed both times, and for nginx no `include` and the same
/// answer to "is this a main configuration?".
fn same_shape(old: &LoadedFile, new: &LoadedFile, path: &Path) -> bool {
    if old.kind != new.kind || old.included_only || old.explicit != new.explicit {
        return false;
    }
    match (&old.content, &new.content) {
        (Content::Nginx(a), Content::Nginx(b)) => {
            a.includes().is_empty()
                && b.includes().is_empty()
                && is_main_config(a, path) == is_main_config(b, path)
        }
        (Content::Yaml(_), Content::Yaml(_)) => old.kind != Some(FileKind::HelmTemplate),
        (Content::Text, Content::Text) => true,
        _ => false,
    }
}

/// What the loader calls a root: named `nginx.conf` or with a top-level `http`/`events`.
fn is_main_config(config: &topolint_nginx::Config, path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == "nginx.conf")
        || config
            .directives
            .iter()
            .any(|d| d.name == "http" || d.name == "events")
}

fn relabel(d: &mut Diagnostic, id: FileId) {
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

/// The configuration for this session: the explicit path, else the nearest `topolint.toml`
/// upwards from the first folder, else the defaults. A broken configuration is reported on
/// its own file and the defaults are used meanwhile.
fn resolve_config(setup: &Setup, fs: &OverlayFs<'_>) -> Settings {
    let defaults = || Config::defaults(setup.base_dir.clone());
    let path = match &setup.config_path {
        Some(p) => Some(p.clone()),
        None => setup
            .roots
            .first()
            .and_then(|r| topolint_config::find(r, fs)),
    };
    let Some(path) = path else {
        return Settings {
            config: defaults(),
            error: None,
        };
    };
    match topolint_config::load(&path, fs) {
        Ok(mut config) => {
            config.path = Some(path);
            // Plugin rules are not run in the editor (yet): their ids cannot be told from
            // mistakes, so they are not checked rather than all reported as unknown.
            if !config.plugins.is_empty() {
                return Settings {
                    config,
                    error: None,
                };
            }
            match config.check_rule_ids(&known_rules()) {
                Ok(()) => Settings {
                    config,
                    error: None,
                },
                Err(e) => Settings {
                    config: defaults(),
                    error: Some(e),
                },
            }
        }
        Err(e) => Settings {
            config: defaults(),
            error: Some(e),
        },
    }
}

/// A configuration error as a diagnostic on the configuration file.
fn config_diagnostic(e: &ConfigError) -> (PathBuf, lsp::Diagnostic) {
    let range = match (&e.location, &e.text) {
        (Some((r, _)), Some(text)) => {
            let mut sources = SourceMap::new();
            let id = sources.add_text(e.path.clone(), String::new(), text.clone());
            convert::range(sources.file(id), *r)
        }
        _ => lsp::Range::default(),
    };
    let mut message = format!(
        "{}; topolint uses its defaults until this is fixed",
        e.message
    );
    if let Some(help) = &e.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    let diagnostic = lsp::Diagnostic {
        range,
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        code: Some(lsp::NumberOrString::String("config-error".into())),
        source: Some("topolint".into()),
        message,
        ..lsp::Diagnostic::default()
    };
    (e.path.clone(), diagnostic)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    const COMPOSE: &str = "services:\n  proxy:\n    image: nginx:1.27\n    volumes:\n      - ./nginx.conf:/etc/nginx/nginx.conf:ro\n  api:\n    build: ./api\n    command: [\"uvicorn\", \"main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\"]\n    ports:\n      - \"8081:8000\"\n";
    const NGINX: &str = "events {}\nhttp {\n  upstream backend {\n    server api:8081;\n  }\n  server {\n    listen 80;\n    location / { proxy_pass http://backend; }\n  }\n}\n";

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("compose.yaml"), COMPOSE).unwrap();
        fs::write(dir.path().join("nginx.conf"), NGINX).unwrap();
        fs::create_dir(dir.path().join("k8s")).unwrap();
        fs::write(
            dir.path().join("k8s/svc.yaml"),
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n    - port: 80\n",
        )
        .unwrap();
        dir
    }

    fn job(
        dir: &Path,
        revision: u64,
        overlay: &BTreeMap<PathBuf, Arc<str>>,
        changed: &[&Path],
    ) -> Job {
        Job {
            revision,
            setup: Arc::new(Setup {
                roots: vec![dir.to_path_buf()],
                base_dir: dir.to_path_buf(),
                config_path: None,
            }),
            overlay: Arc::new(overlay.clone()),
            changed: changed.iter().map(|p| p.to_path_buf()).collect(),
            reload: false,
        }
    }

    fn rules(a: &Analysis) -> Vec<(String, String)> {
        a.findings
            .iter()
            .map(|d| {
                (
                    a.sources.file(d.primary.file).display.clone(),
                    d.rule.to_string(),
                )
            })
            .collect()
    }

    /// The findings of a fresh engine over the same inputs.
    fn fresh(dir: &Path, overlay: &BTreeMap<PathBuf, Arc<str>>) -> Vec<Diagnostic> {
        Engine::default().run(&job(dir, 0, overlay, &[])).findings
    }

    #[test]
    fn an_edit_is_spliced_in_and_equals_a_fresh_load() {
        let dir = project();
        let root = dir.path();
        let compose = root.join("compose.yaml");
        let mut engine = Engine::default();
        let mut overlay = BTreeMap::new();
        let first = engine.run(&job(root, 1, &overlay, &[]));
        assert!(first.full_load);
        assert!(
            rules(&first).contains(&("nginx.conf".into(), "published-port-used-internally".into())),
            "{:?}",
            rules(&first)
        );

        // Fix the port mapping in the compose file: the nginx finding goes away.
        overlay.insert(
            compose.clone(),
            Arc::from(
                COMPOSE
                    .replace("8081:8000", "8081:8081")
                    .replace("\"8000\"]", "\"8081\"]"),
            ),
        );
        let second = engine.run(&job(root, 2, &overlay, &[&compose]));
        assert!(!second.full_load, "a compose edit is re-parsed alone");
        assert!(!rules(&second)
            .iter()
            .any(|(_, r)| r == "published-port-used-internally"));
        assert_eq!(second.findings, fresh(root, &overlay));

        // Half-typed YAML: a parse error, and the other findings are computed as a full load
        // would.
        overlay.insert(
            compose.clone(),
            Arc::from(format!("{COMPOSE}  db:\n    image: [postgres\n")),
        );
        let third = engine.run(&job(root, 3, &overlay, &[&compose]));
        assert!(!third.full_load);
        assert_eq!(third.findings, fresh(root, &overlay));
        assert!(rules(&third).contains(&("compose.yaml".into(), "parse-error".into())));

        // nginx.conf has no include: edits are spliced too.
        let nginx = root.join("nginx.conf");
        overlay.insert(
            nginx.clone(),
            Arc::from(NGINX.replace("api:8081", "api:8000")),
        );
        let fourth = engine.run(&job(root, 4, &overlay, &[&nginx]));
        assert!(!fourth.full_load);
        assert_eq!(fourth.findings, fresh(root, &overlay));
    }

    #[test]
    fn structural_edits_reload() {
        let dir = project();
        let root = dir.path();
        let mut engine = Engine::default();
        let mut overlay = BTreeMap::new();
        engine.run(&job(root, 1, &overlay, &[]));
        let nginx = root.join("nginx.conf");
        // An include appears: its target must be resolved.
        overlay.insert(
            nginx.clone(),
            Arc::from(NGINX.replace("listen 80;", "listen 80; include extra.conf;")),
        );
        let a = engine.run(&job(root, 2, &overlay, &[&nginx]));
        assert!(a.full_load);
        assert!(rules(&a).contains(&("nginx.conf".into(), "include-not-found".into())));
        assert_eq!(a.findings, fresh(root, &overlay));

        // A file that is not part of the workspace (no configuration) changes nothing.
        let notes = root.join("notes.txt");
        overlay.insert(notes.clone(), Arc::from("hello"));
        let b = engine.run(&job(root, 3, &overlay, &[&notes]));
        assert!(!b.full_load);
        assert_eq!(b.findings, a.findings);

        // A Kubernetes file that stops being one: reload.
        let svc = root.join("k8s/svc.yaml");
        overlay.insert(svc.clone(), Arc::from("just: data\n"));
        let c = engine.run(&job(root, 4, &overlay, &[&svc]));
        assert!(c.full_load);
        assert_eq!(c.findings, fresh(root, &overlay));
    }

    #[test]
    fn a_broken_configuration_is_reported_on_its_file_and_defaults_apply() {
        let dir = project();
        let root = dir.path();
        fs::write(root.join("topolint.toml"), "select = [\"no-such-rule\"]\n").unwrap();
        let a = Engine::default().run(&job(root, 1, &BTreeMap::new(), &[]));
        let on_config = &a.published[&root.join("topolint.toml")];
        assert_eq!(on_config.len(), 1);
        assert!(
            on_config[0].message.contains("unknown rule `no-such-rule`"),
            "{}",
            on_config[0].message
        );
        assert_eq!(on_config[0].range.start, lsp::Position::new(0, 10));
        assert!(rules(&a)
            .iter()
            .any(|(_, r)| r == "published-port-used-internally"));

        // Ignoring the rule in the configuration hides it, as `topolint check` does.
        let mut overlay = BTreeMap::new();
        overlay.insert(
            root.join("topolint.toml"),
            Arc::from("ignore = [\"published-port-used-internally\"]\n"),
        );
        let b = Engine::default().run(&job(root, 1, &overlay, &[]));
        assert!(!rules(&b)
            .iter()
            .any(|(_, r)| r == "published-port-used-internally"));
        assert!(!b.published.contains_key(&root.join("topolint.toml")));
    }

    #[test]
    fn plugin_rule_ids_in_the_configuration_are_not_errors() {
        let dir = project();
        let root = dir.path();
        fs::write(
            root.join("topolint.toml"),
            format!(
                "ignore = [\"acme-no-latest-tag\"]\n\n[[plugins]]\npath = \"acme.wasm\"\nsha256 = \"{}\"\n",
                "0".repeat(64)
            ),
        )
        .unwrap();
        let a = Engine::default().run(&job(root, 1, &BTreeMap::new(), &[]));
        assert!(!a.published.contains_key(&root.join("topolint.toml")));
        assert_eq!(a.plugins_not_run, 1);
        assert!(rules(&a)
            .iter()
            .any(|(_, r)| r == "published-port-used-internally"));
    }
}
