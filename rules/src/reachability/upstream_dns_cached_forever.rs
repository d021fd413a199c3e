//! `upstream-dns-cached-forever`

use topolint_diagnostics::Severity;
use topolint_model::{Caller, EdgeStatus, Platform};

use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "upstream-dns-cached-forever",
    layer: Layer::Reachability,
    default_severity: Severity::Warning,
    summary: "nginx resolves a name whose addresses change only once, at start",
    docs: r#"## What it does
Finds a static host name in `proxy_pass` or an `upstream` `server` (no variable, no `resolve`
parameter) that points at addresses which change while nginx keeps running:
- a headless Kubernetes Service (`clusterIP: None`): its name returns pod IPs, which change on
  every restart and rollout;
- a compose service scaled to several replicas (`deploy.replicas`, `scale`): the set of
  container IPs changes whenever it is scaled or recreated.

It does not fire for a ClusterIP Service (its virtual IP is stable), for a single compose
container (recreated together with the proxy by `docker compose up`), or when nginx is known to
be reloaded on change (suppress it with a reason, e.g. `# topolint: ignore[upstream-dns-cached-forever] reloaded by the operator`).

## Why is this bad?
nginx resolves such names once, when it loads the configuration, and keeps the addresses
forever. After the backend restarts, requests go to IPs that are gone: `connect() failed (111:
Connection refused)` or `upstream timed out (110)`, 502/504 until nginx is restarted.

## Example
```nginx
upstream db { server cassandra-0.cassandra:9042; }   # headless Service
```

## How to fix
Resolve at run time: `server cassandra:9042 resolve;` in an `upstream` with a `zone` (nginx
1.27.3+, or nginx Plus), or `resolver ... valid=10s;` with `set $backend cassandra;
proxy_pass http://$backend:9042;`; or put a ClusterIP Service in front.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for e in &t.edges {
        if e.status != EdgeStatus::Resolved || !matches!(e.caller, Caller::Proxy { .. }) {
            continue;
        }
        if e.host.parse::<std::net::IpAddr>().is_ok() {
            continue;
        }
        let Caller::Proxy { id } = &e.caller else {
            continue;
        };
        let Some(p) = t.proxy(id) else { continue };
        // Run-time resolution: a variable in the pass target, or `resolve` on the server.
        let dynamic = if e.via == "upstream-server" {
            p.upstreams
                .iter()
                .flat_map(|u| &u.servers)
                .any(|s| s.span == e.span && s.resolve)
        } else {
            p.targets
                .iter()
                .any(|tg| tg.span == e.span && !tg.variables.is_empty())
        };
        if dynamic {
            continue;
        }
        let Some(target) = &e.target else { continue };
        let Some(s) = t.service(&target.service) else {
            continue;
        };
        let why = match s.platform {
            Platform::Kubernetes if s.kind == "headless" => format!(
                "`{}` is a headless Service: it returns pod IPs, which change on every restart",
                s.name
            ),
            Platform::Compose => {
                let replicas = s
                    .workloads
                    .iter()
                    .filter_map(|w| t.workload(w))
                    .filter_map(|w| w.replicas)
                    .max()
                    .unwrap_or(1);
                if replicas <= 1 {
                    continue;
                }
                format!("`{}` runs {replicas} replicas: its container IPs change when it is scaled or recreated", s.name)
            }
            _ => continue,
        };
        report.push(
            Finding::new(e.span, format!("nginx resolves `{}` once at start and keeps those addresses", e.host))
                .label("resolved only when nginx starts")
                .evidence(s.span, why)
                .help("after the backend restarts nginx keeps sending to addresses that are gone: `connect() failed (111)` / `upstream timed out (110)`, 502/504 until nginx restarts; resolve at run time (`server ... resolve;` with a `zone`, or a `resolver` with a variable in `proxy_pass`)"),
        );
    }
}
