//! The sandbox against hostile plugins built from `plugins/tests/`: each one is stopped and
//! reported as a `plugin-error` naming it and the cause, within its deadline, and the
//! built-in findings of the same run are exactly those of a run without plugins.

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use topolint_diagnostics::{Diagnostic, FileId, Label, TextRange};
use topolint_plugin_host::{HostOptions, PluginHost, PluginSource, Plugins, PLUGIN_ERROR};
use topolint_workspace::{Input, LoadOptions, RealFs, Workspace};

fn load(dir: &Path) -> Workspace {
    let options = LoadOptions {
        base_dir: Some(dir.to_path_buf()),
        ..LoadOptions::default()
    };
    topolint_workspace::load(&[Input::Path(dir.to_path_buf())], &options, &RealFs).unwrap()
}

/// `plugin-error` findings point here in these tests (the CLI points them at topolint.toml).
fn anchor() -> Label {
    Label::new(FileId(0), TextRange::new(0, 0), "")
}

fn source(dir: &Path, name: &str) -> PluginSource {
    PluginSource::new(
        format!("{name}.wasm"),
        support::rust_plugin(dir, name),
        anchor(),
    )
}

/// A host with the tests' shared compile cache (the cache itself is tested in cache.rs).
fn host() -> PluginHost {
    PluginHost::new(HostOptions {
        cache_dir: Some(support::compile_cache()),
    })
    .unwrap()
}

fn builtin_ids() -> Vec<&'static str> {
    topolint_rules::REGISTRY.iter().map(|r| r.id).collect()
}

fn lint_with(ws: &Workspace, plugins: Option<Plugins>) -> Vec<Diagnostic> {
    let options = topolint_linter::LintOptions {
        external: plugins
            .map(|p| Arc::new(p) as Arc<dyn topolint_linter::ExternalRules>)
            .into_iter()
            .collect(),
        ..Default::default()
    };
    topolint_linter::run(ws, &options).findings
}

fn render(ws: &Workspace, findings: &[Diagnostic]) -> String {
    let loc = |file: FileId, range: TextRange| {
        let f = ws.sources.file(file);
        let p = f.line_col(range.start);
        format!("{}:{}:{}", f.display, p.line, p.column)
    };
    let mut s = String::new();
    for d in findings {
        s.push_str(&format!(
            "{}[{}] {}: {}\n",
            d.severity,
            d.rule,
            loc(d.primary.file, d.primary.range),
            d.message
        ));
    }
    s
}

fn plugin_errors(findings: &[Diagnostic]) -> Vec<&Diagnostic> {
    findings.iter().filter(|d| d.rule == PLUGIN_ERROR).collect()
}

/// Runs one hostile plugin on the stack fixture; returns its one `plugin-error` message
/// and how long the run took, after checking that nothing else changed.
fn hostile(name: &str, configure: impl FnOnce(&mut PluginSource)) -> Option<(String, Duration)> {
    let dir = support::rust_plugins()?;
    let ws = load(&support::fixture("stack"));
    let host = host();
    let baseline = lint_with(&ws, None);
    let mut s = source(&dir, name);
    configure(&mut s);
    let plugins = host.load(vec![s], &builtin_ids());
    assert!(plugins.load_errors().is_empty(), "{plugins:?}");
    let started = Instant::now();
    let findings = lint_with(&ws, Some(plugins));
    let took = started.elapsed();
    let errors = plugin_errors(&findings);
    assert_eq!(errors.len(), 1, "{}", render(&ws, &findings));
    let others: Vec<Diagnostic> = findings
        .iter()
        .filter(|d| d.rule != PLUGIN_ERROR)
        .cloned()
        .collect();
    assert_eq!(
        render(&ws, &others),
        render(&ws, &baseline),
        "the built-in findings changed"
    );
    assert!(
        !findings.iter().any(|d| d.rule == name),
        "the hostile plugin's own findings got through"
    );
    Some((errors[0].message.clone(), took))
}

#[test]
fn an_infinite_loop_is_stopped_at_the_deadline() {
    let Some((message, took)) = hostile("infinite-loop", |s| {
        s.timeout = Duration::from_millis(300);
    }) else {
        return;
    };
    assert_eq!(
        message,
        "plugin `infinite-loop` (`infinite-loop.wasm`) did not finish while checking within 300ms"
    );
    // The deadline fired (not earlier); the upper bound only proves the run does not hang
    // and is generous, because CI machines are shared and tests run in parallel.
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn the_default_deadline_is_one_second() {
    let Some((message, took)) = hostile("infinite-loop", |_| {}) else {
        return;
    };
    assert!(
        message.ends_with("did not finish while checking within 1s"),
        "{message}"
    );
    assert!(took < Duration::from_secs(15), "{took:?}");
}

#[test]
fn a_4_gib_allocation_hits_the_memory_cap() {
    let Some((message, took)) = hostile("huge-alloc", |_| {}) else {
        return;
    };
    assert!(
        message.starts_with("plugin `huge-alloc` (`huge-alloc.wasm`) ran out of memory while checking: the limit is 64 MiB"),
        "{message}"
    );
    // No hang (the cap stops the allocation at once; the bound is generous for shared CI).
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn a_panic_is_reported_with_its_message() {
    let Some((message, _)) = hostile("panics", |_| {}) else {
        return;
    };
    assert!(
        message.starts_with("plugin `panics` (`panics.wasm`) panicked at "),
        "{message}"
    );
    assert!(
        message.contains("the test plugin panicked on purpose after reading 3 workloads"),
        "{message}"
    );
}

#[test]
fn the_file_system_is_not_granted() {
    let Some((message, _)) = hostile("reads-files", |_| {}) else {
        return;
    };
    assert!(
        message.starts_with("plugin `reads-files` (`reads-files.wasm`) tried to use the file system (`wasi:filesystem/"),
        "{message}"
    );
    assert!(
        message.ends_with("while checking, which plugins are not granted"),
        "{message}"
    );
}

#[test]
fn the_network_is_not_granted() {
    let Some((message, _)) = hostile("opens-socket", |_| {}) else {
        return;
    };
    assert!(
        message.starts_with(
            "plugin `opens-socket` (`opens-socket.wasm`) tried to use the network (`wasi:sockets/"
        ),
        "{message}"
    );
}

/// Every hostile plugin in one run, beside the example plugins: one `plugin-error` each,
/// the examples' findings and the built-in findings as in runs of their own.
#[test]
fn all_hostile_plugins_in_one_run() {
    let Some(dir) = support::rust_plugins() else {
        return;
    };
    let ws = load(&support::fixture("stack"));
    let host = host();
    let examples = || {
        vec![
            source(&dir, "forbid-latest-image-tag"),
            source(&dir, "require-proxy-read-timeout-below"),
        ]
    };
    let quiet = lint_with(&ws, Some(host.load(examples(), &builtin_ids())));
    let mut sources = examples();
    for name in [
        "infinite-loop",
        "huge-alloc",
        "panics",
        "reads-files",
        "opens-socket",
        "returns-garbage",
    ] {
        let mut s = source(&dir, name);
        s.timeout = Duration::from_millis(500);
        sources.push(s);
    }
    let plugins = host.load(sources, &builtin_ids());
    let started = Instant::now();
    let findings = lint_with(&ws, Some(plugins));
    let took = started.elapsed();
    let errors: Vec<String> = plugin_errors(&findings)
        .iter()
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(errors.len(), 6, "{errors:#?}");
    for name in [
        "infinite-loop",
        "huge-alloc",
        "panics",
        "reads-files",
        "opens-socket",
        "returns-garbage",
    ] {
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with(&format!("plugin `{name}` (`{name}.wasm`) "))),
            "no plugin-error for {name}: {errors:#?}"
        );
    }
    let others: Vec<Diagnostic> = findings
        .iter()
        .filter(|d| d.rule != PLUGIN_ERROR)
        .cloned()
        .collect();
    assert_eq!(render(&ws, &others), render(&ws, &quiet));
    // One deadline (500ms) for the loop; everything else fails fast. Generous bound: shared
    // CI machines.
    assert!(took < Duration::from_secs(15), "{took:?}");
}

fn garbage(mode: &str) -> Option<String> {
    hostile("returns-garbage", |s| {
        s.options = format!(r#"{{"mode": "{mode}"}}"#)
    })
    .map(|(message, _)| message)
}

#[test]
fn text_that_is_not_utf8_is_malformed_output() {
    let Some(message) = garbage("invalid-utf8") else {
        return;
    };
    assert_eq!(
        message,
        "plugin `returns-garbage` (`returns-garbage.wasm`) returned malformed output while checking: invalid utf-8 sequence of 1 bytes from index 2"
    );
}

#[test]
fn a_finding_under_an_undeclared_rule_is_rejected() {
    let Some(message) = garbage("undeclared-rule") else {
        return;
    };
    assert_eq!(
        message,
        "plugin `returns-garbage` (`returns-garbage.wasm`) reported a finding under `parse-error`, which is not one of its rules (`returns-garbage`)"
    );
}

#[test]
fn spans_outside_any_file_are_rejected() {
    let Some(past_the_end) = garbage("span-outside-file") else {
        return;
    };
    assert!(
        past_the_end.ends_with(
            "reported a span outside any file: bytes 0..10000000 of file 0 (265 bytes long)"
        ),
        "{past_the_end}"
    );
    let unknown = garbage("unknown-file").unwrap();
    assert!(
        unknown.ends_with("reported a span outside any file: file 4242 is not in the model"),
        "{unknown}"
    );
    let reversed = garbage("reversed-span").unwrap();
    assert!(
        reversed
            .ends_with("reported a span outside any file: bytes 5..2 of file 0 (265 bytes long)"),
        "{reversed}"
    );
}

#[test]
fn a_flood_of_findings_is_rejected() {
    let Some(message) = garbage("flood") else {
        return;
    };
    assert!(
        message.ends_with("returned malformed output: 100000 findings (at most 10000 per run)"),
        "{message}"
    );
}

#[test]
fn an_error_from_check_is_reported() {
    let Some(message) = garbage("no-such-mode") else {
        return;
    };
    assert_eq!(
        message,
        "plugin `returns-garbage` (`returns-garbage.wasm`) reported an error: unknown mode `no-such-mode`"
    );
}

/// A trap discards the instance, not the plugin: the next run gets a fresh instance and
/// stops at its deadline again, and a plugin loaded beside it is unaffected.
#[test]
fn a_trapped_plugin_is_stopped_again_on_the_next_run() {
    let Some(dir) = support::rust_plugins() else {
        return;
    };
    let ws = load(&support::fixture("stack"));
    let mut looping = source(&dir, "infinite-loop");
    looping.timeout = Duration::from_millis(200);
    let plugins = Arc::new(host().load(
        vec![looping, source(&dir, "forbid-latest-image-tag")],
        &builtin_ids(),
    ));
    let options = topolint_linter::LintOptions {
        external: vec![plugins],
        ..Default::default()
    };
    let first = topolint_linter::run(&ws, &options).findings;
    let second = topolint_linter::run(&ws, &options).findings;
    assert_eq!(render(&ws, &first), render(&ws, &second));
    assert_eq!(plugin_errors(&second).len(), 1);
    assert_eq!(
        second
            .iter()
            .filter(|d| d.rule == "forbid-latest-image-tag")
            .count(),
        2
    );
}
