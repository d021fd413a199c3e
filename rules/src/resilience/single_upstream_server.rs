//! `single-upstream-server`

use topolint_diagnostics::Severity;
use topolint_model::{EdgeStatus, Platform};

use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "single-upstream-server",
    layer: Layer::Resilience,
    default_severity: Severity::Info,
    summary: "an nginx `upstream` with a single server: any restart is a 502",
    docs: r#"## What it does
Finds an nginx `upstream` block with exactly one (non-`backup`) server, and says so more
strongly when that server carries `max_fails`/`fail_timeout`, which nginx ignores for a single
server.

It does not fire when the single server is a Kubernetes ClusterIP Service (it load-balances
behind one address).

## Why is this bad?
There is nowhere to fail over: every restart or deploy of that backend is a burst of `502 Bad
Gateway` / `no live upstreams`.

## Example
```nginx
upstream api { server api:8000 max_fails=3 fail_timeout=10s; }
```

## How to fix
Add a second server (or a `backup`), or put a load-balanced Service in front.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for p in &t.proxies {
        for u in &p.upstreams {
            let primary: Vec<_> = u.servers.iter().filter(|s| !s.backup).collect();
            if primary.len() != 1 || u.servers.len() != 1 {
                continue;
            }
            let s = primary[0];
            let clusterip = t.edges.iter().any(|e| {
                e.span == s.span
                    && e.status == EdgeStatus::Resolved
                    && e.target
                        .as_ref()
                        .and_then(|tg| t.service(&tg.service))
                        .is_some_and(|sv| {
                            sv.platform == Platform::Kubernetes
                                && !matches!(
                                    sv.kind.as_str(),
                                    "headless" | "ExternalName" | "ServiceEntry"
                                )
                        })
            });
            if clusterip {
                continue;
            }
            let ignored: Vec<&topolint_model::Str> = s
                .params
                .iter()
                .filter(|p| p.starts_with("max_fails=") || p.starts_with("fail_timeout="))
                .collect();
            let mut f = Finding::new(
                u.span,
                format!("`upstream {}` has a single server, `{}`", u.name, s.address),
            )
            .label("no failover")
            .evidence(s.span, "the only server");
            f = if ignored.is_empty() {
                f.help("every restart of that backend is a burst of 502 `no live upstreams`; add a second server or a `backup`")
            } else {
                f.help(format!(
                    "{} have no effect with a single server (nginx never marks its only server down), and every restart of the backend is a burst of 502s; add a second server or a `backup`",
                    ignored.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                ))
            };
            report.push(f);
        }
    }
}
