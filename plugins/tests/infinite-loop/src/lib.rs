//! Spins forever: the host must stop it at its deadline.

use topolint_plugin_sdk::{
    export_plugin, Context, Finding, Plugin, Report, Result, RuleMeta, Severity,
};

pub struct Hostile;

const RULE: &str = "infinite-loop";

impl Plugin for Hostile {
    const NAME: &'static str = "infinite-loop";
    const VERSION: &'static str = "0.1.0";

    fn rules() -> Vec<RuleMeta> {
        vec![
            RuleMeta::new(RULE, Severity::Error, "a test plugin that never returns")
                .docs("## What it does\na test plugin that never returns.\n"),
        ]
    }

    fn check(ctx: &Context<'_>, report: &mut Report) -> Result<()> {
        let _ = (&ctx, &report);
        let mut i: u64 = 0;
        loop {
            i = std::hint::black_box(i.wrapping_add(1));
            if i == u64::MAX {
                report.push(Finding::new(
                    RULE,
                    ctx.topology().workloads[0].span,
                    "unreachable",
                ));
            }
        }
    }
}

export_plugin!(Hostile);
