//! `depends-on-without-healthcheck`

use topolint_diagnostics::Severity;
use topolint_model::{EdgeStatus, Platform};

use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "depends-on-without-healthcheck",
    layer: Layer::Resilience,
    default_severity: Severity::Warning,
    summary: "a compose service waits only for the start of a service it calls, although that service has a healthcheck",
    docs: r#"## What it does
Finds a compose service that calls another (nginx proxying to it, a URL in its environment) and
`depends_on` it in the list form or with `condition: service_started`, although the callee
defines a `healthcheck`.

It does not fire when the callee has no healthcheck (`missing-healthcheck` says that, with both
fixes), or for one-shot dependencies with `service_completed_successfully`.

## Why is this bad?
`service_started` only waits for the container to exist. The caller starts while the callee is
still booting: the first requests fail with `connect() failed (111: Connection refused)` and
502s, and a caller that connects once at start (a database pool, nginx resolving its
upstreams) may stay broken.

## Example
```yaml
services:
  proxy:
    depends_on: [api]
  api:
    healthcheck: { test: ["CMD", "curl", "-f", "http://localhost:8000/health"] }
```

## How to fix
```yaml
    depends_on:
      api:
        condition: service_healthy
```
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    for w in t
        .workloads
        .iter()
        .filter(|w| w.platform == Platform::Compose)
    {
        for d in &w.depends_on {
            if d.condition != "service_started" {
                continue;
            }
            let Some(callee) = t.workloads.iter().find(|x| {
                x.platform == Platform::Compose && x.scope == w.scope && x.name == d.service
            }) else {
                continue;
            };
            let Some(hc) = callee
                .containers
                .iter()
                .flat_map(|c| &c.probes)
                .find(|p| p.kind == "healthcheck" && !p.disabled)
            else {
                continue;
            };
            // It must call the callee.
            let call = t.edges.iter().find(|e| {
                e.status == EdgeStatus::Resolved
                    && e.caller_workload.as_deref() == Some(w.id.as_str())
                    && e.target.as_ref().is_some_and(|tg| {
                        t.service(&tg.service)
                            .is_some_and(|s| s.workloads.contains(&callee.id))
                    })
            });
            let Some(call) = call else { continue };
            let form = if d.short_syntax {
                "in the list form"
            } else {
                "with `condition: service_started`"
            };
            report.push(
                Finding::new(d.span, format!("`{}` depends on `{}` {form}, so it starts before `{}` is healthy", w.name, callee.name, callee.name))
                    .label("waits for the container to start, not to be ready")
                    .evidence(hc.span, format!("`{}` has a healthcheck", callee.name))
                    .evidence(call.span, format!("`{}` calls `{}` here", w.name, callee.name))
                    .help(format!(
                        "the first requests fail (`connect() failed (111: Connection refused)`, 502) while `{}` boots; use `depends_on: {{ {}: {{ condition: service_healthy }} }}`",
                        callee.name, callee.name
                    )),
            );
        }
    }
}
