//! The example plugins (two in Rust, one in JavaScript) built from source and run over the
//! stack fixture: their findings, with the exact places they point at, and what loading
//! checks (ABI, metadata, rule ids) and caches.

mod support;

use std::path::Path;
use std::sync::Arc;

use topolint_diagnostics::{Diagnostic, FileId, Label, TextRange};
use topolint_plugin_host::{
    CacheOutcome, HostOptions, PluginHost, PluginSource, Plugins, PLUGIN_ERROR,
};
use topolint_workspace::{Input, LoadOptions, RealFs, Workspace};

fn load(dir: &Path) -> Workspace {
    let options = LoadOptions {
        base_dir: Some(dir.to_path_buf()),
        ..LoadOptions::default()
    };
    topolint_workspace::load(&[Input::Path(dir.to_path_buf())], &options, &RealFs).unwrap()
}

fn anchor() -> Label {
    Label::new(FileId(0), TextRange::new(0, 0), "")
}

fn host() -> PluginHost {
    PluginHost::new(HostOptions {
        cache_dir: Some(support::compile_cache()),
    })
    .unwrap()
}

fn builtin_ids() -> Vec<&'static str> {
    topolint_rules::REGISTRY.iter().map(|r| r.id).collect()
}

fn lint_with(ws: &Workspace, plugins: Plugins) -> Vec<Diagnostic> {
    let options = topolint_linter::LintOptions {
        external: vec![Arc::new(plugins)],
        ..Default::default()
    };
    topolint_linter::run(ws, &options).findings
}

/// `severity[rule] path:line:col: message`, then `  | text` of the primary span, the
/// evidence and the help.
fn render(ws: &Workspace, findings: &[Diagnostic], only: &[&str]) -> String {
    let loc = |file: FileId, range: TextRange| {
        let f = ws.sources.file(file);
        let p = f.line_col(range.start);
        format!("{}:{}:{}", f.display, p.line, p.column)
    };
    let mut s = String::new();
    for d in findings.iter().filter(|d| only.contains(&d.rule.as_ref())) {
        let f = ws.sources.file(d.primary.file);
        s.push_str(&format!(
            "{}[{}] {}: {}\n  | {}\n",
            d.severity,
            d.rule,
            loc(d.primary.file, d.primary.range),
            d.message,
            f.slice(d.primary.range)
        ));
        for l in &d.secondary {
            s.push_str(&format!(
                "  evidence {}: {} | {}\n",
                loc(l.file, l.range),
                l.message,
                ws.sources.file(l.file).slice(l.range)
            ));
        }
        if let Some(h) = &d.help {
            s.push_str(&format!("  help: {h}\n"));
        }
    }
    s
}

fn rust(dir: &Path, name: &str) -> PluginSource {
    PluginSource::new(
        format!("{name}.wasm"),
        support::rust_plugin(dir, name),
        anchor(),
    )
}

#[test]
fn the_rust_examples_report_at_the_right_places() {
    let Some(dir) = support::rust_plugins() else {
        return;
    };
    let ws = load(&support::fixture("stack"));
    let plugins = host().load(
        vec![
            rust(&dir, "forbid-latest-image-tag"),
            rust(&dir, "require-proxy-read-timeout-below"),
        ],
        &builtin_ids(),
    );
    assert!(plugins.load_errors().is_empty(), "{plugins:?}");
    let findings = lint_with(&ws, plugins);
    assert_eq!(
        render(
            &ws,
            &findings,
            &["forbid-latest-image-tag", "require-proxy-read-timeout-below"]
        ),
        "\
warning[forbid-latest-image-tag] compose.yaml:2:3: `web` runs an image that floats: `nginx:latest` is tagged `latest`
  | web
  help: pin a version tag (`nginx:1.27.3`) or a digest (`nginx@sha256:...`) so every deploy runs what was tested
warning[forbid-latest-image-tag] compose.yaml:8:3: `api` runs an image that floats: `ghcr.io/acme/api` has no tag, so `latest` is pulled
  | api
  help: pin a version tag (`nginx:1.27.3`) or a digest (`nginx@sha256:...`) so every deploy runs what was tested
warning[require-proxy-read-timeout-below] nginx.conf:10:24: `proxy_pass http://api:8080` in `location /api/` waits up to 45s for a response, not below the limit of 30s
  | http://api:8080
  evidence nginx.conf:4:5: `proxy_read_timeout` set to 45s here | proxy_read_timeout 45s;
  help: lower `proxy_read_timeout` below 30s (clients and load balancers in front give up earlier and see a 504)
warning[require-proxy-read-timeout-below] nginx.conf:19:24: `proxy_pass http://localhost:3000` in `location /admin/` waits up to 45s for a response, not below the limit of 30s
  | http://localhost:3000
  evidence nginx.conf:4:5: `proxy_read_timeout` set to 45s here | proxy_read_timeout 45s;
  help: lower `proxy_read_timeout` below 30s (clients and load balancers in front give up earlier and see a 504)
"
    );
}

#[test]
fn options_reach_the_plugin() {
    let Some(dir) = support::rust_plugins() else {
        return;
    };
    let ws = load(&support::fixture("stack"));
    let mut strict = rust(&dir, "require-proxy-read-timeout-below");
    strict.options = r#"{"limit": "5s"}"#.into();
    let findings = lint_with(&ws, host().load(vec![strict], &builtin_ids()));
    let timeouts = render(&ws, &findings, &["require-proxy-read-timeout-below"]);
    assert_eq!(timeouts.matches("warning[").count(), 3, "{timeouts}");
    assert!(
        timeouts.contains("`proxy_pass http://reports:9000` in `location /reports/` waits up to 10s for a response, not below the limit of 5s"),
        "{timeouts}"
    );

    let mut bad = rust(&dir, "require-proxy-read-timeout-below");
    bad.options = r#"{"limit": "soon"}"#.into();
    let findings = lint_with(&ws, host().load(vec![bad], &builtin_ids()));
    let error = findings.iter().find(|d| d.rule == PLUGIN_ERROR).unwrap();
    assert_eq!(
        error.message,
        "plugin `require-proxy-read-timeout-below` (`require-proxy-read-timeout-below.wasm`) reported an error: invalid options: `limit` = \"soon\" is not a duration like `30s`"
    );
}

#[test]
fn the_javascript_example_reports_at_the_right_places() {
    let Some(bytes) = support::js_plugin() else {
        return;
    };
    let ws = load(&support::fixture("stack"));
    let mut source = PluginSource::new("forbid-port.wasm", bytes, anchor());
    source.options = r#"{"ports": [8080, 80]}"#.into();
    let plugins = host().load(vec![source], &builtin_ids());
    assert!(plugins.load_errors().is_empty(), "{plugins:?}");
    let rules = plugins.rules();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].id, "forbid-port");
    assert_eq!(rules[0].plugin, "forbid-port");
    assert!(rules[0].docs.starts_with("## What it does"));
    let findings = lint_with(&ws, plugins);
    assert_eq!(
        render(&ws, &findings, &["forbid-port"]),
        "\
warning[forbid-port] compose.yaml:5:9: service `web` uses port 80, which this team does not allow
  | \"80:80\"
  evidence compose.yaml:2:3: `web` is declared here | web
  help: move `web` to an allowed port (forbidden: 8080, 80)
warning[forbid-port] compose.yaml:11:9: service `api` uses port 8080, which this team does not allow
  | \"8080\"
  evidence compose.yaml:8:3: `api` is declared here | api
  help: move `api` to an allowed port (forbidden: 8080, 80)
"
    );
}

#[test]
fn a_javascript_error_is_a_plugin_error_with_its_message() {
    let Some(bytes) = support::js_plugin() else {
        return;
    };
    let ws = load(&support::fixture("stack"));
    let mut source = PluginSource::new("forbid-port.wasm", bytes, anchor());
    source.options = r#"{"ports": "8080"}"#.into();
    let findings = lint_with(&ws, host().load(vec![source], &builtin_ids()));
    let errors: Vec<&str> = findings
        .iter()
        .filter(|d| d.rule == PLUGIN_ERROR)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("plugin `forbid-port` (`forbid-port.wasm`) reported an error: "),
        "{}",
        errors[0]
    );
    assert!(
        errors[0].contains("invalid options: `ports` must be a list of port numbers"),
        "{}",
        errors[0]
    );
}

#[test]
fn compiled_plugins_are_cached_by_content_and_wasmtime_version() {
    let Some(dir) = support::rust_plugins() else {
        return;
    };
    let cache = tempfile::tempdir().unwrap();
    let host = || {
        PluginHost::new(HostOptions {
            cache_dir: Some(cache.path().to_path_buf()),
        })
        .unwrap()
    };
    let bytes = support::rust_plugin(&dir, "forbid-latest-image-tag");
    let source = || PluginSource::new("forbid.wasm", bytes.clone(), anchor());

    let first = host().load(vec![source()], &[]);
    assert_eq!(first.load_stats()[0].cache, CacheOutcome::Stored);
    let versioned: Vec<_> = std::fs::read_dir(cache.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(versioned.len(), 1);
    assert!(
        versioned[0].starts_with(&format!(
            "wasmtime-{}-",
            topolint_plugin_host::WASMTIME_VERSION
        )),
        "{versioned:?}"
    );
    let entry = cache.path().join(&versioned[0]).join(format!(
        "{}.cwasm",
        topolint_plugin_host::sha256_hex(&bytes)
    ));
    assert!(entry.is_file(), "{}", entry.display());

    let second = host().load(vec![source()], &[]);
    assert_eq!(second.load_stats()[0].cache, CacheOutcome::Hit);
    assert_eq!(second.rules(), first.rules());

    // A damaged entry is compiled again, not trusted.
    std::fs::write(&entry, b"not compiled code").unwrap();
    let third = host().load(vec![source()], &[]);
    assert_eq!(third.load_stats()[0].cache, CacheOutcome::Stored);
    assert!(third.load_errors().is_empty());
    assert_eq!(
        host().load(vec![source()], &[]).load_stats()[0].cache,
        CacheOutcome::Hit
    );

    // Without a cache directory nothing is written.
    let uncached = PluginHost::new(HostOptions::default())
        .unwrap()
        .load(vec![source()], &[]);
    assert_eq!(uncached.load_stats()[0].cache, CacheOutcome::Compiled);
}

fn load_error(bytes: Vec<u8>, builtin: &[&str]) -> String {
    let plugins = host().load(vec![PluginSource::new("p.wasm", bytes, anchor())], builtin);
    let errors = plugins.load_errors();
    assert_eq!(errors.len(), 1, "{plugins:?}");
    assert_eq!(errors[0].rule, PLUGIN_ERROR);
    assert!(plugins.rules().is_empty());
    errors[0].message.clone()
}

#[test]
fn what_is_not_a_plugin_does_not_load() {
    assert_eq!(
        load_error(b"#!/bin/sh\necho hi\n".to_vec(), &[]),
        "plugin `p.wasm` is not a WebAssembly file (no `\\0asm` header)"
    );
    let core = wat::parse_str("(module (func (export \"check\")))").unwrap();
    assert!(load_error(core, &[])
        .starts_with("plugin `p.wasm` is a core WebAssembly module, not a component"));
    let empty = wat::parse_str("(component)").unwrap();
    assert_eq!(
        load_error(empty, &[]),
        "plugin `p.wasm` is not a topolint plugin: it does not export `topolint:plugin/rules@1.0.0` (its exports: none)"
    );
    let future = wat::parse_str(
        r#"(component (instance $i) (export "topolint:plugin/rules@2.0.0" (instance $i)))"#,
    )
    .unwrap();
    assert_eq!(
        load_error(future, &[]),
        "plugin `p.wasm` is built for ABI 2.0.0, and this topolint speaks ABI 1.0.0"
    );
    let mut truncated = wat::parse_str("(component)").unwrap();
    truncated.extend_from_slice(&[0x01, 0x02]);
    assert!(load_error(truncated, &[])
        .starts_with("plugin `p.wasm` is not a valid WebAssembly component: "),);
}

#[test]
fn plugin_rule_ids_must_not_collide() {
    let Some(dir) = support::rust_plugins() else {
        return;
    };
    let bytes = support::rust_plugin(&dir, "forbid-latest-image-tag");
    assert_eq!(
        load_error(bytes.clone(), &["forbid-latest-image-tag"]),
        "plugin `forbid-latest-image-tag` (`p.wasm`) declares the rule `forbid-latest-image-tag`, which is already a built-in rule or another plugin's: plugin rule ids must be unique"
    );
    let twice = host().load(
        vec![
            PluginSource::new("a.wasm", bytes.clone(), anchor()),
            PluginSource::new("b.wasm", bytes, anchor()),
        ],
        &builtin_ids(),
    );
    assert_eq!(twice.rules().len(), 1);
    let errors = twice.load_errors();
    assert_eq!(errors.len(), 1);
    assert!(errors[0]
        .message
        .starts_with("plugin `forbid-latest-image-tag` (`b.wasm`) declares the rule"));
}
