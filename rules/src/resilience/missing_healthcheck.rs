//! `missing-healthcheck`

use topolint_diagnostics::Severity;

use super::{called_compose, DockerfileHealthchecks};
use crate::{Context, Finding, Layer, Report, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    id: "missing-healthcheck",
    layer: Layer::Resilience,
    default_severity: Severity::Warning,
    summary: "a compose service that others call has no healthcheck",
    docs: r#"## What it does
Finds a compose service that something in the model calls (nginx proxies to it, another
service's environment points at it) and that defines no `healthcheck` (nor does the Dockerfile
of its build context).

It does not fire for services nothing calls.

## Why is this bad?
Without a healthcheck, compose cannot hold callers back until the service is ready
(`condition: service_healthy` is impossible), `docker compose ps` shows a hung service as
"running", and orchestrators never restart it: callers see `connect() failed (111)`, 502s and
timeouts instead of a clear unhealthy state.

## Example
```yaml
services:
  proxy: { depends_on: [api] }   # proxy_pass http://api:8000
  api:   { image: example/api }
```

## How to fix
Add a healthcheck and let callers wait for it:
```yaml
  api:
    healthcheck:
      test: ["CMD", "curl", "-fsS", "http://localhost:8000/health"]
      interval: 10s
      timeout: 3s
      retries: 5
  proxy:
    depends_on: { api: { condition: service_healthy } }
```
"#,
};

pub fn check(ctx: &Context<'_>, report: &mut Report<'_>) {
    let dockerfiles = DockerfileHealthchecks::new(ctx);
    for (w, call) in called_compose(ctx.topology) {
        if w.containers
            .iter()
            .any(|c| c.probes.iter().any(|p| p.kind == "healthcheck"))
            || dockerfiles.declared_for(w)
        {
            continue;
        }
        report.push(
            Finding::new(w.span, format!("`{}` is called by other services but has no healthcheck", w.name))
                .label("no `healthcheck`")
                .evidence(call, format!("`{}` is called here", w.name))
                .help("callers cannot wait for it to be ready and a hung process looks healthy, so requests fail with `connect() failed (111)`/502 during start and timeouts when it hangs; add a `healthcheck` and make callers `depends_on` it with `condition: service_healthy`"),
        );
    }
}
