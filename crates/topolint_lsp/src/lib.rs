//! `topolint lsp`: the language server.
//!
//! On `initialize` the server loads the topology of the workspace folders (with their
//! `topolint.toml`), then keeps it current while the user types: open documents are
//! overlaid on the file system (`topolint_workspace::OverlayFs`), every change re-parses the changed
//! document, re-links the topology and re-runs the rules and the gate (selection,
//! suppressions), and diagnostics are published for **every** file whose findings changed —
//! a fix in `compose.yaml` clears the warning shown in `nginx.conf`.
//!
//! The message loop never lints: lint jobs run on a worker thread (`engine`), changes are
//! debounced, one job runs at a time, and a result computed for an older revision of the
//! documents is dropped. A panic inside a job is caught, logged to the client, and the next
//! change starts from a fresh load. Hover and code actions are answered from the newest
//! analysis; a request that arrives while the analysis is behind the documents waits for
//! the next one.
//!
//! This is the only crate that knows LSP (docs/ARCHITECTURE.md): below it, findings are
//! [`topolint_diagnostics::Diagnostic`]s with byte ranges; here they become LSP diagnostics
//! with UTF-16 positions (`convert`).

// `lsp_types::WorkspaceEdit` keys its edits by `Uri`, whose parsed form is cached inside it;
// its `Hash` and `Eq` use only the string, so the map is sound.
#![allow(clippy::mutable_key_type)]

mod actions;
mod convert;
mod engine;
mod hover;
mod overlay;
mod repair;
mod server;
mod transport;

use std::sync::Arc;
use std::time::Duration;

pub use server::{run, Ending};

/// The command that inserts a suppression comment (`workspace/executeCommand`). Arguments:
/// one object `{uri, rule, line, reason?}` (`line` 0-based, as in LSP positions).
pub const SUPPRESS_COMMAND: &str = "topolint.suppress";

/// Where the rule pages are published: `<base><rule-id>.md` (docs/rules/ in the repository).
pub const RULE_DOCS_BASE: &str = concat!(env!("CARGO_PKG_REPOSITORY"), "/blob/main/docs/rules/");

/// See [`Options::on_lint`].
pub type LintHook = Arc<dyn Fn(&[std::path::PathBuf]) + Send + Sync>;

/// Settings of one server.
#[derive(Clone)]
pub struct Options {
    /// How long to wait after a `didChange` before linting, so that a burst of changes is
    /// linted once. Opening, saving and file-system events are linted at once.
    pub debounce: Duration,
    /// Called at the start of every lint job with the paths whose text changed. Tests use it
    /// to make a job panic and check that the server keeps serving.
    pub on_lint: Option<LintHook>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            debounce: Duration::from_millis(DEFAULT_DEBOUNCE_MS),
            on_lint: None,
        }
    }
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("debounce", &self.debounce)
            .field("on_lint", &self.on_lint.is_some())
            .finish()
    }
}

/// The default debounce, in milliseconds (`initializationOptions.debounceMs` overrides it).
pub const DEFAULT_DEBOUNCE_MS: u64 = 10;

/// Serves LSP on standard input and output until the client says `exit` (or closes its
/// end). Logs go to standard error and to the client (`window/logMessage`). The exit code is
/// 0 after `shutdown` + `exit`, else 1, as the protocol asks.
pub fn run_stdio() -> anyhow::Result<std::process::ExitCode> {
    let ending = transport::serve_stdio(|connection| run(connection, Options::default()))?;
    Ok(match ending {
        Ending::Shutdown => std::process::ExitCode::SUCCESS,
        Ending::Abrupt => std::process::ExitCode::from(1),
    })
}
