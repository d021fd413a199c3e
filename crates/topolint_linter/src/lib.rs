//! One lint run over a loaded [`Workspace`]: the input-level findings of the loader, the
//! findings made while linking, and the rule findings over the linked [`Topology`], sorted
//! the one stable way. The CLI and the LSP both call [`lint`] (or [`run`] when they also want
//! the model); neither runs rules by itself.

use topolint_diagnostics::Diagnostic;
use topolint_model::{LinkOptions, Topology};
use topolint_workspace::Workspace;

/// Options of one run.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// Facts for the linker (cluster domain, nginx placements).
    pub link: LinkOptions,
    /// When set, only these rule ids run (the loader's own findings are always kept).
    pub only: Option<Vec<String>>,
}

/// A run's model and findings.
pub struct Outcome {
    pub topology: Topology,
    /// Sorted, deduplicated.
    pub findings: Vec<Diagnostic>,
}

/// Links the workspace and runs the rules.
pub fn run(ws: &Workspace, options: &LintOptions) -> Outcome {
    let linked = topolint_model::link(ws, &options.link);
    let mut findings = ws.diagnostics.clone();
    findings.extend(linked.diagnostics);
    let ctx = topolint_rules::Context {
        topology: &linked.topology,
        sources: &ws.sources,
    };
    let enabled = |id: &str| {
        options
            .only
            .as_ref()
            .is_none_or(|only| only.iter().any(|o| o == id))
    };
    findings.extend(topolint_rules::run(&ctx, &enabled));
    Workspace::sort_diagnostics(&ws.sources, &mut findings);
    Outcome {
        topology: linked.topology,
        findings,
    }
}

/// Every finding of one run, sorted.
pub fn lint(ws: &Workspace, options: &LintOptions) -> Vec<Diagnostic> {
    run(ws, options).findings
}
