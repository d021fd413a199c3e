//! The fixture harness: every topology rule has `rules/fixtures/<rule-id>/invalid-*/` and
//! `valid-*/` projects. Only that rule runs on each; `invalid-*` must report (a primary span
//! and evidence), its output is snapshotted; `valid-*` must be silent.

use std::path::{Path, PathBuf};

use topolint_diagnostics::{Diagnostic, SourceMap};
use topolint_model::LinkOptions;
use topolint_workspace::{load, Input, LoadOptions, RealFs};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn cases(rule: &str) -> Vec<PathBuf> {
    let dir = fixtures().join(rule);
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|_| panic!("rule `{rule}` has no fixtures: create {}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

/// Loads a fixture project and runs one rule on it.
fn run(rule: &str, dir: &Path) -> (SourceMap, Vec<Diagnostic>) {
    let options = LoadOptions {
        base_dir: Some(dir.to_path_buf()),
        ..LoadOptions::default()
    };
    let ws = load(&[Input::Path(dir.to_path_buf())], &options, &RealFs).unwrap();
    assert!(
        ws.diagnostics.is_empty(),
        "fixture {} does not load cleanly: {:#?}",
        dir.display(),
        ws.diagnostics
    );
    let linked = topolint_model::link(&ws, &LinkOptions::default());
    let ctx = topolint_rules::Context {
        topology: &linked.topology,
        sources: &ws.sources,
    };
    let mut findings = topolint_rules::run(&ctx, &|id| id == rule);
    topolint_workspace::Workspace::sort_diagnostics(&ws.sources, &mut findings);
    (ws.sources, findings)
}

/// A stable, readable rendering of findings for snapshots.
pub fn render(sources: &SourceMap, findings: &[Diagnostic]) -> String {
    let loc = |file, range: topolint_diagnostics::TextRange| {
        let f = sources.file(file);
        let p = f.line_col(range.start);
        format!("{}:{}:{}", f.display, p.line, p.column)
    };
    let mut s = String::new();
    for d in findings {
        let f = sources.file(d.primary.file);
        s.push_str(&format!(
            "{}[{}] {}: {}\n",
            d.severity,
            d.rule,
            loc(d.primary.file, d.primary.range),
            d.message
        ));
        s.push_str(&format!("  | {}\n", f.slice(d.primary.range)));
        if !d.primary.message.is_empty() {
            s.push_str(&format!("  = {}\n", d.primary.message));
        }
        for l in &d.secondary {
            s.push_str(&format!(
                "  evidence {}: {}\n",
                loc(l.file, l.range),
                l.message
            ));
        }
        if let Some(h) = &d.help {
            s.push_str(&format!("  help: {h}\n"));
        }
        if let Some(fix) = &d.fix {
            for e in &fix.edits {
                s.push_str(&format!(
                    "  fix ({}): {} `{}` -> `{}`\n",
                    fix.message,
                    loc(e.file, e.range),
                    sources.file(e.file).slice(e.range),
                    e.replacement
                ));
            }
        }
    }
    s
}

#[test]
fn every_rule_has_invalid_and_valid_fixtures() {
    for (meta, _) in topolint_rules::CHECKS {
        let names: Vec<String> = cases(meta.id)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().any(|n| n.starts_with("invalid-")),
            "`{}` has no invalid-* fixture",
            meta.id
        );
        assert!(
            names.iter().any(|n| n.starts_with("valid-")),
            "`{}` has no valid-* fixture",
            meta.id
        );
        for n in &names {
            assert!(
                n.starts_with("invalid-") || n.starts_with("valid-"),
                "fixture `{}/{n}` is neither invalid-* nor valid-*",
                meta.id
            );
        }
    }
}

#[test]
fn invalid_fixtures_report_with_evidence_and_valid_ones_are_silent() {
    let mut failures = Vec::new();
    for (meta, _) in topolint_rules::CHECKS {
        for dir in cases(meta.id) {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let (sources, findings) = run(meta.id, &dir);
            if name.starts_with("valid-") {
                if !findings.is_empty() {
                    failures.push(format!(
                        "{}/{name} must be silent:\n{}",
                        meta.id,
                        render(&sources, &findings)
                    ));
                }
                continue;
            }
            if findings.is_empty() {
                failures.push(format!("{}/{name} reports nothing", meta.id));
                continue;
            }
            for d in &findings {
                if d.secondary.is_empty() && d.severity != topolint_diagnostics::Severity::Info {
                    failures.push(format!(
                        "{}/{name}: a finding without evidence: {}",
                        meta.id, d.message
                    ));
                }
                if d.help.is_none() {
                    failures.push(format!(
                        "{}/{name}: a finding without help: {}",
                        meta.id, d.message
                    ));
                }
            }
            insta::assert_snapshot!(format!("{}__{name}", meta.id), render(&sources, &findings));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
