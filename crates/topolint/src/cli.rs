use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Finds the configuration behind `502 Bad Gateway`, `503 no healthy upstream` and
/// `connect() failed (111)` before it ships: nginx, docker compose and Kubernetes/Istio
/// linted together as one topology.
#[derive(Debug, Parser)]
#[command(name = "topolint", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint files and directories (default: the current directory); `-` reads stdin.
    Check(CheckArgs),
    /// Lint the whole repository but report only findings that touch the given files
    /// (for pre-commit: a commit that changes nginx.conf still sees compose.yaml).
    Hook(HookArgs),
    /// Write a commented `topolint.toml` to start from.
    Init(InitArgs),
    /// Print a rule's documentation.
    Explain {
        /// The rule id, e.g. `include-not-found`.
        rule: String,

        #[command(flatten)]
        plugins: PluginArgs,
    },
    /// List every rule with its default severity (plugin rules too).
    Rules(PluginArgs),
    /// WebAssembly rule plugins (docs/plugins.md).
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Draw the topology: who calls whom, through which name and port (broken links in red).
    Graph(GraphArgs),
    /// Run the language server on standard input and output (for editors: inline,
    /// cross-file findings, hover, quick fixes; see editors/README.md).
    Lsp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// The versioned model document (docs/model.md), as WASM plugins receive it.
    Json,
    /// A Mermaid flowchart (renders on GitHub, GitLab and in most Markdown viewers).
    Mermaid,
    /// Graphviz DOT (`| dot -Tsvg > topology.svg`).
    Dot,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Files or directories to read.
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,

    /// Do not respect `.gitignore`, `.ignore` and git exclude files.
    #[arg(long)]
    pub no_ignore: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// miette-rendered findings with source snippets and a summary.
    Human,
    /// A versioned JSON document (docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request's diff.
    Github,
    /// JUnit XML, for CI test reports (GitLab, Jenkins, Azure).
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// Colour when writing to a terminal and `NO_COLOR` is not set.
    Auto,
    Always,
    Never,
}

/// How to read files (shared by `check` and `hook`).
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Do not respect `.gitignore`, `.ignore` and git exclude files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Skip (with a note) files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = topolint_workspace::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,

    /// Run this WebAssembly rule plugin too, besides the `[[plugins]]` of topolint.toml
    /// (repeatable).
    #[arg(long = "plugin", value_name = "FILE")]
    pub plugins: Vec<PathBuf>,
}

/// Plugins whose rules `rules` and `explain` show.
#[derive(Debug, Args)]
pub struct PluginArgs {
    /// Load this WebAssembly rule plugin too, besides the `[[plugins]]` of topolint.toml
    /// (repeatable).
    #[arg(long = "plugin", value_name = "FILE")]
    pub plugins: Vec<PathBuf>,

    /// Use this configuration file instead of looking for `topolint.toml` upwards from the
    /// current directory.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Create a Rust plugin crate: one rule, its fixtures and tests, ready to build for
    /// `wasm32-wasip2`.
    New(PluginNewArgs),
}

#[derive(Debug, Args)]
pub struct PluginNewArgs {
    /// The plugin's name: kebab-case, also its crate name and its rule's id.
    pub name: String,

    /// Where to create it [default: a directory named NAME].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,

    /// The topolint_plugin_sdk crate to depend on, by path [default: the SDK beside the
    /// sources this topolint was built from, else the repository].
    #[arg(long, value_name = "PATH")]
    pub sdk: Option<PathBuf>,
}

/// What to report and how (shared by `check` and `hook`).
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format [default: `[output] format` of topolint.toml, else human].
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Use this configuration file instead of looking for `topolint.toml` upwards from the
    /// linted path.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Exit with 1 when a finding at or above this severity is reported [default:
    /// `fail-on` of topolint.toml, else warning].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Exit with 0 even when findings are reported (2 still means an error).
    #[arg(long)]
    pub exit_zero: bool,

    /// Report only findings that are not recorded in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record today's findings in FILE (to adopt topolint in an existing repository) and
    /// exit with 0.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,

    /// Print how many findings each rule has instead of the findings (human or json).
    #[arg(long)]
    pub statistics: bool,

    /// Do not print the summary line and notes (human format).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// When to colour the human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to lint; `-` reads one file from standard input.
    pub paths: Vec<PathBuf>,

    /// The file name to use for standard input: decides its kind and how it is shown.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    #[command(flatten)]
    pub load: LoadArgs,

    #[command(flatten)]
    pub report: ReportArgs,
}

/// `topolint hook`: for pre-commit and other per-file callers.
#[derive(Debug, Args)]
pub struct HookArgs {
    /// The changed files. Findings are reported when their primary span or any of their
    /// evidence is in one of them; without files, every finding is reported.
    pub files: Vec<PathBuf>,

    /// The repository to lint as a whole (default: the current directory, which is the
    /// repository root under pre-commit).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,

    #[command(flatten)]
    pub load: LoadArgs,

    #[command(flatten)]
    pub report: ReportArgs,
}

/// `topolint init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The directory to write `topolint.toml` in.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Overwrite an existing `topolint.toml`.
    #[arg(long)]
    pub force: bool,
}
