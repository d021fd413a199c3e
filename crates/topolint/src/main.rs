//! The `topolint` binary: argument parsing, exit codes and output. Thin by design: loading
//! lives in `topolint_workspace`, rules in `topolint_rules`, rendering of findings in
//! [`render`].

mod check;
mod cli;
mod graph;
mod render;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let mut out = std::io::stdout().lock();
    let result = match cli.command {
        cli::Command::Check(args) => check::run(&args, &mut out),
        cli::Command::Explain { rule } => explain(&rule, &mut out),
        cli::Command::Rules => list_rules(&mut out),
        cli::Command::Graph(args) => graph::run(&args, &mut out),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`topolint check | head`) is not an error.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = out.flush();
            #[allow(clippy::print_stderr)]
            {
                eprintln!("topolint: error: {err:#}");
            }
            ExitCode::from(2)
        }
    }
}

fn explain(rule: &str, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let Some(meta) = topolint_rules::rule(rule) else {
        let hint = topolint_rules::suggest(rule)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        anyhow::bail!("unknown rule `{rule}`{hint}; `topolint rules` lists them");
    };
    writeln!(out, "# {}\n", meta.id)?;
    writeln!(
        out,
        "{} · default severity: {} · layer: {}\n",
        meta.summary,
        meta.default_severity,
        meta.layer.as_str()
    )?;
    write!(out, "{}", meta.docs)?;
    Ok(ExitCode::SUCCESS)
}

fn list_rules(out: &mut impl Write) -> anyhow::Result<ExitCode> {
    for meta in topolint_rules::REGISTRY {
        writeln!(
            out,
            "{:<28} {:<8} {}",
            meta.id,
            meta.default_severity.as_str(),
            meta.summary
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
