//! Tries to open a TCP connection and resolve a name: the sandbox has no network.

use topolint_plugin_sdk::{
    export_plugin, Context, Finding, Plugin, Report, Result, RuleMeta, Severity,
};

pub struct Hostile;

const RULE: &str = "opens-socket";

impl Plugin for Hostile {
    const NAME: &'static str = "opens-socket";
    const VERSION: &'static str = "0.1.0";

    fn rules() -> Vec<RuleMeta> {
        vec![RuleMeta::new(
            RULE,
            Severity::Error,
            "a test plugin that tries to use the network",
        )
        .docs("## What it does\na test plugin that tries to use the network.\n")]
    }

    fn check(ctx: &Context<'_>, report: &mut Report) -> Result<()> {
        let _ = (&ctx, &report);
        use std::net::ToSocketAddrs;
        let connect = match std::net::TcpStream::connect(("127.0.0.1", 22)) {
            Ok(_) => "connected to 127.0.0.1:22".to_string(),
            Err(e) => format!("could not connect: {e}"),
        };
        let resolve = match ("example.com", 80).to_socket_addrs() {
            Ok(mut a) => format!("resolved example.com to {:?}", a.next()),
            Err(e) => format!("could not resolve: {e}"),
        };
        if let Some(w) = ctx.topology().workloads.first() {
            report.push(Finding::new(RULE, w.span, format!("{connect}; {resolve}")));
        }
        Ok(())
    }
}

export_plugin!(Hostile);
