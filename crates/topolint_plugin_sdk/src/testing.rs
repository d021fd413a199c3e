//! Run a plugin natively against a fixture folder (feature `testing`).
//!
//! The folder is loaded and linked exactly as `topolint check` does, serialized to the
//! same JSON model document the host passes to a WebAssembly plugin, and the plugin's
//! check runs on it through the same code path as its `check` export. Findings come back
//! with their file, line, column and the text they point at, and every span is checked
//! against its file as the host checks it:
//!
//! ```no_run
//! # struct MyPlugin;
//! # impl topolint_plugin_sdk::Plugin for MyPlugin {
//! #     const NAME: &'static str = "x";
//! #     const VERSION: &'static str = "1";
//! #     fn rules() -> Vec<topolint_plugin_sdk::RuleMeta> { Vec::new() }
//! #     fn check(_: &topolint_plugin_sdk::Context<'_>, _: &mut topolint_plugin_sdk::Report) -> topolint_plugin_sdk::Result<()> { Ok(()) }
//! # }
//! let outcome = topolint_plugin_sdk::testing::run::<MyPlugin>("tests/fixtures/invalid-latest");
//! assert_eq!(outcome.render(), "warning[forbid-latest-image-tag] compose.yaml:3:5: ...\n");
//! ```

use std::path::Path;

use topolint_model::LinkOptions;
use topolint_workspace::{Input, LoadOptions, RealFs};

use crate::{Plugin, Severity};

/// A resolved location of a span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// As topolint shows it (relative to the fixture folder).
    pub path: String,
    pub line: u32,
    pub column: u32,
    /// The text the span covers.
    pub text: String,
}

/// A finding with its locations resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestFinding {
    pub rule: String,
    /// The finding's severity, or the rule's default.
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    pub primary: Location,
    pub primary_label: String,
    pub secondary: Vec<(Location, String)>,
}

/// What a run produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// In the order the plugin reported them.
    pub findings: Vec<TestFinding>,
    /// The check's error, as a `plugin-error` finding would show it.
    pub error: Option<String>,
}

impl Outcome {
    /// One line per finding (`severity[rule] path:line:col: message`), then its evidence,
    /// for assertions and snapshots.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for f in &self.findings {
            s.push_str(&format!(
                "{}[{}] {}:{}:{}: {}\n",
                f.severity.as_str(),
                f.rule,
                f.primary.path,
                f.primary.line,
                f.primary.column,
                f.message
            ));
            for (l, message) in &f.secondary {
                s.push_str(&format!(
                    "  evidence {}:{}:{}: {message}\n",
                    l.path, l.line, l.column
                ));
            }
        }
        if let Some(e) = &self.error {
            s.push_str(&format!("error: {e}\n"));
        }
        s
    }
}

/// Runs `P` with no options on the project in `dir`.
pub fn run<P: Plugin>(dir: impl AsRef<Path>) -> Outcome {
    run_with_options::<P>(dir, serde_json::json!({}))
}

/// Runs `P` with `options` (what `options = { ... }` in topolint.toml would pass) on the
/// project in `dir`.
///
/// Panics when the folder cannot be loaded or when the plugin reports a span that is not
/// inside a file of the model: the host would turn that into a `plugin-error`.
pub fn run_with_options<P: Plugin>(dir: impl AsRef<Path>, options: serde_json::Value) -> Outcome {
    let dir = dir.as_ref();
    let load = LoadOptions {
        base_dir: Some(dir.to_path_buf()),
        ..LoadOptions::default()
    };
    let ws = topolint_workspace::load(&[Input::Path(dir.to_path_buf())], &load, &RealFs)
        .unwrap_or_else(|e| panic!("cannot load fixture `{}`: {e}", dir.display()));
    let linked = topolint_model::link(&ws, &LinkOptions::default());
    let document = serde_json::to_string(&linked.topology).expect("the model serializes");
    let rules = P::rules();
    let findings = match crate::glue::run::<P>(&document, &options.to_string()) {
        Ok(f) => f,
        Err(e) => {
            return Outcome {
                findings: Vec::new(),
                error: Some(e.0),
            }
        }
    };
    let locate = |span: &crate::Span| -> Location {
        let file = ws
            .sources
            .get(topolint_diagnostics::FileId(span.file))
            .unwrap_or_else(|| panic!("span in file {} which is not in the model", span.file));
        assert!(
            span.start <= span.end && span.end <= file.len(),
            "span {}..{} is outside `{}` ({} bytes)",
            span.start,
            span.end,
            file.display,
            file.len()
        );
        let lc = file.line_col(span.start);
        Location {
            path: file.display.clone(),
            line: lc.line,
            column: lc.column,
            text: file
                .slice(topolint_diagnostics::TextRange::new(span.start, span.end))
                .to_string(),
        }
    };
    let findings = findings
        .iter()
        .map(|f| {
            let default = rules
                .iter()
                .find(|r| r.id == f.rule)
                .map_or(Severity::Warning, |r| r.default_severity);
            TestFinding {
                rule: f.rule.clone(),
                severity: f.severity.unwrap_or(default),
                message: f.message.clone(),
                help: f.help.clone(),
                primary: locate(&f.primary.span),
                primary_label: f.primary.message.clone(),
                secondary: f
                    .secondary
                    .iter()
                    .map(|l| (locate(&l.span), l.message.clone()))
                    .collect(),
            }
        })
        .collect();
    Outcome {
        findings,
        error: None,
    }
}
