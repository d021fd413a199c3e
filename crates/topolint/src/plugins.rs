//! WebAssembly rule plugins in the CLI: `[[plugins]]` of topolint.toml and `--plugin FILE`
//! loaded for `check`, `hook`, `rules` and `explain`; `topolint plugin new NAME`.
//!
//! Reading the plugin files and pinning their hashes happens here (a file that is missing
//! or differs from its `sha256` is a configuration error, exit code 2); compiling and
//! running them is `topolint_plugin_host`'s job (behind the default-on cargo feature
//! `plugins`). `plugin-error` findings point at the plugin's `[[plugins]]` entry, so
//! topolint.toml joins the run's files; for `--plugin FILE` an empty placeholder named
//! after the file does.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use topolint_config::Config;
use topolint_diagnostics::Severity;
use topolint_linter::ExternalRules;
use topolint_workspace::Workspace;

use crate::cli::PluginNewArgs;

/// A plugin's rule, as `rules`, `explain` and SARIF show it.
#[derive(Debug, Clone)]
pub struct PluginRule {
    pub id: String,
    pub default_severity: Severity,
    pub summary: String,
    pub docs: String,
    /// `name version` of the plugin.
    pub plugin: String,
}

/// The plugins of one run.
#[derive(Debug, Default)]
pub struct Loaded {
    /// For `LintOptions::external`.
    pub external: Vec<Arc<dyn ExternalRules>>,
    pub rules: Vec<PluginRule>,
}

/// One plugin file to load, read and pinned. (Without the `plugins` feature only the
/// names are used, to say that plugins are configured.)
#[cfg_attr(not(feature = "plugins"), allow(dead_code))]
struct Wanted {
    display: String,
    bytes: Vec<u8>,
    options: String,
    timeout_ms: Option<u64>,
    memory_mib: Option<u64>,
    /// Where `plugin-error` findings go: `[[plugins]]` in topolint.toml, or the file.
    anchor: Anchor,
}

enum Anchor {
    Config(topolint_diagnostics::TextRange),
    File(PathBuf),
}

/// Reads the configured plugins and those given with `--plugin`; checks the pins.
fn wanted(config: &Config, cli: &[PathBuf]) -> anyhow::Result<Vec<Wanted>> {
    let mut out = Vec::new();
    for spec in &config.plugins {
        let bytes = std::fs::read(&spec.resolved).map_err(|e| {
            config.located_error(
                spec.range,
                format!("cannot read the plugin `{}`: {e}", spec.path),
                "the path is relative to the directory of topolint.toml".into(),
            )
        })?;
        #[cfg(feature = "plugins")]
        {
            let actual = topolint_plugin_host::sha256_hex(&bytes);
            if actual != spec.sha256 {
                return Err(config
                    .located_error(
                        spec.sha256_range,
                        format!(
                            "the plugin `{}` does not match its pin: its SHA-256 is `{actual}`",
                            spec.path
                        ),
                        format!("if the new file is trusted, pin it with `sha256 = \"{actual}\"`"),
                    )
                    .into());
            }
        }
        out.push(Wanted {
            display: spec.path.clone(),
            bytes,
            options: spec.options.clone(),
            timeout_ms: spec.timeout_ms,
            memory_mib: spec.memory_mib,
            anchor: Anchor::Config(spec.range),
        });
    }
    for path in cli {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read the plugin `{}`", path.display()))?;
        out.push(Wanted {
            display: path.display().to_string(),
            bytes,
            options: "{}".into(),
            timeout_ms: None,
            memory_mib: None,
            anchor: Anchor::File(path.clone()),
        });
    }
    Ok(out)
}

/// Adds a file that is not linted to the run, so findings can point into it.
fn add_file(
    ws: &mut Workspace,
    path: PathBuf,
    display: String,
    text: &str,
) -> topolint_diagnostics::FileId {
    let id = ws.sources.add_text(path, display, Arc::from(text));
    ws.files.push(topolint_workspace::LoadedFile {
        id,
        kind: None,
        content: topolint_workspace::Content::Text,
        explicit: false,
        included_only: false,
    });
    id
}

/// Loads the plugins of a `check`/`hook` run. `ws` gains topolint.toml (and placeholders
/// for `--plugin` files) so that `plugin-error` findings have a place.
pub fn load_for_run(
    config: &Config,
    cli: &[PathBuf],
    ws: &mut Workspace,
    cwd: &Path,
) -> anyhow::Result<Loaded> {
    let wanted = wanted(config, cli)?;
    if wanted.is_empty() {
        return Ok(Loaded::default());
    }
    let mut config_file = None;
    let mut anchored = Vec::with_capacity(wanted.len());
    for w in wanted {
        let label = match &w.anchor {
            Anchor::Config(range) => {
                let file = match config_file {
                    Some(f) => f,
                    None => {
                        let shown = config
                            .path
                            .clone()
                            .unwrap_or_else(|| PathBuf::from(topolint_config::FILE_NAME));
                        let text = std::fs::read_to_string(topolint_gate::absolute(cwd, &shown))
                            .unwrap_or_default();
                        let f = add_file(
                            ws,
                            topolint_gate::absolute(cwd, &shown),
                            shown.to_string_lossy().replace('\\', "/"),
                            &text,
                        );
                        config_file = Some(f);
                        f
                    }
                };
                topolint_diagnostics::Label::new(file, *range, "configured here")
            }
            Anchor::File(path) => {
                let file = add_file(
                    ws,
                    topolint_gate::absolute(cwd, path),
                    w.display.clone(),
                    "",
                );
                topolint_diagnostics::Label::new(
                    file,
                    topolint_diagnostics::TextRange::empty(0),
                    "",
                )
            }
        };
        anchored.push((w, label));
    }
    host_load(anchored, false)
}

/// Loads plugins only for their rules (`rules`, `explain`): a plugin that does not load is
/// an error.
pub fn load_for_rules(config: &Config, cli: &[PathBuf]) -> anyhow::Result<Loaded> {
    let wanted = wanted(config, cli)?;
    let anchored = wanted
        .into_iter()
        .map(|w| {
            let label = topolint_diagnostics::Label::new(
                topolint_diagnostics::FileId(0),
                topolint_diagnostics::TextRange::empty(0),
                "",
            );
            (w, label)
        })
        .collect();
    host_load(anchored, true)
}

#[cfg(feature = "plugins")]
fn host_load(
    anchored: Vec<(Wanted, topolint_diagnostics::Label)>,
    strict: bool,
) -> anyhow::Result<Loaded> {
    use topolint_plugin_host::{HostOptions, PluginHost, PluginSource};
    if anchored.is_empty() {
        return Ok(Loaded::default());
    }
    let host = PluginHost::new(HostOptions {
        cache_dir: HostOptions::default_cache_dir(),
    })?;
    let sources = anchored
        .into_iter()
        .map(|(w, anchor)| {
            let mut s = PluginSource::new(w.display, w.bytes, anchor);
            s.options = w.options;
            if let Some(ms) = w.timeout_ms {
                s.timeout = std::time::Duration::from_millis(ms);
            }
            if let Some(mib) = w.memory_mib {
                s.memory_limit = usize::try_from(mib << 20).unwrap_or(usize::MAX);
            }
            s
        })
        .collect();
    let builtin: Vec<&str> = topolint_rules::REGISTRY.iter().map(|r| r.id).collect();
    let plugins = host.load(sources, &builtin);
    if strict {
        if let Some(e) = plugins.load_errors().first() {
            anyhow::bail!("{}", e.message);
        }
    }
    let rules = plugins
        .rules()
        .into_iter()
        .map(|r| PluginRule {
            id: r.id,
            default_severity: r.default_severity,
            summary: r.summary,
            docs: r.docs,
            plugin: format!("{} {}", r.plugin, r.plugin_version),
        })
        .collect();
    Ok(Loaded {
        external: vec![Arc::new(plugins)],
        rules,
    })
}

#[cfg(not(feature = "plugins"))]
fn host_load(
    anchored: Vec<(Wanted, topolint_diagnostics::Label)>,
    _strict: bool,
) -> anyhow::Result<Loaded> {
    if anchored.is_empty() {
        return Ok(Loaded::default());
    }
    let names: Vec<&str> = anchored.iter().map(|(w, _)| w.display.as_str()).collect();
    anyhow::bail!(
        "this topolint was built without plugin support (cargo feature `plugins`), but plugins are configured: {}",
        names.join(", ")
    )
}

/// `topolint plugin new NAME`: a plugin crate to start from.
pub fn new(args: &PluginNewArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let name = args.name.as_str();
    anyhow::ensure!(
        !name.is_empty()
            && name.len() <= 64
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !name.ends_with('-'),
        "`{name}` is not a kebab-case name (`[a-z][a-z0-9-]*`): it becomes the crate name and the rule id"
    );
    anyhow::ensure!(
        topolint_rules::rule(name).is_none(),
        "`{name}` is a built-in rule: plugin rule ids must differ from built-in ones"
    );
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from(name));
    anyhow::ensure!(
        !dir.exists() || std::fs::read_dir(&dir).is_ok_and(|mut d| d.next().is_none()),
        "`{}` already exists and is not empty",
        dir.display()
    );
    let sdk = match &args.sdk {
        Some(path) => {
            let path = std::fs::canonicalize(path)
                .with_context(|| format!("cannot find the SDK at `{}`", path.display()))?;
            anyhow::ensure!(
                path.join("Cargo.toml").is_file(),
                "`{}` is not the topolint_plugin_sdk crate (no Cargo.toml)",
                path.display()
            );
            format!("{{ path = {:?} }}", path.to_string_lossy())
        }
        None => {
            // The SDK beside the sources this binary was built from, when they are still
            // there; otherwise the repository.
            let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../topolint_plugin_sdk");
            match std::fs::canonicalize(&beside) {
                Ok(p) if p.join("Cargo.toml").is_file() => {
                    format!("{{ path = {:?} }}", p.to_string_lossy())
                }
                _ => format!(
                    "{{ git = {:?}, tag = \"v{}\" }}",
                    env!("CARGO_PKG_REPOSITORY"),
                    env!("CARGO_PKG_VERSION")
                ),
            }
        }
    };
    let files = scaffold(name, &sdk);
    for (rel, text) in &files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        std::fs::write(&path, text)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    writeln!(
        out,
        "created the plugin `{name}` in `{}`:\n  cargo test                                          # its tests, natively\n  cargo build --release --target wasm32-wasip2        # the plugin: target/wasm32-wasip2/release/{}.wasm\n  topolint check --plugin target/wasm32-wasip2/release/{}.wasm PATH",
        dir.display(),
        name.replace('-', "_"),
        name.replace('-', "_"),
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The files of a new plugin crate.
fn scaffold(name: &str, sdk: &str) -> Vec<(&'static str, String)> {
    let ty: String = name
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    let file = name.replace('-', "_");
    let cargo = format!(
        r#"[package]
name = "{name}"
version = "0.1.0"
edition = "2021"
publish = false

[lib]
# `cdylib`: the plugin (`cargo build --release --target wasm32-wasip2`); `rlib`: the tests.
crate-type = ["cdylib", "rlib"]

[dependencies]
topolint_plugin_sdk = {sdk}

[dev-dependencies]
topolint_plugin_sdk = {sdk_testing}

[profile.release]
opt-level = "s"
strip = true

# A workspace of its own, wherever it is created.
[workspace]
"#,
        sdk_testing = sdk.replacen('{', "{ features = [\"testing\"],", 1),
    );
    let lib = format!(
        r###"//! `{name}`: a topolint rule plugin.
//!
//! Build it with `cargo build --release --target wasm32-wasip2`, then run it with
//! `topolint check --plugin target/wasm32-wasip2/release/{file}.wasm`, or pin it in
//! topolint.toml:
//!
//! ```toml
//! [[plugins]]
//! path = "target/wasm32-wasip2/release/{file}.wasm"
//! sha256 = "..."        # sha256sum target/wasm32-wasip2/release/{file}.wasm
//! options = {{ ports = [8080] }}
//! ```

use topolint_plugin_sdk::{{
    export_plugin, Context, Finding, Plugin, Report, Result, RuleMeta, Severity,
}};

const RULE: &str = "{name}";

pub struct {ty};

impl Plugin for {ty} {{
    const NAME: &'static str = "{name}";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn rules() -> Vec<RuleMeta> {{
        vec![RuleMeta::new(RULE, Severity::Warning, "a service uses a port this team does not allow")
            .docs(DOCS)]
    }}

    fn check(ctx: &Context<'_>, report: &mut Report) -> Result<()> {{
        // Options come from `options = {{ ... }}` in topolint.toml.
        let forbidden: Vec<u64> = match ctx.options().get("ports") {{
            Some(v) => v
                .as_array()
                .and_then(|a| a.iter().map(|p| p.as_u64()).collect())
                .ok_or("invalid options: `ports` must be a list of port numbers")?,
            None => vec![8080],
        }};
        for service in &ctx.topology().services {{
            for port in &service.ports {{
                if forbidden.contains(&u64::from(port.port)) {{
                    report.push(
                        Finding::new(RULE, port.span, format!("`{{}}` uses port {{}}", service.name, port.port))
                            .label("this port")
                            .help("use one of the team's allowed ports"),
                    );
                }}
            }}
        }}
        Ok(())
    }}
}}

export_plugin!({ty});

const DOCS: &str = r#"## What it does
Reports services (compose services, Kubernetes Services) that use a forbidden port (8080
unless the plugin's `ports` option says otherwise).

## Why is this bad?
Say why your team forbids it.

## Example
```yaml
services:
  api:
    image: acme/api:1.0
    expose: ["8080"]
```

## How to fix
Use another port.
"#;
"###
    );
    let test = format!(
        r#"//! The rule against the fixture projects in tests/fixtures (`invalid`: must report,
//! `valid`: must stay silent), run natively through the same JSON model document that
//! topolint hands the WebAssembly plugin.

use topolint_plugin_sdk::testing;
use {file}::{ty};

#[test]
fn reports_the_forbidden_port() {{
    let outcome = testing::run::<{ty}>("tests/fixtures/invalid");
    assert_eq!(
        outcome.render(),
        "warning[{name}] compose.yaml:5:9: `api` uses port 8080\n"
    );
    assert_eq!(outcome.findings[0].primary.text, "\"8080\"");
}}

#[test]
fn is_silent_on_allowed_ports() {{
    assert_eq!(testing::run::<{ty}>("tests/fixtures/valid").render(), "");
}}

#[test]
fn options_choose_the_ports() {{
    let outcome = testing::run_with_options::<{ty}>(
        "tests/fixtures/valid",
        serde_json::json!({{ "ports": [9000] }}),
    );
    assert_eq!(outcome.findings.len(), 1, "{{}}", outcome.render());
}}
"#
    );
    vec![
        ("Cargo.toml", cargo),
        ("src/lib.rs", lib),
        (
            "tests/rule.rs",
            test.replace("serde_json::json!", "topolint_plugin_sdk::serde_json::json!"),
        ),
        (
            "tests/fixtures/invalid/compose.yaml",
            "services:\n  api:\n    image: acme/api:1.0\n    expose:\n      - \"8080\"\n".into(),
        ),
        (
            "tests/fixtures/valid/compose.yaml",
            "services:\n  api:\n    image: acme/api:1.0\n    expose:\n      - \"9000\"\n".into(),
        ),
        (
            ".gitignore",
            "/target\n".into(),
        ),
        (
            "README.md",
            format!(
                "# {name}\n\nA [topolint](https://example.invalid/topolint) rule plugin (docs/plugins.md in topolint's repository).\n\n```sh\nrustup target add wasm32-wasip2\ncargo test                                     # the rule on tests/fixtures, natively\ncargo build --release --target wasm32-wasip2   # target/wasm32-wasip2/release/{file}.wasm\ntopolint check --plugin target/wasm32-wasip2/release/{file}.wasm .\n```\n"
            ),
        ),
    ]
}
