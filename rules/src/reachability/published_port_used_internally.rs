//! `published-port-used-internally`

use topolint_diagnostics::Severity;
use topolint_model::{EdgeStatus, Platform};

use super::{refused, replace_fix, served_ports, via};
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "published-port-used-internally",
    layer: Layer::Reachability,
    default_severity: Severity::Error,
    summary: "a container calls another through the HOST side of its compose `ports:` mapping",
    docs: r#"## What it does
Finds container-to-container calls in a compose project that use the host port of a `ports:`
mapping (`8081:8000`, caller uses `api:8081`) when the target container does not itself
listen on that port.

It does not fire when the host and container ports are equal, or when the caller does not run
in a container of the project (a browser, a tool on the host).

## Why is this bad?
A `ports:` mapping publishes the container port on the HOST. Inside the compose network the
service answers on its container port only; `api:8081` is refused: nginx logs `connect()
failed (111: Connection refused) while connecting to upstream` and answers 502.

## Example
```yaml
services:
  api:
    ports: ["8081:8000"]
```
```nginx
upstream api { server api:8081; }
```

## How to fix
Use the container port (`api:8000`). The finding carries the edit.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for e in &t.edges {
        if e.status != EdgeStatus::Resolved || e.caller_workload.is_none() {
            continue;
        }
        let (Some(port), Some(target)) = (e.port, &e.target) else {
            continue;
        };
        if target.port_index.is_some() {
            continue;
        }
        let Some(s) = t.service(&target.service) else {
            continue;
        };
        if s.platform != Platform::Compose {
            continue;
        }
        if s.workloads
            .iter()
            .filter_map(|w| t.workload(w))
            .any(|w| served_ports(w).contains(&port))
        {
            continue;
        }
        let Some(mapping) = s
            .ports
            .iter()
            .find(|p| p.published == Some(port) && p.port != port)
        else {
            continue;
        };
        let inner = mapping.port;
        let mut f = Finding::new(
            e.span,
            format!("{} uses `{}:{port}`, the host side of `{}`'s `{port}:{inner}` mapping; containers reach it on {inner}", via(e), e.host, s.name),
        )
        .label(format!("{port} is published on the host only"))
        .evidence(mapping.span, format!("host port {port} -> container port {inner}"))
        .help(format!("{}; use `{}:{inner}`", refused(e), e.host));
        if let Some(fix) = replace_fix(
            ctx.sources,
            e.span,
            &port.to_string(),
            &inner.to_string(),
            true,
            format!("use container port {inner}"),
        ) {
            f = f.fix(fix);
        }
        report.push(f);
    }
}
