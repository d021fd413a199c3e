//! The `topolint` binary: argument parsing, exit codes and output. Thin by design: loading
//! lives in `topolint_workspace`, rules in `topolint_rules`, rendering of findings in
//! [`render`].

mod alloc;
mod check;
mod cli;
mod graph;
mod plugins;
mod render;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

// mimalloc: the load and link phases allocate many small objects from both threads;
// glibc's allocator was a measurable share of them (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: alloc::Allocator = alloc::Allocator;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if matches!(cli.command, cli::Command::Lsp) {
        return run(cli, &mut std::io::stdout().lock());
    }
    let mut out = std::io::stdout().lock();
    let code = run(cli, &mut out);
    // A closed pipe or a full disk at this point is ignored, as the standard library's
    // own flush at exit would.
    let _ = out.flush();
    // Without freeing anything or running the exit handlers (`alloc::exit`): the one-shot
    // commands end here. Exit codes are 0, 1 and 2 (README).
    let number = [0, 1, 2]
        .into_iter()
        .find(|&n| ExitCode::from(n) == code)
        .unwrap_or(2);
    alloc::exit(number)
}

fn run(cli: cli::Cli, out: &mut std::io::StdoutLock<'static>) -> ExitCode {
    let result = match cli.command {
        cli::Command::Check(args) => check::check(&args, out),
        cli::Command::Hook(args) => check::hook(&args, out),
        cli::Command::Init(args) => check::init(&args, out),
        cli::Command::Explain { rule, plugins } => explain(&rule, &plugins, out),
        cli::Command::Rules(plugins) => list_rules(&plugins, out),
        cli::Command::Plugin {
            command: cli::PluginCommand::New(args),
        } => plugins::new(&args, out),
        cli::Command::Graph(args) => graph::run(&args, out),
        cli::Command::Lsp => topolint_lsp::run_stdio(),
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
            let message = match err.downcast_ref::<topolint_config::ConfigError>() {
                Some(config) => config_error(config),
                None => format!("{err:#}"),
            };
            #[allow(clippy::print_stderr)]
            {
                eprintln!("topolint: error: {message}");
            }
            ExitCode::from(2)
        }
    }
}

/// The configuration for `rules` and `explain`: `--config FILE`, else the nearest
/// `topolint.toml` upwards from the working directory.
fn plugin_config(args: &cli::PluginArgs) -> anyhow::Result<topolint_config::Config> {
    let cwd = std::env::current_dir()?;
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => topolint_config::find(&cwd, &topolint_workspace::RealFs),
    };
    Ok(match path {
        Some(p) => topolint_config::load(&p, &topolint_workspace::RealFs)?,
        None => topolint_config::Config::defaults(cwd),
    })
}

fn explain(rule: &str, args: &cli::PluginArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    if topolint_rules::rule(rule).is_none() {
        let loaded = plugins::load_for_rules(&plugin_config(args)?, &args.plugins)?;
        if let Some(r) = loaded.rules.iter().find(|r| r.id == rule) {
            writeln!(
                out,
                "# {}
",
                r.id
            )?;
            writeln!(
                out,
                "{} · default severity: {} · plugin: {}\n",
                r.summary,
                r.default_severity.as_str(),
                r.plugin
            )?;
            write!(out, "{}", r.docs)?;
            return Ok(ExitCode::SUCCESS);
        }
    }
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

fn list_rules(args: &cli::PluginArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let loaded = plugins::load_for_rules(&plugin_config(args)?, &args.plugins)?;
    for meta in topolint_rules::REGISTRY {
        writeln!(
            out,
            "{:<28} {:<8} {}",
            meta.id,
            meta.default_severity.as_str(),
            meta.summary
        )?;
    }
    for r in &loaded.rules {
        writeln!(
            out,
            "{:<28} {:<8} {} (plugin {})",
            r.id,
            r.default_severity.as_str(),
            r.summary,
            r.plugin
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A configuration error with the offending line underlined, rustc style.
fn config_error(e: &topolint_config::ConfigError) -> String {
    let mut s = format!("{}", e.path.display());
    if let Some((_, lc)) = &e.location {
        s.push_str(&format!(":{}:{}", lc.line, lc.column));
    }
    s.push_str(&format!(": {}", e.message));
    if let (Some((range, lc)), Some(text)) = (&e.location, &e.text) {
        let index = topolint_diagnostics::LineIndex::new(text);
        let line = (lc.line - 1) as usize;
        if let Some(r) = index.line_range(line, text) {
            let number = lc.line.to_string();
            let pad = " ".repeat(number.len());
            let line_text = &text[r.clone()];
            let width = text
                .get(range.start as usize..(range.end as usize).min(r.end))
                .map_or(1, |t| t.chars().count().max(1));
            s.push_str(&format!(
                "\n{pad} |\n{number} | {line_text}\n{pad} | {}{}",
                " ".repeat((lc.column - 1) as usize),
                "^".repeat(width)
            ));
        }
    }
    if let Some(help) = &e.help {
        s.push_str(&format!("\n  = help: {help}"));
    }
    s
}
