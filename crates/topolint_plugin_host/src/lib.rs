//! Runs topolint's WebAssembly rule plugins. Only this crate knows wasmtime.
//!
//! A plugin is a component built for `wasm32-wasip2` against `wit/plugin.wit` (the ABI,
//! described in prose in docs/plugins.md). [`PluginHost::load`] compiles each plugin (or
//! loads it from the on-disk cache, keyed by the file's SHA-256 and the wasmtime version),
//! instantiates it once to read its metadata, and checks that its rule ids are kebab-case
//! and collide with no built-in rule and no other plugin. [`Plugins::check`] then runs every
//! plugin over a topology: a fresh instance per run, the model document as JSON, a deadline
//! set before the call, a memory cap, and the output validated against the files of the
//! model.
//!
//! The sandbox grants nothing: no file system, network, clock, environment or arguments.
//! Those imports are defined as traps, so a plugin that reaches for them stops there and
//! the attempt is reported. Randomness is deterministic (a linter gives the same output for
//! the same input), stdout and stderr go to a bounded buffer (a panic's message is read
//! from it).
//!
//! Whatever goes wrong with a plugin — it does not load, traps, panics, runs out of time or
//! memory, breaks the ABI or reports a span outside the files of the model — becomes a
//! `plugin-error` finding naming the plugin and the cause, at the place the plugin was
//! configured ([`PluginSource::anchor`]). The other plugins and the built-in rules are not
//! affected.

mod abi;
mod cache;
mod cause;
mod sandbox;
mod validate;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use topolint_diagnostics::{Diagnostic, Label, Severity, SourceMap};
use topolint_model::Topology;

pub use cache::CacheOutcome;

/// The rule id of every finding about a plugin itself.
pub const PLUGIN_ERROR: &str = "plugin-error";

/// The ABI version this host speaks (`topolint:plugin/rules@1.0.0`).
pub const ABI_VERSION: &str = abi::v1::VERSION;

/// The wasmtime this host is built with; part of the compile cache's key (a test checks it
/// against Cargo.lock).
pub const WASMTIME_VERSION: &str = "48.0.8";

/// How long one plugin may run per lint run, unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// How much linear memory one plugin may use, unless configured otherwise.
pub const DEFAULT_MEMORY_LIMIT: usize = 64 << 20;

/// More findings than this from one plugin in one run is a `plugin-error`.
pub const MAX_FINDINGS: usize = 10_000;

/// Longer messages, labels, help texts and docs are a `plugin-error`.
pub const MAX_TEXT_LEN: usize = 16 * 1024;

/// Host-wide settings.
#[derive(Debug, Clone, Default)]
pub struct HostOptions {
    /// Where compiled plugins are kept between runs; `None`: compile every time.
    pub cache_dir: Option<PathBuf>,
}

impl HostOptions {
    /// `$TOPOLINT_CACHE_DIR`, else `$XDG_CACHE_HOME/topolint`, else `~/.cache/topolint`.
    pub fn default_cache_dir() -> Option<PathBuf> {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        var("TOPOLINT_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| var("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("topolint")))
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache").join("topolint")))
    }
}

/// One plugin to load.
#[derive(Debug, Clone)]
pub struct PluginSource {
    /// How to name the plugin before its metadata is known (its path as configured).
    pub display: String,
    /// The `.wasm` file's content.
    pub bytes: Vec<u8>,
    /// The plugin's options: a JSON object (`{}` when there are none).
    pub options: String,
    /// Its time budget per lint run.
    pub timeout: Duration,
    /// Its linear-memory cap, in bytes.
    pub memory_limit: usize,
    /// Where `plugin-error` findings about it point: its `[[plugins]]` entry in
    /// topolint.toml, or a placeholder file for `--plugin FILE`.
    pub anchor: Label,
}

impl PluginSource {
    /// A source with the default limits and no options.
    pub fn new(display: impl Into<String>, bytes: Vec<u8>, anchor: Label) -> Self {
        Self {
            display: display.into(),
            bytes,
            options: "{}".to_string(),
            timeout: DEFAULT_TIMEOUT,
            memory_limit: DEFAULT_MEMORY_LIMIT,
            anchor,
        }
    }
}

/// Errors of the host itself (not of a plugin: those are findings).
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error("cannot set up the WebAssembly runtime: {0}")]
    Engine(String),
}

/// A rule provided by a plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginRule {
    pub id: String,
    pub default_severity: Severity,
    pub summary: String,
    /// Markdown, as for built-in rules.
    pub docs: String,
    /// The plugin's name and version.
    pub plugin: String,
    pub plugin_version: String,
}

/// How loading one plugin went (for `--verbose` output and the benchmarks).
#[derive(Debug, Clone)]
pub struct LoadStats {
    pub display: String,
    /// Compiled now, or loaded from the cache.
    pub cache: CacheOutcome,
    /// Compiling or loading the compiled code.
    pub compile: Duration,
    /// Instantiating and calling `metadata`.
    pub metadata: Duration,
}

/// How one plugin's check went.
#[derive(Debug, Clone)]
pub struct CheckStats {
    pub plugin: String,
    pub instantiate: Duration,
    pub call: Duration,
    pub findings: usize,
}

/// Compiles and loads plugins.
pub struct PluginHost {
    runtime: Arc<sandbox::Runtime>,
    cache_dir: Option<PathBuf>,
}

impl PluginHost {
    pub fn new(options: HostOptions) -> Result<Self, HostError> {
        Ok(Self {
            runtime: Arc::new(
                sandbox::Runtime::new().map_err(|e| HostError::Engine(e.to_string()))?,
            ),
            cache_dir: options.cache_dir,
        })
    }

    /// Loads every plugin. A plugin that cannot be loaded stays in the set as a failure,
    /// reported as a `plugin-error` by every [`Plugins::check`]. `builtin_rules` are the ids
    /// plugin rules may not take.
    pub fn load(&self, sources: Vec<PluginSource>, builtin_rules: &[&str]) -> Plugins {
        let mut entries = Vec::with_capacity(sources.len());
        let mut stats = Vec::with_capacity(sources.len());
        let mut taken: Vec<String> = builtin_rules.iter().map(|s| s.to_string()).collect();
        for source in sources {
            let (entry, stat) = self.load_one(source, &mut taken);
            entries.push(entry);
            stats.extend(stat);
        }
        Plugins {
            runtime: self.runtime.clone(),
            entries,
            load_stats: stats,
        }
    }

    fn load_one(
        &self,
        source: PluginSource,
        taken: &mut Vec<String>,
    ) -> (Entry, Option<LoadStats>) {
        let fail =
            |source: &PluginSource, name: Option<String>, cause: cause::Cause| Entry::Failed {
                display: source.display.clone(),
                anchor: source.anchor.clone(),
                name,
                cause,
            };
        let started = Instant::now();
        let compiled = match cache::compile(
            &self.runtime.engine,
            &source.bytes,
            self.cache_dir.as_deref(),
        ) {
            Ok(c) => c,
            Err(cause) => return (fail(&source, None, cause), None),
        };
        let compile = started.elapsed();
        let started = Instant::now();
        let plugin = match abi::load(&self.runtime, &compiled.component, &source) {
            Ok(p) => p,
            Err((name, cause)) => return (fail(&source, name, cause), None),
        };
        let stats = LoadStats {
            display: source.display.clone(),
            cache: compiled.outcome,
            compile,
            metadata: started.elapsed(),
        };
        if let Err(cause) = validate::metadata(&plugin.meta, taken) {
            return (
                fail(&source, Some(plugin.meta.name.clone()), cause),
                Some(stats),
            );
        }
        taken.extend(plugin.meta.rules.iter().map(|r| r.id.clone()));
        (
            Entry::Ready(Box::new(Ready {
                display: source.display,
                anchor: source.anchor,
                plugin,
                options: source.options,
                timeout: source.timeout,
                memory_limit: source.memory_limit,
            })),
            Some(stats),
        )
    }
}

/// Loaded plugins, ready to check topologies (any number of times, from any thread).
pub struct Plugins {
    runtime: Arc<sandbox::Runtime>,
    entries: Vec<Entry>,
    load_stats: Vec<LoadStats>,
}

enum Entry {
    Ready(Box<Ready>),
    Failed {
        display: String,
        anchor: Label,
        name: Option<String>,
        cause: cause::Cause,
    },
}

struct Ready {
    display: String,
    anchor: Label,
    plugin: abi::LoadedPlugin,
    options: String,
    timeout: Duration,
    memory_limit: usize,
}

impl std::fmt::Debug for Plugins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut list = f.debug_list();
        for e in &self.entries {
            match e {
                Entry::Ready(r) => list.entry(&format_args!("{} (ready)", r.display)),
                Entry::Failed { display, cause, .. } => {
                    list.entry(&format_args!("{display} (failed: {})", cause.text))
                }
            };
        }
        list.finish()
    }
}

impl Plugins {
    /// No plugins.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The rules of the plugins that loaded, in load order.
    pub fn rules(&self) -> Vec<PluginRule> {
        self.entries
            .iter()
            .filter_map(|e| match e {
                Entry::Ready(r) => Some(&r.plugin.meta),
                Entry::Failed { .. } => None,
            })
            .flat_map(|m| {
                m.rules.iter().map(|r| PluginRule {
                    id: r.id.clone(),
                    default_severity: r.default_severity,
                    summary: r.summary.clone(),
                    docs: r.docs.clone(),
                    plugin: m.name.clone(),
                    plugin_version: m.version.clone(),
                })
            })
            .collect()
    }

    /// The `plugin-error` findings of plugins that failed to load (also part of every
    /// [`Plugins::check`]).
    pub fn load_errors(&self) -> Vec<Diagnostic> {
        self.entries
            .iter()
            .filter_map(|e| match e {
                Entry::Failed {
                    display,
                    anchor,
                    name,
                    cause,
                } => Some(cause::diagnostic(name.as_deref(), display, anchor, cause)),
                Entry::Ready(_) => None,
            })
            .collect()
    }

    /// How loading went, per plugin that compiled.
    pub fn load_stats(&self) -> &[LoadStats] {
        &self.load_stats
    }

    /// Runs every plugin over `topology`.
    pub fn check(
        &self,
        topology: &Topology,
        sources: &SourceMap,
        enabled: &dyn Fn(&str) -> bool,
    ) -> Vec<Diagnostic> {
        self.check_with_stats(topology, sources, enabled).0
    }

    /// [`Plugins::check`], with how long each plugin took.
    pub fn check_with_stats(
        &self,
        topology: &Topology,
        sources: &SourceMap,
        enabled: &dyn Fn(&str) -> bool,
    ) -> (Vec<Diagnostic>, Vec<CheckStats>) {
        let mut out = self.load_errors();
        let mut stats = Vec::new();
        if !self.entries.iter().any(|e| matches!(e, Entry::Ready(_))) {
            return (out, stats);
        }
        // One document for every plugin: the compact form of the model document.
        let document = match serde_json::to_string(topology) {
            Ok(d) => d,
            Err(_) => return (out, stats),
        };
        let files = validate::Files::new(topology, sources);
        for entry in &self.entries {
            let Entry::Ready(ready) = entry else { continue };
            if !ready.plugin.meta.rules.iter().any(|r| enabled(&r.id)) {
                continue;
            }
            let (result, stat) = abi::check(
                &self.runtime,
                &ready.plugin,
                &document,
                &ready.options,
                ready.timeout,
                ready.memory_limit,
            );
            let findings =
                result.and_then(|raw| validate::findings(&ready.plugin.meta, raw, &files));
            match findings {
                Ok(findings) => {
                    stats.push(CheckStats {
                        plugin: ready.plugin.meta.name.clone(),
                        findings: findings.len(),
                        ..stat
                    });
                    out.extend(findings.into_iter().filter(|d| enabled(&d.rule)));
                }
                Err(cause) => {
                    stats.push(CheckStats {
                        plugin: ready.plugin.meta.name.clone(),
                        ..stat
                    });
                    out.push(cause::diagnostic(
                        Some(&ready.plugin.meta.name),
                        &ready.display,
                        &ready.anchor,
                        &cause,
                    ));
                }
            }
        }
        (out, stats)
    }
}

impl topolint_linter::ExternalRules for Plugins {
    fn check(
        &self,
        topology: &Topology,
        sources: &SourceMap,
        enabled: &dyn Fn(&str) -> bool,
    ) -> Vec<Diagnostic> {
        Plugins::check(self, topology, sources, enabled)
    }
}

/// The lowercase hexadecimal SHA-256 of `bytes` (what `[[plugins]] sha256` pins).
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
