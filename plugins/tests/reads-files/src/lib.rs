//! Tries to read /etc/passwd and the working directory: the sandbox has no file system.

use topolint_plugin_sdk::{
    export_plugin, Context, Finding, Plugin, Report, Result, RuleMeta, Severity,
};

pub struct Hostile;

const RULE: &str = "reads-files";

impl Plugin for Hostile {
    const NAME: &'static str = "reads-files";
    const VERSION: &'static str = "0.1.0";

    fn rules() -> Vec<RuleMeta> {
        vec![RuleMeta::new(
            RULE,
            Severity::Error,
            "a test plugin that tries to read files",
        )
        .docs("## What it does\na test plugin that tries to read files.\n")]
    }

    fn check(ctx: &Context<'_>, report: &mut Report) -> Result<()> {
        let _ = (&ctx, &report);
        // Were this to succeed, the plugin would leak the file through a finding.
        let what = match std::fs::read_to_string("/etc/passwd") {
            Ok(text) => format!("read /etc/passwd: {}", text.lines().next().unwrap_or("")),
            Err(e) => format!("could not read /etc/passwd: {e}"),
        };
        let listing = match std::fs::read_dir(".") {
            Ok(entries) => format!("{} entries", entries.count()),
            Err(e) => format!("could not list `.`: {e}"),
        };
        if let Some(w) = ctx.topology().workloads.first() {
            report.push(Finding::new(RULE, w.span, format!("{what}; {listing}")));
        }
        Ok(())
    }
}

export_plugin!(Hostile);
