use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use topolint_diagnostics::Severity;
use topolint_workspace::{Input, LoadOptions, RealFs, WalkOptions};

use crate::cli::{CheckArgs, FailOn, Format};
use crate::render;

pub fn run(args: &CheckArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut inputs = Vec::new();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut stdin_used = false;
    for p in paths {
        if p.as_os_str() == "-" {
            anyhow::ensure!(!stdin_used, "`-` (standard input) given more than once");
            stdin_used = true;
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(args.max_file_size.saturating_add(1))
                .read_to_end(&mut bytes)
                .context("cannot read standard input")?;
            inputs.push(Input::Stdin {
                filename: args.stdin_filename.clone(),
                bytes,
            });
        } else {
            inputs.push(Input::Path(p));
        }
    }
    if args.stdin_filename.is_some() && !stdin_used {
        anyhow::bail!("`--stdin-filename` needs `-` among the paths");
    }

    let options = LoadOptions {
        max_file_size: args.max_file_size,
        walk: WalkOptions {
            no_ignore: args.no_ignore,
        },
        base_dir: std::env::current_dir().ok(),
    };
    let ws = topolint_workspace::load(&inputs, &options, &RealFs)?;
    let findings = &topolint_linter::lint(&ws, &topolint_linter::LintOptions::default());

    match args.format {
        Format::Human => {
            render::human::render(&ws, findings, out)?;
            if !args.quiet {
                render::human::summary(&ws, findings, started.elapsed(), out)?;
            }
        }
        Format::Json => render::json::render(&ws, findings, out)?,
    }
    out.flush()?;

    let threshold = match args.fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Info => Severity::Info,
    };
    let failed = findings.iter().any(|d| d.severity >= threshold);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
