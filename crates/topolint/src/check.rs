//! `topolint check` and `topolint hook`: configuration, loading, linting, the gate
//! (selection, suppressions, baseline), rendering and the exit code.

use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use topolint_config::{Config, OutputFormat};
use topolint_diagnostics::Severity;
use topolint_gate::{Baseline, Gate};
use topolint_workspace::{Input, LoadOptions, RealFs, WalkOptions};

use crate::cli::{CheckArgs, Color, FailOn, Format, HookArgs, LoadArgs, ReportArgs};
use crate::render;

/// One run, whatever the subcommand.
struct Run<'a> {
    inputs: Vec<Input>,
    load: &'a LoadArgs,
    report: &'a ReportArgs,
    config: Config,
    cwd: PathBuf,
    /// `hook`: report only findings touching these files.
    report_only: Option<&'a [PathBuf]>,
    started: Instant,
}

pub fn check(args: &CheckArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let mut inputs = Vec::new();
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut stdin_used = false;
    for p in &paths {
        if p.as_os_str() == "-" {
            anyhow::ensure!(!stdin_used, "`-` (standard input) given more than once");
            stdin_used = true;
            let mut bytes = Vec::new();
            std::io::stdin()
                .lock()
                .take(args.load.max_file_size.saturating_add(1))
                .read_to_end(&mut bytes)
                .context("cannot read standard input")?;
            inputs.push(Input::Stdin {
                filename: args.stdin_filename.clone(),
                bytes,
            });
        } else {
            inputs.push(Input::Path(p.clone()));
        }
    }
    if args.stdin_filename.is_some() && !stdin_used {
        anyhow::bail!("`--stdin-filename` needs `-` among the paths");
    }
    // The configuration is searched from the first path (for stdin: its file name).
    let start = match paths.first() {
        Some(p) if p.as_os_str() == "-" => args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from(".")),
        Some(p) => p.clone(),
        None => PathBuf::from("."),
    };
    let config = resolve_config(args.report.config.as_deref(), &start, &cwd)?;
    execute(
        Run {
            inputs,
            load: &args.load,
            report: &args.report,
            config,
            cwd,
            report_only: None,
            started,
        },
        out,
    )
}

pub fn hook(args: &HookArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    anyhow::ensure!(
        args.root.is_dir(),
        "`--root {}` is not a directory",
        args.root.display()
    );
    let config = resolve_config(args.report.config.as_deref(), &args.root, &cwd)?;
    // A changed topolint.toml can change every finding: report them all.
    let config_changed = config.path.as_ref().is_some_and(|c| {
        let c = topolint_gate::absolute(&cwd, c);
        args.files
            .iter()
            .any(|f| topolint_gate::absolute(&cwd, f) == c)
    });
    let report_only = (!args.files.is_empty() && !config_changed).then_some(args.files.as_slice());
    execute(
        Run {
            inputs: vec![Input::Path(args.root.clone())],
            load: &args.load,
            report: &args.report,
            config,
            cwd,
            report_only,
            started,
        },
        out,
    )
}

/// `--config FILE`, else the nearest `topolint.toml` upwards from `start`, else defaults
/// rooted at the working directory.
pub(crate) fn resolve_config(
    explicit: Option<&Path>,
    start: &Path,
    cwd: &Path,
) -> anyhow::Result<Config> {
    if let Some(path) = explicit {
        anyhow::ensure!(
            path.is_file(),
            "configuration file `{}` does not exist",
            path.display()
        );
        return Ok(topolint_config::load(path, &RealFs)?);
    }
    let start = topolint_gate::absolute(cwd, start);
    match topolint_config::find(&start, &RealFs) {
        Some(found) => {
            // Show it relative to the working directory, as findings are.
            let shown = found
                .strip_prefix(cwd)
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| found.clone());
            let mut config = topolint_config::load(&found, &RealFs).map_err(|mut e| {
                e.path = shown.clone();
                e
            })?;
            config.path = Some(shown);
            Ok(config)
        }
        None => Ok(Config::defaults(cwd.to_path_buf())),
    }
}

fn execute(run: Run<'_>, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    let Run {
        inputs,
        load,
        report,
        config,
        cwd,
        report_only,
        started,
    } = run;

    let format = report
        .format
        .or(config.output.format.map(|f| match f {
            OutputFormat::Human => Format::Human,
            OutputFormat::Json => Format::Json,
            OutputFormat::Sarif => Format::Sarif,
            OutputFormat::Github => Format::Github,
            OutputFormat::Junit => Format::Junit,
        }))
        .unwrap_or(Format::Human);
    if report.statistics && !matches!(format, Format::Human | Format::Json) {
        anyhow::bail!("`--statistics` prints a table (human) or JSON: use `--format human` or `--format json`");
    }
    let fail_on = report
        .fail_on
        .map(|f| match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        })
        .or(config.fail_on)
        .unwrap_or(Severity::Warning);
    let baseline = match &report.baseline {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the baseline `{}`", path.display()))?;
            Some(
                Baseline::parse(&text)
                    .with_context(|| format!("cannot use the baseline `{}`", path.display()))?,
            )
        }
        None => None,
    };

    let options = LoadOptions {
        max_file_size: load.max_file_size,
        walk: WalkOptions {
            no_ignore: load.no_ignore,
        },
        base_dir: Some(cwd.clone()),
    };
    let mut timings = Timings::new(started);
    // Suppressions are read from the trees, and each Kubernetes file is lowered, as soon as
    // the file is parsed: its tree is then dropped (a large repository's trees and model do
    // not fit in memory side by side).
    let (mut ws, (mut suppressions, lowered)) = topolint_workspace::load_with(
        &inputs,
        &options,
        &RealFs,
        &(
            topolint_gate::suppress::AtLoad,
            topolint_model::LowerKubernetes,
        ),
    )?;
    let loaded = ws.files.len();
    timings.mark("load (discover, read, parse, includes)");
    // Plugin rules are rules like the others (selectable, suppressible); topolint.toml
    // joins the run's files so that `plugin-error` findings can point at `[[plugins]]`.
    let plugins = crate::plugins::load_for_run(&config, &load.plugins, &mut ws, &cwd)?;
    let mut known: Vec<&str> = topolint_rules::REGISTRY.iter().map(|r| r.id).collect();
    known.extend(plugins.rules.iter().map(|r| r.id.as_str()));
    config.check_rule_ids(&known)?;
    let lint_options = topolint_linter::LintOptions {
        link: topolint_model::LinkOptions {
            reclaim: crate::alloc::worth_reclaiming(&ws).then_some(crate::alloc::reclaim as fn()),
            ..topolint_linter::link_options(&config.facts, &cwd)
        },
        external: plugins.external.clone(),
        ..topolint_linter::LintOptions::default()
    };
    // Files added after loading (topolint.toml, for plugin findings).
    topolint_gate::suppress::collect_from(&ws, loaded, &mut suppressions);
    timings.mark("plugins, configuration, suppressions");
    let topolint_linter::Outcome {
        topology,
        findings,
        timings: lint_timings,
    } = topolint_linter::run_lowered(&mut ws, &lint_options, lowered);
    timings.mark_split(
        "lint",
        &[("link", lint_timings.link), ("rules", lint_timings.rules)],
    );
    let gate = Gate {
        config: &config,
        base_dir: &cwd,
        known_rules: &known,
    };
    let mut outcome = gate.apply_with(&ws, findings, baseline.as_ref(), suppressions);
    timings.mark("gate (configuration, suppressions, baseline)");
    if let Some(files) = report_only {
        let wanted = files
            .iter()
            .map(|f| topolint_gate::absolute(&cwd, f))
            .collect();
        let paths = &outcome.paths;
        outcome
            .findings
            .retain(|d| topolint_gate::touches(d, paths, &wanted));
        outcome
            .suppressed
            .retain(|s| topolint_gate::touches(&s.diagnostic, paths, &wanted));
    }

    if let Some(path) = &report.write_baseline {
        let recorded = Baseline::from_findings(&ws, &outcome.paths, &outcome.findings);
        std::fs::write(path, recorded.to_json())
            .with_context(|| format!("cannot write the baseline `{}`", path.display()))?;
        if !report.quiet {
            writeln!(
                std::io::stderr(),
                "recorded {} finding(s) in `{}`; use it with `--baseline {}`",
                recorded.len(),
                path.display(),
                path.display()
            )?;
        }
        return Ok(ExitCode::SUCCESS);
    }

    let mut file;
    let mut stdout;
    let mut target: &mut dyn Write = match &report.output {
        Some(path) => {
            file = BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("cannot write `{}`", path.display()))?,
            );
            &mut file
        }
        // Standard output is line-buffered: a pretty-printed report of a large tree was a
        // write(2) per line (~16 ms for 10,000 files).
        None => {
            stdout = BufWriter::with_capacity(1 << 16, out);
            &mut stdout
        }
    };
    let color = match report.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            report.output.is_none()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let findings = &outcome.findings;
    if report.statistics {
        match format {
            Format::Json => render::statistics::json(findings, &mut target)?,
            _ => render::statistics::table(findings, &mut target)?,
        }
    } else {
        match format {
            Format::Human => {
                render::human::render(&ws, findings, color, &mut target)?;
                if !report.quiet {
                    render::human::summary(
                        &ws,
                        &render::human::Totals {
                            findings,
                            suppressed: outcome.suppressed.len(),
                            baselined: outcome.baselined,
                        },
                        started.elapsed(),
                        &mut target,
                    )?;
                }
            }
            Format::Json => render::json::render(&ws, findings, &mut target)?,
            Format::Sarif => render::sarif::render(
                &render::sarif::Input {
                    ws: &ws,
                    outcome: &outcome,
                    baseline_used: baseline.is_some(),
                    plugin_rules: &plugins.rules,
                },
                &mut target,
            )?,
            Format::Github => render::github::render(&ws, findings, &mut target)?,
            Format::Junit => render::junit::render(&ws, findings, fail_on, &mut target)?,
        }
    }
    target.flush()?;
    timings.mark("render");
    timings.print();

    let failed = findings.iter().any(|d| d.severity >= fail_on);
    // The process ends right after this ([`crate::alloc::exit`]): freeing every tree and the
    // topology would only be work for nothing.
    std::mem::forget((ws, topology));
    Ok(if failed && !report.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `topolint init`: writes the commented starting configuration.
pub fn init(args: &crate::cli::InitArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.dir.is_dir(),
        "`{}` is not a directory",
        args.dir.display()
    );
    let path = args.dir.join(topolint_config::FILE_NAME);
    if path.exists() && !args.force {
        anyhow::bail!(
            "`{}` already exists; pass `--force` to overwrite it",
            path.display()
        );
    }
    std::fs::write(&path, topolint_config::INIT_TEMPLATE)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    writeln!(out, "wrote `{}`", path.display())?;
    Ok(ExitCode::SUCCESS)
}

/// `TOPOLINT_TIMINGS=1`: the wall time of each phase of a run, on standard error (for
/// benchmarks and bug reports; see docs/benchmarks.md).
struct Timings {
    enabled: bool,
    last: Instant,
    lines: Vec<String>,
}

impl Timings {
    fn new(started: Instant) -> Self {
        Self {
            enabled: std::env::var_os("TOPOLINT_TIMINGS").is_some_and(|v| v == "1"),
            last: started,
            lines: Vec::new(),
        }
    }

    fn mark(&mut self, phase: &str) {
        self.mark_split(phase, &[]);
    }

    fn mark_split(&mut self, phase: &str, parts: &[(&str, std::time::Duration)]) {
        if !self.enabled {
            return;
        }
        let now = Instant::now();
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
        let mut line = format!("{phase:<46} {:>9.1} ms", ms(now - self.last));
        if let Some((rss, peak)) = resident_mib() {
            line.push_str(&format!("  rss {rss:.0} MiB (peak {peak:.0})"));
        }
        for (name, d) in parts {
            line.push_str(&format!("  {name} {:.1} ms", ms(*d)));
        }
        self.lines.push(line);
        self.last = now;
    }

    #[allow(clippy::print_stderr)] // the point of TOPOLINT_TIMINGS
    fn print(&self) {
        for line in &self.lines {
            eprintln!("timing: {line}");
        }
    }
}

/// Resident memory of this process now and at its peak so far (Linux `/proc/self/status`),
/// for `TOPOLINT_TIMINGS`.
fn resident_mib() -> Option<(f64, f64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let mib = |key: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(key))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    };
    Some((mib("VmRSS:")?, mib("VmHWM:")?))
}
