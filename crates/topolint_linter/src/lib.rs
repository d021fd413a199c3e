//! One lint run over a loaded [`Workspace`]: the input-level findings of the loader plus
//! (as the model lands) the rule findings over the linked topology, sorted the one stable
//! way. The CLI and the LSP both call [`lint`]; neither runs rules by itself.

use topolint_diagnostics::Diagnostic;
use topolint_workspace::Workspace;

/// Options of one run.
#[derive(Debug, Clone, Default)]
pub struct LintOptions {}

/// Every finding of one run, sorted.
pub fn lint(ws: &Workspace, _options: &LintOptions) -> Vec<Diagnostic> {
    let mut findings = ws.diagnostics.clone();
    Workspace::sort_diagnostics(&ws.sources, &mut findings);
    findings
}
