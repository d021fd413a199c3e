//! Rules and findings as a plugin writes them.

use crate::model::Span;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// A rule a plugin provides: what `topolint rules` and `topolint explain` show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleMeta {
    /// Kebab-case name of the problem.
    pub id: String,
    pub default_severity: Severity,
    /// One line, lowercase, no trailing period.
    pub summary: String,
    /// Markdown: `## What it does`, `## Why is this bad?`, `## Example`, `## How to fix`.
    pub docs: String,
}

impl RuleMeta {
    pub fn new(
        id: impl Into<String>,
        default_severity: Severity,
        summary: impl Into<String>,
    ) -> Self {
        Self {
            id: id.into(),
            default_severity,
            summary: summary.into(),
            docs: String::new(),
        }
    }

    pub fn docs(mut self, docs: impl Into<String>) -> Self {
        self.docs = docs.into();
        self
    }
}

/// A span with what it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem, as a rule reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: String,
    /// `None`: the rule's default severity.
    pub severity: Option<Severity>,
    /// What is wrong: lowercase, no trailing period, identifiers in backticks.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    pub primary: Label,
    /// Evidence, possibly in other files.
    pub secondary: Vec<Label>,
}

impl Finding {
    /// A finding of `rule` at `span`.
    pub fn new(rule: impl Into<String>, span: Span, message: impl Into<String>) -> Self {
        Self {
            rule: rule.into(),
            severity: None,
            message: message.into(),
            help: None,
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
        }
    }

    /// What the primary span shows.
    pub fn label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    /// A piece of evidence, possibly in another file.
    pub fn evidence(mut self, span: Span, message: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Overrides the rule's default severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }
}

/// Collects a check's findings.
#[derive(Debug, Default)]
pub struct Report {
    findings: Vec<Finding>,
}

impl Report {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}
