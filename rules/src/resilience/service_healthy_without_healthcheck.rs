//! `service-healthy-without-healthcheck`

use topolint_diagnostics::Severity;
use topolint_model::Platform;

use super::DockerfileHealthchecks;
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "service-healthy-without-healthcheck",
    layer: Layer::Resilience,
    default_severity: Severity::Error,
    summary: "`condition: service_healthy` on a compose service that has no healthcheck",
    docs: r#"## What it does
Finds `depends_on: { x: { condition: service_healthy } }` where service `x` defines no
`healthcheck` (and the Dockerfile of its build context has no `HEALTHCHECK`).

## Why is this bad?
docker compose refuses to start the dependent service: `dependency failed to start: container
x has no healthcheck configured`. The whole stack stays down.

## Example
```yaml
services:
  web:
    depends_on: { db: { condition: service_healthy } }
  db:
    image: postgres:16
```

## How to fix
Give the dependency a healthcheck (`test: ["CMD-SHELL", "pg_isready -U postgres"]`), or use
`condition: service_started`.
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let t = ctx.topology;
    let dockerfiles = DockerfileHealthchecks::new(ctx);
    for w in t
        .workloads
        .iter()
        .filter(|w| w.platform == Platform::Compose)
    {
        for d in w
            .depends_on
            .iter()
            .filter(|d| d.condition == "service_healthy")
        {
            let Some(callee) = t
                .compose_workloads(&w.scope)
                .into_iter()
                .find(|x| x.name == d.service)
            else {
                continue;
            };
            let has = callee.containers.iter().any(|c| {
                c.probes
                    .iter()
                    .any(|p| p.kind == "healthcheck" && !p.disabled)
            });
            if has || dockerfiles.declared_for(callee) {
                continue;
            }
            report.push(
                Finding::new(d.span, format!("`{}` waits for `{}` to be healthy, but `{}` has no healthcheck", w.name, callee.name, callee.name))
                    .label("`condition: service_healthy`")
                    .evidence(callee.span, format!("`{}` defines no `healthcheck`", callee.name))
                    .help(format!(
                        "docker compose refuses to start `{}`: `dependency failed to start: container {} has no healthcheck configured`; add a `healthcheck` to `{}` or use `condition: service_started`",
                        w.name, callee.name, callee.name
                    )),
            );
        }
    }
}
