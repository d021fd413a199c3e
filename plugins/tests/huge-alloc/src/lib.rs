//! Allocates 4 GiB, 64 MiB at a time: the memory cap must stop it.

use topolint_plugin_sdk::{
    export_plugin, Context, Finding, Plugin, Report, Result, RuleMeta, Severity,
};

pub struct Hostile;

const RULE: &str = "huge-alloc";

impl Plugin for Hostile {
    const NAME: &'static str = "huge-alloc";
    const VERSION: &'static str = "0.1.0";

    fn rules() -> Vec<RuleMeta> {
        vec![
            RuleMeta::new(RULE, Severity::Error, "a test plugin that allocates 4 GiB")
                .docs("## What it does\na test plugin that allocates 4 GiB.\n"),
        ]
    }

    fn check(ctx: &Context<'_>, report: &mut Report) -> Result<()> {
        let _ = (&ctx, &report);
        let mut chunks: Vec<Vec<u8>> = Vec::new();
        for i in 0..64u8 {
            // Touch the memory so that nothing is optimised away.
            chunks.push(vec![i; 64 << 20]);
        }
        let total: usize = chunks.iter().map(Vec::len).sum();
        if let Some(w) = ctx.topology().workloads.first() {
            report.push(Finding::new(
                RULE,
                w.span,
                format!("allocated {total} bytes"),
            ));
        }
        Ok(())
    }
}

export_plugin!(Hostile);
