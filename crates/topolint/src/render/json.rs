//! The JSON output (`--format json`), version 1; documented in docs/json-output.md.
//! Deterministic: no timings, no absolute paths that the user did not give, sorted findings.

use std::io::Write;

use serde::Serialize;
use topolint_diagnostics::{Diagnostic, FileId, Severity, SourceMap, TextRange};
use topolint_workspace::Workspace;

/// Bumped on any incompatible change of the document's shape.
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    files: Vec<FileEntry<'a>>,
    findings: Vec<Finding<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files: std::collections::BTreeMap<&'static str, usize>,
    skipped: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
}

#[derive(Serialize)]
struct FileEntry<'a> {
    path: &'a str,
    kind: Option<&'static str>,
    skipped: bool,
}

#[derive(Serialize)]
struct Position {
    offset: u32,
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    start: Position,
    end: Position,
}

#[derive(Serialize)]
struct Related<'a> {
    location: Location<'a>,
    message: &'a str,
}

#[derive(Serialize)]
struct Edit<'a> {
    location: Location<'a>,
    replacement: &'a str,
}

#[derive(Serialize)]
struct Fix<'a> {
    message: &'a str,
    applicability: topolint_diagnostics::Applicability,
    edits: Vec<Edit<'a>>,
}

#[derive(Serialize)]
struct Finding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    location: Location<'a>,
    label: &'a str,
    related: Vec<Related<'a>>,
    fix: Option<Fix<'a>>,
}

fn location(sources: &SourceMap, file: FileId, range: TextRange) -> Location<'_> {
    let f = sources.file(file);
    let pos = |offset: u32| {
        let lc = f.line_col(offset);
        Position {
            offset: offset.min(f.len()),
            line: lc.line,
            column: lc.column,
        }
    };
    Location {
        path: &f.display,
        start: pos(range.start),
        end: pos(range.end),
    }
}

pub fn render(
    ws: &Workspace,
    findings: &[Diagnostic],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let sources = &ws.sources;
    let mut files: Vec<FileEntry<'_>> = ws
        .files
        .iter()
        .map(|f| FileEntry {
            path: &sources.file(f.id).display,
            kind: f.kind.map(|k| k.as_str()),
            skipped: matches!(f.content, topolint_workspace::Content::Skipped(_)),
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(b.path));
    let count = |s: Severity| findings.iter().filter(|d| d.severity == s).count();
    let doc = Document {
        version: JSON_VERSION,
        tool: Tool {
            name: "topolint",
            version: env!("CARGO_PKG_VERSION"),
        },
        summary: Summary {
            files: ws
                .count_by_kind()
                .into_iter()
                .map(|(k, n)| (k.as_str(), n))
                .collect(),
            skipped: ws.skipped_count(),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
        },
        files,
        findings: findings
            .iter()
            .map(|d| Finding {
                rule: &d.rule,
                severity: d.severity,
                message: &d.message,
                help: d.help.as_deref(),
                location: location(sources, d.primary.file, d.primary.range),
                label: &d.primary.message,
                related: d
                    .secondary
                    .iter()
                    .map(|l| Related {
                        location: location(sources, l.file, l.range),
                        message: &l.message,
                    })
                    .collect(),
                fix: d.fix.as_ref().map(|f| Fix {
                    message: &f.message,
                    applicability: f.applicability,
                    edits: f
                        .edits
                        .iter()
                        .map(|e| Edit {
                            location: location(sources, e.file, e.range),
                            replacement: &e.replacement,
                        })
                        .collect(),
                }),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
