//! Panics: the host must report the panic message from its stderr.

use topolint_plugin_sdk::{export_plugin, Context, Plugin, Report, Result, RuleMeta, Severity};

pub struct Hostile;

const RULE: &str = "panics";

impl Plugin for Hostile {
    const NAME: &'static str = "panics";
    const VERSION: &'static str = "0.1.0";

    fn rules() -> Vec<RuleMeta> {
        vec![
            RuleMeta::new(RULE, Severity::Error, "a test plugin that panics")
                .docs("## What it does\na test plugin that panics.\n"),
        ]
    }

    fn check(ctx: &Context<'_>, report: &mut Report) -> Result<()> {
        let _ = (&ctx, &report);
        let count = ctx.topology().workloads.len();
        panic!("the test plugin panicked on purpose after reading {count} workloads");
    }
}

export_plugin!(Hostile);
