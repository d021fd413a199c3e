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
    /// Print a rule's documentation.
    Explain {
        /// The rule id, e.g. `include-not-found`.
        rule: String,
    },
    /// List every rule with its default severity.
    Rules,
    /// Draw the topology: who calls whom, through which name and port (broken links in red).
    Graph(GraphArgs),
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to lint; `-` reads one file from standard input.
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Exit with 1 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,

    /// Do not respect `.gitignore`, `.ignore` and git exclude files.
    #[arg(long)]
    pub no_ignore: bool,

    /// The file name to use for standard input: decides its kind and how it is shown.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// Skip (with a note) files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = topolint_workspace::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,

    /// Do not print the summary line (human format).
    #[arg(long)]
    pub quiet: bool,
}
