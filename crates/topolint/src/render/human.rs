//! Terminal output through miette: one report per finding, with the source snippet, the
//! primary label, same-file evidence as more labels and evidence in other files as related
//! reports with their own snippets.

use std::fmt;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use topolint_diagnostics::{Diagnostic, FileId, Severity, SourceMap, TextRange};
use topolint_workspace::Workspace;

struct Report {
    code: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: NamedSource<Arc<str>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        (!self.labels.is_empty()).then_some(&self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty()).then(|| Box::new(self.labels.iter().cloned()) as Box<_>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        (!self.related.is_empty())
            .then(|| Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)) as Box<_>)
    }
}

fn span(range: TextRange, len: usize) -> SourceSpan {
    let r = range.clamp_to(len);
    SourceSpan::new((r.start as usize).into(), r.len() as usize)
}

fn label(text: &str, range: TextRange, message: &str) -> LabeledSpan {
    let msg = (!message.is_empty()).then(|| message.to_string());
    LabeledSpan::new_with_span(msg, span(range, text.len()))
}

fn to_report(sources: &SourceMap, d: &Diagnostic) -> Report {
    let file = sources.file(d.primary.file);
    let has_text = !file.text.is_empty();
    let pos = file.line_col(d.primary.range.start);
    // Notes about files without text (skipped) carry their path in the message.
    let message = if has_text {
        d.message.clone()
    } else {
        format!("{}: {}", file.display, d.message)
    };
    let mut labels = Vec::new();
    if has_text {
        labels.push(label(&file.text, d.primary.range, &d.primary.message));
    }
    let mut related: Vec<Report> = Vec::new();
    for l in &d.secondary {
        if l.file == d.primary.file && has_text {
            labels.push(label(&file.text, l.range, &l.message));
        } else {
            related.push(evidence(sources, l.file, l.range, &l.message));
        }
    }
    let _ = pos;
    Report {
        code: d.rule.to_string(),
        severity: d.severity,
        message,
        help: d.help.clone(),
        source: NamedSource::new(file.display.clone(), file.text.clone())
            .with_language(language(&file.display)),
        labels,
        related,
    }
}

fn evidence(sources: &SourceMap, file: FileId, range: TextRange, message: &str) -> Report {
    let f = sources.file(file);
    let pos = f.line_col(range.start);
    Report {
        code: String::new(),
        severity: Severity::Info,
        message: format!("evidence in {}:{}:{}", f.display, pos.line, pos.column),
        help: None,
        source: NamedSource::new(f.display.clone(), f.text.clone()),
        labels: if f.text.is_empty() {
            Vec::new()
        } else {
            vec![label(&f.text, range, message)]
        },
        related: Vec::new(),
    }
}

fn language(name: &str) -> &'static str {
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        "yaml"
    } else {
        "nginx"
    }
}

fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_context_lines(1)
        .with_width(100)
}

/// Renders every finding; `color` decides the theme (the caller applies `--color` and
/// `NO_COLOR`).
pub fn render(
    ws: &Workspace,
    findings: &[Diagnostic],
    color: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let handler = handler(color);
    for d in findings {
        let report = to_report(&ws.sources, d);
        let mut s = String::new();
        if handler.render_report(&mut s, &report).is_err() {
            // Rendering is best effort; never lose the finding itself.
            let f = ws.sources.file(d.primary.file);
            let pos = f.line_col(d.primary.range.start);
            s = format!(
                "{}:{}:{}: {}[{}]: {}\n",
                f.display, pos.line, pos.column, d.severity, d.rule, d.message
            );
        }
        writeln!(out, "{s}")?;
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// What the summary line counts.
pub struct Totals<'a> {
    /// The reported findings.
    pub findings: &'a [Diagnostic],
    /// Silenced by inline suppressions.
    pub suppressed: usize,
    /// Accounted for by the baseline.
    pub baselined: usize,
}

pub fn summary(
    ws: &Workspace,
    totals: &Totals<'_>,
    elapsed: Duration,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let findings = totals.findings;
    let kinds = ws.count_by_kind();
    let total: usize = kinds.values().sum();
    let by_kind: Vec<String> = kinds
        .iter()
        .map(|(k, n)| format!("{n} {}", k.as_str()))
        .collect();
    let count = |s: Severity| findings.iter().filter(|d| d.severity == s).count();
    let skipped = ws.skipped_count();
    let skipped = if skipped > 0 {
        format!(", {skipped} skipped")
    } else {
        String::new()
    };
    let kinds = if by_kind.is_empty() {
        String::new()
    } else {
        format!(" ({})", by_kind.join(", "))
    };
    let mut hidden = Vec::new();
    if totals.suppressed > 0 {
        hidden.push(format!("{} suppressed", totals.suppressed));
    }
    if totals.baselined > 0 {
        hidden.push(format!("{} in the baseline", totals.baselined));
    }
    let hidden = if hidden.is_empty() {
        String::new()
    } else {
        format!(" ({})", hidden.join(", "))
    };
    writeln!(
        out,
        "checked {}{kinds}{skipped} in {:.2?}: {}, {}, {}{hidden}",
        plural(total, "file"),
        elapsed,
        plural(count(Severity::Error), "error"),
        plural(count(Severity::Warning), "warning"),
        plural(count(Severity::Info), "note"),
    )
}
