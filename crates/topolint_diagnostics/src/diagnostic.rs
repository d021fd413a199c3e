use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{FileId, TextRange};

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}` (expected error, warning or info)"
            )),
        }
    }
}

/// A rule id: the kebab-case name of the problem (`include-not-found`). Built-in ids are
/// `'static`; plugin ids are owned.
pub type RuleId = Cow<'static, str>;

/// A location with an optional message: the primary label says what is wrong *here*;
/// secondary labels carry the evidence, possibly in other files.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Label {
    pub file: FileId,
    pub range: TextRange,
    pub message: String,
}

impl Label {
    pub fn new(file: FileId, range: TextRange, message: impl Into<String>) -> Self {
        Self {
            file,
            range,
            message: message.into(),
        }
    }
}

/// Whether a fix can be applied without review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Keeps the meaning the user intended; `--fix` applies it.
    Safe,
    /// Probably right, but may change behaviour; applied only on request.
    Unsafe,
    /// Shown as a suggestion, never applied automatically.
    DisplayOnly,
}

/// One text replacement.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Edit {
    pub file: FileId,
    pub range: TextRange,
    pub replacement: String,
}

/// A set of edits that together fix one finding.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Fix {
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Diagnostic {
    pub rule: RuleId,
    pub severity: Severity,
    /// What is wrong: lowercase, no trailing period, identifiers in backticks.
    pub message: String,
    pub primary: Label,
    /// Evidence, possibly in other files.
    pub secondary: Vec<Label>,
    /// What to change.
    pub help: Option<String>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(
        rule: impl Into<RuleId>,
        severity: Severity,
        message: impl Into<String>,
        primary: Label,
    ) -> Self {
        Self {
            rule: rule.into(),
            severity,
            message: message.into(),
            primary,
            secondary: Vec::new(),
            help: None,
            fix: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_secondary(mut self, label: Label) -> Self {
        self.secondary.push(label);
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    /// The total order used for output: file, position, rule, message. `file_order` maps a
    /// file id to its sort key (the display path), so order never depends on id assignment.
    pub fn sort_key<'a, K: Ord + 'a>(
        &'a self,
        file_order: impl Fn(FileId) -> K,
    ) -> (K, TextRange, &'a str, &'a str, Severity) {
        (
            file_order(self.primary.file),
            self.primary.range,
            &self.rule,
            &self.message,
            self.severity,
        )
    }
}

/// Sorts findings into the stable output order and removes exact duplicates.
pub fn sort_and_dedup<K: Ord>(diags: &mut Vec<Diagnostic>, file_order: impl Fn(FileId) -> K) {
    diags.sort_by(|a, b| {
        a.sort_key(&file_order)
            .cmp(&b.sort_key(&file_order))
            .then_with(|| format!("{:?}", a.secondary).cmp(&format!("{:?}", b.secondary)))
    });
    diags.dedup();
}
