//! `topolint.toml`: where it is found, what it may say, and the validated [`Config`].
//!
//! [`find`] looks for `topolint.toml` in a directory and its parents; [`load`] reads it
//! through [`topolint_workspace::FileSystem`] (never the file system directly) and
//! [`parse`] turns its text into a [`Config`]. A bad file is a [`ConfigError`] with the file,
//! line and column of the offending key or value and, for a mistyped key, a "did you mean"
//! — never a panic. Unknown keys are errors. [`json_schema`] generates the JSON schema of
//! the file from the same types (checked into `docs/topolint.schema.json`), and
//! [`INIT_TEMPLATE`] is what `topolint init` writes.
//!
//! Rule ids are checked separately ([`Config::check_rule_ids`]) because the set of known
//! ids includes plugin rules, which only the caller knows.

mod error;
mod facts;
mod raw;
mod template;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobMatcher};
use topolint_diagnostics::{Severity, TextRange};
use topolint_workspace::{FileSystem, ReadOutcome};

pub use error::{closest, ConfigError};
pub use facts::{Facts, KubernetesTarget, LoadBalancerFact, NginxPlacement, RunsIn};
pub use template::INIT_TEMPLATE;

use raw::{FormatName, RawConfig, SeverityName};

/// The configuration file's name.
pub const FILE_NAME: &str = "topolint.toml";

/// Larger configuration files are refused (a configuration is a few KB).
pub const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// A rule id as written in the configuration, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleRef {
    pub id: String,
    pub range: TextRange,
}

/// A per-rule severity from `[severity]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityOverride {
    pub rule: RuleRef,
    pub severity: Severity,
}

/// One `[per-path-ignores]` entry.
#[derive(Debug, Clone)]
pub struct PathIgnore {
    /// The glob as written.
    pub pattern: String,
    pub range: TextRange,
    matcher: GlobMatcher,
    /// The pattern has no `/`: it matches the file name in any directory.
    name_only: bool,
    pub rules: Vec<RuleRef>,
}

impl PathIgnore {
    /// Whether `path` (relative to [`Config::root`], `/`-separated) matches.
    pub fn matches(&self, path: &str) -> bool {
        if self.name_only {
            let name = path.rsplit('/').next().unwrap_or(path);
            self.matcher.is_match(name)
        } else {
            self.matcher.is_match(path)
        }
    }
}

/// An output format named in `[output]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Human,
    Json,
    Sarif,
    Github,
    Junit,
}

/// `[output]`: defaults for command-line options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutputDefaults {
    pub format: Option<OutputFormat>,
}

/// A `[[plugins]]` entry, validated in shape only: the file is read (and its hash checked)
/// by the plugin host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginSpec {
    /// As written.
    pub path: String,
    /// Resolved against [`Config::root`].
    pub resolved: PathBuf,
    /// 64 lowercase hexadecimal digits.
    pub sha256: String,
    /// The `[[plugins]]` table, for messages about this plugin.
    pub range: TextRange,
    /// The `sha256` value, for a hash mismatch.
    pub sha256_range: TextRange,
    /// `options` as a JSON object (`{}` when absent).
    pub options: String,
    /// `timeout-ms`, when given.
    pub timeout_ms: Option<u64>,
    /// `memory-mib`, when given.
    pub memory_mib: Option<u64>,
}

/// A validated `topolint.toml` (or the defaults when there is none).
#[derive(Debug, Clone)]
pub struct Config {
    /// The file this came from; `None` when no file was found (all defaults).
    pub path: Option<PathBuf>,
    /// The directory paths in the configuration are relative to: the file's directory, or
    /// the directory the search started from when there is no file.
    pub root: PathBuf,
    /// `None`: every rule.
    pub select: Option<Vec<RuleRef>>,
    pub ignore: Vec<RuleRef>,
    pub severity: Vec<SeverityOverride>,
    pub per_path_ignores: Vec<PathIgnore>,
    pub fail_on: Option<Severity>,
    pub output: OutputDefaults,
    pub plugins: Vec<PluginSpec>,
    pub facts: Facts,
    /// The file's text, to locate errors found after parsing (unknown rule ids).
    text: Option<Arc<str>>,
}

impl Config {
    /// The configuration used when there is no file: every rule at its default severity.
    pub fn defaults(root: PathBuf) -> Self {
        Self {
            path: None,
            root,
            select: None,
            ignore: Vec::new(),
            severity: Vec::new(),
            per_path_ignores: Vec::new(),
            fail_on: None,
            output: OutputDefaults::default(),
            plugins: Vec::new(),
            facts: Facts::default(),
            text: None,
        }
    }

    /// Every rule id the configuration names (in `select`, `ignore`, `[severity]` and
    /// `[per-path-ignores]`), in file order.
    pub fn rule_refs(&self) -> Vec<&RuleRef> {
        let mut out: Vec<&RuleRef> = Vec::new();
        out.extend(self.select.iter().flatten());
        out.extend(&self.ignore);
        out.extend(self.severity.iter().map(|s| &s.rule));
        out.extend(self.per_path_ignores.iter().flat_map(|p| &p.rules));
        out.sort_by_key(|r| r.range);
        out
    }

    /// Fails on the first rule id that is not in `known`, with its location and the
    /// closest known id.
    pub fn check_rule_ids(&self, known: &[&str]) -> Result<(), ConfigError> {
        for r in self.rule_refs() {
            if !known.contains(&r.id.as_str()) {
                let help = match error::closest(&r.id, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`? `topolint rules` lists every rule"),
                    None => "`topolint rules` lists every rule".to_string(),
                };
                return Err(self.error_at(r.range, format!("unknown rule `{}`", r.id), help));
            }
        }
        Ok(())
    }

    /// An error located in this configuration file (for checks made after parsing, such
    /// as a plugin whose file does not match its `sha256`).
    pub fn located_error(&self, range: TextRange, message: String, help: String) -> ConfigError {
        self.error_at(range, message, help)
    }

    fn error_at(&self, range: TextRange, message: String, help: String) -> ConfigError {
        let path = self
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from(FILE_NAME));
        ConfigError::at(path, self.text.clone(), range, message, Some(help))
    }
}

/// The nearest `topolint.toml`: in `start` (a directory, or a file's directory) or the
/// closest parent directory. `start` should be absolute, or the search stops at the top
/// of the relative path.
pub fn find(start: &Path, fs: &dyn FileSystem) -> Option<PathBuf> {
    let mut dir = if fs.is_dir(start) {
        Some(start)
    } else {
        start.parent()
    };
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if fs.is_file(&candidate) {
            return Some(candidate);
        }
        dir = d.parent();
    }
    None
}

/// Reads and validates the configuration at `path`.
pub fn load(path: &Path, fs: &dyn FileSystem) -> Result<Config, ConfigError> {
    let bytes = match fs.read_limited(path, MAX_CONFIG_SIZE) {
        Ok(ReadOutcome::Bytes(b)) => b,
        Ok(ReadOutcome::TooLarge(size)) => {
            return Err(ConfigError::file(
                path.to_path_buf(),
                format!("the configuration is {size} bytes, over the {MAX_CONFIG_SIZE} byte limit"),
            ))
        }
        Err(e) => {
            return Err(ConfigError::file(
                path.to_path_buf(),
                format!("cannot read the configuration: {e}"),
            ))
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        ConfigError::file(
            path.to_path_buf(),
            format!(
                "the configuration is not valid UTF-8 (byte {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    parse(&text, path)
}

/// Parses and validates configuration text that was read from `path` (relative paths in
/// it are resolved from `path`'s directory).
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let shared: Arc<str> = Arc::from(text);
    let located = |range: TextRange, message: String, help: Option<String>| {
        ConfigError::at(
            path.to_path_buf(),
            Some(shared.clone()),
            range,
            message,
            help,
        )
    };
    let raw: RawConfig =
        toml::from_str(text).map_err(|e| error::from_toml(&e, path, shared.clone()))?;
    let root = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let root = if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root
    };

    let rule = |s: &toml::Spanned<String>| RuleRef {
        id: s.get_ref().trim().to_string(),
        range: span(s.span()),
    };
    let select = raw.select.as_ref().map(|v| v.iter().map(rule).collect());
    let ignore = raw.ignore.iter().map(rule).collect();
    let severity = raw
        .severity
        .iter()
        .map(|(k, v)| SeverityOverride {
            rule: rule(k),
            severity: severity_of(*v.get_ref()),
        })
        .collect();

    let mut per_path_ignores = Vec::new();
    for (pattern, rules) in &raw.per_path_ignores {
        let text_pattern = pattern.get_ref().trim();
        let range = span(pattern.span());
        if text_pattern.is_empty() {
            return Err(located(range, "empty glob".into(), None));
        }
        let glob = GlobBuilder::new(text_pattern.trim_start_matches("./"))
            .literal_separator(true)
            .build()
            .map_err(|e| {
                located(
                    range,
                    format!("invalid glob `{text_pattern}`: {}", e.kind()),
                    Some(
                        "globs use `*`, `?`, `[abc]`, `{a,b}` and `**` for any directories".into(),
                    ),
                )
            })?;
        per_path_ignores.push(PathIgnore {
            pattern: text_pattern.to_string(),
            range,
            matcher: glob.compile_matcher(),
            name_only: !text_pattern.contains('/'),
            rules: rules.iter().map(rule).collect(),
        });
    }

    let mut plugins = Vec::new();
    for p in &raw.plugins {
        let range = span(p.span());
        let p = p.get_ref();
        let plugin_path = p.path.get_ref().trim();
        if plugin_path.is_empty() {
            return Err(located(
                span(p.path.span()),
                "empty plugin path".into(),
                Some("give the path of the plugin's `.wasm` file".into()),
            ));
        }
        let sha = p.sha256.get_ref().trim();
        if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(located(
                span(p.sha256.span()),
                format!(
                    "`sha256` must be 64 hexadecimal digits, found {} characters",
                    sha.chars().count()
                ),
                Some(format!("compute it with `sha256sum {plugin_path}`")),
            ));
        }
        let limit = |v: &Option<toml::Spanned<i64>>, key: &str, max: i64, unit: &str| match v {
            Some(v) if !(1..=max).contains(v.get_ref()) => Err(located(
                span(v.span()),
                format!("`{key}` must be between 1 and {max} {unit}"),
                None,
            )),
            Some(v) => Ok(Some(*v.get_ref() as u64)),
            None => Ok(None),
        };
        let timeout_ms = limit(&p.timeout_ms, "timeout-ms", 600_000, "milliseconds")?;
        let memory_mib = limit(&p.memory_mib, "memory-mib", 4096, "MiB")?;
        let options = match &p.options {
            Some(t) => serde_json::Value::Object(
                t.get_ref()
                    .iter()
                    .map(|(k, v)| (k.clone(), toml_to_json(v)))
                    .collect(),
            )
            .to_string(),
            None => "{}".to_string(),
        };
        plugins.push(PluginSpec {
            path: plugin_path.to_string(),
            resolved: root.join(plugin_path),
            sha256: sha.to_ascii_lowercase(),
            range,
            sha256_range: span(p.sha256.span()),
            options,
            timeout_ms,
            memory_mib,
        });
    }

    let facts = facts::from_raw(&raw, &root, &located)?;

    Ok(Config {
        path: Some(path.to_path_buf()),
        root,
        select,
        ignore,
        severity,
        per_path_ignores,
        fail_on: raw.fail_on.as_ref().map(|s| severity_of(*s.get_ref())),
        output: OutputDefaults {
            format: raw.output.format.as_ref().map(|f| match f.get_ref() {
                FormatName::Human => OutputFormat::Human,
                FormatName::Json => OutputFormat::Json,
                FormatName::Sarif => OutputFormat::Sarif,
                FormatName::Github => OutputFormat::Github,
                FormatName::Junit => OutputFormat::Junit,
            }),
        },
        plugins,
        facts,
        text: Some(shared),
    })
}

/// A TOML value as JSON (dates and times become their TOML text).
fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    match v {
        toml::Value::String(s) => serde_json::Value::String(s.clone()),
        toml::Value::Integer(i) => serde_json::Value::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        toml::Value::Boolean(b) => serde_json::Value::Bool(*b),
        toml::Value::Datetime(d) => serde_json::Value::String(d.to_string()),
        toml::Value::Array(a) => serde_json::Value::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => serde_json::Value::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

/// The JSON schema of `topolint.toml` (pretty-printed, with a final newline), generated
/// from the same types the parser uses.
pub fn json_schema() -> String {
    let mut schema = serde_json::to_value(schemars::schema_for!(RawConfig)).unwrap_or_default();
    drop_null_defaults(&mut schema);
    let mut out = serde_json::to_string_pretty(&schema).unwrap_or_default();
    out.push('\n');
    out
}

/// Optional keys have no default value in TOML (there is no null): schemars writes
/// `"default": null` for them, which would not validate against their own type.
fn drop_null_defaults(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if map.get("default").is_some_and(serde_json::Value::is_null) {
                map.remove("default");
            }
            map.values_mut().for_each(drop_null_defaults);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_null_defaults),
        _ => {}
    }
}

fn severity_of(s: SeverityName) -> Severity {
    match s {
        SeverityName::Error => Severity::Error,
        SeverityName::Warning => Severity::Warning,
        SeverityName::Info => Severity::Info,
    }
}

pub(crate) fn span(r: std::ops::Range<usize>) -> TextRange {
    TextRange::from_usize(r.start, r.end)
}
